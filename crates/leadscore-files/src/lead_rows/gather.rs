//! Reading a folder's lead rows a part at a time and gathering them into the
//! rows of the whole folder, so that what needs every row at once (training,
//! evaluation, the review) reads a folder of any size with one part's frames
//! in memory beside the rows themselves.

use std::collections::BTreeSet;
use std::path::Path;

use leadscore_domain::ReadProgress;
use leadscore_features::{Column, ColumnValues, Labels};

use super::parts::{LeadRowParts, read_lead_row_parts};
use super::quality::Findings;
use super::split::PartStep;
use super::{LeadRowOptions, LeadRows};
use crate::FilesError;

/// Reads a DATA.md folder's lead rows as [`read_lead_rows`](super::read_lead_rows)
/// does (the same checks, rows, columns, column kinds and quality findings),
/// but a part at a time ([`read_lead_row_parts`], parts of at least
/// `leads_per_part` leads, written into a scratch folder made inside
/// `scratch`), gathering the rows into the leads file's order. `progress`
/// hears how far the check, the split and the reading of the parts are.
///
/// A text column whose kind the caller does not give is numeric when every
/// cell of the whole folder is a number. When one part finds it numeric and
/// another finds text, the parts are read again with that column as labels,
/// so that each cell is kept as written.
///
/// Errors: those of [`read_lead_row_parts`].
pub fn read_lead_rows_in_parts(
    dir: &Path,
    options: &LeadRowOptions,
    leads_per_part: usize,
    scratch: &Path,
    progress: &mut dyn FnMut(PartStep, ReadProgress),
) -> Result<LeadRows, FilesError> {
    read_lead_row_parts(dir, options, leads_per_part, scratch, progress)?.gather(progress)
}

impl LeadRowParts {
    /// Reads every part and gathers their rows into the leads file's order,
    /// with the quality findings of the whole folder, as
    /// [`read_lead_rows_in_parts`] does. `progress` hears how many parts are
    /// read ([`PartStep::Reading`]).
    ///
    /// Errors: those of the parts' reading.
    pub fn gather(
        mut self,
        progress: &mut dyn FnMut(PartStep, ReadProgress),
    ) -> Result<LeadRows, FilesError> {
        gather(&mut self, progress)
    }
}

fn gather(
    parts: &mut LeadRowParts,
    progress: &mut dyn FnMut(PartStep, ReadProgress),
) -> Result<LeadRows, FilesError> {
    parts.findings = Some(Findings::default());
    let mut as_labels = BTreeSet::new();
    let total = parts.parts() as u64;
    'read: loop {
        let mut gathered: Option<LeadRows> = None;
        let mut done = 0;
        while let Some(part) = parts.next() {
            let part = part?;
            done += 1;
            progress(PartStep::Reading, ReadProgress { done, total });
            let Some(all) = gathered.as_mut() else {
                gathered = Some(part);
                continue;
            };
            let mixed = append(all, part);
            if !mixed.is_empty() {
                as_labels.extend(mixed);
                parts.rewind(&as_labels);
                continue 'read;
            }
        }
        let findings = parts.findings.take().unwrap_or_default();
        // A folder makes one part at least.
        let mut rows = in_file_order(gathered.ok_or_else(|| FilesError::LeadRows {
            path: parts.source().to_path_buf(),
            message: "the folder gave no part to read".to_owned(),
        })?);
        rows.quality = findings.quality();
        return Ok(rows);
    }
}

/// Appends a part's rows to those gathered, column by column (the parts
/// have the same columns, in the same order). Gives the names of the
/// columns that are numbers in one and text in the other, appending nothing
/// when there is one.
fn append(all: &mut LeadRows, part: LeadRows) -> Vec<String> {
    let mixed: Vec<String> = all
        .features
        .columns
        .iter()
        .zip(&part.features.columns)
        .filter(|(a, b)| kind_conflict(&a.values, &b.values))
        .map(|(a, _)| a.name.clone())
        .collect();
    if !mixed.is_empty() {
        return mixed;
    }
    let LeadRows {
        lead_ids,
        file_rows,
        features,
        outcomes,
        as_of,
        created_at,
        ..
    } = part;
    all.lead_ids.extend(lead_ids);
    all.file_rows.extend(file_rows);
    all.outcomes.extend(outcomes);
    all.as_of.extend(as_of);
    all.created_at.extend(created_at);
    for (column, more) in all.features.columns.iter_mut().zip(features.columns) {
        extend(column, more);
    }
    mixed
}

/// Whether one column holds numbers and the other text. A column with no
/// value at all reads as numeric; it joins text without losing anything.
fn kind_conflict(a: &ColumnValues, b: &ColumnValues) -> bool {
    let has_numbers = |v: &ColumnValues| matches!(v, ColumnValues::Numeric(_)) && v.has_values();
    let is_text = |v: &ColumnValues| matches!(v, ColumnValues::Categorical(_));
    // The kinds first: a column's cells are looked at only when they differ.
    (is_text(b) && has_numbers(a)) || (is_text(a) && has_numbers(b))
}

/// Appends `more`'s cells to `column` (see [`kind_conflict`]: an all-missing
/// numeric side becomes missing labels).
fn extend(column: &mut Column, more: Column) {
    match (&mut column.values, more.values) {
        (ColumnValues::Numeric(a), ColumnValues::Numeric(b)) => a.append(b),
        (ColumnValues::Categorical(a), ColumnValues::Categorical(b)) => a.append(b),
        (ColumnValues::Categorical(a), ColumnValues::Numeric(b)) => {
            for _ in 0..b.len() {
                a.push(None);
            }
        }
        (values @ ColumnValues::Numeric(_), ColumnValues::Categorical(b)) => {
            let mut labels: Labels = std::iter::repeat_n(None::<&str>, values.len()).collect();
            labels.append(b);
            *values = ColumnValues::Categorical(labels);
        }
    }
}

/// The rows sorted by their place in the leads file.
fn in_file_order(mut rows: LeadRows) -> LeadRows {
    if rows.file_rows.is_sorted() {
        return rows;
    }
    let mut order: Vec<usize> = (0..rows.file_rows.len()).collect();
    order.sort_unstable_by_key(|&i| rows.file_rows.get(i).copied());
    fn permute<T: Default>(values: &mut Vec<T>, order: &[usize]) {
        let mut old = std::mem::take(values);
        *values = order
            .iter()
            .filter_map(|&i| old.get_mut(i).map(std::mem::take))
            .collect();
    }
    fn permute_copies<T: Copy>(values: &mut Vec<T>, order: &[usize]) {
        *values = order
            .iter()
            .filter_map(|&i| values.get(i).copied())
            .collect();
    }
    permute(&mut rows.lead_ids, &order);
    permute(&mut rows.file_rows, &order);
    permute(&mut rows.outcomes, &order);
    permute_copies(&mut rows.as_of, &order);
    permute_copies(&mut rows.created_at, &order);
    for column in &mut rows.features.columns {
        column.values = column.values.take(&order);
    }
    rows
}
