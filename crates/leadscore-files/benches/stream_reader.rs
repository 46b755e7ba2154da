//! How fast a folder streams into a sink that only counts (for BENCHMARKS.md),
//! a benchmark run by hand:
//!
//! ```sh
//! LEADSCORE_STREAM_DIR=/var/tmp/bench1m \
//!   /usr/bin/time -v cargo bench -p leadscore-files --bench stream_reader
//! ```
//!
//! `LEADSCORE_STREAM_PROPERTIES` chooses the interaction properties the sink
//! wants: `all`, `none` (the default) or a comma-separated list of names.
//!
//! To measure Parquet, write a Parquet copy of a CSV folder first (with
//! `read_folder`, so it needs the memory that takes: ~11 GB at 1M leads): with
//! `LEADSCORE_PARQUET_COPY` set, the run writes the copy there instead of
//! streaming, then stream the copy with `LEADSCORE_STREAM_DIR` set to it.
//!
//! ```sh
//! LEADSCORE_STREAM_DIR=/var/tmp/bench1m LEADSCORE_PARQUET_COPY=/var/tmp/bench1m-parquet \
//!   cargo bench -p leadscore-files --bench stream_reader
//! ```
//!
//! Without `LEADSCORE_STREAM_DIR` it prints how to run it and measures nothing.

use std::collections::HashSet;
use std::time::Instant;

use leadscore_domain::{
    Account, Contact, CustomRecord, EntityName, ExternalIds, InteractionRow, Lead, RecordSink,
    UnknownReference,
};
use leadscore_files::{Format, ReadOptions, StreamOptions, stream_folder, write_folder};

/// Counts records and the property values handed over.
struct Count {
    records: u64,
    properties: u64,
    /// Sum of the interaction times, so that nothing read goes unused.
    micros: i64,
    wanted: Option<HashSet<String>>,
}

impl RecordSink for Count {
    fn account(&mut self, _: Account) -> Result<(), UnknownReference> {
        self.records += 1;
        Ok(())
    }
    fn contact(&mut self, _: Contact) -> Result<(), UnknownReference> {
        self.records += 1;
        Ok(())
    }
    fn lead(&mut self, _: Lead) -> Result<(), UnknownReference> {
        self.records += 1;
        Ok(())
    }
    fn custom(&mut self, _: &EntityName, _: CustomRecord) -> Result<(), UnknownReference> {
        self.records += 1;
        Ok(())
    }
    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        self.records += 1;
        self.properties += row.properties.len() as u64;
        self.micros = self.micros.wrapping_add(row.occurred_at.as_micros());
        Ok(())
    }
    fn wants_property(&self, name: &str) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(name))
    }
}

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "stream_reader: nothing to measure; set LEADSCORE_STREAM_DIR to a DATA.md \
folder (e.g. `leadscore generate --out /var/tmp/bench1m --leads 1000000`), optionally \
LEADSCORE_STREAM_PROPERTIES=all|none|NAME,... , or LEADSCORE_PARQUET_COPY=DIR to write a \
Parquet copy of the folder instead";

fn main() -> Result<(), Error> {
    let Ok(dir) = std::env::var("LEADSCORE_STREAM_DIR") else {
        eprintln!("{USAGE}");
        return Ok(());
    };
    match std::env::var("LEADSCORE_PARQUET_COPY") {
        Ok(copy) => write_a_parquet_copy(&dir, &copy),
        Err(_) => stream_a_folder_into_a_counting_sink(&dir),
    }
}

fn stream_a_folder_into_a_counting_sink(dir: &str) -> Result<(), Error> {
    let wanted = match std::env::var("LEADSCORE_STREAM_PROPERTIES").as_deref() {
        Ok("all") => None,
        Ok("none") | Err(_) => Some(HashSet::new()),
        Ok(list) => Some(list.split(',').map(|s| s.trim().to_owned()).collect()),
    };
    let mut sink = Count {
        records: 0,
        properties: 0,
        micros: 0,
        wanted,
    };
    let start = Instant::now();
    let summary = stream_folder(dir.as_ref(), &mut sink, &StreamOptions::default())?;
    let seconds = start.elapsed().as_secs_f64();
    if summary.records() != sink.records {
        return Err(format!(
            "the summary counts {} records but the sink got {}",
            summary.records(),
            sink.records
        )
        .into());
    }
    println!(
        "{dir}: {} records ({} accounts, {} contacts, {} leads, {} custom, {} interactions; \
         {} property values) in {seconds:.2} s: {:.0} rows/s (checksum {})",
        summary.records(),
        summary.accounts,
        summary.contacts,
        summary.leads,
        summary.custom.values().sum::<u64>(),
        summary.interactions,
        sink.properties,
        summary.records() as f64 / seconds,
        sink.micros,
    );
    Ok(())
}

fn write_a_parquet_copy(dir: &str, copy: &str) -> Result<(), Error> {
    let start = Instant::now();
    let data = leadscore_files::read_folder(dir.as_ref(), &ReadOptions::default())?
        .resolve(&ExternalIds::default())?
        .dataset;
    write_folder(&data, copy.as_ref(), Format::Parquet)?;
    println!(
        "{dir} written to {copy} as Parquet in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
