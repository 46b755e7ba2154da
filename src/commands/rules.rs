//! `leadscore rules check | text | score | backtest`

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use leadscore_domain::{Declared, FutureLimit, ObservedField};
use leadscore_files::{StreamOptions, stream_folder};
use leadscore_rules::{
    Backtest, CheckData, Evaluator, Graph, GraphBuilder, ModelCheck, ModelFormat, Plan, Problem,
    Projection, RuleModel, RulesError, Schema, VALUES_PER_FIELD, backtest,
};
use serde::Serialize;

use crate::cli::{RulesBacktestArgs, RulesCheckArgs, RulesCommand, RulesTextArgs};
use crate::commands::mapped::Input;
use crate::commands::{declared, future_tolerance, open_existing_store, parse_at, runtime};
use crate::output::print_summary;
use crate::progress;

pub fn run(command: RulesCommand) -> anyhow::Result<()> {
    match command {
        RulesCommand::Check(args) => check(args),
        RulesCommand::Text(args) => text(args),
        RulesCommand::Score(args) => crate::commands::rules_score::score(args),
        RulesCommand::Backtest(args) => run_backtest(args),
    }
}

/// Reads one model file: JSON when its name ends in `.json`, YAML otherwise. The
/// outer error is the file's (unreadable), the inner one the model's.
fn parse_model(path: &Path) -> anyhow::Result<Result<RuleModel, RulesError>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the model {}", path.display()))?;
    Ok(match ModelFormat::of_path(path) {
        ModelFormat::Json => RuleModel::from_json(&text),
        ModelFormat::Yaml => RuleModel::from_yaml(&text),
    })
}

/// Reads one model file; a bad model is an error naming the file.
fn read_model(path: &Path) -> anyhow::Result<RuleModel> {
    parse_model(path)?.with_context(|| path.display().to_string())
}

/// Reads and compiles models; model names must be unique.
pub(crate) fn load_plans(paths: &[PathBuf]) -> anyhow::Result<Vec<Plan>> {
    let mut names = HashSet::new();
    let mut plans = Vec::with_capacity(paths.len());
    for path in paths {
        let model = read_model(path)?;
        if !names.insert(model.name.clone()) {
            return Err(RulesError::DuplicateModel { name: model.name })
                .with_context(|| path.display().to_string());
        }
        plans.push(Plan::compile(&model).with_context(|| path.display().to_string())?);
    }
    Ok(plans)
}

/// A folder read for some plans.
pub(crate) struct Loaded {
    /// What the plans read of it.
    pub graph: Graph,
    /// The names of its files that no plan reads (only their header was read
    /// and checked).
    pub not_read: Vec<String>,
}

/// Streams a folder into a graph keeping only what the plans read (a file of
/// records none reads has only its header read), refusing record times after
/// `future` allows and near misses not `declared`.
pub(crate) fn load_graph(
    dir: &Path,
    plans: &[Plan],
    future: FutureLimit,
    declared: Declared,
) -> anyhow::Result<Loaded> {
    let spinner = progress::records(&format!("reading {}", dir.display()));
    let mut builder = GraphBuilder::new(Plan::projection(plans));
    let t = Instant::now();
    let options = StreamOptions {
        future,
        declared,
        ..StreamOptions::default()
    };
    let streamed = stream_folder(
        dir,
        &mut progress::Counted::new(&mut builder, &spinner),
        &options,
    )?;
    tracing::info!(seconds = t.elapsed().as_secs_f64(), not_read = ?streamed.not_read, "streamed");
    let t = Instant::now();
    let graph = builder.finish();
    tracing::info!(seconds = t.elapsed().as_secs_f64(), "indexed");
    spinner.finish_and_clear();
    warn_absent_fields(plans, &Schema::from_graph(&graph), dir);
    let not_read = file_names(&streamed.not_read);
    Ok(Loaded { graph, not_read })
}

/// Warns of each field a plan reads that no record of the folder (whose
/// records' fields are `schema`) has: it reads as absent, which is legal but
/// most often a typo, so it is said without stopping.
pub(crate) fn warn_absent_fields(plans: &[Plan], schema: &Schema, dir: &Path) {
    for plan in plans {
        if let Err(RulesError::Invalid { problems }) = plan.model().validate_against(schema) {
            for p in problems {
                eprintln!(
                    "warning: model \"{}\": {p} (in {}; it reads as absent)",
                    plan.name(),
                    dir.display()
                );
            }
        }
    }
}

/// The names of files, for a summary.
pub(crate) fn file_names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|path| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect()
}

#[derive(Serialize)]
struct CheckedModel {
    file: String,
    name: Option<String>,
    rules: usize,
    valid: bool,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

/// What the models are checked against: the records' fields, custom
/// entities and values, and where they are, for the messages.
struct Facts {
    schema: Schema,
    values: Vec<ObservedField>,
    whose: String,
}

/// The facts of a folder's records, streamed keeping every field and
/// property (record times after `future` allows, and near misses not
/// `declared`, are refused).
fn folder_facts(dir: &Path, future: FutureLimit, declared: Declared) -> anyhow::Result<Facts> {
    let mut builder = GraphBuilder::new(Projection::all());
    let options = StreamOptions {
        future,
        declared,
        ..StreamOptions::default()
    };
    stream_folder(dir, &mut builder, &options)?;
    let graph = builder.finish();
    Ok(Facts {
        schema: Schema::from_graph(&graph),
        values: graph.observed_values(VALUES_PER_FIELD),
        whose: format!("in {}", dir.display()),
    })
}

/// The facts of a store's records: the values each text field holds (which
/// also name the custom fields) and the custom entities.
async fn store_facts(url: &str) -> anyhow::Result<Facts> {
    let (_, store) = open_existing_store(url, "rules check").await?;
    let per_field = u32::try_from(VALUES_PER_FIELD).unwrap_or(u32::MAX);
    let values = store.field_values(per_field, None).await?;
    let entities = store.custom_entities().await?;
    store.close().await;
    let mut schema = Schema::standard();
    for entity in entities {
        schema.add_entity(entity);
    }
    for field in &values {
        schema.add_field(&field.record, field.field.as_str());
    }
    Ok(Facts {
        schema,
        values,
        whose: "in the store".to_owned(),
    })
}

/// Checks every model whole (syntax, RULES.md, and against `--data` or
/// `--database` its fields and values), whatever fails in another: every
/// problem of every model is reported. Problems exit 1; value warnings alone
/// exit 0.
fn check(args: RulesCheckArgs) -> anyhow::Result<()> {
    let facts = match (&args.data, &args.database) {
        (Some(dir), _) => Some(folder_facts(
            dir,
            FutureLimit::new(future_tolerance(args.settings.config.as_deref())?, None),
            declared(args.settings.config.as_deref())?,
        )?),
        (None, Some(url)) => Some(runtime()?.block_on(store_facts(url))?),
        (None, None) => None,
    };
    let data = facts.as_ref().map(|f| CheckData {
        schema: &f.schema,
        values: &f.values,
        whose: &f.whose,
    });
    let mut checked = Vec::new();
    let mut names = HashSet::new();
    for path in &args.models {
        let mut result = match std::fs::read_to_string(path) {
            Ok(text) => RuleModel::check_text(&text, ModelFormat::of_path(path), data),
            Err(e) => ModelCheck {
                problems: vec![Problem::new("", format!("cannot read the model: {e}"))],
                ..ModelCheck::default()
            },
        };
        if let Some(model) = &result.model
            && !names.insert(model.name.clone())
        {
            result.problems.push(Problem::new(
                "name",
                format!("another model given is also named \"{}\"", model.name),
            ));
        }
        checked.push(CheckedModel {
            file: path.display().to_string(),
            valid: result.model.is_some() && result.problems.is_empty(),
            rules: result.model.as_ref().map_or(0, |m| m.rules.len()),
            name: result.model.map(|m| m.name),
            problems: result.problems,
            warnings: result.warnings,
        });
    }
    let invalid: Vec<&CheckedModel> = checked.iter().filter(|c| !c.valid).collect();
    if args.json {
        let body = serde_json::json!({ "ok": invalid.is_empty(), "models": checked });
        println!("{body}");
    } else {
        for c in checked.iter().filter(|c| c.valid) {
            println!(
                "ok: {} (model \"{}\", {} rules)",
                c.file,
                c.name.as_deref().unwrap_or(""),
                c.rules
            );
        }
    }
    let mut first = true;
    for c in &invalid {
        for p in &c.problems {
            let prefix = if first { "error" } else { "  also" };
            first = false;
            eprintln!("{prefix}: {}: {p}", c.file);
        }
    }
    for c in &checked {
        for p in &c.warnings {
            eprintln!("warning: {}: {p}", c.file);
        }
    }
    if invalid.is_empty() {
        return Ok(());
    }
    let total: usize = invalid.iter().map(|c| c.problems.len()).sum();
    eprintln!(
        "{total} problem{} in {} of {} model{}",
        if total == 1 { "" } else { "s" },
        invalid.len(),
        checked.len(),
        if checked.len() == 1 { "" } else { "s" }
    );
    std::process::exit(1);
}

fn text(args: RulesTextArgs) -> anyhow::Result<()> {
    let model = read_model(&args.model)?;
    print!("{}", model.to_text());
    Ok(())
}

fn run_backtest(args: RulesBacktestArgs) -> anyhow::Result<()> {
    let input = Input::open(&args.data, args.map.map.as_deref(), false)?;
    backtest_input(&args, &input).map_err(|e| input.relocate(e))
}

fn backtest_input(args: &RulesBacktestArgs, input: &Input) -> anyhow::Result<()> {
    let at = match args.at.as_deref() {
        Some(text) => Some(parse_at(Some(text))?),
        None => None,
    };
    let future = FutureLimit::new(future_tolerance(args.settings.config.as_deref())?, at);
    let plans = load_plans(&args.models)?;
    let declared = input.declare(declared(args.settings.config.as_deref())?);
    let graph = load_graph(input.path(), &plans, future, declared)?.graph;
    let evaluator = Evaluator::new(&graph, &plans);
    let result = backtest(&evaluator, at);
    if result.closed_leads == 0 {
        bail!(
            "{} holds no closed (qualified or disqualified) lead to backtest on",
            args.data.display()
        );
    }
    print_summary(args.json, &result, || backtest_table(&result));
    Ok(())
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// The backtest as a plain table, one block per model.
fn backtest_table(b: &Backtest) -> String {
    let mut out = format!(
        "{} closed leads, scored as of {}{}\n",
        b.closed_leads,
        b.scored_as_of,
        if b.without_close_time > 0 {
            format!(" ({} left out: no close time)", b.without_close_time)
        } else {
            String::new()
        }
    );
    for m in &b.models {
        out.push_str(&format!(
            "\n{}: AUC {}, PR-AUC {}, top-decile lift {}, {} scored ({} not scored), conversion {}\n",
            m.model,
            m.auc.map_or_else(|| "-".to_owned(), |a| format!("{a:.3}")),
            m.pr_auc.map_or_else(|| "-".to_owned(), |a| format!("{a:.3}")),
            m.top_decile_lift
                .map_or_else(|| "-".to_owned(), |l| format!("{l:.2}x")),
            m.scored,
            m.not_scored,
            percent(m.overall.conversion_rate)
        ));
        out.push_str(&format!(
            "  {:<14} {:>8} {:>10} {:>11}\n",
            "grade", "leads", "qualified", "conversion"
        ));
        for g in m.grades.iter().chain(&m.sales_ready) {
            out.push_str(&format!(
                "  {:<14} {:>8} {:>10} {:>11}\n",
                g.group,
                g.leads,
                g.qualified,
                percent(g.conversion_rate)
            ));
        }
    }
    out.trim_end().to_owned()
}
