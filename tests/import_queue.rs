//! Issue 19, "writes from the command line keep scores true": `leadscore
//! import` into a store a service may be using queues, in its transaction,
//! every lead whose records changed for rescoring (closed ones too), as the
//! HTTP ingest does; on both stores.

mod common;

use common::{Backend, TestResult, leadscore, write_files};
use serde_json::Value;

const ACCOUNTS: &str = "account_id,name,industry\nA1,Acme,Retail\nA2,Globex,Energy\n";
const CONTACTS: &str = "contact_id,account_id,first_name,job_title\nC1,A1,Ada,CTO\nC2,A2,Grace,Engineer\nC3,A2,Alan,Analyst\n";
const LEADS: &str = "lead_id,created_at,contact_id,account_id,status,closed_at\n\
L1,2026-01-01,C1,,open,\n\
L2,2026-01-02,C2,,qualified,2026-02-01\n\
L3,2026-01-03,,A2,open,\n";

fn import(dir: &std::path::Path, url: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let dir = dir.to_str().ok_or("path")?;
    let out = leadscore(&["import", dir, "--database", url, "--json"]).success()?;
    Ok(serde_json::from_str(out.trim())?)
}

async fn queued(url: &str) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let store = leadscore_store::SqlStore::open(&leadscore_store::DatabaseUrl::parse(url)?).await?;
    let leads = store.queue().peek(100).await?;
    store.close().await;
    let mut out: Vec<(String, String)> = leads
        .into_iter()
        .map(|q| (q.lead_id.as_str().to_owned(), q.cause))
        .collect();
    out.sort();
    Ok(out)
}

#[test]
fn an_import_queues_the_leads_it_changes_on_both_stores() -> TestResult {
    let mut stores = vec![Backend::sqlite()?];
    stores.extend(Backend::postgres()?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    for store in stores {
        let first = tempfile::tempdir()?;
        write_files(
            first.path(),
            &[
                ("accounts.csv", ACCOUNTS),
                ("contacts.csv", CONTACTS),
                ("leads.csv", LEADS),
            ],
        )?;
        // Into an empty store: every lead.
        assert_eq!(import(first.path(), store.url())?["queued"], 3);
        let all: Vec<(String, String)> = ["L1", "L2", "L3"]
            .iter()
            .map(|l| ((*l).to_owned(), "import".to_owned()))
            .collect();
        assert_eq!(runtime.block_on(queued(store.url()))?, all);

        // The service rescored them (its worker empties the queue).
        runtime.block_on(async {
            let s =
                leadscore_store::SqlStore::open(&leadscore_store::DatabaseUrl::parse(store.url())?)
                    .await?;
            leadscore_store::testing::clear_queue(&s).await?;
            s.close().await;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;

        // A new job title for C2 (whose lead L2 is closed) and an interaction
        // of C3 (no lead of its own): L2, and L3, account-based on their
        // account A2, are queued; L1 (of A1) is not.
        let second = tempfile::tempdir()?;
        write_files(
            second.path(),
            &[
                (
                    "contacts.csv",
                    "contact_id,account_id,first_name,job_title\nC2,A2,Grace,VP Engineering\n",
                ),
                (
                    "interactions.csv",
                    "interaction_id,kind,occurred_at,contact_id\nI1,EmailOpened,2026-01-05T10:00:00Z,C3\n",
                ),
            ],
        )?;
        assert_eq!(import(second.path(), store.url())?["queued"], 2);
        let changed: Vec<(String, String)> = ["L2", "L3"]
            .iter()
            .map(|l| ((*l).to_owned(), "import".to_owned()))
            .collect();
        assert_eq!(runtime.block_on(queued(store.url()))?, changed);
    }
    Ok(())
}
