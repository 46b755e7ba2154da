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
    /// A generator thread stopped without delivering its chunk.
    #[error("generator thread failed on chunk {chunk}")]
    Worker {
        /// The chunk that was not delivered.
        chunk: u64,
    },
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
