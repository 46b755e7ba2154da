//! Importing a CRM export in the console: the export's CSV (chosen as a file,
//! or pasted) and a mapping (a shipped one, or one's own), checked first
//! ("Check": the first records as they will be stored and every problem at
//! its place in the export; nothing written), then imported all or nothing,
//! through [`leadscore_engine::import`] as `POST /v1/imports` does.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leadscore_engine::import::{ExportImport, ExportImported, ImportError, import_export};
use leadscore_engine::users::Session;
use leadscore_engine::{IngestError, Problem, Role, Service};

use crate::html::{Kind, escape, layout, notice, page};
use crate::{failed, posted};

const PATH: &str = "/console/import";
/// The mapping choice that means the form's own YAML.
const OWN: &str = "own";

/// What the form re-shows.
#[derive(Debug, Clone)]
struct Draft {
    mapping: String,
    own: String,
    file_name: String,
    csv: String,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            mapping: "salesforce".into(),
            own: String::new(),
            file_name: "Lead.csv".into(),
            csv: String::new(),
        }
    }
}

fn form(session: &Session, draft: &Draft) -> String {
    let options: String = leadscore_mapping::SHIPPED
        .iter()
        .map(|(name, _)| *name)
        .chain(std::iter::once(OWN))
        .map(|name| {
            let label = match leadscore_mapping::shipped(name) {
                Ok(m) => format!("{name}: {}", m.about().unwrap_or("")),
                Err(_) => "my own mapping (below)".to_owned(),
            };
            format!(
                "<option value=\"{name}\"{}>{}</option>",
                if draft.mapping == name {
                    " selected"
                } else {
                    ""
                },
                escape(&label)
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"export\"><h2 id=\"export\">An export</h2>\
         <p>An export from Salesforce, HubSpot or Dynamics 365, or a flat table with one row \
         per lead and an outcome column, read through a mapping (docs/MAPPING.md). \
         <strong>Check</strong> shows the first records as they will be stored and every \
         problem, and writes nothing; <strong>Import</strong> writes everything or nothing, \
         and the changed leads are rescored. Larger exports: <code>leadscore import EXPORT --map NAME</code>.</p>\
         <form method=\"post\" action=\"{PATH}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"mapping\">Mapping</label>\
         <select id=\"mapping\" name=\"mapping\">{options}</select>\
         <label for=\"own\">My own mapping (YAML; used when the mapping is \"my own\")</label>\
         <textarea id=\"own\" name=\"own\" rows=\"6\" spellcheck=\"false\">{own}</textarea>\
         <label for=\"file\">The export's file (CSV)</label>\
         <input id=\"file\" type=\"file\" accept=\".csv,.tsv,text/csv\" data-fill=\"csv\" data-name=\"file_name\">\
         <label for=\"file_name\">Its file name (the mapping picks its files by name)</label>\
         <input id=\"file_name\" name=\"file_name\" value=\"{file_name}\">\
         <label for=\"csv\">Its text (filled from the file, or pasted)</label>\
         <textarea id=\"csv\" name=\"csv\" rows=\"8\" spellcheck=\"false\">{csv}</textarea>\
         <div class=\"actions\"><button type=\"submit\" name=\"dry_run\" value=\"1\">Check (writes nothing)</button>\
         <button type=\"submit\" name=\"import\" value=\"1\">Import</button></div></form></section>",
        csrf = escape(&session.csrf),
        own = escape(&draft.own),
        file_name = escape(&draft.file_name),
        csv = escape(&draft.csv),
    )
}

fn problems(list: &[Problem]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let items: String = list
        .iter()
        .map(|p| {
            format!(
                "<li><strong>{}</strong>: {}</li>",
                escape(&p.field),
                escape(&p.message)
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"problems\"><h2 id=\"problems\">Problems ({})</h2>\
         <ul class=\"problems\">{items}</ul></section>",
        list.len()
    )
}

fn preview(done: &ExportImported) -> String {
    let how = if done.dry_run {
        "as they will be stored"
    } else {
        "as stored"
    };
    done.records
        .iter()
        .map(|p| {
            let head: String = p
                .columns
                .iter()
                .map(|c| format!("<th scope=\"col\">{}</th>", escape(c)))
                .collect();
            let rows: String = p
                .first
                .iter()
                .map(|r| {
                    let cells: String =
                        r.iter().map(|c| format!("<td>{}</td>", escape(c))).collect();
                    format!("<tr>{cells}</tr>")
                })
                .collect();
            format!(
                "<section class=\"card\"><h2>{file}: {n} record{s}</h2>\
                 <p>The first {shown}, {how}:</p>\
                 <div class=\"table-wrap\"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div></section>",
                file = escape(&p.file),
                n = p.records,
                s = if p.records == 1 { "" } else { "s" },
                shown = p.first.len(),
            )
        })
        .collect()
}

fn render(
    session: &Session,
    status: StatusCode,
    top: &str,
    draft: &Draft,
    below: &str,
) -> Response {
    // What the check or the import found comes first, then the form to
    // correct and send again.
    let body = format!("{top}{below}{}", form(session, draft));
    page(status, layout("Import an export", Some(session), &body))
}

/// `GET /console/import`: the form.
pub async fn import_page(State(service): State<Service>, headers: HeaderMap) -> Response {
    let session = match crate::signed_in(&service, &headers, PATH).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    render(&session, StatusCode::OK, "", &Draft::default(), "")
}

/// `POST /console/import` (ingest, CSRF): checks (`dry_run`) or imports the
/// export.
pub async fn import(State(service): State<Service>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, form) = match posted(&service, &headers, &body, Role::Ingest).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let draft = Draft {
        mapping: form.get("mapping").unwrap_or_default().to_owned(),
        own: form.get("own").unwrap_or_default().to_owned(),
        file_name: form.get("file_name").unwrap_or_default().trim().to_owned(),
        csv: form.get("csv").unwrap_or_default().to_owned(),
    };
    let dry_run = form.get("import").is_none();
    let mapping = if draft.mapping == OWN {
        draft.own.clone()
    } else {
        draft.mapping.clone()
    };
    let request = ExportImport {
        mapping,
        files: BTreeMap::from([(draft.file_name.clone(), draft.csv.clone())]),
        dry_run,
    };
    match import_export(&service, request).await {
        Ok(done) if done.dry_run => {
            let top = if done.problems.is_empty() {
                notice(
                    Kind::Notice,
                    "The check found no problem: nothing was written. Import it when the records look right.",
                )
            } else {
                notice(
                    Kind::Error,
                    &format!(
                        "The check found {} problem{}: nothing was written. Correct the export (or the mapping) and check again.",
                        done.problems.len(),
                        if done.problems.len() == 1 { "" } else { "s" }
                    ),
                )
            };
            let below = format!("{}{}", problems(&done.problems), preview(&done));
            let status = if done.problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(&session, status, &top, &draft, &below)
        }
        Ok(done) => {
            let written = done.written.map_or(0, |w| w.records);
            let queued = done.written.map_or(0, |w| w.rescoring);
            tracing::info!(by = %session.user.email, records = written, "export imported in the console");
            let top = notice(
                Kind::Notice,
                &format!("Imported {written} records; {queued} leads are being rescored."),
            );
            render(
                &session,
                StatusCode::OK,
                &top,
                &Draft::default(),
                &preview(&done),
            )
        }
        Err(ImportError::Refused(r)) => {
            let top = notice(Kind::Error, &format!("Nothing was imported: {}", r.message));
            let list = if r.problems.is_empty() {
                vec![Problem::new(
                    r.field.clone().unwrap_or_default(),
                    r.message.clone(),
                )]
            } else {
                r.problems.clone()
            };
            render(
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &top,
                &draft,
                &problems(&list),
            )
        }
        Err(ImportError::Ingest(IngestError::Engine(e))) | Err(ImportError::Engine(e)) => {
            failed(&e, Some(&session))
        }
        Err(ImportError::Ingest(e)) => {
            let top = notice(Kind::Error, &format!("Nothing was imported: {e}"));
            render(&session, StatusCode::UNPROCESSABLE_ENTITY, &top, &draft, "")
        }
    }
}
