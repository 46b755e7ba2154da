//! The top features: bars coloured by direction, and a table with each
//! feature's plain sentence and its change since the previous version.

use super::{NOT_ENOUGH, figure, note, para, table};
use crate::features::{Direction, FeatureChange, FeatureRow};
use crate::review::Review;
use crate::svg::axes::Frame;
use crate::svg::bars::{Bar, ValueAxis, horizontal};
use crate::svg::scale::round_up;
use crate::svg::shapes::{LegendItem, Swatch, legend};
use crate::svg::{Chart, colour};
use crate::text::{NOT_AVAILABLE, percent, shorten, signed};

/// How many features the chart shows.
const CHART_FEATURES: usize = 15;

/// Factors listed in the table (beyond them, only notable changes).
const TABLE_FEATURES: usize = 40;
/// Longest feature name on the chart's axis (the table has the full name).
const LABEL_CHARS: usize = 32;

/// The chart of the strongest features, then the table of all of them.
pub(super) fn body(review: &Review) -> String {
    let mut out = para(
        "The factors the model weighs, strongest first. A bar's length is the factor's share of \
         the model's total weight. Green factors raise the chance of converting, orange ones \
         lower it. The table says what each factor means and how it changed since the previous \
         model version.",
    );
    let shown: Vec<&FeatureRow> = review
        .features
        .iter()
        .filter(|f| f.change != FeatureChange::Dropped)
        .take(CHART_FEATURES)
        .collect();
    if shown.is_empty() {
        out.push_str(&note(NOT_ENOUGH));
    } else {
        out.push_str(&figure(
            &chart(&shown),
            "Share of the model's total weight per factor.",
        ));
    }
    if !review.features.is_empty() {
        // The strongest factors and every notable change; the JSON holds all.
        let listed: Vec<&FeatureRow> = review
            .features
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                *i < TABLE_FEATURES
                    || matches!(
                        f.change,
                        FeatureChange::New | FeatureChange::Dropped | FeatureChange::Flipped
                    )
            })
            .map(|(_, f)| f)
            .collect();
        let mut rows: Vec<Vec<String>> = listed
            .iter()
            .map(|f| {
                vec![
                    f.feature.clone(),
                    format!("{}.", f.plain),
                    percent(f.importance),
                    if f.change == FeatureChange::Dropped {
                        "not used".to_owned()
                    } else {
                        signed(f.weight)
                    },
                    change(f),
                ]
            })
            .collect();
        if listed.len() < review.features.len() {
            let rest = review.features.len() - listed.len();
            rows.push(vec![
                format!("{rest} more with smaller weights"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        out.push_str(&table(
            "The strongest factors and what changed",
            &[
                "Factor",
                "What it means",
                "Share of weight",
                "Weight",
                "Since the previous version",
            ],
            &rows,
        ));
    }
    out
}

/// Horizontal importance bars, one per feature.
fn chart(shown: &[&FeatureRow]) -> String {
    let height = 70.0 + 64.0 + 26.0 * shown.len() as f64;
    let mut chart = Chart::new(
        "features",
        760.0,
        height,
        format!(
            "The model's {} strongest factors by share of weight",
            shown.len()
        ),
    );
    let frame = Frame {
        left: 250.0,
        top: 56.0,
        width: 420.0,
        height: 26.0 * shown.len() as f64,
    };
    let top = shown
        .iter()
        .map(|f| f.importance)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let bars: Vec<Bar> = shown
        .iter()
        .map(|f| Bar {
            label: shorten(&f.feature, LABEL_CHARS),
            value: Some(f.importance),
            colour: direction_colour(f.direction),
            note: format!(
                "{} · {}",
                percent(f.importance),
                direction_words(f.direction)
            ),
            tooltip: format!("{}: {}", f.feature, f.plain),
        })
        .collect();
    let axis = ValueAxis {
        max: round_up(top).min(1.0),
        format: percent,
        title: "Share of the model's total weight".to_owned(),
    };
    chart.push(&legend(
        (frame.left, 20.0),
        &[
            LegendItem {
                colour: colour::GOOD,
                swatch: Swatch::Box,
                label: "raises the chance".to_owned(),
            },
            LegendItem {
                colour: colour::BAD,
                swatch: Swatch::Box,
                label: "lowers the chance".to_owned(),
            },
            LegendItem {
                colour: colour::NEUTRAL,
                swatch: Swatch::Box,
                label: "no effect".to_owned(),
            },
        ],
    ));
    chart.push(&horizontal(&frame, &bars, &axis, "Factor", &[]));
    chart.finish()
}

/// The bar colour for a direction.
fn direction_colour(direction: Direction) -> &'static str {
    match direction {
        Direction::Raises => colour::GOOD,
        Direction::Lowers => colour::BAD,
        Direction::None => colour::NEUTRAL,
    }
}

/// A direction in words.
fn direction_words(direction: Direction) -> &'static str {
    match direction {
        Direction::Raises => "raises",
        Direction::Lowers => "lowers",
        Direction::None => "no effect",
    }
}

/// The change since the previous version, in words, with the old weight.
fn change(f: &FeatureRow) -> String {
    let was = f
        .previous_weight
        .map_or_else(|| NOT_AVAILABLE.to_owned(), signed);
    match f.change {
        FeatureChange::New => "New in this version".to_owned(),
        FeatureChange::Dropped => format!("No longer used (was {was})"),
        FeatureChange::Stronger => format!("Stronger (was {was})"),
        FeatureChange::Weaker => format!("Weaker (was {was})"),
        FeatureChange::Flipped => format!("Now pushes the other way (was {was})"),
        FeatureChange::Same => format!("About the same (was {was})"),
        FeatureChange::Unknown => "No earlier version to compare with".to_owned(),
    }
}
