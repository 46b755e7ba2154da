//! Rule models in the console (`/console/rule-models`): the list, and a
//! designer that needs no YAML. The designer is a plain form (every button
//! works without a script: check, add and remove rules, conditions, filters
//! and grades, save); the console's script checks it as one types through
//! `POST /console/designer/check` and updates the page in place.
//!
//! Every check is the library's own (the rules loader, the engine's check
//! for storing, the check against the store's schema), and saving goes
//! through the engine's [`model_registry::put_rule_model_by`] as the HTTP
//! API's `PUT /v1/rule-models/{name}` does, which keeps each saved version.

mod check;
mod data;
mod draft;
mod page;
mod pickers;
mod results;
mod values;
mod views;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leadscore_engine::model_registry::{self, RuleModelVersion};
use leadscore_engine::users::Session;
use leadscore_engine::{EngineError, Role, Service};
use leadscore_rules::{RuleModel, RulesError};
use serde_json::json;

use crate::html::{self, Kind, error_page, page, see_other};
use crate::{Form, Params, allowed, authorized, failed, param, posted, signed_in};
use check::{Checked, check};
use data::{Figures, StoreData};
use draft::Draft;

pub use data::warm;
pub use views::{list, new_form, show, version};

/// A model's page: `/console/rule-models/{name}` with the name
/// percent-encoded.
pub fn model_path(name: &str) -> String {
    let mut out = String::from("/console/rule-models/");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the designer shows after a check.
struct Outcome {
    draft: Draft,
    checked: Checked,
    figures: Option<Figures>,
    data: Option<Arc<StoreData>>,
    /// Where the model came from, and that tab's text with its problems
    /// (when the tab was the source and its text does not read).
    source: Source,
    typed: Option<(String, Vec<String>)>,
    /// The saved versions of the draft's stored model, newest first.
    versions: Vec<RuleModelVersion>,
}

/// Checks a draft against the store and backtests it.
async fn evaluate(service: &Service, draft: Draft) -> Result<Outcome, EngineError> {
    let data = data::store_data(service).await?;
    let stored = model_registry::rule_models(&service.store).await?;
    let taken: Vec<String> = stored.iter().map(|(m, _)| m.name.clone()).collect();
    let saved = stored
        .into_iter()
        .map(|(m, _)| m)
        .find(|m| !draft.original.is_empty() && m.name == draft.original);
    let checked = check(&draft, Some(&data), &taken);
    let figures = match &checked.model {
        Some(model) => {
            let scores = data::stored_scores(service, &draft.original, &data).await?;
            let (model, data2) = (model.clone(), Arc::clone(&data));
            let at = service.settings.scoring_time();
            tokio::task::spawn_blocking(move || {
                data::figures(&data2, &model, saved.as_ref(), &scores, at)
            })
            .await
            .map_err(|e| EngineError::Scoring {
                reason: format!("the backtest stopped: {e}"),
            })?
            .map(Some)?
        }
        None => None,
    };
    let versions = if draft.original.is_empty() {
        Vec::new()
    } else {
        model_registry::rule_model_versions(&service.store, &draft.original).await?
    };
    Ok(Outcome {
        draft,
        checked,
        figures,
        data: Some(data),
        source: Source::Form,
        typed: None,
        versions,
    })
}

/// Reads a tab's text into a model, or says every problem.
type Reader = fn(&str) -> Result<RuleModel, RulesError>;

/// A tab's text that does not read, as the page lists it: every problem
/// with its place (`line 2: ...` in the text view, `rules[0].points: ...`
/// in the model), or the one error.
fn problem_texts(error: RulesError) -> Vec<String> {
    match error {
        RulesError::Invalid { problems } => problems.iter().map(ToString::to_string).collect(),
        RulesError::TextView { problems } => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// Which view a posted designer form's model comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Form,
    Yaml,
    Text,
}

/// The draft a posted designer form stands for: its fields, or its YAML or
/// text tab when that is the source (`source=yaml`, `source=text`, or the
/// tab's "Use this ... in the form" button); with that tab's text and its
/// problems (the draft is then the form's, unchanged, when it does not read).
fn posted_draft(form: &Form) -> (Draft, Source, Option<(String, Vec<String>)>) {
    let draft = Draft::from_pairs(&form.0);
    let source = if form.get("apply_yaml").is_some() {
        Source::Yaml
    } else if form.get("apply_text").is_some() {
        Source::Text
    } else {
        match form.get("source") {
            Some("yaml") => Source::Yaml,
            Some("text") => Source::Text,
            _ => Source::Form,
        }
    };
    let (field, read): (&str, Reader) = match source {
        Source::Form => return (draft, source, None),
        Source::Yaml => ("yaml", RuleModel::from_yaml),
        Source::Text => ("text", RuleModel::from_text),
    };
    let typed = form.get(field).unwrap_or_default().to_owned();
    match read(&typed).map_err(problem_texts) {
        Ok(model) => (
            Draft::of_model(&model, &draft.original),
            source,
            Some((typed, Vec::new())),
        ),
        Err(problems) => (draft, source, Some((typed, problems))),
    }
}

/// `POST /console/designer`: the designer's buttons. "Save and
/// publish" needs the admin role; everything else (check, add, remove,
/// use the YAML) changes nothing stored and needs a session.
pub async fn design(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let save = form.get("save").is_some();
    let role = if save { Role::Admin } else { Role::Read };
    let session = match authorized(&service, &headers, &form, role).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (mut draft, source, typed) = posted_draft(&form);
    let pressed = source == Source::Form && draft.apply_button(&form.0);
    let mut outcome = match evaluate(&service, draft).await {
        Ok(o) => o,
        Err(e) => return failed(&e, Some(&session)),
    };
    outcome.source = source;
    outcome.typed = typed.filter(|(_, problems)| !problems.is_empty());
    if save {
        let anyway = form.get("save_anyway").is_some();
        if let (true, Some(model)) = (outcome.checked.savable(anyway), &outcome.checked.model) {
            let by = Some(session.user.email.as_str());
            let stored = model_registry::put_rule_model_by(&service.store, model, by).await;
            if let Err(e) = stored {
                return failed(&e, Some(&session));
            }
            if let Err(e) = service.changed().await {
                return failed(&e, Some(&session));
            }
            return see_other(&format!("{}?saved=1", model_path(&model.name)));
        }
        let notice = html::notice(Kind::Error, "Not saved: fix the problems below first.");
        return views::designer(
            &session,
            &outcome,
            StatusCode::UNPROCESSABLE_ENTITY,
            &notice,
            true,
        );
    }
    views::designer(&session, &outcome, StatusCode::OK, "", !pressed)
}

/// `POST /console/designer/check` (the script's, as one types): the
/// same form, answered as JSON: every problem with its field, the backtest
/// and its HTML, the YAML and text views.
pub async fn check_json(
    State(service): State<Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Read).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let (draft, source, typed) = posted_draft(&form);
    let read = typed.as_ref().is_some_and(|(_, p)| p.is_empty());
    let outcome = match evaluate(&service, draft).await {
        Ok(o) => o,
        Err(e) => return failed(&e, Some(&session)),
    };
    let anyway = form.get("save_anyway").is_some();
    let model = outcome.checked.model.as_ref();
    let msgs = page::Messages::of(&outcome.checked);
    let body = json!({
        "savable": outcome.checked.savable(anyway),
        "problems": outcome.checked.problems,
        "warnings": outcome.checked.warnings,
        "source": match source {
            Source::Form => "form",
            Source::Yaml => "yaml",
            Source::Text => "text",
        },
        "typed_problems": typed.map(|(_, p)| p).unwrap_or_default(),
        "summary_html": page::summary_html(&outcome.checked),
        "results_html": views::results_section(&outcome),
        "figures": &outcome.figures,
        "yaml": outcome.yaml_view(),
        "text": model.map(RuleModel::to_text),
        "form_html": read.then(|| page::fields_html(&outcome.draft, &msgs)),
        "lists_html": pickers::datalists(&outcome.draft, outcome.data.as_deref()),
    });
    let mut answer = axum::Json(body).into_response();
    answer
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

/// `POST /console/rule-models/{name}/restore` (admin, CSRF): saves a kept
/// version again as the newest, through the same check and save as every
/// other change.
pub async fn restore(
    State(service): State<Service>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Admin).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let Some(wanted) = form.get("version").and_then(|v| v.parse::<i64>().ok()) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            Some(&session),
            "Say which version to restore.",
        );
    };
    let versions = match model_registry::rule_model_versions(&service.store, &name).await {
        Ok(v) => v,
        Err(e) => return failed(&e, Some(&session)),
    };
    let Some(kept) = versions.into_iter().find(|v| v.version == wanted) else {
        return error_page(
            StatusCode::NOT_FOUND,
            Some(&session),
            "This model has no such version.",
        );
    };
    if let Err(refusal) = model_registry::check_rule_model(&kept.model) {
        return error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&session),
            &refusal.message,
        );
    }
    let by = Some(session.user.email.as_str());
    if let Err(e) = model_registry::put_rule_model_by(&service.store, &kept.model, by).await {
        return failed(&e, Some(&session));
    }
    if let Err(e) = service.changed().await {
        return failed(&e, Some(&session));
    }
    see_other(&format!("{}?restored={wanted}", model_path(&name)))
}

/// The signed-in session of a GET, or the answer to give instead.
async fn reader(service: &Service, headers: &HeaderMap, path: &str) -> Result<Session, Response> {
    let session = signed_in(service, headers, path).await?;
    allowed(&session, Role::Read)?;
    Ok(session)
}

/// The `?saved=1` or `?restored=N` notice of a model's page.
fn notice(params: &Params) -> String {
    if param(params, "saved").is_some() {
        return html::notice(
            Kind::Notice,
            "Saved and published: every lead is being rescored with this model.",
        );
    }
    match param(params, "restored").and_then(|v| v.parse::<i64>().ok()) {
        Some(v) => html::notice(
            Kind::Notice,
            &format!("Version {v} restored: saved again as the newest version and published."),
        ),
        None => String::new(),
    }
}

impl Outcome {
    /// The YAML view: the model's, or (when it has a problem) the draft's
    /// document as the library was given it.
    fn yaml_view(&self) -> String {
        match &self.checked.model {
            Some(m) => results::yaml_of(m),
            None => serde_yaml_ng::to_string(&self.draft.document()).unwrap_or_default(),
        }
    }
}

/// An HTML page answer (for the views).
fn html(status: StatusCode, title: &str, session: &Session, body: &str) -> Response {
    page(status, crate::html::layout(title, Some(session), body))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_text_that_does_not_read_lists_its_problems_by_place() {
        let read = |t: &str| RuleModel::from_text(t).map_err(problem_texts);
        assert_eq!(
            read("MODEL \"M\" TARGET contact\nRULE \"R\" +5 EmailClicked").unwrap_err(),
            ["line 2: expected `:`, found `EmailClicked`"]
        );
        let problems = read("MODEL \"M\" TARGET contact\nRULE \"R\" +x: Lead").unwrap_err();
        assert!(problems[0].starts_with("rules[0].points: "), "{problems:?}");
        let yaml = RuleModel::from_yaml("name: [")
            .map_err(problem_texts)
            .unwrap_err();
        assert!(yaml[0].starts_with("not valid YAML: "), "{yaml:?}");
    }
}
