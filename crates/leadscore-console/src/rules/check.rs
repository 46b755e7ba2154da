//! Checking a draft: the rules library reads it (every mistake located), the
//! engine's own check for storing runs on it, and then it is set against the
//! store's data: fields no record has (the library's check against a
//! schema) and filter values no record holds (`Referal` where the records
//! say `Referral`; the library's [`RuleModel::unseen_values`]). Each
//! problem is placed at the form field it belongs to.

use std::collections::BTreeSet;

use leadscore_engine::model_registry;
use leadscore_rules::{RuleModel, RulesError};
use serde::Serialize;

use super::data::StoreData;
use super::draft::Draft;

/// A problem placed at a form field (`rules[0].points`), at a part of the
/// form (`rules[0]`, `grades[1]`), or at the model (`""`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The form field's (or part's) name.
    pub field: String,
    /// The element id the page gives it.
    pub id: String,
    /// What is wrong.
    pub message: String,
}

/// What checking a draft found.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// The model, when the library read it without a problem.
    pub model: Option<RuleModel>,
    /// Mistakes: nothing is saved while there is one.
    pub problems: Vec<FieldProblem>,
    /// Disagreements with the store's data (a field or a value no record
    /// has): saving needs "save anyway".
    pub warnings: Vec<FieldProblem>,
}

impl Checked {
    /// True when the draft may be saved (`anyway`: the data warnings were
    /// accepted).
    pub fn savable(&self, anyway: bool) -> bool {
        self.model.is_some() && self.problems.is_empty() && (anyway || self.warnings.is_empty())
    }
}

/// The element id of a form field or part (`rules[0].when[1].op` is
/// `f-rules-0-when-1-op`; the model itself is `f-model`).
pub fn field_id(name: &str) -> String {
    if name.is_empty() {
        return "f-model".to_owned();
    }
    let mut id = String::from("f-");
    for c in name.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' => id.push(c),
            _ => id.push('_'),
        }
    }
    id
}

/// The form's field names (those the page renders; problems are matched
/// against them).
pub fn field_names(draft: &Draft) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for n in ["name", "target", "sales_ready", "floor"] {
        names.insert(n.to_owned());
    }
    for (g, _) in draft.grades.iter().enumerate() {
        for leaf in ["name", "min", "max"] {
            names.insert(format!("grades[{g}].{leaf}"));
        }
    }
    for (r, rule) in draft.rules.iter().enumerate() {
        for leaf in ["name", "combine", "points", "cap"] {
            names.insert(format!("rules[{r}].{leaf}"));
        }
        for (c, cond) in rule.conditions.iter().enumerate() {
            for leaf in [
                "entity",
                "frequency",
                "count",
                "within",
                "since",
                "half_life",
            ] {
                names.insert(format!("rules[{r}].when[{c}].{leaf}"));
            }
            for (f, _) in cond.filters.iter().enumerate() {
                for leaf in ["field", "op", "value"] {
                    names.insert(format!("rules[{r}].when[{c}].where[{f}].{leaf}"));
                }
            }
        }
    }
    names
}

/// The parts of the form that show their own problems (besides fields).
fn parts(draft: &Draft) -> BTreeSet<String> {
    let mut parts = BTreeSet::from([String::new(), "grades".to_owned()]);
    for g in 0..draft.grades.len() {
        parts.insert(format!("grades[{g}]"));
    }
    for (r, rule) in draft.rules.iter().enumerate() {
        parts.insert(format!("rules[{r}]"));
        for (c, cond) in rule.conditions.iter().enumerate() {
            parts.insert(format!("rules[{r}].when[{c}]"));
            for f in 0..cond.filters.len() {
                parts.insert(format!("rules[{r}].when[{c}].where[{f}]"));
            }
        }
    }
    parts
}

/// Where a problem at a document path is shown: the field of that name, or
/// the nearest enclosing one the form has. A missing key is shown at its
/// field (`missing required key \`points\`` at `rules[0]` is shown at
/// `rules[0].points`).
pub fn place(
    path: &str,
    message: &str,
    fields: &BTreeSet<String>,
    parts: &BTreeSet<String>,
) -> String {
    let path = path.replace(".any[", ".when[").replace(".any", ".when");
    let missing = message
        .strip_prefix("missing required key `")
        .or_else(|| message.strip_prefix("missing `"))
        .and_then(|rest| rest.split('`').next());
    if let Some(key) = missing {
        let at = if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        };
        if fields.contains(&at) {
            return at;
        }
    }
    let segments: Vec<&str> = if path.is_empty() {
        Vec::new()
    } else {
        path.split('.').collect()
    };
    for k in (0..=segments.len()).rev() {
        let joined = segments[..k].join(".");
        let bare = match joined.rfind('[') {
            Some(i) if joined.ends_with(']') => joined[..i].to_owned(),
            _ => joined.clone(),
        };
        for candidate in [&joined, &bare] {
            if fields.contains(candidate) || parts.contains(candidate) {
                return candidate.clone();
            }
        }
    }
    String::new()
}

fn placed(
    path: &str,
    message: String,
    fields: &BTreeSet<String>,
    parts: &BTreeSet<String>,
) -> FieldProblem {
    let field = place(path, &message, fields, parts);
    FieldProblem {
        id: field_id(&field),
        field,
        message,
    }
}

/// Checks a draft: the library's reading, the engine's check for storing,
/// and (with the store's data) fields and values no record has. `taken`:
/// the names of the other stored models (a new model may not take one).
pub fn check(draft: &Draft, data: Option<&StoreData>, taken: &[String]) -> Checked {
    let fields = field_names(draft);
    let parts = parts(draft);
    let at = |path: &str, message: String| placed(path, message, &fields, &parts);
    let model = match RuleModel::from_value(draft.document()) {
        Ok(model) => model,
        Err(RulesError::Invalid { problems }) => {
            return Checked {
                model: None,
                problems: problems
                    .into_iter()
                    .map(|p| at(&p.path, p.message))
                    .collect(),
                warnings: Vec::new(),
            };
        }
        Err(other) => {
            return Checked {
                model: None,
                problems: vec![at("", other.to_string())],
                warnings: Vec::new(),
            };
        }
    };
    let mut problems = Vec::new();
    if let Err(refusal) = model_registry::check_rule_model(&model) {
        let (path, message) = match refusal.message.split_once(": ") {
            Some((path, rest)) if fields.contains(path) => (path.to_owned(), rest.to_owned()),
            _ => (String::new(), refusal.message.clone()),
        };
        problems.push(at(&path, message));
    }
    if taken.contains(&model.name) && model.name != draft.original {
        problems.push(at(
            "name",
            format!(
                "another model is named \"{}\": open it to change it, or choose another name",
                model.name
            ),
        ));
    }
    let mut warnings = Vec::new();
    if let Some(data) = data {
        if let Err(RulesError::Invalid { problems }) = model.validate_against(&data.schema) {
            warnings.extend(
                problems
                    .into_iter()
                    .map(|p| at(&p.path, format!("{} (in the store's data)", p.message))),
            );
        }
        let whose = if data.sample.is_some() {
            "of those read from the store (a sample of each kind)"
        } else {
            "in the store"
        };
        for p in model.unseen_values(&data.values, whose) {
            warnings.push(at(&p.path, p.message));
        }
    }
    Checked {
        model: Some(model),
        problems,
        warnings,
    }
}

pub use leadscore_rules::record_name;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn problems_land_at_their_fields() {
        let mut draft = Draft::blank();
        draft.name = "M".into();
        draft.rules[0].combine = "any".into();
        let fields = field_names(&draft);
        let parts = parts(&draft);
        let at = |path: &str, message: &str| place(path, message, &fields, &parts);
        assert_eq!(
            at("rules[0]", "missing required key `points`: ..."),
            "rules[0].points"
        );
        assert_eq!(
            at("rules[0].any[0].entity", "unknown"),
            "rules[0].when[0].entity"
        );
        assert_eq!(at("rules[0].any", "at most one each"), "rules[0]");
        assert_eq!(at("rules[5].name", "x"), "");
        assert_eq!(field_id("rules[0].when[1].op"), "f-rules-0-when-1-op");
    }
}
