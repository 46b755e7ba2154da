//! Collecting row problems: all of them when bad rows are skipped, else the first
//! [`MAX_REPORTED`] (every one counted), failing at the end of a step.

use crate::error::MAX_REPORTED;
use crate::{FilesError, RowProblem};

/// Row problems of one step (a file, or a reference check).
pub(crate) struct Problems {
    skip: bool,
    kept: Vec<RowProblem>,
    total: usize,
}

impl Problems {
    pub fn new(skip: bool) -> Self {
        Self {
            skip,
            kept: Vec::new(),
            total: 0,
        }
    }

    pub fn push(&mut self, problem: RowProblem) {
        self.push_with(|| problem);
    }

    /// Counts a problem, building it only when it is kept.
    pub fn push_with(&mut self, problem: impl FnOnce() -> RowProblem) {
        self.total += 1;
        if self.skip || self.kept.len() < MAX_REPORTED {
            self.kept.push(problem());
        }
    }

    /// The problems kept when bad rows are skipped; [`FilesError::BadRows`] when
    /// there was any and they are not.
    pub fn finish(self) -> Result<Vec<RowProblem>, FilesError> {
        if self.total == 0 || self.skip {
            Ok(self.kept)
        } else {
            Err(FilesError::BadRows {
                problems: self.kept,
                total: self.total,
            })
        }
    }
}
