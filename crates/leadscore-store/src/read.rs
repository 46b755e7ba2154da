//! Reading back: export, counts, and which ids exist.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use futures_util::TryStreamExt;
use leadscore_domain::{
    Account, AccountId, Contact, ContactId, CustomRecord, Dataset, DomainError, EntityName,
    ExternalIds, Fields, Interaction, InteractionId, InteractionKind, Lead, LeadId, LeadStatus,
    RecordId, Timestamp, VisitorId,
};
use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyPool, Arguments, AssertSqlSafe, Row};

use crate::schema::{ACCOUNTS, CONTACTS, CUSTOM_RECORDS, INTERACTIONS, LEADS, Table};
use crate::{Backend, StoreCounts, StoreError};

/// How many ids one `IN (..)` look-up carries.
const IDS_PER_QUERY: usize = 500;

/// Everything stored, read in one snapshot, each list ordered by id (in byte
/// order).
pub(crate) async fn export(pool: &AnyPool, backend: Backend) -> Result<Dataset, StoreError> {
    let mut tx = pool
        .begin_with(backend.begin_snapshot())
        .await
        .map_err(StoreError::query("begin the export transaction"))?;
    let mut data = Dataset {
        accounts: read_table(&mut tx, &ACCOUNTS, "export accounts", decode_account).await?,
        contacts: read_table(&mut tx, &CONTACTS, "export contacts", decode_contact).await?,
        leads: read_table(&mut tx, &LEADS, "export leads", decode_lead).await?,
        interactions: read_table(
            &mut tx,
            &INTERACTIONS,
            "export interactions",
            decode_interaction,
        )
        .await?,
        custom: BTreeMap::new(),
    };
    let custom = read_table(
        &mut tx,
        &CUSTOM_RECORDS,
        "export custom records",
        decode_custom,
    )
    .await?;
    tx.commit()
        .await
        .map_err(StoreError::query("end the export transaction"))?;

    // The database orders text by its collation, which on PostgreSQL need not be
    // byte order; sorting here makes the order the same everywhere. The lists
    // arrive sorted or nearly so, which the stable sort handles in linear time.
    data.accounts
        .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    data.contacts
        .sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
    data.leads.sort_by(|a, b| a.lead_id.cmp(&b.lead_id));
    data.interactions
        .sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));
    for (entity, record) in custom {
        data.custom.entry(entity).or_default().push(record);
    }
    for records in data.custom.values_mut() {
        records.sort_by(|a, b| a.record_id.cmp(&b.record_id));
    }
    Ok(data)
}

async fn read_table<T>(
    conn: &mut AnyConnection,
    table: &Table,
    operation: &'static str,
    decode: fn(&Cells<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut rows = sqlx::query(AssertSqlSafe(table.select_all_sql())).fetch(&mut *conn);
    let mut out = Vec::new();
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(StoreError::query(operation))?
    {
        out.push(decode(&Cells::new(&row, table))?);
    }
    Ok(out)
}

/// How many records of each type are stored.
pub(crate) async fn counts(pool: &AnyPool) -> Result<StoreCounts, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM contacts), \
         (SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM interactions), \
         (SELECT COUNT(*) FROM custom_records)",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::query("count stored records"))?;
    let count = |i: usize| -> Result<u64, StoreError> {
        let n: i64 = row
            .try_get(i)
            .map_err(StoreError::query("count stored records"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(StoreCounts {
        accounts: count(0)?,
        contacts: count(1)?,
        leads: count(2)?,
        interactions: count(3)?,
        custom_records: count(4)?,
    })
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
            args.add(*id).map_err(|e| StoreError::Query {
                operation,
                source: sqlx::Error::Encode(e),
            })?;
        }
        let rows = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
        for row in rows {
            let id: String = row.try_get(0).map_err(StoreError::query(operation))?;
            found.insert(id);
        }
    }
    Ok(found)
}

/// One stored row being read into a domain type; errors name the table, the
/// row's id and the column.
pub(crate) struct Cells<'r> {
    row: &'r AnyRow,
    table: &'static str,
    columns: &'static [&'static str],
}

impl<'r> Cells<'r> {
    pub(crate) fn new(row: &'r AnyRow, table: &Table) -> Self {
        Self {
            row,
            table: table.name,
            columns: table.columns,
        }
    }

    /// The row's key as stored, for error messages.
    fn id(&self) -> String {
        let key = |i: usize| {
            self.row
                .try_get::<Option<&str>, _>(i)
                .ok()
                .flatten()
                .unwrap_or("?")
                .to_owned()
        };
        if self.table == CUSTOM_RECORDS.name {
            format!("{}/{}", key(0), key(1))
        } else {
            key(0)
        }
    }

    fn corrupt(&self, i: usize, reason: impl ToString) -> StoreError {
        StoreError::CorruptRow {
            table: self.table,
            id: self.id(),
            column: self.columns.get(i).copied().unwrap_or("?"),
            reason: reason.to_string(),
        }
    }

    fn text(&self, i: usize) -> Result<Option<&'r str>, StoreError> {
        self.row.try_get(i).map_err(|e| self.corrupt(i, e))
    }

    fn string(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.text(i)?.map(str::to_owned))
    }

    fn required_text(&self, i: usize) -> Result<&'r str, StoreError> {
        self.text(i)?.ok_or_else(|| self.corrupt(i, "is NULL"))
    }

    fn parse<T>(
        &self,
        i: usize,
        parse: fn(&str) -> Result<T, DomainError>,
    ) -> Result<T, StoreError> {
        parse(self.required_text(i)?).map_err(|e| self.corrupt(i, e))
    }

    fn parse_opt<T>(
        &self,
        i: usize,
        parse: fn(&str) -> Result<T, DomainError>,
    ) -> Result<Option<T>, StoreError> {
        self.text(i)?
            .map(|t| parse(t).map_err(|e| self.corrupt(i, e)))
            .transpose()
    }

    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        self.row.try_get(i).map_err(|e| self.corrupt(i, e))
    }

    /// A number; an integer stored in a floating-point column reads as well.
    fn float(&self, i: usize) -> Result<Option<f64>, StoreError> {
        match self.row.try_get::<Option<f64>, _>(i) {
            Ok(v) => Ok(v),
            Err(e) => match self.row.try_get::<Option<i64>, _>(i) {
                Ok(v) => Ok(v.map(|n| n as f64)),
                Err(_) => Err(self.corrupt(i, e)),
            },
        }
    }

    fn timestamp_opt(&self, i: usize) -> Result<Option<Timestamp>, StoreError> {
        self.int(i)?
            .map(|micros| {
                Timestamp::from_micros(micros).ok_or_else(|| {
                    self.corrupt(
                        i,
                        format!("{micros} microseconds is outside years 1000-9999"),
                    )
                })
            })
            .transpose()
    }

    fn timestamp(&self, i: usize) -> Result<Timestamp, StoreError> {
        self.timestamp_opt(i)?
            .ok_or_else(|| self.corrupt(i, "is NULL"))
    }

    fn fields(&self, i: usize) -> Result<Fields, StoreError> {
        match self.text(i)? {
            None => Ok(Fields::new()),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| self.corrupt(i, format!("not a JSON object of text values: {e}"))),
        }
    }
}

pub(crate) fn decode_account(c: &Cells<'_>) -> Result<Account, StoreError> {
    Ok(Account {
        account_id: c.parse(0, |s| AccountId::parse(s))?,
        name: c.string(1)?,
        industry: c.string(2)?,
        employees: c.int(3)?,
        annual_revenue: c.float(4)?,
        country: c.string(5)?,
        city: c.string(6)?,
        custom: c.fields(7)?,
    })
}

pub(crate) fn decode_contact(c: &Cells<'_>) -> Result<Contact, StoreError> {
    Ok(Contact {
        contact_id: c.parse(0, |s| ContactId::parse(s))?,
        account_id: c.parse_opt(1, |s| AccountId::parse(s))?,
        first_name: c.string(2)?,
        last_name: c.string(3)?,
        email: c.string(4)?,
        job_title: c.string(5)?,
        city: c.string(6)?,
        country: c.string(7)?,
        visitor_id: c.parse_opt(8, |s| VisitorId::parse(s))?,
        custom: c.fields(9)?,
    })
}

pub(crate) fn decode_lead(c: &Cells<'_>) -> Result<Lead, StoreError> {
    Ok(Lead {
        lead_id: c.parse(0, |s| LeadId::parse(s))?,
        created_at: c.timestamp(1)?,
        contact_id: c.parse_opt(2, |s| ContactId::parse(s))?,
        account_id: c.parse_opt(3, |s| AccountId::parse(s))?,
        topic: c.string(4)?,
        source: c.string(5)?,
        status: c.parse(6, LeadStatus::parse)?,
        closed_at: c.timestamp_opt(7)?,
        disqualify_reason: c.string(8)?,
        custom: c.fields(9)?,
    })
}

pub(crate) fn decode_interaction(c: &Cells<'_>) -> Result<Interaction, StoreError> {
    Ok(Interaction {
        interaction_id: c.parse(0, |s| InteractionId::parse(s))?,
        kind: c.parse(1, InteractionKind::parse)?,
        occurred_at: c.timestamp(2)?,
        contact_id: c.parse_opt(3, |s| ContactId::parse(s))?,
        lead_id: c.parse_opt(4, |s| LeadId::parse(s))?,
        visitor_id: c.parse_opt(5, |s| VisitorId::parse(s))?,
        properties: c.fields(6)?,
    })
}

pub(crate) fn decode_custom(c: &Cells<'_>) -> Result<(EntityName, CustomRecord), StoreError> {
    Ok((
        c.parse(0, |s| EntityName::parse(s))?,
        CustomRecord {
            record_id: c.parse(1, |s| RecordId::parse(s))?,
            lead_id: c.parse(2, |s| LeadId::parse(s))?,
            fields: c.fields(3)?,
        },
    ))
}
