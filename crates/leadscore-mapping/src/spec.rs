//! The mapping file: plain serde data, checked once when it is read.

use std::fmt;

use indexmap::IndexMap;
use leadscore_domain::RecordType;
use serde::{Deserialize, Deserializer, Serialize};

use crate::MappingError;
use crate::convert::{Dates, Numbers};

/// The four DATA.md record files a source can fill, in the order they are
/// written.
pub(crate) const RECORDS: [RecordType; 4] = [
    RecordType::Account,
    RecordType::Contact,
    RecordType::Lead,
    RecordType::Interaction,
];

/// A mapping file as written (`docs/MAPPING.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingFile {
    /// A short name (`salesforce`).
    pub name: String,
    /// What the mapping is for, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// How the export writes dates and times.
    #[serde(default)]
    pub dates: DatesSpec,
    /// How the export writes numbers.
    #[serde(default)]
    pub numbers: NumbersSpec,
    /// The export's files and what each becomes.
    pub sources: Vec<SourceSpec>,
}

/// How dates and times are written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DatesSpec {
    /// How `11/05/2026` reads: `day-first` or `month-first`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<DateOrder>,
    /// Further `strftime` formats, tried after the standard ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formats: Vec<String>,
    /// The IANA time zone of times written without an offset (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// The order of day and month in a date written with slashes or dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `05/11/2026` is the 5th of November.
    DayFirst,
    /// `11/05/2026` is the 5th of November.
    MonthFirst,
}

/// How numbers are written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NumbersSpec {
    /// The decimal separator: `.` (default) or `,`.
    #[serde(default = "dot")]
    pub decimal: char,
    /// The thousands separator, when the export writes one (`,`, `.`, ` `, `'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thousands: Option<char>,
}

impl Default for NumbersSpec {
    fn default() -> Self {
        Self {
            decimal: '.',
            thousands: None,
        }
    }
}

fn dot() -> char {
    '.'
}

/// What to do with a column of a source that the mapping does not name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Others {
    /// It is an error naming the column (the default: nothing is lost unseen).
    #[default]
    Error,
    /// It is left out.
    Drop,
    /// It becomes a custom field of the source's first record (its leads, else
    /// its contacts, else its accounts), or a property of its interactions.
    Custom,
}

/// One file (or several, by pattern) of the export.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceSpec {
    /// The file's name, or several alternatives; `*` matches any characters;
    /// compared without regard to case.
    pub file: OneOrMany,
    /// The export may lack this file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The field delimiter; detected (`,` `;` tab) when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// The accounts each row makes: DATA.md column (or custom field) to value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<IndexMap<String, ColumnSpec>>,
    /// The contacts each row makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<IndexMap<String, ColumnSpec>>,
    /// The leads each row makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leads: Option<IndexMap<String, ColumnSpec>>,
    /// The interactions each row makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactions: Option<IndexMap<String, ColumnSpec>>,
    /// Columns to leave out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<String>,
    /// What the columns named nowhere become.
    #[serde(default)]
    pub others: Others,
}

impl SourceSpec {
    /// The records this source makes, in [`RECORDS`] order.
    pub fn records(&self) -> impl Iterator<Item = (RecordType, &IndexMap<String, ColumnSpec>)> {
        RECORDS.into_iter().filter_map(move |r| {
            let map = match r {
                RecordType::Account => self.accounts.as_ref(),
                RecordType::Contact => self.contacts.as_ref(),
                RecordType::Lead => self.leads.as_ref(),
                RecordType::Interaction => self.interactions.as_ref(),
                RecordType::Custom(_) => None,
            }?;
            Some((r, map))
        })
    }

    /// The record each row of this source stands for: its leads, else its
    /// interactions, else its contacts, else its accounts. The others it makes
    /// (a lead's contact and account) are derived: written only when their id
    /// has a value, and once per id.
    pub fn primary(&self) -> Option<RecordType> {
        [
            RecordType::Lead,
            RecordType::Interaction,
            RecordType::Contact,
            RecordType::Account,
        ]
        .into_iter()
        .find(|r| self.records().any(|(m, _)| m == *r))
    }
}

/// One name or a list of alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One.
    One(String),
    /// The first that is present wins.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in order.
    pub fn names(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

impl fmt::Display for OneOrMany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.names().iter().map(|n| format!("{n:?}")).collect();
        write!(f, "{}", names.join(" or "))
    }
}

/// Where one DATA.md column's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ColumnSpec {
    /// The export's column of this name, as it is (converted for a time or a
    /// number column).
    Column(String),
    /// Everything else.
    Full(FullSpec),
}

/// A column with options.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FullSpec {
    /// The export's column, or alternatives (the first present wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<OneOrMany>,
    /// A constant value for every row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The source line number as the value (an id for exports without one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub line: bool,
    /// Text put before the value (`hs-` in front of an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Value map: the export's value (any case) to the stored one. A value
    /// not listed is an error naming the place, unless `otherwise` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<IndexMap<String, String>>,
    /// The stored value for a value that `values` does not list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otherwise: Option<String>,
    /// The value of an empty cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Read the value as a `date` (a time) or a `number`; the DATA.md time and
    /// number columns always are.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ValueType>,
    /// The export may lack the column: the value is then empty (or `default`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// How a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueType {
    /// Text, as it is.
    Text,
    /// A date or a time, written out as RFC 3339 in UTC.
    Date,
    /// A number, written out with a `.` decimal point and no separators.
    Number,
}

impl<'de> Deserialize<'de> for ColumnSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_yaml_ng::Value::deserialize(deserializer)?;
        match value {
            serde_yaml_ng::Value::String(s) => Ok(Self::Column(s)),
            serde_yaml_ng::Value::Mapping(_) => FullSpec::deserialize(value)
                .map(Self::Full)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "expected a column name or a map (column, value, values, ...), found {}",
                describe(&other)
            ))),
        }
    }
}

fn describe(value: &serde_yaml_ng::Value) -> &'static str {
    match value {
        serde_yaml_ng::Value::Null => "nothing",
        serde_yaml_ng::Value::Bool(_) => "true or false",
        serde_yaml_ng::Value::Number(_) => "a number (quote it to name a column)",
        serde_yaml_ng::Value::Sequence(_) => "a list (use column: [A, B] for alternatives)",
        _ => "something else",
    }
}

impl ColumnSpec {
    /// The options, the short form as a [`FullSpec`] naming one column.
    pub fn full(&self) -> FullSpec {
        match self {
            Self::Column(c) => FullSpec {
                column: Some(OneOrMany::One(c.clone())),
                ..FullSpec::default()
            },
            Self::Full(f) => f.clone(),
        }
    }
}

/// A mapping, read and checked: every record maps its required columns, every
/// value map's target is a value DATA.md accepts, the time zone and formats are
/// known.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub(crate) spec: MappingFile,
    pub(crate) dates: Dates,
    pub(crate) numbers: Numbers,
    /// Where the mapping came from (a file, or `shipped mapping NAME`).
    pub(crate) origin: String,
}

impl Mapping {
    /// Reads a mapping from its YAML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, MappingError> {
        let invalid = |path: Option<String>, message: String| MappingError::Invalid {
            origin: origin.to_owned(),
            path,
            message,
        };
        let de = serde_yaml_ng::Deserializer::from_str(text);
        let spec: MappingFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = (path != ".").then_some(path);
            invalid(path, yaml_message(&e.into_inner()))
        })?;
        crate::check::check(&spec).map_err(|(path, message)| invalid(Some(path), message))?;
        let dates = Dates::new(&spec.dates).map_err(|m| invalid(Some("dates".into()), m))?;
        let numbers =
            Numbers::new(&spec.numbers).map_err(|m| invalid(Some("numbers".into()), m))?;
        Ok(Self {
            spec,
            dates,
            numbers,
            origin: origin.to_owned(),
        })
    }

    /// The mapping's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// What it is for.
    pub fn about(&self) -> Option<&str> {
        self.spec.about.as_deref()
    }

    /// Where it came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The mapping as YAML (the same mapping when read back).
    pub fn to_yaml(&self) -> Result<String, MappingError> {
        serde_yaml_ng::to_string(&self.spec).map_err(|e| MappingError::Invalid {
            origin: self.origin.clone(),
            path: None,
            message: e.to_string(),
        })
    }
}

/// A YAML error's message without the YAML crate's own path (the caller
/// names the place), with its line and column at the end.
fn yaml_message(e: &serde_yaml_ng::Error) -> String {
    let mut text = e.to_string();
    if let Some(at) = e.location() {
        let suffix = format!(" at line {} column {}", at.line(), at.column());
        if let Some(stripped) = text.strip_suffix(&suffix) {
            text = format!("{stripped} (line {}, column {})", at.line(), at.column());
        }
    }
    match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') && !path.is_empty() => rest.to_owned(),
        _ => text,
    }
}

/// Whether `name` is a DATA.md column of `record`.
pub(crate) fn is_standard(record: &RecordType, name: &str) -> bool {
    record
        .required_columns()
        .iter()
        .chain(record.optional_columns())
        .any(|c| *c == name)
}
