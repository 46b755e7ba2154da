//! The `[retraining]` settings: the schedule, the window of closed leads, and
//! the auto-publish policy's thresholds.

use std::path::PathBuf;
use std::str::FromStr;

use croner::Cron;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policy::Policy;
use crate::EngineError;

/// Retraining, by `leadscore retrain` or on the service's schedule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Retraining {
    /// When the service retrains, as a cron expression in UTC (`0 3 * * 1`:
    /// Mondays at 03:00; six fields with seconds first are accepted); unset, it never does (run `leadscore retrain` from
    /// cron, a Kubernetes CronJob or Airflow instead). With several instances,
    /// one runs each scheduled time.
    pub schedule: Option<String>,
    /// The closed leads trained on: those closed in the last this many days.
    pub window_days: u32,
    /// A retrained model is published when its held-out AUC is at least this
    /// share of the live model's on the same leads.
    pub min_auc_share: f64,
    /// ...or when the live model is older than this many days (0: never for
    /// age alone).
    pub max_champion_age_days: u32,
    /// The share of the window's closed leads held out, the most recently
    /// created (the models are compared on them).
    pub test_fraction: f64,
    /// Fewest leads of each outcome the window must hold.
    pub min_per_class: usize,
    /// Where a run copies the store's records (one snapshot) into parts of
    /// whole neighbourhoods, deleted when it ends; unset, the system's
    /// temporary folder. It needs about 1 GB of free disk a million leads.
    pub scratch_dir: Option<PathBuf>,
    /// The closed leads' rows are built a part at a time, each part whole
    /// neighbourhoods of at least this many leads (a store of fewer is read
    /// whole): memory grows with it, not with the store.
    pub leads_per_part: usize,
}

impl Default for Retraining {
    fn default() -> Self {
        Self {
            schedule: None,
            window_days: 730,
            min_auc_share: 0.95,
            max_champion_age_days: 180,
            test_fraction: 0.2,
            min_per_class: 20,
            scratch_dir: None,
            leads_per_part: leadscore_files::LEADS_PER_PART,
        }
    }
}

impl Retraining {
    /// Checks every value, naming the key.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |reason: String| Err(EngineError::Settings { reason });
        if let Some(schedule) = &self.schedule {
            parse_schedule(schedule)?;
        }
        if self.window_days == 0 {
            return bad("retraining.window_days must be at least 1".to_owned());
        }
        if !(self.min_auc_share > 0.0 && self.min_auc_share <= 1.5) {
            return bad(format!(
                "retraining.min_auc_share must be above 0 and at most 1.5, not {}",
                self.min_auc_share
            ));
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return bad(format!(
                "retraining.test_fraction must be between 0 and 1, not {}",
                self.test_fraction
            ));
        }
        if self.min_per_class == 0 {
            return bad("retraining.min_per_class must be at least 1".to_owned());
        }
        if self.leads_per_part == 0 {
            return bad("retraining.leads_per_part must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The auto-publish thresholds.
    pub fn policy(&self) -> Policy {
        Policy {
            min_auc_share: self.min_auc_share,
            max_champion_age_days: self.max_champion_age_days,
        }
    }

    /// The schedule, parsed; `None` when unset.
    pub fn cron(&self) -> Result<Option<Cron>, EngineError> {
        self.schedule.as_deref().map(parse_schedule).transpose()
    }
}

/// A cron expression: five fields (minute hour day-of-month month
/// day-of-week), or six with seconds first.
pub fn parse_schedule(text: &str) -> Result<Cron, EngineError> {
    Cron::from_str(text).map_err(|e| EngineError::Settings {
        reason: format!("retraining.schedule {text:?} is not a cron expression: {e}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_name_their_key() {
        Retraining::default().validate().unwrap();
        let with = |f: fn(&mut Retraining)| {
            let mut r = Retraining::default();
            f(&mut r);
            r.validate().unwrap_err().to_string()
        };
        assert!(with(|r| r.schedule = Some("every monday".into())).contains("retraining.schedule"));
        assert!(with(|r| r.min_auc_share = 0.0).contains("min_auc_share"));
        assert!(with(|r| r.test_fraction = 1.0).contains("test_fraction"));
        assert!(with(|r| r.window_days = 0).contains("window_days"));
        assert!(with(|r| r.leads_per_part = 0).contains("retraining.leads_per_part"));
        let weekly = Retraining {
            schedule: Some("0 3 * * 1".into()),
            ..Retraining::default()
        };
        assert!(weekly.cron().unwrap().is_some());
    }
}
