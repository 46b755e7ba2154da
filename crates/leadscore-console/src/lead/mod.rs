//! `GET /console/leads/{lead_id}`: one lead, for deciding whether to call
//! it: who it is (contact, account), where it stands (primary score and
//! grade, stage, queue, the sales-ready flag), why it scores what it scores
//! (every rule that held as a sentence with its points; the conversion
//! model's strongest factors as sentences about the lead's own values), its
//! latest interactions and its score history as a chart with the changes
//! in a table. Any signed-in role may read it.

mod cards;
mod chart;
mod scores;
mod words;

use std::collections::HashSet;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use leadscore_domain::attribution::{Reads, VisitorOwners};
use leadscore_domain::{Dataset, Interaction, InteractionId, Lead, LeadId, Stage, Timestamp};
use leadscore_engine::{Role, Service};
use leadscore_store::{HistoryRow, LeadStateRow};

use crate::html::{self, error_page, escape, layout};
use crate::list::{ListQuery, pager, thousands};
use crate::{allowed, failed, signed_in};
use scores::ScoresView;
use words::{ago, when};

/// Interactions a page shows unless the query says otherwise.
const INTERACTIONS_PER_PAGE: &str = "100";

/// The console path of a lead's page, its id URL-encoded (a space as
/// `%20`: a `+` in a path is a plus).
pub fn lead_path(id: &str) -> String {
    format!("/console/leads/{}", crate::html::path_segment(id))
}

/// What the page reads for a lead.
struct Loaded {
    lead: Lead,
    data: Dataset,
    state: Option<LeadStateRow>,
    scores: ScoresView,
    history: Vec<HistoryRow>,
    /// The lead's interactions (without properties), newest first.
    interactions: Vec<Interaction>,
}

/// `GET /console/leads/{lead_id}` (read role): the lead's page; 400 for an
/// id no lead can have, 404 for one not stored.
pub async fn page(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    lead_id: Result<Path<String>, PathRejection>,
) -> Response {
    let session = match signed_in(&service, &headers, uri.path()).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    if let Err(answer) = allowed(&session, Role::Read) {
        return answer;
    }
    let Ok(Path(raw)) = lead_id else {
        return error_page(
            StatusCode::BAD_REQUEST,
            Some(&session),
            "This address does not hold a readable lead id (it is not valid UTF-8 once decoded).",
        );
    };
    let id = match LeadId::parse(&raw) {
        Ok(id) => id,
        Err(e) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                Some(&session),
                &format!("\"{}\" is not a lead id: {e}.", shorten(&raw)),
            );
        }
    };
    let now = service.settings.scoring_time();
    let loaded = match load(&service, &id, now).await {
        Ok(Some(l)) => l,
        Ok(None) => {
            return error_page(
                StatusCode::NOT_FOUND,
                Some(&session),
                &format!("No lead has the id \"{}\".", shorten(id.as_str())),
            );
        }
        Err(e) => return failed(&e, Some(&session)),
    };
    let query = interactions_query(uri.query());
    let shown_ids: Vec<InteractionId> = loaded
        .interactions
        .iter()
        .skip(usize::try_from(query.offset()).unwrap_or(usize::MAX))
        .take(query.per_page() as usize)
        .map(|i| i.interaction_id.clone())
        .collect();
    let shown = match service.store.lead_detail().interactions(&shown_ids).await {
        Ok(rows) => rows,
        Err(e) => return failed(&e.into(), Some(&session)),
    };
    let live = service.in_service.get();
    let body = render(&loaded, &shown, &query, &live.engine, now);
    html::page(
        StatusCode::OK,
        layout(
            &display_name(&loaded.lead, &loaded.data),
            Some(&session),
            &body,
        ),
    )
}

/// At most 80 characters of an id, for a message.
fn shorten(id: &str) -> String {
    match id.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &id[..end]),
        None => id.to_owned(),
    }
}

/// The interactions' pager query: the request's, 100 a page by default.
fn interactions_query(query: Option<&str>) -> ListQuery {
    let mut pairs: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    if !pairs.iter().any(|(n, _)| n == "per_page") {
        pairs.push(("per_page".to_owned(), INTERACTIONS_PER_PAGE.to_owned()));
    }
    ListQuery::new(pairs)
}

/// Reads the lead, its records, scores (stored, or computed now for a lead
/// not scored yet) and history; `None` when no such lead is stored.
async fn load(
    service: &Service,
    id: &LeadId,
    now: Timestamp,
) -> Result<Option<Loaded>, leadscore_engine::EngineError> {
    let stored = service.store.scores().lead(id).await?;
    let live = service.in_service.get();
    // Properties are read for the page's interactions alone, unless the
    // scores are computed here and a rule reads them.
    let properties = stored.is_none() && live.engine.reads_properties();
    let data = service
        .store
        .records()
        .neighbourhood(std::slice::from_ref(id), properties)
        .await?;
    let Some(lead) = data.leads.iter().find(|l| &l.lead_id == id).cloned() else {
        return Ok(None);
    };
    let (state, scores) = match stored {
        Some((state, rules)) => {
            let view = ScoresView::stored(&state, &rules);
            (Some(state), view)
        }
        None => {
            let results = live.engine.score(&data, std::slice::from_ref(id), now)?;
            (
                None,
                results
                    .first()
                    .map(ScoresView::computed)
                    .unwrap_or_default(),
            )
        }
    };
    let history = service.store.scores().history(id).await?;
    let interactions = interactions_of(&lead, &data);
    Ok(Some(Loaded {
        lead,
        data,
        state,
        scores,
        history,
        interactions,
    }))
}

/// The interactions a lead's scores read (its contact's; an account-based
/// lead's, every contact of its account's), newest first.
fn interactions_of(lead: &Lead, data: &Dataset) -> Vec<Interaction> {
    let owners = VisitorOwners::new(&data.contacts);
    let contacts: HashSet<&str> = match Reads::of(lead) {
        Reads::Contact(c) => [c.as_str()].into_iter().collect(),
        Reads::Account(a) => data
            .contacts
            .iter()
            .filter(|c| c.account_id.as_ref() == Some(a))
            .map(|c| c.contact_id.as_str())
            .collect(),
        Reads::Nobody => HashSet::new(),
    };
    let mut out: Vec<Interaction> = data
        .interactions
        .iter()
        .filter(|i| owners.of(i).is_some_and(|c| contacts.contains(c.as_str())))
        .cloned()
        .collect();
    out.sort_by(|a, b| {
        b.occurred_at
            .cmp(&a.occurred_at)
            .then_with(|| b.interaction_id.cmp(&a.interaction_id))
    });
    out
}

/// The lead's name: its contact's first and last name, else its account's
/// name, else its id.
fn display_name(lead: &Lead, data: &Dataset) -> String {
    cards::contact_of(lead, data)
        .and_then(cards::person)
        .or_else(|| {
            cards::account_of(lead, data)
                .and_then(|a| a.name.clone())
                .filter(|n| !n.trim().is_empty())
        })
        .unwrap_or_else(|| lead.lead_id.as_str().to_owned())
}

fn stage_words(stage: Stage) -> &'static str {
    match stage {
        Stage::New => "New",
        Stage::SalesAcceptance => "Sales acceptance (handed to sellers)",
        Stage::Qualified => "Qualified (converted)",
        Stage::Disqualified => "Disqualified",
    }
}

/// The summary at the top: the primary score and grade, stage, queue, the
/// sales-ready flag (since when, by which model), when scored.
fn summary(l: &Loaded, now: Timestamp) -> String {
    let primary = match &l.scores.primary {
        Some(p) => format!(
            "<p class=\"figure\">{}{}</p><p class=\"muted\">{}</p>",
            p.score,
            p.grade.as_deref().map_or(String::new(), |g| format!(
                " <span class=\"grade\" title=\"grade\">{}</span>",
                escape(g)
            )),
            escape(&p.from)
        ),
        None => {
            "<p class=\"figure\">—</p><p class=\"muted\">No model scores this lead.</p>".to_owned()
        }
    };
    let (stage, queue, ready) = match &l.state {
        Some(s) => {
            let ready = if s.sales_ready {
                let since = s.sales_ready_at.map_or(String::new(), |t| {
                    format!(" since {} ({})", when(t), ago(t, now))
                });
                let by = s
                    .sales_ready_model
                    .as_deref()
                    .map_or(String::new(), |m| format!(", flagged by {m}"));
                format!("Yes{since}{by}")
            } else {
                "Not yet".to_owned()
            };
            (
                s.stage,
                s.queue.clone().unwrap_or_else(|| "none".to_owned()),
                ready,
            )
        }
        None => (
            Stage::of(l.lead.status, false),
            "not routed yet".to_owned(),
            "Not yet".to_owned(),
        ),
    };
    let scored = match &l.state {
        Some(s) => format!("Scored {} ({}).", when(s.scored_at), ago(s.scored_at, now)),
        None => "Not scored yet: these scores were computed just now; the lead is queued \
                 and its stored scores follow within seconds."
            .to_owned(),
    };
    let company = cards::account_of(&l.lead, &l.data)
        .and_then(|a| a.name.clone())
        .unwrap_or_else(|| "—".to_owned());
    format!(
        "<section class=\"card lead-summary\" aria-label=\"Summary\"><div class=\"figures\">\
         <div><h2>Primary score</h2>{primary}</div>\
         <div><dl><dt>Company</dt><dd>{company}</dd><dt>Stage</dt><dd>{stage}</dd>\
         <dt>Queue</dt><dd>{queue}</dd><dt>Sales-ready</dt><dd>{ready}</dd>\
         <dt>Lead id</dt><dd><code>{id}</code></dd></dl></div></div>\
         <p class=\"muted\">{scored}</p></section>",
        company = escape(&company),
        stage = escape(stage_words(stage)),
        queue = escape(&queue),
        ready = escape(&ready),
        id = escape(l.lead.lead_id.as_str()),
        scored = escape(&scored),
    )
}

/// The whole page body.
fn render(
    l: &Loaded,
    shown: &[Interaction],
    query: &ListQuery,
    engine: &leadscore_engine::scoring::Engine,
    now: Timestamp,
) -> String {
    let mut body = summary(l, now);
    body.push_str(&cards::record_cards(&l.lead, &l.data));

    body.push_str(
        "<section aria-labelledby=\"rules-title\"><h2 id=\"rules-title\">Rule models</h2>",
    );
    if l.scores.rules.is_empty() {
        body.push_str("<p class=\"card\">No rule model is in service.</p>");
    }
    for (i, view) in l.scores.rules.iter().enumerate() {
        body.push_str(&scores::rule_card(view, engine, i));
    }
    body.push_str("</section>");
    body.push_str(&scores::conversion_card(
        l.scores.conversion.as_ref(),
        engine.conversion().is_some(),
    ));

    let path = lead_path(l.lead.lead_id.as_str());
    let total = l.interactions.len() as u64;
    let heading = format!(
        "<section class=\"card\" aria-labelledby=\"interactions-title\">\
         <h2 id=\"interactions-title\">Interactions ({})</h2>",
        thousands(total)
    );
    body.push_str(&heading);
    if total == 0 {
        body.push_str("<p>No interaction recorded.</p>");
    } else {
        if query.page() == 1 && total > shown.len() as u64 {
            body.push_str(&format!(
                "<p>Showing the latest {} of {}.</p>",
                thousands(shown.len() as u64),
                thousands(total)
            ));
        }
        body.push_str(&cards::interactions_table(
            shown,
            &l.data,
            &l.lead.lead_id,
            now,
        ));
        body.push_str(&pager(&path, query, shown.len(), total));
    }
    body.push_str("</section>");

    let name = display_name(&l.lead, &l.data);
    body.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"history-heading\">\
         <h2 id=\"history-heading\">Score history</h2>{}{}</section>",
        chart::history_chart(&l.history, &name, now),
        chart::history_table(&l.history, now)
    ));
    format!("<div class=\"lead-page\">{body}</div>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_ids_in_links_are_encoded() {
        assert_eq!(lead_path("L1"), "/console/leads/L1");
        assert_eq!(lead_path("a b/c+d"), "/console/leads/a%20b%2Fc%2Bd");
        assert_eq!(lead_path("<x>\""), "/console/leads/%3Cx%3E%22");
    }

    #[test]
    fn the_pager_shows_100_by_default() {
        assert_eq!(interactions_query(None).per_page(), 100);
        assert_eq!(interactions_query(Some("page=2&per_page=10")).offset(), 10);
    }

    #[test]
    fn long_ids_are_shortened_in_messages() {
        let long = "x".repeat(200);
        assert_eq!(shorten(&long).chars().count(), 81);
        assert_eq!(shorten("L1"), "L1");
    }
}
