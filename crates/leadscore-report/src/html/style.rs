//! The page's inline style sheet: system fonts only, readable on screen and on
//! paper.

/// The CSS, put in a `<style>` element.
pub(super) const CSS: &str = "
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1d1f23;
  font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 64px; }
header h1 { margin: 0 0 4px; font-size: 28px; }
.meta { margin: 0; color: #555; }
nav ul { list-style: none; padding: 0; margin: 16px 0 8px; display: flex; flex-wrap: wrap; gap: 6px 16px; }
nav a { color: #0b5a8e; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 8px 24px 20px; margin: 20px 0; }
h2 { font-size: 21px; margin: 16px 0 8px; }
.explain { color: #3c4048; }
.note { color: #555; font-style: italic; background: #f3f4f6; padding: 10px 14px; border-radius: 6px; }
.warning { background: #fff4e5; border-left: 4px solid #D55E00; padding: 10px 14px; border-radius: 4px; }
.warning ul { margin: 4px 0 0; padding-left: 20px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 12px 0; }
.figures div { background: #f3f6fa; border-radius: 6px; padding: 8px 12px; }
.figures dt { font-size: 13px; color: #555; }
.figures dd { margin: 0; font-size: 22px; font-weight: 600; }
figure { margin: 12px 0; }
figcaption { font-size: 14px; color: #555; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
svg .tick { fill: #444; font-size: 11px; }
svg .sub { font-style: italic; }
svg .axis-title { fill: #222; font-size: 12px; font-weight: 600; }
svg .legend-label, svg .bar-note, svg .dot-label { fill: #222; font-size: 11px; }
svg .ref-label { fill: #555; font-size: 11px; font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 12px 0; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #e3e6ea; padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { background: #f3f6fa; }
tbody th { font-weight: 600; }
@media print { body { background: #fff; } section { break-inside: avoid; border: none; } nav { display: none; } }
";
