//! The score history as an inline SVG step chart (a score holds until it
//! changes), drawn on the server, and the table of the changes under it,
//! which is the chart's text alternative.
//!
//! `leadscore-report` draws the review's charts with its own SVG helpers,
//! but keeps them private to that crate and its axes start at zero on both
//! sides; a history needs a time axis, so this small chart is drawn here.

use leadscore_domain::Timestamp;
use leadscore_store::HistoryRow;

use super::words::{ago, when};
use crate::html::escape;
use crate::list::thousands;

/// Colours from the Okabe-Ito palette (apart for colour-blind readers); the
/// legend names each line in words too.
const COLOURS: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
];
/// Most lines drawn: the primary score, the conversion model and the first
/// rule models.
const MAX_SERIES: usize = 7;
/// Most changes the table lists (the latest).
pub const MAX_ROWS: usize = 100;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 44.0;

/// One line: a score's values over time.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    label: String,
    points: Vec<(i64, i64)>,
}

/// What a history entry is about, in words.
pub fn what_words(what: &str) -> String {
    match what {
        "primary" => "Primary score".to_owned(),
        "conversion" => "Conversion model".to_owned(),
        "sales_ready" => "Sales-ready flag".to_owned(),
        "queue" => "Queue".to_owned(),
        model => format!("Rule model {model}"),
    }
}

/// The lines of a history (oldest first): the primary score first, then
/// the conversion model, then the rule models by name.
fn series(history: &[HistoryRow]) -> Vec<Series> {
    let mut names: Vec<&str> = Vec::new();
    for h in history {
        if h.what != "sales_ready" && h.what != "queue" && !names.contains(&h.what.as_str()) {
            names.push(&h.what);
        }
    }
    let rank = |n: &str| match n {
        "primary" => (0, String::new()),
        "conversion" => (1, String::new()),
        other => (2, other.to_owned()),
    };
    names.sort_by_key(|n| rank(n));
    names
        .into_iter()
        .take(MAX_SERIES)
        .map(|name| Series {
            label: what_words(name),
            points: history
                .iter()
                .filter(|h| h.what == name)
                .filter_map(|h| h.new_score.map(|s| (h.at.as_micros(), s)))
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// A round step for a vertical axis up to `span`: 1, 2, 5 times a power of ten.
fn step(span: f64) -> f64 {
    let raw = (span / 5.0).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(power * 10.0)
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// The chart: one step line per score, the sales-ready moment marked, axes
/// with dates and scores, a legend; its `<title>` and `<desc>` say what it
/// shows in words. Empty when the history has no scores.
pub fn history_chart(history: &[HistoryRow], lead: &str, now: Timestamp) -> String {
    let lines = series(history);
    if lines.is_empty() {
        return String::new();
    }
    let all = lines.iter().flat_map(|s| s.points.iter());
    let (mut t0, mut t1) = (i64::MAX, i64::MIN);
    let (mut lo, mut hi) = (0_i64, 0_i64);
    for &(t, v) in all {
        t0 = t0.min(t);
        t1 = t1.max(t);
        lo = lo.min(v);
        hi = hi.max(v);
    }
    // Each score holds until now.
    t1 = t1.max(now.as_micros());
    if t1 <= t0 {
        t1 = t0 + 86_400_000_000;
    }
    let tick = step((hi - lo).max(1) as f64);
    let y_lo = (lo as f64 / tick).floor() * tick;
    let y_hi = ((hi as f64 / tick).ceil() * tick).max(y_lo + tick);
    let (w, h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * w;
    let y = |v: f64| TOP + (y_hi - v) / (y_hi - y_lo) * h;

    let mut body = String::new();
    // Horizontal grid lines with the scores.
    let mut v = y_lo;
    while v <= y_hi + 1e-9 {
        body.push_str(&format!(
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{gy}\" y2=\"{gy}\"/>\
             <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            px(LEFT),
            px(LEFT + w),
            px(LEFT - 6.0),
            px(y(v) + 4.0),
            v,
            gy = px(y(v)),
        ));
        v += tick;
    }
    // Dates: the first, the middle and the last.
    for (t, anchor) in [(t0, "start"), (t0 + (t1 - t0) / 2, "middle"), (t1, "end")] {
        let date = Timestamp::from_micros(t).map_or(String::new(), |d| {
            d.to_datetime().format("%Y-%m-%d").to_string()
        });
        body.push_str(&format!(
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{date}</text>",
            px(x(t)),
            px(TOP + h + 18.0),
        ));
    }
    body.push_str(&format!(
        "<line class=\"axis\" x1=\"{l}\" x2=\"{l}\" y1=\"{t}\" y2=\"{b}\"/>\
         <line class=\"axis\" x1=\"{l}\" x2=\"{r}\" y1=\"{b}\" y2=\"{b}\"/>",
        l = px(LEFT),
        r = px(LEFT + w),
        t = px(TOP),
        b = px(TOP + h),
    ));
    // The moment the lead was flagged sales-ready.
    if let Some(flag) = history.iter().find(|e| e.what == "sales_ready") {
        let fx = px(x(flag.at.as_micros()));
        body.push_str(&format!(
            "<line class=\"flag\" x1=\"{fx}\" x2=\"{fx}\" y1=\"{}\" y2=\"{}\"/>\
             <text class=\"tick\" x=\"{fx}\" y=\"{}\" text-anchor=\"middle\">sales-ready</text>",
            px(TOP),
            px(TOP + h),
            px(TOP - 6.0),
        ));
    }
    let mut legend = String::new();
    for (i, s) in lines.iter().enumerate() {
        let colour = COLOURS.get(i).copied().unwrap_or("#000000");
        let mut d = String::new();
        for (k, &(t, v)) in s.points.iter().enumerate() {
            let (px_x, px_y) = (px(x(t)), px(y(v as f64)));
            if k == 0 {
                d.push_str(&format!("M{px_x} {px_y}"));
            } else {
                d.push_str(&format!("H{px_x}V{px_y}"));
            }
        }
        d.push_str(&format!("H{}", px(LEFT + w)));
        let width = if i == 0 { 3 } else { 2 };
        body.push_str(&format!(
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"><title>{}</title></path>",
            escape(&s.label)
        ));
        for &(t, v) in &s.points {
            body.push_str(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"/>",
                px(x(t)),
                px(y(v as f64))
            ));
        }
        legend.push_str(&format!(
            "<li><span class=\"swatch\" style=\"background:{colour}\"></span>{}</li>",
            escape(&s.label)
        ));
    }
    let desc = describe(&lines, history.len(), now);
    format!(
        "<figure class=\"history\"><svg class=\"chart\" viewBox=\"0 0 {wd} {ht}\" role=\"img\" \
         aria-labelledby=\"history-title history-desc\" data-chart=\"score-history\">\
         <title id=\"history-title\">Score history of {lead}</title>\
         <desc id=\"history-desc\">{desc}</desc>{body}</svg>\
         <figcaption><ul class=\"legend\">{legend}</ul></figcaption></figure>",
        wd = WIDTH,
        ht = HEIGHT,
        lead = escape(lead),
        desc = escape(&desc),
    )
}

/// The chart in words: each line's first and latest value.
fn describe(lines: &[Series], changes: usize, now: Timestamp) -> String {
    let mut parts = Vec::new();
    for s in lines {
        let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        let date = |t: i64| Timestamp::from_micros(t).map_or(String::new(), when);
        let latest = Timestamp::from_micros(last.0).map_or(String::new(), |t| ago(t, now));
        parts.push(if s.points.len() == 1 {
            format!("{}: {} since {}", s.label, last.1, date(last.0))
        } else {
            format!(
                "{}: {} on {}, {} since {} ({latest})",
                s.label,
                first.1,
                date(first.0),
                last.1,
                date(last.0)
            )
        });
    }
    format!(
        "{}. {} change{} in all; the table below lists them.",
        parts.join("; "),
        thousands(changes as u64),
        if changes == 1 { "" } else { "s" }
    )
}

fn change_text(h: &HistoryRow) -> String {
    let score = |s: Option<i64>| s.map_or("none".to_owned(), |s| s.to_string());
    let grade = |g: &Option<String>| g.clone().unwrap_or_else(|| "none".to_owned());
    match h.what.as_str() {
        "queue" => format!("{} → {}", grade(&h.old_grade), grade(&h.new_grade)),
        "sales_ready" => format!(
            "flagged at {} by {}",
            score(h.new_score),
            grade(&h.new_grade)
        ),
        _ => {
            let mut text = format!("{} → {}", score(h.old_score), score(h.new_score));
            if h.old_grade != h.new_grade {
                text.push_str(&format!(
                    " (grade {} → {})",
                    grade(&h.old_grade),
                    grade(&h.new_grade)
                ));
            } else if let Some(g) = &h.new_grade {
                text.push_str(&format!(" (grade {g})"));
            }
            text
        }
    }
}

/// The changes, newest first (the latest [`MAX_ROWS`]): when, what, from
/// what to what, and why.
pub fn history_table(history: &[HistoryRow], now: Timestamp) -> String {
    if history.is_empty() {
        return "<p>No change recorded yet.</p>".to_owned();
    }
    let rows: String = history
        .iter()
        .rev()
        .take(MAX_ROWS)
        .map(|h| {
            format!(
                "<tr><td><time datetime=\"{iso}\">{at}</time> <span class=\"muted\">{ago}</span></td>\
                 <td>{what}</td><td>{change}</td><td>{cause}</td></tr>",
                iso = escape(&h.at.to_string()),
                at = escape(&when(h.at)),
                ago = escape(&ago(h.at, now)),
                what = escape(&what_words(&h.what)),
                change = escape(&change_text(h)),
                cause = escape(&h.cause),
            )
        })
        .collect();
    let shown = history.len().min(MAX_ROWS);
    let caption = if history.len() > MAX_ROWS {
        format!(
            "The latest {shown} of {} changes, newest first",
            thousands(history.len() as u64)
        )
    } else {
        format!(
            "{} change{}, newest first",
            thousands(history.len() as u64),
            if history.len() == 1 { "" } else { "s" }
        )
    };
    format!(
        "<div class=\"table-wrap\"><table class=\"history-table\"><caption>{caption}</caption>\
         <thead><tr><th scope=\"col\">When</th><th scope=\"col\">What</th>\
         <th scope=\"col\">Change</th><th scope=\"col\">Why</th></tr></thead>\
         <tbody>{rows}</tbody></table></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: &str, what: &str, old: Option<i64>, new: Option<i64>) -> HistoryRow {
        HistoryRow {
            at: Timestamp::parse(at).unwrap_or_else(|_| Timestamp::now()),
            what: what.to_owned(),
            old_score: old,
            new_score: new,
            old_grade: None,
            new_grade: Some("Warm".to_owned()),
            cause: "interactions ingested".to_owned(),
        }
    }

    #[test]
    fn the_chart_is_an_accessible_svg_with_a_line_per_score() {
        let history = vec![
            row("2026-05-01T10:00:00Z", "Engagement", None, Some(0)),
            row("2026-05-01T10:00:00Z", "primary", None, Some(0)),
            row("2026-05-03T10:00:00Z", "Engagement", Some(0), Some(20)),
            row("2026-05-03T10:00:00Z", "primary", Some(0), Some(20)),
            row("2026-05-04T10:00:00Z", "sales_ready", None, Some(20)),
        ];
        let now = Timestamp::parse("2026-05-10T00:00:00Z").unwrap_or_else(|_| Timestamp::now());
        let svg = history_chart(&history, "L<1>", now);
        assert!(
            svg.contains("<svg") && svg.contains("role=\"img\""),
            "{svg}"
        );
        assert!(svg.contains("<title id=\"history-title\">Score history of L&lt;1&gt;</title>"));
        assert!(
            svg.contains("Primary score: 0 on 2026-05-01 10:00 UTC, 20 since"),
            "{svg}"
        );
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("sales-ready"));
        let table = history_table(&history, now);
        assert!(table.contains("0 → 20 (grade none → Warm)"), "{table}");
        assert!(table.contains("flagged at 20 by Warm"), "{table}");
        assert!(table.find("Sales-ready flag") < table.find("Rule model Engagement"));
        assert_eq!(history_chart(&[], "L1", now), "");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(step(100.0), 20.0);
        assert_eq!(step(7.0), 2.0);
        assert_eq!(step(1.0), 1.0);
        assert_eq!(step(45.0), 10.0);
    }
}
