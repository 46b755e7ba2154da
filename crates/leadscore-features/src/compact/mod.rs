//! Encoded rows stored compactly, for training on many rows.
//!
//! Most features are one-hot: a categorical column's levels, a numeric
//! column's quantile bins and its missing indicator light at most one feature
//! of their group, and that feature is exactly 1. A dense row stores every
//! feature as an 8-byte number (406 of them, 3.2 KB a row, for the shipped
//! model); [`CompactRows`] stores the numbers that are not one-hot as they are
//! and, for each one-hot group, which feature it lights: a byte, its offset
//! in the group, for a group of fewer than 255 features (every group the
//! default encoder makes), else its 4-byte index.
//!
//! The rows are kept a column at a time, in chunks of [`CHUNK`] rows, as the
//! encoder makes them, and nothing is moved or copied once encoded: a
//! computation that goes over every row (the solver's pass) reads them a
//! block of rows and a stored column at a time
//! ([`CompactRows::for_each_block`]). They also read back a row at a time as
//! the very dense rows
//! [`Encoder::transform_rows`](crate::Encoder::transform_rows) gives, so that
//! a computation over them gives the same result to the last bit.

use std::ops::Range;

use crate::FeaturesError;

mod filler;
mod lit;

pub(crate) use filler::{Filler, after};
pub use lit::Lit;
use lit::{Lits, UNLIT};

/// How one encoded feature, or a run of them, is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// One feature, stored as its number.
    Dense,
    /// This many features of which at most one is 1 and the rest 0, stored as
    /// which one is lit.
    OneHot(usize),
}

/// A stored column, in the order of the features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Stored number `k`.
    Number(usize),
    /// One-hot group `g`.
    Group(usize),
}

/// Rows of a chunk: the rows the encoder stores in one piece of each
/// column. Small under `cfg(test)`, so that the chunks' edges are tested.
const CHUNK: usize = if cfg!(test) { 7 } else { 1 << 16 };

/// Up to [`CHUNK`] consecutive rows, a stored column at a time.
#[derive(Debug, Clone, PartialEq, Default)]
struct Chunk {
    /// For each stored number, its value in each row of the chunk.
    dense: Vec<Vec<f64>>,
    /// For each one-hot group, the feature it lights in each row of the
    /// chunk.
    lit: Vec<Lits>,
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
    /// The stored columns in the order of their features.
    order: Vec<Slot>,
    /// The rows, [`CHUNK`] at a time (the last chunk may hold fewer).
    chunks: Vec<Chunk>,
}

/// Lays out an encoder's pieces as stored numbers and one-hot groups.
pub(crate) struct Layout {
    dense_at: Vec<u32>,
    groups: Vec<(u32, u32)>,
    order: Vec<Slot>,
}

impl Layout {
    /// The layout of `pieces`, in feature order; fails when the features do
    /// not fit a `u32` index.
    pub(crate) fn of(pieces: impl IntoIterator<Item = Piece>) -> Result<Self, FeaturesError> {
        let mut dense_at = Vec::new();
        let mut groups = Vec::new();
        let mut order = Vec::new();
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
                    order.push(Slot::Number(dense_at.len()));
                    dense_at.push(index(at)?);
                    at += 1;
                }
                Piece::OneHot(width) => {
                    order.push(Slot::Group(groups.len()));
                    groups.push((index(at)?, index(width)?));
                    at += width;
                }
            }
        }
        index(at)?;
        Ok(Self {
            dense_at,
            groups,
            order,
        })
    }
}

/// A stored column over a block of rows, as
/// [`CompactRows::for_each_block`] gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Run<'a> {
    /// A feature stored as its number.
    Number {
        /// The feature's index.
        feature: usize,
        /// Its value in each row of the block.
        values: &'a [f64],
    },
    /// A one-hot group.
    OneHot {
        /// Its first feature's index.
        first: usize,
        /// Its features.
        width: usize,
        /// The feature it lights in each row of the block.
        lit: Lit<'a>,
    },
}

/// Rows of the blocks [`CompactRows::for_each_row`] reads.
const ROW_BLOCK: usize = 256;

impl CompactRows {
    /// Stored number `k` of row `r` (0 past the end).
    fn number(&self, k: usize, r: usize) -> f64 {
        self.chunks
            .get(r / CHUNK)
            .and_then(|chunk| chunk.dense.get(k))
            .and_then(|values| values.get(r % CHUNK))
            .copied()
            .unwrap_or(0.0)
    }

    /// The feature group `g` lights in row `r`, if any.
    fn lit(&self, g: usize, r: usize) -> Option<usize> {
        let (first, _) = self.groups.get(g)?;
        let i = r % CHUNK;
        let lits = self.chunks.get(r / CHUNK)?.lit.get(g)?;
        lits.view(*first as usize, i..i + 1).get(0)
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
        let cells = |chunk: &Chunk| {
            let numbers: usize = chunk.dense.iter().map(Vec::len).sum();
            let lit: usize = chunk.lit.iter().map(Lits::bytes).sum();
            numbers * std::mem::size_of::<f64>() + lit
        };
        self.chunks.iter().map(cells).sum()
    }

    /// The rows at `index`, in that order; an index past the end is skipped.
    pub fn select(&self, index: &[usize]) -> Self {
        let index: Vec<usize> = index.iter().copied().filter(|&i| i < self.rows).collect();
        let chunks = index
            .chunks(CHUNK)
            .map(|part| Chunk {
                dense: (0..self.dense_at.len())
                    .map(|k| part.iter().map(|&i| self.number(k, i)).collect())
                    .collect(),
                lit: self
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(g, &(first, width))| {
                        let mut lits = Lits::for_width(width, part.len());
                        for &i in part {
                            let offset = self.lit(g, i).map(|l| (l - first as usize) as u32);
                            lits.push(first, offset);
                        }
                        lits
                    })
                    .collect(),
            })
            .collect();
        Self {
            n_features: self.n_features,
            rows: index.len(),
            dense_at: self.dense_at.clone(),
            groups: self.groups.clone(),
            order: self.order.clone(),
            chunks,
        }
    }

    /// Feature `feature` of every row, as the dense rows hold it; empty past
    /// the last feature.
    pub fn column(&self, feature: usize) -> Vec<f64> {
        if let Some(k) = self.dense_at.iter().position(|&at| at as usize == feature) {
            return (0..self.rows).map(|r| self.number(k, r)).collect();
        }
        let group = self.groups.iter().position(|&(start, width)| {
            (start as usize..(start + width) as usize).contains(&feature)
        });
        match group {
            Some(g) => (0..self.rows)
                .map(|r| {
                    if self.lit(g, r) == Some(feature) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// Calls `f` with each block of consecutive rows of `range`, at most
    /// `max_rows` of them and never across a chunk: the block's first row,
    /// its number of rows, and its stored columns in the order of their
    /// features. Rows past the end are skipped.
    pub fn for_each_block<'a>(
        &'a self,
        range: Range<usize>,
        max_rows: usize,
        mut f: impl FnMut(usize, usize, &[Run<'a>]),
    ) {
        let end = range.end.min(self.rows);
        let mut runs: Vec<Run<'a>> = Vec::with_capacity(self.order.len());
        let mut first = range.start;
        while first < end {
            let (c, i) = (first / CHUNK, first % CHUNK);
            let Some(chunk) = self.chunks.get(c) else {
                return;
            };
            let len = max_rows.max(1).min(end - first).min(CHUNK - i);
            let rows = i..i + len;
            runs.clear();
            for slot in &self.order {
                let run =
                    match *slot {
                        Slot::Number(k) => self.dense_at.get(k).zip(chunk.dense.get(k)).map(
                            |(&feature, values)| Run::Number {
                                feature: feature as usize,
                                values: values.get(rows.clone()).unwrap_or(&[]),
                            },
                        ),
                        Slot::Group(g) => self.groups.get(g).zip(chunk.lit.get(g)).map(
                            |(&(start, width), lit)| Run::OneHot {
                                first: start as usize,
                                width: width as usize,
                                lit: lit.view(start as usize, rows.clone()),
                            },
                        ),
                    };
                runs.extend(run);
            }
            f(first, len, &runs);
            first += len;
        }
    }

    /// Calls `f` with each row of `range` (its index and its dense features),
    /// in order; rows past the end are skipped. The slice is reused from one
    /// row to the next.
    pub fn for_each_row(&self, range: Range<usize>, mut f: impl FnMut(usize, &[f64])) {
        let mut row = vec![0.0; self.n_features];
        let mut previous: Vec<usize> = Vec::with_capacity(self.groups.len());
        self.for_each_block(range, ROW_BLOCK, |first, len, runs| {
            for t in 0..len {
                for at in previous.drain(..) {
                    if let Some(cell) = row.get_mut(at) {
                        *cell = 0.0;
                    }
                }
                for run in runs {
                    match *run {
                        Run::Number { feature, values } => {
                            if let (Some(cell), Some(value)) = (row.get_mut(feature), values.get(t))
                            {
                                *cell = *value;
                            }
                        }
                        Run::OneHot { lit, .. } => {
                            if let Some(at) = lit.get(t)
                                && let Some(cell) = row.get_mut(at)
                            {
                                *cell = 1.0;
                                previous.push(at);
                            }
                        }
                    }
                }
                f(first + t, &row);
            }
        });
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
mod tests;
