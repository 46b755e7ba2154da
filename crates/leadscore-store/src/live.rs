//! What the scoring service needs from the record tables beyond imports:
//! writes that queue the leads they affect for rescoring (in the same
//! transaction), a lead's neighbourhood (everything its scores read), and the
//! erasure of a contact.

use std::collections::{BTreeSet, HashMap, HashSet};

use futures_util::TryStreamExt;
use leadscore_domain::{Dataset, Lead, Timestamp};
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, AssertSqlSafe, Row};

use crate::read::{Cells, decode_account, decode_contact, decode_custom, decode_lead};
use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, LEADS, Table};
use crate::{Backend, StoreError, grouped, queue};

/// How many values one `IN (..)` list carries.
pub(crate) const IN_CHUNK: usize = 500;

/// What erasing a contact removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erasure {
    /// The erasure's id (recorded in `erasures`).
    pub erasure_id: String,
    /// Interactions deleted with it.
    pub interactions: u64,
    /// Leads that lost their parent contact (their scores were deleted and they
    /// are queued for rescoring).
    pub leads: u64,
}

/// Rewrites `?` placeholders to the backend's (`$1`, `$2`, ... on PostgreSQL).
/// The statement must hold no `?` inside a string literal.
pub fn placeholders(backend: Backend, sql: &str) -> String {
    match backend {
        Backend::Sqlite => sql.to_owned(),
        Backend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    backend.push_placeholder(&mut out, n);
                } else {
                    out.push(ch);
                }
            }
            out
        }
    }
}

/// `?, ?, ?` with `n` marks.
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub(crate) fn encode_error(
    operation: &'static str,
) -> impl Fn(sqlx::error::BoxDynError) -> StoreError {
    move |e| StoreError::Query {
        operation,
        source: sqlx::Error::Encode(e),
    }
}

/// Runs `sql` (with `{in}` standing for a list of marks) once per chunk of
/// `ids`, binding `before` first, then the chunk; returns rows affected.
async fn execute_in(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    before: &[&str],
    before_ints: &[i64],
    ids: &[String],
    operation: &'static str,
) -> Result<u64, StoreError> {
    let mut affected = 0;
    for chunk in ids.chunks(IN_CHUNK) {
        let text = placeholders(backend, &sql.replace("{in}", &marks(chunk.len())));
        let mut args = AnyArguments::default();
        for v in before {
            args.add(*v).map_err(encode_error(operation))?;
        }
        for v in before_ints {
            args.add(*v).map_err(encode_error(operation))?;
        }
        for id in chunk {
            args.add(id.as_str()).map_err(encode_error(operation))?;
        }
        affected += sqlx::query_with(AssertSqlSafe(text), args)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?
            .rows_affected();
    }
    Ok(affected)
}

/// Selects rows of `table` whose `column` is in `ids`, decoded.
async fn select_in<T>(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &Table,
    filter: &str,
    ids: &[String],
    decode: fn(&Cells<'_>) -> Result<T, StoreError>,
    operation: &'static str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "SELECT {} FROM {} WHERE {}",
            table.columns.join(", "),
            table.name,
            filter.replace("{in}", &marks(chunk.len()))
        );
        let mut args = AnyArguments::default();
        for id in chunk {
            args.add(id.as_str()).map_err(encode_error(operation))?;
        }
        let mut rows =
            sqlx::query_with(AssertSqlSafe(placeholders(backend, &sql)), args).fetch(&mut *conn);
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(StoreError::query(operation))?
        {
            out.push(decode(&Cells::new(&row, table))?);
        }
    }
    Ok(out)
}

/// Selects one text column of rows whose `filter` holds for a chunk of `ids`.
async fn select_texts(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    ids: &[String],
    operation: &'static str,
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let text = placeholders(backend, &sql.replace("{in}", &marks(chunk.len())));
        let mut args = AnyArguments::default();
        for id in chunk {
            args.add(id.as_str()).map_err(encode_error(operation))?;
        }
        let rows = sqlx::query_with(AssertSqlSafe(text), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
        for row in rows {
            let v: Option<String> = row.try_get(0).map_err(StoreError::query(operation))?;
            out.extend(v);
        }
    }
    Ok(out)
}

fn sorted(set: impl IntoIterator<Item = String>) -> Vec<String> {
    set.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Queues, inside the writing transaction, every stored lead whose scores the
/// records of `data` can change: its own leads; the leads of its contacts and of
/// the contacts its interactions belong to (by contact or visitor id); the
/// account-based leads of those contacts' accounts; and for its accounts, every
/// lead of the account or of one of its contacts. Returns how many were queued
/// or touched (a lead queued by two of these statements counts twice).
pub(crate) async fn enqueue_affected(
    conn: &mut AnyConnection,
    backend: Backend,
    data: &Dataset,
    cause: &str,
) -> Result<u64, StoreError> {
    let operation = "queue leads for rescoring";
    // One token for every lead this write queues or touches (see `queue`).
    let stamp = [Timestamp::now().as_micros(), queue::new_token()];
    let mut queued = 0;

    let leads = sorted(data.leads.iter().map(|l| l.lead_id.as_str().to_owned()));
    let sql = queue::enqueue_sql("lead_id IN ({in})");
    queued += execute_in(conn, backend, &sql, &[cause], &stamp, &leads, operation).await?;

    let mut contacts: HashSet<String> = data
        .contacts
        .iter()
        .map(|c| c.contact_id.as_str().to_owned())
        .collect();
    let mut visitors = Vec::new();
    for i in &data.interactions {
        match (&i.contact_id, &i.visitor_id) {
            (Some(c), _) => {
                contacts.insert(c.as_str().to_owned());
            }
            (None, Some(v)) => visitors.push(v.as_str().to_owned()),
            (None, None) => {}
        }
    }
    let visitors = sorted(visitors);
    contacts.extend(
        select_texts(
            conn,
            backend,
            "SELECT contact_id FROM contacts WHERE visitor_id IN ({in})",
            &visitors,
            operation,
        )
        .await?,
    );
    let contacts = sorted(contacts);
    let sql = queue::enqueue_sql("contact_id IN ({in})");
    queued += execute_in(conn, backend, &sql, &[cause], &stamp, &contacts, operation).await?;

    let accounts_of_contacts = sorted(
        select_texts(
            conn,
            backend,
            "SELECT account_id FROM contacts WHERE contact_id IN ({in})",
            &contacts,
            operation,
        )
        .await?,
    );
    let sql = queue::enqueue_sql("contact_id IS NULL AND account_id IN ({in})");
    queued += execute_in(
        conn,
        backend,
        &sql,
        &[cause],
        &stamp,
        &accounts_of_contacts,
        operation,
    )
    .await?;

    let accounts = sorted(
        data.accounts
            .iter()
            .map(|a| a.account_id.as_str().to_owned()),
    );
    let sql = queue::enqueue_sql("account_id IN ({in})");
    queued += execute_in(conn, backend, &sql, &[cause], &stamp, &accounts, operation).await?;
    let sql = queue::enqueue_sql(
        "contact_id IN (SELECT contact_id FROM contacts WHERE account_id IN ({in}))",
    );
    queued += execute_in(conn, backend, &sql, &[cause], &stamp, &accounts, operation).await?;
    Ok(queued)
}

/// Everything the scores of `lead_ids` read, as one dataset whose references
/// all resolve: the leads; their contacts and accounts; every contact of those
/// accounts; the interactions of all those contacts (by contact id, or by a
/// visitor id one of them lists); the leads those interactions name (with
/// references outside the set cleared: they are read, not scored); and the
/// leads' custom records. Ids that are not stored are skipped. Without
/// `properties`, interactions are read without their properties (from an
/// index alone; much faster on SQLite).
pub(crate) async fn neighbourhood(
    conn: &mut AnyConnection,
    backend: Backend,
    lead_ids: &[String],
    properties: bool,
) -> Result<Dataset, StoreError> {
    let op = "read leads' records";
    let ids = sorted(lead_ids.iter().cloned());
    let mut leads = select_in(
        conn,
        backend,
        &LEADS,
        "lead_id IN ({in})",
        &ids,
        decode_lead,
        op,
    )
    .await?;
    let direct: Vec<String> = sorted(
        leads
            .iter()
            .filter_map(|l| l.contact_id.as_ref().map(|c| c.as_str().to_owned())),
    );
    let mut contacts = select_in(
        conn,
        backend,
        &CONTACTS,
        "contact_id IN ({in})",
        &direct,
        decode_contact,
        op,
    )
    .await?;
    let account_ids = sorted(
        leads
            .iter()
            .filter_map(|l| l.account_id.as_ref())
            .chain(contacts.iter().filter_map(|c| c.account_id.as_ref()))
            .map(|a| a.as_str().to_owned()),
    );
    let accounts = select_in(
        conn,
        backend,
        &ACCOUNTS,
        "account_id IN ({in})",
        &account_ids,
        decode_account,
        op,
    )
    .await?;
    let siblings = select_in(
        conn,
        backend,
        &CONTACTS,
        "account_id IN ({in})",
        &account_ids,
        decode_contact,
        op,
    )
    .await?;
    let mut seen: HashSet<String> = contacts
        .iter()
        .map(|c| c.contact_id.as_str().to_owned())
        .collect();
    contacts.extend(
        siblings
            .into_iter()
            .filter(|c| seen.insert(c.contact_id.as_str().to_owned())),
    );
    contacts.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));

    let contact_ids = sorted(contacts.iter().map(|c| c.contact_id.as_str().to_owned()));
    let visitor_ids = sorted(
        contacts
            .iter()
            .filter_map(|c| c.visitor_id.as_ref().map(|v| v.as_str().to_owned())),
    );
    let mut interactions = grouped::interactions(
        conn,
        backend,
        "contact_id IN ({in})",
        "contact_id",
        &contact_ids,
        properties,
        op,
    )
    .await?;
    interactions.extend(
        grouped::interactions(
            conn,
            backend,
            "contact_id IS NULL AND visitor_id IN ({in})",
            "visitor_id",
            &visitor_ids,
            properties,
            op,
        )
        .await?,
    );
    interactions.sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));

    // Leads named by interactions, read through `Interaction.Lead` paths.
    let have: HashSet<String> = leads
        .iter()
        .map(|l| l.lead_id.as_str().to_owned())
        .collect();
    let named = sorted(
        interactions
            .iter()
            .filter_map(|i| i.lead_id.as_ref().map(|l| l.as_str().to_owned()))
            .filter(|l| !have.contains(l)),
    );
    let contact_set: HashSet<String> = contact_ids.iter().cloned().collect();
    let account_set: HashSet<String> = accounts
        .iter()
        .map(|a| a.account_id.as_str().to_owned())
        .collect();
    for mut lead in select_in(
        conn,
        backend,
        &LEADS,
        "lead_id IN ({in})",
        &named,
        decode_lead,
        op,
    )
    .await?
    {
        clear_outside(&mut lead, &contact_set, &account_set);
        leads.push(lead);
    }
    let stored_leads: HashSet<String> = leads
        .iter()
        .map(|l| l.lead_id.as_str().to_owned())
        .collect();
    for i in &mut interactions {
        if i.lead_id
            .as_ref()
            .is_some_and(|l| !stored_leads.contains(l.as_str()))
        {
            i.lead_id = None;
        }
    }

    let mut custom = std::collections::BTreeMap::new();
    for (entity, record) in select_in(
        conn,
        backend,
        &CUSTOM_RECORDS,
        "lead_id IN ({in})",
        &ids,
        decode_custom,
        op,
    )
    .await?
    {
        custom.entry(entity).or_insert_with(Vec::new).push(record);
    }
    for records in custom.values_mut() {
        records.sort_by(|a: &leadscore_domain::CustomRecord, b| a.record_id.cmp(&b.record_id));
    }
    let mut accounts = accounts;
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Ok(Dataset {
        accounts,
        contacts,
        leads,
        interactions,
        custom,
    })
}

/// Clears a read-only lead's references to records outside the neighbourhood.
fn clear_outside(lead: &mut Lead, contacts: &HashSet<String>, accounts: &HashSet<String>) {
    if lead
        .contact_id
        .as_ref()
        .is_some_and(|c| !contacts.contains(c.as_str()))
    {
        lead.contact_id = None;
    }
    if lead
        .account_id
        .as_ref()
        .is_some_and(|a| !accounts.contains(a.as_str()))
    {
        lead.account_id = None;
    }
}

/// Erases a contact in one transaction: its interactions (by contact id, and
/// unowned ones by its visitor id), the contact, its leads' scores, score
/// history and state; its leads lose the reference and are queued for
/// rescoring; the erasure is recorded with a hash of the id. `None` when no
/// such contact is stored.
pub(crate) async fn erase_contact(
    conn: &mut AnyConnection,
    backend: Backend,
    contact_id: &str,
    contact_hash: &str,
    erasure_id: &str,
    key_id: Option<&str>,
) -> Result<Option<Erasure>, StoreError> {
    let op = "erase a contact";
    let one = vec![contact_id.to_owned()];
    let found = select_in(
        conn,
        backend,
        &CONTACTS,
        "contact_id IN ({in})",
        &one,
        decode_contact,
        op,
    )
    .await?;
    let Some(contact) = found.into_iter().next() else {
        return Ok(None);
    };
    let leads = select_texts(
        conn,
        backend,
        "SELECT lead_id FROM leads WHERE contact_id IN ({in})",
        &one,
        op,
    )
    .await?;
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
            &[visitor.as_str().to_owned()],
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
    for table in [
        "rule_scores",
        "lead_state",
        "score_history",
        "shadow_scores",
    ] {
        let sql = format!("DELETE FROM {table} WHERE lead_id IN ({{in}})");
        execute_in(conn, backend, &sql, &[], &[], &leads, op).await?;
    }
    let now = Timestamp::now().as_micros();
    execute_in(
        conn,
        backend,
        &queue::enqueue_sql("lead_id IN ({in})"),
        &["contact erased"],
        &[now, queue::new_token()],
        &leads,
        op,
    )
    .await?;
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
        .bind(i64::try_from(erasure.interactions).unwrap_or(i64::MAX))
        .bind(i64::try_from(erasure.leads).unwrap_or(i64::MAX))
        .bind(now)
        .bind(key_id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(op))?;
    Ok(Some(erasure))
}

/// Leads by id, for reading a few (`None` for ids not stored).
pub(crate) async fn leads_by_id(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[String],
) -> Result<HashMap<String, Lead>, StoreError> {
    let leads = select_in(
        conn,
        backend,
        &LEADS,
        "lead_id IN ({in})",
        ids,
        decode_lead,
        "read leads",
    )
    .await?;
    Ok(leads
        .into_iter()
        .map(|l| (l.lead_id.as_str().to_owned(), l))
        .collect())
}
