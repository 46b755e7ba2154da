//! How long `read_lead_rows` takes to build the feature rows of a folder (the
//! closed leads, each as of its close; then every lead as of a time), a
//! benchmark run by hand:
//!
//! ```sh
//! LEADSCORE_LEAD_ROWS_DIR=/var/tmp/bench1m cargo bench -p leadscore-files --bench read_lead_rows
//! ```
//!
//! `LEADSCORE_LEAD_ROWS_DIR` names the DATA.md folder (for example a generated
//! 1M-lead folder); without it the shipped sample (`training-data/sample`) is
//! used. `LEADSCORE_LEAD_ROWS_AT` sets the scoring time (default 2026-10-01).

use std::path::{Path, PathBuf};
use std::time::Instant;

use leadscore_domain::Timestamp;
use leadscore_files::{LeadRowOptions, LeadSelection, read_lead_rows};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let dir = std::env::var_os("LEADSCORE_LEAD_ROWS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../training-data/sample"),
        PathBuf::from,
    );
    let at = std::env::var("LEADSCORE_LEAD_ROWS_AT").unwrap_or_else(|_| "2026-10-01".to_owned());
    println!("{}", dir.display());

    let start = Instant::now();
    let rows = read_lead_rows(&dir, &LeadRowOptions::default())?;
    println!(
        "closed: {} rows x {} columns in {:.2?}",
        rows.lead_ids.len(),
        rows.features.columns.len(),
        start.elapsed()
    );

    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: Some(Timestamp::parse(&at)?),
        ..LeadRowOptions::default()
    };
    let start = Instant::now();
    let rows = read_lead_rows(&dir, &options)?;
    println!(
        "all at {at}: {} rows in {:.2?}",
        rows.lead_ids.len(),
        start.elapsed()
    );
    Ok(())
}
