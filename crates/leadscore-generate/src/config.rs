//! What to generate: the validated configuration and the chunk plan derived from it.

use leadscore_domain::Timestamp;

use crate::GenerateError;
use crate::format::digits;

/// The as-of time used when none is given. Fixed, so that the same seed gives the
/// same bytes on any day.
pub const DEFAULT_AS_OF: &str = "2026-10-01T00:00:00Z";

/// The most leads one run may generate.
pub const MAX_LEADS: u64 = 50_000_000;

/// Most leads in one chunk, the unit of work, of memory and of progress.
const MAX_CHUNK_LEADS: u64 = 4_096;
/// Fewest leads in one chunk (unless the run has fewer).
const MIN_CHUNK_LEADS: u64 = 64;

/// The earliest and latest accepted as-of times (seconds since the epoch):
/// 1900-01-01 and 9000-01-01, so the whole history has four-digit years.
const AS_OF_RANGE: (i64, i64) = (-2_208_988_800, 221_845_392_000);

/// A validated request: how many leads, which seed, as of when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    leads: u64,
    seed: u64,
    as_of: Timestamp,
    threads: usize,
}

impl GeneratorConfig {
    /// Checks the request up front: `leads` in `1..=50_000_000`, `as_of` between
    /// 1900 and 9000. Everything is generated at or before `as_of`.
    pub fn new(leads: u64, seed: u64, as_of: Timestamp) -> Result<Self, GenerateError> {
        if !(1..=MAX_LEADS).contains(&leads) {
            return Err(GenerateError::InvalidConfig {
                field: "leads",
                reason: format!("{leads} is not between 1 and {MAX_LEADS}"),
            });
        }
        if !(AS_OF_RANGE.0..=AS_OF_RANGE.1).contains(&as_of.as_seconds()) {
            return Err(GenerateError::InvalidConfig {
                field: "as_of",
                reason: format!("{as_of} is not between 1900 and 9000"),
            });
        }
        Ok(Self {
            leads,
            seed,
            as_of,
            threads: 0,
        })
    }

    /// Sets how many generator threads to use; 0 (the default) means one per
    /// available core. The output does not depend on it.
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The number of leads to generate.
    pub fn leads(&self) -> u64 {
        self.leads
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The as-of time: nothing happens after it.
    pub fn as_of(&self) -> Timestamp {
        self.as_of
    }

    /// The number of generator threads asked for (0 = automatic).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The as-of time in whole seconds, rounded down.
    pub(crate) fn as_of_seconds(&self) -> i64 {
        self.as_of.as_seconds()
    }

    /// The number of generator threads to start.
    pub(crate) fn worker_count(&self) -> usize {
        let wanted = if self.threads == 0 {
            std::thread::available_parallelism().map_or(2, usize::from)
        } else {
            self.threads
        };
        wanted.clamp(1, 64)
    }

    /// How the leads are cut into chunks: a function of the lead count only.
    pub(crate) fn plan(&self) -> Plan {
        let chunk_leads = self
            .leads
            .div_ceil(16)
            .clamp(MIN_CHUNK_LEADS, MAX_CHUNK_LEADS)
            .min(self.leads);
        Plan {
            leads: self.leads,
            chunk_leads,
            chunks: self.leads.div_ceil(chunk_leads),
            widths: Widths::for_leads(self.leads),
        }
    }
}

/// The chunking of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub leads: u64,
    pub chunk_leads: u64,
    pub chunks: u64,
    pub widths: Widths,
}

impl Plan {
    /// The number of leads in chunk `i`.
    pub(crate) fn leads_in(&self, i: u64) -> u64 {
        let start = i * self.chunk_leads;
        self.leads.saturating_sub(start).min(self.chunk_leads)
    }
}

/// Digits of each id kind, from bounds on how many there can be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Widths {
    pub account: usize,
    pub contact: usize,
    pub lead: usize,
    pub interaction: usize,
    pub meeting: usize,
    pub visitor: usize,
}

impl Widths {
    fn for_leads(n: u64) -> Self {
        let w = |bound: u64, min: usize| digits(bound).max(min);
        Self {
            account: w(n / 2, 6),
            contact: w(n * 2, 7),
            lead: w(n, 7),
            interaction: w(n * 20, 8),
            meeting: w(n * 3, 7),
            visitor: w(n * 2, 7),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn validates_up_front() -> TestResult {
        let as_of = Timestamp::parse(DEFAULT_AS_OF)?;
        assert!(GeneratorConfig::new(1, 0, as_of).is_ok());
        assert!(GeneratorConfig::new(MAX_LEADS, 0, as_of).is_ok());
        for bad in [0, MAX_LEADS + 1] {
            assert!(matches!(
                GeneratorConfig::new(bad, 0, as_of),
                Err(GenerateError::InvalidConfig { field: "leads", .. })
            ));
        }
        let ancient = Timestamp::parse("1500-01-01")?;
        assert!(matches!(
            GeneratorConfig::new(10, 0, ancient),
            Err(GenerateError::InvalidConfig { field: "as_of", .. })
        ));
        Ok(())
    }

    #[test]
    fn plans_cover_every_lead() -> TestResult {
        let as_of = Timestamp::parse(DEFAULT_AS_OF)?;
        for n in [1, 63, 64, 65, 1_000, 4_097, 1_000_000, 1_234_567] {
            let plan = GeneratorConfig::new(n, 1, as_of)?.plan();
            let total: u64 = (0..plan.chunks).map(|i| plan.leads_in(i)).sum();
            assert_eq!(total, n);
            assert!(plan.leads_in(plan.chunks - 1) > 0);
        }
        Ok(())
    }
}
