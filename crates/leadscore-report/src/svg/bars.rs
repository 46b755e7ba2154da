//! Bar charts drawn into a [`Frame`]: vertical bars, horizontal bars and
//! grouped vertical bars, each with optional dashed reference lines. The
//! value axis starts at zero; a missing value draws no bar and reads "n/a".
//!
//! A reference line's label goes outside the frame so that it never covers a
//! bar: to the right of a vertical chart (leave a right margin of about 150
//! pixels) and above a horizontal one.

use super::axes::{Frame, x_bands, x_linear, y_bands, y_linear};
use super::colour;
use super::scale::{Band, ticks};
use super::shapes::{Anchor, Stroke, line, rect, text};
use crate::text::NOT_AVAILABLE;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    /// Category label on the axis.
    pub label: String,
    /// Length; `None` draws no bar.
    pub value: Option<f64>,
    /// Fill colour.
    pub colour: &'static str,
    /// Text at the bar's end, such as its value in words.
    pub note: String,
    /// Text shown on hover.
    pub tooltip: String,
}

/// The numeric axis of a bar chart, from zero to `max`.
#[derive(Debug, Clone)]
pub(crate) struct ValueAxis {
    /// Top of the axis.
    pub max: f64,
    /// Tick label format.
    pub format: fn(f64) -> String,
    /// Axis title.
    pub title: String,
}

/// A dashed line across the bars at a value, with its meaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RefLine {
    /// Where the line is, on the value axis.
    pub value: f64,
    /// What it means, in a few words.
    pub label: String,
    /// Its colour.
    pub colour: &'static str,
}

/// One group of bars side by side (one bar per series).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// Category label on the axis.
    pub label: String,
    /// One value per series; `None` draws no bar.
    pub values: Vec<Option<f64>>,
    /// Hover text per bar.
    pub tooltips: Vec<String>,
}

/// Bars standing up from the frame's bottom, one per category.
pub(crate) fn vertical(
    frame: &Frame,
    bars: &[Bar],
    axis: &ValueAxis,
    category_title: &str,
    refs: &[RefLine],
) -> String {
    let y = frame.y_scale((0.0, axis.max));
    let band = Band::new(bars.len(), (frame.left, frame.right()), 0.3);
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let mut out = y_linear(
        frame,
        &y,
        &ticks(0.0, y.domain().1, 5),
        axis.format,
        &axis.title,
    );
    out.push_str(&x_bands(frame, &band, &labels, category_title));
    for (i, bar) in bars.iter().enumerate() {
        let (top, note) = match bar.value.filter(|v| v.is_finite()) {
            Some(v) => {
                let top = y.at(v);
                out.push_str(&rect(
                    band.bar_start(i),
                    top,
                    band.bar_width(),
                    frame.bottom() - top,
                    bar.colour,
                    &bar.tooltip,
                ));
                (top, bar.note.as_str())
            }
            None => (frame.bottom(), NOT_AVAILABLE),
        };
        out.push_str(&text(
            (band.centre(i), top - 5.0),
            Anchor::Middle,
            "bar-note",
            note,
        ));
    }
    for r in refs {
        let at = y.at(r.value);
        out.push_str(&line(
            (frame.left, at),
            (frame.right(), at),
            r.colour,
            1.5,
            Stroke::Dashed,
        ));
        out.push_str(&text(
            (frame.right() + 6.0, at + 4.0),
            Anchor::Start,
            "ref-label",
            &r.label,
        ));
    }
    out
}

/// Bars lying along from the frame's left edge, one per category, top to
/// bottom.
pub(crate) fn horizontal(
    frame: &Frame,
    bars: &[Bar],
    axis: &ValueAxis,
    category_title: &str,
    refs: &[RefLine],
) -> String {
    let x = frame.x_scale((0.0, axis.max));
    let band = Band::new(bars.len(), (frame.top, frame.bottom()), 0.25);
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let mut out = x_linear(
        frame,
        &x,
        &ticks(0.0, x.domain().1, 5),
        axis.format,
        &axis.title,
    );
    out.push_str(&y_bands(frame, &band, &labels, category_title));
    for (i, bar) in bars.iter().enumerate() {
        let (end, note) = match bar.value.filter(|v| v.is_finite()) {
            Some(v) => {
                let end = x.at(v);
                out.push_str(&rect(
                    frame.left,
                    band.bar_start(i),
                    end - frame.left,
                    band.bar_width(),
                    bar.colour,
                    &bar.tooltip,
                ));
                (end, bar.note.as_str())
            }
            None => (frame.left, NOT_AVAILABLE),
        };
        out.push_str(&text(
            (end + 5.0, band.centre(i) + 4.0),
            Anchor::Start,
            "bar-note",
            note,
        ));
    }
    for r in refs {
        let at = x.at(r.value);
        out.push_str(&line(
            (at, frame.top),
            (at, frame.bottom()),
            r.colour,
            1.5,
            Stroke::Dashed,
        ));
        out.push_str(&text(
            (at, frame.top - 6.0),
            Anchor::Middle,
            "ref-label",
            &r.label,
        ));
    }
    out
}

/// Groups of bars standing up side by side: one group per category, one bar
/// per series in `colours` order.
pub(crate) fn grouped(
    frame: &Frame,
    groups: &[Group],
    colours: &[&'static str],
    axis: &ValueAxis,
    category_title: &str,
    refs: &[RefLine],
) -> String {
    let y = frame.y_scale((0.0, axis.max));
    let band = Band::new(groups.len(), (frame.left, frame.right()), 0.25);
    let labels: Vec<String> = groups.iter().map(|g| g.label.clone()).collect();
    let mut out = y_linear(
        frame,
        &y,
        &ticks(0.0, y.domain().1, 5),
        axis.format,
        &axis.title,
    );
    out.push_str(&x_bands(frame, &band, &labels, category_title));
    let inner = Band::new(colours.len(), (0.0, band.bar_width()), 0.1);
    for (i, group) in groups.iter().enumerate() {
        for (j, &fill) in colours.iter().enumerate() {
            let left = band.bar_start(i) + inner.bar_start(j);
            let centre = band.bar_start(i) + inner.centre(j);
            let tooltip = group.tooltips.get(j).map_or("", String::as_str);
            match group
                .values
                .get(j)
                .copied()
                .flatten()
                .filter(|v| v.is_finite())
            {
                Some(v) => {
                    let top = y.at(v);
                    out.push_str(&rect(
                        left,
                        top,
                        inner.bar_width(),
                        frame.bottom() - top,
                        fill,
                        tooltip,
                    ));
                    out.push_str(&text(
                        (centre, top - 5.0),
                        Anchor::Middle,
                        "bar-note",
                        &(axis.format)(v),
                    ));
                }
                None => {
                    out.push_str(&text(
                        (centre, frame.bottom() - 5.0),
                        Anchor::Middle,
                        "bar-note",
                        NOT_AVAILABLE,
                    ));
                }
            }
        }
    }
    for r in refs {
        let at = y.at(r.value);
        out.push_str(&line(
            (frame.left, at),
            (frame.right(), at),
            r.colour,
            1.5,
            Stroke::Dashed,
        ));
        out.push_str(&text(
            (frame.right() + 6.0, at + 4.0),
            Anchor::Start,
            "ref-label",
            &r.label,
        ));
    }
    out
}

/// The default colour for a bar that says nothing by its colour.
pub(crate) const PLAIN: &str = colour::MODEL;
