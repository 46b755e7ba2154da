//! Copying a folder's rows into its parts, as they were read: the check
//! pass copies the interactions while it checks them ([`Copier`]), the
//! second pass the other files ([`CopyPass`]).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use leadscore_domain::{ReadProgress, RecordType};

use super::check::Neighbourhoods;
use super::split::{FolderPart, PartProperties, Plan};
use crate::columns::{FileColumns, Row};
use crate::ordered::write_error;
use crate::stream::RowSink;
use crate::{FilesError, Format};

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

/// Copies rows into their parts: the plan, each part's folder and leads, and
/// the file being copied.
pub(super) struct Copier {
    /// The folder split.
    dir: PathBuf,
    pub plan: Plan,
    properties: PartProperties,
    pub parts: Vec<FolderPart>,
    file: Option<Copying>,
    /// The next lead's place in the leads file.
    lead_row: u64,
}

impl Copier {
    /// Copies `dir` into the parts `plan` gives, each a folder in `scratch`.
    pub fn new(
        dir: &Path,
        plan: Plan,
        properties: &PartProperties,
        scratch: &tempfile::TempDir,
    ) -> Self {
        let parts = (0..plan.parts)
            .map(|i| FolderPart {
                dir: scratch.path().join(format!("part-{i}")),
                file_rows: Some(Vec::new()),
            })
            .collect();
        Self {
            dir: dir.to_path_buf(),
            plan,
            properties: properties.clone(),
            parts,
            file: None,
            lead_row: 0,
        }
    }

    /// The positions of an interaction file's columns that are copied: the
    /// standard ones and the properties kept, in the file's order.
    fn interaction_columns(&self, columns: &FileColumns) -> Vec<usize> {
        let mut copied: Vec<usize> = columns.standard().collect();
        for (i, name) in columns.names.iter().enumerate() {
            if self.properties.keeps(name) && !copied.contains(&i) {
                copied.push(i);
            }
        }
        copied.sort_unstable();
        copied
    }

    /// A file begins: each part's copy of it is made, with its header.
    /// Gives the positions read (an interaction file's copied columns).
    pub fn begin(
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
        let mut relative = path.strip_prefix(&self.dir).unwrap_or(path).to_path_buf();
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

    /// The part of a row of the file begun last: its neighbourhood's (a
    /// lead's place in the leads file is noted in its part).
    fn part(&mut self, hoods: &Neighbourhoods, row: &Row<'_, '_>) -> Option<usize> {
        let route = self.file.as_ref()?.route;
        let node = match route {
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
        self.plan.of(node)
    }

    /// Copies a row of the file begun last into `part` (none: nowhere).
    pub fn copy(&mut self, part: Option<usize>, row: &Row<'_, '_>) -> Result<(), FilesError> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        let Some((writer, path)) = part.and_then(|p| file.writers.get_mut(p)) else {
            return Ok(());
        };
        writer
            .write_record(file.copied.iter().map(|&i| row.cell(i).unwrap_or_default()))
            .map_err(|e| write_error(path, e))
    }

    /// The file begun last is copied whole: its copies are flushed.
    pub fn end(&mut self) -> Result<(), FilesError> {
        if let Some(file) = self.file.take() {
            for (mut writer, path) in file.writers {
                writer
                    .flush()
                    .map_err(|source| FilesError::Io { path, source })?;
            }
        }
        Ok(())
    }
}

/// The second pass: each row of the files not yet copied copied, as it was
/// read, into its neighbourhood's part.
pub(super) struct CopyPass<'a> {
    pub copier: &'a mut Copier,
    pub hoods: &'a Neighbourhoods,
    pub reads: &'a dyn Fn(&RecordType) -> bool,
    pub progress: &'a mut dyn FnMut(ReadProgress),
    /// Whether an interaction file was read (again, after the check).
    pub interactions_again: bool,
}

impl RowSink for CopyPass<'_> {
    fn begin(
        &mut self,
        path: &Path,
        record: &RecordType,
        columns: &FileColumns,
    ) -> Result<Option<Vec<usize>>, FilesError> {
        self.interactions_again |= *record == RecordType::Interaction;
        self.copier.begin(path, record, columns)
    }

    fn row(&mut self, row: &Row<'_, '_>) -> Result<(), FilesError> {
        let part = self.copier.part(self.hoods, row);
        self.copier.copy(part, row)
    }

    fn end(&mut self) -> Result<(), FilesError> {
        self.copier.end()
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
