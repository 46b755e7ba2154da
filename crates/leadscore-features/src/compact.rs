//! Encoded rows stored compactly, for training on many rows.
//!
//! Most features are one-hot: a categorical column's levels, a numeric
//! column's quantile bins and its missing indicator light at most one feature
//! of their group, and that feature is exactly 1. A dense row stores every
//! feature as an 8-byte number (406 of them, 3.2 KB a row, for the shipped
//! model); [`CompactRows`] stores the numbers that are not one-hot as they are
//! and, for each one-hot group, the index of the feature it lights (4 bytes).
//! The rows read back, one at a time, as the very dense rows
//! [`Encoder::transform_rows`](crate::Encoder::transform_rows) gives, so that
//! a computation over them gives the same result to the last bit.

use std::ops::Range;

use crate::FeaturesError;

/// A one-hot group that lights no feature in a row.
const UNLIT: u32 = u32::MAX;

/// How one encoded feature, or a run of them, is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// One feature, stored as its number.
    Dense,
    /// This many features of which at most one is 1 and the rest 0, stored as
    /// which one is lit.
    OneHot(usize),
}

/// Rows encoded by an [`Encoder`](crate::Encoder), stored compactly (see the
/// module's documentation); made by
/// [`Encoder::transform_compact`](crate::Encoder::transform_compact).
#[derive(Debug, Clone, PartialEq)]
pub struct CompactRows {
    /// Features in each row.
    n_features: usize,
    /// Rows.
    rows: usize,
    /// The feature index of each stored number, ascending.
    dense_at: Vec<u32>,
    /// The first feature and the width of each one-hot group.
    groups: Vec<(u32, u32)>,
    /// `rows × dense_at.len()` numbers, row after row.
    dense: Vec<f64>,
    /// `rows × groups.len()` lit features (feature indexes), or [`UNLIT`].
    lit: Vec<u32>,
}

/// Lays out an encoder's pieces as stored numbers and one-hot groups.
pub(crate) struct Layout {
    dense_at: Vec<u32>,
    groups: Vec<(u32, u32)>,
}

impl Layout {
    /// The layout of `pieces`, in feature order; fails when the features do
    /// not fit a `u32` index.
    pub(crate) fn of(pieces: impl IntoIterator<Item = Piece>) -> Result<Self, FeaturesError> {
        let mut dense_at = Vec::new();
        let mut groups = Vec::new();
        let mut at: usize = 0;
        let index = |i: usize| {
            u32::try_from(i)
                .ok()
                .filter(|i| *i != UNLIT)
                .ok_or(FeaturesError::TooManyFeatures { features: i })
        };
        for piece in pieces {
            match piece {
                Piece::Dense => {
                    dense_at.push(index(at)?);
                    at += 1;
                }
                Piece::OneHot(width) => {
                    groups.push((index(at)?, index(width)?));
                    at += width;
                }
            }
        }
        index(at)?;
        Ok(Self { dense_at, groups })
    }
}

/// Rows of the features a [`Filler`] keeps in one piece of a column, and
/// moves into the rows at a time. Small under `cfg(test)`, so that the
/// chunks' edges are tested.
const CHUNK: usize = if cfg!(test) { 7 } else { 1 << 16 };

/// Fills [`CompactRows`] a column of the encoder at a time, row after row.
///
/// The features are taken a column at a time (each column in chunks of
/// [`CHUNK`] rows), so that they grow as the table they come from is
/// dropped a column at a time; [`finish`](Self::finish) then moves them
/// into rows a chunk at a time, each chunk freed once moved. (At 10M leads
/// the RSS still rose by the rows' size while they were written: the freed
/// chunks did not go back to the system at once; see BENCHMARKS.md.)
pub(crate) struct Filler {
    /// The layout, with no row stored yet.
    rows: CompactRows,
    /// For each stored number, its values, a chunk of rows at a time.
    dense: Vec<Vec<Vec<f64>>>,
    /// For each one-hot group, the feature it lights (or [`UNLIT`]), a
    /// chunk of rows at a time.
    lit: Vec<Vec<Vec<u32>>>,
}

/// Appends `value` to the last chunk of `chunks`, starting a chunk when it is full.
fn push_chunked<T>(chunks: &mut Vec<Vec<T>>, value: T) {
    match chunks.last_mut() {
        Some(chunk) if chunk.len() < CHUNK => chunk.push(value),
        _ => {
            let mut chunk = Vec::with_capacity(CHUNK);
            chunk.push(value);
            chunks.push(chunk);
        }
    }
}

/// Chunk `c` of each column, taken out of it (empty where a column has none).
fn take_chunk<T>(columns: &mut [Vec<Vec<T>>], c: usize) -> Vec<Vec<T>> {
    columns
        .iter_mut()
        .map(|chunks| chunks.get_mut(c).map(std::mem::take).unwrap_or_default())
        .collect()
}

impl Filler {
    /// Room for `rows` rows of `layout`.
    pub(crate) fn new(layout: Layout, n_features: usize, rows: usize) -> Self {
        let dense = layout.dense_at.iter().map(|_| Vec::new()).collect();
        let lit = layout.groups.iter().map(|_| Vec::new()).collect();
        Self {
            rows: CompactRows {
                n_features,
                rows,
                dense_at: layout.dense_at,
                groups: layout.groups,
                dense: Vec::new(),
                lit: Vec::new(),
            },
            dense,
            lit,
        }
    }

    /// Appends the features `encoded` of the next row to the pieces starting
    /// at stored number `dense` and group `group`; returns the next stored
    /// number and group. Fails, naming `column`, when a one-hot group holds
    /// anything but zeros and at most one 1.
    pub(crate) fn put(
        &mut self,
        (dense, group): (usize, usize),
        pieces: &[Piece],
        encoded: &[f64],
        column: &str,
    ) -> Result<(usize, usize), FeaturesError> {
        let (mut d, mut g, mut at) = (dense, group, 0);
        let not_one_hot = || FeaturesError::NotOneHot {
            column: column.to_owned(),
        };
        for piece in pieces {
            match piece {
                Piece::Dense => {
                    let value = encoded.get(at).ok_or_else(not_one_hot)?;
                    if let Some(chunks) = self.dense.get_mut(d) {
                        push_chunked(chunks, *value);
                    }
                    d += 1;
                    at += 1;
                }
                Piece::OneHot(width) => {
                    let values = encoded.get(at..at + width).ok_or_else(not_one_hot)?;
                    let mut lit = None;
                    for (k, v) in values.iter().enumerate() {
                        if *v == 1.0 && lit.is_none() {
                            lit = Some(k);
                        } else if *v != 0.0 {
                            return Err(not_one_hot());
                        }
                    }
                    let start = self.rows.groups.get(g).map_or(0, |(start, _)| *start);
                    if let Some(chunks) = self.lit.get_mut(g) {
                        push_chunked(chunks, lit.map_or(UNLIT, |k| start + k as u32));
                    }
                    g += 1;
                    at += width;
                }
            }
        }
        Ok((d, g))
    }

    /// The rows filled, moved from the columns a chunk at a time; a value
    /// never put reads as 0, or unlit.
    pub(crate) fn finish(mut self) -> CompactRows {
        let (rows, nd, ng) = (self.rows.rows, self.dense.len(), self.lit.len());
        let mut dense = Vec::with_capacity(rows * nd);
        let mut lit = Vec::with_capacity(rows * ng);
        for (c, first) in (0..rows).step_by(CHUNK).enumerate() {
            let chunk_dense = take_chunk(&mut self.dense, c);
            let chunk_lit = take_chunk(&mut self.lit, c);
            for i in 0..CHUNK.min(rows - first) {
                dense.extend(chunk_dense.iter().map(|v| v.get(i).copied().unwrap_or(0.0)));
                lit.extend(chunk_lit.iter().map(|v| v.get(i).copied().unwrap_or(UNLIT)));
            }
        }
        self.rows.dense = dense;
        self.rows.lit = lit;
        self.rows
    }
}

impl CompactRows {
    /// Row `r`'s stored numbers (empty past the end).
    fn numbers(&self, r: usize) -> &[f64] {
        let nd = self.dense_at.len();
        self.dense.get(r * nd..(r + 1) * nd).unwrap_or(&[])
    }

    /// Row `r`'s lit features, one a group (empty past the end).
    fn lits(&self, r: usize) -> &[u32] {
        let ng = self.groups.len();
        self.lit.get(r * ng..(r + 1) * ng).unwrap_or(&[])
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The number of features in each row.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The bytes the rows take (their numbers and lit features).
    pub fn bytes(&self) -> usize {
        self.dense.len() * std::mem::size_of::<f64>() + self.lit.len() * std::mem::size_of::<u32>()
    }

    /// The rows at `index`, in that order; an index past the end is skipped.
    pub fn select(&self, index: &[usize]) -> Self {
        let (nd, ng) = (self.dense_at.len(), self.groups.len());
        let index: Vec<usize> = index.iter().copied().filter(|&i| i < self.rows).collect();
        let mut dense = Vec::with_capacity(index.len() * nd);
        let mut lit = Vec::with_capacity(index.len() * ng);
        for &i in &index {
            dense.extend_from_slice(self.numbers(i));
            lit.extend_from_slice(self.lits(i));
        }
        Self {
            n_features: self.n_features,
            rows: index.len(),
            dense_at: self.dense_at.clone(),
            groups: self.groups.clone(),
            dense,
            lit,
        }
    }

    /// Feature `feature` of every row, as the dense rows hold it; empty past
    /// the last feature.
    pub fn column(&self, feature: usize) -> Vec<f64> {
        let (nd, ng) = (self.dense_at.len(), self.groups.len());
        if let Some(k) = self.dense_at.iter().position(|&at| at as usize == feature) {
            return (0..self.rows)
                .map(|r| self.dense.get(r * nd + k).copied().unwrap_or(0.0))
                .collect();
        }
        let group = self.groups.iter().position(|&(start, width)| {
            (start as usize..(start + width) as usize).contains(&feature)
        });
        match group {
            Some(g) => (0..self.rows)
                .map(|r| {
                    let lit = self.lit.get(r * ng + g).copied().unwrap_or(UNLIT);
                    if lit as usize == feature { 1.0 } else { 0.0 }
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// Calls `f` with each row of `range` (its index and its dense features),
    /// in order; rows past the end are skipped. The slice is reused from one
    /// row to the next.
    pub fn for_each_row(&self, range: Range<usize>, mut f: impl FnMut(usize, &[f64])) {
        let ng = self.groups.len();
        let mut row = vec![0.0; self.n_features];
        let mut previous: Vec<usize> = Vec::with_capacity(ng);
        for r in range.start..range.end.min(self.rows) {
            for at in previous.drain(..) {
                if let Some(cell) = row.get_mut(at) {
                    *cell = 0.0;
                }
            }
            for (&at, &value) in self.dense_at.iter().zip(self.numbers(r)) {
                if let Some(cell) = row.get_mut(at as usize) {
                    *cell = value;
                }
            }
            for &lit in self.lits(r) {
                if let Some(cell) = row.get_mut(lit as usize) {
                    *cell = 1.0;
                    previous.push(lit as usize);
                }
            }
            f(r, &row);
        }
    }

    /// Every row's dense features, row after row (as
    /// [`Encoder::transform_flat`](crate::Encoder::transform_flat) gives them).
    pub fn to_dense(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.rows * self.n_features);
        self.for_each_row(0..self.rows, |_, row| out.extend_from_slice(row));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::{Column, EncoderParams, Table};

    /// Filled a chunk of 7 rows at a time, the rows read back as the flat
    /// features: 100 rows (a last chunk part full), 7 and 14 (full chunks
    /// only), 3 (one chunk part full).
    #[test]
    fn rows_filled_in_chunks_read_back_as_the_flat_features() -> Result<(), crate::FeaturesError> {
        for n in [100usize, 7, 14, 3] {
            let visits: Vec<Option<f64>> = (0..n)
                .map(|i| (i % 5 != 0).then_some((i * 7 % 11) as f64))
                .collect();
            let size: Vec<Option<f64>> = (0..n).map(|i| Some((i * 3 % 17) as f64)).collect();
            let region: Vec<Option<String>> = (0..n)
                .map(|i| (i % 6 != 0).then(|| ["north", "south", "east"][i % 3].to_owned()))
                .collect();
            let table = Table::new(vec![
                Column::numeric("visits", visits),
                Column::numeric("size", size),
                Column::categorical("region", region),
            ]);
            let params = EncoderParams {
                min_level_count: 1,
                ..EncoderParams::default()
            };
            let encoder = params.fit(&table)?;
            let flat = encoder.transform_flat(&table)?;
            let compact = encoder.transform_compact(table)?;
            assert_eq!(compact.rows(), n);
            assert_eq!(compact.to_dense(), flat, "{n} rows");
        }
        Ok(())
    }
}
