//! Reading the files of a checked folder into polars frames: only the columns
//! the lead rows use, values as text (trimmed, an empty cell absent) and the
//! time columns as microseconds since the Unix epoch, read with
//! [`Timestamp`] semantics (RFC 3339, or a bare date at midnight UTC).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadscore_domain::{LeadStatus, RecordType, Timestamp};
use polars::prelude::*;

use super::polars_error;
use crate::frame::{instant_micros, read_csv_header, to_text, unreadable};
use crate::layout::{DataFile, discover};
use crate::{FilesError, Format};

/// One file's frame, and the names of its custom columns (sorted by name, so
/// that a CSV folder and its Parquet copy give the same columns); custom column
/// `i` is named [`custom_key`]`(i)` in the frame.
pub(super) struct Loaded {
    pub frame: DataFrame,
    pub custom: Vec<String>,
    pub path: PathBuf,
}

/// The name a custom column goes by inside the frames (its position among the
/// sorted custom names), so that no custom name can clash with another column.
pub(super) fn custom_key(i: usize) -> String {
    format!("#{i}")
}

/// A custom entity: its records' leads and, when it has one, their time.
pub(super) struct Entity {
    pub name: String,
    /// `lead_id`, and `time` (microseconds) when the entity has a time column.
    pub frame: DataFrame,
    /// The column read as the records' time, if any.
    pub time_column: Option<String>,
}

/// The frames of a folder. A file the folder lacks is an empty frame with its
/// standard columns.
pub(super) struct Folder {
    pub accounts: Loaded,
    pub contacts: Loaded,
    pub leads: Loaded,
    /// `kind`, `occurred_at`, `contact_id`, `visitor_id`.
    pub interactions: Loaded,
    /// By entity name.
    pub entities: Vec<Entity>,
}

/// Standard columns never read: names and ids nobody scores on.
const UNUSED: [&str; 5] = ["name", "first_name", "last_name", "email", "interaction_id"];

/// The time columns of each file.
fn time_columns(record: &RecordType) -> &'static [&'static str] {
    match record {
        RecordType::Lead => &["created_at", "closed_at"],
        RecordType::Interaction => &["occurred_at"],
        _ => &[],
    }
}

/// How each custom entity's time column is found.
pub(super) enum EntityTimes {
    /// From the file's content: the first column (in the file's order) whose
    /// every present value is a timestamp, with at least one present.
    Sniffed,
    /// As found in a larger folder this one is a part of, by entity name
    /// (`None`: the entity has no time column); an entity not listed is
    /// sniffed.
    Given(BTreeMap<String, Option<String>>),
}

impl Folder {
    /// Reads every file of a folder that passed the checks.
    pub fn read(dir: &Path, entity_times: &EntityTimes) -> Result<Self, FilesError> {
        let mut accounts = None;
        let mut contacts = None;
        let mut leads = None;
        let mut interactions = None;
        let mut entities = Vec::new();
        for file in discover(dir)? {
            match &file.record {
                RecordType::Account => accounts = Some(read_file(&file)?),
                RecordType::Contact => contacts = Some(read_file(&file)?),
                RecordType::Lead => leads = Some(read_file(&file)?),
                RecordType::Interaction => interactions = Some(read_file(&file)?),
                RecordType::Custom(name) => {
                    entities.push(read_entity(&file, name.as_str(), entity_times)?)
                }
            }
        }
        entities.sort_by(|a, b| a.name.cmp(&b.name));
        let or_empty = |loaded: Option<Loaded>, record: RecordType| match loaded {
            Some(loaded) => Ok(loaded),
            None => empty(dir, &record),
        };
        Ok(Self {
            accounts: or_empty(accounts, RecordType::Account)?,
            contacts: or_empty(contacts, RecordType::Contact)?,
            leads: or_empty(leads, RecordType::Lead)?,
            interactions: or_empty(interactions, RecordType::Interaction)?,
            entities,
        })
    }
}

/// An absent file: its standard columns, no rows.
fn empty(dir: &Path, record: &RecordType) -> Result<Loaded, FilesError> {
    let path = dir.join(format!("{}.csv", record.file_stem()));
    let mut frame = DataFrame::empty();
    add_missing(&mut frame, record).map_err(polars_error(&path))?;
    Ok(Loaded {
        frame,
        custom: Vec::new(),
        path,
    })
}

/// The standard columns a frame lacks, added with no values.
fn add_missing(frame: &mut DataFrame, record: &RecordType) -> PolarsResult<()> {
    let height = frame.height();
    let (required, optional) = (record.required_columns(), record.optional_columns());
    for name in required.iter().chain(optional) {
        if UNUSED.contains(name) || frame.column(name).is_ok() {
            continue;
        }
        let dtype = if time_columns(record).contains(name) {
            DataType::Int64
        } else {
            DataType::String
        };
        frame.with_column(Column::full_null((*name).into(), height, &dtype))?;
    }
    Ok(())
}

/// A file's header, as written (names are trimmed by the caller).
fn header(file: &DataFile) -> Result<Vec<String>, FilesError> {
    match file.format {
        Format::Csv => read_csv_header(&file.path, b','),
        Format::Parquet => {
            let opened = File::open(&file.path).map_err(|source| FilesError::Io {
                path: file.path.clone(),
                source,
            })?;
            let empty = ParquetReader::new(opened)
                .with_slice(Some((0, 0)))
                .finish()
                .map_err(|e| unreadable(&file.path, e))?;
            Ok(empty
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect())
        }
    }
}

/// Reads the columns at `positions` (ascending) of a file, named by their
/// trimmed header names.
fn read_columns(
    file: &DataFile,
    header: &[String],
    positions: Vec<usize>,
) -> Result<DataFrame, FilesError> {
    let path = &file.path;
    let mut frame = match file.format {
        Format::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_raise_if_empty(false)
            .with_projection(Some(Arc::new(positions.clone())))
            .map_parse_options(|o| o.with_missing_is_null(true))
            .try_into_reader_with_file_path(Some(path.clone()))
            .and_then(|r| r.finish())
            .map_err(|e| unreadable(path, e))?,
        Format::Parquet => {
            let opened = File::open(path).map_err(|source| FilesError::Io {
                path: path.clone(),
                source,
            })?;
            ParquetReader::new(opened)
                .with_projection(Some(positions.clone()))
                .finish()
                .map_err(|e| unreadable(path, e))?
        }
    };
    if frame.width() != positions.len() {
        return Err(unreadable(
            path,
            format!(
                "read {} columns where {} were asked for",
                frame.width(),
                positions.len()
            ),
        ));
    }
    let names: Vec<PlSmallStr> = positions
        .iter()
        .map(|&i| header.get(i).map_or("", |n| n.trim()).into())
        .collect();
    frame.set_column_names(&names).map_err(polars_error(path))?;
    Ok(frame)
}

/// A file's columns besides its record type's standard ones (its custom
/// fields; a custom entity's fields but `record_id` and `lead_id`), trimmed,
/// in the file's order.
pub(super) fn extra_columns(file: &DataFile) -> Result<Vec<String>, FilesError> {
    let (required, optional) = (
        file.record.required_columns(),
        file.record.optional_columns(),
    );
    Ok(header(file)?
        .iter()
        .map(|name| name.trim())
        .filter(|name| !required.contains(name) && !optional.contains(name))
        .map(str::to_owned)
        .collect())
}

/// Reads an account, contact, lead or interaction file.
fn read_file(file: &DataFile) -> Result<Loaded, FilesError> {
    let header = header(file)?;
    let (required, optional) = (
        file.record.required_columns(),
        file.record.optional_columns(),
    );
    let is_standard = |name: &str| required.contains(&name) || optional.contains(&name);
    // Interaction properties are not read.
    let wanted = |name: &str| {
        !UNUSED.contains(&name) && (is_standard(name) || file.record != RecordType::Interaction)
    };
    let positions: Vec<usize> = (0..header.len())
        .filter(|&i| wanted(header[i].trim()))
        .collect();
    let mut custom: Vec<String> = positions
        .iter()
        .map(|&i| header[i].trim().to_owned())
        .filter(|n| !is_standard(n))
        .collect();
    custom.sort();
    let raw = read_columns(file, &header, positions)?;
    let times = time_columns(&file.record);
    let mut columns = Vec::with_capacity(raw.width());
    for column in raw.columns() {
        let name = column.name().as_str();
        let converted = if times.contains(&name) {
            micros(column, &file.path)?
        } else if file.record == RecordType::Lead && name == "status" {
            status(column).map_err(polars_error(&file.path))?
        } else {
            let mut text = clean_text(column).map_err(polars_error(&file.path))?;
            if let Some(i) = custom.iter().position(|c| c == name) {
                text.rename(custom_key(i).into());
            }
            text
        };
        columns.push(converted);
    }
    let mut frame = DataFrame::new(raw.height(), columns).map_err(polars_error(&file.path))?;
    add_missing(&mut frame, &file.record).map_err(polars_error(&file.path))?;
    let no_status = frame.column("status").is_ok_and(|c| c.null_count() > 0);
    if file.record == RecordType::Lead && no_status {
        // No status column: every lead is open.
        let open = Column::new("status".into(), vec!["open"; frame.height()]);
        frame.with_column(open).map_err(polars_error(&file.path))?;
    }
    Ok(Loaded {
        frame,
        custom,
        path: file.path.clone(),
    })
}

/// Reads a custom entity's records: their lead, and their time when a column
/// holds one (the first column whose every present value is a timestamp, with
/// at least one present).
fn read_entity(
    file: &DataFile,
    name: &str,
    entity_times: &EntityTimes,
) -> Result<Entity, FilesError> {
    let header = header(file)?;
    let positions: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].trim() != "record_id")
        .collect();
    let raw = read_columns(file, &header, positions)?;
    let lead_id = clean_text(raw.column("lead_id").map_err(polars_error(&file.path))?)
        .map_err(polars_error(&file.path))?;
    let given = match entity_times {
        EntityTimes::Given(times) => times.get(name),
        EntityTimes::Sniffed => None,
    };
    let time = match given {
        Some(None) => None,
        Some(Some(column)) => {
            let column = raw.column(column).map_err(polars_error(&file.path))?;
            let micros = all_times(column).map_err(polars_error(&file.path))?;
            let micros = micros
                .unwrap_or_else(|| Int64Chunked::full_null(column.name().clone(), column.len()));
            Some((column.name().to_string(), micros))
        }
        None => sniff_time(&raw, &file.path)?,
    };
    let mut columns = vec![lead_id];
    let time_column = time.map(|(name, micros)| {
        columns.push(micros.with_name("time".into()).into_column());
        name
    });
    let frame = DataFrame::new(raw.height(), columns).map_err(polars_error(&file.path))?;
    Ok(Entity {
        name: name.to_owned(),
        frame,
        time_column,
    })
}

/// The first column but `lead_id` whose every present value is an instant,
/// with one present, and its instants.
fn sniff_time(raw: &DataFrame, path: &Path) -> Result<Option<(String, Int64Chunked)>, FilesError> {
    for column in raw.columns() {
        if column.name().as_str() == "lead_id" {
            continue;
        }
        if let Some(micros) = all_times(column).map_err(polars_error(path))? {
            return Ok(Some((column.name().to_string(), micros)));
        }
    }
    Ok(None)
}

/// The column as instants, when every present value is one and one is present.
fn all_times(column: &Column) -> PolarsResult<Option<Int64Chunked>> {
    if let Some(micros) = instant_micros(column)? {
        return Ok((micros.null_count() < micros.len()).then(|| in_range(&micros)));
    }
    let text = clean_text(column)?;
    let mut present = false;
    let mut values = Vec::with_capacity(text.len());
    for value in text.str()?.iter() {
        match value.map(Timestamp::parse) {
            None => values.push(None),
            Some(Ok(t)) => {
                present = true;
                values.push(Some(t.as_micros()));
            }
            Some(Err(_)) => return Ok(None),
        }
    }
    Ok(present.then(|| Int64Chunked::from_iter_options(column.name().clone(), values.into_iter())))
}

/// Instants outside what a [`Timestamp`] holds are absent, as the checks
/// (which read them as text) take them.
fn in_range(micros: &Int64Chunked) -> Int64Chunked {
    micros
        .iter()
        .map(|v| v.and_then(Timestamp::from_micros).map(Timestamp::as_micros))
        .collect::<Int64Chunked>()
        .with_name(micros.name().clone())
}

/// A time column as microseconds: text read with [`Timestamp::parse`], a
/// Parquet datetime or date taken as it is.
fn micros(column: &Column, path: &Path) -> Result<Column, FilesError> {
    let name = column.name().clone();
    if let Some(micros) = instant_micros(column).map_err(polars_error(path))? {
        return Ok(in_range(&micros).with_name(name).into_column());
    }
    let text = clean_text(column).map_err(polars_error(path))?;
    let text = text.str().map_err(polars_error(path))?;
    let values = parse_times(text).map_err(|e| {
        unreadable(
            path,
            format!("column {name}: {e} (the file changed while read?)"),
        )
    })?;
    Ok(Int64Chunked::from_iter_options(name, values.into_iter()).into_column())
}

/// The fewest values one thread parses.
const PARSE_SLICE: usize = 1 << 16;

/// Parses timestamps (an interactions file holds ~10M) on every core, each
/// thread a slice of the column.
fn parse_times(text: &StringChunked) -> Result<Vec<Option<i64>>, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = text.len().div_ceil(threads).max(PARSE_SLICE);
    let slices: Vec<StringChunked> = (0..text.len())
        .step_by(per)
        .map(|start| text.slice(start as i64, per))
        .collect();
    let parse = |slice: &StringChunked| -> Result<Vec<Option<i64>>, String> {
        slice
            .iter()
            .map(|v| {
                v.map(|v| Timestamp::parse(v).map(Timestamp::as_micros))
                    .transpose()
                    .map_err(|e| e.to_string())
            })
            .collect()
    };
    std::thread::scope(|scope| {
        let parsing: Vec<_> = slices
            .iter()
            .map(|slice| scope.spawn(move || parse(slice)))
            .collect();
        let mut values = Vec::with_capacity(text.len());
        for thread in parsing {
            let parsed = thread
                .join()
                .map_err(|_| "a parsing thread failed".to_owned())??;
            values.extend(parsed);
        }
        Ok(values)
    })
}

/// A status column in its one spelling (`open`, `qualified`, `disqualified`);
/// an empty cell is `open`.
fn status(column: &Column) -> PolarsResult<Column> {
    let text = clean_text(column)?;
    let statuses: StringChunked = text
        .str()?
        .iter()
        .map(|v| {
            let status = v.map_or(Ok(LeadStatus::Open), LeadStatus::parse);
            Some(status.unwrap_or_default().as_str())
        })
        .collect();
    Ok(statuses.with_name(column.name().clone()).into_column())
}

/// A column as text, each value trimmed, an empty value absent.
pub(super) fn clean_text(column: &Column) -> PolarsResult<Column> {
    let text = match column.dtype() {
        DataType::String => column.clone(),
        _ => to_text(column)?,
    };
    let values = text.str()?;
    let dirty = values
        .iter()
        .any(|v| v.is_some_and(|s| s.is_empty() || s.trim().len() != s.len()));
    if !dirty {
        return Ok(text);
    }
    let cleaned: StringChunked = values
        .iter()
        .map(|v| v.map(str::trim).filter(|s| !s.is_empty()))
        .collect();
    Ok(cleaned.with_name(column.name().clone()).into_column())
}
