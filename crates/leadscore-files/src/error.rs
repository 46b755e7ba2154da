use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// Where in a file a problem is: the file, the line (CSV; the header is line 1) or
/// the row (Parquet; the first record is row 1), and the column when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// The physical line a CSV record starts on.
    pub line: Option<u64>,
    /// The record's number, counting from 1 after the header.
    pub row: u64,
    /// The column's name.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match self.line {
            Some(line) => write!(f, " line {line}")?,
            None => write!(f, " row {}", self.row)?,
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
    }
}

/// One bad record: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// Where.
    pub location: Location,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Everything that can go wrong reading or writing lead data files.
#[derive(Debug, Error)]
pub enum FilesError {
    /// The path is not a folder.
    #[error("{}: not a folder", path.display())]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// The folder holds no DATA.md file.
    #[error("{}: holds none of accounts, contacts, leads or interactions (.csv or .parquet)", path.display())]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A data file whose name is not part of DATA.md (a typo, usually).
    #[error("{}: not a DATA.md file name (expected accounts, contacts, leads, interactions or custom/<EntityName>, each .csv or .parquet)", path.display())]
    UnknownFile {
        /// The file.
        path: PathBuf,
    },
    /// The same records in two formats.
    #[error("{} and {}: the same records twice; keep one of them", first.display(), second.display())]
    Ambiguous {
        /// One file.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// Reading or writing failed at the operating-system level.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not readable as CSV or Parquet at all (ragged rows, bad bytes,
    /// not UTF-8, a truncated Parquet file...).
    #[error("{}: cannot read the file: {message}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// A required column is missing from the header.
    #[error("{} line 1: missing required column {column}", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// A header names a column twice, or has an empty name.
    #[error("{} line 1, column {position}: {reason}", path.display())]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// The column's position, from 1.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// A column that is not one of the file's DATA.md columns but whose name is
    /// close to one (`Lead Status`, `lead_source`, `createdat` in leads): most
    /// likely that column misnamed, which as a custom field would be lost. A
    /// custom field declared in `records.custom_fields` is not refused.
    #[error(
        "{} line 1, column {position}: {column:?} is not a DATA.md column of {file}; did you mean {suggestion}? (declare it in {setting} to keep it as {keep})",
        path.display(),
        setting = leadscore_domain::CUSTOM_FIELDS_SETTING
    )]
    NearMissColumn {
        /// The file.
        path: PathBuf,
        /// The column's position, from 1.
        position: usize,
        /// The column's name, as the header writes it (trimmed).
        column: String,
        /// The DATA.md file it is in (`leads`, `custom/Opportunity`).
        file: String,
        /// The standard column it is close to.
        suggestion: &'static str,
        /// What a declared column becomes (`a custom field`, `an interaction
        /// property`).
        keep: &'static str,
    },
    /// Records that do not satisfy DATA.md. All of them are listed (up to
    /// [`MAX_REPORTED`]); `total` counts every one.
    #[error("{}", summarize(problems, *total))]
    BadRows {
        /// The problems, in file order.
        problems: Vec<RowProblem>,
        /// How many there were in all.
        total: usize,
    },
    /// A column to leave out of the lead rows that is not one of them (a typo,
    /// usually: a leaky column would stay in).
    #[error("cannot exclude {name:?}: no such column; the columns are {}", available.join(", "))]
    UnknownExclusion {
        /// The name asked for.
        name: String,
        /// Every column the lead rows have.
        available: Vec<String>,
    },
    /// Lead rows of every lead (for scoring) need the time they are scored at.
    #[error(
        "scoring every lead needs a scoring time (at): open leads have no other time to compute their features at"
    )]
    ScoringTimeRequired,
    /// An interaction kind asked for that is not a kind's name.
    #[error("interaction kind {kind:?}: {source}")]
    BadKind {
        /// The name given.
        kind: String,
        /// Why it is not a kind.
        #[source]
        source: leadscore_domain::DomainError,
    },
    /// Two lead-row columns would have the same name (a custom column named
    /// like a computed one).
    #[error("{}: two lead-row columns would both be named {name:?}; rename the custom column", path.display())]
    DuplicateColumn {
        /// The file whose custom column clashes.
        path: PathBuf,
        /// The name.
        name: String,
    },
    /// Computing the lead rows failed inside polars (after the folder passed
    /// every check).
    #[error("{}: cannot compute the lead rows: {message}", path.display())]
    LeadRows {
        /// The folder or file.
        path: PathBuf,
        /// What polars said.
        message: String,
    },
    /// Writing a file failed inside the writer.
    #[error("{}: cannot write: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the writer said.
        message: String,
    },
}

impl From<leadscore_fs::FsError> for FilesError {
    /// A failed whole-or-nothing write, as [`FilesError::Io`] on the target.
    fn from(e: leadscore_fs::FsError) -> Self {
        let (path, source) = e.into_parts();
        Self::Io { path, source }
    }
}

/// The most row problems kept in a [`FilesError::BadRows`] (all are counted).
pub const MAX_REPORTED: usize = 1000;

fn summarize(problems: &[RowProblem], total: usize) -> String {
    match problems.first() {
        None => "no bad records".to_owned(),
        Some(first) if total == 1 => first.to_string(),
        Some(first) => format!("{first} (and {} more bad records)", total - 1),
    }
}
