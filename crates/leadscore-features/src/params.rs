//! Hyperparameters of the encoding, validated once before fitting.

use serde::{Deserialize, Serialize};

use crate::{Encoder, FeaturesError, Table};

/// How to encode a training table; [`EncoderParams::fit`] turns it into an [`Encoder`].
///
/// ```
/// use leadscore_features::EncoderParams;
///
/// let params = EncoderParams { min_level_count: 5, ..EncoderParams::default() };
/// assert!(params.validate().is_ok());
/// assert!(EncoderParams { max_levels: 0, ..params }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EncoderParams {
    /// A categorical level gets its own one-hot feature only when it appears at
    /// least this many times in training (default 20); rarer levels are pooled
    /// into `__other__`. Must be at least 1.
    pub min_level_count: usize,
    /// At most this many levels per categorical column get their own feature, the
    /// most frequent ones (default 30). Must be at least 1.
    pub max_levels: usize,
    /// A non-negative numeric column whose skewness exceeds this is encoded as
    /// `ln(1 + x)` (default 2.0; heavy-tailed counts). Must be zero or more;
    /// `f64::INFINITY` turns the log transform off.
    pub log_transform_skew: f64,
    /// A numeric column also gets one-hot features for its quantile bins (this
    /// many bins, the lowest one the reference; default 10; 0 turns binning
    /// off), so that a linear model can learn effects that are not straight
    /// lines. A bin holding fewer than `min_level_count` training values is
    /// merged into the one below. At most 100. Artifacts written before binning
    /// existed read as 0.
    #[serde(default)]
    pub numeric_bins: usize,
}

impl Default for EncoderParams {
    fn default() -> Self {
        Self {
            min_level_count: 20,
            max_levels: 30,
            log_transform_skew: 2.0,
            numeric_bins: 10,
        }
    }
}

impl EncoderParams {
    /// Checks every hyperparameter, returning the first one out of range.
    pub fn validate(&self) -> Result<(), FeaturesError> {
        if self.min_level_count == 0 {
            return Err(FeaturesError::InvalidParam {
                param: "min_level_count",
                value: self.min_level_count.to_string(),
                reason: "must be at least 1",
            });
        }
        if self.max_levels == 0 {
            return Err(FeaturesError::InvalidParam {
                param: "max_levels",
                value: self.max_levels.to_string(),
                reason: "must be at least 1",
            });
        }
        if self.numeric_bins > 100 {
            return Err(FeaturesError::InvalidParam {
                param: "numeric_bins",
                value: self.numeric_bins.to_string(),
                reason: "must be at most 100 (0 turns binning off)",
            });
        }
        if self.log_transform_skew.is_nan() || self.log_transform_skew < 0.0 {
            return Err(FeaturesError::InvalidParam {
                param: "log_transform_skew",
                value: self.log_transform_skew.to_string(),
                reason: "must be zero or more (infinity turns the log transform off)",
            });
        }
        Ok(())
    }

    /// Validates the parameters, then fits an [`Encoder`] on the training table.
    pub fn fit(&self, table: &Table) -> Result<Encoder, FeaturesError> {
        self.validate()?;
        Encoder::fit(self, table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(EncoderParams::default().validate(), Ok(()));
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let d = EncoderParams::default();
        let name = |p: EncoderParams| match p.validate() {
            Err(FeaturesError::InvalidParam { param, .. }) => Some(param),
            _ => None,
        };
        assert_eq!(
            name(EncoderParams {
                min_level_count: 0,
                ..d
            }),
            Some("min_level_count")
        );
        assert_eq!(
            name(EncoderParams { max_levels: 0, ..d }),
            Some("max_levels")
        );
        assert_eq!(
            name(EncoderParams {
                log_transform_skew: f64::NAN,
                ..d
            }),
            Some("log_transform_skew")
        );
        assert_eq!(
            name(EncoderParams {
                log_transform_skew: -1.0,
                ..d
            }),
            Some("log_transform_skew")
        );
        assert_eq!(
            name(EncoderParams {
                log_transform_skew: f64::INFINITY,
                ..d
            }),
            None
        );
    }
}
