//! Applying a mapping: the export's rows become DATA.md records in a folder,
//! and every record keeps the place in the export it came from.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use indexmap::IndexMap;
use leadscore_domain::RecordType;
use leadscore_files::{FilesError, LineMap, Location, MAX_REPORTED, RowProblem};

use crate::plan::{FilePlan, Getter, Resolved, claim, plan, unreadable};
use crate::spec::{RECORDS, ValueType};
use crate::{Mapping, MappingError};

/// How [`Mapping::apply`] treats bad values.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Leave out a row with a bad value (every one is reported) instead of
    /// failing.
    pub skip_bad_rows: bool,
}

/// Where one written record came from.
#[derive(Debug, Clone, Copy)]
struct Origin {
    /// The source file (an index into [`Mapped::sources`]).
    file: u32,
    /// Its record number in the export (its line is found when a problem
    /// names it: see [`Mapped::line`]).
    row: u64,
    /// The line it starts on in the written file.
    written_line: u64,
}

/// One written DATA.md file.
#[derive(Debug, Default)]
struct Written {
    origins: Vec<Origin>,
    /// Per export file: written column to the export's column.
    columns: HashMap<u32, HashMap<String, String>>,
}

/// An export, mapped: the DATA.md folder written, and how to name every place
/// in it by its place in the export.
#[derive(Debug)]
pub struct Mapped {
    folder: PathBuf,
    sources: Vec<PathBuf>,
    /// Each source's lines, read when a problem first names one.
    lines: Vec<OnceLock<LineMap>>,
    written: HashMap<String, Written>,
    /// The DATA.md files of the export passed through as they are.
    passed: HashMap<String, PathBuf>,
    /// Rows left out for a bad value (with [`ApplyOptions::skip_bad_rows`]).
    pub skipped: Vec<RowProblem>,
    /// How many records of each kind were written (accounts, contacts, leads,
    /// interactions).
    pub counts: [u64; 4],
    /// The custom fields (and interaction properties) written, by record.
    custom: Vec<(RecordType, String)>,
}

impl Mapped {
    /// The DATA.md folder the records were written to.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The export's files that were read, in order.
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }

    /// The custom fields (and interaction properties) the mapping wrote, by
    /// record: the ones it names and the columns its `others: custom` kept.
    /// The mapping declares them, so a name close to a DATA.md column is not
    /// refused as a misnamed one when the folder is read (declare these in
    /// the reader's options).
    pub fn declared_custom(&self) -> &[(RecordType, String)] {
        &self.custom
    }

    /// An error about the written folder, with every place named by its place
    /// in the export.
    pub fn relocate(&self, error: FilesError) -> FilesError {
        self.relocated(&error).unwrap_or(error)
    }

    /// [`Mapped::relocate`] of an error held by reference (one inside another
    /// error's chain): the error named in the export, or `None` when it names
    /// no place in the written folder.
    pub fn relocated(&self, error: &FilesError) -> Option<FilesError> {
        Some(match error {
            FilesError::BadRows { problems, total } => FilesError::BadRows {
                problems: problems
                    .iter()
                    .map(|p| self.relocate_problem(p.clone()))
                    .collect(),
                total: *total,
            },
            FilesError::Unreadable { path, message } => FilesError::Unreadable {
                path: self.original(path),
                message: message.clone(),
            },
            FilesError::BadHeader {
                path,
                position,
                reason,
            } => FilesError::BadHeader {
                path: self.original(path),
                position: *position,
                reason: reason.clone(),
            },
            _ => return None,
        })
    }

    /// Every row left out: by the mapping (a bad value) and by the reader of
    /// the written folder (`read`, its skipped rows), each named at its place
    /// in the export.
    pub fn left_out(&self, read: &[RowProblem]) -> Vec<RowProblem> {
        self.skipped
            .iter()
            .cloned()
            .chain(read.iter().map(|p| self.relocate_problem(p.clone())))
            .collect()
    }

    /// One problem about the written folder, named by its place in the export.
    pub fn relocate_problem(&self, problem: RowProblem) -> RowProblem {
        let Some(stem) = self.stem_of(&problem.location.file) else {
            return problem;
        };
        if let Some(original) = self.passed.get(&stem) {
            let mut problem = problem;
            problem.location.file = original.clone();
            return problem;
        }
        let Some(written) = self.written.get(&stem) else {
            return problem;
        };
        let Some(origin) = usize::try_from(problem.location.row)
            .ok()
            .and_then(|r| r.checked_sub(1))
            .and_then(|r| written.origins.get(r))
        else {
            return problem;
        };
        let column = problem.location.column.map(|c| {
            written
                .columns
                .get(&origin.file)
                .and_then(|m| m.get(&c))
                .cloned()
                .unwrap_or_else(|| format!("{c} (set by the mapping)"))
        });
        let message = self.relocate_message(written, &problem.message);
        RowProblem {
            location: Location {
                file: self.source(origin.file),
                line: Some(self.line(origin.file, origin.row)),
                row: origin.row,
                column,
            },
            message,
        }
    }

    /// `(first at line N)` in a message names a line of the written file: name
    /// the export's file and line instead.
    fn relocate_message(&self, written: &Written, message: &str) -> String {
        const MARK: &str = "(first at line ";
        let Some(start) = message.find(MARK) else {
            return message.to_owned();
        };
        let rest = &message[start + MARK.len()..];
        let Some(end) = rest.find(')') else {
            return message.to_owned();
        };
        let Ok(line) = rest[..end].parse::<u64>() else {
            return message.to_owned();
        };
        let found = written
            .origins
            .binary_search_by_key(&line, |o| o.written_line)
            .ok()
            .and_then(|i| written.origins.get(i));
        match found {
            Some(o) => format!(
                "{}(first at {} line {}){}",
                &message[..start],
                self.source(o.file).display(),
                self.line(o.file, o.row),
                &rest[end + 1..]
            ),
            None => message.to_owned(),
        }
    }

    /// The line of an export's record (CSV lines, quoted line breaks and
    /// `\r\n` counted right).
    fn line(&self, file: u32, row: u64) -> u64 {
        match self.lines.get(file as usize) {
            Some(lines) => lines
                .get_or_init(|| LineMap::build(&self.source(file)))
                .line_of(row),
            None => row + 1,
        }
    }

    fn source(&self, i: u32) -> PathBuf {
        self.sources.get(i as usize).cloned().unwrap_or_default()
    }

    fn stem_of(&self, path: &Path) -> Option<String> {
        if path.parent()? != self.folder {
            return None;
        }
        Some(path.file_stem()?.to_str()?.to_owned())
    }

    fn original(&self, path: &Path) -> PathBuf {
        match self.stem_of(path) {
            Some(stem) => match (self.passed.get(&stem), self.written.get(&stem)) {
                (Some(p), _) => p.clone(),
                (None, Some(w)) => w
                    .origins
                    .first()
                    .map(|o| self.source(o.file))
                    .unwrap_or_else(|| path.to_path_buf()),
                (None, None) => path.to_path_buf(),
            },
            None => path.to_path_buf(),
        }
    }
}

/// A derived record (a lead's contact or account) waiting to be written once
/// per id.
struct Pending {
    cells: Vec<String>,
    origin: Origin,
}

/// The writer of one DATA.md file.
struct Output {
    record: RecordType,
    columns: Vec<String>,
    writer: csv::Writer<File>,
    path: PathBuf,
    line: u64,
    written: Written,
    primary_ids: HashSet<String>,
    pending: IndexMap<String, Pending>,
}

impl Output {
    fn write(&mut self, cells: &[String], mut origin: Origin) -> Result<(), MappingError> {
        origin.written_line = self.line;
        self.line += 1 + cells
            .iter()
            .map(|c| c.matches('\n').count() as u64)
            .sum::<u64>();
        self.writer
            .write_record(cells)
            .map_err(|e| write_error(&self.path, &e))?;
        self.written.origins.push(origin);
        Ok(())
    }
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> MappingError {
    FilesError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
    .into()
}

impl Mapping {
    /// Reads the export at `input` (a folder, or one file) and writes its
    /// records as a DATA.md folder (CSV) into `out`, which must exist and be
    /// empty. Every bad value is reported at its place in the export; nothing
    /// is checked here that the DATA.md readers check (ids, references,
    /// statuses): read `out` with them and pass their errors through
    /// [`Mapped::relocate`].
    pub fn apply(
        &self,
        input: &Path,
        out: &Path,
        options: &ApplyOptions,
    ) -> Result<Mapped, MappingError> {
        let claims = claim(self, input)?;
        let plans: Vec<FilePlan> = claims
            .mapped
            .iter()
            .map(|c| plan(self, c))
            .collect::<Result<_, _>>()?;
        let mut outputs = self.outputs(&plans, out)?;
        let mut mapped = Mapped {
            folder: out.to_path_buf(),
            sources: plans.iter().map(|p| p.path.clone()).collect(),
            lines: plans.iter().map(|_| OnceLock::new()).collect(),
            written: HashMap::new(),
            passed: HashMap::new(),
            skipped: Vec::new(),
            counts: [0; 4],
            custom: outputs
                .iter()
                .flat_map(|o| {
                    o.columns
                        .iter()
                        .filter(|c| !crate::spec::is_standard(&o.record, c))
                        .map(|c| (o.record.clone(), c.clone()))
                })
                .collect(),
        };
        let mut problems = Vec::new();
        let mut total = 0usize;
        for (i, plan) in plans.iter().enumerate() {
            let file = u32::try_from(i).unwrap_or(u32::MAX);
            for (record, resolved) in &plan.records {
                if let Some(o) = outputs.iter_mut().find(|o| o.record == *record) {
                    let names = resolved
                        .iter()
                        .filter_map(|r| Some((r.name.clone(), r.source_column.clone()?)))
                        .collect();
                    o.written.columns.insert(file, names);
                }
            }
            self.read_file(plan, file, &mut outputs, &mut problems, &mut total)?;
        }
        if total > 0 && !options.skip_bad_rows {
            return Err(FilesError::BadRows { problems, total }.into());
        }
        mapped.skipped = problems;
        for mut output in outputs {
            let pending = std::mem::take(&mut output.pending);
            for (id, p) in pending {
                if !output.primary_ids.contains(&id) {
                    output.write(&p.cells, p.origin)?;
                }
            }
            output
                .writer
                .flush()
                .map_err(|e| write_error(&output.path, &e))?;
            if let Some(k) = RECORDS.iter().position(|r| *r == output.record) {
                mapped.counts[k] = output.written.origins.len() as u64;
            }
            mapped
                .written
                .insert(output.record.file_stem().to_owned(), output.written);
        }
        for path in claims.passed {
            let Some(name) = path.file_name() else {
                continue;
            };
            let stem = Path::new(name)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_lowercase();
            if mapped.written.contains_key(&stem) {
                return Err(MappingError::UnclaimedFile {
                    path,
                    mapping: self.name().to_owned(),
                });
            }
            let target = out.join(name.to_ascii_lowercase());
            std::fs::copy(&path, &target).map_err(|source| FilesError::Io {
                path: path.clone(),
                source,
            })?;
            mapped.passed.insert(stem, path);
        }
        if input.is_dir() && input.join("custom").is_dir() {
            copy_dir(&input.join("custom"), &out.join("custom"))?;
        }
        Ok(mapped)
    }

    /// One writer per record kind the plans make, with the union of their
    /// columns (the DATA.md ones first, in contract order).
    fn outputs(&self, plans: &[FilePlan], out: &Path) -> Result<Vec<Output>, MappingError> {
        let mut outputs = Vec::new();
        for record in RECORDS {
            let mut columns: Vec<String> = Vec::new();
            for plan in plans {
                for (r, resolved) in &plan.records {
                    if *r == record {
                        for c in resolved {
                            if !columns.contains(&c.name) {
                                columns.push(c.name.clone());
                            }
                        }
                    }
                }
            }
            if columns.is_empty() {
                continue;
            }
            let standard: Vec<&str> = record
                .required_columns()
                .iter()
                .chain(record.optional_columns())
                .copied()
                .collect();
            columns.sort_by_key(|c| standard.iter().position(|s| s == c).unwrap_or(usize::MAX));
            let path = out.join(format!("{}.csv", record.file_stem()));
            let mut writer = csv::Writer::from_path(&path).map_err(|e| write_error(&path, &e))?;
            writer
                .write_record(&columns)
                .map_err(|e| write_error(&path, &e))?;
            outputs.push(Output {
                record,
                columns,
                writer,
                path,
                line: 2,
                written: Written::default(),
                primary_ids: HashSet::new(),
                pending: IndexMap::new(),
            });
        }
        Ok(outputs)
    }

    fn read_file(
        &self,
        plan: &FilePlan,
        file: u32,
        outputs: &mut [Output],
        problems: &mut Vec<RowProblem>,
        total: &mut usize,
    ) -> Result<(), MappingError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(plan.delimiter)
            .from_path(&plan.path)
            .map_err(|e| unreadable(&plan.path, &e))?;
        let mut record = csv::StringRecord::new();
        let mut row = 0u64;
        // Read only when a problem names a line.
        let mut lines: Option<LineMap> = None;
        let mut cells_by_record: Vec<Vec<(String, String)>> = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(unreadable(&plan.path, &e)),
            }
            row += 1;
            let origin = Origin {
                file,
                row,
                written_line: 0,
            };
            cells_by_record.clear();
            let mut bad = false;
            for (_, resolved) in &plan.records {
                let mut cells = Vec::with_capacity(resolved.len());
                for r in resolved {
                    match self.value(r, &record, row + 1) {
                        Ok(v) => cells.push((r.name.clone(), v)),
                        Err((message, column)) => {
                            bad = true;
                            *total += 1;
                            if problems.len() < MAX_REPORTED {
                                problems.push(RowProblem {
                                    location: Location {
                                        file: plan.path.clone(),
                                        line: Some(
                                            lines
                                                .get_or_insert_with(|| LineMap::build(&plan.path))
                                                .line_of(row),
                                        ),
                                        row,
                                        column: column.map(str::to_owned).or_else(|| {
                                            Some(format!("{} (set by the mapping)", r.name))
                                        }),
                                    },
                                    message,
                                });
                            }
                            cells.push((r.name.clone(), String::new()));
                        }
                    }
                }
                cells_by_record.push(cells);
            }
            if bad {
                // Skipped, or the whole mapping fails with every problem.
                continue;
            }
            for ((kind, _), cells) in plan.records.iter().zip(&cells_by_record) {
                let Some(output) = outputs.iter_mut().find(|o| o.record == *kind) else {
                    continue;
                };
                let ordered: Vec<String> = output
                    .columns
                    .iter()
                    .map(|c| {
                        cells
                            .iter()
                            .find(|(n, _)| n == c)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    })
                    .collect();
                let mut ordered = ordered;
                if *kind == RecordType::Lead {
                    open_without_close(&output.columns, &mut ordered);
                }
                let id = ordered.first().cloned().unwrap_or_default();
                if *kind == plan.primary {
                    output.primary_ids.insert(id);
                    output.write(&ordered, origin)?;
                } else if !id.is_empty() {
                    merge(&mut output.pending, id, ordered, origin);
                }
            }
        }
        Ok(())
    }

    /// One value: the cell (or constant), its value map, its type, its
    /// prefix; or what is wrong, with the export's column it is in.
    fn value<'r>(
        &self,
        r: &'r Resolved,
        record: &csv::StringRecord,
        line: u64,
    ) -> Result<String, (String, Option<&'r str>)> {
        let line_text;
        let (raw, column) = match &r.getter {
            Getter::Cells(cells) => cells
                .iter()
                .map(|(i, name)| (record.get(*i).unwrap_or("").trim(), Some(name.as_str())))
                .find(|(v, _)| !v.is_empty())
                .unwrap_or(("", None)),
            Getter::Constant(v) => (v.as_str(), None),
            Getter::Line => {
                line_text = line.to_string();
                (line_text.as_str(), None)
            }
            Getter::Missing => ("", None),
        };
        if raw.is_empty() && r.fallback_line {
            return Ok(line.to_string());
        }
        if raw.is_empty() {
            return Ok(r.default.clone().unwrap_or_default());
        }
        let mapped = match &r.values {
            Some(values) => match values.get(&raw.to_lowercase()) {
                Some(v) => v.clone(),
                None => match &r.otherwise {
                    Some(o) => o.clone(),
                    None => {
                        return Err((
                            format!(
                                "{raw:?} is not one of the values the mapping lists for {} ({})",
                                r.name,
                                r.listed.join(", ")
                            ),
                            column,
                        ));
                    }
                },
            },
            None => raw.to_owned(),
        };
        if mapped.is_empty() {
            return Ok(mapped);
        }
        let typed = match r.kind {
            ValueType::Text => mapped,
            ValueType::Date => self.dates.read(&mapped).map_err(|m| (m, column))?,
            ValueType::Number => self.numbers.read(&mapped).map_err(|m| (m, column))?,
        };
        Ok(match &r.prefix {
            Some(p) => format!("{p}{typed}"),
            None => typed,
        })
    }
}

/// A lead the mapping makes open gets no `closed_at`: a CRM's last change of
/// an open lead is not its close.
fn open_without_close(columns: &[String], cells: &mut [String]) {
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (Some(status), Some(closed)) = (at("status"), at("closed_at")) else {
        return;
    };
    let open = cells
        .get(status)
        .is_some_and(|s| s.is_empty() || s.eq_ignore_ascii_case("open"));
    if open && let Some(cell) = cells.get_mut(closed) {
        cell.clear();
    }
}

/// A derived record: the first of an id, with later rows filling its empty
/// cells.
fn merge(pending: &mut IndexMap<String, Pending>, id: String, cells: Vec<String>, origin: Origin) {
    match pending.get_mut(&id) {
        Some(p) => {
            for (have, new) in p.cells.iter_mut().zip(cells) {
                if have.is_empty() {
                    *have = new;
                }
            }
        }
        None => {
            pending.insert(id, Pending { cells, origin });
        }
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), MappingError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FilesError::Io { path, source }
    };
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let path = entry.map_err(io(from))?.path();
        if let Some(name) = path.file_name().filter(|_| path.is_file()) {
            std::fs::copy(&path, to.join(name)).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// The first records of one written file, for a dry run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Preview {
    /// The DATA.md file (`leads.csv`).
    pub file: String,
    /// How many records it holds.
    pub records: usize,
    /// Its columns.
    pub columns: Vec<String>,
    /// Its first records, as they will be stored.
    pub first: Vec<Vec<String>>,
}

impl Mapped {
    /// The first `rows` records of each written (or passed-through CSV) file,
    /// in DATA.md order: what an import will store.
    pub fn preview(&self, rows: usize) -> Result<Vec<Preview>, MappingError> {
        preview_folder(&self.folder, rows)
    }
}

/// The first `rows` records of each CSV file of a DATA.md folder, in DATA.md
/// order (Parquet files are not shown).
pub fn preview_folder(folder: &Path, rows: usize) -> Result<Vec<Preview>, MappingError> {
    let mut out = Vec::new();
    for record in RECORDS {
        let name = format!("{}.csv", record.file_stem());
        let path = folder.join(&name);
        if !path.is_file() {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).map_err(|e| unreadable(&path, &e))?;
        let columns = reader
            .headers()
            .map_err(|e| unreadable(&path, &e))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut first = Vec::new();
        let mut records = 0;
        for r in reader.records() {
            let r = r.map_err(|e| unreadable(&path, &e))?;
            if first.len() < rows {
                first.push(r.iter().map(str::to_owned).collect());
            }
            records += 1;
        }
        out.push(Preview {
            file: name,
            records,
            columns,
            first,
        });
    }
    Ok(out)
}
