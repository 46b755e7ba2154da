//! The crate's one error type.

use std::fmt;

use serde::Serialize;

/// One problem in a model, with its place (`rules[2].when[0].where[1].op`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where in the document: keys and list indexes from the top, `""` for the
    /// document itself.
    pub path: String,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl Problem {
    /// A problem at a place.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// One line of a model's text view that does not read
/// ([`RuleModel::from_text`](crate::RuleModel::from_text)), with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineProblem {
    /// The line, counted from 1.
    pub line: usize,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl LineProblem {
    /// A problem on a line (counted from 1).
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Everything that can go wrong in this crate. Evaluation itself cannot fail.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The text is not YAML or JSON at all.
    #[error("not valid {format}: {message}")]
    Syntax {
        /// `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// The document parsed but breaks RULES.md; every problem is listed.
    #[error("{}", display_listed("the model", .problems))]
    Invalid {
        /// Every problem found, in document order.
        problems: Vec<Problem>,
    },
    /// A model's text view does not read; every line that does not is listed.
    #[error("{}", display_listed("the text view", .problems))]
    TextView {
        /// Every line that does not read, in order.
        problems: Vec<LineProblem>,
    },
    /// A record names another that is not there.
    #[error("{record} {id:?}: {column} {target:?} does not exist")]
    UnknownReference {
        /// The type of the record holding the reference.
        record: &'static str,
        /// Its id.
        id: String,
        /// The column holding the reference.
        column: &'static str,
        /// The id it names.
        target: String,
    },
    /// Two models given together share a name.
    #[error("two models are named \"{name}\"; model names must be unique")]
    DuplicateModel {
        /// The repeated name.
        name: String,
    },
}

fn display_listed<P: fmt::Display>(place: &str, problems: &[P]) -> String {
    let mut text = format!(
        "{} problem{} in {place}: ",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for (i, problem) in problems.iter().enumerate() {
        if i > 0 {
            text.push_str("; ");
        }
        text.push_str(&problem.to_string());
    }
    text
}
