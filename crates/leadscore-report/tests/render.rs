//! `render_html`: one self-contained page with every chart, all text escaped,
//! no NaN or infinity, and well-formed markup whatever the input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{CHART_KINDS, empty, full, grade};
use leadscore_report::{
    CalibrationRow, CurvePoint, DecileRow, DriftLevel, DriftSection, FeatureDrift, Review,
    compare_features, render_html,
};

const EVIL: &str = "<script>alert(1)</script>";
const EVIL_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// The `<svg>...</svg>` element with `data-chart="kind"`.
fn chart<'a>(html: &'a str, kind: &str) -> &'a str {
    let marker = format!("data-chart=\"{kind}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {kind} chart"));
    let start = html[..at].rfind("<svg").unwrap();
    let end = at + html[at..].find("</svg>").unwrap() + "</svg>".len();
    &html[start..end]
}

/// Checks that every tag is closed in order (void elements and `/>` aside),
/// and that no `<` or `>` stands outside a tag; returns the problem if not.
fn check_well_formed(html: &str) -> Result<(), String> {
    const VOID: [&str; 2] = ["meta", "br"];
    let body = html.strip_prefix("<!DOCTYPE html>").ok_or("no doctype")?;
    let mut open: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        if rest[..lt].contains('>') {
            return Err(format!(
                "stray > before {:?}",
                &rest[lt..lt + 30.min(rest.len() - lt)]
            ));
        }
        let gt = rest[lt..].find('>').ok_or("unclosed tag")? + lt;
        let tag = &rest[lt + 1..gt];
        if tag.contains('<') {
            return Err(format!("< inside tag {tag:?}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(top) if top == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().ok_or("empty tag")?;
            if !VOID.contains(&name) {
                open.push(name.to_owned());
            }
        }
        rest = &rest[gt + 1..];
    }
    if rest.contains('>') {
        return Err("stray > at the end".to_owned());
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {open:?}"))
    }
}

/// Asserts that the page has no NaN and no infinity anywhere.
fn assert_finite(html: &str) {
    for bad in ["NaN", "nan", "inf", "Inf"] {
        if let Some(at) = html.find(bad) {
            panic!(
                "{bad:?} in the page: {:?}",
                &html[at.saturating_sub(80)..(at + 40).min(html.len())]
            );
        }
    }
}

/// Asserts that the page fetches and runs nothing.
fn assert_self_contained(html: &str) {
    for bad in [
        "http://", "https://", "src=", "<link", "<script", "@import", "url(", "<img", "<iframe",
    ] {
        assert!(!html.contains(bad), "{bad:?} in the page");
    }
}

#[test]
fn every_chart_is_drawn_once_with_its_accessible_name() {
    let html = render_html(&full());
    for kind in CHART_KINDS {
        assert_eq!(
            html.matches(&format!("data-chart=\"{kind}\"")).count(),
            1,
            "{kind}"
        );
        let svg = chart(&html, kind);
        let open_tag = &svg[..svg.find('>').unwrap()];
        assert!(open_tag.contains("role=\"img\""), "{kind}: {open_tag}");
        assert!(open_tag.contains("aria-label=\""), "{kind}: {open_tag}");
        assert!(svg[open_tag.len()..].starts_with("><title>"), "{kind}");
        // Axes with tick labels.
        assert!(svg.contains("class=\"tick\""), "{kind}: no tick labels");
        assert!(
            svg.contains("class=\"axis-title\""),
            "{kind}: no axis title"
        );
    }
    assert_eq!(html.matches("<svg").count(), CHART_KINDS.len());
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
}

#[test]
fn every_section_has_an_id_and_a_heading() {
    let html = render_html(&full());
    for id in [
        "summary",
        "roc",
        "precision-recall",
        "calibration",
        "grades",
        "lift",
        "features",
        "drift",
        "backtests",
    ] {
        let open = format!("<section id=\"{id}\">\n<h2>");
        assert!(html.contains(&open), "{id}");
    }
}

#[test]
fn the_page_is_well_formed_and_self_contained() {
    for review in [full(), empty(), hostile(), broken_numbers()] {
        let html = render_html(&review);
        assert!(html.starts_with("<!DOCTYPE html>"));
        if let Err(problem) = check_well_formed(&html) {
            panic!("{}: {problem}", review.title);
        }
        assert_self_contained(&html);
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert_eq!(render_html(&review), html, "rendering is deterministic");
    }
}

#[test]
fn the_well_formedness_check_catches_broken_markup() {
    assert!(check_well_formed("<!DOCTYPE html><svg><g></svg></g>").is_err());
    assert!(check_well_formed("<!DOCTYPE html><p><svg></svg>").is_err());
    assert!(check_well_formed("<!DOCTYPE html><p>a > b</p>").is_err());
    assert!(check_well_formed("<!DOCTYPE html><p><meta charset=\"utf-8\"><br/></p>").is_ok());
}

#[test]
fn the_summary_says_the_key_figures_in_words() {
    let html = render_html(&full());
    assert!(html.contains("Out of 100 leads the model grades A, 62 converted (62%)."));
    assert!(html.contains("Out of 3,034 leads the model grades D, 748 converted"));
    assert!(html.contains("model version 3, trained on 4,000 leads and tested on 1,000 leads"));
    assert!(html.contains("higher 78.3% of the time (AUC 0.78"));
    assert!(html.contains("Only 1,000 test leads: figures may move by a few points."));
    assert!(!html.contains("Low confidence"));
    assert!(render_html(&empty()).contains("Low confidence"));
}

#[test]
fn charts_carry_their_reference_lines_and_colours() {
    let html = render_html(&full());
    let roc = chart(&html, "roc");
    assert!(roc.contains("Guessing (AUC 0.50)"));
    assert!(roc.contains("Conversion model (AUC 0.78)"));
    assert!(roc.contains("stroke-dasharray"));
    assert!(chart(&html, "pr").contains("Base rate (23%)"));
    assert!(chart(&html, "calibration").contains("n=900"));
    assert!(chart(&html, "calibration").contains("<circle"));
    assert!(chart(&html, "lift").contains("Average (1.0×)"));
    let features = chart(&html, "features");
    assert!(features.contains("#009E73") && features.contains("#D55E00"));
    // The dropped feature is in the table, not on the chart.
    assert!(!features.contains("budget_stated"));
    assert!(html.contains("No longer used (was +0.60)"));
    assert!(html.contains("Now pushes the other way (was +0.25)"));
    assert!(
        html.contains(
            "Leads with more email clicks in the last 30 days are more likely to convert."
        )
    );
    let drift = chart(&html, "drift");
    assert_eq!(drift.matches("stroke-dasharray").count(), 2);
    assert!(drift.contains(">moderate<") && drift.contains(">major<"));
    assert!(chart(&html, "backtest").contains("AUC of guessing (0.5)"));
}

#[test]
fn user_text_is_escaped_everywhere() {
    let html = render_html(&hostile());
    assert!(!html.contains(EVIL), "raw script in the page");
    assert!(!html.contains("<script"));
    assert!(!html.contains("\" onmouseover=\""));
    assert!(!html.contains("' onmouseover='"));
    assert!(html.contains(EVIL_ESCAPED));
    assert!(html.contains("&quot; onmouseover=&quot;"));
    assert!(html.contains("&#39; onmouseover=&#39;"));
    assert!(html.contains("R&amp;D"));
    // The evil feature appears on the chart (escaped) as well as in the table.
    assert!(chart(&html, "features").contains("&lt;script&gt;"));
    assert!(chart(&html, "drift").contains("&lt;script&gt;"));
    assert!(chart(&html, "backtest").contains("&lt;script&gt;"));
}

#[test]
fn an_empty_review_has_notes_and_no_broken_charts() {
    let html = render_html(&empty());
    assert_finite(&html);
    assert!(!html.contains("<svg"), "nothing to draw");
    assert!(html.contains("No drift data"));
    assert!(html.matches("Not enough data to draw this chart.").count() >= 6);
    assert!(html.contains("a model not yet registered"));
    assert!(html.contains("could not be measured"));
}

#[test]
fn missing_and_broken_numbers_never_print_nan_or_infinity() {
    let html = render_html(&full());
    assert_finite(&html);
    let html = render_html(&broken_numbers());
    assert_finite(&html);
    assert!(html.contains("n/a"));
    // The charts whose data are partly usable are still drawn.
    for kind in [
        "roc",
        "calibration",
        "lift",
        "features",
        "drift",
        "backtest",
    ] {
        chart(&html, kind);
    }
}

#[test]
fn drift_without_features_or_outcomes_says_so() {
    let mut review = full();
    review.drift = Some(DriftSection {
        reference: "training data vs nothing".to_owned(),
        score_psi: None,
        features: Vec::new(),
        grade_outcomes: Vec::new(),
    });
    let html = render_html(&review);
    assert!(!html.contains("data-chart=\"drift\""));
    assert!(html.contains("No recent leads have closed yet"));
    assert!(html.contains("Compared: training data vs nothing."));
}

/// User-supplied text full of markup.
fn hostile() -> Review {
    let mut review = full();
    review.title = format!("Review {EVIL}");
    review.generated_at = "2026\" onmouseover=\"x".to_owned();
    review.data.source = "R&D ' onmouseover='x".to_owned();
    review.model.training_data_hash = EVIL.to_owned();
    review.features = compare_features(
        &[
            (EVIL.to_owned(), 0.9),
            ("industry=\" onmouseover=\"x".to_owned(), -0.5),
        ],
        Some(&[("gone'<b>".to_owned(), 0.2)]),
    );
    if let Some(drift) = review.drift.as_mut() {
        drift.reference = EVIL.to_owned();
        drift.features[0].feature = EVIL.to_owned();
        drift.grade_outcomes[0].grade = EVIL.to_owned();
    }
    review.grades[0].grade = EVIL.to_owned();
    review.backtests[0].model = EVIL.to_owned();
    review.backtests[0].grades[0].grade = EVIL.to_owned();
    review.warnings.push(EVIL.to_owned());
    review
}

/// Numbers that are not finite wherever a type lets them in.
fn broken_numbers() -> Review {
    let mut review = full();
    review.title = "Broken numbers".to_owned();
    review.model.auc = Some(f64::NAN);
    review.model.pr_auc = Some(f64::INFINITY);
    review.model.precision = None;
    review.model.threshold = f64::NAN;
    review.model.base_rate = f64::INFINITY;
    review.roc.push(CurvePoint {
        x: f64::NAN,
        y: 0.5,
    });
    review.roc.push(CurvePoint {
        x: 0.5,
        y: f64::NEG_INFINITY,
    });
    review.pr = vec![CurvePoint {
        x: f64::NAN,
        y: f64::NAN,
    }];
    review.calibration.push(CalibrationRow {
        lower: f64::NAN,
        upper: f64::INFINITY,
        count: 5,
        mean_predicted: Some(f64::NAN),
        observed_rate: Some(0.5),
    });
    review.grades.push(grade("E", 0, 0));
    review.grades[0].conversion_rate = Some(f64::INFINITY);
    review.lift.push(DecileRow {
        decile: 11,
        leads: 0,
        converted: 0,
        conversion_rate: None,
        lift: Some(f64::NAN),
    });
    review.features[0].weight = f64::NAN;
    review.features[1].importance = f64::INFINITY;
    review.features[2].previous_weight = Some(f64::NEG_INFINITY);
    if let Some(drift) = review.drift.as_mut() {
        drift.score_psi = Some(f64::NAN);
        drift.features.push(FeatureDrift {
            feature: "broken".to_owned(),
            psi: f64::INFINITY,
            level: DriftLevel::of(f64::INFINITY),
        });
        drift.features.push(FeatureDrift {
            feature: "unknown".to_owned(),
            psi: f64::NAN,
            level: DriftLevel::of(f64::NAN),
        });
    }
    review.backtests[0].auc = Some(f64::NAN);
    review.backtests[0].top_decile_lift = Some(f64::INFINITY);
    review
}
