//! The conversion model's pages: the registered versions with their
//! held-out metrics and which is live; publishing one and rolling back
//! (admins, each form saying what will change); the retraining schedule
//! and runs, and retraining now (admins); the challenger beside the live
//! model; and links to the lead lists of the live model's mistakes
//! ([`lists`]), the quarterly review and drift ([`review`]).
//!
//! Publishing and rolling back call [`model_registry::publish`] and
//! [`model_registry::rollback`] then [`Service::changed`], as
//! `POST /v1/models/{version}/publish` and `POST /v1/models/rollback` do;
//! retraining now calls [`retrain_now`], as `POST /v1/retraining/runs` does.

pub mod lists;
pub mod review;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_domain::{RunStatus, Timestamp};
use leadscore_engine::model_registry::{self, ModelVersion, VersionStatus};
use leadscore_engine::retrain::{Run, RunStart, list_runs, next_run, retrain_now};
use leadscore_engine::users::Session;
use leadscore_engine::{Role, Service, shadow};

use crate::html::{Kind, error_page, escape, layout, notice, page, see_other};
use crate::html::{when, when_opt};
use crate::list::{ListQuery, pager, sort_header, sort_key};
use crate::{Params, failed, param, posted, signed_in};

pub use lists::{mistakes_page, shadow_page};
pub use review::{drift_page, review_page};

const PATH: &str = "/console/conversion";

/// A metric of a version (`auc`, `precision`, ...), when recorded.
fn metric(v: &ModelVersion, name: &str) -> Option<f64> {
    v.metrics.get(name).and_then(|m| m.as_f64())
}

/// A metric as shown: three decimals, or a dash.
fn figure(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{x:.3}"))
}

/// A count of the held-out confusion matrix (`fp`, `fn`, ...).
fn confusion(v: &ModelVersion, cell: &str) -> Option<u64> {
    v.metrics
        .get("confusion")
        .and_then(|c| c.get(cell))
        .and_then(|n| n.as_u64())
}

/// "AUC 0.810 → 0.840", for what a change does.
fn auc_change(from: &ModelVersion, to: &ModelVersion) -> String {
    format!(
        "AUC {} → {}",
        figure(metric(from, "auc")),
        figure(metric(to, "auc"))
    )
}

fn status_word(s: VersionStatus) -> &'static str {
    match s {
        VersionStatus::Live => "live",
        VersionStatus::Challenger => "challenger",
        VersionStatus::Registered => "registered",
    }
}

/// What publishing `v` does, in words.
pub fn publish_effect(v: &ModelVersion, live: Option<&ModelVersion>) -> String {
    match live {
        Some(live) => format!(
            "Publishing version {} replaces version {} ({}); every lead is rescored.",
            v.version,
            live.version,
            auc_change(live, v)
        ),
        None => format!(
            "Publishing version {} puts it in service (AUC {}); every lead is rescored.",
            v.version,
            figure(metric(v, "auc"))
        ),
    }
}

fn versions_table(
    session: &Session,
    query: &ListQuery,
    versions: &[ModelVersion],
) -> Result<String, String> {
    let admin = session.user.role >= Role::Admin;
    let live = versions.iter().find(|v| v.status == VersionStatus::Live);
    let status = query.get("status").unwrap_or("all");
    if !["all", "live", "challenger", "registered"].contains(&status) {
        return Err("The status is all, live, challenger or registered.".into());
    }
    let mut rows: Vec<&ModelVersion> = versions
        .iter()
        .filter(|v| status == "all" || status_word(v.status) == status)
        .collect();
    let by = |name: &'static str, desc: bool| {
        move |a: &&ModelVersion, b: &&ModelVersion| {
            let (x, y) = (
                metric(a, name).unwrap_or(f64::NAN),
                metric(b, name).unwrap_or(f64::NAN),
            );
            if desc {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            }
        }
    };
    match sort_key(query) {
        None | Some(("version", true)) => rows.sort_by_key(|v| std::cmp::Reverse(v.version)),
        Some(("version", false)) => rows.sort_by_key(|v| v.version),
        Some(("auc", desc)) => rows.sort_by(by("auc", desc)),
        Some(("precision", desc)) => rows.sort_by(by("precision", desc)),
        Some(("recall", desc)) => rows.sort_by(by("recall", desc)),
        Some(_) => return Err("This list's order does not read: use the column headers.".into()),
    }
    let total = rows.len() as u64;
    let shown: Vec<&ModelVersion> = rows
        .into_iter()
        .skip(usize::try_from(query.offset()).unwrap_or(usize::MAX))
        .take(query.per_page() as usize)
        .collect();
    let csrf = escape(&session.csrf);
    let body: String = shown
        .iter()
        .map(|v| {
            let action = if admin && v.status != VersionStatus::Live {
                let effect = escape(&publish_effect(v, live));
                format!(
                    "<form method=\"post\" action=\"{PATH}/publish\" data-confirm=\"{effect}\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"version\" value=\"{n}\">\
                     <button type=\"submit\" title=\"{effect}\">Publish version {n}</button></form>",
                    n = v.version,
                )
            } else {
                String::new()
            };
            let low = v
                .metrics
                .get("confidence")
                .and_then(|c| c.get("low"))
                .and_then(|l| l.as_bool())
                .or_else(|| v.metrics.get("low_confidence").and_then(|l| l.as_bool()));
            format!(
                "<tr{live}><td class=\"num\">{n}</td><td>{status}{low}</td><td class=\"num\">{auc}</td>\
                 <td class=\"num\">{pr}</td><td class=\"num\">{precision}</td><td class=\"num\">{recall}</td>\
                 <td class=\"num\">{f1}</td><td class=\"num\">{fp}</td><td class=\"num\">{fneg}</td>\
                 <td>{trained}</td><td>{published}</td><td>{action}</td></tr>",
                live = if v.status == VersionStatus::Live { " class=\"live\"" } else { "" },
                n = v.version,
                status = status_word(v.status),
                low = if low == Some(true) { " (low confidence)" } else { "" },
                auc = figure(metric(v, "auc")),
                pr = figure(metric(v, "pr_auc")),
                precision = figure(metric(v, "precision")),
                recall = figure(metric(v, "recall")),
                f1 = figure(metric(v, "f1")),
                fp = confusion(v, "fp").map_or_else(|| "–".into(), |n| n.to_string()),
                fneg = confusion(v, "fn").map_or_else(|| "–".into(), |n| n.to_string()),
                trained = when(v.created_at),
                published = when_opt(v.published_at),
            )
        })
        .collect();
    let num = |label: &str, key: &str| {
        sort_header(PATH, query, label, key, true).replacen("<th ", "<th class=\"num\" ", 1)
    };
    let options: String = ["all", "live", "challenger", "registered"]
        .iter()
        .map(|s| {
            format!(
                "<option value=\"{s}\"{}>{s}</option>",
                if *s == status { " selected" } else { "" }
            )
        })
        .collect();
    Ok(format!(
        "<form class=\"filters\" method=\"get\" action=\"{PATH}\" role=\"search\">{keep}\
         <div><label for=\"status\">Status</label><select id=\"status\" name=\"status\">{options}</select></div>\
         <button type=\"submit\">Filter</button></form>\
         <div class=\"table-wrap\"><table><thead><tr>{version}<th scope=\"col\">Status</th>{auc}\
         <th scope=\"col\" class=\"num\">PR-AUC</th>{precision}{recall}<th scope=\"col\" class=\"num\">F1</th>\
         <th scope=\"col\" class=\"num\">False positives</th><th scope=\"col\" class=\"num\">False negatives</th>\
         <th scope=\"col\">Trained</th><th scope=\"col\">Last published</th>\
         <th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>{body}</tbody></table></div>\
         <p class=\"muted\">Metrics are measured on each version's held-out leads when it was trained; \
         false positives and negatives are counts at its threshold.</p>{pager}",
        keep = query.hidden_inputs(&["status"]),
        version = num("Version", "version"),
        auc = num("AUC", "auc"),
        precision = num("Precision", "precision"),
        recall = num("Recall", "recall"),
        pager = pager(PATH, query, shown.len(), total),
    ))
}

fn runs_table(runs: &[Run]) -> String {
    if runs.is_empty() {
        return "<p>No retraining run yet.</p>".into();
    }
    let rows: String = runs
        .iter()
        .take(10)
        .map(|r| {
            format!(
                "<tr><td class=\"num\">{id}</td><td>{trigger}</td><td>{started}</td><td>{status}</td>\
                 <td class=\"num\">{version}</td><td class=\"num\">{new}</td><td class=\"num\">{old}</td>\
                 <td class=\"num\">{leads}</td><td>{reason}</td></tr>",
                id = r.run_id,
                trigger = r.trigger,
                started = when(r.started_at),
                status = r.status,
                version = r.version.map_or_else(|| "–".into(), |v| v.to_string()),
                new = figure(r.challenger_auc),
                old = figure(r.champion_auc),
                leads = r.leads.map_or_else(|| "–".into(), |n| n.to_string()),
                reason = escape(r.reason.as_deref().unwrap_or("")),
            )
        })
        .collect();
    format!(
        "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\" class=\"num\">Run</th>\
         <th scope=\"col\">Trigger</th><th scope=\"col\">Started</th><th scope=\"col\">Outcome</th>\
         <th scope=\"col\" class=\"num\">Version</th><th scope=\"col\" class=\"num\">New AUC</th>\
         <th scope=\"col\" class=\"num\">Live AUC</th><th scope=\"col\" class=\"num\">Closed leads</th>\
         <th scope=\"col\">Why</th></tr></thead><tbody>{rows}</tbody></table></div>{more}",
        more = if runs.len() > 10 {
            format!(
                "<p class=\"muted\">The 10 latest of {} runs.</p>",
                runs.len()
            )
        } else {
            String::new()
        }
    )
}

/// The Retraining card's "Retrain now" form, for admins: disabled, saying
/// so, while a run is running.
fn retrain_form(session: &Session, runs: &[Run]) -> String {
    if session.user.role < Role::Admin {
        return String::new();
    }
    let running = runs.iter().find(|r| r.status == RunStatus::Running);
    let (note, disabled) = match running {
        Some(r) => (
            format!(
                "<p class=\"muted\">Run {} is running (started {}): one run at a time. \
                 The runs below show its progress.</p>",
                r.run_id,
                when(r.started_at)
            ),
            " disabled",
        ),
        None => (String::new(), ""),
    };
    let effect = "Retraining trains a new model on the closed leads now, in the background; \
                  by the policy above it is published (every lead is rescored) or kept as the \
                  challenger.";
    format!(
        "{note}<form method=\"post\" action=\"{PATH}/retrain\" data-confirm=\"{effect}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" title=\"{effect}\"{disabled}>Retrain now</button></form>",
        csrf = escape(&session.csrf),
    )
}

/// The page, with `top` above it and `card` (a notice) in the Retraining
/// card.
async fn render(
    service: &Service,
    session: &Session,
    status: StatusCode,
    params: Vec<(String, String)>,
    top: &str,
    card: &str,
) -> Response {
    let store = &service.store;
    let versions = match model_registry::model_versions(store).await {
        Ok(v) => v,
        Err(e) => return failed(&e, Some(session)),
    };
    let runs = match list_runs(store).await {
        Ok(r) => r,
        Err(e) => return failed(&e, Some(session)),
    };
    let previous = match store.registry().previous_version().await {
        Ok(p) => p,
        Err(e) => return failed(&e.into(), Some(session)),
    };
    let query = ListQuery::new(params);
    let (status, table) = match versions_table(session, &query, &versions) {
        Ok(t) => (status, t),
        Err(problem) => (StatusCode::BAD_REQUEST, notice(Kind::Error, &problem)),
    };
    let live = versions.iter().find(|v| v.status == VersionStatus::Live);
    let challenger = versions
        .iter()
        .find(|v| v.status == VersionStatus::Challenger);
    let mut out = String::from(top);
    // What is live, and what the admin can do about it.
    out.push_str(
        "<section class=\"card\" aria-labelledby=\"live\"><h2 id=\"live\">In service</h2>",
    );
    match live {
        Some(v) => out.push_str(&format!(
            "<p>Version {n} is live (published {at}): AUC {auc}, precision {p}, recall {r}.</p>\
             <p><a href=\"{PATH}/mistakes?kind=false_positive\">Its false positives</a> · \
             <a href=\"{PATH}/mistakes?kind=false_negative\">Its false negatives</a> · \
             <a href=\"/console/review\">The quarterly review</a> · \
             <a href=\"/console/drift\">Drift alarms</a></p>",
            n = v.version,
            at = when_opt(v.published_at),
            auc = figure(metric(v, "auc")),
            p = figure(metric(v, "precision")),
            r = figure(metric(v, "recall")),
        )),
        None => out
            .push_str("<p>No version is published: leads are scored by the rule models only.</p>"),
    }
    if session.user.role >= Role::Admin
        && let (Some(v), Some(prev)) = (live, previous)
        && let Some(to) = versions.iter().find(|x| x.version == prev)
    {
        let effect = format!(
            "Rolling back replaces version {} with version {} ({}); every lead is rescored.",
            v.version,
            to.version,
            auc_change(v, to)
        );
        out.push_str(&format!(
            "<form method=\"post\" action=\"{PATH}/rollback\" data-confirm=\"{e}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><p>{e}</p>\
             <button class=\"danger\" type=\"submit\">Roll back to version {to}</button></form>",
            e = escape(&effect),
            csrf = escape(&session.csrf),
            to = to.version,
        ));
    }
    out.push_str("</section>");
    // The challenger beside the live model.
    if let Some(c) = challenger {
        let summary = match shadow::summary(store, c.version).await {
            Ok(s) => s,
            Err(e) => return failed(&e, Some(session)),
        };
        let grades: String = summary
            .grades
            .iter()
            .map(|(g, n)| format!("{}: {n}", escape(g)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "<section class=\"card\" aria-labelledby=\"challenger\"><h2 id=\"challenger\">Challenger</h2>\
             <p>Version {n} was retrained and kept unpublished: it scores every rescored lead in \
             shadow, beside the live model, without changing grades, routing or events.</p>\
             <dl><dt>Held-out AUC</dt><dd>{auc} (live: {live_auc})</dd>\
             <dt>Leads scored in shadow</dt><dd>{leads}</dd><dt>Mean shadow score</dt><dd>{mean}</dd>\
             <dt>Shadow grades</dt><dd>{grades}</dd></dl>\
             <p><a href=\"{PATH}/shadow\">The leads, challenger beside live</a></p></section>",
            n = c.version,
            auc = figure(metric(c, "auc")),
            live_auc = figure(live.and_then(|l| metric(l, "auc"))),
            leads = summary.leads,
            mean = summary.mean_score.map_or_else(|| "–".into(), |m| format!("{m:.1}")),
        ));
    }
    out.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"versions\"><h2 id=\"versions\">Versions</h2>{table}</section>"
    ));
    // Retraining.
    let settings = &service.settings.retraining;
    let next = settings
        .cron()
        .ok()
        .flatten()
        .and_then(|cron| next_run(&cron, Timestamp::now()));
    out.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"retraining\"><h2 id=\"retraining\">Retraining</h2>\
         {card}<dl><dt>Schedule</dt><dd>{schedule}</dd><dt>Next run</dt><dd>{next}</dd>\
         <dt>Trains on</dt><dd>the leads closed in the last {window} days</dd>\
         <dt>Publishes when</dt><dd>the new model reaches {share:.0}% of the live model's held-out AUC{age}; \
         otherwise it is kept as the challenger</dd></dl>{form}{runs}</section>",
        schedule = settings.schedule.as_deref().map_or_else(
            || "none: runs only when asked (`leadscore retrain`, or Retrain now)".to_owned(),
            |s| format!("<code>{}</code> (cron, UTC)", escape(s))
        ),
        next = when_opt(next),
        window = settings.window_days,
        share = settings.min_auc_share * 100.0,
        age = if settings.max_champion_age_days > 0 {
            format!(", or the live model is older than {} days", settings.max_champion_age_days)
        } else {
            String::new()
        },
        form = retrain_form(session, &runs),
        runs = runs_table(&runs),
    ));
    page(status, layout("Conversion model", Some(session), &out))
}

/// `GET /console/conversion?status=&sort=&page=&per_page=`: the versions,
/// what is live, the challenger and retraining.
pub async fn conversion_page(
    State(service): State<Service>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let session = match signed_in(&service, &headers, PATH).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let top = match param(&params, "done") {
        Some("published") => notice(
            Kind::Notice,
            "The version is published: every lead is being rescored.",
        ),
        Some("rolled_back") => notice(Kind::Notice, "Rolled back: every lead is being rescored."),
        Some("retraining") => notice(
            Kind::Notice,
            "Retraining started: it trains in the background. The runs table under \
             Retraining shows its progress (reload this page); its outcome says whether the \
             new model was published or kept as the challenger.",
        ),
        _ => String::new(),
    };
    let pairs = params.0.into_iter().filter(|(n, _)| n != "done").collect();
    render(&service, &session, StatusCode::OK, pairs, &top, "").await
}

/// `POST /console/conversion/publish` (admin, CSRF): publishes `version`.
pub async fn publish(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let text = form.get("version").unwrap_or_default();
    let Ok(version) = text.trim().parse::<i64>() else {
        let top = notice(
            Kind::Error,
            &format!("{text:?} is not a version number: nothing was published."),
        );
        return render(
            &service,
            &session,
            StatusCode::BAD_REQUEST,
            Vec::new(),
            &top,
            "",
        )
        .await;
    };
    match model_registry::publish(&service.store, version, "published").await {
        Ok(true) => {}
        Ok(false) => {
            let top = notice(
                Kind::Error,
                &format!("No version {version} is registered: nothing was published."),
            );
            return render(
                &service,
                &session,
                StatusCode::NOT_FOUND,
                Vec::new(),
                &top,
                "",
            )
            .await;
        }
        Err(e) => return failed(&e, Some(&session)),
    }
    if let Err(e) = service.changed().await {
        return failed(&e, Some(&session));
    }
    tracing::info!(version, by = %session.user.email, "conversion model published in the console");
    see_other(&format!("{PATH}?done=published"))
}

/// `POST /console/conversion/rollback` (admin, CSRF): goes back to the
/// version published before the current one.
pub async fn rollback(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, _) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    match model_registry::rollback(&service.store).await {
        Ok(Some(done)) => {
            if let Err(e) = service.changed().await {
                return failed(&e, Some(&session));
            }
            tracing::info!(from = done.from, to = done.to, by = %session.user.email, "conversion model rolled back in the console");
            see_other(&format!("{PATH}?done=rolled_back"))
        }
        Ok(None) => error_page(
            StatusCode::CONFLICT,
            Some(&session),
            "There is no earlier publication of another version to go back to: nothing changed.",
        ),
        Err(e) => failed(&e, Some(&session)),
    }
}

/// `POST /console/conversion/retrain` (admin, CSRF): starts a retraining in
/// the background, as `POST /v1/retraining/runs` does, then 303 to the page;
/// while a run is running, 409 with the page and the refusal in the
/// Retraining card, nothing started.
pub async fn retrain(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, _) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    match retrain_now(&service).await {
        Ok(RunStart::Started(run_id)) => {
            tracing::info!(run_id, by = %session.user.email, "retraining started in the console");
            see_other(&format!("{PATH}?done=retraining"))
        }
        Ok(RunStart::Running(run_id)) => {
            let card = notice(
                Kind::Error,
                &format!(
                    "Run {run_id} is running: one retraining at a time, so nothing was started. \
                     The runs table below shows its progress; retrain again once it has ended."
                ),
            );
            render(
                &service,
                &session,
                StatusCode::CONFLICT,
                Vec::new(),
                "",
                &card,
            )
            .await
        }
        Err(e) => failed(&e, Some(&session)),
    }
}
