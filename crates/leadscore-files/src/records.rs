//! One record of each type from a row of text values.

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, CustomRecord, Declared, DomainError, FutureLimit,
    Interaction, InteractionId, InteractionKind, Lead, LeadId, LeadStatus, RecordId, Timestamp,
    VisitorId, parse_amount, parse_count,
};

use crate::columns::Row;

/// What went wrong in a row: the column (when one is to blame) and why.
pub(crate) type CellError = (Option<&'static str>, DomainError);

fn cell<T>(column: &'static str, r: Result<T, DomainError>) -> Result<T, CellError> {
    r.map_err(|e| (Some(column), e))
}

fn required_id<T>(
    row: &Row<'_, '_>,
    column: &'static str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<T, CellError> {
    cell(column, parse(row.get(column).unwrap_or("")))
}

fn optional_id<T>(
    row: &Row<'_, '_>,
    column: &'static str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, CellError> {
    row.get(column).map(|v| cell(column, parse(v))).transpose()
}

/// A record time: a timestamp no further ahead than `limit` allows.
fn time(limit: &FutureLimit, text: &str) -> Result<Timestamp, DomainError> {
    limit.check(Timestamp::parse(text)?)
}

fn timestamp(
    row: &Row<'_, '_>,
    column: &'static str,
    limit: &FutureLimit,
) -> Result<Option<Timestamp>, CellError> {
    optional_id(row, column, |v| time(limit, v))
}

pub(crate) fn account(row: &Row<'_, '_>) -> Result<Account, CellError> {
    Ok(Account {
        account_id: required_id(row, "account_id", |v| AccountId::parse(v))?,
        name: row.text("name"),
        industry: row.text("industry"),
        employees: cell("employees", parse_count(row.get("employees").unwrap_or("")))?,
        annual_revenue: cell(
            "annual_revenue",
            parse_amount(row.get("annual_revenue").unwrap_or("")),
        )?,
        country: row.text("country"),
        city: row.text("city"),
        custom: row.custom(),
    })
}

pub(crate) fn contact(row: &Row<'_, '_>) -> Result<Contact, CellError> {
    Ok(Contact {
        contact_id: required_id(row, "contact_id", |v| ContactId::parse(v))?,
        account_id: optional_id(row, "account_id", |v| AccountId::parse(v))?,
        first_name: row.text("first_name"),
        last_name: row.text("last_name"),
        email: row.text("email"),
        job_title: row.text("job_title"),
        city: row.text("city"),
        country: row.text("country"),
        visitor_id: optional_id(row, "visitor_id", |v| VisitorId::parse(v))?,
        custom: row.custom(),
    })
}

pub(crate) fn lead(row: &Row<'_, '_>, limit: &FutureLimit) -> Result<Lead, CellError> {
    let created_at = cell(
        "created_at",
        time(limit, row.get("created_at").unwrap_or("")),
    )?;
    let lead = Lead {
        lead_id: required_id(row, "lead_id", |v| LeadId::parse(v))?,
        created_at,
        contact_id: optional_id(row, "contact_id", |v| ContactId::parse(v))?,
        account_id: optional_id(row, "account_id", |v| AccountId::parse(v))?,
        topic: row.text("topic"),
        source: row.text("source"),
        status: cell("status", LeadStatus::parse(row.get("status").unwrap_or("")))?,
        closed_at: timestamp(row, "closed_at", limit)?,
        disqualify_reason: row.text("disqualify_reason"),
        custom: row.custom(),
    };
    lead.validate().map_err(|e| (Some("closed_at"), e))
}

/// An interaction's standard values, checked, borrowed from its row: what a
/// streaming reader hands over without building an [`Interaction`].
pub(crate) struct InteractionValues<'a, K> {
    pub id: &'a str,
    pub kind: K,
    pub occurred_at: Timestamp,
    pub contact_id: Option<&'a str>,
    pub lead_id: Option<&'a str>,
    pub visitor_id: Option<&'a str>,
}

/// Checks an id with its type's own constructor, keeping the (trimmed) text.
fn checked<'a, T>(
    column: &'static str,
    value: &'a str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<&'a str, CellError> {
    cell(column, parse(value)).map(|_| value.trim())
}

fn checked_optional<'a, T>(
    row: &Row<'_, 'a>,
    column: &'static str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Option<&'a str>, CellError> {
    row.get(column)
        .map(|v| checked(column, v, parse))
        .transpose()
}

/// Checks an interaction's standard columns, in the order their problems are
/// reported. `kind` reads the kind (the caller may cache kinds).
pub(crate) fn interaction_values<'a, K>(
    row: &Row<'_, 'a>,
    kind: impl FnOnce(&str) -> Result<K, DomainError>,
    limit: &FutureLimit,
) -> Result<InteractionValues<'a, K>, CellError> {
    Ok(InteractionValues {
        id: checked(
            "interaction_id",
            row.get("interaction_id").unwrap_or(""),
            |v| InteractionId::parse(v),
        )?,
        kind: cell("kind", kind(row.get("kind").unwrap_or("")))?,
        occurred_at: cell(
            "occurred_at",
            time(limit, row.get("occurred_at").unwrap_or("")),
        )?,
        contact_id: checked_optional(row, "contact_id", |v| ContactId::parse(v))?,
        lead_id: checked_optional(row, "lead_id", |v| LeadId::parse(v))?,
        visitor_id: checked_optional(row, "visitor_id", |v| VisitorId::parse(v))?,
    })
}

/// An interaction; `kind` reads its kind (a [`KindCache`]).
pub(crate) fn interaction(
    row: &Row<'_, '_>,
    kind: impl FnOnce(&str) -> Result<InteractionKind, DomainError>,
    limit: &FutureLimit,
) -> Result<Interaction, CellError> {
    let v = interaction_values(row, kind, limit)?;
    // The texts were checked above: these constructors cannot fail here.
    Ok(Interaction {
        interaction_id: cell("interaction_id", InteractionId::parse(v.id))?,
        kind: v.kind,
        occurred_at: v.occurred_at,
        contact_id: v
            .contact_id
            .map(|c| cell("contact_id", ContactId::parse(c)))
            .transpose()?,
        lead_id: v
            .lead_id
            .map(|l| cell("lead_id", LeadId::parse(l)))
            .transpose()?,
        visitor_id: v
            .visitor_id
            .map(|x| cell("visitor_id", VisitorId::parse(x)))
            .transpose()?,
        properties: row.custom(),
    })
}

pub(crate) fn custom(row: &Row<'_, '_>) -> Result<CustomRecord, CellError> {
    Ok(CustomRecord {
        record_id: required_id(row, "record_id", |v| RecordId::parse(v))?,
        lead_id: required_id(row, "lead_id", |v| LeadId::parse(v))?,
        fields: row.custom(),
    })
}

/// Interaction kinds already read, by their text, with
/// [`InteractionKind::parse_declared`]: a kind is checked (and a custom kind
/// allocated) once, not once per row.
pub(crate) struct KindCache<'d> {
    declared: &'d Declared,
    known: Vec<(Box<str>, InteractionKind)>,
}

/// The most distinct kind texts kept; beyond, the last slot is reused.
const MAX_KINDS: usize = 64;

impl<'d> KindCache<'d> {
    /// An empty cache checking kinds against `declared`.
    pub fn new(declared: &'d Declared) -> Self {
        Self {
            declared,
            known: Vec::new(),
        }
    }

    /// The kind written `text`, or why it is not one.
    pub fn get(&mut self, text: &str) -> Result<&InteractionKind, DomainError> {
        let at = match self.known.iter().position(|(t, _)| **t == *text) {
            Some(at) => at,
            None => {
                let kind = InteractionKind::parse_declared(text, self.declared)?;
                self.known.truncate(MAX_KINDS - 1);
                self.known.push((text.into(), kind));
                self.known.len() - 1
            }
        };
        Ok(&self.known[at].1)
    }
}
