//! The names of the custom fields a set of records carries: what a folder
//! written a chunk at a time needs before its first row (each file's header
//! names them all).

use std::collections::{BTreeMap, BTreeSet};

use crate::{Dataset, EntityName, Fields};

/// The custom field names found on any record of each type, in name order
/// (interactions: their property names), and the custom entities that have
/// records, each with its records' field names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldNames {
    /// The accounts' custom fields.
    pub accounts: BTreeSet<String>,
    /// The contacts' custom fields.
    pub contacts: BTreeSet<String>,
    /// The leads' custom fields.
    pub leads: BTreeSet<String>,
    /// The interactions' property names.
    pub interactions: BTreeSet<String>,
    /// Each custom entity with at least one record, and its records' fields.
    pub custom: BTreeMap<EntityName, BTreeSet<String>>,
}

impl FieldNames {
    /// The names `data`'s records carry.
    pub fn of(data: &Dataset) -> Self {
        Self {
            accounts: names(data.accounts.iter().map(|a| &a.custom)),
            contacts: names(data.contacts.iter().map(|c| &c.custom)),
            leads: names(data.leads.iter().map(|l| &l.custom)),
            interactions: names(data.interactions.iter().map(|i| &i.properties)),
            custom: data
                .custom
                .iter()
                .filter(|(_, records)| !records.is_empty())
                .map(|(entity, records)| (entity.clone(), names(records.iter().map(|r| &r.fields))))
                .collect(),
        }
    }
}

fn names<'a>(fields: impl Iterator<Item = &'a Fields>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in fields {
        for (name, _) in f.iter() {
            if !out.contains(name) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}
