//! One feature row per lead from a DATA.md folder, for the conversion model:
//! closed leads with their outcome for training, or every lead for scoring,
//! each row computed as of the right time so that nothing that happened after
//! the outcome (or after the scoring time) leaks into it.
//!
//! The folder is first checked as every other reader checks it (values,
//! duplicate ids, and references: a record naming an id the folder does not
//! hold is an error naming its file, line and column). The rows are then
//! computed with polars: the files read as text columns (only the columns
//! used), timestamps read as [`Timestamp`] reads them, and joins and grouped,
//! conditional counts over the interactions. CSV and Parquet folders give the
//! same rows.
//!
//! Columns, in this order (names are what sales operations will read):
//! - the lead's `source`, `topic` and custom columns (by name), and
//!   `lead.kind` (`contact`, `account` or `none`); never ids, times, the status,
//!   or the `disqualify_reason` (known only after the outcome);
//! - `contact.job_title`, `contact.country`, `contact.city` and
//!   `contact.<custom>` of the lead's contact;
//! - `account.industry`, `account.employees`, `account.annual_revenue`,
//!   `account.country`, `account.city`, `account.<custom>` of the lead's account
//!   (its own, else its contact's), and `account.contacts`;
//! - per interaction kind `K` (sorted): `K.7d`, `K.30d`, `K.90d`, `K.365d`
//!   (interactions in the N days before the row's time) and
//!   `K.days_since_last`;
//! - per custom entity `E` (sorted): `E.count`.
//!
//! ```
//! use leadscore_domain::Timestamp;
//! use leadscore_features::ColumnValues;
//! use leadscore_files::{LeadRowOptions, LeadSelection, read_lead_rows};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("contacts.csv"), "contact_id,job_title\nC1,CTO\n")?;
//! std::fs::write(
//!     dir.path().join("leads.csv"),
//!     "lead_id,created_at,contact_id,status,closed_at\n\
//!      L1,2026-03-01,C1,qualified,2026-03-20\n\
//!      L2,2026-03-05,C1,,\n",
//! )?;
//! std::fs::write(
//!     dir.path().join("interactions.csv"),
//!     "interaction_id,kind,occurred_at,contact_id\n\
//!      I1,EmailClicked,2026-03-15,C1\n\
//!      I2,EmailClicked,2026-03-25,C1\n",
//! )?;
//!
//! // Training: the closed lead, as of its close (I2 came after it).
//! let rows = read_lead_rows(dir.path(), &LeadRowOptions::default())?;
//! assert_eq!(rows.lead_ids, ["L1"]);
//! assert_eq!(rows.outcomes, [Some(true)]);
//! let clicks = rows.features.column("EmailClicked.7d").map(|c| &c.values);
//! assert_eq!(clicks, Some(&ColumnValues::Numeric(vec![Some(1.0)].into())));
//!
//! // Scoring: every lead that existed at the scoring time.
//! let options = LeadRowOptions {
//!     select: LeadSelection::All,
//!     at: Some(Timestamp::parse("2026-04-01")?),
//!     ..LeadRowOptions::default()
//! };
//! let rows = read_lead_rows(dir.path(), &options)?;
//! assert_eq!(rows.lead_ids, ["L1", "L2"]);
//! assert_eq!(rows.outcomes, [Some(true), None]);
//! let clicks = rows.features.column("EmailClicked.30d").map(|c| &c.values);
//! assert_eq!(clicks, Some(&ColumnValues::Numeric(vec![Some(1.0), Some(2.0)].into())));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod attributes;
mod behaviour;
mod check;
mod copy;
mod custom;
mod gather;
mod load;
mod newest;
mod parts;
mod quality;
mod scatter;
mod select;
mod split;
mod written;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use leadscore_domain::{
    Declared, FutureLimit, FutureTolerance, InteractionKind, STANDARD_KINDS, Timestamp,
};
use leadscore_features::{ColumnKind, Table};

use crate::FilesError;
use crate::stream::NoTap;

pub use gather::read_lead_rows_in_parts;
pub use newest::newest_lead;
pub use parts::{LEADS_PER_PART, LeadRowParts, read_lead_row_parts};
pub use quality::{ClosedWithoutTime, DuplicateLeads, FolderQuality, LeadSample, QUALITY_EXAMPLES};
pub use split::{FolderPart, FolderParts, PartProperties, PartStep, SplitOptions, split_folder};
pub use written::PartsWriter;

/// The frames' row number column (selected rows, from 0, in file order).
const POS: &str = "pos";
/// The frames' column of each lead's place in the leads file (from 0).
const FILE_ROW: &str = "file_row";
/// The frames' column of each row's time, in microseconds.
const AS_OF: &str = "as_of";
/// The frames' outcome column.
const OUTCOME: &str = "outcome";

/// Which leads get a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeadSelection {
    /// Closed leads with a `closed_at`, each as of its close: for training and
    /// evaluation.
    #[default]
    Closed,
    /// Every lead that existed at the scoring time: for scoring.
    All,
}

/// What [`read_lead_rows`] reads.
#[derive(Debug, Clone, Default)]
pub struct LeadRowOptions {
    /// Which leads get a row.
    pub select: LeadSelection,
    /// The scoring time. Required for [`LeadSelection::All`]; with
    /// [`LeadSelection::Closed`] an upper bound (leads closed after it, or
    /// created after it, are left out).
    pub at: Option<Timestamp>,
    /// With [`LeadSelection::Closed`], the start of the window of closes:
    /// leads closed before it are left out (a retraining's window). Unused
    /// with [`LeadSelection::All`].
    pub closed_from: Option<Timestamp>,
    /// Output columns to leave out, by name (`account.city`, `topic`); a name
    /// that is not a column is an error listing the columns.
    pub exclude: Vec<String>,
    /// Interaction kinds that get behaviour columns even when the folder has
    /// none of them (the kinds a trained model reads). The standard kinds and
    /// every kind in the folder always get them.
    pub kinds: Vec<String>,
    /// How far after now (the wall clock, or `at` when later) a record time
    /// may lie; a record further ahead is a bad row (DATA.md).
    pub future_tolerance: FutureTolerance,
    /// The custom fields and interaction kinds the caller declares, as in
    /// [`ReadOptions::declared`](crate::ReadOptions::declared).
    pub declared: Declared,
    /// The kind of text columns (the leads', contacts' and accounts' text
    /// fields, custom fields among them) by output name, where the caller
    /// knows it (a trained model's input columns): such a column is read as
    /// numbers (a cell that is not one is an error) or as labels, each cell
    /// as written. Any other text column is numeric or categorical by its
    /// content ([`Column::from_text`](leadscore_features::Column::from_text)).
    pub column_kinds: BTreeMap<String, ColumnKind>,
}

/// The rows: one per selected lead, in the order of the leads file.
#[derive(Debug, Clone)]
pub struct LeadRows {
    /// Each row's lead.
    pub lead_ids: Vec<String>,
    /// Each row's lead's place in the leads file (its record number, from 0).
    pub file_rows: Vec<u64>,
    /// The features, numeric or categorical (see the module documentation).
    pub features: Table,
    /// `Some(true)` qualified, `Some(false)` disqualified, `None` open (or not
    /// yet closed at the scoring time).
    pub outcomes: Vec<Option<bool>>,
    /// The time each row's features were computed at.
    pub as_of: Vec<Timestamp>,
    /// When each row's lead was created, for a time-based split.
    pub created_at: Vec<Timestamp>,
    /// What the folder's data says about its own quality.
    pub quality: FolderQuality,
    /// The columns left out, as asked.
    pub excluded: Vec<String>,
}

/// Reads a DATA.md folder as one feature row per lead.
///
/// Which leads, and as of when:
/// - a closed lead (`qualified` or `disqualified`) with `closed_at`: as of
///   `closed_at`, with its outcome; with `at` before `closed_at` it was still
///   open then: left out of [`LeadSelection::Closed`], and in
///   [`LeadSelection::All`] as of `at` with no outcome;
/// - a closed lead without `closed_at`: left out of
///   [`LeadSelection::Closed`] (its features could include behaviour after the
///   outcome) and reported in [`FolderQuality::closed_without_closed_at`]; in
///   [`LeadSelection::All`] as of `at`, with its outcome;
/// - an open lead: only in [`LeadSelection::All`], as of `at`;
/// - a lead created after `at` is left out.
///
/// Errors: a folder that fails a check ([`FilesError::BadRows`] and the
/// others that [`stream_folder`](crate::stream_folder) gives),
/// [`FilesError::ScoringTimeRequired`], [`FilesError::BadKind`],
/// [`FilesError::UnknownExclusion`], [`FilesError::DuplicateColumn`].
pub fn read_lead_rows(dir: &Path, options: &LeadRowOptions) -> Result<LeadRows, FilesError> {
    check_options(options)?;
    let check = check::CheckOptions {
        future: FutureLimit::new(options.future_tolerance, options.at),
        declared: &options.declared,
        reads: &|_| true,
        interaction_leads: false,
        properties: &PartProperties::None,
    };
    check::check_folder(dir, &check, &mut NoTap, &mut |_| {})?;
    let (mut rows, findings) = rows_of_checked(dir, options, &load::EntityTimes::Sniffed, true)?;
    rows.quality = findings.unwrap_or_default().quality();
    Ok(rows)
}

/// The rows of a folder that passed the checks (see [`read_lead_rows`]);
/// `entity_times` says how each custom entity's time column is found. The
/// quality findings, examples placed in this folder's leads file, are given
/// only when `quality` is set; the rows' own [`LeadRows::quality`] is left
/// empty.
fn rows_of_checked(
    dir: &Path,
    options: &LeadRowOptions,
    entity_times: &load::EntityTimes,
    quality: bool,
) -> Result<(LeadRows, Option<quality::Findings>), FilesError> {
    let folder = load::Folder::read(dir, entity_times)?;
    let kinds: Vec<String> = STANDARD_KINDS
        .iter()
        .map(|k| (*k).to_owned())
        .chain(options.kinds.iter().cloned())
        .chain(behaviour::kinds_present(&folder)?)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut names = attributes::names(&folder);
    names.extend(behaviour::names(&kinds));
    names.extend(custom::names(&folder.entities));
    check_names(dir, &names, &options.exclude)?;

    let selected = select::select(
        &folder.leads,
        options.select,
        options.at,
        options.closed_from,
    )?;
    let base = &selected.base;
    let mut columns = attributes::columns(&folder, base, &options.column_kinds)?;
    columns.extend(behaviour::columns(&folder, base, &kinds)?);
    columns.extend(custom::columns(dir, &folder.entities, base)?);
    columns.retain(|c| !options.exclude.contains(&c.name));

    let fail = polars_error(&folder.leads.path);
    let text = |name: &str| -> Result<Vec<String>, FilesError> {
        let values = base
            .column(name)
            .and_then(|c| c.str().cloned())
            .map_err(&fail)?;
        Ok(values
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    };
    let file_rows = base
        .column(FILE_ROW)
        .and_then(|c| c.idx().cloned())
        .map_err(&fail)?
        .iter()
        .map(|r| r.map(u64::from).unwrap_or_default())
        .collect();
    let times = |name: &str| -> Result<Vec<Timestamp>, FilesError> {
        let values = base
            .column(name)
            .and_then(|c| c.i64().cloned())
            .map_err(&fail)?;
        values
            .iter()
            .map(|v| v.and_then(Timestamp::from_micros))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| FilesError::LeadRows {
                path: folder.leads.path.clone(),
                message: format!("a row has no {name}"),
            })
    };
    let outcomes = base
        .column(OUTCOME)
        .and_then(|c| c.bool().cloned())
        .map_err(&fail)?
        .iter()
        .collect();
    let findings = if quality {
        Some(quality::findings(&folder, selected.no_close_time)?)
    } else {
        None
    };
    let rows = LeadRows {
        lead_ids: text("lead_id")?,
        file_rows,
        features: Table::new(columns),
        outcomes,
        as_of: times(AS_OF)?,
        created_at: times("created_at")?,
        quality: FolderQuality::default(),
        excluded: options.exclude.clone(),
    };
    Ok((rows, findings))
}

/// Fails on options that cannot be read with: a scoring selection without
/// its time, a kind that is not one.
fn check_options(options: &LeadRowOptions) -> Result<(), FilesError> {
    if options.select == LeadSelection::All && options.at.is_none() {
        return Err(FilesError::ScoringTimeRequired);
    }
    for kind in &options.kinds {
        InteractionKind::parse(kind).map_err(|source| FilesError::BadKind {
            kind: kind.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Fails when two columns would have one name, or an exclusion names no
/// column.
fn check_names(dir: &Path, names: &[String], exclude: &[String]) -> Result<(), FilesError> {
    let mut seen = HashSet::new();
    if let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(FilesError::DuplicateColumn {
            path: dir.to_path_buf(),
            name: twice.clone(),
        });
    }
    if let Some(unknown) = exclude.iter().find(|e| !seen.contains(e.as_str())) {
        return Err(FilesError::UnknownExclusion {
            name: unknown.clone(),
            available: names.to_vec(),
        });
    }
    Ok(())
}

/// Turns a polars error into a [`FilesError::LeadRows`] about `path`.
fn polars_error(path: &Path) -> impl Fn(polars::error::PolarsError) -> FilesError + '_ {
    move |e| FilesError::LeadRows {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
