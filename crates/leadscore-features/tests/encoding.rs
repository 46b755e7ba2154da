//! End-to-end behaviour of the feature encoding: fit on a training table, then
//! transform tables and rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use leadscore_features::{
    Cell, Column, ColumnValues, DropReason, Encoder, EncoderParams, FeatureKind, FeaturesError,
    Row, Table,
};
use proptest::prelude::*;

fn params(min_level_count: usize, max_levels: usize) -> EncoderParams {
    EncoderParams {
        min_level_count,
        max_levels,
        ..EncoderParams::default()
    }
}

/// The defaults without quantile bins, for tests about the other features.
fn unbinned() -> EncoderParams {
    EncoderParams {
        numeric_bins: 0,
        ..EncoderParams::default()
    }
}

fn column_of(matrix: &[Vec<f64>], j: usize) -> Vec<f64> {
    matrix.iter().map(|row| row[j]).collect()
}

fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn levels(spec: &[(&str, usize)]) -> Vec<Option<String>> {
    spec.iter()
        .flat_map(|(l, n)| std::iter::repeat_n(Some((*l).to_owned()), *n))
        .collect()
}

/// A training table like the lead history: a heavy-tailed count, a symmetric
/// score, a column with gaps, and an industry.
fn leads() -> Table {
    let n = 200;
    let visits: Vec<Option<f64>> = (0..n)
        .map(|i| {
            Some(if i % 20 == 0 {
                500.0 + i as f64
            } else {
                (i % 5) as f64
            })
        })
        .collect();
    let score: Vec<Option<f64>> = (0..n)
        .map(|i| Some(((i * 37) % 101) as f64 - 50.0))
        .collect();
    let employees: Vec<Option<f64>> = (0..n)
        .map(|i| {
            if i % 4 == 0 {
                None
            } else {
                Some(10.0 + (i % 13) as f64)
            }
        })
        .collect();
    let mut industry = levels(&[
        ("Software", 90),
        ("Retail", 60),
        ("Mining", 25),
        ("Energy", 15),
        ("Farming", 10),
    ]);
    industry[0] = None;
    Table::new(vec![
        Column::numeric("visits", visits),
        Column::numeric("score", score),
        Column::numeric("employees", employees),
        Column::categorical("industry", industry),
    ])
}

#[test]
fn standardized_training_features_have_mean_0_and_std_1() {
    let table = leads();
    let encoder = EncoderParams::default().fit(&table).unwrap();
    let x = encoder.transform(&table).unwrap();
    for name in ["visits", "score", "employees"] {
        let j = encoder
            .feature_names()
            .iter()
            .position(|f| f == name)
            .unwrap();
        let (mean, std) = mean_std(&column_of(&x, j));
        assert!(mean.abs() < 1e-9, "{name}: mean {mean}");
        assert!((std - 1.0).abs() < 1e-9, "{name}: std {std}");
    }
}

#[test]
fn feature_names_follow_the_training_columns() {
    let encoder = unbinned().fit(&leads()).unwrap();
    assert_eq!(
        encoder.feature_names(),
        [
            "visits",
            "score",
            "employees",
            "employees:missing",
            "industry=Software",
            "industry=Retail",
            "industry=Mining",
            "industry=__other__",
            "industry=__missing__",
        ]
    );
    let x = encoder.transform(&leads()).unwrap();
    assert!(x.iter().all(|row| row.len() == encoder.n_features()));
}

#[test]
fn missing_values_get_the_median_and_an_indicator() {
    let table = Table::new(vec![Column::numeric(
        "employees",
        vec![Some(1.0), None, Some(5.0), Some(3.0), None],
    )]);
    let encoder = EncoderParams::default().fit(&table).unwrap();
    assert_eq!(encoder.feature_names(), ["employees", "employees:missing"]);
    let x = encoder.transform(&table).unwrap();
    // Median 3: the missing rows encode like the row holding 3.
    assert_eq!(x[1], vec![x[3][0], 1.0]);
    assert_eq!(x[4], x[1]);
    assert_eq!(x[3][1], 0.0);

    // No indicator when training had no gaps, even if scoring does.
    let full = Table::new(vec![Column::numeric(
        "employees",
        vec![Some(1.0), Some(2.0), Some(3.0)],
    )]);
    let encoder = EncoderParams::default().fit(&full).unwrap();
    assert_eq!(encoder.feature_names(), ["employees"]);
    let row = encoder
        .transform_row(&Row::new().with("employees", Cell::Missing))
        .unwrap();
    assert_eq!(row, vec![0.0]);
}

#[test]
fn rare_levels_are_pooled_and_levels_capped() {
    let table = Table::new(vec![Column::categorical(
        "industry",
        levels(&[
            ("Software", 50),
            ("Retail", 30),
            ("Mining", 20),
            ("Energy", 19),
            ("Farming", 1),
        ]),
    )]);
    let encoder = params(20, 30).fit(&table).unwrap();
    assert_eq!(
        encoder.feature_names(),
        [
            "industry=Software",
            "industry=Retail",
            "industry=Mining",
            "industry=__other__"
        ]
    );
    let encoder = params(20, 2).fit(&table).unwrap();
    assert_eq!(
        encoder.feature_names(),
        ["industry=Software", "industry=Retail", "industry=__other__"]
    );
    let x = encoder.transform(&table).unwrap();
    assert_eq!(x[0], [1.0, 0.0, 0.0]);
    assert_eq!(x[85], [0.0, 0.0, 1.0]); // Mining is now pooled
    assert_eq!(encoder.describe(2).unwrap().kind, FeatureKind::Other);
}

#[test]
fn an_unseen_level_maps_to_other_or_to_nothing() {
    let table = Table::new(vec![Column::categorical(
        "source",
        levels(&[("Web", 3), ("Event", 2), ("Partner", 1)]),
    )]);
    let encoder = params(2, 30).fit(&table).unwrap();
    let row = Row::new().with("source", Cell::Text("Podcast".into()));
    assert_eq!(encoder.transform_row(&row).unwrap(), [0.0, 0.0, 1.0]);

    let encoder = params(1, 30).fit(&table).unwrap();
    assert_eq!(
        encoder.feature_names(),
        ["source=Web", "source=Event", "source=Partner"]
    );
    assert_eq!(encoder.transform_row(&row).unwrap(), [0.0, 0.0, 0.0]);
    // Missing was never seen either: also nothing.
    let missing = |_: &str| Some(Cell::Missing);
    assert_eq!(encoder.transform_row(&missing).unwrap(), [0.0, 0.0, 0.0]);
}

#[test]
fn log_transform_for_heavy_tailed_counts_only() {
    let encoder = EncoderParams::default().fit(&leads()).unwrap();
    let log_of = |name: &str| {
        let j = encoder
            .feature_names()
            .iter()
            .position(|f| f == name)
            .unwrap();
        match encoder.describe(j).unwrap().kind {
            FeatureKind::Numeric { log, .. } => log,
            other => panic!("{name}: {other:?}"),
        }
    };
    assert!(log_of("visits"));
    assert!(!log_of("score"));
    assert!(!log_of("employees"));

    let off = EncoderParams {
        log_transform_skew: f64::INFINITY,
        ..EncoderParams::default()
    };
    let encoder = off.fit(&leads()).unwrap();
    let (mean, std) = mean_std(&visits_raw());
    match encoder.describe(0).unwrap().kind {
        FeatureKind::Numeric {
            log,
            mean: m,
            std: s,
        } => {
            assert!(!log);
            assert!((m - mean).abs() < 1e-9 && (s - std).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
}

fn visits_raw() -> Vec<f64> {
    match &leads().columns[0].values {
        ColumnValues::Numeric(v) => v.iter().flatten().collect(),
        ColumnValues::Categorical(_) => unreachable!(),
    }
}

#[test]
fn a_constant_column_is_dropped_with_a_note() {
    let table = Table::new(vec![
        Column::numeric("plan", vec![Some(2.0); 4]),
        Column::numeric("seats", vec![Some(1.0), Some(2.0), Some(3.0), Some(4.0)]),
        Column::categorical("country", levels(&[("DE", 4)])),
    ]);
    let encoder = EncoderParams {
        numeric_bins: 0,
        ..params(1, 30)
    }
    .fit(&table)
    .unwrap();
    assert_eq!(encoder.feature_names(), ["seats"]);
    let reasons: Vec<_> = encoder
        .dropped()
        .iter()
        .map(|d| (d.column.as_str(), d.reason.clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("plan", DropReason::Constant(2.0)),
            ("country", DropReason::SingleLevel)
        ]
    );
    assert_eq!(
        encoder.dropped()[0].to_string(),
        "plan: always 2 in training, so its value is not used"
    );
}

#[test]
fn serde_round_trip_gives_identical_transforms() {
    let table = leads();
    let encoder = EncoderParams::default().fit(&table).unwrap();
    let json = serde_json::to_string(&encoder).unwrap();
    let loaded: Encoder = serde_json::from_str(&json).unwrap();
    assert_eq!(loaded, encoder);
    assert_eq!(
        loaded.transform(&table).unwrap(),
        encoder.transform(&table).unwrap()
    );
}

#[test]
fn transform_accepts_any_column_order_and_ignores_extras() {
    let table = leads();
    let encoder = EncoderParams::default().fit(&table).unwrap();
    let mut shuffled = table.clone();
    shuffled.columns.reverse();
    shuffled
        .columns
        .push(Column::numeric("unused", vec![None; 200]));
    assert_eq!(
        encoder.transform(&shuffled).unwrap(),
        encoder.transform(&table).unwrap()
    );

    // A row gives the same vector as its table row.
    let row = Row::new()
        .with("industry", Cell::Text("Retail".into()))
        .with("employees", Cell::Text("12".into()))
        .with("score", Cell::Num(-3.0))
        .with("visits", Cell::Num(1.0));
    let single = Table::new(vec![
        Column::categorical("industry", vec![Some("Retail".into())]),
        Column::from_text("employees", &[Some("12")]),
        Column::numeric("score", vec![Some(-3.0)]),
        Column::numeric("visits", vec![Some(1.0)]),
    ]);
    assert_eq!(
        encoder.transform_row(&row).unwrap(),
        encoder.transform(&single).unwrap()[0]
    );
}

#[test]
fn errors_are_typed_and_name_the_column() {
    let bad = EncoderParams {
        min_level_count: 0,
        ..EncoderParams::default()
    };
    assert!(matches!(
        bad.fit(&leads()),
        Err(FeaturesError::InvalidParam {
            param: "min_level_count",
            ..
        })
    ));

    let mismatched = Table::new(vec![
        Column::numeric("visits", vec![Some(1.0), Some(2.0)]),
        Column::from_text("industry", &[Some("Retail")]),
    ]);
    let err = EncoderParams::default().fit(&mismatched).unwrap_err();
    assert_eq!(
        err,
        FeaturesError::ColumnLength {
            column: "industry".into(),
            found: 1,
            first: "visits".into(),
            expected: 2
        }
    );
    assert!(err.to_string().contains("`industry`"));

    let encoder = EncoderParams::default().fit(&leads()).unwrap();
    let mut without = leads();
    without.columns.retain(|c| c.name != "score");
    assert_eq!(
        encoder.transform(&without).unwrap_err(),
        FeaturesError::MissingColumn {
            column: "score".into()
        }
    );
    let row = Row::new().with("visits", Cell::Num(1.0));
    assert_eq!(
        encoder.transform_row(&row).unwrap_err(),
        FeaturesError::MissingColumn {
            column: "score".into()
        }
    );

    let full = |name: &str| match name {
        "employees" => Some(Cell::Text("lots".into())),
        "industry" => Some(Cell::Text("Retail".into())),
        _ => Some(Cell::Num(1.0)),
    };
    assert_eq!(
        encoder.transform_row(&full).unwrap_err(),
        FeaturesError::NotNumeric {
            column: "employees".into(),
            value: "lots".into()
        }
    );
    assert_eq!(
        EncoderParams::default().fit(&Table::default()).unwrap_err(),
        FeaturesError::NoRows
    );

    // A table names the row too.
    let scoring = Table::new(vec![
        Column::categorical("visits", vec![Some("3".into()), Some("many".into())]),
        Column::numeric("score", vec![Some(1.0), Some(2.0)]),
        Column::numeric("employees", vec![Some(1.0), Some(2.0)]),
        Column::categorical("industry", vec![None, None]),
    ]);
    let err = encoder.transform(&scoring).unwrap_err();
    assert_eq!(
        err,
        FeaturesError::InRow {
            row: 2,
            source: Box::new(FeaturesError::NotNumeric {
                column: "visits".into(),
                value: "many".into()
            })
        }
    );
    assert_eq!(
        err.to_string(),
        "row 2: column `visits` is numeric, but \"many\" is not a finite number"
    );
}

#[test]
fn describe_explains_every_feature() {
    let encoder = unbinned().fit(&leads()).unwrap();
    let words: Vec<String> = (0..encoder.n_features())
        .map(|i| encoder.describe(i).unwrap().to_string())
        .collect();
    assert_eq!(
        words,
        [
            "visits (log scale)",
            "score",
            "employees",
            "employees is missing",
            "industry is Software",
            "industry is Retail",
            "industry is Mining",
            "industry is an uncommon value",
            "industry is missing",
        ]
    );
    assert_eq!(encoder.describe(encoder.n_features()), None);
}

fn cell() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![1 => Just(None), 4 => (-1e6..1e6f64).prop_map(Some), 2 => (0u32..1000).prop_map(|v| Some(f64::from(v)))]
}

fn any_table() -> impl Strategy<Value = Table> {
    (1usize..40).prop_flat_map(|n| {
        let numeric = prop::collection::vec(
            prop_oneof![
                prop::collection::vec(cell(), n).prop_map(|v| ColumnValues::Numeric(v.into())),
                prop::collection::vec(prop::option::of("[a-d]"), n)
                    .prop_map(|v| ColumnValues::Categorical(v.into())),
            ],
            1..5,
        );
        numeric.prop_map(|cols| {
            Table::new(
                cols.into_iter()
                    .enumerate()
                    .map(|(i, values)| Column {
                        name: format!("c{i}"),
                        values,
                    })
                    .collect(),
            )
        })
    })
}

proptest! {
    #[test]
    fn transform_of_training_is_finite(table in any_table(), min in 1usize..4, max in 1usize..4) {
        let encoder = params(min, max).fit(&table).unwrap();
        let x = encoder.transform(&table).unwrap();
        prop_assert_eq!(x.len(), table.rows().unwrap());
        for row in &x {
            prop_assert_eq!(row.len(), encoder.n_features());
            prop_assert!(row.iter().all(|v| v.is_finite()));
        }
        let back: Encoder = serde_json::from_str(&serde_json::to_string(&encoder).unwrap()).unwrap();
        prop_assert_eq!(back.transform(&table).unwrap(), x);
    }
}

#[test]
fn numeric_columns_get_quantile_bins_that_score_unseen_values() {
    let values: Vec<Option<f64>> = (0..200).map(|i| Some(f64::from(i % 100))).collect();
    let table = Table::new(vec![Column::numeric("age", values)]);
    let params = EncoderParams {
        numeric_bins: 4,
        ..EncoderParams::default()
    };
    let encoder = params.fit(&table).unwrap();
    assert_eq!(
        encoder.feature_names(),
        ["age", "age:[25,50)", "age:[50,75)", "age:>=75"]
    );
    assert_eq!(
        encoder.describe(1).map(|d| d.to_string()),
        Some("age from 25 to below 50".to_string())
    );
    let row = |v: Option<f64>| {
        let cell = v.map_or(Cell::Missing, Cell::Num);
        encoder
            .transform_row(&Row::new().with("age", cell))
            .unwrap()[1..]
            .to_vec()
    };
    assert_eq!(row(Some(-5.0)), [0.0, 0.0, 0.0]);
    assert_eq!(row(Some(25.0)), [1.0, 0.0, 0.0]);
    assert_eq!(row(Some(74.9)), [0.0, 1.0, 0.0]);
    assert_eq!(row(Some(1e6)), [0.0, 0.0, 1.0]);
    assert_eq!(
        row(None),
        [1.0, 0.0, 0.0],
        "missing takes the median's (49.5) bin"
    );
    // Artifacts written before binning existed read with binning off.
    let old = r#"{"min_level_count":20,"max_levels":30,"log_transform_skew":2.0}"#;
    let params: EncoderParams = serde_json::from_str(old).unwrap();
    assert_eq!(params.numeric_bins, 0);
}

proptest! {
    /// The compact rows read back as the flat features, on the training
    /// table and on another table (unseen levels, other gaps).
    #[test]
    fn compact_rows_read_back_as_the_flat_features(
        table in any_table(),
        other in any_table(),
        min in 1usize..4,
        max in 1usize..4,
        bins in 0usize..5,
    ) {
        let params = EncoderParams { numeric_bins: bins, ..params(min, max) };
        let encoder = params.fit(&table).unwrap();
        for table in [&table, &other] {
            let flat = encoder.transform_flat(table);
            let compact = encoder.transform_compact(table.clone());
            match (flat, compact) {
                (Ok(flat), Ok(compact)) => {
                    prop_assert_eq!(compact.rows(), table.rows().unwrap());
                    prop_assert_eq!(compact.n_features(), encoder.n_features());
                    prop_assert_eq!(compact.to_dense(), flat);
                }
                // Another table may lack a column or hold text in a numeric one.
                (Err(_), Err(_)) => {}
                (flat, compact) => prop_assert!(false, "flat {flat:?}, compact {compact:?}"),
            }
        }
    }
}

#[test]
fn compact_rows_select_and_give_columns_as_the_dense_rows() {
    let table = leads();
    let encoder = EncoderParams::default().fit(&table).unwrap();
    let dense = encoder.transform(&table).unwrap();
    let compact = encoder.transform_compact(table).unwrap();
    let d = encoder.n_features();
    assert!(
        encoder
            .feature_names()
            .iter()
            .any(|name| name.contains(":[")),
        "the table has binned columns: {:?}",
        encoder.feature_names()
    );
    for j in 0..d {
        assert_eq!(compact.column(j), column_of(&dense, j), "feature {j}");
    }
    assert!(compact.column(d).is_empty());
    let picked = [7, 0, 199, 7, 42];
    let selected = compact.select(&picked);
    let expected: Vec<f64> = picked.iter().flat_map(|&i| dense[i].clone()).collect();
    assert_eq!(selected.to_dense(), expected);
    let mut seen = Vec::new();
    compact.for_each_row(198..500, |r, row| seen.push((r, row.to_vec())));
    assert_eq!(
        seen,
        vec![(198, dense[198].clone()), (199, dense[199].clone())]
    );
    assert!(
        compact.bytes() * 2 < dense.len() * d * 8,
        "{} bytes compact against {} dense",
        compact.bytes(),
        dense.len() * d * 8
    );
}

#[test]
fn compact_encoding_names_the_row_and_column_of_a_bad_value() {
    let encoder = EncoderParams::default().fit(&leads()).unwrap();
    let mut table = leads();
    let mut score: Vec<Option<String>> = (0..200).map(|i| Some(i.to_string())).collect();
    score[2] = Some("lots".into());
    table.columns[1] = Column::categorical("score", score);
    let err = encoder.transform_compact(table).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"row 3: column `score` is numeric, but "lots" is not a finite number"#
    );
    let mut table = leads();
    table.columns.remove(3);
    assert_eq!(
        encoder.transform_compact(table).unwrap_err(),
        FeaturesError::MissingColumn {
            column: "industry".into()
        }
    );
}

/// The dense rows of `range` that `for_each_row` gives.
fn rows_read(
    compact: &leadscore_features::CompactRows,
    range: std::ops::Range<usize>,
) -> Vec<(usize, Vec<f64>)> {
    let mut seen = Vec::new();
    compact.for_each_row(range, |r, row| seen.push((r, row.to_vec())));
    seen
}

#[test]
fn compact_rows_read_back_over_any_range_of_rows() {
    // A thousand rows in a shuffled order, read back over ranges that start
    // and end anywhere, and tables with numbers only (no one-hot group) and
    // with labels only (no stored number).
    let whole = leads();
    let index: Vec<usize> = (0..1000).map(|i| (i * 37 + i / 200) % 200).collect();
    let table = Table::new(
        whole
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                values: c.values.take(&index),
            })
            .collect(),
    );
    let numbers_only = Table::new(vec![table.columns[1].clone()]);
    let labels_only = Table::new(vec![table.columns[3].clone()]);
    let no_bins = EncoderParams {
        numeric_bins: 0,
        ..EncoderParams::default()
    };
    for (what, table, params) in [
        ("every column", table, EncoderParams::default()),
        ("numbers only", numbers_only, no_bins),
        ("labels only", labels_only, EncoderParams::default()),
    ] {
        let encoder = params.fit(&table).unwrap();
        let dense = encoder.transform(&table).unwrap();
        let compact = encoder.transform_compact(table).unwrap();
        assert_eq!(compact.rows(), 1000, "{what}");
        for range in [0..1000, 250..770, 255..257, 512..513, 999..2000, 3..3] {
            let expected: Vec<(usize, Vec<f64>)> = range
                .clone()
                .filter(|&r| r < 1000)
                .map(|r| (r, dense[r].clone()))
                .collect();
            assert_eq!(
                rows_read(&compact, range.clone()),
                expected,
                "{what}, rows {range:?}"
            );
        }
    }
}
