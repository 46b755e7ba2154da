use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Custom fields of a record, or properties of an interaction: name to text value.
///
/// Values are kept as the text they arrived as; rules decide how to compare them
/// (a value that reads as a number compares numerically). An empty value is an
/// absent value, so it is never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a field; an empty (or all white space) value removes it instead.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        if value.trim().is_empty() {
            self.0.remove(&name);
        } else {
            self.0.insert(name, value);
        }
    }

    /// The value of a field, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The fields in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl FromIterator<(String, String)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut fields = Self::new();
        for (name, value) in iter {
            fields.set(name, value);
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent() {
        let mut f = Fields::new();
        f.set("plan", "pro");
        f.set("seats", " ");
        assert_eq!(f.get("plan"), Some("pro"));
        assert_eq!(f.get("seats"), None);
        f.set("plan", "");
        assert!(f.is_empty());
    }
}
