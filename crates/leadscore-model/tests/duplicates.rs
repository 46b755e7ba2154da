//! Duplicate rows are counted as the rows they repeat, with their outcomes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use leadscore_features::{Column, ColumnValues, Table};
use leadscore_model::{Duplicates, LabelledRows, duplicate_rows};
use proptest::prelude::*;

/// Row `i`'s values as comparable text (numbers by their bits).
fn key(table: &Table, i: usize) -> Vec<String> {
    table
        .columns
        .iter()
        .map(|c| match &c.values {
            ColumnValues::Numeric(v) => format!("{:?}", v.get(i).flatten().map(f64::to_bits)),
            ColumnValues::Categorical(v) => format!("{:?}", v.get(i).flatten()),
        })
        .collect()
}

/// The count by its definition: each row equal to an earlier one, and
/// whether its outcome differs from the first such row's.
fn by_definition(rows: &LabelledRows) -> Duplicates {
    let mut out = Duplicates::default();
    for i in 0..rows.labels.len() {
        let earlier = (0..i).find(|&j| key(&rows.features, j) == key(&rows.features, i));
        if let Some(j) = earlier {
            out.rows += 1;
            if rows.labels[j] != rows.labels[i] {
                out.conflicting += 1;
            }
        }
    }
    out
}

#[test]
fn duplicates_count_equal_rows_and_their_conflicts() {
    let table = Table::new(vec![
        Column::numeric(
            "a",
            vec![
                Some(1.0),
                Some(1.0),
                None,
                None,
                Some(0.0),
                Some(-0.0),
                Some(1.0),
            ],
        ),
        Column::categorical(
            "b",
            ["x", "x", "x", "x", "x", "x", "y"]
                .iter()
                .map(|s| Some((*s).to_owned()))
                .collect::<Vec<_>>(),
        ),
    ]);
    let rows = LabelledRows::new(table, vec![true, false, false, false, true, true, true]);
    // Row 2 repeats row 1 (a conflict), row 4 repeats row 3; 0 and -0 differ,
    // and so do rows 1 and 7 (b).
    assert_eq!(
        duplicate_rows(&rows),
        Duplicates {
            rows: 2,
            conflicting: 1
        }
    );
    assert_eq!(duplicate_rows(&rows), by_definition(&rows));
}

proptest! {
    #[test]
    fn duplicates_match_their_definition(
        cells in prop::collection::vec((prop::option::of(0u8..3), prop::option::of(0u8..2), any::<bool>()), 0..60)
    ) {
        let table = Table::new(vec![
            Column::numeric("n", cells.iter().map(|c| c.0.map(f64::from)).collect::<Vec<_>>()),
            Column::categorical("c", cells.iter().map(|c| c.1.map(|v| v.to_string())).collect::<Vec<_>>()),
        ]);
        let rows = LabelledRows::new(table, cells.iter().map(|c| c.2).collect());
        prop_assert_eq!(duplicate_rows(&rows), by_definition(&rows));
    }
}
