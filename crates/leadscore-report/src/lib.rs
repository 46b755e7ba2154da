//! The conversion model's quarterly feature review.
//!
//! A [`Review`] holds everything the review shows: the model's headline
//! results, its ROC and precision-recall curves, calibration, conversion by
//! grade and lift by decile, the features it weighs (with their change since
//! the previous version, see [`compare_features`] and [`describe_feature`]),
//! drift of recent leads, and backtests of the rule models next to it. It is
//! plain data: serialize it with serde (other tools read the JSON), and turn
//! it into one self-contained HTML page with [`render_html`]: inline CSS,
//! inline SVG charts, no scripts, no fonts or images to fetch.
//!
//! [`base_review`] and [`add_data`] assemble a review from a conversion model
//! and rows the caller read (a folder, a store): they score the rows and
//! build every section.
//!
//! The crate does no I/O and reads no clock: the caller supplies every figure
//! and timestamp.
//!
//! ```
//! use leadscore_report::{
//!     CurvePoint, DataSummary, GradeRow, ModelSummary, Review, compare_features, render_html,
//! };
//!
//! let review = Review {
//!     title: "Conversion model review, Q3 2026".to_owned(),
//!     generated_at: "2026-10-01T09:00:00Z".to_owned(),
//!     model: ModelSummary {
//!         version: Some(3),
//!         created_at: "2026-09-28T12:00:00Z".to_owned(),
//!         training_data_hash: "9f2c41".to_owned(),
//!         n_train: 4000,
//!         n_test: 1000,
//!         auc: Some(0.78),
//!         pr_auc: Some(0.45),
//!         precision: Some(0.41),
//!         recall: Some(0.63),
//!         threshold: 0.35,
//!         base_rate: 0.23,
//!         low_confidence: false,
//!     },
//!     data: DataSummary { source: "sample".to_owned(), leads: 5000, closed: 4434, converted: 1020 },
//!     roc: vec![CurvePoint { x: 0.0, y: 0.0 }, CurvePoint { x: 0.2, y: 0.6 }, CurvePoint { x: 1.0, y: 1.0 }],
//!     pr: Vec::new(),
//!     calibration: Vec::new(),
//!     grades: vec![GradeRow { grade: "A".to_owned(), leads: 100, converted: 62, conversion_rate: Some(0.62) }],
//!     lift: Vec::new(),
//!     features: compare_features(&[("email_clicks_30d".to_owned(), 0.8)], None),
//!     drift: None,
//!     backtests: Vec::new(),
//!     warnings: Vec::new(),
//! };
//!
//! let html = render_html(&review);
//! assert!(html.contains("<svg"));
//! assert!(html.contains("Out of 100 leads the model grades A, 62 converted"));
//! assert!(html.contains("Leads with more email clicks in the last 30 days are more likely to convert"));
//! ```

mod assemble;
mod build;
mod describe;
mod drift;
mod features;
mod html;
mod review;
mod svg;
mod text;

pub use assemble::{Population, ReviewData, add_data, add_rule_backtests, base_review};

/// The longest recent window a review's drift reads, in days (ten years).
pub const MAX_RECENT_DAYS: u32 = 3650;
pub use build::{
    CURVE_RESOLUTION, DRIFT_BINS, calibration_from_bins, calibration_rows, feature_drift,
    feature_drift_against, grade_rows, lift_rows, pr_points, roc_points, score_drift,
};
pub use describe::describe_feature;
/// A time window as words: `30d` reads "in the last 30 days", `1w` "in the
/// last week", `24h` "in the last 24 hours"; `None` for anything else (a
/// number then `d`, `w` or `h`, nothing around them). Feature names and the
/// console's reasons read windows with it.
pub use describe::window;
pub use drift::{DriftLevel, DriftSection, FeatureDrift};
pub use features::{Direction, FeatureChange, FeatureRow, SAME_WEIGHT_TOLERANCE, compare_features};
pub use html::render_html;
pub use review::{
    BacktestRow, CalibrationRow, CurvePoint, DataSummary, DecileRow, GradeRow, ModelSummary,
    Review, ScorerKind,
};
pub use text::esc as escape_html;
/// A number with thousands separators: 4434 reads "4,434"; the review's
/// counts and the console's figures are written with it.
pub use text::thousands;
