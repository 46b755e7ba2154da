//! Reading a folder's lead rows a part at a time, so that memory stays
//! bounded however many leads the folder holds.
//!
//! A lead's row reads only its neighbourhood: its account with every
//! contact of that account, its contact, their interactions and its own
//! custom records. The folder is split into parts of whole neighbourhoods
//! ([`split_folder`]); each part is then read as
//! [`read_lead_rows`](super::read_lead_rows) reads a folder, with what only
//! the whole folder tells (the interaction kinds present, each custom
//! entity's time column) taken from the check pass, so that every row is the
//! row the whole folder gives.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use leadscore_domain::{FutureLimit, ReadProgress};
use leadscore_features::ColumnKind;

use super::load::EntityTimes;
use super::quality::Findings;
use super::split::{FolderPart, PartProperties, PartStep, SplitOptions, split_folder};
use super::{LeadRowOptions, LeadRows, rows_of_checked};
use crate::FilesError;

/// The leads a part holds by default: whole neighbourhoods are added to a
/// part until it holds at least this many.
pub const LEADS_PER_PART: usize = 200_000;

/// A folder's lead rows, a part at a time: an iterator of [`LeadRows`], each
/// the rows of whole neighbourhoods, with
/// [`LeadRows::file_rows`] giving each row's place in the folder's leads
/// file. Within a part rows come in file order; the parts together give the
/// rows [`read_lead_rows`](super::read_lead_rows) gives, each once. A part's
/// [`LeadRows::quality`] is left empty: the findings are the whole folder's.
///
/// The parts live in a scratch folder that is removed when this is dropped.
pub struct LeadRowParts {
    /// The folder split (or the records' scratch folder).
    source: PathBuf,
    options: LeadRowOptions,
    entity_times: EntityTimes,
    parts: Vec<FolderPart>,
    _scratch: Option<tempfile::TempDir>,
    next: usize,
    leads: u64,
    /// The quality findings of the parts read so far, when they are asked
    /// for (by [`read_lead_rows_in_parts`](super::read_lead_rows_in_parts)).
    pub(super) findings: Option<Findings>,
}

impl LeadRowParts {
    /// The rows of `split`'s parts, read with `options` (whose kinds are
    /// taken once each: those present in the whole folder are added to
    /// them); `source` is the folder split, named when it gives no part.
    pub(super) fn new(source: &Path, mut options: LeadRowOptions, split: Split) -> Self {
        let kinds: BTreeSet<String> = options.kinds.drain(..).collect();
        options.kinds = kinds.into_iter().collect();
        Self {
            source: source.to_path_buf(),
            options,
            entity_times: split.entity_times,
            parts: split.parts,
            _scratch: split.scratch,
            next: 0,
            leads: split.leads,
            findings: None,
        }
    }

    /// How many parts there are.
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// How many leads the folder holds (selected or not).
    pub fn leads(&self) -> u64 {
        self.leads
    }

    /// The folder split (or the records' scratch folder).
    pub(super) fn source(&self) -> &Path {
        &self.source
    }
}

impl Iterator for LeadRowParts {
    type Item = Result<LeadRows, FilesError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.parts.len() {
            return None;
        }
        let k = self.next;
        self.next += 1;
        let quality = self.findings.is_some();
        Some(self.read(k, quality).map(|(rows, found)| {
            if let (Some(all), Some(found)) = (self.findings.as_mut(), found) {
                all.merge(found);
            }
            rows
        }))
    }
}

impl LeadRowParts {
    /// The rows of the `k`th part (from 0), as the iterator gives them,
    /// without the quality findings: parts are read independently, so a
    /// caller may read several at once on different threads.
    ///
    /// Errors: those of the iterator's items, and [`FilesError::LeadRows`]
    /// when there is no `k`th part.
    pub fn part(&self, k: usize) -> Result<LeadRows, FilesError> {
        self.read(k, false).map(|(rows, _)| rows)
    }

    /// Reads the `k`th part's rows, with the part's findings when
    /// `quality`, each row and finding placed in the whole folder's leads
    /// file.
    fn read(&self, k: usize, quality: bool) -> Result<(LeadRows, Option<Findings>), FilesError> {
        let part = self.parts.get(k).ok_or_else(|| FilesError::LeadRows {
            path: self
                .parts
                .first()
                .map(|p| p.dir.clone())
                .unwrap_or_default(),
            message: format!("there is no part {} of {}", k + 1, self.parts.len()),
        })?;
        let (mut rows, mut findings) =
            rows_of_checked(&part.dir, &self.options, &self.entity_times, quality)?;
        let place = |row: u64| usize::try_from(row).ok().and_then(|r| part.file_row(r));
        let missing = |row: u64| FilesError::LeadRows {
            path: part.dir.clone(),
            message: format!("the part has no lead {row}"),
        };
        for row in &mut rows.file_rows {
            *row = place(*row).ok_or_else(|| missing(*row))?;
        }
        if let Some(found) = &mut findings {
            found.place(place).map_err(missing)?;
        }
        Ok((rows, findings))
    }

    /// Starts again from the first part, reading the text columns named in
    /// `categorical` as labels (see [`LeadRowOptions::column_kinds`]), the
    /// findings gathered so far forgotten.
    pub(super) fn rewind(&mut self, categorical: &BTreeSet<String>) {
        for name in categorical {
            self.options
                .column_kinds
                .entry(name.clone())
                .or_insert(ColumnKind::Categorical);
        }
        self.next = 0;
        if self.findings.is_some() {
            self.findings = Some(Findings::default());
        }
    }
}

/// Reads a DATA.md folder's lead rows a part at a time (see the module
/// documentation): the same checks and the same rows as
/// [`read_lead_rows`](super::read_lead_rows), in parts of whole
/// neighbourhoods of at least `leads_per_part` leads each (the last may hold
/// fewer; one neighbourhood larger than that is one part). The parts are
/// written as CSV into a scratch folder made inside `scratch`; a folder that
/// fits in one part is read as it is. `progress` hears how far each pass is.
///
/// Errors: those of [`read_lead_rows`](super::read_lead_rows), and
/// [`FilesError::Io`] or [`FilesError::Write`] when the scratch folder
/// cannot be written.
pub fn read_lead_row_parts(
    dir: &Path,
    options: &LeadRowOptions,
    leads_per_part: usize,
    scratch: &Path,
    progress: &mut dyn FnMut(PartStep, ReadProgress),
) -> Result<LeadRowParts, FilesError> {
    super::check_options(options)?;
    let split = SplitOptions {
        future: FutureLimit::new(options.future_tolerance, options.at),
        declared: options.declared.clone(),
        leads_per_part,
        // Rows do not read interaction properties, nor an interaction's lead.
        properties: PartProperties::None,
        interaction_leads: false,
    };
    let split = split_folder(dir, &split, &|_| true, scratch, progress)?;
    let mut options = options.clone();
    options.kinds.extend(split.kinds().cloned());
    let leads = split.leads();
    let (parts, scratch, entity_times) = split.into_parts();
    Ok(LeadRowParts::new(
        dir,
        options,
        Split {
            parts,
            scratch,
            entity_times,
            leads,
        },
    ))
}

/// What splitting gave: the parts, the scratch folder holding them, each
/// custom entity's time column as the whole folder gives it, and how many
/// leads there are.
pub(super) struct Split {
    pub parts: Vec<FolderPart>,
    pub scratch: Option<tempfile::TempDir>,
    pub entity_times: EntityTimes,
    pub leads: u64,
}
