//! A seller queue's page: its leads in priority order (by default only the
//! open ones), filtered, sortable and paginated, each with its contact's
//! name and company and a link to the lead's page.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_domain::Stage;
use leadscore_engine::Service;
use leadscore_engine::routing_rules::queue_name_ok;
use leadscore_store::{LeadFilter, LeadOrder, OPEN_STAGES, PageWindow};

use crate::html::{error_page, escape, layout, page};
use crate::list::{ListQuery, pager, sort_header, sort_key, total_text};
use crate::{Params, failed, signed_in};

/// The `stage` filter's choices: value, label, stages (empty: all).
const STAGES: [(&str, &str, &[Stage]); 6] = [
    ("open", "open (new or sales-ready)", &OPEN_STAGES),
    ("new", "new", &[Stage::New]),
    (
        "sales_acceptance",
        "sales-ready, with sellers",
        &[Stage::SalesAcceptance],
    ),
    ("qualified", "qualified (converted)", &[Stage::Qualified]),
    ("disqualified", "disqualified", &[Stage::Disqualified]),
    ("all", "every stage", &[]),
];

/// A lead's page link.
pub fn lead_link(id: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape(&crate::lead::lead_path(id)),
        escape(id)
    )
}

/// `GET /console/queues/{name}?stage=&grade=&sales_ready=&sort=&page=&per_page=`.
pub async fn queue_page(
    State(service): State<Service>,
    headers: HeaderMap,
    Path(name): Path<String>,
    params: Params,
) -> Response {
    let path = format!("/console/queues/{}", crate::html::path_segment(&name));
    let session = match signed_in(&service, &headers, &path).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    if !queue_name_ok(&name) {
        return error_page(
            StatusCode::NOT_FOUND,
            Some(&session),
            "No queue can have this name: a queue name is 1 to 64 letters, digits, '-' or '_'.",
        );
    }
    let query = ListQuery::new(params.0);
    let stage = query.get("stage").unwrap_or("open");
    let stages = STAGES
        .iter()
        .find(|(v, _, _)| *v == stage)
        .map(|(_, _, s)| s.to_vec());
    let sales_ready = match query.get("sales_ready") {
        None => Some(None),
        Some("yes") => Some(Some(true)),
        Some("no") => Some(Some(false)),
        Some(_) => None,
    };
    let order = match sort_key(&query) {
        None | Some(("score", true)) => Some(LeadOrder::ScoreDesc),
        Some(("score", false)) => Some(LeadOrder::ScoreAsc),
        Some(("activity", true)) => Some(LeadOrder::RecentDesc),
        Some(("activity", false)) => Some(LeadOrder::RecentAsc),
        Some(("lead", false)) => Some(LeadOrder::LeadIdAsc),
        Some(("lead", true)) => Some(LeadOrder::LeadIdDesc),
        Some(("name", false)) => Some(LeadOrder::NameAsc),
        Some(("name", true)) => Some(LeadOrder::NameDesc),
        Some(("company", false)) => Some(LeadOrder::CompanyAsc),
        Some(("company", true)) => Some(LeadOrder::CompanyDesc),
        Some(_) => None,
    };
    let (Some(stages), Some(sales_ready), Some(order)) = (stages, sales_ready, order) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            Some(&session),
            "This list's filter or order does not read: use the form on the queue's page.",
        );
    };
    let filter = LeadFilter {
        stages,
        queue: Some(name.clone()),
        grade: query.get("grade").map(|g| g.trim().to_owned()),
        sales_ready,
        order,
        ..LeadFilter::default()
    };
    let window = PageWindow {
        limit: query.per_page(),
        offset: u32::try_from(query.offset()).unwrap_or(u32::MAX),
    };
    let listing = match service.store.lead_list().page(&filter, window).await {
        Ok(l) => l,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let rows: String = listing
        .rows
        .iter()
        .map(|r| {
            format!(
                "<tr><td>{link}</td><td>{name}</td><td>{company}</td><td class=\"num\">{score}</td>\
                 <td>{grade}</td><td>{ready}</td><td>{stage}</td><td>{at}</td></tr>",
                link = lead_link(r.lead_id.as_str()),
                name = escape(r.name.as_deref().unwrap_or("")),
                company = escape(r.company.as_deref().unwrap_or("")),
                score = r.score.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
                grade = escape(r.grade.as_deref().unwrap_or("")),
                ready = if r.sales_ready { "yes" } else { "" },
                stage = r.stage.as_str(),
                at = crate::html::when(r.last_activity),
            )
        })
        .collect();
    let options: String = STAGES
        .iter()
        .map(|(v, label, _)| {
            format!(
                "<option value=\"{v}\"{}>{label}</option>",
                if *v == stage { " selected" } else { "" }
            )
        })
        .collect();
    let ready = query.get("sales_ready").unwrap_or_default();
    let choice = |v: &str, label: &str| {
        format!(
            "<option value=\"{v}\"{}>{label}</option>",
            if ready == v { " selected" } else { "" }
        )
    };
    let table = if listing.rows.is_empty() {
        "<p>No lead in this queue matches.</p>".to_owned()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><thead><tr>{lead}{person}{company}{score}<th scope=\"col\">Grade</th>\
             <th scope=\"col\">Sales-ready</th><th scope=\"col\">Stage</th>{activity}</tr></thead>\
             <tbody>{rows}</tbody></table></div>",
            lead = sort_header(&path, &query, "Lead", "lead", false),
            person = sort_header(&path, &query, "Name", "name", false),
            company = sort_header(&path, &query, "Company", "company", false),
            score = sort_header(&path, &query, "Score", "score", true).replacen(
                "<th ",
                "<th class=\"num\" ",
                1
            ),
            activity = sort_header(&path, &query, "Latest activity", "activity", true),
        )
    };
    let body = format!(
        "<p><a href=\"/console/routing\">← Routing and queues</a></p>\
         <p>{total} lead{s} in all, highest priority first unless sorted otherwise.</p>\
         <form class=\"filters\" method=\"get\" action=\"{path}\" role=\"search\">{keep}\
         <div><label for=\"stage\">Stage</label><select id=\"stage\" name=\"stage\">{options}</select></div>\
         <div><label for=\"grade\">Grade</label><input id=\"grade\" name=\"grade\" value=\"{grade}\" size=\"8\"></div>\
         <div><label for=\"sales_ready\">Sales-ready</label><select id=\"sales_ready\" name=\"sales_ready\">\
         {any}{yes}{no}</select></div><button type=\"submit\">Filter</button></form>\
         {table}{pager}",
        total = total_text(listing.total),
        s = if listing.total == 1 { "" } else { "s" },
        path = escape(&path),
        keep = query.hidden_inputs(&["stage", "grade", "sales_ready"]),
        grade = escape(query.get("grade").unwrap_or_default()),
        any = choice("", "either"),
        yes = choice("yes", "yes"),
        no = choice("no", "no"),
        pager = pager(&path, &query, listing.rows.len(), listing.total),
    );
    page(
        StatusCode::OK,
        layout(&format!("Queue {name}"), Some(&session), &body),
    )
}
