//! Putting computed values back in row order: a joined or grouped frame holds
//! some rows (by their [`POS`]) in any order; each output column has one cell
//! per row.

use polars::prelude::*;

use super::POS;

/// Where each row of `frame` goes: its [`POS`] (rows of other sizes are out of
/// range and dropped).
pub(super) fn positions(frame: &DataFrame) -> PolarsResult<Vec<usize>> {
    let pos = frame.column(POS)?.idx()?;
    Ok(pos
        .iter()
        .map(|p| p.map_or(usize::MAX, |p| p as usize))
        .collect())
}

/// A text column's values placed at their rows; rows with none are absent.
pub(super) fn text<'a>(
    frame: &'a DataFrame,
    name: &str,
    positions: &[usize],
    rows: usize,
) -> PolarsResult<Vec<Option<&'a str>>> {
    let mut cells = vec![None; rows];
    let values = frame.column(name)?.str()?;
    for (&p, value) in positions.iter().zip(values.iter()) {
        if let Some(cell) = cells.get_mut(p) {
            *cell = value;
        }
    }
    Ok(cells)
}

/// A numeric column's values (as `f64`) placed at their rows; rows with none
/// get `default`.
pub(super) fn numbers(
    frame: &DataFrame,
    name: &str,
    positions: &[usize],
    rows: usize,
    default: Option<f64>,
) -> PolarsResult<Vec<Option<f64>>> {
    let mut cells = vec![default; rows];
    let values = frame.column(name)?.cast(&DataType::Float64)?;
    for (&p, value) in positions.iter().zip(values.f64()?.iter()) {
        if let Some(cell) = cells.get_mut(p) {
            *cell = value;
        }
    }
    Ok(cells)
}
