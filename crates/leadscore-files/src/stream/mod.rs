//! Streaming a DATA.md folder into a [`RecordSink`]: every record is checked as
//! [`read_folder`](crate::read_folder) checks it and handed over as soon as it is
//! read. The reader holds a few batches of rows (CSV: up to ten batches of 256
//! records; Parquet: up to three decoded slices of 65,536 rows) and the id
//! hashes of the current file (`seen.rs`: 12 bytes a slot). What the records
//! become, and how much memory that takes, is the sink's business.
//!
//! A second thread reads ahead (CSV: splits records with the `csv` crate;
//! Parquet: decompresses and converts to text with polars) while the calling
//! thread checks rows and calls the sink, which therefore need not be `Send`.
//!
//! Files are read parents first: accounts, contacts, leads, custom records (by
//! entity name), interactions. References are checked by the sink: when it
//! answers [`UnknownReference`](leadscore_domain::UnknownReference), the record
//! is a bad row, located at its file, line and column like any other.

mod csv_rows;
mod file;
mod parquet_rows;
mod rows;
mod seen;
#[cfg(test)]
mod stops;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leadscore_domain::{Declared, EntityName, FutureLimit, ReadProgress, RecordSink, RecordType};

use crate::columns::{Cells, FileColumns, Row};
use crate::layout::{DataFile, discover};
use crate::problems::Problems;
use crate::{FilesError, Format, RowProblem};

use self::csv_rows::CsvRows;
use self::file::FileReader;
use self::parquet_rows::ParquetRows;
pub(crate) use self::rows::{RowSink, revisit_folder};

/// How to stream a folder.
#[derive(Debug, Clone, Default)]
pub struct StreamOptions {
    /// Hand over the good records and report each bad one (in
    /// [`StreamSummary::skipped`]), instead of failing at the end of the first
    /// file with a bad record. A record the sink refuses counts as bad, so records
    /// that refer to a skipped one are skipped in turn.
    pub skip_bad_rows: bool,
    /// The latest record time accepted (a lead's `created_at` and `closed_at`,
    /// an interaction's `occurred_at`); by default a day after the wall clock
    /// read when the options were made.
    pub future: FutureLimit,
    /// The custom fields and interaction kinds the caller declares, as in
    /// [`ReadOptions::declared`](crate::ReadOptions::declared).
    pub declared: Declared,
}

impl From<crate::ReadOptions> for StreamOptions {
    fn from(options: crate::ReadOptions) -> Self {
        Self {
            skip_bad_rows: options.skip_bad_rows,
            future: FutureLimit::default(),
            declared: options.declared,
        }
    }
}

/// What a folder streamed: how many records of each type the sink accepted, and
/// the rows skipped (only with [`StreamOptions::skip_bad_rows`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Accounts accepted.
    pub accounts: u64,
    /// Contacts accepted.
    pub contacts: u64,
    /// Leads accepted.
    pub leads: u64,
    /// Custom records accepted, by entity.
    pub custom: BTreeMap<EntityName, u64>,
    /// Interactions accepted.
    pub interactions: u64,
    /// Every skipped row, with its place and reason, in
    /// [`read_folder`](crate::read_folder)'s order: every bad value of every
    /// file, in the order found, then every reference to a record that does
    /// not exist (or was skipped), in the order found.
    pub skipped: Vec<RowProblem>,
    /// The files whose records the sink did not want
    /// ([`RecordSink::wants_records`]): their header was checked, their
    /// records not read.
    pub not_read: Vec<PathBuf>,
}

impl StreamSummary {
    /// Records accepted, of every type together.
    pub fn records(&self) -> u64 {
        self.accounts
            + self.contacts
            + self.leads
            + self.interactions
            + self.custom.values().sum::<u64>()
    }

    fn add(&mut self, record: &RecordType, accepted: u64) {
        match record {
            RecordType::Account => self.accounts += accepted,
            RecordType::Contact => self.contacts += accepted,
            RecordType::Lead => self.leads += accepted,
            RecordType::Interaction => self.interactions += accepted,
            RecordType::Custom(name) => *self.custom.entry(name.clone()).or_default() += accepted,
        }
    }
}

/// Reads every file of a DATA.md folder (CSV and Parquet may be mixed) and hands
/// each record to `sink` as soon as it is read and checked: accounts, contacts,
/// leads, custom records, then interactions, so that a reference names a record
/// the sink already has. Only the interaction properties the sink wants
/// ([`RecordSink::wants_property`]) are read, and only the files of the record
/// types it wants ([`RecordSink::wants_records`]; of the others only the header
/// is read and checked, and the files are listed in
/// [`StreamSummary::not_read`]).
///
/// Every value is checked as by [`read_folder`](crate::read_folder): required
/// columns, ids (non-empty, unique per file), timestamps, numbers, kinds,
/// statuses, `closed_at` after `created_at`. A bad record is not handed over. A
/// file's problems (the first [`MAX_REPORTED`](crate::MAX_REPORTED)
/// described, all counted, as by `read_folder`) fail the stream with [`FilesError::BadRows`] once that file is
/// read, unless `skip_bad_rows`; a file that cannot be read at all fails it at
/// once. After an error the sink holds part of the folder and should be dropped.
///
/// Where it differs from `read_folder` + `resolve`, which see the whole folder
/// before judging it: a file's reference problems (the sink's refusals) are
/// reported with its value problems, and the stream stops at the end of the
/// first file with a problem, where `read_folder` reports the value problems of
/// every file first. With `skip_bad_rows`, the same records are skipped.
///
/// ```
/// use leadscore_domain::{
///     Account, Contact, CustomRecord, EntityName, InteractionRow, Lead, RecordSink,
///     UnknownReference,
/// };
/// use leadscore_files::{StreamOptions, stream_folder};
///
/// /// Counts records and the `url` properties it is given.
/// #[derive(Default)]
/// struct Count { records: u64, urls: u64 }
///
/// impl RecordSink for Count {
///     fn account(&mut self, _: Account) -> Result<(), UnknownReference> { self.records += 1; Ok(()) }
///     fn contact(&mut self, _: Contact) -> Result<(), UnknownReference> { self.records += 1; Ok(()) }
///     fn lead(&mut self, _: Lead) -> Result<(), UnknownReference> { self.records += 1; Ok(()) }
///     fn custom(&mut self, _: &EntityName, _: CustomRecord) -> Result<(), UnknownReference> { self.records += 1; Ok(()) }
///     fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
///         self.records += 1;
///         self.urls += row.properties.len() as u64;
///         Ok(())
///     }
///     fn wants_property(&self, name: &str) -> bool { name == "url" }
/// }
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("leads.csv"), "lead_id,created_at\nL1,2026-03-01\n")?;
/// std::fs::write(
///     dir.path().join("interactions.csv"),
///     "interaction_id,kind,occurred_at,url,email_name\nI1,WebsiteVisited,2026-03-02,https://x.test,\nI2,EmailOpened,2026-03-03,,Spring\n",
/// )?;
/// let mut count = Count::default();
/// let summary = stream_folder(dir.path(), &mut count, &StreamOptions::default())?;
/// assert_eq!((summary.records(), count.records, count.urls), (3, 3, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stream_folder(
    dir: &Path,
    sink: &mut impl RecordSink,
    options: &StreamOptions,
) -> Result<StreamSummary, FilesError> {
    stream_folder_tapped(dir, sink, options, &mut NoTap)
}

/// What a pass that streams a folder also does with each interaction the
/// sink accepted, as its cells were read: copying it elsewhere while it is
/// checked, for instance, instead of reading the file again.
pub(crate) trait InteractionTap<S> {
    /// An interaction file begins (its header checked); `sink` has every
    /// record of the files before it.
    fn begin(&mut self, sink: &S, path: &Path, columns: &FileColumns) -> Result<(), FilesError>;

    /// One interaction the sink has just accepted, its cells as read (a CSV
    /// row's last cell may end with the `\r` of a CRLF line break).
    fn row(&mut self, sink: &S, row: &Row<'_, '_>) -> Result<(), FilesError>;

    /// The file begun last has no more rows.
    fn end(&mut self) -> Result<(), FilesError>;
}

/// The tap of a pass that only streams.
pub(crate) struct NoTap;

impl<S> InteractionTap<S> for NoTap {
    fn begin(&mut self, _: &S, _: &Path, _: &FileColumns) -> Result<(), FilesError> {
        Ok(())
    }

    fn row(&mut self, _: &S, _: &Row<'_, '_>) -> Result<(), FilesError> {
        Ok(())
    }

    fn end(&mut self) -> Result<(), FilesError> {
        Ok(())
    }
}

/// [`stream_folder`], with each accepted interaction also handed to `tap`.
pub(crate) fn stream_folder_tapped<S: RecordSink>(
    dir: &Path,
    sink: &mut S,
    options: &StreamOptions,
    tap: &mut dyn InteractionTap<S>,
) -> Result<StreamSummary, FilesError> {
    let mut files = discover(dir)?;
    files.sort_by_key(|f| stream_rank(&f.record));
    let mut summary = StreamSummary::default();
    let mut references = Vec::new();
    let mut progress = ReadProgress {
        done: 0,
        total: files
            .iter()
            .filter(|f| sink.wants_records(&f.record))
            .map(|f| file_len(&f.path))
            .sum(),
    };
    for file in &files {
        if !sink.wants_records(&file.record) {
            check_header(file, &options.declared)?;
            summary.not_read.push(file.path.clone());
            continue;
        }
        let mut problems = Problems::new(options.skip_bad_rows);
        let accepted = stream_file(file, sink, tap, &mut problems, options, progress)?;
        progress.done += file_len(&file.path);
        sink.read_progress(progress);
        summary.add(&file.record, accepted);
        let (values, refused) = problems.finish_apart()?;
        summary.skipped.extend(values);
        references.extend(refused);
    }
    summary.skipped.extend(references);
    Ok(summary)
}

/// How many records of type `record` the folder's files hold: counted in a
/// Parquet file or a short CSV file, estimated from the first rows of a long
/// CSV file (within a fraction of a percent when its rows are alike). Only
/// the start of each file is read, so this is cheap at any size; it tells a
/// caller whether a folder is large before reading it.
///
/// Errors: a folder that is not a DATA.md folder, or a file that cannot be
/// read.
pub fn estimate_records(dir: &Path, record: &RecordType) -> Result<u64, FilesError> {
    let mut total = 0u64;
    for file in discover(dir)?.iter().filter(|f| &f.record == record) {
        total += match file.format {
            Format::Csv => CsvRows::open(&file.path)?.0.estimate_rows(&file.path)?,
            Format::Parquet => ParquetRows::open(&file.path)?.expected_rows().unwrap_or(0),
        };
    }
    Ok(total)
}

/// A file's size in bytes (0 when it cannot be read: opening it then names
/// the problem).
fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Reads a file's header and checks its columns as reading it would, without
/// reading its records.
fn check_header(file: &DataFile, declared: &Declared) -> Result<(), FilesError> {
    let header = match file.format {
        Format::Csv => CsvRows::open(&file.path)?.0.header().to_vec(),
        Format::Parquet => ParquetRows::open(&file.path)?.header().to_vec(),
    };
    FileColumns::new(&file.path, &file.record, &header, declared).map(drop)
}

/// Parents first; custom records (which refer to leads) before interactions, the
/// largest file, last. Files of one rank keep their (name) order.
fn stream_rank(record: &RecordType) -> u8 {
    match record {
        RecordType::Account => 0,
        RecordType::Contact => 1,
        RecordType::Lead => 2,
        RecordType::Custom(_) => 3,
        RecordType::Interaction => 4,
    }
}

/// Streams one file; gives how many records the sink accepted. `before` is
/// the folder's progress as the file begins: each batch tells the sink how
/// far through the folder the reader is.
fn stream_file<S: RecordSink>(
    file: &DataFile,
    sink: &mut S,
    tap: &mut dyn InteractionTap<S>,
    problems: &mut Problems,
    options: &StreamOptions,
    before: ReadProgress,
) -> Result<u64, FilesError> {
    let (limit, declared) = (options.future, &options.declared);
    let tapped = matches!(file.record, RecordType::Interaction);
    let accepted = match file.format {
        Format::Csv => {
            let (rows, mut index) = CsvRows::open(&file.path)?;
            let columns = FileColumns::new(&file.path, &file.record, rows.header(), declared)?;
            if tapped {
                tap.begin(sink, &file.path, &columns)?;
            }
            let mut reader = FileReader::new(file, &columns, sink, limit, declared);
            let mut sized = false;
            rows.for_each_batch(&mut index, |records, places, index| {
                if !sized && index.expected_rows().is_some() {
                    reader.expect_rows(index);
                    sized = true;
                }
                reader.prefetch(records.iter().map(Cells::Record));
                for (k, (record, place)) in records.iter().zip(places).enumerate() {
                    reader.row(
                        Cells::Record(record),
                        *place,
                        Some(k),
                        index,
                        (sink, tap),
                        problems,
                    )?;
                }
                sink.read_progress(ReadProgress {
                    done: before.done + index.bytes_read(),
                    ..before
                });
                Ok(())
            })?;
            reader.accepted()
        }
        Format::Parquet => {
            let mut rows = ParquetRows::open(&file.path)?;
            let columns = FileColumns::new(&file.path, &file.record, rows.header(), declared)?;
            if tapped {
                tap.begin(sink, &file.path, &columns)?;
            }
            let mut reader = FileReader::new(file, &columns, sink, limit, declared);
            if let Some(needed) = reader.needed_columns() {
                rows.project(needed);
            }
            reader.expect_rows(&rows);
            let width = rows.width();
            let progress = ParquetProgress::new(file, &rows, before);
            rows.for_each_chunk(|chunk, places, rows| {
                let cells = chunk.chunks(width).map(Cells::Values);
                reader.prefetch(cells.clone());
                for (k, (cells, place)) in cells.zip(places).enumerate() {
                    reader.row(cells, *place, Some(k), rows, (sink, tap), problems)?;
                }
                sink.read_progress(progress.after(places));
                Ok(())
            })?;
            reader.accepted()
        }
    };
    if tapped {
        tap.end()?;
    }
    Ok(accepted)
}

/// How far through a folder the reading of a Parquet file is: the file is
/// compressed, so the bytes read are estimated from the rows read.
struct ParquetProgress {
    before: ReadProgress,
    len: u64,
    expected: u64,
}

impl ParquetProgress {
    /// For `file`, begun when the folder's reading was `before`.
    fn new(file: &DataFile, rows: &ParquetRows, before: ReadProgress) -> Self {
        Self {
            before,
            len: file_len(&file.path),
            expected: rows.expected_rows().unwrap_or(0).max(1),
        }
    }

    /// The folder's progress once the rows at `places` are read.
    fn after(&self, places: &[Place]) -> ReadProgress {
        let read = places.last().map_or(0, |p| p.row);
        ReadProgress {
            done: self.before.done + self.len.saturating_mul(read) / self.expected,
            ..self.before
        }
    }
}

/// Where a record is in its file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    /// The record's number, from 1 after the header.
    pub row: u64,
    /// The physical line it starts on (CSV).
    pub line: Option<u64>,
}

impl Place {
    /// `line 12` (CSV) or `row 11` (Parquet).
    fn describe(self) -> String {
        match self.line {
            Some(line) => format!("line {line}"),
            None => format!("row {}", self.row),
        }
    }
}

/// Reading the rows of a file again, to confirm a suspected duplicate id.
pub(crate) trait Revisit {
    /// Reads the rows from the first of `block` up to (not including) row
    /// `before`, until `found` says yes; gives that row's place.
    fn find(
        &self,
        block: u32,
        before: u64,
        found: &mut dyn FnMut(Cells<'_, '_>) -> bool,
    ) -> Result<Option<Place>, FilesError>;

    /// How many rows the file holds, when known or estimated.
    fn expected_rows(&self) -> Option<u64>;
}
