//! The designer's HTML: the form (model, grades, rules, conditions and
//! filters, with their pickers), each problem next to its field, and the
//! YAML and text tabs. Works as a plain form; the console's script checks as
//! one types and updates the page in place.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use leadscore_domain::RecordType;
use leadscore_rules::{Condition, EntityPath, FieldPath, OPERATORS};

use super::check::{Checked, FieldProblem, field_id, record_name};
use super::draft::{ConditionDraft, Draft, FilterDraft, RuleDraft};
use crate::html::escape;

/// The problems and warnings of a check, by form field.
#[derive(Debug, Default)]
pub struct Messages(BTreeMap<String, Vec<(String, bool)>>);

impl Messages {
    /// The messages of a check.
    pub fn of(checked: &Checked) -> Self {
        let mut map: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
        for p in &checked.problems {
            map.entry(p.field.clone())
                .or_default()
                .push((p.message.clone(), false));
        }
        for p in &checked.warnings {
            map.entry(p.field.clone())
                .or_default()
                .push((p.message.clone(), true));
        }
        Self(map)
    }

    fn of_field(&self, name: &str) -> &[(String, bool)] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    /// The messages of a field or part as paragraphs (empty when none).
    fn block(&self, name: &str) -> String {
        let id = field_id(name);
        self.of_field(name)
            .iter()
            .enumerate()
            .map(|(k, (m, warning))| {
                let class = if *warning {
                    "field-error warning"
                } else {
                    "field-error"
                };
                format!(
                    "<p class=\"{class}\" id=\"{}\" data-for=\"{id}\">{}{}</p>",
                    message_id(&id, k),
                    if *warning { "Check: " } else { "Error: " },
                    escape(m)
                )
            })
            .collect()
    }
}

/// The id of a field's `k`th message (`f-name-error`, then `f-name-error-2`).
fn message_id(id: &str, k: usize) -> String {
    if k == 0 {
        format!("{id}-error")
    } else {
        format!("{id}-error-{}", k + 1)
    }
}

/// `aria-invalid` and `aria-describedby` (its messages) of a field that has
/// messages.
fn aria(msgs: &Messages, name: &str, id: &str) -> String {
    let count = msgs.of_field(name).len();
    if count == 0 {
        return String::new();
    }
    let ids: Vec<String> = (0..count).map(|k| message_id(id, k)).collect();
    format!(
        " aria-invalid=\"true\" aria-describedby=\"{}\"",
        ids.join(" ")
    )
}

/// One labelled text input with its messages.
fn input(msgs: &Messages, name: &str, label: &str, value: &str, extra: &str) -> String {
    let id = field_id(name);
    let aria = aria(msgs, name, &id);
    format!(
        "<div class=\"rm-field\"><label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" name=\"{name}\" type=\"text\" value=\"{value}\"{extra}{aria}>{msgs}</div>",
        name = escape(name),
        label = escape(label),
        value = escape(value),
        msgs = msgs.block(name),
    )
}

/// One labelled select with its messages: `(value, label)` options.
fn select(
    msgs: &Messages,
    name: &str,
    label: &str,
    value: &str,
    options: &[(&str, &str)],
) -> String {
    let id = field_id(name);
    let opts: String = options
        .iter()
        .map(|(v, l)| {
            let selected = if *v == value { " selected" } else { "" };
            format!(
                "<option value=\"{}\"{selected}>{}</option>",
                escape(v),
                escape(l)
            )
        })
        .collect();
    // A value the options lack (typed in the YAML) is kept, so that the
    // library names it.
    let unknown = if options.iter().any(|(v, _)| *v == value) {
        String::new()
    } else {
        format!("<option value=\"{0}\" selected>{0}</option>", escape(value))
    };
    format!(
        "<div class=\"rm-field\"><label for=\"{id}\">{label}</label>\
         <select id=\"{id}\" name=\"{name}\"{aria}>{unknown}{opts}</select>{msgs}</div>",
        name = escape(name),
        label = escape(label),
        aria = aria(msgs, name, &id),
        msgs = msgs.block(name),
    )
}

fn button(name: &str, value: &str, label: &str, class: &str) -> String {
    format!(
        "<button type=\"submit\" class=\"{class}\" name=\"{name}\" value=\"{value}\" formnovalidate>{label}</button>",
        label = escape(label),
    )
}

/// The record a filter's field is read on, when the entity and field read.
pub(super) fn filter_record(cond: &ConditionDraft, filter: &FilterDraft) -> Option<RecordType> {
    let condition = condition_of(cond)?;
    let field = FieldPath::try_from(filter.field.trim().to_owned()).ok();
    match field {
        Some(field) => condition.field_record(&field),
        None => Some(condition.entity_record()),
    }
}

fn condition_of(cond: &ConditionDraft) -> Option<Condition> {
    let entity = EntityPath::try_from(cond.entity.trim().to_owned()).ok()?;
    Some(Condition {
        entity,
        frequency: None,
        count: None,
        within: None,
        since: None,
        half_life: None,
        filters: Vec::new(),
    })
}

pub(super) fn list_id(record: &RecordType) -> String {
    match record {
        RecordType::Custom(name) => format!("rm-fields-custom-{name}"),
        other => format!("rm-fields-{}", record_name(other)),
    }
}

pub(super) fn values_id(record: &RecordType, field: &str) -> String {
    format!(
        "rm-values-{}",
        field_id(&format!("{}.{field}", record_name(record)))
    )
}

const FREQUENCIES: &[(&str, &str)] = &[
    ("", "(default: at least)"),
    ("each", "each: points per occurrence"),
    ("at_least", "at least: points once"),
    ("none", "none: holds when there is none"),
];

fn filter_html(
    msgs: &Messages,
    at: &str,
    index: &str,
    cond: &ConditionDraft,
    f: &FilterDraft,
) -> String {
    let record = filter_record(cond, f);
    let fields = record
        .as_ref()
        .map(list_id)
        .unwrap_or_else(|| "rm-fields-lead".to_owned());
    let values = record
        .as_ref()
        .map(|r| {
            let name = FieldPath::try_from(f.field.trim().to_owned())
                .map(|p| p.name)
                .unwrap_or_default();
            values_id(r, &name)
        })
        .unwrap_or_default();
    let ops: Vec<(&str, &str)> = OPERATORS.iter().map(|(_, n)| (*n, *n)).collect();
    format!(
        "<div class=\"rm-filter\" id=\"{part}\">{part_msgs}{field}{op}{value}{remove}</div>",
        part = field_id(at),
        part_msgs = msgs.block(at),
        field = input(
            msgs,
            &format!("{at}.field"),
            "Field",
            &f.field,
            &format!(" list=\"{fields}\" autocomplete=\"off\"")
        ),
        op = select(msgs, &format!("{at}.op"), "Operator", &f.op, &ops),
        value = input(
            msgs,
            &format!("{at}.value"),
            "Value (a list: comma-separated; \"quotes\" keep text as text)",
            &f.value,
            &format!(" list=\"{values}\" autocomplete=\"off\""),
        ),
        remove = button("remove_filter", index, "Remove this filter", "secondary"),
    )
}

fn condition_html(msgs: &Messages, r: usize, c: usize, cond: &ConditionDraft) -> String {
    let at = format!("rules[{r}].when[{c}]");
    let filters: String = cond
        .filters
        .iter()
        .enumerate()
        .map(|(f, filter)| {
            filter_html(
                msgs,
                &format!("{at}.where[{f}]"),
                &format!("{r}.{c}.{f}"),
                cond,
                filter,
            )
        })
        .collect();
    format!(
        "<fieldset class=\"rm-condition\" id=\"{id}\"><legend>Condition {n}</legend>{part}\
         <div class=\"rm-row\">{entity}{frequency}{count}</div>\
         <div class=\"rm-row\">{within}{since}{half_life}</div>\
         <div class=\"rm-filters\">{filters}</div><div class=\"rm-buttons\">{add}{remove}</div></fieldset>",
        id = field_id(&at),
        n = c + 1,
        part = msgs.block(&at),
        entity = input(
            msgs,
            &format!("{at}.entity"),
            "Entity or path",
            &cond.entity,
            " list=\"rm-entities\" autocomplete=\"off\""
        ),
        frequency = select(
            msgs,
            &format!("{at}.frequency"),
            "Frequency",
            &cond.frequency,
            FREQUENCIES
        ),
        count = input(
            msgs,
            &format!("{at}.count"),
            "At least how many",
            &cond.count,
            " inputmode=\"numeric\""
        ),
        within = input(
            msgs,
            &format!("{at}.within"),
            "Within (30d, 2w, 12h)",
            &cond.within,
            " list=\"rm-spans\" autocomplete=\"off\""
        ),
        since = input(
            msgs,
            &format!("{at}.since"),
            "Since (date)",
            &cond.since,
            " placeholder=\"2026-01-01\""
        ),
        half_life = input(
            msgs,
            &format!("{at}.half_life"),
            "Half-life (with each)",
            &cond.half_life,
            " list=\"rm-spans\" autocomplete=\"off\""
        ),
        add = button(
            "add_filter",
            &format!("{r}.{c}"),
            "Add a filter",
            "secondary"
        ),
        remove = button(
            "remove_condition",
            &format!("{r}.{c}"),
            "Remove this condition",
            "secondary"
        ),
    )
}

fn rule_html(msgs: &Messages, r: usize, rule: &RuleDraft) -> String {
    let at = format!("rules[{r}]");
    let conditions: String = rule
        .conditions
        .iter()
        .enumerate()
        .map(|(c, cond)| condition_html(msgs, r, c, cond))
        .collect();
    let title = if rule.name.trim().is_empty() {
        format!("Rule {}", r + 1)
    } else {
        format!("Rule {}: {}", r + 1, rule.name)
    };
    format!(
        "<fieldset class=\"rm-rule\" id=\"{id}\"><legend>{title}</legend>{part}\
         <div class=\"rm-row\">{name}{combine}{points}{cap}</div>{conditions}\
         <div class=\"rm-buttons\">{add}{remove}</div></fieldset>",
        id = field_id(&at),
        title = escape(&title),
        part = msgs.block(&at),
        name = input(msgs, &format!("{at}.name"), "Rule name", &rule.name, ""),
        combine = select(
            msgs,
            &format!("{at}.combine"),
            "Conditions",
            &rule.combine,
            &[
                ("when", "all must hold (AND)"),
                ("any", "any one holds (OR)")
            ],
        ),
        points = input(
            msgs,
            &format!("{at}.points"),
            "Points",
            &rule.points,
            " inputmode=\"numeric\""
        ),
        cap = input(
            msgs,
            &format!("{at}.cap"),
            "Cap (optional)",
            &rule.cap,
            " inputmode=\"numeric\""
        ),
        add = button(
            "add_condition",
            &r.to_string(),
            "Add a condition",
            "secondary"
        ),
        remove = button(
            "remove_rule",
            &r.to_string(),
            "Remove this rule",
            "secondary"
        ),
    )
}

/// The form's fields (everything the script replaces when the YAML tab
/// changed the model).
pub fn fields_html(draft: &Draft, msgs: &Messages) -> String {
    let grades: String = draft
        .grades
        .iter()
        .enumerate()
        .map(|(g, grade)| {
            let at = format!("grades[{g}]");
            format!(
                "<div class=\"rm-row rm-grade\" id=\"{id}\">{part}{name}{min}{max}{remove}</div>",
                id = field_id(&at),
                part = msgs.block(&at),
                name = input(msgs, &format!("{at}.name"), "Grade", &grade.name, ""),
                min = input(
                    msgs,
                    &format!("{at}.min"),
                    "From score",
                    &grade.min,
                    " inputmode=\"numeric\""
                ),
                max = input(
                    msgs,
                    &format!("{at}.max"),
                    "To score",
                    &grade.max,
                    " inputmode=\"numeric\""
                ),
                remove = button(
                    "remove_grade",
                    &g.to_string(),
                    "Remove this grade",
                    "secondary"
                ),
            )
        })
        .collect();
    let rules: String = draft
        .rules
        .iter()
        .enumerate()
        .map(|(r, rule)| rule_html(msgs, r, rule))
        .collect();
    format!(
        "<fieldset class=\"rm-model\" id=\"f-model\"><legend>Model</legend>{model_msgs}\
         <div class=\"rm-row\">{name}{target}{ready}{floor}</div></fieldset>\
         <fieldset class=\"rm-grades\" id=\"f-grades\"><legend>Grades</legend>\
         <p class=\"muted\">Ascending, continuous, not overlapping: each grade starts one above the \
         last one's end. The first may leave \"From\" empty, the last \"To\".</p>{grade_msgs}{grades}\
         {add_grade}</fieldset>{rules}<div class=\"rm-buttons\">{add_rule}</div>",
        model_msgs = msgs.block(""),
        name = input(
            msgs,
            "name",
            "Model name",
            &draft.name,
            " aria-required=\"true\""
        ),
        target = select(
            msgs,
            "target",
            "Scores",
            &draft.target,
            &[
                ("contact", "contact-based leads"),
                ("account", "account-based leads")
            ],
        ),
        ready = input(
            msgs,
            "sales_ready",
            "Sales-ready at score (optional)",
            &draft.sales_ready,
            " inputmode=\"numeric\""
        ),
        floor = input(
            msgs,
            "floor",
            "Floor (optional)",
            &draft.floor,
            " inputmode=\"numeric\""
        ),
        grade_msgs = msgs.block("grades"),
        add_grade = button("add_grade", "1", "Add a grade", "secondary"),
        add_rule = button("add_rule", "1", "Add a rule", "secondary"),
    )
}

/// The summary of every problem, each a link to its field.
pub fn summary_html(checked: &Checked) -> String {
    let item = |p: &FieldProblem| {
        let place = if p.field.is_empty() {
            "model".to_owned()
        } else {
            p.field.clone()
        };
        format!(
            "<li><a href=\"#{}\">{}: {}</a></li>",
            escape(&p.id),
            escape(&place),
            escape(&p.message)
        )
    };
    let mut out = String::new();
    if !checked.problems.is_empty() {
        let n = checked.problems.len();
        let _ = write!(
            out,
            "<div class=\"error\" role=\"alert\"><p><strong>{n} problem{}: nothing can be saved \
             until {} fixed.</strong></p><ul>{}</ul></div>",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it is" } else { "they are" },
            checked.problems.iter().map(item).collect::<String>()
        );
    }
    if !checked.warnings.is_empty() {
        let _ = write!(
            out,
            "<div class=\"warning-box\" role=\"status\"><p><strong>The store's data disagrees \
             (a misspelling?):</strong></p><ul>{}</ul><p>Fix these, or tick \"Save even so\" \
             to save the model as it is.</p></div>",
            checked.warnings.iter().map(item).collect::<String>()
        );
    }
    if out.is_empty() && checked.model.is_some() {
        out.push_str("<p class=\"notice\" role=\"status\">No problem found.</p>");
    }
    out
}
