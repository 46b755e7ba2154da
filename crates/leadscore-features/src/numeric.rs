//! Encoding of one numeric column: median imputation, an optional missing
//! indicator, an optional `ln(1 + x)` for heavy-tailed non-negative columns, and
//! standardization.

use serde::{Deserialize, Serialize};

use crate::{EncoderParams, FeaturesError};

/// The fitted encoding of one numeric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NumericEncoding {
    /// Stands in for a missing value (the training median, before any log).
    pub median: f64,
    /// Whether to emit a `name:missing` 0/1 feature (training had missing values).
    pub missing_indicator: bool,
    /// Whether the value goes through `ln(1 + max(x, 0))` before standardizing.
    pub log: bool,
    /// Standardization fitted on the imputed, transformed training values; `None`
    /// when the value feature was dropped because it was constant.
    pub scale: Option<Scale>,
}

/// Standardization: `(x - mean) / std`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Scale {
    pub mean: f64,
    pub std: f64,
}

/// Why a numeric column lost its value feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumericDrop {
    /// Every training value (after imputation) was this one.
    Constant(f64),
    /// No training row had a value.
    NoValues,
}

/// The median of non-empty, finite values.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match (sorted.get(mid.wrapping_sub(1)), sorted.get(mid)) {
        (Some(a), Some(b)) if sorted.len().is_multiple_of(2) => a / 2.0 + b / 2.0,
        (_, Some(b)) => *b,
        _ => 0.0,
    }
}

/// Population mean and standard deviation.
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().map(|v| v / n).sum::<f64>();
    let var = values
        .iter()
        .map(|v| (v - mean) * (v - mean) / n)
        .sum::<f64>();
    (mean, var.sqrt())
}

/// Sample skewness `m3 / m2^1.5` (population moments); 0 for a constant column.
pub(crate) fn skewness(values: &[f64]) -> f64 {
    let (mean, std) = mean_std(values);
    if std <= 0.0 || !std.is_finite() {
        return 0.0;
    }
    let n = values.len() as f64;
    values.iter().map(|v| ((v - mean) / std).powi(3) / n).sum()
}

impl NumericEncoding {
    /// Fits the encoding of one column; the second value says why the value
    /// feature was dropped, if it was.
    pub fn fit(
        column: &str,
        values: &[Option<f64>],
        params: &EncoderParams,
    ) -> Result<(Self, Option<NumericDrop>), FeaturesError> {
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        if present.iter().any(|v| !v.is_finite()) {
            return Err(FeaturesError::NonFinite {
                column: column.to_owned(),
            });
        }
        let missing_indicator = present.len() < values.len();
        if present.is_empty() {
            let encoding = Self {
                median: 0.0,
                missing_indicator,
                log: false,
                scale: None,
            };
            return Ok((encoding, Some(NumericDrop::NoValues)));
        }
        let median = median(&present);
        let log =
            present.iter().all(|v| *v >= 0.0) && skewness(&present) > params.log_transform_skew;
        let mut encoding = Self {
            median,
            missing_indicator,
            log,
            scale: None,
        };
        let transformed: Vec<f64> = values.iter().map(|v| encoding.transformed(*v)).collect();
        let (min, max) = transformed
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        if min == max {
            return Ok((encoding, Some(NumericDrop::Constant(median))));
        }
        let (mean, std) = mean_std(&transformed);
        if !mean.is_finite() || !std.is_finite() {
            return Err(FeaturesError::NonFinite {
                column: column.to_owned(),
            });
        }
        if std <= 0.0 {
            return Ok((encoding, Some(NumericDrop::Constant(median))));
        }
        encoding.scale = Some(Scale { mean, std });
        Ok((encoding, None))
    }

    /// The imputed, possibly log-transformed value, before standardizing.
    fn transformed(&self, value: Option<f64>) -> f64 {
        let v = value.unwrap_or(self.median);
        if self.log { v.max(0.0).ln_1p() } else { v }
    }

    /// The feature names, in output order.
    pub fn feature_names(&self, column: &str) -> Vec<String> {
        let mut names = Vec::new();
        if self.scale.is_some() {
            names.push(column.to_owned());
        }
        if self.missing_indicator {
            names.push(format!("{column}:missing"));
        }
        names
    }

    /// Appends this column's features for one value.
    pub fn encode(
        &self,
        column: &str,
        value: Option<f64>,
        out: &mut Vec<f64>,
    ) -> Result<(), FeaturesError> {
        if let Some(Scale { mean, std }) = self.scale {
            if value.is_some_and(|v| !v.is_finite()) {
                return Err(FeaturesError::NonFinite {
                    column: column.to_owned(),
                });
            }
            let z = (self.transformed(value) - mean) / std;
            if !z.is_finite() {
                return Err(FeaturesError::NonFinite {
                    column: column.to_owned(),
                });
            }
            out.push(z);
        }
        if self.missing_indicator {
            out.push(if value.is_none() { 1.0 } else { 0.0 });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn skewness_signs() {
        assert_eq!(skewness(&[1.0, 2.0, 3.0]), 0.0);
        assert!(skewness(&[0.0, 0.0, 0.0, 0.0, 100.0]) > 1.0);
        assert_eq!(skewness(&[5.0, 5.0]), 0.0);
    }

    #[test]
    fn imputes_the_median_and_flags_missing() {
        let (enc, drop) = NumericEncoding::fit(
            "x",
            &[Some(1.0), None, Some(3.0), Some(2.0)],
            &EncoderParams::default(),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(drop, None);
        assert_eq!(enc.median, 2.0);
        assert!(enc.missing_indicator);
        assert_eq!(
            enc.feature_names("x"),
            vec!["x".to_owned(), "x:missing".to_owned()]
        );
        let mut out = Vec::new();
        enc.encode("x", None, &mut out)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let mean = enc.scale.map_or(f64::NAN, |s| s.mean);
        assert_eq!(mean, 2.0);
        assert_eq!(out, vec![0.0, 1.0]);
    }

    #[test]
    fn constant_column_keeps_only_its_missing_indicator() {
        let (enc, drop) = NumericEncoding::fit(
            "x",
            &[Some(4.0), None, Some(4.0)],
            &EncoderParams::default(),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(drop, Some(NumericDrop::Constant(4.0)));
        assert_eq!(enc.feature_names("x"), vec!["x:missing".to_owned()]);
    }

    #[test]
    fn nan_in_training_is_an_error() {
        let err = NumericEncoding::fit("x", &[Some(f64::NAN)], &EncoderParams::default());
        assert_eq!(err, Err(FeaturesError::NonFinite { column: "x".into() }));
    }
}
