//! The profile columns of each row: the lead's own fields, its contact's, and
//! its account's (the lead's own account, else its contact's), joined with
//! polars.

use std::collections::BTreeMap;

use leadscore_features::{self as features, ColumnKind};
use polars::prelude::*;

use super::load::{Folder, custom_key};
use super::{POS, polars_error, scatter};
use crate::FilesError;

/// The lead kind column: `contact`, `account` or `none` (DATA.md "Lead kinds").
pub(super) const LEAD_KIND: &str = "lead.kind";

/// Lead fields read as they are.
const LEAD_FIELDS: [&str; 2] = ["source", "topic"];
/// Contact fields, as `contact.<field>`.
const CONTACT_FIELDS: [&str; 3] = ["job_title", "country", "city"];
/// Account fields, as `account.<field>`; `employees` and `annual_revenue` are
/// numbers whatever they hold.
const ACCOUNT_FIELDS: [(&str, Kind); 5] = [
    ("industry", Kind::Text),
    ("employees", Kind::Number),
    ("annual_revenue", Kind::Number),
    ("country", Kind::Text),
    ("city", Kind::Text),
];
/// The number of contacts of the row's account.
const ACCOUNT_CONTACTS: &str = "account.contacts";

/// How a column's cells become a feature column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Numeric or categorical by content ([`features::Column::from_text`]).
    Text,
    /// Text that must be numbers.
    Number,
    /// A count computed here.
    Count,
}

/// One output column: its name, its name in the joined frame, its kind.
struct Spec {
    name: String,
    internal: String,
    kind: Kind,
}

fn spec(name: impl Into<String>, internal: impl Into<String>, kind: Kind) -> Spec {
    Spec {
        name: name.into(),
        internal: internal.into(),
        kind,
    }
}

/// The profile columns, in output order.
fn specs(folder: &Folder) -> Vec<Spec> {
    let mut specs: Vec<Spec> = LEAD_FIELDS
        .iter()
        .map(|f| spec(*f, *f, Kind::Text))
        .collect();
    for (i, name) in folder.leads.custom.iter().enumerate() {
        specs.push(spec(name.clone(), custom_key(i), Kind::Text));
    }
    specs.push(spec(LEAD_KIND, LEAD_KIND, Kind::Text));
    for f in CONTACT_FIELDS {
        specs.push(spec(
            format!("contact.{f}"),
            format!("contact.{f}"),
            Kind::Text,
        ));
    }
    for (i, name) in folder.contacts.custom.iter().enumerate() {
        let internal = format!("contact.{}", custom_key(i));
        specs.push(spec(format!("contact.{name}"), internal, Kind::Text));
    }
    for (f, kind) in ACCOUNT_FIELDS {
        specs.push(spec(format!("account.{f}"), format!("account.{f}"), kind));
    }
    for (i, name) in folder.accounts.custom.iter().enumerate() {
        let internal = format!("account.{}", custom_key(i));
        specs.push(spec(format!("account.{name}"), internal, Kind::Text));
    }
    specs.push(spec(ACCOUNT_CONTACTS, ACCOUNT_CONTACTS, Kind::Count));
    specs
}

/// The names of the profile columns, in output order.
pub(super) fn names(folder: &Folder) -> Vec<String> {
    specs(folder).into_iter().map(|s| s.name).collect()
}

/// The profile columns of the selected leads (`base`, see
/// [`Selected`](super::select::Selected)).
/// A text column whose name `column_kinds` holds is read as that kind.
pub(super) fn columns(
    folder: &Folder,
    base: &DataFrame,
    column_kinds: &BTreeMap<String, ColumnKind>,
) -> Result<Vec<features::Column>, FilesError> {
    let fail = polars_error(&folder.leads.path);
    let joined = joined(folder, base).collect().map_err(&fail)?;
    let positions = scatter::positions(&joined).map_err(&fail)?;
    let rows = base.height();
    let mut out = Vec::new();
    for s in specs(folder) {
        let column = match s.kind {
            Kind::Text => {
                let cells = scatter::text(&joined, &s.internal, &positions, rows).map_err(&fail)?;
                match column_kinds.get(&s.name) {
                    None => features::Column::from_text(s.name, &cells),
                    Some(ColumnKind::Categorical) => {
                        features::Column::categorical_from_text(s.name, &cells)
                    }
                    Some(ColumnKind::Numeric) => {
                        features::Column::numeric_from_text(s.name, &cells).map_err(|e| {
                            FilesError::LeadRows {
                                path: folder.leads.path.clone(),
                                message: e.to_string(),
                            }
                        })?
                    }
                }
            }
            Kind::Number => {
                let cells = scatter::text(&joined, &s.internal, &positions, rows).map_err(&fail)?;
                let path = &folder.accounts.path;
                features::Column::numeric_from_text(s.name, &cells).map_err(|e| {
                    FilesError::LeadRows {
                        path: path.clone(),
                        message: e.to_string(),
                    }
                })?
            }
            Kind::Count => {
                let cells = scatter::numbers(&joined, &s.internal, &positions, rows, None)
                    .map_err(&fail)?;
                features::Column::numeric(s.name, cells)
            }
        };
        out.push(column);
    }
    Ok(out)
}

/// The selected leads joined with their contact, their account and its
/// number of contacts; one row per lead.
fn joined(folder: &Folder, base: &DataFrame) -> LazyFrame {
    let mut lead_columns: Vec<Expr> = vec![col(POS), col("contact_id"), col("account_id")];
    lead_columns.extend(LEAD_FIELDS.iter().map(|f| col(*f)));
    lead_columns.extend((0..folder.leads.custom.len()).map(|i| col(custom_key(i))));
    lead_columns.push(
        when(col("contact_id").is_not_null())
            .then(lit("contact"))
            .when(col("account_id").is_not_null())
            .then(lit("account"))
            .otherwise(lit("none"))
            .alias(LEAD_KIND),
    );
    let mut contact_columns = vec![
        col("contact_id").alias("c_id"),
        col("account_id").alias("c_account"),
    ];
    contact_columns.extend(
        CONTACT_FIELDS
            .iter()
            .map(|f| col(*f).alias(format!("contact.{f}"))),
    );
    contact_columns.extend((0..folder.contacts.custom.len()).map(|i| {
        let key = custom_key(i);
        col(key.as_str()).alias(format!("contact.{key}"))
    }));
    let mut account_columns = vec![col("account_id").alias("a_id")];
    account_columns.extend(
        ACCOUNT_FIELDS
            .iter()
            .map(|(f, _)| col(*f).alias(format!("account.{f}"))),
    );
    account_columns.extend((0..folder.accounts.custom.len()).map(|i| {
        let key = custom_key(i);
        col(key.as_str()).alias(format!("account.{key}"))
    }));
    let contacts = folder.contacts.frame.clone().lazy();
    let per_account = contacts
        .clone()
        .filter(col("account_id").is_not_null())
        .select([col("account_id").alias("n_account")])
        .group_by([col("n_account")])
        .agg([len().cast(DataType::Int64).alias("n_contacts")]);
    base.clone()
        .lazy()
        .select(lead_columns)
        .left_join(
            contacts.select(contact_columns),
            col("contact_id"),
            col("c_id"),
        )
        .with_column(
            when(col("account_id").is_not_null())
                .then(col("account_id"))
                .otherwise(col("c_account"))
                .alias("acct"),
        )
        .left_join(
            folder.accounts.frame.clone().lazy().select(account_columns),
            col("acct"),
            col("a_id"),
        )
        .left_join(per_account, col("acct"), col("n_account"))
        .with_column(
            when(col("acct").is_not_null())
                .then(col("n_contacts").fill_null(lit(0i64)))
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias(ACCOUNT_CONTACTS),
        )
}
