//! Metrics for lead scores, shared by the rule models' backtest and the conversion
//! model's evaluation.
//!
//! ```
//! use leadscore_metrics::roc_auc;
//!
//! // Every converted lead scored above every lost one: a perfect ranking.
//! let auc = roc_auc(&[(90.0, true), (70.0, true), (20.0, false), (10.0, false)]);
//! assert_eq!(auc, Some(1.0));
//! ```

mod auc;

pub use auc::roc_auc;
