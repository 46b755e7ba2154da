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
use std::path::{Path, PathBuf};

use leadscore_domain::{
    Account, Contact, CustomRecord, Dataset, EntityName, FieldNames, FutureLimit, InteractionRow,
    Lead, ReadProgress, RecordSink, RecordType, UnknownReference,
};

use super::check::{Neighbourhoods, Node, check_folder};
use super::load::{EntityTimes, extra_columns};
use super::{LeadRowOptions, LeadRows, rows_of_checked};
use crate::layout::discover;
use crate::ordered::scratch_folder;
use crate::{FilesError, FolderWriter, Format, StreamOptions, stream_folder};

/// The leads a part holds by default: whole neighbourhoods are added to a
/// part until it holds at least this many.
pub const LEADS_PER_PART: usize = 200_000;

/// Records gathered for a part before they are appended to its files.
const CHUNK: usize = 4096;

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
            Source::Whole(dir) => (index == 0).then(|| {
                rows_of_checked(dir, &self.options, &EntityTimes::Sniffed).map(|mut rows| {
                    rows.quality = Default::default();
                    rows
                })
            }),
            Source::Parts { parts, .. } => {
                let part = parts.get(index)?;
                Some(
                    rows_of_checked(&part.dir, &self.options, &self.entity_times).and_then(
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
                            rows.quality = Default::default();
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
    let names = field_names(dir, &hoods)?;
    let mut writers = Vec::with_capacity(plan.parts);
    for i in 0..plan.parts {
        let part = scratch.path().join(format!("part-{i}"));
        writers.push(PartWriter {
            writer: Some(FolderWriter::create(&part, Format::Csv, &names)?),
            dir: part,
            chunk: Dataset::default(),
            records: 0,
            file_rows: Vec::new(),
        });
    }
    let mut router = Router {
        dir,
        hoods: &hoods,
        plan: &plan,
        parts: writers,
        lead_row: 0,
        failed: None,
        progress: &mut |p| progress(PartStep::Splitting, p),
    };
    let stream = StreamOptions {
        skip_bad_rows: false,
        future,
        declared: options.declared.clone(),
    };
    stream_folder(dir, &mut router, &stream)?;
    let Router { parts, failed, .. } = router;
    if let Some(failed) = failed {
        return Err(failed);
    }
    let mut done = Vec::with_capacity(parts.len());
    for mut part in parts {
        part.flush()?;
        if let Some(writer) = part.writer.take() {
            writer.finish()?;
        }
        done.push(Part {
            dir: part.dir,
            file_rows: part.file_rows,
        });
    }
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

/// The custom field names each part's files carry: the whole folder's
/// columns, so that every part has the same columns (interaction properties
/// are not copied: rows do not read them).
fn field_names(dir: &Path, hoods: &Neighbourhoods) -> Result<FieldNames, FilesError> {
    let mut names = FieldNames::default();
    for file in discover(dir)? {
        let set = match &file.record {
            RecordType::Account => &mut names.accounts,
            RecordType::Contact => &mut names.contacts,
            RecordType::Lead => &mut names.leads,
            RecordType::Interaction | RecordType::Custom(_) => continue,
        };
        set.extend(extra_columns(&file)?);
    }
    for (entity, fields) in hoods.entity_fields() {
        names.custom.insert(
            entity.clone(),
            fields.into_iter().map(str::to_owned).collect(),
        );
    }
    Ok(names)
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
        let nodes = hoods.nodes();
        let mut leads_of = vec![0u32; nodes];
        for node in hoods.leads() {
            if let Some(n) = leads_of.get_mut(hoods.root(node) as usize) {
                *n = n.saturating_add(1);
            }
        }
        let mut root_part = vec![NOWHERE; nodes];
        let (mut part, mut filled) = (0u32, 0usize);
        for (root, &n) in leads_of.iter().enumerate() {
            if n == 0 {
                continue;
            }
            if filled >= leads_per_part {
                part += 1;
                filled = 0;
            }
            root_part[root] = part;
            filled += n as usize;
        }
        let parts = if filled == 0 { 0 } else { part as usize + 1 };
        let part = (0..nodes)
            .map(|node| root_part[hoods.root(node as Node) as usize])
            .collect();
        Self { part, parts }
    }

    fn of(&self, node: Option<Node>) -> Option<usize> {
        let part = *self.part.get(node? as usize)?;
        (part != NOWHERE).then_some(part as usize)
    }
}

/// One part being written.
struct PartWriter {
    writer: Option<FolderWriter>,
    dir: PathBuf,
    chunk: Dataset,
    records: usize,
    file_rows: Vec<u64>,
}

impl PartWriter {
    fn flush(&mut self) -> Result<(), FilesError> {
        if self.records == 0 {
            return Ok(());
        }
        if let Some(writer) = &mut self.writer {
            writer.write(&self.chunk)?;
        }
        self.chunk = Dataset::default();
        self.records = 0;
        Ok(())
    }
}

/// The second pass: each record copied into its neighbourhood's part.
struct Router<'a> {
    dir: &'a Path,
    hoods: &'a Neighbourhoods,
    plan: &'a Plan,
    parts: Vec<PartWriter>,
    /// The next lead's place in the leads file.
    lead_row: u64,
    /// The first write that failed; nothing is written after it.
    failed: Option<FilesError>,
    progress: &'a mut dyn FnMut(ReadProgress),
}

impl Router<'_> {
    /// Adds a record to `node`'s part.
    fn add(&mut self, node: Option<Node>, add: impl FnOnce(&mut PartWriter)) {
        if self.failed.is_some() {
            return;
        }
        let Some(part) = self.plan.of(node).and_then(|p| self.parts.get_mut(p)) else {
            return;
        };
        add(part);
        part.records += 1;
        if part.records >= CHUNK
            && let Err(e) = part.flush()
        {
            self.failed = Some(e);
        }
    }
}

impl RecordSink for Router<'_> {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        let node = self.hoods.account(account.account_id.as_str());
        self.add(node, |p| p.chunk.accounts.push(account));
        Ok(())
    }

    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        let node = self.hoods.contact(contact.contact_id.as_str());
        self.add(node, |p| p.chunk.contacts.push(contact));
        Ok(())
    }

    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        let node = self.hoods.lead(lead.lead_id.as_str());
        let row = self.lead_row;
        self.lead_row += 1;
        self.add(node, |p| {
            p.file_rows.push(row);
            p.chunk.leads.push(lead);
        });
        Ok(())
    }

    fn custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        let node = self.hoods.lead(record.lead_id.as_str());
        self.add(node, |p| {
            p.chunk
                .custom
                .entry(entity.clone())
                .or_default()
                .push(record);
        });
        Ok(())
    }

    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        let node = self.hoods.owner(row.contact_id, row.visitor_id);
        if self.plan.of(node).is_none() {
            return Ok(());
        }
        match row.to_interaction() {
            Ok(interaction) => self.add(node, |p| p.chunk.interactions.push(interaction)),
            Err(e) => {
                self.failed.get_or_insert(FilesError::LeadRows {
                    path: self.dir.to_path_buf(),
                    message: format!("interaction {}: {e}", row.id),
                });
            }
        }
        Ok(())
    }

    fn wants_property(&self, _: &str) -> bool {
        false
    }

    fn read_progress(&mut self, progress: ReadProgress) {
        (self.progress)(progress);
    }
}
