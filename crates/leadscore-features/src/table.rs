//! Input data: a column-wise [`Table`] for fitting and batch scoring, and a
//! single [`Row`] (or any [`RowSource`]) for scoring one lead.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{FeaturesError, Labels, Numbers};

/// Training or scoring data, column by column. All columns have the same length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The columns, in any order; names must be distinct.
    pub columns: Vec<Column>,
}

/// One named column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The column's name, used to match training and scoring data.
    pub name: String,
    /// The cells, `None` where a value is missing.
    pub values: ColumnValues,
}

/// The cells of a column: numbers or category labels, held compactly
/// ([`Numbers`], [`Labels`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnValues {
    /// Numbers, such as employee counts or days since the last visit.
    Numeric(Numbers),
    /// Labels, such as an industry or a lead source.
    Categorical(Labels),
}

impl ColumnValues {
    /// The number of cells.
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Numeric(v) => v.len(),
            ColumnValues::Categorical(v) => v.len(),
        }
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any cell holds a value.
    pub fn has_values(&self) -> bool {
        match self {
            ColumnValues::Numeric(v) => v.iter().any(|c| c.is_some()),
            ColumnValues::Categorical(v) => v.iter().any(|c| c.is_some()),
        }
    }

    /// The cells at `rows`, in that order; a row past the end gives a missing cell.
    pub fn take(&self, rows: &[usize]) -> Self {
        match self {
            ColumnValues::Numeric(v) => ColumnValues::Numeric(v.take(rows)),
            ColumnValues::Categorical(v) => ColumnValues::Categorical(v.take(rows)),
        }
    }
}

/// Reads a text cell: surrounding blanks are trimmed and an empty cell is missing.
fn present(cell: Option<&str>) -> Option<&str> {
    cell.map(str::trim).filter(|s| !s.is_empty())
}

/// Parses text as a finite number.
pub(crate) fn parse_finite(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Column {
    /// A numeric column (of a `Vec<Option<f64>>`, or of [`Numbers`]).
    pub fn numeric(name: impl Into<String>, values: impl Into<Numbers>) -> Self {
        Self {
            name: name.into(),
            values: ColumnValues::Numeric(values.into()),
        }
    }

    /// A categorical column (of a `Vec<Option<String>>`, or of [`Labels`]).
    pub fn categorical(name: impl Into<String>, values: impl Into<Labels>) -> Self {
        Self {
            name: name.into(),
            values: ColumnValues::Categorical(values.into()),
        }
    }

    /// A column read from text cells, deciding its kind from the cells: numeric
    /// when every present cell parses as a finite number, categorical otherwise
    /// (so `true`/`false` and `yes`/`no` are categorical). Blank cells are missing;
    /// labels are trimmed. A column with no present cell is numeric.
    ///
    /// At scoring time, prefer [`Column::categorical_from_text`] or
    /// [`Column::numeric_from_text`] with the kind the encoder was trained with
    /// ([`Encoder::input_columns`](crate::Encoder::input_columns)): a batch can
    /// look numeric by chance (codes like `"02139"`).
    pub fn from_text(name: impl Into<String>, cells: &[Option<&str>]) -> Self {
        let numbers: Option<Numbers> = cells
            .iter()
            .map(|c| match present(*c) {
                None => Some(None),
                Some(text) => parse_finite(text).map(Some),
            })
            .collect();
        match numbers {
            Some(values) => Self::numeric(name, values),
            None => Self::categorical_from_text(name, cells),
        }
    }

    /// A categorical column read from text cells (blank cells are missing, labels trimmed).
    pub fn categorical_from_text(name: impl Into<String>, cells: &[Option<&str>]) -> Self {
        let values: Labels = cells.iter().map(|c| present(*c)).collect();
        Self::categorical(name, values)
    }

    /// A numeric column read from text cells (blank cells are missing); a cell
    /// that is not a finite number is an error naming the column.
    pub fn numeric_from_text(
        name: impl Into<String>,
        cells: &[Option<&str>],
    ) -> Result<Self, FeaturesError> {
        let name = name.into();
        let mut values = Numbers::with_capacity(cells.len());
        for cell in cells {
            values.push(match present(*cell) {
                None => None,
                Some(text) => {
                    Some(parse_finite(text).ok_or_else(|| FeaturesError::NotNumeric {
                        column: name.clone(),
                        value: text.to_owned(),
                    })?)
                }
            });
        }
        Ok(Self::numeric(name, values))
    }
}

impl Table {
    /// A table of the given columns (not yet checked; see [`Table::rows`]).
    pub fn new(columns: Vec<Column>) -> Self {
        Self { columns }
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The number of rows, after checking that every column has the same length
    /// and that names are distinct. A table without columns has no rows.
    pub fn rows(&self) -> Result<usize, FeaturesError> {
        let mut seen = HashSet::new();
        let Some(first) = self.columns.first() else {
            return Ok(0);
        };
        let expected = first.values.len();
        for column in &self.columns {
            if !seen.insert(column.name.as_str()) {
                return Err(FeaturesError::DuplicateColumn {
                    column: column.name.clone(),
                });
            }
            if column.values.len() != expected {
                return Err(FeaturesError::ColumnLength {
                    column: column.name.clone(),
                    found: column.values.len(),
                    first: first.name.clone(),
                    expected,
                });
            }
        }
        Ok(expected)
    }
}

/// One cell of a row at scoring time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    /// A number.
    Num(f64),
    /// Text: a label, or a number as text for a numeric column.
    Text(String),
    /// No value.
    Missing,
}

/// Anything that can look up a cell by column name: a [`Row`], or a closure
/// `Fn(&str) -> Option<Cell>`. `None` means the column is absent (an error when
/// the encoder needs it); `Some(Cell::Missing)` means the value is missing.
pub trait RowSource {
    /// The cell of this column, or `None` when the row has no such column.
    fn cell(&self, column: &str) -> Option<Cell>;
}

impl<F: Fn(&str) -> Option<Cell>> RowSource for F {
    fn cell(&self, column: &str) -> Option<Cell> {
        self(column)
    }
}

/// A row as named cells, for scoring one lead.
///
/// ```
/// use leadscore_features::{Cell, Row, RowSource};
///
/// let row = Row::new().with("employees", Cell::Num(40.0)).with("industry", Cell::Text("Retail".into()));
/// assert_eq!(row.cell("employees"), Some(Cell::Num(40.0)));
/// assert_eq!(row.cell("country"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// `(column, cell)` pairs; the first pair with a name wins.
    pub cells: Vec<(String, Cell)>,
}

impl Row {
    /// An empty row.
    pub fn new() -> Self {
        Self::default()
    }

    /// This row with one more cell.
    pub fn with(mut self, column: impl Into<String>, cell: Cell) -> Self {
        self.cells.push((column.into(), cell));
        self
    }
}

impl RowSource for Row {
    fn cell(&self, column: &str) -> Option<Cell> {
        self.cells
            .iter()
            .find(|(name, _)| name == column)
            .map(|(_, cell)| cell.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_text_decides_the_kind() {
        let n = Column::from_text("n", &[Some("1"), None, Some(" 2.5 "), Some("")]);
        assert_eq!(
            n.values,
            ColumnValues::Numeric(vec![Some(1.0), None, Some(2.5), None].into())
        );
        let b = Column::from_text("b", &[Some("true"), Some("false")]);
        assert!(matches!(b.values, ColumnValues::Categorical(_)));
        let y = Column::from_text("y", &[Some("yes"), Some("1")]);
        assert_eq!(
            y.values,
            ColumnValues::Categorical(vec![Some("yes".to_owned()), Some("1".to_owned())].into())
        );
        let inf = Column::from_text("inf", &[Some("inf"), Some("1")]);
        assert!(matches!(inf.values, ColumnValues::Categorical(_)));
    }

    #[test]
    fn numeric_from_text_names_the_column() {
        let err = Column::numeric_from_text("employees", &[Some("12"), Some("many")]);
        assert_eq!(
            err,
            Err(FeaturesError::NotNumeric {
                column: "employees".into(),
                value: "many".into()
            })
        );
    }

    #[test]
    fn rows_checks_lengths_and_names() {
        let t = Table::new(vec![
            Column::numeric("a", vec![Some(1.0), None]),
            Column::numeric("b", vec![Some(1.0)]),
        ]);
        assert!(
            matches!(t.rows(), Err(FeaturesError::ColumnLength { column, .. }) if column == "b")
        );
        let d = Table::new(vec![
            Column::numeric("a", vec![]),
            Column::numeric("a", vec![]),
        ]);
        assert!(
            matches!(d.rows(), Err(FeaturesError::DuplicateColumn { column }) if column == "a")
        );
    }
}
