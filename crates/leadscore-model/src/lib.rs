//! The conversion model: a logistic regression fitted with linfa-logistic on
//! historical outcomes (converted or not), that a sales team can trust, behind
//! an interface that admits other model families (see [Model families](#model-families)).
//!
//! - **Training** ([`TrainParams::fit`]): hyperparameters are validated first;
//!   training refuses with too few outcomes of either class
//!   ([`ModelError::TooFewOutcomes`]: the rule models should score instead). A
//!   test part is held out (stratified, or the newest leads), the encoding
//!   (`leadscore-features`) is fitted on the rest, the L2 penalty is chosen by
//!   stratified cross-validation, and probabilities are calibrated (Platt) on the
//!   out-of-fold predictions, rows no fold model had seen. The fit minimizes
//!   linfa-logistic's objective: by default with the L-BFGS solver
//!   linfa-logistic runs (argmin), turning to Newton steps where it is slow
//!   and the features are few enough for their Hessian, each pass over the
//!   rows multi-threaded
//!   ([`Solver::Fused`]); or with linfa-logistic itself
//!   ([`Solver::LinfaLogistic`]); both reach the same optimum. Class imbalance is
//!   handled where it matters for a ranking model: stratified splits and folds,
//!   calibration to the true conversion rate, and a decision threshold that
//!   maximizes F1 instead of 0.5; [`ClassWeight::Balanced`] also weighs each
//!   class equally in the fit. A fit whose solver stops short of the optimum is
//!   an error ([`ModelError::NotConverged`]).
//! - **Trust**: below a held-out AUC (default 0.70) the model is low-confidence:
//!   its log-odds are pulled towards the base rate and its scores rounded down
//!   to a multiple of 10 ([`Confidence`]). Single columns that predict the outcome
//!   almost perfectly are flagged as probable leakage ([`LeakageFlag`]).
//! - **Scoring** ([`Scorer`]): a probability, a 0-100 score, a grade
//!   ([`GradeBands`]), and each input column's contribution in log-odds; the
//!   contributions and [`Scorer::intercept`] sum to the probability's logit.
//!   Data handed in to be scored or measured must supply at least half of the
//!   model's input columns with values ([`prepare_inputs`]): otherwise every
//!   lead would get nearly the base score, and [`ModelError::TooFewInputs`]
//!   names the missing columns and the data's columns that look like them.
//! - **Artifact** ([`save`], [`load`]): `model.json` with a format version and a
//!   SHA-256 checksum, verified on load.
//!
//! # Model families
//!
//! A [`ConversionModel`] is reached through one interface, whatever kind of
//! model it is: its public fields are shared by every family (the encoding,
//! held-out metrics, trust, threshold, grades, drift reference), a [`Scorer`]
//! gives the probability, score, grade and per-column contributions in
//! log-odds (summing with [`Scorer::intercept`] to the logit), and [`save`] /
//! [`load`] store it. The fitted parameters belong to its family, held
//! privately (today one family, a calibrated logistic regression) and
//! named by [`ConversionModel::family_name`]; a caller needing linear
//! coefficients asks [`ConversionModel::published_linear`], which is `None` for a
//! family not linear in the encoded features. Adding a family is a variant of
//! the crate's private `Family` enum and the arms of the `match`es on it, with
//! no change to the service, the report or the CLI.
//!
//! In the artifact the family's parameters sit in the model object under a
//! `"family"` tag (`"family": "logistic"`, with `linear` and `calibration`).
//! Artifacts written before the tag existed have none and load as logistic,
//! unchanged; a tag this build does not know is [`ModelError::UnknownFamily`].
//!
//! ```
//! use leadscore_features::{Column, Table};
//! use leadscore_model::{LabelledRows, Scorer, TrainParams, TrainingSource, from_artifact_json, to_artifact_json};
//!
//! // Visits raise the odds of converting; the industry matters a little.
//! let n = 600;
//! let visits: Vec<Option<f64>> = (0..n).map(|i| Some((i % 10) as f64)).collect();
//! let industry: Vec<Option<String>> =
//!     (0..n).map(|i| Some(if i % 3 == 0 { "Retail" } else { "Software" }.to_string())).collect();
//! let labels: Vec<bool> = (0..n).map(|i| (i % 10) * 7 + (i * 31 % 17) > 45).collect();
//! let table = Table::new(vec![Column::numeric("visits", visits), Column::categorical("industry", industry)]);
//! let rows = LabelledRows::new(table, labels);
//!
//! let source = TrainingSource::Flat { target: "y".into(), positive: "1".into(), exclude: vec![] };
//! let trained = TrainParams::default().fit(&rows, None, source, "2026-11-23T00:00:00Z")?;
//! let model = &trained.model;
//! assert!(model.metrics.auc.is_some_and(|auc| auc > 0.9));
//! assert_eq!(model.family_name(), "logistic");
//!
//! // Score the first lead and explain it.
//! let scorer = Scorer::new(model);
//! let x = model.encoder.transform(&rows.features)?;
//! let scored = scorer.score(&x[0], &mut Vec::new());
//! let sum: f64 = scorer.contributions(&x[0]).iter().map(|c| c.log_odds).sum();
//! assert!((scorer.intercept() + sum - scored.logit).abs() < 1e-9);
//!
//! // The artifact round-trips exactly, and a changed byte is caught.
//! let text = to_artifact_json(model)?;
//! let path = std::path::Path::new("model.json");
//! assert_eq!(&from_artifact_json(&text, path)?, model);
//! let tampered = text.replacen("\"base_rate\": 0.", "\"base_rate\": 0.0", 1);
//! assert!(from_artifact_json(&tampered, path).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod artifact;
mod assess;
mod coverage;
mod cv;
mod data;
mod error;
mod evaluation;
mod family;
mod fit;
mod fused;
mod grades;
mod metrics_json;
mod model;
#[cfg(feature = "openapi")]
mod openapi;
mod params;
mod quality;
mod score;
mod solver;
mod split;

pub use artifact::{FORMAT, FORMAT_VERSION, from_artifact_json, load, save, to_artifact_json};
pub use assess::{Assessment, CellText, Misclassified, assess, score_table};
pub use coverage::{InputCoverage, MissingInput, RowsFrom, input_coverage, prepare_inputs};
pub use data::{LabelledRows, add_missing_columns, encode, take_rows};
pub use error::ModelError;
pub use evaluation::Evaluation;
pub use fit::{TrainStage, Trained};
pub use grades::{Grade, GradeBands};
pub use metrics_json::MetricsJson;
pub use model::{
    Calibration, Confidence, ConversionModel, CvPoint, REFERENCE_BINS, TrainingReference,
    TrainingSource,
};
#[cfg(feature = "openapi")]
pub use openapi::{ArtifactSchema, MetricsSchema};
pub use params::{SplitKind, TrainParams};
pub use quality::{Duplicates, LeakageFlag, duplicate_rows, leakage};
pub use score::{Contribution, MAX_TOP, Scored, Scorer, Top};
pub use solver::{ClassWeight, Linear, Solver, SolverSettings, fit_logistic, logit, sigmoid};
pub use split::{stratified_folds, stratified_holdout, stratified_sample, time_holdout};
