//! One file's rows: checked with the same record parsers as `read_folder`, ids
//! checked for duplicates, then handed to the sink.

use std::path::Path;

use leadscore_domain::{
    Declared, FutureLimit, InteractionKind, InteractionRow, RecordSink, RecordType,
    UnknownReference,
};

use super::seen::{SeenIds, block_of};
use super::{InteractionTap, Place, Revisit};
use crate::columns::{Cells, FileColumns, Row};
use crate::layout::DataFile;
use crate::problems::Problems;
use crate::records::{self, CellError, KindCache};
use crate::{FilesError, Location, RowProblem};

/// The state of reading one file.
pub(super) struct FileReader<'c> {
    file: FileMeta<'c>,
    seen: SeenIds,
    kinds: KindCache<'c>,
    /// The interaction property columns the sink wants: position and name.
    wanted: Vec<(usize, &'c str)>,
    /// A spare buffer for one interaction's properties (emptied between rows).
    properties: Vec<(&'static str, &'static str)>,
    /// The id hashes of the current batch ([`FileReader::prefetch`]).
    hashes: Vec<u64>,
    accepted: u64,
}

/// A row's place, and its id's hash when already computed.
#[derive(Clone, Copy)]
struct At {
    place: Place,
    hash: Option<u64>,
}

/// What names a file and its columns.
#[derive(Clone, Copy)]
struct FileMeta<'c> {
    path: &'c Path,
    record: &'c RecordType,
    columns: &'c FileColumns,
    id_column: &'static str,
    /// The latest record time accepted.
    limit: FutureLimit,
    /// The custom kinds declared.
    declared: &'c Declared,
}

impl<'c> FileReader<'c> {
    pub fn new(
        file: &'c DataFile,
        columns: &'c FileColumns,
        sink: &impl RecordSink,
        limit: FutureLimit,
        declared: &'c Declared,
    ) -> Self {
        let wanted = match file.record {
            RecordType::Interaction => columns
                .custom()
                .filter(|(_, name)| sink.wants_property(name))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            file: FileMeta {
                path: &file.path,
                record: &file.record,
                columns,
                id_column: id_column(&file.record),
                limit,
                declared,
            },
            seen: SeenIds::new(),
            kinds: KindCache::new(declared),
            wanted,
            properties: Vec::new(),
            hashes: Vec::new(),
            accepted: 0,
        }
    }

    /// Hashes the ids of a batch of rows and reads the id table where each will
    /// be looked up. Row by row, every lookup in the table of a large file waits
    /// for memory (measured: a third of the time at 10M interactions); here the
    /// reads of a batch overlap, and the lookups in [`FileReader::row`] (given
    /// each row's index in the batch) then find their slots in cache.
    pub fn prefetch<'r>(&mut self, rows: impl Iterator<Item = Cells<'r, 'r>>) {
        self.hashes.clear();
        for cells in rows {
            let row = Row {
                cells,
                columns: self.file.columns,
            };
            let hash = row
                .get(self.file.id_column)
                .map_or(0, |id| self.seen.hash(id));
            self.hashes.push(hash);
        }
        // A loop of loads alone, so that many are under way at once.
        let mut touched = 0;
        for &hash in &self.hashes {
            touched ^= self.seen.touch(hash);
        }
        // Used, so that the reads are not optimized away.
        std::hint::black_box(touched);
    }

    /// The columns (positions) a row is read from, when not all of them: an
    /// interaction's standard columns and the properties the sink wants.
    pub fn needed_columns(&self) -> Option<Vec<usize>> {
        match self.file.record {
            RecordType::Interaction => Some(
                self.file
                    .columns
                    .standard()
                    .chain(self.wanted.iter().map(|&(i, _)| i))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// How many records the sink accepted.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Sizes the id table for the rows the file is expected to hold.
    pub fn expect_rows(&mut self, rows: &impl Revisit) {
        if let Some(n) = rows.expected_rows() {
            self.seen.reserve(usize::try_from(n).unwrap_or(usize::MAX));
        }
    }

    /// Checks one row and hands its record to the sink (an interaction the
    /// sink accepts then to `tap`); a bad row becomes a problem. Fails only
    /// when the file cannot be read again, or the tap fails.
    pub fn row<S: RecordSink>(
        &mut self,
        cells: Cells<'_, '_>,
        place: Place,
        prefetched: Option<usize>,
        rows: &impl Revisit,
        (sink, tap): (&mut S, &mut dyn InteractionTap<S>),
        problems: &mut Problems,
    ) -> Result<(), FilesError> {
        let row = Row {
            cells,
            columns: self.file.columns,
        };
        // The id's hash, when computed by `prefetch` (0 when the id was empty).
        let hash = prefetched
            .and_then(|k| self.hashes.get(k).copied())
            .filter(|h| *h != 0);
        let at = At { place, hash };
        match self.file.record {
            RecordType::Interaction => self.interaction(&row, at, rows, (sink, tap), problems),
            RecordType::Account => self.owned(
                records::account(&row),
                |r| r.account_id.as_str(),
                |r| sink.account(r),
                at,
                rows,
                problems,
            ),
            RecordType::Contact => self.owned(
                records::contact(&row),
                |r| r.contact_id.as_str(),
                |r| sink.contact(r),
                at,
                rows,
                problems,
            ),
            RecordType::Lead => self.owned(
                records::lead(&row, &self.file.limit),
                |r| r.lead_id.as_str(),
                |r| sink.lead(r),
                at,
                rows,
                problems,
            ),
            RecordType::Custom(entity) => self.owned(
                records::custom(&row),
                |r| r.record_id.as_str(),
                |r| sink.custom(entity, r),
                at,
                rows,
                problems,
            ),
        }
    }

    /// An account, contact, lead or custom record: parsed whole, then handed over.
    fn owned<T>(
        &mut self,
        parsed: Result<T, CellError>,
        id: impl Fn(&T) -> &str,
        hand: impl FnOnce(T) -> Result<(), UnknownReference>,
        at: At,
        rows: &impl Revisit,
        problems: &mut Problems,
    ) -> Result<(), FilesError> {
        let record = match parsed {
            Ok(record) => record,
            Err(bad) => {
                self.file.bad_value(bad, at.place, problems);
                return Ok(());
            }
        };
        if self
            .file
            .is_duplicate(&mut self.seen, id(&record), at, rows, problems)?
        {
            return Ok(());
        }
        let handed = hand(record);
        self.accepted += self.file.handed(handed, at.place, problems);
        Ok(())
    }

    /// An interaction: checked and handed over borrowed, with only the wanted
    /// properties; nothing is copied. Once accepted, its cells go to `tap`.
    fn interaction<S: RecordSink>(
        &mut self,
        row: &Row<'_, '_>,
        at: At,
        rows: &impl Revisit,
        (sink, tap): (&mut S, &mut dyn InteractionTap<S>),
        problems: &mut Problems,
    ) -> Result<(), FilesError> {
        let place = at.place;
        let Self {
            file,
            seen,
            kinds,
            wanted,
            properties: spare,
            accepted,
            ..
        } = self;
        // Moving the cache in makes the closure FnOnce, so the kind it returns
        // may borrow the cache beyond the call.
        let limit = file.limit;
        let parsed = records::interaction_values(
            row,
            move |text| {
                let cache = kinds;
                cache.get(text)
            },
            &limit,
        );
        let values = match parsed {
            Ok(values) => values,
            Err(bad) => {
                file.bad_value(bad, place, problems);
                return Ok(());
            }
        };
        if file.is_duplicate(seen, values.id, at, rows, problems)? {
            return Ok(());
        }
        let mut properties = recycle(std::mem::take(spare));
        for &(i, name) in wanted.iter() {
            if let Some(value) = row.cell(i).map(str::trim).filter(|v| !v.is_empty()) {
                properties.push((name, value));
            }
        }
        let handed = sink.interaction(InteractionRow {
            id: values.id,
            kind: values.kind,
            occurred_at: values.occurred_at,
            contact_id: values.contact_id,
            lead_id: values.lead_id,
            visitor_id: values.visitor_id,
            properties: &properties,
        });
        *spare = recycle(properties);
        let taken = handed.is_ok();
        *accepted += file.handed(handed, place, problems);
        if taken {
            tap.row(sink, row)?;
        }
        Ok(())
    }
}

impl FileMeta<'_> {
    /// True (and a problem) when `id` appeared on an earlier accepted row.
    fn is_duplicate(
        self,
        seen: &mut SeenIds,
        id: &str,
        at: At,
        rows: &impl Revisit,
        problems: &mut Problems,
    ) -> Result<bool, FilesError> {
        let place = at.place;
        let hash = at.hash.unwrap_or_else(|| seen.hash(id));
        let Some(block) = seen.insert(hash, block_of(place.row)) else {
            return Ok(false);
        };
        // The first row with this exact id that was accepted is the first that
        // parses: any later one was a duplicate of it.
        let first = rows.find(block, place.row, &mut |cells| {
            let row = Row {
                cells,
                columns: self.columns,
            };
            row.get(self.id_column) == Some(id)
                && parses(self.record, &row, &self.limit, self.declared)
        })?;
        let Some(first) = first else {
            // Another id with the same hash.
            return Ok(false);
        };
        let id_column = self.id_column;
        problems.push_with(|| RowProblem {
            location: self.location(place, Some(id_column)),
            message: format!(
                "duplicate {id_column} {id:?} (first at {})",
                first.describe()
            ),
        });
        Ok(true)
    }

    fn bad_value(self, (column, err): CellError, place: Place, problems: &mut Problems) {
        problems.push_with(|| RowProblem {
            location: self.location(place, column),
            message: err.to_string(),
        });
    }

    /// 1 when the sink accepted the record; else 0, and a problem.
    fn handed(
        self,
        handed: Result<(), UnknownReference>,
        place: Place,
        problems: &mut Problems,
    ) -> u64 {
        match handed {
            Ok(()) => 1,
            Err(unknown) => {
                problems.push_reference_with(|| RowProblem {
                    location: self.location(place, Some(unknown.column)),
                    message: format!("{} {:?} does not exist", target(unknown.column), unknown.id),
                });
                0
            }
        }
    }

    fn location(self, place: Place, column: Option<&str>) -> Location {
        Location {
            file: self.path.to_path_buf(),
            line: place.line,
            row: place.row,
            column: column.map(str::to_owned),
        }
    }
}

/// The id column of a file.
fn id_column(record: &RecordType) -> &'static str {
    match record {
        RecordType::Account => "account_id",
        RecordType::Contact => "contact_id",
        RecordType::Lead => "lead_id",
        RecordType::Interaction => "interaction_id",
        RecordType::Custom(_) => "record_id",
    }
}

/// What a reference column names, as `read_folder` says it (`contact "C9" does
/// not exist`).
fn target(column: &str) -> String {
    match column {
        "account_id" => RecordType::Account.to_string(),
        "contact_id" => RecordType::Contact.to_string(),
        "lead_id" => RecordType::Lead.to_string(),
        other => other.to_owned(),
    }
}

/// True when the row is a valid record of its type.
fn parses(
    record: &RecordType,
    row: &Row<'_, '_>,
    limit: &FutureLimit,
    declared: &Declared,
) -> bool {
    match record {
        RecordType::Account => records::account(row).is_ok(),
        RecordType::Contact => records::contact(row).is_ok(),
        RecordType::Lead => records::lead(row, limit).is_ok(),
        RecordType::Interaction => {
            let kind = |text: &str| InteractionKind::parse_declared(text, declared);
            records::interaction_values(row, kind, limit).is_ok()
        }
        RecordType::Custom(_) => records::custom(row).is_ok(),
    }
}

/// Empties a buffer of borrowed pairs so that it can hold pairs of another
/// lifetime; the allocation is reused (same layout).
fn recycle<'x>(mut buffer: Vec<(&str, &str)>) -> Vec<(&'x str, &'x str)> {
    buffer.clear();
    buffer.into_iter().map(|_| ("", "")).collect()
}
