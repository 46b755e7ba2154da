//! What values the stored records hold, field by field: the distinct values
//! of each text field (standard columns and custom fields, interaction kinds
//! and properties, custom entities' fields) with how many records hold each,
//! the most frequent first and capped per field. The console's rule-model
//! designer suggests them and flags a value no record has (`Referal` where the
//! data says `Referral`).
//!
//! The same SQL on both databases except for reading the JSON of custom
//! fields: SQLite's `json_each`, PostgreSQL's `jsonb_each_text`.

use leadscore_domain::{EntityName, RecordType};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::sql::{Cells, count, placeholders};
use crate::{Backend, SqlStore, StoreError};

pub use leadscore_domain::{ObservedField, ObservedValue};

/// The standard text columns worth suggesting values of (names, emails and
/// ids are left out: they hold a value per record).
const COLUMNS: &[(&str, &str)] = &[
    ("leads", "topic"),
    ("leads", "source"),
    ("leads", "status"),
    ("leads", "disqualify_reason"),
    ("contacts", "job_title"),
    ("contacts", "city"),
    ("contacts", "country"),
    ("accounts", "industry"),
    ("accounts", "city"),
    ("accounts", "country"),
    ("interactions", "kind"),
];

/// The tables with a JSON object of custom fields, and its column.
const CUSTOM: &[(&str, &str)] = &[
    ("leads", "custom"),
    ("contacts", "custom"),
    ("accounts", "custom"),
    ("interactions", "properties"),
];

fn record_of(table: &str) -> RecordType {
    match table {
        "leads" => RecordType::Lead,
        "contacts" => RecordType::Contact,
        "accounts" => RecordType::Account,
        _ => RecordType::Interaction,
    }
}

/// A table's rows to read `columns` of: every row, or the first `rows`.
fn rows_of(table: &str, columns: &str, rows: Option<u32>) -> String {
    match rows {
        None => table.to_owned(),
        Some(n) => format!("(SELECT {columns} FROM {table} LIMIT {n})"),
    }
}

/// The pairs of a JSON object column as rows `(key, value)`, in the
/// backend's SQL (`source`: the table, or rows of it, named `t`).
fn json_pairs(backend: Backend, source: &str, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{source} t, json_each(t.{column}) AS j"),
        Backend::Postgres => {
            format!("{source} t, jsonb_each_text(t.{column}::jsonb) AS j(key, value)")
        }
    }
}

/// The ranked top values of grouped rows `g(grp, field, value, n)`.
fn ranked(grouped: &str) -> String {
    format!(
        "SELECT grp, field, value, n, d FROM (\
           SELECT grp, field, value, n, \
                  ROW_NUMBER() OVER (PARTITION BY grp, field ORDER BY n DESC, value) AS r, \
                  COUNT(*) OVER (PARTITION BY grp, field) AS d \
           FROM ({grouped}) g) ranked \
         WHERE r <= ? ORDER BY grp, field, n DESC, value"
    )
}

struct Row {
    group: String,
    field: String,
    value: String,
    records: u64,
    distinct: u64,
}

fn row_of(row: &AnyRow) -> Result<Row, StoreError> {
    let c = Cells::new(row, "field values", &["grp", "field"]);
    Ok(Row {
        group: c.required_string("grp")?,
        field: c.required_string("field")?,
        value: c.string("value")?.unwrap_or_default(),
        records: count(c.required_int("n")?),
        distinct: count(c.required_int("d")?),
    })
}

impl SqlStore {
    /// The values each text field of the stored records holds, at most
    /// `per_field` (the most frequent) per field, with how many records hold
    /// each. Blank values are left out. Fields in record then name order.
    /// `rows`: read at most this many records of each kind (the first
    /// stored), so that a large store answers in bounded time; the counts
    /// are then of those records.
    pub async fn field_values(
        &self,
        per_field: u32,
        rows: Option<u32>,
    ) -> Result<Vec<ObservedField>, StoreError> {
        let op = "read the values of the records' fields";
        let backend = self.backend();
        let mut queries: Vec<String> = Vec::new();
        for (table, column) in COLUMNS {
            queries.push(format!(
                "SELECT '{table}' AS grp, '{column}' AS field, {column} AS value, COUNT(*) AS n \
                 FROM {} t WHERE {column} IS NOT NULL AND {column} <> '' GROUP BY {column}",
                rows_of(table, column, rows)
            ));
        }
        for (table, column) in CUSTOM {
            queries.push(format!(
                "SELECT '{table}' AS grp, j.key AS field, j.value AS value, COUNT(*) AS n \
                 FROM {} WHERE j.value IS NOT NULL AND j.value <> '' GROUP BY j.key, j.value",
                json_pairs(backend, &rows_of(table, column, rows), column)
            ));
        }
        queries.push(format!(
            "SELECT t.entity AS grp, j.key AS field, j.value AS value, COUNT(*) AS n \
             FROM {} WHERE j.value IS NOT NULL AND j.value <> '' GROUP BY t.entity, j.key, j.value",
            json_pairs(
                backend,
                &rows_of("custom_records", "entity, fields", rows),
                "fields"
            )
        ));
        let mut out: Vec<ObservedField> = Vec::new();
        for (i, grouped) in queries.iter().enumerate() {
            let rows = sqlx::query(AssertSqlSafe(placeholders(backend, &ranked(grouped))))
                .bind(i64::from(per_field))
                .fetch_all(self.pool())
                .await
                .map_err(StoreError::query(op))?;
            let custom_entities = i + 1 == queries.len();
            for row in rows.iter().map(row_of) {
                let row = row?;
                let record = if custom_entities {
                    match EntityName::parse(&row.group) {
                        Ok(name) => RecordType::Custom(name),
                        Err(_) => continue,
                    }
                } else {
                    record_of(&row.group)
                };
                let value = ObservedValue {
                    value: row.value,
                    records: row.records,
                };
                match out.last_mut() {
                    Some(last) if last.record == record && last.field == row.field => {
                        last.values.push(value);
                    }
                    _ => out.push(ObservedField {
                        record,
                        field: row.field,
                        distinct: row.distinct,
                        values: vec![value],
                    }),
                }
            }
        }
        Ok(out)
    }

    /// The custom entities the store holds records of, in name order (a
    /// name that is not a valid entity name, which no import writes, is left
    /// out).
    pub async fn custom_entities(&self) -> Result<Vec<EntityName>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT entity FROM custom_records ORDER BY entity")
            .fetch_all(self.pool())
            .await
            .map_err(StoreError::query("read the custom entities"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let name = Cells::new(row, "custom entities", &["entity"]).required_string("entity")?;
            if let Ok(name) = EntityName::parse(&name) {
                out.push(name);
            }
        }
        Ok(out)
    }
}
