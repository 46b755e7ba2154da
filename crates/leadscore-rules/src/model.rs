//! The rule model as plain data: what RULES.md describes, already validated.
//!
//! Values of these types come from the loader ([`crate::RuleModel::from_yaml`],
//! [`crate::RuleModel::from_json`]), which checks everything RULES.md asks for and
//! reports every problem with its place. They serialize back to the same shape the
//! loader reads, so a model round-trips through YAML or JSON.

use std::fmt;

use leadscore_domain::{EntityName, InteractionKind, Timestamp};
use serde::{Deserialize, Serialize};

/// A scoring model: named rules, grades and a sales-ready threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "serde_json::Value")]
pub struct RuleModel {
    /// Unique name.
    pub name: String,
    /// Which leads the model scores.
    pub target: Target,
    /// The score at which a lead becomes sales-ready; `None` never flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sales_ready: Option<i64>,
    /// Continuous, non-overlapping, ascending score ranges.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<Grade>,
    /// The score never goes below this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<i64>,
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

/// Which leads a model scores (DATA.md, "Lead kinds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Contact-based leads.
    Contact,
    /// Account-based leads.
    Account,
}

impl Target {
    /// The name as written in a model.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Account => "account",
        }
    }
}

/// A named score range; `min` absent means open below, `max` absent open above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grade {
    /// The grade's name (`Hot`, `A`).
    pub name: String,
    /// Lowest score in the range, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Highest score in the range, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

impl Grade {
    /// True when the score lies in this range.
    pub fn contains(&self, score: i64) -> bool {
        self.min.is_none_or(|min| score >= min) && self.max.is_none_or(|max| score <= max)
    }
}

/// One rule: conditions, and the points added when they hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    /// The rule's name, unique in its model.
    pub name: String,
    /// `when` (all hold) or `any` (at least one holds).
    #[serde(flatten)]
    pub conditions: Conditions,
    /// Points added when the rule holds (per qualifying interaction for `each`).
    pub points: i64,
    /// The most, in absolute value, the rule adds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<i64>,
}

/// How a rule's conditions combine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Conditions {
    /// All must hold (AND). At most one `each` condition.
    When(Vec<Condition>),
    /// At least one must hold (OR). No `each` condition.
    Any(Vec<Condition>),
}

impl Conditions {
    /// The conditions, whichever way they combine.
    pub fn list(&self) -> &[Condition] {
        match self {
            Self::When(list) | Self::Any(list) => list,
        }
    }
}

/// One condition: an entity (behaviour or fixed), how often, when, and filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    /// What the condition looks at.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "WebsiteVisited"))]
    pub entity: EntityPath,
    /// How often qualifying records must occur; only on behaviour conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    /// With `at_least`: how many qualifying records are needed (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Relative window before the evaluation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "30d"))]
    pub within: Option<Span>,
    /// Absolute start of the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    /// With `each`: occurrences decay by half over this span.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "14d"))]
    pub half_life: Option<Span>,
    /// Filters, all of which must hold (AND).
    #[serde(rename = "where", default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Predicate>,
}

impl Condition {
    /// The frequency that applies: the one written, or `at_least` for behaviour.
    pub fn effective_frequency(&self) -> Option<Frequency> {
        if self.entity.is_behaviour() {
            Some(self.frequency.unwrap_or(Frequency::AtLeast))
        } else {
            None
        }
    }
}

/// How often qualifying records must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// At least one; points added once per qualifying record.
    Each,
    /// At least `count`; points added once.
    AtLeast,
    /// None at all; points added once.
    None,
}

impl Frequency {
    /// The name as written in a model.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Each => "each",
            Self::AtLeast => "at_least",
            Self::None => "none",
        }
    }
}

/// A length of time written as `30d`, `2w` or `12h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: SpanUnit,
}

/// The unit of a [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanUnit {
    /// Hours (`h`).
    Hours,
    /// Days (`d`).
    Days,
    /// Weeks (`w`).
    Weeks,
}

const MICROS_PER_HOUR: i64 = 3_600_000_000;
/// The longest span accepted: 100 years of 366 days.
const MAX_SPAN_MICROS: i64 = 100 * 366 * 24 * MICROS_PER_HOUR;

impl Span {
    /// Reads `30d`, `2w`, `12h`: a positive whole number and a unit.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let unit = match text.chars().last() {
            Some('h') => SpanUnit::Hours,
            Some('d') => SpanUnit::Days,
            Some('w') => SpanUnit::Weeks,
            _ => {
                return Err(format!(
                    "\"{text}\" is not a time span: write a whole number and a unit d, w or h (30d)"
                ));
            }
        };
        let digits = &text[..text.len() - 1];
        match digits.parse::<u32>() {
            Ok(amount) if amount > 0 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                let span = Self { amount, unit };
                if span.as_micros() > MAX_SPAN_MICROS {
                    return Err(format!(
                        "\"{text}\" is longer than 100 years: omit the window to count all time"
                    ));
                }
                Ok(span)
            }
            _ => Err(format!(
                "\"{text}\" is not a time span: write a positive whole number and a unit d, w or h (30d)"
            )),
        }
    }

    /// The span in microseconds.
    pub fn as_micros(self) -> i64 {
        let hours = match self.unit {
            SpanUnit::Hours => 1,
            SpanUnit::Days => 24,
            SpanUnit::Weeks => 24 * 7,
        };
        i64::from(self.amount)
            .saturating_mul(hours)
            .saturating_mul(MICROS_PER_HOUR)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            SpanUnit::Hours => 'h',
            SpanUnit::Days => 'd',
            SpanUnit::Weeks => 'w',
        };
        write!(f, "{}{unit}", self.amount)
    }
}

impl TryFrom<String> for Span {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Span> for String {
    fn from(span: Span) -> Self {
        span.to_string()
    }
}

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Root {
    /// The lead itself.
    Lead,
    /// The lead's parent contact (for an account-based lead: any of the account's
    /// contacts).
    Contact,
    /// The lead's parent account, or else its contact's parent account.
    Account,
    /// The interactions of a kind attributed to the lead.
    Kind(InteractionKind),
}

/// One step along a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hop {
    /// From a lead: its parent contact.
    ParentContact,
    /// From a lead or a contact: its parent account.
    ParentAccount,
    /// From an interaction: the contact it is attributed to.
    Contact,
    /// From an interaction or a custom record: the lead it names.
    Lead,
    /// From a lead: its related records of a custom entity.
    Custom(EntityName),
}

impl Hop {
    /// The hop as written in a path.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ParentContact => "ParentContact",
            Self::ParentAccount => "ParentAccount",
            Self::Contact => "Contact",
            Self::Lead => "Lead",
            Self::Custom(name) => name.as_str(),
        }
    }
}

/// The most hops a path may take after its first name.
pub const MAX_HOPS: usize = 5;

/// The entity a condition looks at: a root and up to [`MAX_HOPS`] hops.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct EntityPath {
    /// Where the path starts.
    pub root: Root,
    /// The hops after it.
    pub hops: Vec<Hop>,
}

impl EntityPath {
    /// True when the condition is over a collection (interactions of a kind, or
    /// custom records): it counts records and takes a frequency.
    pub fn is_behaviour(&self) -> bool {
        matches!(self.root, Root::Kind(_)) || self.custom_entity().is_some()
    }

    /// The interaction kind a behaviour path starts at.
    pub fn kind(&self) -> Option<&InteractionKind> {
        match &self.root {
            Root::Kind(kind) => Some(kind),
            _ => None,
        }
    }

    /// The custom entity of a `Lead.<CustomEntity>` path.
    pub fn custom_entity(&self) -> Option<&EntityName> {
        match (&self.root, self.hops.first()) {
            (Root::Lead, Some(Hop::Custom(name))) => Some(name),
            _ => None,
        }
    }

    /// True when records of this path carry a time (interactions), so windows and
    /// decay apply.
    pub fn is_timed(&self) -> bool {
        matches!(self.root, Root::Kind(_))
    }
}

impl fmt::Display for EntityPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.root {
            Root::Lead => f.write_str("Lead")?,
            Root::Contact => f.write_str("Contact")?,
            Root::Account => f.write_str("Account")?,
            Root::Kind(kind) => f.write_str(kind.as_str())?,
        }
        for hop in &self.hops {
            write!(f, ".{}", hop.as_str())?;
        }
        Ok(())
    }
}

impl From<EntityPath> for String {
    fn from(path: EntityPath) -> Self {
        path.to_string()
    }
}

impl TryFrom<String> for EntityPath {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        crate::paths::parse_entity(&value).map_err(|problem| problem.to_string())
    }
}

/// A field read from a condition's entity, possibly after hops
/// (`Contact.city`, `ParentAccount.industry`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct FieldPath {
    /// Hops from the condition's entity.
    pub hops: Vec<Hop>,
    /// The field's name on the record the hops reach.
    pub name: String,
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for hop in &self.hops {
            write!(f, "{}.", hop.as_str())?;
        }
        f.write_str(&self.name)
    }
}

impl From<FieldPath> for String {
    fn from(path: FieldPath) -> Self {
        path.to_string()
    }
}

impl TryFrom<String> for FieldPath {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        crate::paths::parse_field(&value).map_err(|problem| problem.to_string())
    }
}

/// A filter: `field op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Predicate {
    /// The field compared.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Contact.city"))]
    pub field: FieldPath,
    /// The comparison.
    pub op: Op,
    /// What the field is compared with: a scalar, a list (`in`, `not_in`) or
    /// nothing (`is_empty`, `is_not_empty`).
    #[serde(skip_serializing_if = "Operand::is_nothing")]
    #[serde(default)]
    pub value: Operand,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal.
    Eq,
    /// Not equal (true for an absent value).
    Ne,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Holds the text.
    Contains,
    /// Does not hold the text (true for an absent value).
    NotContains,
    /// Starts with the text.
    StartsWith,
    /// Ends with the text.
    EndsWith,
    /// Equal to one of a list.
    In,
    /// Equal to none of a list (true for an absent value).
    NotIn,
    /// Absent.
    IsEmpty,
    /// Present.
    IsNotEmpty,
}

/// Every operator with its name, in the order RULES.md lists them.
pub const OPERATORS: [(Op, &str); 14] = [
    (Op::Eq, "eq"),
    (Op::Ne, "ne"),
    (Op::Lt, "lt"),
    (Op::Le, "le"),
    (Op::Gt, "gt"),
    (Op::Ge, "ge"),
    (Op::Contains, "contains"),
    (Op::NotContains, "not_contains"),
    (Op::StartsWith, "starts_with"),
    (Op::EndsWith, "ends_with"),
    (Op::In, "in"),
    (Op::NotIn, "not_in"),
    (Op::IsEmpty, "is_empty"),
    (Op::IsNotEmpty, "is_not_empty"),
];

impl Op {
    /// The operator's name as written in a model.
    pub fn as_str(self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("?", |(_, name)| name)
    }

    /// Reads an operator name.
    pub fn parse(name: &str) -> Option<Self> {
        OPERATORS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(op, _)| *op)
    }

    /// What value the operator takes.
    pub fn operand_kind(self) -> OperandKind {
        match self {
            Self::In | Self::NotIn => OperandKind::List,
            Self::IsEmpty | Self::IsNotEmpty => OperandKind::Nothing,
            Self::Lt | Self::Le | Self::Gt | Self::Ge => OperandKind::Ordered,
            _ => OperandKind::Scalar,
        }
    }

    /// True for the operators that hold when the value is absent.
    pub fn holds_on_absent(self) -> bool {
        matches!(
            self,
            Self::Ne | Self::NotContains | Self::NotIn | Self::IsEmpty
        )
    }
}

/// The shape of value an operator takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    /// A text, number or boolean.
    Scalar,
    /// A number, or a date or time.
    Ordered,
    /// A list of scalars.
    List,
    /// No value.
    Nothing,
}

/// What a field is compared with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Operand {
    /// No value (`is_empty`, `is_not_empty`).
    #[default]
    Nothing,
    /// One value.
    Scalar(Scalar),
    /// A list of values (`in`, `not_in`).
    List(Vec<Scalar>),
}

impl Operand {
    /// True for [`Operand::Nothing`].
    pub fn is_nothing(&self) -> bool {
        matches!(self, Self::Nothing)
    }
}

/// A single value in a filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// A boolean, compared with the text `true` / `false`.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A number with a fraction.
    Number(f64),
    /// Text (also dates, compared as times by `lt`...`ge`).
    Text(String),
}

/// A boolean, a number or a text: three disjoint JSON types (a derived
/// schema would list whole numbers twice, as integers and as numbers, and a
/// `oneOf` would then match 50 twice, which is no match).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Scalar {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        let typed = |t: Type, description: &str| {
            ObjectBuilder::new()
                .schema_type(t)
                .description(Some(description))
        };
        OneOfBuilder::new()
            .item(typed(
                Type::Boolean,
                "A boolean, compared with the text `true` / `false`.",
            ))
            .item(typed(Type::Number, "A number, whole or with a fraction."))
            .item(typed(
                Type::String,
                "Text (also dates, compared as times by `lt`...`ge`).",
            ))
            .description(Some("A single value in a filter."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Scalar {}

impl Scalar {
    /// The value as a number, when it is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Self::Integer(n) => Some(*n as f64),
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "{b}"),
            Self::Integer(n) => write!(f, "{n}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}
