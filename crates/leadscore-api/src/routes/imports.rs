//! Importing a CRM export through a mapping (docs/MAPPING.md): the same
//! mappings, checks and messages as `leadscore import --map`; the work is the
//! engine's ([`leadscore_engine::import`]).

use axum::Json;
use axum::extract::State;
use leadscore_engine::Service;
use leadscore_engine::import::{self, ExportImport, ExportImported, ImportError};

use crate::body::JsonObject;
use crate::error::{ApiError, ErrorBody};

/// Imports a CRM export (its CSV files, by name) through a shipped mapping or
/// a mapping document, all or nothing, with every lead it changes queued for
/// rescoring; every problem is located by file, line and column of the
/// export (422). With `dry_run`, writes nothing and answers the first records
/// as they would be stored and every problem.
#[utoipa::path(post, path = "/v1/imports", tag = "ingest", request_body = ExportImport,
    responses((status = 200, body = ExportImported), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn post_import(
    State(service): State<Service>,
    JsonObject(body): JsonObject<ExportImport>,
) -> Result<Json<ExportImported>, ApiError> {
    import::import_export(&service, body)
        .await
        .map(Json)
        .map_err(|e| match e {
            ImportError::Refused(r) => r.into(),
            ImportError::Ingest(e) => e.into(),
            ImportError::Engine(e) => e.into(),
        })
}
