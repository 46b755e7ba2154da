//! The designer's form as data: every field as the text typed (a draft may be
//! wrong in any way), read from a posted form or from a model, changed by the
//! add and remove buttons, and written as the document the rules library
//! reads ([`Draft::document`]), so every check is the library's own.
//!
//! Form field names are the document's own paths (`rules[0].when[1].where[2].op`),
//! so that a problem the library reports at a path is shown at the field of
//! that name. A rule's conditions are always named `when` in the form; the
//! rule's `combine` field says whether they are written as `when` or `any`.

use leadscore_rules::{Conditions, RuleModel};
use serde_json::{Map, Number, Value};

use super::values::{date_text, operand_text, scalar, split_list};

/// One filter of a condition (`field op value`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterDraft {
    /// The field (`source`, `Contact.city`).
    pub field: String,
    /// The operator's name (`eq`).
    pub op: String,
    /// The value: one scalar, or a comma-separated list for `in` / `not_in`.
    pub value: String,
}

/// One condition of a rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConditionDraft {
    /// The entity path.
    pub entity: String,
    /// `each`, `at_least`, `none` or empty.
    pub frequency: String,
    /// With `at_least`: how many.
    pub count: String,
    /// A window (`30d`).
    pub within: String,
    /// A start date.
    pub since: String,
    /// A half-life (`14d`).
    pub half_life: String,
    /// The filters.
    pub filters: Vec<FilterDraft>,
}

/// One rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDraft {
    /// Its name.
    pub name: String,
    /// `when` (all hold) or `any` (one holds).
    pub combine: String,
    /// Points, as typed.
    pub points: String,
    /// The cap, as typed.
    pub cap: String,
    /// The conditions.
    pub conditions: Vec<ConditionDraft>,
}

/// One grade.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GradeDraft {
    /// Its name.
    pub name: String,
    /// Lowest score, as typed (empty: open below).
    pub min: String,
    /// Highest score, as typed (empty: open above).
    pub max: String,
}

/// The whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// The stored model this draft edits (empty for a new one).
    pub original: String,
    /// The model's name.
    pub name: String,
    /// `contact` or `account`.
    pub target: String,
    /// The sales-ready threshold, as typed.
    pub sales_ready: String,
    /// The floor, as typed.
    pub floor: String,
    /// The grades.
    pub grades: Vec<GradeDraft>,
    /// The rules.
    pub rules: Vec<RuleDraft>,
}

/// A form key read as a path: `rules[0].when[1].op` is
/// `[("rules", Some(0)), ("when", Some(1)), ("op", None)]`.
fn segments(key: &str) -> Option<Vec<(&str, Option<usize>)>> {
    key.split('.')
        .map(|part| match part.split_once('[') {
            Some((name, rest)) => {
                let index = rest.strip_suffix(']')?.parse().ok()?;
                Some((name, Some(index)))
            }
            None => Some((part, None)),
        })
        .collect()
}

/// The entry at `index`, growing the list with empty entries to reach it
/// (a form never holds more than it shows; the bound keeps a forged one
/// small).
fn slot<T: Default>(list: &mut Vec<T>, index: usize) -> Option<&mut T> {
    if index >= MAX_ITEMS {
        return None;
    }
    while list.len() <= index {
        list.push(T::default());
    }
    list.get_mut(index)
}

/// The most grades, rules, conditions or filters a posted form may hold.
const MAX_ITEMS: usize = 200;

impl Draft {
    /// An empty model with one empty rule and condition, ready to fill.
    pub fn blank() -> Self {
        Self {
            target: "contact".to_owned(),
            rules: vec![RuleDraft {
                combine: "when".to_owned(),
                conditions: vec![ConditionDraft::default()],
                ..RuleDraft::default()
            }],
            ..Self::default()
        }
    }

    /// Reads the designer's posted fields (other fields are ignored).
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut draft = Self::default();
        for (key, value) in pairs {
            draft.set(key, value.clone());
        }
        draft
    }

    fn set(&mut self, key: &str, value: String) {
        let Some(path) = segments(key) else { return };
        match path.as_slice() {
            [("original", None)] => self.original = value,
            [("name", None)] => self.name = value,
            [("target", None)] => self.target = value,
            [("sales_ready", None)] => self.sales_ready = value,
            [("floor", None)] => self.floor = value,
            [("grades", Some(g)), (leaf, None)] => {
                let Some(grade) = slot(&mut self.grades, *g) else {
                    return;
                };
                match *leaf {
                    "name" => grade.name = value,
                    "min" => grade.min = value,
                    "max" => grade.max = value,
                    _ => {}
                }
            }
            [("rules", Some(r)), rest @ ..] => {
                let Some(rule) = slot(&mut self.rules, *r) else {
                    return;
                };
                match rest {
                    [("name", None)] => rule.name = value,
                    [("combine", None)] => rule.combine = value,
                    [("points", None)] => rule.points = value,
                    [("cap", None)] => rule.cap = value,
                    [("when", Some(c)), rest @ ..] => {
                        let Some(cond) = slot(&mut rule.conditions, *c) else {
                            return;
                        };
                        cond.set(rest, value);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// The draft of a stored (valid) model.
    pub fn of_model(model: &RuleModel, original: &str) -> Self {
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        Self {
            original: original.to_owned(),
            name: model.name.clone(),
            target: model.target.as_str().to_owned(),
            sales_ready: text(model.sales_ready),
            floor: text(model.floor),
            grades: model
                .grades
                .iter()
                .map(|g| GradeDraft {
                    name: g.name.clone(),
                    min: text(g.min),
                    max: text(g.max),
                })
                .collect(),
            rules: model
                .rules
                .iter()
                .map(|r| RuleDraft {
                    name: r.name.clone(),
                    combine: match r.conditions {
                        Conditions::When(_) => "when",
                        Conditions::Any(_) => "any",
                    }
                    .to_owned(),
                    points: r.points.to_string(),
                    cap: text(r.cap),
                    conditions: r
                        .conditions
                        .list()
                        .iter()
                        .map(|c| ConditionDraft {
                            entity: c.entity.to_string(),
                            frequency: c
                                .frequency
                                .map(|f| f.as_str().to_owned())
                                .unwrap_or_default(),
                            count: c.count.map(|n| n.to_string()).unwrap_or_default(),
                            within: c.within.map(|s| s.to_string()).unwrap_or_default(),
                            since: c.since.map(date_text).unwrap_or_default(),
                            half_life: c.half_life.map(|s| s.to_string()).unwrap_or_default(),
                            filters: c
                                .filters
                                .iter()
                                .map(|p| FilterDraft {
                                    field: p.field.to_string(),
                                    op: p.op.as_str().to_owned(),
                                    value: operand_text(&p.value),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Applies an add or remove button of the form (`add_rule`,
    /// `remove_rule` = `2`, `add_condition` = `2`, `remove_condition` =
    /// `2.0`, `add_filter` = `2.0`, `remove_filter` = `2.0.1`, `add_grade`,
    /// `remove_grade` = `1`); true when one was pressed.
    pub fn apply_button(&mut self, pairs: &[(String, String)]) -> bool {
        let at = |v: &str| -> Vec<usize> { v.split('.').filter_map(|n| n.parse().ok()).collect() };
        for (name, value) in pairs {
            let idx = at(value);
            let done = match (name.as_str(), idx.as_slice()) {
                ("add_rule", _) => {
                    self.rules.push(RuleDraft {
                        combine: "when".to_owned(),
                        conditions: vec![ConditionDraft::default()],
                        ..RuleDraft::default()
                    });
                    true
                }
                ("remove_rule", [r]) => remove(&mut self.rules, *r),
                ("add_condition", [r]) => self.rules.get_mut(*r).is_some_and(|rule| {
                    rule.conditions.push(ConditionDraft::default());
                    true
                }),
                ("remove_condition", [r, c]) => self
                    .rules
                    .get_mut(*r)
                    .is_some_and(|rule| remove(&mut rule.conditions, *c)),
                ("add_filter", [r, c]) => self
                    .rules
                    .get_mut(*r)
                    .and_then(|rule| rule.conditions.get_mut(*c))
                    .is_some_and(|cond| {
                        cond.filters.push(FilterDraft {
                            op: "eq".to_owned(),
                            ..FilterDraft::default()
                        });
                        true
                    }),
                ("remove_filter", [r, c, f]) => self
                    .rules
                    .get_mut(*r)
                    .and_then(|rule| rule.conditions.get_mut(*c))
                    .is_some_and(|cond| remove(&mut cond.filters, *f)),
                ("add_grade", _) => {
                    self.grades.push(GradeDraft::default());
                    true
                }
                ("remove_grade", [g]) => remove(&mut self.grades, *g),
                _ => false,
            };
            if done {
                return true;
            }
        }
        false
    }

    /// The draft as the document the rules library reads: what was typed,
    /// numbers where a number was typed, empty optional fields left out
    /// (empty required ones kept empty, so the library names them).
    pub fn document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("name".into(), Value::String(self.name.trim().to_owned()));
        doc.insert(
            "target".into(),
            Value::String(self.target.trim().to_owned()),
        );
        put_number(&mut doc, "sales_ready", &self.sales_ready);
        if !self.grades.is_empty() {
            let grades = self
                .grades
                .iter()
                .map(|g| {
                    let mut m = Map::new();
                    m.insert("name".into(), Value::String(g.name.trim().to_owned()));
                    put_number(&mut m, "min", &g.min);
                    put_number(&mut m, "max", &g.max);
                    Value::Object(m)
                })
                .collect();
            doc.insert("grades".into(), Value::Array(grades));
        }
        put_number(&mut doc, "floor", &self.floor);
        let rules = self
            .rules
            .iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("name".into(), Value::String(r.name.trim().to_owned()));
                let key = if r.combine == "any" { "any" } else { "when" };
                let conditions = r.conditions.iter().map(ConditionDraft::document).collect();
                m.insert(key.into(), Value::Array(conditions));
                if r.points.trim().is_empty() {
                    m.insert("points".into(), Value::String(String::new()));
                } else {
                    put_number(&mut m, "points", &r.points);
                }
                put_number(&mut m, "cap", &r.cap);
                Value::Object(m)
            })
            .collect();
        doc.insert("rules".into(), Value::Array(rules));
        Value::Object(doc)
    }
}

impl ConditionDraft {
    fn set(&mut self, rest: &[(&str, Option<usize>)], value: String) {
        match rest {
            [("entity", None)] => self.entity = value,
            [("frequency", None)] => self.frequency = value,
            [("count", None)] => self.count = value,
            [("within", None)] => self.within = value,
            [("since", None)] => self.since = value,
            [("half_life", None)] => self.half_life = value,
            [("where", Some(f)), (leaf, None)] => {
                let Some(filter) = slot(&mut self.filters, *f) else {
                    return;
                };
                match *leaf {
                    "field" => filter.field = value,
                    "op" => filter.op = value,
                    "value" => filter.value = value,
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn document(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "entity".into(),
            Value::String(self.entity.trim().to_owned()),
        );
        put_text(&mut m, "frequency", &self.frequency);
        put_number(&mut m, "count", &self.count);
        put_text(&mut m, "within", &self.within);
        put_text(&mut m, "since", &self.since);
        put_text(&mut m, "half_life", &self.half_life);
        if !self.filters.is_empty() {
            let filters = self
                .filters
                .iter()
                .map(|f| {
                    let mut p = Map::new();
                    p.insert("field".into(), Value::String(f.field.trim().to_owned()));
                    p.insert("op".into(), Value::String(f.op.trim().to_owned()));
                    let list = matches!(f.op.trim(), "in" | "not_in");
                    if list {
                        let items = split_list(&f.value).iter().map(|v| scalar(v)).collect();
                        p.insert("value".into(), Value::Array(items));
                    } else if !f.value.trim().is_empty() {
                        p.insert("value".into(), scalar(&f.value));
                    }
                    Value::Object(p)
                })
                .collect();
            m.insert("where".into(), Value::Array(filters));
        }
        Value::Object(m)
    }
}

fn remove<T>(list: &mut Vec<T>, index: usize) -> bool {
    if index < list.len() {
        list.remove(index);
        true
    } else {
        false
    }
}

fn put_text(map: &mut Map<String, Value>, key: &str, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        map.insert(key.into(), Value::String(text.to_owned()));
    }
}

/// A number when the text is one (so that the library says "expected an
/// integer, found the number 2.5"), else the text (so that it says "found
/// the text ..."); nothing when empty.
fn put_number(map: &mut Map<String, Value>, key: &str, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let value = if let Ok(n) = text.parse::<i64>() {
        Value::Number(n.into())
    } else if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        Value::Number(n)
    } else {
        Value::String(text.to_owned())
    };
    map.insert(key.into(), value);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    const MODEL: &str = r#"
name: Fit
target: account
sales_ready: 30
grades:
  - { name: Low, max: 9 }
  - { name: High, min: 10 }
rules:
  - name: Referred
    any:
      - { entity: Lead, where: [ { field: source, op: in, value: [Referral, "1,2", "42"] } ] }
      - { entity: EmailClicked, frequency: at_least, count: 2, within: 30d }
    points: 10
    cap: 20
"#;

    #[test]
    fn a_model_round_trips_through_the_form() {
        let model = RuleModel::from_yaml(MODEL).unwrap_or_else(|e| panic!("{e}"));
        let draft = Draft::of_model(&model, "Fit");
        assert_eq!(
            draft.rules[0].conditions[0].filters[0].value,
            "Referral, \"1,2\", \"42\""
        );
        let pairs: Vec<(String, String)> = {
            // As the page renders and a browser posts it.
            let mut out = vec![("name".to_owned(), draft.name.clone())];
            out.push(("target".into(), draft.target.clone()));
            out.push(("sales_ready".into(), draft.sales_ready.clone()));
            for (g, grade) in draft.grades.iter().enumerate() {
                out.push((format!("grades[{g}].name"), grade.name.clone()));
                out.push((format!("grades[{g}].min"), grade.min.clone()));
                out.push((format!("grades[{g}].max"), grade.max.clone()));
            }
            let rule = &draft.rules[0];
            out.push(("rules[0].name".into(), rule.name.clone()));
            out.push(("rules[0].combine".into(), rule.combine.clone()));
            out.push(("rules[0].points".into(), rule.points.clone()));
            out.push(("rules[0].cap".into(), rule.cap.clone()));
            for (c, cond) in rule.conditions.iter().enumerate() {
                let p = format!("rules[0].when[{c}]");
                out.push((format!("{p}.entity"), cond.entity.clone()));
                out.push((format!("{p}.frequency"), cond.frequency.clone()));
                out.push((format!("{p}.count"), cond.count.clone()));
                out.push((format!("{p}.within"), cond.within.clone()));
                for (f, filter) in cond.filters.iter().enumerate() {
                    out.push((format!("{p}.where[{f}].field"), filter.field.clone()));
                    out.push((format!("{p}.where[{f}].op"), filter.op.clone()));
                    out.push((format!("{p}.where[{f}].value"), filter.value.clone()));
                }
            }
            out
        };
        let posted = Draft::from_pairs(&pairs);
        let again = RuleModel::from_value(posted.document()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, model);
    }

    #[test]
    fn buttons_add_and_remove() {
        let mut draft = Draft::blank();
        let press = |name: &str, value: &str| vec![(name.to_owned(), value.to_owned())];
        assert!(draft.apply_button(&press("add_rule", "")));
        assert!(draft.apply_button(&press("add_filter", "1.0")));
        assert_eq!(draft.rules[1].conditions[0].filters.len(), 1);
        assert!(draft.apply_button(&press("remove_rule", "0")));
        assert_eq!(draft.rules.len(), 1);
        assert!(!draft.apply_button(&press("remove_rule", "7")));
        assert!(!draft.apply_button(&press("check", "")));
    }
}
