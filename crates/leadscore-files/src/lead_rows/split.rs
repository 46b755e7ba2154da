//! Splitting a folder into parts of whole neighbourhoods, so that what
//! reads a lead's neighbourhood (a lead row, a rule model's score) can read
//! one part at a time in bounded memory.
//!
//! The check pass ([`check_folder`]) checks every record and learns each
//! one's neighbourhood; a second pass copies each neighbourhood's records, as
//! they were read, into one part (a DATA.md folder of its own in a scratch
//! folder), whole neighbourhoods filling each part up to a number of leads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use leadscore_domain::{Declared, FutureLimit, ReadProgress, RecordType};

use super::check::{CheckOptions, Checker, Neighbourhoods, Node, check_folder};
use super::copy::{Copier, CopyPass};
use super::load::EntityTimes;
use crate::FilesError;
use crate::columns::{FileColumns, Row};
use crate::ordered::scratch_folder;
use crate::stream::{InteractionTap, revisit_folder};

/// Which pass the splitting is in, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartStep {
    /// Checking the folder and learning each record's neighbourhood.
    Checking,
    /// Copying each neighbourhood's records into its part.
    Splitting,
    /// Reading the parts one after another, for
    /// [`read_lead_rows_in_parts`](super::read_lead_rows_in_parts): here the
    /// progress counts parts, not bytes.
    Reading,
}

/// Which interaction properties the parts keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PartProperties {
    /// None: only the standard (DATA.md) columns are copied.
    #[default]
    None,
    /// Only these.
    Only(BTreeSet<String>),
    /// Every one.
    All,
}

impl PartProperties {
    /// Whether the property (column) `name` is kept.
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            Self::None => false,
            Self::Only(names) => names.contains(name),
            Self::All => true,
        }
    }
}

/// What [`split_folder`] reads, and how it splits.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// Record times after this are refused, as everywhere.
    pub future: FutureLimit,
    /// The custom fields and kinds the caller declares.
    pub declared: Declared,
    /// Whole neighbourhoods are added to a part until it holds at least this
    /// many leads.
    pub leads_per_part: usize,
    /// The interaction properties copied into the parts.
    pub properties: PartProperties,
    /// Whether an interaction naming a lead (`lead_id`) joins that lead's
    /// neighbourhood to its contact's, so that what reads an interaction's
    /// lead finds it in the same part (a rule's `FormSubmitted.Lead` hop).
    pub interaction_leads: bool,
}

/// A folder split into parts (see [`split_folder`]); the scratch folder
/// holding them is removed when this is dropped.
pub struct FolderParts {
    parts: Vec<FolderPart>,
    scratch: Option<tempfile::TempDir>,
    leads: u64,
    kinds: BTreeSet<String>,
    entity_times: EntityTimes,
    interactions: u64,
    unattributed: u64,
    not_read: Vec<PathBuf>,
    interactions_read_once: bool,
}

/// One part: a DATA.md folder (the whole folder itself when it fits in one
/// part), and each of its leads' place in the whole folder's leads file.
pub struct FolderPart {
    /// The part's folder.
    pub dir: PathBuf,
    /// By lead of the part's leads file, its place (from 0) in the whole
    /// folder's leads file; `None` when the part is the whole folder.
    pub(super) file_rows: Option<Vec<u64>>,
}

impl FolderPart {
    /// The place in the whole folder's leads file (from 0) of the part's
    /// `row`th lead (from 0); `None` past the part's leads.
    pub fn file_row(&self, row: usize) -> Option<u64> {
        match &self.file_rows {
            Some(rows) => rows.get(row).copied(),
            None => Some(row as u64),
        }
    }
}

impl FolderParts {
    /// The parts, in order: each holds whole neighbourhoods, and its leads
    /// come in the whole folder's order.
    pub fn parts(&self) -> &[FolderPart] {
        &self.parts
    }

    /// How many leads the folder holds.
    pub fn leads(&self) -> u64 {
        self.leads
    }

    /// The interaction kinds the folder holds.
    pub fn kinds(&self) -> impl Iterator<Item = &String> {
        self.kinds.iter()
    }

    /// The interactions read that belong to a contact (by `contact_id`, or a
    /// `visitor_id` a contact lists), in a part or not.
    pub fn attributed_interactions(&self) -> u64 {
        self.interactions
    }

    /// The interactions read that belong to no contact: no part holds them.
    pub fn unattributed_interactions(&self) -> u64 {
        self.unattributed
    }

    /// The files not read (of records `reads` refused): only their header
    /// was checked.
    pub fn not_read(&self) -> &[PathBuf] {
        &self.not_read
    }

    /// Whether the interaction files were read once: copied into the parts
    /// as they were checked (or not copied, the folder being one part), not
    /// read again after the check.
    pub fn interactions_read_once(&self) -> bool {
        self.interactions_read_once
    }

    /// Gives up the parts, with the scratch folder holding them and each
    /// custom entity's time column as the whole folder gives it.
    pub(super) fn into_parts(self) -> (Vec<FolderPart>, Option<tempfile::TempDir>, EntityTimes) {
        (self.parts, self.scratch, self.entity_times)
    }
}

/// Checks a DATA.md folder as [`stream_folder`](crate::stream_folder) checks
/// it (every value, duplicate ids, and every reference), reading only the
/// files of the records `reads` accepts (of the others only the header), and
/// splits it into parts of whole neighbourhoods of at least
/// `options.leads_per_part` leads each (the last may hold fewer; one
/// neighbourhood larger than that is one part).
///
/// A lead's neighbourhood is its contact, its account (its own, else its
/// contact's) with every contact of that account, those contacts'
/// interactions (by `contact_id`, or by a `visitor_id` a contact lists), the
/// lead's custom records, and with [`SplitOptions::interaction_leads`] the
/// leads those interactions name. The parts are written as CSV into a
/// scratch folder made inside `scratch`; a folder that fits in one part is
/// not copied. `progress` hears how far each pass is.
///
/// The interactions, most of a folder, are read once: the neighbourhoods are
/// known when the interaction files begin (accounts, contacts, leads and
/// custom records come first), so each interaction is copied into its part as
/// it is checked, and the second pass copies the other files. Only where an
/// interaction names a lead whose neighbourhood went to another part (with
/// [`SplitOptions::interaction_leads`]) are the parts made again, after the
/// check, from every file.
///
/// Errors: a bad record is an error naming its file, line and column, as
/// [`stream_folder`](crate::stream_folder) names it; [`FilesError::Io`] or
/// [`FilesError::Write`] when the scratch folder cannot be written.
pub fn split_folder(
    dir: &Path,
    options: &SplitOptions,
    reads: &dyn Fn(&RecordType) -> bool,
    scratch: &Path,
    progress: &mut dyn FnMut(PartStep, ReadProgress),
) -> Result<FolderParts, FilesError> {
    let check = CheckOptions {
        future: options.future,
        declared: &options.declared,
        reads,
        interaction_leads: options.interaction_leads,
        properties: &options.properties,
    };
    let per_part = options.leads_per_part.max(1);
    let mut early = Early::Waiting;
    let mut tap = EarlyCopy {
        dir,
        scratch,
        per_part,
        properties: &options.properties,
        state: &mut early,
    };
    let (hoods, not_read) = check_folder(dir, &check, &mut tap, &mut |p| {
        progress(PartStep::Checking, p);
    })?;
    let mut parts = FolderParts {
        parts: vec![FolderPart {
            dir: dir.to_path_buf(),
            file_rows: None,
        }],
        scratch: None,
        leads: hoods.leads().count() as u64,
        kinds: hoods.kinds().cloned().collect(),
        entity_times: EntityTimes::Sniffed,
        interactions: hoods.attributed(),
        unattributed: hoods.unattributed(),
        not_read,
        interactions_read_once: true,
    };
    let (mut copier, scratch, interactions_copied) = match early {
        Early::Copying(copier, scratch) => (copier, scratch, true),
        // Nothing is copied: the interactions are counted as a part would.
        Early::Whole => return Ok(parts),
        Early::Waiting | Early::Crossed => {
            let plan = Plan::new(&hoods, per_part);
            if plan.parts <= 1 {
                return Ok(parts);
            }
            let scratch = scratch_folder(scratch, ".leadscore-parts-")?;
            let copier = Copier::new(dir, plan, &options.properties, &scratch);
            (copier, scratch, false)
        }
    };
    let mut pass = CopyPass {
        copier: &mut copier,
        hoods: &hoods,
        reads: &|record| {
            reads(record) && !(interactions_copied && *record == RecordType::Interaction)
        },
        progress: &mut |p| progress(PartStep::Splitting, p),
        interactions_again: false,
    };
    revisit_folder(dir, &options.declared, &mut pass)?;
    parts.interactions_read_once = !pass.interactions_again;
    parts.parts = copier.parts;
    parts.scratch = Some(scratch);
    parts.entity_times = hoods.entity_times();
    Ok(parts)
}

/// Which part each neighbourhood goes to: roots in order, each part filled
/// until it holds `leads_per_part` leads. A neighbourhood without leads goes
/// nowhere: nothing that reads a lead reads it.
pub(super) struct Plan {
    /// By node: its root's part, or `u32::MAX` for none.
    part: Vec<u32>,
    /// How many parts.
    pub parts: usize,
}

const NOWHERE: u32 = u32::MAX;

impl Plan {
    /// Plans the parts of `hoods`' neighbourhoods.
    pub(super) fn new(hoods: &Neighbourhoods, leads_per_part: usize) -> Self {
        let mut part = hoods.roots();
        let mut leads_of = vec![0u32; part.len()];
        for node in hoods.leads() {
            if let Some(n) = part
                .get(node as usize)
                .and_then(|&r| leads_of.get_mut(r as usize))
            {
                *n = n.saturating_add(1);
            }
        }
        // Each root's part, in root order, where its leads count is.
        let (mut current, mut filled) = (0u32, 0usize);
        for n in &mut leads_of {
            if *n == 0 {
                *n = NOWHERE;
                continue;
            }
            if filled >= leads_per_part {
                current += 1;
                filled = 0;
            }
            filled += *n as usize;
            *n = current;
        }
        let parts = if filled == 0 { 0 } else { current as usize + 1 };
        // Each node's part: its root's.
        for p in &mut part {
            *p = leads_of.get(*p as usize).copied().unwrap_or(NOWHERE);
        }
        Self { part, parts }
    }

    /// The part of `node`'s neighbourhood; `None` for none.
    pub fn of(&self, node: Option<Node>) -> Option<usize> {
        let part = *self.part.get(node? as usize)?;
        (part != NOWHERE).then_some(part as usize)
    }
}

/// Where copying the interactions while they are checked stands.
enum Early {
    /// No interaction file has begun.
    Waiting,
    /// The folder fits in one part: nothing is copied.
    Whole,
    /// The interactions are being copied into the parts (in the scratch
    /// folder) planned when the first interaction file began.
    Copying(Copier, tempfile::TempDir),
    /// An interaction named a lead of another part than its owner's: the
    /// parts are planned again after the check, and every file copied.
    Crossed,
}

/// The check pass's tap: plans the parts when the first interaction file
/// begins and copies each interaction into its part as it is accepted.
struct EarlyCopy<'a> {
    dir: &'a Path,
    scratch: &'a Path,
    per_part: usize,
    properties: &'a PartProperties,
    state: &'a mut Early,
}

impl InteractionTap<Checker<'_>> for EarlyCopy<'_> {
    fn begin(
        &mut self,
        checker: &Checker<'_>,
        path: &Path,
        columns: &FileColumns,
    ) -> Result<(), FilesError> {
        if let Early::Waiting = self.state {
            let plan = Plan::new(checker.hoods(), self.per_part);
            *self.state = if plan.parts <= 1 {
                Early::Whole
            } else {
                let scratch = scratch_folder(self.scratch, ".leadscore-parts-")?;
                Early::Copying(
                    Copier::new(self.dir, plan, self.properties, &scratch),
                    scratch,
                )
            };
        }
        if let Early::Copying(copier, _) = self.state {
            copier.begin(path, &RecordType::Interaction, columns)?;
        }
        Ok(())
    }

    fn row(&mut self, checker: &Checker<'_>, row: &Row<'_, '_>) -> Result<(), FilesError> {
        let Early::Copying(copier, _) = self.state else {
            return Ok(());
        };
        let taken = checker.taken();
        let part = copier.plan.of(taken.owner);
        // The check joined the owner's neighbourhood to the lead's: both must
        // be in one part (an owner's without leads, in none, is not).
        if checker.interaction_leads()
            && taken.owner.is_some()
            && let Some(lead) = taken.lead
            && copier.plan.of(Some(lead)) != part
        {
            // Dropping the copier and its scratch folder removes the copies.
            *self.state = Early::Crossed;
            return Ok(());
        }
        copier.copy(part, row)
    }

    fn end(&mut self) -> Result<(), FilesError> {
        match self.state {
            Early::Copying(copier, _) => copier.end(),
            _ => Ok(()),
        }
    }
}
