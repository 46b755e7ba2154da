//! The leads table (`/console/leads`): each lead's name, company, stage,
//! primary score and grade and every rule model's score, filtered (open
//! only, grade, sales-ready, rule model, source), sorted and paginated, and
//! exported as CSV or Excel (`/console/leads.csv`, `/console/leads.xlsx`)
//! with the same filters, order and columns as the table.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_domain::{LeadId, Stage, Timestamp};
use leadscore_engine::{EngineError, Service, model_registry};
use leadscore_rules::RuleModel;
use leadscore_store::{LeadFilter, LeadListRow, LeadOrder, OPEN_STAGES, PageWindow, RuleScoreRow};

use crate::html::{Kind, error_page, escape, layout, notice, page};
use crate::list::{ListQuery, pager, sort_header, total_text};
use crate::{failed, signed_in};

mod export;

pub use export::{leads_csv, leads_xlsx};

/// The grades of the conversion model (the primary grade when it is
/// confident).
const CONVERSION_GRADES: [&str; 4] = ["A", "B", "C", "D"];

/// The table's view: the filter read from the query, and what the filter
/// form offers.
struct View {
    query: ListQuery,
    filter: LeadFilter,
    models: Vec<RuleModel>,
    sources: Vec<String>,
}

/// A filter value the query names but the store does not know.
struct BadFilter {
    field: &'static str,
    message: String,
}

fn order_of(query: &ListQuery) -> Result<LeadOrder, BadFilter> {
    Ok(match query.get("sort").unwrap_or("-score") {
        "-score" => LeadOrder::ScoreDesc,
        "score" => LeadOrder::ScoreAsc,
        "-recent" => LeadOrder::RecentDesc,
        "recent" => LeadOrder::RecentAsc,
        "lead" => LeadOrder::LeadIdAsc,
        "-lead" => LeadOrder::LeadIdDesc,
        "name" => LeadOrder::NameAsc,
        "-name" => LeadOrder::NameDesc,
        "company" => LeadOrder::CompanyAsc,
        "-company" => LeadOrder::CompanyDesc,
        other => {
            return Err(BadFilter {
                field: "sort",
                message: format!(
                    "The order {other:?} is not one of the table's: score, recent, lead, name \
                     or company (with a leading - for descending)."
                ),
            });
        }
    })
}

async fn view(service: &Service, query: ListQuery) -> Result<Result<View, BadFilter>, EngineError> {
    let models: Vec<RuleModel> = model_registry::rule_models(&service.store)
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let sources = service.store.lead_list().sources().await?;
    let order = match order_of(&query) {
        Ok(o) => o,
        Err(bad) => return Ok(Err(bad)),
    };
    let model = query.get("model").map(str::to_owned);
    if let Some(name) = &model
        && !models.iter().any(|m| &m.name == name)
    {
        return Ok(Err(BadFilter {
            field: "model",
            message: format!("No rule model is named {name:?}."),
        }));
    }
    let sales_ready = match query.get("sales_ready") {
        None => None,
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(other) => {
            return Ok(Err(BadFilter {
                field: "sales_ready",
                message: format!("Sales-ready is yes or no, not {other:?}."),
            }));
        }
    };
    let filter = LeadFilter {
        stages: if query.get("open").is_some_and(|v| v != "0") {
            OPEN_STAGES.to_vec()
        } else {
            Vec::new()
        },
        queue: None,
        model,
        grade: query.get("grade").map(str::to_owned),
        sales_ready,
        source: query.get("source").map(str::to_owned),
        order,
    };
    Ok(Ok(View {
        query,
        filter,
        models,
        sources,
    }))
}

/// The rows' scores under every rule model, by lead then model.
async fn model_scores(
    service: &Service,
    rows: &[LeadListRow],
) -> Result<HashMap<LeadId, Vec<RuleScoreRow>>, EngineError> {
    let ids: Vec<LeadId> = rows.iter().map(|r| r.lead_id.clone()).collect();
    Ok(service.store.scores().rule_scores(&ids).await?)
}

fn options(values: &[String], current: Option<&str>, none: &str) -> String {
    let mut out = format!("<option value=\"\">{}</option>", escape(none));
    for v in values {
        let selected = if current == Some(v.as_str()) {
            " selected"
        } else {
            ""
        };
        out.push_str(&format!(
            "<option value=\"{v}\"{selected}>{v}</option>",
            v = escape(v)
        ));
    }
    out
}

/// The grades the filter offers: the chosen model's, else the conversion
/// model's and every rule model's (the primary grade is one of them).
fn grade_names(view: &View) -> Vec<String> {
    let mut names: Vec<String> = match &view.filter.model {
        Some(name) => view
            .models
            .iter()
            .filter(|m| &m.name == name)
            .flat_map(|m| m.grades.iter().map(|g| g.name.clone()))
            .collect(),
        None => CONVERSION_GRADES
            .iter()
            .map(|g| (*g).to_owned())
            .chain(
                view.models
                    .iter()
                    .flat_map(|m| m.grades.iter().map(|g| g.name.clone())),
            )
            .collect(),
    };
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

fn filter_form(view: &View, error: Option<&BadFilter>) -> String {
    let q = &view.query;
    let f = &view.filter;
    let model_names: Vec<String> = view.models.iter().map(|m| m.name.clone()).collect();
    let note = |field: &str| match error {
        Some(e) if e.field == field => format!(
            "<span class=\"field-error\" id=\"{field}-error\">{}</span>",
            escape(&e.message)
        ),
        _ => String::new(),
    };
    let ready = |value: &str, label: &str| {
        let selected = if q.get("sales_ready") == Some(value) {
            " selected"
        } else {
            ""
        };
        format!("<option value=\"{value}\"{selected}>{label}</option>")
    };
    format!(
        "<form class=\"filters card\" method=\"get\" action=\"/console/leads\" role=\"search\" \
          aria-label=\"Filter the leads\">\
         <div><label><input type=\"checkbox\" name=\"open\" value=\"1\"{open}> Open leads only</label></div>\
         <div><label for=\"f-model\">Rule model</label>\
         <select id=\"f-model\" name=\"model\">{models}</select>{model_error}</div>\
         <div><label for=\"f-grade\">Grade</label>\
         <select id=\"f-grade\" name=\"grade\">{grades}</select></div>\
         <div><label for=\"f-ready\">Sales-ready</label>\
         <select id=\"f-ready\" name=\"sales_ready\"><option value=\"\">any</option>{yes}{no}</select>{ready_error}</div>\
         <div><label for=\"f-source\">Source</label>\
         <select id=\"f-source\" name=\"source\">{sources}</select></div>\
         {keep}<div><button type=\"submit\">Apply</button> \
         <a href=\"/console/leads\">Clear the filters</a></div>{sort_error}</form>",
        open = if f.stages.is_empty() { "" } else { " checked" },
        models = options(&model_names, f.model.as_deref(), "primary score"),
        model_error = note("model"),
        grades = options(&grade_names(view), f.grade.as_deref(), "any"),
        yes = ready("yes", "yes"),
        no = ready("no", "no"),
        ready_error = note("sales_ready"),
        sources = options(&view.sources, f.source.as_deref(), "any"),
        keep = q.hidden_inputs(&["open", "model", "grade", "sales_ready", "source"]),
        sort_error = note("sort"),
    )
}

fn stage_text(stage: Stage) -> &'static str {
    match stage {
        Stage::New => "new",
        Stage::SalesAcceptance => "sales acceptance",
        Stage::Qualified => "won (qualified)",
        Stage::Disqualified => "lost (disqualified)",
    }
}

fn day(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%d %H:%M").to_string()
}

/// A lead's link text: its contact's name, else its company, else its id.
pub fn lead_label(row: &LeadListRow) -> String {
    row.name
        .clone()
        .or_else(|| row.company.clone())
        .unwrap_or_else(|| row.lead_id.as_str().to_owned())
}

fn model_cell(scores: Option<&Vec<RuleScoreRow>>, model: &str) -> String {
    match scores.and_then(|s| s.iter().find(|r| r.model == model)) {
        Some(RuleScoreRow {
            score: Some(score),
            grade,
            ..
        }) => format!(
            "{score}{}",
            grade.as_deref().map_or(String::new(), |g| format!(
                " <span class=\"grade\">{}</span>",
                escape(g)
            ))
        ),
        Some(r) => format!(
            "<span class=\"muted\" title=\"{}\">–</span>",
            escape(r.reason.as_deref().unwrap_or("not scored"))
        ),
        None => "<span class=\"muted\">–</span>".to_owned(),
    }
}

fn table(view: &View, rows: &[LeadListRow], scores: &HashMap<LeadId, Vec<RuleScoreRow>>) -> String {
    let path = "/console/leads";
    let q = &view.query.or_default("sort", "-score");
    let model_heads: String = view
        .models
        .iter()
        .map(|m| format!("<th scope=\"col\" class=\"num\">{}</th>", escape(&m.name)))
        .collect();
    let score_label = match &view.filter.model {
        Some(m) => format!("Score ({m})"),
        None => "Primary score".to_owned(),
    };
    let head = format!(
        "<tr>{name}{company}<th scope=\"col\">Source</th>\
         <th scope=\"col\">Stage</th>{score}<th scope=\"col\">Grade</th>{model_heads}\
         <th scope=\"col\">Sales-ready</th><th scope=\"col\">Queue</th>{recent}{lead}</tr>",
        name = sort_header(path, q, "Lead", "name", false),
        company = sort_header(path, q, "Company", "company", false),
        score = sort_header(path, q, &score_label, "score", true),
        recent = sort_header(path, q, "Last activity", "recent", true),
        lead = sort_header(path, q, "Lead id", "lead", false),
    );
    let body: String = rows
        .iter()
        .map(|r| {
            let href = crate::lead::lead_path(r.lead_id.as_str());
            let lead_scores = scores.get(&r.lead_id);
            let (score, grade) = match &view.filter.model {
                Some(m) => {
                    let own = lead_scores.and_then(|s| s.iter().find(|x| &x.model == m));
                    (own.and_then(|x| x.score), own.and_then(|x| x.grade.clone()))
                }
                None => (r.score, r.grade.clone()),
            };
            let models: String = view
                .models
                .iter()
                .map(|m| format!("<td class=\"num\">{}</td>", model_cell(lead_scores, &m.name)))
                .collect();
            format!(
                "<tr><td><a href=\"{href}\">{label}</a>{email}</td><td>{company}</td>\
                 <td>{source}</td><td>{stage}</td><td class=\"num\">{score}</td><td>{grade}</td>{models}\
                 <td>{ready}</td><td>{queue}</td><td>{recent}</td><td class=\"muted\">{lead_id}</td></tr>",
                href = escape(&href),
                label = escape(&lead_label(r)),
                email = r.email.as_deref().map_or(String::new(), |e| format!(
                    "<br><span class=\"muted\">{}</span>",
                    escape(e)
                )),
                company = escape(r.company.as_deref().unwrap_or("")),
                source = escape(r.source.as_deref().unwrap_or("")),
                stage = stage_text(r.stage),
                score = score.map_or("–".to_owned(), |s| s.to_string()),
                grade = grade.as_deref().map_or(String::new(), |g| format!(
                    "<span class=\"grade\">{}</span>",
                    escape(g)
                )),
                ready = if r.sales_ready { "yes" } else { "no" },
                queue = escape(r.queue.as_deref().unwrap_or("")),
                recent = day(r.last_activity),
                lead_id = escape(r.lead_id.as_str()),
            )
        })
        .collect();
    format!(
        "<div class=\"table-wrap\"><table class=\"leads\"><caption class=\"visually-hidden\">Leads</caption>\
         <thead>{head}</thead><tbody>{body}</tbody></table></div>"
    )
}

/// `GET /console/leads`: the table.
pub async fn leads(
    State(service): State<Service>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let query = ListQuery::new(pairs);
    let here = format!("/console/leads{}", query.with("page", query.get("page")));
    let session = match signed_in(&service, &headers, &here).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let view = match view(&service, query.clone()).await {
        Ok(Ok(v)) => v,
        Ok(Err(bad)) => {
            // Shown at its field, over an unfiltered view.
            let base = match view(&service, ListQuery::default()).await {
                Ok(Ok(v)) => v,
                Ok(Err(_)) => {
                    return error_page(StatusCode::BAD_REQUEST, Some(&session), &bad.message);
                }
                Err(e) => return failed(&e, Some(&session)),
            };
            let body = format!(
                "{}{}",
                notice(Kind::Error, &bad.message),
                filter_form(&View { query, ..base }, Some(&bad))
            );
            return page(
                StatusCode::BAD_REQUEST,
                layout("Leads", Some(&session), &body),
            );
        }
        Err(e) => return failed(&e, Some(&session)),
    };
    let window = PageWindow {
        limit: view.query.per_page(),
        offset: u32::try_from(view.query.offset()).unwrap_or(u32::MAX),
    };
    let listing = match service.store.lead_list().page(&view.filter, window).await {
        Ok(l) => l,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let scores = match model_scores(&service, &listing.rows).await {
        Ok(s) => s,
        Err(e) => return failed(&e, Some(&session)),
    };
    let export_query = view.query.with("page", None);
    let page_query = view.query.with_first_page("scope", Some("page"));
    let page_query = if view.query.page() > 1 {
        format!("{page_query}&page={}", view.query.page())
    } else {
        page_query
    };
    let exports = format!(
        "<p class=\"exports\">Export all {total} matching leads: \
         <a href=\"/console/leads.csv{all}\" download>CSV</a> · \
         <a href=\"/console/leads.xlsx{all}\" download>Excel (.xlsx)</a>. \
         Export this page only: <a href=\"/console/leads.csv{one}\" download>CSV</a> · \
         <a href=\"/console/leads.xlsx{one}\" download>Excel</a>.</p>",
        total = total_text(listing.total),
        all = escape(&export_query),
        one = escape(&page_query),
    );
    let pager_html = pager(
        "/console/leads",
        &view.query,
        listing.rows.len(),
        listing.total,
    );
    let empty = if listing.rows.is_empty() {
        "<p>No lead matches these filters.</p>"
    } else {
        ""
    };
    let body = format!(
        "{form}{exports}{pager_html}{table}{empty}{pager_html}",
        form = filter_form(&view, None),
        table = if listing.rows.is_empty() {
            String::new()
        } else {
            table(&view, &listing.rows, &scores)
        },
    );
    page(StatusCode::OK, layout("Leads", Some(&session), &body))
}
