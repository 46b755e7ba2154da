//! The model's top level and its grades.

use serde_json::Value;

use super::{Loc, Obj, Problems, integer, list, name, rule, suggest, text};
use crate::model::{Grade, RuleModel, Target};

const MODEL_KEYS: [&str; 6] = ["name", "target", "sales_ready", "grades", "floor", "rules"];
const GRADE_KEYS: [&str; 3] = ["name", "min", "max"];

/// The value under `key` read by `read`; `Some(None)` when the key is absent.
pub(super) fn optional<'a, T>(
    obj: &Obj<'a>,
    key: &str,
    read: impl FnOnce(&'a Value, &Loc) -> Option<T>,
) -> Option<Option<T>> {
    match obj.get(key) {
        None => Some(None),
        Some((value, loc)) => read(value, &loc).map(Some),
    }
}

/// The whole model.
pub(super) fn model(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<RuleModel> {
    let obj = Obj::new(value, loc, "the model", &MODEL_KEYS, problems)?;
    let model_name = obj
        .required("name", "every model has a unique name", problems)
        .and_then(|(v, l)| name(v, &l, "the model's name", problems));
    let target = obj
        .required("target", "contact or account", problems)
        .and_then(|(v, l)| read_target(v, &l, problems));
    let sales_ready = optional(&obj, "sales_ready", |v, l| integer(v, l, problems));
    let grades = optional(&obj, "grades", |v, l| grades(v, l, problems));
    let floor = optional(&obj, "floor", |v, l| integer(v, l, problems));
    let rules = obj
        .required("rules", "a model needs at least one rule", problems)
        .and_then(|(v, l)| rule::rules(v, &l, problems));
    Some(RuleModel {
        name: model_name?.to_owned(),
        target: target?,
        sales_ready: sales_ready?,
        grades: grades?.unwrap_or_default(),
        floor: floor?,
        rules: rules?,
    })
}

fn read_target(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Target> {
    match text(value, loc, problems)? {
        "contact" => Some(Target::Contact),
        "account" => Some(Target::Account),
        other => {
            let hint = suggest::did_you_mean(other, ["contact", "account"]);
            problems.add(
                loc,
                format!("unknown target \"{other}\"{hint}: expected contact or account"),
            );
            None
        }
    }
}

/// A grade as read, before the checks between grades. `None` in a bound means
/// it could not be read; `Some(None)` that it is absent.
struct ReadGrade {
    name: Option<String>,
    min: Option<Option<i64>>,
    max: Option<Option<i64>>,
    loc: Loc,
    name_loc: Loc,
    min_loc: Loc,
}

impl ReadGrade {
    fn label(&self) -> String {
        let range = match (self.min.flatten(), self.max.flatten()) {
            (Some(min), Some(max)) => format!("{min} to {max}"),
            (Some(min), None) => format!("{min} and above"),
            (None, Some(max)) => format!("up to {max}"),
            (None, None) => "every score".to_owned(),
        };
        format!("{} ({range})", self.name.as_deref().unwrap_or("?"))
    }
}

fn read_grade(value: &Value, loc: Loc, problems: &mut Problems) -> Option<ReadGrade> {
    let obj = Obj::new(value, &loc, "a grade", &GRADE_KEYS, problems)?;
    let grade_name = obj
        .required("name", "every grade has a name", problems)
        .and_then(|(v, l)| name(v, &l, "a grade's name", problems));
    let name_loc = obj.get("name").map_or_else(|| loc.clone(), |(_, l)| l);
    let min_loc = obj.get("min").map_or_else(|| loc.clone(), |(_, l)| l);
    Some(ReadGrade {
        name: grade_name.map(str::to_owned),
        min: optional(&obj, "min", |v, l| integer(v, l, problems)),
        max: optional(&obj, "max", |v, l| integer(v, l, problems)),
        loc,
        name_loc,
        min_loc,
    })
}

/// `grades`: continuous, non-overlapping, ascending ranges; only the first may be
/// open below and only the last open above.
fn grades(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<Vec<Grade>> {
    let items = list(value, loc, "grades ({ name, min, max })", problems)?;
    let read: Vec<Option<ReadGrade>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| read_grade(item, loc.at(i), problems))
        .collect();
    let count = read.len();
    let mut ok = true;
    for (i, grade) in read.iter().enumerate() {
        let Some(grade) = grade else {
            ok = false;
            continue;
        };
        ok &= grade.name.is_some() && grade.min.is_some() && grade.max.is_some();
        if let Some(name) = &grade.name
            && let Some(first) = read[..i]
                .iter()
                .position(|g| g.as_ref().and_then(|g| g.name.as_ref()) == Some(name))
        {
            ok = false;
            problems.add(
                &grade.name_loc,
                format!(
                    "grade name \"{name}\" is already used by {}",
                    loc.at(first).path()
                ),
            );
        }
        if i > 0 && grade.min == Some(None) {
            ok = false;
            problems.add(
                &grade.loc,
                "missing `min`: only the first grade may be open below",
            );
        }
        if i + 1 < count && grade.max == Some(None) {
            ok = false;
            problems.add(
                &grade.loc,
                "missing `max`: only the last grade may be open above",
            );
        }
        if let (Some(Some(min)), Some(Some(max))) = (grade.min, grade.max)
            && min > max
        {
            ok = false;
            problems.add(&grade.min_loc, format!("min {min} is above max {max}"));
        }
        if i > 0
            && let Some(previous) = &read[i - 1]
        {
            ok &= follows(previous, grade, problems);
        }
    }
    if !ok {
        return None;
    }
    let grades = read
        .into_iter()
        .flatten()
        .filter_map(|g| {
            Some(Grade {
                name: g.name?,
                min: g.min?,
                max: g.max?,
            })
        })
        .collect();
    Some(grades)
}

/// Checks that `grade` starts right after `previous` ends: no overlap, no gap,
/// ascending. True when it does (or when a bound is missing, reported elsewhere).
fn follows(previous: &ReadGrade, grade: &ReadGrade, problems: &mut Problems) -> bool {
    let (Some(Some(end)), Some(Some(start))) = (previous.max, grade.min) else {
        return true;
    };
    let (end, start) = (i128::from(end), i128::from(start));
    if start == end + 1 {
        return true;
    }
    let message = if start > end + 1 {
        format!(
            "gap between grade {} and grade {}: scores {} to {} have no grade",
            previous.label(),
            grade.label(),
            end + 1,
            start - 1
        )
    } else if previous
        .min
        .flatten()
        .is_some_and(|m| start < i128::from(m))
    {
        format!(
            "grades must ascend: grade {} starts below grade {} before it",
            grade.label(),
            previous.label()
        )
    } else {
        let last = grade.max.flatten().map_or(end, |m| end.min(i128::from(m)));
        format!(
            "grade {} overlaps grade {}: scores {start} to {last} are in both",
            grade.label(),
            previous.label()
        )
    };
    problems.add(&grade.min_loc, message);
    false
}
