//! Collecting row problems: all of them when bad rows are skipped, else the first
//! [`MAX_REPORTED`] (every one counted), failing at the end of a step.

use crate::error::MAX_REPORTED;
use crate::{FilesError, RowProblem};

/// Row problems of one step (a file, or a reference check).
pub(crate) struct Problems {
    skip: bool,
    kept: Vec<RowProblem>,
    /// The references kept, apart (see [`Problems::push_reference_with`]).
    references: Vec<RowProblem>,
    total: usize,
}

impl Problems {
    pub fn new(skip: bool) -> Self {
        Self {
            skip,
            kept: Vec::new(),
            references: Vec::new(),
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

    /// Counts a reference to a record that does not exist, building it only
    /// when it is kept. Skipped references are listed after the values'
    /// problems ([`Problems::finish_apart`]), as a whole folder's reader finds
    /// them after every value.
    pub fn push_reference_with(&mut self, problem: impl FnOnce() -> RowProblem) {
        self.total += 1;
        if self.skip {
            self.references.push(problem());
        } else if self.kept.len() < MAX_REPORTED {
            self.kept.push(problem());
        }
    }

    /// The problems kept when bad rows are skipped; [`FilesError::BadRows`] when
    /// there was any and they are not.
    pub fn finish(self) -> Result<Vec<RowProblem>, FilesError> {
        let (mut kept, references) = self.finish_apart()?;
        kept.extend(references);
        Ok(kept)
    }

    /// [`Problems::finish`], with the skipped references apart from the
    /// other problems.
    pub fn finish_apart(self) -> Result<(Vec<RowProblem>, Vec<RowProblem>), FilesError> {
        if self.total == 0 || self.skip {
            Ok((self.kept, self.references))
        } else {
            Err(FilesError::BadRows {
                problems: self.kept,
                total: self.total,
            })
        }
    }
}
