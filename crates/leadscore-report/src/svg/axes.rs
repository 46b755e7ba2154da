//! The plot area of a chart and its axes: grid lines, tick labels and axis
//! titles, for numeric (linear) and category (band) axes.

use super::scale::{Band, Linear};
use super::shapes::{Anchor, Stroke, line, text, vertical_text};

/// Colour of the axis lines.
const AXIS: &str = "#555555";
/// Colour of the grid lines.
const GRID: &str = "#e3e3e3";

/// The rectangle the data is drawn in, in pixels, inside the chart's margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frame {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Frame {
    /// Right edge.
    pub(crate) fn right(&self) -> f64 {
        self.left + self.width
    }

    /// Bottom edge.
    pub(crate) fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// A scale from `domain` to the frame's width, left to right.
    pub(crate) fn x_scale(&self, domain: (f64, f64)) -> Linear {
        Linear::new(domain, (self.left, self.right()))
    }

    /// A scale from `domain` to the frame's height, bottom to top.
    pub(crate) fn y_scale(&self, domain: (f64, f64)) -> Linear {
        Linear::new(domain, (self.bottom(), self.top))
    }
}

/// A numeric horizontal axis along the frame's bottom, with vertical grid
/// lines at `ticks` and `title` below.
pub(crate) fn x_linear(
    frame: &Frame,
    scale: &Linear,
    ticks: &[f64],
    format: fn(f64) -> String,
    title: &str,
) -> String {
    let mut out = String::from(r#"<g class="axis x">"#);
    for &tick in ticks {
        let x = scale.at(tick);
        out.push_str(&line(
            (x, frame.top),
            (x, frame.bottom()),
            GRID,
            1.0,
            Stroke::Solid,
        ));
        out.push_str(&text(
            (x, frame.bottom() + 16.0),
            Anchor::Middle,
            "tick",
            &format(tick),
        ));
    }
    out.push_str(&line(
        (frame.left, frame.bottom()),
        (frame.right(), frame.bottom()),
        AXIS,
        1.0,
        Stroke::Solid,
    ));
    out.push_str(&text(
        (frame.left + frame.width / 2.0, frame.bottom() + 36.0),
        Anchor::Middle,
        "axis-title",
        title,
    ));
    out.push_str("</g>");
    out
}

/// A numeric vertical axis along the frame's left edge, with horizontal grid
/// lines at `ticks` and `title` turned along it.
pub(crate) fn y_linear(
    frame: &Frame,
    scale: &Linear,
    ticks: &[f64],
    format: fn(f64) -> String,
    title: &str,
) -> String {
    let mut out = String::from(r#"<g class="axis y">"#);
    for &tick in ticks {
        let y = scale.at(tick);
        out.push_str(&line(
            (frame.left, y),
            (frame.right(), y),
            GRID,
            1.0,
            Stroke::Solid,
        ));
        out.push_str(&text(
            (frame.left - 6.0, y + 4.0),
            Anchor::End,
            "tick",
            &format(tick),
        ));
    }
    out.push_str(&line(
        (frame.left, frame.top),
        (frame.left, frame.bottom()),
        AXIS,
        1.0,
        Stroke::Solid,
    ));
    out.push_str(&vertical_text(
        (frame.left - 46.0, frame.top + frame.height / 2.0),
        "axis-title",
        title,
    ));
    out.push_str("</g>");
    out
}

/// A category axis along the frame's bottom: one label under each slot. A
/// label may hold a second line after a `\n` (drawn in the `tick sub` style);
/// the title goes below the labels.
pub(crate) fn x_bands(frame: &Frame, band: &Band, labels: &[String], title: &str) -> String {
    let mut out = String::from(r#"<g class="axis x">"#);
    let mut lines = 1;
    for (i, label) in labels.iter().enumerate() {
        for (k, part) in label.split('\n').take(2).enumerate() {
            let class = if k == 0 { "tick" } else { "tick sub" };
            out.push_str(&text(
                (band.centre(i), frame.bottom() + 16.0 + 13.0 * k as f64),
                Anchor::Middle,
                class,
                part,
            ));
            lines = lines.max(k + 1);
        }
    }
    out.push_str(&line(
        (frame.left, frame.bottom()),
        (frame.right(), frame.bottom()),
        AXIS,
        1.0,
        Stroke::Solid,
    ));
    out.push_str(&text(
        (
            frame.left + frame.width / 2.0,
            frame.bottom() + 23.0 + 13.0 * lines as f64,
        ),
        Anchor::Middle,
        "axis-title",
        title,
    ));
    out.push_str("</g>");
    out
}

/// A category axis along the frame's left edge: one label before each slot
/// (for horizontal bars); `title` goes above the labels.
pub(crate) fn y_bands(frame: &Frame, band: &Band, labels: &[String], title: &str) -> String {
    let mut out = String::from(r#"<g class="axis y">"#);
    for (i, label) in labels.iter().enumerate() {
        out.push_str(&text(
            (frame.left - 8.0, band.centre(i) + 4.0),
            Anchor::End,
            "tick",
            label,
        ));
    }
    out.push_str(&line(
        (frame.left, frame.top),
        (frame.left, frame.bottom()),
        AXIS,
        1.0,
        Stroke::Solid,
    ));
    out.push_str(&text(
        (frame.left - 8.0, frame.top - 8.0),
        Anchor::End,
        "axis-title",
        title,
    ));
    out.push_str("</g>");
    out
}
