//! The one error type of the crate.

use std::io;
use std::path::PathBuf;

/// Why generation failed. No output is left in place when it does.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// A configuration value is out of range.
    #[error("invalid {field}: {reason}")]
    InvalidConfig {
        /// The offending setting (`leads`, `as_of`, `threads`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The output folder already holds files or folders: a run never
    /// writes over anything (an empty or new folder is fine).
    #[error(
        "cannot generate into {path:?}: the folder already holds {}; generate never \
         writes over files: choose a new or empty folder",
        listing(.entries, *.total)
    )]
    FolderNotEmpty {
        /// The output folder.
        path: PathBuf,
        /// The names of its first entries (at most [`LISTED_ENTRIES`]), sorted.
        entries: Vec<String>,
        /// How many entries it holds in all.
        total: usize,
    },
    /// A generator thread stopped without delivering its chunk.
    #[error("generator thread failed on chunk {chunk}")]
    Worker {
        /// The chunk that was not delivered.
        chunk: u64,
    },
}

/// How many of a non-empty output folder's entries
/// [`GenerateError::FolderNotEmpty`] names.
pub const LISTED_ENTRIES: usize = 10;

/// `2 entries: a.csv, b` or `12 entries: a, b, ... and 2 more`.
fn listing(entries: &[String], total: usize) -> String {
    let noun = if total == 1 { "entry" } else { "entries" };
    let mut text = format!("{total} {noun}: {}", entries.join(", "));
    if total > entries.len() {
        text.push_str(&format!(" and {} more", total - entries.len()));
    }
    text
}

impl GenerateError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

impl From<leadscore_fs::FsError> for GenerateError {
    /// A failed staging or publishing step, as [`GenerateError::Io`].
    fn from(e: leadscore_fs::FsError) -> Self {
        let (path, source) = e.into_parts();
        Self::Io { path, source }
    }
}
