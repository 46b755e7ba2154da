//! The tables as the code sees them, and the SQL text generated from them.
//!
//! The tables themselves are created by the migrations in `migrations/`; the
//! column lists here must follow them (the round-trip tests check they do).

use sqlx::any::AnyRow;

use crate::Backend;
use crate::sql::Cells;

/// Which record table a [`Table`] is: what its rows are made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordTable {
    Accounts,
    Contacts,
    Leads,
    Interactions,
    CustomRecords,
}

/// One table: its name and columns, key columns first.
pub(crate) struct Table {
    /// Which record table it is.
    pub record: RecordTable,
    /// The table name.
    pub name: &'static str,
    /// Every column, in the order rows are bound and read.
    pub columns: &'static [&'static str],
    /// How many leading columns form the primary key.
    pub key_len: usize,
    /// The secondary indexes, as created by the migrations: (name, columns).
    pub indexes: &'static [(&'static str, &'static str)],
    /// True when a column is a nullable DOUBLE PRECISION. sqlx 0.9's `Any` driver
    /// binds a NULL `f64` as a NULL `f32`; on PostgreSQL a statement prepared with
    /// such a NULL keeps `float4` as that parameter's type, and a later batch's
    /// `f64` value is then rejected ("incorrect binary data format"). Statements on
    /// such tables are therefore not cached on PostgreSQL.
    pub nullable_double: bool,
}

pub(crate) const ACCOUNTS: Table = Table {
    record: RecordTable::Accounts,
    name: "accounts",
    columns: &[
        "account_id",
        "name",
        "industry",
        "employees",
        "annual_revenue",
        "country",
        "city",
        "custom",
    ],
    key_len: 1,
    indexes: &[],
    nullable_double: true,
};

pub(crate) const CONTACTS: Table = Table {
    record: RecordTable::Contacts,
    name: "contacts",
    columns: &[
        "contact_id",
        "account_id",
        "first_name",
        "last_name",
        "email",
        "job_title",
        "city",
        "country",
        "visitor_id",
        "custom",
    ],
    key_len: 1,
    indexes: &[
        ("contacts_account_id", "account_id"),
        ("contacts_visitor_id", "visitor_id"),
    ],
    nullable_double: false,
};

pub(crate) const LEADS: Table = Table {
    record: RecordTable::Leads,
    name: "leads",
    columns: &[
        "lead_id",
        "created_at",
        "contact_id",
        "account_id",
        "topic",
        "source",
        "status",
        "closed_at",
        "disqualify_reason",
        "custom",
    ],
    key_len: 1,
    indexes: &[
        ("leads_contact_id", "contact_id"),
        ("leads_account_id", "account_id"),
        ("leads_source", "source"),
    ],
    nullable_double: false,
};

pub(crate) const INTERACTIONS: Table = Table {
    record: RecordTable::Interactions,
    name: "interactions",
    columns: &[
        "interaction_id",
        "kind",
        "occurred_at",
        "contact_id",
        "lead_id",
        "visitor_id",
        "properties",
    ],
    key_len: 1,
    indexes: &[
        (
            "interactions_contact_cover",
            "contact_id, kind, occurred_at, interaction_id, lead_id, visitor_id",
        ),
        ("interactions_visitor_id", "visitor_id"),
        ("interactions_lead_id", "lead_id"),
    ],
    nullable_double: false,
};

pub(crate) const CUSTOM_RECORDS: Table = Table {
    record: RecordTable::CustomRecords,
    name: "custom_records",
    columns: &["entity", "record_id", "lead_id", "fields"],
    key_len: 2,
    indexes: &[("custom_records_lead_id", "lead_id")],
    nullable_double: false,
};

impl Table {
    /// A row of this table, read by column name.
    pub(crate) fn cells<'r>(&self, row: &'r AnyRow) -> Cells<'r> {
        Cells::new(row, self.name, self.key())
    }

    /// The key columns.
    pub(crate) fn key(&self) -> &'static [&'static str] {
        let columns: &'static [&'static str] = self.columns;
        columns.get(..self.key_len).unwrap_or(columns)
    }

    /// `INSERT INTO t (..) VALUES ($1, ..), (..) ON CONFLICT (key) DO UPDATE SET
    /// c = excluded.c, .. WHERE t.c IS DISTINCT FROM excluded.c OR ..` for `rows`
    /// rows. The `WHERE` clause leaves an unchanged row untouched, so a re-import
    /// writes nothing (no new row versions on PostgreSQL).
    pub(crate) fn upsert_sql(&self, backend: Backend, rows: usize) -> String {
        let width = self.columns.len();
        let mut sql = String::with_capacity(128 + rows * width * 7);
        sql.push_str("INSERT INTO ");
        sql.push_str(self.name);
        sql.push_str(" (");
        sql.push_str(&self.columns.join(", "));
        sql.push_str(") VALUES ");
        let mut n = 0;
        for row in 0..rows {
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for col in 0..width {
                if col > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                backend.push_placeholder(&mut sql, n);
            }
            sql.push(')');
        }
        self.push_on_conflict(&mut sql);
        sql
    }

    /// `INSERT INTO t (..) SELECT .. FROM staging ORDER BY key ON CONFLICT ..`:
    /// the rows of `staging` (a table with this one's columns) upserted as
    /// [`Table::upsert_sql`] upserts them, in key order.
    pub(crate) fn merge_sql(&self, staging: &str) -> String {
        let mut sql = self.insert_sql(staging);
        self.push_on_conflict(&mut sql);
        sql
    }

    /// `INSERT INTO t (..) SELECT .. FROM staging ORDER BY key`: the rows of
    /// `staging` inserted in key order.
    fn insert_sql(&self, staging: &str) -> String {
        format!(
            "{} ORDER BY {}",
            self.load_sql(staging),
            self.key().join(", ")
        )
    }

    /// `INSERT INTO t (..) SELECT .. FROM staging`: the rows of `staging`
    /// appended as they are, for a bulk load into a table without its
    /// indexes (see [`Table::drop_primary_key_sql`]).
    pub(crate) fn load_sql(&self, staging: &str) -> String {
        let columns = self.columns.join(", ");
        format!(
            "INSERT INTO {name} ({columns}) SELECT {columns} FROM {staging}",
            name = self.name,
        )
    }

    /// PostgreSQL: drops the primary key (the constraint and its unique
    /// index, named as `CREATE TABLE` names them), for a bulk load that
    /// builds it again with [`Table::add_primary_key_sql`], which checks
    /// that every key is unique.
    pub(crate) fn drop_primary_key_sql(&self) -> String {
        format!("ALTER TABLE {0} DROP CONSTRAINT {0}_pkey", self.name)
    }

    /// PostgreSQL: the primary key again, built from the table's rows (a key
    /// held twice fails the statement).
    pub(crate) fn add_primary_key_sql(&self) -> String {
        format!(
            "ALTER TABLE {0} ADD CONSTRAINT {0}_pkey PRIMARY KEY ({1})",
            self.name,
            self.key().join(", ")
        )
    }

    /// ` ON CONFLICT (key) DO UPDATE SET c = excluded.c, .. WHERE t.c IS
    /// DISTINCT FROM excluded.c OR ..`: an unchanged row is left untouched.
    fn push_on_conflict(&self, sql: &mut String) {
        sql.push_str(" ON CONFLICT (");
        sql.push_str(&self.columns[..self.key_len].join(", "));
        sql.push_str(") DO UPDATE SET ");
        let values = &self.columns[self.key_len..];
        let set: Vec<String> = values
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        sql.push_str(&set.join(", "));
        sql.push_str(" WHERE ");
        let changed: Vec<String> = values
            .iter()
            .map(|c| format!("{}.{c} IS DISTINCT FROM excluded.{c}", self.name))
            .collect();
        sql.push_str(&changed.join(" OR "));
    }

    /// `DROP INDEX` for each secondary index.
    pub(crate) fn drop_indexes_sql(&self) -> impl Iterator<Item = String> {
        self.indexes
            .iter()
            .map(|(name, _)| format!("DROP INDEX IF EXISTS {name}"))
    }

    /// PostgreSQL, before a bulk load into this (empty) table: its primary
    /// key, then its secondary indexes, dropped.
    pub(crate) fn drop_keys_sql(&self) -> impl Iterator<Item = String> {
        std::iter::once(self.drop_primary_key_sql()).chain(self.drop_indexes_sql())
    }

    /// PostgreSQL, after a bulk load: the primary key (which checks that no
    /// key is held twice), then the secondary indexes, each built from one
    /// sort of the rows.
    pub(crate) fn build_keys_sql(&self) -> impl Iterator<Item = String> {
        std::iter::once(self.add_primary_key_sql()).chain(self.create_indexes_sql())
    }

    /// `CREATE INDEX` for each secondary index, as the migrations create it.
    pub(crate) fn create_indexes_sql(&self) -> impl Iterator<Item = String> {
        self.indexes.iter().map(|(name, column)| {
            format!(
                "CREATE INDEX IF NOT EXISTS {name} ON {} ({column})",
                self.name
            )
        })
    }

    /// `SELECT COUNT(*) FROM t`.
    pub(crate) fn count_sql(&self) -> String {
        format!("SELECT COUNT(*) FROM {}", self.name)
    }

    /// `SELECT <all columns> FROM t ORDER BY <key>`, the key in byte order
    /// on both stores ([`Backend::byte_order`]). (Without the `ORDER BY`,
    /// exporting from SQLite measured slower, sort in code included.) The
    /// JSON object column `emptied`, if any, reads as an empty object
    /// (`'{}'`) instead of what it holds; unless `ordered`, without the
    /// `ORDER BY`.
    pub(crate) fn select_all_sql(
        &self,
        backend: Backend,
        emptied: Option<&str>,
        ordered: bool,
    ) -> String {
        let key: Vec<String> = self.key().iter().map(|c| backend.byte_order(c)).collect();
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|&c| {
                if Some(c) == emptied {
                    format!("'{{}}' AS {c}")
                } else {
                    c.to_owned()
                }
            })
            .collect();
        let select = format!("SELECT {} FROM {}", columns.join(", "), self.name);
        if ordered {
            format!("{select} ORDER BY {}", key.join(", "))
        } else {
            select
        }
    }

    /// `SELECT <key> FROM t WHERE <key> IN ($1, .., $n)`, for a one-column key.
    pub(crate) fn select_ids_sql(&self, backend: Backend, ids: usize) -> String {
        let key = self.columns[0];
        let mut sql = format!("SELECT {key} FROM {} WHERE {key} IN (", self.name);
        for n in 1..=ids {
            if n > 1 {
                sql.push_str(", ");
            }
            backend.push_placeholder(&mut sql, n);
        }
        sql.push(')');
        sql
    }
}

/// What erasing a contact does to a table that holds rows per lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnErasure {
    /// The rows of the contact's leads are deleted: they hold what was
    /// computed from the contact's records.
    Delete,
    /// The rows stay, for the reason given.
    Keep(&'static str),
}

/// Every table with a `lead_id` column, and what erasing a contact does to
/// its rows of the contact's leads. Erasure deletes from each `Delete` table
/// (`erasure.rs`); a test fails when a table with a `lead_id` column is not
/// listed here.
pub(crate) const LEAD_TABLES: &[(&str, OnErasure)] = &[
    ("lead_state", OnErasure::Delete),
    ("rule_scores", OnErasure::Delete),
    ("score_history", OnErasure::Delete),
    ("shadow_scores", OnErasure::Delete),
    (
        "leads",
        OnErasure::Keep("the lead stays; its contact reference is cleared"),
    ),
    (
        "interactions",
        OnErasure::Keep("the contact's own interactions are deleted by contact, not by lead"),
    ),
    (
        "custom_records",
        OnErasure::Keep("records of the lead itself, not of the contact"),
    ),
    (
        "rescore_queue",
        OnErasure::Keep("the leads are queued again, to be scored without the contact"),
    ),
    (
        "events",
        OnErasure::Keep("what was sent to webhooks; holds scores, no contact data"),
    ),
];

/// The tables whose rows of a contact's leads erasure deletes.
pub(crate) fn erased_lead_tables() -> impl Iterator<Item = &'static str> {
    LEAD_TABLES
        .iter()
        .filter(|(_, on)| *on == OnErasure::Delete)
        .map(|(name, _)| *name)
}

/// The names of every table [`LEAD_TABLES`] lists (for the test that every
/// table with a `lead_id` column is listed).
#[cfg(feature = "testing")]
pub(crate) fn lead_table_names() -> Vec<&'static str> {
    LEAD_TABLES.iter().map(|(name, _)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_sql_numbers_every_placeholder() {
        let sql = CUSTOM_RECORDS.upsert_sql(Backend::Postgres, 2);
        assert_eq!(
            sql,
            "INSERT INTO custom_records (entity, record_id, lead_id, fields) \
             VALUES ($1, $2, $3, $4), ($5, $6, $7, $8) \
             ON CONFLICT (entity, record_id) DO UPDATE SET lead_id = excluded.lead_id, \
             fields = excluded.fields WHERE custom_records.lead_id IS DISTINCT FROM \
             excluded.lead_id OR custom_records.fields IS DISTINCT FROM excluded.fields"
        );
    }

    #[test]
    fn select_ids_sql_lists_placeholders() {
        assert_eq!(
            LEADS.select_ids_sql(Backend::Postgres, 3),
            "SELECT lead_id FROM leads WHERE lead_id IN ($1, $2, $3)"
        );
        assert_eq!(
            LEADS.select_ids_sql(Backend::Sqlite, 2),
            "SELECT lead_id FROM leads WHERE lead_id IN (?, ?)"
        );
    }
}
