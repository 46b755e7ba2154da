//! What every repository's SQL shares: placeholders, `IN` lists in chunks,
//! multi-row `VALUES`, and rows read by column name into domain types.

use leadscore_domain::{DomainError, Fields, Timestamp};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyConnection, Arguments, AssertSqlSafe, Row};

use crate::{Backend, StoreError};

/// How many values one `IN (..)` list carries.
pub(crate) const IN_CHUNK: usize = 500;

/// Rows per multi-row `INSERT` of the service's tables (at most 12 columns:
/// well under SQLite's and PostgreSQL's parameter limits).
pub(crate) const ROWS_PER_STATEMENT: usize = 100;

/// Rewrites `?` placeholders to the backend's (`$1`, `$2`, ... on PostgreSQL).
/// The statement must hold no `?` inside a string literal.
pub(crate) fn placeholders(backend: Backend, sql: &str) -> String {
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

/// `(?, ?, ..), (?, ?, ..)`: `rows` groups of `width` marks.
pub(crate) fn value_rows(rows: usize, width: usize) -> String {
    let row = format!("({})", marks(width));
    vec![row; rows].join(", ")
}

/// The error of a value that does not encode.
pub(crate) fn encode_error(
    operation: &'static str,
) -> impl Fn(sqlx::error::BoxDynError) -> StoreError {
    move |e| StoreError::Query {
        operation,
        source: sqlx::Error::Encode(e),
    }
}

/// Runs `sql` (with `{in}` standing for a list of marks) once per chunk of
/// `ids`, binding the texts of `before`, then the integers of `before_ints`,
/// then the chunk; returns the rows affected.
pub(crate) async fn execute_in(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    before: &[&str],
    before_ints: &[i64],
    ids: &[&str],
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
            args.add(*id).map_err(encode_error(operation))?;
        }
        affected += sqlx::query_with(AssertSqlSafe(text), args)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?
            .rows_affected();
    }
    Ok(affected)
}

/// Runs a `SELECT` (with `{in}` standing for a list of marks) once per chunk
/// of `ids` and reads each row with `read`.
pub(crate) async fn select_in<T>(
    conn: &mut AnyConnection,
    backend: Backend,
    sql: &str,
    ids: &[&str],
    operation: &'static str,
    mut read: impl FnMut(&AnyRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let text = placeholders(backend, &sql.replace("{in}", &marks(chunk.len())));
        let mut args = AnyArguments::default();
        for id in chunk {
            args.add(*id).map_err(encode_error(operation))?;
        }
        let rows = sqlx::query_with(AssertSqlSafe(text), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(operation))?;
        for row in &rows {
            out.push(read(row)?);
        }
    }
    Ok(out)
}

/// A new random id for a row (events, history entries, erasures): 16
/// random bytes as hex, 128 bits (no collisions in practice).
pub fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An integer for a `BIGINT` column, saturating.
pub(crate) fn int(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// A count read back, never negative.
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One stored row read by column name into domain types; errors name the
/// table, the row's key and the column.
pub(crate) struct Cells<'r> {
    row: &'r AnyRow,
    table: &'static str,
    /// The columns that identify the row in messages.
    key: &'static [&'static str],
}

impl<'r> Cells<'r> {
    /// A row of `table`, identified in messages by its `key` columns.
    pub(crate) fn new(row: &'r AnyRow, table: &'static str, key: &'static [&'static str]) -> Self {
        Self { row, table, key }
    }

    /// The row's key as stored, for messages.
    fn id(&self) -> String {
        self.key
            .iter()
            .map(
                |column| match self.row.try_get::<Option<&str>, _>(*column) {
                    Ok(Some(text)) => text.to_owned(),
                    _ => match self.row.try_get::<Option<i64>, _>(*column) {
                        Ok(Some(n)) => n.to_string(),
                        _ => "?".to_owned(),
                    },
                },
            )
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The error of a value that does not read.
    pub(crate) fn corrupt(&self, column: &'static str, reason: impl ToString) -> StoreError {
        StoreError::CorruptRow {
            table: self.table,
            id: self.id(),
            column,
            reason: reason.to_string(),
        }
    }

    /// Text, or `None` for NULL.
    pub(crate) fn text(&self, column: &'static str) -> Result<Option<&'r str>, StoreError> {
        self.row
            .try_get(column)
            .map_err(|e| self.corrupt(column, e))
    }

    /// Owned text, or `None` for NULL.
    pub(crate) fn string(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        Ok(self.text(column)?.map(str::to_owned))
    }

    /// Text that must not be NULL.
    pub(crate) fn required_text(&self, column: &'static str) -> Result<&'r str, StoreError> {
        self.text(column)?
            .ok_or_else(|| self.corrupt(column, "is NULL"))
    }

    /// Owned text that must not be NULL.
    pub(crate) fn required_string(&self, column: &'static str) -> Result<String, StoreError> {
        self.required_text(column).map(str::to_owned)
    }

    /// Text read as a domain type.
    pub(crate) fn parse<T>(
        &self,
        column: &'static str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<T, StoreError> {
        parse(self.required_text(column)?).map_err(|e| self.corrupt(column, e))
    }

    /// Text read as a domain type, or `None` for NULL.
    pub(crate) fn parse_opt<T>(
        &self,
        column: &'static str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<Option<T>, StoreError> {
        self.text(column)?
            .map(|t| parse(t).map_err(|e| self.corrupt(column, e)))
            .transpose()
    }

    /// An integer, or `None` for NULL.
    pub(crate) fn int(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.row
            .try_get(column)
            .map_err(|e| self.corrupt(column, e))
    }

    /// An integer that must not be NULL.
    pub(crate) fn required_int(&self, column: &'static str) -> Result<i64, StoreError> {
        self.int(column)?
            .ok_or_else(|| self.corrupt(column, "is NULL"))
    }

    /// A 0/1 flag.
    pub(crate) fn flag(&self, column: &'static str) -> Result<bool, StoreError> {
        Ok(self.required_int(column)? != 0)
    }

    /// A number; an integer stored in a floating-point column reads as well.
    pub(crate) fn float(&self, column: &'static str) -> Result<Option<f64>, StoreError> {
        match self.row.try_get::<Option<f64>, _>(column) {
            Ok(v) => Ok(v),
            Err(e) => match self.row.try_get::<Option<i64>, _>(column) {
                Ok(v) => Ok(v.map(|n| n as f64)),
                Err(_) => Err(self.corrupt(column, e)),
            },
        }
    }

    /// A time stored as microseconds, or `None` for NULL.
    pub(crate) fn timestamp_opt(
        &self,
        column: &'static str,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.int(column)?
            .map(|micros| {
                Timestamp::from_micros(micros)
                    .ok_or_else(|| self.corrupt(column, outside_years(micros)))
            })
            .transpose()
    }

    /// A time that must not be NULL.
    pub(crate) fn timestamp(&self, column: &'static str) -> Result<Timestamp, StoreError> {
        self.timestamp_opt(column)?
            .ok_or_else(|| self.corrupt(column, "is NULL"))
    }

    /// A JSON object of text values (custom fields, properties).
    pub(crate) fn fields(&self, column: &'static str) -> Result<Fields, StoreError> {
        match self.text(column)? {
            None => Ok(Fields::new()),
            Some(text) => serde_json::from_str(text).map_err(|e| {
                self.corrupt(column, format!("not a JSON object of text values: {e}"))
            }),
        }
    }
}

/// Why a stored time does not read.
pub(crate) fn outside_years(micros: i64) -> String {
    format!("{micros} microseconds is outside years 1000-9999")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_only() {
        assert_eq!(
            placeholders(Backend::Postgres, "a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(placeholders(Backend::Sqlite, "a = ?"), "a = ?");
        assert_eq!(value_rows(2, 3), "(?, ?, ?), (?, ?, ?)");
    }
}
