//! Rules and their conditions.

use leadscore_domain::Timestamp;
use serde_json::Value;

use super::document::optional;
use super::{Loc, Obj, Problems, all, describe, integer, list, name, predicate, suggest, text};
use crate::model::{Condition, Conditions, EntityPath, Frequency, Rule, Span};
use crate::paths::{Entity, parse_entity};

const RULE_KEYS: [&str; 5] = ["name", "when", "any", "points", "cap"];
const CONDITION_KEYS: [&str; 7] = [
    "entity",
    "frequency",
    "count",
    "within",
    "since",
    "half_life",
    "where",
];
const FREQUENCIES: [&str; 3] = ["each", "at_least", "none"];

/// `rules`: a non-empty list of rules with unique names.
pub(super) fn rules(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Vec<Rule>> {
    let items = list(value, loc, "rules", problems)?;
    if items.is_empty() {
        problems.add(loc, "a model needs at least one rule");
        return None;
    }
    let mut names: Vec<Option<&str>> = Vec::with_capacity(items.len());
    let mut read = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let (rule, rule_name) = self::rule(item, &loc.at(i), problems);
        if let Some((text, name_loc)) = rule_name {
            if let Some(first) = names.iter().position(|n| *n == Some(text)) {
                problems.add(
                    &name_loc,
                    format!(
                        "rule name \"{text}\" is already used by {}; rule names must be unique in a model",
                        loc.at(first).path()
                    ),
                );
                read.push(None);
                names.push(None);
                continue;
            }
            names.push(Some(text));
        } else {
            names.push(None);
        }
        read.push(rule);
    }
    all(read)
}

/// One rule, and its name with the name's place (for the uniqueness check).
fn rule<'a>(
    value: &'a Value,
    loc: &Loc,
    problems: &mut Problems,
) -> (Option<Rule>, Option<(&'a str, Loc)>) {
    let Some(obj) = Obj::new(value, loc, "a rule", &RULE_KEYS, problems) else {
        return (None, None);
    };
    let rule_name = obj
        .required(
            "name",
            "every rule has a name, unique in its model",
            problems,
        )
        .and_then(|(v, l)| name(v, &l, "a rule's name", problems).map(|n| (n, l)));
    let conditions = conditions(&obj, problems);
    let points = obj
        .required("points", "the points the rule adds (an integer)", problems)
        .and_then(|(v, l)| integer(v, &l, problems));
    let cap = optional(&obj, "cap", |v, l| {
        let cap = integer(v, l, problems)?;
        if cap < 0 {
            problems.add(
                l,
                format!(
                    "cap {cap} is negative: a cap limits the absolute value, so write {}",
                    -i128::from(cap)
                ),
            );
            return None;
        }
        Some(cap)
    });
    let rule = (|| {
        Some(Rule {
            name: rule_name.as_ref()?.0.to_owned(),
            conditions: conditions?,
            points: points?,
            cap: cap?,
        })
    })();
    (rule, rule_name)
}

/// `when` or `any`: exactly one of them (both are still checked, to report every
/// problem), each a non-empty list.
fn conditions(obj: &Obj<'_>, problems: &mut Problems) -> Option<Conditions> {
    let (when, any) = (obj.get("when"), obj.get("any"));
    match (&when, &any) {
        (None, None) => {
            problems.add(
                obj.loc(),
                "missing `when` or `any`: a rule needs conditions, under `when` (all must hold) or `any` (one must hold)",
            );
            return None;
        }
        (Some((_, when_loc)), Some((_, any_loc))) => {
            let later = if when_loc.position < any_loc.position {
                any_loc
            } else {
                when_loc
            };
            problems.add(
                later,
                "a rule has either `when` (all hold) or `any` (one holds), not both",
            );
        }
        _ => {}
    }
    let when = when.map(|(v, l)| condition_list(v, &l, true, problems));
    let any = any.map(|(v, l)| condition_list(v, &l, false, problems));
    match (when, any) {
        (Some(list), None) => list.map(Conditions::When),
        (None, Some(list)) => list.map(Conditions::Any),
        _ => None,
    }
}

/// The conditions under `when` (`is_when`) or `any`: a non-empty list, with at
/// most one `each` condition under `when` and none under `any`.
fn condition_list(
    value: &Value,
    loc: &Loc,
    is_when: bool,
    problems: &mut Problems,
) -> Option<Vec<Condition>> {
    let key = if is_when { "when" } else { "any" };
    let items = list(value, loc, "conditions", problems)?;
    if items.is_empty() {
        problems.add(loc, format!("`{key}` needs at least one condition"));
        return None;
    }
    let mut read = Vec::with_capacity(items.len());
    let mut first_each: Option<Loc> = None;
    for (i, item) in items.iter().enumerate() {
        let cond_loc = loc.at(i);
        let (condition, each_at) = condition(item, &cond_loc, problems);
        let mut ok = condition.is_some();
        if let Some(each_loc) = each_at {
            if !is_when {
                problems.add(
                    &each_loc,
                    "an `any` rule cannot hold an `each` condition (the number of times its points are added would be ambiguous); use at_least",
                );
                ok = false;
            } else if let Some(first) = &first_each {
                problems.add(
                    &each_loc,
                    format!(
                        "a `when` rule may hold at most one `each` condition, and {} is already one; use at_least here",
                        first.path()
                    ),
                );
                ok = false;
            } else {
                first_each = Some(cond_loc.clone());
            }
        }
        read.push(condition.filter(|_| ok));
    }
    all(read)
}

fn frequency(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Frequency> {
    match text(value, loc, problems)? {
        "each" => Some(Frequency::Each),
        "at_least" => Some(Frequency::AtLeast),
        "none" => Some(Frequency::None),
        other => {
            let hint = suggest::did_you_mean(other, FREQUENCIES);
            problems.add(
                loc,
                format!(
                    "unknown frequency \"{other}\"{hint}: expected {}",
                    suggest::one_of(&FREQUENCIES)
                ),
            );
            None
        }
    }
}

fn span(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Span> {
    match value {
        Value::String(s) => Span::parse(s)
            .map_err(|message| problems.add(loc, message))
            .ok(),
        Value::Number(n) => {
            problems.add(
                loc,
                format!("{n} has no unit: write a time span such as {n}d (units d, w, h)"),
            );
            None
        }
        other => {
            problems.add(
                loc,
                format!(
                    "expected a time span such as 30d, found {}",
                    describe(other)
                ),
            );
            None
        }
    }
}

fn since(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Timestamp> {
    let text = text(value, loc, problems)?;
    Timestamp::parse(text)
        .map_err(|e| problems.add(loc, e.to_string()))
        .ok()
}

/// Says what kind of condition an entity path makes, for messages.
fn kind_of(path: &EntityPath) -> String {
    if path.is_timed() {
        format!("`{path}` is a condition over interactions")
    } else if path.is_behaviour() {
        format!("`{path}` is a condition over custom records, which carry no time")
    } else {
        format!("`{path}` is a fixed condition on profile data")
    }
}

/// One condition, and the place of its frequency when that is `each`.
pub(super) fn condition(
    value: &Value,
    loc: &Loc,
    problems: &mut Problems,
) -> (Option<Condition>, Option<Loc>) {
    let Some(obj) = Obj::new(value, loc, "a condition", &CONDITION_KEYS, problems) else {
        return (None, None);
    };
    let entity = obj
        .required(
            "entity",
            "what the condition looks at (an interaction kind, Lead, Contact, Account, or a path)",
            problems,
        )
        .and_then(|(v, l)| {
            let text = text(v, &l, problems)?;
            parse_entity(text)
                .map_err(|e| problems.add(&l, e.to_string()))
                .ok()
        });
    let frequency = optional(&obj, "frequency", |v, l| {
        let f = frequency(v, l, problems)?;
        if let Some(path) = &entity
            && !path.is_behaviour()
        {
            problems.add(
                l,
                format!(
                    "frequency applies only to behaviour conditions (an interaction kind or Lead.<CustomEntity>); {}",
                    kind_of(path)
                ),
            );
            return None;
        }
        Some(f)
    });
    let each_at = match frequency {
        Some(Some(Frequency::Each)) => obj.get("frequency").map(|(_, l)| l),
        _ => None,
    };
    let count = optional(&obj, "count", |v, l| {
        let n = integer(v, l, problems)?;
        if n < 1 || n > i64::from(u32::MAX) {
            problems.add(
                l,
                format!(
                    "count {n} is out of range: it must be between 1 and {}",
                    u32::MAX
                ),
            );
            return None;
        }
        match (&entity, frequency) {
            (Some(path), _) if !path.is_behaviour() => {
                problems.add(
                    l,
                    format!(
                        "count applies only to behaviour conditions; {}",
                        kind_of(path)
                    ),
                );
                None
            }
            (_, Some(Some(f))) if f != Frequency::AtLeast => {
                problems.add(
                    l,
                    format!(
                        "count goes only with frequency at_least, not {}",
                        f.as_str()
                    ),
                );
                None
            }
            _ => u32::try_from(n).ok(),
        }
    });
    let timed = |l: &Loc, key: &str, problems: &mut Problems| match &entity {
        Some(path) if !path.is_timed() => {
            problems.add(
                l,
                format!(
                    "{key} applies only to conditions over interactions; {}",
                    kind_of(path)
                ),
            );
            false
        }
        _ => true,
    };
    let within = optional(&obj, "within", |v, l| {
        let s = span(v, l, problems)?;
        timed(l, "within", problems).then_some(s)
    });
    let since_value = optional(&obj, "since", |v, l| {
        let t = since(v, l, problems)?;
        timed(l, "since", problems).then_some(t)
    });
    let both = if let (Some((_, wl)), Some((_, sl))) = (obj.get("within"), obj.get("since")) {
        let later = if wl.position < sl.position { sl } else { wl };
        problems.add(
            &later,
            "a condition has `within` (a window before the evaluation time) or `since` (a start date), not both",
        );
        true
    } else {
        false
    };
    let half_life = optional(&obj, "half_life", |v, l| {
        let s = span(v, l, problems)?;
        if !timed(l, "half_life", problems) {
            return None;
        }
        if let Some(f) = frequency.flatten()
            && f != Frequency::Each
        {
            problems.add(
                l,
                format!(
                    "half_life goes only with frequency: each, not {}",
                    f.as_str()
                ),
            );
            return None;
        }
        if frequency == Some(None) {
            problems.add(
                l,
                "half_life goes only with frequency: each (the default is at_least)",
            );
            return None;
        }
        Some(s)
    });
    let at = entity.as_ref().map(|p| (Entity::of_path(p), p.hops.len()));
    let filters = optional(&obj, "where", |v, l| {
        predicate::filters(v, l, at.as_ref(), problems)
    });
    let condition = (|| {
        if both {
            return None;
        }
        Some(Condition {
            entity: entity?,
            frequency: frequency?,
            count: count?,
            within: within?,
            since: since_value?,
            half_life: half_life?,
            filters: filters?.unwrap_or_default(),
        })
    })();
    (condition, each_at)
}
