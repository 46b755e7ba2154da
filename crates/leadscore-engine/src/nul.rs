//! No text the service takes holds a NUL character: PostgreSQL cannot store
//! one (SQLite could), so both stores refuse it alike, naming the field.
//!
//! In a JSON document a NUL can only be written as the escape `\u0000`, so a
//! body without that sequence is let through after one fast scan; only a
//! body with it is read again to find the field.

use serde_json::Value;

use crate::refusal::{ErrorCode, Refusal};

/// The escape of a NUL in JSON (the only way to write one).
const NUL_ESCAPE: &[u8] = br"\u0000";

/// Refuses a JSON body holding a NUL in any value or key, naming its place
/// (`interactions[3].email_name`). A body that is not JSON passes: its
/// reader reports that.
pub fn refuse_nul_in_body(body: &[u8]) -> Result<(), Refusal> {
    if memchr::memmem::find(body, NUL_ESCAPE).is_none() {
        return Ok(());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => refuse_nul(&value),
        Err(_) => Ok(()),
    }
}

/// Refuses a document holding a NUL in any value or key, naming its place.
pub fn refuse_nul(value: &Value) -> Result<(), Refusal> {
    match nul_at(value, String::new()) {
        None => Ok(()),
        Some(field) => {
            let place = if field.is_empty() {
                "the body".to_owned()
            } else {
                field.clone()
            };
            Err(Refusal::new(
                ErrorCode::ControlCharacter,
                format!("{place}: a text cannot hold a NUL character (\\u0000)"),
            )
            .field(field))
        }
    }
}

/// Where the first NUL of `value` is, under `path` (keys shown with the
/// NUL escaped).
fn nul_at(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let key = k.replace('\0', r"\u0000");
            let here = if path.is_empty() {
                key
            } else {
                format!("{path}.{key}")
            };
            if k.contains('\0') {
                Some(here)
            } else {
                nul_at(v, here)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(body: &str) -> Option<String> {
        refuse_nul_in_body(body.as_bytes())
            .err()
            .and_then(|e| e.field)
    }

    #[test]
    fn a_nul_is_refused_where_it_is() {
        assert_eq!(
            field(r#"{"a": "x", "b": [1, {"c": "\u0000"}]}"#).as_deref(),
            Some("b[1].c")
        );
        assert_eq!(
            field(r#"[{"k": 1}, {"n\u0000": 2}]"#).as_deref(),
            Some(r"[1].n\u0000")
        );
        assert_eq!(field(r#""\u0000""#).as_deref(), Some(""));
        // An escaped backslash followed by u0000 is text, not a NUL.
        assert_eq!(field(r#"{"a": "\\u0000"}"#), None);
        assert_eq!(field(r#"{"a": "plain"}"#), None);
        assert_eq!(field("not json \\u0000"), None);
    }
}
