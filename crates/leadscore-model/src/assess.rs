//! Applying a model to a table: scores with explanations, and held-out metrics
//! with a drill-down of the leads it got wrong.

use std::borrow::Cow;

use leadscore_features::{ColumnValues, Encoder, Table};
use serde::Serialize;

use ndarray::ArrayView2;

use crate::{ConversionModel, Evaluation, Grade, LabelledRows, ModelError, Scored, Scorer, Top};

/// The rows [`score_table`] encodes at a time.
const SCORE_CHUNK: usize = 4096;

/// Scores every row of a table. The rows are encoded a chunk at a time and
/// each chunk scored by [`score_matrix`], so that a large table's scoring
/// holds one chunk's features beside the table (at a million leads, with the
/// shipped model's 406 features, the whole encoded matrix was 3.2 GB).
pub fn score_table(
    model: &ConversionModel,
    scorer: &Scorer,
    table: &Table,
) -> Result<Vec<Scored>, ModelError> {
    let mut scores = Vec::with_capacity(table.rows()?);
    for_each_chunk(&model.encoder, table, |chunk| {
        scores.extend(score_matrix(scorer, chunk));
    })?;
    Ok(scores)
}

/// Encodes the rows of `table` [`SCORE_CHUNK`] at a time, in order, and
/// calls `f` with each chunk's features (one row per table row).
pub(crate) fn for_each_chunk(
    encoder: &Encoder,
    table: &Table,
    mut f: impl FnMut(ArrayView2<'_, f64>),
) -> Result<(), ModelError> {
    let rows = table.rows()?;
    let d = encoder.n_features();
    let mut x = Vec::new();
    let mut start = 0;
    while start < rows {
        let end = rows.min(start + SCORE_CHUNK);
        encoder.transform_rows(table, start..end, &mut x)?;
        let chunk =
            ArrayView2::from_shape((end - start, d), &x).map_err(|_| ModelError::RowCount {
                what: "encoded values",
                found: x.len(),
                expected: (end - start) * d,
            })?;
        f(chunk);
        start = end;
    }
    Ok(())
}

/// Scores every row of an encoded matrix.
fn score_matrix(scorer: &Scorer, x: ArrayView2<'_, f64>) -> Vec<Scored> {
    let mut work = Vec::new();
    x.rows()
        .into_iter()
        .map(|row| match row.as_slice() {
            Some(row) => scorer.score(row, &mut work),
            None => scorer.score(&row.to_vec(), &mut work),
        })
        .collect()
}

/// Reads a table's cells as text, by the scorer's column index, for explanations.
#[derive(Debug)]
pub struct CellText<'t> {
    columns: Vec<Option<&'t ColumnValues>>,
}

impl<'t> CellText<'t> {
    /// Looks up the scorer's columns in the table.
    pub fn new(scorer: &Scorer, table: &'t Table) -> Self {
        Self {
            columns: scorer
                .columns()
                .iter()
                .map(|c| table.column(c).map(|c| &c.values))
                .collect(),
        }
    }

    /// The value of column `column` in row `row`, or `missing`.
    pub fn get(&self, column: u32, row: usize) -> Cow<'t, str> {
        let value = self.columns.get(column as usize).copied().flatten();
        match value {
            Some(ColumnValues::Numeric(v)) => match v.get(row).flatten() {
                Some(x) => Cow::Owned(format_number(x)),
                None => Cow::Borrowed("missing"),
            },
            Some(ColumnValues::Categorical(v)) => match v.get(row).flatten() {
                Some(text) => Cow::Borrowed(text),
                None => Cow::Borrowed("missing"),
            },
            None => Cow::Borrowed("missing"),
        }
    }

    /// `column=value:+0.42;...` for the entries of a [`Top`].
    pub fn summary(&self, scorer: &Scorer, top: &Top, row: usize) -> String {
        let mut out = String::new();
        for (i, (column, log_odds)) in top.as_slice().iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            let name = scorer
                .columns()
                .get(*column as usize)
                .map_or("", |s| s.as_str());
            out.push_str(name);
            out.push('=');
            out.push_str(&self.get(*column, row));
            out.push_str(&format!(":{log_odds:+.2}"));
        }
        out
    }
}

/// A number as short text: integers without a decimal point.
fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A test lead the model called wrongly at its threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Misclassified {
    /// The lead (or row number).
    pub id: String,
    /// `false_positive` (called converted, was lost) or `false_negative`.
    pub error: &'static str,
    /// The published probability.
    pub probability: f64,
    /// The 0-100 score.
    pub score: u8,
    /// Its grade.
    pub grade: Grade,
    /// The columns that raised the score most: `column=value:+0.42;...`.
    pub top_positive: String,
    /// The columns that lowered it most.
    pub top_negative: String,
}

/// A model measured on labelled rows.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The metrics, at the model's threshold.
    pub evaluation: Evaluation,
    /// Every false positive and false negative, most confident first.
    pub misclassified: Vec<Misclassified>,
    /// The scores, one per row.
    pub scores: Vec<Scored>,
}

/// Scores labelled rows and measures the model on them. The rows are
/// encoded a chunk at a time, as [`score_table`] encodes them.
pub fn assess(model: &ConversionModel, rows: &LabelledRows) -> Result<Assessment, ModelError> {
    rows.check()?;
    let scorer = Scorer::new(model);
    let scores = score_table(model, &scorer, &rows.features)?;
    let pairs: Vec<(f64, bool)> = scores
        .iter()
        .zip(&rows.labels)
        .map(|(s, y)| (s.probability, *y))
        .collect();
    let evaluation = Evaluation::compute(&pairs, model.threshold);
    let cells = CellText::new(&scorer, &rows.features);
    let mut misclassified = Vec::new();
    for (i, (s, y)) in scores.iter().zip(&rows.labels).enumerate() {
        let called = s.probability >= model.threshold;
        if called == *y {
            continue;
        }
        misclassified.push(Misclassified {
            id: rows.ids[i].clone(),
            error: if called {
                "false_positive"
            } else {
                "false_negative"
            },
            probability: s.probability,
            score: s.score,
            grade: s.grade,
            top_positive: cells.summary(&scorer, &s.top_positive, i),
            top_negative: cells.summary(&scorer, &s.top_negative, i),
        });
    }
    let confidence = |m: &Misclassified| (m.probability - model.threshold).abs();
    misclassified.sort_by(|a, b| confidence(b).total_cmp(&confidence(a)));
    Ok(Assessment {
        evaluation,
        misclassified,
        scores,
    })
}
