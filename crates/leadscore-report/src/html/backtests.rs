//! Each rule model side by side with the conversion model on the same closed
//! leads: a table and a grouped chart of AUC and PR-AUC per model.

use super::{NOT_ENOUGH, figure, note, para, table};
use crate::review::{BacktestRow, Review, ScorerKind};
use crate::svg::axes::Frame;
use crate::svg::bars::{Group, RefLine, ValueAxis, grouped};
use crate::svg::shapes::{LegendItem, Swatch, legend};
use crate::svg::{Chart, colour};
use crate::text::{count, fixed, fixed_of, percent_of, shorten, times_of};

/// Longest model name on the chart's axis.
const LABEL_CHARS: usize = 30;

/// The table and the chart.
pub(super) fn body(review: &Review) -> String {
    let mut out = para(
        "Every model scored the same closed leads as of the moment each lead closed. AUC: how \
         often a converted lead scores above a lost one (0.5 is guessing, 1 is perfect). PR-AUC: \
         how precise the top of the ranking is (compare it with the base rate). Top-decile lift: \
         how many times more often the top tenth converted than average.",
    );
    if review.backtests.is_empty() {
        out.push_str(&note(
            "No backtests: no rule model was compared with the conversion model.",
        ));
        return out;
    }
    let rows: Vec<Vec<String>> = review
        .backtests
        .iter()
        .map(|b| {
            vec![
                b.model.clone(),
                kind_words(b.kind).to_owned(),
                count(b.scored),
                fixed_of(b.auc, 3),
                fixed_of(b.pr_auc, 3),
                times_of(b.top_decile_lift),
                by_grade(b),
            ]
        })
        .collect();
    out.push_str(&table(
        "Models side by side",
        &[
            "Model",
            "Kind",
            "Leads scored",
            "AUC",
            "PR-AUC",
            "Top-decile lift",
            "Conversion by grade",
        ],
        &rows,
    ));
    if review
        .backtests
        .iter()
        .all(|b| finite(b.auc).is_none() && finite(b.pr_auc).is_none())
    {
        out.push_str(&note(NOT_ENOUGH));
    } else {
        out.push_str(&figure(
            &chart(&review.backtests),
            "AUC and PR-AUC per model.",
        ));
    }
    out
}

/// Grouped bars: AUC and PR-AUC for each model, with guessing's AUC dashed.
fn chart(rows: &[BacktestRow]) -> String {
    let width = 150.0 * rows.len() as f64 + 64.0 + 160.0;
    let width = width.max(680.0);
    let mut chart = Chart::new(
        "backtest",
        width,
        350.0,
        format!(
            "AUC and PR-AUC of {} models on the same closed leads",
            rows.len()
        ),
    );
    let frame = Frame {
        left: 64.0,
        top: 40.0,
        width: width - 64.0 - 160.0,
        height: 240.0,
    };
    // About 6.5 pixels a character at the tick size.
    let chars = ((frame.width / rows.len().max(1) as f64) / 6.5).floor() as usize;
    let groups: Vec<Group> = rows
        .iter()
        .map(|b| {
            let name = format!(
                "{}\n{}",
                shorten(&b.model, chars.clamp(8, LABEL_CHARS)),
                kind_words(b.kind).to_lowercase()
            );
            Group {
                label: name,
                values: vec![finite(b.auc), finite(b.pr_auc)],
                tooltips: vec![
                    format!("{}: AUC {}", b.model, fixed_of(b.auc, 3)),
                    format!("{}: PR-AUC {}", b.model, fixed_of(b.pr_auc, 3)),
                ],
            }
        })
        .collect();
    let axis = ValueAxis {
        max: 1.0,
        format: two_places,
        title: "Score (higher is better)".to_owned(),
    };
    let chance = RefLine {
        value: 0.5,
        label: "AUC of guessing (0.5)".to_owned(),
        colour: colour::REFERENCE,
    };
    chart.push(&legend(
        (frame.left, 20.0),
        &[
            LegendItem {
                colour: colour::MODEL,
                swatch: Swatch::Box,
                label: "AUC".to_owned(),
            },
            LegendItem {
                colour: colour::SECOND,
                swatch: Swatch::Box,
                label: "PR-AUC".to_owned(),
            },
        ],
    ));
    chart.push(&grouped(
        &frame,
        &groups,
        &[colour::MODEL, colour::SECOND],
        &axis,
        "Model",
        &[chance],
    ));
    chart.finish()
}

/// "A 45% · B 30% · ..." for a row's grades.
fn by_grade(row: &BacktestRow) -> String {
    if row.grades.is_empty() {
        return "n/a".to_owned();
    }
    row.grades
        .iter()
        .map(|g| format!("{} {}", g.grade, percent_of(g.conversion_rate)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The kind of scorer in words.
fn kind_words(kind: ScorerKind) -> &'static str {
    match kind {
        ScorerKind::Rule => "Rule model",
        ScorerKind::Conversion => "Conversion model",
    }
}

/// The value when it is a finite number.
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// A tick or bar label with two decimals.
fn two_places(value: f64) -> String {
    fixed(value, 2)
}
