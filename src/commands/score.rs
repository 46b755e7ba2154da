//! `leadscore score`

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, bail};
use leadscore_domain::spreadsheet::safe_cell;
use leadscore_domain::{Declared, FutureTolerance, Timestamp};
use leadscore_files::{LeadRowOptions, LeadSelection, OrderedRows, read_lead_row_parts};
use leadscore_fs::AtomicFile;
use leadscore_model::{
    CellText, ConversionModel, GradeBands, Scored, Scorer, TrainingSource, load, score_table,
};
use serde::Serialize;

use crate::cli::ScoreArgs;
use crate::commands::ahead::{in_order, reading_threads};
use crate::commands::mapped::Input;
use crate::commands::model_data::{fill_missing_columns, model_file, read_scoring};
use crate::commands::{declared, future_tolerance, parse_at, scratch_beside};
use crate::output::print_summary;
use crate::progress;

/// The score file's header.
const HEADER: [&str; 7] = [
    "lead_id",
    "score",
    "grade",
    "probability",
    "top_positive",
    "top_negative",
    "low_confidence",
];

pub fn run(args: ScoreArgs) -> anyhow::Result<()> {
    let input = Input::open(&args.data, args.map.map.as_deref(), false)?;
    score(&args, &input).map_err(|e| input.relocate(e))
}

fn score(args: &ScoreArgs, input: &Input) -> anyhow::Result<()> {
    let model = load(&model_file(&args.model))?;
    let grades = match &args.grades {
        Some(text) => GradeBands::parse(text).context("--grades")?,
        None => model.grades,
    };
    let at = parse_at(args.at.as_deref())?;
    let tolerance = future_tolerance(args.settings.config.as_deref())?;
    let declared = input.declare(declared(args.settings.config.as_deref())?);
    let scorer = Scorer::with_grades(&model, grades);

    let file = AtomicFile::create(&args.out)?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    w.write_record(HEADER)?;
    let mut tally = Tally::default();
    if input.path().is_dir() {
        if args.id.is_some() {
            bail!(
                "{}: --id is for a flat table; a folder's rows are its leads",
                input.path().display()
            );
        }
        let folder = Folder {
            model: &model,
            scorer: &scorer,
            at,
            tolerance,
            declared,
        };
        folder.score(input.path(), args, &mut w, &mut tally)?;
    } else {
        let spinner = progress::spinner(&format!("reading {}", args.data.display()));
        let mut data = read_scoring(
            input.path(),
            &model.source,
            args.id.as_deref(),
            at,
            tolerance,
            &declared,
        )?;
        fill_missing_columns(&model, &mut data.features, input.path(), true)?;
        spinner.set_message("scoring");
        let scores = score_table(&model, &scorer, &data.features)
            .with_context(|| format!("scoring {}", args.data.display()))?;
        let cells = CellText::new(&scorer, &data.features);
        for (i, (id, s)) in data.ids.iter().zip(&scores).enumerate() {
            tally.add(s);
            w.write_record(row(&scorer, &cells, id, s, i))?;
        }
        spinner.finish_and_clear();
    }
    let buffered = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", args.out.display(), e.error()))?;
    let file = buffered
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", args.out.display(), e.error()))?;
    file.commit()?;

    if model.confidence.low {
        eprintln!(
            "warning: the model is low-confidence (held-out AUC {:.3}): every score is pulled towards the base rate and rounded down to a multiple of 10; let the rule models lead",
            model.confidence.auc
        );
    }
    let summary = Summary {
        ok: true,
        out: args.out.display().to_string(),
        leads: tally.leads,
        grades: Grades {
            a: tally.by_grade[0],
            b: tally.by_grade[1],
            c: tally.by_grade[2],
            d: tally.by_grade[3],
        },
        low_confidence: model.confidence.low,
    };
    print_summary(args.json, &summary, || {
        format!(
            "scored {} leads into {}: A {}, B {}, C {}, D {}{}",
            summary.leads,
            summary.out,
            summary.grades.a,
            summary.grades.b,
            summary.grades.c,
            summary.grades.d,
            if summary.low_confidence {
                " (low-confidence model)"
            } else {
                ""
            }
        )
    });
    Ok(())
}

/// Scoring a DATA.md folder a part at a time.
struct Folder<'a> {
    model: &'a ConversionModel,
    scorer: &'a Scorer,
    at: Timestamp,
    tolerance: FutureTolerance,
    declared: Declared,
}

impl Folder<'_> {
    /// Reads the folder's leads a part at a time (whole neighbourhoods, at
    /// least `--leads-per-part` leads each), scores each part into a sorted
    /// run beside the output, and merges the runs into `w` in the leads
    /// file's order.
    fn score<W: Write>(
        &self,
        dir: &Path,
        args: &ScoreArgs,
        w: &mut csv::Writer<W>,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        let kinds = match &self.model.source {
            TrainingSource::Folder { kinds, .. } => kinds.clone(),
            TrainingSource::Flat { .. } => Vec::new(),
        };
        let options = LeadRowOptions {
            select: LeadSelection::All,
            at: Some(self.at),
            kinds,
            future_tolerance: self.tolerance,
            declared: self.declared.clone(),
            column_kinds: self
                .model
                .encoder
                .input_columns()
                .into_iter()
                .map(|(name, kind)| (name.to_owned(), kind))
                .collect(),
            ..LeadRowOptions::default()
        };
        let scratch = scratch_beside(&args.out);
        let reading = progress::records(&format!("reading {}", dir.display()));
        let parts = read_lead_row_parts(
            dir,
            &options,
            args.leads_per_part,
            scratch,
            &mut progress::parts_passes(&reading),
        )?;
        reading.finish_and_clear();
        let bar = progress::bar(parts.leads(), "scoring", "leads");
        let mut ordered = OrderedRows::new(scratch)?;
        // The next parts are read on other threads while this one is scored.
        let read = |k: usize| Ok(parts.part(k)?);
        in_order(parts.parts(), reading_threads(), read, |index, mut rows| {
            // The parts all have the same columns: one warning is enough.
            fill_missing_columns(self.model, &mut rows.features, dir, index == 0)?;
            let scores = score_table(self.model, self.scorer, &rows.features)
                .with_context(|| format!("scoring {}", dir.display()))?;
            let cells = CellText::new(self.scorer, &rows.features);
            let mut run = ordered.run()?;
            for (i, ((id, s), place)) in rows
                .lead_ids
                .iter()
                .zip(&scores)
                .zip(&rows.file_rows)
                .enumerate()
            {
                tally.add(s);
                run.push(*place, row(self.scorer, &cells, id, s, i))?;
            }
            run.finish()?;
            bar.inc(rows.lead_ids.len() as u64);
            Ok(())
        })?;
        bar.set_message("writing in the leads file's order");
        ordered.merge(w)?;
        bar.finish_and_clear();
        Ok(())
    }
}

/// One line of the score file.
fn row(scorer: &Scorer, cells: &CellText, id: &str, s: &Scored, i: usize) -> [String; 7] {
    [
        safe_cell(id).into_owned(),
        s.score.to_string(),
        s.grade.to_string(),
        format!("{:.4}", s.probability),
        safe_cell(&cells.summary(scorer, &s.top_positive, i)).into_owned(),
        safe_cell(&cells.summary(scorer, &s.top_negative, i)).into_owned(),
        if s.low_confidence { "true" } else { "false" }.to_owned(),
    ]
}

/// How many leads were scored, by grade.
#[derive(Debug, Default)]
struct Tally {
    leads: usize,
    by_grade: [usize; 4],
}

impl Tally {
    fn add(&mut self, s: &Scored) {
        self.leads += 1;
        if let Some(n) = self.by_grade.get_mut(s.grade as usize) {
            *n += 1;
        }
    }
}

#[derive(Debug, Serialize)]
struct Grades {
    a: usize,
    b: usize,
    c: usize,
    d: usize,
}

#[derive(Debug, Serialize)]
struct Summary {
    ok: bool,
    out: String,
    leads: usize,
    grades: Grades,
    low_confidence: bool,
}
