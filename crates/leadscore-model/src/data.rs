//! The rows a model learns from or is tested on, and the small table operations
//! training needs.

use leadscore_features::{Column, ColumnValues, Encoder, Table};
use ndarray::Array2;
use sha2::{Digest, Sha256};

use crate::ModelError;

/// Labelled rows: features, outcomes, and optionally ids and creation times.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRows {
    /// The feature columns.
    pub features: Table,
    /// One outcome per row, `true` for converted.
    pub labels: Vec<bool>,
    /// One id per row (lead ids, or row numbers for a flat file), for drill-downs.
    pub ids: Vec<String>,
    /// One creation time per row (microseconds since the epoch), for a
    /// time-based split; `None` when the data have none.
    pub times: Option<Vec<i64>>,
}

impl LabelledRows {
    /// Rows with ids `1..=n` (row numbers) and no times.
    pub fn new(features: Table, labels: Vec<bool>) -> Self {
        let ids = (1..=labels.len()).map(|i| i.to_string()).collect();
        Self {
            features,
            labels,
            ids,
            times: None,
        }
    }

    /// Checks that every part has one entry per row, and returns the row count.
    pub fn check(&self) -> Result<usize, ModelError> {
        let n = self.labels.len();
        let rows = self.features.rows()?;
        let check = |what, found| {
            if found == n {
                Ok(())
            } else {
                Err(ModelError::RowCount {
                    what,
                    found,
                    expected: n,
                })
            }
        };
        check("feature table", rows)?;
        check("ids", self.ids.len())?;
        if let Some(times) = &self.times {
            check("times", times.len())?;
        }
        Ok(n)
    }

    /// Converted and lost rows.
    pub fn class_counts(&self) -> (usize, usize) {
        let pos = self.labels.iter().filter(|l| **l).count();
        (pos, self.labels.len() - pos)
    }

    /// The rows at `index`, in that order.
    pub fn take(&self, index: &[usize]) -> Self {
        self.with_features(take_rows(&self.features, index), index)
    }

    /// The rows at `index` with `features` (already taken at `index`).
    fn with_features(&self, features: Table, index: &[usize]) -> Self {
        Self {
            features,
            labels: index.iter().map(|&i| self.labels[i]).collect(),
            ids: index.iter().map(|&i| self.ids[i].clone()).collect(),
            times: self
                .times
                .as_ref()
                .map(|t| index.iter().map(|&i| t[i]).collect()),
        }
    }

    /// The rows of `first` and those of `second`, as [`take`](Self::take)
    /// gives each, consuming the rows a column at a time: the peak is the
    /// rows and one column more, where [`take`](Self::take) twice beside
    /// them holds every row twice.
    pub fn split(mut self, first: &[usize], second: &[usize]) -> (Self, Self) {
        let mut columns = (Vec::new(), Vec::new());
        for column in std::mem::take(&mut self.features.columns) {
            columns.0.push(take_column(&column, first));
            columns.1.push(take_column(&column, second));
        }
        (
            self.with_features(Table::new(columns.0), first),
            self.with_features(Table::new(columns.1), second),
        )
    }

    /// A SHA-256 of the column names, their values and the labels, as
    /// `sha256:<hex>`: the same rows in the same order give the same hash.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for column in &self.features.columns {
            h.update(column.name.as_bytes());
            h.update([0]);
            match &column.values {
                ColumnValues::Numeric(values) => {
                    h.update(b"n");
                    for v in values.iter() {
                        match v {
                            Some(v) => h.update(v.to_le_bytes()),
                            None => h.update([0xff; 9]),
                        }
                    }
                }
                ColumnValues::Categorical(values) => {
                    h.update(b"c");
                    for v in values.iter() {
                        match v {
                            Some(v) => {
                                h.update((v.len() as u64).to_le_bytes());
                                h.update(v.as_bytes());
                            }
                            None => h.update([0xff; 9]),
                        }
                    }
                }
            }
        }
        h.update(b"labels");
        h.update(self.labels.iter().map(|l| u8::from(*l)).collect::<Vec<_>>());
        format!("sha256:{}", hex(&h.finalize()))
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows at `index` of a table, in that order.
pub fn take_rows(table: &Table, index: &[usize]) -> Table {
    Table::new(
        table
            .columns
            .iter()
            .map(|c| take_column(c, index))
            .collect(),
    )
}

/// The values of a column at `index`, in that order.
fn take_column(column: &Column, index: &[usize]) -> Column {
    Column {
        name: column.name.clone(),
        values: column.values.take(index),
    }
}

/// Encodes a table into a row-major matrix.
pub fn encode(encoder: &Encoder, table: &Table) -> Result<Array2<f64>, ModelError> {
    let n = table.rows()?;
    let d = encoder.n_features();
    let flat = encoder.transform_flat(table)?;
    let found = flat.len();
    Array2::from_shape_vec((n, d), flat).map_err(|_| ModelError::RowCount {
        what: "encoded values",
        found,
        expected: n * d,
    })
}

/// Adds to `table`, as numeric columns with every value missing, the input
/// columns `model` reads that `table` lacks (data from before a field
/// existed); returns their names, for a warning. Every lead then scores as if
/// those values were missing.
pub fn add_missing_columns(
    model: &crate::ConversionModel,
    table: &mut Table,
) -> Result<Vec<String>, ModelError> {
    let rows = table.rows()?;
    let mut added = Vec::new();
    for name in model.input_columns() {
        if table.column(&name).is_none() {
            table.columns.push(Column {
                name: name.clone(),
                values: ColumnValues::Numeric(std::iter::repeat_n(None, rows).collect()),
            });
            added.push(name);
        }
    }
    Ok(added)
}
