//! The configuration reference (`docs/CONFIG.md`, `leadscore config
//! reference`), generated from the settings types themselves: every key
//! with its environment variable, type, default and meaning, read from the
//! JSON Schema that `schemars` derives from [`Settings`] (doc comments and
//! `Default` values included). A test compares the committed file with
//! this text, so the reference cannot drift from the code.

use schemars::schema_for;
use serde_json::{Map, Value};

use crate::settings::Settings;

/// The environment variables' prefix; nested keys are joined by `__`.
const PREFIX: &str = "LEADSCORE_";

/// One settings key, as the reference lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingDoc {
    /// The key as a TOML path (`limits.max_batch`).
    pub key: String,
    /// Its environment variable (`LEADSCORE_LIMITS__MAX_BATCH`).
    pub env: String,
    /// Its type, in words (`integer`, `string or unset`).
    pub kind: String,
    /// Its default, as TOML would write it (`unset` for none).
    pub default: String,
    /// What it does (the field's doc comment).
    pub meaning: String,
}

/// A section of the settings (a TOML table): its key, what it is for, and
/// its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionDoc {
    /// The table's key (`limits`); empty for the top level.
    pub key: String,
    /// What the section is for (its type's doc comment, first paragraph).
    pub meaning: String,
    /// Its keys, in alphabetical order.
    pub settings: Vec<SettingDoc>,
}

/// Every section of the settings, the top level first, then the tables in
/// alphabetical order.
pub fn sections() -> Vec<SectionDoc> {
    let schema = schema_for!(Settings).to_value();
    let empty = Map::new();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = Vec::new();
    walk(&schema, "", defs, &mut out);
    out.sort_by(|a, b| (!a.key.is_empty(), &a.key).cmp(&(!b.key.is_empty(), &b.key)));
    out
}

/// The schema `$ref` points to, or the schema itself.
fn resolve<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| defs.get(name))
        .unwrap_or(schema)
}

fn walk(schema: &Value, key: &str, defs: &Map<String, Value>, out: &mut Vec<SectionDoc>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let defaults = schema.get("default");
    let mut section = SectionDoc {
        key: key.to_owned(),
        meaning: first_paragraph(schema.get("description")),
        settings: Vec::new(),
    };
    let mut names: Vec<&String> = properties.keys().collect();
    names.sort();
    for name in names {
        let Some(property) = properties.get(name) else {
            continue;
        };
        let path = if key.is_empty() {
            name.clone()
        } else {
            format!("{key}.{name}")
        };
        let target = resolve(property, defs);
        if target.get("properties").is_some() {
            // A table: its own section, its defaults from its own schema.
            walk(target, &path, defs, out);
            continue;
        }
        let default = property
            .get("default")
            .or_else(|| defaults.and_then(|d| d.get(name)));
        section.settings.push(SettingDoc {
            env: format!("{PREFIX}{}", path.replace('.', "__").to_ascii_uppercase()),
            kind: kind(target),
            default: default.map_or_else(|| "unset".to_owned(), toml_value),
            meaning: plain(property.get("description").or(target.get("description"))),
            key: path,
        });
    }
    out.push(section);
}

/// A schema's type, in words.
fn kind(schema: &Value) -> String {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let optional = types.contains(&"null");
    let mut words: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    if words.is_empty() {
        words.push("value");
    }
    let text = words.join(" or ");
    if optional {
        format!("{text} or unset")
    } else {
        text
    }
}

/// A default as TOML writes it.
fn toml_value(value: &Value) -> String {
    match value {
        Value::Null => "unset".to_owned(),
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A doc comment as one line of plain text: line breaks joined, Markdown
/// links reduced to their text.
fn plain(description: Option<&Value>) -> String {
    let text = description.and_then(Value::as_str).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // `[text](target)` → `text`.
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let target = &after[close + 2..];
            target.find(')').map(|end| (close, close + 2 + end + 1))
        });
        match link {
            Some((close, skip)) => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..close]);
                rest = &after[skip..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first paragraph of a doc comment, as one line.
fn first_paragraph(description: Option<&Value>) -> String {
    let text = description.and_then(Value::as_str).unwrap_or_default();
    let first = text.split("\n\n").next().unwrap_or_default();
    plain(Some(&Value::String(first.to_owned())))
}

/// The reference as Markdown (`docs/CONFIG.md`).
pub fn config_reference() -> String {
    let mut out = String::from(
        "# Configuration reference\n\n\
         <!-- Generated from the settings types by `leadscore config reference`; do not edit. \
         A test fails when this file and the code differ. -->\n\n\
         `leadscore serve` (and `leadscore retrain`, for the `retraining` table) read their \
         settings from, each overriding the one before:\n\n\
         1. the defaults below;\n\
         2. a TOML file given with `--config FILE` (unknown keys are errors);\n\
         3. environment variables: `LEADSCORE_` and the key in capitals, tables joined by \
         `__` (`LEADSCORE_LIMITS__MAX_BATCH=500`);\n\
         4. the command line: `--listen`, and `--database` (or `DATABASE_URL`) for `database`.\n\n\
         `leadscore config check [--config FILE]` loads them as `serve` would and prints the \
         result, or every mistake.\n",
    );
    for section in sections() {
        if section.key.is_empty() {
            out.push_str("\n## Top level\n\n");
        } else {
            out.push_str(&format!("\n## `[{}]`\n\n", section.key));
        }
        if !section.meaning.is_empty() {
            out.push_str(&section.meaning);
            out.push_str("\n\n");
        }
        out.push_str("| Key | Environment variable | Type | Default | Meaning |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for s in &section.settings {
            out.push_str(&format!(
                "| `{}` | `{}` | {} | `{}` | {} |\n",
                s.key,
                s.env,
                s.kind,
                s.default,
                s.meaning.replace('|', "\\|")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    // figment's test jail returns its own (large) error type.
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::result_large_err
    )]
    use super::*;

    fn setting(key: &str) -> SettingDoc {
        sections()
            .into_iter()
            .flat_map(|s| s.settings)
            .find(|s| s.key == key)
            .unwrap_or_else(|| panic!("no setting {key}"))
    }

    #[test]
    fn every_setting_has_its_variable_default_and_meaning() {
        let batch = setting("limits.max_batch");
        assert_eq!(batch.env, "LEADSCORE_LIMITS__MAX_BATCH");
        assert_eq!(batch.default, "1000");
        assert_eq!(batch.kind, "integer");
        assert!(batch.meaning.contains("batch"), "{}", batch.meaning);
        let lease = setting("webhooks.lease_ms");
        assert_eq!(lease.default, "60000");
        let schedule = setting("retraining.schedule");
        assert_eq!(schedule.default, "unset");
        assert_eq!(setting("listen").default, "\"127.0.0.1:8080\"");
        for s in sections().iter().flat_map(|s| &s.settings) {
            assert!(!s.meaning.is_empty(), "{} has no doc comment", s.key);
            assert!(!s.meaning.contains("]("), "{}: {}", s.key, s.meaning);
        }
    }

    /// Every key the reference lists is one `Settings::load` reads from its
    /// environment variable (a key the loader does not take would be an
    /// error: it denies unknown fields).
    #[test]
    fn every_listed_variable_is_read() {
        let keys: Vec<SettingDoc> = sections().into_iter().flat_map(|s| s.settings).collect();
        assert!(keys.len() > 25, "{}", keys.len());
        figment::Jail::expect_with(|jail| {
            jail.set_env("LEADSCORE_LIMITS__MAX_BATCH", "77");
            jail.set_env("LEADSCORE_WEBHOOKS__LEASE_MS", "90000");
            let s = Settings::load(None).unwrap();
            assert_eq!(s.limits.max_batch, 77);
            assert_eq!(s.webhooks.lease.as_millis(), 90_000);
            Ok(())
        });
        let defaults = serde_json::to_value(Settings::default()).unwrap();
        for s in &keys {
            let mut value = &defaults;
            for part in s.key.split('.') {
                value = value
                    .get(part)
                    .unwrap_or_else(|| panic!("{} is not a settings key", s.key));
            }
            assert_eq!(toml_value(value), s.default, "{}", s.key);
        }
    }

    /// `docs/CONFIG.md` is this module's text: regenerate it with
    /// `leadscore config reference > docs/CONFIG.md`.
    #[test]
    fn the_committed_reference_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/CONFIG.md");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        if std::env::var_os("LEADSCORE_BLESS").is_some() && committed != config_reference() {
            std::fs::write(path, config_reference()).unwrap();
            return;
        }
        assert!(
            committed == config_reference(),
            "docs/CONFIG.md is not what the settings types say: regenerate it with \
             `cargo run -- config reference > docs/CONFIG.md` (or run this test with \
             LEADSCORE_BLESS=1)"
        );
    }
}
