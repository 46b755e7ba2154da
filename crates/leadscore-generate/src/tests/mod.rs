//! Tests of whole runs: determinism, the file layout, referential integrity,
//! realism and the learnability of the ground truth.

mod files;
mod quality;
mod runs;

use std::collections::HashMap;
use std::path::Path;

use leadscore_domain::Timestamp;

use crate::{DEFAULT_AS_OF, GenerateSummary, GeneratorConfig, generate};

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Every kind the generator writes: the six standard ones and the custom one.
pub(crate) fn all_kinds() -> Vec<&'static str> {
    let mut kinds = leadscore_domain::STANDARD_KINDS.to_vec();
    kinds.push(crate::vocab::CUSTOM_KIND);
    kinds
}

pub(crate) fn as_of() -> Result<Timestamp, Box<dyn std::error::Error>> {
    Ok(Timestamp::parse(DEFAULT_AS_OF)?)
}

/// Generates into a fresh temporary folder.
pub(crate) fn run(
    leads: u64,
    seed: u64,
    threads: usize,
) -> Result<(tempfile::TempDir, GenerateSummary), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let config = GeneratorConfig::new(leads, seed, as_of()?)?.with_threads(threads);
    let summary = generate(&config, dir.path(), &|_| {})?;
    Ok((dir, summary))
}

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

/// The area under the ROC curve of `scores` against `labels` (ties count half).
pub(crate) fn auc(pairs: &[(f64, bool)]) -> f64 {
    let mut sorted: Vec<(f64, bool)> = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = sorted.iter().filter(|p| p.1).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let mid_rank = (i + j + 1) as f64 / 2.0;
        let tied_positives = sorted[i..j].iter().filter(|p| p.1).count() as f64;
        rank_sum += mid_rank * tied_positives;
        i = j;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[test]
fn auc_of_known_cases() {
    assert!((auc(&[(1.0, false), (2.0, true)]) - 1.0).abs() < 1e-12);
    assert!((auc(&[(1.0, true), (2.0, false)]) - 0.0).abs() < 1e-12);
    assert!((auc(&[(1.0, true), (1.0, false)]) - 0.5).abs() < 1e-12);
}
