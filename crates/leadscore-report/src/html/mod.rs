//! The review as one self-contained HTML page: inline CSS, inline SVG, no
//! scripts, no links to anything outside the page.

mod backtests;
mod calibration;
mod curves;
mod drift;
mod features;
mod grades;
mod style;
mod summary;

use crate::review::Review;
use crate::text::esc;

/// What a chart shows instead when there is nothing to draw.
const NOT_ENOUGH: &str = "Not enough data to draw this chart.";

/// A section of the page: its id, its heading, and the function that writes
/// its content.
type Section = (&'static str, &'static str, fn(&Review) -> String);

/// The sections in page order.
const SECTIONS: [Section; 9] = [
    ("summary", "Summary", summary::body),
    (
        "roc",
        "How well the model tells converting leads apart (ROC curve)",
        curves::roc,
    ),
    (
        "precision-recall",
        "Precision and recall (PR curve)",
        curves::pr,
    ),
    (
        "calibration",
        "Are the predicted chances right? (calibration)",
        calibration::body,
    ),
    (
        "grades",
        "Conversion and lead count by grade",
        grades::grades,
    ),
    ("lift", "Lift by decile", grades::lift),
    (
        "features",
        "What the model looks at (top features)",
        features::body,
    ),
    ("drift", "Have recent leads changed? (drift)", drift::body),
    (
        "backtests",
        "Rule models and the conversion model side by side",
        backtests::body,
    ),
];

/// Renders the review as one HTML page with no external references: inline
/// CSS, charts as inline SVG (each with `role="img"`, an `aria-label`, a
/// `<title>` and a `data-chart` attribute), and every piece of text from the
/// review escaped. Missing figures read "n/a"; a chart without data is
/// replaced by a short note.
pub fn render_html(review: &Review) -> String {
    let title = esc(&review.title);
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n\
         <header><h1>{title}</h1><p class=\"meta\">Generated {}</p></header>\n",
        style::CSS,
        esc(&review.generated_at),
    );
    page.push_str("<nav aria-label=\"Sections\"><ul>");
    for (id, heading, _) in SECTIONS {
        page.push_str(&format!("<li><a href=\"#{id}\">{}</a></li>", esc(heading)));
    }
    page.push_str("</ul></nav>\n");
    for (id, heading, body) in SECTIONS {
        page.push_str(&format!(
            "<section id=\"{id}\">\n<h2>{}</h2>\n{}\n</section>\n",
            esc(heading),
            body(review)
        ));
    }
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

/// A paragraph of plain text.
fn para(text: &str) -> String {
    format!("<p>{}</p>", esc(text))
}

/// A short note in place of a chart or table.
fn note(text: &str) -> String {
    format!("<p class=\"note\">{}</p>", esc(text))
}

/// A chart in a figure, with a caption under it.
fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    )
}

/// A table of plain-text cells; the first column is the row's header.
fn table(caption: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table><caption>{}</caption><thead><tr>", esc(caption));
    for h in headers {
        out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", esc(cell)));
            } else {
                out.push_str(&format!("<td>{}</td>", esc(cell)));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}
