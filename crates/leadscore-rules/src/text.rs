//! The text view: a compact, query-like rendering of a model, one line per rule,
//! stable enough for snapshot tests and diffs ([`RuleModel::to_text`]), and
//! reading it back (module `parse`, [`RuleModel::from_text`]).

mod parse;

use std::fmt::Write as _;

use leadscore_domain::Timestamp;

use crate::model::{Condition, Conditions, Frequency, Op, Operand, Predicate, RuleModel, Scalar};

impl RuleModel {
    /// Renders the model: a `MODEL` line, a `GRADES` line when it has grades, then
    /// one `RULE` line per rule.
    ///
    /// ```text
    /// RULE "Clicked an email this year" +5 EACH (CAP 25): EmailClicked WITHIN 365d WHERE Contact.city = 'Chicago'
    /// RULE "Big company" +20: Lead.ParentAccount WHERE employees > 500
    /// ```
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "MODEL {} TARGET {}",
            quote(&self.name),
            self.target.as_str()
        );
        if let Some(t) = self.sales_ready {
            let _ = write!(out, " SALES READY {t}");
        }
        if let Some(f) = self.floor {
            let _ = write!(out, " FLOOR {f}");
        }
        out.push('\n');
        if !self.grades.is_empty() {
            let grades: Vec<String> = self
                .grades
                .iter()
                .map(|g| {
                    let min = g.min.map(|m| m.to_string()).unwrap_or_default();
                    let max = g.max.map(|m| m.to_string()).unwrap_or_default();
                    format!("{} {min}..{max}", quote(&g.name))
                })
                .collect();
            let _ = writeln!(out, "GRADES {}", grades.join(", "));
        }
        for rule in &self.rules {
            let _ = write!(out, "RULE {} {:+}", quote(&rule.name), rule.points);
            let each = rule
                .conditions
                .list()
                .iter()
                .any(|c| c.frequency == Some(Frequency::Each));
            if each {
                out.push_str(" EACH");
            }
            if let Some(cap) = rule.cap {
                let _ = write!(out, " (CAP {cap})");
            }
            out.push_str(": ");
            out.push_str(&conditions_text(&rule.conditions));
            out.push('\n');
        }
        out
    }
}

/// A rule's conditions as text: `A`, `(A) AND (EACH B)`, or `ANY(A OR B)`, with
/// an item in parentheses when it holds more than one filter.
pub(crate) fn conditions_text(conditions: &Conditions) -> String {
    match conditions {
        Conditions::When(list) if list.len() == 1 => condition_text(&list[0]),
        Conditions::When(list) => list
            .iter()
            .map(|c| {
                let each = if c.frequency == Some(Frequency::Each) {
                    "EACH "
                } else {
                    ""
                };
                format!("({each}{})", condition_text(c))
            })
            .collect::<Vec<_>>()
            .join(" AND "),
        Conditions::Any(list) => format!(
            "ANY({})",
            list.iter()
                .map(|c| if c.filters.len() > 1 {
                    format!("({})", condition_text(c))
                } else {
                    condition_text(c)
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    }
}

/// One condition as text: `[NO | AT LEAST n] entity [WITHIN s | SINCE d] [HALF-LIFE s] [WHERE ...]`.
pub(crate) fn condition_text(cond: &Condition) -> String {
    let mut out = String::new();
    match cond.frequency {
        Some(Frequency::None) => out.push_str("NO "),
        Some(Frequency::AtLeast) | None if cond.count.is_some_and(|n| n > 1) => {
            let _ = write!(out, "AT LEAST {} ", cond.count.unwrap_or(1));
        }
        _ => {}
    }
    out.push_str(&cond.entity.to_string());
    if let Some(w) = cond.within {
        let _ = write!(out, " WITHIN {w}");
    }
    if let Some(s) = cond.since {
        let _ = write!(out, " SINCE {}", date_text(s));
    }
    if let Some(h) = cond.half_life {
        let _ = write!(out, " HALF-LIFE {h}");
    }
    if !cond.filters.is_empty() {
        out.push_str(" WHERE ");
        let filters: Vec<String> = cond.filters.iter().map(predicate_text).collect();
        out.push_str(&filters.join(" AND "));
    }
    out
}

fn date_text(t: Timestamp) -> String {
    let text = t.to_string();
    match text.strip_suffix("T00:00:00Z") {
        Some(date) => date.to_owned(),
        None => text,
    }
}

fn predicate_text(p: &Predicate) -> String {
    let op = match p.op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Contains => "CONTAINS",
        Op::NotContains => "NOT CONTAINS",
        Op::StartsWith => "STARTS WITH",
        Op::EndsWith => "ENDS WITH",
        Op::In => "IN",
        Op::NotIn => "NOT IN",
        Op::IsEmpty => "IS EMPTY",
        Op::IsNotEmpty => "IS NOT EMPTY",
    };
    match &p.value {
        Operand::Nothing => format!("{} {op}", p.field),
        Operand::Scalar(s) => format!("{} {op} {}", p.field, scalar_text(s)),
        Operand::List(list) => format!(
            "{} {op} ({})",
            p.field,
            list.iter().map(scalar_text).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Text(t) => quote_single(t),
        other => other.to_string(),
    }
}

fn quote_single(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
