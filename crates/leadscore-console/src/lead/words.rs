//! The lead page's plain words: a rule that held as one sentence with its
//! points, a conversion factor as one sentence with the lead's own rounded
//! value (through [`describe_feature`], the one phraser of features), and
//! the numbers, times and names in between.

use leadscore_domain::Timestamp;
use leadscore_report::{describe_feature, thousands, window};

/// What the live rule model says about a rule, beyond its explanation: its
/// cap and how its `each` condition counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleFacts {
    /// The most, in absolute value, the rule adds.
    pub cap: Option<i64>,
    /// Its points count once per qualifying interaction.
    pub each: bool,
    /// The `each` condition's window as written (`30d`).
    pub within: Option<String>,
    /// The `each` condition's occurrences fade with age (`half_life`).
    pub fading: bool,
}

/// A rule that held, as its explanation says.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The rule's name (sales operations' own words).
    pub rule: String,
    /// Points added, after the cap.
    pub points: f64,
    /// Points before the cap.
    pub uncapped: f64,
    /// How many times the points counted (weighted by age with a half-life).
    pub times: f64,
    /// How many interactions qualified for its counting condition, when known.
    pub count: Option<u32>,
}

/// A number of points with its sign: `+15 points`, `−10 points`, `+1 point`,
/// `+9.6 points` (one decimal when not whole).
pub fn points(p: f64) -> String {
    let whole = (p - p.round()).abs() < 0.05;
    let size = if whole {
        format!("{}", p.round().abs())
    } else {
        format!("{:.1}", p.abs())
    };
    let sign = if p < 0.0 && size != "0" && size != "0.0" {
        "−"
    } else {
        "+"
    };
    let unit = if size == "1" { "point" } else { "points" };
    format!("{sign}{size} {unit}")
}

/// A rule that held, in one sentence: the rule's name, how often it
/// counted (for a rule whose points count per interaction), and the points
/// it added with its cap.
///
/// `Visited the pricing page — 3 times in the last 30 days: +15 points (at most 20)`
pub fn rule_sentence(hit: &Hit, facts: Option<&RuleFacts>) -> String {
    let mut out = hit.rule.trim().to_owned();
    let counted = (hit.times - 1.0).abs() > 1e-9;
    if facts.is_some_and(|f| f.each) || counted {
        let n = hit
            .count
            .map_or_else(|| hit.times.round().max(0.0) as u64, u64::from);
        out.push_str(&format!(
            " — {} time{}",
            thousands(n),
            if n == 1 { "" } else { "s" }
        ));
        if let Some(w) = facts
            .and_then(|f| f.within.as_deref())
            .and_then(|w| window(w.trim()))
        {
            out.push(' ');
            out.push_str(&w);
        }
        if facts.is_some_and(|f| f.fading) {
            out.push_str(", older ones counting less");
        }
    }
    out.push_str(": ");
    out.push_str(&points(hit.points));
    let capped = hit.uncapped.abs() > hit.points.abs() + 1e-9;
    match (facts.and_then(|f| f.cap), capped) {
        (Some(cap), true) => out.push_str(&format!(
            " (capped at {cap}; {} before the cap)",
            points(hit.uncapped)
        )),
        (None, true) => out.push_str(&format!(
            " (capped; {} before the cap)",
            points(hit.uncapped)
        )),
        (Some(cap), false) => out.push_str(&format!(" (at most {cap})")),
        (None, false) => {}
    }
    out
}

/// Words for a conversion model's input column, for [`describe_feature`]:
/// `account.employees` is "company employees", `EmailClicked.30d` "number
/// of times email clicked 30d" (which it reads "in the last 30 days"),
/// `EmailClicked.days_since_last` "days since last email clicked",
/// `Meeting.count` "number of meeting records".
pub fn column_words(column: &str) -> String {
    let Some((head, tail)) = column.split_once('.') else {
        return column.to_owned();
    };
    match head {
        "account" => return format!("company {tail}"),
        "contact" => return format!("contact {tail}"),
        "lead" => return format!("lead {tail}"),
        _ => {}
    }
    if !head.starts_with(|c: char| c.is_ascii_uppercase()) {
        return column.to_owned();
    }
    let kind = split_words(head);
    if tail == "days_since_last" {
        format!("days since last {kind}")
    } else if tail == "count" {
        format!("number of {kind} records")
    } else if window(tail).is_some() {
        format!("number of times {kind} {tail}")
    } else {
        format!("{kind} {tail}")
    }
}

/// `PricingPageViewed` as `pricing page viewed`.
pub fn split_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && previous_lower {
            out.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

/// A lead's value of a column, rounded for reading: whole numbers with
/// thousands separators (`30,103,000`), days since an interaction in whole
/// days, small fractions to one decimal; text as it is.
pub fn rounded_value(column: &str, value: &str) -> String {
    let Ok(v) = value.trim().parse::<f64>() else {
        return value.trim().to_owned();
    };
    if !v.is_finite() {
        return value.trim().to_owned();
    }
    let days = column.ends_with("days_since_last");
    if (days && v.abs() >= 1.0) || v.abs() >= 100.0 || (v - v.round()).abs() < 0.05 {
        let n = v.round();
        let text = thousands(n.abs() as u64);
        if n < 0.0 { format!("-{text}") } else { text }
    } else {
        format!("{v:.1}")
    }
}

/// A conversion factor in one sentence, about this lead's own value of the
/// column (rounded), through [`describe_feature`]: "Leads whose company
/// employees is 240 are more likely to convert". `value` is none when the
/// lead has none recorded.
pub fn factor_sentence(column: &str, value: Option<&str>, log_odds: f64) -> String {
    let value = value.map_or(String::new(), |v| rounded_value(column, v));
    describe_feature(&format!("{}={value}", column_words(column)), log_odds)
}

/// How strongly a factor moves the chance, from its log-odds.
pub fn strength(log_odds: f64) -> &'static str {
    match log_odds.abs() {
        x if x >= 0.5 => "strong",
        x if x >= 0.2 => "moderate",
        _ => "slight",
    }
}

/// A probability as a rounded percentage: `62%`, `under 1%`, `over 99%`.
pub fn percent(p: f64) -> String {
    let pct = p * 100.0;
    if !pct.is_finite() {
        "unknown".to_owned()
    } else if pct > 0.0 && pct < 0.5 {
        "under 1%".to_owned()
    } else if pct < 100.0 && pct > 99.5 {
        "over 99%".to_owned()
    } else {
        format!("{}%", pct.round().clamp(0.0, 100.0))
    }
}

pub use crate::html::when;

/// How long before `now` a time was: `just now`, `5 minutes ago`, `3 hours
/// ago`, `12 days ago`; `in the future` after `now`.
pub fn ago(t: Timestamp, now: Timestamp) -> String {
    let seconds = (now.as_micros() - t.as_micros()) / 1_000_000;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match seconds {
        s if s < -60 => "in the future".to_owned(),
        s if s < 60 => "just now".to_owned(),
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s => plural(s / 86_400, "day"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(points: f64, uncapped: f64, times: f64, count: Option<u32>) -> Hit {
        Hit {
            rule: "Visited the pricing page".to_owned(),
            points,
            uncapped,
            times,
            count,
        }
    }

    #[test]
    fn points_carry_their_sign_and_unit() {
        assert_eq!(points(15.0), "+15 points");
        assert_eq!(points(-10.0), "−10 points");
        assert_eq!(points(1.0), "+1 point");
        assert_eq!(points(9.63), "+9.6 points");
        assert_eq!(points(0.0), "+0 points");
    }

    #[test]
    fn a_counting_rule_says_how_often_and_its_cap() {
        let facts = RuleFacts {
            cap: Some(20),
            each: true,
            within: Some("30d".to_owned()),
            fading: false,
        };
        assert_eq!(
            rule_sentence(&hit(15.0, 15.0, 3.0, Some(3)), Some(&facts)),
            "Visited the pricing page — 3 times in the last 30 days: +15 points (at most 20)"
        );
        assert_eq!(
            rule_sentence(&hit(20.0, 30.0, 6.0, Some(6)), Some(&facts)),
            "Visited the pricing page — 6 times in the last 30 days: +20 points \
             (capped at 20; +30 points before the cap)"
        );
        let fading = RuleFacts {
            fading: true,
            within: Some("180d".to_owned()),
            ..facts
        };
        assert_eq!(
            rule_sentence(&hit(9.6, 9.6, 2.4, Some(5)), Some(&fading)),
            "Visited the pricing page — 5 times in the last 180 days, older ones counting less: \
             +9.6 points (at most 20)"
        );
    }

    #[test]
    fn a_plain_rule_is_its_name_and_points() {
        assert_eq!(
            rule_sentence(
                &hit(-10.0, -10.0, 1.0, Some(0)),
                Some(&RuleFacts::default())
            ),
            "Visited the pricing page: −10 points"
        );
        // The model was removed since: what the explanation alone says.
        assert_eq!(
            rule_sentence(&hit(16.0, 24.0, 6.0, None), None),
            "Visited the pricing page — 6 times: +16 points (capped; +24 points before the cap)"
        );
    }

    #[test]
    fn columns_read_as_words() {
        assert_eq!(column_words("account.employees"), "company employees");
        assert_eq!(
            column_words("PricingPageViewed.30d"),
            "number of times pricing page viewed 30d"
        );
        assert_eq!(
            column_words("EmailClicked.days_since_last"),
            "days since last email clicked"
        );
        assert_eq!(column_words("Meeting.count"), "number of meeting records");
        assert_eq!(column_words("source"), "source");
    }

    #[test]
    fn factors_are_sentences_with_the_leads_own_rounded_value() {
        let s = factor_sentence("account.employees", Some("240"), 0.4);
        assert_eq!(
            s,
            "Leads whose company employees is 240 are more likely to convert"
        );
        let s = factor_sentence("EmailClicked.30d", Some("3"), 0.3);
        assert_eq!(
            s,
            "Leads whose number of times email clicked in the last 30 days is 3 are more likely to convert"
        );
        let s = factor_sentence("EmailClicked.days_since_last", Some("12.3456"), -0.3);
        assert_eq!(
            s,
            "Leads whose days since last email clicked is 12 are less likely to convert"
        );
        let s = factor_sentence("account.annual_revenue", Some("30103000.5"), 0.1);
        assert!(s.contains("is 30,103,001"), "{s}");
        let s = factor_sentence("account.industry", None, -0.2);
        assert_eq!(
            s,
            "Leads whose company industry is not recorded are less likely to convert"
        );
        let s = factor_sentence("source", Some("Referral"), 0.9);
        assert_eq!(
            s,
            "Leads whose source is Referral are more likely to convert"
        );
        // Never a bin's edges: the lead's own value is what is shown.
        assert!(!factor_sentence("account.employees", Some("10"), 0.1).contains('['));
    }

    #[test]
    fn numbers_round_for_reading() {
        assert_eq!(rounded_value("x", "0.4321"), "0.4");
        assert_eq!(rounded_value("x", "3"), "3");
        assert_eq!(rounded_value("x", "1234.5"), "1,235");
        assert_eq!(rounded_value("x", "Software"), "Software");
        assert_eq!(percent(0.6234), "62%");
        assert_eq!(percent(0.001), "under 1%");
        assert_eq!(percent(0.999), "over 99%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(strength(-0.7), "strong");
        assert_eq!(strength(0.1), "slight");
    }

    #[test]
    fn times_read_as_ages() -> Result<(), leadscore_domain::DomainError> {
        let now = Timestamp::parse("2026-05-10T12:00:00Z")?;
        assert_eq!(
            ago(Timestamp::parse("2026-05-10T11:59:30Z")?, now),
            "just now"
        );
        assert_eq!(
            ago(Timestamp::parse("2026-05-10T09:00:00Z")?, now),
            "3 hours ago"
        );
        assert_eq!(
            ago(Timestamp::parse("2026-05-09T12:00:00Z")?, now),
            "1 day ago"
        );
        assert_eq!(when(now), "2026-05-10 12:00 UTC");
        assert_eq!(window("2w").as_deref(), Some("in the last 2 weeks"));
        assert_eq!(split_words("WebsiteVisited"), "website visited");
        Ok(())
    }
}
