//! Data-quality checks of training rows: single columns that predict the
//! outcome almost perfectly (probable leakage), and duplicate rows.

use std::cmp::Ordering;
use std::collections::HashMap;

use leadscore_features::{ColumnValues, Labels};
use leadscore_metrics::roc_auc;
use serde::{Deserialize, Serialize};

use crate::LabelledRows;

/// An input column that alone ranks the test rows almost perfectly: probably
/// known only after the outcome (like a call's duration) or derived from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakageFlag {
    /// The column.
    pub column: String,
    /// The AUC of the column alone on the test rows (at least 0.5: a column
    /// ranking backwards counts as much as one ranking forwards).
    pub auc: f64,
}

/// Columns whose AUC alone, on `test`, reaches `min_auc`. A numeric column
/// ranks by its value (rows without one are left out); a categorical column
/// ranks by each level's conversion rate in `train`, so that an id-like column
/// (every level new) does not look predictive.
pub fn leakage(train: &LabelledRows, test: &LabelledRows, min_auc: f64) -> Vec<LeakageFlag> {
    let mut flags = Vec::new();
    for column in &test.features.columns {
        let Some(train_column) = train.features.column(&column.name) else {
            continue;
        };
        let scored: Vec<(f64, bool)> = match (&column.values, &train_column.values) {
            (ColumnValues::Numeric(values), _) => values
                .iter()
                .zip(&test.labels)
                .filter_map(|(v, y)| v.map(|v| (v, *y)))
                .collect(),
            (ColumnValues::Categorical(values), ColumnValues::Categorical(train_values)) => {
                let rates = level_rates(train_values, &train.labels);
                let base = train.labels.iter().filter(|y| **y).count() as f64
                    / train.labels.len().max(1) as f64;
                values
                    .iter()
                    .zip(&test.labels)
                    .map(|(v, y)| (v.and_then(|v| rates.get(v)).copied().unwrap_or(base), *y))
                    .collect()
            }
            (ColumnValues::Categorical(_), ColumnValues::Numeric(_)) => continue,
        };
        if scored.len() < 20 {
            continue;
        }
        if let Some(auc) = roc_auc(&scored) {
            let auc = auc.max(1.0 - auc);
            if auc >= min_auc {
                flags.push(LeakageFlag {
                    column: column.name.clone(),
                    auc,
                });
            }
        }
    }
    flags
}

fn level_rates(values: &Labels, labels: &[bool]) -> HashMap<String, f64> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (v, y) in values.iter().zip(labels) {
        if let Some(v) = v {
            let entry = counts.entry(v).or_default();
            entry.0 += usize::from(*y);
            entry.1 += 1;
        }
    }
    counts
        .into_iter()
        .map(|(k, (pos, n))| (k.to_owned(), pos as f64 / n as f64))
        .collect()
}

/// Rows whose every feature equals an earlier row's (the same lead twice, or
/// leads nothing tells apart), and how many of those disagree on the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Duplicates {
    /// Rows equal to an earlier row.
    pub rows: usize,
    /// Of those, rows whose outcome differs from the first such row's.
    pub conflicting: usize,
}

/// Counts duplicate rows (by every feature value: numbers by their bits,
/// a missing value apart from every value).
///
/// The rows' indexes are sorted by their values, column after column, then
/// by index, so that each run of equal rows starts with the earliest: the
/// memory is one index a row, where a key string a row (every value written
/// out) took about as much as the table itself.
pub fn duplicate_rows(rows: &LabelledRows) -> Duplicates {
    let columns = &rows.features.columns;
    let n = rows.labels.len();
    let compare = |a: usize, b: usize| {
        for column in columns {
            let order = match &column.values {
                ColumnValues::Numeric(values) => {
                    let bits = |i: usize| values.get(i).flatten().map(f64::to_bits);
                    bits(a).cmp(&bits(b))
                }
                // Equal labels have equal indexes: the order of the indexes
                // groups equal rows as well as the labels' would.
                ColumnValues::Categorical(values) => {
                    let level = |i: usize| values.level_of(i).flatten();
                    level(a).cmp(&level(b))
                }
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| compare(a, b).then(a.cmp(&b)));
    let mut out = Duplicates::default();
    let mut first: Option<usize> = None;
    for &i in &order {
        match first {
            Some(f) if compare(f, i) == Ordering::Equal => {
                out.rows += 1;
                if rows.labels.get(f) != rows.labels.get(i) {
                    out.conflicting += 1;
                }
            }
            _ => first = Some(i),
        }
    }
    out
}
