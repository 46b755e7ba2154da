//! `leadscore score`

use std::io::BufWriter;

use anyhow::Context;
use leadscore_domain::spreadsheet::safe_cell;
use leadscore_fs::AtomicFile;
use leadscore_model::{CellText, GradeBands, Scorer, load, score_table};
use serde::Serialize;

use crate::cli::ScoreArgs;
use crate::commands::mapped::Input;
use crate::commands::model_data::{fill_missing_columns, model_file, read_scoring};
use crate::commands::{declared, future_tolerance, parse_at};
use crate::output::print_summary;
use crate::progress;

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
    let spinner = progress::spinner(&format!("reading {}", args.data.display()));
    let mut data = read_scoring(
        input.path(),
        &model.source,
        args.id.as_deref(),
        at,
        tolerance,
        &input.declare(declared(args.settings.config.as_deref())?),
    )?;
    fill_missing_columns(&model, &mut data.features, input.path())?;
    spinner.set_message("scoring");
    let scorer = Scorer::with_grades(&model, grades);
    let scores = score_table(&model, &scorer, &data.features)
        .with_context(|| format!("scoring {}", args.data.display()))?;
    let cells = CellText::new(&scorer, &data.features);

    let file = AtomicFile::create(&args.out)?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    w.write_record([
        "lead_id",
        "score",
        "grade",
        "probability",
        "top_positive",
        "top_negative",
        "low_confidence",
    ])?;
    let mut by_grade = [0usize; 4];
    for (i, (id, s)) in data.ids.iter().zip(&scores).enumerate() {
        by_grade[s.grade as usize] += 1;
        w.write_record([
            safe_cell(id.as_str()).as_ref(),
            &s.score.to_string(),
            &s.grade.to_string(),
            &format!("{:.4}", s.probability),
            safe_cell(&cells.summary(&scorer, &s.top_positive, i)).as_ref(),
            safe_cell(&cells.summary(&scorer, &s.top_negative, i)).as_ref(),
            if s.low_confidence { "true" } else { "false" },
        ])?;
    }
    let buffered = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", args.out.display(), e.error()))?;
    let file = buffered
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", args.out.display(), e.error()))?;
    file.commit()?;
    spinner.finish_and_clear();

    if model.confidence.low {
        eprintln!(
            "warning: the model is low-confidence (held-out AUC {:.3}): every score is pulled towards the base rate and rounded down to a multiple of 10; let the rule models lead",
            model.confidence.auc
        );
    }
    let summary = Summary {
        ok: true,
        out: args.out.display().to_string(),
        leads: scores.len(),
        grades: Grades {
            a: by_grade[0],
            b: by_grade[1],
            c: by_grade[2],
            d: by_grade[3],
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
