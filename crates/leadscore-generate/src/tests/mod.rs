//! Tests of whole runs: determinism, the file layout, referential integrity,
//! realism and the learnability of the ground truth.

mod files;
mod folder;
mod quality;
mod runs;

use leadscore_domain::Timestamp;

use crate::{DEFAULT_AS_OF, GenerateSummary, GeneratorConfig, generate};

pub(crate) use folder::{Folder, Table, seconds};

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
