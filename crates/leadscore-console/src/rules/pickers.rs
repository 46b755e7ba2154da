//! The designer's pickers: HTML lists of the entity paths, spans, each
//! record's fields, and the values the store's records hold for the fields a
//! draft's filters read (suggestions only: any text may be typed).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use leadscore_domain::{RecordType, STANDARD_KINDS};
use leadscore_rules::{FieldPath, Schema};

use super::data::StoreData;
use super::draft::Draft;
use super::page::{filter_record, list_id, values_id};
use crate::html::escape;

/// The pickers' lists: entity paths, spans, each record's fields, and the
/// observed values of the fields the draft's filters read.
pub fn datalists(draft: &Draft, data: Option<&StoreData>) -> String {
    let schema = data.map_or_else(Schema::standard, |d| d.schema.clone());
    let mut kinds: BTreeSet<String> = STANDARD_KINDS.iter().map(|k| (*k).to_owned()).collect();
    if let Some(d) = data
        && let Some(observed) = d
            .values
            .iter()
            .find(|o| o.record == RecordType::Interaction && o.field == "kind")
    {
        kinds.extend(observed.values.iter().map(|v| v.value.clone()));
    }
    let mut entities: Vec<String> = [
        "Lead",
        "Contact",
        "Account",
        "Lead.ParentContact",
        "Lead.ParentAccount",
        "Contact.ParentAccount",
        "Lead.ParentContact.ParentAccount",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for kind in &kinds {
        entities.push(kind.clone());
        entities.push(format!("{kind}.Contact"));
        entities.push(format!("{kind}.Contact.ParentAccount"));
        entities.push(format!("{kind}.Lead"));
    }
    entities.extend(schema.entities().map(|e| format!("Lead.{e}")));
    let options = |items: &mut dyn Iterator<Item = String>| -> String {
        items
            .map(|v| format!("<option value=\"{}\"></option>", escape(&v)))
            .collect()
    };
    let mut out = format!(
        "<datalist id=\"rm-entities\">{}</datalist><datalist id=\"rm-spans\">{}</datalist>",
        options(&mut entities.into_iter()),
        options(
            &mut ["7d", "14d", "30d", "90d", "180d", "365d", "4w", "12h"]
                .iter()
                .map(|s| (*s).to_owned())
        ),
    );
    let mut records = vec![
        RecordType::Lead,
        RecordType::Contact,
        RecordType::Account,
        RecordType::Interaction,
    ];
    records.extend(schema.entities().cloned().map(RecordType::Custom));
    for record in &records {
        let mut fields: Vec<String> = schema
            .fields(record)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect();
        match record {
            RecordType::Lead => fields.extend(
                ["ParentContact.", "ParentAccount."]
                    .iter()
                    .map(|h| (*h).to_owned()),
            ),
            RecordType::Contact => fields.push("ParentAccount.".to_owned()),
            RecordType::Interaction => {
                fields.extend(["Contact.", "Lead."].iter().map(|h| (*h).to_owned()))
            }
            _ => {}
        }
        let _ = write!(
            out,
            "<datalist id=\"{}\">{}</datalist>",
            escape(&list_id(record)),
            options(&mut fields.into_iter())
        );
    }
    let Some(data) = data else { return out };
    let mut done = BTreeSet::new();
    for cond in draft.rules.iter().flat_map(|r| &r.conditions) {
        for filter in &cond.filters {
            let Some(record) = filter_record(cond, filter) else {
                continue;
            };
            let Ok(field) = FieldPath::try_from(filter.field.trim().to_owned()) else {
                continue;
            };
            let id = values_id(&record, &field.name);
            if !done.insert(id.clone()) {
                continue;
            }
            if let Some(observed) = data
                .values
                .iter()
                .find(|o| o.record == record && o.field == field.name)
            {
                let items: String = observed
                    .values
                    .iter()
                    .map(|v| {
                        format!(
                            "<option value=\"{}\">{} records</option>",
                            escape(&v.value),
                            v.records
                        )
                    })
                    .collect();
                let _ = write!(out, "<datalist id=\"{}\">{items}</datalist>", escape(&id));
            }
        }
    }
    out
}
