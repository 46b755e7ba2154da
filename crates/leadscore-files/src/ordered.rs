//! Rows computed out of order (a part of a folder at a time), each with its
//! place, written to disk as sorted runs and merged back into place order,
//! so that no more than a row per run is held at once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use csv::StringRecord;

use crate::FilesError;

/// Sorted runs of CSV rows, merged into one CSV in place order by
/// [`OrderedRows::merge`].
///
/// ```
/// use leadscore_files::OrderedRows;
///
/// let scratch = tempfile::tempdir()?;
/// let mut rows = OrderedRows::new(scratch.path())?;
/// let mut odd = rows.run()?;
/// odd.push(1, &["b"])?;
/// odd.push(3, &["d"])?;
/// odd.finish()?;
/// let mut even = rows.run()?;
/// even.push(0, &["a"])?;
/// even.push(2, &["c"])?;
/// even.finish()?;
/// let mut out = csv::Writer::from_writer(Vec::new());
/// assert_eq!(rows.merge(&mut out)?, 4);
/// assert_eq!(String::from_utf8(out.into_inner()?)?, "a\nb\nc\nd\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OrderedRows {
    scratch: tempfile::TempDir,
    runs: Vec<PathBuf>,
}

/// One run: rows pushed in increasing place order.
pub struct RunWriter {
    writer: csv::Writer<BufWriter<File>>,
    path: PathBuf,
    last: Option<u64>,
}

impl OrderedRows {
    /// Runs kept in a scratch folder made inside `scratch` (removed when this
    /// is dropped).
    pub fn new(scratch: &Path) -> Result<Self, FilesError> {
        Ok(Self {
            scratch: scratch_folder(scratch, ".leadscore-runs-")?,
            runs: Vec::new(),
        })
    }

    /// Begins a run.
    pub fn run(&mut self) -> Result<RunWriter, FilesError> {
        let path = self
            .scratch
            .path()
            .join(format!("run-{}.csv", self.runs.len()));
        let file = File::create(&path).map_err(|source| FilesError::Io {
            path: path.clone(),
            source,
        })?;
        self.runs.push(path.clone());
        Ok(RunWriter {
            writer: csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(BufWriter::with_capacity(1 << 16, file)),
            path,
            last: None,
        })
    }

    /// Writes every run's rows into `out` in place order; gives how many.
    /// Each run must have been [finished](RunWriter::finish).
    pub fn merge<W: Write>(self, out: &mut csv::Writer<W>) -> Result<u64, FilesError> {
        let scratch = self.scratch.path().to_path_buf();
        let written = self.merge_with(|row| {
            out.write_record(row.iter().skip(1))
                .map_err(|e| write_error(&scratch, e))
        })?;
        out.flush().map_err(|source| FilesError::Io {
            path: scratch,
            source,
        })?;
        Ok(written)
    }

    /// Hands every run's rows to `emit` in place order (a row's first field
    /// is its place); gives how many. Each run must have been
    /// [finished](RunWriter::finish).
    pub fn merge_with(
        self,
        mut emit: impl FnMut(&StringRecord) -> Result<(), FilesError>,
    ) -> Result<u64, FilesError> {
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heads = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::new();
        for (i, path) in self.runs.iter().enumerate() {
            let file = File::open(path).map_err(|source| FilesError::Io {
                path: path.clone(),
                source,
            })?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(BufReader::with_capacity(1 << 16, file));
            let mut head = StringRecord::new();
            if let Some(place) = next_row(&mut reader, &mut head, path)? {
                heap.push(Reverse((place, i)));
            }
            readers.push(reader);
            heads.push(head);
        }
        let mut written = 0;
        while let Some(Reverse((_, i))) = heap.pop() {
            let (Some(reader), Some(head), Some(path)) =
                (readers.get_mut(i), heads.get_mut(i), self.runs.get(i))
            else {
                break;
            };
            emit(head)?;
            written += 1;
            if let Some(place) = next_row(reader, head, path)? {
                heap.push(Reverse((place, i)));
            }
        }
        Ok(written)
    }
}

/// Reads a run's next row into `head`; gives its place.
fn next_row<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    head: &mut StringRecord,
    path: &Path,
) -> Result<Option<u64>, FilesError> {
    let more = reader.read_record(head).map_err(|e| unreadable(path, e))?;
    if !more {
        return Ok(None);
    }
    head.get(0)
        .and_then(|p| p.parse().ok())
        .map(Some)
        .ok_or_else(|| FilesError::Unreadable {
            path: path.to_path_buf(),
            message: "a row has no place".to_owned(),
        })
}

impl RunWriter {
    /// Appends a row of `fields` at `place`, which must come after the
    /// run's last.
    pub fn push<I>(&mut self, place: u64, fields: I) -> Result<(), FilesError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        if self.last.is_some_and(|last| last >= place) {
            return Err(FilesError::Write {
                path: self.path.clone(),
                message: format!("row {place} comes after a later one in its run"),
            });
        }
        self.last = Some(place);
        let fail = |e| write_error(&self.path, e);
        self.writer.write_field(place.to_string()).map_err(fail)?;
        for field in fields {
            self.writer.write_field(field).map_err(fail)?;
        }
        self.writer
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(fail)
    }

    /// Ends the run.
    pub fn finish(mut self) -> Result<(), FilesError> {
        self.writer.flush().map_err(|source| FilesError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// A new folder inside `parent`, named from `prefix`, removed when dropped.
pub(crate) fn scratch_folder(parent: &Path, prefix: &str) -> Result<tempfile::TempDir, FilesError> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(parent)
        .map_err(|source| FilesError::Io {
            path: parent.to_path_buf(),
            source,
        })
}

/// A CSV writer's failure on `path`.
pub(crate) fn write_error(path: &Path, e: csv::Error) -> FilesError {
    FilesError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn unreadable(path: &Path, e: csv::Error) -> FilesError {
    FilesError::Unreadable {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
