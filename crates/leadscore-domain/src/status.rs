use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Where a lead stands: still open, or closed with an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadStatus {
    /// Not yet decided: scored, never trained on.
    #[default]
    Open,
    /// Converted: a positive outcome for training.
    Qualified,
    /// Did not convert: a negative outcome for training.
    Disqualified,
}

impl LeadStatus {
    /// Reads a status; the empty string (or only white space) is `open`. Letter case
    /// is ignored (`Qualified` is `qualified`).
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let trimmed = value.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("open") {
            Ok(Self::Open)
        } else if trimmed.eq_ignore_ascii_case("qualified") {
            Ok(Self::Qualified)
        } else if trimmed.eq_ignore_ascii_case("disqualified") {
            Ok(Self::Disqualified)
        } else {
            Err(DomainError::UnknownStatus {
                value: value.to_owned(),
            })
        }
    }

    /// The status as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Qualified => "qualified",
            Self::Disqualified => "disqualified",
        }
    }

    /// The training outcome: `Some(true)` for qualified, `Some(false)` for
    /// disqualified, `None` for an open lead.
    pub fn outcome(self) -> Option<bool> {
        match self {
            Self::Open => None,
            Self::Qualified => Some(true),
            Self::Disqualified => Some(false),
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for LeadStatus {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(["open", "qualified", "disqualified"]))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for LeadStatus {}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse() {
        assert_eq!(LeadStatus::parse(""), Ok(LeadStatus::Open));
        assert_eq!(LeadStatus::parse("Qualified"), Ok(LeadStatus::Qualified));
        assert_eq!(
            LeadStatus::parse("disqualified"),
            Ok(LeadStatus::Disqualified)
        );
        assert_eq!(
            LeadStatus::parse("won"),
            Err(DomainError::UnknownStatus {
                value: "won".to_owned()
            })
        );
        assert_eq!(LeadStatus::Qualified.outcome(), Some(true));
        assert_eq!(LeadStatus::Open.outcome(), None);
    }
}
