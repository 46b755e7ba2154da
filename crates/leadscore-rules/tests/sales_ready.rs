//! RULES.md, the sales-ready flag: reached at the threshold, raised once per
//! lead, kept when the score falls; a model without `sales_ready` never flags.
//! And the backtest's sales-ready group.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, days_before, model, ts};
use leadscore_domain::{LeadStatus, Timestamp};
use leadscore_rules::{
    Evaluator, Graph, Outcome, Plan, RuleModel, SalesReadyEvent, SalesReadyFlag, Scores, backtest,
};

/// A model scoring 10 per form submitted in the last 30 days, flagging at
/// `threshold` (none: never).
fn forms(name: &str, threshold: Option<i64>) -> RuleModel {
    let sales_ready = threshold.map_or(String::new(), |t| format!("sales_ready: {t}\n"));
    model(&format!(
        "name: {name}\ntarget: contact\n{sales_ready}rules:\n  - {{ name: forms, when: [ {{ entity: FormSubmitted, frequency: each, within: 30d }} ], points: 10 }}\n"
    ))
}

/// Contact-based `L1` with a form submitted on each of the given dates.
fn with_forms(dates: &[&str]) -> Data {
    let mut d = Data::contact_based();
    for date in dates {
        d.interaction("FormSubmitted", ts(date), "C1");
    }
    d
}

/// Evaluates `L1` at each time and feeds the scores to one flag, returning what
/// `observe` returned each time and whether each outcome said sales-ready.
fn observe_over(
    graph: &Graph,
    plans: &[Plan],
    flag: &mut SalesReadyFlag,
    times: &[&str],
) -> Vec<(Option<SalesReadyEvent>, bool)> {
    let evaluator = Evaluator::new(graph, plans);
    let mut scores = Scores::default();
    times
        .iter()
        .map(|t| {
            evaluator.evaluate(0, ts(t), &mut scores);
            let ready = scores.results.iter().any(|r| {
                matches!(
                    r.outcome,
                    Outcome::Scored {
                        sales_ready: true,
                        ..
                    }
                )
            });
            (flag.observe(&evaluator, &scores), ready)
        })
        .collect()
}

// "When a lead's score under any model reaches that model's `sales_ready`, the
// lead is flagged sales-ready" (reaching: equal counts, one less does not).
#[test]
fn a_score_reaching_the_threshold_is_sales_ready() {
    let d = with_forms(&["2026-05-20", "2026-05-21", "2026-05-22"]);
    for (threshold, expected) in [(20, true), (30, true), (31, false), (0, true)] {
        let outcome = common::outcomes(&d, &[forms("M", Some(threshold))], "L1", common::at())[0];
        assert!(
            matches!(outcome, Outcome::Scored { score: 30, sales_ready, .. } if sales_ready == expected),
            "{threshold}: {outcome:?}"
        );
    }
    assert!(common::explain(&d, &forms("M", Some(30))).sales_ready);
}

// "this happens once per lead (it does not fire again on later changes) ...
// and emits a `lead.sales_ready` event. A score that later falls keeps the
// flag."
#[test]
fn the_flag_fires_once_and_stays_set() {
    let d = with_forms(&["2026-05-01", "2026-05-02", "2026-05-10", "2026-05-11"]);
    let graph = d.graph();
    let plans = vec![Plan::compile(&forms("Forms", Some(30))).unwrap()];
    let mut flag = SalesReadyFlag::default();
    assert!(!flag.is_set());
    // Scores 20, 30 (reached), 40, 20 (fallen), 40 again.
    let seen = observe_over(
        &graph,
        &plans,
        &mut flag,
        &[
            "2026-05-02",
            "2026-05-10",
            "2026-05-11",
            "2026-06-05",
            "2026-05-12",
        ],
    );
    assert_eq!(seen[0], (None, false));
    let (event, ready) = seen[1].clone();
    assert!(ready);
    assert_eq!(
        event,
        Some(SalesReadyEvent {
            lead_id: "L1".into(),
            model: "Forms".into(),
            score: 30,
            threshold: 30,
            at: ts("2026-05-10"),
        })
    );
    // Never again, whether the score stays above, falls, or rises again.
    assert_eq!(seen[2], (None, true));
    assert_eq!(seen[3], (None, false));
    assert_eq!(seen[4], (None, true));
    assert!(flag.is_set());
    assert_eq!(flag.flagged_at, Some(ts("2026-05-10")));
    assert_eq!(flag.model.as_deref(), Some("Forms"));
}

// "`sales_ready`: integer; omit for a model that never flags"
#[test]
fn a_model_without_sales_ready_never_flags() {
    let d = with_forms(&["2026-05-20"; 20]);
    let graph = d.graph();
    let plans = vec![Plan::compile(&forms("M", None)).unwrap()];
    let mut flag = SalesReadyFlag::default();
    let seen = observe_over(&graph, &plans, &mut flag, &["2026-05-21", "2026-06-01"]);
    assert!(seen.iter().all(|s| *s == (None, false)), "{seen:?}");
    assert!(!flag.is_set());
    let outcome = common::outcomes(&d, &[forms("M", None)], "L1", common::at())[0];
    assert!(matches!(
        outcome,
        Outcome::Scored {
            score: 200,
            sales_ready: false,
            ..
        }
    ));
}

// "When a lead's score under any model reaches that model's `sales_ready`": any
// model's own threshold; the event names the first such model.
#[test]
fn any_models_threshold_flags_the_lead() {
    let d = with_forms(&["2026-05-20", "2026-05-21"]);
    let graph = d.graph();
    let plans = vec![
        Plan::compile(&forms("Never", None)).unwrap(),
        Plan::compile(&forms("High", Some(50))).unwrap(),
        Plan::compile(&forms("Low", Some(20))).unwrap(),
        Plan::compile(&forms("Also", Some(10))).unwrap(),
    ];
    let mut flag = SalesReadyFlag::default();
    let seen = observe_over(&graph, &plans, &mut flag, &["2026-06-01"]);
    let event = seen[0].0.clone().unwrap();
    assert_eq!(
        (event.model.as_str(), event.score, event.threshold),
        ("Low", 20, 20)
    );
}

// "Unscorable leads ... get no score from any model": so they are never flagged.
#[test]
fn leads_without_a_score_are_never_flagged() {
    let mut d = Data::new();
    d.account("A1");
    d.contact("C1", Some("A1"));
    d.lead("L1", None, None);
    let m = model(
        "name: M\ntarget: contact\nsales_ready: 0\nrules:\n  - { name: r, when: [ { entity: Contact } ], points: 1 }\n",
    );
    let graph = d.graph();
    let plans = vec![Plan::compile(&m).unwrap()];
    let mut flag = SalesReadyFlag::default();
    assert_eq!(
        observe_over(&graph, &plans, &mut flag, &["2026-06-01"])[0],
        (None, false)
    );
    assert!(!flag.is_set());
}

// The backtest scores closed leads as of their close time and groups the ones
// that reached the threshold.
#[test]
fn the_backtest_scores_closed_leads_as_of_their_close() {
    let mut d = with_forms(&["2026-05-01", "2026-05-02", "2026-05-03"]);
    let close = |d: &mut Data, id: &str, status: LeadStatus, at: &str| {
        let lead = d.lead_mut(id);
        lead.status = status;
        lead.closed_at = Some(ts(at));
    };
    close(&mut d, "L1", LeadStatus::Qualified, "2026-05-04");
    d.lead("L2", Some("C1"), None);
    close(
        &mut d,
        "L2",
        LeadStatus::Disqualified,
        "2026-05-01T12:00:00Z",
    );
    d.lead("L3", Some("C1"), None);
    d.lead("L4", Some("C1"), None).status = LeadStatus::Qualified;
    d.interaction("FormSubmitted", days_before(0), "C1");
    let graph = d.graph();
    let plans = vec![Plan::compile(&forms("Forms", Some(30))).unwrap()];
    let evaluator = Evaluator::new(&graph, &plans);
    let result = backtest(&evaluator, None);
    assert_eq!(result.closed_leads, 3);
    assert_eq!(result.without_close_time, 1);
    let m = &result.models[0];
    assert_eq!((m.scored, m.not_scored), (2, 0));
    // L1 scored 30 at its close (qualified), L2 10 (disqualified): AUC 1.
    assert_eq!(m.auc, Some(1.0));
    let ready = m.sales_ready.as_ref().unwrap();
    assert_eq!((ready.leads, ready.qualified), (1, 1));
    // As of a fixed time every closed lead scores the same.
    let late: Timestamp = ts("2026-07-01");
    let result = backtest(&evaluator, Some(late));
    assert_eq!(result.models[0].scored, 3);
    assert_eq!(result.models[0].sales_ready.as_ref().unwrap().leads, 0);
}
