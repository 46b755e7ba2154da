//! A run's copy of the store: every record, read from one snapshot a chunk
//! at a time ([`Records::export_streamed`]) and written as a DATA.md folder
//! in the run's scratch folder, so that the closed leads' rows are built a
//! part at a time from it, as `leadscore train` builds them from a folder
//! (`leadscore_files::read_lead_rows_in_parts`). Memory holds a few chunks,
//! never the store. The interactions are copied without their properties,
//! which no row reads, in the store's order ([`ExportScope::ForLeadRows`]).
//!
//! [`Records::export_streamed`]: leadscore_store::Records::export_streamed

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use leadscore_domain::{Declared, ReadProgress, RecordType};
use leadscore_files::{FilesError, FolderWriter, Format};
use leadscore_store::{ExportScope, SqlStore, StreamedExportError};
use tempfile::TempDir;

use super::{RetrainProgress, RetrainStage};
use crate::EngineError;

/// The name of the snapshot's folder inside the run's scratch folder.
const FOLDER: &str = "snapshot";

/// The store's records as a folder, deleted with the value.
pub(super) struct Snapshot {
    /// The run's scratch folder: the snapshot, then its parts.
    scratch: TempDir,
    /// What the store holds beyond DATA.md's standard names: every custom
    /// field of each record type and every custom interaction kind stored.
    /// They were accepted when imported, so the folder is read declaring
    /// them all.
    pub declared: Declared,
}

impl Snapshot {
    /// The folder of the records.
    pub fn folder(&self) -> PathBuf {
        self.scratch.path().join(FOLDER)
    }

    /// Where the folder's parts go.
    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }
}

/// Copies every stored record into a new scratch folder inside `scratch_dir`
/// (the system's temporary folder when `None`), telling `progress` how many
/// records are written of how many.
pub(super) async fn copy_store(
    store: &SqlStore,
    scratch_dir: Option<&Path>,
    progress: RetrainProgress,
) -> Result<Snapshot, EngineError> {
    let parent = scratch_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let scratch = tempfile::Builder::new()
        .prefix(".leadscore-retrain-")
        .tempdir_in(&parent)
        .map_err(|source| EngineError::Io {
            what: format!("create a scratch folder in {}", parent.display()),
            source,
        })?;
    let folder = scratch.path().join(FOLDER);
    let written = store
        .records()
        .export_streamed(ExportScope::ForLeadRows, move |plan, chunks| {
            let mut declared = Declared::default();
            for (record, names) in [
                (RecordType::Account, &plan.names.accounts),
                (RecordType::Contact, &plan.names.contacts),
                (RecordType::Lead, &plan.names.leads),
            ] {
                for name in names {
                    declared.declare_field(record.clone(), name.clone());
                }
            }
            let mut kinds = BTreeSet::new();
            let total = plan.counts.total();
            let mut done = 0;
            let mut writer = FolderWriter::create(&folder, Format::Csv, &plan.names)?;
            for chunk in chunks {
                for interaction in &chunk.interactions {
                    if !interaction.kind.is_standard() && !kinds.contains(interaction.kind.as_str())
                    {
                        kinds.insert(interaction.kind.as_str().to_owned());
                    }
                }
                writer.write(&chunk)?;
                done += chunk.len() as u64;
                progress(RetrainStage::Reading(ReadProgress { done, total }));
            }
            writer.finish()?;
            declared.kinds = kinds;
            Ok::<_, FilesError>(declared)
        })
        .await;
    let declared = written.map_err(|e| match e {
        StreamedExportError::Store(e) => EngineError::Store(e),
        StreamedExportError::Write(e) => EngineError::Io {
            what: format!("copy the store's records into {}", scratch.path().display()),
            source: std::io::Error::other(e.to_string()),
        },
    })?;
    Ok(Snapshot { scratch, declared })
}
