//! Loading and validating rule models: one case per validation rule, every
//! problem reported in document order, YAML and JSON alike, round trips, and
//! checks against a schema.

#[path = "load/cases.rs"]
mod cases;

use leadscore_rules::{Problem, RuleModel, RulesError};

const EXAMPLE: &str = include_str!("models/rules_md_example.yaml");
const EVERY_FEATURE: &str = include_str!("models/every_feature.yaml");

/// The problems a YAML model has. Any other outcome comes back as one problem at
/// the place `unexpected`, which no expectation matches.
fn problems(yaml: &str) -> Vec<Problem> {
    match RuleModel::from_yaml(yaml) {
        Err(RulesError::Invalid { problems }) => problems,
        other => vec![Problem::new(
            "unexpected",
            format!("expected validation problems, got {other:?}"),
        )],
    }
}

/// One line per problem, `path: message`.
fn listing(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_validation_rule_reports_one_located_problem() {
    let mut failures = Vec::new();
    for case in cases::all() {
        let found = match RuleModel::from_yaml(&case.yaml) {
            Err(RulesError::Invalid { problems }) => problems,
            other => {
                failures.push(format!("{}: expected problems, got {other:?}", case.name));
                continue;
            }
        };
        let ok = found.len() == 1
            && found[0].path == case.path
            && found[0].message.contains(case.fragment);
        if !ok {
            failures.push(format!(
                "{}: expected one problem at `{}` containing {:?}, got:\n{}",
                case.name,
                case.path,
                case.fragment,
                listing(&found)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn syntax_errors_name_the_line_and_column() {
    let cases: [(&str, bool, &str); 7] = [
        (
            "name: a\n---\nname: b\n",
            true,
            "more than one YAML document",
        ),
        ("name: x\nrules: [a, b\n", true, "line 3 column 1"),
        ("name: a\nname: b\n", true, "`name` appears twice"),
        ("name: !Thing x\n", true, "YAML tags"),
        ("points: .inf\n", true, "not a finite number"),
        ("{\"name\": }", false, "line 1 column 10"),
        (
            "{\"name\": \"a\", \"name\": \"b\"}",
            false,
            "`name` appears twice",
        ),
    ];
    let mut failures = Vec::new();
    for (text, yaml, fragment) in cases {
        let result = if yaml {
            RuleModel::from_yaml(text)
        } else {
            RuleModel::from_json(text)
        };
        let expected = if yaml { "YAML" } else { "JSON" };
        match result {
            Err(RulesError::Syntax { format, message })
                if format == expected
                    && message.contains(fragment)
                    && (message.contains("line") || fragment.contains("document")) => {}
            other => failures.push(format!(
                "{text:?}: expected a {expected} syntax error with {fragment:?}, got {other:?}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_empty_document_is_not_a_model() {
    let found = problems("");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "");
    assert!(found[0].message.contains("must be a mapping"));
}

#[test]
fn every_problem_in_a_document_is_reported_in_document_order() {
    let yaml = "\
name: ''
target: leads
colour: red
grades:
  - { name: Cold, min: 0, max: 49 }
  - { name: Warm, min: 40, max: 99 }
rules:
  - name: First
    when:
      - entity: Lead.ParentContct
        frequency: each
      - entity: EmailClicked
        within: 30 days
        where:
          - { field: city, op: equals, value: Chicago }
          - { field: Contact.city, op: in, value: Chicago }
    points: five
  - name: First
    any: []
    points: 1
  - points: 2
    cap: -3
    when: [ { entity: Lead, where: [ { field: source, op: is_empty, value: x } ] } ]
";
    let found = problems(yaml);
    let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "name",
            "target",
            "colour",
            "grades[1].min",
            "rules[0].when[0].entity",
            "rules[0].when[1].within",
            "rules[0].when[1].where[0].op",
            "rules[0].when[1].where[1].value",
            "rules[0].points",
            "rules[1].name",
            "rules[1].any",
            "rules[2]",
            "rules[2].cap",
            "rules[2].when[0].where[0].value",
        ],
        "\n{}",
        listing(&found)
    );
}

#[test]
fn problems_come_in_document_order_whatever_the_key_order() {
    // `frequency` is checked against `entity`, which comes after it here.
    let yaml = "\
rules:
  - points: 1
    name: R
    when:
      - frequency: each
        entity: Lead
name: M
target: contact
";
    let found = problems(yaml);
    assert_eq!(found.len(), 1, "{}", listing(&found));
    assert_eq!(found[0].path, "rules[0].when[0].frequency");
    let yaml = "name: M\nrules: [ { points: 1, when: [ { entity: Lead } ] } ]\ncolour: red\n";
    let paths: Vec<String> = problems(yaml).into_iter().map(|p| p.path).collect();
    assert_eq!(paths, ["", "rules[0]", "colour"]);
}

#[test]
fn the_example_in_rules_md_loads() -> Result<(), RulesError> {
    let model = RuleModel::from_yaml(EXAMPLE)?;
    assert_eq!(model.name, "Webinar engagement");
    assert_eq!(model.rules.len(), 3);
    assert_eq!(model.grades.len(), 3);
    assert_eq!(model.sales_ready, Some(100));
    assert_eq!(model.rules[0].cap, Some(25));
    Ok(())
}

/// The fixture is a copy of the example in the repository's RULES.md (the
/// contract, `docs/RULES.md`): they must agree, and a missing spec fails.
#[test]
fn the_example_fixture_matches_the_spec() -> Result<(), Box<dyn std::error::Error>> {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/RULES.md");
    let text = std::fs::read_to_string(spec).map_err(|e| format!("reading {spec}: {e}"))?;
    let start = text
        .find("```yaml\n")
        .ok_or("docs/RULES.md has no yaml block")?;
    let block = &text[start + 8..];
    let end = block
        .find("```")
        .ok_or("docs/RULES.md's yaml block is not closed")?;
    assert_eq!(&block[..end], EXAMPLE);
    Ok(())
}

#[test]
fn yaml_and_json_give_equal_models() -> Result<(), Box<dyn std::error::Error>> {
    for text in [EXAMPLE, EVERY_FEATURE] {
        let from_yaml = RuleModel::from_yaml(text)?;
        let value: serde_json::Value = serde_yaml_ng::from_str(text)?;
        let json = serde_json::to_string(&value)?;
        assert_eq!(RuleModel::from_json(&json)?, from_yaml);
        assert_eq!(RuleModel::from_value(value.clone())?, from_yaml);
        assert_eq!(RuleModel::try_from(value)?, from_yaml);
        // serde goes through the same checks.
        assert_eq!(serde_json::from_str::<RuleModel>(&json)?, from_yaml);
    }
    let bad = serde_json::from_str::<RuleModel>(r#"{"name": "M", "target": "contact"}"#);
    let message = bad.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("missing required key `rules`"),
        "{message}"
    );
    Ok(())
}

#[test]
fn models_round_trip_through_yaml_and_json() -> Result<(), Box<dyn std::error::Error>> {
    for text in [EXAMPLE, EVERY_FEATURE] {
        let model = RuleModel::from_yaml(text)?;
        let yaml = model.to_yaml()?;
        assert_eq!(RuleModel::from_yaml(&yaml)?, model, "{yaml}");
        let json = model.to_json()?;
        assert_eq!(RuleModel::from_json(&json)?, model, "{json}");
        assert_eq!(RuleModel::from_yaml(&json)?, model, "JSON is YAML too");
    }
    Ok(())
}

#[test]
fn anchors_aliases_and_merge_keys_work() -> Result<(), RulesError> {
    let yaml = "\
name: Shared parts
target: contact
rules:
  - name: Clicked
    when:
      - &recent { entity: EmailClicked, within: 30d }
    points: 1
  - name: Clicked from Chicago
    when:
      - <<: *recent
        where: [ { field: Contact.city, op: eq, value: Chicago } ]
    points: 2
  - name: Clicked twice
    when:
      - <<: *recent
        within: 60d
        count: 2
    points: 3
";
    let model = RuleModel::from_yaml(yaml)?;
    let second = &model.rules[1].conditions.list()[0];
    assert_eq!(second.entity.to_string(), "EmailClicked");
    assert_eq!(second.within.map(|s| s.to_string()).as_deref(), Some("30d"));
    assert_eq!(second.filters.len(), 1);
    let third = &model.rules[2].conditions.list()[0];
    assert_eq!(third.within.map(|s| s.to_string()).as_deref(), Some("60d"));
    assert_eq!(third.count, Some(2));
    Ok(())
}

#[test]
fn whole_numbers_written_with_a_fraction_are_integers() -> Result<(), RulesError> {
    let model = RuleModel::from_json(
        r#"{"name": "M", "target": "contact", "floor": 0.0,
            "rules": [{"name": "R", "points": 5.0, "when": [{"entity": "Lead"}]}]}"#,
    )?;
    assert_eq!(model.rules[0].points, 5);
    assert_eq!(model.floor, Some(0));
    Ok(())
}

#[test]
fn the_error_lists_every_problem_when_displayed() {
    let err = RuleModel::from_yaml("name: M\ntarget: x\nrules: []\n");
    let text = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        text,
        "2 problems in the model: target: unknown target \"x\": expected contact or account; \
         rules: a model needs at least one rule"
    );
}

mod snapshots {
    use super::{listing, problems};

    #[test]
    fn a_model_with_many_mistakes() {
        insta::assert_snapshot!(listing(&problems(include_str!(
            "models/bad_many_mistakes.yaml"
        ))));
    }

    #[test]
    fn a_model_with_bad_grades_and_paths() {
        insta::assert_snapshot!(listing(&problems(include_str!(
            "models/bad_grades_and_paths.yaml"
        ))));
    }

    #[test]
    fn a_model_with_bad_values() {
        insta::assert_snapshot!(listing(&problems(include_str!("models/bad_values.yaml"))));
    }
}

mod schema {
    use leadscore_domain::{
        CustomRecord, Dataset, EntityName, Interaction, InteractionId, InteractionKind, Lead,
        LeadId, RecordId, RecordType, Timestamp,
    };
    use leadscore_rules::{RuleModel, RulesError, Schema};

    use super::{EXAMPLE, listing};

    const USES_CUSTOM: &str = "\
name: Custom data
target: contact
rules:
  - name: Big budget
    when: [ { entity: Lead, where: [ { field: budget, op: gt, value: 1000 } ] } ]
    points: 5
  - name: Pricing email
    when:
      - entity: EmailClicked
        where:
          - { field: email_name, op: contains, value: pricing }
          - { field: Contact.citty, op: eq, value: Chicago }
    points: 2
  - name: Meetings
    when:
      - entity: Lead.Meeting
        where: [ { field: outcome, op: eq, value: held }, { field: Lead.source, op: eq, value: Web } ]
    points: 4
";

    fn dataset() -> Result<Dataset, Box<dyn std::error::Error>> {
        let t = Timestamp::parse("2026-01-01")?;
        let mut lead = Lead::new(LeadId::parse("L1")?, t);
        lead.custom.set("budget", "5000");
        let mut click = Interaction::new(
            InteractionId::parse("I1")?,
            InteractionKind::EmailClicked,
            t,
        );
        click.properties.set("email_name", "Pricing 2026");
        let mut meeting = CustomRecord {
            record_id: RecordId::parse("M1")?,
            lead_id: LeadId::parse("L1")?,
            fields: Default::default(),
        };
        meeting.fields.set("outcome", "held");
        let mut ds = Dataset::default();
        ds.leads.push(lead);
        ds.interactions.push(click);
        ds.custom
            .insert(EntityName::parse("Meeting")?, vec![meeting]);
        Ok(ds)
    }

    fn problems_against(model: &RuleModel, schema: &Schema) -> String {
        match model.validate_against(schema) {
            Ok(()) => String::new(),
            Err(RulesError::Invalid { problems }) => listing(&problems),
            Err(other) => other.to_string(),
        }
    }

    #[test]
    fn the_example_needs_only_standard_fields() -> Result<(), RulesError> {
        RuleModel::from_yaml(EXAMPLE)?.validate_against(&Schema::standard())
    }

    #[test]
    fn against_the_standard_schema_custom_names_are_problems()
    -> Result<(), Box<dyn std::error::Error>> {
        let model = RuleModel::from_yaml(USES_CUSTOM)?;
        insta::assert_snapshot!(problems_against(&model, &Schema::standard()));
        Ok(())
    }

    #[test]
    fn a_dataset_supplies_its_custom_fields_and_entities() -> Result<(), Box<dyn std::error::Error>>
    {
        let model = RuleModel::from_yaml(USES_CUSTOM)?;
        let schema = Schema::from_dataset(&dataset()?);
        assert!(schema.has_field(&RecordType::Lead, "budget"));
        assert!(schema.has_field(&RecordType::Interaction, "email_name"));
        let meeting = RecordType::Custom(EntityName::parse("Meeting")?);
        assert_eq!(
            schema.fields(&meeting),
            Some(vec!["record_id", "lead_id", "outcome"])
        );
        let found = problems_against(&model, &schema);
        assert_eq!(
            found,
            "rules[1].when[0].where[1].field: `Contact.citty`: a contact has no field `citty` \
             (did you mean `city`?); its fields are contact_id, account_id, first_name, \
             last_name, email, job_title, city, country, visitor_id"
        );
        Ok(())
    }

    #[test]
    fn builder_methods_add_fields_and_entities() -> Result<(), Box<dyn std::error::Error>> {
        let meeting = EntityName::parse("Meeting")?;
        let schema = Schema::standard()
            .with_field(RecordType::Lead, "budget")
            .with_field(RecordType::Interaction, "email_name")
            .with_field(RecordType::Contact, "citty")
            .with_field(RecordType::Custom(meeting.clone()), "outcome")
            .with_entity(EntityName::parse("Call")?);
        assert!(schema.has_entity(&meeting));
        assert_eq!(
            schema
                .entities()
                .map(EntityName::as_str)
                .collect::<Vec<_>>(),
            ["Call", "Meeting"]
        );
        assert!(!schema.has_field(&RecordType::Custom(EntityName::parse("Deal")?), "lead_id"));
        RuleModel::from_yaml(USES_CUSTOM)?.validate_against(&schema)?;
        Ok(())
    }
}
