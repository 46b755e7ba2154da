//! The fused solver on compact rows against the dense rows, to the last bit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use leadscore_features::{Column, EncoderParams, Table};

use super::{Matrix, Rows};
use crate::solver::{ClassWeight, Solver, SolverSettings, fit_matrix};

/// Rows with a numeric column (gaps, bins), a skewed count and a label
/// column with rare levels and gaps; the outcome leans on all three.
fn rows(n: usize) -> (Table, Vec<bool>) {
    let mut labels = Vec::with_capacity(n);
    let (mut size, mut visits, mut region) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let s = ((i * 7919) % 1000) as f64;
        let v = ((i * 104_729) % 97) as f64;
        let r = ["north", "south", "east", "west", "rare"][(i * 31) % 37 % 5];
        size.push((i % 9 != 0).then_some(s));
        visits.push(Some(if i % 13 == 0 { v * 40.0 } else { v }));
        region.push((i % 11 != 0).then(|| r.to_owned()));
        let z = s / 400.0 - 1.2 + v / 60.0 + if r == "east" { 0.8 } else { 0.0 };
        labels.push(((i * 2_654_435_761) % 1000) as f64 / 1000.0 < 1.0 / (1.0 + (-z).exp()));
    }
    let table = Table::new(vec![
        Column::numeric("size", size),
        Column::numeric("visits", visits),
        Column::categorical("region", region),
    ]);
    (table, labels)
}

/// One pass over compact rows (a block and a stored column at a time)
/// gives the loss and gradient of the dense rows to the last bit, with
/// every remainder of the features past the dot product's lanes (0 to
/// 3), on one thread or several, across blocks and chunks.
#[test]
fn a_compact_pass_gives_the_dense_loss_and_gradient_to_the_last_bit() {
    let (table, y) = rows(5_000);
    let mut remainders = std::collections::BTreeSet::new();
    let mut widest = 0;
    let without = |column: usize| {
        let mut table = table.clone();
        table.columns.remove(column);
        table
    };
    // And with a group of 255 features or more, stored otherwise.
    let mut wide = table.clone();
    wide.columns.push(Column::categorical(
        "campaign",
        (0..y.len())
            .map(|i| (i % 13 != 0).then(|| format!("c{}", i * 31 % 280)))
            .collect::<Vec<_>>(),
    ));
    let tables = [table.clone(), without(0), without(2), wide];
    for (table, bins) in tables.iter().flat_map(|t| (0..6).map(move |b| (t, b))) {
        let params = EncoderParams {
            numeric_bins: bins,
            max_levels: 300,
            min_level_count: 1,
            ..EncoderParams::default()
        };
        let encoder = params.fit(table).unwrap();
        let dense = encoder.transform_flat(table).unwrap();
        let compact = encoder.transform_compact(table.clone()).unwrap();
        let d = encoder.n_features();
        remainders.insert(d % 4);
        let campaign = encoder
            .feature_names()
            .iter()
            .filter(|n| n.starts_with("campaign"))
            .count();
        widest = widest.max(campaign);
        let w: Vec<f64> = (0..d)
            .map(|j| ((j * 7919 % 201) as f64 - 100.0) / 37.0)
            .collect();
        for threads in [1, 3] {
            let on_dense = Rows::new(
                Matrix::Dense { x: &dense, d },
                &y,
                threads,
                ClassWeight::Balanced,
            );
            let on_compact = Rows::new(
                Matrix::Compact(&compact),
                &y,
                threads,
                ClassWeight::Balanced,
            );
            let (dense_loss, dense_grad) = on_dense.loss_gradient(&w, 0.25);
            let (compact_loss, compact_grad) = on_compact.loss_gradient(&w, 0.25);
            assert_eq!(
                dense_loss.to_bits(),
                compact_loss.to_bits(),
                "{bins} bins, {threads} threads"
            );
            let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&dense_grad),
                bits(&compact_grad),
                "{bins} bins, {threads} threads"
            );
        }
    }
    assert_eq!(remainders.len(), 4, "remainders seen: {remainders:?}");
    assert!(widest >= 255, "a group of 255 features or more: {widest}");
}

/// The solver, on compact rows, reaches the dense rows' fit to the last
/// bit, on one thread or several, weighted or not; and the logits agree
/// to the last bit.
#[test]
fn compact_rows_fit_as_the_dense_rows_to_the_last_bit() {
    let (table, y) = rows(50_000);
    let encoder = EncoderParams::default().fit(&table).unwrap();
    let dense = encoder.transform_flat(&table).unwrap();
    let compact = encoder.transform_compact(table).unwrap();
    let d = encoder.n_features();
    // More than 10 features, and some past the last multiple of 4 (the
    // dot product's lanes leave them to the end).
    assert!(d > 10 && d % 4 != 0, "{d}: {:?}", encoder.feature_names());
    for (threads, class_weight) in [
        (1, ClassWeight::Unweighted),
        (3, ClassWeight::Unweighted),
        (2, ClassWeight::Balanced),
    ] {
        let mut settings = SolverSettings::new(Solver::Fused, 500, 1e-7);
        settings.threads = threads;
        settings.class_weight = class_weight;
        let on_dense =
            fit_matrix(Matrix::Dense { x: &dense, d }, &y, 1e-3, None, settings).unwrap();
        let on_compact = fit_matrix(Matrix::Compact(&compact), &y, 1e-3, None, settings).unwrap();
        assert_eq!(on_dense, on_compact, "{threads} threads, {class_weight:?}");
        let x = ndarray::ArrayView2::from_shape((y.len(), d), &dense).unwrap();
        let dense_logits = on_dense.logits(x);
        let compact_logits = on_compact.logits_of(&Matrix::Compact(&compact), compact.rows());
        let differ = dense_logits
            .iter()
            .zip(&compact_logits)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(compact_logits.len(), y.len());
        assert_eq!(differ, 0, "logits differ in {differ} rows");
    }
    let settings = SolverSettings::new(Solver::LinfaLogistic, 500, 1e-7);
    let on_dense = fit_matrix(Matrix::Dense { x: &dense, d }, &y, 1e-2, None, settings).unwrap();
    let on_compact = fit_matrix(Matrix::Compact(&compact), &y, 1e-2, None, settings).unwrap();
    assert_eq!(on_dense, on_compact, "linfa-logistic");
}
