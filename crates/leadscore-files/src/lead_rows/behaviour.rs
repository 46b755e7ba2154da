//! The behaviour columns: per interaction kind, how many of the lead's
//! interactions fell in the 7, 30, 90 and 365 days before the row's time, and
//! how many days before it the latest one was.
//!
//! The lead's interactions are those of its contact (contact-based lead) or of
//! every contact of its account (account-based lead). An interaction belongs to
//! a contact by `contact_id`, else by `visitor_id` when a contact lists that
//! visitor (the greatest contact id when several do: the rule of
//! `leadscore_domain::attribution`, which every path applies). Interactions at
//! or after the row's time never count.

use leadscore_features::{self as features, Window};
use polars::prelude::*;

use super::load::Folder;
use super::{AS_OF, POS, polars_error, scatter};
use crate::FilesError;

/// The counting windows, in days, in column order.
pub(super) const WINDOWS: [i64; 4] = [
    Window::ALL[0].days(),
    Window::ALL[1].days(),
    Window::ALL[2].days(),
    Window::ALL[3].days(),
];

/// A day in microseconds.
pub(super) const DAY: i64 = 86_400_000_000;

/// The behaviour column names for `kinds` (sorted), in output order.
pub(super) fn names(kinds: &[String]) -> Vec<String> {
    kinds
        .iter()
        .flat_map(|k| features::kind_columns(k))
        .collect()
}

/// The kinds the folder's interactions have.
pub(super) fn kinds_present(folder: &Folder) -> Result<Vec<String>, FilesError> {
    let fail = polars_error(&folder.interactions.path);
    let kinds = folder
        .interactions
        .frame
        .column("kind")
        .and_then(|c| c.unique())
        .map_err(&fail)?;
    Ok(kinds
        .str()
        .map_err(&fail)?
        .iter()
        .flatten()
        .map(str::to_owned)
        .collect())
}

/// Interactions with the contact they belong to (`owner`); those of nobody
/// are dropped.
fn owned(folder: &Folder) -> LazyFrame {
    let visitors = folder
        .contacts
        .frame
        .clone()
        .lazy()
        .filter(col("visitor_id").is_not_null())
        .select([col("visitor_id").alias("v_id"), col("contact_id")])
        .group_by_stable([col("v_id")])
        .agg([col("contact_id").max().alias("v_contact")]);
    folder
        .interactions
        .frame
        .clone()
        .lazy()
        .select([
            col("kind"),
            col("occurred_at"),
            col("contact_id"),
            col("visitor_id"),
        ])
        .left_join(visitors, col("visitor_id"), col("v_id"))
        .select([
            when(col("contact_id").is_not_null())
                .then(col("contact_id"))
                .otherwise(col("v_contact"))
                .alias("owner"),
            col("kind"),
            col("occurred_at"),
        ])
        .filter(col("owner").is_not_null())
}

/// Each selected lead (by [`POS`], with its [`AS_OF`]) and the contacts whose
/// interactions are its own (`member`).
fn members(folder: &Folder, base: &DataFrame) -> PolarsResult<LazyFrame> {
    let leads =
        base.clone()
            .lazy()
            .select([col(POS), col(AS_OF), col("contact_id"), col("account_id")]);
    let direct = leads
        .clone()
        .filter(col("contact_id").is_not_null())
        .select([col(POS), col(AS_OF), col("contact_id").alias("member")]);
    let account_contacts = folder
        .contacts
        .frame
        .clone()
        .lazy()
        .filter(col("account_id").is_not_null())
        .select([
            col("contact_id").alias("member"),
            col("account_id").alias("m_account"),
        ]);
    let by_account = leads
        .filter(
            col("contact_id")
                .is_null()
                .and(col("account_id").is_not_null()),
        )
        .inner_join(account_contacts, col("account_id"), col("m_account"))
        .select([col(POS), col(AS_OF), col("member")]);
    concat([direct, by_account], UnionArgs::default())
}

/// The behaviour columns of the selected leads (`base`, see
/// [`Selected`](super::select::Selected)), for each of `kinds` (sorted).
pub(super) fn columns(
    folder: &Folder,
    base: &DataFrame,
    kinds: &[String],
) -> Result<Vec<features::Column>, FilesError> {
    let fail = polars_error(&folder.interactions.path);
    let age = col(AS_OF) - col("occurred_at");
    let mut aggregates: Vec<Expr> = WINDOWS
        .iter()
        .map(|d| {
            col("age")
                .lt_eq(lit(d * DAY))
                .cast(DataType::Int64)
                .sum()
                .alias(format!("w{d}"))
        })
        .collect();
    aggregates.push(col("age").min().alias("min_age"));
    let counted = members(folder, base)
        .map_err(&fail)?
        .inner_join(owned(folder), col("member"), col("owner"))
        .select([col(POS), col("kind"), age.alias("age")])
        .filter(col("age").gt(lit(0i64)))
        .group_by([col(POS), col("kind")])
        .agg(aggregates)
        .collect()
        .map_err(&fail)?;
    place(&counted, kinds, base.height()).map_err(&fail)
}

/// The grouped counts (one row per lead and kind) as columns, rows in order.
fn place(
    counted: &DataFrame,
    kinds: &[String],
    rows: usize,
) -> PolarsResult<Vec<features::Column>> {
    let positions = scatter::positions(counted)?;
    let kind_of: Vec<Option<usize>> = counted
        .column("kind")?
        .str()?
        .iter()
        .map(|k| k.and_then(|k| kinds.iter().position(|kind| kind == k)))
        .collect();
    let numbers = |name: &str| -> PolarsResult<Vec<Option<i64>>> {
        Ok(counted
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .collect())
    };
    let windows = WINDOWS
        .iter()
        .map(|d| numbers(&format!("w{d}")))
        .collect::<PolarsResult<Vec<_>>>()?;
    let ages = numbers("min_age")?;
    // Per kind: the window counts (0 when none), then the days since the last.
    let mut counts = vec![vec![vec![Some(0.0); rows]; WINDOWS.len()]; kinds.len()];
    let mut days = vec![vec![None; rows]; kinds.len()];
    for (i, (&p, k)) in positions.iter().zip(&kind_of).enumerate() {
        let Some(k) = *k else { continue };
        for (w, values) in windows.iter().enumerate() {
            if let Some(cell) = counts[k][w].get_mut(p) {
                *cell = values.get(i).copied().flatten().map(|n| n as f64);
            }
        }
        if let Some(cell) = days[k].get_mut(p) {
            *cell = ages
                .get(i)
                .copied()
                .flatten()
                .map(|a| a as f64 / DAY as f64);
        }
    }
    let mut out = Vec::with_capacity(kinds.len() * (WINDOWS.len() + 1));
    for ((kind, counts), days) in kinds.iter().zip(counts).zip(days) {
        let names = features::kind_columns(kind);
        for (name, cells) in names.iter().zip(counts) {
            out.push(features::Column::numeric(name.clone(), cells));
        }
        if let Some(name) = names.last() {
            out.push(features::Column::numeric(name.clone(), days));
        }
    }
    Ok(out)
}
