//! A lead's neighbourhood: everything its scores read, as one dataset whose
//! references resolve.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use leadscore_domain::attribution::takes_visitor;
use leadscore_domain::{Contact, CustomRecord, Dataset, Lead, LeadId};
use sqlx::AnyConnection;

use super::grouped::{self, BY_CONTACT, BY_VISITOR};
use super::read::{decode_account, decode_contact, decode_custom, decode_lead};
use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, LEADS, Table};
use crate::sql::select_in;
use crate::{Backend, StoreError};

/// Rows of `table` for which `filter` holds (`{in}` standing for a chunk of
/// `ids`), decoded.
async fn select_rows<T>(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &Table,
    filter: &str,
    ids: &[String],
    decode: fn(&crate::sql::Cells<'_>) -> Result<T, StoreError>,
    operation: &'static str,
) -> Result<Vec<T>, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {filter}",
        table.columns.join(", "),
        table.name
    );
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    select_in(conn, backend, &sql, &ids, operation, |row| {
        decode(&table.cells(row))
    })
    .await
}

pub(crate) fn sorted(set: impl IntoIterator<Item = String>) -> Vec<String> {
    set.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
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
    let mut leads = select_rows(
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
    let mut contacts = select_rows(
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
    let accounts = select_rows(
        conn,
        backend,
        &ACCOUNTS,
        "account_id IN ({in})",
        &account_ids,
        decode_account,
        op,
    )
    .await?;
    let siblings = select_rows(
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
    let visitor_ids = owned_visitors(conn, backend, &contacts, op).await?;
    let mut interactions =
        grouped::interactions(conn, backend, BY_CONTACT, &contact_ids, properties, op).await?;
    interactions.extend(
        grouped::interactions(conn, backend, BY_VISITOR, &visitor_ids, properties, op).await?,
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
    for mut lead in select_rows(
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

    let mut custom = BTreeMap::new();
    for (entity, record) in select_rows(
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
        records.sort_by(|a: &CustomRecord, b| a.record_id.cmp(&b.record_id));
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

/// The visitor ids the neighbourhood's contacts list that one of them owns
/// (`leadscore_domain::attribution`: the greatest contact id listing a
/// visitor id owns it, wherever that contact is), sorted: the interactions
/// under the others' belong to a contact outside the neighbourhood.
async fn owned_visitors(
    conn: &mut AnyConnection,
    backend: Backend,
    contacts: &[Contact],
    op: &'static str,
) -> Result<Vec<String>, StoreError> {
    let listed = sorted(
        contacts
            .iter()
            .filter_map(|c| c.visitor_id.as_ref().map(|v| v.as_str().to_owned())),
    );
    let refs: Vec<&str> = listed.iter().map(String::as_str).collect();
    let listings = select_in(
        conn,
        backend,
        "SELECT contact_id, visitor_id FROM contacts WHERE visitor_id IN ({in})",
        &refs,
        op,
        |row| {
            let c = CONTACTS.cells(row);
            Ok((
                c.required_string("visitor_id")?,
                c.required_string("contact_id")?,
            ))
        },
    )
    .await?;
    let mut owners: HashMap<String, String> = HashMap::new();
    for (visitor, contact) in listings {
        match owners.get_mut(&visitor) {
            Some(owner) if takes_visitor(owner, &contact) => *owner = contact,
            Some(_) => {}
            None => {
                owners.insert(visitor, contact);
            }
        }
    }
    let ours: HashSet<&str> = contacts.iter().map(|c| c.contact_id.as_str()).collect();
    Ok(listed
        .into_iter()
        .filter(|v| owners.get(v).is_some_and(|o| ours.contains(o.as_str())))
        .collect())
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

/// Leads by id, for reading a few (`None` for ids not stored).
pub(crate) async fn leads_by_id(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[String],
) -> Result<HashMap<LeadId, Lead>, StoreError> {
    let leads = select_rows(
        conn,
        backend,
        &LEADS,
        "lead_id IN ({in})",
        ids,
        decode_lead,
        "read leads",
    )
    .await?;
    Ok(leads.into_iter().map(|l| (l.lead_id.clone(), l)).collect())
}
