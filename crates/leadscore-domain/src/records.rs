use serde::{Deserialize, Serialize};

use crate::{
    AccountId, ContactId, DomainError, Fields, InteractionId, InteractionKind, LeadId, LeadStatus,
    RecordId, Timestamp, VisitorId,
};

/// A company: the parent of contacts and of account-based leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Unique id.
    pub account_id: AccountId,
    /// Company name.
    pub name: Option<String>,
    /// Industry, as the CRM spells it.
    pub industry: Option<String>,
    /// Number of employees.
    pub employees: Option<i64>,
    /// Annual revenue, in the CRM's currency.
    pub annual_revenue: Option<f64>,
    /// Country.
    pub country: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Any further columns.
    pub custom: Fields,
}

impl Account {
    /// An account with only its id.
    pub fn new(account_id: AccountId) -> Self {
        Self {
            account_id,
            name: None,
            industry: None,
            employees: None,
            annual_revenue: None,
            country: None,
            city: None,
            custom: Fields::new(),
        }
    }
}

/// A person, possibly at an account, possibly known by an anonymous visitor id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Unique id.
    pub contact_id: ContactId,
    /// The contact's parent account.
    pub account_id: Option<AccountId>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// A known anonymous web visitor id of this contact.
    pub visitor_id: Option<VisitorId>,
    /// Any further columns.
    pub custom: Fields,
}

/// A person's name from a first and a last name, each trimmed, blanks left
/// out; `None` when neither has a letter to show.
///
/// ```
/// use leadscore_domain::person_name;
///
/// assert_eq!(person_name(Some(" Ada "), Some("Lovelace")).as_deref(), Some("Ada Lovelace"));
/// assert_eq!(person_name(None, Some("Lee")).as_deref(), Some("Lee"));
/// assert_eq!(person_name(Some(" "), None), None);
/// ```
pub fn person_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// A name as lists order it: trimmed and lower-cased, so that "ada" sits
/// beside "Ada"; `None` for no name (listed after every name).
///
/// ```
/// use leadscore_domain::sort_key;
///
/// assert_eq!(sort_key(Some(" Élodie Ändersson ")).as_deref(), Some("élodie ändersson"));
/// assert_eq!(sort_key(Some("  ")), None);
/// ```
pub fn sort_key(name: Option<&str>) -> Option<String> {
    name.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
}

impl Contact {
    /// The contact's first and last name ([`person_name`]).
    pub fn full_name(&self) -> Option<String> {
        person_name(self.first_name.as_deref(), self.last_name.as_deref())
    }

    /// A contact with only its id.
    pub fn new(contact_id: ContactId) -> Self {
        Self {
            contact_id,
            account_id: None,
            first_name: None,
            last_name: None,
            email: None,
            job_title: None,
            city: None,
            country: None,
            visitor_id: None,
            custom: Fields::new(),
        }
    }
}

/// A potential sale, attached to a contact, an account, or (unscorable) neither.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    /// Unique id.
    pub lead_id: LeadId,
    /// When the lead was created.
    pub created_at: Timestamp,
    /// The parent contact.
    pub contact_id: Option<ContactId>,
    /// The parent account.
    pub account_id: Option<AccountId>,
    /// What the lead is about.
    pub topic: Option<String>,
    /// Where it came from (Webinar, Web, Referral, ...).
    pub source: Option<String>,
    /// Open, qualified or disqualified.
    pub status: LeadStatus,
    /// When it was qualified or disqualified.
    pub closed_at: Option<Timestamp>,
    /// Why it was disqualified.
    pub disqualify_reason: Option<String>,
    /// Any further columns.
    pub custom: Fields,
}

/// How a lead is scored, decided by which parents it has (DATA.md, "Lead kinds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadKind {
    /// Has a parent contact: scored on its contact and that contact's interactions.
    ContactBased,
    /// Has only a parent account: scored on the account and all its contacts.
    AccountBased,
    /// Has neither: gets no score.
    Unscorable,
}

impl LeadKind {
    /// Why a lead of this kind gets no score, if it gets none.
    pub fn unscorable_reason(self) -> Option<&'static str> {
        match self {
            Self::Unscorable => Some("lead has neither a parent contact nor a parent account"),
            _ => None,
        }
    }
}

impl Lead {
    /// An open lead with only its id and creation time.
    pub fn new(lead_id: LeadId, created_at: Timestamp) -> Self {
        Self {
            lead_id,
            created_at,
            contact_id: None,
            account_id: None,
            topic: None,
            source: None,
            status: LeadStatus::Open,
            closed_at: None,
            disqualify_reason: None,
            custom: Fields::new(),
        }
    }

    /// Checks the rules that tie fields together: a lead cannot close before it was
    /// created.
    pub fn validate(self) -> Result<Self, DomainError> {
        if let Some(closed) = self.closed_at
            && closed < self.created_at
        {
            return Err(DomainError::ClosedBeforeCreated {
                created_at: self.created_at.to_string(),
                closed_at: closed.to_string(),
            });
        }
        Ok(self)
    }

    /// Contact-based, account-based or unscorable.
    pub fn kind(&self) -> LeadKind {
        match (&self.contact_id, &self.account_id) {
            (Some(_), _) => LeadKind::ContactBased,
            (None, Some(_)) => LeadKind::AccountBased,
            (None, None) => LeadKind::Unscorable,
        }
    }
}

/// Something a contact (or an anonymous visitor) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// Unique id.
    pub interaction_id: InteractionId,
    /// What happened.
    pub kind: InteractionKind,
    /// When.
    pub occurred_at: Timestamp,
    /// Who did it, when known.
    pub contact_id: Option<ContactId>,
    /// The lead it concerns, when known.
    pub lead_id: Option<LeadId>,
    /// The anonymous visitor who did it, when known.
    pub visitor_id: Option<VisitorId>,
    /// Further columns (email_name, url, event_name, ...).
    pub properties: Fields,
}

impl Interaction {
    /// An interaction with no contact, lead, visitor or properties.
    pub fn new(
        interaction_id: InteractionId,
        kind: InteractionKind,
        occurred_at: Timestamp,
    ) -> Self {
        Self {
            interaction_id,
            kind,
            occurred_at,
            contact_id: None,
            lead_id: None,
            visitor_id: None,
            properties: Fields::new(),
        }
    }
}

/// A record of a custom entity related to a lead (many to one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRecord {
    /// Unique id within the entity.
    pub record_id: RecordId,
    /// The lead it belongs to.
    pub lead_id: LeadId,
    /// Its fields.
    pub fields: Fields,
}

/// Reads an optional integer: empty is absent; `1200` and `1200.0` are 1200;
/// anything else, or a negative value, is an error.
pub fn parse_count(text: &str) -> Result<Option<i64>, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let value = match t.parse::<i64>() {
        Ok(v) => v,
        Err(_) => match t.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => f as i64,
            _ => {
                return Err(DomainError::BadInteger {
                    value: text.to_owned(),
                });
            }
        },
    };
    if value < 0 {
        return Err(DomainError::Negative {
            value: text.to_owned(),
        });
    }
    Ok(Some(value))
}

/// Reads an optional non-negative finite number: empty is absent.
pub fn parse_amount(text: &str) -> Result<Option<f64>, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        Ok(v) if v.is_finite() => Err(DomainError::Negative {
            value: text.to_owned(),
        }),
        _ => Err(DomainError::BadNumber {
            value: text.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap_or_else(|_| Timestamp::now())
    }

    #[test]
    fn lead_kind_follows_the_parents() -> Result<(), DomainError> {
        let mut lead = Lead::new(LeadId::parse("L1")?, ts("2026-01-01"));
        assert_eq!(lead.kind(), LeadKind::Unscorable);
        assert!(lead.kind().unscorable_reason().is_some());
        lead.account_id = Some(AccountId::parse("A1")?);
        assert_eq!(lead.kind(), LeadKind::AccountBased);
        lead.contact_id = Some(ContactId::parse("C1")?);
        assert_eq!(lead.kind(), LeadKind::ContactBased);
        Ok(())
    }

    #[test]
    fn a_lead_cannot_close_before_it_opens() -> Result<(), DomainError> {
        let mut lead = Lead::new(LeadId::parse("L1")?, ts("2026-01-02"));
        lead.closed_at = Some(ts("2026-01-01"));
        assert!(matches!(
            lead.validate(),
            Err(DomainError::ClosedBeforeCreated { .. })
        ));
        Ok(())
    }

    #[test]
    fn counts_and_amounts() {
        assert_eq!(parse_count("1200"), Ok(Some(1200)));
        assert_eq!(parse_count("1200.0"), Ok(Some(1200)));
        assert_eq!(parse_count(""), Ok(None));
        assert!(matches!(
            parse_count("12.5"),
            Err(DomainError::BadInteger { .. })
        ));
        assert!(matches!(
            parse_count("-3"),
            Err(DomainError::Negative { .. })
        ));
        assert!(matches!(
            parse_count("many"),
            Err(DomainError::BadInteger { .. })
        ));
        assert_eq!(parse_amount("2.5e6"), Ok(Some(2.5e6)));
        assert!(matches!(
            parse_amount("NaN"),
            Err(DomainError::BadNumber { .. })
        ));
        assert!(matches!(
            parse_amount("-1"),
            Err(DomainError::Negative { .. })
        ));
    }
}
