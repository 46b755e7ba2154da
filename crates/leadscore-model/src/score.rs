//! Scoring encoded rows: probability, 0-100 score, grade, and the features that
//! moved the score, per input column, in log-odds.

use serde::Serialize;

use crate::family::Family;
use crate::solver::sigmoid;
use crate::{ConversionModel, Grade, GradeBands, Linear};

/// Most features an explanation summary lists each way.
pub const MAX_TOP: usize = 5;

/// The strongest contributions one way, strongest first: `(input column index,
/// log-odds)`. Fixed capacity, so that scoring allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Top {
    len: usize,
    items: [(u32, f64); MAX_TOP],
}

impl Top {
    /// The entries, strongest first.
    pub fn as_slice(&self) -> &[(u32, f64)] {
        &self.items[..self.len]
    }

    /// Keeps `(column, value)` if it is among the `cap` largest in size (every
    /// value offered to one `Top` has the same sign).
    fn offer(&mut self, cap: usize, column: u32, value: f64) {
        let mut at = self.len;
        while at > 0 && self.items[at - 1].1.abs() < value.abs() {
            at -= 1;
        }
        if at >= cap {
            return;
        }
        let end = self.len.min(cap - 1);
        let mut i = end;
        while i > at {
            self.items[i] = self.items[i - 1];
            i -= 1;
        }
        self.items[at] = (column, value);
        self.len = (self.len + 1).min(cap);
    }
}

/// One scored row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The published probability of converting.
    pub probability: f64,
    /// Its log-odds: the intercept plus every contribution.
    pub logit: f64,
    /// 0-100; for a low-confidence model, rounded down to a multiple of 10.
    pub score: u8,
    /// The grade of the score.
    pub grade: Grade,
    /// Whether the model is low-confidence.
    pub low_confidence: bool,
    /// Columns that raised the score most.
    pub top_positive: Top,
    /// Columns that lowered it most.
    pub top_negative: Top,
}

/// One input column's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    /// The input column.
    pub column: String,
    /// Its contribution to the log-odds (summed over the column's features).
    pub log_odds: f64,
    /// The lead's own value of the column, as text (a number as written by
    /// the scorer, unrounded); absent when the lead has none recorded or the
    /// caller did not fill it ([`Scorer::contributions`] leaves it empty: it
    /// sees only the encoded row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// How a scorer computes a row's published log-odds and each feature's part
/// in it, by model family.
#[derive(Debug, Clone)]
enum Form {
    /// Linear in the encoded features: the published weights and intercept.
    Linear(Linear),
}

/// Applies a model to encoded rows, whatever its family; build once, score many.
///
/// Every family gives the same things: the published probability, its 0-100
/// score and grade, and each input column's contribution in log-odds, which
/// sum with [`Scorer::intercept`] to the probability's logit.
///
/// See the crate documentation for an example.
#[derive(Debug, Clone)]
pub struct Scorer {
    form: Form,
    feature_column: Vec<u32>,
    columns: Vec<String>,
    low_confidence: bool,
    grades: GradeBands,
    top: usize,
}

impl Scorer {
    /// Prepares a model for scoring, with its own grade bands and summary length.
    pub fn new(model: &ConversionModel) -> Self {
        Self::with_grades(model, model.grades)
    }

    /// Prepares a model for scoring with other grade bands (assumed valid).
    pub fn with_grades(model: &ConversionModel, grades: GradeBands) -> Self {
        let form = match &model.family {
            Family::Logistic(fit) => {
                Form::Linear(fit.published_linear(model.base_rate, model.confidence.shrink))
            }
        };
        let columns = model.input_columns();
        let feature_column = (0..model.encoder.n_features())
            .map(|i| {
                let name = model.encoder.describe(i).map(|d| d.column);
                let index = name.and_then(|n| columns.iter().position(|c| *c == n));
                index.unwrap_or(0) as u32
            })
            .collect();
        Self {
            form,
            feature_column,
            columns,
            low_confidence: model.confidence.low,
            grades,
            top: model.top_features.clamp(1, MAX_TOP),
        }
    }

    /// The input columns, indexed as in [`Top`].
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The intercept of the published log-odds.
    pub fn intercept(&self) -> f64 {
        match &self.form {
            Form::Linear(linear) => linear.intercept,
        }
    }

    /// Scores one encoded row; `work` is scratch space reused between rows.
    pub fn score(&self, row: &[f64], work: &mut Vec<f64>) -> Scored {
        work.clear();
        work.resize(self.columns.len(), 0.0);
        let z = match &self.form {
            Form::Linear(linear) => {
                let mut z = linear.intercept;
                for ((w, x), &c) in linear.weights.iter().zip(row).zip(&self.feature_column) {
                    let part = w * x;
                    z += part;
                    work[c as usize] += part;
                }
                z
            }
        };
        let mut top_positive = Top::default();
        let mut top_negative = Top::default();
        for (c, &v) in work.iter().enumerate() {
            if v > 0.0 {
                top_positive.offer(self.top, c as u32, v);
            } else if v < 0.0 {
                top_negative.offer(self.top, c as u32, v);
            }
        }
        let probability = sigmoid(z);
        let score = self.score_of(probability);
        Scored {
            probability,
            logit: z,
            score,
            grade: self.grades.grade(score),
            low_confidence: self.low_confidence,
            top_positive,
            top_negative,
        }
    }

    /// Every column's contribution to one encoded row's log-odds, largest in size first.
    pub fn contributions(&self, row: &[f64]) -> Vec<Contribution> {
        let mut sums = vec![0.0; self.columns.len()];
        match &self.form {
            Form::Linear(linear) => {
                for ((w, x), &c) in linear.weights.iter().zip(row).zip(&self.feature_column) {
                    sums[c as usize] += w * x;
                }
            }
        }
        let mut out: Vec<Contribution> = self
            .columns
            .iter()
            .zip(sums)
            .map(|(column, log_odds)| Contribution {
                column: column.clone(),
                log_odds,
                value: None,
            })
            .collect();
        out.sort_by(|a, b| b.log_odds.abs().total_cmp(&a.log_odds.abs()));
        out
    }

    /// The 0-100 score of a published probability.
    pub fn score_of(&self, probability: f64) -> u8 {
        let p = probability.clamp(0.0, 1.0);
        if self.low_confidence {
            ((p * 10.0).floor() * 10.0) as u8
        } else {
            (p * 100.0).round() as u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_the_strongest_in_order() {
        let mut top = Top::default();
        for (c, v) in [(0, 0.1), (1, 0.5), (2, 0.3), (3, 0.7), (4, 0.2)] {
            top.offer(3, c, v);
        }
        assert_eq!(top.as_slice(), &[(3, 0.7), (1, 0.5), (2, 0.3)]);
        let mut neg = Top::default();
        for (c, v) in [(0, -0.1), (1, -0.5), (2, -0.3)] {
            neg.offer(2, c, v);
        }
        assert_eq!(neg.as_slice(), &[(1, -0.5), (2, -0.3)]);
    }
}
