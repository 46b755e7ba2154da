//! How fast leads' neighbourhoods (`Records::neighbourhood`: everything their
//! scores read) are read from a large store, a benchmark run by hand
//! (figures in BENCHMARKS.md):
//!
//! ```text
//! LEADSCORE_BENCH_DATABASE=sqlite:///var/tmp/rvw/base.db \
//!   cargo bench -p leadscore-store --bench neighbourhood
//! ```
//!
//! Takes the store's sample of `LEADSCORE_BENCH_LEADS` leads (default 20,000:
//! `Records::sample_leads`, spread over the whole store as the review's is),
//! then reads their neighbourhoods in rounds of `LEADSCORE_BENCH_ROUND` leads
//! (default 500, the rescoring's round), without and with the interactions'
//! properties, and prints leads and interactions per second for each.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use leadscore_store::{DatabaseUrl, SqlStore};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run() -> TestResult {
    let Ok(url) = std::env::var("LEADSCORE_BENCH_DATABASE") else {
        println!("set LEADSCORE_BENCH_DATABASE to a store's URL (see the file's doc)");
        return Ok(());
    };
    let store = SqlStore::open_existing(&DatabaseUrl::parse(&url)?).await?;
    let leads = number("LEADSCORE_BENCH_LEADS", 20_000);
    let round = number("LEADSCORE_BENCH_ROUND", 500).max(1);
    let started = Instant::now();
    let sample = store.records().sample_leads(leads).await?;
    println!(
        "sampled {} of {} leads in {:.1} s",
        sample.ids.len(),
        sample.stored,
        started.elapsed().as_secs_f64()
    );
    for properties in [false, true] {
        let started = Instant::now();
        let (mut read, mut interactions) = (0, 0);
        for ids in sample.ids.chunks(round) {
            let data = store.records().neighbourhood(ids, properties).await?;
            read += data.leads.len();
            interactions += data.interactions.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "rounds of {round}, properties {properties}: {} leads in {seconds:.1} s: \
             {:.0} leads/s ({read} leads and {interactions} interactions read, \
             {:.0} interactions/s)",
            sample.ids.len(),
            sample.ids.len() as f64 / seconds,
            interactions as f64 / seconds
        );
    }
    store.close().await;
    Ok(())
}

fn main() -> TestResult {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run())
}
