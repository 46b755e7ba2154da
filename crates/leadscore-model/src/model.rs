//! The fitted conversion model: everything scoring needs, and everything a
//! reviewer needs to trust it.

use leadscore_features::{Encoder, Table, kind_of_days_since_last};
use leadscore_metrics::PsiBins;
use serde::{Deserialize, Serialize};

use crate::family::Family;
use crate::solver::logit;
use crate::{Evaluation, GradeBands, Linear};

/// Where the training rows came from, so that scoring reads new data the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TrainingSource {
    /// A DATA.md folder: one row per closed lead, built as of its close.
    Folder {
        /// Interaction kinds with behaviour columns.
        kinds: Vec<String>,
        /// Columns left out.
        exclude: Vec<String>,
    },
    /// A flat table with an outcome column.
    Flat {
        /// The outcome column.
        target: String,
        /// The value of it meaning converted.
        positive: String,
        /// Columns left out.
        exclude: Vec<String>,
    },
}

impl TrainingSource {
    /// The source of rows built from a DATA.md folder (or from a store's
    /// records, which are one): its behaviour kinds are those with a
    /// days-since-last column among `table`'s columns.
    pub fn of_folder(table: &Table, exclude: Vec<String>) -> Self {
        let kinds = table
            .columns
            .iter()
            .filter_map(|c| kind_of_days_since_last(&c.name).map(str::to_owned))
            .collect();
        Self::Folder { kinds, exclude }
    }
}

/// Platt scaling: `calibrated logit = slope * raw logit + offset`, fitted on
/// predictions for rows the model had not seen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Multiplies the raw logit (0 when the raw scores carried no signal).
    pub slope: f64,
    /// Added after.
    pub offset: f64,
}

/// Whether the model can be trusted, and how its scores are tempered if not.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Confidence {
    /// Set when the held-out AUC is below `min_auc`.
    pub low: bool,
    /// The held-out AUC of the calibrated model.
    pub auc: f64,
    /// The AUC a confident model reaches.
    pub min_auc: f64,
    /// Share of each score's distance from the base rate kept (in log-odds):
    /// 1 for a confident model, `(auc - 0.5) / (min_auc - 0.5)` for a
    /// low-confidence one, so that a model no better than chance gives everyone
    /// the base rate.
    pub shrink: f64,
}

/// One L2 penalty tried by cross-validation and how it did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CvPoint {
    /// The penalty.
    pub l2: f64,
    /// Mean log loss over the folds' held-out rows.
    pub log_loss: f64,
    /// AUC of all out-of-fold predictions.
    pub auc: Option<f64>,
}

/// A trained conversion model. Made by [`TrainParams::fit`](crate::TrainParams::fit),
/// stored with [`save`](crate::save), read back with [`load`](crate::load),
/// applied with a [`Scorer`](crate::Scorer).
///
/// The public fields are shared by every model family; the fitted parameters
/// of its family (today always a logistic regression) are private, named by
/// [`ConversionModel::family_name`], and reached through the [`Scorer`](crate::Scorer)
/// and [`ConversionModel::published_linear`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionModel {
    /// When it was trained (RFC 3339, as the caller gave it).
    pub created_at: String,
    /// Where its training rows came from.
    pub source: TrainingSource,
    /// SHA-256 of the training rows (features and outcomes).
    pub training_data_hash: String,
    /// The feature encoding.
    pub encoder: Encoder,
    /// The family's fitted parameters, stored next to the shared fields with a
    /// `"family"` tag (absent, in artifacts from before it was recorded:
    /// logistic).
    #[serde(flatten)]
    pub(crate) family: Family,
    /// The L2 penalty chosen by cross-validation.
    pub l2: f64,
    /// Every penalty tried.
    pub cv: Vec<CvPoint>,
    /// Share of converted leads in training.
    pub base_rate: f64,
    /// Trust, and tempering when low.
    pub confidence: Confidence,
    /// Published probability at or above which a lead is called converted (the
    /// F1-maximizing one on out-of-fold predictions).
    pub threshold: f64,
    /// Score bands of the grades.
    pub grades: GradeBands,
    /// Strongest features listed each way in a score's summary.
    pub top_features: usize,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
    /// Metrics on the test rows, with the published probabilities.
    pub metrics: Evaluation,
    /// Warnings about the data found while training (probable leakage, dropped
    /// columns, duplicates).
    pub warnings: Vec<String>,
    /// The distributions of its training rows, for drift (absent in artifacts
    /// from before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<TrainingReference>,
}

/// What a model was trained on, kept for drift: the population stability
/// bins of each encoded feature over the training rows, and of the training
/// rows' out-of-fold probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingReference {
    /// Training rows.
    pub rows: usize,
    /// One per encoded feature, in the encoder's order (`None` when the
    /// column held no finite value).
    pub features: Vec<Option<PsiBins>>,
    /// The out-of-fold probabilities' bins.
    pub scores: Option<PsiBins>,
}

/// Quantile bins per distribution in a [`TrainingReference`].
pub const REFERENCE_BINS: usize = 10;

impl ConversionModel {
    /// The model's family, as its artifact names it (`"logistic"`).
    pub fn family_name(&self) -> &'static str {
        self.family.name()
    }

    /// The model as one linear form in the published log-odds, for a family
    /// linear in the encoded features (`None` otherwise): weights per encoded
    /// feature and an intercept, with calibration and low-confidence shrinkage
    /// folded in, so that contributions sum with the intercept to the logit of
    /// the published probability.
    pub fn published_linear(&self) -> Option<Linear> {
        self.family
            .published_linear(self.base_rate, self.confidence.shrink)
    }

    /// The fitted linear form before calibration and shrinkage, for a family
    /// linear in the encoded features (`None` otherwise); for diagnostics:
    /// scores are [`ConversionModel::published_linear`]'s.
    pub fn fitted_linear(&self) -> Option<&Linear> {
        self.family.fitted_linear()
    }

    /// The published log-odds of a raw logit (the fitted model's):
    /// calibrated, then shrunk towards the base rate when low-confidence, as
    /// [`ConversionModel::published_linear`] folds in.
    pub(crate) fn published_logit(&self, raw: f64) -> f64 {
        let base = logit(self.base_rate);
        base + self.confidence.shrink * (self.family.calibrated_logit(raw) - base)
    }

    /// Input columns the model reads.
    pub fn input_columns(&self) -> Vec<String> {
        self.encoder
            .input_columns()
            .into_iter()
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}
