//! Reading a folder's lead rows a part at a time, so that memory stays
//! bounded however many leads the folder holds.
//!
//! A lead's row reads only its neighbourhood: its account with every
//! contact of that account, its contact, their interactions and its own
//! custom records (see [`Neighbourhoods`]). The check pass learns each
//! record's neighbourhood; a second pass copies each neighbourhood's records
//! into one part (a DATA.md folder of its own in a scratch folder), whole
//! neighbourhoods filling each part up to a number of leads. Each part is
//! then read as [`read_lead_rows`](super::read_lead_rows) reads a folder,
//! with what only the whole folder tells (the interaction kinds present, each
//! custom entity's time column) taken from the check pass, so that every row
//! is the row the whole folder gives.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use leadscore_domain::{FutureLimit, ReadProgress, RecordType};

use super::check::{Neighbourhoods, Node, check_folder};
use super::load::EntityTimes;
use super::{LeadRowOptions, LeadRows, rows_of_checked};
use crate::columns::{FileColumns, Row};
use crate::ordered::scratch_folder;
use crate::stream::{RowSink, revisit_folder};
use crate::{FilesError, Format};

/// The leads a part holds by default: whole neighbourhoods are added to a
/// part until it holds at least this many.
pub const LEADS_PER_PART: usize = 200_000;

/// Which pass the reading is in, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartStep {
    /// Checking the folder and learning each record's neighbourhood.
    Checking,
    /// Copying each neighbourhood's records into its part.
    Splitting,
}

/// A folder's lead rows, a part at a time: an iterator of [`LeadRows`], each
/// the rows of whole neighbourhoods, with
/// [`LeadRows::file_rows`] giving each row's place in the folder's leads
/// file. Within a part rows come in file order; the parts together give the
/// rows [`read_lead_rows`](super::read_lead_rows) gives, each once. A part's
/// [`LeadRows::quality`] is left empty: the findings are the whole folder's.
///
/// The parts live in a scratch folder that is removed when this is dropped.
pub struct LeadRowParts {
    options: LeadRowOptions,
    entity_times: EntityTimes,
    source: Source,
    next: usize,
    leads: u64,
}

enum Source {
    /// The folder fits in one part: it is read as it is.
    Whole(PathBuf),
    /// The parts, and the scratch folder holding them.
    Parts {
        parts: Vec<Part>,
        _scratch: tempfile::TempDir,
    },
}

/// One part: its folder, and each of its leads' place in the whole folder's
/// leads file, in the part's order.
struct Part {
    dir: PathBuf,
    file_rows: Vec<u64>,
}

impl LeadRowParts {
    /// How many parts there are.
    pub fn parts(&self) -> usize {
        match &self.source {
            Source::Whole(_) => 1,
            Source::Parts { parts, .. } => parts.len(),
        }
    }

    /// How many leads the folder holds (selected or not).
    pub fn leads(&self) -> u64 {
        self.leads
    }
}

impl Iterator for LeadRowParts {
    type Item = Result<LeadRows, FilesError>;

    fn next(&mut self) -> Option<Self::Item> {
        let index = self.next;
        self.next += 1;
        match &self.source {
            Source::Whole(dir) => (index == 0)
                .then(|| rows_of_checked(dir, &self.options, &EntityTimes::Sniffed, false)),
            Source::Parts { parts, .. } => {
                let part = parts.get(index)?;
                Some(
                    rows_of_checked(&part.dir, &self.options, &self.entity_times, false).and_then(
                        |mut rows| {
                            for row in &mut rows.file_rows {
                                *row = usize::try_from(*row)
                                    .ok()
                                    .and_then(|r| part.file_rows.get(r))
                                    .copied()
                                    .ok_or_else(|| FilesError::LeadRows {
                                        path: part.dir.clone(),
                                        message: format!("the part has no lead {row}"),
                                    })?;
                            }
                            Ok(rows)
                        },
                    ),
                )
            }
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
    let future = FutureLimit::new(options.future_tolerance, options.at);
    let hoods = check_folder(dir, future, &options.declared, &mut |p| {
        progress(PartStep::Checking, p)
    })?;
    let mut options = options.clone();
    let kinds: BTreeSet<String> = options.kinds.iter().chain(hoods.kinds()).cloned().collect();
    options.kinds = kinds.into_iter().collect();
    let leads = hoods.leads().count() as u64;
    let plan = Plan::new(&hoods, leads_per_part.max(1));
    if plan.parts <= 1 {
        return Ok(LeadRowParts {
            options,
            entity_times: EntityTimes::Sniffed,
            source: Source::Whole(dir.to_path_buf()),
            next: 0,
            leads,
        });
    }
    let scratch = scratch_folder(scratch, ".leadscore-parts-")?;
    let parts = (0..plan.parts)
        .map(|i| Part {
            dir: scratch.path().join(format!("part-{i}")),
            file_rows: Vec::new(),
        })
        .collect();
    let mut router = Router {
        dir,
        hoods: &hoods,
        plan: &plan,
        parts,
        file: None,
        lead_row: 0,
        progress: &mut |p| progress(PartStep::Splitting, p),
    };
    revisit_folder(dir, &options.declared, &mut router)?;
    let done = router.parts;
    Ok(LeadRowParts {
        entity_times: hoods.entity_times(),
        options,
        source: Source::Parts {
            parts: done,
            _scratch: scratch,
        },
        next: 0,
        leads,
    })
}

/// Which part each neighbourhood goes to: roots in order, each part filled
/// until it holds `leads_per_part` leads. A neighbourhood without leads goes
/// nowhere: no row reads it.
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
    parts: Vec<Part>,
    file: Option<Copying>,
    /// The next lead's place in the leads file.
    lead_row: u64,
    progress: &'a mut dyn FnMut(ReadProgress),
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
        // Rows do not read interaction properties: only the standard columns
        // of interactions are copied.
        let copied: Vec<usize> = match route {
            Route::Interaction => {
                let mut standard: Vec<usize> = columns.standard().collect();
                standard.sort_unstable();
                standard
            }
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
                if let Some(part) = self.plan.of(node).and_then(|p| self.parts.get_mut(p)) {
                    part.file_rows.push(self.lead_row);
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

fn write_error(path: &Path, e: csv::Error) -> FilesError {
    FilesError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
