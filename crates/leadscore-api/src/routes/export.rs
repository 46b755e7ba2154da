//! The leads a rule model scored: a filtered, sorted page as JSON, or every
//! matching row as CSV or as an Excel workbook.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use leadscore_domain::spreadsheet::safe_cell;
use leadscore_domain::{LeadId, Timestamp};
use leadscore_engine::{ErrorCode, Service, model_registry};
use leadscore_store::{PageWindow, ScoreFilter, ScoreOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::body::{Page, Paging};
use crate::error::{ApiError, ErrorBody};
use crate::params::{Path, Query};

/// Filters, order and page.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScoresQuery {
    /// Only this grade.
    pub grade: Option<String>,
    /// Only leads whose score reached (true) or did not reach (false) the
    /// model's sales-ready threshold.
    pub sales_ready: Option<bool>,
    /// `score_desc` (default), `score_asc`, `lead_id` or `recent` (latest
    /// scored first).
    pub sort: Option<String>,
    /// The page, from 1 (JSON only).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64)]
    pub page: Option<u32>,
    /// Rows per page (JSON only; default 50).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64)]
    pub per_page: Option<u32>,
}

/// One scored lead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoredLead {
    /// The lead.
    pub lead_id: LeadId,
    /// Its score under the model.
    pub score: i64,
    /// Its grade.
    pub grade: Option<String>,
    /// Whether the score reached the model's threshold.
    pub sales_ready: bool,
    /// When it was scored.
    pub scored_at: Timestamp,
}

/// The store's filter for a query.
fn filter(q: &ScoresQuery) -> Result<ScoreFilter, ApiError> {
    let order = match q.sort.as_deref().unwrap_or("score_desc") {
        "score_desc" => ScoreOrder::ScoreDesc,
        "score_asc" => ScoreOrder::ScoreAsc,
        "lead_id" => ScoreOrder::LeadId,
        "recent" => ScoreOrder::Recent,
        other => {
            return Err(ApiError::new(
                ErrorCode::BadQuery,
                format!("sort {other:?}: score_desc, score_asc, lead_id or recent"),
            )
            .field("sort"));
        }
    };
    // Checked on every route, the exports too (which send every page).
    for (name, value) in [("page", q.page), ("per_page", q.per_page)] {
        if value == Some(0) {
            return Err(
                ApiError::new(ErrorCode::BadQuery, format!("{name} starts at 1")).field(name),
            );
        }
    }
    Ok(ScoreFilter {
        grade: q.grade.clone(),
        sales_ready: q.sales_ready,
        order,
    })
}

async fn fetch(
    service: &Service,
    name: &str,
    q: &ScoresQuery,
    page: Option<PageWindow>,
) -> Result<(u64, Vec<ScoredLead>), ApiError> {
    if model_registry::rule_model(&service.store, name)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found("rule model", name));
    }
    let filter = filter(q)?;
    let listing = service
        .store
        .scores()
        .under_model(name, &filter, page)
        .await?;
    let items = listing
        .rows
        .into_iter()
        .map(|r| ScoredLead {
            lead_id: r.lead_id,
            score: r.score,
            grade: r.grade,
            sales_ready: r.sales_ready,
            scored_at: r.scored_at,
        })
        .collect();
    Ok((listing.total, items))
}

/// The leads a model scored, filtered, sorted and paginated.
#[utoipa::path(get, path = "/v1/rule-models/{name}/scores", tag = "rule models",
    params(("name" = String, Path, description = "The model's name"), ScoresQuery),
    responses((status = 200, body = Page<ScoredLead>), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn scores_page(
    State(service): State<Service>,
    Path(name): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Page<ScoredLead>>, ApiError> {
    let paging = Paging {
        page: q.page,
        per_page: q.per_page,
    };
    let window = paging.window(service.settings.limits.max_per_page)?;
    let (total, items) = fetch(&service, &name, &q, Some(window)).await?;
    Ok(Json(Page {
        total,
        page: q.page.unwrap_or(1),
        per_page: window.limit,
        items,
    }))
}

/// The export's columns.
const COLUMNS: [&str; 6] = [
    "lead_id",
    "model",
    "score",
    "grade",
    "sales_ready",
    "scored_at",
];

/// A file name safe in a `Content-Disposition` header.
fn file_name(model: &str, extension: &str) -> String {
    let stem: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}-scores.{extension}")
}

/// The same leads as CSV (`lead_id,model,score,grade,sales_ready,scored_at`),
/// every page.
#[utoipa::path(get, path = "/v1/rule-models/{name}/scores.csv", tag = "rule models",
    params(("name" = String, Path, description = "The model's name"), ScoresQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn scores_csv(
    State(service): State<Service>,
    Path(name): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let (_, items) = fetch(&service, &name, &q, None).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(&e);
    out.write_record(COLUMNS).map_err(fail)?;
    for i in &items {
        out.write_record([
            safe_cell(i.lead_id.as_str()).as_ref(),
            safe_cell(name.as_str()).as_ref(),
            &i.score.to_string(),
            safe_cell(i.grade.as_deref().unwrap_or("")).as_ref(),
            if i.sales_ready { "true" } else { "false" },
            &i.scored_at.to_string(),
        ])
        .map_err(fail)?;
    }
    let bytes = out.into_inner().map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&name, "csv")),
            ),
        ],
        bytes,
    ))
}

/// The same leads as an Excel workbook (one sheet, a header row, filters).
#[utoipa::path(get, path = "/v1/rule-models/{name}/scores.xlsx", tag = "rule models",
    params(("name" = String, Path, description = "The model's name"), ScoresQuery),
    responses((status = 200, body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn scores_xlsx(
    State(service): State<Service>,
    Path(name): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let (_, items) = fetch(&service, &name, &q, None).await?;
    let bytes = workbook(&name, &items).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&name, "xlsx")),
            ),
        ],
        bytes,
    ))
}

fn workbook(model: &str, items: &[ScoredLead]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Scores")?;
    let bold = Format::new().set_bold();
    for (c, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    for (r, i) in items.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, i.lead_id.as_str())?;
        sheet.write_string(row, 1, model)?;
        sheet.write_number(row, 2, i.score as f64)?;
        sheet.write_string(row, 3, i.grade.as_deref().unwrap_or(""))?;
        sheet.write_boolean(row, 4, i.sales_ready)?;
        sheet.write_string(row, 5, i.scored_at.to_string())?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, items.len() as u32, (COLUMNS.len() - 1) as u16)?;
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(5, 24)?;
    book.save_to_buffer()
}
