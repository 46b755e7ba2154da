//! Feature encoding for the conversion model.
//!
//! The encoding is fitted on the training rows, stored with the model (the fitted
//! [`Encoder`] serializes with serde) and applied identically at scoring time, to
//! a whole [`Table`] or to a single [`Row`]. Rows come out as plain `Vec<f64>`.
//!
//! - **Numeric columns**: a missing value becomes the training median, and a
//!   `name:missing` 0/1 feature is added when training had missing values. A
//!   non-negative column whose skewness exceeds
//!   [`EncoderParams::log_transform_skew`] (heavy-tailed counts) is encoded as
//!   `ln(1 + x)`. The value is then standardized with the training mean and
//!   standard deviation, so training features have mean 0 and standard
//!   deviation 1. A constant column gives no value feature and is noted in
//!   [`Encoder::dropped`].
//! - **Categorical columns**: one-hot features for the levels seen at least
//!   [`EncoderParams::min_level_count`] times, at most
//!   [`EncoderParams::max_levels`] of them (the most frequent); the other levels
//!   are pooled into [`OTHER_LEVEL`] and missing values get [`MISSING_LEVEL`],
//!   each only when training had such values. At scoring time a level never seen
//!   in training counts as `__other__` (or lights no feature when there is no
//!   `__other__`). No reference level is dropped: the model is a regularized
//!   logistic regression, and a feature per level keeps every contribution
//!   readable on its own.
//!
//! [`Encoder::describe`] says what each feature means, for explanations.
//!
//! The names of a DATA.md folder's derived columns (`K.30d`,
//! `K.days_since_last`, `E.count`) have one spelling, built and parsed here:
//! [`behaviour_column`], [`days_since_last_column`], [`count_column`] and
//! their inverses.
//!
//! ```
//! use leadscore_features::{Cell, Column, EncoderParams, FeatureKind, Row, Table};
//!
//! let employees = ["12", "40", "", "25", "300", "18"];
//! let industry = ["Software", "Software", "Retail", "Software", "Retail", "Mining"];
//! let table = Table::new(vec![
//!     Column::from_text("employees", &employees.map(Some)),
//!     Column::from_text("industry", &industry.map(Some)),
//! ]);
//! let params = EncoderParams { min_level_count: 2, ..EncoderParams::default() };
//! let encoder = params.fit(&table)?;
//! assert_eq!(
//!     encoder.feature_names(),
//!     ["employees", "employees:missing", "industry=Software", "industry=Retail", "industry=__other__"]
//! );
//!
//! // Scoring a lead from an industry never seen in training.
//! let row = Row::new()
//!     .with("industry", Cell::Text("Aerospace".into()))
//!     .with("employees", Cell::Num(25.0));
//! let features = encoder.transform_row(&row)?;
//! assert_eq!(features[1..], [0.0, 0.0, 0.0, 1.0]);
//! assert_eq!(encoder.describe(4).map(|d| d.kind), Some(FeatureKind::Other));
//!
//! // The fitted encoder travels with the model.
//! let stored = serde_json::to_string(&encoder)?;
//! let loaded: leadscore_features::Encoder = serde_json::from_str(&stored)?;
//! assert_eq!(loaded.transform_row(&row)?, features);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod categorical;
mod compact;
mod encoder;
mod error;
mod names;
mod numeric;
mod params;
mod table;
mod values;

pub use categorical::{MISSING_LEVEL, OTHER_LEVEL};
pub use compact::{CompactRows, Lit, Run};
pub use encoder::{ColumnKind, DropReason, Dropped, Encoder, FeatureDescription, FeatureKind};
pub use error::FeaturesError;
pub use names::{
    Window, behaviour_column, count_column, days_since_last_column, entity_of_count, kind_columns,
    kind_of_behaviour, kind_of_days_since_last,
};
pub use params::EncoderParams;
pub use table::{Cell, Column, ColumnValues, Row, RowSource, Table};
pub use values::{Labels, Numbers};
