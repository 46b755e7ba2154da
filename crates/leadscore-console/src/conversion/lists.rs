//! The conversion model's lead lists: the live model's false positives
//! (disqualified leads it called to convert) and false negatives (qualified
//! leads it called not to), on the stored scores of the closed leads, each
//! scored as of its close; and the challenger's shadow scores beside the
//! live ones.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::users::Session;
use leadscore_engine::{Service, model_registry};
use leadscore_store::{Mistake, PageWindow};

use crate::html::when;
use crate::html::{Kind, escape, layout, notice, page};
use crate::list::{ListQuery, pager, sort_header, sort_key, thousands};
use crate::routing::queue::lead_link;
use crate::{Params, failed, signed_in};

fn window(query: &ListQuery) -> PageWindow {
    PageWindow {
        limit: query.per_page(),
        offset: u32::try_from(query.offset()).unwrap_or(u32::MAX),
    }
}

fn refused(session: &Session, title: &str, text: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        layout(
            title,
            Some(session),
            &format!(
                "{}<p><a href=\"/console/conversion\">← Conversion model</a></p>",
                notice(Kind::Error, text)
            ),
        ),
    )
}

/// `GET /console/conversion/mistakes?kind=false_positive|false_negative&sort=&page=&per_page=`:
/// the closed leads the live model called wrongly.
pub async fn mistakes_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let path = "/console/conversion/mistakes";
    let session = match signed_in(&service, &headers, path).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let title = "The live model's mistakes";
    let query = ListQuery::new(params.0);
    let kind = query.get("kind").unwrap_or("false_positive");
    let (mistake, what) = match kind {
        "false_positive" => (
            Mistake::FalsePositive,
            "False positives: disqualified leads the model called likely to convert",
        ),
        "false_negative" => (
            Mistake::FalseNegative,
            "False negatives: qualified leads the model called unlikely to convert",
        ),
        _ => {
            return refused(
                &session,
                title,
                "The kind is false_positive or false_negative.",
            );
        }
    };
    let confident_first = match sort_key(&query) {
        None | Some(("confidence", true)) => true,
        Some(("confidence", false)) => false,
        Some(_) => {
            return refused(
                &session,
                title,
                "This list's order does not read: use the column headers.",
            );
        }
    };
    let live = match model_registry::live_model(&service.store).await {
        Ok(l) => l,
        Err(e) => return failed(&e, Some(&session)),
    };
    let Some((version, model)) = live else {
        let body = "<p>No conversion model is published, so there are no mistakes to list.</p>\
                    <p><a href=\"/console/conversion\">← Conversion model</a></p>";
        return page(StatusCode::CONFLICT, layout(title, Some(&session), body));
    };
    let lists = service.store.console_lists();
    let listing = match lists
        .mistakes(
            version,
            model.threshold,
            mistake,
            confident_first,
            window(&query),
        )
        .await
    {
        Ok(l) => l,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let ids: Vec<_> = listing.rows.iter().map(|r| r.lead_id.clone()).collect();
    let names = match lists.names(&ids).await {
        Ok(n) => n,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let rows: String = listing
        .rows
        .iter()
        .map(|r| {
            let who = names.get(&r.lead_id).cloned().unwrap_or_default();
            format!(
                "<tr><td>{link}</td><td>{name}</td><td>{company}</td><td>{stage}</td>\
                 <td class=\"num\">{p:.3}</td><td class=\"num\">{score}</td><td>{at}</td></tr>",
                link = lead_link(r.lead_id.as_str()),
                name = escape(who.name.as_deref().unwrap_or("")),
                company = escape(who.company.as_deref().unwrap_or("")),
                stage = r.stage.as_str(),
                p = r.probability,
                score = r.score.map_or_else(|| "–".into(), |s| s.to_string()),
                at = when(r.scored_at),
            )
        })
        .collect();
    let tab = |k: &str, label: &str| {
        if k == kind {
            format!("<strong aria-current=\"page\">{label}</strong>")
        } else {
            format!("<a href=\"{path}?kind={k}\">{label}</a>")
        }
    };
    let table = if listing.rows.is_empty() {
        "<p>None: every closed lead the live model scored is on the right side of its threshold.</p>".to_owned()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Lead</th>\
             <th scope=\"col\">Name</th><th scope=\"col\">Company</th><th scope=\"col\">Outcome</th>{p}\
             <th scope=\"col\" class=\"num\">Score</th><th scope=\"col\">Scored</th></tr></thead>\
             <tbody>{rows}</tbody></table></div>",
            p = sort_header(
                path,
                &query,
                "Probability (most confident first)",
                "confidence",
                true
            )
            .replacen("<th ", "<th class=\"num\" ", 1),
        )
    };
    let body = format!(
        "<p><a href=\"/console/conversion\">← Conversion model</a></p>\
         <p>{fp} · {fneg}</p><h2>{what}</h2>\
         <p>Version {version}, threshold {threshold:.3}: {total} closed lead{s}, each scored as of \
         its close. These are the leads to look at when judging the model: what did it miss, and why?</p>\
         {table}{pager}",
        fp = tab("false_positive", "False positives"),
        fneg = tab("false_negative", "False negatives"),
        what = escape(what),
        threshold = model.threshold,
        total = thousands(listing.total),
        s = if listing.total == 1 { "" } else { "s" },
        pager = pager(path, &query, listing.rows.len(), listing.total),
    );
    page(StatusCode::OK, layout(title, Some(&session), &body))
}

/// `GET /console/conversion/shadow?page=&per_page=`: the challenger's shadow
/// scores beside the live model's, the largest disagreement first.
pub async fn shadow_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let path = "/console/conversion/shadow";
    let session = match signed_in(&service, &headers, path).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let title = "Challenger beside the live model";
    let query = ListQuery::new(params.0);
    let challenger = match service.store.retraining().challenger_version().await {
        Ok(c) => c,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let Some(version) = challenger else {
        let body = "<p>No challenger: the latest retraining published its model, or none ran.</p>\
                    <p><a href=\"/console/conversion\">← Conversion model</a></p>";
        return page(StatusCode::OK, layout(title, Some(&session), body));
    };
    let lists = service.store.console_lists();
    let listing = match lists.shadow_beside(version, window(&query)).await {
        Ok(l) => l,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let ids: Vec<_> = listing.rows.iter().map(|r| r.lead_id.clone()).collect();
    let names = match lists.names(&ids).await {
        Ok(n) => n,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let rows: String = listing
        .rows
        .iter()
        .map(|r| {
            let who = names.get(&r.lead_id).cloned().unwrap_or_default();
            format!(
                "<tr><td>{link}</td><td>{name}</td><td>{company}</td><td>{stage}</td>\
                 <td class=\"num\">{live}</td><td class=\"num\">{shadow}</td><td>{grade}</td></tr>",
                link = lead_link(r.lead_id.as_str()),
                name = escape(who.name.as_deref().unwrap_or("")),
                company = escape(who.company.as_deref().unwrap_or("")),
                stage = r.stage.as_str(),
                live = r.live_score.map_or_else(|| "–".into(), |s| s.to_string()),
                shadow = r.shadow_score,
                grade = escape(&r.shadow_grade),
            )
        })
        .collect();
    let table = if listing.rows.is_empty() {
        "<p>The challenger has scored no lead yet.</p>".to_owned()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Lead</th>\
             <th scope=\"col\">Name</th><th scope=\"col\">Company</th><th scope=\"col\">Stage</th>\
             <th scope=\"col\" class=\"num\">Live score</th><th scope=\"col\" class=\"num\">Challenger score</th>\
             <th scope=\"col\">Challenger grade</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
    };
    let body = format!(
        "<p><a href=\"/console/conversion\">← Conversion model</a></p>\
         <p>Challenger version {version} scored {total} lead{s} in shadow; the largest disagreements \
         with the live model come first.</p>{table}{pager}",
        total = thousands(listing.total),
        s = if listing.total == 1 { "" } else { "s" },
        pager = pager(path, &query, listing.rows.len(), listing.total),
    );
    page(StatusCode::OK, layout(title, Some(&session), &body))
}
