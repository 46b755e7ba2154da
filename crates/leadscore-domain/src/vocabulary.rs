//! The service's closed sets of names, as types: a lead's stage, the events it
//! reports, the roles of API keys and the states of a retraining run. Each is
//! stored and sent as its text (`sales_acceptance`, `lead.sales_ready`, ...)
//! and read back through `parse`, which refuses any other text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DomainError, LeadStatus};

/// Declares an enum of names with its text, `parse`, `Display`, `FromStr` and
/// serde as that text.
macro_rules! names {
    (
        $(#[$doc:meta])*
        $name:ident, $what:literal, $known:literal {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Reads a name; anything else is an error listing the known ones.
            pub fn parse(value: &str) -> Result<Self, DomainError> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(DomainError::UnknownName {
                        what: $what,
                        value: value.to_owned(),
                        known: $known,
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

names! {
    /// Where a lead stands for sellers: `new` until it is flagged sales-ready
    /// (`sales_acceptance`), or its outcome once it is closed.
    Stage, "stage", "new, sales_acceptance, qualified or disqualified" {
        /// Open and not (yet) sales-ready.
        New = "new",
        /// Open and flagged sales-ready: handed to sellers.
        SalesAcceptance = "sales_acceptance",
        /// Closed as converted.
        Qualified = "qualified",
        /// Closed as not converted.
        Disqualified = "disqualified",
    }
}

impl Stage {
    /// The stage of a lead with this status and sales-ready flag: a closed
    /// lead's outcome, else `sales_acceptance` once flagged, else `new`.
    pub fn of(status: LeadStatus, sales_ready: bool) -> Self {
        match status {
            LeadStatus::Qualified => Self::Qualified,
            LeadStatus::Disqualified => Self::Disqualified,
            LeadStatus::Open if sales_ready => Self::SalesAcceptance,
            LeadStatus::Open => Self::New,
        }
    }
}

names! {
    /// What a lead event reports (and what webhook endpoints subscribe to).
    EventType, "event type", "lead.sales_ready or lead.grade_changed" {
        /// A lead reached a rule model's sales-ready threshold (once per lead).
        SalesReady = "lead.sales_ready",
        /// A lead's primary grade changed.
        GradeChanged = "lead.grade_changed",
    }
}

names! {
    /// What an API key (or a person) may do; each role may do everything the
    /// ones before it may.
    Role, "role", "read, ingest or admin" {
        /// Read scores, models, queues and exports.
        Read = "read",
        /// Also write records and score.
        Ingest = "ingest",
        /// Also change models, routing, webhooks and keys.
        Admin = "admin",
    }
}

names! {
    /// Where a retraining run stands.
    RunStatus, "retraining run status", "running, published, kept, unchanged, failed or interrupted" {
        /// Started, not finished.
        Running = "running",
        /// The new version went into service.
        Published = "published",
        /// The new version was registered as a challenger, not published.
        Kept = "kept",
        /// The model trained is the live one (same training data, same
        /// settings): nothing was registered, no lead rescored.
        Unchanged = "unchanged",
        /// Nothing was registered.
        Failed = "failed",
        /// The run never finished (its process stopped).
        Interrupted = "interrupted",
    }
}

names! {
    /// What started a retraining run.
    RunTrigger, "retraining trigger", "command or schedule" {
        /// `leadscore retrain` (or an admin).
        Command = "command",
        /// The service's schedule.
        Schedule = "schedule",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str())?, *stage);
            let json = serde_json::to_string(stage)?;
            assert_eq!(serde_json::from_str::<Stage>(&json)?, *stage);
        }
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>()?, *t);
        }
        let err = Role::parse("owner").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("unknown role \"owner\": read, ingest or admin")
        );
        assert!(serde_json::from_str::<RunStatus>("\"done\"").is_err());
        Ok(())
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin > Role::Ingest && Role::Ingest > Role::Read);
    }

    #[test]
    fn a_stage_follows_the_status_then_the_flag() {
        assert_eq!(Stage::of(LeadStatus::Open, false), Stage::New);
        assert_eq!(Stage::of(LeadStatus::Open, true), Stage::SalesAcceptance);
        assert_eq!(Stage::of(LeadStatus::Qualified, true), Stage::Qualified);
        assert_eq!(
            Stage::of(LeadStatus::Disqualified, false),
            Stage::Disqualified
        );
    }
}
