//! Line charts: curves and reference lines over two numeric axes starting at
//! zero, with optional sized dots (for calibration) and a legend row on top.

use super::Chart;
use super::axes::{Frame, x_linear, y_linear};
use super::scale::ticks;
use super::shapes::{Anchor, LegendItem, Stroke, Swatch, circle, legend, polyline, text};

/// Chart width in pixels.
const WIDTH: f64 = 560.0;
/// Chart height in pixels.
const HEIGHT: f64 = 440.0;
/// Largest dot radius, for the fullest bin.
const MAX_RADIUS: f64 = 14.0;
/// Smallest dot radius, so that a thin bin still shows.
const MIN_RADIUS: f64 = 3.0;

/// One line through data points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// Data points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Line colour.
    pub colour: &'static str,
    /// Solid for data, dashed for a reference line.
    pub stroke: Stroke,
    /// Legend label.
    pub label: String,
}

/// One dot at a data point, sized by its weight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dot {
    /// Data position.
    pub at: (f64, f64),
    /// Size, 0 (smallest) to 1 (largest); the area grows with it.
    pub weight: f64,
    /// Short text next to the dot (empty for none).
    pub label: String,
    /// Text shown on hover.
    pub tooltip: String,
}

/// A chart of lines (and dots) over `[0, x_max] × [0, y_max]`.
#[derive(Debug, Clone)]
pub(crate) struct LineChart {
    /// The `data-chart` kind.
    pub kind: &'static str,
    /// What the chart shows, in words.
    pub label: String,
    /// Horizontal axis title.
    pub x_title: String,
    /// Vertical axis title.
    pub y_title: String,
    /// Top of the horizontal axis.
    pub x_max: f64,
    /// Top of the vertical axis.
    pub y_max: f64,
    /// Tick label format, both axes.
    pub format: fn(f64) -> String,
    /// Lines, drawn in order.
    pub series: Vec<Series>,
    /// Dots, drawn over the lines.
    pub dots: Vec<Dot>,
    /// Dot colour.
    pub dot_colour: &'static str,
    /// Legend label for the dots (none when empty).
    pub dot_label: String,
}

impl LineChart {
    /// The `<svg>` element.
    pub(crate) fn render(&self) -> String {
        let frame = Frame {
            left: 64.0,
            top: 40.0,
            width: WIDTH - 64.0 - 24.0,
            height: HEIGHT - 40.0 - 56.0,
        };
        let x = frame.x_scale((0.0, self.x_max));
        let y = frame.y_scale((0.0, self.y_max));
        let mut chart = Chart::new(self.kind, WIDTH, HEIGHT, self.label.clone());
        chart.push(&x_linear(
            &frame,
            &x,
            &ticks(0.0, x.domain().1, 5),
            self.format,
            &self.x_title,
        ));
        chart.push(&y_linear(
            &frame,
            &y,
            &ticks(0.0, y.domain().1, 5),
            self.format,
            &self.y_title,
        ));

        let mut items = Vec::new();
        for series in &self.series {
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .filter(|(a, b)| a.is_finite() && b.is_finite())
                .map(|&(a, b)| (x.at(a), y.at(b)))
                .collect();
            chart.push(&polyline(&points, series.colour, 2.5, series.stroke));
            items.push(LegendItem {
                colour: series.colour,
                swatch: Swatch::Line(series.stroke),
                label: series.label.clone(),
            });
        }
        for dot in self
            .dots
            .iter()
            .filter(|d| d.at.0.is_finite() && d.at.1.is_finite())
        {
            let centre = (x.at(dot.at.0), y.at(dot.at.1));
            let weight = if dot.weight.is_finite() {
                dot.weight.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * weight.sqrt();
            chart.push(&circle(centre, radius, self.dot_colour, &dot.tooltip));
            if !dot.label.is_empty() {
                chart.push(&text(
                    (centre.0 + radius + 3.0, centre.1 + 4.0),
                    Anchor::Start,
                    "dot-label",
                    &dot.label,
                ));
            }
        }
        if !self.dot_label.is_empty() {
            items.push(LegendItem {
                colour: self.dot_colour,
                swatch: Swatch::Box,
                label: self.dot_label.clone(),
            });
        }
        chart.push(&legend((frame.left, 20.0), &items));
        chart.finish()
    }
}
