//! The ground truth is learnable but noisy: what the files show predicts the
//! outcome well, never perfectly.

use std::collections::HashMap;

use super::{Folder, TestResult, as_of, auc, run, seconds};
use crate::calendar::{Calendar, DAY};
use crate::world::{Context, Status, generate_chunk};

/// AUC of the hidden log-odds (without the unobserved noise) on closed leads.
fn truth_auc(
    leads_per_chunk: u64,
    chunks: u64,
    seed: u64,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let as_of = as_of()?.as_seconds();
    let ctx = Context {
        as_of,
        calendar: Calendar::new(seed, as_of),
    };
    let mut pairs = Vec::new();
    for i in 0..chunks {
        let chunk = generate_chunk(&ctx, seed, i, leads_per_chunk);
        for lead in &chunk.leads {
            match lead.status {
                Status::Qualified => pairs.push((lead.truth, true)),
                Status::Disqualified => pairs.push((lead.truth, false)),
                Status::Open { .. } => {}
            }
        }
    }
    let share = pairs.iter().filter(|p| p.1).count() as f64 / pairs.len() as f64;
    Ok((auc(&pairs)?, share))
}

#[test]
fn hidden_truth_predicts_well_but_not_perfectly() -> TestResult {
    let (auc, share) = truth_auc(1_000, 4, 99)?;
    println!("truth AUC {auc:.3}, qualified share {share:.3}");
    assert!((0.78..0.95).contains(&auc), "truth AUC {auc}");
    assert!((0.18..0.37).contains(&share), "qualified share {share}");
    Ok(())
}

/// Per closed lead: interactions of its people in the 90 days before close,
/// meetings before close, and whether it qualified.
type Behaviour = Vec<(f64, f64, bool)>;

fn behaviour(dir: &std::path::Path) -> Result<Behaviour, Box<dyn std::error::Error>> {
    let Folder {
        contacts,
        leads,
        interactions,
        meetings,
        ..
    } = Folder::read(dir)?;

    let mut visitor_owner = HashMap::new();
    let mut people_of_account: HashMap<&str, Vec<&str>> = HashMap::new();
    for row in &contacts.rows {
        let id = contacts.get(row, "contact_id").ok_or("contact id")?;
        if let Some(v) = contacts.get(row, "visitor_id") {
            visitor_owner.insert(v, id);
        }
        if let Some(a) = contacts.get(row, "account_id") {
            people_of_account.entry(a).or_default().push(id);
        }
    }
    let mut times_of: HashMap<&str, Vec<i64>> = HashMap::new();
    for row in &interactions.rows {
        let who = interactions.get(row, "contact_id").or_else(|| {
            interactions
                .get(row, "visitor_id")
                .and_then(|v| visitor_owner.get(v).copied())
        });
        if let Some(who) = who {
            let at = seconds(interactions.get(row, "occurred_at").ok_or("occurred_at")?)?;
            times_of.entry(who).or_default().push(at);
        }
    }
    let mut meetings_of: HashMap<&str, Vec<i64>> = HashMap::new();
    for row in &meetings.rows {
        let lead = meetings.get(row, "lead_id").ok_or("lead")?;
        let held = seconds(meetings.get(row, "held_at").ok_or("held_at")?)?;
        meetings_of.entry(lead).or_default().push(held);
    }

    let mut out = Vec::new();
    for row in &leads.rows {
        let (Some(closed), Some(status)) = (leads.get(row, "closed_at"), leads.get(row, "status"))
        else {
            continue;
        };
        let closed = seconds(closed)?;
        let people: Vec<&str> = match (leads.get(row, "contact_id"), leads.get(row, "account_id")) {
            (Some(c), _) => vec![c],
            (None, Some(a)) => people_of_account.get(a).cloned().unwrap_or_default(),
            (None, None) => continue,
        };
        let count = people
            .iter()
            .flat_map(|p| times_of.get(p).into_iter().flatten())
            .filter(|t| **t <= closed && **t >= closed - 90 * DAY)
            .count();
        let id = leads.get(row, "lead_id").ok_or("lead id")?;
        let met = meetings_of.get(id).map_or(0, Vec::len);
        out.push((count as f64, met as f64, status == "qualified"));
    }
    Ok(out)
}

#[test]
fn a_simple_behavioural_score_is_predictive_but_noisy() -> TestResult {
    let (dir, _) = run(3_000, 5, 0)?;
    let rows = behaviour(dir.path())?;
    let interactions: Vec<(f64, bool)> = rows.iter().map(|r| (r.0, r.2)).collect();
    let meetings: Vec<(f64, bool)> = rows.iter().map(|r| (r.1, r.2)).collect();
    let both: Vec<(f64, bool)> = rows.iter().map(|r| (r.0 + 5.0 * r.1, r.2)).collect();
    let (a, m, b) = (auc(&interactions)?, auc(&meetings)?, auc(&both)?);
    println!("AUC: interactions {a:.3}, meetings {m:.3}, both {b:.3}");
    assert!((0.6..0.9).contains(&a), "interaction count AUC {a}");
    assert!((0.55..0.9).contains(&m), "meeting count AUC {m}");
    assert!((0.6..0.95).contains(&b), "combined AUC {b}");
    Ok(())
}
