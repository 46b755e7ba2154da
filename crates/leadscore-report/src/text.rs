//! Text for the page: HTML escaping, and numbers written for people (counts
//! with thousands separators, percentages) or for SVG coordinates.
//!
//! No function here ever writes "NaN" or "inf": a value that is not finite
//! reads "n/a" in text and 0 in a coordinate.

/// Escapes `&`, `<`, `>`, `"` and `'`, for element text and quoted attribute
/// values alike.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a figure that could not be computed reads as.
pub(crate) const NOT_AVAILABLE: &str = "n/a";

/// A count with thousands separators: 4434 reads "4,434".
pub(crate) fn count(n: usize) -> String {
    thousands(n as u64)
}

pub use leadscore_domain::thousands;

/// A fraction as a percentage, to one decimal when it has one: 0.62 reads
/// "62%", 0.234 reads "23.4%".
pub(crate) fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    format!("{}%", trimmed(fraction * 100.0, 1))
}

/// [`percent`] of an optional fraction.
pub(crate) fn percent_of(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| NOT_AVAILABLE.to_owned(), percent)
}

/// A number with exactly `places` decimals: `fixed(0.7834, 2)` reads "0.78".
pub(crate) fn fixed(value: f64, places: usize) -> String {
    if !value.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    let text = format!("{value:.places$}");
    // "-0.00" reads as "0.00".
    if text.starts_with('-') && text.bytes().skip(1).all(|b| b == b'0' || b == b'.') {
        text[1..].to_owned()
    } else {
        text
    }
}

/// [`fixed`] of an optional number.
pub(crate) fn fixed_of(value: Option<f64>, places: usize) -> String {
    value.map_or_else(|| NOT_AVAILABLE.to_owned(), |v| fixed(v, places))
}

/// A number with a sign and two decimals: 0.4213 reads "+0.42".
pub(crate) fn signed(value: f64) -> String {
    let text = fixed(value, 2);
    if value.is_finite() && !text.starts_with('-') {
        format!("+{text}")
    } else {
        text
    }
}

/// A multiple, such as a lift: 2.14 reads "2.1×".
pub(crate) fn times(value: f64) -> String {
    if !value.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    format!("{}×", trimmed(value, 1))
}

/// [`times`] of an optional multiple.
pub(crate) fn times_of(value: Option<f64>) -> String {
    value.map_or_else(|| NOT_AVAILABLE.to_owned(), times)
}

/// A number with at most `places` decimals and no trailing zeros: 2.50 reads
/// "2.5", 3.0 reads "3". Not-finite reads "n/a".
pub(crate) fn trimmed(value: f64, places: usize) -> String {
    let text = fixed(value, places);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// An SVG coordinate or length, to one decimal; 0 for a value that is not
/// finite, so that no chart ever carries "NaN" or "inf".
pub(crate) fn px(value: f64) -> String {
    if value.is_finite() {
        trimmed(value, 1)
    } else {
        "0".to_owned()
    }
}

/// Keeps at most `max` characters, ending with "…" when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(4434), "4,434");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn numbers_never_read_nan_or_infinite() {
        assert_eq!(percent(0.62), "62%");
        assert_eq!(percent(0.234), "23.4%");
        assert_eq!(percent(f64::NAN), "n/a");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(times(2.14), "2.1×");
        assert_eq!(signed(0.4213), "+0.42");
        assert_eq!(signed(-0.4), "-0.40");
        assert_eq!(signed(f64::NAN), "n/a");
        assert_eq!(times(f64::INFINITY), "n/a");
        assert_eq!(px(f64::NEG_INFINITY), "0");
        assert_eq!(px(12.26), "12.3");
        assert_eq!(px(40.0), "40");
    }

    #[test]
    fn shortens_long_names() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
