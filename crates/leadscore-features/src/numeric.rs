//! Encoding of one numeric column: median imputation, an optional missing
//! indicator, an optional `ln(1 + x)` for heavy-tailed non-negative columns,
//! standardization, and quantile bins (one-hot) so that a linear model can also
//! learn effects that are not straight lines (young and old customers both
//! converting more, say).

use serde::{Deserialize, Serialize};

use crate::{EncoderParams, FeaturesError, Numbers};

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
    /// Cut points of the quantile bins, ascending, on the raw value: bin `k`
    /// (from 1) holds `cuts[k-1] <= x < cuts[k]` and gives one 0/1 feature; the
    /// lowest bin (below `cuts[0]`) is the reference and gives none. Empty when
    /// binning is off or the column has too few distinct values.
    #[serde(default)]
    pub cuts: Vec<f64>,
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
        values: &Numbers,
        params: &EncoderParams,
    ) -> Result<(Self, Option<NumericDrop>), FeaturesError> {
        let present: Vec<f64> = values.iter().flatten().collect();
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
                cuts: Vec::new(),
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
            cuts: Vec::new(),
        };
        let transformed: Vec<f64> = values.iter().map(|v| encoding.transformed(v)).collect();
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
        encoding.cuts = quantile_cuts(&present, params.numeric_bins, params.min_level_count);
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
        for (lo, hi) in self.bins() {
            names.push(match hi {
                Some(hi) => format!("{column}:[{lo},{hi})"),
                None => format!("{column}:>={lo}"),
            });
        }
        names
    }

    /// The bins that give a feature, as `(lower bound, upper bound)`.
    pub fn bins(&self) -> impl Iterator<Item = (f64, Option<f64>)> + '_ {
        self.cuts
            .iter()
            .enumerate()
            .map(|(k, lo)| (*lo, self.cuts.get(k + 1).copied()))
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
        if !self.cuts.is_empty() {
            // The number of cut points at or below the (imputed) value: 0 is the
            // reference bin.
            let v = value.unwrap_or(self.median);
            let bin = self.cuts.partition_point(|c| *c <= v);
            for k in 1..=self.cuts.len() {
                out.push(if k == bin { 1.0 } else { 0.0 });
            }
        }
        Ok(())
    }
}

/// Cut points at the `1/bins, 2/bins, ...` quantiles of the values, without
/// repeats and above the minimum, keeping only bins that hold at least
/// `min_count` training values (a thin bin is merged into the one below).
fn quantile_cuts(values: &[f64], bins: usize, min_count: usize) -> Vec<f64> {
    if bins < 2 {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let Some(&min) = sorted.first() else {
        return Vec::new();
    };
    let mut cuts: Vec<f64> = Vec::new();
    for k in 1..bins {
        let Some(&q) = sorted.get(k * n / bins) else {
            continue;
        };
        if q > min && cuts.last().is_none_or(|last| q > *last) {
            cuts.push(q);
        }
    }
    // Drop cuts whose bin (from this cut to the next) holds too few values.
    let count_from = |lo: f64, hi: Option<f64>| {
        let start = sorted.partition_point(|v| *v < lo);
        let end = hi.map_or(n, |hi| sorted.partition_point(|v| *v < hi));
        end - start
    };
    let mut kept: Vec<f64> = Vec::new();
    for (i, &cut) in cuts.iter().enumerate() {
        let next = cuts.get(i + 1).copied();
        if count_from(cut, next) >= min_count.max(1) {
            kept.push(cut);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_cuts_skip_repeats_and_thin_bins() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(quantile_cuts(&values, 4, 1), [25.0, 50.0, 75.0]);
        assert!(quantile_cuts(&values, 0, 1).is_empty());
        // Mostly zeros: no cut at the minimum, one cut where values start.
        let mut skewed = vec![0.0; 90];
        skewed.extend((1..=10).map(f64::from));
        assert_eq!(quantile_cuts(&skewed, 10, 1), [1.0]);
        assert!(quantile_cuts(&skewed, 10, 20).is_empty());
    }

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
            &Numbers::from(vec![Some(1.0), None, Some(3.0), Some(2.0)]),
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
            &Numbers::from(vec![Some(4.0), None, Some(4.0)]),
            &EncoderParams::default(),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(drop, Some(NumericDrop::Constant(4.0)));
        assert_eq!(enc.feature_names("x"), vec!["x:missing".to_owned()]);
    }

    #[test]
    fn nan_in_training_is_an_error() {
        let err = NumericEncoding::fit(
            "x",
            &Numbers::from(vec![Some(f64::NAN)]),
            &EncoderParams::default(),
        );
        assert_eq!(err, Err(FeaturesError::NonFinite { column: "x".into() }));
    }
}
