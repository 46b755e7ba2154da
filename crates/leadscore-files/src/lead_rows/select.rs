//! Which leads get a row, the time each row's features are computed at, and
//! its outcome, so that nothing after the outcome (or after the scoring time)
//! leaks into the features.

use leadscore_domain::Timestamp;
use polars::prelude::*;

use super::load::Loaded;
use super::quality::{NoCloseTime, Placed};
use super::{AS_OF, FILE_ROW, LeadSelection, OUTCOME, POS, polars_error};
use crate::FilesError;

/// The selected leads: every lead column, plus [`FILE_ROW`] (the lead's place
/// in the file), [`POS`] (the row's number, from 0, in file order), [`AS_OF`] (microseconds) and [`OUTCOME`] (boolean).
pub(super) struct Selected {
    pub base: DataFrame,
    /// Closed leads left out for want of a close time.
    pub no_close_time: NoCloseTime,
}

/// Picks the rows. `at` is required for [`LeadSelection::All`] (the caller
/// checks); `closed_from` starts [`LeadSelection::Closed`]'s window of closes.
pub(super) fn select(
    leads: &Loaded,
    selection: LeadSelection,
    at: Option<Timestamp>,
    closed_from: Option<Timestamp>,
) -> Result<Selected, FilesError> {
    let fail = polars_error(&leads.path);
    let at = at.map(Timestamp::as_micros);
    let status = || col("status");
    let closed = || status().neq(lit("open"));
    let has_close = || col("closed_at").is_not_null();
    let outcome = when(status().eq(lit("qualified")))
        .then(lit(true))
        .when(status().eq(lit("disqualified")))
        .then(lit(false))
        .otherwise(lit(NULL).cast(DataType::Boolean));
    let no_outcome = || lit(NULL).cast(DataType::Boolean);
    // Leads created after the scoring time do not exist yet.
    let created_by = || match at {
        Some(at) => col("created_at").lt_eq(lit(at)),
        None => lit(true),
    };
    let (keep, as_of, outcome) = match (selection, at) {
        (LeadSelection::Closed, _) => {
            // A lead closed after the scoring time was still open then.
            let closed_by = match at {
                Some(at) => col("closed_at").lt_eq(lit(at)),
                None => lit(true),
            };
            let closed_since = match closed_from {
                Some(from) => col("closed_at").gt_eq(lit(from.as_micros())),
                None => lit(true),
            };
            let keep = closed()
                .and(has_close())
                .and(closed_since)
                .and(closed_by)
                .and(created_by());
            (keep, col("closed_at"), outcome)
        }
        (LeadSelection::All, Some(at)) => {
            let closed_by = closed()
                .and(has_close())
                .and(col("closed_at").lt_eq(lit(at)));
            let closed_later = closed().and(has_close()).and(col("closed_at").gt(lit(at)));
            let as_of = when(closed_by).then(col("closed_at")).otherwise(lit(at));
            let outcome = when(closed_later).then(no_outcome()).otherwise(outcome);
            (created_by(), as_of, outcome)
        }
        (LeadSelection::All, None) => return Err(FilesError::ScoringTimeRequired),
    };
    let base = leads
        .frame
        .clone()
        .lazy()
        .with_row_index(FILE_ROW, None)
        .filter(keep)
        .with_columns([as_of.alias(AS_OF), outcome.alias(OUTCOME)])
        .with_row_index(POS, None)
        .collect()
        .map_err(&fail)?;
    let no_close_time = match selection {
        LeadSelection::Closed => {
            let left_out = leads
                .frame
                .clone()
                .lazy()
                .with_row_index(FILE_ROW, None)
                .filter(closed().and(has_close().not()).and(created_by()))
                .select([col(FILE_ROW), col("lead_id"), status()])
                .collect()
                .map_err(&fail)?;
            count_by_status(&left_out).map_err(&fail)?
        }
        LeadSelection::All => NoCloseTime::default(),
    };
    Ok(Selected {
        base,
        no_close_time,
    })
}

fn count_by_status(frame: &DataFrame) -> PolarsResult<NoCloseTime> {
    let statuses = frame.column("status")?.str()?;
    let qualified = statuses.iter().filter(|s| *s == Some("qualified")).count() as u64;
    Ok(NoCloseTime {
        leads: Placed::of(frame)?,
        qualified,
    })
}
