//! The one error type of the crate.

use thiserror::Error;

/// Everything that can go wrong while fitting or applying an encoding.
///
/// Every variant that concerns a column names it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FeaturesError {
    /// A hyperparameter in [`EncoderParams`](crate::EncoderParams) is out of range.
    #[error("invalid encoder parameter `{param}` = {value}: {reason}")]
    InvalidParam {
        /// The parameter's field name.
        param: &'static str,
        /// The rejected value, as text.
        value: String,
        /// What the value must be.
        reason: &'static str,
    },
    /// A column's length differs from the table's first column.
    #[error(
        "column `{column}` has {found} values, but column `{first}` has {expected}; all columns must be the same length"
    )]
    ColumnLength {
        /// The column with the wrong length.
        column: String,
        /// Its length.
        found: usize,
        /// The first column of the table, whose length sets the rule.
        first: String,
        /// The first column's length.
        expected: usize,
    },
    /// Two columns share a name.
    #[error("column `{column}` appears more than once")]
    DuplicateColumn {
        /// The repeated name.
        column: String,
    },
    /// The training table has no rows.
    #[error("cannot fit an encoding on a table with no rows")]
    NoRows,
    /// A column the encoder was fitted on is absent from the table or row.
    #[error("column `{column}` was used in training but is missing from the input")]
    MissingColumn {
        /// The absent column.
        column: String,
    },
    /// A numeric column was given text that is not a finite number.
    #[error("column `{column}` is numeric, but {value:?} is not a finite number")]
    NotNumeric {
        /// The numeric column.
        column: String,
        /// The offending text.
        value: String,
    },
    /// A numeric column holds NaN or an infinity, or its encoding overflows.
    #[error("column `{column}` holds or produces a non-finite number")]
    NonFinite {
        /// The numeric column.
        column: String,
    },
    /// A value of one row could not be encoded (at scoring time, in a table).
    #[error("row {row}: {source}")]
    InRow {
        /// The row, counted from 1 in the table given.
        row: usize,
        /// What was wrong with its value.
        source: Box<FeaturesError>,
    },
    /// An encoding has more features than compact rows can index.
    #[error("{features} features are more than compact rows can index")]
    TooManyFeatures {
        /// The features.
        features: usize,
    },
    /// A column's one-hot features were not zeros and at most one 1 (an
    /// encoder's own invariant: never seen in practice).
    #[error("column `{column}` did not encode as one-hot features")]
    NotOneHot {
        /// The column.
        column: String,
    },
    /// Rows were asked for past a table's end.
    #[error("row {row} was asked for, but the table has {rows} rows")]
    RowOutOfRange {
        /// The end of the rows asked for (exclusive, from 0).
        row: usize,
        /// The table's rows.
        rows: usize,
    },
}
