//! A Parquet file read in row batches with polars: a slice of at most
//! [`BATCH_ROWS`] rows of one row group at a time, turned into text columns as
//! [`read_folder`](crate::read_folder) does with the whole file, and handed over
//! [`CHUNK_ROWS`] rows at a time. Columns nobody reads (interaction properties
//! the sink does not want) are not decoded.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use polars::io::parquet::metadata::FileMetadataRef;
use polars::prelude::*;

use super::{Place, Revisit};
use crate::FilesError;
use crate::columns::Cells;
use crate::frame::{text_frame, unreadable};

/// The most rows decoded at once.
const BATCH_ROWS: usize = 1 << 16;

/// Batches decoded ahead.
const BATCHES_AHEAD: usize = 2;

/// The rows handed over at once (laid out row after row).
const CHUNK_ROWS: usize = 256;

/// The rows read again at once to confirm a duplicate.
const REVISIT_ROWS: usize = 1 << 13;

/// An open Parquet file.
pub(crate) struct ParquetRows {
    path: PathBuf,
    metadata: FileMetadataRef,
    header: Vec<String>,
    /// The rows of each row group, in order.
    groups: Vec<usize>,
    /// The columns to read (positions in the header); `None` reads all.
    projection: Option<Vec<usize>>,
}

/// The values of some rows, row after row, `width` a row; a column not read is
/// absent.
type Chunk<'v, 'a> = &'v [Option<&'a str>];

impl ParquetRows {
    /// Reads the file's metadata and header.
    pub fn open(path: &Path) -> Result<Self, FilesError> {
        let file = File::open(path).map_err(|source| FilesError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = ParquetReader::new(file);
        let metadata = reader
            .get_metadata()
            .map_err(|e| unreadable(path, e))?
            .clone();
        let empty = reader
            .with_slice(Some((0, 0)))
            .finish()
            .map_err(|e| unreadable(path, e))?;
        let header = empty
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let groups = metadata.row_groups.iter().map(|g| g.num_rows()).collect();
        Ok(Self {
            path: path.to_path_buf(),
            metadata,
            header,
            groups,
            projection: None,
        })
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Reads only these columns (positions in the header) from now on.
    pub fn project(&mut self, mut columns: Vec<usize>) {
        columns.sort_unstable();
        columns.dedup();
        self.projection = Some(columns);
    }

    /// How many values a row has.
    pub fn width(&self) -> usize {
        self.header.len().max(1)
    }

    fn read(&self, offset: usize, len: usize) -> Result<DataFrame, FilesError> {
        let file = File::open(&self.path).map_err(|source| FilesError::Io {
            path: self.path.clone(),
            source,
        })?;
        let mut reader = ParquetReader::new(file)
            .with_slice(Some((offset, len)))
            .with_projection(self.projection.clone());
        reader.set_metadata(self.metadata.clone());
        let frame = reader.finish().map_err(|e| unreadable(&self.path, e))?;
        let mut text = text_frame(&frame)
            .map_err(|e| unreadable(&self.path, e))?
            .frame;
        text.rechunk_mut();
        Ok(text)
    }

    /// Hands the rows from `offset` (from 0) on, `len` of them, to `f` a chunk at
    /// a time, with the number (from 1) of the chunk's first row, until `f` names
    /// a row of the chunk to stop at; gives that row's number.
    fn each_in(
        &self,
        offset: usize,
        len: usize,
        f: impl FnMut(Chunk<'_, '_>, u64) -> Result<Option<usize>, FilesError>,
    ) -> Result<Option<u64>, FilesError> {
        let frame = self.read(offset, len)?;
        self.each_of(&frame, offset, f)
    }

    /// Hands the rows of a frame read from row `offset` (from 0) to `f`, as
    /// [`ParquetRows::each_in`] does.
    fn each_of(
        &self,
        frame: &DataFrame,
        offset: usize,
        mut f: impl FnMut(Chunk<'_, '_>, u64) -> Result<Option<usize>, FilesError>,
    ) -> Result<Option<u64>, FilesError> {
        let texts = frame
            .columns()
            .iter()
            .map(|c| c.str())
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(|e| unreadable(&self.path, e))?;
        // Where each column read goes in a row, by name.
        let positions: Vec<usize> = frame
            .get_column_names()
            .iter()
            .map(|n| {
                self.header
                    .iter()
                    .position(|h| h.as_str() == n.as_str())
                    .unwrap_or(usize::MAX)
            })
            .collect();
        let mut iters: Vec<_> = texts.iter().map(|c| c.iter()).collect();
        let width = self.width();
        let mut values: Vec<Option<&str>> = vec![None; CHUNK_ROWS * width];
        let mut done = 0;
        while done < frame.height() {
            let n = CHUNK_ROWS.min(frame.height() - done);
            for row in values.chunks_mut(width).take(n) {
                for (it, &at) in iters.iter_mut().zip(&positions) {
                    let value = it.next().flatten();
                    if let Some(slot) = row.get_mut(at) {
                        *slot = value;
                    }
                }
            }
            let first = (offset + done) as u64 + 1;
            let chunk = values.get(..n * width).unwrap_or_default();
            if let Some(k) = f(chunk, first)? {
                return Ok(Some(first + k as u64));
            }
            done += n;
        }
        Ok(None)
    }

    /// Hands every row to `f` in chunks, row after row, with their places (row
    /// numbers; no lines). A second thread decodes the next batches (decompression
    /// and conversion to text, a third of the time) while this one checks rows.
    pub fn for_each_chunk(
        &self,
        mut f: impl FnMut(Chunk<'_, '_>, &[Place], &Self) -> Result<(), FilesError>,
    ) -> Result<(), FilesError> {
        let mut batches = Vec::new();
        let mut start = 0usize;
        for &rows in &self.groups {
            let end = start.saturating_add(rows);
            let mut offset = start;
            while offset < end {
                let len = BATCH_ROWS.min(end - offset);
                batches.push((offset, len));
                offset += len;
            }
            start = end;
        }
        let (tx, rx) = mpsc::sync_channel::<Result<(usize, DataFrame), FilesError>>(BATCHES_AHEAD);
        let mut places = Vec::with_capacity(CHUNK_ROWS);
        let width = self.width();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for (offset, len) in batches {
                    let read = self.read(offset, len).map(|frame| (offset, frame));
                    let failed = read.is_err();
                    // Stop when the receiver is gone or after an error.
                    if tx.send(read).is_err() || failed {
                        return;
                    }
                }
            });
            // The receiver is moved into the loop: returning early (an error
            // of `f`) drops it before the scope joins the decoding thread, which
            // then stops instead of waiting forever to hand over a batch.
            for read in rx {
                let (offset, frame) = read?;
                self.each_of(&frame, offset, |chunk, first| {
                    places.clear();
                    let n = (chunk.len() / width) as u64;
                    places.extend((first..first + n).map(|row| Place { row, line: None }));
                    f(chunk, &places, self).map(|()| None)
                })?;
            }
            Ok(())
        })
    }
}

impl Revisit for ParquetRows {
    fn find(
        &self,
        block: u32,
        before: u64,
        found: &mut dyn FnMut(Cells<'_, '_>) -> bool,
    ) -> Result<Option<Place>, FilesError> {
        let width = self.width();
        let mut offset = super::seen::block_start(block).saturating_sub(1) as usize;
        let end = before.saturating_sub(1) as usize;
        while offset < end {
            let len = REVISIT_ROWS.min(end - offset);
            let stop = self.each_in(offset, len, |chunk, _| {
                Ok(chunk
                    .chunks(width)
                    .position(|row| found(Cells::Values(row))))
            })?;
            if let Some(row) = stop {
                return Ok(Some(Place { row, line: None }));
            }
            offset += len;
        }
        Ok(None)
    }

    fn expected_rows(&self) -> Option<u64> {
        Some(self.metadata.num_rows as u64)
    }
}
