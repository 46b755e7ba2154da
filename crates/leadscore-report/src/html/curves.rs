//! The ROC and precision-recall curves.

use super::{NOT_ENOUGH, figure, note, para};
use crate::review::{CurvePoint, Review};
use crate::svg::colour;
use crate::svg::lines::{LineChart, Series};
use crate::svg::shapes::Stroke;
use crate::text::{count, fixed_of, percent};

/// The ROC curve with the chance diagonal.
pub(super) fn roc(review: &Review) -> String {
    let mut out = para(
        "Each point is one score cut-off. Across: the share of leads that did not convert but were \
         flagged anyway (false alarms). Up: the share of converted leads that were flagged. The \
         closer the curve runs to the top-left corner, the better; the dashed diagonal is what \
         guessing would give.",
    );
    let points = drawable(&review.roc);
    if points.len() < 2 {
        out.push_str(&note(NOT_ENOUGH));
        return out;
    }
    let auc = fixed_of(review.model.auc, 2);
    let chart = LineChart {
        kind: "roc",
        label: format!("ROC curve of the conversion model, AUC {auc}"),
        x_title: "Share of lost leads flagged (false-positive rate)".to_owned(),
        y_title: "Share of converted leads flagged".to_owned(),
        x_max: 1.0,
        y_max: 1.0,
        format: percent,
        series: vec![
            Series {
                points: vec![(0.0, 0.0), (1.0, 1.0)],
                colour: colour::REFERENCE,
                stroke: Stroke::Dashed,
                label: "Guessing (AUC 0.50)".to_owned(),
            },
            Series {
                points,
                colour: colour::MODEL,
                stroke: Stroke::Solid,
                label: format!("Conversion model (AUC {auc})"),
            },
        ],
        dots: Vec::new(),
        dot_colour: colour::MODEL,
        dot_label: String::new(),
    };
    out.push_str(&figure(
        &chart.render(),
        &format!(
            "ROC curve on the {} closed leads. AUC {auc}.",
            count(review.data.closed)
        ),
    ));
    out
}

/// The precision-recall curve with the base-rate line.
pub(super) fn pr(review: &Review) -> String {
    let mut out = para(
        "Each point is one score cut-off. Across: the share of converted leads that were flagged \
         (recall). Up: the share of flagged leads that converted (precision). The dashed line is \
         the base rate: the precision you would get by flagging leads at random.",
    );
    let points = drawable(&review.pr);
    if points.len() < 2 {
        out.push_str(&note(NOT_ENOUGH));
        return out;
    }
    let pr_auc = fixed_of(review.model.pr_auc, 2);
    let base = review.model.base_rate;
    let mut series = Vec::new();
    if base.is_finite() {
        series.push(Series {
            points: vec![(0.0, base), (1.0, base)],
            colour: colour::REFERENCE,
            stroke: Stroke::Dashed,
            label: format!("Base rate ({})", percent(base)),
        });
    }
    series.push(Series {
        points,
        colour: colour::MODEL,
        stroke: Stroke::Solid,
        label: format!("Conversion model (PR-AUC {pr_auc})"),
    });
    let chart = LineChart {
        kind: "pr",
        label: format!("Precision-recall curve of the conversion model, PR-AUC {pr_auc}"),
        x_title: "Share of converted leads flagged (recall)".to_owned(),
        y_title: "Share of flagged leads that converted".to_owned(),
        x_max: 1.0,
        y_max: 1.0,
        format: percent,
        series,
        dots: Vec::new(),
        dot_colour: colour::MODEL,
        dot_label: String::new(),
    };
    out.push_str(&figure(
        &chart.render(),
        &format!(
            "Precision-recall curve. PR-AUC {pr_auc}; base rate {}.",
            percent(base)
        ),
    ));
    out
}

/// The finite points of a curve, as pairs.
fn drawable(curve: &[CurvePoint]) -> Vec<(f64, f64)> {
    curve
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .map(|p| (p.x, p.y))
        .collect()
}
