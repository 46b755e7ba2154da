//! A flat training file (CSV or Parquet, one row per lead) as features and
//! outcomes: the target column split off and read as converted or not, the
//! excluded columns dropped, every other column numeric or categorical by content.

use std::path::{Path, PathBuf};

use leadscore_features::{Column, Table};
use polars::prelude::DataFrame;

use crate::error::{Location, RowProblem};
use crate::frame::unreadable;
use crate::{FilesError, read_table};

/// Target values read as "converted" when no positive value is named, in any case.
pub const POSITIVE_VALUES: [&str; 6] = ["1", "yes", "true", "converted", "qualified", "won"];

/// Which column is the outcome, which value of it means converted, and which
/// columns to leave out.
#[derive(Debug, Clone, Default)]
pub struct TrainingOptions {
    /// The outcome column.
    pub target: String,
    /// The value meaning converted (compared ignoring case and surrounding
    /// space); `None` recognizes one of [`POSITIVE_VALUES`].
    pub positive: Option<String>,
    /// Columns to leave out (ids, leaky or noisy fields).
    pub exclude: Vec<String>,
}

/// A flat file read for training.
#[derive(Debug, Clone)]
pub struct TrainingTable {
    /// The feature columns, numeric or categorical by content.
    pub features: Table,
    /// One outcome per row: `true` for converted.
    pub labels: Vec<bool>,
    /// The target value taken as converted, as written in the file.
    pub positive: String,
    /// The columns left out, as asked.
    pub excluded: Vec<String>,
}

/// Reads a flat training file. The target column must exist and hold a value in
/// every row; exactly two distinct values (ignoring case), one of them the
/// positive one. An excluded column that does not exist is an error too, so that
/// a typo never keeps a leaky column in.
pub fn read_training_table(
    path: &Path,
    options: &TrainingOptions,
) -> Result<TrainingTable, FilesError> {
    let frame = read_table(path)?;
    let names = column_names(&frame);
    let fail = |message: String| FilesError::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    if !names.contains(&options.target) {
        return Err(fail(format!(
            "no target column {:?}; the columns are {}",
            options.target,
            names.join(", ")
        )));
    }
    for excluded in &options.exclude {
        if !names.contains(excluded) {
            return Err(fail(format!(
                "cannot exclude {excluded:?}: no such column; the columns are {}",
                names.join(", ")
            )));
        }
    }
    let target = text_cells(&frame, path, &options.target)?;
    let (labels, positive) = labels(path, &options.target, &target, options.positive.as_deref())?;
    let mut columns = Vec::new();
    for name in &names {
        if *name == options.target || options.exclude.contains(name) {
            continue;
        }
        let cells = text_cells(&frame, path, name)?;
        let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        columns.push(Column::from_text(name.clone(), &refs));
    }
    if columns.is_empty() {
        return Err(fail("no feature column is left to train on".to_owned()));
    }
    Ok(TrainingTable {
        features: Table::new(columns),
        labels,
        positive,
        excluded: options.exclude.clone(),
    })
}

/// The names of a frame's columns, in order.
pub(crate) fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect()
}

/// A column's cells as trimmed text, an empty cell as `None`.
pub(crate) fn text_cells(
    frame: &DataFrame,
    path: &Path,
    name: &str,
) -> Result<Vec<Option<String>>, FilesError> {
    let column = frame
        .column(name)
        .and_then(|c| c.str().cloned())
        .map_err(|e| unreadable(path, e))?;
    Ok(column
        .iter()
        .map(|v| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
        .collect())
}

/// Reads the outcomes: every row needs one, and there must be two classes.
fn labels(
    path: &Path,
    target: &str,
    cells: &[Option<String>],
    positive: Option<&str>,
) -> Result<(Vec<bool>, String), FilesError> {
    let problem = |row: usize, message: String| RowProblem {
        location: Location {
            file: PathBuf::from(path),
            line: None,
            row: row as u64 + 1,
            column: Some(target.to_owned()),
        },
        message,
    };
    let mut distinct: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for (row, cell) in cells.iter().enumerate() {
        match cell {
            Some(v) if !distinct.iter().any(|d| d.eq_ignore_ascii_case(v)) => {
                distinct.push(v.clone());
            }
            Some(_) => {}
            None => problems.push(problem(row, "the outcome is empty".to_owned())),
        }
    }
    if !problems.is_empty() {
        let total = problems.len();
        problems.truncate(crate::MAX_REPORTED);
        return Err(FilesError::BadRows { problems, total });
    }
    let found = |value: &str| {
        distinct
            .iter()
            .find(|d| d.eq_ignore_ascii_case(value.trim()))
    };
    let chosen = match positive {
        Some(p) => found(p).cloned().ok_or_else(|| FilesError::Unreadable {
            path: path.to_path_buf(),
            message: format!(
                "the target {target:?} never holds the positive value {p:?}; it holds {}",
                distinct.join(", ")
            ),
        })?,
        None => POSITIVE_VALUES
            .iter()
            .find_map(|p| found(p))
            .cloned()
            .ok_or_else(|| FilesError::Unreadable {
                path: path.to_path_buf(),
                message: format!(
                    "cannot tell which value of {target:?} means converted ({}); name it with --positive",
                    distinct.join(", ")
                ),
            })?,
    };
    if distinct.len() != 2 {
        return Err(FilesError::Unreadable {
            path: path.to_path_buf(),
            message: format!(
                "the target {target:?} must hold exactly two values (converted or not); it holds {}",
                distinct.join(", ")
            ),
        });
    }
    let labels = cells
        .iter()
        .map(|c| {
            c.as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case(&chosen))
        })
        .collect();
    Ok((labels, chosen))
}
