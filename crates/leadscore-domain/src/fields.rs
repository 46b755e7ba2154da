use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Custom fields of a record, or properties of an interaction: name to text value.
///
/// Values are kept as the text they arrived as; rules decide how to compare them
/// (a value that reads as a number compares numerically). An empty value is an
/// absent value, so it is never stored. Kept as a small vector sorted by name:
/// records carry a handful of fields, and millions of records must fit in memory.
/// Serializes as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(Box<str>, Box<str>)>);

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a field; an empty (or all white space) value removes it instead.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        let at = self.0.binary_search_by(|(k, _)| (**k).cmp(name.as_str()));
        match (at, value.trim().is_empty()) {
            (Ok(i), true) => {
                self.0.remove(i);
            }
            (Ok(i), false) => self.0[i].1 = value.into_boxed_str(),
            (Err(_), true) => {}
            (Err(i), false) => self
                .0
                .insert(i, (name.into_boxed_str(), value.into_boxed_str())),
        }
    }

    /// The value of a field, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    /// Keeps only the fields whose name passes `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.0.retain(|(name, _)| keep(name));
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
        self.0.iter().map(|(k, v)| (&**k, &**v))
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

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
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

    #[test]
    fn fields_stay_sorted_and_serialize_as_an_object() -> Result<(), serde_json::Error> {
        let mut f = Fields::new();
        f.set("url", "https://x.test");
        f.set("email_name", "Spring");
        f.set("campaign", "Q2");
        f.set("email_name", "Summer");
        let names: Vec<&str> = f.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["campaign", "email_name", "url"]);
        assert_eq!(f.get("email_name"), Some("Summer"));
        let json = serde_json::to_string(&f)?;
        assert_eq!(
            json,
            r#"{"campaign":"Q2","email_name":"Summer","url":"https://x.test"}"#
        );
        assert_eq!(serde_json::from_str::<Fields>(&json)?, f);
        Ok(())
    }
}
