//! Which fields each kind of record can have, to check a model's fields against
//! real data.

use std::collections::{BTreeMap, BTreeSet};

use leadscore_domain::{Dataset, EntityName, RecordType};

use crate::error::RulesError;
use crate::graph::Graph;
use crate::model::RuleModel;

/// The standard (DATA.md) columns of a record type, required ones first.
fn standard_columns(record: &RecordType) -> impl Iterator<Item = &'static str> {
    let (required, optional) = (record.required_columns(), record.optional_columns());
    required.iter().chain(optional).copied()
}

/// Which fields each kind of record can have: the DATA.md columns always, plus
/// custom fields (interaction properties), and which custom entities exist with
/// their fields.
///
/// Loading a model checks its shape only; [`RuleModel::validate_against`] then
/// checks that every field a filter reads exists on the record it reads it from.
/// Without a schema, a field no record has is simply absent when scoring.
///
/// ```
/// use leadscore_domain::RecordType;
/// use leadscore_rules::Schema;
///
/// let schema = Schema::standard().with_field(RecordType::Lead, "budget");
/// assert!(schema.has_field(&RecordType::Lead, "budget"));
/// assert!(schema.has_field(&RecordType::Account, "industry"));
/// assert!(!schema.has_field(&RecordType::Account, "budget"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    lead: BTreeSet<String>,
    contact: BTreeSet<String>,
    account: BTreeSet<String>,
    interaction: BTreeSet<String>,
    custom: BTreeMap<EntityName, BTreeSet<String>>,
}

impl Schema {
    /// Only the DATA.md columns: no custom field, no custom entity.
    pub fn standard() -> Self {
        Self::default()
    }

    /// The standard columns plus every custom field, interaction property and
    /// custom entity (with its fields) that occurs in the dataset.
    pub fn from_dataset(dataset: &Dataset) -> Self {
        let mut schema = Self::standard();
        for account in &dataset.accounts {
            for (name, _) in account.custom.iter() {
                schema.add_field(&RecordType::Account, name);
            }
        }
        for contact in &dataset.contacts {
            for (name, _) in contact.custom.iter() {
                schema.add_field(&RecordType::Contact, name);
            }
        }
        for lead in &dataset.leads {
            for (name, _) in lead.custom.iter() {
                schema.add_field(&RecordType::Lead, name);
            }
        }
        for interaction in &dataset.interactions {
            for (name, _) in interaction.properties.iter() {
                schema.add_field(&RecordType::Interaction, name);
            }
        }
        for (entity, records) in &dataset.custom {
            schema.add_entity(entity.clone());
            let record = RecordType::Custom(entity.clone());
            for r in records {
                for (name, _) in r.fields.iter() {
                    schema.add_field(&record, name);
                }
            }
        }
        schema
    }

    /// What a lead graph holds: the standard columns plus every custom field and
    /// custom entity its records carry, and the interaction properties it kept (a
    /// graph keeps only the properties its projection asked for, and only those
    /// some interaction has).
    pub fn from_graph(graph: &Graph) -> Self {
        let mut schema = Self::standard();
        let add = |schema: &mut Self, record: &RecordType, name: &str| {
            if !schema.has_field(record, name) {
                schema.add_field(record, name);
            }
        };
        for account in &graph.accounts {
            for (name, _) in account.custom.iter() {
                add(&mut schema, &RecordType::Account, name);
            }
        }
        for contact in &graph.contacts {
            for (name, _) in contact.custom.iter() {
                add(&mut schema, &RecordType::Contact, name);
            }
        }
        for lead in &graph.leads {
            for (name, _) in lead.custom.iter() {
                add(&mut schema, &RecordType::Lead, name);
            }
        }
        for name in &graph.interactions.prop_names {
            add(&mut schema, &RecordType::Interaction, name);
        }
        for entity in &graph.custom {
            schema.add_entity(entity.name.clone());
            let record = RecordType::Custom(entity.name.clone());
            for r in &entity.records {
                for (name, _) in r.fields.iter() {
                    add(&mut schema, &record, name);
                }
            }
        }
        schema
    }

    /// Adds a field to a record type (a custom entity is added if new); a standard
    /// column is already there.
    pub fn add_field(&mut self, record: &RecordType, name: impl Into<String>) {
        let name = name.into();
        if standard_columns(record).any(|c| c == name) {
            if let RecordType::Custom(entity) = record {
                self.add_entity(entity.clone());
            }
            return;
        }
        let set = match record {
            RecordType::Lead => &mut self.lead,
            RecordType::Contact => &mut self.contact,
            RecordType::Account => &mut self.account,
            RecordType::Interaction => &mut self.interaction,
            RecordType::Custom(entity) => self.custom.entry(entity.clone()).or_default(),
        };
        set.insert(name);
    }

    /// Adds a custom entity with only its standard columns (`record_id`, `lead_id`),
    /// if it is not there yet.
    pub fn add_entity(&mut self, name: EntityName) {
        self.custom.entry(name).or_default();
    }

    /// Adds every field and custom entity of `other`: the schema of two sets
    /// of records is the union of theirs.
    pub fn merge(&mut self, other: Schema) {
        self.lead.extend(other.lead);
        self.contact.extend(other.contact);
        self.account.extend(other.account);
        self.interaction.extend(other.interaction);
        for (entity, fields) in other.custom {
            self.custom.entry(entity).or_default().extend(fields);
        }
    }

    /// [`Schema::add_field`], as a builder.
    pub fn with_field(mut self, record: RecordType, name: impl Into<String>) -> Self {
        self.add_field(&record, name);
        self
    }

    /// [`Schema::add_entity`], as a builder.
    pub fn with_entity(mut self, name: EntityName) -> Self {
        self.add_entity(name);
        self
    }

    /// True when records of the type can have the field (false for a custom
    /// entity the schema does not have).
    pub fn has_field(&self, record: &RecordType, name: &str) -> bool {
        if let RecordType::Custom(entity) = record
            && !self.custom.contains_key(entity)
        {
            return false;
        }
        standard_columns(record).any(|c| c == name)
            || self.custom_fields(record).is_some_and(|s| s.contains(name))
    }

    /// True when the schema has the custom entity.
    pub fn has_entity(&self, name: &EntityName) -> bool {
        self.custom.contains_key(name)
    }

    /// The custom entities, in name order.
    pub fn entities(&self) -> impl Iterator<Item = &EntityName> {
        self.custom.keys()
    }

    /// Every field of a record type: the standard columns in DATA.md order, then
    /// the custom fields in name order. `None` for a custom entity the schema does
    /// not have.
    pub fn fields(&self, record: &RecordType) -> Option<Vec<&str>> {
        let custom = self.custom_fields(record)?;
        let mut out: Vec<&str> = standard_columns(record).collect();
        out.extend(custom.iter().map(String::as_str));
        Some(out)
    }

    fn custom_fields(&self, record: &RecordType) -> Option<&BTreeSet<String>> {
        match record {
            RecordType::Lead => Some(&self.lead),
            RecordType::Contact => Some(&self.contact),
            RecordType::Account => Some(&self.account),
            RecordType::Interaction => Some(&self.interaction),
            RecordType::Custom(entity) => self.custom.get(entity),
        }
    }
}

impl RuleModel {
    /// Checks the model against the fields real data has: every field a filter
    /// reads (after its hops, on the record it ends at) must be one that record can
    /// have, and every custom entity must exist. Every problem is reported, at
    /// `rules[i].when[j].where[k].field` or `rules[i].when[j].entity`.
    pub fn validate_against(&self, schema: &Schema) -> Result<(), RulesError> {
        let problems = crate::validate::check_against(self, schema);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RulesError::Invalid { problems })
        }
    }
}
