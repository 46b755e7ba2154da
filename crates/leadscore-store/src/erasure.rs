//! Erasing a contact (a data subject's request): its records and everything
//! computed from them, in one transaction, with a record of the erasure that
//! holds no personal data.

use leadscore_domain::{ContactId, Timestamp};
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::queue;
use crate::records::read::decode_contact;
use crate::schema::{CONTACTS, erased_lead_tables};
use crate::sql::{execute_in, int, placeholders, select_in};
use crate::{Backend, StoreError};

/// What erasing a contact removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erasure {
    /// The erasure's id (recorded in `erasures`).
    pub erasure_id: String,
    /// Interactions deleted with it.
    pub interactions: u64,
    /// Leads that lost their parent contact (their scores were deleted and they
    /// are queued for rescoring).
    pub leads: u64,
}

/// Erases a contact inside the caller's transaction (see
/// [`Records::erase_contact`](crate::Records::erase_contact)).
pub(crate) async fn erase_contact(
    conn: &mut AnyConnection,
    backend: Backend,
    contact_id: &ContactId,
    contact_hash: &str,
    erasure_id: &str,
    key_id: Option<&str>,
) -> Result<Option<Erasure>, StoreError> {
    let op = "erase a contact";
    let one = [contact_id.as_str()];
    let select = format!(
        "SELECT {} FROM contacts WHERE contact_id IN ({{in}})",
        CONTACTS.columns.join(", ")
    );
    let found = select_in(conn, backend, &select, &one, op, |row| {
        decode_contact(&CONTACTS.cells(row))
    })
    .await?;
    let Some(contact) = found.into_iter().next() else {
        return Ok(None);
    };
    let leads: Vec<String> = select_in(
        conn,
        backend,
        "SELECT lead_id FROM leads WHERE contact_id IN ({in})",
        &one,
        op,
        |row| crate::schema::LEADS.cells(row).required_string("lead_id"),
    )
    .await?;
    let leads: Vec<&str> = leads.iter().map(String::as_str).collect();
    let mut interactions = execute_in(
        conn,
        backend,
        "DELETE FROM interactions WHERE contact_id IN ({in})",
        &[],
        &[],
        &one,
        op,
    )
    .await?;
    if let Some(visitor) = &contact.visitor_id {
        interactions += execute_in(
            conn,
            backend,
            "DELETE FROM interactions WHERE contact_id IS NULL AND visitor_id IN ({in})",
            &[],
            &[],
            &[visitor.as_str()],
            op,
        )
        .await?;
    }
    execute_in(
        conn,
        backend,
        "DELETE FROM contacts WHERE contact_id IN ({in})",
        &[],
        &[],
        &one,
        op,
    )
    .await?;
    execute_in(
        conn,
        backend,
        "UPDATE leads SET contact_id = NULL WHERE contact_id IN ({in})",
        &[],
        &[],
        &one,
        op,
    )
    .await?;
    for table in erased_lead_tables() {
        // The names are this crate's constants, never input.
        let sql = format!("DELETE FROM {table} WHERE lead_id IN ({{in}})");
        execute_in(conn, backend, &sql, &[], &[], &leads, op).await?;
    }
    queue::enqueue_leads(conn, backend, &leads, "contact erased").await?;
    let erasure = Erasure {
        erasure_id: erasure_id.to_owned(),
        interactions,
        leads: leads.len() as u64,
    };
    let sql = placeholders(
        backend,
        "INSERT INTO erasures (erasure_id, contact_hash, interactions, leads, erased_at, key_id) \
         VALUES (?, ?, ?, ?, ?, ?)",
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(erasure_id)
        .bind(contact_hash)
        .bind(int(erasure.interactions))
        .bind(int(erasure.leads))
        .bind(Timestamp::now().as_micros())
        .bind(key_id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    Ok(Some(erasure))
}
