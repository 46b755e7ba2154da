//! The leads table's exports (`/console/leads.csv`, `/console/leads.xlsx`):
//! the same filters, order and columns as the table, with every rule
//! model's score and grade; every matching lead, or the page shown.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leadscore_domain::Timestamp;
use leadscore_domain::spreadsheet::safe_cell;
use leadscore_engine::{EngineError, Service};
use leadscore_rules::RuleModel;
use leadscore_store::{LeadListRow, PageWindow, RuleScoreRow};

use super::{model_scores, view};
use crate::html::error_page;
use crate::list::ListQuery;
use crate::{failed, signed_in};

/// The most rows an export holds: an Excel sheet's rows, less the header.
pub const EXPORT_MAX: u32 = 1_048_575;

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

/// The export's header row: the table's columns, then every rule model's
/// score and grade.
fn export_header(models: &[RuleModel]) -> Vec<String> {
    let mut header: Vec<String> = [
        "lead_id",
        "name",
        "email",
        "company",
        "source",
        "stage",
        "primary_score",
        "primary_grade",
        "sales_ready",
        "queue",
        "last_activity",
        "created_at",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    for m in models {
        header.push(format!("{} score", m.name));
        header.push(format!("{} grade", m.name));
    }
    header
}

/// One exported cell.
enum Cell {
    Text(String),
    Number(i64),
    Flag(bool),
}

fn export_row(
    row: &LeadListRow,
    models: &[RuleModel],
    scores: Option<&Vec<RuleScoreRow>>,
) -> Vec<Cell> {
    let text = |s: Option<&str>| Cell::Text(s.unwrap_or("").to_owned());
    let mut cells = vec![
        Cell::Text(row.lead_id.as_str().to_owned()),
        text(row.name.as_deref()),
        text(row.email.as_deref()),
        text(row.company.as_deref()),
        text(row.source.as_deref()),
        Cell::Text(row.stage.as_str().to_owned()),
        row.score.map_or(Cell::Text(String::new()), Cell::Number),
        text(row.grade.as_deref()),
        Cell::Flag(row.sales_ready),
        text(row.queue.as_deref()),
        Cell::Text(row.last_activity.to_string()),
        Cell::Text(row.created_at.to_string()),
    ];
    for m in models {
        let own = scores.and_then(|s| s.iter().find(|r| r.model == m.name));
        cells.push(
            own.and_then(|r| r.score)
                .map_or(Cell::Text(String::new()), Cell::Number),
        );
        cells.push(text(own.and_then(|r| r.grade.as_deref())));
    }
    cells
}

fn csv_bytes(header: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header)?;
    for row in rows {
        let record: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => safe_cell(t).into_owned(),
                Cell::Number(n) => n.to_string(),
                Cell::Flag(b) => b.to_string(),
            })
            .collect();
        out.write_record(&record)?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn xlsx_bytes(
    header: &[String],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Leads")?;
    let bold = CellFormat::new().set_bold();
    for (c, title) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, title, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    sheet.write_string(r, c, t)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Flag(b) => {
                    sheet.write_boolean(r, c, *b)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_col = header.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, rows.len() as u32, last_col)?;
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 28)?;
    sheet.set_column_width(3, 26)?;
    book.save_to_buffer()
}

async fn export(
    service: Service,
    headers: HeaderMap,
    pairs: Vec<(String, String)>,
    format: Format,
) -> Response {
    let query = ListQuery::new(pairs);
    let extension = match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    };
    let here = format!(
        "/console/leads.{extension}{}",
        query.with("page", query.get("page"))
    );
    let session = match signed_in(&service, &headers, &here).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let view = match view(&service, query).await {
        Ok(Ok(v)) => v,
        Ok(Err(bad)) => return error_page(StatusCode::BAD_REQUEST, Some(&session), &bad.message),
        Err(e) => return failed(&e, Some(&session)),
    };
    let window = if view.query.get("scope") == Some("page") {
        PageWindow {
            limit: view.query.per_page(),
            offset: u32::try_from(view.query.offset()).unwrap_or(u32::MAX),
        }
    } else {
        PageWindow {
            limit: EXPORT_MAX,
            offset: 0,
        }
    };
    let rows = match service.store.lead_list().page(&view.filter, window).await {
        Ok(l) => l.rows,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let mut scores = HashMap::new();
    for chunk in rows.chunks(5_000) {
        match model_scores(&service, chunk).await {
            Ok(s) => scores.extend(s),
            Err(e) => return failed(&e, Some(&session)),
        }
    }
    let header = export_header(&view.models);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| export_row(r, &view.models, scores.get(&r.lead_id)))
        .collect();
    let built = match format {
        Format::Csv => csv_bytes(&header, &cells).map_err(|e| e.to_string()),
        Format::Xlsx => xlsx_bytes(&header, &cells).map_err(|e| e.to_string()),
    };
    let bytes = match built {
        Ok(b) => b,
        Err(reason) => {
            let e = EngineError::Scoring {
                reason: format!("the leads export: {reason}"),
            };
            return failed(&e, Some(&session));
        }
    };
    let kind = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let name = format!(
        "leads-{}.{extension}",
        Timestamp::now().to_datetime().format("%Y%m%d-%H%M")
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

/// `GET /console/leads.csv`: the table's leads as CSV (every matching
/// lead, or `scope=page` for the page shown).
pub async fn leads_csv(
    State(service): State<Service>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    export(service, headers, pairs, Format::Csv).await
}

/// `GET /console/leads.xlsx`: the same as an Excel workbook.
pub async fn leads_xlsx(
    State(service): State<Service>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    export(service, headers, pairs, Format::Xlsx).await
}
