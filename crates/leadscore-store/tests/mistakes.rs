//! The conversion model's mistakes (closed leads it called wrongly) are a
//! range of the `lead_state_mistakes` index over the columns written beside
//! each lead's conversion JSON: written by the rescoring path itself, listed
//! in the order asked (ties by lead id), counted, paged, and only for the
//! version asked. On SQLite and PostgreSQL, against the lists computed here.

mod common;

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use common::{TestDb, TestResult, ts};
use leadscore_domain::{Dataset, DomainError, Lead, LeadId, Stage, Timestamp};
use leadscore_store::{LeadStateRow, LeadWrite, Mistake, PageWindow, Round, SnapshotRead};

leadscore_store::on_both_backends!(mistakes_are_listed_from_the_written_columns);

const LEADS: usize = 240;
const LIVE: i64 = 2;
const THRESHOLD: f64 = 0.5;

/// Lead `i`: its stage, its conversion version and probability (with ties:
/// 50 probabilities for 240 leads).
fn lead(i: usize) -> (String, Stage, i64, f64) {
    let stage = match i % 3 {
        0 => Stage::Qualified,
        1 => Stage::Disqualified,
        _ => Stage::New,
    };
    let version = if i.is_multiple_of(7) { 1 } else { LIVE };
    #[allow(clippy::cast_precision_loss)]
    let probability = ((i * 37) % 50) as f64 / 50.0;
    (format!("L{i:03}"), stage, version, probability)
}

/// The 0-100 score of a probability, as the engine writes it.
fn score_of(probability: f64) -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let score = (probability * 100.0).round() as i64;
    score
}

fn state(i: usize, at: Timestamp) -> Result<LeadStateRow, DomainError> {
    let (id, stage, version, probability) = lead(i);
    let conversion = serde_json::json!({
        "version": version,
        "score": score_of(probability),
        "probability": probability,
        "grade": "B",
        "low_confidence": false,
        "contributions": [],
        "intercept": 0.0,
    });
    Ok(LeadStateRow {
        lead_id: LeadId::parse(&id)?,
        primary_score: None,
        primary_grade: None,
        primary_detail: None,
        conversion: Some(conversion.to_string()),
        sales_ready: false,
        sales_ready_at: None,
        sales_ready_model: None,
        stage,
        queue: None,
        recency: at,
        scored_at: at,
        name_key: None,
        company_key: None,
    })
}

/// The expected list: the version's leads of the mistake's stage on its
/// side of the threshold, in the order asked.
fn expected(mistake: Mistake, confident_first: bool) -> Vec<String> {
    let (stage, wrong): (Stage, fn(f64) -> bool) = match mistake {
        Mistake::FalsePositive => (Stage::Disqualified, |p| p >= THRESHOLD),
        Mistake::FalseNegative => (Stage::Qualified, |p| p < THRESHOLD),
    };
    let mut rows: Vec<(String, f64)> = (0..LEADS)
        .map(lead)
        .filter(|(_, s, v, p)| *s == stage && *v == LIVE && wrong(*p))
        .map(|(id, _, _, p)| (id, p))
        .collect();
    // Most confident first: highest probabilities for false positives,
    // lowest for false negatives; ties by lead id in the same direction.
    let descending = matches!(
        (mistake, confident_first),
        (Mistake::FalsePositive, true) | (Mistake::FalseNegative, false)
    );
    rows.sort_by(|a, b| {
        let order = a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0));
        if descending { order.reverse() } else { order }
    });
    rows.into_iter().map(|(id, _)| id).collect()
}

async fn mistakes_are_listed_from_the_written_columns(db: TestDb) -> TestResult {
    let store = &db.store;
    let created = ts("2026-03-01T00:00:00Z")?;
    let data = Dataset {
        leads: (0..LEADS)
            .map(|i| Ok(Lead::new(LeadId::parse(&lead(i).0)?, created)))
            .collect::<Result<_, DomainError>>()?,
        ..Dataset::default()
    };
    store.records().ingest(&data, "test").await?;
    let generation = store.registry().generation().await?;
    let SnapshotRead::Snapshot(snapshot) = store
        .rescoring()
        .snapshot(&generation, LEADS, &HashSet::new(), true)
        .await?
    else {
        return Err("every lead was queued by the write, so a snapshot was expected".into());
    };
    let at = ts("2026-04-01T00:00:00Z")?;
    let index: HashMap<String, usize> = (0..LEADS).map(|i| (lead(i).0, i)).collect();
    let writes = snapshot
        .queued
        .iter()
        .map(|q| {
            let i = index[q.lead_id.as_str()];
            Ok(LeadWrite {
                token: q.token,
                rule_scores: Vec::new(),
                drop_other_models: false,
                history: Vec::new(),
                events: Vec::new(),
                state: state(i, at)?,
                shadow: None,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    assert_eq!(writes.len(), LEADS);
    let queued_at: HashMap<LeadId, Timestamp> = snapshot
        .queued
        .iter()
        .map(|q| (q.lead_id.clone(), q.queued_at))
        .collect();
    store
        .rescoring()
        .commit(Round {
            writes: &writes,
            unscored: &[],
            queued_at: &queued_at,
            read_at: snapshot.read_at,
            model_names: &[],
        })
        .await?;

    for mistake in [Mistake::FalsePositive, Mistake::FalseNegative] {
        for confident_first in [true, false] {
            let want = expected(mistake, confident_first);
            assert!(want.len() > 20, "{mistake:?}: too few to page");
            let mut got = Vec::new();
            let mut offset = 0;
            loop {
                let page = store
                    .console_lists()
                    .mistakes(
                        LIVE,
                        THRESHOLD,
                        mistake,
                        confident_first,
                        PageWindow { limit: 7, offset },
                    )
                    .await?;
                assert_eq!(page.total, want.len() as u64, "{mistake:?} count");
                if page.rows.is_empty() {
                    break;
                }
                for row in &page.rows {
                    let (_, stage, _, probability) = lead(index[row.lead_id.as_str()]);
                    assert_eq!(row.stage, stage);
                    assert_eq!(row.probability.total_cmp(&probability), Ordering::Equal);
                    assert_eq!(row.score, Some(score_of(probability)));
                    assert_eq!(row.scored_at, at);
                }
                got.extend(page.rows.iter().map(|r| r.lead_id.as_str().to_owned()));
                offset += 7;
            }
            assert_eq!(got, want, "{mistake:?}, confident first: {confident_first}");
        }
    }
    // Another version's mistakes are its own.
    let old = store
        .console_lists()
        .mistakes(
            1,
            THRESHOLD,
            Mistake::FalsePositive,
            true,
            PageWindow {
                limit: 100,
                offset: 0,
            },
        )
        .await?;
    assert!(old.total > 0);
    assert!(
        old.rows
            .iter()
            .all(|r| lead(index[r.lead_id.as_str()]).2 == 1)
    );
    Ok(())
}
