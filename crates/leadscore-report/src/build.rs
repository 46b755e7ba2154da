//! Turning scored closed leads into the review's sections: curves,
//! calibration, grades, lift and drift. Pure functions over `(score,
//! converted)` pairs and feature columns.

use leadscore_metrics::{
    CalibrationBin, PsiBins, calibration_bins, lift_by_decile, pr_curve, psi, roc_curve,
};

use crate::{CalibrationRow, CurvePoint, DecileRow, DriftLevel, FeatureDrift, GradeRow};

/// Bins of the PSI of a feature or of the score (the usual ten).
pub const DRIFT_BINS: usize = 10;

/// How far apart (the sum of the differences along both axes, each from 0
/// to 1) the points of a plotted curve are at least: closer ones are
/// dropped, so that a curve keeps a few thousand points whatever the number
/// of leads (one point per distinct score is 890,000 points and 46 MB of
/// JSON for a million leads) and looks the same at any size a page draws it.
pub const CURVE_RESOLUTION: f64 = 1.0 / 1000.0;

/// The ROC curve (x false-positive rate, y true-positive rate) of
/// probabilities against outcomes, for plotting: from (0, 0) to (1, 1),
/// points closer than [`CURVE_RESOLUTION`] to the previous one dropped.
pub fn roc_points(scored: &[(f64, bool)]) -> Vec<CurvePoint> {
    thinned(
        roc_curve(scored)
            .into_iter()
            .map(|p| CurvePoint { x: p.fpr, y: p.tpr }),
    )
}

/// The precision-recall curve (x recall, y precision), for plotting: points
/// closer than [`CURVE_RESOLUTION`] to the previous one dropped, the first
/// and last kept.
pub fn pr_points(scored: &[(f64, bool)]) -> Vec<CurvePoint> {
    thinned(pr_curve(scored).into_iter().map(|p| CurvePoint {
        x: p.recall,
        y: p.precision,
    }))
}

/// The points at least [`CURVE_RESOLUTION`] from the last one kept, and the
/// last point.
fn thinned(points: impl Iterator<Item = CurvePoint>) -> Vec<CurvePoint> {
    let mut kept: Vec<CurvePoint> = Vec::new();
    let mut dropped = None;
    for p in points {
        match kept.last() {
            Some(last) if (p.x - last.x).abs() + (p.y - last.y).abs() < CURVE_RESOLUTION => {
                dropped = Some(p);
            }
            _ => {
                kept.push(p);
                dropped = None;
            }
        }
    }
    kept.extend(dropped);
    kept
}

/// Predicted against observed conversion in ten probability bins (empty
/// bins have no mean or rate).
pub fn calibration_rows(scored: &[(f64, bool)]) -> Vec<CalibrationRow> {
    calibration_from_bins(&calibration_bins(scored, 10))
}

/// Calibration rows from bins already computed (a model artifact's).
pub fn calibration_from_bins(bins: &[CalibrationBin]) -> Vec<CalibrationRow> {
    bins.iter()
        .map(|b| CalibrationRow {
            lower: b.lower,
            upper: b.upper,
            count: b.count,
            mean_predicted: (b.count > 0).then_some(b.mean_predicted),
            observed_rate: (b.count > 0).then_some(b.observed_rate),
        })
        .collect()
}

/// Conversion by decile of score, the top tenth first.
pub fn lift_rows(scored: &[(f64, bool)]) -> Vec<DecileRow> {
    lift_by_decile(scored)
        .into_iter()
        .map(|d| DecileRow {
            decile: d.decile,
            leads: d.count,
            converted: d.positives,
            conversion_rate: (d.count > 0).then_some(d.rate),
            lift: d.lift.is_finite().then_some(d.lift),
        })
        .collect()
}

/// Leads and conversions per grade, in the order of `order` (grades not in
/// it follow, by name).
pub fn grade_rows<'a>(
    graded: impl IntoIterator<Item = (&'a str, bool)>,
    order: &[&str],
) -> Vec<GradeRow> {
    let mut rows: Vec<GradeRow> = order
        .iter()
        .map(|g| GradeRow {
            grade: (*g).to_owned(),
            leads: 0,
            converted: 0,
            conversion_rate: None,
        })
        .collect();
    for (grade, converted) in graded {
        let index = match rows.iter().position(|r| r.grade == grade) {
            Some(i) => i,
            None => {
                rows.push(GradeRow {
                    grade: grade.to_owned(),
                    leads: 0,
                    converted: 0,
                    conversion_rate: None,
                });
                rows.len() - 1
            }
        };
        if let Some(row) = rows.get_mut(index) {
            row.leads += 1;
            row.converted += usize::from(converted);
        }
    }
    let known = order.len().min(rows.len());
    if let Some(rest) = rows.get_mut(known..) {
        rest.sort_by(|a, b| a.grade.cmp(&b.grade));
    }
    for row in &mut rows {
        row.conversion_rate = (row.leads > 0).then(|| row.converted as f64 / row.leads as f64);
    }
    rows
}

/// The PSI of each feature column of `recent` against `reference` (rows of
/// the same encoded columns, named by `names`), largest first. Columns
/// without a finite PSI (an empty sample) are left out.
pub fn feature_drift(
    names: &[String],
    reference: &[Vec<f64>],
    recent: &[Vec<f64>],
) -> Vec<FeatureDrift> {
    drift_by_feature(names, |j| {
        psi(&column(reference, j), &column(recent, j), DRIFT_BINS)
    })
}

/// [`feature_drift`] against the bins a model recorded for its training rows
/// (one per encoded column, in `names`' order).
pub fn feature_drift_against(
    names: &[String],
    reference: &[Option<PsiBins>],
    recent: &[Vec<f64>],
) -> Vec<FeatureDrift> {
    drift_by_feature(names, |j| {
        reference.get(j)?.as_ref()?.psi(&column(recent, j))
    })
}

/// The finite values of column `j`.
fn column(rows: &[Vec<f64>], j: usize) -> Vec<f64> {
    rows.iter()
        .filter_map(|r| r.get(j).copied())
        .filter(|v| v.is_finite())
        .collect()
}

/// Each named column's PSI (`psi_of(j)`), largest first; columns without one
/// left out.
fn drift_by_feature(names: &[String], psi_of: impl Fn(usize) -> Option<f64>) -> Vec<FeatureDrift> {
    let mut out: Vec<FeatureDrift> = names
        .iter()
        .enumerate()
        .filter_map(|(j, name)| {
            let value = psi_of(j)?;
            Some(FeatureDrift {
                feature: name.clone(),
                psi: value,
                level: DriftLevel::of(value),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.psi
            .total_cmp(&a.psi)
            .then_with(|| a.feature.cmp(&b.feature))
    });
    out
}

/// The PSI of recent scores against reference scores.
pub fn score_drift(reference: &[f64], recent: &[f64]) -> Option<f64> {
    psi(reference, recent, DRIFT_BINS)
}
