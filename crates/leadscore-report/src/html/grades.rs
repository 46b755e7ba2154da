//! Conversion and lead count by grade, and lift by decile.

use super::{NOT_ENOUGH, figure, note, para, table};
use crate::review::{GradeRow, Review};
use crate::svg::axes::Frame;
use crate::svg::bars::{Bar, PLAIN, RefLine, ValueAxis, vertical};
use crate::svg::scale::round_up;
use crate::svg::{Chart, colour};
use crate::text::{count, percent, percent_of, times, times_of, trimmed};

/// Two bar panels (conversion rate, number of leads) and a table.
pub(super) fn grades(review: &Review) -> String {
    let mut out = para(
        "Left: the share of leads in each grade that converted; a good model has clearly falling \
         bars from the best grade to the worst. Right: how many leads got each grade.",
    );
    if review.grades.is_empty() {
        out.push_str(&note(NOT_ENOUGH));
        return out;
    }
    out.push_str(&figure(
        &grade_chart(
            "grades",
            "Conversion rate and number of leads by grade",
            &review.grades,
        ),
        "Conversion rate (left) and number of leads (right) by grade.",
    ));
    out.push_str(&grade_table("Leads by grade", &review.grades));
    out
}

/// The two-panel grade chart, also used for other sets of grades.
pub(super) fn grade_chart(kind: &'static str, label: &str, grades: &[GradeRow]) -> String {
    let mut chart = Chart::new(kind, 680.0, 330.0, label);
    let rate_frame = Frame {
        left: 64.0,
        top: 30.0,
        width: 240.0,
        height: 240.0,
    };
    let count_frame = Frame {
        left: 420.0,
        top: 30.0,
        width: 240.0,
        height: 240.0,
    };
    let top_rate = grades
        .iter()
        .filter_map(|g| g.conversion_rate)
        .filter(|r| r.is_finite())
        .fold(0.0_f64, f64::max);
    let rates: Vec<Bar> = grades
        .iter()
        .map(|g| Bar {
            label: g.grade.clone(),
            value: g.conversion_rate,
            colour: PLAIN,
            note: percent_of(g.conversion_rate),
            tooltip: format!(
                "Grade {}: {} of {} leads converted ({})",
                g.grade,
                count(g.converted),
                count(g.leads),
                percent_of(g.conversion_rate)
            ),
        })
        .collect();
    let axis = ValueAxis {
        max: round_up(top_rate).min(1.0),
        format: percent,
        title: "Conversion rate".to_owned(),
    };
    chart.push(&vertical(&rate_frame, &rates, &axis, "Grade", &[]));

    let top_count = grades.iter().map(|g| g.leads).max().unwrap_or(0) as f64;
    let leads: Vec<Bar> = grades
        .iter()
        .map(|g| Bar {
            label: g.grade.clone(),
            value: Some(g.leads as f64),
            colour: colour::NEUTRAL,
            note: count(g.leads),
            tooltip: format!("Grade {}: {} leads", g.grade, count(g.leads)),
        })
        .collect();
    let axis = ValueAxis {
        max: round_up(top_count),
        format: whole,
        title: "Number of leads".to_owned(),
    };
    chart.push(&vertical(&count_frame, &leads, &axis, "Grade", &[]));
    chart.finish()
}

/// A table of grades.
pub(super) fn grade_table(caption: &str, grades: &[GradeRow]) -> String {
    let rows: Vec<Vec<String>> = grades
        .iter()
        .map(|g| {
            vec![
                g.grade.clone(),
                count(g.leads),
                count(g.converted),
                percent_of(g.conversion_rate),
            ]
        })
        .collect();
    table(
        caption,
        &["Grade", "Leads", "Converted", "Conversion rate"],
        &rows,
    )
}

/// Lift bars per decile with the line at 1.0.
pub(super) fn lift(review: &Review) -> String {
    let mut out = para(
        "Leads are ranked by score and cut into ten equal groups; group 1 is the top tenth. \
         Lift is how many times more often a group converted than the average lead: the dashed \
         line at 1.0 is average. A good model has high bars on the left, falling to the right.",
    );
    if review.lift.is_empty()
        || review
            .lift
            .iter()
            .all(|r| r.lift.is_none_or(|l| !l.is_finite()))
    {
        out.push_str(&note(NOT_ENOUGH));
        return out;
    }
    let top = review
        .lift
        .iter()
        .filter_map(|r| r.lift)
        .filter(|l| l.is_finite())
        .fold(1.0_f64, f64::max);
    let bars: Vec<Bar> = review
        .lift
        .iter()
        .map(|r| Bar {
            label: r.decile.to_string(),
            value: r.lift,
            colour: PLAIN,
            note: times_of(r.lift),
            tooltip: format!(
                "Group {}: {} of {} leads converted ({}), {} the average",
                r.decile,
                count(r.converted),
                count(r.leads),
                percent_of(r.conversion_rate),
                times_of(r.lift)
            ),
        })
        .collect();
    let mut chart = Chart::new(
        "lift",
        680.0,
        340.0,
        "Lift by decile, top tenth of leads first",
    );
    let frame = Frame {
        left: 64.0,
        top: 24.0,
        width: 680.0 - 64.0 - 130.0,
        height: 256.0,
    };
    let axis = ValueAxis {
        max: round_up(top * 1.1),
        format: times,
        title: "Lift (1.0 = average)".to_owned(),
    };
    let average = RefLine {
        value: 1.0,
        label: "Average (1.0×)".to_owned(),
        colour: colour::REFERENCE,
    };
    chart.push(&vertical(
        &frame,
        &bars,
        &axis,
        "Group of leads (1 = top tenth by score)",
        &[average],
    ));
    out.push_str(&figure(&chart.finish(), "Lift by decile."));
    let rows: Vec<Vec<String>> = review
        .lift
        .iter()
        .map(|r| {
            vec![
                r.decile.to_string(),
                count(r.leads),
                count(r.converted),
                percent_of(r.conversion_rate),
                times_of(r.lift),
            ]
        })
        .collect();
    out.push_str(&table(
        "Lift by decile",
        &["Group", "Leads", "Converted", "Conversion rate", "Lift"],
        &rows,
    ));
    out
}

/// A tick label for counts: whole numbers with separators.
fn whole(value: f64) -> String {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 {
        count(value as usize)
    } else {
        trimmed(value, 1)
    }
}
