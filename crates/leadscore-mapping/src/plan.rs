//! Which file of an export each source reads, and where each mapped value
//! comes from in that file's columns.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use leadscore_domain::RecordType;
use leadscore_files::{FilesError, detect_delimiter};

use crate::spec::{ColumnSpec, Others, SourceSpec, ValueType, is_standard};
use crate::suggest::nearest;
use crate::{Mapping, MappingError};

/// One file of the export and the source that reads it.
#[derive(Debug)]
pub(crate) struct Claimed {
    pub path: PathBuf,
    pub source: usize,
}

/// What the export's files are: the ones the sources read, and the DATA.md
/// files passed through as they are.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    pub mapped: Vec<Claimed>,
    pub passed: Vec<PathBuf>,
}

/// Finds the export's files and the source that reads each.
pub(crate) fn claim(mapping: &Mapping, input: &Path) -> Result<Claims, MappingError> {
    let name = mapping.name().to_owned();
    let files: Vec<PathBuf> = if input.is_file() {
        vec![input.to_path_buf()]
    } else if input.is_dir() {
        list(input)?
    } else {
        return Err(FilesError::NotAFolder {
            path: input.to_path_buf(),
        }
        .into());
    };
    let mut claims = Claims::default();
    for path in files {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let mut readers = mapping
            .spec
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| s.file.names().iter().any(|p| matches(p, &file_name)))
            .map(|(i, _)| i);
        match (readers.next(), readers.next()) {
            (Some(first), Some(second)) => {
                return Err(MappingError::ClaimedTwice {
                    path,
                    first,
                    second,
                });
            }
            (Some(source), None) => claims.mapped.push(Claimed { path, source }),
            (None, _) if is_data_file(&file_name) => claims.passed.push(path),
            (None, _) if is_table(&file_name) => {
                return Err(MappingError::UnclaimedFile {
                    path,
                    mapping: name,
                });
            }
            (None, _) => {}
        }
    }
    let wanted = |s: &SourceSpec| s.file.to_string();
    for (i, source) in mapping.spec.sources.iter().enumerate() {
        if !source.optional && !claims.mapped.iter().any(|c| c.source == i) {
            return Err(MappingError::MissingSource {
                path: input.to_path_buf(),
                mapping: name,
                wanted: wanted(source),
            });
        }
    }
    if claims.mapped.is_empty() {
        let wanted: Vec<String> = mapping.spec.sources.iter().map(wanted).collect();
        let found: Vec<String> = list(input)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        return Err(MappingError::NothingToRead {
            path: input.to_path_buf(),
            mapping: name,
            wanted: wanted.join(", "),
            found: if found.is_empty() {
                "none".to_owned()
            } else {
                found.join(", ")
            },
        });
    }
    Ok(claims)
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, MappingError> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let io = |source| FilesError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if path.is_file() && !hidden {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// A DATA.md file name, passed through as it is.
fn is_data_file(name: &str) -> bool {
    let lower = name.to_lowercase();
    ["accounts", "contacts", "leads", "interactions"]
        .iter()
        .any(|stem| lower == format!("{stem}.csv") || lower == format!("{stem}.parquet"))
}

/// A file that holds a table (anything else in the folder is left alone).
fn is_table(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".csv", ".tsv", ".parquet"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A file name pattern (`*` any characters), without regard to case.
pub(crate) fn matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let name: Vec<char> = name.to_lowercase().chars().collect();
    // The classic two-pointer wildcard match, backtracking to the last `*`.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if p < pattern.len() && pattern[p] == name[n] {
            p += 1;
            n += 1;
        } else if let Some((sp, sn)) = star {
            p = sp + 1;
            n = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Where a value comes from.
#[derive(Debug, Clone)]
pub(crate) enum Getter {
    /// The first of these cells (position, export column) with a value.
    Cells(Vec<(usize, String)>),
    /// The same value on every row.
    Constant(String),
    /// The row's line number.
    Line,
    /// An optional column the file lacks.
    Missing,
}

/// One output column of one record, resolved against a file's header.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The DATA.md column or custom field written.
    pub name: String,
    /// The export's (first) column it reads, for naming it (none for a
    /// constant).
    pub source_column: Option<String>,
    pub getter: Getter,
    pub prefix: Option<String>,
    /// Lower-cased export value to stored value.
    pub values: Option<HashMap<String, String>>,
    pub listed: Vec<String>,
    pub otherwise: Option<String>,
    pub default: Option<String>,
    pub kind: ValueType,
    /// The line number where the columns are empty or missing.
    pub fallback_line: bool,
}

/// A source file's records, resolved.
#[derive(Debug)]
pub(crate) struct FilePlan {
    pub path: PathBuf,
    pub delimiter: u8,
    pub records: Vec<(RecordType, Vec<Resolved>)>,
    /// The record the file's rows stand for (the others are derived).
    pub primary: RecordType,
}

/// The header of a file, and the plan of its records.
pub(crate) fn plan(mapping: &Mapping, claimed: &Claimed) -> Result<FilePlan, MappingError> {
    let source = &mapping.spec.sources[claimed.source];
    let path = &claimed.path;
    let delimiter = match source.delimiter {
        Some(d) => d as u8,
        None if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv")) =>
        {
            b'\t'
        }
        None => detect_delimiter(path)?,
    };
    let header = read_header(path, delimiter)?;
    let position = |name: &str| header.iter().position(|h| h == name);
    let mut used = vec![false; header.len()];
    let mut records = Vec::new();
    for (record, map) in source.records() {
        let mut resolved = Vec::new();
        for (name, spec) in map {
            let r = resolve(record.clone(), name, spec, &header, path)?;
            if let Getter::Cells(cells) = &r.getter {
                for (i, _) in cells {
                    used[*i] = true;
                }
            }
            resolved.push(r);
        }
        records.push((record, resolved));
    }
    for dropped in &source.drop {
        if let Some(i) = position(dropped) {
            used[i] = true;
        }
    }
    let primary = source.primary().unwrap_or(RecordType::Lead);
    for (i, column) in header.iter().enumerate() {
        if used[i] {
            continue;
        }
        match source.others {
            Others::Drop => {}
            Others::Custom => {
                if let Some((_, resolved)) = records.iter_mut().find(|(r, _)| *r == primary) {
                    resolved.push(Resolved {
                        name: column.clone(),
                        source_column: Some(column.clone()),
                        getter: Getter::Cells(vec![(i, column.clone())]),
                        prefix: None,
                        values: None,
                        listed: Vec::new(),
                        otherwise: None,
                        default: None,
                        kind: ValueType::Text,
                        fallback_line: false,
                    });
                }
            }
            Others::Error => {
                let known: Vec<&str> = source
                    .records()
                    .flat_map(|(_, m)| m.values())
                    .filter_map(|s| match s {
                        ColumnSpec::Column(c) => Some(c.as_str()),
                        ColumnSpec::Full(_) => None,
                    })
                    .collect();
                let hint = nearest(column, known.iter().copied())
                    .map(|n| format!(" (did you mean {n:?}, which the mapping reads?)"))
                    .unwrap_or_default();
                return Err(MappingError::UnmappedColumn {
                    path: path.clone(),
                    mapping: mapping.name().to_owned(),
                    column: column.clone(),
                    position: i + 1,
                    hint,
                });
            }
        }
    }
    Ok(FilePlan {
        path: path.clone(),
        delimiter,
        records,
        primary,
    })
}

fn resolve(
    record: RecordType,
    name: &str,
    spec: &ColumnSpec,
    header: &[String],
    path: &Path,
) -> Result<Resolved, MappingError> {
    let full = spec.full();
    let kind = full.kind.unwrap_or(match name {
        "created_at" | "closed_at" | "occurred_at" if is_standard(&record, name) => ValueType::Date,
        "employees" | "annual_revenue" if record == RecordType::Account => ValueType::Number,
        _ => ValueType::Text,
    });
    let (getter, source_column) = match (&full.column, &full.value, full.line) {
        (Some(columns), _, _) => {
            let found: Vec<(usize, String)> = columns
                .names()
                .iter()
                .filter_map(|c| header.iter().position(|h| h == c).map(|i| (i, c.clone())))
                .collect();
            match found.first() {
                Some((_, c)) => (Getter::Cells(found.clone()), Some(c.clone())),
                None if full.line => (Getter::Line, None),
                None if full.optional => (Getter::Missing, None),
                None => {
                    let near = columns
                        .names()
                        .iter()
                        .find_map(|c| nearest(c, header.iter().map(String::as_str)));
                    return Err(MappingError::MissingColumn {
                        path: path.to_path_buf(),
                        wanted: columns.to_string(),
                        target: format!("{}.{name}", record.file_stem()),
                        hint: near
                            .map(|n| format!("; did you mean {n:?}?"))
                            .unwrap_or_default(),
                    });
                }
            }
        }
        (None, Some(v), _) => (Getter::Constant(v.clone()), None),
        _ => (Getter::Line, None),
    };
    let listed: Vec<String> = full.values.iter().flat_map(|v| v.keys().cloned()).collect();
    Ok(Resolved {
        name: name.to_owned(),
        source_column,
        getter,
        prefix: full.prefix,
        values: full.values.map(|v| {
            v.into_iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v))
                .collect()
        }),
        listed,
        otherwise: full.otherwise,
        default: full.default,
        kind,
        fallback_line: full.line,
    })
}

/// A file's header, its names trimmed (and a UTF-8 byte order mark dropped).
fn read_header(path: &Path, delimiter: u8) -> Result<Vec<String>, MappingError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .map_err(|e| unreadable(path, &e))?;
    let header = reader.headers().map_err(|e| unreadable(path, &e))?;
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    for (i, name) in names.iter().enumerate() {
        let reason = if name.is_empty() {
            Some("the column has no name".to_owned())
        } else {
            names[..i]
                .iter()
                .position(|n| n == name)
                .map(|first| format!("column {name} appears twice (also column {})", first + 1))
        };
        if let Some(reason) = reason {
            return Err(FilesError::BadHeader {
                path: path.to_path_buf(),
                position: i + 1,
                reason,
            }
            .into());
        }
    }
    Ok(names)
}

/// A file the CSV reader cannot read.
pub(crate) fn unreadable(path: &Path, e: &csv::Error) -> MappingError {
    FilesError::Unreadable {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn file_patterns() {
        assert!(matches("Lead*.csv", "lead_export_2026.CSV"));
        assert!(matches("*.csv", "x.csv"));
        assert!(matches("Lead.csv", "LEAD.csv"));
        assert!(!matches("Lead.csv", "Leads.csv"));
        assert!(!matches("*.csv", "x.tsv"));
        assert!(matches("a*b*c", "axxbyyc"));
    }
}
