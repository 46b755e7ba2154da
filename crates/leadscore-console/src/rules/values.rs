//! Values as typed in the designer's form: a filter's value (one scalar, or
//! a comma-separated list) read into typed document values, and written back.

use leadscore_domain::Timestamp;
use leadscore_rules::{Operand, Scalar};
use serde_json::{Number, Value};

/// A typed value: `"..."` is always text (`""` inside is one quote); a
/// whole number, a number or `true` / `false` is that; anything else text.
pub fn scalar(text: &str) -> Value {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && text.len() >= 2
    {
        return Value::String(inner.replace("\"\"", "\""));
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::Number(n.into());
    }
    if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        return Value::Number(n);
    }
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text.to_owned()),
    }
}

/// A list's items: separated by commas outside double quotes.
pub fn split_list(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty())
        .collect()
}

/// A value as typed in the form: text that would read as something else
/// (a number, a boolean, a quoted text) or that holds a comma is quoted.
pub(super) fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Text(t) => {
            let plain = Value::String(t.clone());
            if !t.is_empty() && scalar(t) == plain && !t.contains(',') && t.trim() == t {
                t.clone()
            } else {
                format!("\"{}\"", t.replace('"', "\"\""))
            }
        }
        other => other.to_string(),
    }
}

/// A filter's value as the form shows it (a list comma-separated).
pub fn operand_text(operand: &Operand) -> String {
    match operand {
        Operand::Nothing => String::new(),
        Operand::Scalar(s) => scalar_text(s),
        Operand::List(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
    }
}

/// A time as a model writes it: the date alone at midnight.
pub fn date_text(t: Timestamp) -> String {
    let text = t.to_string();
    match text.strip_suffix("T00:00:00Z") {
        Some(date) => date.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed() {
        assert_eq!(scalar("500"), Value::Number(500.into()));
        assert_eq!(scalar("\"500\""), Value::String("500".into()));
        assert_eq!(scalar(" Web "), Value::String("Web".into()));
        assert_eq!(split_list("a, \"b,c\" ,"), ["a", "\"b,c\""]);
    }
}
