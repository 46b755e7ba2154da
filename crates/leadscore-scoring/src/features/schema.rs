//! The columns of a dataset's rows: their names in `read_lead_rows`' order,
//! where each value comes from, and what a column the dataset does not have
//! answers.

use std::collections::BTreeSet;

use leadscore_domain::{
    CustomRecord, Dataset, EntityName, Fields, RecordType, STANDARD_KINDS, Timestamp,
};
use leadscore_features::{
    Cell, Window, behaviour_column, count_column, days_since_last_column, entity_of_count,
    kind_of_behaviour, kind_of_days_since_last,
};
use rustc_hash::FxHashMap;

/// The counting windows, in column order.
pub(super) const WINDOWS: [Window; 4] = Window::ALL;
/// A day in microseconds.
pub(super) const DAY: i64 = 86_400_000_000;

/// Columns never read from any file (names and ids nobody scores on), so never
/// a custom field column.
const UNUSED: [&str; 5] = ["name", "first_name", "last_name", "email", "interaction_id"];

/// The lead kind column.
const LEAD_KIND: &str = "lead.kind";
/// The number of contacts of the row's account.
const ACCOUNT_CONTACTS: &str = "account.contacts";

/// A standard lead field that is a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LeadField {
    Source,
    Topic,
}

/// A standard contact field that is a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContactField {
    JobTitle,
    Country,
    City,
}

/// A standard account field that is a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AccountField {
    Industry,
    Employees,
    AnnualRevenue,
    Country,
    City,
}

const LEAD_FIELDS: [(&str, LeadField); 2] =
    [("source", LeadField::Source), ("topic", LeadField::Topic)];
const CONTACT_FIELDS: [(&str, ContactField); 3] = [
    ("contact.job_title", ContactField::JobTitle),
    ("contact.country", ContactField::Country),
    ("contact.city", ContactField::City),
];
const ACCOUNT_FIELDS: [(&str, AccountField); 5] = [
    ("account.industry", AccountField::Industry),
    ("account.employees", AccountField::Employees),
    ("account.annual_revenue", AccountField::AnnualRevenue),
    ("account.country", AccountField::Country),
    ("account.city", AccountField::City),
];

/// Where a column's value comes from. A custom field's name is the column's
/// name without its `contact.` / `account.` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Lead(LeadField),
    LeadCustom,
    LeadKind,
    Contact(ContactField),
    ContactCustom,
    Account(AccountField),
    AccountCustom,
    AccountContacts,
    /// Interactions of kind `kind` (index into [`Schema::kinds`]) in window
    /// `window` (index into [`WINDOWS`]).
    Window {
        kind: usize,
        window: usize,
    },
    DaysSinceLast {
        kind: usize,
    },
    /// Records of entity `entity` (index into [`Schema::entities`]).
    Count {
        entity: usize,
    },
}

/// A custom entity's name and the field read as its records' time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EntityColumn {
    pub name: Box<str>,
    pub time_column: Option<Box<str>>,
}

/// The columns of one dataset's rows, in `read_lead_rows`' order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Schema {
    pub names: Vec<Box<str>>,
    pub sources: Vec<Source>,
    /// Column position by name (the first column of a name, should two share one).
    by_name: FxHashMap<Box<str>, usize>,
    /// Interaction kinds: the standard ones and those of the dataset, sorted.
    pub kinds: Vec<Box<str>>,
    /// Custom entities, sorted by name.
    pub entities: Vec<EntityColumn>,
    /// The custom field columns of leads, contacts and accounts it was built
    /// from, sorted (for [`Schema::fits`]).
    fields: [Vec<Box<str>>; 3],
}

/// What decides a dataset's columns: its records' custom field names, its
/// interaction kinds and its custom entities with their time columns.
pub(super) struct Inputs<'d> {
    fields: [BTreeSet<&'d str>; 3],
    kinds: BTreeSet<&'d str>,
    entities: Vec<(&'d str, Option<Box<str>>)>,
}

impl<'d> Inputs<'d> {
    /// The inputs of `data`'s columns. `time_column` gives each entity's
    /// time column (decided by the caller).
    pub fn new(data: &'d Dataset, time_column: impl Fn(&EntityName) -> Option<Box<str>>) -> Self {
        Self {
            fields: [
                custom_names(data.leads.iter().map(|l| &l.custom), &RecordType::Lead),
                custom_names(
                    data.contacts.iter().map(|c| &c.custom),
                    &RecordType::Contact,
                ),
                custom_names(
                    data.accounts.iter().map(|a| &a.custom),
                    &RecordType::Account,
                ),
            ],
            kinds: STANDARD_KINDS
                .iter()
                .copied()
                .chain(data.interactions.iter().map(|i| i.kind.as_str()))
                .collect(),
            entities: data
                .custom
                .keys()
                .map(|name| (name.as_str(), time_column(name)))
                .collect(),
        }
    }
}

impl Schema {
    /// The columns of a dataset with these inputs.
    pub fn build(inputs: &Inputs<'_>) -> Self {
        let mut schema = Self {
            names: Vec::new(),
            sources: Vec::new(),
            by_name: FxHashMap::default(),
            kinds: Vec::new(),
            entities: Vec::new(),
            fields: inputs
                .fields
                .each_ref()
                .map(|names| names.iter().map(|&n| Box::from(n)).collect()),
        };
        let [leads, contacts, accounts] = &inputs.fields;
        for (name, field) in LEAD_FIELDS {
            schema.push(name.into(), Source::Lead(field));
        }
        for name in leads {
            schema.push((*name).into(), Source::LeadCustom);
        }
        schema.push(LEAD_KIND.into(), Source::LeadKind);
        for (name, field) in CONTACT_FIELDS {
            schema.push(name.into(), Source::Contact(field));
        }
        for name in contacts {
            schema.push(format!("contact.{name}").into(), Source::ContactCustom);
        }
        for (name, field) in ACCOUNT_FIELDS {
            schema.push(name.into(), Source::Account(field));
        }
        for name in accounts {
            schema.push(format!("account.{name}").into(), Source::AccountCustom);
        }
        schema.push(ACCOUNT_CONTACTS.into(), Source::AccountContacts);
        let kinds: Vec<Box<str>> = inputs.kinds.iter().map(|&k| Box::from(k)).collect();
        for (kind, name) in kinds.iter().enumerate() {
            for (window, &w) in WINDOWS.iter().enumerate() {
                schema.push(
                    behaviour_column(name, w).into(),
                    Source::Window { kind, window },
                );
            }
            schema.push(
                days_since_last_column(name).into(),
                Source::DaysSinceLast { kind },
            );
        }
        schema.kinds = kinds;
        for (entity, (name, time_column)) in inputs.entities.iter().enumerate() {
            schema.push(count_column(name).into(), Source::Count { entity });
            schema.entities.push(EntityColumn {
                name: (*name).into(),
                time_column: time_column.clone(),
            });
        }
        schema
    }

    /// Whether this schema is the one of a dataset with these inputs.
    pub fn fits(&self, inputs: &Inputs<'_>) -> bool {
        let same = |ours: &[Box<str>], theirs: &BTreeSet<&str>| {
            ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| **a == **b)
        };
        self.fields
            .iter()
            .zip(&inputs.fields)
            .all(|(ours, theirs)| same(ours, theirs))
            && same(&self.kinds, &inputs.kinds)
            && self.entities.len() == inputs.entities.len()
            && self
                .entities
                .iter()
                .zip(&inputs.entities)
                .all(|(e, (name, time))| *e.name == **name && e.time_column == *time)
    }

    fn push(&mut self, name: Box<str>, source: Source) {
        let position = self.names.len();
        self.by_name.entry(name.clone()).or_insert(position);
        self.names.push(name);
        self.sources.push(source);
    }

    /// The position of a column of this schema.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The kind index of a kind name.
    pub fn kind_index(&self, kind: &str) -> Option<usize> {
        self.kinds.binary_search_by(|k| (**k).cmp(kind)).ok()
    }
}

/// The names of the custom fields of some records that are columns, sorted: a
/// field named like a standard column of the record type, or like a column no
/// file is read for (`email` of an account), is not one.
fn custom_names<'a>(
    fields: impl Iterator<Item = &'a Fields>,
    record: &RecordType,
) -> BTreeSet<&'a str> {
    let mut names = BTreeSet::new();
    for f in fields {
        for (name, _) in f.iter() {
            if !names.contains(name) && is_field_column(record, name) {
                names.insert(name);
            }
        }
    }
    names
}

/// Whether a field of this record type can be a column of `read_lead_rows`:
/// neither a standard column nor one that is never read.
fn is_field_column(record: &RecordType, field: &str) -> bool {
    !UNUSED.contains(&field)
        && !record.required_columns().contains(&field)
        && !record.optional_columns().contains(&field)
}

/// What a column the schema does not have answers, for a lead of this dataset:
/// - `contact.<f>`, `account.<f>`, or a bare name, where `<f>` (or the name)
///   could be a custom field: [`Cell::Missing`] (no record here has that
///   field);
/// - `K.7d`, `K.30d`, `K.90d`, `K.365d` for an interaction kind `K`:
///   `Num(0)` (no interaction of that kind), `K.days_since_last`:
///   [`Cell::Missing`];
/// - `E.count` for an entity name `E`: `Num(0)` (no record of that entity);
/// - `None` for a name that is never a column (ids, times, the status,
///   names: `lead_id`, `contact.email`, `account.name`).
pub(super) fn absent(column: &str) -> Option<Cell> {
    if let Some(field) = column.strip_prefix("contact.") {
        return is_field_column(&RecordType::Contact, field).then_some(Cell::Missing);
    }
    if let Some(field) = column.strip_prefix("account.") {
        return is_field_column(&RecordType::Account, field).then_some(Cell::Missing);
    }
    if kind_of_behaviour(column).is_some_and(|(kind, _)| is_kind(kind)) {
        return Some(Cell::Num(0.0));
    }
    if kind_of_days_since_last(column).is_some_and(is_kind) {
        return Some(Cell::Missing);
    }
    if entity_of_count(column).is_some_and(is_pascal_case) {
        return Some(Cell::Num(0.0));
    }
    is_field_column(&RecordType::Lead, column).then_some(Cell::Missing)
}

/// Whether [`EntityName::parse`] takes `name` (without its allocation).
fn is_pascal_case(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Whether [`InteractionKind::parse`](leadscore_domain::InteractionKind::parse) takes `name` (without its allocations):
/// PascalCase, and not a standard kind spelled another way.
fn is_kind(name: &str) -> bool {
    is_pascal_case(name)
        && (STANDARD_KINDS.contains(&name)
            || !STANDARD_KINDS.iter().any(|k| k.eq_ignore_ascii_case(name)))
}

/// An entity's time column as `read_lead_rows` decides it, over these records:
/// the first field whose every present value is a timestamp (with at least one
/// present). Fields are tried in name order: a [`Fields`] keeps no file order.
pub(super) fn decide_time_column(records: &[CustomRecord]) -> Option<&str> {
    let names: BTreeSet<&str> = records
        .iter()
        .flat_map(|r| r.fields.iter().map(|(name, _)| name))
        .collect();
    names.into_iter().find(|name| {
        records.iter().all(|r| {
            r.fields
                .get(name)
                .is_none_or(|v| Timestamp::parse(v).is_ok())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadscore_domain::InteractionKind;

    #[test]
    fn kind_and_entity_names_are_read_as_the_domain_reads_them() {
        for name in [
            "EmailClicked",
            "Emailclicked",
            "EMAILCLICKED",
            "DemoBooked",
            "Demo_Booked",
            "demoBooked",
            "D",
            "",
            "Meeting2",
            "Café",
        ] {
            assert_eq!(
                is_kind(name),
                InteractionKind::parse(name).is_ok(),
                "{name}"
            );
            assert_eq!(
                is_pascal_case(name),
                EntityName::parse(name).is_ok(),
                "{name}"
            );
        }
    }
}
