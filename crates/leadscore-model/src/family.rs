//! Model families: the fitted parameters of a [`ConversionModel`](crate::ConversionModel),
//! one variant per kind of model. Everything outside this crate reaches them
//! through the model's and the [`Scorer`](crate::Scorer)'s methods, so that a
//! new family is a new variant here and new arms in the `match`es on it.
//!
//! In the artifact the family's parameters sit in the model object next to the
//! shared fields, named by a `"family"` tag (`"family": "logistic"`); an
//! artifact without the tag (written before families existed) is logistic.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::solver::logit;
use crate::{Calibration, Linear};

/// The name of the tag naming a model's family in the artifact.
pub(crate) const TAG: &str = "family";

/// The tag of the logistic family.
const LOGISTIC: &str = "logistic";

/// Every family this build reads, by tag.
pub(crate) const FAMILIES: &[&str] = &[LOGISTIC];

/// A fitted model's family-specific parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub(crate) enum Family {
    /// A logistic regression, calibrated (Platt).
    Logistic(LogisticFit),
}

/// The parameters of a fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LogisticFit {
    /// The fitted weights, one per encoded feature, and intercept (raw log-odds).
    pub(crate) linear: Linear,
    /// Probability calibration of the raw log-odds.
    pub(crate) calibration: Calibration,
}

impl LogisticFit {
    /// [`Family::published_linear`] of a logistic regression.
    pub(crate) fn published_linear(&self, base_rate: f64, shrink: f64) -> Linear {
        let (linear, calibration) = (&self.linear, &self.calibration);
        let a = calibration.slope * shrink;
        let base = logit(base_rate);
        let intercept =
            base + shrink * (calibration.slope * linear.intercept + calibration.offset - base);
        Linear {
            weights: linear.weights.iter().map(|w| w * a).collect(),
            intercept,
        }
    }
}

impl Family {
    /// The family's tag, as in the artifact.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Logistic(_) => LOGISTIC,
        }
    }

    /// Why the parameters do not fit an encoding of `n_features` features, if they do not.
    pub(crate) fn mismatch(&self, n_features: usize) -> Option<String> {
        match self {
            Self::Logistic(fit) => (fit.linear.weights.len() != n_features).then(|| {
                format!(
                    "{} weights for {} features",
                    fit.linear.weights.len(),
                    n_features
                )
            }),
        }
    }

    /// The published log-odds as one linear form in the encoded features, with
    /// calibration and shrinkage by `shrink` towards `base_rate` folded in;
    /// `None` for a family that is not linear in them.
    pub(crate) fn published_linear(&self, base_rate: f64, shrink: f64) -> Option<Linear> {
        match self {
            Self::Logistic(fit) => Some(fit.published_linear(base_rate, shrink)),
        }
    }

    /// The fitted linear form before calibration, for a linear family.
    pub(crate) fn fitted_linear(&self) -> Option<&Linear> {
        match self {
            Self::Logistic(fit) => Some(&fit.linear),
        }
    }

    /// The calibrated log-odds of a raw (fitted) log-odds.
    pub(crate) fn calibrated_logit(&self, raw: f64) -> f64 {
        match self {
            Self::Logistic(fit) => fit.calibration.slope * raw + fit.calibration.offset,
        }
    }
}

/// Reads the family's tag and its parameters from the fields of the model
/// object the shared fields left; without a tag, the fields are logistic.
impl<'de> Deserialize<'de> for Family {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(deserializer)?;
        let name = match fields.remove(TAG) {
            None => LOGISTIC.to_owned(),
            Some(Value::String(name)) => name,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "\"{TAG}\" is {other}, expected the name of a model family"
                )));
            }
        };
        match name.as_str() {
            LOGISTIC => LogisticFit::deserialize(Value::Object(fields))
                .map(Family::Logistic)
                .map_err(D::Error::custom),
            other => Err(D::Error::unknown_variant(other, FAMILIES)),
        }
    }
}
