//! Reading the conversion model's rows from a DATA.md folder or a flat table, for
//! training, evaluation and scoring.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use leadscore_domain::{Declared, FutureTolerance, Timestamp};
use leadscore_engine::retrain::closed_lead_rows;
use leadscore_features::Table;
use leadscore_files::{
    FolderQuality, LeadRowOptions, LeadRows, LeadSelection, TrainingOptions, read_lead_rows,
    read_lead_rows_in_parts, read_scoring_table, read_training_table,
};
use leadscore_model::{ConversionModel, LabelledRows, RowsFrom, TrainingSource, prepare_inputs};

/// How a folder's closed leads are read: a part at a time (whole
/// neighbourhoods of at least `leads_per_part` leads, copied into a scratch
/// folder inside `scratch`), so that reading holds one part's frames beside
/// the rows; `bar` (a [`progress::records`](crate::progress::records) bar)
/// shows the check and the split.
pub struct Parts<'a> {
    pub leads_per_part: usize,
    pub scratch: &'a Path,
    pub bar: &'a indicatif::ProgressBar,
}

impl Parts<'_> {
    /// The rows of the folder `dir`, as [`read_lead_rows`] gives them.
    pub fn read(&self, dir: &Path, options: &LeadRowOptions) -> anyhow::Result<LeadRows> {
        let rows = read_lead_rows_in_parts(
            dir,
            options,
            self.leads_per_part,
            self.scratch,
            &mut crate::progress::parts_passes(self.bar),
        )?;
        Ok(rows)
    }
}

/// Training rows and where they came from.
pub struct TrainingData {
    pub rows: LabelledRows,
    pub source: TrainingSource,
    /// A folder's own quality report.
    pub folder_quality: Option<FolderQuality>,
}

/// Reads `--data` for training: a folder's closed leads (record times at most
/// `future_tolerance` after now; the custom fields and kinds `declared`) read
/// in `parts`, or a flat table.
pub fn read_training(
    parts: &Parts,
    path: &Path,
    target: Option<&str>,
    positive: Option<&str>,
    exclude: &[String],
    future_tolerance: FutureTolerance,
    declared: &Declared,
) -> anyhow::Result<TrainingData> {
    if path.is_dir() {
        if target.is_some() || positive.is_some() {
            bail!(
                "{}: --target and --positive are for a flat table; a DATA.md folder's outcome is each lead's status",
                path.display()
            );
        }
        let options = LeadRowOptions {
            select: LeadSelection::Closed,
            exclude: exclude.to_vec(),
            future_tolerance,
            declared: declared.clone(),
            ..LeadRowOptions::default()
        };
        let mut rows = parts.read(path, &options)?;
        let source = TrainingSource::of_folder(&rows.features, exclude.to_vec());
        let quality = std::mem::take(&mut rows.quality);
        Ok(TrainingData {
            rows: closed_lead_rows(rows),
            source,
            folder_quality: Some(quality),
        })
    } else {
        let Some(target) = target else {
            bail!(
                "{}: a flat table needs --target, the outcome column",
                path.display()
            );
        };
        let options = TrainingOptions {
            target: target.to_owned(),
            positive: positive.map(str::to_owned),
            exclude: exclude.to_vec(),
        };
        let table = read_training_table(path, &options)?;
        let source = TrainingSource::Flat {
            target: target.to_owned(),
            positive: table.positive.clone(),
            exclude: exclude.to_vec(),
        };
        Ok(TrainingData {
            rows: LabelledRows::new(table.features, table.labels),
            source,
            folder_quality: None,
        })
    }
}

/// Reads labelled data shaped like the model's training data (for `--test-data`
/// and `evaluate`); a folder's record times at most `future_tolerance` after
/// now, with the custom fields and kinds `declared`, read in `parts`.
pub fn read_labelled(
    parts: &Parts,
    path: &Path,
    source: &TrainingSource,
    future_tolerance: FutureTolerance,
    declared: &Declared,
) -> anyhow::Result<LabelledRows> {
    match source {
        TrainingSource::Folder { kinds, .. } => {
            if !path.is_dir() {
                bail!(
                    "{}: the model was trained on a DATA.md folder, so it is measured on one",
                    path.display()
                );
            }
            let options = LeadRowOptions {
                select: LeadSelection::Closed,
                kinds: kinds.clone(),
                future_tolerance,
                declared: declared.clone(),
                ..LeadRowOptions::default()
            };
            Ok(closed_lead_rows(parts.read(path, &options)?))
        }
        TrainingSource::Flat {
            target, positive, ..
        } => {
            if path.is_dir() {
                bail!(
                    "{}: the model was trained on a flat table, so it is measured on one",
                    path.display()
                );
            }
            let options = TrainingOptions {
                target: target.clone(),
                positive: Some(positive.clone()),
                exclude: Vec::new(),
            };
            let table = read_training_table(path, &options)?;
            Ok(LabelledRows::new(table.features, table.labels))
        }
    }
}

/// Leads to score: ids and features.
pub struct ScoringData {
    pub ids: Vec<String>,
    pub features: Table,
}

/// Reads `--data` for scoring: every lead of a folder as of `at` (record times
/// at most `future_tolerance` after now or `at`, the later), or a flat table.
pub fn read_scoring(
    path: &Path,
    source: &TrainingSource,
    id: Option<&str>,
    at: Timestamp,
    future_tolerance: FutureTolerance,
    declared: &Declared,
) -> anyhow::Result<ScoringData> {
    if path.is_dir() {
        if id.is_some() {
            bail!(
                "{}: --id is for a flat table; a folder's rows are its leads",
                path.display()
            );
        }
        let kinds = match source {
            TrainingSource::Folder { kinds, .. } => kinds.clone(),
            TrainingSource::Flat { .. } => Vec::new(),
        };
        let options = LeadRowOptions {
            select: LeadSelection::All,
            at: Some(at),
            kinds,
            future_tolerance,
            declared: declared.clone(),
            ..LeadRowOptions::default()
        };
        let rows = read_lead_rows(path, &options)?;
        Ok(ScoringData {
            ids: rows.lead_ids,
            features: rows.features,
        })
    } else {
        let table = read_scoring_table(path, id)?;
        Ok(ScoringData {
            ids: table.ids,
            features: table.features,
        })
    }
}

/// Checks that the data supply enough of the model's input columns (the
/// library's [`prepare_inputs`]: fewer than half is an error naming the
/// missing columns and the data's columns) and adds the ones they lack as
/// all-missing columns, warning about every missing one when `warn` is set:
/// they score as missing values, as in training.
pub fn fill_missing_columns(
    model: &ConversionModel,
    table: &mut Table,
    data: &Path,
    warn: bool,
) -> anyhow::Result<()> {
    let from = if data.is_dir() {
        RowsFrom::Folder
    } else {
        RowsFrom::FlatTable
    };
    let coverage =
        prepare_inputs(model, table, from).with_context(|| data.display().to_string())?;
    if warn && !coverage.missing.is_empty() {
        eprintln!("warning: {}: {coverage}", data.display());
    }
    Ok(())
}

/// The artifact file: `DIR/model.json`, or the path itself when it is a file.
pub fn model_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("model.json")
    } else {
        path.to_path_buf()
    }
}
