//! Drift: how far recent leads have moved away from the training data.

use leadscore_metrics::{PSI_MAJOR_SHIFT, PSI_MODERATE_SHIFT};
use serde::{Deserialize, Serialize};

use crate::review::GradeRow;

/// Recent leads compared with the data the model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DriftSection {
    /// What was compared with what, e.g. "training data (n=4000) vs leads
    /// created in the last 90 days (n=812)".
    pub reference: String,
    /// Population stability index of the model's scores; `None` when not
    /// measured.
    pub score_psi: Option<f64>,
    /// Population stability index per feature.
    pub features: Vec<FeatureDrift>,
    /// Realized conversion per grade of the recent leads that have closed.
    pub grade_outcomes: Vec<GradeRow>,
}

/// The shift of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeatureDrift {
    /// The feature's name.
    pub feature: String,
    /// Population stability index (0 = no shift).
    pub psi: f64,
    /// The conventional reading of `psi`, see [`DriftLevel::of`].
    pub level: DriftLevel,
}

/// How large a shift is, by the conventional PSI alarm levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DriftLevel {
    /// Below [`PSI_MODERATE_SHIFT`] (0.1): nothing to do.
    Stable,
    /// From [`PSI_MODERATE_SHIFT`] (0.1) up to [`PSI_MAJOR_SHIFT`] (0.25):
    /// worth watching.
    Moderate,
    /// [`PSI_MAJOR_SHIFT`] (0.25) or more: investigate, consider retraining.
    Major,
}

impl DriftLevel {
    /// The level of a PSI value: below 0.1 stable, 0.1 up to 0.25 moderate,
    /// 0.25 and above major. A value that is not a number counts as major, so
    /// that a failed measurement gets looked at instead of passing as stable.
    ///
    /// ```
    /// use leadscore_report::DriftLevel;
    ///
    /// assert_eq!(DriftLevel::of(0.05), DriftLevel::Stable);
    /// assert_eq!(DriftLevel::of(0.1), DriftLevel::Moderate);
    /// assert_eq!(DriftLevel::of(0.25), DriftLevel::Major);
    /// ```
    pub fn of(psi: f64) -> DriftLevel {
        if psi.is_nan() || psi >= PSI_MAJOR_SHIFT {
            DriftLevel::Major
        } else if psi >= PSI_MODERATE_SHIFT {
            DriftLevel::Moderate
        } else {
            DriftLevel::Stable
        }
    }

    /// The level in plain words: "stable", "moderate shift" or "major shift".
    pub fn words(self) -> &'static str {
        match self {
            DriftLevel::Stable => "stable",
            DriftLevel::Moderate => "moderate shift",
            DriftLevel::Major => "major shift",
        }
    }
}
