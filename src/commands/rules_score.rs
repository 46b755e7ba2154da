//! `leadscore rules score`: every lead of a folder under rule models, whole
//! when the folder is small, else a part of whole neighbourhoods at a time
//! (rows merged back into the leads file's order), so that memory does not
//! grow with the folder.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use leadscore_domain::spreadsheet::safe_cell;
use leadscore_domain::{FutureLimit, RecordType, Timestamp};
use leadscore_files::{
    FolderPart, OrderedRows, PartProperties, RunWriter, SplitOptions, StreamOptions,
    estimate_records, split_folder, stream_folder,
};
use leadscore_fs::AtomicFile;
use leadscore_rules::{Evaluator, Graph, GraphBuilder, Outcome, Plan, Schema, Scores};
use serde::Serialize;

use crate::cli::RulesScoreArgs;
use crate::commands::ahead::in_order;
use crate::commands::mapped::Input;
use crate::commands::rules::{Loaded, file_names, load_graph, load_plans, warn_absent_fields};
use crate::commands::{declared, future_tolerance, parse_at, scratch_beside};
use crate::output::print_summary;
use crate::progress;

/// The leads `rules score` reads at once by default: a folder whose leads
/// file holds more (by a cheap estimate from its first rows) is read a part
/// of whole neighbourhoods at a time. About 2 KB a lead with three models.
pub const RULE_LEADS_PER_PART: usize = 1_000_000;

/// The parts' graphs read ahead, each on its own thread, while one is
/// scored: reading a part's graph (parsing and checking its files) takes
/// longer than scoring it, so two reading threads keep two cores busy.
const GRAPHS_AHEAD: usize = 2;

#[derive(Serialize, Default)]
struct ModelTally {
    model: String,
    scored: u64,
    not_scored: u64,
    sales_ready: u64,
}

#[derive(Serialize)]
struct ScoreSummary {
    out: String,
    at: String,
    leads: usize,
    interactions: usize,
    unattributed_interactions: u64,
    rows: u64,
    /// The folder's files that no model reads: only their header was read.
    not_read: Vec<String>,
    /// How many parts the folder was read in (1: whole).
    parts: usize,
    models: Vec<ModelTally>,
    read_seconds: f64,
    score_seconds: f64,
}

pub(crate) fn score(args: RulesScoreArgs) -> anyhow::Result<()> {
    let input = Input::open(&args.data, args.map.map.as_deref(), false)?;
    score_input(&args, &input).map_err(|e| input.relocate(e))
}

/// The two output files, written whole or not at all.
struct Output<'a> {
    args: &'a RulesScoreArgs,
    out: csv::Writer<BufWriter<AtomicFile>>,
    explain: Option<BufWriter<AtomicFile>>,
}

impl<'a> Output<'a> {
    fn create(args: &'a RulesScoreArgs) -> anyhow::Result<Self> {
        let mut out = csv::Writer::from_writer(BufWriter::with_capacity(
            1 << 20,
            AtomicFile::create(&args.out)?,
        ));
        out.write_record([
            "lead_id",
            "model",
            "score",
            "grade",
            "sales_ready",
            "reason",
        ])?;
        let explain = match &args.explain {
            Some(path) => Some(BufWriter::new(AtomicFile::create(path)?)),
            None => None,
        };
        Ok(Self { args, out, explain })
    }

    /// Flushes both files and puts them in place.
    fn commit(self) -> anyhow::Result<()> {
        let out = self
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .with_context(|| format!("cannot write {}", self.args.out.display()))?;
        let explain = match (self.explain, &self.args.explain) {
            (Some(w), Some(path)) => Some(
                w.into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("cannot write {}", path.display()))?,
            ),
            _ => None,
        };
        out.commit()?;
        if let Some(file) = explain {
            file.commit()?;
        }
        Ok(())
    }
}

/// Where a graph's scored rows go.
trait Rows {
    /// The score file's row of the `lead`th lead of the graph under the
    /// `model`th model.
    fn row(&mut self, lead: usize, model: usize, fields: [&str; 6]) -> anyhow::Result<()>;

    /// Its explanation, as one line of JSON.
    fn explain(&mut self, lead: usize, model: usize, json: &str) -> anyhow::Result<()>;
}

/// Straight into the output files: the graph is the whole folder.
impl Rows for Output<'_> {
    fn row(&mut self, _: usize, _: usize, fields: [&str; 6]) -> anyhow::Result<()> {
        Ok(self.out.write_record(fields)?)
    }

    fn explain(&mut self, _: usize, _: usize, json: &str) -> anyhow::Result<()> {
        if let Some(w) = &mut self.explain {
            w.write_all(json.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Into sorted runs, each row at its lead's place in the whole folder's
/// leads file (then its model's).
struct PartRows<'a> {
    part: &'a FolderPart,
    models: u64,
    out: RunWriter,
    explain: Option<RunWriter>,
}

impl PartRows<'_> {
    fn place(&self, lead: usize, model: usize) -> anyhow::Result<u64> {
        let row = self
            .part
            .file_row(lead)
            .with_context(|| format!("{} has no lead {lead}", self.part.dir.display()))?;
        Ok(row * self.models + model as u64)
    }
}

impl Rows for PartRows<'_> {
    fn row(&mut self, lead: usize, model: usize, fields: [&str; 6]) -> anyhow::Result<()> {
        let place = self.place(lead, model)?;
        Ok(self.out.push(place, fields)?)
    }

    fn explain(&mut self, lead: usize, model: usize, json: &str) -> anyhow::Result<()> {
        let place = self.place(lead, model)?;
        if let Some(w) = &mut self.explain {
            w.push(place, [json])?;
        }
        Ok(())
    }
}

/// Scores every lead of `graph` under every plan into `rows`, counting in
/// `tallies`; gives how many rows.
fn score_graph(
    graph: &Graph,
    plans: &[Plan],
    at: Timestamp,
    explain: bool,
    tallies: &mut [ModelTally],
    rows: &mut dyn Rows,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<u64> {
    let evaluator = Evaluator::new(graph, plans);
    let mut scores = Scores::default();
    let mut written = 0u64;
    for (i, lead) in graph.leads().iter().enumerate() {
        evaluator.evaluate(i, at, &mut scores);
        for ((m, plan), result) in plans.iter().enumerate().zip(&scores.results) {
            let Some(tally) = tallies.get_mut(m) else {
                continue;
            };
            let id = safe_cell(lead.lead_id.as_str());
            let name = safe_cell(plan.name());
            match result.outcome {
                Outcome::Scored {
                    score,
                    grade,
                    sales_ready,
                } => {
                    tally.scored += 1;
                    tally.sales_ready += u64::from(sales_ready);
                    let grade = grade
                        .and_then(|g| plan.model().grades.get(usize::from(g)))
                        .map_or("", |g| g.name.as_str());
                    let number = score.to_string();
                    rows.row(
                        i,
                        m,
                        [
                            id.as_ref(),
                            name.as_ref(),
                            &number,
                            safe_cell(grade).as_ref(),
                            if sales_ready { "true" } else { "false" },
                            "",
                        ],
                    )?;
                }
                Outcome::Unscored(why) => {
                    tally.not_scored += 1;
                    rows.row(
                        i,
                        m,
                        [
                            id.as_ref(),
                            name.as_ref(),
                            "",
                            "",
                            "false",
                            safe_cell(why.reason()).as_ref(),
                        ],
                    )?;
                }
            }
            written += 1;
            if explain && let Some(e) = evaluator.explain(&scores, m) {
                rows.explain(i, m, &serde_json::to_string(&e)?)?;
            }
        }
        if i % 65_536 == 65_535 {
            bar.inc(65_536);
        }
    }
    bar.inc((graph.lead_count() % 65_536) as u64);
    Ok(written)
}

/// What scoring the folder found, for the summary.
struct Counts {
    leads: usize,
    interactions: usize,
    unattributed: u64,
    rows: u64,
    not_read: Vec<String>,
    parts: usize,
    read_seconds: f64,
}

fn score_input(args: &RulesScoreArgs, input: &Input) -> anyhow::Result<()> {
    let at = parse_at(args.at.as_deref())?;
    let future = FutureLimit::new(future_tolerance(args.settings.config.as_deref())?, Some(at));
    let plans = load_plans(&args.models)?;
    let started = Instant::now();
    let declared = input.declare(declared(args.settings.config.as_deref())?);
    let mut tallies: Vec<ModelTally> = plans
        .iter()
        .map(|p| ModelTally {
            model: p.name().to_owned(),
            ..ModelTally::default()
        })
        .collect();
    let mut output = Output::create(args)?;
    let dir = input.path();
    // The estimate is within a fraction of a percent on files of alike rows:
    // a folder of about one part is read whole, not checked first for nothing.
    let per_part = args.leads_per_part as u64;
    let large = estimate_records(dir, &RecordType::Lead)? > per_part.saturating_add(per_part / 100);
    let counts = if large {
        let options = StreamOptions {
            future,
            declared,
            ..StreamOptions::default()
        };
        in_parts(dir, args, &plans, at, &options, &mut tallies, &mut output)?
    } else {
        let Loaded { graph, not_read } = load_graph(dir, &plans, future, declared)?;
        let read_seconds = started.elapsed().as_secs_f64();
        let bar = progress::bar(graph.lead_count() as u64, "scoring", "leads");
        let explain = args.explain.is_some();
        let rows = score_graph(&graph, &plans, at, explain, &mut tallies, &mut output, &bar)?;
        bar.finish_and_clear();
        Counts {
            leads: graph.lead_count(),
            interactions: graph.interaction_count(),
            unattributed: graph.unattributed_count(),
            rows,
            not_read,
            parts: 1,
            read_seconds,
        }
    };
    output.commit()?;
    let summary = ScoreSummary {
        out: args.out.display().to_string(),
        at: at.to_string(),
        leads: counts.leads,
        interactions: counts.interactions,
        unattributed_interactions: counts.unattributed,
        rows: counts.rows,
        not_read: counts.not_read,
        parts: counts.parts,
        models: tallies,
        read_seconds: counts.read_seconds,
        score_seconds: (started.elapsed().as_secs_f64() - counts.read_seconds).max(0.0),
    };
    print_summary(args.json, &summary, || summary_text(&summary));
    Ok(())
}

/// Splits the folder into parts of whole neighbourhoods (extended to the
/// leads its interactions name, which a rule can hop to), reads and scores
/// each part's graph into sorted runs, and merges the runs into `output` in
/// the leads file's order: the rows the whole folder gives.
fn in_parts(
    dir: &Path,
    args: &RulesScoreArgs,
    plans: &[Plan],
    at: Timestamp,
    options: &StreamOptions,
    tallies: &mut [ModelTally],
    output: &mut Output<'_>,
) -> anyhow::Result<Counts> {
    let started = Instant::now();
    let projection = Plan::projection(plans);
    let properties = match projection.properties() {
        Some(names) => PartProperties::Only(names.iter().cloned().collect()),
        None => PartProperties::All,
    };
    let split = SplitOptions {
        future: options.future,
        declared: options.declared.clone(),
        // The graphs read ahead and the one scored: `--leads-per-part` in all.
        leads_per_part: (args.leads_per_part / (GRAPHS_AHEAD + 1)).max(1),
        properties,
        interaction_leads: true,
    };
    let scratch = scratch_beside(&args.out);
    let reading = progress::records(&format!("reading {}", dir.display()));
    let split = split_folder(
        dir,
        &split,
        &|record| projection.reads(record),
        scratch,
        &mut progress::parts_passes(&reading),
    )?;
    reading.finish_and_clear();
    let read_seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        seconds = read_seconds,
        parts = split.parts().len(),
        interactions_read_once = split.interactions_read_once(),
        "split"
    );
    let bar = progress::bar(split.leads(), "scoring", "leads");
    let mut runs = OrderedRows::new(scratch)?;
    let mut explains = match args.explain {
        Some(_) => Some(OrderedRows::new(scratch)?),
        None => None,
    };
    let (mut schema, mut leads, mut rows) = (Schema::standard(), 0usize, 0u64);
    let count = split.parts().len();
    // The next parts' graphs are read on other threads while this one is
    // scored: `GRAPHS_AHEAD + 1` graphs at once, together `--leads-per-part`.
    let read = |k: usize| -> anyhow::Result<(&FolderPart, Graph)> {
        let part = split.parts().get(k).context("no such part")?;
        let mut builder = GraphBuilder::new(projection.clone());
        stream_folder(&part.dir, &mut builder, options)?;
        Ok((part, builder.finish()))
    };
    in_order(count, GRAPHS_AHEAD, read, |k, (part, graph)| {
        bar.set_message(format!("scoring part {} of {count}", k + 1));
        schema.merge(Schema::from_graph(&graph));
        let mut part_rows = PartRows {
            part,
            models: plans.len() as u64,
            out: runs.run()?,
            explain: explains.as_mut().map(OrderedRows::run).transpose()?,
        };
        let explain = part_rows.explain.is_some();
        rows += score_graph(&graph, plans, at, explain, tallies, &mut part_rows, &bar)?;
        part_rows.out.finish()?;
        if let Some(run) = part_rows.explain {
            run.finish()?;
        }
        leads += graph.lead_count();
        Ok(())
    })?;
    warn_absent_fields(plans, &schema, dir);
    bar.set_message("writing in the leads file's order");
    runs.merge(&mut output.out)?;
    if let (Some(explains), Some(w)) = (explains, &mut output.explain) {
        explains.merge_with(|row| {
            let json = row.get(1).unwrap_or_default();
            w.write_all(json.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|source| leadscore_files::FilesError::Io {
                    path: dir.to_path_buf(),
                    source,
                })
        })?;
    }
    bar.finish_and_clear();
    Ok(Counts {
        leads,
        interactions: usize::try_from(split.attributed_interactions()).unwrap_or(usize::MAX),
        unattributed: split.unattributed_interactions(),
        rows,
        not_read: file_names(split.not_read()),
        parts: split.parts().len(),
        read_seconds,
    })
}

fn summary_text(summary: &ScoreSummary) -> String {
    let mut text = format!(
        "scored {} leads under {} model{} as of {} into {} (read {:.1}s, scored {:.1}s)",
        summary.leads,
        summary.models.len(),
        if summary.models.len() == 1 { "" } else { "s" },
        summary.at,
        summary.out,
        summary.read_seconds,
        summary.score_seconds
    );
    if summary.parts > 1 {
        text.push_str(&format!(
            " in {} parts of whole neighbourhoods",
            summary.parts
        ));
    }
    for m in &summary.models {
        text.push_str(&format!(
            "\n  {}: {} scored, {} not scored, {} sales-ready",
            m.model, m.scored, m.not_scored, m.sales_ready
        ));
    }
    if !summary.not_read.is_empty() {
        text.push_str(&format!(
            "\n  not read, as no model reads them (headers checked): {}",
            summary.not_read.join(", ")
        ));
    }
    text
}
