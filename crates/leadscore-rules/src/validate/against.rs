//! Checking a model against a [`Schema`]: fields and custom entities that the
//! data really has. The conditions checked are a loaded model's, or those of
//! a document that reads fine on their own (so that a model with a mistake
//! elsewhere still has its fields checked).

use serde_json::Value;

use super::rule::condition;
use super::{Loc, Problems, suggest};
use crate::error::Problem;
use crate::model::{Condition, Conditions, RuleModel};
use crate::paths::{Entity, field_entity};
use crate::schema::Schema;

/// The conditions of a loaded model with their places
/// (`rules[i].when[j]` or `rules[i].any[j]`), in document order.
pub(crate) fn model_conditions(model: &RuleModel) -> Vec<(Loc, &Condition)> {
    let rules = Loc::root().key("rules", 0);
    let mut out = Vec::new();
    for (i, rule) in model.rules.iter().enumerate() {
        let key = match rule.conditions {
            Conditions::When(_) => "when",
            Conditions::Any(_) => "any",
        };
        let list = rules.at(i).key(key, 0);
        for (j, condition) in rule.conditions.list().iter().enumerate() {
            out.push((list.at(j), condition));
        }
    }
    out
}

/// Every condition of a document that reads without a problem on its own,
/// with its place, whether or not the rest of the document does: so that a
/// model with a mistake elsewhere still has its fields checked. Each
/// condition's own problems are left to the model's reading.
pub(crate) fn document_conditions(document: &Value) -> Vec<(Loc, Condition)> {
    let mut out = Vec::new();
    let Value::Object(top) = document else {
        return out;
    };
    let Some((index, Value::Array(rules))) = top
        .iter()
        .enumerate()
        .find(|(_, (key, _))| key.as_str() == "rules")
        .map(|(index, (_, value))| (index, value))
    else {
        return out;
    };
    let rules_loc = Loc::root().key("rules", index);
    for (i, rule) in rules.iter().enumerate() {
        let Value::Object(keys) = rule else {
            continue;
        };
        for (k, (key, list)) in keys.iter().enumerate() {
            if key != "when" && key != "any" {
                continue;
            }
            let Value::Array(items) = list else {
                continue;
            };
            let list_loc = rules_loc.at(i).key(key, k);
            for (j, item) in items.iter().enumerate() {
                let at = list_loc.at(j);
                if let (Some(condition), _) = condition(item, &at, &mut Problems::default()) {
                    out.push((at, condition));
                }
            }
        }
    }
    out
}

/// Every field or custom entity the model names that the schema lacks, in
/// document order.
pub(crate) fn check_against(model: &RuleModel, schema: &Schema) -> Vec<Problem> {
    let mut problems = Problems::default();
    fields_against(&model_conditions(model), schema, &mut problems);
    problems.into_sorted()
}

/// Records every field or custom entity the conditions name that the schema
/// lacks, at `...entity` or `...where[k].field`.
pub(crate) fn fields_against(
    conditions: &[(Loc, &Condition)],
    schema: &Schema,
    problems: &mut Problems,
) {
    for (at, condition) in conditions {
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
