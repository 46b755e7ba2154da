//! A streamed import (`Records::import_streamed`) writes what the in-memory
//! import writes, queues the same leads, checks references against the
//! import's own records and the store's, and writes nothing when its reader
//! fails, after any number of chunks; on SQLite and on PostgreSQL alike.

mod common;

use common::{TestDb, TestResult, many_interactions, sample};
use leadscore_domain::{
    Account, AccountId, Contact, ContactId, Dataset, InteractionRow, Lead, LeadId, RecordSink,
    UnknownReference,
};
use leadscore_store::{ImportSink, ImportSummary, SqlStore, Store, StreamedImportError};

leadscore_store::on_both_backends!(
    a_streamed_import_writes_what_the_import_writes,
    a_streamed_import_queues_what_the_ingest_queues,
    a_failed_reader_writes_nothing,
    references_name_this_import_or_the_store,
    a_first_import_writes_no_copy_of_the_records,
    a_store_without_leads_is_merged_into,
);

/// Hands `data` to `sink` as a folder reader does (parents first), stopping
/// at the first refusal.
fn feed(data: &Dataset, sink: &mut ImportSink) -> Result<(), UnknownReference> {
    for a in &data.accounts {
        sink.account(a.clone())?;
    }
    for c in &data.contacts {
        sink.contact(c.clone())?;
    }
    for l in &data.leads {
        sink.lead(l.clone())?;
    }
    for (entity, records) in &data.custom {
        for r in records {
            sink.custom(entity, r.clone())?;
        }
    }
    for i in &data.interactions {
        let properties: Vec<(&str, &str)> = i.properties.iter().collect();
        sink.interaction(InteractionRow {
            id: i.interaction_id.as_str(),
            kind: &i.kind,
            occurred_at: i.occurred_at,
            contact_id: i.contact_id.as_ref().map(|c| c.as_str()),
            lead_id: i.lead_id.as_ref().map(|l| l.as_str()),
            visitor_id: i.visitor_id.as_ref().map(|v| v.as_str()),
            properties: &properties,
        })?;
    }
    Ok(())
}

async fn stream(
    store: &SqlStore,
    data: &Dataset,
) -> Result<(ImportSummary, u64), Box<dyn std::error::Error>> {
    let data = data.clone();
    let done = store
        .records()
        .import_streamed("import", &|_| {}, move |sink| {
            feed(&data, sink).map_err(|e| format!("{} {:?} does not exist", e.column, e.id))
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok((done.imported, done.queued))
}

/// The indexes present, sorted: the secondary ones, and on PostgreSQL the
/// primary keys' too (a bulk load drops and builds both).
async fn indexes(store: &SqlStore) -> Result<Vec<String>, sqlx::Error> {
    let pool = leadscore_store::testing::pool(store);
    let sql = match store.backend() {
        leadscore_store::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        }
        leadscore_store::Backend::Postgres => {
            "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = current_schema() \
             ORDER BY indexname"
        }
    };
    sqlx::query_scalar(sql).fetch_all(pool).await
}

/// How many record tables have the planner's column statistics on
/// PostgreSQL (regression: a bulk-loaded table had none, and the import's
/// own queueing queries scanned every lead); 5 on SQLite, where the import
/// does not gather them.
async fn statistics(store: &SqlStore) -> Result<i64, sqlx::Error> {
    match store.backend() {
        leadscore_store::Backend::Sqlite => Ok(5),
        leadscore_store::Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT COUNT(DISTINCT tablename) FROM pg_stats WHERE schemaname = current_schema() \
                 AND tablename IN ('accounts', 'contacts', 'leads', 'interactions', 'custom_records')",
            )
            .fetch_one(leadscore_store::testing::pool(store))
            .await
        }
    }
}

/// The staging tables of PostgreSQL imports left in the database (none on
/// SQLite).
async fn staging_tables(store: &SqlStore) -> Result<i64, sqlx::Error> {
    match store.backend() {
        leadscore_store::Backend::Sqlite => Ok(0),
        leadscore_store::Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'leadscore_import_%'",
            )
            .fetch_one(leadscore_store::testing::pool(store))
            .await
        }
    }
}

/// `data` as the store exports it (the accounts in id order; the other
/// records of `large` are in id order already).
fn as_exported(mut data: Dataset) -> Dataset {
    data.accounts
        .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    data
}

/// A dataset of several chunks of every table that has many rows.
fn large() -> Result<Dataset, Box<dyn std::error::Error>> {
    let mut data = sample()?;
    for i in 0..9_000 {
        let mut account = Account::new(AccountId::parse(format!("A-x{i:05}"))?);
        account.employees = Some(i);
        data.accounts.push(account);
    }
    data.interactions.extend(many_interactions(20_000)?);
    Ok(data)
}

async fn a_streamed_import_writes_what_the_import_writes(ctx: TestDb) -> TestResult {
    let before = indexes(&ctx.store).await?;
    let data = large()?;
    let (summary, queued) = stream(&ctx.store, &data).await?;
    assert_eq!(summary.total(), data.len() as u64);
    assert_eq!(summary.accounts, 9_002);
    assert_eq!(summary.interactions, 20_003);
    // An empty store: every lead is queued.
    assert_eq!(queued, 3);
    let expected = as_exported(data.clone());
    assert_eq!(ctx.store.export().await?, expected);
    // The bulk import's indexes were built again.
    assert_eq!(indexes(&ctx.store).await?, before);
    assert_eq!(staging_tables(&ctx.store).await?, 0);
    assert_eq!(
        statistics(&ctx.store).await?,
        5,
        "every record table analyzed"
    );

    // Again, into the store that holds it all: nothing changes (the
    // interactions' indexes are dropped once the rows written reach a
    // quarter of the stored ones, and built again).
    let (again, queued) = stream(&ctx.store, &data).await?;
    assert_eq!(again, summary);
    assert_eq!(queued, 3);
    assert_eq!(ctx.store.export().await?, expected);
    assert_eq!(indexes(&ctx.store).await?, before);
    Ok(())
}

/// The queued leads, read directly.
async fn queue_rows(store: &SqlStore) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT lead_id FROM rescore_queue ORDER BY lead_id")
        .fetch_all(leadscore_store::testing::pool(store))
        .await
}

async fn empty_queue(store: &SqlStore) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rescore_queue")
        .execute(leadscore_store::testing::pool(store))
        .await
        .map(drop)
}

async fn a_streamed_import_queues_what_the_ingest_queues(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    // A change of an account (its leads: L-1 by its contact C-1 and by
    // itself), and interactions of C-1 over several chunks.
    let mut change = Dataset::default();
    let mut account = data.accounts[0].clone();
    account.name = Some("renamed".to_owned());
    change.accounts.push(account);
    change.interactions.extend(many_interactions(10_000)?);

    empty_queue(&ctx.store).await?;
    let (_, queued) = stream(&ctx.store, &change).await?;
    let streamed = queue_rows(&ctx.store).await?;
    // Distinct leads, although every chunk queued L-1 again.
    assert_eq!(queued, streamed.len() as u64);

    empty_queue(&ctx.store).await?;
    let (_, ingested) = ctx.store.records().ingest(&change, "import").await?;
    assert_eq!(queue_rows(&ctx.store).await?, streamed);
    assert_eq!(ingested, queued);
    assert_eq!(streamed, ["L-1"]);
    Ok(())
}

async fn a_failed_reader_writes_nothing(ctx: TestDb) -> TestResult {
    let data = sample()?;
    let big = large()?;
    // Into an empty store (PostgreSQL loads it straight into the record
    // tables, their keys and indexes dropped meanwhile), then into one that
    // holds the sample (merged from staging tables).
    for holds_sample in [false, true] {
        if holds_sample {
            ctx.store.import(&data, &|_| {}).await?;
        }
        let before = (ctx.store.export().await?, indexes(&ctx.store).await?);
        // The reader fails after handing over every record (many chunks were
        // written by then), and, on another try, in the middle of the
        // interactions.
        for interactions in [big.interactions.len(), 5_000] {
            let mut part = big.clone();
            part.interactions.truncate(interactions);
            let result = ctx
                .store
                .records()
                .import_streamed("import", &|_| {}, move |sink| {
                    feed(&part, sink).map_err(|e| e.id)?;
                    Err::<(), String>("bad row at the end".to_owned())
                })
                .await;
            assert!(
                matches!(&result, Err(StreamedImportError::Read(message)) if message == "bad row at the end"),
                "{result:?}"
            );
            assert_eq!(
                (ctx.store.export().await?, indexes(&ctx.store).await?),
                before,
                "holds the sample: {holds_sample}"
            );
            assert_eq!(staging_tables(&ctx.store).await?, 0);
        }
    }
    // The store took the import after the failed ones.
    let (summary, _) = stream(&ctx.store, &big).await?;
    assert_eq!(summary.total(), big.len() as u64);
    Ok(())
}

/// Runs a streamed import of `data` whose reader, once it handed over every
/// record (several chunks were copied by then), counts the staging tables.
async fn staging_while_reading(
    store: &SqlStore,
    data: &Dataset,
) -> Result<i64, Box<dyn std::error::Error>> {
    let data = data.clone();
    let probe = store.clone();
    let done = store
        .records()
        .import_streamed("import", &|_| {}, move |sink| {
            feed(&data, sink).map_err(|e| e.id)?;
            tokio::runtime::Handle::current()
                .block_on(staging_tables(&probe))
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(done.read)
}

/// Regression (the disk of a first import at ten million leads): the first
/// import into an empty PostgreSQL store copied every record into staging
/// tables, then again into the record tables, and needed about the store's
/// size again on disk; it now copies them straight into the record tables.
async fn a_first_import_writes_no_copy_of_the_records(ctx: TestDb) -> TestResult {
    let data = large()?;
    assert_eq!(staging_while_reading(&ctx.store, &data).await?, 0);
    let expected = as_exported(data.clone());
    assert_eq!(ctx.store.export().await?, expected);
    // Into the store that now holds them, the records are staged (the probe
    // sees the staging tables on PostgreSQL), and nothing changes.
    let staged = staging_while_reading(&ctx.store, &data).await?;
    if ctx.store.backend() == leadscore_store::Backend::Postgres {
        assert!(staged > 0, "{staged} staging tables");
    }
    assert_eq!(ctx.store.export().await?, expected);
    assert_eq!(staging_tables(&ctx.store).await?, 0);
    Ok(())
}

/// A store that holds records but no lead (accounts only) is not empty: the
/// import is merged into it (on PostgreSQL, from staging tables), the stored
/// account kept, and every lead queued.
async fn a_store_without_leads_is_merged_into(ctx: TestDb) -> TestResult {
    let mut first = Dataset::default();
    let mut account = Account::new(AccountId::parse("A-kept")?);
    account.employees = Some(12);
    first.accounts.push(account.clone());
    ctx.store.import(&first, &|_| {}).await?;
    let before = indexes(&ctx.store).await?;
    let data = large()?;
    let (summary, queued) = stream(&ctx.store, &data).await?;
    assert_eq!(summary.total(), data.len() as u64);
    assert_eq!(queued, data.leads.len() as u64);
    let mut expected = data.clone();
    expected.accounts.push(account);
    let expected = as_exported(expected);
    assert_eq!(ctx.store.export().await?, expected);
    assert_eq!(indexes(&ctx.store).await?, before);
    assert_eq!(staging_tables(&ctx.store).await?, 0);
    Ok(())
}

async fn references_name_this_import_or_the_store(ctx: TestDb) -> TestResult {
    let data = sample()?;
    ctx.store.import(&data, &|_| {}).await?;
    let result = ctx
        .store
        .records()
        .import_streamed("import", &|_| {}, |sink| {
            let mut contact = Contact::new(ContactId::parse("C-9")?);
            // Stored before the import.
            contact.account_id = Some(AccountId::parse("A-2")?);
            sink.contact(contact).map_err(|e| e.id)?;
            // Handed over by this import.
            let mut lead = Lead::new(LeadId::parse("L-9")?, common::ts("2026-02-01")?);
            lead.contact_id = Some(ContactId::parse("C-9")?);
            sink.lead(lead).map_err(|e| e.id)?;
            // Neither: refused, twice alike (the second from what the first
            // lookup learned), and not written.
            let mut refused = Vec::new();
            for _ in 0..2 {
                let mut stray = Lead::new(LeadId::parse("L-10")?, common::ts("2026-02-01")?);
                stray.account_id = Some(AccountId::parse("A-404")?);
                refused.push(sink.lead(stray));
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(refused)
        })
        .await;
    let done = match result {
        Ok(done) => done,
        Err(e) => return Err(e.to_string().into()),
    };
    let unknown = UnknownReference {
        column: "account_id",
        id: "A-404".to_owned(),
    };
    assert_eq!(done.read, vec![Err(unknown.clone()), Err(unknown)]);
    assert_eq!((done.imported.contacts, done.imported.leads), (1, 1));
    let stored = ctx.store.export().await?;
    assert!(stored.leads.iter().any(|l| l.lead_id.as_str() == "L-9"));
    assert!(!stored.leads.iter().any(|l| l.lead_id.as_str() == "L-10"));
    Ok(())
}
