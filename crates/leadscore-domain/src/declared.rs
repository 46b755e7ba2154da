//! What the caller declares beyond DATA.md's standard names (issue 19): custom
//! fields whose names are close to a standard column, and custom interaction
//! kinds. A column or kind close to a standard (or declared) name is an error
//! unless it is declared: a typo must not become a custom field or kind.

use std::collections::{BTreeMap, BTreeSet};

use crate::RecordType;

/// The setting that declares custom field names (any file), named by the errors.
pub const CUSTOM_FIELDS_SETTING: &str = "records.custom_fields";

/// The setting that declares custom interaction kinds, named by the errors.
pub const CUSTOM_KINDS_SETTING: &str = "records.custom_kinds";

/// Custom field names and custom interaction kinds declared by the caller
/// (the settings' `records.custom_fields` and `records.custom_kinds`, or a
/// mapping). The default declares nothing.
///
/// ```
/// use leadscore_domain::{Declared, RecordType};
///
/// let mut declared = Declared::new(["Lead Status"], ["WebinarWatched"]);
/// declared.declare_field(RecordType::Contact, "emial");
/// assert!(declared.is_field(&RecordType::Lead, "Lead Status"));
/// assert!(declared.is_field(&RecordType::Contact, "emial"));
/// assert!(!declared.is_field(&RecordType::Lead, "emial"));
/// assert!(declared.is_kind("WebinarWatched"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// Custom field (or interaction property) names accepted in every file.
    pub fields: BTreeSet<String>,
    /// Custom field names accepted in one record type's file only.
    pub record_fields: BTreeMap<RecordType, BTreeSet<String>>,
    /// Custom interaction kinds.
    pub kinds: BTreeSet<String>,
}

impl Declared {
    /// Declares `fields` for every file, and `kinds`.
    pub fn new<F, K>(
        fields: impl IntoIterator<Item = F>,
        kinds: impl IntoIterator<Item = K>,
    ) -> Self
    where
        F: Into<String>,
        K: Into<String>,
    {
        Self {
            fields: fields.into_iter().map(Into::into).collect(),
            record_fields: BTreeMap::new(),
            kinds: kinds.into_iter().map(Into::into).collect(),
        }
    }

    /// Declares a custom field of one record type's file.
    pub fn declare_field(&mut self, record: RecordType, name: impl Into<String>) {
        self.record_fields
            .entry(record)
            .or_default()
            .insert(name.into());
    }

    /// True when `name` (a column as its header writes it, trimmed) is a
    /// declared custom field of `record`'s file.
    pub fn is_field(&self, record: &RecordType, name: &str) -> bool {
        self.fields.contains(name)
            || self
                .record_fields
                .get(record)
                .is_some_and(|names| names.contains(name))
    }

    /// True when `kind` is a declared custom interaction kind.
    pub fn is_kind(&self, kind: &str) -> bool {
        self.kinds.contains(kind)
    }
}
