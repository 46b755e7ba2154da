//! A routing rule's form: the text typed into its fields, read into a
//! [`RoutingRule`] with each problem named by its field, and the page
//! revision that guards against changes made on an out-of-date page.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use leadscore_engine::routing_rules::{RoutingConfig, RoutingRule};

use crate::Form;
use crate::html::escape;

/// A rule as its form holds it: text, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDraft {
    /// The target queue.
    pub queue: String,
    /// Grades, separated by commas.
    pub grades: String,
    /// The lowest score, or empty.
    pub min_score: String,
    /// The highest score, or empty.
    pub max_score: String,
    /// `yes`, `no` or empty (either).
    pub sales_ready: String,
    /// One `name = value` a line.
    pub fields: String,
}

/// Problems of one form, by field name (`queue`, `min_score`, ...; the
/// empty name for the form as a whole).
pub type FieldErrors = BTreeMap<String, String>;

impl RuleDraft {
    /// The form of a stored rule.
    pub fn of(rule: &RoutingRule) -> Self {
        Self {
            queue: rule.queue.clone(),
            grades: rule.grades.as_deref().unwrap_or_default().join(", "),
            min_score: rule.min_score.map(|n| n.to_string()).unwrap_or_default(),
            max_score: rule.max_score.map(|n| n.to_string()).unwrap_or_default(),
            sales_ready: match rule.sales_ready {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            fields: rule
                .fields
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The form as sent.
    pub(crate) fn from_form(form: &Form) -> Self {
        let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
        Self {
            queue: text("queue").trim().to_owned(),
            grades: text("grades"),
            min_score: text("min_score").trim().to_owned(),
            max_score: text("max_score").trim().to_owned(),
            sales_ready: text("sales_ready").trim().to_owned(),
            fields: text("fields"),
        }
    }

    /// The rule the form says, or the problems of its fields (those the
    /// document's validation checks come later, located the same way).
    pub fn to_rule(&self) -> Result<RoutingRule, FieldErrors> {
        let mut errors = FieldErrors::new();
        let all = [
            ("queue", &self.queue),
            ("grades", &self.grades),
            ("min_score", &self.min_score),
            ("max_score", &self.max_score),
            ("sales_ready", &self.sales_ready),
            ("fields", &self.fields),
        ];
        for (name, value) in all {
            if value.contains('\0') {
                errors.insert(
                    name.into(),
                    "a text cannot hold a NUL character (\\u0000)".into(),
                );
            }
        }
        let score = |name: &str, text: &str, errors: &mut FieldErrors| {
            if text.is_empty() {
                return None;
            }
            match text.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors
                        .entry(name.into())
                        .or_insert_with(|| format!("{text:?} is not a whole number"));
                    None
                }
            }
        };
        let min_score = score("min_score", &self.min_score, &mut errors);
        let max_score = score("max_score", &self.max_score, &mut errors);
        let grades: Vec<String> = self
            .grades
            .split(',')
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect();
        if grades.iter().any(|g| g.chars().any(char::is_control)) {
            errors
                .entry("grades".into())
                .or_insert_with(|| "a grade's name cannot hold a control character".into());
        }
        let sales_ready = match self.sales_ready.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.insert("sales_ready".into(), "choose either, yes or no".into());
                None
            }
        };
        let mut fields = BTreeMap::new();
        for (n, line) in self.fields.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                errors.entry("fields".into()).or_insert_with(|| {
                    format!(
                        "line {}: write name = value (such as source = Webinar)",
                        n + 1
                    )
                });
                continue;
            };
            let name = name.trim().to_owned();
            if fields
                .insert(name.clone(), value.trim().to_owned())
                .is_some()
            {
                errors
                    .entry("fields".into())
                    .or_insert_with(|| format!("line {}: {name:?} is given twice", n + 1));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RoutingRule {
            queue: self.queue.clone(),
            grades: (!grades.is_empty()).then_some(grades),
            min_score,
            max_score,
            sales_ready,
            fields,
        })
    }
}

/// The revision of a routing document, as pages carry it.
pub fn revision(config: &RoutingConfig) -> String {
    let mut hasher = DefaultHasher::new();
    format!("{config:?}").hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The `aria-describedby`/`aria-invalid` attributes and the message of a
/// field's problem (both empty without one).
pub fn field_problem(id: &str, problem: Option<&String>) -> (String, String) {
    match problem {
        Some(message) => (
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\""),
            format!(
                "<p class=\"field-error\" id=\"{id}-error\">{}</p>",
                escape(message)
            ),
        ),
        None => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_round_trips_through_its_form() {
        let draft = RuleDraft {
            queue: "senior-reps".into(),
            grades: "A, B,".into(),
            min_score: "50".into(),
            max_score: String::new(),
            sales_ready: "yes".into(),
            fields: "source = Webinar\n\ntopic=CRM".into(),
        };
        let rule = draft.to_rule().unwrap_or_default();
        assert_eq!(rule.grades, Some(vec!["A".to_owned(), "B".to_owned()]));
        assert_eq!(rule.min_score, Some(50));
        assert_eq!(rule.fields.get("topic").map(String::as_str), Some("CRM"));
        assert_eq!(RuleDraft::of(&rule).to_rule().unwrap_or_default(), rule);
    }

    #[test]
    fn bad_fields_are_named() {
        let draft = RuleDraft {
            queue: "q".into(),
            min_score: "ten".into(),
            sales_ready: "maybe".into(),
            fields: "source Webinar".into(),
            ..RuleDraft::default()
        };
        let errors = draft.to_rule().err().unwrap_or_default();
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(names, ["fields", "min_score", "sales_ready"]);
    }
}
