//! The calibration plot: predicted chance against the share that converted.

use super::{NOT_ENOUGH, figure, note, para, table};
use crate::review::Review;
use crate::svg::colour;
use crate::svg::lines::{Dot, LineChart, Series};
use crate::svg::scale::round_up;
use crate::svg::shapes::Stroke;
use crate::text::{count, percent, percent_of};

/// Above this many bins the dots carry no count label (they would crowd).
const MAX_LABELLED_DOTS: usize = 12;

/// The plot and a table of the bins.
pub(super) fn body(review: &Review) -> String {
    let mut out = para(
        "Leads are grouped by the model's predicted chance of converting. Each circle compares a \
         group's average predicted chance (across) with the share that actually converted (up); \
         bigger circles hold more leads. On the dashed diagonal, predictions match reality; above \
         it the model was too cautious, below it too hopeful.",
    );
    let bins: Vec<(f64, f64, usize)> = review
        .calibration
        .iter()
        .filter_map(|row| {
            let predicted = row.mean_predicted.filter(|v| v.is_finite())?;
            let observed = row.observed_rate.filter(|v| v.is_finite())?;
            (row.count > 0).then_some((predicted, observed, row.count))
        })
        .collect();
    if bins.is_empty() {
        out.push_str(&note(NOT_ENOUGH));
        return out;
    }
    let largest = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64;
    let top = bins
        .iter()
        .map(|&(p, o, _)| p.max(o))
        .fold(0.0_f64, f64::max);
    let max = round_up(top).min(1.0);
    let labelled = bins.len() <= MAX_LABELLED_DOTS;
    let dots = bins
        .iter()
        .map(|&(predicted, observed, n)| Dot {
            at: (predicted, observed),
            weight: n as f64 / largest,
            label: if labelled {
                format!("n={}", count(n))
            } else {
                String::new()
            },
            tooltip: format!(
                "{} leads: predicted {}, converted {}",
                count(n),
                percent(predicted),
                percent(observed)
            ),
        })
        .collect();
    let chart = LineChart {
        kind: "calibration",
        label: format!(
            "Calibration plot: predicted chance against observed conversion in {} groups of leads",
            bins.len()
        ),
        x_title: "Average predicted chance of converting".to_owned(),
        y_title: "Share that converted".to_owned(),
        x_max: max,
        y_max: max,
        format: percent,
        series: vec![Series {
            points: vec![(0.0, 0.0), (max, max)],
            colour: colour::REFERENCE,
            stroke: Stroke::Dashed,
            label: "Predictions match reality".to_owned(),
        }],
        dots,
        dot_colour: colour::MODEL,
        dot_label: "Group of leads (size = number of leads)".to_owned(),
    };
    out.push_str(&figure(
        &chart.render(),
        "Predicted chance against the share that converted.",
    ));
    let rows: Vec<Vec<String>> = review
        .calibration
        .iter()
        .map(|row| {
            vec![
                format!("{} to {}", percent(row.lower), percent(row.upper)),
                count(row.count),
                percent_of(row.mean_predicted),
                percent_of(row.observed_rate),
            ]
        })
        .collect();
    out.push_str(&table(
        "Calibration by group",
        &[
            "Predicted chance",
            "Leads",
            "Average predicted",
            "Converted",
        ],
        &rows,
    ));
    out
}
