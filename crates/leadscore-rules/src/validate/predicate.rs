//! Filters (`where`): the field, the operator, and a value of the operator's shape.

use leadscore_domain::Timestamp;
use serde_json::Value;

use super::{Loc, Obj, Problems, all, describe, list, suggest, text};
use crate::model::{FieldPath, OPERATORS, Op, Operand, OperandKind, Predicate, Scalar};
use crate::paths::{Entity, field_entity, parse_field};

const PREDICATE_KEYS: [&str; 3] = ["field", "op", "value"];

/// Other names people write for the operators.
const ALIASES: [(&str, &[&str]); 14] = [
    (
        "eq",
        &[
            "=",
            "==",
            "equals",
            "equal",
            "is",
            "equal_to",
            "equals_to",
            "is_equal",
        ],
    ),
    (
        "ne",
        &[
            "!=",
            "<>",
            "not_equals",
            "not_equal",
            "is_not",
            "neq",
            "not_eq",
            "not_equal_to",
        ],
    ),
    ("lt", &["<", "less_than", "lower_than", "before", "below"]),
    (
        "le",
        &[
            "<=",
            "=<",
            "lte",
            "less_than_or_equal",
            "less_or_equal",
            "at_most",
        ],
    ),
    ("gt", &[">", "greater_than", "more_than", "after", "above"]),
    (
        "ge",
        &[
            ">=",
            "=>",
            "gte",
            "greater_than_or_equal",
            "greater_or_equal",
            "at_least",
        ],
    ),
    (
        "contains",
        &["includes", "include", "has", "like", "contain"],
    ),
    (
        "not_contains",
        &[
            "not_includes",
            "does_not_contain",
            "excludes",
            "not_like",
            "not_contain",
        ],
    ),
    (
        "starts_with",
        &["startswith", "begins_with", "prefix", "starts"],
    ),
    ("ends_with", &["endswith", "suffix", "ends"]),
    ("in", &["one_of", "any_of", "in_list", "is_in"]),
    ("not_in", &["notin", "none_of", "not_one_of", "is_not_in"]),
    (
        "is_empty",
        &[
            "empty",
            "is_null",
            "null",
            "missing",
            "absent",
            "is_missing",
            "not_set",
            "blank",
        ],
    ),
    (
        "is_not_empty",
        &[
            "not_empty",
            "is_not_null",
            "not_null",
            "exists",
            "present",
            "is_present",
            "is_set",
        ],
    ),
];

/// The operator the user most likely meant.
fn suggest_op(name: &str) -> Option<&'static str> {
    let folded: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    if let Some(op) = Op::parse(&folded) {
        return Some(op.as_str());
    }
    if let Some((op, _)) = ALIASES
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
    {
        return Some(op);
    }
    suggest::nearest(&folded, OPERATORS.iter().map(|(_, n)| *n))
}

fn op(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Op> {
    let name = text(value, loc, problems)?;
    if let Some(op) = Op::parse(name) {
        return Some(op);
    }
    let hint = suggest_op(name)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default();
    let known: Vec<&str> = OPERATORS.iter().map(|(_, n)| *n).collect();
    problems.add(
        loc,
        format!(
            "unknown operator \"{name}\"{hint}; the operators are {}",
            suggest::one_of(&known)
        ),
    );
    None
}

/// `where`: a list of filters, on the record the condition's entity reaches
/// (`at`: that record and the hops taken to it, when the entity could be read).
pub(super) fn filters(
    value: &Value,
    loc: &Loc,
    at: Option<&(Entity, usize)>,
    problems: &mut Problems,
) -> Option<Vec<Predicate>> {
    let items = list(value, loc, "filters ({ field, op, value })", problems)?;
    let read = items
        .iter()
        .enumerate()
        .map(|(i, item)| predicate(item, &loc.at(i), at, problems))
        .collect();
    all(read)
}

fn field(
    value: &Value,
    loc: &Loc,
    at: Option<&(Entity, usize)>,
    problems: &mut Problems,
) -> Option<FieldPath> {
    let text = text(value, loc, problems)?;
    let field = parse_field(text)
        .map_err(|e| problems.add(loc, e.to_string()))
        .ok()?;
    if let Some((entity, hops)) = at
        && let Err(e) = field_entity(entity, *hops, &field)
    {
        problems.add(loc, e.to_string());
        return None;
    }
    Some(field)
}

fn predicate(
    value: &Value,
    loc: &Loc,
    at: Option<&(Entity, usize)>,
    problems: &mut Problems,
) -> Option<Predicate> {
    let obj = Obj::new(value, loc, "a filter", &PREDICATE_KEYS, problems)?;
    let field = obj
        .required("field", "the field compared (city, Contact.city)", problems)
        .and_then(|(v, l)| field(v, &l, at, problems));
    let op = obj
        .required("op", "the comparison (eq, gt, in, is_empty, ...)", problems)
        .and_then(|(v, l)| op(v, &l, problems));
    let value = operand(op, &obj, problems);
    Some(Predicate {
        field: field?,
        op: op?,
        value: value?,
    })
}

/// The value, checked against the shape the operator takes. With an unknown
/// operator, only shapes that no operator takes are reported.
fn operand(op: Option<Op>, obj: &Obj<'_>, problems: &mut Problems) -> Option<Operand> {
    let given = obj.get("value");
    let Some(op) = op else {
        if let Some((value, loc)) = given {
            match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let _ = scalar(item, &loc.at(i), problems);
                    }
                }
                other => {
                    let _ = scalar(other, &loc, problems);
                }
            }
        }
        return None;
    };
    let name = op.as_str();
    let kind = op.operand_kind();
    let Some((value, loc)) = given else {
        if kind == OperandKind::Nothing {
            return Some(Operand::Nothing);
        }
        let example = match kind {
            OperandKind::List => "a list, such as [Web, Referral]",
            OperandKind::Ordered => "a number or a date",
            _ => "a text, number or boolean",
        };
        problems.add(
            obj.loc(),
            format!("missing required key `value`: {name} compares with {example}"),
        );
        return None;
    };
    match kind {
        OperandKind::Nothing => {
            problems.add(
                &loc,
                format!(
                    "{name} takes no value: remove `value` (found {})",
                    describe(value)
                ),
            );
            None
        }
        OperandKind::Scalar => {
            if let Value::Array(_) = value {
                problems.add(
                    &loc,
                    format!("{name} compares with one value, found a list; to compare with several use in or not_in"),
                );
                return None;
            }
            scalar(value, &loc, problems).map(Operand::Scalar)
        }
        OperandKind::Ordered => ordered(name, value, &loc, problems).map(Operand::Scalar),
        OperandKind::List => {
            let Value::Array(items) = value else {
                problems.add(
                    &loc,
                    format!(
                        "{name} takes a list, such as [Web, Referral]; found {}",
                        describe(value)
                    ),
                );
                return None;
            };
            if items.is_empty() {
                problems.add(&loc, format!("{name} needs at least one value in its list"));
                return None;
            }
            let read = items
                .iter()
                .enumerate()
                .map(|(i, item)| scalar(item, &loc.at(i), problems))
                .collect();
            all(read).map(Operand::List)
        }
    }
}

/// A text, number or boolean.
fn scalar(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Scalar> {
    let message = match value {
        Value::Bool(b) => return Some(Scalar::Bool(*b)),
        Value::String(s) => return Some(Scalar::Text(s.clone())),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return Some(Scalar::Integer(i));
            }
            if let Some(f) = n.as_f64() {
                return Some(Scalar::Number(f));
            }
            format!("cannot read the number {n}")
        }
        Value::Null => {
            "the value is empty (null); to test for an absent value use the operator is_empty"
                .to_owned()
        }
        Value::Array(_) => {
            "a list inside the list: write a flat list of texts, numbers or booleans".to_owned()
        }
        Value::Object(_) => {
            "the value is a mapping; a filter compares with a text, number or boolean (quote a text that holds `: `)".to_owned()
        }
    };
    problems.add(loc, message);
    None
}

/// A number, or a text that reads as a date or time.
fn ordered(name: &str, value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Scalar> {
    match value {
        Value::Number(_) => scalar(value, loc, problems),
        Value::String(s) if Timestamp::parse(s).is_ok() => Some(Scalar::Text(s.clone())),
        Value::String(s) => {
            let looks_like_a_date =
                s.trim().starts_with(|c: char| c.is_ascii_digit()) && s.contains(['-', ':']);
            let message = if s.trim().parse::<f64>().is_ok() {
                format!("{name} compares numbers or dates; write the number {s} without quotes")
            } else if let (true, Err(e)) = (looks_like_a_date, Timestamp::parse(s)) {
                format!("{name} compares numbers or dates: {e}")
            } else {
                format!(
                    "{name} compares numbers or dates; \"{s}\" is neither \
                     (write a number, or a date such as 2026-03-01)"
                )
            };
            problems.add(loc, message);
            None
        }
        Value::Bool(b) => {
            problems.add(
                loc,
                format!("{name} compares numbers or dates, not the boolean {b}"),
            );
            None
        }
        Value::Array(_) => {
            problems.add(
                loc,
                format!("{name} compares with one number or date, found a list"),
            );
            None
        }
        other => scalar(other, loc, problems),
    }
}
