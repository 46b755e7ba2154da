//! RULES.md, "Text view": "Every model renders to a compact, query-like text,
//! one line per rule". Snapshots of the example models in `models/rules/` and of
//! a model using every feature, and the two lines RULES.md shows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::model;
use leadscore_rules::{Conditions, Frequency, Operand, RuleModel, Scalar};

fn example(name: &str) -> RuleModel {
    let path = format!(
        "{}/../../models/rules/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    model(&std::fs::read_to_string(&path).unwrap())
}

/// A model using every feature: `any`, `none`, `at_least` with `count`, `within`
/// in each unit, `since`, `half_life`, `cap`, negative points, every operator,
/// lists, `is_empty`, traversals, field paths, custom entities and kinds, and
/// names and values that need quoting.
const EVERY_FEATURE: &str = r#"
name: Every "feature"
target: account
sales_ready: 80
floor: -20
grades:
  - { name: Cold, max: 19 }
  - { name: Warm, min: 20, max: 79 }
  - { name: Hot, min: 80 }
rules:
  - name: Clicked an email this year
    when:
      - entity: EmailClicked
        frequency: each
        within: 365d
        where:
          - { field: Contact.city, op: eq, value: Chicago }
    points: 5
    cap: 25
  - name: Big company
    when:
      - entity: Lead.ParentAccount
        where:
          - { field: employees, op: gt, value: 500 }
    points: 20
  - name: Recent events, decaying
    when:
      - { entity: EventAttended, frequency: each, within: 52w, half_life: 90d }
      - { entity: Contact.ParentAccount, where: [ { field: annual_revenue, op: ge, value: 1.5e6 } ] }
    points: 8
    cap: 24
  - name: Came from a webinar or an event
    any:
      - { entity: EventAttended, frequency: at_least }
      - { entity: Lead, where: [ { field: source, op: in, value: [Webinar, Event, "O'Brien's list"] } ] }
      - { entity: Lead.Meeting, frequency: at_least, count: 2, where: [ { field: outcome, op: not_in, value: [No-show, Cancelled] } ] }
    points: 10
  - name: Gone quiet
    when:
      - { entity: EmailOpened, frequency: none, within: 72h }
      - { entity: WebsiteVisited, frequency: none, since: 2026-01-01 }
    points: -10
  - name: Pricing twice since launch
    when:
      - entity: PricingPageViewed
        frequency: at_least
        count: 2
        since: 2026-03-15T12:30:00Z
        where:
          - { field: url, op: starts_with, value: /pricing }
          - { field: url, op: ends_with, value: enterprise }
          - { field: url, op: contains, value: plan }
          - { field: url, op: not_contains, value: test }
    points: 15
  - name: Every comparison
    when:
      - entity: Lead.ParentContact.ParentAccount
        where:
          - { field: name, op: ne, value: Acme }
          - { field: employees, op: lt, value: 10000 }
          - { field: employees, op: le, value: 9999 }
          - { field: annual_revenue, op: gt, value: 0.5 }
          - { field: country, op: is_not_empty }
          - { field: city, op: is_empty }
          - { field: is_partner, op: eq, value: true }
      - entity: FormSubmitted.Lead
        where:
          - { field: created_at, op: ge, value: 2026-01-01 }
          - { field: ParentContact.job_title, op: contains, value: "VP" }
    points: -3
"#;

#[test]
fn the_engagement_model() {
    insta::assert_snapshot!("engagement", example("engagement").to_text());
}

#[test]
fn the_fit_model() {
    insta::assert_snapshot!("fit", example("fit").to_text());
}

#[test]
fn the_account_intent_model() {
    insta::assert_snapshot!("account_intent", example("account-intent").to_text());
}

#[test]
fn a_model_using_every_feature() {
    insta::assert_snapshot!("every_feature", model(EVERY_FEATURE).to_text());
}

// "Every model renders to a compact, query-like text, one line per rule, for
// example: RULE "Clicked an email this year" +5 EACH (CAP 25): EmailClicked
// WITHIN 365d WHERE Contact.city = 'Chicago' / RULE "Big company" +20:
// Lead.ParentAccount WHERE employees > 500"
#[test]
fn the_rules_md_lines_render_exactly() {
    let text = model(EVERY_FEATURE).to_text();
    let rules: Vec<&str> = text.lines().filter(|l| l.starts_with("RULE ")).collect();
    assert_eq!(
        rules[0],
        r#"RULE "Clicked an email this year" +5 EACH (CAP 25): EmailClicked WITHIN 365d WHERE Contact.city = 'Chicago'"#
    );
    assert_eq!(
        rules[1],
        r#"RULE "Big company" +20: Lead.ParentAccount WHERE employees > 500"#
    );
}

// "one line per rule": exactly one `RULE` line per rule, in order, for every
// model here.
#[test]
fn one_line_per_rule() {
    for m in [
        example("engagement"),
        example("fit"),
        example("account-intent"),
        model(EVERY_FEATURE),
    ] {
        let text = m.to_text();
        let names: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("RULE "))
            .map(|l| l.split('"').nth(1).unwrap().to_owned())
            .collect();
        let expected: Vec<String> = m
            .rules
            .iter()
            .map(|r| r.name.split('"').next().unwrap().to_owned())
            .collect();
        assert_eq!(names, expected, "{}", m.name);
    }
}

/// The shipped models in `models/rules/`, every `.yaml` there, by file name.
fn shipped() -> Vec<(String, RuleModel)> {
    let dir = format!("{}/../../models/rules", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no models in {dir}");
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, model(&std::fs::read_to_string(&path).unwrap()))
        })
        .collect()
}

/// A model's text view read back: it reads, and renders the same text again.
fn reads_back(name: &str, m: &RuleModel) -> RuleModel {
    let text = m.to_text();
    let again = RuleModel::from_text(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
    assert_eq!(again.to_text(), text, "{name}");
    again
}

/// The model as the text view writes it, which leaves out what means nothing
/// more: `at_least` with a count of 1 (or none) is written as no frequency
/// (RULES.md: "default `at_least`"), and a number with no fraction as a whole
/// number (`1.5e6` as `1500000`; numbers compare as numbers).
fn as_written(mut m: RuleModel) -> RuleModel {
    for rule in &mut m.rules {
        let (Conditions::When(list) | Conditions::Any(list)) = &mut rule.conditions;
        for c in list {
            if matches!(c.frequency, None | Some(Frequency::AtLeast)) && c.count.unwrap_or(1) <= 1 {
                c.frequency = None;
                c.count = None;
            }
            for p in &mut c.filters {
                let scalars = match &mut p.value {
                    Operand::Nothing => &mut [][..],
                    Operand::Scalar(s) => std::slice::from_mut(s),
                    Operand::List(list) => &mut list[..],
                };
                for s in scalars {
                    if let Scalar::Number(n) = *s
                        && n.fract() == 0.0
                        && n.abs() < 9e15
                    {
                        *s = Scalar::Integer(n as i64);
                    }
                }
            }
        }
    }
    m
}

// RULES.md, "Text view": the text reads back into the model it renders. For
// every shipped model: the same text again, and the same model but for the
// defaults the compact text leaves out (`account-intent.yaml` and
// `engagement.yaml` write `frequency: at_least` with no count).
#[test]
fn every_shipped_model_reads_back_from_its_text() {
    for (name, m) in shipped() {
        assert_eq!(reads_back(&name, &m), as_written(m), "{name}");
    }
}

// A model using every feature reads back too.
#[test]
fn every_feature_reads_back_from_its_text() {
    let m = model(EVERY_FEATURE);
    assert_eq!(reads_back("every feature", &m), as_written(m));
}
