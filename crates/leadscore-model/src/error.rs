//! The crate's error type.

use std::path::PathBuf;

use leadscore_features::FeaturesError;
use thiserror::Error;

/// Everything that can go wrong while training, storing, loading or applying a
/// conversion model.
#[derive(Debug, Error)]
pub enum ModelError {
    /// A hyperparameter is out of range.
    #[error("{param} = {value}: {reason}")]
    InvalidParam {
        /// The parameter's name.
        param: &'static str,
        /// The value given.
        value: String,
        /// What it must be.
        reason: &'static str,
    },
    /// Too few outcomes of one class to fit and check a model worth publishing.
    #[error(
        "too few outcomes to train a trustworthy model: {positives} converted and {negatives} \
         not converted, and at least {min} of each are needed; score these leads with the rule \
         models instead"
    )]
    TooFewOutcomes {
        /// Converted rows.
        positives: usize,
        /// Rows that did not convert.
        negatives: usize,
        /// The minimum of each.
        min: usize,
    },
    /// A part of the data (the training part, a cross-validation fold or the test
    /// data) holds one class only.
    #[error("the {part} holds only {class} leads, so a model cannot be fitted or measured on it")]
    OneClass {
        /// Which part.
        part: &'static str,
        /// The class it holds.
        class: &'static str,
    },
    /// The solver stopped before reaching the optimum.
    #[error(
        "the solver did not converge (L2 penalty {l2}): after {iterations} iterations the \
         gradient norm is {gradient:.3e}, above the tolerance {tolerance:.1e}; raise \
         max_iterations, or regularize more"
    )]
    NotConverged {
        /// The L2 penalty being fitted.
        l2: f64,
        /// The iteration budget.
        iterations: u64,
        /// The norm of the mean gradient where the solver stopped.
        gradient: f64,
        /// The tolerance it had to reach.
        tolerance: f64,
    },
    /// The solver failed outright.
    #[error("the solver failed (L2 penalty {l2}): {message}")]
    Solver {
        /// The L2 penalty being fitted.
        l2: f64,
        /// What the solver said.
        message: String,
    },
    /// The features and the labels disagree.
    #[error("{what}: {found} rows, expected {expected}")]
    RowCount {
        /// What was counted.
        what: &'static str,
        /// Rows found.
        found: usize,
        /// Rows expected.
        expected: usize,
    },
    /// A time-based split was asked for without times.
    #[error(
        "a time-based split needs a time for every row (a DATA.md folder gives them; a flat file does not)"
    )]
    NoTimes,
    /// Data handed in to be scored or measured supply too few of the model's
    /// input columns (see [`crate::prepare_inputs`]).
    #[error(
        "the data supply {supplied} of the model's {inputs} input columns, and at least \
         {needed} must have values (else every lead gets nearly the same score): missing {}; {}",
        crate::coverage::listed(missing),
        crate::coverage::data_columns(columns)
    )]
    TooFewInputs {
        /// The model's input columns the data supply (with a value in some row).
        supplied: usize,
        /// The model's input columns.
        inputs: usize,
        /// The fewest that must be supplied.
        needed: usize,
        /// The model's columns the data lack or hold empty, in the model's order.
        missing: Vec<crate::MissingInput>,
        /// The data's columns.
        columns: Vec<String>,
    },
    /// Encoding the features failed.
    #[error(transparent)]
    Features(#[from] FeaturesError),
    /// A model file could not be read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A model file is not a valid artifact.
    #[error("{}: not a valid leadscore model: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A model file was changed after it was written.
    #[error(
        "{}: checksum mismatch (the file says {expected}, its content hashes to {found}); the model was changed or damaged after training",
        path.display()
    )]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The checksum stored in the file.
        expected: String,
        /// The checksum of its content.
        found: String,
    },
    /// A model file written by a newer leadscore.
    #[error(
        "{}: model format version {found} is newer than this leadscore reads (up to {supported}); upgrade leadscore",
        path.display()
    )]
    NewerFormat {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The newest version this build reads.
        supported: u64,
    },
    /// A model file holds a model family this build does not know.
    #[error(
        "the model's family is {family:?}, which this leadscore does not read (it reads: {}); upgrade leadscore",
        crate::family::FAMILIES.join(", ")
    )]
    UnknownFamily {
        /// The family named in the file.
        family: String,
    },
}

impl From<leadscore_fs::FsError> for ModelError {
    /// A failed whole-or-nothing write of a model file, as [`ModelError::Io`].
    fn from(e: leadscore_fs::FsError) -> Self {
        let (path, source) = e.into_parts();
        Self::Io {
            path,
            message: source.to_string(),
        }
    }
}
