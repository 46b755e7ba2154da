//! The backtest and "what publishing would change" as HTML, and the saved
//! versions with their differences.

use std::fmt::Write as _;

use leadscore_engine::model_registry::RuleModelVersion;
use leadscore_rules::{GroupOutcome, ModelBacktest};
use similar::{ChangeTag, TextDiff};

use super::data::Figures;
use crate::html::escape;
use crate::list::thousands;

fn ratio(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn count(n: usize) -> String {
    thousands(n as u64)
}

fn row(g: &GroupOutcome) -> String {
    format!(
        "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td></tr>",
        escape(&g.group),
        count(g.leads),
        count(g.qualified),
        percent(g.conversion_rate)
    )
}

fn figure(label: &str, value: &str, before: Option<String>, id: &str) -> String {
    let before = before.map_or(String::new(), |b| {
        format!("<p class=\"muted\">saved model: {}</p>", escape(&b))
    });
    format!(
        "<div class=\"card\"><p class=\"muted\">{label}</p><p class=\"figure\" id=\"{id}\">{}</p>{before}</div>",
        escape(value)
    )
}

fn backtest_html(b: &ModelBacktest, saved: Option<&ModelBacktest>) -> String {
    let rows: String = b.grades.iter().chain(&b.sales_ready).map(row).collect();
    format!(
        "<div class=\"figures\">{auc}{pr}{lift}{conv}</div>\
         <p>{scored} closed leads scored ({not} not scored: outside the target or without a \
         parent record).</p>\
         <div class=\"table-wrap\"><table><caption>Conversion by grade (closed leads)</caption>\
         <thead><tr><th scope=\"col\">Grade</th><th scope=\"col\" class=\"num\">Leads</th>\
         <th scope=\"col\" class=\"num\">Qualified</th><th scope=\"col\" class=\"num\">Conversion</th>\
         </tr></thead><tbody>{rows}</tbody></table></div>",
        auc = figure(
            "AUC",
            &ratio(b.auc, 3),
            saved.map(|s| ratio(s.auc, 3)),
            "rm-auc"
        ),
        pr = figure(
            "PR-AUC",
            &ratio(b.pr_auc, 3),
            saved.map(|s| ratio(s.pr_auc, 3)),
            "rm-pr-auc"
        ),
        lift = figure(
            "Top-decile lift",
            &b.top_decile_lift
                .map_or("–".to_owned(), |l| format!("{l:.2}×")),
            saved.map(|s| s
                .top_decile_lift
                .map_or("–".to_owned(), |l| format!("{l:.2}×"))),
            "rm-lift",
        ),
        conv = figure(
            "Conversion",
            &percent(b.overall.conversion_rate),
            None,
            "rm-conversion"
        ),
        scored = count(b.scored),
        not = count(b.not_scored),
    )
}

/// The results section: the backtest on the closed leads and what
/// publishing would change for the open ones.
pub fn figures_html(f: &Figures, has_saved: bool) -> String {
    let c = &f.changes;
    let moves: String = c
        .moves
        .iter()
        .map(|(from, to, n)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(from),
                escape(to),
                count(*n)
            )
        })
        .collect();
    let moves = if moves.is_empty() {
        String::new()
    } else {
        format!(
            "<div class=\"table-wrap\"><table><caption>The most frequent grade changes</caption>\
             <thead><tr><th scope=\"col\">From</th><th scope=\"col\">To</th>\
             <th scope=\"col\" class=\"num\">Open leads</th></tr></thead><tbody>{moves}</tbody>\
             </table></div>"
        )
    };
    let against = if has_saved {
        "their stored scores under the saved model"
    } else {
        "no stored score (a new model)"
    };
    let skipped = if f.without_close_time > 0 {
        format!(
            " {} closed leads have no close time and are left out.",
            count(f.without_close_time)
        )
    } else {
        String::new()
    };
    format!(
        "<h2 id=\"rm-results-title\">Backtest</h2>\
         <p class=\"muted\">{whose} {closed} closed leads, each scored as of its close time \
         (as <code>leadscore rules backtest</code> does).{skipped} The store's records were read at \
         {read_at}; they are read again after a minute.</p>{backtest}\
         <h2>What publishing would change</h2>\
         <p>Of {open} open leads this model scores, <strong id=\"rm-grade-changes\">{changes}</strong> \
         would change grade and <strong id=\"rm-become-ready\">{ready}</strong> would reach the \
         sales-ready threshold for the first time ({lost} would fall below it), against {against}.</p>{moves}",
        whose = match (f.sampled_from, f.sample_per_kind) {
            (Some(stored), Some(per_kind)) => format!(
                "The store holds {} leads: these figures are of the {} most recently active \
                 closed and open leads of each kind, the",
                count(usize::try_from(stored).unwrap_or(usize::MAX)),
                count(per_kind as usize)
            ),
            _ => "The store's".to_owned(),
        },
        closed = count(f.closed_leads),
        read_at = escape(&f.read_at),
        backtest = backtest_html(&f.backtest, f.saved.as_ref()),
        open = count(c.open_leads),
        changes = count(c.grade_changes),
        ready = count(c.become_sales_ready),
        lost = count(c.no_longer_sales_ready),
    )
}

/// A model as YAML for reading and diffs (the error's text when it cannot
/// be written, which a loaded model always can).
pub fn yaml_of(model: &leadscore_rules::RuleModel) -> String {
    model
        .to_yaml()
        .unwrap_or_else(|e| format!("# cannot write YAML: {e}\n"))
}

/// The line differences from `old` to `new`, as a `<pre>` with added and
/// removed lines marked.
pub fn diff_html(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::from("<pre class=\"rm-diff\">");
    let mut changed = false;
    for change in diff.iter_all_changes() {
        let (tag, sign, label) = match change.tag() {
            ChangeTag::Delete => ("del", "-", "removed: "),
            ChangeTag::Insert => ("ins", "+", "added: "),
            ChangeTag::Equal => ("span", " ", ""),
        };
        changed |= change.tag() != ChangeTag::Equal;
        let line = change.value().trim_end_matches('\n');
        let hidden = if label.is_empty() {
            String::new()
        } else {
            format!("<span class=\"visually-hidden\">{label}</span>")
        };
        // The line's end inside its element: after a removed or added line
        // (shown as a block) it would show as an empty line of its own.
        let _ = write!(out, "<{tag}>{hidden}{sign} {}\n</{tag}>", escape(line));
    }
    out.push_str("</pre>");
    if changed {
        out
    } else {
        "<p>No difference.</p>".to_owned()
    }
}

/// The versions list: each with who saved it and when, a link to its
/// differences from the one before, and (for admins) a restore button.
pub fn versions_html(base: &str, versions: &[RuleModelVersion], restore: Option<&str>) -> String {
    if versions.is_empty() {
        return "<p>No saved version yet.</p>".to_owned();
    }
    let newest = versions.first().map_or(0, |v| v.version);
    let rows: String = versions
        .iter()
        .map(|v| {
            let action = match restore {
                Some(csrf) if v.version != newest => format!(
                    "<form method=\"post\" action=\"{base}/restore\" data-confirm=\"Restore version {n}? \
                     It is saved again as the newest version and published.\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"version\" value=\"{n}\">\
                     <button type=\"submit\" class=\"secondary\" aria-label=\"Restore version {n}\">Restore</button></form>",
                    n = v.version,
                    csrf = escape(csrf),
                ),
                _ if v.version == newest => "in service".to_owned(),
                _ => String::new(),
            };
            format!(
                "<tr><td class=\"num\">{n}</td><td>{at}</td><td>{by}</td><td>{rules}</td>\
                 <td><a href=\"{base}/versions/{n}\">Differences</a></td><td>{action}</td></tr>",
                n = v.version,
                at = crate::html::when(v.saved_at),
                by = escape(v.saved_by.as_deref().unwrap_or("(API or command)")),
                rules = v.model.rules.len(),
            )
        })
        .collect();
    format!(
        "<div class=\"table-wrap\"><table><caption>Saved versions, newest first</caption><thead><tr>\
         <th scope=\"col\" class=\"num\">Version</th><th scope=\"col\">Saved</th><th scope=\"col\">By</th>\
         <th scope=\"col\">Rules</th><th scope=\"col\">Changes</th>\
         <th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead>\
         <tbody>{rows}</tbody></table></div>"
    )
}
