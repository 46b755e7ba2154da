//! Reading a folder that [`stream_folder`](super::stream_folder) has just
//! accepted once more, row by row, without checking a value again: a second
//! pass that only needs each row's cells (copying records elsewhere, for
//! instance). No id table is kept and no record is built, so the pass costs
//! the reading alone.

use std::path::Path;

use leadscore_domain::{Declared, ReadProgress, RecordType};

use super::csv_rows::CsvRows;
use super::parquet_rows::ParquetRows;
use super::{ParquetProgress, file_len, stream_rank};
use crate::columns::{Cells, FileColumns, Row};
use crate::layout::{DataFile, discover};
use crate::{FilesError, Format};

/// What a second pass does with each file and row.
pub(crate) trait RowSink {
    /// A file begins; its header was checked as the first pass checked it.
    /// Gives the columns (positions) the pass reads, or `None` for all; a
    /// Parquet file then decodes only those.
    fn begin(
        &mut self,
        path: &Path,
        record: &RecordType,
        columns: &FileColumns,
    ) -> Result<Option<Vec<usize>>, FilesError>;

    /// One row of the file begun last, in file order, its cells as read (a
    /// CSV row's last cell may end with the `\r` of a CRLF line break).
    fn row(&mut self, row: &Row<'_, '_>) -> Result<(), FilesError>;

    /// The file begun last has no more rows.
    fn end(&mut self) -> Result<(), FilesError>;

    /// How far through the folder's bytes the reading is.
    fn progress(&mut self, progress: ReadProgress);

    /// Whether the pass reads the files of these records (a file it does not
    /// read is skipped whole).
    fn reads(&self, _record: &RecordType) -> bool {
        true
    }
}

/// Hands every row of every file of `dir` to `sink`, in the order
/// [`stream_folder`](super::stream_folder) reads them (accounts, contacts,
/// leads, custom records, interactions), but for the files of records it does
/// not [read](RowSink::reads). Only the layout and the headers are checked
/// again; a file that cannot be read fails the pass.
pub(crate) fn revisit_folder(
    dir: &Path,
    declared: &Declared,
    sink: &mut impl RowSink,
) -> Result<(), FilesError> {
    let mut files = discover(dir)?;
    files.retain(|f| sink.reads(&f.record));
    files.sort_by_key(|f| stream_rank(&f.record));
    let total = files.iter().map(|f| file_len(&f.path)).sum();
    let mut done = 0;
    for file in &files {
        let before = ReadProgress { done, total };
        match file.format {
            Format::Csv => revisit_csv(file, declared, sink, before)?,
            Format::Parquet => revisit_parquet(file, declared, sink, before)?,
        }
        sink.end()?;
        done += file_len(&file.path);
        sink.progress(ReadProgress { done, total });
    }
    Ok(())
}

fn revisit_csv(
    file: &DataFile,
    declared: &Declared,
    sink: &mut impl RowSink,
    before: ReadProgress,
) -> Result<(), FilesError> {
    let (rows, mut index) = CsvRows::open(&file.path)?;
    let columns = FileColumns::new(&file.path, &file.record, rows.header(), declared)?;
    sink.begin(&file.path, &file.record, &columns)?;
    rows.for_each_batch(&mut index, |records, _, index| {
        for record in records {
            sink.row(&Row {
                cells: Cells::Record(record),
                columns: &columns,
            })?;
        }
        sink.progress(ReadProgress {
            done: before.done + index.bytes_read(),
            ..before
        });
        Ok(())
    })
}

fn revisit_parquet(
    file: &DataFile,
    declared: &Declared,
    sink: &mut impl RowSink,
    before: ReadProgress,
) -> Result<(), FilesError> {
    let mut rows = ParquetRows::open(&file.path)?;
    let columns = FileColumns::new(&file.path, &file.record, rows.header(), declared)?;
    if let Some(read) = sink.begin(&file.path, &file.record, &columns)? {
        rows.project(read);
    }
    let width = rows.width();
    let progress = ParquetProgress::new(file, &rows, before);
    rows.for_each_chunk(|chunk, places, _| {
        for cells in chunk.chunks(width) {
            sink.row(&Row {
                cells: Cells::Values(cells),
                columns: &columns,
            })?;
        }
        sink.progress(progress.after(places));
        Ok(())
    })
}
