//! The hand-written walk over a parsed document that checks everything RULES.md
//! asks for, collects every problem with its place, and builds the typed model.
//!
//! Each walker returns `None` for a part with a problem (after recording it), so a
//! model is built only when no problem was found.

mod against;
mod document;
mod predicate;
mod rule;
pub(crate) mod suggest;
mod values;

use serde_json::{Map, Value};

use crate::error::{Problem, RulesError};
use crate::model::RuleModel;

pub(crate) use against::{check_against, document_conditions, fields_against, model_conditions};
pub use values::record_name;
pub(crate) use values::values_against;

/// Checks a parsed document: the model, built when no problem was found, and
/// every problem found.
pub(crate) fn walk(value: &Value) -> (Option<RuleModel>, Problems) {
    let mut problems = Problems::default();
    let model = document::model(value, &Loc::root(), &mut problems);
    let model = model.filter(|_| problems.0.is_empty());
    if model.is_none() && problems.0.is_empty() {
        problems.add(&Loc::root(), "the model could not be read");
    }
    (model, problems)
}

/// Checks a parsed document and builds the model, or lists every problem in
/// document order.
pub(crate) fn model_from_value(value: &Value) -> Result<RuleModel, RulesError> {
    match walk(value) {
        (Some(model), _) => Ok(model),
        (None, problems) => Err(RulesError::Invalid {
            problems: problems.into_sorted(),
        }),
    }
}

/// A place in the document: its path as shown to the user, and its position
/// (key and list indexes in document order) to sort problems by.
#[derive(Debug, Clone, Default)]
pub(crate) struct Loc {
    path: String,
    position: Vec<usize>,
}

impl Loc {
    /// The document itself.
    pub(crate) fn root() -> Self {
        Self::default()
    }

    /// The value of the key at `index` among its mapping's keys.
    pub(crate) fn key(&self, name: &str, index: usize) -> Self {
        let path = if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        };
        let mut position = self.position.clone();
        position.push(index);
        Self { path, position }
    }

    /// The element at `index` of a list.
    pub(crate) fn at(&self, index: usize) -> Self {
        let mut position = self.position.clone();
        position.push(index);
        Self {
            path: format!("{}[{index}]", self.path),
            position,
        }
    }

    /// The path as shown (`rules[2].when[0]`).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }
}

/// Problems found so far, each with its position.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<(Vec<usize>, Problem)>);

impl Problems {
    /// Records a problem at a place.
    pub(crate) fn add(&mut self, loc: &Loc, message: impl Into<String>) {
        self.0.push((
            loc.position.clone(),
            Problem::new(loc.path.clone(), message),
        ));
    }

    /// The problems in document order (a place before the places inside it; at one
    /// place, in the order found).
    pub(crate) fn into_sorted(mut self) -> Vec<Problem> {
        self.0.sort_by(|a, b| a.0.cmp(&b.0));
        self.0.into_iter().map(|(_, p)| p).collect()
    }
}

/// A mapping whose keys were checked against the allowed ones.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    loc: Loc,
}

impl<'a> Obj<'a> {
    /// Checks that `value` is a mapping (naming `what` it should be otherwise) and
    /// that every key is one of `allowed`.
    pub(crate) fn new(
        value: &'a Value,
        loc: &Loc,
        what: &str,
        allowed: &[&str],
        problems: &mut Problems,
    ) -> Option<Self> {
        let Value::Object(map) = value else {
            problems.add(
                loc,
                format!(
                    "{what} must be a mapping with the keys {}; found {}",
                    allowed.join(", "),
                    describe(value)
                ),
            );
            return None;
        };
        for (index, key) in map.keys().enumerate() {
            if !allowed.contains(&key.as_str()) {
                let hint = suggest::did_you_mean(key, allowed.iter().copied());
                problems.add(
                    &loc.key(key, index),
                    format!(
                        "unknown key `{key}`{hint}; {what} has the keys {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        Some(Self {
            map,
            loc: loc.clone(),
        })
    }

    /// The place of the mapping itself.
    pub(crate) fn loc(&self) -> &Loc {
        &self.loc
    }

    /// The value under `key` and its place, if the key is present.
    pub(crate) fn get(&self, key: &str) -> Option<(&'a Value, Loc)> {
        self.map
            .iter()
            .enumerate()
            .find(|(_, (k, _))| k.as_str() == key)
            .map(|(index, (_, value))| (value, self.loc.key(key, index)))
    }

    /// Like [`Obj::get`], recording a problem at the mapping when the key is absent.
    pub(crate) fn required(
        &self,
        key: &str,
        why: &str,
        problems: &mut Problems,
    ) -> Option<(&'a Value, Loc)> {
        let found = self.get(key);
        if found.is_none() {
            problems.add(&self.loc, format!("missing required key `{key}`: {why}"));
        }
        found
    }
}

/// Names a value's type and, for a scalar, the value itself.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (an empty value)".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text \"{s}\""),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// A text; otherwise records "expected a text".
pub(crate) fn text<'a>(value: &'a Value, loc: &Loc, problems: &mut Problems) -> Option<&'a str> {
    match value {
        Value::String(s) => Some(s),
        other => {
            problems.add(loc, format!("expected a text, found {}", describe(other)));
            None
        }
    }
}

/// The longest name (of a model, a rule, a grade), in bytes: as long as an id.
pub(crate) const MAX_NAME_LEN: usize = leadscore_domain::MAX_ID_LEN;

/// A non-empty (not only white space) text of at most [`MAX_NAME_LEN`]
/// bytes, without control characters (names are shown to sellers and stored
/// as they are).
pub(crate) fn name<'a>(
    value: &'a Value,
    loc: &Loc,
    what: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    let name = text(value, loc, problems)?;
    if name.trim().is_empty() {
        problems.add(loc, format!("{what} must not be empty"));
        return None;
    }
    if name.len() > MAX_NAME_LEN {
        problems.add(
            loc,
            format!(
                "{what} is {} bytes long; at most {MAX_NAME_LEN} are allowed",
                name.len()
            ),
        );
        return None;
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        problems.add(
            loc,
            format!("{what} holds the control character {c:?}; names hold none"),
        );
        return None;
    }
    Some(name)
}

/// The value as a whole number, if it is one (`5` or `5.0`).
pub(crate) fn as_integer(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else {
        return None;
    };
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// An integer; otherwise records "expected an integer".
pub(crate) fn integer(value: &Value, loc: &Loc, problems: &mut Problems) -> Option<i64> {
    if let Some(n) = as_integer(value) {
        return Some(n);
    }
    let hint = match value {
        Value::String(s) if s.trim().parse::<i64>().is_ok() => {
            format!(" (write {} without quotes)", s.trim())
        }
        _ => String::new(),
    };
    problems.add(
        loc,
        format!("expected an integer, found {}{hint}", describe(value)),
    );
    None
}

/// A list; otherwise records "expected a list of `what`".
pub(crate) fn list<'a>(
    value: &'a Value,
    loc: &Loc,
    what: &str,
    problems: &mut Problems,
) -> Option<&'a [Value]> {
    match value {
        Value::Array(items) => Some(items),
        other => {
            problems.add(
                loc,
                format!("expected a list of {what}, found {}", describe(other)),
            );
            None
        }
    }
}

/// All the items, when every one is `Some`.
pub(crate) fn all<T>(items: Vec<Option<T>>) -> Option<Vec<T>> {
    items.into_iter().collect()
}
