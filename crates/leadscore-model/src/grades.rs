//! Grades A/B/C/D from a 0-100 score.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A lead's grade, which drives routing to seller queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// The best leads.
    A,
    /// Good leads.
    B,
    /// Weak leads.
    C,
    /// The rest.
    D,
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        })
    }
}

/// The lowest score of grades A, B and C (D is everything below C); sales ops set
/// them. Default: A 75-100, B 50-74, C 25-49, D 0-24.
///
/// ```
/// use leadscore_model::{Grade, GradeBands};
///
/// let bands = GradeBands::default();
/// assert_eq!(bands.grade(75), Grade::A);
/// assert_eq!(bands.grade(74), Grade::B);
/// assert_eq!(bands.grade(0), Grade::D);
/// assert!(GradeBands::parse("80,60,20").is_ok());
/// assert!(GradeBands::parse("50,60,20").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeBands {
    /// Lowest score graded A.
    pub a: u8,
    /// Lowest score graded B.
    pub b: u8,
    /// Lowest score graded C.
    pub c: u8,
}

impl Default for GradeBands {
    fn default() -> Self {
        Self {
            a: 75,
            b: 50,
            c: 25,
        }
    }
}

impl GradeBands {
    /// Checks `100 >= a > b > c >= 1`.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.a > 100 || self.a <= self.b || self.b <= self.c || self.c == 0 {
            return Err(ModelError::InvalidParam {
                param: "grades",
                value: format!("{},{},{}", self.a, self.b, self.c),
                reason: "the lowest scores of A, B and C must satisfy 100 >= A > B > C >= 1",
            });
        }
        Ok(())
    }

    /// Parses `A,B,C` (for example `75,50,25`) and validates it.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let bad = || ModelError::InvalidParam {
            param: "grades",
            value: text.to_owned(),
            reason: "expected the lowest scores of A, B and C, such as 75,50,25",
        };
        let parts: Vec<u8> = text
            .split(',')
            .map(|p| p.trim().parse::<u8>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [a, b, c] = parts[..] else {
            return Err(bad());
        };
        let bands = Self { a, b, c };
        bands.validate()?;
        Ok(bands)
    }

    /// The grade of a score.
    pub fn grade(&self, score: u8) -> Grade {
        if score >= self.a {
            Grade::A
        } else if score >= self.b {
            Grade::B
        } else if score >= self.c {
            Grade::C
        } else {
            Grade::D
        }
    }
}
