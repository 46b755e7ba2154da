//! Import throughput, a benchmark run by hand (figures in BENCHMARKS.md):
//!
//! ```text
//! LEADSCORE_BULK_LEADS=1000000 cargo bench -p leadscore-store --bench bulk
//! ```
//!
//! Imports N leads (default 100,000), 10 N interactions, N/3 contacts and N/20
//! accounts into a fresh store on each backend (PostgreSQL when reachable, as
//! the tests find it) and prints rows per second; then re-imports the same
//! data and exports it (skipped when `LEADSCORE_BULK_IMPORT_ONLY` is set).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, Dataset, DomainError, Fields, Interaction,
    InteractionId, InteractionKind, Lead, LeadId, LeadStatus, Timestamp, VisitorId,
};
use leadscore_store::testing::{fresh_postgres, fresh_sqlite};
use leadscore_store::{SqlStore, Store};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A cheap deterministic pseudo-random sequence (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn dataset(leads: usize) -> Result<Dataset, DomainError> {
    let accounts = (leads / 20).max(1);
    let contacts = (leads / 3).max(1);
    let interactions = leads * 10;
    let start = Timestamp::parse("2025-01-01")?.as_micros();
    let at = |offset: i64| {
        Timestamp::from_micros(start + offset).ok_or(DomainError::BadTimestamp {
            value: offset.to_string(),
        })
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut data = Dataset::default();
    for i in 0..accounts {
        let mut a = Account::new(AccountId::parse(format!("A{i:08}"))?);
        a.name = Some(format!("Company {i}"));
        a.industry = Some(["Retail", "Software", "Finance"][i % 3].to_owned());
        a.employees = Some((i % 5000) as i64);
        a.annual_revenue = Some(i as f64 * 1234.5);
        data.accounts.push(a);
    }
    for i in 0..contacts {
        let mut c = Contact::new(ContactId::parse(format!("C{i:08}"))?);
        c.account_id = Some(AccountId::parse(format!("A{:08}", rng.below(accounts)))?);
        c.email = Some(format!("person{i}@example.invalid"));
        c.job_title = Some("Buyer".to_owned());
        if i % 2 == 0 {
            c.visitor_id = Some(VisitorId::parse(format!("V{i:08}"))?);
        }
        data.contacts.push(c);
    }
    for i in 0..leads {
        let mut l = Lead::new(
            LeadId::parse(format!("L{i:08}"))?,
            at(i as i64 * 1_000_003)?,
        );
        l.contact_id = Some(ContactId::parse(format!("C{:08}", rng.below(contacts)))?);
        l.source = Some("Web".to_owned());
        l.status = [
            LeadStatus::Open,
            LeadStatus::Qualified,
            LeadStatus::Disqualified,
        ][i % 3];
        let mut custom = Fields::new();
        custom.set("budget", (i % 100_000).to_string());
        l.custom = custom;
        data.leads.push(l);
    }
    let kinds = [
        InteractionKind::EmailOpened,
        InteractionKind::EmailClicked,
        InteractionKind::WebsiteVisited,
        InteractionKind::FormSubmitted,
    ];
    for i in 0..interactions {
        let kind = kinds[i % kinds.len()].clone();
        let mut x = Interaction::new(
            InteractionId::parse(format!("I{i:09}"))?,
            kind,
            at(i as i64 * 100_003)?,
        );
        x.contact_id = Some(ContactId::parse(format!("C{:08}", rng.below(contacts)))?);
        if i % 2 == 0 {
            x.lead_id = Some(LeadId::parse(format!("L{:08}", rng.below(leads)))?);
        }
        if i % 4 < 2 {
            let mut p = Fields::new();
            p.set("email_name", format!("Campaign {}", i % 50));
            x.properties = p;
        }
        data.interactions.push(x);
    }
    Ok(data)
}

async fn measure(name: &str, store: &SqlStore, data: &Dataset) -> TestResult {
    let rows = data.len() as f64;
    let started = Instant::now();
    let summary = store.import(data, &|_| {}).await?;
    let first = started.elapsed().as_secs_f64();
    println!(
        "{name}: imported {} rows ({} leads, {} interactions) in {first:.1} s: {:.0} rows/s",
        summary.total(),
        summary.leads,
        summary.interactions,
        rows / first
    );
    if std::env::var_os("LEADSCORE_BULK_IMPORT_ONLY").is_some() {
        return Ok(());
    }
    let started = Instant::now();
    store.import(data, &|_| {}).await?;
    let again = started.elapsed().as_secs_f64();
    println!(
        "{name}: re-imported (no changes) in {again:.1} s: {:.0} rows/s",
        rows / again
    );
    let started = Instant::now();
    let exported = store.export().await?;
    let read = started.elapsed().as_secs_f64();
    println!(
        "{name}: exported {} rows in {read:.1} s: {:.0} rows/s",
        exported.len(),
        rows / read
    );
    Ok(())
}

fn size() -> usize {
    std::env::var("LEADSCORE_BULK_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

async fn bulk_import_sqlite() -> TestResult {
    let started = Instant::now();
    let data = dataset(size())?;
    println!(
        "generated {} rows in {:.1} s",
        data.len(),
        started.elapsed().as_secs_f64()
    );
    let (_dir, store) = fresh_sqlite().await?;
    measure("SQLite", &store, &data).await
}

async fn bulk_import_postgres() -> TestResult {
    let data = dataset(size())?;
    let Some((db, store)) = fresh_postgres().await? else {
        return Ok(());
    };
    let result = measure("PostgreSQL", &store, &data).await;
    store.close().await;
    db.cleanup().await?;
    result
}

fn main() -> TestResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        bulk_import_sqlite().await?;
        bulk_import_postgres().await
    })
}
