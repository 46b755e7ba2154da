//! Generates a data set and reports the time taken, for scale measurements:
//!
//! `cargo run --release -p leadscore-generate --example generate -- OUT_DIR [LEADS] [SEED] [THREADS]`

use std::path::PathBuf;
use std::time::Instant;

use leadscore_domain::Timestamp;
use leadscore_generate::{DEFAULT_AS_OF, GeneratorConfig, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: generate OUT_DIR [LEADS] [SEED] [THREADS]")?,
    );
    let leads = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let seed = args.next().map_or(Ok(1), |a| a.parse())?;
    let threads = args.next().map_or(Ok(0), |a| a.parse())?;
    let config =
        GeneratorConfig::new(leads, seed, Timestamp::parse(DEFAULT_AS_OF)?)?.with_threads(threads);
    let start = Instant::now();
    let summary = generate(&config, &out, &|p| {
        if p.leads_done % 100_000 < 4_096 {
            eprintln!("{} / {} leads", p.leads_done, p.leads_total);
        }
    })?;
    println!("{summary:?} in {:.2?}", start.elapsed());
    Ok(())
}
