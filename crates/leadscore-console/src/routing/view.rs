//! The routing page's HTML: the queues, each rule in words with its forms
//! (for admins), the form to add a rule and the default queue's.

use leadscore_engine::Role;
use leadscore_engine::routing_rules::{RoutingConfig, RoutingRule};
use leadscore_engine::users::Session;

use super::draft::{FieldErrors, RuleDraft, field_problem, revision};
use crate::html::{Kind, escape, notice};

/// What the page shows beside the stored rules: one form's draft and
/// problems (after a refused change), and a notice or an error at the top.
#[derive(Debug, Default)]
pub(crate) struct View {
    /// The form re-shown: a rule's index (`None`: the new rule's form) with
    /// what was typed and its problems.
    pub draft: Option<(Option<usize>, RuleDraft, FieldErrors)>,
    /// The default queue's form re-shown, with its problem.
    pub default_queue: Option<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// A condition list in words: "grade A or B, score at least 50".
fn describe(rule: &RoutingRule) -> String {
    let mut parts = Vec::new();
    if let Some(grades) = &rule.grades {
        parts.push(format!("grade {}", grades.join(" or ")));
    }
    match (rule.min_score, rule.max_score) {
        (Some(lo), Some(hi)) => parts.push(format!("score {lo} to {hi}")),
        (Some(lo), None) => parts.push(format!("score at least {lo}")),
        (None, Some(hi)) => parts.push(format!("score at most {hi}")),
        (None, None) => {}
    }
    match rule.sales_ready {
        Some(true) => parts.push("sales-ready".into()),
        Some(false) => parts.push("not sales-ready".into()),
        None => {}
    }
    for (k, v) in &rule.fields {
        parts.push(format!("{k} is {v:?}"));
    }
    if parts.is_empty() {
        "every lead".into()
    } else {
        format!("leads with {}", parts.join(", "))
    }
}

/// A queue's link.
pub fn queue_link(name: &str) -> String {
    format!(
        "<a href=\"/console/queues/{}\">{}</a>",
        escape(&crate::html::path_segment(name)),
        escape(name)
    )
}

/// A labelled input with its problem next to it.
fn input(
    prefix: &str,
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    extra: &str,
) -> String {
    let id = format!("{prefix}-{name}");
    let (described, problem) = field_problem(&id, errors.get(name));
    format!(
        "<label for=\"{id}\">{label}</label>{problem}\
         <input id=\"{id}\" name=\"{name}\" value=\"{value}\"{described}{extra}>",
        label = escape(label),
        value = escape(value),
    )
}

fn rule_fields(prefix: &str, draft: &RuleDraft, errors: &FieldErrors) -> String {
    let (described, problem) =
        field_problem(&format!("{prefix}-sales_ready"), errors.get("sales_ready"));
    let choice = |value: &str, label: &str| {
        let selected = if draft.sales_ready == value {
            " selected"
        } else {
            ""
        };
        format!("<option value=\"{value}\"{selected}>{label}</option>")
    };
    let (fdesc, fproblem) = field_problem(&format!("{prefix}-fields"), errors.get("fields"));
    format!(
        "{queue}{grades}{min}{max}\
         <label for=\"{prefix}-sales_ready\">Sales-ready</label>{problem}\
         <select id=\"{prefix}-sales_ready\" name=\"sales_ready\"{described}>{either}{yes}{no}</select>\
         <label for=\"{prefix}-fields\">Lead fields equal to (one <code>name = value</code> a line: \
         source, topic, status or a custom field)</label>{fproblem}\
         <textarea id=\"{prefix}-fields\" name=\"fields\" rows=\"2\"{fdesc}>{fields}</textarea>",
        queue = input(
            prefix,
            "queue",
            "Target queue (letters, digits, - and _)",
            &draft.queue,
            errors,
            " required maxlength=\"64\""
        ),
        grades = input(
            prefix,
            "grades",
            "Primary grade is one of (comma-separated; empty: any)",
            &draft.grades,
            errors,
            ""
        ),
        min = input(
            prefix,
            "min_score",
            "Score at least (empty: no limit)",
            &draft.min_score,
            errors,
            " inputmode=\"numeric\""
        ),
        max = input(
            prefix,
            "max_score",
            "Score at most (empty: no limit)",
            &draft.max_score,
            errors,
            " inputmode=\"numeric\""
        ),
        either = choice("", "either"),
        yes = choice("yes", "yes"),
        no = choice("no", "no"),
        fields = escape(&draft.fields),
    )
}

fn hidden(session: &Session, rev: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"revision\" value=\"{}\">",
        escape(&session.csrf),
        escape(rev)
    )
}

pub(crate) fn body(
    session: &Session,
    config: &RoutingConfig,
    queues: &[(String, u64)],
    view: &View,
) -> String {
    let admin = session.user.role >= Role::Admin;
    let rev = revision(config);
    let mut out = String::new();
    if let Some(n) = &view.notice {
        out.push_str(&notice(Kind::Notice, n));
    }
    if let Some(e) = &view.error {
        out.push_str(&notice(Kind::Error, e));
    }
    out.push_str(
        "<p>Each lead goes to the queue of the first rule it matches, from the top; a lead no \
         rule matches goes to the default queue, if one is set. A change routes every lead again.</p>",
    );
    // The queues.
    let rows: String = queues
        .iter()
        .map(|(name, open)| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                queue_link(name),
                crate::list::total_text(*open)
            )
        })
        .collect();
    out.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"queues\"><h2 id=\"queues\">Queues</h2>{}</section>",
        if queues.is_empty() {
            "<p>No rule names a queue yet.</p>".to_owned()
        } else {
            format!(
                "<table><thead><tr><th scope=\"col\">Queue</th><th scope=\"col\" class=\"num\">Open leads</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        }
    ));
    // The rules.
    out.push_str("<section aria-labelledby=\"rules\"><h2 id=\"rules\">Rules, in order</h2>");
    if config.rules.is_empty() {
        out.push_str("<p class=\"card\">No routing rule yet.</p>");
    }
    let last = config.rules.len().saturating_sub(1);
    for (i, rule) in config.rules.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!(
            "<section class=\"card rule\" aria-labelledby=\"rule-{n}\"><h3 id=\"rule-{n}\">Rule {n}: \
             to {queue}</h3><p>{what} go to {queue}.</p>",
            queue = queue_link(&rule.queue),
            what = escape(&describe(rule)),
        ));
        if admin {
            let (draft, errors) = match &view.draft {
                Some((Some(at), draft, errors)) if *at == i => (draft.clone(), errors.clone()),
                _ => (RuleDraft::of(rule), FieldErrors::new()),
            };
            let whole = errors
                .get("")
                .map_or(String::new(), |e| notice(Kind::Error, e));
            out.push_str(&format!(
                "<details{open}><summary>Edit rule {n}</summary>{whole}\
                 <form method=\"post\" action=\"/console/routing/rules\">{hidden}\
                 <input type=\"hidden\" name=\"index\" value=\"{i}\">{fields}\
                 <button type=\"submit\">Save rule {n}</button></form></details>\
                 <div class=\"rule-actions\">",
                open = if errors.is_empty() { "" } else { " open" },
                hidden = hidden(session, &rev),
                fields = rule_fields(&format!("rule-{n}"), &draft, &errors),
            ));
            let small = |action: &str, label: &str, extra: &str, class: &str| {
                format!(
                    "<form method=\"post\" action=\"/console/routing/{action}\"{extra}>{}\
                     <input type=\"hidden\" name=\"index\" value=\"{i}\">\
                     <button type=\"submit\"{class}>{label}</button></form>",
                    hidden(session, &rev),
                )
            };
            if i > 0 {
                out.push_str(&small("up", &format!("Move rule {n} up"), "", ""));
            }
            if i < last {
                out.push_str(&small("down", &format!("Move rule {n} down"), "", ""));
            }
            out.push_str(&small(
                "delete",
                &format!("Delete rule {n}"),
                &format!(
                    " data-confirm=\"Delete rule {n} (to {}); every lead is routed again?\"",
                    escape(&rule.queue)
                ),
                " class=\"danger\"",
            ));
            out.push_str("</div>");
        }
        out.push_str("</section>");
    }
    out.push_str("</section>");
    let default = config.default_queue.as_deref().unwrap_or_default();
    if admin {
        let (draft, errors) = match &view.draft {
            Some((None, draft, errors)) => (draft.clone(), errors.clone()),
            _ => (RuleDraft::default(), FieldErrors::new()),
        };
        out.push_str(&format!(
            "<section class=\"card\" aria-labelledby=\"add\"><h2 id=\"add\">Add a rule</h2>\
             <p>The new rule goes last; move it up if it must come first.</p>\
             <form method=\"post\" action=\"/console/routing/rules\">{hidden}\
             <input type=\"hidden\" name=\"index\" value=\"new\">{fields}\
             <button type=\"submit\">Add the rule</button></form></section>",
            hidden = hidden(session, &rev),
            fields = rule_fields("new", &draft, &errors),
        ));
        let (value, problem) = match &view.default_queue {
            Some((value, problem)) => (value.as_str(), Some(problem.clone())),
            None => (default, None),
        };
        let errors: FieldErrors = problem
            .map(|p| ("default_queue".to_owned(), p))
            .into_iter()
            .collect();
        out.push_str(&format!(
            "<section class=\"card\" aria-labelledby=\"default\"><h2 id=\"default\">Default queue</h2>\
             <form method=\"post\" action=\"/console/routing/default\">{hidden}{field}\
             <button type=\"submit\">Save the default queue</button></form></section>",
            hidden = hidden(session, &rev),
            field = input("default", "default_queue", "Leads no rule matches go to (empty: no queue)", value, &errors, " maxlength=\"64\""),
        ));
    } else {
        out.push_str(&format!(
            "<section class=\"card\" aria-labelledby=\"default\"><h2 id=\"default\">Default queue</h2><p>{}</p></section>",
            if default.is_empty() {
                "None: leads no rule matches are in no queue.".to_owned()
            } else {
                format!("Leads no rule matches go to {}.", queue_link(default))
            }
        ));
    }
    out
}
