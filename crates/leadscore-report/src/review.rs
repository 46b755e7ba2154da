//! The review document: everything the page shows, as plain data that is also
//! written as JSON for other tools.
//!
//! Rates and shares are fractions in `[0, 1]` (0.62 is 62%). A figure that
//! could not be computed is `None` (JSON `null`), never a made-up number. JSON
//! has no NaN or infinity: every `f64` that is not an `Option` must be finite
//! for the document to read back.
//!
//! serde_json writes each `f64` in the shortest form that reads back to the
//! same value; to read it back bit for bit in Rust, enable serde_json's
//! `float_roundtrip` feature (without it, about one value in ten comes back one
//! unit in the last place off). Python's `json` module reads it exactly.

use serde::{Deserialize, Serialize};

use crate::drift::DriftSection;
use crate::features::FeatureRow;

/// The quarterly feature review of the conversion model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The page title, e.g. "Conversion model review, Q3 2026".
    pub title: String,
    /// When the review was produced (RFC 3339, given by the caller).
    pub generated_at: String,
    /// The model under review and its headline results.
    pub model: ModelSummary,
    /// The leads the curves, calibration, grades and lift were computed on.
    pub data: DataSummary,
    /// ROC curve: `x` = false-positive rate, `y` = true-positive rate.
    pub roc: Vec<CurvePoint>,
    /// Precision-recall curve: `x` = recall, `y` = precision.
    pub pr: Vec<CurvePoint>,
    /// Predicted chance of converting against the observed rate, by bin.
    pub calibration: Vec<CalibrationRow>,
    /// Leads and conversions per grade.
    pub grades: Vec<GradeRow>,
    /// Conversion and lift per score decile, top tenth first.
    pub lift: Vec<DecileRow>,
    /// What the model looks at, strongest first.
    pub features: Vec<FeatureRow>,
    /// Recent leads compared with the training data; `None` when not measured.
    pub drift: Option<DriftSection>,
    /// Each rule model side by side with the conversion model on the same
    /// closed leads.
    pub backtests: Vec<BacktestRow>,
    /// Things the reader should know, in plain words.
    pub warnings: Vec<String>,
}

/// The model under review and its results on held-out test leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ModelSummary {
    /// Registry version of the model; `None` for a model not yet registered.
    pub version: Option<i64>,
    /// When the model was trained (RFC 3339).
    pub created_at: String,
    /// Hash of the training data, to tell which data the model learned from.
    pub training_data_hash: String,
    /// Number of leads the model was trained on.
    pub n_train: usize,
    /// Number of held-out leads it was tested on.
    pub n_test: usize,
    /// Area under the ROC curve on the test leads (0.5 = guessing, 1 = perfect).
    pub auc: Option<f64>,
    /// Area under the precision-recall curve (average precision).
    pub pr_auc: Option<f64>,
    /// Share of leads flagged at `threshold` that converted.
    pub precision: Option<f64>,
    /// Share of converted leads flagged at `threshold`.
    pub recall: Option<f64>,
    /// Predicted chance at or above which a lead is flagged as likely to convert.
    pub threshold: f64,
    /// Share of closed leads that converted.
    pub base_rate: f64,
    /// Whether the model's quality checks found its results weak or thin.
    pub low_confidence: bool,
}

/// The leads the charts were computed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DataSummary {
    /// Where the leads came from (a folder, a database, a time window).
    pub source: String,
    /// All leads in the source.
    pub leads: usize,
    /// Leads with a known outcome (converted or lost).
    pub closed: usize,
    /// Closed leads that converted.
    pub converted: usize,
}

/// One point of a curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CurvePoint {
    /// Horizontal position (ROC: false-positive rate; PR: recall).
    pub x: f64,
    /// Vertical position (ROC: true-positive rate; PR: precision).
    pub y: f64,
}

/// One bin of predicted chances of converting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalibrationRow {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Upper edge of the bin.
    pub upper: f64,
    /// Leads in the bin.
    pub count: usize,
    /// Average predicted chance of those leads; `None` for an empty bin.
    pub mean_predicted: Option<f64>,
    /// Share of those leads that converted; `None` for an empty bin.
    pub observed_rate: Option<f64>,
}

/// Leads and conversions for one grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GradeRow {
    /// The grade, e.g. "A".
    pub grade: String,
    /// Closed leads with this grade.
    pub leads: usize,
    /// Of those, the ones that converted.
    pub converted: usize,
    /// `converted / leads`; `None` when there are no leads.
    pub conversion_rate: Option<f64>,
}

/// One tenth of the leads, ranked by score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecileRow {
    /// 1 for the highest-scoring tenth, 10 for the lowest.
    pub decile: usize,
    /// Leads in the decile.
    pub leads: usize,
    /// Of those, the ones that converted.
    pub converted: usize,
    /// `converted / leads`; `None` when the decile is empty.
    pub conversion_rate: Option<f64>,
    /// The decile's conversion rate over the overall rate (1 = average).
    pub lift: Option<f64>,
}

/// Which kind of scorer a backtest row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScorerKind {
    /// A hand-written rule model.
    Rule,
    /// The trained conversion model.
    Conversion,
}

/// One scorer's results on the closed leads, scored as of each lead's close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BacktestRow {
    /// The model's name.
    pub model: String,
    /// Rule model or conversion model.
    pub kind: ScorerKind,
    /// Closed leads the model gave a score.
    pub scored: usize,
    /// Area under the ROC curve.
    pub auc: Option<f64>,
    /// Area under the precision-recall curve.
    pub pr_auc: Option<f64>,
    /// Conversion rate of the top tenth over the overall rate.
    pub top_decile_lift: Option<f64>,
    /// Leads and conversions per grade under this model.
    pub grades: Vec<GradeRow>,
}
