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

/// What a wide one-hot group holds in a row where it lights no feature.
const UNLIT: u32 = u32::MAX;

/// What a narrow one-hot group (fewer features than this) holds in a row
/// where it lights no feature.
const NARROW_UNLIT: u8 = u8::MAX;

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

/// The feature a one-hot group lights in each of a run of rows.
#[derive(Debug, Clone, PartialEq)]
enum Lits {
    /// For a group of fewer than [`NARROW_UNLIT`] features (every group the
    /// default encoder makes): the offset from its first feature, 1 byte a
    /// row, or [`NARROW_UNLIT`].
    Narrow(Vec<u8>),
    /// For a wider group: the feature's index, 4 bytes a row, or [`UNLIT`].
    Wide(Vec<u32>),
}

impl Lits {
    /// No row yet, with room for `rows`, for a group `width` features wide.
    fn for_width(width: u32, rows: usize) -> Self {
        if width < u32::from(NARROW_UNLIT) {
            Lits::Narrow(Vec::with_capacity(rows))
        } else {
            Lits::Wide(Vec::with_capacity(rows))
        }
    }

    /// The rows held.
    fn len(&self) -> usize {
        match self {
            Lits::Narrow(offsets) => offsets.len(),
            Lits::Wide(lit) => lit.len(),
        }
    }

    /// The bytes held.
    fn bytes(&self) -> usize {
        match self {
            Lits::Narrow(offsets) => offsets.len(),
            Lits::Wide(lit) => lit.len() * std::mem::size_of::<u32>(),
        }
    }

    /// Appends a row that lights the group's feature `offset` (from its
    /// first, `first`), or none.
    fn push(&mut self, first: u32, offset: Option<u32>) {
        match self {
            Lits::Narrow(offsets) => offsets.push(
                offset
                    .and_then(|o| u8::try_from(o).ok())
                    .unwrap_or(NARROW_UNLIT),
            ),
            Lits::Wide(lit) => lit.push(offset.map_or(UNLIT, |o| first + o)),
        }
    }

    /// Keeps the first `rows` rows, or adds rows that light no feature.
    fn resize(&mut self, rows: usize) {
        match self {
            Lits::Narrow(offsets) => offsets.resize(rows, NARROW_UNLIT),
            Lits::Wide(lit) => lit.resize(rows, UNLIT),
        }
    }

    /// The rows `rows` of a group whose first feature is `first` (none past
    /// the end).
    fn view(&self, first: usize, rows: Range<usize>) -> Lit<'_> {
        match self {
            Lits::Narrow(offsets) => Lit::Narrow {
                first,
                offsets: offsets.get(rows).unwrap_or(&[]),
            },
            Lits::Wide(lit) => Lit::Wide(lit.get(rows).unwrap_or(&[])),
        }
    }
}

/// The feature a one-hot group lights in each row of a block, as
/// [`CompactRows::for_each_block`] gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lit<'a> {
    /// A group of fewer than 255 features.
    Narrow {
        /// The group's first feature.
        first: usize,
        /// The offset of the lit feature from the first, or 255 for none.
        offsets: &'a [u8],
    },
    /// A wider group: the lit feature's index, or `u32::MAX` for none.
    Wide(&'a [u32]),
}

impl Lit<'_> {
    /// The rows of the block.
    pub fn len(&self) -> usize {
        match self {
            Lit::Narrow { offsets, .. } => offsets.len(),
            Lit::Wide(lit) => lit.len(),
        }
    }

    /// Whether the block has no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The feature lit in row `k` of the block, if any.
    pub fn get(&self, k: usize) -> Option<usize> {
        match *self {
            Lit::Narrow { first, offsets } => offsets
                .get(k)
                .filter(|o| **o != NARROW_UNLIT)
                .map(|o| first + usize::from(*o)),
            Lit::Wide(lit) => lit.get(k).filter(|l| **l != UNLIT).map(|l| *l as usize),
        }
    }

    /// The feature lit in row `k` of the block, or `none`.
    #[inline]
    pub fn get_or(&self, k: usize, none: usize) -> usize {
        match *self {
            Lit::Narrow { first, offsets } => match offsets.get(k) {
                Some(&o) if o != NARROW_UNLIT => first + usize::from(o),
                _ => none,
            },
            Lit::Wide(lit) => match lit.get(k) {
                Some(&l) if l != UNLIT => l as usize,
                _ => none,
            },
        }
    }

    /// Calls `f` with each row of the block (its place in the block) and
    /// the feature it lights, or `none`, in order.
    #[inline]
    pub fn for_each_or(&self, none: usize, mut f: impl FnMut(usize, usize)) {
        match *self {
            Lit::Narrow { first, offsets } => {
                for (k, &o) in offsets.iter().enumerate() {
                    f(
                        k,
                        if o == NARROW_UNLIT {
                            none
                        } else {
                            first + usize::from(o)
                        },
                    );
                }
            }
            Lit::Wide(lit) => {
                for (k, &l) in lit.iter().enumerate() {
                    f(k, if l == UNLIT { none } else { l as usize });
                }
            }
        }
    }

    /// Calls `f` with each row of the block that lights a feature (its place
    /// in the block) and that feature, in order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(usize, usize)) {
        match *self {
            Lit::Narrow { first, offsets } => {
                for (k, &o) in offsets.iter().enumerate() {
                    if o != NARROW_UNLIT {
                        f(k, first + usize::from(o));
                    }
                }
            }
            Lit::Wide(lit) => {
                for (k, &l) in lit.iter().enumerate() {
                    if l != UNLIT {
                        f(k, l as usize);
                    }
                }
            }
        }
    }
}

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

/// The stored number and group that follow `pieces` starting at stored
/// number `dense` and group `group`.
pub(crate) fn after((dense, group): (usize, usize), pieces: &[Piece]) -> (usize, usize) {
    let numbers = pieces.iter().filter(|p| **p == Piece::Dense).count();
    (dense + numbers, group + pieces.len() - numbers)
}

/// Fills [`CompactRows`] a column of the encoder at a time, row after row.
///
/// The features are taken a column at a time, each column in chunks of
/// [`CHUNK`] rows, so that they grow as the table they come from is dropped
/// a column at a time; [`finish`](Self::finish) hands the chunks over as
/// they are.
pub(crate) struct Filler {
    /// The layout, with no row stored yet.
    rows: CompactRows,
    /// For each stored number, its values, a chunk of rows at a time.
    dense: Vec<Vec<Vec<f64>>>,
    /// For each one-hot group, the feature it lights, a chunk of rows at a
    /// time.
    lit: Vec<Vec<Lits>>,
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

/// Chunk `c` of each number column, `len` rows long, taken out of it: a
/// value never put reads as 0.
fn take_chunk(columns: &mut [Vec<Vec<f64>>], c: usize, len: usize) -> Vec<Vec<f64>> {
    columns
        .iter_mut()
        .map(|chunks| {
            let mut chunk = chunks.get_mut(c).map(std::mem::take).unwrap_or_default();
            chunk.resize(len, 0.0);
            chunk
        })
        .collect()
}

/// Chunk `c` of each group of `groups`, `len` rows long, taken out of it: a
/// row never put lights no feature.
fn take_lit_chunk(
    columns: &mut [Vec<Lits>],
    groups: &[(u32, u32)],
    c: usize,
    len: usize,
) -> Vec<Lits> {
    columns
        .iter_mut()
        .zip(groups)
        .map(|(chunks, &(_, width))| {
            let empty = Lits::for_width(width, 0);
            let mut chunk = match chunks.get_mut(c) {
                Some(chunk) => std::mem::replace(chunk, empty),
                None => empty,
            };
            chunk.resize(len);
            chunk
        })
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
                order: layout.order,
                chunks: Vec::new(),
            },
            dense,
            lit,
        }
    }

    /// Appends the features `encoded` of the next row to the pieces starting
    /// at stored number `dense` and group `group` (see [`after`]). Fails,
    /// naming `column`, when a one-hot group holds anything but zeros and at
    /// most one 1.
    pub(crate) fn put(
        &mut self,
        (dense, group): (usize, usize),
        pieces: &[Piece],
        encoded: &[f64],
        column: &str,
    ) -> Result<(), FeaturesError> {
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
                    let group = self.rows.groups.get(g).copied();
                    if let (Some(chunks), Some((start, width))) = (self.lit.get_mut(g), group) {
                        let offset = lit.map(|k| k as u32);
                        match chunks.last_mut() {
                            Some(chunk) if chunk.len() < CHUNK => chunk.push(start, offset),
                            _ => {
                                let mut chunk = Lits::for_width(width, CHUNK);
                                chunk.push(start, offset);
                                chunks.push(chunk);
                            }
                        }
                    }
                    g += 1;
                    at += width;
                }
            }
        }
        Ok(())
    }

    /// The rows filled: each column's chunks handed over as they are; a
    /// value never put reads as 0, or unlit.
    pub(crate) fn finish(mut self) -> CompactRows {
        let rows = self.rows.rows;
        self.rows.chunks = (0..rows)
            .step_by(CHUNK)
            .enumerate()
            .map(|(c, first)| {
                let len = CHUNK.min(rows - first);
                Chunk {
                    dense: take_chunk(&mut self.dense, c, len),
                    lit: take_lit_chunk(&mut self.lit, &self.rows.groups, c, len),
                }
            })
            .collect();
        self.rows
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
            let (encoder, flat, compact) = encoded(table)?;
            assert_eq!(compact.rows(), n);
            assert_eq!(compact.to_dense(), flat, "{n} rows");
            // Rows picked across chunks, in any order, read back as theirs.
            let d = encoder.n_features();
            let picked: Vec<usize> = (0..n).rev().step_by(3).chain([0, n - 1, n + 5]).collect();
            let expected = flat_rows(&flat, d, &picked);
            assert_eq!(compact.select(&picked).to_dense(), expected, "{n} rows");
        }
        Ok(())
    }

    /// `table` encoded (every level kept), as flat features and compact rows.
    fn encoded(
        table: Table,
    ) -> Result<(crate::Encoder, Vec<f64>, super::CompactRows), crate::FeaturesError> {
        let params = EncoderParams {
            min_level_count: 1,
            ..EncoderParams::default()
        };
        let encoder = params.fit(&table)?;
        let flat = encoder.transform_flat(&table)?;
        let compact = encoder.transform_compact(table)?;
        Ok((encoder, flat, compact))
    }

    /// The flat features of the rows `picked` (a row past the end gives
    /// none), in that order.
    fn flat_rows(flat: &[f64], d: usize, picked: &[usize]) -> Vec<f64> {
        picked
            .iter()
            .flat_map(|&i| flat.get(i * d..(i + 1) * d).unwrap_or(&[]).to_vec())
            .collect()
    }

    /// `n` cells alternating between two regions.
    fn two_regions(n: usize) -> Vec<Option<String>> {
        (0..n)
            .map(|i| Some(["north", "south"][i % 2].to_owned()))
            .collect()
    }

    /// A group of 255 features or more (its lit features stored as indexes,
    /// not offsets) reads back as the flat features, whole, selected and
    /// a feature at a time.
    #[test]
    fn a_wide_group_reads_back_as_the_flat_features() -> Result<(), crate::FeaturesError> {
        let n = 700;
        let campaign: Vec<Option<String>> = (0..n)
            .map(|i| (i % 9 != 0).then(|| format!("c{}", i % 300)))
            .collect();
        let region = two_regions(n);
        let table = Table::new(vec![
            Column::categorical("campaign", campaign),
            Column::categorical("region", region),
        ]);
        let params = EncoderParams {
            min_level_count: 1,
            max_levels: 400,
            ..EncoderParams::default()
        };
        let encoder = params.fit(&table)?;
        let d = encoder.n_features();
        assert!(d > 300, "{d} features");
        let flat = encoder.transform_flat(&table)?;
        let compact = encoder.transform_compact(table)?;
        assert!(matches!(
            compact.chunks.first().and_then(|c| c.lit.first()),
            Some(super::Lits::Wide(_))
        ));
        assert!(matches!(
            compact.chunks.first().and_then(|c| c.lit.get(1)),
            Some(super::Lits::Narrow(_))
        ));
        assert_eq!(compact.to_dense(), flat);
        let picked = [699, 3, 9, 350, 3];
        let expected = flat_rows(&flat, d, &picked);
        assert_eq!(compact.select(&picked).to_dense(), expected);
        for j in [0, 5, 299, d - 1] {
            let column: Vec<f64> = (0..n)
                .map(|i| flat.get(i * d + j).copied().unwrap_or(-1.0))
                .collect();
            assert_eq!(compact.column(j), column, "feature {j}");
        }
        Ok(())
    }

    /// Blocks cover the range in order, never cross a chunk nor hold more
    /// than asked, and their runs are the features' columns, in order.
    #[test]
    fn blocks_cover_the_range_a_column_at_a_time() -> Result<(), crate::FeaturesError> {
        let n = 40;
        let visits: Vec<Option<f64>> = (0..n).map(|i| (i % 4 != 0).then_some(i as f64)).collect();
        let region = two_regions(n);
        let table = Table::new(vec![
            Column::numeric("visits", visits),
            Column::categorical("region", region),
        ]);
        let (encoder, flat, compact) = encoded(table)?;
        let d = encoder.n_features();
        for (range, max_rows) in [
            (0..40, 3),
            (5..33, 100),
            (12..13, 1),
            (30..90, 4),
            (9..9, 2),
        ] {
            let mut next = range.start;
            compact.for_each_block(range.clone(), max_rows, |first, len, runs| {
                assert_eq!(first, next, "{range:?}");
                assert!(len >= 1 && len <= max_rows, "{len} rows");
                assert_eq!(first / super::CHUNK, (first + len - 1) / super::CHUNK);
                let mut features = 0;
                for run in runs {
                    let (at, width) = match *run {
                        super::Run::Number { feature, values } => {
                            assert_eq!(values.len(), len);
                            for (k, v) in values.iter().enumerate() {
                                assert_eq!(Some(v), flat.get((first + k) * d + feature));
                            }
                            (feature, 1)
                        }
                        super::Run::OneHot {
                            first: at,
                            width,
                            lit,
                        } => {
                            assert_eq!(lit.len(), len);
                            for k in 0..len {
                                let row = flat.get((first + k) * d..(first + k + 1) * d);
                                let lit_here = row.and_then(|row| {
                                    (at..at + width).find(|&j| row.get(j) == Some(&1.0))
                                });
                                assert_eq!(lit_here, lit.get(k));
                            }
                            (at, width)
                        }
                    };
                    assert_eq!(at, features, "runs in the order of the features");
                    features += width;
                }
                assert_eq!(features, d);
                next = first + len;
            });
            assert_eq!(next, range.end.min(40).max(range.start), "{range:?}");
        }
        Ok(())
    }
}
