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

/// The area under the ROC curve of `pairs` (ties count half), as the
/// model's metrics compute it; an error when one outcome is missing.
pub(crate) fn auc(pairs: &[(f64, bool)]) -> Result<f64, Box<dyn std::error::Error>> {
    Ok(leadscore_metrics::roc_auc(pairs).ok_or("an AUC needs both outcomes")?)
}
