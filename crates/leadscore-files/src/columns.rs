//! The columns of each DATA.md file, and a view of one record by column name.

use std::collections::HashMap;
use std::path::Path;

use leadscore_domain::suggest::near_column;
use leadscore_domain::{Declared, Fields, RecordType};

use crate::FilesError;

/// The required and optional (standard) columns of a file; any other column is a
/// custom field or an interaction property.
pub(crate) fn standard_columns(
    record: &RecordType,
) -> (&'static [&'static str], &'static [&'static str]) {
    (record.required_columns(), record.optional_columns())
}

/// A file's columns: where each standard column is, and which are custom.
#[derive(Debug)]
pub(crate) struct FileColumns {
    pub names: Vec<String>,
    /// The standard columns present and their positions: a handful, searched
    /// linearly (faster than hashing the name on every value read).
    standard: Vec<(&'static str, usize)>,
    custom: Vec<usize>,
}

impl FileColumns {
    /// Checks a header: no empty or repeated names, no name close to a standard
    /// column ([`near_column`]) unless `declared` declares it a custom field of
    /// the file, every required column present.
    pub fn new(
        path: &Path,
        record: &RecordType,
        header: &[String],
        declared: &Declared,
    ) -> Result<Self, FilesError> {
        let (required, optional) = standard_columns(record);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut standard = Vec::new();
        let mut custom = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim();
            if name.is_empty() {
                return Err(FilesError::BadHeader {
                    path: path.to_path_buf(),
                    position: i + 1,
                    reason: "the column has no name".to_owned(),
                });
            }
            if let Some(first) = seen.insert(name, i) {
                return Err(FilesError::BadHeader {
                    path: path.to_path_buf(),
                    position: i + 1,
                    reason: format!("column {name} appears twice (also column {})", first + 1),
                });
            }
            match required.iter().chain(optional).find(|c| **c == name) {
                Some(c) => {
                    standard.push((*c, i));
                }
                None => {
                    if !declared.is_field(record, name)
                        && let Some(suggestion) = near_column(record, name)
                    {
                        return Err(FilesError::NearMissColumn {
                            path: path.to_path_buf(),
                            position: i + 1,
                            column: name.to_owned(),
                            file: record.file_stem(),
                            suggestion,
                            keep: match record {
                                RecordType::Interaction => "an interaction property",
                                _ => "a custom field",
                            },
                        });
                    }
                    custom.push(i);
                }
            }
        }
        if let Some(missing) = required
            .iter()
            .find(|c| !standard.iter().any(|(s, _)| s == *c))
        {
            return Err(FilesError::MissingColumn {
                path: path.to_path_buf(),
                column: missing,
            });
        }
        Ok(Self {
            names: header.iter().map(|h| h.trim().to_owned()).collect(),
            standard,
            custom,
        })
    }

    /// The position of a standard column, when the file has it.
    pub fn position(&self, column: &str) -> Option<usize> {
        // Callers pass the same literals as `standard_columns` holds, which the
        // compiler stores once: comparing addresses first avoids comparing bytes.
        self.standard
            .iter()
            .find(|(name, _)| std::ptr::eq(*name, column))
            .or_else(|| self.standard.iter().find(|(name, _)| same(name, column)))
            .map(|&(_, i)| i)
    }

    /// The positions of the standard columns present.
    pub fn standard(&self) -> impl Iterator<Item = usize> {
        self.standard.iter().map(|&(_, i)| i)
    }

    /// The custom columns (fields, or interaction properties): position and name.
    pub fn custom(&self) -> impl Iterator<Item = (usize, &str)> {
        self.custom
            .iter()
            .filter_map(|&i| self.names.get(i).map(|name| (i, name.as_str())))
    }
}

/// Where one record's values are.
#[derive(Clone, Copy)]
pub(crate) enum Cells<'r, 'a> {
    /// One optional value per column (a row of a polars frame).
    Values(&'r [Option<&'a str>]),
    /// A CSV record, one field per column.
    Record(&'a csv::StringRecord),
}

/// One record's values, by column.
pub(crate) struct Row<'r, 'a> {
    pub cells: Cells<'r, 'a>,
    pub columns: &'r FileColumns,
}

impl<'a> Row<'_, 'a> {
    /// The raw value at a column position, if the record has that column.
    pub fn cell(&self, i: usize) -> Option<&'a str> {
        match self.cells {
            Cells::Values(values) => values.get(i).copied().flatten(),
            Cells::Record(record) => record.get(i),
        }
    }

    /// A standard column's value, trimmed; absent when the column is missing or the
    /// cell is empty.
    pub fn get(&self, column: &'static str) -> Option<&'a str> {
        let i = self.columns.position(column)?;
        self.cell(i).map(trim).filter(|v| !v.is_empty())
    }

    /// A standard column's value as an owned string.
    pub fn text(&self, column: &'static str) -> Option<String> {
        self.get(column).map(str::to_owned)
    }

    /// The custom columns with a value.
    pub fn custom(&self) -> Fields {
        let mut fields = Fields::new();
        for (i, name) in self.columns.custom() {
            if let Some(value) = self.cell(i) {
                fields.set(name, value.trim());
            }
        }
        fields
    }
}

/// Name equality, deciding most unequal names on their length and first byte
/// without a call to compare bytes.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// `str::trim`, with a shortcut for the usual value that starts and ends with a
/// visible ASCII character (and so has nothing to trim).
fn trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn trims_like_str_trim() {
        for v in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{a0}",
            "é ",
            "\ta\r",
            "a b",
        ] {
            assert_eq!(trim(v), v.trim(), "{v:?}");
        }
    }
}
