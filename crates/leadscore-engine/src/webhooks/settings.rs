//! How deliveries are sent and retried: [`DeliverySettings`], read from
//! configuration and validated, and the retry backoff with its jitter.

use std::time::Duration;

use leadscore_domain::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::refusal::Problem;

/// How deliveries are sent and retried.
///
/// Read from configuration with every field optional (defaults below),
/// durations as whole milliseconds, and unknown fields rejected:
///
/// ```toml
/// timeout_ms = 5000        # per attempt, connecting included
/// max_attempts = 12        # then the delivery is marked failed
/// backoff_base_ms = 500    # first retry after 0.25 to 0.5 s
/// backoff_max_ms = 600000  # retries at most 10 min apart
/// poll_ms = 200            # look for due deliveries at least this often
/// lease_ms = 60000         # how long a claim lasts
/// batch = 32               # endpoints per round, and deliveries per endpoint
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeliverySettings {
    /// How long one attempt may take, connecting included (`timeout_ms`,
    /// default 5 s).
    #[serde(rename = "timeout_ms", with = "millis")]
    #[schemars(with = "u64")]
    pub timeout: Duration,
    /// Attempts before a delivery is marked failed (default 12).
    pub max_attempts: u32,
    /// The wait before the first retry, doubled for each further one, before
    /// jitter (`backoff_base_ms`, default 500 ms).
    #[serde(rename = "backoff_base_ms", with = "millis")]
    #[schemars(with = "u64")]
    pub backoff_base: Duration,
    /// The longest wait between retries, before jitter (`backoff_max_ms`,
    /// default 10 min).
    #[serde(rename = "backoff_max_ms", with = "millis")]
    #[schemars(with = "u64")]
    pub backoff_max: Duration,
    /// How often [`Deliverer::run`](super::Deliverer::run) looks for due
    /// deliveries when not woken (`poll_ms`, default 200 ms).
    #[serde(rename = "poll_ms", with = "millis")]
    #[schemars(with = "u64")]
    pub poll: Duration,
    /// How long a claim on one delivery lasts (`lease_ms`, default 60 s); at
    /// least twice the timeout.
    #[serde(rename = "lease_ms", with = "millis")]
    #[schemars(with = "u64")]
    pub lease: Duration,
    /// How many endpoints one round serves, and how many deliveries it sends to
    /// each at most (default 32).
    pub batch: usize,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_attempts: 12,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(600),
            poll: Duration::from_millis(200),
            lease: Duration::from_secs(60),
            batch: 32,
        }
    }
}

/// Durations as whole milliseconds.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

impl DeliverySettings {
    /// Checks the settings: at least one attempt, a non-empty batch, non-zero
    /// timeout, poll and backoff base, a backoff maximum not below the base,
    /// and a lease of at least twice the timeout (a claim must outlast the
    /// attempt it covers). Fields are named as in configuration (`lease_ms`).
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        let mut problem = |field: &str, message: &str| {
            problems.push(Problem {
                field: field.to_owned(),
                message: message.to_owned(),
            });
        };
        if self.max_attempts == 0 {
            problem("max_attempts", "must be at least 1");
        }
        if self.batch == 0 {
            problem("batch", "must be at least 1");
        }
        if self.timeout.is_zero() {
            problem("timeout_ms", "must be more than 0");
        }
        if self.poll.is_zero() {
            problem("poll_ms", "must be more than 0");
        }
        if self.backoff_base.is_zero() {
            problem("backoff_base_ms", "must be more than 0");
        }
        if self.backoff_max < self.backoff_base {
            problem("backoff_max_ms", "must not be less than backoff_base_ms");
        }
        if self.lease < self.timeout.saturating_mul(2) {
            problem("lease_ms", "must be at least twice timeout_ms");
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The wait before the next attempt after `attempts` failed ones (1 for the
    /// first retry): `min(backoff_max, backoff_base * 2^(attempts - 1))`
    /// scaled by `jitter`, which is clamped to `0.5..=1.0` (the deliverer draws
    /// it at random, so that retries from many failures spread out).
    pub fn backoff(&self, attempts: u32, jitter: f64) -> Duration {
        let exponent = attempts.saturating_sub(1);
        let factor = 1u32.checked_shl(exponent).unwrap_or(u32::MAX);
        let full = self
            .backoff_base
            .checked_mul(factor)
            .map_or(self.backoff_max, |d| d.min(self.backoff_max));
        let jitter = if jitter.is_nan() {
            1.0
        } else {
            jitter.clamp(0.5, 1.0)
        };
        Duration::try_from_secs_f64(full.as_secs_f64() * jitter).unwrap_or(full)
    }
}

/// A random number in `0.0..1.0`, good enough for jitter (not for secrets):
/// the standard library's randomly keyed SipHash over the current time. The
/// `rand` dependency is built without a generator (no `thread_rng`,
/// `small_rng` or `os_rng` feature).
pub(super) fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(Timestamp::now().as_micros());
    // The top 53 bits, as a fraction.
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds() {
        let settings = DeliverySettings::default();
        let base = settings.backoff_base;
        assert_eq!(settings.backoff(1, 1.0), base);
        assert_eq!(settings.backoff(2, 1.0), base * 2);
        assert_eq!(settings.backoff(3, 1.0), base * 4);
        assert_eq!(settings.backoff(1, 0.5), base / 2);
        // 500 ms * 2^11 > 10 min: capped.
        assert_eq!(settings.backoff(12, 1.0), settings.backoff_max);
        assert_eq!(settings.backoff(u32::MAX, 1.0), settings.backoff_max);
        assert_eq!(settings.backoff(0, 1.0), base);
        for attempts in 0..80 {
            let full = settings.backoff(attempts, 1.0);
            assert!(full <= settings.backoff_max);
            for jitter in [-1.0, 0.0, 0.5, 0.75, 0.999, 1.0, 3.0, f64::NAN] {
                let d = settings.backoff(attempts, jitter);
                assert!(d <= full, "{attempts} {jitter}: {d:?} > {full:?}");
                assert!(d >= full / 2, "{attempts} {jitter}: {d:?} < {full:?} / 2");
            }
        }
    }

    #[test]
    fn random_jitter_stays_in_range() {
        for _ in 0..1000 {
            let u = random_unit();
            assert!((0.0..1.0).contains(&u), "{u}");
        }
        let draws: std::collections::HashSet<u64> =
            (0..100).map(|_| random_unit().to_bits()).collect();
        assert!(draws.len() > 90, "jitter barely varies: {}", draws.len());
    }

    #[test]
    fn settings_read_milliseconds_with_defaults() -> Result<(), serde_json::Error> {
        let s: DeliverySettings =
            serde_json::from_str(r#"{"timeout_ms": 1500, "max_attempts": 3}"#)?;
        assert_eq!(s.timeout, Duration::from_millis(1500));
        assert_eq!(s.max_attempts, 3);
        assert_eq!(s.lease, Duration::from_secs(60));
        assert_eq!(s.batch, 32);
        let json = serde_json::to_value(DeliverySettings::default())?;
        assert_eq!(json["backoff_max_ms"], 600_000);
        assert_eq!(json["poll_ms"], 200);
        assert_eq!(DeliverySettings::default().validate(), Ok(()));
        let typo = serde_json::from_str::<DeliverySettings>(r#"{"timeout": 5}"#);
        assert!(typo.is_err_and(|e| e.to_string().contains("timeout")));
        Ok(())
    }

    #[test]
    fn bad_settings_name_their_fields() {
        let s = DeliverySettings {
            max_attempts: 0,
            lease: Duration::from_secs(6),
            backoff_max: Duration::from_millis(10),
            ..DeliverySettings::default()
        };
        let fields: Vec<String> = s
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["max_attempts", "backoff_max_ms", "lease_ms"]);
    }
}
