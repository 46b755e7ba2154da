//! Record times in the future (issue 19): a record's time (a lead's
//! `created_at` and `closed_at`, an interaction's `occurred_at`) may lie at
//! most a tolerance ahead of now; further ahead it is an error, on every path
//! records come in. This is the one implementation of that rule.

use std::fmt;

use crate::{Dataset, DomainError, RecordType, Timestamp};

/// The setting that holds the tolerance, named by the error.
pub const FUTURE_TOLERANCE_SETTING: &str = "records.future_tolerance_days";

const DAY_MICROS: i64 = 86_400_000_000;

/// How far ahead of now a record's time may lie, in whole days (default 1:
/// clocks and time zones differ; a typo in the year does not pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FutureTolerance {
    days: u32,
}

impl FutureTolerance {
    /// The default tolerance, in days.
    pub const DEFAULT_DAYS: u32 = 1;

    /// A tolerance of `days` days (0: nothing after now).
    pub const fn days(days: u32) -> Self {
        Self { days }
    }

    /// The tolerance in days.
    pub const fn as_days(self) -> u32 {
        self.days
    }
}

impl Default for FutureTolerance {
    fn default() -> Self {
        Self::days(Self::DEFAULT_DAYS)
    }
}

impl fmt::Display for FutureTolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.days == 1 { "day" } else { "days" };
        write!(f, "{} {unit}", crate::thousands(u64::from(self.days)))
    }
}

/// The latest time a record may hold: now plus the tolerance. "Now" is the
/// wall clock, or a configured time (`scoring.at`, `--at`) when that is later:
/// a scoring time in the past (a replay, a demo on old data) must not refuse
/// records that happened since, and a scoring time in the future is a
/// deliberate move of "now" (data generated as of it is then expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FutureLimit {
    now: Timestamp,
    tolerance: FutureTolerance,
}

impl FutureLimit {
    /// The limit as of the wall clock read now, or `configured` when later.
    pub fn new(tolerance: FutureTolerance, configured: Option<Timestamp>) -> Self {
        let clock = Timestamp::now();
        Self::at(configured.map_or(clock, |c| c.max(clock)), tolerance)
    }

    /// The limit as of exactly `now` (tests, and callers with their own clock).
    pub fn at(now: Timestamp, tolerance: FutureTolerance) -> Self {
        Self { now, tolerance }
    }

    /// The instant taken as now.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The tolerance.
    pub fn tolerance(&self) -> FutureTolerance {
        self.tolerance
    }

    /// `time` when it lies at most the tolerance after now, else
    /// [`DomainError::TooFarInFuture`].
    pub fn check(&self, time: Timestamp) -> Result<Timestamp, DomainError> {
        let ahead = time.as_micros().saturating_sub(self.now.as_micros());
        let allowed = i64::from(self.tolerance.days).saturating_mul(DAY_MICROS);
        if ahead <= allowed {
            return Ok(time);
        }
        Err(DomainError::TooFarInFuture {
            value: time,
            ahead: Ahead(ahead),
            tolerance: self.tolerance,
        })
    }
}

impl Default for FutureLimit {
    /// The default tolerance as of the wall clock.
    fn default() -> Self {
        Self::new(FutureTolerance::default(), None)
    }
}

/// A record of a [`Dataset`] whose time is too far in the future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FutureTime {
    /// The record's type.
    pub record: RecordType,
    /// Its position in its list in the dataset.
    pub index: usize,
    /// The column holding the time (`occurred_at`).
    pub column: &'static str,
    /// The error, [`DomainError::TooFarInFuture`].
    pub error: DomainError,
}

impl fmt::Display for FutureTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl Dataset {
    /// The first record (leads, then interactions) holding a time further
    /// ahead than `limit` allows, if any.
    pub fn too_far_ahead(&self, limit: &FutureLimit) -> Option<FutureTime> {
        let found = |record: RecordType, index: usize, column: &'static str| {
            move |error: DomainError| FutureTime {
                record,
                index,
                column,
                error,
            }
        };
        for (index, lead) in self.leads.iter().enumerate() {
            let times = std::iter::once(("created_at", Some(lead.created_at)))
                .chain(std::iter::once(("closed_at", lead.closed_at)));
            for (column, time) in times {
                if let Some(time) = time
                    && let Err(e) = limit.check(time)
                {
                    return Some(found(RecordType::Lead, index, column)(e));
                }
            }
        }
        self.interactions.iter().enumerate().find_map(|(index, i)| {
            limit.check(i.occurred_at).err().map(found(
                RecordType::Interaction,
                index,
                "occurred_at",
            ))
        })
    }
}

/// How far ahead of now a time lies, in microseconds; shown in the largest
/// whole unit (`1,490 days`, `5 hours`, `12 minutes`, `3 seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ahead(pub i64);

impl fmt::Display for Ahead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.max(0);
        let (n, unit) = [
            (DAY_MICROS, "day"),
            (3_600_000_000, "hour"),
            (60_000_000, "minute"),
        ]
        .into_iter()
        .find(|(size, _)| micros >= *size)
        .map_or((micros / 1_000_000, "second"), |(size, unit)| {
            (micros / size, unit)
        });
        let plural = if n == 1 { "" } else { "s" };
        write!(f, "{} {unit}{plural}", crate::thousands(n.unsigned_abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap_or_else(|_| Timestamp::now())
    }

    #[test]
    fn within_the_tolerance_passes_beyond_it_fails() {
        let limit = FutureLimit::at(t("2026-12-02T18:00:00Z"), FutureTolerance::default());
        assert!(limit.check(t("2026-12-03T18:00:00Z")).is_ok());
        assert!(limit.check(t("2020-01-01")).is_ok());
        let e = limit.check(t("2031-01-01T00:00:00Z"));
        assert_eq!(
            e.map_err(|e| e.to_string()),
            Err("2031-01-01T00:00:00Z is 1,490 days in the future (more than the tolerance of 1 day; set records.future_tolerance_days to allow it)".to_owned())
        );
        let wider = FutureLimit::at(limit.now(), FutureTolerance::days(2_000));
        assert!(wider.check(t("2031-01-01T00:00:00Z")).is_ok());
        let none = FutureLimit::at(limit.now(), FutureTolerance::days(0));
        assert_eq!(
            none.check(t("2026-12-02T23:30:00Z")).map_err(|e| e.to_string()),
            Err("2026-12-02T23:30:00Z is 5 hours in the future (more than the tolerance of 0 days; set records.future_tolerance_days to allow it)".to_owned())
        );
    }

    #[test]
    fn a_later_configured_time_is_now() {
        let later = t("9000-01-01");
        let limit = FutureLimit::new(FutureTolerance::default(), Some(later));
        assert_eq!(limit.now(), later);
        let earlier = FutureLimit::new(FutureTolerance::default(), Some(t("2000-01-01")));
        assert!(earlier.now() > t("2026-01-01"));
    }
}
