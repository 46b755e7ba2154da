//! Importing a CRM export through a mapping (docs/MAPPING.md), for the HTTP
//! API: the same mappings, checks and messages as `leadscore import --map`,
//! and the same write as every other ingest ([`crate::ingest`]).

use std::collections::BTreeMap;

use leadscore_domain::ExternalIds;
use leadscore_files::{FilesError, ReadOptions, RowProblem, read_folder_with_limit};
use leadscore_mapping::{ApplyOptions, Mapping, MappingError, Preview};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ingest::{IngestError, Written};
use crate::{EngineError, ErrorCode, Problem, Refusal, Service};

/// How leads written by an export import are marked in their history.
const CAUSE: &str = "import";
/// The records of each file a dry run shows.
const SHOWN: usize = 5;
/// The most files one export may hold.
const MAX_FILES: usize = 16;

/// An export to import: its files and the mapping that reads them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportImport {
    /// A shipped mapping's name (`salesforce`, `hubspot`, `dynamics365`,
    /// `flat`), or a mapping document (its YAML text).
    pub mapping: String,
    /// The export's files: file name (`Lead.csv`) to its CSV text.
    pub files: BTreeMap<String, String>,
    /// Show the first records as they would be stored and every problem;
    /// write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What an export import did, or would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportImported {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The first records of each DATA.md file, as stored.
    pub records: Vec<RecordsPreview>,
    /// Every problem (a dry run only: otherwise a problem refuses the import).
    pub problems: Vec<Problem>,
    /// What was written (not for a dry run).
    pub written: Option<Written>,
}

/// The first records of one DATA.md file an export makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecordsPreview {
    /// The DATA.md file (`leads.csv`).
    pub file: String,
    /// How many records it holds.
    pub records: usize,
    /// Its columns.
    pub columns: Vec<String>,
    /// Its first records, one value per column (empty: no value).
    pub first: Vec<Vec<String>>,
}

impl From<Preview> for RecordsPreview {
    fn from(p: Preview) -> Self {
        Self {
            file: p.file,
            records: p.records,
            columns: p.columns,
            first: p.first,
        }
    }
}

/// Why an export import was refused (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input is wrong: the mapping, a file name, or the records.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The write refused the records.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Maps the export, checks every record as `leadscore import --map` does and,
/// unless it is a dry run, writes it all or nothing with every lead it
/// changes queued for rescoring.
pub async fn import_export(
    service: &Service,
    request: ExportImport,
) -> Result<ExportImported, ImportError> {
    let mapping = mapping(&request.mapping)?;
    let dir = tempfile::Builder::new()
        .prefix("leadscore-export-")
        .tempdir()
        .map_err(|e| EngineError::Io {
            what: "make a folder for an export".into(),
            source: e,
        })?;
    let export = dir.path().join("export");
    let out = dir.path().join("mapped");
    for d in [&export, &out] {
        std::fs::create_dir(d).map_err(|e| EngineError::Io {
            what: "make a folder for an export".into(),
            source: e,
        })?;
    }
    write_files(&export, &request.files)?;

    let settings = &service.settings;
    let mut declared = settings.declared();
    let future = settings.future_limit();
    let keep_going = request.dry_run;
    let (export_dir, out_dir) = (export.clone(), out.clone());
    let read = tokio::task::spawn_blocking(move || {
        let mapped = mapping
            .apply(
                &export_dir,
                &out_dir,
                &ApplyOptions {
                    skip_bad_rows: keep_going,
                },
            )
            .map_err(|e| refuse_mapping(e, &export_dir))?;
        for (record, name) in mapped.declared_custom() {
            declared.declare_field(record.clone(), name.clone());
        }
        let options = ReadOptions {
            skip_bad_rows: keep_going,
            declared,
        };
        let parsed = read_folder_with_limit(&out_dir, &options, &future)
            .map_err(|e| refuse_files(mapped.relocate(e), &export_dir))?;
        Ok::<_, ImportError>((mapped, parsed))
    });
    let (mapped, parsed) = read.await.map_err(|e| EngineError::Task {
        reason: e.to_string(),
    })??;
    let existing: ExternalIds = service
        .store
        .records()
        .existing_ids(&parsed.unresolved_ids())
        .await
        .map_err(EngineError::from)?;
    let loaded = parsed
        .resolve(&existing)
        .map_err(|e| refuse_files(mapped.relocate(e), &export))?;
    let records = mapped
        .preview(SHOWN)
        .map_err(|e| refuse_mapping(e, &export))?
        .into_iter()
        .map(RecordsPreview::from)
        .collect();
    if request.dry_run {
        let problems = mapped
            .left_out(&loaded.skipped)
            .iter()
            .map(|p| problem(p, &export))
            .collect();
        return Ok(ExportImported {
            dry_run: true,
            records,
            problems,
            written: None,
        });
    }
    let written = crate::ingest::ingest(service, &loaded.dataset, CAUSE).await?;
    Ok(ExportImported {
        dry_run: false,
        records,
        problems: Vec::new(),
        written: Some(written),
    })
}

/// A shipped mapping by name, or a mapping document.
fn mapping(text: &str) -> Result<Mapping, Refusal> {
    let shipped = leadscore_mapping::SHIPPED
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(text.trim()));
    let result = if shipped {
        leadscore_mapping::shipped(text.trim())
    } else if text.contains('\n') || text.contains(':') {
        Mapping::parse(text, "mapping")
    } else {
        leadscore_mapping::shipped(text.trim())
    };
    result.map_err(|e| Refusal::new(ErrorCode::InvalidDocument, e.to_string()).field("mapping"))
}

/// Writes the export's files, refusing names that are not plain CSV file
/// names (no folders, nothing hidden).
fn write_files(dir: &std::path::Path, files: &BTreeMap<String, String>) -> Result<(), ImportError> {
    if files.is_empty() {
        return Err(
            Refusal::new(ErrorCode::MissingField, "files: the export holds no file")
                .field("files")
                .into(),
        );
    }
    if files.len() > MAX_FILES {
        return Err(Refusal::new(
            ErrorCode::TooLarge,
            format!("files: an export holds at most {MAX_FILES} files"),
        )
        .field("files")
        .into());
    }
    for (name, text) in files {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\', '\0'])
            && name != ".."
            && [".csv", ".tsv"]
                .iter()
                .any(|e| name.to_lowercase().ends_with(e));
        if !plain {
            return Err(Refusal::new(
                ErrorCode::InvalidValue,
                format!("files.{name}: a file name is a plain name ending in .csv or .tsv"),
            )
            .field(format!("files.{name}"))
            .into());
        }
        std::fs::write(dir.join(name), text).map_err(|e| EngineError::Io {
            what: "write an export's file".into(),
            source: e,
        })?;
    }
    Ok(())
}

/// A row problem with its file named as the request named it.
fn named(p: &RowProblem, export: &std::path::Path) -> RowProblem {
    let mut p = p.clone();
    if let Ok(relative) = p.location.file.strip_prefix(export) {
        p.location.file = relative.to_path_buf();
    }
    p
}

/// A located problem, its file named as the request named it.
fn problem(p: &RowProblem, export: &std::path::Path) -> Problem {
    let p = named(p, export);
    Problem::new(p.location.to_string(), p.message)
}

fn refuse_mapping(e: MappingError, export: &std::path::Path) -> ImportError {
    match e {
        MappingError::Files(files) => refuse_files(files, export),
        other => {
            let text = other
                .to_string()
                .replace(&format!("{}/", export.display()), "");
            Refusal::new(ErrorCode::InvalidValue, text).into()
        }
    }
}

fn refuse_files(e: FilesError, export: &std::path::Path) -> ImportError {
    match e {
        FilesError::BadRows { problems, total } => {
            let listed: Vec<Problem> = problems.iter().map(|p| problem(p, export)).collect();
            // The reader's own one-line summary, with the request's file names.
            let message = FilesError::BadRows {
                problems: problems.iter().map(|p| named(p, export)).collect(),
                total,
            }
            .to_string();
            Refusal::new(ErrorCode::InvalidValue, message)
                .problems(listed)
                .into()
        }
        FilesError::Io { source, .. } => EngineError::Io {
            what: "read an export".into(),
            source,
        }
        .into(),
        other => {
            let text = other
                .to_string()
                .replace(&format!("{}/", export.display()), "");
            Refusal::new(ErrorCode::InvalidValue, text).into()
        }
    }
}
