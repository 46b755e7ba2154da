//! Reading back: counts, which ids exist, and the rows' decoding (the
//! export's too).

use std::collections::HashSet;
use std::sync::Arc;

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, CustomRecord, EntityName, ExternalIds, Interaction,
    InteractionId, InteractionKind, Lead, LeadId, LeadStatus, RecordId, VisitorId,
};
use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::{AnyPool, Arguments, AssertSqlSafe, Row};

use crate::schema::{ACCOUNTS, CONTACTS, LEADS, Table};
use crate::sql::Cells;
use crate::{Backend, StoreCounts, StoreError};

/// How many ids one `IN (..)` look-up carries.
const IDS_PER_QUERY: usize = 500;

/// The query that counts the records of each type.
pub(crate) const COUNTS_SQL: &str = "SELECT (SELECT COUNT(*) FROM accounts) AS accounts, \
     (SELECT COUNT(*) FROM contacts) AS contacts, (SELECT COUNT(*) FROM leads) AS leads, \
     (SELECT COUNT(*) FROM interactions) AS interactions, \
     (SELECT COUNT(*) FROM custom_records) AS custom_records";

/// The counts of [`COUNTS_SQL`]'s row, from any driver's row (the pool's, or
/// a plain SQLite connection's when a backup is checked).
pub(crate) fn counts_of<R>(row: &R, op: &'static str) -> Result<StoreCounts, StoreError>
where
    R: sqlx::Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
{
    let count = |column: &str| -> Result<u64, StoreError> {
        let n: i64 = row.try_get(column).map_err(StoreError::query(op))?;
        Ok(crate::sql::count(n))
    };
    Ok(StoreCounts {
        accounts: count("accounts")?,
        contacts: count("contacts")?,
        leads: count("leads")?,
        interactions: count("interactions")?,
        custom_records: count("custom_records")?,
    })
}

/// Whether any account, contact or lead is stored (what a reference can
/// name), without counting them.
pub(crate) async fn holds_referable(pool: &AnyPool) -> Result<bool, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM accounts LIMIT 1) AS a) \
         + (SELECT COUNT(*) FROM (SELECT 1 FROM contacts LIMIT 1) AS c) \
         + (SELECT COUNT(*) FROM (SELECT 1 FROM leads LIMIT 1) AS l)",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::query("look for stored records"))?;
    Ok(n > 0)
}

/// How many records of each type are stored.
pub(crate) async fn counts(pool: &AnyPool) -> Result<StoreCounts, StoreError> {
    let op = "count stored records";
    let row = sqlx::query(COUNTS_SQL)
        .fetch_one(pool)
        .await
        .map_err(StoreError::query(op))?;
    counts_of(&row, op)
}

/// Which of the wanted ids are stored.
pub(crate) async fn existing_ids(
    pool: &AnyPool,
    backend: Backend,
    wanted: &ExternalIds,
) -> Result<ExternalIds, StoreError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("look up stored ids"))?;
    Ok(ExternalIds {
        accounts: existing(&mut conn, backend, &ACCOUNTS, &wanted.accounts).await?,
        contacts: existing(&mut conn, backend, &CONTACTS, &wanted.contacts).await?,
        leads: existing(&mut conn, backend, &LEADS, &wanted.leads).await?,
    })
}

async fn existing(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &Table,
    wanted: &HashSet<String>,
) -> Result<HashSet<String>, StoreError> {
    let operation = "look up stored ids";
    let mut found = HashSet::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let ids: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let full = IDS_PER_QUERY.min(ids.len());
    let full_sql: Arc<str> = table.select_ids_sql(backend, full).into();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let sql = if chunk.len() == full {
            Arc::clone(&full_sql)
        } else {
            table.select_ids_sql(backend, chunk.len()).into()
        };
        let mut args = AnyArguments::default();
        for id in chunk {
            args.add(*id).map_err(crate::sql::encode_error(operation))?;
        }
        let rows = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
        for row in rows {
            let id: String = row
                .try_get(table.columns[0])
                .map_err(StoreError::query(operation))?;
            found.insert(id);
        }
    }
    Ok(found)
}

pub(crate) fn decode_account(c: &Cells<'_>) -> Result<Account, StoreError> {
    Ok(Account {
        account_id: c.parse("account_id", |s| AccountId::parse(s))?,
        name: c.string("name")?,
        industry: c.string("industry")?,
        employees: c.int("employees")?,
        annual_revenue: c.float("annual_revenue")?,
        country: c.string("country")?,
        city: c.string("city")?,
        custom: c.fields("custom")?,
    })
}

pub(crate) fn decode_contact(c: &Cells<'_>) -> Result<Contact, StoreError> {
    Ok(Contact {
        contact_id: c.parse("contact_id", |s| ContactId::parse(s))?,
        account_id: c.parse_opt("account_id", |s| AccountId::parse(s))?,
        first_name: c.string("first_name")?,
        last_name: c.string("last_name")?,
        email: c.string("email")?,
        job_title: c.string("job_title")?,
        city: c.string("city")?,
        country: c.string("country")?,
        visitor_id: c.parse_opt("visitor_id", |s| VisitorId::parse(s))?,
        custom: c.fields("custom")?,
    })
}

pub(crate) fn decode_lead(c: &Cells<'_>) -> Result<Lead, StoreError> {
    Ok(Lead {
        lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
        created_at: c.timestamp("created_at")?,
        contact_id: c.parse_opt("contact_id", |s| ContactId::parse(s))?,
        account_id: c.parse_opt("account_id", |s| AccountId::parse(s))?,
        topic: c.string("topic")?,
        source: c.string("source")?,
        status: c.parse("status", LeadStatus::parse)?,
        closed_at: c.timestamp_opt("closed_at")?,
        disqualify_reason: c.string("disqualify_reason")?,
        custom: c.fields("custom")?,
    })
}

pub(crate) fn decode_interaction(c: &Cells<'_>) -> Result<Interaction, StoreError> {
    Ok(Interaction {
        interaction_id: c.parse("interaction_id", |s| InteractionId::parse(s))?,
        kind: c.parse("kind", InteractionKind::parse)?,
        occurred_at: c.timestamp("occurred_at")?,
        contact_id: c.parse_opt("contact_id", |s| ContactId::parse(s))?,
        lead_id: c.parse_opt("lead_id", |s| LeadId::parse(s))?,
        visitor_id: c.parse_opt("visitor_id", |s| VisitorId::parse(s))?,
        properties: c.fields("properties")?,
    })
}

pub(crate) fn decode_custom(c: &Cells<'_>) -> Result<(EntityName, CustomRecord), StoreError> {
    Ok((
        c.parse("entity", |s| EntityName::parse(s))?,
        CustomRecord {
            record_id: c.parse("record_id", |s| RecordId::parse(s))?,
            lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
            fields: c.fields("fields")?,
        },
    ))
}
