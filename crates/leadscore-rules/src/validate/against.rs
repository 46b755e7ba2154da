//! Checking a loaded model against a [`Schema`]: fields and custom entities that
//! the data really has.

use super::{Loc, Problems, suggest};
use crate::error::Problem;
use crate::model::{Conditions, RuleModel};
use crate::paths::{Entity, field_entity};
use crate::schema::Schema;

/// Every field or custom entity the model names that the schema lacks, in
/// document order.
pub(crate) fn check_against(model: &RuleModel, schema: &Schema) -> Vec<Problem> {
    let mut problems = Problems::default();
    let rules = Loc::root().key("rules", 0);
    for (i, rule) in model.rules.iter().enumerate() {
        let key = match rule.conditions {
            Conditions::When(_) => "when",
            Conditions::Any(_) => "any",
        };
        let list = rules.at(i).key(key, 0);
        for (j, condition) in rule.conditions.list().iter().enumerate() {
            let at = list.at(j);
            if let Some(name) = condition.entity.custom_entity()
                && !schema.has_entity(name)
            {
                let known: Vec<&str> = schema.entities().map(|e| e.as_str()).collect();
                let has = if known.is_empty() {
                    "the data has no custom entities".to_owned()
                } else {
                    format!("the custom entities are {}", suggest::one_of(&known))
                };
                let hint = suggest::did_you_mean(name.as_str(), known.iter().copied());
                problems.add(
                    &at.key("entity", 0),
                    format!("no custom entity `{name}` in the data{hint}; {has}"),
                );
            }
            let entity = Entity::of_path(&condition.entity);
            let hops = condition.entity.hops.len();
            for (k, filter) in condition.filters.iter().enumerate() {
                let Ok(record) = field_entity(&entity, hops, &filter.field) else {
                    continue;
                };
                let Some(fields) = schema.fields(&record.record_type()) else {
                    continue;
                };
                if fields.contains(&filter.field.name.as_str()) {
                    continue;
                }
                let hint = suggest::did_you_mean(&filter.field.name, fields.iter().copied());
                let whole = if filter.field.hops.is_empty() {
                    String::new()
                } else {
                    format!("`{}`: ", filter.field)
                };
                problems.add(
                    &at.key("where", 1).at(k).key("field", 0),
                    format!(
                        "{whole}{} has no field `{}`{hint}; its fields are {}",
                        record.describe(),
                        filter.field.name,
                        fields.join(", ")
                    ),
                );
            }
        }
    }
    problems.into_sorted()
}
