//! Stored times (BIGINT microseconds since the Unix epoch) as the RFC 3339
//! text the API answers with.

use leadscore_domain::Timestamp;

/// A stored time as RFC 3339; empty when it is outside the supported years.
pub(crate) fn rfc3339(micros: i64) -> String {
    Timestamp::from_micros(micros)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// An optional stored time as RFC 3339; `None` when absent or outside the
/// supported years.
pub(crate) fn rfc3339_opt(micros: Option<i64>) -> Option<String> {
    micros
        .and_then(Timestamp::from_micros)
        .map(|t| t.to_string())
}
