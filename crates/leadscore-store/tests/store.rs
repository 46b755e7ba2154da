//! The store's behaviour, on SQLite and on PostgreSQL alike.

mod common;

use std::collections::HashSet;
use std::sync::Mutex;

use common::{TestDb, TestResult, many_interactions, sample, ts};
use leadscore_domain::{
    Account, AccountId, ContactId, Dataset, ExternalIds, Interaction, InteractionId,
    InteractionKind, LeadId, LeadStatus,
};
use leadscore_store::{Backend, ImportSummary, SqlStore, Store, StoreCounts, StoreError};
use sqlx::Row;

leadscore_store::on_both_backends!(
    import_then_export_round_trips,
    reimporting_changes_nothing,
    upsert_updates_a_changed_record,
    failed_import_changes_nothing,
    duplicate_ids_in_a_batch_fail_and_change_nothing,
    existing_ids_reports_stored_ids,
    neighbourhood_without_properties_reads_the_same_records,
    neighbourhood_reads_interactions_as_stored,
    migrations_are_idempotent,
    large_imports_batch_and_report_progress,
    bulk_imports_keep_every_index,
    concurrent_imports_both_succeed,
    empty_store_exports_nothing,
    missing_revenue_then_revenue_across_batches,
);

/// The secondary indexes the migrations create.
const INDEXES: [&str; 9] = [
    "contacts_account_id",
    "contacts_visitor_id",
    "leads_contact_id",
    "leads_account_id",
    "leads_source",
    "interactions_contact_cover",
    "interactions_visitor_id",
    "interactions_lead_id",
    "custom_records_lead_id",
];

/// The names of the secondary indexes present, sorted.
async fn indexes(store: &SqlStore) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let sql = match store.backend() {
        // The record tables' indexes (the ones bulk imports drop and build
        // again); the service's tables keep theirs.
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('accounts', 'contacts', 'leads', 'interactions', 'custom_records') \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
             AND indexname NOT LIKE '%_pkey' \
             AND tablename IN ('accounts', 'contacts', 'leads', 'interactions', 'custom_records') \
             ORDER BY indexname"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(leadscore_store::testing::pool(store))
        .await?;
    let mut names = Vec::new();
    for row in rows {
        names.push(row.try_get::<String, _>(0)?);
    }
    names.sort();
    Ok(names)
}

fn expected_indexes() -> Vec<String> {
    let mut names: Vec<String> = INDEXES.iter().map(|s| (*s).to_owned()).collect();
    names.sort();
    names
}

fn counts_of(data: &Dataset) -> StoreCounts {
    StoreCounts {
        accounts: data.accounts.len() as u64,
        contacts: data.contacts.len() as u64,
        leads: data.leads.len() as u64,
        interactions: data.interactions.len() as u64,
        custom_records: data.custom.values().map(|r| r.len() as u64).sum(),
    }
}

async fn import_then_export_round_trips(ctx: TestDb) -> TestResult {
    let data = sample()?;
    let summary = ctx.store.import(&data, &|_| {}).await?;
    assert_eq!(
        summary,
        ImportSummary {
            accounts: 2,
            contacts: 2,
            leads: 3,
            interactions: 3,
            custom_records: 3
        }
    );
    assert_eq!(ctx.store.counts().await?, counts_of(&data));
    assert_eq!(ctx.store.export().await?, data);
    Ok(())
}

async fn reimporting_changes_nothing(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let before = (ctx.store.counts().await?, ctx.store.export().await?);
    let again = ctx.store.import(&data, &|_| {}).await?;
    assert_eq!(again.total(), data.len() as u64);
    let after = (ctx.store.counts().await?, ctx.store.export().await?);
    assert_eq!(before, after);
    assert_eq!(after.1, data);
    Ok(())
}

async fn upsert_updates_a_changed_record(ctx: TestDb) -> TestResult {
    let mut data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;

    let mut changed = Dataset::default();
    let mut lead = data.leads[2].clone();
    lead.status = LeadStatus::Qualified;
    lead.closed_at = Some(ts("2026-02-01T12:00:00.25Z")?);
    lead.topic = Some("now with a topic".to_owned());
    lead.custom.set("budget", "7");
    changed.leads.push(lead.clone());
    let mut account = data.accounts[0].clone();
    account.name = None;
    account.annual_revenue = Some(0.1);
    account.custom.set("tier", "");
    changed.accounts.push(account.clone());
    ctx.store.import(&changed, &|_| {}).await?;

    data.leads[2] = lead;
    data.accounts[0] = account;
    assert_eq!(ctx.store.counts().await?, counts_of(&data));
    assert_eq!(ctx.store.export().await?, data);
    Ok(())
}

/// A dataset that touches every table: new and changed records of each type.
fn bigger_than(data: &Dataset) -> Result<Dataset, Box<dyn std::error::Error>> {
    let mut more = data.clone();
    more.accounts[1].name = Some("renamed".to_owned());
    more.accounts
        .push(leadscore_domain::Account::new(AccountId::parse("A-3")?));
    more.contacts[1].email = Some("changed@example.invalid".to_owned());
    more.leads[0].status = LeadStatus::Open;
    // Enough interactions for SQLite to rebuild that table's indexes.
    more.interactions.extend(many_interactions(12_000)?);
    for records in more.custom.values_mut() {
        for r in records.iter_mut() {
            r.fields.set("changed", "yes");
        }
    }
    Ok(more)
}

async fn failed_import_changes_nothing(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let before = (ctx.store.counts().await?, ctx.store.export().await?);

    // Make the last step (custom records) fail after every other table was
    // written, on either backend, by moving its table out of the way.
    let pool = leadscore_store::testing::pool(&ctx.store);
    sqlx::query("ALTER TABLE custom_records RENAME TO custom_records_away")
        .execute(pool)
        .await?;
    let rows_seen = Mutex::new(0u64);
    let result = ctx
        .store
        .import(&bigger_than(&data)?, &|rows| {
            if let Ok(mut seen) = rows_seen.lock() {
                *seen = rows;
            }
        })
        .await;
    sqlx::query("ALTER TABLE custom_records_away RENAME TO custom_records")
        .execute(pool)
        .await?;
    assert!(
        matches!(
            result,
            Err(StoreError::Query {
                operation: "import custom records",
                ..
            })
        ),
        "{result:?}"
    );
    // The other tables had been written before the failure.
    assert!(*rows_seen.lock().map_err(|e| e.to_string())? > 12_000);

    let after = (ctx.store.counts().await?, ctx.store.export().await?);
    assert_eq!(before, after);
    assert_eq!(indexes(&ctx.store).await?, expected_indexes());
    Ok(())
}

async fn duplicate_ids_in_a_batch_fail_and_change_nothing(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let before = ctx.store.export().await?;

    let mut bad = bigger_than(&data)?;
    let twin = Interaction::new(
        InteractionId::parse("X-000007")?,
        InteractionKind::FormSubmitted,
        ts("2026-05-05")?,
    );
    // In the same batch of 1000 rows as the first X-000007.
    bad.interactions.insert(20, twin);
    let result = ctx.store.import(&bad, &|_| {}).await;
    match result {
        Err(StoreError::DuplicateId { table, id }) => {
            assert_eq!((table, id.as_str()), ("interactions", "X-000007"));
        }
        other => return Err(format!("expected a duplicate id error, got {other:?}").into()),
    }
    assert_eq!(ctx.store.export().await?, before);
    Ok(())
}

async fn existing_ids_reports_stored_ids(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let set = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<HashSet<_>>();
    let mut many_leads: Vec<String> = (0..1200).map(|i| format!("missing-{i}")).collect();
    many_leads.push("L-3".to_owned());
    let wanted = ExternalIds {
        accounts: set(&["A-1", "A-9"]),
        contacts: set(&["C-2", "C-1", "C-404"]),
        leads: many_leads.into_iter().collect(),
    };
    let found = ctx.store.existing_ids(&wanted).await?;
    assert_eq!(
        found,
        ExternalIds {
            accounts: set(&["A-1"]),
            contacts: set(&["C-1", "C-2"]),
            leads: set(&["L-3"]),
        }
    );
    assert_eq!(
        ctx.store.existing_ids(&ExternalIds::default()).await?,
        ExternalIds::default()
    );
    Ok(())
}

async fn neighbourhood_without_properties_reads_the_same_records(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let ids: Vec<LeadId> = ["L-1", "L-2", "L-3", "L-404"]
        .iter()
        .map(LeadId::parse)
        .collect::<Result<_, _>>()?;
    let full = ctx.store.records().neighbourhood(&ids, true).await?;
    assert!(
        full.interactions.iter().any(|i| !i.properties.is_empty()),
        "the sample has interaction properties"
    );
    let bare = ctx.store.records().neighbourhood(&ids, false).await?;
    let mut expected = full.clone();
    for i in &mut expected.interactions {
        i.properties = Default::default();
    }
    assert_eq!(bare, expected);
    Ok(())
}

/// Interactions are read a contact's (or visitor's) group at a time, as JSON
/// arrays the database writes: ids and properties with characters JSON
/// escapes, the extreme timestamps and many interactions per contact read
/// back exactly as stored.
async fn neighbourhood_reads_interactions_as_stored(ctx: TestDb) -> TestResult {
    let mut data = sample()?;
    data.interactions.extend(many_interactions(700)?);
    let mut odd = Interaction::new(
        InteractionId::parse("I-\"quoted\" \\ back/slash é 東京 🚀")?,
        InteractionKind::parse("PartnerReferral")?,
        ts("1000-01-01T00:00:00Z")?,
    );
    odd.contact_id = Some(ContactId::parse("C-1")?);
    odd.lead_id = Some(leadscore_domain::LeadId::parse("L-3")?);
    odd.properties
        .set("q\"uote", "line1\nline2\t\\ {\"json\": [1]} \u{7f}");
    let mut late = Interaction::new(
        InteractionId::parse("I-late")?,
        InteractionKind::FormSubmitted,
        ts("9999-12-31T23:59:59.999999Z")?,
    );
    late.visitor_id = Some(leadscore_domain::VisitorId::parse("V-100")?);
    data.interactions.extend([odd, late]);
    ctx.store.import(&data, &|_| {}).await?;

    let l1 = [LeadId::parse("L-1")?];
    let read = ctx.store.records().neighbourhood(&l1, true).await?;
    let mut expected: Vec<Interaction> = data
        .interactions
        .iter()
        .filter(|i| match (&i.contact_id, &i.visitor_id) {
            (Some(c), _) => c.as_str() == "C-1",
            (None, Some(v)) => v.as_str() == "V-100",
            (None, None) => false,
        })
        .cloned()
        .collect();
    expected.sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));
    assert_eq!(read.interactions.len(), 704);
    assert_eq!(read.interactions, expected);

    let bare = ctx.store.records().neighbourhood(&l1, false).await?;
    for i in &mut expected {
        i.properties = Default::default();
    }
    assert_eq!(bare.interactions, expected);
    Ok(())
}

async fn migrations_are_idempotent(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let again = SqlStore::open(ctx.url()).await?;
    let third = SqlStore::open(ctx.url()).await?;
    assert_eq!(again.export().await?, data);
    assert_eq!(third.counts().await?, counts_of(&data));
    again.close().await;
    third.close().await;
    Ok(())
}

async fn large_imports_batch_and_report_progress(ctx: TestDb) -> TestResult {
    let mut data = sample()?;
    data.interactions.extend(many_interactions(2500)?);
    let calls = Mutex::new(Vec::new());
    let summary = ctx
        .store
        .import(&data, &|rows| {
            if let Ok(mut calls) = calls.lock() {
                calls.push(rows);
            }
        })
        .await?;
    assert_eq!(summary.interactions, 2503);
    let calls = calls.into_inner().map_err(|e| e.to_string())?;
    assert!(calls.windows(2).all(|w| w[0] < w[1]), "{calls:?}");
    assert_eq!(calls.last().copied(), Some(data.len() as u64));
    // accounts, contacts, leads, 3 interaction batches, 2 custom entities
    assert_eq!(calls.len(), 8, "{calls:?}");
    assert_eq!(ctx.store.export().await?, data);
    Ok(())
}

async fn bulk_imports_keep_every_index(ctx: TestDb) -> TestResult {
    assert_eq!(indexes(&ctx.store).await?, expected_indexes());
    let mut data = sample()?;
    data.interactions.extend(many_interactions(12_000)?);
    ctx.store.import(&data, &|_| {}).await?;
    assert_eq!(indexes(&ctx.store).await?, expected_indexes());
    assert_eq!(ctx.store.export().await?, data);
    // Small next to what is stored: updated in place.
    let mut more = Dataset::default();
    more.interactions.push(data.interactions[5].clone());
    more.interactions[0].properties.set("late", "yes");
    ctx.store.import(&more, &|_| {}).await?;
    data.interactions[5] = more.interactions[0].clone();
    assert_eq!(indexes(&ctx.store).await?, expected_indexes());
    assert_eq!(ctx.store.export().await?, data);
    Ok(())
}

async fn concurrent_imports_both_succeed(ctx: TestDb) -> TestResult {
    let first = sample()?;
    let second = Dataset {
        interactions: many_interactions(3000)?,
        ..Dataset::default()
    };
    let other = SqlStore::open(ctx.url()).await?;
    let (a, b) = tokio::join!(
        ctx.store.import(&first, &|_| {}),
        other.import(&second, &|_| {})
    );
    a?;
    b?;
    other.close().await;
    let mut both = first;
    both.interactions.extend(second.interactions);
    assert_eq!(ctx.store.export().await?, both);
    Ok(())
}

async fn empty_store_exports_nothing(ctx: TestDb) -> TestResult {
    assert_eq!(ctx.store.counts().await?, StoreCounts::default());
    assert_eq!(ctx.store.export().await?, Dataset::default());
    let summary = ctx.store.import(&Dataset::default(), &|_| {}).await?;
    assert_eq!(summary, ImportSummary::default());
    // A contact whose account is stored by an earlier import is fine: references
    // are checked by the caller, not by SQL foreign keys.
    let mut data = Dataset::default();
    let mut contact = leadscore_domain::Contact::new(ContactId::parse("C-9")?);
    contact.account_id = Some(AccountId::parse("A-elsewhere")?);
    data.contacts.push(contact);
    ctx.store.import(&data, &|_| {}).await?;
    assert_eq!(ctx.store.export().await?, data);
    Ok(())
}

/// Regression: a batch whose row had no `annual_revenue` made PostgreSQL cache
/// that parameter as `float4`, and the next batch's revenue at the same place was
/// refused ("incorrect binary data format in bind parameter").
async fn missing_revenue_then_revenue_across_batches(ctx: TestDb) -> TestResult {
    let mut data = Dataset::default();
    for i in 0..2500u32 {
        let mut account = Account::new(AccountId::parse(format!("A{i:05}"))?);
        account.annual_revenue = (i != 9).then_some(f64::from(i) * 10.5 + 0.25);
        account.employees = (i != 10).then_some(i64::from(i));
        data.accounts.push(account);
    }
    ctx.store.import(&data, &|_| {}).await?;
    assert_eq!(ctx.store.export().await?, data);
    Ok(())
}

/// A run whose process died (no heartbeat for the lease) is marked
/// interrupted as soon as the runs are read, and never blocks the next run;
/// a run that stamps its heartbeat stays running (issue 17).
async fn a_run_without_a_heartbeat_is_interrupted(ctx: TestDb) -> TestResult {
    use leadscore_domain::{RunStatus, RunTrigger};
    let runs = ctx.store.retraining();
    let dead = runs
        .start(RunTrigger::Command, None)
        .await?
        .ok_or("started")?;
    let alive = runs
        .start(RunTrigger::Command, None)
        .await?
        .ok_or("started")?;
    // The first run's process died two leases ago.
    let long_ago = leadscore_domain::Timestamp::now().as_micros()
        - 2 * i64::try_from(leadscore_store::RUN_LEASE.as_micros())?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE retraining_runs SET heartbeat_at = {long_ago} WHERE run_id = {dead}"
    )))
    .execute(leadscore_store::testing::pool(&ctx.store))
    .await?;
    runs.heartbeat(alive).await?;
    let listed = runs.list().await?;
    let status = |id: i64| listed.iter().find(|r| r.run_id == id).map(|r| r.status);
    assert_eq!(status(dead), Some(RunStatus::Interrupted));
    assert_eq!(status(alive), Some(RunStatus::Running));
    let reason = listed
        .iter()
        .find(|r| r.run_id == dead)
        .and_then(|r| r.reason.clone());
    assert!(reason.is_some_and(|r| r.contains("heartbeat")));
    // A scheduled slot still runs.
    assert!(
        runs.start(RunTrigger::Schedule, Some("2026-12-02T03:00"))
            .await?
            .is_some()
    );
    Ok(())
}
leadscore_store::on_both_backends!(a_run_without_a_heartbeat_is_interrupted);
