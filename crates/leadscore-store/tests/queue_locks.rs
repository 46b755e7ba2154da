//! Queuing every lead (a routing or model change) while the rescoring worker
//! takes leads off the queue, on PostgreSQL (SQLite has one writer at a
//! time): the statement that queues them all waits for the round writing
//! now, and the rounds after it wait for it, instead of chasing the worker
//! round after round. (Regression: in CI, `PUT /v1/routing` on PostgreSQL
//! waited for one round's commit after another and took over 10 s while the
//! worker rescored the sample.)

mod common;

use common::{TestDb, TestResult, many_interactions, sample};
use leadscore_domain::{Dataset, Lead, LeadId};
use leadscore_store::testing::pool;
use leadscore_store::{DocumentName, Store};
use sqlx::Row;

/// Whether a backend of this database waits for a lock now.
async fn someone_waits_for_a_lock(store: &leadscore_store::SqlStore) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS waiting FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .fetch_one(pool(store))
    .await?;
    Ok(row.try_get::<i64, _>("waiting")? > 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queuing_every_lead_waits_for_one_round_and_the_next_rounds_wait_for_it() -> TestResult {
    let Some(db) = TestDb::postgres().await? else {
        return Ok(());
    };
    let store = db.store.clone();
    let mut data: Dataset = sample()?;
    data.interactions.extend(many_interactions(10)?);
    let created = data.leads[0].created_at;
    for n in 0..20 {
        data.leads
            .push(Lead::new(LeadId::parse(format!("M-{n:02}"))?, created));
    }
    store.import(&data, &|_| {}).await?;
    store.queue().enqueue_unscored("test").await?;

    // A round writing now: it holds the first lead's queue row.
    let mut first_round = pool(&store).begin().await?;
    sqlx::query("SELECT lead_id FROM rescore_queue WHERE lead_id = 'L-1' FOR UPDATE")
        .fetch_all(&mut *first_round)
        .await?;

    // A routing change queues every lead: it waits for that round.
    let changing = store.clone();
    let change = tokio::spawn(async move {
        changing
            .documents()
            .put(DocumentName::Routing, "{\"rules\":[]}")
            .await
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !someone_waits_for_a_lock(&store).await? {
        assert!(
            std::time::Instant::now() < deadline,
            "the change never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // The next round, on a lead further on, must wait for the change (it
    // could not take its lead before: `lock_timeout` turns that wait into
    // an error). Before, it took the lead at once, and the change then
    // waited for that round too, and the one after.
    let mut next_round = pool(&store).begin().await?;
    sqlx::query("SET LOCAL lock_timeout = '300ms'")
        .execute(&mut *next_round)
        .await?;
    let taken = sqlx::query("SELECT lead_id FROM rescore_queue WHERE lead_id = 'M-19' FOR UPDATE")
        .fetch_all(&mut *next_round)
        .await;
    let error = taken.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        error.contains("lock timeout"),
        "the next round took a lead while the change waited: {error:?}"
    );
    next_round.rollback().await?;

    // The first round ends; the change goes through, queuing every lead.
    first_round.commit().await?;
    change.await??;
    let row =
        sqlx::query("SELECT COUNT(DISTINCT token) AS tokens, COUNT(*) AS leads FROM rescore_queue")
            .fetch_one(pool(&store))
            .await?;
    assert_eq!(row.try_get::<i64, _>("leads")?, 23);
    assert_eq!(row.try_get::<i64, _>("tokens")?, 1);
    db.finish().await?;
    Ok(())
}
