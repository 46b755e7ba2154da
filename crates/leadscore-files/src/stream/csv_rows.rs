//! A CSV file read record by record with the `csv` crate: one reused record, a
//! large read buffer, and the physical line each record starts on.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use csv::{Position, StringRecord};

use super::seen::{BLOCK_ROWS, block_start};
use super::{Place, Revisit};
use crate::FilesError;
use crate::columns::Cells;
use crate::frame::unreadable;

/// The read buffer of a streamed file.
const BUFFER: usize = 1 << 20;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> FilesError {
    let path = path.to_path_buf();
    move |source| FilesError::Io { path, source }
}

/// RFC 4180 with `,`, records ending at `\n`. A `\r` before it stays in the last
/// field, where trimming removes it (every value is trimmed), so that a record's
/// position is always right after the previous record's line break. Field counts
/// are checked here, not by the reader, to name the line.
fn builder(buffer: usize) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(buffer);
    builder
}

/// A line holding only `\r` (a blank line of a CRLF file): skipped, as the reader
/// skips empty lines.
fn is_blank(record: &StringRecord) -> bool {
    record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty() || f == "\r")
}

/// An open CSV file, positioned after its header.
pub(crate) struct CsvRows {
    reader: csv::Reader<File>,
    header: Vec<String>,
    lines: Lines,
}

/// What is needed to tell a record's first line and to read rows again.
pub(crate) struct CsvIndex {
    path: PathBuf,
    lines: Lines,
    /// How many columns the header names.
    width: usize,
    /// The position of the first row of each block of [`BLOCK_ROWS`] rows.
    checkpoints: Vec<Position>,
    /// How many rows the file holds, estimated from the first [`SAMPLE_ROWS`].
    expected: Option<u64>,
    /// The bytes read up to the end of the batch last handed over.
    read: u64,
}

/// The rows read before estimating how many the file holds.
const SAMPLE_ROWS: u64 = 4096;

/// The records handed over at once.
const BATCH_ROWS: usize = 256;

/// Batches on their way from the reading thread.
const BATCHES_AHEAD: usize = 8;

#[derive(Clone, Copy)]
struct Lines {
    file_len: u64,
    /// The file does not end with a line break: its last record has none.
    unterminated: bool,
}

impl Lines {
    fn of(path: &Path, file: &mut File) -> Result<Self, FilesError> {
        let file_len = file.metadata().map_err(io_error(path))?.len();
        let mut last = [0u8; 1];
        if file_len > 0 {
            file.seek(SeekFrom::End(-1)).map_err(io_error(path))?;
            file.read_exact(&mut last).map_err(io_error(path))?;
            file.rewind().map_err(io_error(path))?;
        }
        Ok(Self {
            file_len,
            unterminated: file_len > 0 && last[0] != b'\n',
        })
    }

    /// The rows the file holds, estimated from the first `rows`, which end
    /// at `after`: as many rows as fit in the file at the same bytes a row.
    fn expected(self, rows: u64, after: &Position) -> u64 {
        self.file_len.saturating_mul(rows) / after.byte().max(1)
    }

    /// The physical line a record starts on, quoted line breaks counted. The
    /// reader's position before a record is right after the previous record's
    /// line break, which is the record's line unless empty lines were skipped;
    /// those are what remains of the lines consumed once the record's own line
    /// breaks (inside quotes, and its terminator) are taken away.
    fn start_line(self, record: &StringRecord, after: &Position) -> u64 {
        let before = record.position().map_or(1, Position::line);
        let terminated = !(self.unterminated && after.byte() >= self.file_len);
        let span = after.line().saturating_sub(before);
        let own = u64::from(terminated);
        if span <= own {
            return before;
        }
        let inside = record.as_slice().bytes().filter(|b| *b == b'\n').count() as u64;
        before + span.saturating_sub(inside + own)
    }
}

/// Records read ahead, with their places and the block positions among them.
struct Batch {
    /// Records; only the first `len` are this batch's (the rest are kept for
    /// their allocations).
    records: Vec<StringRecord>,
    len: usize,
    places: Vec<Place>,
    checkpoints: Vec<Position>,
    expected: Option<u64>,
    /// The reader's position in bytes after the batch's last record.
    read: u64,
}

impl Batch {
    fn empty() -> Self {
        Self {
            records: Vec::with_capacity(BATCH_ROWS),
            len: 0,
            places: Vec::with_capacity(BATCH_ROWS),
            checkpoints: Vec::new(),
            expected: None,
            read: 0,
        }
    }
}

type Message = Result<Batch, FilesError>;

impl CsvRows {
    /// Opens a file and reads its header (a UTF-8 byte order mark is dropped).
    pub fn open(path: &Path) -> Result<(Self, CsvIndex), FilesError> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let lines = Lines::of(path, &mut file)?;
        let mut reader = builder(BUFFER).from_reader(file);
        let mut record = StringRecord::new();
        let has_header = reader
            .read_record(&mut record)
            .map_err(|e| unreadable(path, e))?;
        if !has_header || record.iter().all(|f| f.trim().is_empty()) && record.len() <= 1 {
            return Err(unreadable(
                path,
                "the file is empty: a header row is required",
            ));
        }
        let header: Vec<String> = record.iter().map(str::to_owned).collect();
        let index = CsvIndex {
            path: path.to_path_buf(),
            lines,
            width: header.len(),
            checkpoints: Vec::new(),
            expected: None,
            read: 0,
        };
        Ok((
            Self {
                reader,
                header,
                lines,
            },
            index,
        ))
    }

    /// The header's names as written.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// How many records the file holds: counted when it has at most
    /// [`SAMPLE_ROWS`], else estimated from the bytes the first that many
    /// take (as the reading estimates it).
    pub fn estimate_rows(mut self, path: &Path) -> Result<u64, FilesError> {
        let mut record = StringRecord::new();
        let mut rows = 0u64;
        while rows < SAMPLE_ROWS {
            let more = self
                .reader
                .read_record(&mut record)
                .map_err(|e| unreadable(path, e))?;
            if !more {
                return Ok(rows);
            }
            if !is_blank(&record) || self.header.len() <= 1 {
                rows += 1;
            }
        }
        Ok(self.lines.expected(rows, self.reader.position()))
    }

    /// Hands every record to `f`, with its place, in batches; stops at the first
    /// error. A second thread reads and splits the records (the `csv` crate's
    /// work, a third of the time) while this one checks them.
    pub fn for_each_batch(
        self,
        index: &mut CsvIndex,
        mut f: impl FnMut(&[StringRecord], &[Place], &CsvIndex) -> Result<(), FilesError>,
    ) -> Result<(), FilesError> {
        let (full_tx, full_rx) = mpsc::sync_channel::<Message>(BATCHES_AHEAD);
        let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
        let path = index.path.clone();
        let width = index.width;
        std::thread::scope(|scope| {
            scope.spawn(move || self.produce(&path, width, &full_tx, &empty_rx));
            // The receiver is moved into the loop: returning early (an error
            // of `f`) drops it before the scope joins the reading thread, which
            // then stops instead of waiting forever to hand over a batch.
            for message in full_rx {
                let mut batch = message?;
                index.checkpoints.append(&mut batch.checkpoints);
                if batch.expected.is_some() {
                    index.expected = batch.expected;
                }
                index.read = batch.read;
                let records = batch.records.get(..batch.len).unwrap_or_default();
                f(records, &batch.places, index)?;
                // The reading thread may be gone already; the batch is then dropped.
                let _ = empty_tx.send(batch);
            }
            Ok(())
        })
    }

    /// Reads records into batches until the end, an error, or the receiver is
    /// gone.
    fn produce(
        mut self,
        path: &Path,
        width: usize,
        full: &mpsc::SyncSender<Message>,
        empty: &mpsc::Receiver<Batch>,
    ) {
        let mut row = 0u64;
        loop {
            let mut batch = empty.try_recv().unwrap_or_else(|_| Batch::empty());
            batch.len = 0;
            batch.places.clear();
            batch.checkpoints.clear();
            batch.expected = None;
            let mut failure = None;
            let mut done = false;
            while batch.len < BATCH_ROWS {
                if batch.records.len() == batch.len {
                    batch.records.push(StringRecord::new());
                }
                let Some(record) = batch.records.get_mut(batch.len) else {
                    break;
                };
                match self.reader.read_record(record) {
                    Ok(true) => {}
                    Ok(false) => {
                        done = true;
                        break;
                    }
                    Err(e) => {
                        failure = Some(unreadable(path, e));
                        break;
                    }
                }
                if is_blank(record) && width > 1 {
                    continue;
                }
                row += 1;
                let line = self.lines.start_line(record, self.reader.position());
                if record.len() != width {
                    failure = Some(unreadable(
                        path,
                        format!(
                            "line {line}: the header has {width} columns but this record has {}",
                            record.len()
                        ),
                    ));
                    break;
                }
                if (row - 1).is_multiple_of(BLOCK_ROWS)
                    && let Some(position) = record.position()
                {
                    batch.checkpoints.push(position.clone());
                }
                if row == SAMPLE_ROWS {
                    batch.expected = Some(self.lines.expected(row, self.reader.position()));
                }
                batch.places.push(Place {
                    row,
                    line: Some(line),
                });
                batch.len += 1;
            }
            batch.read = self.reader.position().byte();
            if batch.len > 0 && full.send(Ok(batch)).is_err() {
                return;
            }
            if let Some(failure) = failure {
                let _ = full.send(Err(failure));
                return;
            }
            if done {
                return;
            }
        }
    }
}

impl Revisit for CsvIndex {
    fn find(
        &self,
        block: u32,
        before: u64,
        found: &mut dyn FnMut(Cells<'_, '_>) -> bool,
    ) -> Result<Option<Place>, FilesError> {
        let Some(position) = self.checkpoints.get(block as usize) else {
            return Ok(None);
        };
        let file = File::open(&self.path).map_err(io_error(&self.path))?;
        let mut reader = builder(1 << 16).from_reader(file);
        reader
            .seek(position.clone())
            .map_err(|e| unreadable(&self.path, e))?;
        let mut record = StringRecord::new();
        let mut row = block_start(block);
        while row < before {
            let more = reader
                .read_record(&mut record)
                .map_err(|e| unreadable(&self.path, e))?;
            if !more {
                break;
            }
            if is_blank(&record) && self.width > 1 {
                continue;
            }
            if found(Cells::Record(&record)) {
                let line = self.lines.start_line(&record, reader.position());
                return Ok(Some(Place {
                    row,
                    line: Some(line),
                }));
            }
            row += 1;
        }
        Ok(None)
    }

    fn expected_rows(&self) -> Option<u64> {
        self.expected
    }
}

impl CsvIndex {
    /// The bytes read up to the end of the batch last handed over.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }
}
