//! Reading one file into a polars frame whose columns are all text, so that every
//! value is checked (and every problem located) by this crate, not guessed at by a
//! type inference.

use std::fs::File;
use std::path::Path;

use leadscore_domain::Timestamp;
use polars::prelude::*;

use crate::{FilesError, Format};

/// A file's header names, in order, and its records as text columns.
pub(crate) struct TextFrame {
    pub header: Vec<String>,
    pub frame: DataFrame,
}

/// Reads a CSV (all columns as text, empty cells as absent) or Parquet file.
pub(crate) fn read_text_frame(path: &Path, format: Format) -> Result<TextFrame, FilesError> {
    match format {
        Format::Csv => read_csv(path, b','),
        Format::Parquet => read_parquet(path),
    }
}

pub(crate) fn unreadable(path: &Path, err: impl std::fmt::Display) -> FilesError {
    FilesError::Unreadable {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

pub(crate) fn read_csv(path: &Path, separator: u8) -> Result<TextFrame, FilesError> {
    let header = read_csv_header(path, separator)?;
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .map_parse_options(|o| o.with_separator(separator).with_missing_is_null(true))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| unreadable(path, e))?;
    if frame.width() != header.len() && frame.height() > 0 {
        return Err(unreadable(
            path,
            format!(
                "the header has {} columns but the records have {}",
                header.len(),
                frame.width()
            ),
        ));
    }
    Ok(TextFrame { header, frame })
}

fn read_parquet(path: &Path) -> Result<TextFrame, FilesError> {
    let file = File::open(path).map_err(|source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|e| unreadable(path, e))?;
    text_frame(&frame).map_err(|e| unreadable(path, e))
}

/// A typed frame (read from Parquet) as text columns, with its header.
pub(crate) fn text_frame(frame: &DataFrame) -> PolarsResult<TextFrame> {
    let header = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let columns = frame
        .columns()
        .iter()
        .map(to_text)
        .collect::<PolarsResult<Vec<_>>>()?;
    let frame = DataFrame::new(frame.height(), columns)?;
    Ok(TextFrame { header, frame })
}

/// Turns a typed column into text the way a CSV file would hold it: timestamps as
/// RFC 3339 in UTC, dates as midnight UTC, numbers and booleans as written.
pub(crate) fn to_text(column: &Column) -> PolarsResult<Column> {
    if column.dtype() == &DataType::String {
        return Ok(column.clone());
    }
    let Some(micros) = instant_micros(column)? else {
        return column.cast(&DataType::String);
    };
    let text: StringChunked = micros.iter().map(|v| v.and_then(format_micros)).collect();
    Ok(text.with_name(column.name().clone()).into_column())
}

/// The instants of a datetime or date column (read from Parquet) as microseconds
/// since the Unix epoch, the same instants [`to_text`] writes; `None` for a
/// column of another type.
pub(crate) fn instant_micros(column: &Column) -> PolarsResult<Option<Int64Chunked>> {
    let micros = match column.dtype() {
        DataType::Datetime(unit, _) => {
            let per_micro = match unit {
                TimeUnit::Nanoseconds => Scale::Down(1000),
                TimeUnit::Microseconds => Scale::Down(1),
                TimeUnit::Milliseconds => Scale::Up(1000),
            };
            column
                .datetime()?
                .physical()
                .iter()
                .map(|v| v.map(|v| per_micro.apply(v)))
                .collect()
        }
        DataType::Date => column
            .date()?
            .physical()
            .iter()
            .map(|d| d.map(|d| i64::from(d).saturating_mul(86_400_000_000)))
            .collect(),
        _ => return Ok(None),
    };
    Ok(Some(micros))
}

#[derive(Clone, Copy)]
enum Scale {
    Up(i64),
    Down(i64),
}

impl Scale {
    fn apply(self, v: i64) -> i64 {
        match self {
            Self::Up(k) => v.saturating_mul(k),
            Self::Down(k) => v.div_euclid(k),
        }
    }
}

fn format_micros(micros: i64) -> Option<String> {
    Timestamp::from_micros(micros).map(|t| t.to_string())
}

/// Reads the header record of a CSV file (RFC 4180 quoting, a UTF-8 byte order
/// mark dropped), so that duplicate and empty names are seen as written.
pub(crate) fn read_csv_header(path: &Path, separator: u8) -> Result<Vec<String>, FilesError> {
    use std::io::{BufRead, BufReader};
    let file = File::open(path).map_err(|source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let mut record = Vec::new();
    let mut quotes = 0usize;
    loop {
        let before = record.len();
        let read = reader
            .read_until(b'\n', &mut record)
            .map_err(|source| FilesError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        quotes += record[before..].iter().filter(|b| **b == b'"').count();
        if read == 0 || quotes.is_multiple_of(2) || record.len() > 1 << 20 {
            break;
        }
    }
    let text =
        String::from_utf8(record).map_err(|_| unreadable(path, "the header is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Err(unreadable(
            path,
            "the file is empty: a header row is required",
        ));
    }
    Ok(split_record(text, separator as char))
}

pub(crate) fn split_record(text: &str, separator: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            c if c == separator && !in_quotes => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(
            split_record("a,\"b,c\",\"d\"\"e\",", ','),
            vec!["a", "b,c", "d\"e", ""]
        );
    }
}
