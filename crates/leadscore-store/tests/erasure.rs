//! Erasing a contact deletes every row computed from its records, in every
//! per-lead table, because the tables are listed in one place: a table with a
//! `lead_id` column that is not listed fails the first test.

mod common;

use std::collections::{HashMap, HashSet};

use common::{TestDb, TestResult, sample};
use leadscore_domain::{ContactId, EventType, LeadId, Stage, Timestamp};
use leadscore_store::testing::{erased_lead_tables, lead_tables};
use leadscore_store::{
    HistoryRow, LeadStateRow, LeadWrite, NewEvent, Round, RuleScoreRow, ShadowRow, SnapshotRead,
    Store,
};

leadscore_store::on_both_backends!(
    every_table_with_a_lead_id_is_listed,
    erasure_deletes_every_listed_table,
);

async fn every_table_with_a_lead_id_is_listed(db: TestDb) -> TestResult {
    let mut found = db.tables_with_column("lead_id").await?;
    found.sort();
    let mut listed: Vec<String> = lead_tables().iter().map(|t| (*t).to_owned()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "every table with a lead_id column must be listed in schema::LEAD_TABLES, \
         saying whether erasing a contact deletes its rows"
    );
    Ok(())
}

/// What the rescoring worker writes for `lead`: a state, a rule score, a
/// history entry, a shadow score and an event.
fn scored(lead: &LeadId, token: leadscore_store::QueueToken, at: Timestamp) -> LeadWrite {
    LeadWrite {
        token,
        rule_scores: vec![RuleScoreRow {
            lead_id: lead.clone(),
            model: "Engagement".into(),
            score: Some(30),
            grade: Some("Hot".into()),
            sales_ready: true,
            reason: None,
            explanation: "{}".into(),
            scored_at: at,
        }],
        drop_other_models: false,
        history: vec![HistoryRow {
            at,
            what: "Engagement".into(),
            old_score: None,
            new_score: Some(30),
            old_grade: None,
            new_grade: Some("Hot".into()),
            cause: "test".into(),
        }],
        events: vec![NewEvent {
            event_id: format!("E-{lead}"),
            event_type: EventType::SalesReady,
            lead_id: lead.clone(),
            dedupe_key: format!("sales_ready:{lead}"),
            payload: "{}".into(),
            created_at: at,
            endpoints: Vec::new(),
        }],
        state: LeadStateRow {
            lead_id: lead.clone(),
            primary_score: Some(30),
            primary_grade: Some("Hot".into()),
            primary_detail: None,
            conversion: None,
            sales_ready: true,
            sales_ready_at: Some(at),
            sales_ready_model: Some("Engagement".into()),
            stage: Stage::SalesAcceptance,
            queue: Some("reps".into()),
            recency: at,
            scored_at: at,
            name_key: None,
            company_key: None,
        },
        shadow: Some(ShadowRow {
            lead_id: lead.clone(),
            version: 2,
            score: 40,
            probability: 0.4,
            grade: "B".into(),
            scored_at: at,
        }),
    }
}

async fn erasure_deletes_every_listed_table(db: TestDb) -> TestResult {
    let store = &db.store;
    let data = sample()?;
    store.records().ingest(&data, "test").await?;
    let generation = store.registry().generation().await?;
    let SnapshotRead::Snapshot(snapshot) = store
        .rescoring()
        .snapshot(&generation, 100, &HashSet::new(), true)
        .await?
    else {
        return Err("every lead was queued by the write, so a snapshot was expected".into());
    };
    let at = Timestamp::now();
    let writes: Vec<LeadWrite> = snapshot
        .queued
        .iter()
        .map(|q| scored(&q.lead_id, q.token, at))
        .collect();
    let queued_at: HashMap<LeadId, Timestamp> = snapshot
        .queued
        .iter()
        .map(|q| (q.lead_id.clone(), q.queued_at))
        .collect();
    let committed = store
        .rescoring()
        .commit(Round {
            writes: &writes,
            unscored: &[],
            queued_at: &queued_at,
            read_at: snapshot.read_at,
            model_names: &["Engagement".to_owned()],
        })
        .await?;
    assert_eq!(committed.written.len(), data.leads.len());
    assert_eq!(store.queue().depth().await?.leads, 0);

    // C-1's leads: every erased table holds a row of each before.
    let c1 = ContactId::parse("C-1")?;
    let leads: Vec<&str> = data
        .leads
        .iter()
        .filter(|l| l.contact_id.as_ref() == Some(&c1))
        .map(|l| l.lead_id.as_str())
        .collect();
    assert!(!leads.is_empty(), "the sample has leads of C-1");
    for table in erased_lead_tables() {
        for lead in &leads {
            assert!(db.rows_of_lead(table, lead).await? > 0, "{table} of {lead}");
        }
    }
    let erased = store
        .records()
        .erase_contact(&c1, "hash", "erasure-1", Some("key"))
        .await?
        .ok_or("C-1 is stored")?;
    assert_eq!(erased.leads, leads.len() as u64);
    for table in erased_lead_tables() {
        for lead in &leads {
            assert_eq!(db.rows_of_lead(table, lead).await?, 0, "{table} of {lead}");
        }
    }
    // The leads stay, without their contact, queued to be scored again.
    for lead in &leads {
        assert_eq!(db.rows_of_lead("leads", lead).await?, 1);
        assert_eq!(db.rows_of_lead("rescore_queue", lead).await?, 1);
    }
    let exported = store.export().await?;
    assert!(exported.contacts.iter().all(|c| c.contact_id != c1));
    assert!(
        exported
            .interactions
            .iter()
            .all(|i| i.contact_id.as_ref() != Some(&c1))
    );
    // Leads of no erased contact keep their scores.
    let other = data
        .leads
        .iter()
        .find(|l| l.contact_id.as_ref() != Some(&c1))
        .ok_or("the sample has a lead of another contact")?;
    assert_eq!(
        db.rows_of_lead("lead_state", other.lead_id.as_str())
            .await?,
        1
    );
    // Erasing again finds nothing.
    assert!(
        store
            .records()
            .erase_contact(&c1, "hash", "erasure-2", None)
            .await?
            .is_none()
    );
    Ok(())
}
