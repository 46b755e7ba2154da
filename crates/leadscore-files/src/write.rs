//! Writing a dataset as a DATA.md folder, in CSV or Parquet.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use leadscore_domain::{
    Account, Contact, CustomRecord, Dataset, FieldNames, Fields, Interaction, Lead, RecordType,
    Timestamp,
};
use leadscore_fs::Staging;
use polars::io::csv::write as csv;
use polars::io::parquet::write as parquet;
use polars::prelude::*;

use crate::columns::standard_columns;
use crate::layout::discover;
use crate::{FilesError, Format};

/// Writes a dataset into `dir` (created if missing) as `accounts`, `contacts`,
/// `leads`, `interactions` and `custom/<EntityName>` files. Standard columns come
/// first, in DATA.md order, then custom columns by name. In Parquet, `employees`
/// is an integer, `annual_revenue` a float and timestamps are UTC datetimes (µs);
/// in CSV every value is written as text, timestamps in RFC 3339.
///
/// Refuses a folder that already holds lead data, so nothing is mixed or lost;
/// the files appear together, whole, or not at all. A [`FolderWriter`] given
/// the whole dataset as one chunk.
pub fn write_folder(data: &Dataset, dir: &Path, format: Format) -> Result<(), FilesError> {
    let mut writer = FolderWriter::create(dir, format, &FieldNames::of(data))?;
    writer.write(data)?;
    writer.finish()
}

/// Rows a Parquet row group holds at least (but the last): chunks are
/// gathered until they reach it.
const ROW_GROUP: usize = 1 << 17;

/// A DATA.md folder written a chunk of records at a time, as
/// [`write_folder`] writes it, holding only the chunk: each file's custom
/// columns are named up front ([`FieldNames`]) and its rows are appended in
/// the order they come. The files are written into a staging folder inside
/// `dir` and moved into place together by [`finish`](Self::finish); dropped
/// before, the writer leaves `dir` as it was.
pub struct FolderWriter {
    dir: PathBuf,
    format: Format,
    names: FieldNames,
    staging: Staging,
    files: BTreeMap<RecordType, TableFile>,
}

impl std::fmt::Debug for FolderWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWriter")
            .field("dir", &self.dir)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl FolderWriter {
    /// Begins a folder in `dir` (created if missing) whose files will have
    /// the custom columns `names` gives; refuses a folder that already holds
    /// lead data. Every file is begun, so a type without records still gets
    /// its file with its header; a custom entity gets one only when `names`
    /// lists it.
    pub fn create(dir: &Path, format: Format, names: &FieldNames) -> Result<Self, FilesError> {
        let mut records = vec![
            RecordType::Account,
            RecordType::Contact,
            RecordType::Lead,
            RecordType::Interaction,
        ];
        records.extend(names.custom.keys().cloned().map(RecordType::Custom));
        Self::create_of(dir, format, names, records)
    }

    /// [`create`](Self::create), beginning only the files of `records`:
    /// records of any other type are refused by [`write`](Self::write).
    pub fn create_of(
        dir: &Path,
        format: Format,
        names: &FieldNames,
        records: Vec<RecordType>,
    ) -> Result<Self, FilesError> {
        if dir.is_dir() && discover(dir).is_ok() {
            return Err(FilesError::Write {
                path: dir.to_path_buf(),
                message: "the folder already holds lead data; choose an empty or new folder"
                    .to_owned(),
            });
        }
        let staging = Staging::create(dir)?;
        let mut writer = Self {
            dir: dir.to_path_buf(),
            format,
            names: names.clone(),
            staging,
            files: BTreeMap::new(),
        };
        if records.iter().any(|r| matches!(r, RecordType::Custom(_))) {
            let custom = writer.staging.dir().join("custom");
            std::fs::create_dir_all(&custom).map_err(|source| FilesError::Io {
                path: custom,
                source,
            })?;
        }
        for record in records {
            let file = TableFile::create(&writer, &record)?;
            writer.files.insert(record, file);
        }
        Ok(writer)
    }

    /// Appends a chunk's records to their files. A record type or custom
    /// entity the writer was not begun with, or a custom field it was not
    /// told of, is refused ([`FilesError::Write`]).
    pub fn write(&mut self, chunk: &Dataset) -> Result<(), FilesError> {
        let Self {
            dir,
            format,
            names,
            files,
            ..
        } = self;
        let format = *format;
        let mut append = |record: &RecordType, columns: PolarsResult<Vec<Column>>| {
            let Some(file) = files.get_mut(record) else {
                return Err(FilesError::Write {
                    path: dir.join(record.file_stem()),
                    message: "no file was begun for these records".to_owned(),
                });
            };
            let path = dir.join(&file.name);
            let columns = columns.map_err(|e| write_error(&path, e))?;
            let height = columns.first().map_or(0, Column::len);
            let frame = DataFrame::new(height, columns).map_err(|e| write_error(&path, e))?;
            file.append(frame).map_err(|e| write_error(&path, e))
        };
        if !chunk.accounts.is_empty() {
            let cols = accounts(&chunk.accounts, &names.accounts, format);
            append(&RecordType::Account, cols)?;
        }
        if !chunk.contacts.is_empty() {
            let cols = contacts(&chunk.contacts, &names.contacts);
            append(&RecordType::Contact, cols)?;
        }
        if !chunk.leads.is_empty() {
            let cols = leads(&chunk.leads, &names.leads, format);
            append(&RecordType::Lead, cols)?;
        }
        if !chunk.interactions.is_empty() {
            let cols = interactions(&chunk.interactions, &names.interactions, format);
            append(&RecordType::Interaction, cols)?;
        }
        let unnamed = BTreeSet::new();
        for (entity, records) in chunk.custom.iter().filter(|(_, r)| !r.is_empty()) {
            // An entity `names` lacks has no file: `append` refuses it.
            let fields = names.custom.get(entity).unwrap_or(&unnamed);
            append(&RecordType::Custom(entity.clone()), custom(records, fields))?;
        }
        Ok(())
    }

    /// Ends every file and moves them all into `dir`.
    pub fn finish(mut self) -> Result<(), FilesError> {
        let mut names = Vec::new();
        for file in std::mem::take(&mut self.files).into_values() {
            let path = self.dir.join(&file.name);
            names.push(file.name.clone());
            file.finish().map_err(|e| write_error(&path, e))?;
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(self.staging.publish(&names)?)
    }
}

/// One file of a [`FolderWriter`], in its staging folder.
struct TableFile {
    /// Its path in the folder (`custom/Entity.csv`).
    name: String,
    writer: TableWriter,
    file: SharedFile,
}

enum TableWriter {
    Csv(csv::BatchedWriter<SharedFile>),
    Parquet {
        writer: Box<parquet::BatchedWriter<SharedFile>>,
        /// Rows gathered for the next row group.
        pending: Option<DataFrame>,
    },
}

impl TableFile {
    fn create(folder: &FolderWriter, record: &RecordType) -> Result<Self, FilesError> {
        let name = format!("{}.{}", record.file_stem(), folder.format.extension());
        let path = folder.staging.dir().join(&name);
        let target = folder.dir.join(&name);
        let file = File::create(&path).map_err(|source| FilesError::Io {
            path: target.clone(),
            source,
        })?;
        let schema =
            schema(record, &folder.names, folder.format).map_err(|e| write_error(&target, e))?;
        let file = SharedFile(Arc::new(Mutex::new(BufWriter::with_capacity(
            1 << 20,
            file,
        ))));
        let writer = match folder.format {
            Format::Csv => TableWriter::Csv(
                CsvWriter::new(file.clone())
                    .include_header(true)
                    .batched(&schema)
                    .map_err(|e| write_error(&target, e))?,
            ),
            Format::Parquet => TableWriter::Parquet {
                writer: Box::new(
                    ParquetWriter::new(file.clone())
                        .batched(&schema)
                        .map_err(|e| write_error(&target, e))?,
                ),
                pending: None,
            },
        };
        Ok(Self { name, writer, file })
    }

    fn append(&mut self, frame: DataFrame) -> PolarsResult<()> {
        match &mut self.writer {
            TableWriter::Csv(writer) => writer.write_batch(&frame),
            TableWriter::Parquet { writer, pending } => {
                let mut gathered = match pending.take() {
                    None => frame,
                    Some(mut gathered) => {
                        gathered.vstack_mut_owned(frame)?;
                        gathered
                    }
                };
                if gathered.height() >= ROW_GROUP {
                    gathered.rechunk_mut_par();
                    writer.write_batch(&gathered)
                } else {
                    *pending = Some(gathered);
                    Ok(())
                }
            }
        }
    }

    fn finish(mut self) -> PolarsResult<()> {
        match self.writer {
            TableWriter::Csv(mut writer) => writer.finish(),
            TableWriter::Parquet {
                mut writer,
                pending,
            } => {
                if let Some(mut gathered) = pending {
                    gathered.rechunk_mut_par();
                    writer.write_batch(&gathered)?;
                }
                writer.finish().map(|_| ())
            }
        }?;
        // Polars' writers keep the file; the last of it is flushed here,
        // where an error (a full disk) is seen.
        self.file.flush()?;
        Ok(())
    }
}

/// A file shared between a table's polars writer and the [`TableFile`] that
/// flushes it at the end.
#[derive(Clone)]
struct SharedFile(Arc<Mutex<BufWriter<File>>>);

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.lock()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.lock()?.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.lock()?.flush()
    }
}

impl SharedFile {
    fn lock(&self) -> std::io::Result<std::sync::MutexGuard<'_, BufWriter<File>>> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("a writer of this file failed midway"))
    }
}

/// A file's columns with their types, for a file with no rows yet.
fn schema(record: &RecordType, names: &FieldNames, format: Format) -> PolarsResult<Schema> {
    let empty = Dataset::default();
    let columns = match record {
        RecordType::Account => accounts(&empty.accounts, &names.accounts, format),
        RecordType::Contact => contacts(&empty.contacts, &names.contacts),
        RecordType::Lead => leads(&empty.leads, &names.leads, format),
        RecordType::Interaction => interactions(&empty.interactions, &names.interactions, format),
        RecordType::Custom(entity) => {
            custom(&[], names.custom.get(entity).unwrap_or(&BTreeSet::new()))
        }
    };
    Ok(columns?
        .iter()
        .map(|c| (c.name().clone(), c.dtype().clone()))
        .collect())
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> FilesError {
    FilesError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn text<'a>(name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Column {
    StringChunked::from_iter_options(name.into(), values).into_column()
}

fn owned_text(name: &str, values: impl Iterator<Item = Option<String>>) -> Column {
    StringChunked::from_iter_options(name.into(), values).into_column()
}

fn integer(name: &str, values: impl Iterator<Item = Option<i64>>, format: Format) -> Column {
    match format {
        Format::Csv => owned_text(name, values.map(|v| v.map(|v| v.to_string()))),
        Format::Parquet => Int64Chunked::from_iter_options(name.into(), values).into_column(),
    }
}

fn float(name: &str, values: impl Iterator<Item = Option<f64>>, format: Format) -> Column {
    match format {
        Format::Csv => owned_text(name, values.map(|v| v.map(|v| v.to_string()))),
        Format::Parquet => Float64Chunked::from_iter_options(name.into(), values).into_column(),
    }
}

fn time(name: &str, values: impl Iterator<Item = Option<Timestamp>>, format: Format) -> Column {
    match format {
        Format::Csv => owned_text(name, values.map(|v| v.map(|t| t.to_string()))),
        Format::Parquet => Int64Chunked::from_iter_options(
            name.into(),
            values.map(|v| v.map(Timestamp::as_micros)),
        )
        .into_datetime(TimeUnit::Microseconds, None)
        .into_column(),
    }
}

/// One column per custom field name of `names`, in name order; names that
/// clash with a standard column of the file are never produced by reading, so
/// they cannot occur here. A record with a field `names` lacks is refused:
/// its value would be lost.
fn custom_columns<'a>(
    fields: impl Iterator<Item = &'a Fields> + Clone,
    names: &BTreeSet<String>,
) -> PolarsResult<Vec<Column>> {
    for f in fields.clone() {
        if let Some((name, _)) = f.iter().find(|(k, _)| !names.contains(*k)) {
            polars_bail!(ComputeError: "the custom field {} was not named before the file was begun", name);
        }
    }
    Ok(names
        .iter()
        .map(|name| text(name, fields.clone().map(|f| f.get(name))))
        .collect())
}

fn check_order(record: &RecordType, columns: &[Column]) -> PolarsResult<Vec<Column>> {
    let (required, optional) = standard_columns(record);
    for (col, expected) in columns.iter().zip(required.iter().chain(optional)) {
        if col.name().as_str() != *expected {
            polars_bail!(ComputeError: "column {} written where {} belongs", col.name(), expected);
        }
    }
    Ok(columns.to_vec())
}

fn accounts(r: &[Account], names: &BTreeSet<String>, format: Format) -> PolarsResult<Vec<Column>> {
    let mut cols = check_order(
        &RecordType::Account,
        &[
            text("account_id", r.iter().map(|a| Some(a.account_id.as_str()))),
            text("name", r.iter().map(|a| a.name.as_deref())),
            text("industry", r.iter().map(|a| a.industry.as_deref())),
            integer("employees", r.iter().map(|a| a.employees), format),
            float("annual_revenue", r.iter().map(|a| a.annual_revenue), format),
            text("country", r.iter().map(|a| a.country.as_deref())),
            text("city", r.iter().map(|a| a.city.as_deref())),
        ],
    )?;
    cols.extend(custom_columns(r.iter().map(|a| &a.custom), names)?);
    Ok(cols)
}

fn contacts(r: &[Contact], names: &BTreeSet<String>) -> PolarsResult<Vec<Column>> {
    let mut cols = check_order(
        &RecordType::Contact,
        &[
            text("contact_id", r.iter().map(|c| Some(c.contact_id.as_str()))),
            text(
                "account_id",
                r.iter().map(|c| c.account_id.as_ref().map(|a| a.as_str())),
            ),
            text("first_name", r.iter().map(|c| c.first_name.as_deref())),
            text("last_name", r.iter().map(|c| c.last_name.as_deref())),
            text("email", r.iter().map(|c| c.email.as_deref())),
            text("job_title", r.iter().map(|c| c.job_title.as_deref())),
            text("city", r.iter().map(|c| c.city.as_deref())),
            text("country", r.iter().map(|c| c.country.as_deref())),
            text(
                "visitor_id",
                r.iter().map(|c| c.visitor_id.as_ref().map(|v| v.as_str())),
            ),
        ],
    )?;
    cols.extend(custom_columns(r.iter().map(|c| &c.custom), names)?);
    Ok(cols)
}

fn leads(r: &[Lead], names: &BTreeSet<String>, format: Format) -> PolarsResult<Vec<Column>> {
    let mut cols = check_order(
        &RecordType::Lead,
        &[
            text("lead_id", r.iter().map(|l| Some(l.lead_id.as_str()))),
            time("created_at", r.iter().map(|l| Some(l.created_at)), format),
            text(
                "contact_id",
                r.iter().map(|l| l.contact_id.as_ref().map(|c| c.as_str())),
            ),
            text(
                "account_id",
                r.iter().map(|l| l.account_id.as_ref().map(|a| a.as_str())),
            ),
            text("topic", r.iter().map(|l| l.topic.as_deref())),
            text("source", r.iter().map(|l| l.source.as_deref())),
            text("status", r.iter().map(|l| Some(l.status.as_str()))),
            time("closed_at", r.iter().map(|l| l.closed_at), format),
            text(
                "disqualify_reason",
                r.iter().map(|l| l.disqualify_reason.as_deref()),
            ),
        ],
    )?;
    cols.extend(custom_columns(r.iter().map(|l| &l.custom), names)?);
    Ok(cols)
}

fn interactions(
    r: &[Interaction],
    names: &BTreeSet<String>,
    format: Format,
) -> PolarsResult<Vec<Column>> {
    let mut cols = check_order(
        &RecordType::Interaction,
        &[
            text(
                "interaction_id",
                r.iter().map(|x| Some(x.interaction_id.as_str())),
            ),
            text("kind", r.iter().map(|x| Some(x.kind.as_str()))),
            time("occurred_at", r.iter().map(|x| Some(x.occurred_at)), format),
            text(
                "contact_id",
                r.iter().map(|x| x.contact_id.as_ref().map(|c| c.as_str())),
            ),
            text(
                "lead_id",
                r.iter().map(|x| x.lead_id.as_ref().map(|l| l.as_str())),
            ),
            text(
                "visitor_id",
                r.iter().map(|x| x.visitor_id.as_ref().map(|v| v.as_str())),
            ),
        ],
    )?;
    cols.extend(custom_columns(r.iter().map(|x| &x.properties), names)?);
    Ok(cols)
}

fn custom(records: &[CustomRecord], names: &BTreeSet<String>) -> PolarsResult<Vec<Column>> {
    let mut cols = vec![
        text(
            "record_id",
            records.iter().map(|r| Some(r.record_id.as_str())),
        ),
        text("lead_id", records.iter().map(|r| Some(r.lead_id.as_str()))),
    ];
    cols.extend(custom_columns(records.iter().map(|r| &r.fields), names)?);
    Ok(cols)
}
