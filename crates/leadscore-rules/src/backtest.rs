//! How good are the hand-written rules? Each model scores the closed leads as of
//! the moment they closed (nothing after the outcome counts), and the scores are
//! set against the outcomes: AUC, and conversion by grade.

use leadscore_domain::{Lead, Timestamp};
use leadscore_metrics::{lift_by_decile, pr_auc, roc_auc};
use serde::Serialize;

use crate::eval::{Evaluator, Outcome, Scores};

/// Leads and conversions in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupOutcome {
    /// The group: a grade's name, `(no grade)`, or `sales-ready`.
    pub group: String,
    /// Closed leads in it.
    pub leads: usize,
    /// Of which qualified.
    pub qualified: usize,
    /// `qualified / leads`; absent for an empty group.
    pub conversion_rate: Option<f64>,
}

impl GroupOutcome {
    fn new(group: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            leads: 0,
            qualified: 0,
            conversion_rate: None,
        }
    }

    fn add(&mut self, qualified: bool) {
        self.leads += 1;
        self.qualified += usize::from(qualified);
    }

    fn finish(&mut self) {
        self.conversion_rate = (self.leads > 0).then(|| self.qualified as f64 / self.leads as f64);
    }
}

/// One model's backtest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelBacktest {
    /// The model.
    pub model: String,
    /// Closed leads the model scored.
    pub scored: usize,
    /// Closed leads it does not score (outside its target, or unscorable).
    pub not_scored: usize,
    /// AUC of the score against the outcome over the scored leads; absent when
    /// they are all of one outcome.
    pub auc: Option<f64>,
    /// Average precision (area under the precision-recall curve) over the scored
    /// leads; compare with the overall conversion rate, which is what a random
    /// order gets.
    pub pr_auc: Option<f64>,
    /// Conversion in the top-scoring tenth of the scored leads, as a multiple of
    /// the overall rate.
    pub top_decile_lift: Option<f64>,
    /// All scored leads together.
    pub overall: GroupOutcome,
    /// By grade, in the model's order, then `(no grade)` if any lead had none.
    pub grades: Vec<GroupOutcome>,
    /// The leads whose score reached the sales-ready threshold (when the model has
    /// one).
    pub sales_ready: Option<GroupOutcome>,
}

/// A backtest of several models on the same closed leads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// Closed (qualified or disqualified) leads in the data.
    pub closed_leads: usize,
    /// Closed leads left out because they have no close time (and no `at` was
    /// given).
    pub without_close_time: usize,
    /// The evaluation time used, or `"each lead's close time"`.
    pub scored_as_of: String,
    /// One entry per model, in the order given.
    pub models: Vec<ModelBacktest>,
}

/// Scores every closed lead of the evaluator's graph under each plan, as of `at`
/// or, by default, as of each lead's close time, and sets scores against outcomes.
pub fn backtest(evaluator: &Evaluator<'_>, at: Option<Timestamp>) -> Backtest {
    backtest_where(evaluator, at, &|_| true)
}

/// [`backtest`] of the closed leads for which `keep` holds: a sample of them,
/// in a graph that also holds leads read only for what the sample's rules
/// traverse.
pub fn backtest_where(
    evaluator: &Evaluator<'_>,
    at: Option<Timestamp>,
    keep: &dyn Fn(&Lead) -> bool,
) -> Backtest {
    let plans = evaluator.plans();
    let mut points: Vec<Vec<(f64, bool)>> = vec![Vec::new(); plans.len()];
    let mut models: Vec<ModelBacktest> = plans
        .iter()
        .map(|plan| ModelBacktest {
            model: plan.name().to_owned(),
            scored: 0,
            not_scored: 0,
            auc: None,
            pr_auc: None,
            top_decile_lift: None,
            overall: GroupOutcome::new("all"),
            grades: plan
                .model()
                .grades
                .iter()
                .map(|g| GroupOutcome::new(g.name.clone()))
                .chain(std::iter::once(GroupOutcome::new("(no grade)")))
                .collect(),
            sales_ready: plan
                .model()
                .sales_ready
                .map(|_| GroupOutcome::new("sales-ready")),
        })
        .collect();
    let mut closed = 0;
    let mut without_close_time = 0;
    let mut scores = Scores::default();
    for (i, lead) in evaluator.graph().leads().iter().enumerate() {
        let Some(qualified) = lead.status.outcome() else {
            continue;
        };
        if !keep(lead) {
            continue;
        }
        closed += 1;
        let Some(when) = at.or(lead.closed_at) else {
            without_close_time += 1;
            continue;
        };
        evaluator.evaluate(i, when, &mut scores);
        for ((m, result), pts) in models.iter_mut().zip(&scores.results).zip(&mut points) {
            match result.outcome {
                Outcome::Scored {
                    score,
                    grade,
                    sales_ready,
                } => {
                    m.scored += 1;
                    m.overall.add(qualified);
                    pts.push((score as f64, qualified));
                    let g = grade.map_or(m.grades.len() - 1, usize::from);
                    if let Some(group) = m.grades.get_mut(g) {
                        group.add(qualified);
                    }
                    if sales_ready && let Some(group) = &mut m.sales_ready {
                        group.add(qualified);
                    }
                }
                Outcome::Unscored(_) => m.not_scored += 1,
            }
        }
    }
    for (m, pts) in models.iter_mut().zip(&points) {
        m.auc = roc_auc(pts);
        m.pr_auc = pr_auc(pts);
        m.top_decile_lift = lift_by_decile(pts).first().map(|d| d.lift);
        m.overall.finish();
        for g in &mut m.grades {
            g.finish();
        }
        if m.grades.last().is_some_and(|g| g.leads == 0) {
            m.grades.pop();
        }
        if let Some(s) = &mut m.sales_ready {
            s.finish();
        }
    }
    Backtest {
        closed_leads: closed,
        without_close_time,
        scored_as_of: at.map_or_else(|| "each lead's close time".to_owned(), |t| t.to_string()),
        models,
    }
}
