//! Drift: how far recent leads have moved from the training data, per feature
//! and in realized conversion per grade.

use leadscore_metrics::{PSI_MAJOR_SHIFT, PSI_MODERATE_SHIFT};

use super::{NOT_ENOUGH, figure, note, para, table};
use crate::drift::{DriftLevel, DriftSection, FeatureDrift};
use crate::review::Review;
use crate::svg::axes::Frame;
use crate::svg::bars::{Bar, RefLine, ValueAxis, horizontal};
use crate::svg::scale::round_up;
use crate::svg::shapes::{LegendItem, Swatch, legend};
use crate::svg::{Chart, colour};
use crate::text::{count, fixed, percent_of, shorten, trimmed};

/// How many features the chart shows (the most shifted ones).
const CHART_FEATURES: usize = 20;

/// Stable factors listed in the table (every shifted one is).
const TABLE_FEATURES: usize = 30;
/// Longest feature name on the chart's axis.
const LABEL_CHARS: usize = 32;

/// The drift section, or an explicit note that there is no drift data.
pub(super) fn body(review: &Review) -> String {
    let Some(drift) = &review.drift else {
        return note(
            "No drift data: this review did not compare recent leads with the data the model was \
             trained on.",
        );
    };
    let mut out = para(&format!(
        "PSI (population stability index) measures how much a factor's values have shifted. \
         Below {} is stable; from {} to {} is a moderate shift worth watching; {} or more is a \
         major shift: look into it and consider retraining the model.",
        trimmed(PSI_MODERATE_SHIFT, 2),
        trimmed(PSI_MODERATE_SHIFT, 2),
        trimmed(PSI_MAJOR_SHIFT, 2),
        trimmed(PSI_MAJOR_SHIFT, 2),
    ));
    out.push_str(&para(&format!("Compared: {}.", drift.reference)));
    if let Some(psi) = drift.score_psi {
        out.push_str(&para(&format!(
            "The model's scores: PSI {} ({}).",
            fixed(psi, 2),
            DriftLevel::of(psi).words()
        )));
    }
    let mut shifted: Vec<&FeatureDrift> = drift.features.iter().collect();
    shifted.sort_by(|a, b| {
        b.psi
            .total_cmp(&a.psi)
            .then_with(|| a.feature.cmp(&b.feature))
    });
    let shown: Vec<&FeatureDrift> = shifted
        .iter()
        .copied()
        .filter(|f| f.psi.is_finite())
        .take(CHART_FEATURES)
        .collect();
    if shown.is_empty() {
        out.push_str(&note(NOT_ENOUGH));
    } else {
        out.push_str(&figure(
            &chart(&shown),
            "Shift per factor (PSI), most shifted first.",
        ));
    }
    if !shifted.is_empty() {
        // Every shifted factor, and the most shifted stable ones; the JSON
        // holds them all.
        let listed: Vec<&&FeatureDrift> = shifted
            .iter()
            .enumerate()
            .filter(|(i, f)| *i < TABLE_FEATURES || f.level != DriftLevel::Stable)
            .map(|(_, f)| f)
            .collect();
        let mut rows: Vec<Vec<String>> = listed
            .iter()
            .map(|f| {
                vec![
                    f.feature.clone(),
                    fixed(f.psi, 3),
                    f.level.words().to_owned(),
                ]
            })
            .collect();
        if listed.len() < shifted.len() {
            rows.push(vec![
                format!("{} more, all stable", shifted.len() - listed.len()),
                String::new(),
                String::new(),
            ]);
        }
        out.push_str(&table(
            "Shift per factor",
            &["Factor", "PSI", "Reading"],
            &rows,
        ));
    }
    out.push_str(&outcomes(review, drift));
    out
}

/// PSI bars coloured by level, with dashed lines at the two alarm levels.
fn chart(shown: &[&FeatureDrift]) -> String {
    let height = 56.0 + 64.0 + 26.0 * shown.len() as f64;
    let mut chart = Chart::new(
        "drift",
        760.0,
        height,
        format!("Shift (PSI) of the {} most shifted factors", shown.len()),
    );
    let frame = Frame {
        left: 250.0,
        top: 56.0,
        width: 420.0,
        height: 26.0 * shown.len() as f64,
    };
    let top = shown
        .iter()
        .map(|f| f.psi)
        .fold(PSI_MAJOR_SHIFT * 1.2, f64::max);
    let bars: Vec<Bar> = shown
        .iter()
        .map(|f| Bar {
            label: shorten(&f.feature, LABEL_CHARS),
            value: Some(f.psi),
            colour: level_colour(f.level),
            note: format!("{} · {}", fixed(f.psi, 2), f.level.words()),
            tooltip: format!(
                "{}: PSI {}, {}",
                f.feature,
                fixed(f.psi, 3),
                f.level.words()
            ),
        })
        .collect();
    let axis = ValueAxis {
        max: round_up(top),
        format: psi_tick,
        title: "Shift (PSI)".to_owned(),
    };
    let refs = [
        RefLine {
            value: PSI_MODERATE_SHIFT,
            label: "moderate".to_owned(),
            colour: colour::WATCH,
        },
        RefLine {
            value: PSI_MAJOR_SHIFT,
            label: "major".to_owned(),
            colour: colour::BAD,
        },
    ];
    chart.push(&legend(
        (frame.left, 18.0),
        &[
            LegendItem {
                colour: colour::GOOD,
                swatch: Swatch::Box,
                label: "stable".to_owned(),
            },
            LegendItem {
                colour: colour::WATCH,
                swatch: Swatch::Box,
                label: "moderate shift".to_owned(),
            },
            LegendItem {
                colour: colour::BAD,
                swatch: Swatch::Box,
                label: "major shift".to_owned(),
            },
        ],
    ));
    chart.push(&horizontal(&frame, &bars, &axis, "Factor", &refs));
    chart.finish()
}

/// Realized conversion per grade of the recent closed leads, next to the
/// conversion per grade in the review's data.
fn outcomes(review: &Review, drift: &DriftSection) -> String {
    if drift.grade_outcomes.is_empty() {
        return note("No recent leads have closed yet, so there are no recent outcomes per grade.");
    }
    let rows: Vec<Vec<String>> = drift
        .grade_outcomes
        .iter()
        .map(|g| {
            let before = review
                .grades
                .iter()
                .find(|r| r.grade == g.grade)
                .and_then(|r| r.conversion_rate);
            vec![
                g.grade.clone(),
                count(g.leads),
                count(g.converted),
                percent_of(g.conversion_rate),
                percent_of(before),
            ]
        })
        .collect();
    let mut out = para(
        "How the recent leads that have already closed actually turned out, per grade, next to the \
         conversion rate of the same grade in the data above. Large gaps mean the grades no longer \
         mean what they used to.",
    );
    out.push_str(&table(
        "Recent outcomes by grade",
        &[
            "Grade",
            "Recent closed leads",
            "Converted",
            "Conversion rate",
            "Conversion rate above",
        ],
        &rows,
    ));
    out
}

/// The colour of a drift level.
fn level_colour(level: DriftLevel) -> &'static str {
    match level {
        DriftLevel::Stable => colour::GOOD,
        DriftLevel::Moderate => colour::WATCH,
        DriftLevel::Major => colour::BAD,
    }
}

/// A PSI tick label.
fn psi_tick(value: f64) -> String {
    trimmed(value, 2)
}
