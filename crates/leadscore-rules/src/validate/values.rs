//! Checking a model's filter values against the values the records hold: a
//! text compared for equality (`eq`, `ne`, `in`, `not_in`) that no record of
//! that field holds is most often a typo (`Referal` where the records say
//! `Referral`). Only fields whose every value is known are checked (a field
//! with more distinct values than were counted could hold it).

use leadscore_domain::suggest::nearest;
use leadscore_domain::{ObservedField, RecordType};

use super::{Loc, Problems};
use crate::model::{Condition, Op, Operand, Scalar};

/// The most of a field's values a message lists, before `...`.
const SHOWN: usize = 12;

/// A record type as people say it (`lead`, `Meeting record`).
pub fn record_name(record: &RecordType) -> String {
    match record {
        RecordType::Lead => "lead".to_owned(),
        RecordType::Contact => "contact".to_owned(),
        RecordType::Account => "account".to_owned(),
        RecordType::Interaction => "interaction".to_owned(),
        RecordType::Custom(name) => format!("{name} record"),
    }
}

/// The texts a filter compares a field with for equality, or none for
/// another operator.
fn compared_texts(op: Op, value: &Operand) -> Vec<&str> {
    if !matches!(op, Op::Eq | Op::Ne | Op::In | Op::NotIn) {
        return Vec::new();
    }
    match value {
        Operand::Scalar(Scalar::Text(t)) => vec![t.as_str()],
        Operand::List(items) => items
            .iter()
            .filter_map(|s| match s {
                Scalar::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Records, at `...where[k].value`, every text the conditions compare a field
/// with that no record holds (letter case aside), with the nearest value
/// held and the values held. `whose` says where the records are, after the
/// record type: `in the store`, `in data/`.
pub(crate) fn values_against(
    conditions: &[(Loc, &Condition)],
    observed: &[ObservedField],
    whose: &str,
    problems: &mut Problems,
) {
    for (at, condition) in conditions {
        for (k, filter) in condition.filters.iter().enumerate() {
            let texts = compared_texts(filter.op, &filter.value);
            if texts.is_empty() {
                continue;
            }
            let Some(record) = condition.field_record(&filter.field) else {
                continue;
            };
            let Some(known) = observed
                .iter()
                .find(|o| o.record == record && o.field == filter.field.name)
            else {
                continue;
            };
            if !known.complete() {
                continue;
            }
            let values: Vec<&str> = known.values.iter().map(|v| v.value.as_str()).collect();
            for text in texts {
                if values.iter().any(|v| v.eq_ignore_ascii_case(text)) {
                    continue;
                }
                let hint = nearest(text, values.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                let shown: Vec<&str> = values.iter().take(SHOWN).copied().collect();
                let more = if values.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                };
                problems.add(
                    &at.key("where", 1).at(k).key("value", 2),
                    format!(
                        "no {} {whose} has {} `{text}`{hint}; its values are {}{more}",
                        record_name(&record),
                        filter.field.name,
                        shown.join(", ")
                    ),
                );
            }
        }
    }
}
