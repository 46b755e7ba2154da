//! Writing a dataset as a DATA.md folder, in CSV or Parquet.

use std::collections::BTreeSet;
use std::path::Path;

use leadscore_domain::{Dataset, Fields, RecordType, Timestamp};
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
/// each file appears whole or not at all ([`leadscore_fs::write_atomic_with`]).
pub fn write_folder(data: &Dataset, dir: &Path, format: Format) -> Result<(), FilesError> {
    if dir.is_dir() && discover(dir).is_ok() {
        return Err(FilesError::Write {
            path: dir.to_path_buf(),
            message: "the folder already holds lead data; choose an empty or new folder".to_owned(),
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FilesError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut frames = vec![
        (RecordType::Account, accounts(data, format)),
        (RecordType::Contact, contacts(data, format)),
        (RecordType::Lead, leads(data, format)),
        (RecordType::Interaction, interactions(data, format)),
    ];
    for (name, records) in &data.custom {
        let mut cols = vec![
            text(
                "record_id",
                records.iter().map(|r| Some(r.record_id.as_str())),
            ),
            text("lead_id", records.iter().map(|r| Some(r.lead_id.as_str()))),
        ];
        cols.extend(custom_columns(records.iter().map(|r| &r.fields)));
        frames.push((RecordType::Custom(name.clone()), Ok(cols)));
    }
    if !data.custom.is_empty() {
        let custom = dir.join("custom");
        std::fs::create_dir_all(&custom).map_err(io(&custom))?;
    }
    for (record, columns) in frames {
        let path = dir.join(format!("{}.{}", record.file_stem(), format.extension()));
        let columns = columns.map_err(|e| write_error(&path, e))?;
        write_frame(&path, columns, format)?;
    }
    Ok(())
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> FilesError {
    FilesError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn write_frame(path: &Path, columns: Vec<Column>, format: Format) -> Result<(), FilesError> {
    let height = columns.first().map_or(0, Column::len);
    let mut frame = DataFrame::new(height, columns).map_err(|e| write_error(path, e))?;
    leadscore_fs::write_atomic_with(path, |file| {
        match format {
            Format::Csv => CsvWriter::new(file).include_header(true).finish(&mut frame),
            Format::Parquet => ParquetWriter::new(file).finish(&mut frame).map(|_| ()),
        }
        .map_err(|e| write_error(path, e))
    })
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

/// One column per custom field name found on any record, in name order; names
/// that clash with a standard column of the file are never produced by reading,
/// so they cannot occur here.
fn custom_columns<'a>(fields: impl Iterator<Item = &'a Fields> + Clone) -> Vec<Column> {
    let names: BTreeSet<&str> = fields
        .clone()
        .flat_map(|f| f.iter().map(|(k, _)| k))
        .collect();
    names
        .into_iter()
        .map(|name| text(name, fields.clone().map(|f| f.get(name))))
        .collect()
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

fn accounts(data: &Dataset, format: Format) -> PolarsResult<Vec<Column>> {
    let r = &data.accounts;
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
    cols.extend(custom_columns(r.iter().map(|a| &a.custom)));
    Ok(cols)
}

fn contacts(data: &Dataset, _format: Format) -> PolarsResult<Vec<Column>> {
    let r = &data.contacts;
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
    cols.extend(custom_columns(r.iter().map(|c| &c.custom)));
    Ok(cols)
}

fn leads(data: &Dataset, format: Format) -> PolarsResult<Vec<Column>> {
    let r = &data.leads;
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
    cols.extend(custom_columns(r.iter().map(|l| &l.custom)));
    Ok(cols)
}

fn interactions(data: &Dataset, format: Format) -> PolarsResult<Vec<Column>> {
    let r = &data.interactions;
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
    cols.extend(custom_columns(r.iter().map(|x| &x.properties)));
    Ok(cols)
}
