use std::path::{Path, PathBuf};

use leadscore_domain::{EntityName, RecordType};

use crate::FilesError;

/// A file format for lead data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma separated, header row, UTF-8, RFC 4180 quoting.
    Csv,
    /// Apache Parquet with the same column names.
    Parquet,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
        }
    }

    /// The format a path's extension names, if any.
    pub fn of_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            e if e.eq_ignore_ascii_case("csv") => Some(Self::Csv),
            e if e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq") => {
                Some(Self::Parquet)
            }
            _ => None,
        }
    }
}

/// One data file of a folder.
#[derive(Debug, Clone)]
pub(crate) struct DataFile {
    pub record: RecordType,
    pub path: PathBuf,
    pub format: Format,
}

/// Finds the DATA.md files of a folder, rejecting unknown data file names and the
/// same records present in two formats.
pub(crate) fn discover(dir: &Path) -> Result<Vec<DataFile>, FilesError> {
    if !dir.is_dir() {
        return Err(FilesError::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    let mut found: Vec<DataFile> = Vec::new();
    for path in list(dir)? {
        let Some(format) = Format::of_path(&path) else {
            continue;
        };
        let record = match stem(&path) {
            Some("accounts") => RecordType::Account,
            Some("contacts") => RecordType::Contact,
            Some("leads") => RecordType::Lead,
            Some("interactions") => RecordType::Interaction,
            _ => return Err(FilesError::UnknownFile { path }),
        };
        push_unique(
            &mut found,
            DataFile {
                record,
                path,
                format,
            },
        )?;
    }
    let custom_dir = dir.join("custom");
    if custom_dir.is_dir() {
        for path in list(&custom_dir)? {
            let Some(format) = Format::of_path(&path) else {
                continue;
            };
            let name = stem(&path)
                .and_then(|s| EntityName::parse(s).ok())
                .ok_or_else(|| FilesError::UnknownFile { path: path.clone() })?;
            push_unique(
                &mut found,
                DataFile {
                    record: RecordType::Custom(name),
                    path,
                    format,
                },
            )?;
        }
    }
    if !found
        .iter()
        .any(|f| !matches!(f.record, RecordType::Custom(_)))
    {
        return Err(FilesError::EmptyFolder {
            path: dir.to_path_buf(),
        });
    }
    found.sort_by(|a, b| a.record.cmp(&b.record));
    Ok(found)
}

fn stem(path: &Path) -> Option<&str> {
    path.file_stem()?.to_str()
}

fn push_unique(found: &mut Vec<DataFile>, file: DataFile) -> Result<(), FilesError> {
    if let Some(other) = found.iter().find(|f| f.record == file.record) {
        return Err(FilesError::Ambiguous {
            first: other.path.clone(),
            second: file.path,
        });
    }
    found.push(file);
    Ok(())
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, FilesError> {
    let io = |source| FilesError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if path.is_file() && !hidden {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}
