//! One small model per validation rule, with the one problem it must produce.

/// A model with exactly one mistake.
pub struct Case {
    /// What the case checks.
    pub name: &'static str,
    /// The model.
    pub yaml: String,
    /// Where the problem must be reported.
    pub path: &'static str,
    /// A fragment of its message.
    pub fragment: &'static str,
}

const HEAD: &str = "name: M\ntarget: contact\n";
const ONE_RULE: &str = "rules:\n  - { name: R, points: 1, when: [ { entity: Lead } ] }\n";

/// A model: `HEAD`, then the given top-level lines.
fn doc(rest: &str) -> String {
    format!("{HEAD}{rest}")
}

/// A model with one rule: `- name: R` followed by the given lines (indented by 4).
fn rule(lines: &str) -> String {
    format!("{HEAD}rules:\n  - name: R\n{lines}")
}

/// A model with one rule holding one condition, written in flow style.
fn condition(flow: &str) -> String {
    rule(&format!("    points: 5\n    when: [ {flow} ]\n"))
}

/// A condition on `entity` with one filter, written in flow style.
fn filter(entity: &str, flow: &str) -> String {
    condition(&format!("{{ entity: {entity}, where: [ {flow} ] }}"))
}

/// A model with the given grades (flow-style mappings, one a line).
fn grades(list: &[&str]) -> String {
    let mut text = String::from("grades:\n");
    for g in list {
        text.push_str(&format!("  - {g}\n"));
    }
    doc(&format!("{text}{ONE_RULE}"))
}

fn case(name: &'static str, yaml: String, path: &'static str, fragment: &'static str) -> Case {
    Case {
        name,
        yaml,
        path,
        fragment,
    }
}

/// Every case.
pub fn all() -> Vec<Case> {
    let mut all = model_cases();
    all.extend(rule_cases());
    all.extend(condition_cases());
    all.extend(filter_cases());
    all.extend(grade_cases());
    all
}

#[rustfmt::skip] // one case a line reads as a table
fn model_cases() -> Vec<Case> {
    vec![
        case("model is a list", "- a\n- b\n".into(), "", "the model must be a mapping"),
        case("unknown top key", doc(&format!("colour: red\n{ONE_RULE}")), "colour", "unknown key `colour`; the model has the keys name, target"),
        case("misspelt top key", doc(&format!("sales_redy: 9\n{ONE_RULE}")), "sales_redy", "did you mean `sales_ready`?"),
        case("missing name", format!("target: contact\n{ONE_RULE}"), "", "missing required key `name`"),
        case("missing target", format!("name: M\n{ONE_RULE}"), "", "missing required key `target`"),
        case("missing rules", HEAD.into(), "", "missing required key `rules`"),
        case("empty model name", format!("name: ' '\ntarget: contact\n{ONE_RULE}"), "name", "the model's name must not be empty"),
        case("model name too long", format!("name: {}\ntarget: contact\n{ONE_RULE}", "m".repeat(10_000)), "name", "the model's name is 10000 bytes long; at most 256"),
        case("model name with a NUL", format!("name: \"M\\0\"\ntarget: contact\n{ONE_RULE}"), "name", "the model's name holds the control character '\\0'"),
        case("rule name with a line break", doc("rules: [ { name: \"a\\nb\", points: 1, when: [ { entity: Lead } ] } ]\n"), "rules[0].name", "a rule's name holds the control character '\\n'"),
        case("model name not a text", format!("name: [a]\ntarget: contact\n{ONE_RULE}"), "name", "expected a text, found a list"),
        case("unknown target", format!("name: M\ntarget: contacts\n{ONE_RULE}"), "target", "did you mean `contact`?): expected contact or account"),
        case("sales_ready not an integer", doc(&format!("sales_ready: high\n{ONE_RULE}")), "sales_ready", "expected an integer, found the text \"high\""),
        case("floor with a fraction", doc(&format!("floor: 2.5\n{ONE_RULE}")), "floor", "expected an integer, found the number 2.5"),
        case("rules not a list", doc("rules: { name: R }\n"), "rules", "expected a list of rules, found a mapping"),
        case("no rules", doc("rules: []\n"), "rules", "a model needs at least one rule"),
    ]
}

#[rustfmt::skip] // one case a line reads as a table
fn rule_cases() -> Vec<Case> {
    let when = "    when: [ { entity: Lead } ]\n";
    vec![
        case("rule is a text", doc("rules: [ hello ]\n"), "rules[0]", "a rule must be a mapping"),
        case("unknown rule key", rule(&format!("    points: 1\n    weight: 2\n{when}")), "rules[0].weight", "unknown key `weight`; a rule has the keys name, when, any, points, cap"),
        case("misspelt rule key", rule(&format!("    points: 1\n    caps: 2\n{when}")), "rules[0].caps", "did you mean `cap`?"),
        case("rule without name", doc("rules: [ { points: 1, when: [ { entity: Lead } ] } ]\n"), "rules[0]", "missing required key `name`"),
        case("rule without points", rule(when), "rules[0]", "missing required key `points`"),
        case("rule without conditions", rule("    points: 1\n"), "rules[0]", "missing `when` or `any`"),
        case("points in quotes", rule(&format!("    points: '5'\n{when}")), "rules[0].points", "write 5 without quotes"),
        case("points with a fraction", rule(&format!("    points: 2.5\n{when}")), "rules[0].points", "expected an integer, found the number 2.5"),
        case("negative cap", rule(&format!("    points: 1\n    cap: -5\n{when}")), "rules[0].cap", "cap -5 is negative"),
        case("cap not a number", rule(&format!("    points: 1\n    cap: lots\n{when}")), "rules[0].cap", "expected an integer"),
        case("empty rule name", doc("rules: [ { name: '', points: 1, when: [ { entity: Lead } ] } ]\n"), "rules[0].name", "a rule's name must not be empty"),
        case("repeated rule name", doc("rules:\n  - { name: R, points: 1, when: [ { entity: Lead } ] }\n  - { name: R, points: 2, when: [ { entity: Lead } ] }\n"), "rules[1].name", "rule name \"R\" is already used by rules[0]"),
        case("when and any", rule(&format!("    points: 1\n{when}    any: [ {{ entity: Lead }} ]\n")), "rules[0].any", "either `when` (all hold) or `any` (one holds), not both"),
        case("empty when", rule("    points: 1\n    when: []\n"), "rules[0].when", "`when` needs at least one condition"),
        case("empty any", rule("    points: 1\n    any: []\n"), "rules[0].any", "`any` needs at least one condition"),
        case("when not a list", rule("    points: 1\n    when: { entity: Lead }\n"), "rules[0].when", "expected a list of conditions, found a mapping"),
        case("two each conditions", condition("{ entity: EmailClicked, frequency: each }, { entity: FormSubmitted, frequency: each }"), "rules[0].when[1].frequency", "at most one `each` condition, and rules[0].when[0] is already one"),
        case("each under any", rule("    points: 1\n    any: [ { entity: Lead }, { entity: EmailClicked, frequency: each } ]\n"), "rules[0].any[1].frequency", "an `any` rule cannot hold an `each` condition"),
    ]
}

#[rustfmt::skip] // one case a line reads as a table
fn condition_cases() -> Vec<Case> {
    vec![
        case("condition is a text", condition("Lead"), "rules[0].when[0]", "a condition must be a mapping"),
        case("misspelt condition key", condition("{ entity: Lead, wehre: [] }"), "rules[0].when[0].wehre", "unknown key `wehre` (did you mean `where`?)"),
        case("condition without entity", condition("{ frequency: each }"), "rules[0].when[0]", "missing required key `entity`"),
        case("entity not a text", condition("{ entity: 5 }"), "rules[0].when[0].entity", "expected a text, found the number 5"),
        case("standard kind in wrong case", condition("{ entity: emailclicked }"), "rules[0].when[0].entity", "wrong letter case: write EmailClicked"),
        case("root in wrong case", condition("{ entity: lead }"), "rules[0].when[0].entity", "write Lead"),
        case("misspelt root", condition("{ entity: Contacts }"), "rules[0].when[0].entity", "did you mean Contact?"),
        case("not PascalCase", condition("{ entity: webinar_attended }"), "rules[0].when[0].entity", "not PascalCase"),
        case("misspelt hop", condition("{ entity: Lead.ParentContct }"), "rules[0].when[0].entity", "did you mean ParentContact?"),
        case("hop in wrong case", condition("{ entity: Lead.Parentcontact }"), "rules[0].when[0].entity", "did you mean ParentContact?"),
        case("no hop from an account", condition("{ entity: Account.ParentContact }"), "rules[0].when[0].entity", "`Account` has no hop `ParentContact` (in `Account.ParentContact`); from an account no hop is possible"),
        case("hop not from a lead", condition("{ entity: Lead.Lead }"), "rules[0].when[0].entity", "from Lead: ParentContact, ParentAccount or a custom entity"),
        case("custom entity after a hop", condition("{ entity: FormSubmitted.Lead.Meeting }"), "rules[0].when[0].entity", "a custom entity comes only right after the root Lead"),
        case("interaction kind as a hop", condition("{ entity: Lead.EmailClicked }"), "rules[0].when[0].entity", "is an interaction kind, not a custom entity"),
        case("too many hops", condition("{ entity: Lead.ParentContact.ParentAccount.Lead.ParentContact.ParentAccount.Lead }"), "rules[0].when[0].entity", "takes 6 hops; at most 5 are allowed"),
        case("empty step", condition("{ entity: Lead..ParentAccount }"), "rules[0].when[0].entity", "empty step"),
        case("unknown frequency", condition("{ entity: EmailClicked, frequency: sometimes }"), "rules[0].when[0].frequency", "unknown frequency \"sometimes\": expected each, at_least or none"),
        case("misspelt frequency", condition("{ entity: EmailClicked, frequency: atleast }"), "rules[0].when[0].frequency", "did you mean `at_least`?"),
        case("frequency on a fixed condition", condition("{ entity: Lead.ParentAccount, frequency: each }"), "rules[0].when[0].frequency", "frequency applies only to behaviour conditions"),
        case("count with each", condition("{ entity: EmailClicked, frequency: each, count: 2 }"), "rules[0].when[0].count", "count goes only with frequency at_least, not each"),
        case("count with none", condition("{ entity: EmailClicked, frequency: none, count: 2 }"), "rules[0].when[0].count", "not none"),
        case("count zero", condition("{ entity: EmailClicked, count: 0 }"), "rules[0].when[0].count", "must be between 1 and"),
        case("count with a fraction", condition("{ entity: EmailClicked, count: 1.5 }"), "rules[0].when[0].count", "expected an integer"),
        case("count on a fixed condition", condition("{ entity: Lead, count: 2 }"), "rules[0].when[0].count", "count applies only to behaviour conditions"),
        case("within not a span", condition("{ entity: EmailClicked, within: 30 days }"), "rules[0].when[0].within", "is not a time span"),
        case("within without a unit", condition("{ entity: EmailClicked, within: 30 }"), "rules[0].when[0].within", "30 has no unit"),
        case("within zero", condition("{ entity: EmailClicked, within: 0d }"), "rules[0].when[0].within", "positive whole number"),
        case("within on a fixed condition", condition("{ entity: Lead, within: 30d }"), "rules[0].when[0].within", "within applies only to conditions over interactions"),
        case("within on custom records", condition("{ entity: Lead.Meeting, within: 30d }"), "rules[0].when[0].within", "custom records, which carry no time"),
        case("since not a date", condition("{ entity: EmailClicked, since: last year }"), "rules[0].when[0].since", "cannot read \"last year\" as a timestamp"),
        case("since on a fixed condition", condition("{ entity: Contact, since: 2026-01-01 }"), "rules[0].when[0].since", "since applies only to conditions over interactions"),
        case("within and since", condition("{ entity: EmailClicked, within: 30d, since: 2026-01-01 }"), "rules[0].when[0].since", "`within` (a window before the evaluation time) or `since` (a start date), not both"),
        case("half_life without each", condition("{ entity: EmailClicked, half_life: 30d }"), "rules[0].when[0].half_life", "half_life goes only with frequency: each (the default is at_least)"),
        case("half_life with at_least", condition("{ entity: EmailClicked, frequency: at_least, half_life: 30d }"), "rules[0].when[0].half_life", "not at_least"),
        case("half_life on custom records", condition("{ entity: Lead.Meeting, frequency: each, half_life: 30d }"), "rules[0].when[0].half_life", "half_life applies only to conditions over interactions"),
        case("where not a list", condition("{ entity: Lead, where: { field: source } }"), "rules[0].when[0].where", "expected a list of filters"),
    ]
}

#[rustfmt::skip] // one case a line reads as a table
fn filter_cases() -> Vec<Case> {
    vec![
        case("filter is a text", filter("Lead", "source"), "rules[0].when[0].where[0]", "a filter must be a mapping"),
        case("misspelt filter key", filter("Lead", "{ field: source, op: is_empty, vlaue: x }"), "rules[0].when[0].where[0].vlaue", "did you mean `value`?"),
        case("filter without field", filter("Lead", "{ op: eq, value: x }"), "rules[0].when[0].where[0]", "missing required key `field`"),
        case("filter without op", filter("Lead", "{ field: source, value: x }"), "rules[0].when[0].where[0]", "missing required key `op`"),
        case("unknown operator", filter("Lead", "{ field: source, op: equals, value: x }"), "rules[0].when[0].where[0].op", "unknown operator \"equals\" (did you mean `eq`?); the operators are eq, ne, lt, le, gt, ge, contains"),
        case("symbolic operator", filter("Lead", "{ field: employees, op: '>=', value: 5 }"), "rules[0].when[0].where[0].op", "did you mean `ge`?"),
        case("misspelt operator", filter("Lead", "{ field: source, op: not_contain, value: x }"), "rules[0].when[0].where[0].op", "did you mean `not_contains`?"),
        case("field not a name", filter("Lead", "{ field: first name, op: eq, value: x }"), "rules[0].when[0].where[0].field", "is not a field name"),
        case("field is a hop", filter("Lead", "{ field: ParentAccount, op: is_empty }"), "rules[0].when[0].where[0].field", "is a hop, not a field"),
        case("unknown field hop", filter("Lead", "{ field: Acount.industry, op: is_empty }"), "rules[0].when[0].where[0].field", "unknown hop `Acount`"),
        case("field hop not from this entity", filter("Lead", "{ field: Contact.city, op: eq, value: x }"), "rules[0].when[0].where[0].field", "`Lead` has no hop `Contact` (in `Contact.city`): did you mean ParentContact?"),
        case("field hop from an account", filter("Lead.ParentAccount", "{ field: ParentAccount.city, op: eq, value: x }"), "rules[0].when[0].where[0].field", "from an account no hop is possible"),
        case("scalar operator with a list", filter("Lead", "{ field: source, op: eq, value: [a, b] }"), "rules[0].when[0].where[0].value", "eq compares with one value, found a list; to compare with several use in or not_in"),
        case("scalar operator with null", filter("Lead", "{ field: source, op: ne, value: null }"), "rules[0].when[0].where[0].value", "to test for an absent value use the operator is_empty"),
        case("scalar operator with a mapping", filter("Lead", "{ field: source, op: contains, value: { a: b } }"), "rules[0].when[0].where[0].value", "the value is a mapping"),
        case("ordered operator with a word", filter("Lead", "{ field: created_at, op: gt, value: yesterday }"), "rules[0].when[0].where[0].value", "gt compares numbers or dates; \"yesterday\" is neither"),
        case("ordered operator with a quoted number", filter("Lead.ParentAccount", "{ field: employees, op: ge, value: '500' }"), "rules[0].when[0].where[0].value", "write the number 500 without quotes"),
        case("ordered operator with a boolean", filter("Lead", "{ field: created_at, op: lt, value: true }"), "rules[0].when[0].where[0].value", "lt compares numbers or dates, not the boolean true"),
        case("list operator with a scalar", filter("Lead", "{ field: source, op: in, value: Web }"), "rules[0].when[0].where[0].value", "in takes a list, such as [Web, Referral]; found the text \"Web\""),
        case("list operator with an empty list", filter("Lead", "{ field: source, op: not_in, value: [] }"), "rules[0].when[0].where[0].value", "not_in needs at least one value in its list"),
        case("list operator with a nested list", filter("Lead", "{ field: source, op: in, value: [Web, [a]] }"), "rules[0].when[0].where[0].value[1]", "a list inside the list"),
        case("list operator with a null", filter("Lead", "{ field: source, op: in, value: [Web, null] }"), "rules[0].when[0].where[0].value[1]", "the value is empty (null)"),
        case("no-value operator with a value", filter("Lead", "{ field: source, op: is_empty, value: x }"), "rules[0].when[0].where[0].value", "is_empty takes no value: remove `value`"),
        case("no-value operator with null", filter("Lead", "{ field: source, op: is_not_empty, value: null }"), "rules[0].when[0].where[0].value", "is_not_empty takes no value"),
        case("operator without its value", filter("Lead", "{ field: source, op: eq }"), "rules[0].when[0].where[0]", "missing required key `value`: eq compares with a text, number or boolean"),
        case("unknown operator", filter("Lead", "{ field: source, op: matches, value: x }"), "rules[0].when[0].where[0].op", "unknown operator \"matches\"; the operators are"),
    ]
}

#[rustfmt::skip] // one case a line reads as a table
fn grade_cases() -> Vec<Case> {
    vec![
        case("grades not a list", doc(&format!("grades: {{ name: A }}\n{ONE_RULE}")), "grades", "expected a list of grades"),
        case("grade is a text", grades(&["A"]), "grades[0]", "a grade must be a mapping with the keys name, min, max"),
        case("unknown grade key", grades(&["{ name: A, min: 0, low: 1 }"]), "grades[0].low", "unknown key `low`; a grade has the keys name, min, max"),
        case("grade without name", grades(&["{ min: 0 }"]), "grades[0]", "missing required key `name`"),
        case("grade bound not an integer", grades(&["{ name: A, min: 0.5 }"]), "grades[0].min", "expected an integer"),
        case("repeated grade name", grades(&["{ name: A, max: 9 }", "{ name: A, min: 10 }"]), "grades[1].name", "grade name \"A\" is already used by grades[0]"),
        case("min above max", grades(&["{ name: A, min: 10, max: 5 }"]), "grades[0].min", "min 10 is above max 5"),
        case("a middle grade without min", grades(&["{ name: C, max: 9 }", "{ name: B, max: 19 }", "{ name: A, min: 20 }"]), "grades[1]", "missing `min`: only the first grade may be open below"),
        case("a middle grade without max", grades(&["{ name: C, max: 9 }", "{ name: B, min: 10 }", "{ name: A, min: 20 }"]), "grades[1]", "missing `max`: only the last grade may be open above"),
        case("overlapping grades", grades(&["{ name: Cold, min: 0, max: 60 }", "{ name: Warm, min: 50, max: 99 }"]), "grades[1].min", "grade Warm (50 to 99) overlaps grade Cold (0 to 60): scores 50 to 60 are in both"),
        case("a gap between grades", grades(&["{ name: Cold, min: 0, max: 49 }", "{ name: Warm, min: 60 }"]), "grades[1].min", "gap between grade Cold (0 to 49) and grade Warm (60 and above): scores 50 to 59 have no grade"),
        case("descending grades", grades(&["{ name: Hot, min: 100, max: 200 }", "{ name: Cold, min: 0, max: 99 }"]), "grades[1].min", "grades must ascend: grade Cold (0 to 99) starts below grade Hot (100 to 200) before it"),
    ]
}
