//! `leadscore map init`: a mapping proposed from an export's header, for a
//! person to check.

use std::path::Path;

use indexmap::IndexMap;
use leadscore_files::{FilesError, detect_delimiter};

use crate::shipped::{SHIPPED, shipped};
use crate::spec::{ColumnSpec, DateOrder, MappingFile, OneOrMany, Others, SourceSpec};
use crate::suggest::{loose, nearest};
use crate::{Mapping, MappingError};

/// How many rows are read to tell the day from the month.
const SAMPLE_ROWS: usize = 1000;

/// A proposed mapping.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The mapping, as YAML with comments saying what to check.
    pub yaml: String,
    /// The shipped mapping it starts from.
    pub based_on: String,
    /// The export's columns the mapping reads.
    pub matched: Vec<String>,
    /// Columns taken for a known name they are close to: export column and
    /// the name it was taken for.
    pub near: Vec<(String, String)>,
    /// The export's columns it leaves out or keeps as custom fields.
    pub others: Vec<String>,
}

/// Proposes a mapping for one export file from its header (and, for the
/// order of day and month, its first rows): it starts from the shipped
/// mapping whose names the header matches best, keeps what the file has,
/// takes near misses (`Lead Sorce` for `LeadSource`) and says so.
pub fn propose(export: &Path) -> Result<Proposal, MappingError> {
    let delimiter = detect_delimiter(export)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(export)
        .map_err(|e| crate::plan::unreadable(export, &e))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| crate::plan::unreadable(export, &e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records().take(SAMPLE_ROWS) {
        rows.push(record.map_err(|e| crate::plan::unreadable(export, &e))?);
    }

    let file_name = export
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| FilesError::NotAFolder {
            path: export.to_path_buf(),
        })?
        .to_owned();
    let (base_name, base, fitted) = best_base(&header)?;
    let Fitted {
        mut source,
        matched,
        near,
        date_columns,
        ..
    } = fitted;
    source.file = OneOrMany::One(file_name);
    source.delimiter = (delimiter != b',').then_some(delimiter as char);
    let mut proposal = Proposal {
        yaml: String::new(),
        based_on: base_name.clone(),
        matched,
        near,
        others: Vec::new(),
    };
    let mut out = source;
    proposal.others = header
        .iter()
        .filter(|h| !proposal.matched.contains(h))
        .cloned()
        .collect();
    if base_name == "flat" {
        out.others = Others::Custom;
    } else {
        out.drop = proposal.others.clone();
    }
    let order = day_order(&header, &rows, &date_columns).or(base.dates.order);
    let mut file = MappingFile {
        name: format!("{base_name}-proposed"),
        about: Some(format!(
            "Proposed by leadscore map init from {} (starting from the shipped mapping {base_name}); check it before use.",
            export.display()
        )),
        dates: base.dates.clone(),
        numbers: base.numbers.clone(),
        sources: vec![out],
    };
    file.dates.order = order;
    let body = serde_yaml_ng::to_string(&file).map_err(|e| MappingError::Invalid {
        origin: export.display().to_string(),
        path: None,
        message: e.to_string(),
    })?;
    // What is written must read back as a valid mapping.
    Mapping::parse(&body, "the proposed mapping")?;
    proposal.yaml = format!("{}{body}", comments(&proposal, &base_name));
    Ok(proposal)
}

/// The spec with only its column: equal to the spec when nothing else is set.
fn plain(full: &crate::FullSpec) -> crate::FullSpec {
    crate::FullSpec {
        column: full.column.clone(),
        ..crate::FullSpec::default()
    }
}

/// One shipped source fitted to a header: the records it can make from the
/// header's columns, and how.
struct Fitted {
    source: SourceSpec,
    matched: Vec<String>,
    near: Vec<(String, String)>,
    date_columns: Vec<String>,
    /// How many records it makes with all their required columns.
    complete: usize,
}

/// The shipped source's records with the header's column names: a column
/// found (the same name, written another way, or a near miss) replaces its
/// alternatives; an optional one not found stays as it is (its default
/// applies); a record lacking a required column is left out.
fn fit(header: &[String], shipped: &SourceSpec) -> Fitted {
    let mut out = SourceSpec {
        file: shipped.file.clone(),
        optional: false,
        delimiter: None,
        accounts: None,
        contacts: None,
        leads: None,
        interactions: None,
        drop: Vec::new(),
        others: Others::Error,
    };
    let (mut matched, mut near_misses, mut date_columns) = (Vec::new(), Vec::new(), Vec::new());
    let mut complete = 0;
    for (record, map) in shipped.records() {
        let mut kept = IndexMap::new();
        for (name, spec) in map {
            let mut full = spec.full();
            if let Some(columns) = &full.column {
                match find(header, columns.names()) {
                    Some((found, near)) => {
                        if let Some(wanted) = near {
                            near_misses.push((found.clone(), wanted));
                        }
                        if !matched.contains(&found) {
                            matched.push(found.clone());
                        }
                        if matches!(name.as_str(), "created_at" | "closed_at" | "occurred_at") {
                            date_columns.push(found.clone());
                        }
                        full.column = Some(OneOrMany::One(found));
                        full.optional = false;
                    }
                    None if full.optional && (full.default.is_some() || full.line) => {
                        // Not in this export: the default (or the line) stands in.
                        full.column = None;
                        full.optional = false;
                        if !full.line {
                            full.value = full.default.take();
                        }
                    }
                    None => continue,
                }
            }
            let spec = match (&full.column, full == plain(&full)) {
                (Some(OneOrMany::One(c)), true) => ColumnSpec::Column(c.clone()),
                _ => ColumnSpec::Full(full),
            };
            kept.insert(name.clone(), spec);
        }
        if record
            .required_columns()
            .iter()
            .all(|c| kept.contains_key(*c))
        {
            complete += 1;
            let slot = match record {
                leadscore_domain::RecordType::Account => &mut out.accounts,
                leadscore_domain::RecordType::Contact => &mut out.contacts,
                leadscore_domain::RecordType::Lead => &mut out.leads,
                _ => &mut out.interactions,
            };
            *slot = Some(kept);
        }
    }
    Fitted {
        source: out,
        matched,
        near: near_misses,
        date_columns,
        complete,
    }
}

/// How well a source fits: makes leads, its complete records, the columns
/// it reads.
type Fit = (bool, usize, usize);

/// The shipped mapping and source that fit the header best: the most
/// complete records, leads first, then the most columns read.
fn best_base(header: &[String]) -> Result<(String, MappingFile, Fitted), MappingError> {
    let mut best: Option<(Fit, String, MappingFile, Fitted)> = None;
    for (name, _) in SHIPPED {
        let mapping = shipped(name)?;
        for source in &mapping.spec.sources {
            let fitted = fit(header, source);
            let score = (
                fitted.source.leads.is_some(),
                fitted.complete,
                fitted.matched.len(),
            );
            if best.as_ref().is_none_or(|(b, ..)| score > *b) {
                best = Some((score, name.to_owned(), mapping.spec.clone(), fitted));
            }
        }
    }
    best.map(|(_, name, file, fitted)| (name, file, fitted))
        .ok_or_else(|| MappingError::Invalid {
            origin: "the shipped mappings".into(),
            path: None,
            message: "none has a source".into(),
        })
}

/// The header column for one of these names: the same name, the same name
/// written another way (`Lead Source`, `lead_source`), or a near miss (with
/// the name it was taken for).
fn find(header: &[String], names: &[String]) -> Option<(String, Option<String>)> {
    for name in names {
        if let Some(h) = header.iter().find(|h| *h == name) {
            return Some((h.clone(), None));
        }
    }
    for name in names {
        if let Some(h) = header.iter().find(|h| loose(h) == loose(name)) {
            return Some((h.clone(), None));
        }
    }
    let lowered: Vec<String> = header.iter().map(|h| loose(h)).collect();
    for name in names {
        if let Some(near) = nearest(&loose(name), lowered.iter().map(String::as_str))
            && let Some(i) = lowered.iter().position(|l| l == near)
        {
            return Some((header[i].clone(), Some(name.clone())));
        }
    }
    None
}

/// Day first or month first, when a sampled date shows it (a first number
/// above 12, or a second one).
fn day_order(
    header: &[String],
    rows: &[csv::StringRecord],
    columns: &[String],
) -> Option<DateOrder> {
    for column in columns {
        let Some(i) = header.iter().position(|h| h == column) else {
            continue;
        };
        for row in rows {
            let date = row
                .get(i)
                .unwrap_or("")
                .split_whitespace()
                .next()
                .unwrap_or("");
            let parts: Vec<u32> = date
                .split(['/', '.'])
                .filter_map(|p| p.parse().ok())
                .collect();
            if let [a, b, _] = parts[..] {
                if a > 12 {
                    return Some(DateOrder::DayFirst);
                }
                if b > 12 {
                    return Some(DateOrder::MonthFirst);
                }
            }
        }
    }
    None
}

fn comments(p: &Proposal, base: &str) -> String {
    let mut out = format!(
        "# Proposed by `leadscore map init` from the shipped mapping {base}: it reads {} of the export's columns.\n",
        p.matched.len()
    );
    for (found, wanted) in &p.near {
        out.push_str(&format!(
            "# CHECK: column {found:?} was taken for {wanted:?} (a near miss)\n"
        ));
    }
    if !p.others.is_empty() {
        let what = if base == "flat" {
            "kept as custom fields of the leads"
        } else {
            "dropped (map them, or move them out of drop and set others: custom, to keep them)"
        };
        out.push_str(&format!(
            "# The other columns are {what}: {}\n",
            p.others.join(", ")
        ));
    }
    out.push_str("# Try it with: leadscore import EXPORT --map THIS_FILE --dry-run\n");
    out
}
