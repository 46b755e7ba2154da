//! A record as a row of its table: the one place that says which value goes
//! in which column ([`Table::columns`](crate::schema::Table) order), for the
//! bound upserts ([`AnyArguments`]) and for PostgreSQL's `COPY`
//! ([`CopyText`]) alike.

use leadscore_domain::{Account, Contact, CustomRecord, Dataset, Fields, Interaction, Lead};
use sqlx::Arguments;
use sqlx::any::AnyArguments;
use sqlx::error::BoxDynError;

use crate::schema::{RecordTable, Table};

/// Where a row's values go, one column after the other.
pub(crate) trait RowOut {
    /// A text column.
    fn text(&mut self, value: Option<&str>) -> Result<(), BoxDynError>;
    /// An integer column.
    fn int(&mut self, value: Option<i64>) -> Result<(), BoxDynError>;
    /// A floating point column.
    fn float(&mut self, value: Option<f64>) -> Result<(), BoxDynError>;
    /// Ends a row (bound arguments need no mark between rows).
    fn end_row(&mut self) {}
}

impl RowOut for AnyArguments {
    fn text(&mut self, value: Option<&str>) -> Result<(), BoxDynError> {
        self.add(value)
    }
    fn int(&mut self, value: Option<i64>) -> Result<(), BoxDynError> {
        self.add(value)
    }
    fn float(&mut self, value: Option<f64>) -> Result<(), BoxDynError> {
        self.add(value)
    }
}

/// Rows in `COPY ... FROM STDIN`'s text format: columns separated by tabs,
/// rows ended by a newline, `\N` for NULL, and backslash, tab, newline and
/// carriage return escaped with a backslash.
#[derive(Debug, Default)]
pub(crate) struct CopyText {
    /// The encoded rows.
    pub bytes: Vec<u8>,
    /// Whether the current row has a column already.
    started: bool,
}

impl CopyText {
    fn column(&mut self) {
        if self.started {
            self.bytes.push(b'\t');
        }
        self.started = true;
    }
}

impl RowOut for CopyText {
    fn end_row(&mut self) {
        self.bytes.push(b'\n');
        self.started = false;
    }

    fn text(&mut self, value: Option<&str>) -> Result<(), BoxDynError> {
        self.column();
        let Some(value) = value else {
            self.bytes.extend_from_slice(b"\\N");
            return Ok(());
        };
        for byte in value.bytes() {
            match byte {
                b'\\' => self.bytes.extend_from_slice(b"\\\\"),
                b'\t' => self.bytes.extend_from_slice(b"\\t"),
                b'\n' => self.bytes.extend_from_slice(b"\\n"),
                b'\r' => self.bytes.extend_from_slice(b"\\r"),
                0 => return Err("PostgreSQL text cannot hold a NUL character".into()),
                other => self.bytes.push(other),
            }
        }
        Ok(())
    }

    fn int(&mut self, value: Option<i64>) -> Result<(), BoxDynError> {
        self.column();
        match value {
            Some(v) => self.bytes.extend_from_slice(v.to_string().as_bytes()),
            None => self.bytes.extend_from_slice(b"\\N"),
        }
        Ok(())
    }

    fn float(&mut self, value: Option<f64>) -> Result<(), BoxDynError> {
        self.column();
        // Rust writes the shortest text that reads back as the same double,
        // which PostgreSQL reads exactly; it spells the infinities its way.
        let text = match value {
            None => "\\N".to_owned(),
            Some(v) if v == f64::INFINITY => "Infinity".to_owned(),
            Some(v) if v == f64::NEG_INFINITY => "-Infinity".to_owned(),
            Some(v) => v.to_string(),
        };
        self.bytes.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

/// Custom fields / properties as a JSON object.
fn json(fields: &Fields) -> Result<String, BoxDynError> {
    if fields.is_empty() {
        Ok("{}".to_owned())
    } else {
        Ok(serde_json::to_string(fields)?)
    }
}

pub(crate) fn account_row(a: &Account, out: &mut impl RowOut) -> Result<(), BoxDynError> {
    out.text(Some(a.account_id.as_str()))?;
    out.text(a.name.as_deref())?;
    out.text(a.industry.as_deref())?;
    out.int(a.employees)?;
    out.float(a.annual_revenue)?;
    out.text(a.country.as_deref())?;
    out.text(a.city.as_deref())?;
    out.text(Some(&json(&a.custom)?))
}

pub(crate) fn contact_row(c: &Contact, out: &mut impl RowOut) -> Result<(), BoxDynError> {
    out.text(Some(c.contact_id.as_str()))?;
    out.text(c.account_id.as_ref().map(|v| v.as_str()))?;
    out.text(c.first_name.as_deref())?;
    out.text(c.last_name.as_deref())?;
    out.text(c.email.as_deref())?;
    out.text(c.job_title.as_deref())?;
    out.text(c.city.as_deref())?;
    out.text(c.country.as_deref())?;
    out.text(c.visitor_id.as_ref().map(|v| v.as_str()))?;
    out.text(Some(&json(&c.custom)?))
}

pub(crate) fn lead_row(l: &Lead, out: &mut impl RowOut) -> Result<(), BoxDynError> {
    out.text(Some(l.lead_id.as_str()))?;
    out.int(Some(l.created_at.as_micros()))?;
    out.text(l.contact_id.as_ref().map(|v| v.as_str()))?;
    out.text(l.account_id.as_ref().map(|v| v.as_str()))?;
    out.text(l.topic.as_deref())?;
    out.text(l.source.as_deref())?;
    out.text(Some(l.status.as_str()))?;
    out.int(l.closed_at.map(|t| t.as_micros()))?;
    out.text(l.disqualify_reason.as_deref())?;
    out.text(Some(&json(&l.custom)?))
}

pub(crate) fn interaction_row(i: &Interaction, out: &mut impl RowOut) -> Result<(), BoxDynError> {
    out.text(Some(i.interaction_id.as_str()))?;
    out.text(Some(i.kind.as_str()))?;
    out.int(Some(i.occurred_at.as_micros()))?;
    out.text(i.contact_id.as_ref().map(|v| v.as_str()))?;
    out.text(i.lead_id.as_ref().map(|v| v.as_str()))?;
    out.text(i.visitor_id.as_ref().map(|v| v.as_str()))?;
    out.text(Some(&json(&i.properties)?))
}

pub(crate) fn custom_row(
    entity: &str,
    r: &CustomRecord,
    out: &mut impl RowOut,
) -> Result<(), BoxDynError> {
    out.text(Some(entity))?;
    out.text(Some(r.record_id.as_str()))?;
    out.text(Some(r.lead_id.as_str()))?;
    out.text(Some(&json(&r.fields)?))
}

/// Every record of `data` that goes into `table`, as rows, each ended
/// ([`RowOut::end_row`]).
pub(crate) fn table_rows(
    table: &Table,
    data: &Dataset,
    out: &mut impl RowOut,
) -> Result<(), BoxDynError> {
    fn each<T, O: RowOut>(
        records: &[T],
        out: &mut O,
        row: impl Fn(&T, &mut O) -> Result<(), BoxDynError>,
    ) -> Result<(), BoxDynError> {
        for record in records {
            row(record, out)?;
            out.end_row();
        }
        Ok(())
    }
    match table.record {
        RecordTable::Accounts => each(&data.accounts, out, account_row),
        RecordTable::Contacts => each(&data.contacts, out, contact_row),
        RecordTable::Leads => each(&data.leads, out, lead_row),
        RecordTable::Interactions => each(&data.interactions, out, interaction_row),
        RecordTable::CustomRecords => data.custom.iter().try_for_each(|(entity, records)| {
            each(records, out, |r, out| custom_row(entity.as_str(), r, out))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_marks_nulls() -> Result<(), BoxDynError> {
        let mut out = CopyText::default();
        out.text(Some("a\tb\\c\nd\re"))?;
        out.text(None)?;
        out.int(Some(-7))?;
        out.float(Some(0.1))?;
        out.float(Some(f64::NEG_INFINITY))?;
        out.end_row();
        out.int(None)?;
        out.end_row();
        assert_eq!(
            String::from_utf8(out.bytes)?,
            "a\\tb\\\\c\\nd\\re\t\\N\t-7\t0.1\t-Infinity\n\\N\n"
        );
        let mut nul = CopyText::default();
        assert!(nul.text(Some("a\0b")).is_err());
        Ok(())
    }
}
