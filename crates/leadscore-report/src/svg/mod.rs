//! Hand-written inline SVG: the chart element, scales, axes, shapes, and the
//! two chart shapes the page uses (lines and bars).
//!
//! Everything is in pixels of the chart's own `viewBox`; the page's CSS scales
//! the chart to the width available.

pub(crate) mod axes;
pub(crate) mod bars;
pub(crate) mod lines;
pub(crate) mod scale;
pub(crate) mod shapes;

use crate::text::{esc, px};

/// Colours, chosen from the Okabe-Ito palette so that they stay apart for
/// colour-blind readers; every chart also says in words what colour says.
pub(crate) mod colour {
    /// The conversion model's curve and bars.
    pub(crate) const MODEL: &str = "#0072B2";
    /// A second series next to the model's.
    pub(crate) const SECOND: &str = "#E69F00";
    /// Reference lines: chance, base rate, average.
    pub(crate) const REFERENCE: &str = "#666666";
    /// Good news: raises the chance, stable.
    pub(crate) const GOOD: &str = "#009E73";
    /// Worth watching: a moderate shift.
    pub(crate) const WATCH: &str = "#E69F00";
    /// Bad news: lowers the chance, a major shift.
    pub(crate) const BAD: &str = "#D55E00";
    /// Neither.
    pub(crate) const NEUTRAL: &str = "#999999";
}

/// One `<svg>` chart: its kind (the `data-chart` attribute), size, accessible
/// label (also its `<title>`) and drawn content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    kind: &'static str,
    width: f64,
    height: f64,
    label: String,
    body: String,
}

impl Chart {
    /// An empty chart of the given kind and size; `label` describes it in
    /// words for screen readers.
    pub(crate) fn new(
        kind: &'static str,
        width: f64,
        height: f64,
        label: impl Into<String>,
    ) -> Chart {
        Chart {
            kind,
            width,
            height,
            label: label.into(),
            body: String::new(),
        }
    }

    /// Adds drawn content (markup made by this module's functions).
    pub(crate) fn push(&mut self, markup: &str) {
        self.body.push_str(markup);
    }

    /// The `<svg>` element.
    pub(crate) fn finish(self) -> String {
        format!(
            r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}" data-chart="{kind}"><title>{label}</title>{body}</svg>"#,
            w = px(self.width),
            h = px(self.height),
            label = esc(&self.label),
            kind = esc(self.kind),
            body = self.body,
        )
    }
}
