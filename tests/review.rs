//! End-to-end tests of `leadscore review`: the page renders in a real browser
//! (Debian's headless Chromium) with every chart drawn, the JSON holds what the
//! page shows, the analysts' notebook (`notebooks/feature-review.ipynb`) runs on
//! the JSON and the scored leads, and bad input is named by its path.
//!
//! Chromium and the notebook's Python packages are outside the workspace: a
//! test that needs one that is missing says so and passes, unless
//! `LEADSCORE_REQUIRE_CHROMIUM` or `LEADSCORE_REQUIRE_NOTEBOOK` is set (CI sets
//! both), in which case it fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{TestResult, leadscore, write_files};
use serde_json::Value;

type Error = Box<dyn std::error::Error>;

/// Every chart of the page, by its `data-chart` attribute.
const CHARTS: [&str; 8] = [
    "roc",
    "pr",
    "calibration",
    "grades",
    "lift",
    "features",
    "drift",
    "backtest",
];

/// The report's palette (crates/leadscore-report/src/svg/mod.rs) that the page
/// with the shipped model and rule models must show: the model's curves and
/// bars, features that raise and lower the chance, and the rule models' bars.
const COLOURS: [(&str, [u8; 3]); 4] = [
    ("model blue #0072B2", [0x00, 0x72, 0xB2]),
    ("raises green #009E73", [0x00, 0x9E, 0x73]),
    ("lowers vermillion #D55E00", [0xD5, 0x5E, 0x00]),
    ("rule-model orange #E69F00", [0xE6, 0x9F, 0x00]),
];

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser window: as wide as a laptop screen, and tall enough for the
/// whole page (about 13,100 pixels with the shipped sample), because headless
/// Chromium's screenshot is of the window only.
const WINDOW: (u32, u32) = (1280, 16000);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn s(path: &Path) -> Result<&str, Error> {
    path.to_str()
        .ok_or_else(|| format!("not UTF-8: {}", path.display()).into())
}

/// Writes a line to the real stderr, past the test harness's capture, so that
/// a skip or a screenshot path shows in CI's log.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether a missing tool must fail the test instead of skipping it.
fn required(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// What `review` and `score` wrote for the shipped model, sample and rule
/// models, made once for all the tests of this file.
struct Outputs {
    dir: PathBuf,
    html: PathBuf,
    json: PathBuf,
    scores: PathBuf,
}

fn outputs() -> Result<&'static Outputs, Error> {
    static OUTPUTS: OnceLock<Result<Outputs, String>> = OnceLock::new();
    OUTPUTS
        .get_or_init(|| make_outputs().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| e.clone().into())
}

fn make_outputs() -> Result<Outputs, Error> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let html = dir.join("review.html");
    let json = dir.join("review.json");
    let scores = dir.join("scores.csv");
    let model = root().join("models/conversion");
    let data = root().join("training-data/sample");
    let rules = root().join("models/rules");
    let stdout = leadscore(&[
        "review",
        "--model",
        s(&model)?,
        "--data",
        s(&data)?,
        "--rules",
        s(&rules)?,
        "--out",
        s(&html)?,
        "--out-json",
        s(&json)?,
    ])
    .success()?;
    for path in [&html, &json] {
        if std::fs::metadata(path)?.len() == 0 {
            return Err(format!("review wrote an empty {} ({stdout})", path.display()).into());
        }
    }
    leadscore(&[
        "score",
        "--model",
        s(&model)?,
        "--data",
        s(&data)?,
        "--out",
        s(&scores)?,
    ])
    .success()?;
    Ok(Outputs {
        dir,
        html,
        json,
        scores,
    })
}

fn read_json(path: &Path) -> Result<Value, Error> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn num(v: &Value, what: &str) -> Result<f64, Error> {
    v.as_f64()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("{what} is not a finite number: {v}").into())
}

fn count(v: &Value, what: &str) -> Result<u64, Error> {
    v.as_u64()
        .ok_or_else(|| format!("{what} is not a count: {v}").into())
}

fn array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, Error> {
    v.as_array()
        .ok_or_else(|| format!("{what} is not an array: {v}").into())
}

fn text<'a>(v: &'a Value, what: &str) -> Result<&'a str, Error> {
    v.as_str()
        .ok_or_else(|| format!("{what} is not a string: {v}").into())
}

/// A number in `[0, 1]`, or `null`.
fn unit_or_null(v: &Value, what: &str) -> TestResult {
    if !v.is_null() {
        let x = num(v, what)?;
        assert!((0.0..=1.0).contains(&x), "{what} = {x} is outside [0, 1]");
    }
    Ok(())
}

/// The page's escaping of text (crates/leadscore-report/src/text.rs).
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The `name:` of each rule model shipped in `models/rules/`.
fn rule_model_names() -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root().join("models/rules"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let body = std::fs::read_to_string(&path)?;
            let name = body
                .lines()
                .find_map(|l| l.strip_prefix("name:"))
                .ok_or_else(|| format!("{}: no top-level name", path.display()))?;
            names.push(name.trim().trim_matches(['"', '\'']).to_owned());
        }
    }
    names.sort();
    assert!(names.len() >= 3, "rule models shipped: {names:?}");
    Ok(names)
}

// ---------------------------------------------------------------------------
// The page in a browser

/// Runs headless Chromium on the page with `extra` flags, with a profile of
/// its own.
fn chromium(page: &Path, profile: &Path, extra: &[&str]) -> Result<Output, Error> {
    let url = format!("file://{}", s(page)?);
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .arg(format!("--user-data-dir={}", s(profile)?))
        .args(extra)
        .arg(&url)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "chromium {extra:?} {url} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out)
}

/// Each `<svg ...>...</svg>` element of the DOM: (its start tag, its content).
fn svg_elements(dom: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<svg") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let Some(close) = after.find("</svg>") else {
            break;
        };
        found.push((&after[..=tag_end], &after[tag_end + 1..close]));
        rest = &after[close + "</svg>".len()..];
    }
    found
}

/// The value of attribute `name` in a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let len = tag[at..].find('"')?;
    Some(&tag[at..at + len])
}

/// How many drawn marks (not axes or text) an SVG's content holds.
fn marks(content: &str) -> usize {
    ["<path", "<rect", "<polyline", "<polygon", "<circle"]
        .iter()
        .map(|m| content.matches(m).count())
        .sum()
}

#[test]
fn review_page_renders_in_chromium() -> TestResult {
    if !Path::new(CHROMIUM).exists() {
        if required("LEADSCORE_REQUIRE_CHROMIUM") {
            panic!(
                "{CHROMIUM} is missing and LEADSCORE_REQUIRE_CHROMIUM is set: \
                 `apt-get install chromium`"
            );
        }
        say(&format!(
            "SKIPPED review_page_renders_in_chromium: {CHROMIUM} is missing \
             (`apt-get install chromium`; set LEADSCORE_REQUIRE_CHROMIUM=1 to fail instead)"
        ));
        return Ok(());
    }
    let out = outputs()?;
    let review = read_json(&out.json)?;
    let tmp = tempfile::tempdir()?;

    // The DOM after rendering: every chart is there, an <svg role="img"> with
    // marks drawn in it, and nothing is fetched from outside the page.
    let dumped = chromium(&out.html, &tmp.path().join("dom-profile"), &["--dump-dom"])?;
    let dom = String::from_utf8(dumped.stdout)?;
    assert!(dom.contains("</html>"), "no DOM dumped: {dom:.500}");
    let svgs = svg_elements(&dom);
    for kind in CHARTS {
        let charts: Vec<&(&str, &str)> = svgs
            .iter()
            .filter(|(tag, _)| attribute(tag, "data-chart") == Some(kind))
            .collect();
        if kind == "drift" && review["drift"].is_null() {
            assert!(
                dom.contains("No drift data"),
                "the review has no drift data and the page does not say so"
            );
            continue;
        }
        assert!(
            !charts.is_empty(),
            "no <svg data-chart=\"{kind}\"> in the DOM"
        );
        for (tag, content) in charts {
            assert_eq!(attribute(tag, "role"), Some("img"), "{tag}");
            assert!(
                attribute(tag, "aria-label").is_some_and(|l| !l.is_empty()),
                "{tag}"
            );
            assert!(
                marks(content) > 0,
                "the {kind} chart has nothing drawn in it: {content:.400}"
            );
        }
    }
    let kinds: Vec<&str> = svgs
        .iter()
        .filter_map(|(tag, _)| attribute(tag, "data-chart"))
        .collect();
    for kind in &kinds {
        assert!(CHARTS.contains(kind), "unknown chart kind {kind}");
    }
    for external in [
        "<script", "<link", "<img", "<iframe", "src=\"", "url(", "@import",
    ] {
        assert!(
            !dom.contains(external),
            "the page is not self-contained: it has {external}"
        );
    }
    assert!(
        dom.contains(&esc(text(&review["title"], "title")?)),
        "the page lacks the review's title"
    );

    // The screenshot: a page with content on it, in the report's colours.
    let png = tmp.path().join("review.png");
    chromium(
        &out.html,
        &tmp.path().join("shot-profile"),
        &[&format!("--screenshot={}", s(&png)?)],
    )?;
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .ok_or("no target dir")?
        .join("review-screenshot.png");
    std::fs::copy(&png, &kept)?;
    say(&format!("review page screenshot: {}", kept.display()));

    let (width, height, pixels) = decode_rgb(&png)?;
    assert_eq!((width, height), WINDOW, "screenshot size");
    // The page: the rows down to the last one that is not all background (the
    // colour of the bottom-left corner). It must end above the window's
    // bottom, or the charts at its end are not in the shot.
    let row = |y: usize| &pixels[y * width as usize..(y + 1) * width as usize];
    let background = pixels[pixels.len() - width as usize];
    let page_rows = (0..height as usize)
        .rev()
        .find(|&y| row(y).iter().any(|p| !near(*p, background)))
        .map_or(0, |y| y + 1);
    assert!(
        page_rows + 20 < height as usize,
        "the page is taller than the {height}-pixel window: raise WINDOW ({})",
        kept.display()
    );
    assert!(
        page_rows > 3000,
        "the page is only {page_rows} pixels tall: a blank page? ({})",
        kept.display()
    );
    let page = &pixels[..page_rows * width as usize];
    // Ink: anything darker than the page's light greys (the background is
    // #f6f7f9, sections white, table heads #f3f6fa): text, axes, marks.
    let ink = page.iter().filter(|p| p.iter().any(|&c| c < 225)).count();
    let share = ink as f64 / page.len() as f64;
    assert!(
        share > 0.03,
        "only {:.2}% of the page is ink: text or charts missing? ({})",
        100.0 * share,
        kept.display()
    );
    for (name, rgb) in COLOURS {
        let n = page.iter().filter(|p| near(**p, rgb)).count();
        assert!(
            n >= 200,
            "{n} pixels of {name} in the screenshot ({})",
            kept.display()
        );
    }
    Ok(())
}

/// Whether two colours are the same up to anti-aliasing at a shape's core.
fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 6)
}

/// A PNG's width, height and pixels as RGB.
fn decode_rgb(path: &Path) -> Result<(u32, u32, Vec<[u8; 3]>), Error> {
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let size = reader
        .output_buffer_size()
        .ok_or("screenshot too large to decode")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf)?;
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => return Err(format!("unexpected screenshot colour type {other:?}").into()),
    };
    let mut pixels = Vec::with_capacity(info.width as usize * info.height as usize);
    for row in buf[..info.line_size * info.height as usize].chunks(info.line_size) {
        for px in row[..info.width as usize * channels].chunks(channels) {
            pixels.push([px[0], px[1], px[2]]);
        }
    }
    Ok((info.width, info.height, pixels))
}

// ---------------------------------------------------------------------------
// The JSON

/// Checks a curve's points lie in the unit square; returns them.
fn curve(review: &Value, key: &str) -> Result<Vec<(f64, f64)>, Error> {
    let points = array(&review[key], key)?;
    assert!(points.len() >= 3, "{key} has {} points", points.len());
    let mut out = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let x = num(&p["x"], &format!("{key}[{i}].x"))?;
        let y = num(&p["y"], &format!("{key}[{i}].y"))?;
        assert!(
            (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y),
            "{key}[{i}] = ({x}, {y}) is outside the unit square"
        );
        out.push((x, y));
    }
    Ok(out)
}

/// Checks grade rows against their own rates; returns (leads, converted).
fn grade_rows(rows: &Value, what: &str) -> Result<(u64, u64), Error> {
    let (mut leads, mut converted) = (0, 0);
    for (i, g) in array(rows, what)?.iter().enumerate() {
        let what = format!("{what}[{i}]");
        assert!(!text(&g["grade"], &what)?.is_empty(), "{what}: no grade");
        let n = count(&g["leads"], &what)?;
        let c = count(&g["converted"], &what)?;
        assert!(c <= n, "{what}: {c} converted of {n}");
        match g["conversion_rate"].as_f64() {
            Some(rate) => assert!((rate - c as f64 / n as f64).abs() < 1e-9, "{what}: {g}"),
            None => assert_eq!(n, 0, "{what}: no rate for {n} leads"),
        }
        leads += n;
        converted += c;
    }
    Ok((leads, converted))
}

#[test]
fn review_json_matches_the_page() -> TestResult {
    let out = outputs()?;
    let review = read_json(&out.json)?;
    let page = std::fs::read_to_string(&out.html)?;

    let title = text(&review["title"], "title")?;
    assert!(!title.is_empty());
    assert!(
        page.contains(&esc(title)),
        "the page lacks the title {title}"
    );
    assert!(!text(&review["generated_at"], "generated_at")?.is_empty());

    // The model and the data.
    let model = &review["model"];
    let auc = num(&model["auc"], "model.auc")?;
    assert!(auc > 0.7 && auc <= 1.0, "model.auc {auc}");
    for key in ["pr_auc", "precision", "recall"] {
        unit_or_null(&model[key], key)?;
    }
    let base_rate = num(&model["base_rate"], "model.base_rate")?;
    assert!(base_rate > 0.0 && base_rate < 1.0);
    assert!(count(&model["n_train"], "n_train")? > 0);
    let data = &review["data"];
    let leads = count(&data["leads"], "data.leads")?;
    let closed = count(&data["closed"], "data.closed")?;
    let converted = count(&data["converted"], "data.converted")?;
    assert_eq!(leads, 5000, "the sample has 5,000 leads");
    assert!(
        0 < converted && converted < closed && closed <= leads,
        "{data}"
    );

    // Curves: in the unit square; ROC from (0,0) to (1,1), never going back.
    let roc = curve(&review, "roc")?;
    assert_eq!(roc.first(), Some(&(0.0, 0.0)), "ROC starts at {:?}", roc[0]);
    assert_eq!(
        roc.last(),
        Some(&(1.0, 1.0)),
        "ROC ends at {:?}",
        roc.last()
    );
    for w in roc.windows(2) {
        assert!(w[1].0 >= w[0].0 && w[1].1 >= w[0].1, "ROC goes back: {w:?}");
    }
    let area: f64 = roc
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum();
    assert!(area > 0.6, "the area under the ROC points is {area}");
    let pr = curve(&review, "pr")?;
    assert!(
        pr.iter().any(|&(x, _)| x > 0.99),
        "PR never reaches recall 1"
    );

    // Calibration bins.
    let mut binned = 0;
    for (i, b) in array(&review["calibration"], "calibration")?
        .iter()
        .enumerate()
    {
        let what = format!("calibration[{i}]");
        let lower = num(&b["lower"], &what)?;
        let upper = num(&b["upper"], &what)?;
        assert!(0.0 <= lower && lower < upper && upper <= 1.0, "{what}: {b}");
        unit_or_null(&b["mean_predicted"], &what)?;
        unit_or_null(&b["observed_rate"], &what)?;
        binned += count(&b["count"], &what)?;
    }
    assert!(binned > 0, "calibration has no leads");

    // Grades: every closed lead in one grade.
    let grades = array(&review["grades"], "grades")?;
    assert!(grades.len() >= 2, "grades: {grades:?}");
    assert_eq!(
        grade_rows(&review["grades"], "grades")?,
        (closed, converted)
    );
    for g in grades {
        let label = esc(text(&g["grade"], "grade")?);
        assert!(page.contains(&label), "the page lacks grade {label}");
    }

    // Lift: ten deciles, top first, better than average at the top.
    let lift = array(&review["lift"], "lift")?;
    assert_eq!(lift.len(), 10, "lift: {lift:?}");
    for (i, d) in lift.iter().enumerate() {
        assert_eq!(count(&d["decile"], "decile")?, i as u64 + 1, "{d}");
    }
    assert!(num(&lift[0]["lift"], "lift[0].lift")? > 1.5, "{}", lift[0]);

    // Features: plain sentences that the page shows.
    let features = array(&review["features"], "features")?;
    assert!(features.len() >= 5, "{} features", features.len());
    let mut total_importance = 0.0;
    for (i, f) in features.iter().enumerate() {
        let what = format!("features[{i}]");
        assert!(!text(&f["feature"], &what)?.is_empty());
        let weight = num(&f["weight"], &what)?;
        let importance = num(&f["importance"], &what)?;
        assert!((0.0..=1.0).contains(&importance), "{what}: {f}");
        total_importance += importance;
        let direction = text(&f["direction"], &what)?;
        let expected = if weight > 0.0 {
            "raises"
        } else if weight < 0.0 {
            "lowers"
        } else {
            "none"
        };
        assert_eq!(direction, expected, "{what}: {f}");
        let plain = text(&f["plain"], &what)?;
        assert!(
            plain.split_whitespace().count() >= 4
                && plain.starts_with(|c: char| c.is_uppercase())
                && !plain.contains(&format!("{weight}")),
            "{what} is not a plain sentence: {plain:?}"
        );
        text(&f["change"], &what)?;
    }
    assert!((total_importance - 1.0).abs() < 1e-6, "{total_importance}");
    let top_plain = text(&features[0]["plain"], "features[0].plain")?;
    assert!(
        page.contains(&esc(top_plain)),
        "the page lacks the top feature's sentence {top_plain:?}"
    );

    // Drift, when measured.
    if !review["drift"].is_null() {
        let drift = &review["drift"];
        text(&drift["reference"], "drift.reference")?;
        for (i, f) in array(&drift["features"], "drift.features")?
            .iter()
            .enumerate()
        {
            let what = format!("drift.features[{i}]");
            assert!(num(&f["psi"], &what)? >= 0.0, "{what}: {f}");
            let level = text(&f["level"], &what)?;
            assert!(["stable", "moderate", "major"].contains(&level), "{f}");
        }
        grade_rows(&drift["grade_outcomes"], "drift.grade_outcomes")?;
    } else {
        assert!(page.contains("No drift data"));
    }

    // Backtests: every shipped rule model next to the conversion model.
    let backtests = array(&review["backtests"], "backtests")?;
    for name in rule_model_names()? {
        let row = backtests
            .iter()
            .find(|b| b["model"] == name.as_str())
            .ok_or_else(|| format!("rule model {name:?} is not in backtests"))?;
        assert_eq!(row["kind"], "rule", "{row}");
        assert!(count(&row["scored"], "scored")? > 0, "{row}");
        unit_or_null(&row["auc"], &name)?;
        grade_rows(&row["grades"], &format!("backtest {name}"))?;
        assert!(page.contains(&esc(&name)), "the page lacks {name}");
    }
    assert!(
        backtests.iter().any(|b| b["kind"] == "conversion"),
        "no conversion model row in backtests"
    );
    array(&review["warnings"], "warnings")?;
    Ok(())
}

/// The page's feature weights are the model's: each row names an input column
/// of the shipped model (or one of its encoded features, as
/// `column=level`), and its weight is the published weight of one of that
/// column's encoded features, or their sum.
#[test]
fn review_features_are_the_models_weights() -> TestResult {
    let out = outputs()?;
    let review = read_json(&out.json)?;
    let model = leadscore_model::load(&root().join("models/conversion/model.json"))?;
    let weights = model
        .published_linear()
        .ok_or("the shipped model is not linear")?
        .weights;
    let mut by_column: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for (i, w) in weights.iter().enumerate() {
        let column = model
            .encoder
            .describe(i)
            .ok_or_else(|| format!("encoded feature {i} has no column"))?
            .column;
        by_column.entry(column).or_default().push(*w);
    }
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    for f in array(&review["features"], "features")? {
        if f["change"] == "dropped" {
            continue;
        }
        let name = text(&f["feature"], "feature")?;
        let weight = num(&f["weight"], name)?;
        let (column, column_weights) = by_column
            .iter()
            .filter(|(c, _)| {
                name == c.as_str()
                    || name
                        .strip_prefix(c.as_str())
                        .is_some_and(|rest| rest.starts_with(['=', ':', ' ', '[']))
            })
            .max_by_key(|(c, _)| c.len())
            .ok_or_else(|| format!("feature {name:?} names no input column of the model"))?;
        let sum: f64 = column_weights.iter().sum();
        assert!(
            column_weights.iter().any(|&w| same(w, weight)) || same(sum, weight),
            "feature {name:?} has weight {weight}, but the model's weights for column \
             {column:?} are {column_weights:?}: are names and weights paired up?"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Errors

/// Runs `review` expecting failure; returns its stderr, checked to be one line
/// that names `place`, and checks that no page was written.
fn review_fails(args: &[&str], out: &Path, place: &Path) -> Result<String, Error> {
    let mut all = vec!["review"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", s(out)?]);
    let stderr = leadscore(&all).failure()?;
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    assert_eq!(lines.len(), 1, "not one line on stderr: {stderr}");
    assert!(
        lines[0].contains(s(place)?),
        "stderr does not name {}: {stderr}",
        place.display()
    );
    assert!(!out.exists(), "a page was written despite the error");
    Ok(stderr)
}

#[test]
fn review_errors_name_the_place() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("review.html");
    let model = root().join("models/conversion");
    let data = root().join("training-data/sample");

    // A model folder that is not there.
    let missing = tmp.path().join("no-such-model");
    review_fails(
        &["--model", s(&missing)?, "--data", s(&data)?],
        &out,
        &missing,
    )?;

    // A model.json that is not JSON.
    let broken = tmp.path().join("broken-model");
    write_files(&broken, &[("model.json", "{\"format\": \"leadscore-conv")])?;
    review_fails(
        &["--model", s(&broken)?, "--data", s(&data)?],
        &out,
        &broken.join("model.json"),
    )?;

    // --data naming a file, not a folder.
    let file = tmp.path().join("leads.txt");
    write_files(tmp.path(), &[("leads.txt", "lead_id\nL1\n")])?;
    review_fails(&["--model", s(&model)?, "--data", s(&file)?], &out, &file)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The notebook

/// Runs the notebook on a review JSON and a scores CSV; the output notebook
/// goes to `executed`.
fn run_notebook(json: &Path, scores: &Path, executed: &Path) -> Result<Output, Error> {
    Ok(Command::new("python3")
        .args([
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
        ])
        .arg("--output")
        .arg(executed)
        .arg(root().join("notebooks/feature-review.ipynb"))
        .env("REVIEW_JSON", json)
        .env("SCORES_CSV", scores)
        .env("MPLBACKEND", "Agg")
        .current_dir(root())
        .output()?)
}

/// The last lines of a run's stderr (a notebook's traceback is long), without
/// the terminal's colour codes.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence: ESC [ parameters, up to a letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    let lines: Vec<&str> = plain.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Whether python3 can import what the notebook needs; `Err` says what is
/// missing.
fn notebook_tools() -> Result<(), String> {
    let check = Command::new("python3")
        .args([
            "-c",
            "import jupyter_core, nbconvert, nbclient, ipykernel, polars, matplotlib",
        ])
        .output();
    match check {
        Err(e) => Err(format!("python3 does not run: {e}")),
        Ok(o) if !o.status.success() => Err(String::from_utf8_lossy(&o.stderr)
            .lines()
            .last()
            .unwrap_or("import failed")
            .to_owned()),
        Ok(_) => Ok(()),
    }
}

#[test]
fn notebook_executes() -> TestResult {
    if let Err(missing) = notebook_tools() {
        let install = "`python3 -m pip install -r notebooks/requirements.txt`";
        if required("LEADSCORE_REQUIRE_NOTEBOOK") {
            panic!(
                "the notebook cannot run ({missing}) and LEADSCORE_REQUIRE_NOTEBOOK is set: {install}"
            );
        }
        say(&format!(
            "SKIPPED notebook_executes: the notebook cannot run ({missing}); {install}, \
             or set LEADSCORE_REQUIRE_NOTEBOOK=1 to fail instead"
        ));
        return Ok(());
    }
    let out = outputs()?;
    let tmp = tempfile::tempdir()?;
    let executed = tmp.path().join("out.ipynb");
    let run = run_notebook(&out.json, &out.scores, &executed)?;
    assert!(
        run.status.success(),
        "the notebook failed on {}:\n{}",
        out.dir.display(),
        tail(&run.stderr)
    );
    // Every code cell ran, none raised, and the charts were drawn.
    let nb = read_json(&executed)?;
    let cells = array(&nb["cells"], "cells")?;
    let code: Vec<&Value> = cells.iter().filter(|c| c["cell_type"] == "code").collect();
    assert!(code.len() >= 8, "{} code cells", code.len());
    let mut images = 0;
    for cell in &code {
        assert!(
            cell["execution_count"].is_u64(),
            "a cell did not run: {cell}"
        );
        for output in array(&cell["outputs"], "outputs")? {
            assert_ne!(output["output_type"], "error", "{output}");
            if !output["data"]["image/png"].is_null() {
                images += 1;
            }
        }
    }
    assert!(images >= 8, "the notebook drew {images} charts");

    // A broken input fails the run: a ROC point above 1.
    let mut review = read_json(&out.json)?;
    review["roc"][1]["y"] = Value::from(1.5);
    let bad = tmp.path().join("bad-review.json");
    std::fs::write(&bad, serde_json::to_string(&review)?)?;
    let run = run_notebook(&bad, &out.scores, &tmp.path().join("bad.ipynb"))?;
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success(),
        "the notebook accepted a ROC point at 1.5"
    );
    assert!(stderr.contains("AssertionError"), "{}", tail(&run.stderr));
    Ok(())
}
