use thiserror::Error;

/// Why a value could not become a domain type.
///
/// The messages name the offending value; callers that know where the value came
/// from (a file, a line, a column, a JSON field) add that place around them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// An id was empty or only white space.
    #[error("{what} must not be empty")]
    EmptyId {
        /// Which kind of id (`lead_id`, `contact_id`, ...).
        what: &'static str,
    },
    /// An id was longer than the store accepts.
    #[error("{what} is {len} bytes long; at most {max} are allowed")]
    IdTooLong {
        /// Which kind of id.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An id held a control character (a NUL, a line break, ...).
    #[error("{what} holds the control character {character:?}; ids hold none")]
    IdControlCharacter {
        /// Which kind of id.
        what: &'static str,
        /// The first one.
        character: char,
    },
    /// A timestamp was neither RFC 3339 nor a bare date.
    #[error(
        "cannot read {value:?} as a timestamp: expected RFC 3339 such as 2026-03-01T14:05:00Z, or a date such as 2026-03-01"
    )]
    BadTimestamp {
        /// The text as given.
        value: String,
    },
    /// A timestamp lies outside the supported range.
    #[error("timestamp {value:?} is outside the supported range (years 1000 to 9999)")]
    TimestampOutOfRange {
        /// The text as given.
        value: String,
    },
    /// An interaction kind is a standard kind written with the wrong letter case.
    #[error("interaction kind {value:?} has the wrong letter case: write {expected}")]
    KindCasing {
        /// The kind as given.
        value: String,
        /// The standard spelling.
        expected: &'static str,
    },
    /// A custom interaction kind that is not declared but is close to a
    /// standard or declared kind: a typo, not a new kind.
    #[error(
        "interaction kind {value:?} is neither a standard nor a declared kind; did you mean {nearest}? (declare it in {setting} to keep it as a custom kind)",
        setting = crate::CUSTOM_KINDS_SETTING
    )]
    KindNearMiss {
        /// The kind as given.
        value: String,
        /// The standard or declared kind it is close to.
        nearest: String,
    },
    /// An interaction kind (or custom entity name) is not PascalCase.
    #[error(
        "{what} {value:?} is not PascalCase (a capital letter, then letters and digits only, such as WebinarAttended)"
    )]
    NotPascalCase {
        /// `interaction kind` or `custom entity name`.
        what: &'static str,
        /// The name as given.
        value: String,
    },
    /// A lead status outside `open`, `qualified`, `disqualified`.
    #[error(
        "unknown lead status {value:?}: expected open, qualified or disqualified (empty means open)"
    )]
    UnknownStatus {
        /// The status as given.
        value: String,
    },
    /// An integer field held something else.
    #[error("cannot read {value:?} as an integer")]
    BadInteger {
        /// The text as given.
        value: String,
    },
    /// A number field held something else.
    #[error("cannot read {value:?} as a number")]
    BadNumber {
        /// The text as given.
        value: String,
    },
    /// A count or amount that cannot be negative was negative.
    #[error("{value} must not be negative")]
    Negative {
        /// The value as given.
        value: String,
    },
    /// A lead closed before it was created.
    #[error("closed_at {closed_at} is before created_at {created_at}")]
    ClosedBeforeCreated {
        /// When the lead was created.
        created_at: String,
        /// When it was closed.
        closed_at: String,
    },
    /// A record's time lies further in the future than the tolerance allows
    /// ([`FutureLimit`](crate::FutureLimit)).
    #[error(
        "{value} is {ahead} in the future (more than the tolerance of {tolerance}; set {setting} to allow it)",
        setting = crate::FUTURE_TOLERANCE_SETTING
    )]
    TooFarInFuture {
        /// The time.
        value: crate::Timestamp,
        /// How far after now it lies.
        ahead: crate::Ahead,
        /// The tolerance it exceeds.
        tolerance: crate::FutureTolerance,
    },
    /// A custom field or property name collides with a standard column or is empty.
    #[error("{name:?} cannot be used as a custom field name: {reason}")]
    BadFieldName {
        /// The field name.
        name: String,
        /// Why not.
        reason: &'static str,
    },
    /// A name outside a closed set (a stage, an event type, a role, ...).
    #[error("unknown {what} {value:?}: {known}")]
    UnknownName {
        /// What kind of name (`stage`, `event type`, `role`, ...).
        what: &'static str,
        /// The name as given.
        value: String,
        /// The names known, for the message (`read, ingest or admin`).
        known: &'static str,
    },
}
