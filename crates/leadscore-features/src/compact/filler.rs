//! Filling compact rows a column of the encoder at a time.

use super::lit::Lits;
use super::{CHUNK, Chunk, CompactRows, Layout, Piece};
use crate::FeaturesError;

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

/// The chunk the next row goes into: the last of `chunks`, or a new one
/// from `start` when there is none or the last holds [`CHUNK`] rows (`len`).
fn open_chunk<T>(
    chunks: &mut Vec<T>,
    len: impl Fn(&T) -> usize,
    start: impl FnOnce() -> T,
) -> Option<&mut T> {
    if chunks.last().is_none_or(|chunk| len(chunk) >= CHUNK) {
        chunks.push(start());
    }
    chunks.last_mut()
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
                    let chunks = self.dense.get_mut(d);
                    let chunk =
                        chunks.and_then(|c| open_chunk(c, Vec::len, || Vec::with_capacity(CHUNK)));
                    if let Some(chunk) = chunk {
                        chunk.push(*value);
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
                    if let (Some(chunks), Some((start, width))) = (self.lit.get_mut(g), group)
                        && let Some(chunk) =
                            open_chunk(chunks, Lits::len, || Lits::for_width(width, CHUNK))
                    {
                        chunk.push(start, lit.map(|k| k as u32));
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
