//! [`FeatureIndex::closed_rows`]: the training table of a dataset's closed
//! leads, as `read_lead_rows` builds it from a folder, for retraining from
//! records held in memory (a store) rather than files.

use leadscore_domain::{Lead, LeadStatus, Timestamp};
use leadscore_features::{Cell, Column, Numbers, Table};

use crate::{FeatureIndex, LeadFeatures};

/// The closed leads of a window, one row each, computed as of its close.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedRows {
    /// Each row's lead, in dataset order.
    pub lead_ids: Vec<String>,
    /// The feature columns, in `read_lead_rows`' order and typing: a column
    /// of text cells is numeric when every present cell reads as a finite
    /// number, categorical otherwise.
    pub features: Table,
    /// `true` for a qualified lead, `false` for a disqualified one.
    pub outcomes: Vec<bool>,
    /// When each lead was created.
    pub created_at: Vec<Timestamp>,
    /// When each lead closed (the time its row is computed at).
    pub closed_at: Vec<Timestamp>,
}

impl ClosedRows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.lead_ids.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.lead_ids.is_empty()
    }
}

impl FeatureIndex<'_> {
    /// Every lead that was qualified or disqualified with a close time in
    /// `from..=to` (and created by `to`), each as of its close, the rows
    /// `read_lead_rows` gives a folder's closed leads for training.
    pub fn closed_rows(&self, from: Timestamp, to: Timestamp) -> ClosedRows {
        self.closed_rows_where(from, to, &|_| true)
    }

    /// [`FeatureIndex::closed_rows`] of the leads for which `keep` holds: a
    /// sample of them, in a dataset that also holds leads read only for
    /// their neighbours' features.
    pub fn closed_rows_where(
        &self,
        from: Timestamp,
        to: Timestamp,
        keep: &dyn Fn(&Lead) -> bool,
    ) -> ClosedRows {
        let mut picked = Vec::new();
        let mut out = ClosedRows {
            lead_ids: Vec::new(),
            features: Table::new(Vec::new()),
            outcomes: Vec::new(),
            created_at: Vec::new(),
            closed_at: Vec::new(),
        };
        for (index, lead) in self.data().leads.iter().enumerate() {
            let outcome = match lead.status {
                LeadStatus::Qualified => true,
                LeadStatus::Disqualified => false,
                LeadStatus::Open => continue,
            };
            let Some(closed) = lead.closed_at else {
                continue;
            };
            if closed < from || closed > to || lead.created_at > to || !keep(lead) {
                continue;
            }
            picked.push((index, closed));
            out.lead_ids.push(lead.lead_id.as_str().to_owned());
            out.outcomes.push(outcome);
            out.created_at.push(lead.created_at);
            out.closed_at.push(closed);
        }
        out.features = self.table(&picked);
        out
    }

    /// The rows of the given leads (index in `data.leads`, row time) as one
    /// table, typed as `read_lead_rows` types its columns.
    pub fn table(&self, rows: &[(usize, Timestamp)]) -> Table {
        let rows: Vec<LeadFeatures> = rows.iter().map(|&(i, at)| self.row(i, at)).collect();
        let columns = self
            .columns()
            .enumerate()
            .map(|(i, name)| {
                let cells: Vec<&Cell> = rows
                    .iter()
                    .map(|r| r.cell_at(i).unwrap_or(&Cell::Missing))
                    .collect();
                column(name, &cells)
            })
            .collect();
        Table::new(columns)
    }
}

/// A column from one cell per row: numeric when no cell is text, else read
/// from text as `read_lead_rows` reads a text column (numbers as their text).
fn column(name: &str, cells: &[&Cell]) -> Column {
    if cells.iter().all(|c| !matches!(c, Cell::Text(_))) {
        let values: Numbers = cells
            .iter()
            .map(|c| match c {
                Cell::Num(x) => Some(*x),
                _ => None,
            })
            .collect();
        return Column::numeric(name, values);
    }
    let texts: Vec<Option<String>> = cells
        .iter()
        .map(|c| match c {
            Cell::Num(x) => Some(x.to_string()),
            Cell::Text(t) => Some(t.clone()),
            Cell::Missing => None,
        })
        .collect();
    let borrowed: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
    Column::from_text(name, &borrowed)
}
