//! Encoding of one categorical column: one-hot of its frequent levels, with rare
//! levels pooled into `__other__` and missing values as `__missing__`.
//!
//! Every level keeps its feature; no reference level is dropped. The conversion
//! model is a regularized logistic regression, for which the redundant column is
//! harmless, and keeping every level makes each contribution readable on its own.

use serde::{Deserialize, Serialize};

use crate::{EncoderParams, Labels};

/// Name of the pooled feature for rare (and, at scoring time, unseen) levels.
pub const OTHER_LEVEL: &str = "__other__";
/// Name of the feature for a missing value.
pub const MISSING_LEVEL: &str = "__missing__";

/// The fitted encoding of one categorical column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CategoricalEncoding {
    /// Levels with their own feature, most frequent first.
    pub levels: Vec<String>,
    /// Whether training had levels pooled into `__other__`.
    pub other: bool,
    /// Whether training had missing values (a `__missing__` feature).
    pub missing: bool,
}

/// Which feature of the column a value lights up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Level(usize),
    Other,
    Missing,
    None,
}

impl CategoricalEncoding {
    /// Fits the encoding of one column; the second value is true when every
    /// training row lit the same single feature (the column is constant).
    pub fn fit(values: &Labels, params: &EncoderParams) -> (Self, bool) {
        // Cells are counted by their label's index: each distinct label has one.
        let mut per_level = vec![0usize; values.levels().len()];
        let mut missing = false;
        for row in 0..values.len() {
            match values.level_of(row).flatten() {
                Some(level) => {
                    if let Some(n) = per_level.get_mut(level) {
                        *n += 1;
                    }
                }
                None => missing = true,
            }
        }
        let counts: Vec<(&str, usize)> = values
            .levels()
            .zip(per_level)
            .filter(|(_, n)| *n > 0)
            .collect();
        let mut frequent: Vec<(&str, usize)> = counts
            .iter()
            .filter(|(_, n)| *n >= params.min_level_count)
            .copied()
            .collect();
        frequent.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        frequent.truncate(params.max_levels);
        let other = frequent.len() < counts.len();
        let levels: Vec<String> = frequent.into_iter().map(|(l, _)| l.to_owned()).collect();
        let encoding = Self {
            levels,
            other,
            missing,
        };
        let constant = encoding.width() <= 1;
        (encoding, constant)
    }

    /// The number of features.
    pub fn width(&self) -> usize {
        self.levels.len() + usize::from(self.other) + usize::from(self.missing)
    }

    /// The feature names, in output order: levels, then `__other__`, then `__missing__`.
    pub fn feature_names(&self, column: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .levels
            .iter()
            .map(|l| format!("{column}={l}"))
            .collect();
        if self.other {
            names.push(format!("{column}={OTHER_LEVEL}"));
        }
        if self.missing {
            names.push(format!("{column}={MISSING_LEVEL}"));
        }
        names
    }

    fn slot(&self, value: Option<&str>) -> Slot {
        match value {
            None if self.missing => Slot::Missing,
            None => Slot::None,
            Some(level) => match self.levels.iter().position(|l| l == level) {
                Some(i) => Slot::Level(i),
                None if self.other => Slot::Other,
                None => Slot::None,
            },
        }
    }

    /// Appends this column's one-hot features for one value. A level not kept in
    /// training lights `__other__`, or nothing if there is no `__other__`; a
    /// missing value lights `__missing__`, or nothing if training had none.
    pub fn encode(&self, value: Option<&str>, out: &mut Vec<f64>) {
        let start = out.len();
        out.resize(start + self.width(), 0.0);
        let index = match self.slot(value) {
            Slot::Level(i) => Some(i),
            Slot::Other => Some(self.levels.len()),
            Slot::Missing => Some(self.levels.len() + usize::from(self.other)),
            Slot::None => None,
        };
        if let Some(cell) = index.and_then(|i| out.get_mut(start + i)) {
            *cell = 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(spec: &[(&str, usize)]) -> Labels {
        spec.iter()
            .flat_map(|(l, n)| {
                std::iter::repeat_n(
                    if l.is_empty() {
                        None
                    } else {
                        Some((*l).to_owned())
                    },
                    *n,
                )
            })
            .collect()
    }

    #[test]
    fn pools_rare_levels_and_caps_the_count() {
        let params = EncoderParams {
            min_level_count: 3,
            max_levels: 2,
            ..EncoderParams::default()
        };
        let values = col(&[("a", 5), ("b", 4), ("c", 3), ("d", 1), ("", 2)]);
        let (enc, constant) = CategoricalEncoding::fit(&values, &params);
        assert!(!constant);
        assert_eq!(
            enc.feature_names("x"),
            ["x=a", "x=b", "x=__other__", "x=__missing__"]
        );
        let mut out = Vec::new();
        enc.encode(Some("c"), &mut out);
        enc.encode(None, &mut out);
        enc.encode(Some("never seen"), &mut out);
        assert_eq!(out, [0., 0., 1., 0., 0., 0., 0., 1., 0., 0., 1., 0.]);
    }

    #[test]
    fn unseen_without_other_is_all_zeros() {
        let params = EncoderParams {
            min_level_count: 1,
            ..EncoderParams::default()
        };
        let (enc, _) = CategoricalEncoding::fit(&col(&[("a", 2), ("b", 1)]), &params);
        assert_eq!(enc.feature_names("x"), ["x=a", "x=b"]);
        let mut out = Vec::new();
        enc.encode(Some("z"), &mut out);
        enc.encode(None, &mut out);
        assert_eq!(out, [0., 0., 0., 0.]);
    }

    #[test]
    fn a_single_level_is_constant() {
        let params = EncoderParams {
            min_level_count: 1,
            ..EncoderParams::default()
        };
        assert!(CategoricalEncoding::fit(&col(&[("a", 4)]), &params).1);
    }
}
