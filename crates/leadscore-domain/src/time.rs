use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An instant in UTC with microsecond precision, read from RFC 3339 or a bare date
/// (midnight UTC), written back as RFC 3339 in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(i64);

/// 1000-01-01T00:00:00Z in microseconds since the Unix epoch.
const MIN_MICROS: i64 = -30_610_224_000_000_000;
/// 9999-12-31T23:59:59.999999Z in microseconds since the Unix epoch.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

impl Timestamp {
    /// Reads `2026-03-01T14:05:00Z` (any offset, any fraction; sub-microsecond
    /// digits are dropped) or `2026-03-01` (midnight UTC). A space instead of `T` is
    /// accepted, as RFC 3339 allows.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let text = value.trim();
        let micros = if text.len() == 10 {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|dt| dt.and_utc().timestamp_micros())
        } else {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|dt| dt.timestamp_micros())
        };
        let micros = micros.ok_or_else(|| DomainError::BadTimestamp {
            value: value.to_owned(),
        })?;
        Self::from_micros(micros).ok_or_else(|| DomainError::TimestampOutOfRange {
            value: value.to_owned(),
        })
    }

    /// An instant from microseconds since the Unix epoch, if within years 1000-9999.
    pub fn from_micros(micros: i64) -> Option<Self> {
        (MIN_MICROS..=MAX_MICROS)
            .contains(&micros)
            .then_some(Self(micros))
    }

    /// Microseconds since the Unix epoch.
    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn as_seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// `d` later, saturating at the latest instant a timestamp holds.
    pub fn plus(self, d: std::time::Duration) -> Self {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(micros).min(MAX_MICROS))
    }

    /// The current time.
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    /// The instant as a chrono date-time.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .to_datetime()
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some(
                "RFC 3339 in UTC (a bare date is read as midnight UTC)",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Timestamp {}

impl TryFrom<String> for Timestamp {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Timestamp> for String {
    fn from(value: Timestamp) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_and_bare_dates() -> Result<(), DomainError> {
        let a = Timestamp::parse("2026-03-01T14:05:00Z")?;
        assert_eq!(a.to_string(), "2026-03-01T14:05:00Z");
        let b = Timestamp::parse("2026-03-01T16:05:00+02:00")?;
        assert_eq!(a, b);
        let d = Timestamp::parse("2026-03-01")?;
        assert_eq!(d.to_string(), "2026-03-01T00:00:00Z");
        let f = Timestamp::parse("2026-03-01T14:05:00.250Z")?;
        assert_eq!(f.to_string(), "2026-03-01T14:05:00.250Z");
        assert_eq!(f.as_micros() - a.as_micros(), 250_000);
        Ok(())
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "01/03/2026",
            "2026-03-01T25:00:00Z",
        ] {
            assert!(
                matches!(Timestamp::parse(bad), Err(DomainError::BadTimestamp { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn display_round_trips() -> Result<(), DomainError> {
        for text in ["1999-12-31T23:59:59Z", "2026-01-01T00:00:00.000001Z"] {
            let t = Timestamp::parse(text)?;
            assert_eq!(Timestamp::parse(&t.to_string())?, t);
        }
        Ok(())
    }
}
