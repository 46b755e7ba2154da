//! The leads a rule model scored: a filtered, sorted page as JSON, or every
//! matching row as CSV or as an Excel workbook.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use leadscore_store::placeholders;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use utoipa::{IntoParams, ToSchema};

use super::Page;
use crate::ApiError;
use crate::app::AppState;
use crate::auth::{Caller, Role};
use crate::registry;
use crate::time::rfc3339;

/// Filters, order and page.
#[derive(Debug, Clone, Deserialize, IntoParams)]
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
    pub page: Option<u32>,
    /// Rows per page (JSON only; default 50).
    pub per_page: Option<u32>,
}

/// One scored lead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoredLead {
    /// The lead.
    pub lead_id: String,
    /// Its score under the model.
    pub score: i64,
    /// Its grade.
    pub grade: Option<String>,
    /// Whether the score reached the model's threshold.
    pub sales_ready: bool,
    /// When it was scored (RFC 3339).
    pub scored_at: String,
}

/// The `WHERE` and `ORDER BY` of a query, with its text binds.
struct Filter {
    clause: String,
    order: &'static str,
    binds: Vec<String>,
    sales_ready: Option<i64>,
}

fn filter(name: &str, q: &ScoresQuery) -> Result<Filter, ApiError> {
    let order = match q.sort.as_deref().unwrap_or("score_desc") {
        "score_desc" => "score DESC, lead_id",
        "score_asc" => "score ASC, lead_id",
        "lead_id" => "lead_id",
        "recent" => "scored_at DESC, lead_id",
        other => {
            return Err(ApiError::bad_request(
                "bad_query",
                format!("sort {other:?}: score_desc, score_asc, lead_id or recent"),
            )
            .field("sort"));
        }
    };
    let mut clause = "model = ? AND score IS NOT NULL".to_owned();
    let mut binds = vec![name.to_owned()];
    if let Some(g) = &q.grade {
        clause.push_str(" AND grade = ?");
        binds.push(g.clone());
    }
    let sales_ready = q.sales_ready.map(i64::from);
    if sales_ready.is_some() {
        clause.push_str(" AND sales_ready = ?");
    }
    Ok(Filter {
        clause,
        order,
        binds,
        sales_ready,
    })
}

async fn fetch(
    state: &AppState,
    name: &str,
    q: &ScoresQuery,
    page: Option<(u32, u32)>,
) -> Result<(u64, Vec<ScoredLead>), ApiError> {
    let known = registry::rule_models(state.store.pool())
        .await?
        .iter()
        .any(|(m, _)| m.name == name);
    if !known {
        return Err(ApiError::not_found("rule model", name));
    }
    let f = filter(name, q)?;
    let backend = state.store.backend();
    let pool = state.store.pool();
    let count_sql = placeholders(
        backend,
        &format!("SELECT COUNT(*) FROM rule_scores WHERE {}", f.clause),
    );
    let mut count = sqlx::query(AssertSqlSafe(count_sql));
    for b in &f.binds {
        count = count.bind(b.as_str());
    }
    if let Some(s) = f.sales_ready {
        count = count.bind(s);
    }
    let total: i64 = count
        .fetch_one(pool)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .try_get(0)
        .map_err(|e| ApiError::internal(&e))?;
    let limit = if page.is_some() {
        " LIMIT ? OFFSET ?"
    } else {
        ""
    };
    let sql = placeholders(
        backend,
        &format!(
            "SELECT lead_id, score, grade, sales_ready, scored_at FROM rule_scores WHERE {} ORDER BY {}{limit}",
            f.clause, f.order
        ),
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for b in &f.binds {
        query = query.bind(b.as_str());
    }
    if let Some(s) = f.sales_ready {
        query = query.bind(s);
    }
    if let Some((limit, offset)) = page {
        query = query.bind(i64::from(limit)).bind(i64::from(offset));
    }
    let rows = query
        .fetch_all(pool)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(ScoredLead {
                lead_id: r.try_get(0)?,
                score: r.try_get(1)?,
                grade: r.try_get(2)?,
                sales_ready: r.try_get::<i64, _>(3)? != 0,
                scored_at: rfc3339(r.try_get(4)?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(|e| ApiError::internal(&e))?;
    Ok((u64::try_from(total).unwrap_or(0), items))
}

/// The leads a model scored, filtered, sorted and paginated.
#[utoipa::path(get, path = "/v1/rule-models/{name}/scores", tag = "rule models",
    params(("name" = String, Path, description = "The model's name"), ScoresQuery),
    responses((status = 200, body = Page<ScoredLead>), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn scores_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Result<Json<Page<ScoredLead>>, ApiError> {
    caller.require(Role::Read)?;
    let paging = super::Paging {
        page: q.page,
        per_page: q.per_page,
    };
    let (limit, offset) = paging.limit_offset(state.settings.limits.max_per_page)?;
    let (total, items) = fetch(&state, &name, &q, Some((limit, offset))).await?;
    Ok(Json(Page {
        total,
        page: q.page.unwrap_or(1),
        per_page: limit,
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
    responses((status = 200, body = String, content_type = "text/csv"), (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn scores_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Role::Read)?;
    let (_, items) = fetch(&state, &name, &q, None).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(&e);
    out.write_record(COLUMNS).map_err(fail)?;
    for i in &items {
        out.write_record([
            i.lead_id.as_str(),
            name.as_str(),
            &i.score.to_string(),
            i.grade.as_deref().unwrap_or(""),
            if i.sales_ready { "true" } else { "false" },
            i.scored_at.as_str(),
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
        (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn scores_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<ScoresQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Role::Read)?;
    let (_, items) = fetch(&state, &name, &q, None).await?;
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
        sheet.write_string(row, 0, &i.lead_id)?;
        sheet.write_string(row, 1, model)?;
        sheet.write_number(row, 2, i.score as f64)?;
        sheet.write_string(row, 3, i.grade.as_deref().unwrap_or(""))?;
        sheet.write_boolean(row, 4, i.sales_ready)?;
        sheet.write_string(row, 5, &i.scored_at)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, items.len() as u32, (COLUMNS.len() - 1) as u16)?;
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(5, 24)?;
    book.save_to_buffer()
}
