//! SVG elements in pixel coordinates: lines, rectangles, circles, text and
//! legends. Every function escapes the text it is given and writes
//! coordinates through [`px`], so no markup or NaN can slip in.

use crate::text::{esc, px};

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stroke {
    /// A continuous line.
    Solid,
    /// A dashed line, for reference lines (chance, base rate, thresholds).
    Dashed,
}

impl Stroke {
    fn attribute(self) -> &'static str {
        match self {
            Stroke::Solid => "",
            Stroke::Dashed => r#" stroke-dasharray="6 4""#,
        }
    }
}

/// Where a text's `x` is: its start, middle or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// `x` is the start of the text.
    Start,
    /// `x` is the middle of the text.
    Middle,
    /// `x` is the end of the text.
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A straight line from `(x1, y1)` to `(x2, y2)`.
pub(crate) fn line(
    from: (f64, f64),
    to: (f64, f64),
    colour: &str,
    width: f64,
    stroke: Stroke,
) -> String {
    format!(
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>"#,
        px(from.0),
        px(from.1),
        px(to.0),
        px(to.1),
        esc(colour),
        px(width),
        stroke.attribute()
    )
}

/// A line through `points`, leaving out any point that is not finite. Empty
/// when fewer than two points remain.
pub(crate) fn polyline(points: &[(f64, f64)], colour: &str, width: f64, stroke: Stroke) -> String {
    let kept: Vec<String> = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|&(x, y)| format!("{},{}", px(x), px(y)))
        .collect();
    if kept.len() < 2 {
        return String::new();
    }
    format!(
        r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round"{}/>"#,
        kept.join(" "),
        esc(colour),
        px(width),
        stroke.attribute()
    )
}

/// A filled rectangle with a tooltip (shown on hover, read by screen readers).
pub(crate) fn rect(x: f64, y: f64, width: f64, height: f64, fill: &str, tooltip: &str) -> String {
    format!(
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>"#,
        px(x),
        px(y),
        px(width.max(0.0)),
        px(height.max(0.0)),
        esc(fill),
        esc(tooltip)
    )
}

/// A filled circle with a tooltip.
pub(crate) fn circle(centre: (f64, f64), radius: f64, fill: &str, tooltip: &str) -> String {
    format!(
        r#"<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.75" stroke="white"><title>{}</title></circle>"#,
        px(centre.0),
        px(centre.1),
        px(radius.max(0.0)),
        esc(fill),
        esc(tooltip)
    )
}

/// A line of text; `class` picks its style from the page's CSS.
pub(crate) fn text(at: (f64, f64), anchor: Anchor, class: &str, content: &str) -> String {
    format!(
        r#"<text x="{}" y="{}" text-anchor="{}" class="{}">{}</text>"#,
        px(at.0),
        px(at.1),
        anchor.name(),
        esc(class),
        esc(content)
    )
}

/// Text turned a quarter to the left around its position (for a vertical
/// axis title).
pub(crate) fn vertical_text(at: (f64, f64), class: &str, content: &str) -> String {
    format!(
        r#"<text x="{x}" y="{y}" text-anchor="middle" class="{}" transform="rotate(-90 {x} {y})">{}</text>"#,
        esc(class),
        esc(content),
        x = px(at.0),
        y = px(at.1),
    )
}

/// What a legend entry shows next to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A short line, for a curve or a reference line.
    Line(Stroke),
    /// A small filled square, for bars.
    Box,
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendItem {
    /// The colour of the swatch.
    pub colour: &'static str,
    /// The swatch's shape.
    pub swatch: Swatch,
    /// The label, in plain words.
    pub label: String,
}

/// The legend entries in one row starting at `(x, y)` (the text's baseline).
pub(crate) fn legend(at: (f64, f64), items: &[LegendItem]) -> String {
    let (mut x, y) = at;
    let mut out = String::from(r#"<g class="legend">"#);
    for item in items {
        match item.swatch {
            Swatch::Line(stroke) => out.push_str(&line(
                (x, y - 4.0),
                (x + 22.0, y - 4.0),
                item.colour,
                2.5,
                stroke,
            )),
            Swatch::Box => out.push_str(&rect(
                x + 6.0,
                y - 10.0,
                11.0,
                11.0,
                item.colour,
                &item.label,
            )),
        }
        out.push_str(&text(
            (x + 28.0, y),
            Anchor::Start,
            "legend-label",
            &item.label,
        ));
        x += 40.0 + 6.5 * item.label.chars().count() as f64;
    }
    out.push_str("</g>");
    out
}
