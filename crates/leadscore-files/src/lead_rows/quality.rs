//! What a folder's leads say about the data's quality, for the person about
//! to train on it: closed leads that cannot be used, disqualifications without
//! a reason, likely duplicate leads, and custom counts that may leak outcomes.

use std::fmt;

use polars::prelude::*;
use serde::Serialize;

use super::load::Loaded;
use super::polars_error;
use crate::FilesError;

/// How many example ids (or groups) a finding lists.
pub const QUALITY_EXAMPLES: usize = 10;

/// Data-quality findings about a folder's leads. Its `Display` gives one line
/// in plain English per finding (or says there is none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderQuality {
    /// Closed leads left out of the rows because they have no `closed_at`
    /// (only when closed leads are selected; see
    /// [`LeadSelection::Closed`](super::LeadSelection::Closed)).
    pub closed_without_closed_at: ClosedWithoutTime,
    /// Disqualified leads of the folder with no `disqualify_reason`.
    pub disqualified_without_reason: LeadSample,
    /// Groups of leads of the folder with the same parent (contact, or account
    /// for account-based leads) and the same topic, ignoring case.
    pub duplicate_leads: DuplicateLeads,
    /// Custom entities with no time column: every record of a lead counts in
    /// `<Entity>.count`, also records made after the outcome.
    pub entities_without_time: Vec<String>,
}

/// Closed leads without a close time, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClosedWithoutTime {
    /// Qualified ones.
    pub qualified: u64,
    /// Disqualified ones.
    pub disqualified: u64,
    /// The first [`QUALITY_EXAMPLES`] ids, in file order.
    pub examples: Vec<String>,
}

/// A number of leads and the first few of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeadSample {
    /// How many.
    pub count: u64,
    /// The first [`QUALITY_EXAMPLES`] ids, in file order.
    pub examples: Vec<String>,
}

/// Groups of likely duplicate leads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DuplicateLeads {
    /// How many groups (of two or more leads each).
    pub groups: u64,
    /// The lead ids of the first [`QUALITY_EXAMPLES`] groups, groups in the
    /// file order of their first lead, ids in file order.
    pub examples: Vec<Vec<String>>,
}

impl FolderQuality {
    /// True when there is nothing to report.
    pub fn is_clean(&self) -> bool {
        self == &Self::default()
    }
}

impl fmt::Display for FolderQuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return writeln!(f, "no data-quality findings");
        }
        let c = &self.closed_without_closed_at;
        let closed = c.qualified + c.disqualified;
        if closed > 0 {
            writeln!(
                f,
                "{closed} closed leads have no closed_at and were left out, since their features could include behaviour after the outcome ({} qualified, {} disqualified): {}",
                c.qualified,
                c.disqualified,
                list(&c.examples, closed)
            )?;
        }
        let r = &self.disqualified_without_reason;
        if r.count > 0 {
            writeln!(
                f,
                "{} disqualified leads have no disqualify_reason: {}",
                r.count,
                list(&r.examples, r.count)
            )?;
        }
        let d = &self.duplicate_leads;
        if d.groups > 0 {
            let groups: Vec<String> = d
                .examples
                .iter()
                .map(|g| format!("({})", g.join(", ")))
                .collect();
            writeln!(
                f,
                "{} groups of leads look like duplicates (same contact, or same account for account-based leads, and the same topic ignoring case): {}",
                d.groups,
                list(&groups, d.groups)
            )?;
        }
        for entity in &self.entities_without_time {
            writeln!(
                f,
                "custom entity {entity} has no time column, so {entity}.count counts every record of a lead, also those made after its outcome (it may leak the outcome)"
            )?;
        }
        Ok(())
    }
}

/// `a, b, c` or `a, b, c and 7 more`.
fn list(shown: &[String], total: u64) -> String {
    let more = total.saturating_sub(shown.len() as u64);
    let joined = shown.join(", ");
    if more > 0 {
        format!("{joined} and {more} more")
    } else {
        joined
    }
}

/// The ids of a frame's `lead_id` column: how many, and the first few.
pub(super) fn sample(frame: &DataFrame) -> PolarsResult<LeadSample> {
    let ids = frame.column("lead_id")?.str()?;
    Ok(LeadSample {
        count: ids.len() as u64,
        examples: ids
            .iter()
            .flatten()
            .take(QUALITY_EXAMPLES)
            .map(str::to_owned)
            .collect(),
    })
}

/// Disqualified leads without a reason, among all of the folder's.
pub(super) fn without_reason(leads: &Loaded) -> Result<LeadSample, FilesError> {
    let frame = leads
        .frame
        .clone()
        .lazy()
        .filter(
            col("status")
                .eq(lit("disqualified"))
                .and(col("disqualify_reason").is_null()),
        )
        .select([col("lead_id")])
        .collect()
        .map_err(polars_error(&leads.path))?;
    sample(&frame).map_err(polars_error(&leads.path))
}

/// Leads with the same parent and the same topic (trimmed, ignoring case).
/// Unscorable leads and leads without a topic are in no group.
pub(super) fn duplicates(leads: &Loaded) -> Result<DuplicateLeads, FilesError> {
    let fail = polars_error(&leads.path);
    let topics = leads
        .frame
        .column("topic")
        .map_err(&fail)?
        .str()
        .map_err(&fail)?;
    let folded: StringChunked = topics.iter().map(|t| t.map(str::to_lowercase)).collect();
    let mut keys = leads
        .frame
        .select(["lead_id", "contact_id", "account_id"])
        .map_err(&fail)?;
    keys.with_column(folded.with_name("folded".into()).into_column())
        .map_err(&fail)?;
    let frame = keys
        .lazy()
        .select([
            col("lead_id"),
            col("folded"),
            col("contact_id").alias("by_contact"),
            when(col("contact_id").is_null())
                .then(col("account_id"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("by_account"),
        ])
        .filter(
            col("folded").is_not_null().and(
                col("by_contact")
                    .is_not_null()
                    .or(col("by_account").is_not_null()),
            ),
        )
        .group_by_stable([col("by_contact"), col("by_account"), col("folded")])
        .agg([len().alias("n"), col("lead_id").alias("ids")])
        .filter(col("n").gt(lit(1)))
        .select([col("ids")])
        .collect()
        .map_err(&fail)?;
    let lists = frame.column("ids").map_err(&fail)?.list().map_err(&fail)?;
    let mut examples = Vec::new();
    for i in 0..lists.len().min(QUALITY_EXAMPLES) {
        let Some(group) = lists.get_as_series(i) else {
            continue;
        };
        let ids = group.str().map_err(&fail)?;
        examples.push(ids.iter().flatten().map(str::to_owned).collect());
    }
    Ok(DuplicateLeads {
        groups: frame.height() as u64,
        examples,
    })
}
