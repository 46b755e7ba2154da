//! Interactions read a group at a time: the database gathers each contact's
//! (or visitor's) interactions into one JSON array ([`Backend::json_rows`]),
//! so the driver hands over one row per group instead of one per interaction.
//!
//! A lead's neighbourhood holds every interaction of its account's contacts,
//! about 25 per contact under the service's benchmark load: per row, the
//! driver copies each value, sends the row between threads and converts it to
//! its database-independent form, which cost more than SQLite's reading of it
//! (BENCHMARKS.md, sixth round).

use std::borrow::Cow;

use leadscore_domain::{
    ContactId, DomainError, Fields, Interaction, InteractionId, InteractionKind, LeadId, Timestamp,
    VisitorId,
};
use serde::Deserialize;
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, AssertSqlSafe, Row};

use crate::schema::INTERACTIONS;
use crate::sql::{IN_CHUNK, encode_error, marks, outside_years, placeholders};
use crate::{Backend, StoreError};

/// One interaction as the database wrote it into its group's array, in the
/// order of `INTERACTIONS.columns`. Text without escapes is borrowed from the
/// array's text.
#[derive(Debug, Deserialize)]
struct Cells<'a> {
    #[serde(borrow)]
    interaction_id: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    occurred_at: i64,
    #[serde(borrow)]
    contact_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    lead_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    visitor_id: Option<Cow<'a, str>>,
    /// The properties' JSON text; absent when not read.
    #[serde(borrow, default)]
    properties: Option<Cow<'a, str>>,
}

/// Which interactions a read takes, and by which index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filter {
    /// The condition, with `{in}` standing for a chunk of ids.
    pub condition: &'static str,
    /// The column the condition's list is on; the groups are by it.
    pub key: &'static str,
    /// The index SQLite must read them by (see [`Backend::indexed_by`]).
    pub index: &'static str,
}

/// The interactions of these contacts (by contact id).
pub(crate) const BY_CONTACT: Filter = Filter {
    condition: "contact_id IN ({in})",
    key: "contact_id",
    index: "interactions_contact_cover",
};

/// The interactions owned by no contact under these visitor ids.
pub(crate) const BY_VISITOR: Filter = Filter {
    condition: "contact_id IS NULL AND visitor_id IN ({in})",
    key: "visitor_id",
    index: "interactions_visitor_id",
};

/// The statement that reads the interactions `filter` takes for `n` ids,
/// grouped by its key.
pub(crate) fn select_sql(backend: Backend, filter: Filter, properties: bool, n: usize) -> String {
    // The properties are the last column.
    let all = INTERACTIONS.columns;
    let columns = if properties {
        all
    } else {
        &all[..all.len() - 1]
    };
    let key = filter.key;
    format!(
        "SELECT {key} AS owner, {} AS grouped FROM {}{} WHERE {} GROUP BY {key}",
        backend.json_rows(columns),
        INTERACTIONS.name,
        backend.indexed_by(filter.index),
        filter.condition.replace("{in}", &marks(n))
    )
}

/// The interactions `filter` takes for `ids`, grouped by its key. Without
/// `properties`, read from `interactions_contact_cover` alone when the
/// filter is on contacts.
pub(crate) async fn interactions(
    conn: &mut AnyConnection,
    backend: Backend,
    filter: Filter,
    ids: &[String],
    properties: bool,
    operation: &'static str,
) -> Result<Vec<Interaction>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = select_sql(backend, filter, properties, chunk.len());
        let mut args = AnyArguments::default();
        for id in chunk {
            args.add(id.as_str()).map_err(encode_error(operation))?;
        }
        let rows = sqlx::query_with(AssertSqlSafe(placeholders(backend, &sql)), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
        for row in &rows {
            let group: Option<&str> = row.try_get("owner").map_err(StoreError::query(operation))?;
            let text: &str = row
                .try_get("grouped")
                .map_err(StoreError::query(operation))?;
            decode_group(group.unwrap_or_default(), text, &mut out)?;
        }
    }
    Ok(out)
}

/// Decodes one group's array into `out`.
fn decode_group(group: &str, text: &str, out: &mut Vec<Interaction>) -> Result<(), StoreError> {
    let corrupt = |id: &str, column: &'static str, reason: String| StoreError::CorruptRow {
        table: INTERACTIONS.name,
        id: id.to_owned(),
        column,
        reason,
    };
    let cells: Vec<Cells<'_>> = serde_json::from_str(text).map_err(|e| {
        corrupt(
            group,
            "(a group of rows)",
            format!("the database's JSON array does not read: {e}"),
        )
    })?;
    out.reserve(cells.len());
    for c in cells {
        let id = c.interaction_id.as_ref();
        let check = |column: &'static str| move |e: DomainError| corrupt(id, column, e.to_string());
        out.push(Interaction {
            interaction_id: InteractionId::parse(id).map_err(check("interaction_id"))?,
            kind: InteractionKind::parse(&c.kind).map_err(check("kind"))?,
            occurred_at: Timestamp::from_micros(c.occurred_at)
                .ok_or_else(|| corrupt(id, "occurred_at", outside_years(c.occurred_at)))?,
            contact_id: c
                .contact_id
                .map(ContactId::parse)
                .transpose()
                .map_err(check("contact_id"))?,
            lead_id: c
                .lead_id
                .map(LeadId::parse)
                .transpose()
                .map_err(check("lead_id"))?,
            visitor_id: c
                .visitor_id
                .map(VisitorId::parse)
                .transpose()
                .map_err(check("visitor_id"))?,
            properties: match c.properties {
                None => Fields::new(),
                Some(json) => serde_json::from_str(&json).map_err(|e| {
                    corrupt(
                        id,
                        "properties",
                        format!("not a JSON object of text values: {e}"),
                    )
                })?,
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for a read of `filter` with 500 bound ids, as
    /// `EXPLAIN QUERY PLAN` details.
    async fn plan(filter: Filter) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let (_dir, store) = crate::testing::fresh_sqlite().await?;
        let sql = format!(
            "EXPLAIN QUERY PLAN {}",
            select_sql(Backend::Sqlite, filter, false, 500)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for i in 0..500 {
            query = query.bind(format!("v-{i}"));
        }
        let rows = query.fetch_all(store.pool()).await?;
        let details = rows
            .iter()
            .map(|row| row.try_get::<String, _>("detail"))
            .collect::<Result<_, _>>()?;
        store.close().await;
        Ok(details)
    }

    /// Regression: without statistics, SQLite read the interactions of a
    /// list of visitors through the covering index on `contact_id` (every
    /// interaction without a contact, for each chunk) instead of the index
    /// on `visitor_id`.
    #[tokio::test]
    async fn each_read_goes_through_its_own_index() -> Result<(), Box<dyn std::error::Error>> {
        let visitors = plan(BY_VISITOR).await?;
        assert!(
            visitors
                .iter()
                .any(|d| d.contains("USING INDEX interactions_visitor_id (visitor_id=?)")),
            "{visitors:?}"
        );
        let contacts = plan(BY_CONTACT).await?;
        assert!(
            contacts
                .iter()
                .any(|d| d
                    .contains("USING COVERING INDEX interactions_contact_cover (contact_id=?)")),
            "{contacts:?}"
        );
        Ok(())
    }

    #[test]
    fn a_group_decodes_with_escapes_and_nulls() -> Result<(), StoreError> {
        let text = r#"[["i-1","EmailClicked",1700000000000000,"c-1",null,null,"{\"url\":\"a\\\"b\"}"],
                       ["i-\u00e9\"2","WebsiteVisited",1700000000000001,null,"l-1","v-1"]]"#;
        let mut out = Vec::new();
        decode_group("c-1", text, &mut out)?;
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].interaction_id.as_str(), "i-1");
        assert_eq!(out[0].properties.get("url"), Some("a\"b"));
        assert_eq!(out[1].interaction_id.as_str(), "i-\u{e9}\"2");
        assert_eq!(out[1].lead_id.as_ref().map(|l| l.as_str()), Some("l-1"));
        assert!(out[1].properties.is_empty());
        Ok(())
    }

    #[test]
    fn a_bad_value_names_its_row_and_column() {
        let text = r#"[["i-1","EmailClicked",-99999999999999999,"c-1",null,null]]"#;
        let error = decode_group("c-1", text, &mut Vec::new()).err();
        assert!(
            matches!(&error, Some(StoreError::CorruptRow { id, column: "occurred_at", .. }) if id == "i-1"),
            "{error:?}"
        );
        let error = decode_group("c-9", "[[1]]", &mut Vec::new()).err();
        assert!(
            matches!(&error, Some(StoreError::CorruptRow { id, .. }) if id == "c-9"),
            "{error:?}"
        );
    }
}
