//! Operators applied to field values: case-insensitive text, numbers compared as
//! numbers, times as times, and RULES.md's absent-value semantics.

use leadscore_domain::Timestamp;

use crate::model::{Op, Operand, Scalar};

/// A field value as read from a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// No value.
    Absent,
    /// Text as it arrived.
    Text(&'a str),
    /// A whole number (`employees`).
    Int(i64),
    /// A number (`annual_revenue`).
    Num(f64),
    /// An instant in microseconds (`created_at`, `occurred_at`).
    Time(i64),
}

impl Value<'_> {
    fn as_number(&self) -> Option<f64> {
        match *self {
            Self::Int(n) => Some(n as f64),
            Self::Num(n) => Some(n),
            Self::Text(t) => parse_number(t),
            _ => None,
        }
    }

    fn as_time(&self) -> Option<i64> {
        match *self {
            Self::Time(t) => Some(t),
            Self::Text(t) => Timestamp::parse(t).ok().map(Timestamp::as_micros),
            _ => None,
        }
    }

    /// The value as text, for the text operators.
    pub(crate) fn to_text(self) -> Option<std::borrow::Cow<'static, str>> {
        // Only called for non-text values; text values are compared in place.
        match self {
            Self::Absent | Self::Text(_) => None,
            Self::Int(n) => Some(n.to_string().into()),
            Self::Num(n) => Some(n.to_string().into()),
            Self::Time(t) => Timestamp::from_micros(t).map(|t| t.to_string().into()),
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let first = t.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// One operand value, prepared once: lowercased text, and its number or time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    lower: String,
    ascii: bool,
    number: Option<f64>,
    time: Option<i64>,
}

impl Prepared {
    fn new(scalar: &Scalar) -> Self {
        let text = scalar.to_string();
        let lower = text.to_lowercase();
        Self {
            ascii: lower.is_ascii(),
            lower,
            number: scalar.as_number(),
            time: match scalar {
                Scalar::Text(t) => Timestamp::parse(t).ok().map(Timestamp::as_micros),
                _ => None,
            },
        }
    }
}

/// A compiled comparison: an operator and its prepared operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    op: Op,
    values: Vec<Prepared>,
}

impl Comparison {
    pub(crate) fn new(op: Op, operand: &Operand) -> Self {
        let values = match operand {
            Operand::Nothing => Vec::new(),
            Operand::Scalar(s) => vec![Prepared::new(s)],
            Operand::List(list) => list.iter().map(Prepared::new).collect(),
        };
        Self { op, values }
    }

    /// True when the value passes. An absent value passes only `ne`,
    /// `not_contains`, `not_in` and `is_empty`.
    pub(crate) fn holds(&self, value: Value<'_>) -> bool {
        if matches!(value, Value::Absent) {
            return self.op.holds_on_absent();
        }
        let first = self.values.first();
        match self.op {
            Op::IsEmpty => false,
            Op::IsNotEmpty => true,
            Op::Eq => first.is_some_and(|p| equals(value, p)),
            Op::Ne => !first.is_some_and(|p| equals(value, p)),
            Op::In => self.values.iter().any(|p| equals(value, p)),
            Op::NotIn => !self.values.iter().any(|p| equals(value, p)),
            Op::Lt | Op::Le | Op::Gt | Op::Ge => first.is_some_and(|p| ordered(self.op, value, p)),
            Op::Contains => first.is_some_and(|p| text_op(value, p, contains)),
            Op::NotContains => !first.is_some_and(|p| text_op(value, p, contains)),
            Op::StartsWith => first.is_some_and(|p| text_op(value, p, starts_with)),
            Op::EndsWith => first.is_some_and(|p| text_op(value, p, ends_with)),
        }
    }
}

fn equals(value: Value<'_>, p: &Prepared) -> bool {
    if let Some(n) = p.number {
        if let Some(v) = value.as_number() {
            return v == n;
        }
    } else if let (Some(t), Value::Time(v)) = (p.time, value) {
        return v == t;
    }
    text_op(value, p, |text, lower, ascii| {
        if ascii {
            text.eq_ignore_ascii_case(lower)
        } else {
            text.to_lowercase() == lower
        }
    })
}

fn ordered(op: Op, value: Value<'_>, p: &Prepared) -> bool {
    let ordering = if let Some(n) = p.number {
        value.as_number().and_then(|v| v.partial_cmp(&n))
    } else if let Some(t) = p.time {
        value.as_time().map(|v| v.cmp(&t))
    } else {
        None
    };
    ordering.is_some_and(|o| match op {
        Op::Lt => o.is_lt(),
        Op::Le => o.is_le(),
        Op::Gt => o.is_gt(),
        _ => o.is_ge(),
    })
}

fn text_op(value: Value<'_>, p: &Prepared, f: impl Fn(&str, &str, bool) -> bool) -> bool {
    match value {
        Value::Text(text) => f(text, &p.lower, p.ascii && text.is_ascii()),
        other => other
            .to_text()
            .is_some_and(|text| f(&text, &p.lower, p.ascii && text.is_ascii())),
    }
}

fn contains(text: &str, lower: &str, ascii: bool) -> bool {
    if ascii {
        let (hay, needle) = (text.as_bytes(), lower.as_bytes());
        needle.is_empty()
            || hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    } else {
        text.to_lowercase().contains(lower)
    }
}

fn starts_with(text: &str, lower: &str, ascii: bool) -> bool {
    if ascii {
        text.len() >= lower.len()
            && text.as_bytes()[..lower.len()].eq_ignore_ascii_case(lower.as_bytes())
    } else {
        text.to_lowercase().starts_with(lower)
    }
}

fn ends_with(text: &str, lower: &str, ascii: bool) -> bool {
    if ascii {
        text.len() >= lower.len()
            && text.as_bytes()[text.len() - lower.len()..].eq_ignore_ascii_case(lower.as_bytes())
    } else {
        text.to_lowercase().ends_with(lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(op: Op, operand: Operand) -> Comparison {
        Comparison::new(op, &operand)
    }
    fn text(s: &str) -> Operand {
        Operand::Scalar(Scalar::Text(s.to_owned()))
    }
    fn int(n: i64) -> Operand {
        Operand::Scalar(Scalar::Integer(n))
    }

    #[test]
    fn text_ignores_case_and_numbers_compare_as_numbers() {
        assert!(cmp(Op::Eq, text("chicago")).holds(Value::Text("CHICAGO")));
        assert!(cmp(Op::Eq, int(500)).holds(Value::Text("500.0")));
        assert!(!cmp(Op::Eq, text("500")).holds(Value::Text("500.0")));
        assert!(cmp(Op::Gt, int(9)).holds(Value::Text("10")));
        assert!(!cmp(Op::Gt, int(9)).holds(Value::Text("abc")));
        assert!(cmp(Op::Contains, text("PRIC")).holds(Value::Text("/pricing")));
        assert!(cmp(Op::StartsWith, text("Ü")).holds(Value::Text("über")));
        assert!(cmp(Op::EndsWith, text(".COM")).holds(Value::Text("a@b.com")));
        assert!(cmp(Op::Lt, text("2026-01-01")).holds(Value::Time(0)));
    }

    #[test]
    fn absent_values_pass_only_the_negative_operators() {
        for (op, operand) in [
            (Op::Eq, text("x")),
            (Op::Lt, int(1)),
            (Op::Contains, text("x")),
            (Op::In, Operand::List(vec![Scalar::Text("x".into())])),
            (Op::IsNotEmpty, Operand::Nothing),
        ] {
            assert!(!cmp(op, operand).holds(Value::Absent), "{op:?}");
        }
        for (op, operand) in [
            (Op::Ne, text("x")),
            (Op::NotContains, text("x")),
            (Op::NotIn, Operand::List(vec![Scalar::Text("x".into())])),
            (Op::IsEmpty, Operand::Nothing),
        ] {
            assert!(cmp(op, operand).holds(Value::Absent), "{op:?}");
        }
    }
}
