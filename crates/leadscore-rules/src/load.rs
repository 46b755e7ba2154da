//! Loading a model from YAML or JSON text, and writing it back.
//!
//! The text is first read into a [`serde_json::Value`] (keys in document order;
//! a repeated key is a syntax error, as is anything that is not YAML or JSON at
//! all), then a hand-written walk checks everything RULES.md asks for and reports
//! every problem with its place (module `validate`).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::RulesError;
use crate::model::RuleModel;

impl RuleModel {
    /// Reads a model from YAML, checking everything RULES.md asks for.
    ///
    /// Text that is not YAML is a [`RulesError::Syntax`] with its line and column;
    /// a document that breaks RULES.md is a [`RulesError::Invalid`] listing every
    /// problem with its place, in document order. YAML anchors, aliases and merge
    /// keys (`<<`) are understood; a repeated key is an error.
    pub fn from_yaml(text: &str) -> Result<Self, RulesError> {
        Self::from_value(yaml_document(text)?)
    }

    /// Reads a model from JSON, checking everything RULES.md asks for (see
    /// [`RuleModel::from_yaml`]). A repeated key is an error.
    pub fn from_json(text: &str) -> Result<Self, RulesError> {
        Self::from_value(json_document(text)?)
    }

    /// Checks an already parsed document (YAML or JSON) and builds the model, or
    /// lists every problem with its place in document order.
    pub fn from_value(value: Value) -> Result<Self, RulesError> {
        crate::validate::model_from_value(&value)
    }

    /// The model as YAML, in the shape [`RuleModel::from_yaml`] reads.
    pub fn to_yaml(&self) -> Result<String, serde_yaml_ng::Error> {
        serde_yaml_ng::to_string(self)
    }

    /// The model as pretty-printed JSON, in the shape [`RuleModel::from_json`]
    /// reads.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

/// YAML text read into a document, refusing what a [`Value`] would lose
/// (see [`RuleModel::from_yaml`]); the model is not checked.
pub(crate) fn yaml_document(text: &str) -> Result<Value, RulesError> {
    let document = serde_yaml_ng::Deserializer::from_str(text);
    let Strict::<true>(value) = Strict::deserialize(document).map_err(|e| RulesError::Syntax {
        format: "YAML",
        message: match e.location() {
            None if e.to_string().contains("more than one document") => {
                "the text holds more than one YAML document (separated by `---`); \
                 a model is one document"
                    .to_owned()
            }
            _ => e.to_string(),
        },
    })?;
    Ok(value)
}

/// JSON text read into a document (see [`RuleModel::from_json`]); the model
/// is not checked.
pub(crate) fn json_document(text: &str) -> Result<Value, RulesError> {
    let syntax = |e: serde_json::Error| RulesError::Syntax {
        format: "JSON",
        message: e.to_string(),
    };
    let mut document = serde_json::Deserializer::from_str(text);
    let Strict::<false>(value) = Strict::deserialize(&mut document).map_err(syntax)?;
    document.end().map_err(syntax)?;
    Ok(value)
}

impl TryFrom<Value> for RuleModel {
    type Error = RulesError;

    /// [`RuleModel::from_value`]: lets serde deserialize a model from any format
    /// through the same checks.
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Self::from_value(value)
    }
}

/// A document read into a [`Value`], refusing what `Value` would silently lose:
/// repeated keys (the last would win), non-finite numbers, YAML tags. With
/// `YAML`, merge keys (`<<`) are applied.
struct Strict<const YAML: bool>(Value);

impl<'de, const YAML: bool> Deserialize<'de> for Strict<YAML> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(StrictVisitor::<YAML>)
            .map(Self)
    }
}

struct StrictVisitor<const YAML: bool>;

/// A mapping key that is not yet in the mapping. Checked while the key is read,
/// so that the parser places the error at the repeated key.
struct NewKey<'m>(&'m Map<String, Value>);

impl<'de> de::DeserializeSeed<'de> for NewKey<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NewKey<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if self.0.contains_key(key) {
            return Err(E::custom(format!(
                "the key `{key}` appears twice in one mapping"
            )));
        }
        Ok(key.to_owned())
    }
}

impl<'de, const YAML: bool> Visitor<'de> for StrictVisitor<YAML> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a text, number, boolean, list or mapping")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        if let Ok(n) = i64::try_from(v) {
            return Ok(Value::Number(n.into()));
        }
        u64::try_from(v)
            .map(|n| Value::Number(n.into()))
            .map_err(|_| E::custom(format!("the integer {v} is too large")))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        u64::try_from(v)
            .map(|n| Value::Number(n.into()))
            .map_err(|_| E::custom(format!("the integer {v} is too large")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a finite number")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Strict::<YAML>(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key_seed(NewKey(&out))? {
            let Strict::<YAML>(value) = map.next_value()?;
            if YAML && key == "<<" {
                merges.push(value);
            } else {
                out.insert(key, value);
            }
        }
        for merge in merges {
            let maps = match merge {
                Value::Object(m) => vec![m],
                Value::Array(items) => items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(m) => Ok(m),
                        _ => Err(de::Error::custom(
                            "a merge (`<<`) takes a mapping or a list of mappings",
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(de::Error::custom(
                        "a merge (`<<`) takes a mapping or a list of mappings",
                    ));
                }
            };
            for m in maps {
                for (k, v) in m {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "YAML tags (`!name`) have no meaning in a rule model",
        ))
    }
}
