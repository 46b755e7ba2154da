//! One lead's computed row, answering by column name.

use std::fmt;
use std::sync::Arc;

use leadscore_features::{Cell, Row, RowSource};

use super::schema::{Schema, absent};

/// One lead's features, from [`FeatureIndex::row`](crate::FeatureIndex::row).
///
/// As a [`RowSource`] it answers every column a model trained on
/// `read_lead_rows` rows may ask for, not only those of its dataset: a
/// profile or custom field column the dataset has no value of is
/// [`Cell::Missing`], `K.7d`/`K.30d`/`K.90d`/`K.365d` of an interaction kind
/// without interactions `Num(0)` and its `K.days_since_last`
/// [`Cell::Missing`], `E.count` of an entity without records `Num(0)`, as
/// `read_lead_rows` has them. Only a name that is never a column (an id, a
/// time, the status: `lead_id`, `status`, `contact.email`) answers `None`.
#[derive(Clone, PartialEq)]
pub struct LeadFeatures {
    schema: Arc<Schema>,
    /// One per schema column.
    cells: Vec<Cell>,
}

impl LeadFeatures {
    pub(super) fn new(schema: Arc<Schema>, cells: Vec<Cell>) -> Self {
        Self { schema, cells }
    }

    /// Every column of the dataset's rows with its cell, in `read_lead_rows`'
    /// column order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Cell)> {
        self.schema.names.iter().map(|n| &**n).zip(&self.cells)
    }

    /// The cell of a column of the dataset's rows, borrowed (`None` for any
    /// other column; [`RowSource::cell`] answers those too).
    pub fn get(&self, column: &str) -> Option<&Cell> {
        self.schema.position(column).and_then(|i| self.cells.get(i))
    }

    /// The cell of the dataset's `i`th column.
    pub(crate) fn cell_at(&self, i: usize) -> Option<&Cell> {
        self.cells.get(i)
    }

    /// Every column of the dataset's rows, in `read_lead_rows`' column order.
    pub fn to_row(&self) -> Row {
        Row {
            cells: self
                .iter()
                .map(|(name, cell)| (name.to_owned(), cell.clone()))
                .collect(),
        }
    }
}

impl RowSource for LeadFeatures {
    fn cell(&self, column: &str) -> Option<Cell> {
        match self.get(column) {
            Some(cell) => Some(cell.clone()),
            None => absent(column),
        }
    }
}

impl fmt::Debug for LeadFeatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
