//! The columns of each DATA.md file, and a view of one record by column name.

use std::collections::HashMap;
use std::path::Path;

use leadscore_domain::{Fields, RecordType};

use crate::FilesError;

/// The required and optional (standard) columns of a file; any other column is a
/// custom field or an interaction property.
pub(crate) fn standard_columns(
    record: &RecordType,
) -> (&'static [&'static str], &'static [&'static str]) {
    match record {
        RecordType::Account => (
            &["account_id"],
            &[
                "name",
                "industry",
                "employees",
                "annual_revenue",
                "country",
                "city",
            ],
        ),
        RecordType::Contact => (
            &["contact_id"],
            &[
                "account_id",
                "first_name",
                "last_name",
                "email",
                "job_title",
                "city",
                "country",
                "visitor_id",
            ],
        ),
        RecordType::Lead => (
            &["lead_id", "created_at"],
            &[
                "contact_id",
                "account_id",
                "topic",
                "source",
                "status",
                "closed_at",
                "disqualify_reason",
            ],
        ),
        RecordType::Interaction => (
            &["interaction_id", "kind", "occurred_at"],
            &["contact_id", "lead_id", "visitor_id"],
        ),
        RecordType::Custom(_) => (&["record_id", "lead_id"], &[]),
    }
}

/// A file's columns: where each standard column is, and which are custom.
#[derive(Debug)]
pub(crate) struct FileColumns {
    pub names: Vec<String>,
    standard: HashMap<&'static str, usize>,
    custom: Vec<usize>,
}

impl FileColumns {
    /// Checks a header: no empty or repeated names, every required column present.
    pub fn new(path: &Path, record: &RecordType, header: &[String]) -> Result<Self, FilesError> {
        let (required, optional) = standard_columns(record);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut standard = HashMap::new();
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
                    standard.insert(*c, i);
                }
                None => custom.push(i),
            }
        }
        if let Some(missing) = required.iter().find(|c| !standard.contains_key(*c)) {
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
}

/// One record's values, by column.
pub(crate) struct Row<'r, 'a> {
    pub values: &'r [Option<&'a str>],
    pub columns: &'r FileColumns,
}

impl<'a> Row<'_, 'a> {
    /// A standard column's value, trimmed; absent when the column is missing or the
    /// cell is empty.
    pub fn get(&self, column: &'static str) -> Option<&'a str> {
        let i = *self.columns.standard.get(column)?;
        self.values
            .get(i)
            .copied()
            .flatten()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// A standard column's value as an owned string.
    pub fn text(&self, column: &'static str) -> Option<String> {
        self.get(column).map(str::to_owned)
    }

    /// The custom columns with a value.
    pub fn custom(&self) -> Fields {
        let mut fields = Fields::new();
        for &i in &self.columns.custom {
            if let (Some(name), Some(Some(value))) = (self.columns.names.get(i), self.values.get(i))
            {
                fields.set(name.clone(), value.trim());
            }
        }
        fields
    }
}
