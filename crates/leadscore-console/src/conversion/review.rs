//! The quarterly feature review and drift, for a signed-in person: the
//! same review the API's `/reports/review` serves to a key
//! ([`leadscore_engine::review::review`], rendered by
//! [`leadscore_report::render_html`]), and its drift section as alarms.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::Service;
use leadscore_engine::review::{self, Answer, Served};
use leadscore_engine::users::Session;
use leadscore_report::{DriftLevel, MAX_RECENT_DAYS, render_html};

use crate::html::{Kind, escape, layout, notice, page};
use crate::{Params, failed, param, signed_in};

/// The live model's review for `?recent_days=` as last computed, or the
/// answer to give (while the first one is computed: a page that reloads
/// itself).
async fn live_review(
    service: &Service,
    session: &Session,
    params: &Params,
    title: &str,
) -> Result<Served, Response> {
    let days = match param(params, "recent_days").filter(|d| !d.is_empty()) {
        None => Some(service.settings.drift.recent_days),
        Some(text) => text.trim().parse::<u32>().ok(),
    };
    let Some(days) = days.filter(|d| (1..=MAX_RECENT_DAYS).contains(d)) else {
        let text =
            format!("The recent window is a whole number of days from 1 to {MAX_RECENT_DAYS}.");
        return Err(page(
            StatusCode::BAD_REQUEST,
            layout(title, Some(session), &notice(Kind::Error, &text)),
        ));
    };
    match review::served(service, days).await {
        Ok(Answer::Ready(served)) => Ok(served),
        Ok(Answer::Computing { version, since }) => {
            let text = format!(
                "The review of version {version} over {days} days is being computed (since \
                 {since}). On a large store this takes a while; this page reloads itself every \
                 {RELOAD_SECS} seconds until it is ready, and from then on it opens at once."
            );
            let body = format!(
                "<meta http-equiv=\"refresh\" content=\"{RELOAD_SECS}\">{}",
                notice(Kind::Notice, &text)
            );
            Err(page(
                StatusCode::ACCEPTED,
                layout(title, Some(session), &body),
            ))
        }
        Ok(Answer::NoLiveModel) => Err(page(
            StatusCode::CONFLICT,
            layout(
                title,
                Some(session),
                "<p>No conversion model is published: publish one on the \
                 <a href=\"/console/conversion\">conversion model page</a> first.</p>",
            ),
        )),
        Err(e) => Err(failed(&e, Some(session))),
    }
}

/// How often the page of a review being computed reloads itself.
const RELOAD_SECS: u32 = 5;

/// `GET /console/review?recent_days=`: the quarterly review page of the
/// live model, as `/reports/review` renders it (self-contained: no script).
pub async fn review_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let session = match signed_in(&service, &headers, "/console/review").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    match live_review(&service, &session, &params, "Quarterly review").await {
        Ok(served) => page(StatusCode::OK, render_html(&served.review)),
        Err(answer) => answer,
    }
}

/// `GET /console/drift?recent_days=`: the live model's drift: the alarms
/// (PSI 0.25 or more), what is worth watching, and every feature's figure.
pub async fn drift_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let title = "Drift";
    let session = match signed_in(&service, &headers, "/console/drift").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (review, computed_at) = match live_review(&service, &session, &params, title).await {
        Ok(served) => (served.review, served.computed_at),
        Err(answer) => return answer,
    };
    let mut out = format!(
        "<p><a href=\"/console/conversion\">← Conversion model</a> · \
         <a href=\"/console/review\">The full review</a></p>\
         <p>Version {}: the leads created recently against the closed leads the model is measured on. \
         A PSI of 0.25 or more is an alarm (investigate, consider retraining); 0.1 up to 0.25 is \
         worth watching. Measured at {} (every {}).</p>",
        review
            .model
            .version
            .map_or_else(|| "–".into(), |v| v.to_string()),
        computed_at,
        period(service.settings.drift.every_secs),
    );
    let Some(drift) = &review.drift else {
        out.push_str(
            "<p>No lead was created in the recent window: there is nothing to compare.</p>",
        );
        return page(StatusCode::OK, layout(title, Some(&session), &out));
    };
    let mut features: Vec<_> = drift.features.iter().collect();
    features.sort_by(|a, b| b.psi.total_cmp(&a.psi));
    let named = |level: DriftLevel| -> Vec<String> {
        features
            .iter()
            .filter(|f| f.level == level)
            .map(|f| format!("{} (PSI {:.2})", f.feature, f.psi))
            .collect()
    };
    let alarms = named(DriftLevel::Major);
    let watch = named(DriftLevel::Moderate);
    let score_alarm = drift
        .score_psi
        .is_some_and(|p| DriftLevel::of(p) == DriftLevel::Major);
    if alarms.is_empty() && !score_alarm {
        out.push_str(&notice(Kind::Notice, "No drift alarm."));
    } else {
        let mut text = String::new();
        if !alarms.is_empty() {
            text.push_str(&format!(
                "Drift alarm on {}: {}.",
                alarms.len(),
                alarms.join(", ")
            ));
        }
        if score_alarm {
            text.push_str(" The score's own distribution drifted.");
        }
        out.push_str(&notice(Kind::Error, text.trim()));
    }
    if !watch.is_empty() {
        out.push_str(&format!(
            "<p>Worth watching: {}.</p>",
            escape(&watch.join(", "))
        ));
    }
    let rows: String = features
        .iter()
        .map(|f| {
            let level = match f.level {
                DriftLevel::Major => "alarm",
                DriftLevel::Moderate => "watch",
                DriftLevel::Stable => "stable",
            };
            format!(
                "<tr class=\"{level}\"><td>{}</td><td class=\"num\">{:.3}</td><td>{level}</td></tr>",
                escape(&f.feature),
                f.psi
            )
        })
        .collect();
    out.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"figures\"><h2 id=\"figures\">Every feature</h2>\
         <p>Score PSI: {score}. Compared against: {reference}.</p>\
         <div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Feature</th>\
         <th scope=\"col\" class=\"num\">PSI (highest first)</th><th scope=\"col\">Level</th></tr></thead>\
         <tbody>{rows}</tbody></table></div></section>",
        score = drift.score_psi.map_or_else(|| "–".into(), |p| format!("{p:.3}")),
        reference = escape(&drift.reference),
    ));
    page(StatusCode::OK, layout(title, Some(&session), &out))
}

/// The periodic check's period in words.
fn period(every_secs: u64) -> String {
    match every_secs {
        0 => "time it is asked for, once an hour at most".into(),
        s if s % 3600 == 0 && s >= 7200 => format!("{} hours", s / 3600),
        3600 => "hour".into(),
        s if s % 60 == 0 && s >= 120 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}
