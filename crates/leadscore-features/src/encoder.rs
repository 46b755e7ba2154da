//! The fitted [`Encoder`]: what it learned from training, and how it turns a
//! table or a row into feature vectors.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::categorical::CategoricalEncoding;
use crate::compact::{CompactRows, Filler, Layout, Piece, after};
use crate::numeric::{NumericDrop, NumericEncoding};
use crate::table::parse_finite;
use crate::{Cell, ColumnValues, EncoderParams, FeaturesError, RowSource, Table};

/// The kind of an input column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Numbers.
    Numeric,
    /// Labels.
    Categorical,
}

/// A training column, or part of one, that produced no feature, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    /// The column.
    pub column: String,
    /// Why.
    pub reason: DropReason,
}

/// Why a column produced no feature (or only its missing indicator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DropReason {
    /// A numeric column had this one value in every row (after imputation); its
    /// missing indicator, if any, is kept.
    Constant(f64),
    /// A numeric column had no value in any row.
    NoValues,
    /// A categorical column encoded every row the same way (one level only).
    SingleLevel,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            DropReason::Constant(v) => write!(
                f,
                "{}: always {v} in training, so its value is not used",
                self.column
            ),
            DropReason::NoValues => write!(
                f,
                "{}: never has a value in training, so it is not used",
                self.column
            ),
            DropReason::SingleLevel => write!(
                f,
                "{}: the same in every training row, so it is not used",
                self.column
            ),
        }
    }
}

/// What one feature means, for explaining a score in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureDescription {
    /// The input column the feature comes from.
    pub column: String,
    /// What the feature measures.
    pub kind: FeatureKind,
}

/// What a feature measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FeatureKind {
    /// The column's value, as `(x - mean) / std`, where `x` is `ln(1 + value)`
    /// when `log` is set (mean and std are of `x` on the training rows).
    Numeric {
        /// Whether the value is log-transformed first.
        log: bool,
        /// Training mean of the (transformed) value.
        mean: f64,
        /// Training standard deviation of the (transformed) value.
        std: f64,
    },
    /// 1 when the column's value is missing (numeric indicator or the categorical
    /// `__missing__` level).
    Missing,
    /// 1 when the categorical column has this level.
    Level(String),
    /// 1 when the categorical column has a level too rare in training, or never
    /// seen there (`__other__`).
    Other,
    /// 1 when the numeric value is at least `lo` and below `hi` (no upper bound
    /// when `hi` is `None`).
    Bin {
        /// Lower bound (included).
        lo: f64,
        /// Upper bound (excluded).
        hi: Option<f64>,
    },
}

impl fmt::Display for FeatureDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.column;
        match &self.kind {
            FeatureKind::Numeric { log: true, .. } => write!(f, "{c} (log scale)"),
            FeatureKind::Numeric { log: false, .. } => write!(f, "{c}"),
            FeatureKind::Missing => write!(f, "{c} is missing"),
            FeatureKind::Level(level) => write!(f, "{c} is {level}"),
            FeatureKind::Other => write!(f, "{c} is an uncommon value"),
            FeatureKind::Bin { lo, hi: Some(hi) } => write!(f, "{c} from {lo} to below {hi}"),
            FeatureKind::Bin { lo, hi: None } => write!(f, "{c} {lo} or more"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Encoding {
    Numeric(NumericEncoding),
    Categorical(CategoricalEncoding),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ColumnEncoding {
    column: String,
    encoding: Encoding,
}

/// A fitted feature encoding: made by [`EncoderParams::fit`], stored with the
/// model (it serializes), and applied identically at scoring time.
///
/// Features come column by column in training-table order. A numeric column
/// gives `name` (standardized) and, when training had missing values,
/// `name:missing`; a categorical column gives `name=Level` for each kept level,
/// then `name=__other__` and `name=__missing__` when training had them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    params: EncoderParams,
    columns: Vec<ColumnEncoding>,
    feature_names: Vec<String>,
    dropped: Vec<Dropped>,
}

impl Encoder {
    /// Fits on a training table; parameters are assumed valid (use [`EncoderParams::fit`]).
    pub(crate) fn fit(params: &EncoderParams, table: &Table) -> Result<Self, FeaturesError> {
        if table.rows()? == 0 {
            return Err(FeaturesError::NoRows);
        }
        let mut columns = Vec::new();
        let mut dropped = Vec::new();
        let mut feature_names = Vec::new();
        for column in &table.columns {
            let name = column.name.clone();
            let (encoding, reason) = match &column.values {
                ColumnValues::Numeric(values) => {
                    let (enc, drop) = NumericEncoding::fit(&name, values, params)?;
                    let reason = match drop {
                        Some(NumericDrop::Constant(v)) => Some(DropReason::Constant(v)),
                        Some(NumericDrop::NoValues) => Some(DropReason::NoValues),
                        None => None,
                    };
                    let keep = drop != Some(NumericDrop::NoValues);
                    (keep.then_some(Encoding::Numeric(enc)), reason)
                }
                ColumnValues::Categorical(values) => {
                    let (enc, constant) = CategoricalEncoding::fit(values, params);
                    if constant {
                        (None, Some(DropReason::SingleLevel))
                    } else {
                        (Some(Encoding::Categorical(enc)), None)
                    }
                }
            };
            if let Some(reason) = reason {
                dropped.push(Dropped {
                    column: name.clone(),
                    reason,
                });
            }
            if let Some(encoding) = encoding {
                let col = ColumnEncoding {
                    column: name,
                    encoding,
                };
                let names = col.feature_names();
                if !names.is_empty() {
                    feature_names.extend(names);
                    columns.push(col);
                }
            }
        }
        Ok(Self {
            params: *params,
            columns,
            feature_names,
            dropped,
        })
    }

    /// The parameters the encoder was fitted with.
    pub fn params(&self) -> &EncoderParams {
        &self.params
    }

    /// The feature names, in output order (`employees`, `employees:missing`,
    /// `industry=Software`, `industry=__other__`, ...).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The number of features in each output row.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Training columns that gave no feature (or only a missing indicator), and why.
    pub fn dropped(&self) -> &[Dropped] {
        &self.dropped
    }

    /// The input columns the encoder reads, with their kinds, in feature order.
    pub fn input_columns(&self) -> Vec<(&str, ColumnKind)> {
        self.columns
            .iter()
            .map(|c| {
                let kind = match c.encoding {
                    Encoding::Numeric(_) => ColumnKind::Numeric,
                    Encoding::Categorical(_) => ColumnKind::Categorical,
                };
                (c.column.as_str(), kind)
            })
            .collect()
    }

    /// What feature `index` means, or `None` past the last feature.
    pub fn describe(&self, index: usize) -> Option<FeatureDescription> {
        let mut start = 0;
        for col in &self.columns {
            let kinds = col.feature_kinds();
            if let Some(kind) = index.checked_sub(start).and_then(|i| kinds.get(i)) {
                return Some(FeatureDescription {
                    column: col.column.clone(),
                    kind: kind.clone(),
                });
            }
            start += kinds.len();
        }
        None
    }

    /// Encodes one row. Every column the encoder reads must be present in the row
    /// (its cell may be [`Cell::Missing`]); other cells are ignored.
    pub fn transform_row<R: RowSource + ?Sized>(&self, row: &R) -> Result<Vec<f64>, FeaturesError> {
        let mut out = Vec::with_capacity(self.n_features());
        for col in &self.columns {
            let cell = row
                .cell(&col.column)
                .ok_or_else(|| FeaturesError::MissingColumn {
                    column: col.column.clone(),
                })?;
            match &col.encoding {
                Encoding::Numeric(enc) => {
                    let value = match cell {
                        Cell::Num(v) => Some(v),
                        Cell::Missing => None,
                        Cell::Text(text) => numeric_text(&col.column, &text)?,
                    };
                    enc.encode(&col.column, value, &mut out)?;
                }
                Encoding::Categorical(enc) => match cell {
                    Cell::Text(text) => enc.encode(Some(&text), &mut out),
                    Cell::Num(v) => enc.encode(Some(&v.to_string()), &mut out),
                    Cell::Missing => enc.encode(None, &mut out),
                },
            }
        }
        Ok(out)
    }

    /// Encodes every row of a table, one feature vector per row. Columns may come
    /// in any order and extra columns are ignored; a column the encoder reads must
    /// be there. Numbers in a categorical column are read as their text (`2`,
    /// `2.5`); text in a numeric column must parse as a finite number.
    pub fn transform(&self, table: &Table) -> Result<Vec<Vec<f64>>, FeaturesError> {
        let d = self.n_features();
        let flat = self.transform_flat(table)?;
        if d == 0 {
            return Ok(vec![Vec::new(); table.rows()?]);
        }
        Ok(flat.chunks_exact(d).map(<[f64]>::to_vec).collect())
    }

    /// Like [`transform`](Self::transform), as one row-major vector of
    /// `rows * n_features()` values (no allocation per row).
    pub fn transform_flat(&self, table: &Table) -> Result<Vec<f64>, FeaturesError> {
        let rows = table.rows()?;
        let mut out = Vec::with_capacity(rows * self.n_features());
        self.transform_rows(table, 0..rows, &mut out)?;
        Ok(out)
    }

    /// Encodes the rows `rows` of a table into `out` (cleared first), row
    /// after row, as [`transform_flat`](Self::transform_flat) encodes them:
    /// a caller that goes through a large table a chunk at a time holds one
    /// chunk's features, not the whole table's. A row past the table's end is
    /// an error; an error in a row names its number in the table (from 1).
    pub fn transform_rows(
        &self,
        table: &Table,
        rows: std::ops::Range<usize>,
        out: &mut Vec<f64>,
    ) -> Result<(), FeaturesError> {
        out.clear();
        let height = table.rows()?;
        if rows.end > height {
            return Err(FeaturesError::RowOutOfRange {
                row: rows.end,
                rows: height,
            });
        }
        let inputs = self
            .columns
            .iter()
            .map(|col| {
                table
                    .column(&col.column)
                    .map(|input| (col, &input.values))
                    .ok_or_else(|| FeaturesError::MissingColumn {
                        column: col.column.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.reserve(rows.len() * self.n_features());
        for r in rows {
            for (col, values) in &inputs {
                encode_cell(col, values, r, out).map_err(|e| FeaturesError::InRow {
                    row: r + 1,
                    source: Box::new(e),
                })?;
            }
        }
        Ok(())
    }

    /// Encodes every row of `table` as [`transform_flat`](Self::transform_flat)
    /// does, into [`CompactRows`], a column at a time: each input column is
    /// dropped once encoded (and a column the encoder does not read at once),
    /// the features taken a column at a time as the table shrinks, not every
    /// row's dense features beside the whole table. The rows read back as the very
    /// features [`transform_flat`](Self::transform_flat) gives. An error in a
    /// row names its number in the table (from 1); with errors in several
    /// rows, the one reported is the first of the first column that has one.
    pub fn transform_compact(&self, table: Table) -> Result<CompactRows, FeaturesError> {
        let rows = table.rows()?;
        let pieces: Vec<Vec<Piece>> = self.columns.iter().map(ColumnEncoding::pieces).collect();
        let layout = Layout::of(pieces.iter().flatten().copied())?;
        let mut filler = Filler::new(layout, self.n_features(), rows);
        let mut inputs = table.columns;
        inputs.retain(|input| self.columns.iter().any(|col| col.column == input.name));
        let mut at = (0, 0);
        let mut encoded = Vec::new();
        for (col, pieces) in self.columns.iter().zip(&pieces) {
            let position = inputs
                .iter()
                .position(|input| input.name == col.column)
                .ok_or_else(|| FeaturesError::MissingColumn {
                    column: col.column.clone(),
                })?;
            let values = inputs.swap_remove(position).values;
            for r in 0..rows {
                encoded.clear();
                encode_cell(col, &values, r, &mut encoded)
                    .and_then(|()| filler.put(at, pieces, &encoded, &col.column))
                    .map_err(|e| FeaturesError::InRow {
                        row: r + 1,
                        source: Box::new(e),
                    })?;
            }
            at = after(at, pieces);
        }
        Ok(filler.finish())
    }
}

/// Appends the features of row `r` of one input column.
fn encode_cell(
    col: &ColumnEncoding,
    values: &ColumnValues,
    r: usize,
    out: &mut Vec<f64>,
) -> Result<(), FeaturesError> {
    let name = &col.column;
    match (&col.encoding, values) {
        (Encoding::Numeric(enc), ColumnValues::Numeric(v)) => {
            enc.encode(name, v.get(r).flatten(), out)
        }
        (Encoding::Numeric(enc), ColumnValues::Categorical(v)) => {
            let value = match v.get(r).flatten() {
                Some(text) => numeric_text(name, text)?,
                None => None,
            };
            enc.encode(name, value, out)
        }
        (Encoding::Categorical(enc), ColumnValues::Categorical(v)) => {
            enc.encode(v.get(r).flatten(), out);
            Ok(())
        }
        (Encoding::Categorical(enc), ColumnValues::Numeric(v)) => {
            enc.encode(v.get(r).flatten().map(|x| x.to_string()).as_deref(), out);
            Ok(())
        }
    }
}

/// Reads text given for a numeric column: blank is missing, otherwise it must be a finite number.
fn numeric_text(column: &str, text: &str) -> Result<Option<f64>, FeaturesError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_finite(text)
        .map(Some)
        .ok_or_else(|| FeaturesError::NotNumeric {
            column: column.to_owned(),
            value: text.to_owned(),
        })
}

impl ColumnEncoding {
    fn feature_names(&self) -> Vec<String> {
        match &self.encoding {
            Encoding::Numeric(enc) => enc.feature_names(&self.column),
            Encoding::Categorical(enc) => enc.feature_names(&self.column),
        }
    }

    /// How the features are stored in [`CompactRows`]: a numeric column's
    /// value as a number, its missing indicator and its bins as one-hot
    /// groups; a categorical column's levels as one group.
    fn pieces(&self) -> Vec<Piece> {
        match &self.encoding {
            Encoding::Numeric(enc) => {
                let mut pieces = Vec::new();
                if enc.scale.is_some() {
                    pieces.push(Piece::Dense);
                }
                if enc.missing_indicator {
                    pieces.push(Piece::OneHot(1));
                }
                if !enc.cuts.is_empty() {
                    pieces.push(Piece::OneHot(enc.cuts.len()));
                }
                pieces
            }
            Encoding::Categorical(enc) => vec![Piece::OneHot(enc.width())],
        }
    }

    fn feature_kinds(&self) -> Vec<FeatureKind> {
        let mut kinds = Vec::new();
        match &self.encoding {
            Encoding::Numeric(enc) => {
                if let Some(scale) = enc.scale {
                    kinds.push(FeatureKind::Numeric {
                        log: enc.log,
                        mean: scale.mean,
                        std: scale.std,
                    });
                }
                if enc.missing_indicator {
                    kinds.push(FeatureKind::Missing);
                }
                kinds.extend(enc.bins().map(|(lo, hi)| FeatureKind::Bin { lo, hi }));
            }
            Encoding::Categorical(enc) => {
                kinds.extend(enc.levels.iter().map(|l| FeatureKind::Level(l.clone())));
                if enc.other {
                    kinds.push(FeatureKind::Other);
                }
                if enc.missing {
                    kinds.push(FeatureKind::Missing);
                }
            }
        }
        kinds
    }
}
