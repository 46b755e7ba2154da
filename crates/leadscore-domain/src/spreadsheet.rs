//! Text bound for a spreadsheet: a CSV cell that a spreadsheet would run as
//! a formula is neutralized, as OWASP recommends against CSV injection.
//!
//! A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading `'`, which spreadsheets read as "text follows" and do not show;
//! a number (`-0.25`, `+3`) is left as it is: a spreadsheet reads it as the
//! number it is, and nothing runs.
//!
//! ```
//! use leadscore_domain::spreadsheet::safe_cell;
//!
//! assert_eq!(safe_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
//! assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
//! assert_eq!(safe_cell("-0.25"), "-0.25");
//! assert_eq!(safe_cell("L-1"), "L-1");
//! ```

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a CSV cell that no spreadsheet runs: prefixed with `'` when it
/// starts with a formula character and is not a number.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(first) if TRIGGERS.contains(&first) && !is_number(text) => {
            Cow::Owned(format!("'{text}"))
        }
        _ => Cow::Borrowed(text),
    }
}

/// Whether a spreadsheet reads `text` as a plain number (`-1`, `+2.5e3`).
fn is_number(text: &str) -> bool {
    text.len() > 1
        && text[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && text.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        for formula in [
            "=1+1",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1,2)",
            "\t=1",
            "\r=1",
            "-",
            "+",
            "-inf",
            "-NaN",
            "-infinity",
        ] {
            assert_eq!(safe_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for kept in ["", "L-1", "a=b", "-0.25", "+3", "-1e3", "-.5", "'=already"] {
            assert_eq!(safe_cell(kept), kept, "{kept:?}");
        }
    }
}
