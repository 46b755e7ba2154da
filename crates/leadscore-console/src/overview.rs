//! The overview (`/console/`): open leads by primary grade, leads flagged
//! sales-ready this week, the rescoring lag, the live conversion model and
//! its health, and the latest drift alarms. Every figure is read from an
//! index or a small table, so the page stays fast on a million leads.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_domain::Timestamp;
use leadscore_engine::model_registry::{self, ModelVersion};
use leadscore_engine::review::DriftMeasure;
use leadscore_engine::{EngineError, Service};
use leadscore_report::DriftLevel;
use leadscore_store::{Overview, QueueDepth, RunRow};

use crate::html::{escape, layout, page};
use crate::list::thousands;
use crate::{failed, signed_in};

/// Everything the overview shows.
struct Figures {
    overview: Overview,
    week_start: Timestamp,
    depth: QueueDepth,
    live: Option<ModelVersion>,
    last_run: Option<RunRow>,
    drift: Option<std::sync::Arc<DriftMeasure>>,
}

/// The start of the current week: Monday, 00:00 UTC.
fn week_start(now: Timestamp) -> Timestamp {
    use chrono::{Datelike, Duration};
    let today = now.to_datetime().date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    monday
        .and_hms_opt(0, 0, 0)
        .and_then(|t| Timestamp::from_micros(t.and_utc().timestamp_micros()))
        .unwrap_or(now)
}

async fn figures(service: &Service) -> Result<Figures, EngineError> {
    let store = &service.store;
    let now = Timestamp::now();
    let week_start = week_start(now);
    let overview = store.lead_list().overview(week_start).await?;
    let depth = store.queue().depth().await?;
    let live = model_registry::model_versions(store)
        .await?
        .into_iter()
        .find(|v| v.published);
    let last_run = store.retraining().list().await?.into_iter().next();
    Ok(Figures {
        overview,
        week_start,
        depth,
        live,
        last_run,
        drift: service.last_drift.get(),
    })
}

/// How long ago `then` was, in words ("4 minutes", "2 hours").
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = (now.as_micros() - then.as_micros()).max(0) / 1_000_000;
    let (n, unit) = match secs {
        0..60 => (secs, "second"),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn figure(label: &str, value: &str, note: &str, href: Option<&str>) -> String {
    let value = match href {
        Some(h) => format!("<a href=\"{}\">{}</a>", escape(h), escape(value)),
        None => escape(value),
    };
    format!(
        "<div class=\"card\"><p class=\"muted\">{}</p><p class=\"figure\">{value}</p>\
         <p class=\"muted\">{}</p></div>",
        escape(label),
        escape(note)
    )
}

fn grades(overview: &Overview) -> String {
    if overview.open_by_grade.is_empty() {
        return "<p>No open lead is scored yet.</p>".to_owned();
    }
    let most = overview
        .open_by_grade
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(1)
        .max(1);
    let rows: String = overview
        .open_by_grade
        .iter()
        .map(|(grade, n)| {
            let (label, href) = match grade {
                Some(g) => (
                    g.clone(),
                    format!(
                        "/console/leads?open=1&grade={}",
                        form_urlencoded::byte_serialize(g.as_bytes()).collect::<String>()
                    ),
                ),
                None => ("not graded".to_owned(), "/console/leads?open=1".to_owned()),
            };
            let share = (*n as f64 / most as f64 * 100.0).round();
            format!(
                "<tr><th scope=\"row\"><a href=\"{href}\">{label}</a></th>\
                 <td class=\"num\">{count}</td>\
                 <td class=\"bar-cell\" aria-hidden=\"true\"><span class=\"bar\" style=\"width:{share}%\"></span></td></tr>",
                href = escape(&href),
                label = escape(&label),
                count = thousands(*n),
            )
        })
        .collect();
    format!(
        "<table class=\"grades\"><caption class=\"visually-hidden\">Open leads by primary grade</caption>\
         <thead><tr><th scope=\"col\">Grade</th><th scope=\"col\" class=\"num\">Open leads</th>\
         <th scope=\"col\"><span class=\"visually-hidden\">Share</span></th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    )
}

/// A metric of a version's held-out evaluation, rounded.
fn metric(version: &ModelVersion, name: &str) -> Option<f64> {
    version
        .metrics
        .get(name)
        .and_then(serde_json::Value::as_f64)
}

fn model(f: &Figures) -> String {
    let Some(live) = &f.live else {
        return "<p>No conversion model is live: the rule models give the primary score. \
                <a href=\"/console/conversion\">Train or publish one</a>.</p>"
            .to_owned();
    };
    let low = version_low_confidence(live);
    let health = if low {
        "<p class=\"error\">Low confidence: its held-out AUC is below the bar, so the rule \
         models give the primary score and its own score is shown beside them.</p>"
    } else {
        "<p class=\"notice\">Confident: it gives the primary score.</p>"
    };
    let auc = metric(live, "auc").map_or("not measured".to_owned(), |a| format!("{a:.3}"));
    let precision =
        metric(live, "precision").map_or("–".to_owned(), |p| format!("{:.0}%", p * 100.0));
    let recall = metric(live, "recall").map_or("–".to_owned(), |r| format!("{:.0}%", r * 100.0));
    let run = match &f.last_run {
        Some(r) => format!(
            "Latest retraining: run {} ({}) started {} ago{}.",
            r.run_id,
            r.status,
            age(Timestamp::now(), r.started_at),
            r.reason
                .as_deref()
                .map_or(String::new(), |why| format!(": {why}"))
        ),
        None => "No retraining run yet.".to_owned(),
    };
    format!(
        "{health}<dl><dt>Live version</dt><dd><a href=\"/console/conversion\">v{version}</a>, \
         published {published}</dd>\
         <dt>Held-out AUC</dt><dd>{auc}</dd><dt>Precision</dt><dd>{precision}</dd>\
         <dt>Recall</dt><dd>{recall}</dd></dl><p>{run}</p>",
        version = live.version,
        published = live.published_at.map_or("never".to_owned(), |t| format!(
            "{} ago",
            age(Timestamp::now(), t)
        )),
        run = escape(&run),
    )
}

fn version_low_confidence(version: &ModelVersion) -> bool {
    version
        .metrics
        .get("confidence")
        .and_then(|c| c.get("low"))
        .and_then(serde_json::Value::as_bool)
        .or_else(|| {
            version
                .metrics
                .get("low_confidence")
                .and_then(serde_json::Value::as_bool)
        })
        .unwrap_or(false)
}

fn drift(f: &Figures, check_hours: u64) -> String {
    let Some(measure) = &f.drift else {
        let when = if check_hours == 0 {
            "The periodic drift check is off (drift.every_secs is 0).".to_owned()
        } else {
            format!(
                "The drift check runs every {} on this instance.",
                if check_hours == 1 {
                    "hour".to_owned()
                } else {
                    format!("{check_hours} hours")
                }
            )
        };
        return format!(
            "<p>No drift measure yet since this instance started. {} \
             <a href=\"/console/conversion\">The conversion model page</a> measures it now.</p>",
            escape(&when)
        );
    };
    let list = |level: DriftLevel| -> Vec<String> {
        measure
            .section
            .features
            .iter()
            .filter(|d| d.level == level)
            .map(|d| format!("{} (PSI {:.2})", d.feature, d.psi))
            .collect()
    };
    let (alarms, watch) = (list(DriftLevel::Major), list(DriftLevel::Moderate));
    let score = measure
        .section
        .score_psi
        .map_or(String::new(), |p| format!(" The score's PSI is {p:.2}."));
    let head = format!(
        "Measured {} ago on v{}.{score}",
        age(Timestamp::now(), measure.at),
        measure.version.map_or("?".to_owned(), |v| v.to_string())
    );
    let alarms = if alarms.is_empty() {
        "<p class=\"notice\">No feature drifted past the alarm level (PSI 0.25).</p>".to_owned()
    } else {
        format!(
            "<p class=\"error\" role=\"alert\">{} feature{} drifted past the alarm level: {}.</p>",
            alarms.len(),
            if alarms.len() == 1 { "" } else { "s" },
            escape(&alarms.join(", "))
        )
    };
    let watch = if watch.is_empty() {
        String::new()
    } else {
        format!(
            "<p>Worth watching (PSI 0.1 to 0.25): {}.</p>",
            escape(&watch.join(", "))
        )
    };
    format!("<p>{}</p>{alarms}{watch}", escape(&head))
}

/// `GET /console/`: the overview.
pub async fn overview(State(service): State<Service>, headers: HeaderMap) -> Response {
    let session = match signed_in(&service, &headers, "/console/").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    crate::rules::warm(&service);
    let f = match figures(&service).await {
        Ok(f) => f,
        Err(e) => return failed(&e, Some(&session)),
    };
    let now = Timestamp::now();
    let lag = match f.depth.oldest {
        Some(oldest) => format!("the longest has waited {}", age(now, oldest)),
        None => "nothing waits: every change is scored".to_owned(),
    };
    let never = if f.overview.never_scored > 0 {
        format!(
            "<p class=\"muted\">{} stored lead{} not scored yet: they are queued and listed once scored.</p>",
            thousands(f.overview.never_scored),
            if f.overview.never_scored == 1 {
                " is"
            } else {
                "s are"
            }
        )
    } else {
        String::new()
    };
    let week = f
        .week_start
        .to_datetime()
        .format("since Monday %-d %B, 00:00 UTC")
        .to_string();
    let figures = [
        figure(
            "Open leads",
            &thousands(f.overview.open),
            "new or in sales acceptance",
            Some("/console/leads?open=1"),
        ),
        figure(
            "Sales-ready this week",
            &thousands(f.overview.sales_ready_since),
            &week,
            Some("/console/leads?open=1&sales_ready=yes&sort=-recent"),
        ),
        figure(
            "Waiting for rescoring",
            &thousands(f.depth.leads),
            &lag,
            None,
        ),
    ]
    .concat();
    let check_hours = service.settings.drift.every_secs / 3600;
    let body = format!(
        "<section aria-label=\"Figures\" class=\"figures\">{figures}</section>{never}\
         <div class=\"columns\">\
         <section class=\"card\" aria-labelledby=\"by-grade\"><h2 id=\"by-grade\">Open leads by grade</h2>{grades}</section>\
         <section class=\"card\" aria-labelledby=\"model\"><h2 id=\"model\">Conversion model</h2>{model}</section>\
         <section class=\"card\" aria-labelledby=\"drift\"><h2 id=\"drift\">Drift</h2>{drift}</section>\
         </div>",
        grades = grades(&f.overview),
        model = model(&f),
        drift = drift(&f, check_hours),
    );
    page(StatusCode::OK, layout("Overview", Some(&session), &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_week_starts_on_monday() {
        let wednesday = Timestamp::parse("2026-12-02T13:29:04Z").unwrap_or(Timestamp::now());
        assert_eq!(week_start(wednesday).to_string(), "2026-11-30T00:00:00Z");
    }

    #[test]
    fn ages_read_as_words() {
        let now = Timestamp::parse("2026-12-02T13:00:00Z").unwrap_or(Timestamp::now());
        let then = |s: &str| Timestamp::parse(s).unwrap_or(now);
        assert_eq!(age(now, then("2026-12-02T12:59:59Z")), "1 second");
        assert_eq!(age(now, then("2026-12-02T12:55:00Z")), "5 minutes");
        assert_eq!(age(now, then("2026-11-30T13:00:00Z")), "2 days");
    }
}
