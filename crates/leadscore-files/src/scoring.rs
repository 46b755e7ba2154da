//! A flat file of leads to score (CSV or Parquet, one row per lead): every
//! column as a feature column, and an id per row.

use std::path::Path;

use leadscore_features::{Column, Table};

use crate::training::{column_names, text_cells};
use crate::{FilesError, read_table};

/// A flat file read for scoring.
#[derive(Debug, Clone)]
pub struct ScoringTable {
    /// One id per row: the `id` column's value, or the row number (from 1).
    pub ids: Vec<String>,
    /// Every other column, numeric or categorical by content. Columns a model
    /// does not read (an outcome column, say) are simply not used.
    pub features: Table,
}

/// Reads a flat file to score. With `id`, that column must exist and hold a
/// value in every row; without it, rows are numbered from 1.
pub fn read_scoring_table(path: &Path, id: Option<&str>) -> Result<ScoringTable, FilesError> {
    let frame = read_table(path)?;
    let names = column_names(&frame);
    let ids = match id {
        Some(id) => {
            if !names.iter().any(|n| n == id) {
                return Err(FilesError::Unreadable {
                    path: path.to_path_buf(),
                    message: format!("no id column {id:?}; the columns are {}", names.join(", ")),
                });
            }
            let cells = text_cells(&frame, path, id)?;
            let mut ids = Vec::with_capacity(cells.len());
            for (row, cell) in cells.into_iter().enumerate() {
                match cell {
                    Some(v) => ids.push(v),
                    None => {
                        return Err(FilesError::Unreadable {
                            path: path.to_path_buf(),
                            message: format!("row {}: the id column {id:?} is empty", row + 1),
                        });
                    }
                }
            }
            ids
        }
        None => (1..=frame.height()).map(|i| i.to_string()).collect(),
    };
    let mut columns = Vec::new();
    for name in &names {
        if Some(name.as_str()) == id {
            continue;
        }
        let cells = text_cells(&frame, path, name)?;
        let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        columns.push(Column::from_text(name.clone(), &refs));
    }
    Ok(ScoringTable {
        ids,
        features: Table::new(columns),
    })
}
