//! RULES.md, "Operators": all fourteen, case-insensitive text, numbers compared
//! as numbers, and absent values. Table-driven over a lead's custom field, then
//! the same semantics on typed fields (numbers, times) and on interaction
//! properties.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Data, days_before, holds, score_of};
use leadscore_rules::OPERATORS;

/// The condition `Lead WHERE f <op> <value>`; `value` empty for the operators
/// that take none.
fn on_field(op: &str, value: &str) -> String {
    let value = if value.is_empty() {
        String::new()
    } else {
        format!(", value: {value}")
    };
    format!("{{ entity: Lead, where: [ {{ field: f, op: {op}{value} }} ] }}")
}

/// True when `Lead WHERE f <op> <value>` holds for a lead whose field `f` is
/// `field` (`None`: absent).
fn check(op: &str, value: &str, field: Option<&str>) -> bool {
    let mut d = Data::contact_based();
    if let Some(v) = field {
        d.lead_mut("L1").custom.set("f", v);
    }
    holds(&d, &on_field(op, value))
}

fn run(cases: &[(&str, &str, Option<&str>, bool)]) {
    let mut failures = Vec::new();
    for &(op, value, field, expected) in cases {
        if check(op, value, field) != expected {
            failures.push(format!("{field:?} {op} {value}: expected {expected}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// "Operators: `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `contains`, `not_contains`,
// `starts_with`, `ends_with`, `in`, `not_in` (value is a list), `is_empty`,
// `is_not_empty` (no value)."
#[test]
fn every_operator_on_present_values() {
    run(&[
        ("eq", "Chicago", Some("Chicago"), true),
        ("eq", "Chicago", Some("Chicago Heights"), false),
        ("ne", "Chicago", Some("Boston"), true),
        ("ne", "Chicago", Some("Chicago"), false),
        ("lt", "500", Some("499"), true),
        ("lt", "500", Some("500"), false),
        ("le", "500", Some("500"), true),
        ("le", "500", Some("501"), false),
        ("gt", "500", Some("501"), true),
        ("gt", "500", Some("500"), false),
        ("ge", "500", Some("500"), true),
        ("ge", "500", Some("499.5"), false),
        ("contains", "pricing", Some("/en/pricing/enterprise"), true),
        ("contains", "pricing", Some("/en/blog"), false),
        ("not_contains", "pricing", Some("/en/blog"), true),
        ("not_contains", "pricing", Some("/en/pricing"), false),
        (
            "starts_with",
            "Chief",
            Some("Chief Executive Officer"),
            true,
        ),
        (
            "starts_with",
            "Executive",
            Some("Chief Executive Officer"),
            false,
        ),
        ("ends_with", ".com", Some("ana@acme.com"), true),
        ("ends_with", "acme", Some("ana@acme.com"), false),
        ("in", "[Partner, Event, Webinar]", Some("Event"), true),
        ("in", "[Partner, Event, Webinar]", Some("Web"), false),
        ("not_in", "[Partner, Event, Webinar]", Some("Web"), true),
        (
            "not_in",
            "[Partner, Event, Webinar]",
            Some("Webinar"),
            false,
        ),
        ("is_empty", "", Some("x"), false),
        ("is_not_empty", "", Some("x"), true),
    ]);
}

// The table above covers every operator RULES.md lists.
#[test]
fn the_operator_table_is_complete() {
    assert_eq!(OPERATORS.len(), 14);
    let names: Vec<&str> = OPERATORS.iter().map(|(_, name)| *name).collect();
    assert_eq!(
        names,
        [
            "eq",
            "ne",
            "lt",
            "le",
            "gt",
            "ge",
            "contains",
            "not_contains",
            "starts_with",
            "ends_with",
            "in",
            "not_in",
            "is_empty",
            "is_not_empty"
        ]
    );
}

// "String comparisons ignore case."
#[test]
fn string_comparisons_ignore_case() {
    run(&[
        ("eq", "chicago", Some("CHICAGO"), true),
        ("ne", "chicago", Some("CHICAGO"), false),
        ("contains", "PRICING", Some("/en/Pricing"), true),
        ("not_contains", "PRICING", Some("/en/Pricing"), false),
        ("starts_with", "chief", Some("CHIEF of staff"), true),
        ("ends_with", ".COM", Some("ana@acme.com"), true),
        ("in", "[partner, EVENT]", Some("Event"), true),
        ("not_in", "[partner, EVENT]", Some("Event"), false),
        // Beyond ASCII too.
        ("eq", "ÜBER", Some("über"), true),
        ("starts_with", "Ü", Some("über"), true),
        ("contains", "STRASSE", Some("Hauptstrasse"), true),
    ]);
}

// "A field value that reads as a number compares numerically with a numeric
// value." A text value compares as text.
#[test]
fn numeric_looking_values_compare_numerically_with_numbers() {
    run(&[
        // As text "1200" < "500"; as numbers it is greater.
        ("gt", "500", Some("1200"), true),
        ("lt", "500", Some("1200"), false),
        ("eq", "500", Some("500.0"), true),
        ("ne", "500", Some("500.0"), false),
        ("eq", "500", Some(" 500 "), true),
        ("eq", "1000", Some("1e3"), true),
        ("ge", "0", Some("-3"), false),
        ("lt", "0", Some("-3"), true),
        ("gt", "1.5", Some("1.25"), false),
        ("in", "[100, 500]", Some("500.00"), true),
        ("not_in", "[100, 500]", Some("500.00"), false),
        // Text that is not a number never compares as one.
        ("gt", "500", Some("lots"), false),
        ("lt", "500", Some("lots"), false),
        ("eq", "500", Some("500 employees"), false),
        ("ne", "500", Some("500 employees"), true),
        // A text value compares as text, even against a numeric-looking field.
        ("eq", "'500'", Some("500.0"), false),
        ("eq", "'500'", Some("500"), true),
        ("in", "['500']", Some("500.0"), false),
        ("ne", "'500'", Some("500.0"), true),
    ]);
}

// Dates (`since`-style text values) compare as times with `lt`..`ge` (model.rs,
// `Scalar::Text`: "also dates, compared as times").
#[test]
fn dates_compare_as_times() {
    run(&[
        ("gt", "'2026-02-01'", Some("2026-03-01"), true),
        ("gt", "'2026-02-01'", Some("2026-01-15T23:00:00Z"), false),
        ("le", "'2026-02-01'", Some("2026-02-01T00:00:00Z"), true),
        (
            "lt",
            "'2026-02-01'",
            Some("2026-02-01T00:00:00+01:00"),
            true,
        ),
        ("lt", "'2026-02-01'", Some("not a date"), false),
    ]);
}

// "A comparison with an absent value is false, except `ne`, `not_contains`,
// `not_in` and `is_empty`, which are true."
#[test]
fn absent_values_fail_every_operator_but_the_negative_ones() {
    let values = [
        ("eq", "x"),
        ("ne", "x"),
        ("lt", "1"),
        ("le", "1"),
        ("gt", "1"),
        ("ge", "1"),
        ("contains", "x"),
        ("not_contains", "x"),
        ("starts_with", "x"),
        ("ends_with", "x"),
        ("in", "[x, y]"),
        ("not_in", "[x, y]"),
        ("is_empty", ""),
        ("is_not_empty", ""),
    ];
    assert_eq!(values.len(), OPERATORS.len());
    for (op, value) in values {
        let expected = matches!(op, "ne" | "not_contains" | "not_in" | "is_empty");
        assert_eq!(check(op, value, None), expected, "absent {op}");
    }
    // DATA.md: "An empty cell is an absent value, not an empty string."
    for (op, value) in values {
        let expected = matches!(op, "ne" | "not_contains" | "not_in" | "is_empty");
        assert_eq!(check(op, value, Some("  ")), expected, "empty {op}");
    }
}

// The same operators on typed fields: whole numbers (`employees`), numbers
// (`annual_revenue`) and times (`created_at`).
#[test]
fn typed_fields_compare_as_their_type() {
    let mut d = Data::contact_based();
    let account = d.account_mut("A1");
    account.employees = Some(1200);
    account.annual_revenue = Some(2_500_000.5);
    let on = |entity: &str, field: &str, op: &str, value: &str| {
        format!("{{ entity: {entity}, where: [ {{ field: {field}, op: {op}, value: {value} }} ] }}")
    };
    let cases = [
        (on("Account", "employees", "gt", "500"), true),
        (on("Account", "employees", "eq", "1200.0"), true),
        (on("Account", "employees", "in", "[1200, 5000]"), true),
        (on("Account", "employees", "lt", "1000"), false),
        // Text operators read the number as text.
        (on("Account", "employees", "contains", "'20'"), true),
        (on("Account", "annual_revenue", "gt", "2500000"), true),
        (on("Account", "annual_revenue", "le", "2500000"), false),
        (on("Lead", "created_at", "lt", "'2026-02-01'"), true),
        (on("Lead", "created_at", "ge", "'2026-01-01'"), true),
        (on("Lead", "created_at", "gt", "'2026-01-01'"), false),
        (
            on("Lead", "created_at", "lt", "'2025-12-31T23:59:59Z'"),
            false,
        ),
        // Absent typed fields are absent.
        (on("Lead", "closed_at", "lt", "'2030-01-01'"), false),
        (on("Lead", "closed_at", "ne", "'2030-01-01'"), true),
    ];
    for (condition, expected) in cases {
        assert_eq!(holds(&d, &condition), expected, "{condition}");
    }
}

// Interaction properties follow the same rules (numbers, case, absent values).
#[test]
fn interaction_properties_compare_like_fields() {
    let mut d = Data::contact_based();
    d.interaction_with("FormSubmitted", days_before(1), "C1", ("budget", "1200"));
    d.interaction_with("FormSubmitted", days_before(1), "C1", ("budget", "300"));
    d.interaction_with("FormSubmitted", days_before(1), "C1", ("url", "/PRICING"));
    let each =
        |filter: &str| format!("{{ entity: FormSubmitted, frequency: each, where: [ {filter} ] }}");
    let cases = [
        ("{ field: budget, op: gt, value: 500 }", 1),
        ("{ field: budget, op: le, value: 1200 }", 2),
        ("{ field: budget, op: ne, value: 300 }", 2),
        ("{ field: budget, op: is_empty }", 1),
        ("{ field: budget, op: not_in, value: [1200] }", 2),
        ("{ field: url, op: contains, value: pricing }", 1),
        ("{ field: url, op: not_contains, value: pricing }", 2),
    ];
    for (filter, expected) in cases {
        assert_eq!(score_of(&d, &each(filter), 1), expected, "{filter}");
    }
}
