//! [`MetricsJson`]: a model's held-out metrics as `metrics.json` holds them
//! (CLI.md), as the service's registry lists them, and in two lines for people.

use serde::Serialize;

use crate::{ConversionModel, CvPoint, Evaluation};

/// `metrics.json`: the keys CLI.md promises, and more (every field of the
/// evaluation, at the top level).
#[derive(Debug, Serialize)]
pub struct MetricsJson<'a> {
    /// The evaluation on the held-out rows.
    #[serde(flatten)]
    pub evaluation: &'a Evaluation,
    /// Rows trained on.
    pub n_train: usize,
    /// Rows held out.
    pub n_test: usize,
    /// Whether the model is low-confidence.
    pub low_confidence: bool,
    /// How the held-out rows were chosen (`stratified`, `time`,
    /// `test_data`, `evaluate`).
    pub split: &'static str,
    /// The L2 penalty chosen.
    pub l2: f64,
    /// The cross-validation curve.
    pub cv: &'a [CvPoint],
}

impl<'a> MetricsJson<'a> {
    /// The metrics of `model` measured as `e`.
    pub fn new(model: &'a ConversionModel, e: &'a Evaluation, split: &'static str) -> Self {
        Self {
            evaluation: e,
            n_train: model.n_train,
            n_test: e.n,
            low_confidence: model.confidence.low,
            split,
            l2: model.l2,
            cv: &model.cv,
        }
    }

    /// The metrics in two lines, for people.
    pub fn text(&self) -> String {
        let e = self.evaluation;
        let c = e.confusion;
        format!(
            "AUC {}  PR-AUC {}  log loss {}  Brier {}\n\
             at threshold {:.3}: precision {}  recall {}  F1 {}  (tp {} fp {} tn {} fn {})",
            num(e.auc),
            num(e.pr_auc),
            num(e.log_loss),
            num(e.brier),
            e.threshold,
            num(e.precision),
            num(e.recall),
            num(e.f1),
            c.tp,
            c.fp,
            c.tn,
            c.fn_,
        )
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}
