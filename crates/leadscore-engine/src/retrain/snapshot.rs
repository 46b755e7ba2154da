//! A run's copy of the store: every record, read from one snapshot a chunk
//! at a time ([`Records::export_streamed`]) and written straight into parts
//! of whole neighbourhoods in the run's scratch folder ([`PartsWriter`]), so
//! that the closed leads' rows are built a part at a time from them, as
//! `leadscore train` builds them from a folder it splits. Memory holds a few
//! chunks and the ids' neighbourhoods, never the store. The interactions
//! are copied without their properties, which no row reads, in the store's
//! order ([`ExportScope::ForLeadRows`]); the store checked every record when
//! it was imported, so they are not checked again.
//!
//! [`Records::export_streamed`]: leadscore_store::Records::export_streamed

use std::path::Path;

use leadscore_domain::ReadProgress;
use leadscore_files::{FilesError, PartsWriter};
use leadscore_store::{ExportScope, SqlStore, StreamedExportError};

use super::{RetrainProgress, RetrainStage};
use crate::EngineError;

/// Copies every stored record into parts of at least `leads_per_part` leads,
/// in a new scratch folder inside `scratch_dir` (the system's temporary
/// folder when `None`), telling `progress` how many records are written of
/// how many.
pub(super) async fn copy_store(
    store: &SqlStore,
    scratch_dir: Option<&Path>,
    leads_per_part: usize,
    progress: RetrainProgress,
) -> Result<PartsWriter, EngineError> {
    let parent = scratch_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let scratch = parent.clone();
    let written = store
        .records()
        .export_streamed(ExportScope::ForLeadRows, move |plan, chunks| {
            let total = plan.counts.total();
            let mut done = 0;
            let mut writer = PartsWriter::create(&scratch, &plan.names, leads_per_part)?;
            for chunk in chunks {
                done += chunk.len() as u64;
                writer.write(chunk)?;
                progress(RetrainStage::Reading(ReadProgress { done, total }));
            }
            Ok::<_, FilesError>(writer)
        })
        .await;
    written.map_err(|e| match e {
        StreamedExportError::Store(e) => EngineError::Store(e),
        StreamedExportError::Write(e) => EngineError::Io {
            what: format!("copy the store's records into {}", parent.display()),
            source: std::io::Error::other(e.to_string()),
        },
    })
}
