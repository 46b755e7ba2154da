//! Compact rows against the flat features, at the chunks' edges (`CHUNK` is
//! 7 under `cfg(test)`).

use crate::{Column, EncoderParams, Table};

/// Filled a chunk of 7 rows at a time, the rows read back as the flat
/// features: 100 rows (a last chunk part full), 7 and 14 (full chunks
/// only), 3 (one chunk part full).
#[test]
fn rows_filled_in_chunks_read_back_as_the_flat_features() -> Result<(), crate::FeaturesError> {
    for n in [100usize, 7, 14, 3] {
        let visits: Vec<Option<f64>> = (0..n)
            .map(|i| (i % 5 != 0).then_some((i * 7 % 11) as f64))
            .collect();
        let size: Vec<Option<f64>> = (0..n).map(|i| Some((i * 3 % 17) as f64)).collect();
        let region: Vec<Option<String>> = (0..n)
            .map(|i| (i % 6 != 0).then(|| ["north", "south", "east"][i % 3].to_owned()))
            .collect();
        let table = Table::new(vec![
            Column::numeric("visits", visits),
            Column::numeric("size", size),
            Column::categorical("region", region),
        ]);
        let (encoder, flat, compact) = encoded(table)?;
        assert_eq!(compact.rows(), n);
        assert_eq!(compact.to_dense(), flat, "{n} rows");
        // Rows picked across chunks, in any order, read back as theirs.
        let d = encoder.n_features();
        let picked: Vec<usize> = (0..n).rev().step_by(3).chain([0, n - 1, n + 5]).collect();
        let expected = flat_rows(&flat, d, &picked);
        assert_eq!(compact.select(&picked).to_dense(), expected, "{n} rows");
    }
    Ok(())
}

/// `table` encoded (every level kept), as flat features and compact rows.
fn encoded(
    table: Table,
) -> Result<(crate::Encoder, Vec<f64>, super::CompactRows), crate::FeaturesError> {
    let params = EncoderParams {
        min_level_count: 1,
        ..EncoderParams::default()
    };
    let encoder = params.fit(&table)?;
    let flat = encoder.transform_flat(&table)?;
    let compact = encoder.transform_compact(table)?;
    Ok((encoder, flat, compact))
}

/// The flat features of the rows `picked` (a row past the end gives
/// none), in that order.
fn flat_rows(flat: &[f64], d: usize, picked: &[usize]) -> Vec<f64> {
    picked
        .iter()
        .flat_map(|&i| flat.get(i * d..(i + 1) * d).unwrap_or(&[]).to_vec())
        .collect()
}

/// `n` cells alternating between two regions.
fn two_regions(n: usize) -> Vec<Option<String>> {
    (0..n)
        .map(|i| Some(["north", "south"][i % 2].to_owned()))
        .collect()
}

/// A group of 255 features or more (its lit features stored as indexes,
/// not offsets) reads back as the flat features, whole, selected and
/// a feature at a time.
#[test]
fn a_wide_group_reads_back_as_the_flat_features() -> Result<(), crate::FeaturesError> {
    let n = 700;
    let campaign: Vec<Option<String>> = (0..n)
        .map(|i| (i % 9 != 0).then(|| format!("c{}", i % 300)))
        .collect();
    let region = two_regions(n);
    let table = Table::new(vec![
        Column::categorical("campaign", campaign),
        Column::categorical("region", region),
    ]);
    let params = EncoderParams {
        min_level_count: 1,
        max_levels: 400,
        ..EncoderParams::default()
    };
    let encoder = params.fit(&table)?;
    let d = encoder.n_features();
    assert!(d > 300, "{d} features");
    let flat = encoder.transform_flat(&table)?;
    let compact = encoder.transform_compact(table)?;
    assert!(matches!(
        compact.chunks.first().and_then(|c| c.lit.first()),
        Some(super::Lits::Wide(_))
    ));
    assert!(matches!(
        compact.chunks.first().and_then(|c| c.lit.get(1)),
        Some(super::Lits::Narrow(_))
    ));
    assert_eq!(compact.to_dense(), flat);
    let picked = [699, 3, 9, 350, 3];
    let expected = flat_rows(&flat, d, &picked);
    assert_eq!(compact.select(&picked).to_dense(), expected);
    for j in [0, 5, 299, d - 1] {
        let column: Vec<f64> = (0..n)
            .map(|i| flat.get(i * d + j).copied().unwrap_or(-1.0))
            .collect();
        assert_eq!(compact.column(j), column, "feature {j}");
    }
    Ok(())
}

/// Blocks cover the range in order, never cross a chunk nor hold more
/// than asked, and their runs are the features' columns, in order.
#[test]
fn blocks_cover_the_range_a_column_at_a_time() -> Result<(), crate::FeaturesError> {
    let n = 40;
    let visits: Vec<Option<f64>> = (0..n).map(|i| (i % 4 != 0).then_some(i as f64)).collect();
    let region = two_regions(n);
    let table = Table::new(vec![
        Column::numeric("visits", visits),
        Column::categorical("region", region),
    ]);
    let (encoder, flat, compact) = encoded(table)?;
    let d = encoder.n_features();
    for (range, max_rows) in [
        (0..40, 3),
        (5..33, 100),
        (12..13, 1),
        (30..90, 4),
        (9..9, 2),
    ] {
        let mut next = range.start;
        compact.for_each_block(range.clone(), max_rows, |first, len, runs| {
            assert_eq!(first, next, "{range:?}");
            assert!(len >= 1 && len <= max_rows, "{len} rows");
            assert_eq!(first / super::CHUNK, (first + len - 1) / super::CHUNK);
            let mut features = 0;
            for run in runs {
                let (at, width) = match *run {
                    super::Run::Number { feature, values } => {
                        assert_eq!(values.len(), len);
                        for (k, v) in values.iter().enumerate() {
                            assert_eq!(Some(v), flat.get((first + k) * d + feature));
                        }
                        (feature, 1)
                    }
                    super::Run::OneHot {
                        first: at,
                        width,
                        lit,
                    } => {
                        assert_eq!(lit.len(), len);
                        for k in 0..len {
                            let row = flat.get((first + k) * d..(first + k + 1) * d);
                            let lit_here = row.and_then(|row| {
                                (at..at + width).find(|&j| row.get(j) == Some(&1.0))
                            });
                            assert_eq!(lit_here, lit.get(k));
                        }
                        (at, width)
                    }
                };
                assert_eq!(at, features, "runs in the order of the features");
                features += width;
            }
            assert_eq!(features, d);
            next = first + len;
        });
        assert_eq!(next, range.end.min(40).max(range.start), "{range:?}");
    }
    Ok(())
}
