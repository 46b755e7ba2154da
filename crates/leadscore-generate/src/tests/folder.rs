//! A generated folder read back with the csv crate, for the crate's tests
//! and the calibration benchmark (`benches/calibration.rs` includes this
//! file), so that both read the files one way.

use std::collections::HashMap;
use std::path::Path;

use leadscore_domain::Timestamp;

/// The five files of a generated folder, read back.
pub(crate) struct Folder {
    pub accounts: Table,
    pub contacts: Table,
    pub leads: Table,
    pub interactions: Table,
    pub meetings: Table,
}

impl Folder {
    pub(crate) fn read(dir: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        let read = |name: &str| Table::read(&dir.join(name));
        Ok(Self {
            accounts: read("accounts.csv")?,
            contacts: read("contacts.csv")?,
            leads: read("leads.csv")?,
            interactions: read("interactions.csv")?,
            meetings: read("custom/Meeting.csv")?,
        })
    }
}

/// A CSV file read back with the csv crate.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
    columns: HashMap<String, usize>,
}

impl Table {
    pub(crate) fn read(path: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        let mut reader = csv::Reader::from_path(path)?;
        let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
        let rows = reader.records().collect::<Result<Vec<_>, _>>()?;
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        Ok(Self {
            header,
            rows,
            columns,
        })
    }

    /// The cell of `column` in `row`; `None` when empty.
    pub(crate) fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.columns
            .get(column)
            .and_then(|i| row.get(*i))
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `column`.
    pub(crate) fn values<'r>(&'r self, column: &str) -> impl Iterator<Item = &'r str> + 'r {
        let index = self.columns.get(column).copied();
        self.rows
            .iter()
            .filter_map(move |r| index.and_then(|i| r.get(i)).filter(|v| !v.is_empty()))
    }
}

/// Seconds since the epoch of an RFC 3339 cell.
pub(crate) fn seconds(value: &str) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(Timestamp::parse(value)?.as_seconds())
}
