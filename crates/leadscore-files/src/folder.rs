//! Reading a whole DATA.md folder: each file checked on its own, then every
//! reference checked, all or nothing unless bad rows may be skipped.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use leadscore_domain::{Dataset, Declared, ExternalIds, FutureLimit, RecordType, retain_indexed};
use polars::prelude::*;

use crate::columns::{Cells, FileColumns, Row};
use crate::frame::{read_text_frame, unreadable};
use crate::layout::{DataFile, discover};
use crate::lines::LineMap;
use crate::problems::Problems;
use crate::records::{self, CellError, KindCache};
use crate::{FilesError, Format, Location, RowProblem};

/// How to read a folder.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Import the good records and report each bad one, instead of failing on the
    /// first file with a bad record.
    pub skip_bad_rows: bool,
    /// The custom fields and interaction kinds the caller declares: a column
    /// or kind close to a standard one is an error unless declared (DATA.md).
    /// The default declares nothing.
    pub declared: Declared,
}

/// A folder whose files are each valid, with references not yet checked.
#[derive(Debug)]
pub struct ParsedFolder {
    dataset: Dataset,
    sources: Sources,
    skipped: Vec<RowProblem>,
    skip_bad_rows: bool,
}

/// A folder read completely: its records, and the rows skipped (only with
/// [`ReadOptions::skip_bad_rows`]).
#[derive(Debug)]
pub struct LoadedFolder {
    /// The records.
    pub dataset: Dataset,
    /// Every skipped row, with its place and reason, in the order found.
    pub skipped: Vec<RowProblem>,
}

/// Reads and checks every file of a DATA.md folder: columns, values, duplicate
/// ids. References between records are checked by [`ParsedFolder::resolve`].
/// A record time more than the default tolerance (a day) after the wall clock
/// is a bad value; [`read_folder_with_limit`] takes another limit.
pub fn read_folder(dir: &Path, options: &ReadOptions) -> Result<ParsedFolder, FilesError> {
    read_folder_with_limit(dir, options, &FutureLimit::default())
}

/// [`read_folder`], refusing record times (a lead's `created_at` and
/// `closed_at`, an interaction's `occurred_at`) after `limit` allows.
pub fn read_folder_with_limit(
    dir: &Path,
    options: &ReadOptions,
    limit: &FutureLimit,
) -> Result<ParsedFolder, FilesError> {
    let mut dataset = Dataset::default();
    let mut sources = Sources::default();
    let mut problems = Problems::new(options.skip_bad_rows);
    for file in discover(dir)? {
        let origin = read_file(&file, &mut dataset, &mut problems, limit, &options.declared)?;
        sources.files.insert(file.record.clone(), origin);
    }
    let skipped = problems.finish()?;
    Ok(ParsedFolder {
        dataset,
        sources,
        skipped,
        skip_bad_rows: options.skip_bad_rows,
    })
}

impl ParsedFolder {
    /// The ids the folder refers to without defining them; they must exist in the
    /// store it goes into (see [`Dataset::unresolved_ids`]).
    pub fn unresolved_ids(&self) -> ExternalIds {
        self.dataset.unresolved_ids()
    }

    /// Checks every reference against the folder's own records and `external`
    /// (ids known to exist elsewhere). A dangling reference is an error naming its
    /// file, line and column; with `skip_bad_rows` the record is skipped instead,
    /// and so, in turn, are records that referred to a skipped one.
    pub fn resolve(mut self, external: &ExternalIds) -> Result<LoadedFolder, FilesError> {
        loop {
            let dangling = self.dataset.dangling_references(external);
            if dangling.is_empty() {
                break;
            }
            let mut problems = Problems::new(self.skip_bad_rows);
            let mut doomed = HashSet::new();
            for d in dangling {
                let message = format!("{} {:?} does not exist", d.target, d.id);
                let location = self.sources.locate(&d.record, d.index, Some(d.column));
                problems.push(RowProblem { location, message });
                doomed.insert((d.record, d.index));
            }
            self.skipped.extend(problems.finish()?);
            self.dataset.remove_records(&doomed);
            self.sources.remove(&doomed);
        }
        Ok(LoadedFolder {
            dataset: self.dataset,
            skipped: self.skipped,
        })
    }
}

/// Where each record came from, to name its place in messages.
#[derive(Debug, Default)]
struct Sources {
    files: BTreeMap<RecordType, FileOrigin>,
}

#[derive(Debug)]
struct FileOrigin {
    path: PathBuf,
    format: Format,
    /// The row number (from 1) of each record kept, in dataset order.
    rows: Vec<u64>,
    lines: OnceCell<LineMap>,
}

impl FileOrigin {
    fn location(&self, row: u64, column: Option<&str>) -> Location {
        let line = (self.format == Format::Csv).then(|| {
            self.lines
                .get_or_init(|| LineMap::build(&self.path))
                .line_of(row)
        });
        Location {
            file: self.path.clone(),
            line,
            row,
            column: column.map(str::to_owned),
        }
    }
}

impl Sources {
    fn locate(&self, record: &RecordType, index: usize, column: Option<&str>) -> Location {
        match self.files.get(record) {
            Some(origin) => {
                let row = origin.rows.get(index).copied().unwrap_or(index as u64 + 1);
                origin.location(row, column)
            }
            None => Location {
                file: PathBuf::from(record.file_stem()),
                line: None,
                row: index as u64 + 1,
                column: column.map(str::to_owned),
            },
        }
    }

    fn remove(&mut self, doomed: &HashSet<(RecordType, usize)>) {
        for (record, origin) in &mut self.files {
            retain_indexed(&mut origin.rows, |i| !doomed.contains(&(record.clone(), i)));
        }
    }
}

fn read_file(
    file: &DataFile,
    dataset: &mut Dataset,
    problems: &mut Problems,
    limit: &FutureLimit,
    declared: &Declared,
) -> Result<FileOrigin, FilesError> {
    let text = read_text_frame(&file.path, file.format)?;
    let columns = FileColumns::new(&file.path, &file.record, &text.header, declared)?;
    let mut kinds = KindCache::new(declared);
    let mut frame = text.frame;
    frame.rechunk_mut();
    let texts = frame
        .columns()
        .iter()
        .map(|c| c.str())
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(|e| unreadable(&file.path, e))?;
    let mut iters: Vec<_> = texts.iter().map(|c| c.iter()).collect();
    let mut origin = FileOrigin {
        path: file.path.clone(),
        format: file.format,
        rows: Vec::with_capacity(frame.height()),
        lines: OnceCell::new(),
    };
    let id_column = match file.record {
        RecordType::Account => "account_id",
        RecordType::Contact => "contact_id",
        RecordType::Lead => "lead_id",
        RecordType::Interaction => "interaction_id",
        RecordType::Custom(_) => "record_id",
    };
    // Ids borrowed from the frame: no copy per record.
    let mut seen: HashMap<&str, u64> = HashMap::with_capacity(frame.height());
    let mut values: Vec<Option<&str>> = Vec::with_capacity(iters.len());
    for row_number in 1..=frame.height() as u64 {
        values.clear();
        values.extend(iters.iter_mut().map(|it| it.next().flatten()));
        let row = Row {
            cells: Cells::Values(&values),
            columns: &columns,
        };
        if let Err((column, err)) = push_record(&file.record, &row, dataset, limit, &mut kinds) {
            let location = origin.location(row_number, column);
            problems.push(RowProblem {
                location,
                message: err.to_string(),
            });
            continue;
        }
        // A record that parsed has a valid (trimmed, non-empty) id.
        let id = row.get(id_column).unwrap_or_default();
        if let Some(first) = seen.get(id) {
            let first_place = origin.location(*first, None);
            let message = format!(
                "duplicate {id_column} {id:?} (first at {})",
                first_place.line.map_or_else(
                    || format!("row {}", first_place.row),
                    |l| format!("line {l}")
                )
            );
            problems.push(RowProblem {
                location: origin.location(row_number, Some(id_column)),
                message,
            });
            pop_record(&file.record, dataset);
            continue;
        }
        seen.insert(id, row_number);
        origin.rows.push(row_number);
    }
    Ok(origin)
}

/// Parses a row and appends the record.
fn push_record(
    record: &RecordType,
    row: &Row<'_, '_>,
    ds: &mut Dataset,
    limit: &FutureLimit,
    kinds: &mut KindCache<'_>,
) -> Result<(), CellError> {
    match record {
        RecordType::Account => {
            let r = records::account(row)?;
            ds.accounts.push(r);
        }
        RecordType::Contact => {
            let r = records::contact(row)?;
            ds.contacts.push(r);
        }
        RecordType::Lead => {
            let r = records::lead(row, limit)?;
            ds.leads.push(r);
        }
        RecordType::Interaction => {
            let r = records::interaction(row, |text| kinds.get(text).cloned(), limit)?;
            ds.interactions.push(r);
        }
        RecordType::Custom(name) => {
            let r = records::custom(row)?;
            ds.custom.entry(name.clone()).or_default().push(r);
        }
    }
    Ok(())
}

fn pop_record(record: &RecordType, ds: &mut Dataset) {
    match record {
        RecordType::Account => drop(ds.accounts.pop()),
        RecordType::Contact => drop(ds.contacts.pop()),
        RecordType::Lead => drop(ds.leads.pop()),
        RecordType::Interaction => drop(ds.interactions.pop()),
        RecordType::Custom(name) => {
            if let Some(list) = ds.custom.get_mut(name) {
                list.pop();
            }
        }
    }
}
