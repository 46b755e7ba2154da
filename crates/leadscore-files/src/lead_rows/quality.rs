//! What a folder's leads say about the data's quality, for the person about
//! to train on it: closed leads that cannot be used, disqualifications without
//! a reason, likely duplicate leads, and custom counts that may leak outcomes.

use std::fmt;

use polars::prelude::*;
use serde::Serialize;

use super::load::{Folder, Loaded};
use super::{FILE_ROW, polars_error};
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

/// Leads of one finding, each with its place in the leads file: how many,
/// and the first [`QUALITY_EXAMPLES`] of them in file order. The findings of
/// a folder's parts merge ([`Placed::merge`]) into the whole folder's.
#[derive(Debug, Clone, Default)]
pub(super) struct Placed {
    pub count: u64,
    pub first: Vec<(u64, String)>,
}

impl Placed {
    /// The leads of a frame with [`FILE_ROW`] and `lead_id`, in its order.
    pub fn of(frame: &DataFrame) -> PolarsResult<Self> {
        let rows = frame.column(FILE_ROW)?.idx()?;
        let ids = frame.column("lead_id")?.str()?;
        Ok(Self {
            count: frame.height() as u64,
            first: rows
                .iter()
                .zip(ids.iter())
                .filter_map(|(row, id)| Some((u64::from(row?), id?.to_owned())))
                .take(QUALITY_EXAMPLES)
                .collect(),
        })
    }

    /// Adds another part's leads.
    fn merge(&mut self, other: Placed) {
        self.count += other.count;
        keep_first(&mut self.first, other.first);
    }

    fn sample(self) -> LeadSample {
        LeadSample {
            count: self.count,
            examples: self.first.into_iter().map(|(_, id)| id).collect(),
        }
    }
}

/// Adds `more` to the examples `first` (each with its place in the leads
/// file) and keeps the first [`QUALITY_EXAMPLES`] of them by place.
fn keep_first<T>(first: &mut Vec<(u64, T)>, more: Vec<(u64, T)>) {
    first.extend(more);
    first.sort_by_key(|(row, _)| *row);
    first.truncate(QUALITY_EXAMPLES);
}

/// Closed leads left out for want of a close time, placed, and how many of
/// them qualified.
#[derive(Debug, Clone, Default)]
pub(super) struct NoCloseTime {
    pub leads: Placed,
    pub qualified: u64,
}

/// A duplicate group: its first lead's place in the leads file, and its
/// leads' ids in file order.
pub(super) type Group = (u64, Vec<String>);

/// The findings of a folder, or of one part of it, with each example's place
/// in its leads file (see [`Placed`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Findings {
    pub closed: NoCloseTime,
    pub without_reason: Placed,
    /// Duplicate groups: how many, and the first few by their first lead.
    pub groups: u64,
    pub first_groups: Vec<Group>,
    pub entities_without_time: Vec<String>,
}

impl Findings {
    /// Moves every example from its place in a part's leads file to its place
    /// in the folder's (`place`); gives the part's row that has none.
    pub fn place(&mut self, place: impl Fn(u64) -> Option<u64>) -> Result<(), u64> {
        let rows = self
            .closed
            .leads
            .first
            .iter_mut()
            .chain(&mut self.without_reason.first)
            .map(|(row, _)| row)
            .chain(self.first_groups.iter_mut().map(|(row, _)| row));
        for row in rows {
            *row = place(*row).ok_or(*row)?;
        }
        Ok(())
    }

    /// Adds another part's findings. Parts hold whole neighbourhoods, so a
    /// duplicate group (leads of one contact, or one account) is in one part.
    pub fn merge(&mut self, other: Findings) {
        self.closed.leads.merge(other.closed.leads);
        self.closed.qualified += other.closed.qualified;
        self.without_reason.merge(other.without_reason);
        self.groups += other.groups;
        keep_first(&mut self.first_groups, other.first_groups);
        for entity in other.entities_without_time {
            if !self.entities_without_time.contains(&entity) {
                self.entities_without_time.push(entity);
            }
        }
    }

    /// The findings as reported.
    pub fn quality(self) -> FolderQuality {
        let NoCloseTime { leads, qualified } = self.closed;
        let disqualified = leads.count - qualified;
        FolderQuality {
            closed_without_closed_at: ClosedWithoutTime {
                qualified,
                disqualified,
                examples: leads.sample().examples,
            },
            disqualified_without_reason: self.without_reason.sample(),
            duplicate_leads: DuplicateLeads {
                groups: self.groups,
                examples: self.first_groups.into_iter().map(|(_, g)| g).collect(),
            },
            entities_without_time: self.entities_without_time,
        }
    }
}

/// The quality findings of a checked folder's frames; `no_close_time` is the
/// selection's (see [`Selected`](super::select::Selected)).
pub(super) fn findings(folder: &Folder, closed: NoCloseTime) -> Result<Findings, FilesError> {
    let (groups, first_groups) = duplicates(&folder.leads)?;
    Ok(Findings {
        closed,
        without_reason: without_reason(&folder.leads)?,
        groups,
        first_groups,
        entities_without_time: folder
            .entities
            .iter()
            .filter(|e| e.time_column.is_none())
            .map(|e| e.name.clone())
            .collect(),
    })
}

/// Disqualified leads without a reason, among all of the folder's.
fn without_reason(leads: &Loaded) -> Result<Placed, FilesError> {
    let frame = leads
        .frame
        .clone()
        .lazy()
        .with_row_index(FILE_ROW, None)
        .filter(
            col("status")
                .eq(lit("disqualified"))
                .and(col("disqualify_reason").is_null()),
        )
        .select([col(FILE_ROW), col("lead_id")])
        .collect()
        .map_err(polars_error(&leads.path))?;
    Placed::of(&frame).map_err(polars_error(&leads.path))
}

/// Leads with the same parent and the same topic (trimmed, ignoring case):
/// how many groups, and the first few with their first lead's place.
/// Unscorable leads and leads without a topic are in no group.
fn duplicates(leads: &Loaded) -> Result<(u64, Vec<Group>), FilesError> {
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
        .with_row_index(FILE_ROW, None)
        .select([
            col(FILE_ROW),
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
        .agg([
            len().alias("n"),
            col(FILE_ROW).first().alias("first"),
            col("lead_id").alias("ids"),
        ])
        .filter(col("n").gt(lit(1)))
        .select([col("first"), col("ids")])
        .collect()
        .map_err(&fail)?;
    let firsts = frame.column("first").map_err(&fail)?.idx().map_err(&fail)?;
    let lists = frame.column("ids").map_err(&fail)?.list().map_err(&fail)?;
    let mut examples = Vec::new();
    for i in 0..lists.len().min(QUALITY_EXAMPLES) {
        let (Some(group), Some(first)) = (lists.get_as_series(i), firsts.get(i)) else {
            continue;
        };
        let ids = group.str().map_err(&fail)?;
        examples.push((
            u64::from(first),
            ids.iter().flatten().map(str::to_owned).collect(),
        ));
    }
    Ok((frame.height() as u64, examples))
}
