//! Splitting a folder into parts of whole neighbourhoods, so that what
//! reads a lead's neighbourhood (a lead row, a rule model's score) can read
//! one part at a time in bounded memory.
//!
//! The check pass ([`check_folder`]) checks every record and learns each
//! one's neighbourhood; a second pass copies each neighbourhood's records, as
//! they were read, into one part (a DATA.md folder of its own in a scratch
//! folder), whole neighbourhoods filling each part up to a number of leads.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use leadscore_domain::{Declared, FutureLimit, ReadProgress, RecordType};

use super::check::{CheckOptions, Neighbourhoods, Node, check_folder};
use super::load::EntityTimes;
use crate::columns::{FileColumns, Row};
use crate::ordered::{scratch_folder, write_error};
use crate::stream::{RowSink, revisit_folder};
use crate::{FilesError, Format};

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
}

/// One part: a DATA.md folder (the whole folder itself when it fits in one
/// part), and each of its leads' place in the whole folder's leads file.
pub struct FolderPart {
    /// The part's folder.
    pub dir: PathBuf,
    /// By lead of the part's leads file, its place (from 0) in the whole
    /// folder's leads file; `None` when the part is the whole folder.
    file_rows: Option<Vec<u64>>,
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
    };
    let (hoods, not_read) = check_folder(dir, &check, &mut |p| progress(PartStep::Checking, p))?;
    let leads = hoods.leads().count() as u64;
    let kinds = hoods.kinds().cloned().collect();
    let plan = Plan::new(&hoods, options.leads_per_part.max(1));
    if plan.parts <= 1 {
        // Nothing is copied: the interactions are counted as a part would.
        return Ok(FolderParts {
            parts: vec![FolderPart {
                dir: dir.to_path_buf(),
                file_rows: None,
            }],
            scratch: None,
            leads,
            kinds,
            entity_times: EntityTimes::Sniffed,
            interactions: hoods.attributed(),
            unattributed: hoods.unattributed(),
            not_read,
        });
    }
    let scratch = scratch_folder(scratch, ".leadscore-parts-")?;
    let parts = (0..plan.parts)
        .map(|i| FolderPart {
            dir: scratch.path().join(format!("part-{i}")),
            file_rows: Some(Vec::new()),
        })
        .collect();
    let mut router = Router {
        dir,
        hoods: &hoods,
        plan: &plan,
        reads,
        properties: &options.properties,
        parts,
        file: None,
        lead_row: 0,
        progress: &mut |p| progress(PartStep::Splitting, p),
    };
    revisit_folder(dir, &options.declared, &mut router)?;
    Ok(FolderParts {
        parts: router.parts,
        scratch: Some(scratch),
        leads,
        kinds,
        entity_times: hoods.entity_times(),
        interactions: hoods.attributed(),
        unattributed: hoods.unattributed(),
        not_read,
    })
}

/// Which part each neighbourhood goes to: roots in order, each part filled
/// until it holds `leads_per_part` leads. A neighbourhood without leads goes
/// nowhere: nothing that reads a lead reads it.
struct Plan {
    /// By node: its root's part, or `u32::MAX` for none.
    part: Vec<u32>,
    parts: usize,
}

const NOWHERE: u32 = u32::MAX;

impl Plan {
    fn new(hoods: &Neighbourhoods, leads_per_part: usize) -> Self {
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

    fn of(&self, node: Option<Node>) -> Option<usize> {
        let part = *self.part.get(node? as usize)?;
        (part != NOWHERE).then_some(part as usize)
    }
}

/// The file being copied: a writer into each part's copy of it, the
/// columns copied, and how a row finds its neighbourhood.
struct Copying {
    writers: Vec<(csv::Writer<BufWriter<File>>, PathBuf)>,
    /// The positions copied, in the file's order.
    copied: Vec<usize>,
    route: Route,
}

/// How a row of a file finds its neighbourhood.
#[derive(Clone, Copy)]
enum Route {
    Account,
    Contact,
    Lead,
    /// A custom record, by its lead.
    Custom,
    Interaction,
}

/// The second pass: each row copied, as it was read, into its
/// neighbourhood's part.
struct Router<'a> {
    dir: &'a Path,
    hoods: &'a Neighbourhoods,
    plan: &'a Plan,
    reads: &'a dyn Fn(&RecordType) -> bool,
    properties: &'a PartProperties,
    parts: Vec<FolderPart>,
    file: Option<Copying>,
    /// The next lead's place in the leads file.
    lead_row: u64,
    progress: &'a mut dyn FnMut(ReadProgress),
}

impl Router<'_> {
    /// The positions of an interaction file's columns that are copied: the
    /// standard ones and the properties kept, in the file's order.
    fn interaction_columns(&self, columns: &FileColumns) -> Vec<usize> {
        let mut copied: Vec<usize> = columns.standard().collect();
        for (i, name) in columns.names.iter().enumerate() {
            let kept = match self.properties {
                PartProperties::None => false,
                PartProperties::Only(names) => names.contains(name),
                PartProperties::All => true,
            };
            if kept && !copied.contains(&i) {
                copied.push(i);
            }
        }
        copied.sort_unstable();
        copied
    }
}

impl RowSink for Router<'_> {
    fn begin(
        &mut self,
        path: &Path,
        record: &RecordType,
        columns: &FileColumns,
    ) -> Result<Option<Vec<usize>>, FilesError> {
        let route = match record {
            RecordType::Account => Route::Account,
            RecordType::Contact => Route::Contact,
            RecordType::Lead => Route::Lead,
            RecordType::Custom(_) => Route::Custom,
            RecordType::Interaction => Route::Interaction,
        };
        let copied: Vec<usize> = match route {
            Route::Interaction => self.interaction_columns(columns),
            _ => (0..columns.names.len()).collect(),
        };
        let header: Vec<&str> = copied
            .iter()
            .filter_map(|&i| columns.names.get(i).map(String::as_str))
            .collect();
        let mut relative = path.strip_prefix(self.dir).unwrap_or(path).to_path_buf();
        relative.set_extension(Format::Csv.extension());
        let mut writers = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            let path = part.dir.join(&relative);
            writers.push((create_csv(&path, &header)?, path));
        }
        let read = matches!(route, Route::Interaction).then(|| copied.clone());
        self.file = Some(Copying {
            writers,
            copied,
            route,
        });
        Ok(read)
    }

    fn row(&mut self, row: &Row<'_, '_>) -> Result<(), FilesError> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        let hoods = self.hoods;
        let node = match file.route {
            Route::Account => row.get("account_id").and_then(|id| hoods.account(id)),
            Route::Contact => row.get("contact_id").and_then(|id| hoods.contact(id)),
            Route::Lead => {
                let node = row.get("lead_id").and_then(|id| hoods.lead(id));
                if let Some(rows) = self
                    .plan
                    .of(node)
                    .and_then(|p| self.parts.get_mut(p))
                    .and_then(|part| part.file_rows.as_mut())
                {
                    rows.push(self.lead_row);
                }
                self.lead_row += 1;
                node
            }
            Route::Custom => row.get("lead_id").and_then(|id| hoods.lead(id)),
            Route::Interaction => hoods.owner(row.get("contact_id"), row.get("visitor_id")),
        };
        let Some((writer, path)) = self.plan.of(node).and_then(|p| file.writers.get_mut(p)) else {
            return Ok(());
        };
        writer
            .write_record(file.copied.iter().map(|&i| row.cell(i).unwrap_or_default()))
            .map_err(|e| write_error(path, e))
    }

    fn end(&mut self) -> Result<(), FilesError> {
        if let Some(file) = self.file.take() {
            for (mut writer, path) in file.writers {
                writer
                    .flush()
                    .map_err(|source| FilesError::Io { path, source })?;
            }
        }
        Ok(())
    }

    fn progress(&mut self, progress: ReadProgress) {
        (self.progress)(progress);
    }

    fn reads(&self, record: &RecordType) -> bool {
        (self.reads)(record)
    }
}

/// Creates a part's copy of a file (and its folder) and writes its header.
fn create_csv(path: &Path, header: &[&str]) -> Result<csv::Writer<BufWriter<File>>, FilesError> {
    let io = |source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let file = File::create(path).map_err(io)?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(1 << 16, file));
    writer
        .write_record(header)
        .map_err(|e| write_error(path, e))?;
    Ok(writer)
}
