//! One record of each type from a row of text values.

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, CustomRecord, DomainError, Interaction, InteractionId,
    InteractionKind, Lead, LeadId, LeadStatus, RecordId, Timestamp, VisitorId, parse_amount,
    parse_count,
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

fn timestamp(row: &Row<'_, '_>, column: &'static str) -> Result<Option<Timestamp>, CellError> {
    optional_id(row, column, Timestamp::parse)
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

pub(crate) fn lead(row: &Row<'_, '_>) -> Result<Lead, CellError> {
    let created_at = cell(
        "created_at",
        Timestamp::parse(row.get("created_at").unwrap_or("")),
    )?;
    let lead = Lead {
        lead_id: required_id(row, "lead_id", |v| LeadId::parse(v))?,
        created_at,
        contact_id: optional_id(row, "contact_id", |v| ContactId::parse(v))?,
        account_id: optional_id(row, "account_id", |v| AccountId::parse(v))?,
        topic: row.text("topic"),
        source: row.text("source"),
        status: cell("status", LeadStatus::parse(row.get("status").unwrap_or("")))?,
        closed_at: timestamp(row, "closed_at")?,
        disqualify_reason: row.text("disqualify_reason"),
        custom: row.custom(),
    };
    lead.validate().map_err(|e| (Some("closed_at"), e))
}

pub(crate) fn interaction(row: &Row<'_, '_>) -> Result<Interaction, CellError> {
    Ok(Interaction {
        interaction_id: required_id(row, "interaction_id", |v| InteractionId::parse(v))?,
        kind: cell(
            "kind",
            InteractionKind::parse(row.get("kind").unwrap_or("")),
        )?,
        occurred_at: cell(
            "occurred_at",
            Timestamp::parse(row.get("occurred_at").unwrap_or("")),
        )?,
        contact_id: optional_id(row, "contact_id", |v| ContactId::parse(v))?,
        lead_id: optional_id(row, "lead_id", |v| LeadId::parse(v))?,
        visitor_id: optional_id(row, "visitor_id", |v| VisitorId::parse(v))?,
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
