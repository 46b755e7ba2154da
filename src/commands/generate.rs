//! `leadscore generate`

use std::time::Instant;

use anyhow::Context;
use leadscore_domain::Timestamp;
use leadscore_generate::{GeneratorConfig, generate};
use serde::Serialize;

use crate::cli::GenerateArgs;
use crate::output::print_summary;
use crate::progress;

#[derive(Serialize)]
struct Summary {
    out: String,
    seed: u64,
    as_of: String,
    #[serde(flatten)]
    counts: leadscore_generate::GenerateSummary,
    seconds: f64,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let as_of = if args.as_of.eq_ignore_ascii_case("now") {
        Timestamp::now()
    } else {
        Timestamp::parse(&args.as_of).context("--as-of")?
    };
    let config = GeneratorConfig::new(args.leads, args.seed, as_of)?;
    let started = Instant::now();
    let bar = progress::bar(args.leads, "generating", "leads");
    let counts = generate(&config, &args.out, &|p| bar.set_position(p.leads_done))?;
    bar.finish_and_clear();
    let summary = Summary {
        out: args.out.display().to_string(),
        seed: args.seed,
        as_of: as_of.to_string(),
        counts,
        seconds: started.elapsed().as_secs_f64(),
    };
    print_summary(args.json, &summary, || {
        let c = &summary.counts;
        format!(
            "wrote {} accounts, {} contacts, {} leads, {} interactions and {} custom records to {} in {:.1}s",
            c.accounts,
            c.contacts,
            c.leads,
            c.interactions,
            c.custom_records,
            summary.out,
            summary.seconds
        )
    });
    Ok(())
}
