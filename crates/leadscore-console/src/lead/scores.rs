//! The lead's scores as the page shows them: read from the stored JSON (the
//! rescoring worker's) or from scores computed on the spot (a lead not
//! scored yet), into one shape, then rendered with every reason in words.

use leadscore_engine::json::Json;
use leadscore_engine::scoring::{ConversionScore, Engine, LeadResult, PrimarySource};
use leadscore_store::{LeadStateRow, RuleScoreRow};

use super::words::{self, Hit, RuleFacts};
use crate::html::escape;

/// Most evidence lines shown under one condition.
const MAX_EVIDENCE: usize = 10;
/// Most factors shown each way.
const MAX_FACTORS: usize = 5;

/// The primary score.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimaryView {
    /// The score.
    pub score: i64,
    /// Its grade.
    pub grade: Option<String>,
    /// Which scorer gave it, in words.
    pub from: String,
}

/// One rule model's score of the lead.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleView {
    /// The model.
    pub model: String,
    /// The score (none: the model does not score the lead).
    pub score: Option<i64>,
    /// The grade.
    pub grade: Option<String>,
    /// Reached the model's threshold.
    pub sales_ready: bool,
    /// Why there is no score.
    pub reason: Option<String>,
    /// The sum of the rules' points before rounding and the floor.
    pub total: f64,
    /// The rules that held.
    pub hits: Vec<HitView>,
}

/// A rule that held, with the conditions that made it hold.
#[derive(Debug, Clone, PartialEq)]
pub struct HitView {
    /// The rule and its points.
    pub hit: Hit,
    /// Each condition as written, how many records qualified, and lines of
    /// evidence.
    pub conditions: Vec<(String, u32, Vec<String>)>,
}

/// The conversion model's score of the lead.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionView {
    /// The model version.
    pub version: i64,
    /// 0-100.
    pub score: i64,
    /// The probability of converting.
    pub probability: f64,
    /// A-D.
    pub grade: String,
    /// Not trusted on its own.
    pub low_confidence: bool,
    /// `(column, log-odds, the lead's value)`, strongest first.
    pub factors: Vec<(String, f64, Option<String>)>,
    /// Whether the scores carry the lead's values (scores stored before
    /// they did carry none).
    pub has_values: bool,
}

/// Everything the page shows of the lead's scores.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoresView {
    /// The primary score.
    pub primary: Option<PrimaryView>,
    /// Every rule model's.
    pub rules: Vec<RuleView>,
    /// The conversion model's.
    pub conversion: Option<ConversionView>,
}

fn text(j: &Json<'_>, key: &str) -> Option<String> {
    match j.get(key)? {
        Json::String(s) => Some(s.to_string()),
        _ => None,
    }
}

fn number(j: &Json<'_>, key: &str) -> Option<f64> {
    match j.get(key)? {
        Json::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn int(j: &Json<'_>, key: &str) -> Option<i64> {
    match j.get(key)? {
        Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        _ => None,
    }
}

fn flag(j: &Json<'_>, key: &str) -> bool {
    matches!(j.get(key), Some(Json::Bool(true)))
}

fn items<'j, 'a>(j: &'j Json<'a>, key: &str) -> &'j [Json<'a>] {
    match j.get(key) {
        Some(Json::Array(v)) => v,
        _ => &[],
    }
}

/// `key: value` pairs of a JSON object of text values.
fn pairs(j: Option<&Json<'_>>) -> Vec<(String, String)> {
    j.and_then(Json::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Json::String(s) => s.to_string(),
                        Json::Number(n) => n.to_string(),
                        Json::Bool(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (k.to_string(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn fields_text(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The primary score from the scorer's source and model.
fn primary_from(source: &str, model: &str) -> String {
    if source == "conversion" {
        match model.strip_prefix("conversion-v") {
            Some(v) => format!("from the conversion model (version {v})"),
            None => "from the conversion model".to_owned(),
        }
    } else {
        format!("from the rule model {model} (no confident conversion model)")
    }
}

impl ScoresView {
    /// The scores the rescoring worker stored.
    pub fn stored(state: &LeadStateRow, rules: &[RuleScoreRow]) -> Self {
        let detail = state
            .primary_detail
            .as_deref()
            .and_then(|t| Json::parse(t.as_bytes()).ok());
        let primary = state.primary_score.map(|score| PrimaryView {
            score,
            grade: state.primary_grade.clone(),
            from: detail.as_ref().map_or(String::new(), |d| {
                primary_from(
                    &text(d, "source").unwrap_or_default(),
                    &text(d, "model").unwrap_or_default(),
                )
            }),
        });
        let conversion = state
            .conversion
            .as_deref()
            .and_then(|t| Json::parse(t.as_bytes()).ok())
            .map(|c| conversion_of_json(&c));
        Self {
            primary,
            rules: rules.iter().map(rule_of_row).collect(),
            conversion,
        }
    }

    /// Scores computed on the spot.
    pub fn computed(r: &LeadResult) -> Self {
        Self {
            primary: r.primary.as_ref().map(|p| PrimaryView {
                score: p.score,
                grade: p.grade.clone(),
                from: primary_from(
                    match p.source {
                        PrimarySource::Conversion => "conversion",
                        PrimarySource::RuleModel => "rule_model",
                    },
                    &p.model,
                ),
            }),
            rules: r
                .rules
                .iter()
                .map(|e| RuleView {
                    model: e.model.clone(),
                    score: e.score,
                    grade: e.grade.clone(),
                    sales_ready: e.sales_ready,
                    reason: e.reason.clone(),
                    total: e.points,
                    hits: e
                        .rules
                        .iter()
                        .map(|h| HitView {
                            hit: Hit {
                                rule: h.rule.clone(),
                                points: h.points,
                                uncapped: h.uncapped,
                                times: h.times,
                                count: None,
                            },
                            conditions: h
                                .conditions
                                .iter()
                                .map(|c| {
                                    let mut lines: Vec<String> = c
                                        .interactions
                                        .iter()
                                        .map(|i| {
                                            let f: Vec<(String, String)> = i
                                                .fields
                                                .iter()
                                                .map(|(k, v)| (k.clone(), v.clone()))
                                                .collect();
                                            interaction_line(&i.kind, &i.occurred_at, i.weight, &f)
                                        })
                                        .collect();
                                    lines.extend(c.records.iter().map(|r| {
                                        let f: Vec<(String, String)> = r
                                            .fields
                                            .iter()
                                            .map(|(k, v)| (k.clone(), v.clone()))
                                            .collect();
                                        record_line(&r.entity, &r.id, &f)
                                    }));
                                    (c.condition.clone(), c.count, lines)
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            conversion: r.conversion.as_ref().map(conversion_of),
        }
    }
}

fn interaction_line(kind: &str, at: &str, weight: f64, fields: &[(String, String)]) -> String {
    let mut line = format!(
        "{} on {}",
        words::split_words(kind),
        at.get(..10).unwrap_or(at)
    );
    if !fields.is_empty() {
        line.push_str(&format!(" ({})", fields_text(fields)));
    }
    if (weight - 1.0).abs() > 1e-6 {
        line.push_str(&format!(", counting {weight:.2} for its age"));
    }
    line
}

fn record_line(entity: &str, id: &str, fields: &[(String, String)]) -> String {
    if fields.is_empty() {
        format!("{entity} {id}")
    } else {
        format!("{entity} {id}: {}", fields_text(fields))
    }
}

fn rule_of_row(row: &RuleScoreRow) -> RuleView {
    let explanation = Json::parse(row.explanation.as_bytes()).ok();
    let hits = explanation
        .as_ref()
        .map(|e| items(e, "rules").iter().map(hit_of_json).collect())
        .unwrap_or_default();
    RuleView {
        model: row.model.clone(),
        score: row.score,
        grade: row.grade.clone(),
        sales_ready: row.sales_ready,
        reason: row.reason.clone(),
        total: explanation
            .as_ref()
            .and_then(|e| number(e, "points"))
            .unwrap_or_default(),
        hits,
    }
}

fn hit_of_json(r: &Json<'_>) -> HitView {
    HitView {
        hit: Hit {
            rule: text(r, "rule").unwrap_or_default(),
            points: number(r, "points").unwrap_or_default(),
            uncapped: number(r, "uncapped").unwrap_or_default(),
            times: number(r, "times").unwrap_or(1.0),
            count: None,
        },
        conditions: items(r, "conditions")
            .iter()
            .map(|c| {
                let mut lines: Vec<String> = items(c, "interactions")
                    .iter()
                    .map(|i| {
                        interaction_line(
                            &text(i, "kind").unwrap_or_default(),
                            &text(i, "occurred_at").unwrap_or_default(),
                            number(i, "weight").unwrap_or(1.0),
                            &pairs(i.get("fields")),
                        )
                    })
                    .collect();
                lines.extend(items(c, "records").iter().map(|r| {
                    record_line(
                        &text(r, "entity").unwrap_or_default(),
                        &text(r, "id").unwrap_or_default(),
                        &pairs(r.get("fields")),
                    )
                }));
                (
                    text(c, "condition").unwrap_or_default(),
                    int(c, "count").map_or(0, |n| u32::try_from(n).unwrap_or(0)),
                    lines,
                )
            })
            .collect(),
    }
}

fn conversion_of_json(c: &Json<'_>) -> ConversionView {
    let factors: Vec<(String, f64, Option<String>)> = items(c, "contributions")
        .iter()
        .map(|f| {
            (
                text(f, "column").unwrap_or_default(),
                number(f, "log_odds").unwrap_or_default(),
                text(f, "value"),
            )
        })
        .collect();
    ConversionView {
        version: int(c, "version").unwrap_or_default(),
        score: int(c, "score").unwrap_or_default(),
        probability: number(c, "probability").unwrap_or_default(),
        grade: text(c, "grade").unwrap_or_default(),
        low_confidence: flag(c, "low_confidence"),
        has_values: factors.iter().any(|f| f.2.is_some()),
        factors,
    }
}

fn conversion_of(c: &ConversionScore) -> ConversionView {
    ConversionView {
        version: c.version,
        score: i64::from(c.score),
        probability: c.probability,
        grade: c.grade.clone(),
        low_confidence: c.low_confidence,
        // Computed now: every value there is was filled.
        has_values: true,
        factors: c
            .contributions
            .iter()
            .map(|f| (f.column.clone(), f.log_odds, f.value.clone()))
            .collect(),
    }
}

/// What the live rule model says of a rule (its cap, how it counts), and
/// the place of its counting condition; none when the model or the rule is
/// gone since the lead was scored.
fn facts(engine: &Engine, model: &str, rule: &str) -> Option<(RuleFacts, Option<usize>)> {
    let plan = engine.plans().iter().find(|p| p.name() == model)?;
    let rule = plan.model().rules.iter().find(|r| r.name == rule)?;
    let list = rule.conditions.list();
    let each = list
        .iter()
        .position(|c| c.frequency.map(|f| f.as_str()) == Some("each"));
    let counting = each.and_then(|i| list.get(i));
    Some((
        RuleFacts {
            cap: rule.cap,
            each: each.is_some(),
            within: counting.and_then(|c| c.within.map(|s| s.to_string())),
            fading: counting.is_some_and(|c| c.half_life.is_some()),
        },
        each,
    ))
}

fn grade_badge(grade: Option<&str>) -> String {
    grade.map_or(String::new(), |g| {
        format!(" · grade <span class=\"grade\">{}</span>", escape(g))
    })
}

/// One rule model's card: its score, grade and flag, each rule that held as
/// a sentence (the conditions and evidence folded under it), or why the
/// model gives no score.
pub fn rule_card(view: &RuleView, engine: &Engine, index: usize) -> String {
    let plan = engine.plans().iter().find(|p| p.name() == view.model);
    let threshold = plan.and_then(|p| p.model().sales_ready);
    let mut out = format!(
        "<section class=\"card model\" aria-labelledby=\"model-{index}\">\
         <h3 id=\"model-{index}\">{}</h3>",
        escape(&view.model)
    );
    let Some(score) = view.score else {
        let reason = view
            .reason
            .as_deref()
            .unwrap_or("the model does not score this lead");
        out.push_str(&format!(
            "<p class=\"no-score\">No score: {}.</p></section>",
            escape(reason.trim_end_matches('.'))
        ));
        return out;
    };
    let flag = match (view.sales_ready, threshold) {
        (true, Some(t)) => format!(" · <strong>sales-ready</strong> (reached {t})"),
        (true, None) => " · <strong>sales-ready</strong>".to_owned(),
        (false, Some(t)) => format!(" · sales-ready at {t}"),
        (false, None) => String::new(),
    };
    out.push_str(&format!(
        "<p class=\"model-score\"><span class=\"score\">{score}</span> points{}{flag}</p>",
        grade_badge(view.grade.as_deref())
    ));
    if view.hits.is_empty() {
        out.push_str("<p>No rule of this model held for this lead.</p>");
    } else {
        out.push_str("<ul class=\"reasons\">");
        for h in &view.hits {
            let found = facts(engine, &view.model, &h.hit.rule);
            let mut hit = h.hit.clone();
            if let Some((_, Some(i))) = &found {
                hit.count = h.conditions.get(*i).map(|c| c.1);
            }
            let sentence = words::rule_sentence(&hit, found.as_ref().map(|f| &f.0));
            let kind = if hit.points < 0.0 { "minus" } else { "plus" };
            out.push_str(&format!(
                "<li class=\"{kind}\"><span class=\"sentence\">{}</span>{}</li>",
                escape(&sentence),
                conditions_details(&h.conditions)
            ));
        }
        out.push_str("</ul>");
    }
    let total = view.total.round() as i64;
    if total != score && !view.hits.is_empty() {
        out.push_str(&format!(
            "<p class=\"muted\">The rules add up to {}; the model's floor makes the score {score}.</p>",
            words::points(view.total)
        ));
    }
    out.push_str("</section>");
    out
}

/// The conditions that made a rule hold, as written, with their evidence,
/// folded.
fn conditions_details(conditions: &[(String, u32, Vec<String>)]) -> String {
    if conditions.is_empty() {
        return String::new();
    }
    let mut out = String::from("<details><summary>Why it held</summary><ul>");
    for (text, count, lines) in conditions {
        out.push_str(&format!(
            "<li><code>{}</code>: {} record{} qualified",
            escape(text),
            count,
            if *count == 1 { "" } else { "s" }
        ));
        if !lines.is_empty() {
            out.push_str("<ul>");
            for line in lines.iter().take(MAX_EVIDENCE) {
                out.push_str(&format!("<li>{}</li>", escape(line)));
            }
            if lines.len() > MAX_EVIDENCE {
                out.push_str(&format!("<li>and {} more</li>", lines.len() - MAX_EVIDENCE));
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></details>");
    out
}

/// The conversion model's card: score, grade, the probability as a rounded
/// percentage, a note when the model is low-confidence, and the strongest
/// factors each way as sentences about the lead's own values.
pub fn conversion_card(view: Option<&ConversionView>, has_model: bool) -> String {
    let head = "<section class=\"card\" id=\"conversion\" aria-labelledby=\"conversion-title\">";
    let Some(c) = view else {
        let why = if has_model {
            "The conversion model has not scored this lead yet."
        } else {
            "No conversion model is published: the rule models give the primary score."
        };
        return format!(
            "{head}<h2 id=\"conversion-title\">Conversion model</h2><p>{why}</p></section>"
        );
    };
    let mut out = format!(
        "{head}<h2 id=\"conversion-title\">Conversion model (version {})</h2>\
         <p class=\"model-score\"><span class=\"score\">{}</span> out of 100{}: \
         about a <strong>{}</strong> chance of converting, judged from past leads like this one.</p>",
        c.version,
        c.score,
        grade_badge(Some(c.grade.as_str())),
        escape(&words::percent(c.probability)),
    );
    if c.low_confidence {
        out.push_str(
            "<p class=\"notice\" role=\"note\">Low confidence: this model did not predict past \
             outcomes well enough to be trusted on its own, so its score is rounded down to a \
             multiple of 10 and the rule models give the primary score.</p>",
        );
    }
    let list = |raising: bool| {
        let items: Vec<String> = c
            .factors
            .iter()
            .filter(|f| if raising { f.1 > 0.0 } else { f.1 < 0.0 })
            .take(MAX_FACTORS)
            .map(|(column, log_odds, value)| {
                let sentence = if c.has_values {
                    words::factor_sentence(column, value.as_deref(), *log_odds)
                } else {
                    format!(
                        "The lead's {} {} the chance of converting (its value shows after the \
                         lead's next rescoring)",
                        words::column_words(column),
                        if raising { "raises" } else { "lowers" }
                    )
                };
                format!(
                    "<li>{} <span class=\"strength\">({} effect)</span></li>",
                    escape(&sentence),
                    words::strength(*log_odds)
                )
            })
            .collect();
        if items.is_empty() {
            "<p class=\"muted\">None.</p>".to_owned()
        } else {
            format!("<ul class=\"factors-list\">{}</ul>", items.concat())
        }
    };
    out.push_str(&format!(
        "<div class=\"factors\"><div><h3>What raises the chance</h3>{}</div>\
         <div><h3>What lowers the chance</h3>{}</div></div>",
        list(true),
        list(false)
    ));
    out.push_str(&format!(
        "<p class=\"muted\">The strongest {MAX_FACTORS} factors each way, of {} the model weighs \
         for this lead; each compares leads like this one with the average lead.</p></section>",
        c.factors.len()
    ));
    out
}
