//! Which feature a one-hot group lights, row after row: a byte for a
//! narrow group, a 4-byte index for a wide one.

use std::ops::Range;

/// What a wide one-hot group holds in a row where it lights no feature.
pub(super) const UNLIT: u32 = u32::MAX;

/// What a narrow one-hot group (fewer features than this) holds in a row
/// where it lights no feature.
pub(super) const NARROW_UNLIT: u8 = u8::MAX;

/// The feature a one-hot group lights in each of a run of rows.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lits {
    /// For a group of fewer than [`NARROW_UNLIT`] features (every group the
    /// default encoder makes): the offset from its first feature, 1 byte a
    /// row, or [`NARROW_UNLIT`].
    Narrow(Vec<u8>),
    /// For a wider group: the feature's index, 4 bytes a row, or [`UNLIT`].
    Wide(Vec<u32>),
}

impl Lits {
    /// No row yet, with room for `rows`, for a group `width` features wide.
    pub(super) fn for_width(width: u32, rows: usize) -> Self {
        if width < u32::from(NARROW_UNLIT) {
            Lits::Narrow(Vec::with_capacity(rows))
        } else {
            Lits::Wide(Vec::with_capacity(rows))
        }
    }

    /// The rows held.
    pub(super) fn len(&self) -> usize {
        match self {
            Lits::Narrow(offsets) => offsets.len(),
            Lits::Wide(lit) => lit.len(),
        }
    }

    /// The bytes held.
    pub(super) fn bytes(&self) -> usize {
        match self {
            Lits::Narrow(offsets) => offsets.len(),
            Lits::Wide(lit) => lit.len() * std::mem::size_of::<u32>(),
        }
    }

    /// Appends a row that lights the group's feature `offset` (from its
    /// first, `first`), or none.
    pub(super) fn push(&mut self, first: u32, offset: Option<u32>) {
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
    pub(super) fn resize(&mut self, rows: usize) {
        match self {
            Lits::Narrow(offsets) => offsets.resize(rows, NARROW_UNLIT),
            Lits::Wide(lit) => lit.resize(rows, UNLIT),
        }
    }

    /// The rows `rows` of a group whose first feature is `first` (none past
    /// the end).
    pub(super) fn view(&self, first: usize, rows: Range<usize>) -> Lit<'_> {
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
/// [`CompactRows::for_each_block`](super::CompactRows::for_each_block) gives it.
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
    #[inline]
    pub fn get(&self, k: usize) -> Option<usize> {
        match *self {
            Lit::Narrow { first, offsets } => offsets.get(k).and_then(|&o| narrow(first, o)),
            Lit::Wide(lit) => lit.get(k).and_then(|&l| wide(l)),
        }
    }

    /// The feature lit in row `k` of the block, or `none`.
    #[inline]
    pub fn get_or(&self, k: usize, none: usize) -> usize {
        self.get(k).unwrap_or(none)
    }

    /// Calls `f` with each row of the block (its place in the block) and
    /// the feature it lights, or `none`, in order.
    #[inline]
    pub fn for_each_or(&self, none: usize, mut f: impl FnMut(usize, usize)) {
        self.for_each_cell(|k, lit| f(k, lit.unwrap_or(none)));
    }

    /// Calls `f` with each row of the block that lights a feature (its place
    /// in the block) and that feature, in order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(usize, usize)) {
        self.for_each_cell(|k, lit| {
            if let Some(lit) = lit {
                f(k, lit);
            }
        });
    }

    /// Calls `f` with each row of the block and the feature it lights, if
    /// any, in order.
    #[inline]
    fn for_each_cell(&self, mut f: impl FnMut(usize, Option<usize>)) {
        match *self {
            Lit::Narrow { first, offsets } => {
                for (k, &o) in offsets.iter().enumerate() {
                    f(k, narrow(first, o));
                }
            }
            Lit::Wide(lit) => {
                for (k, &l) in lit.iter().enumerate() {
                    f(k, wide(l));
                }
            }
        }
    }
}

/// The feature a narrow group whose first feature is `first` lights with
/// offset `o`, if any.
#[inline]
fn narrow(first: usize, o: u8) -> Option<usize> {
    (o != NARROW_UNLIT).then(|| first + usize::from(o))
}

/// The feature a wide group lights with index `l`, if any.
#[inline]
fn wide(l: u32) -> Option<usize> {
    (l != UNLIT).then_some(l as usize)
}
