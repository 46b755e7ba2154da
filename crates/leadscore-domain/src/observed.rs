//! What values the records hold, field by field: the distinct values of each
//! text field with how many records hold each, the most frequent first and
//! capped per field. Read from the store (`leadscore-store`'s
//! `field_values`) or from a folder's records (`leadscore-rules`), and used
//! to suggest values and to flag a rule's value that no record has (`Referal`
//! where the data say `Referral`).

use crate::RecordType;

/// One value of a field and how many records hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedValue {
    /// The value as stored.
    pub value: String,
    /// How many records hold it.
    pub records: u64,
}

/// The values one field of one kind of record holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedField {
    /// The kind of record.
    pub record: RecordType,
    /// The field (a DATA.md column or a custom field's name).
    pub field: String,
    /// How many distinct values the field holds in all (when more were seen
    /// than were counted, more than `values` holds).
    pub distinct: u64,
    /// The most frequent values, at most the cap asked for, most records
    /// first (then by value).
    pub values: Vec<ObservedValue>,
}

impl ObservedField {
    /// True when `values` holds every value the field has (none was left
    /// out by the cap), so that a value not among them is held by no record.
    pub fn complete(&self) -> bool {
        self.distinct <= self.values.len() as u64
    }
}
