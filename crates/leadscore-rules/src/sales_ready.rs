//! The sales-ready flag: raised once, when a lead's score under any model first
//! reaches that model's threshold, and kept when the score later falls.

use leadscore_domain::Timestamp;
use serde::{Deserialize, Serialize};

use crate::eval::{Evaluator, Outcome, Scores};

/// A lead's sales-ready state, kept between evaluations by whoever stores leads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesReadyFlag {
    /// When the lead was flagged; `None` while it is not.
    pub flagged_at: Option<Timestamp>,
    /// The model whose threshold the lead reached.
    pub model: Option<String>,
}

/// The transition to sales-ready: emitted once per lead (`lead.sales_ready`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesReadyEvent {
    /// The lead.
    pub lead_id: String,
    /// The model whose threshold it reached (the first in model order, if several).
    pub model: String,
    /// Its score under that model.
    pub score: i64,
    /// That model's threshold.
    pub threshold: i64,
    /// The evaluation time.
    pub at: Timestamp,
}

impl SalesReadyFlag {
    /// True once the lead has been flagged.
    pub fn is_set(&self) -> bool {
        self.flagged_at.is_some()
    }

    /// The one rule of the flag, which every path applies (this crate's
    /// [`SalesReadyFlag::observe`], the service's rescoring): when the lead is
    /// not yet flagged and `reached` names a model whose score reached its
    /// threshold (the first in model order, if several), the lead is flagged
    /// at `at` by that model and this returns true. A flagged lead stays
    /// flagged, by the same model, whatever its scores do later.
    pub fn raise(&mut self, reached: Option<&str>, at: Timestamp) -> bool {
        match reached {
            Some(model) if !self.is_set() => {
                self.flagged_at = Some(at);
                self.model = Some(model.to_owned());
                true
            }
            _ => false,
        }
    }

    /// Looks at a lead's new scores: when the lead is not yet flagged and some
    /// model's score reached its threshold, flags it and returns the event. A
    /// flagged lead stays flagged and never fires again.
    pub fn observe(
        &mut self,
        evaluator: &Evaluator<'_>,
        scores: &Scores,
    ) -> Option<SalesReadyEvent> {
        if self.is_set() {
            return None;
        }
        let at = Timestamp::from_micros(scores.at)?;
        let (plan, score) = evaluator.plans().iter().zip(&scores.results).find_map(
            |(plan, result)| match result.outcome {
                Outcome::Scored {
                    score,
                    sales_ready: true,
                    ..
                } => Some((plan, score)),
                _ => None,
            },
        )?;
        let threshold = plan.model().sales_ready?;
        let lead_id = evaluator
            .graph()
            .leads()
            .get(scores.lead as usize)?
            .lead_id
            .as_str()
            .to_owned();
        if !self.raise(Some(plan.name()), at) {
            return None;
        }
        Some(SalesReadyEvent {
            lead_id,
            model: plan.name().to_owned(),
            score,
            threshold,
            at,
        })
    }
}
