//! A feature's effect in one plain sentence.
//!
//! Feature names follow the encoder's conventions (`leadscore-features`):
//! `employees` (a number), `employees:missing` (no value recorded),
//! `employees:[10,50)` and `employees:>=500` (number ranges),
//! `industry=Software` (a category), `industry=__other__` (the rare categories
//! pooled) and `industry=__missing__` (no category recorded). A trailing time
//! window such as `_30d` reads "in the last 30 days".

use crate::features::Direction;

/// The encoder's level for rare categories pooled together.
const OTHER_LEVEL: &str = "__other__";
/// The encoder's level for a missing category.
const MISSING_LEVEL: &str = "__missing__";

/// The effect of a feature with the given weight, as a sentence without a full
/// stop: who the feature is about, then whether they are more or less likely to
/// convert.
///
/// ```
/// use leadscore_report::describe_feature;
///
/// assert_eq!(
///     describe_feature("email_clicks_30d", 0.8),
///     "Leads with more email clicks in the last 30 days are more likely to convert",
/// );
/// assert_eq!(
///     describe_feature("industry=Software", -0.4),
///     "Leads whose industry is Software are less likely to convert",
/// );
/// ```
pub fn describe_feature(feature: &str, weight: f64) -> String {
    let effect = match Direction::of(weight) {
        Direction::Raises => "are more likely to convert",
        Direction::Lowers => "are less likely to convert",
        Direction::None => "are neither more nor less likely to convert",
    };
    format!("{} {effect}", subject(feature))
}

/// "Leads with more ...", "Leads whose ... is ...", and so on.
fn subject(feature: &str) -> String {
    if let Some((column, part)) = feature.split_once(':')
        && !column.contains('=')
    {
        let column = words_or(column, "value");
        let part = part.trim();
        if part == "missing" {
            return format!("Leads with no recorded {column}");
        }
        if let Some(low) = part.strip_prefix(">=") {
            return format!("Leads with {column} of {} or more", low.trim());
        }
        if let Some((low, high)) = part
            .strip_prefix('[')
            .and_then(|p| p.strip_suffix(')'))
            .and_then(|p| p.split_once(','))
        {
            return format!(
                "Leads with {column} from {} to under {}",
                low.trim(),
                high.trim()
            );
        }
    }
    if let Some((column, level)) = feature.split_once('=') {
        let column = words_or(column, "value");
        return match level.trim() {
            "" | MISSING_LEVEL => format!("Leads whose {column} is not recorded"),
            OTHER_LEVEL => format!("Leads whose {column} is a less common value"),
            level => format!("Leads whose {column} is {level}"),
        };
    }
    let tokens = tokens(feature);
    match tokens.split_first() {
        Some((&"is", rest)) if !rest.is_empty() => format!("Leads marked as {}", phrase(rest)),
        Some((&"has", rest)) if !rest.is_empty() => format!("Leads that have {}", phrase(rest)),
        _ => format!("Leads with more {}", words_or(feature, "of this feature")),
    }
}

/// The name's words, or `fallback` when it has none.
fn words_or(name: &str, fallback: &str) -> String {
    let tokens = tokens(name);
    if tokens.is_empty() {
        fallback.to_owned()
    } else {
        phrase(&tokens)
    }
}

/// The name split at underscores, hyphens, dots and spaces, without counting
/// words that add nothing ("n_meetings", "meetings_count" are "meetings").
fn tokens(name: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = name
        .split(['_', '-', '.', ' '])
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() > 1 && matches!(tokens[0], "n" | "num") {
        tokens.remove(0);
    }
    if tokens.len() > 1 && matches!(tokens[tokens.len() - 1], "count" | "cnt") {
        tokens.pop();
    }
    tokens
}

/// Joins tokens with spaces, reading time windows (`30d`, `2w`, `24h`) as
/// "in the last 30 days" and so on.
fn phrase(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| window(t).unwrap_or_else(|| (*t).to_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "in the last 30 days" for `30d` (also `w` weeks, `h` hours).
pub fn window(token: &str) -> Option<String> {
    let unit = token.chars().last()?;
    let digits = token.strip_suffix(unit)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (one, many) = match unit {
        'd' => ("day", "days"),
        'w' => ("week", "weeks"),
        'h' => ("hour", "hours"),
        _ => return None,
    };
    let n: u64 = digits.parse().ok()?;
    Some(if n == 1 {
        format!("in the last {one}")
    } else {
        format!("in the last {n} {many}")
    })
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn windows_read_as_words() {
        assert_eq!(window("30d").as_deref(), Some("in the last 30 days"));
        assert_eq!(window("1w").as_deref(), Some("in the last week"));
        assert_eq!(window("24h").as_deref(), Some("in the last 24 hours"));
        for other in ["", "d", "30", "30m", "+3d", "3 d", "count"] {
            assert_eq!(window(other), None, "{other}");
        }
    }
}
