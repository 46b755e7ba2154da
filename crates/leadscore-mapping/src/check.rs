//! The checks a mapping passes before it reads anything.

use leadscore_domain::{InteractionKind, LeadStatus, RecordType};

use crate::spec::{ColumnSpec, MappingFile, SourceSpec, ValueType, is_standard};

/// A problem: where in the mapping (`sources[0].leads.status`), and what.
pub(crate) type Problem = (String, String);

/// Checks a mapping file; the first problem found.
pub(crate) fn check(spec: &MappingFile) -> Result<(), Problem> {
    if spec.name.trim().is_empty() {
        return Err(("name".into(), "the mapping needs a name".into()));
    }
    if spec.sources.is_empty() {
        return Err((
            "sources".into(),
            "the mapping reads no file: list at least one source".into(),
        ));
    }
    for (i, source) in spec.sources.iter().enumerate() {
        check_source(source, &format!("sources[{i}]"))?;
    }
    Ok(())
}

fn check_source(source: &SourceSpec, at: &str) -> Result<(), Problem> {
    if source.file.names().is_empty() || source.file.names().iter().any(|n| n.trim().is_empty()) {
        return Err((format!("{at}.file"), "a file name is empty".into()));
    }
    if let Some(d) = source.delimiter
        && !d.is_ascii()
    {
        return Err((
            format!("{at}.delimiter"),
            format!("{d:?} is not a one-byte delimiter"),
        ));
    }
    if source.records().next().is_none() {
        return Err((
            at.to_owned(),
            "the source makes no record: give it accounts, contacts, leads or interactions".into(),
        ));
    }
    for (record, map) in source.records() {
        let here = format!("{at}.{}", record.file_stem());
        for required in record.required_columns() {
            if !map.contains_key(*required) {
                return Err((
                    here.clone(),
                    format!(
                        "{} need {required}: map it to a column (or a value)",
                        record.file_stem()
                    ),
                ));
            }
        }
        for (name, spec) in map {
            check_column(&record, name, spec, &format!("{here}.{name}"))?;
        }
    }
    for (i, dropped) in source.drop.iter().enumerate() {
        let mapped = source.records().any(|(_, map)| {
            map.values().any(|s| {
                s.full()
                    .column
                    .is_some_and(|c| c.names().iter().any(|n| n == dropped))
            })
        });
        if mapped {
            return Err((
                format!("{at}.drop[{i}]"),
                format!("{dropped:?} is both mapped and dropped"),
            ));
        }
    }
    Ok(())
}

fn check_column(
    record: &RecordType,
    name: &str,
    spec: &ColumnSpec,
    at: &str,
) -> Result<(), Problem> {
    let fail = |message: String| Err((at.to_owned(), message));
    if name.trim().is_empty() {
        return fail("a column needs a name".into());
    }
    if !is_standard(record, name)
        && let Some(near) = leadscore_domain::suggest::near_column(record, name)
    {
        return fail(format!(
            "{name:?} is not a DATA.md column of {} (did you mean {near}?); a custom field needs a name apart from the DATA.md columns",
            record.file_stem()
        ));
    }
    let full = spec.full();
    if full.value.is_some() && (full.column.is_some() || full.line) {
        return fail("a constant value takes no column or line".into());
    }
    if full.value.is_none() && full.column.is_none() && !full.line {
        return fail("give a column, a value, or line: true".into());
    }
    if full.column.as_ref().is_some_and(|c| c.names().is_empty()) {
        return fail("column lists no name".into());
    }
    let targets = full
        .values
        .iter()
        .flat_map(|v| v.values())
        .chain(full.otherwise.iter())
        .chain(full.default.iter())
        .chain(full.value.iter());
    for target in targets {
        check_target(record, name, full.kind, target).or_else(fail)?;
    }
    Ok(())
}

/// A value the mapping writes itself must be one DATA.md accepts.
fn check_target(
    record: &RecordType,
    name: &str,
    kind: Option<ValueType>,
    value: &str,
) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    match (record, name) {
        (RecordType::Lead, "status") => LeadStatus::parse(value).map(|_| ()).map_err(|_| {
            format!("{value:?} is not a lead status (open, qualified or disqualified)")
        }),
        (RecordType::Interaction, "kind") => InteractionKind::parse(value)
            .map(|_| ())
            .map_err(|e| format!("{value:?}: {e}")),
        _ if kind == Some(ValueType::Number) => value
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| format!("{value:?} is not a number")),
        _ => Ok(()),
    }
}
