//! A JSON document read in place: strings without escapes borrow the request
//! body, objects are key-value vectors in document order. Reading a scoring
//! request this way skips the hashing and copying of [`serde_json::Value`];
//! the document means the same (a repeated key keeps its first position and
//! its last value, numbers are [`serde_json::Number`]s), and the syntax errors
//! are serde_json's own.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de};
use serde_json::Number;

/// A JSON value borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string: borrowed unless it had escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object: its keys, each once, in document order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// Reads a document (serde_json's syntax errors).
    pub fn parse(text: &'a [u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(text)
    }

    /// The entries of an object.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Self::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entries of an object, to change.
    pub fn as_object_mut(&mut self) -> Option<&mut Vec<(Cow<'a, str>, Json<'a>)>> {
        match self {
            Self::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of an object's key.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }
}

/// Objects up to this many keys find a repeated key by scanning; larger ones
/// by hashing (a body of many keys must not cost their square).
const SCAN_KEYS: usize = 32;

struct JsonVisitor;

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v)))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Json::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        let mut index: Option<HashMap<Cow<'de, str>, usize>> = None;
        while let Some(key) = map.next_key_seed(Key)? {
            let value: Json<'de> = map.next_value()?;
            if entries.len() == SCAN_KEYS && index.is_none() {
                index = Some(
                    entries
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect(),
                );
            }
            let at = match &mut index {
                Some(index) => match index.get(&key) {
                    Some(&i) => Some(i),
                    None => {
                        index.insert(key.clone(), entries.len());
                        None
                    }
                },
                None => entries.iter().position(|(k, _)| *k == key),
            };
            match at.and_then(|i| entries.get_mut(i)) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Json::Object(entries))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use serde_json::Value;

    use super::*;

    /// The same document as serde_json's `Value`, key order and all.
    fn same(text: &str) {
        let ours = Json::parse(text.as_bytes()).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(to_value(&ours), theirs, "{text}");
        if let Value::Object(map) = &theirs {
            let keys: Vec<&str> = ours
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, _)| k.as_ref())
                .collect();
            assert_eq!(keys, map.keys().map(String::as_str).collect::<Vec<_>>());
        }
    }

    fn to_value(json: &Json<'_>) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
            Json::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), to_value(v)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        same(r#"{"a": 1, "b": -2, "c": 1.5, "d": 1e3, "e": 18446744073709551615}"#);
        same(r#"{"s": "x\"y\u00e9", "t": true, "n": null, "a": [1, [2], {}]}"#);
        same(r#"{"k\n": 1, "b": 2, "k\n": 3, "a": 4, "b": 5}"#);
        same(r#"[{"a": {"b": {"c": []}}}, "x", 3]"#);
        let many: Vec<String> = (0..100).map(|i| format!("\"k{}\": {i}", i % 40)).collect();
        same(&format!("{{{}}}", many.join(",")));
    }

    #[test]
    fn borrows_plain_strings() {
        let text = br#"{"plain": "abc", "escaped": "a\tb"}"#;
        let json = Json::parse(text).unwrap();
        let entries = json.as_object().unwrap();
        assert!(matches!(&entries[0].0, Cow::Borrowed("plain")));
        assert!(matches!(&entries[0].1, Json::String(Cow::Borrowed("abc"))));
        assert!(matches!(&entries[1].1, Json::String(Cow::Owned(s)) if s == "a\tb"));
        assert_eq!(json.get("plain"), Some(&Json::String("abc".into())));
    }

    #[test]
    fn syntax_errors_are_serde_json_s() {
        for text in ["{", "{\"a\": }", "[1,]", "1 2", "{\"a\": 1e999}", ""] {
            let ours = Json::parse(text.as_bytes()).unwrap_err();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string(), "{text}");
        }
    }
}
