//! The rule-model pages: the list, the designer (new, or a stored model
//! with its versions), and a version's differences.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::users::Session;
use leadscore_engine::{Role, Service, model_registry};
use leadscore_rules::RuleModel;

use std::time::Duration;

use super::check::Checked;
use super::data;
use super::draft::Draft;
use super::page::{self, Messages};
use super::results::{diff_html, figures_html, versions_html, yaml_of};
use super::{Outcome, Source, evaluate, html, model_path, notice, reader};
use crate::html::{Kind, error_page, escape};
use crate::list::thousands;
use crate::{Params, failed};

/// `GET /console/rule-models`: every stored model, each a link to its
/// designer.
pub async fn list(State(service): State<Service>, headers: HeaderMap) -> Response {
    let session = match reader(&service, &headers, "/console/rule-models").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let models = match model_registry::rule_models(&service.store).await {
        Ok(m) => m,
        Err(e) => return failed(&e, Some(&session)),
    };
    let fallback = service
        .in_service
        .get()
        .engine
        .fallback()
        .map(str::to_owned);
    let rows: String = models
        .iter()
        .map(|(m, updated)| {
            let note = if fallback.as_deref() == Some(m.name.as_str()) {
                " <span class=\"muted\">(the fallback score)</span>"
            } else {
                ""
            };
            format!(
                "<tr><th scope=\"row\"><a href=\"{href}\">{name}</a>{note}</th><td>{target}</td>\
                 <td class=\"num\">{rules}</td><td class=\"num\">{ready}</td><td>{grades}</td><td>{at}</td></tr>",
                href = escape(&model_path(&m.name)),
                name = escape(&m.name),
                target = m.target.as_str(),
                rules = thousands(m.rules.len() as u64),
                ready = m.sales_ready.map_or("–".to_owned(), |t| t.to_string()),
                grades = escape(&m.grades.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")),
                at = crate::html::when(*updated),
            )
        })
        .collect();
    let table = if models.is_empty() {
        "<p>No rule model yet.</p>".to_owned()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Rule models</caption>\
             <thead><tr><th scope=\"col\">Model</th><th scope=\"col\">Scores</th>\
             <th scope=\"col\" class=\"num\">Rules</th><th scope=\"col\" class=\"num\">Sales-ready at</th>\
             <th scope=\"col\">Grades</th><th scope=\"col\">Last saved</th></tr></thead>\
             <tbody>{rows}</tbody></table></div>"
        )
    };
    let body = format!(
        "<section class=\"card\">{table}<p><a href=\"/console/designer\">Design a new model</a></p></section>"
    );
    html(StatusCode::OK, "Rule models", &session, &body)
}

/// `GET /console/designer`: the designer with an empty model.
pub async fn new_form(State(service): State<Service>, headers: HeaderMap) -> Response {
    let session = match reader(&service, &headers, "/console/designer").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    if let Some(answer) = still_reading(&service, &session, "Design a rule model").await {
        return answer;
    }
    match evaluate(&service, Draft::blank()).await {
        Ok(outcome) => designer(&session, &outcome, StatusCode::OK, "", false),
        Err(e) => failed(&e, Some(&session)),
    }
}

/// `GET /console/rule-models/{name}`: the designer with a stored model, its
/// backtest and its versions.
pub async fn show(
    State(service): State<Service>,
    headers: HeaderMap,
    Path(name): Path<String>,
    params: Params,
) -> Response {
    let session = match reader(&service, &headers, &model_path(&name)).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let model = match model_registry::rule_model(&service.store, &name).await {
        Ok(Some((m, _))) => m,
        Ok(None) => {
            return error_page(
                StatusCode::NOT_FOUND,
                Some(&session),
                "No rule model has this name.",
            );
        }
        Err(e) => return failed(&e, Some(&session)),
    };
    if let Some(answer) = still_reading(&service, &session, &name).await {
        return answer;
    }
    match evaluate(&service, Draft::of_model(&model, &name)).await {
        Ok(outcome) => designer(&session, &outcome, StatusCode::OK, &notice(&params), true),
        Err(e) => failed(&e, Some(&session)),
    }
}

/// How often the page saying the store's data is being read reloads itself.
const RELOAD_SECS: u32 = 5;

/// Waits for the store's data the designer needs at most
/// `limits.designer_wait_ms`; while it is still being read after that (the
/// first time after the service starts, on a large store), a page that says
/// so and reloads itself (202), so that the person sees why and the page
/// opens by itself once the data is there.
async fn still_reading(service: &Service, session: &Session, title: &str) -> Option<Response> {
    let patience = Duration::from_millis(service.settings.limits.designer_wait_ms);
    match data::store_data_within(service, patience).await {
        Ok(Some(_)) => None,
        Ok(None) => {
            let sample = thousands(u64::from(service.settings.limits.designer_sample_leads));
            let text = format!(
                "The designer is reading the store's leads for its backtest (on a large store, \
                 the {sample} most recently active closed leads and as many open ones, with \
                 their records). This takes a moment the first time after the service starts; \
                 this page reloads itself every {RELOAD_SECS} seconds until they are read."
            );
            let body = format!(
                "<meta http-equiv=\"refresh\" content=\"{RELOAD_SECS}\">{}",
                crate::html::notice(Kind::Notice, &text)
            );
            Some(crate::html::page(
                StatusCode::ACCEPTED,
                crate::html::layout(title, Some(session), &body),
            ))
        }
        Err(e) => Some(failed(&e, Some(session))),
    }
}

/// The results section's content: the figures, or why there are none.
pub fn results_section(outcome: &Outcome) -> String {
    match &outcome.figures {
        Some(f) => figures_html(f, !outcome.draft.original.is_empty()),
        None => "<h2 id=\"rm-results-title\">Backtest</h2><p>The backtest runs once the model \
                 has no problem.</p>"
            .to_owned(),
    }
}

/// The designer page. `show`: whether to show the check's messages (not
/// after an add or remove button, which leaves new fields empty).
pub fn designer(
    session: &Session,
    outcome: &Outcome,
    status: StatusCode,
    notice: &str,
    show: bool,
) -> Response {
    let empty = Checked::default();
    let checked = if show { &outcome.checked } else { &empty };
    let msgs = Messages::of(checked);
    let draft = &outcome.draft;
    let model = outcome.checked.model.as_ref();
    let typed = |wanted: Source| match (&outcome.typed, outcome.source) {
        (Some((text, problems)), source) if source == wanted => {
            Some((text.clone(), problems.clone()))
        }
        _ => None,
    };
    let (yaml, yaml_problems) =
        typed(Source::Yaml).unwrap_or_else(|| (outcome.yaml_view(), Vec::new()));
    let (text, text_problems) = typed(Source::Text).unwrap_or_else(|| {
        (
            model.map_or_else(String::new, RuleModel::to_text),
            Vec::new(),
        )
    });
    let problems_html = |what: &str, list: &[String]| {
        if list.is_empty() {
            return String::new();
        }
        format!(
            "<div class=\"error\" role=\"alert\"><p>The {what} does not read; the form keeps \
             the model as it was:</p><ul>{}</ul></div>",
            list.iter()
                .map(|p| format!("<li>{}</li>", escape(p)))
                .collect::<String>()
        )
    };
    let yaml_problems = problems_html("YAML", &yaml_problems);
    let text_problems = problems_html("text", &text_problems);
    let admin = session.user.role >= Role::Admin;
    let save = if admin {
        "<label class=\"rm-anyway\"><input type=\"checkbox\" name=\"save_anyway\" value=\"1\"> \
         Save even so when the store's data disagrees (a field or value no record has yet)</label>\
         <button type=\"submit\" name=\"save\" value=\"1\">Save and publish</button>"
            .to_owned()
    } else {
        "<p class=\"muted\">Saving needs the admin role; you can design and backtest.</p>"
            .to_owned()
    };
    let title = if draft.original.is_empty() {
        "New rule model".to_owned()
    } else {
        format!("Rule model: {}", draft.original)
    };
    let versions = if draft.original.is_empty() {
        String::new()
    } else {
        format!(
            "<section class=\"card\" id=\"rm-versions\" aria-labelledby=\"rm-versions-title\">\
             <h2 id=\"rm-versions-title\">Versions</h2>{}</section>",
            outcome.versions_html(session, admin)
        )
    };
    let body = format!(
        "<p><a href=\"/console/rule-models\">← Rule models</a></p>{notice}\
         <div id=\"rm-summary\" tabindex=\"-1\">{summary}</div>\
         <form id=\"rm-designer\" method=\"post\" action=\"/console/designer\" \
          data-check=\"/console/designer/check\" novalidate>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <input type=\"hidden\" name=\"original\" value=\"{original}\">\
         <input type=\"hidden\" name=\"source\" value=\"form\" id=\"rm-source\">\
         <button type=\"submit\" name=\"check\" value=\"1\" class=\"visually-hidden\" tabindex=\"-1\">Check</button>\
         <div class=\"rm-tabs\" role=\"tablist\" aria-label=\"Views of the model\" hidden>\
         <button type=\"button\" role=\"tab\" id=\"rm-tab-form-button\" aria-controls=\"rm-tab-form\" aria-selected=\"true\">Form</button>\
         <button type=\"button\" role=\"tab\" id=\"rm-tab-yaml-button\" aria-controls=\"rm-tab-yaml\" aria-selected=\"false\" tabindex=\"-1\">YAML</button>\
         <button type=\"button\" role=\"tab\" id=\"rm-tab-text-button\" aria-controls=\"rm-tab-text\" aria-selected=\"false\" tabindex=\"-1\">Text</button></div>\
         <section id=\"rm-tab-form\" class=\"rm-panel\" role=\"tabpanel\" aria-labelledby=\"rm-tab-form-button\">\
         <h2 class=\"rm-panel-title\">Form</h2><div id=\"rm-fields\">{fields}</div></section>\
         <section id=\"rm-tab-yaml\" class=\"rm-panel\" role=\"tabpanel\" aria-labelledby=\"rm-tab-yaml-button\">\
         <h2 class=\"rm-panel-title\">YAML</h2><label for=\"rm-yaml\">The model as YAML (docs/RULES.md)</label>\
         <textarea id=\"rm-yaml\" name=\"yaml\" rows=\"22\" spellcheck=\"false\">{yaml}</textarea>\
         <div id=\"rm-yaml-problems\">{yaml_problems}</div>\
         <button type=\"submit\" class=\"secondary\" name=\"apply_yaml\" value=\"1\">Use this YAML in the form</button></section>\
         <section id=\"rm-tab-text\" class=\"rm-panel\" role=\"tabpanel\" aria-labelledby=\"rm-tab-text-button\">\
         <h2 class=\"rm-panel-title\">Text</h2><label for=\"rm-text\">The model as text: a MODEL line, a GRADES \
         line, one RULE line per rule (docs/RULES.md, \"Text view\")</label>\
         <textarea id=\"rm-text\" name=\"text\" rows=\"12\" spellcheck=\"false\">{text}</textarea>\
         <div id=\"rm-text-problems\">{text_problems}</div>\
         <button type=\"submit\" class=\"secondary\" name=\"apply_text\" value=\"1\">Use this text in the form</button></section>\
         <div class=\"rm-actions\"><button type=\"submit\" name=\"check\" value=\"1\">Check and backtest</button>{save}</div>\
         </form>\
         <section class=\"card\" id=\"rm-results\" aria-live=\"polite\" aria-labelledby=\"rm-results-title\">{results}</section>\
         {versions}<div id=\"rm-lists\">{lists}</div>",
        summary = if show {
            page::summary_html(checked)
        } else {
            String::new()
        },
        csrf = escape(&session.csrf),
        original = escape(&draft.original),
        fields = page::fields_html(draft, &msgs),
        yaml = escape(&yaml),
        text = escape(&text),
        results = results_section(outcome),
        lists = super::pickers::datalists(draft, outcome.data.as_deref()),
    );
    html(status, &title, session, &body)
}

impl Outcome {
    /// The versions table of the draft's stored model.
    fn versions_html(&self, session: &Session, admin: bool) -> String {
        let base = model_path(&self.draft.original);
        let csrf = admin.then_some(session.csrf.as_str());
        versions_html(&base, &self.versions, csrf)
    }
}

/// `GET /console/rule-models/{name}/versions/{version}`: what a version
/// changed from the one before it, and from the model in service.
pub async fn version(
    State(service): State<Service>,
    headers: HeaderMap,
    Path((name, wanted)): Path<(String, i64)>,
) -> Response {
    let path = format!("{}/versions/{wanted}", model_path(&name));
    let session = match reader(&service, &headers, &path).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let versions = match model_registry::rule_model_versions(&service.store, &name).await {
        Ok(v) => v,
        Err(e) => return failed(&e, Some(&session)),
    };
    let Some(at) = versions.iter().position(|v| v.version == wanted) else {
        return error_page(
            StatusCode::NOT_FOUND,
            Some(&session),
            "This model has no such version.",
        );
    };
    let this = &versions[at];
    let yaml = yaml_of(&this.model);
    let before = versions.get(at + 1);
    let from_before = match before {
        Some(b) => format!(
            "<h2>Changes from version {}</h2>{}",
            b.version,
            diff_html(&yaml_of(&b.model), &yaml)
        ),
        None => "<h2>The first version</h2>".to_owned(),
    };
    let newest = &versions[0];
    let from_newest = if newest.version == wanted {
        String::new()
    } else {
        format!(
            "<h2>Restoring it would change (from version {}, in service)</h2>{}",
            newest.version,
            diff_html(&yaml_of(&newest.model), &yaml)
        )
    };
    let admin = session.user.role >= Role::Admin;
    let restore = versions_html(&model_path(&name), std::slice::from_ref(this), None);
    let button = if admin && newest.version != wanted {
        format!(
            "<form method=\"post\" action=\"{}/restore\" data-confirm=\"Restore version {wanted}?\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <input type=\"hidden\" name=\"version\" value=\"{wanted}\">\
             <button type=\"submit\">Restore version {wanted}</button></form>",
            escape(&model_path(&name)),
            escape(&session.csrf)
        )
    } else {
        String::new()
    };
    let body = format!(
        "<p><a href=\"{back}\">← {name}</a></p><section class=\"card\">{restore}{button}</section>\
         <section class=\"card\">{from_before}{from_newest}</section>\
         <section class=\"card\"><h2>Version {wanted} as YAML</h2><pre>{yaml}</pre></section>",
        back = escape(&model_path(&name)),
        name = escape(&name),
        yaml = escape(&yaml),
    );
    html(
        StatusCode::OK,
        &format!("{name}: version {wanted}"),
        &session,
        &body,
    )
}
