//! The values a graph's records hold, field by field, as the store reads them
//! from its own records (`leadscore-store`'s `field_values`): the standard
//! text columns worth checking a rule's values against (not names, emails or
//! ids), every custom field, the interaction kinds and properties, and the
//! custom entities' fields. Blank values are left out.

use std::collections::HashMap;

use leadscore_domain::{Fields, ObservedField, ObservedValue, RecordType};

use crate::graph::Graph;

/// The values of one field seen so far: at most a cap of them, then only
/// that more were seen.
#[derive(Debug, Default)]
struct Tally {
    counts: HashMap<String, u64>,
    more: bool,
}

/// The tallies of every field, bounded per field.
struct Tallies {
    per_field: usize,
    fields: Vec<((RecordType, String), Tally)>,
    index: HashMap<(RecordType, String), usize>,
}

impl Tallies {
    fn add(&mut self, record: &RecordType, field: &str, value: Option<&str>) {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return;
        };
        let key = (record.clone(), field.to_owned());
        let slot = match self.index.get(&key) {
            Some(&slot) => slot,
            None => {
                self.fields.push((key.clone(), Tally::default()));
                self.index.insert(key, self.fields.len() - 1);
                self.fields.len() - 1
            }
        };
        let tally = &mut self.fields[slot].1;
        if let Some(n) = tally.counts.get_mut(value) {
            *n += 1;
        } else if tally.counts.len() < self.per_field {
            tally.counts.insert(value.to_owned(), 1);
        } else {
            tally.more = true;
        }
    }

    fn add_fields(&mut self, record: &RecordType, fields: &Fields) {
        for (name, value) in fields.iter() {
            self.add(record, name, Some(value));
        }
    }
}

impl Graph {
    /// The values each text field of the graph's records holds, at most
    /// `per_field` per field (the first seen; a field with more has
    /// `distinct` one above `values`, so that it is not taken as complete),
    /// most records first, then by value. Fields in the order first seen.
    pub fn observed_values(&self, per_field: usize) -> Vec<ObservedField> {
        let mut t = Tallies {
            per_field,
            fields: Vec::new(),
            index: HashMap::new(),
        };
        let lead = RecordType::Lead;
        for l in &self.leads {
            t.add(&lead, "topic", l.topic.as_deref());
            t.add(&lead, "source", l.source.as_deref());
            t.add(&lead, "status", Some(l.status.as_str()));
            t.add(&lead, "disqualify_reason", l.disqualify_reason.as_deref());
            t.add_fields(&lead, &l.custom);
        }
        let contact = RecordType::Contact;
        for c in &self.contacts {
            t.add(&contact, "job_title", c.job_title.as_deref());
            t.add(&contact, "city", c.city.as_deref());
            t.add(&contact, "country", c.country.as_deref());
            t.add_fields(&contact, &c.custom);
        }
        let account = RecordType::Account;
        for a in &self.accounts {
            t.add(&account, "industry", a.industry.as_deref());
            t.add(&account, "city", a.city.as_deref());
            t.add(&account, "country", a.country.as_deref());
            t.add_fields(&account, &a.custom);
        }
        let interaction = RecordType::Interaction;
        let columns = &self.interactions;
        for (i, &kind) in columns.kind.iter().enumerate() {
            t.add(&interaction, "kind", Some(self.kind_name(kind)));
            for (name, values) in columns.prop_names.iter().zip(&columns.props) {
                t.add(&interaction, name, Some(values.get(i)));
            }
        }
        for entity in &self.custom {
            let record = RecordType::Custom(entity.name.clone());
            for r in &entity.records {
                t.add_fields(&record, &r.fields);
            }
        }
        t.fields
            .into_iter()
            .map(|((record, field), tally)| {
                let mut values: Vec<ObservedValue> = tally
                    .counts
                    .into_iter()
                    .map(|(value, records)| ObservedValue { value, records })
                    .collect();
                values.sort_by(|a, b| b.records.cmp(&a.records).then(a.value.cmp(&b.value)));
                ObservedField {
                    record,
                    field,
                    distinct: values.len() as u64 + u64::from(tally.more),
                    values,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use leadscore_domain::{Dataset, Lead, LeadId, Timestamp};

    use super::*;
    use crate::Projection;

    #[test]
    fn values_are_counted_and_bounded_per_field() {
        let mut dataset = Dataset::default();
        for (i, source) in ["Web", "Referral", "Web", " ", "Event"].iter().enumerate() {
            let mut lead = Lead::new(
                LeadId::parse(format!("L{i}")).unwrap(),
                Timestamp::parse("2026-01-01").unwrap(),
            );
            lead.source = Some((*source).to_owned());
            dataset.leads.push(lead);
        }
        let graph = Graph::from_dataset(&dataset, Projection::all()).unwrap();
        let observed = graph.observed_values(10);
        let source = observed
            .iter()
            .find(|o| o.record == RecordType::Lead && o.field == "source")
            .unwrap();
        let values: Vec<(&str, u64)> = source
            .values
            .iter()
            .map(|v| (v.value.as_str(), v.records))
            .collect();
        assert_eq!(values, [("Web", 2), ("Event", 1), ("Referral", 1)]);
        assert!(source.complete());

        let bounded = graph.observed_values(2);
        let source = bounded
            .iter()
            .find(|o| o.record == RecordType::Lead && o.field == "source")
            .unwrap();
        assert_eq!(source.values.len(), 2);
        assert_eq!(source.distinct, 3);
        assert!(!source.complete());
    }
}
