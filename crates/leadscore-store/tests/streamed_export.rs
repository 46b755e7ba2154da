//! A streamed export (`Records::export_streamed`) hands over, a chunk at a
//! time, exactly what the in-memory export returns, in the same order (ids in
//! byte order on both stores, whatever the database's collation), after a
//! plan that counts them and names every custom field; a writer's failure is
//! the export's answer and leaves the store usable; on SQLite and on
//! PostgreSQL alike.

mod common;

use common::{TestDb, TestResult, many_interactions, sample};
use leadscore_domain::{
    Account, AccountId, CustomRecord, Dataset, EntityName, FieldNames, Fields, LeadId, RecordId,
};
use leadscore_store::{
    EXPORT_CHUNK, ExportPlan, ExportScope, SqlStore, Store, StoreCounts, StreamedExportError,
};

leadscore_store::on_both_backends!(
    a_streamed_export_hands_over_the_export_in_chunks,
    a_failed_writer_is_the_answer_and_the_store_stays_usable,
    an_export_for_lead_rows_leaves_the_interactions_properties_out,
);

/// The sample, more interactions and more records of one custom entity
/// than one chunk holds, and accounts whose ids sort differently by byte
/// and by a language's collation.
fn data() -> Result<Dataset, Box<dyn std::error::Error>> {
    let mut data = sample()?;
    data.interactions
        .extend(many_interactions(EXPORT_CHUNK + 1000)?);
    // After the sample's O-1 and O-2, in byte order.
    let opportunities = data
        .custom
        .get_mut(&EntityName::parse("Opportunity")?)
        .ok_or("the sample has opportunities")?;
    for i in 0..EXPORT_CHUNK + 5 {
        opportunities.push(CustomRecord {
            record_id: RecordId::parse(format!("O-x-{i:05}"))?,
            lead_id: LeadId::parse("L-1")?,
            fields: Fields::new(),
        });
    }
    for id in ["a-9", "B-1", "_z", "Z-0", "b-0"] {
        let mut account = Account::new(AccountId::parse(id)?);
        let mut custom = Fields::new();
        custom.set("region", id);
        account.custom = custom;
        data.accounts.push(account);
    }
    Ok(data)
}

/// What a chunk holds: one record type (or one custom entity), and how many.
fn kind_of(chunk: &Dataset) -> (String, usize) {
    let kinds = [
        ("accounts", chunk.accounts.len()),
        ("contacts", chunk.contacts.len()),
        ("leads", chunk.leads.len()),
        ("interactions", chunk.interactions.len()),
    ];
    let mut held: Vec<(String, usize)> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect();
    held.extend(
        chunk
            .custom
            .iter()
            .map(|(e, r)| (format!("custom {e}"), r.len())),
    );
    assert_eq!(held.len(), 1, "a chunk holds one type: {held:?}");
    held.remove(0)
}

async fn a_streamed_export_hands_over_the_export_in_chunks(ctx: TestDb) -> TestResult {
    let data = data()?;
    ctx.store.import(&data, &|_| {}).await?;
    let exported = ctx.store.export().await?;

    let (plan, gathered, kinds) = gather(&ctx.store, ExportScope::Everything).await?;

    assert_eq!(gathered, exported);
    // Every list in byte order (as Rust sorts text), on both stores.
    let mut ids: Vec<&str> = exported
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(ids, ["A-1", "A-2", "B-1", "Z-0", "_z", "a-9", "b-0"]);
    ids = exported
        .interactions
        .iter()
        .map(|i| i.interaction_id.as_str())
        .collect();
    assert!(ids.is_sorted(), "interactions in byte order");
    // The export is the data imported, sorted.
    let mut sorted = data.clone();
    sorted
        .accounts
        .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    sorted
        .interactions
        .sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));
    assert_eq!(exported, sorted);

    assert_eq!(
        plan.counts,
        StoreCounts {
            accounts: 7,
            contacts: 2,
            leads: 3,
            interactions: 3 + EXPORT_CHUNK as u64 + 1000,
            custom_records: 3 + EXPORT_CHUNK as u64 + 5,
        }
    );
    assert_eq!(plan.names, FieldNames::of(&data));
    assert!(plan.names.accounts.contains("region"));
    assert_eq!(plan.names.custom.len(), 2, "{:?}", plan.names.custom);

    // Types in order, interactions and opportunities over two chunks each,
    // no chunk too large.
    let order: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        order,
        [
            "accounts",
            "contacts",
            "leads",
            "interactions",
            "interactions",
            "custom Opportunity",
            "custom Opportunity",
            "custom Quote"
        ]
    );
    assert_eq!(kinds[3].1, EXPORT_CHUNK);
    assert_eq!(kinds[5].1, EXPORT_CHUNK);
    assert!(kinds.iter().all(|(_, n)| *n <= EXPORT_CHUNK));
    Ok(())
}

async fn a_failed_writer_is_the_answer_and_the_store_stays_usable(ctx: TestDb) -> TestResult {
    let data = data()?;
    ctx.store.import(&data, &|_| {}).await?;
    let outcome = ctx
        .store
        .records()
        .export_streamed(ExportScope::Everything, |_, mut chunks| {
            chunks.next();
            Err::<(), _>("disk full")
        })
        .await;
    assert!(
        matches!(outcome, Err(StreamedExportError::Write("disk full"))),
        "expected the writer's error, got {outcome:?}"
    );
    // The reading stopped and its transaction ended: the store reads and
    // writes on.
    let mut more = Dataset::default();
    more.accounts.push(Account::new(AccountId::parse("A-3")?));
    ctx.store.import(&more, &|_| {}).await?;
    assert_eq!(ctx.store.export().await?.accounts.len(), 8);
    Ok(())
}

/// Gathers a streamed export's chunks, with its plan and what each chunk
/// held ([`kind_of`]).
async fn gather(
    store: &SqlStore,
    scope: ExportScope,
) -> Result<(ExportPlan, Dataset, Vec<(String, usize)>), Box<dyn std::error::Error>> {
    let gathered = store
        .records()
        .export_streamed(scope, |plan: ExportPlan, chunks| {
            let mut gathered = Dataset::default();
            let mut kinds = Vec::new();
            for chunk in chunks {
                kinds.push(kind_of(&chunk));
                gathered.accounts.extend(chunk.accounts);
                gathered.contacts.extend(chunk.contacts);
                gathered.leads.extend(chunk.leads);
                gathered.interactions.extend(chunk.interactions);
                for (entity, records) in chunk.custom {
                    gathered.custom.entry(entity).or_default().extend(records);
                }
            }
            Ok::<_, std::convert::Infallible>((plan, gathered, kinds))
        })
        .await?;
    Ok(gathered)
}

/// For lead rows (what retraining's copy reads), the export is the whole one
/// with every interaction's properties empty, the interactions in any order,
/// and its plan names no property.
async fn an_export_for_lead_rows_leaves_the_interactions_properties_out(ctx: TestDb) -> TestResult {
    let data = data()?;
    ctx.store.import(&data, &|_| {}).await?;
    let (full_plan, full, _) = gather(&ctx.store, ExportScope::Everything).await?;
    assert!(
        full.interactions.iter().any(|i| !i.properties.is_empty()),
        "the data has interactions with properties"
    );
    assert!(!full_plan.names.interactions.is_empty());

    let (plan, mut gathered, _) = gather(&ctx.store, ExportScope::ForLeadRows).await?;
    gathered
        .interactions
        .sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));
    let mut expected = full;
    for interaction in &mut expected.interactions {
        interaction.properties = Fields::new();
    }
    assert_eq!(gathered, expected);
    assert!(plan.names.interactions.is_empty());
    assert_eq!(plan.names.accounts, full_plan.names.accounts);
    assert_eq!(plan.names.leads, full_plan.names.leads);
    assert_eq!(plan.names.custom, full_plan.names.custom);
    assert_eq!(plan.counts, full_plan.counts);
    Ok(())
}
