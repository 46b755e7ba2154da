//! The summary: warnings, the key figures, and what they mean in words.

use crate::drift::DriftLevel;
use crate::review::Review;
use crate::text::{count, esc, fixed, fixed_of, percent, percent_of, shorten, times, trimmed};

/// Warnings first, then the key figures, then sentences.
pub(super) fn body(review: &Review) -> String {
    let mut out = warnings(review);
    out.push_str(&figures(review));
    out.push_str("<ul class=\"findings\">");
    for sentence in sentences(review) {
        out.push_str(&format!("<li>{}</li>", esc(&sentence)));
    }
    out.push_str("</ul>");
    out
}

/// The low-confidence flag and the review's warnings, in a box; nothing when
/// there are none.
fn warnings(review: &Review) -> String {
    let mut items = Vec::new();
    if review.model.low_confidence {
        items.push(
            "Low confidence: the model's results on its test leads were weak or based on few \
             leads. Treat the figures below with care."
                .to_owned(),
        );
    }
    items.extend(review.warnings.iter().cloned());
    if items.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("<div class=\"warning\" role=\"note\"><strong>Please note</strong><ul>");
    for item in &items {
        out.push_str(&format!("<li>{}</li>", esc(item)));
    }
    out.push_str("</ul></div>");
    out
}

/// The key figures as labelled boxes.
fn figures(review: &Review) -> String {
    let m = &review.model;
    let version = m
        .version
        .map_or_else(|| "not registered".to_owned(), |v| v.to_string());
    let boxes = [
        ("Model version", version),
        ("AUC (0.5 = guessing)", fixed_of(m.auc, 2)),
        ("PR-AUC", fixed_of(m.pr_auc, 2)),
        ("Precision", percent_of(m.precision)),
        ("Recall", percent_of(m.recall)),
        ("Base rate", percent(m.base_rate)),
        ("Closed leads", count(review.data.closed)),
    ];
    let mut out = String::from("<dl class=\"figures\">");
    for (label, value) in boxes {
        out.push_str(&format!(
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(label),
            esc(&value)
        ));
    }
    out.push_str("</dl>");
    out
}

/// The key figures in sentences.
fn sentences(review: &Review) -> Vec<String> {
    let m = &review.model;
    let d = &review.data;
    let which = m.version.map_or_else(
        || "a model not yet registered".to_owned(),
        |v| format!("model version {v}"),
    );
    let fingerprint = if m.training_data_hash.is_empty() {
        String::new()
    } else {
        format!(
            " (training data fingerprint {})",
            shorten(&m.training_data_hash, 16)
        )
    };
    let mut out = vec![
        format!(
            "This review covers {which}, trained on {} leads and tested on {} leads it had not seen. \
             It was trained at {}{fingerprint}.",
            count(m.n_train),
            count(m.n_test),
            m.created_at,
        ),
        format!(
            "The charts below use {} closed leads ({} converted) out of {} leads from {}.",
            count(d.closed),
            count(d.converted),
            count(d.leads),
            d.source,
        ),
        format!(
            "On average, {} of closed leads converted (the base rate).",
            percent(m.base_rate)
        ),
    ];
    out.push(match m.auc {
        Some(auc) if auc.is_finite() => format!(
            "Take one lead that converted and one that did not: the model scores the converted one \
             higher {} of the time (AUC {}; 50% would be guessing).",
            percent(auc),
            fixed(auc, 2),
        ),
        _ => "How well the model ranks leads (AUC) could not be measured.".to_owned(),
    });
    out.push(format!(
        "Leads with a predicted chance of {} or more are flagged as likely to convert: {} of the \
         flagged leads converted (precision), and the flag caught {} of all leads that converted \
         (recall).",
        threshold(m.threshold),
        percent_of(m.precision),
        percent_of(m.recall),
    ));
    if let Some(top) = review.lift.iter().find(|r| r.decile == 1)
        && let Some(lift) = top.lift.filter(|l| l.is_finite())
    {
        out.push(format!(
            "The top tenth of leads by score converted {} as often as the average lead ({} against {}).",
            times(lift),
            percent_of(top.conversion_rate),
            percent(m.base_rate),
        ));
    }
    for g in &review.grades {
        out.push(if g.leads == 0 {
            format!("No leads were graded {}.", g.grade)
        } else {
            format!(
                "Out of {} leads the model grades {}, {} converted ({}).",
                count(g.leads),
                g.grade,
                count(g.converted),
                percent_of(g.conversion_rate),
            )
        });
    }
    if let Some(drift) = &review.drift {
        if let Some(psi) = drift.score_psi {
            out.push(format!(
                "Recent leads' scores compared with the training data: {} (PSI {}).",
                DriftLevel::of(psi).words(),
                fixed(psi, 2),
            ));
        }
        let major = drift
            .features
            .iter()
            .filter(|f| f.level == DriftLevel::Major)
            .count();
        if major > 0 {
            out.push(format!(
                "{} of the {} features checked {} a major shift: see the drift section.",
                count(major),
                count(drift.features.len()),
                if major == 1 { "shows" } else { "show" },
            ));
        }
    }
    out
}

/// The flagging threshold: a percentage for a probability, else the number.
fn threshold(value: f64) -> String {
    if (0.0..=1.0).contains(&value) {
        percent(value)
    } else {
        trimmed(value, 2)
    }
}
