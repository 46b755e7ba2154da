//! The cells of a [`Column`](crate::Column), held compactly: [`Numbers`] keep
//! each number in 8 bytes and whether it is missing in a bit; [`Labels`] keep
//! each distinct label once and a 4-byte code a cell.
//!
//! A table of ten million leads holds some forty numeric and a dozen label
//! columns. As `Option<f64>` (16 bytes) and `Option<String>` (24 bytes and an
//! allocation of the text a cell) that was about 1.3 KB a lead; held this way
//! it is about a third of that, and the cells read back exactly as they were
//! given.

use bit_vec::BitVec;
use indexmap::IndexSet;
use serde::{Deserialize, Serialize};

/// A numeric column's cells, `None` where a value is missing.
///
/// ```
/// use leadscore_features::Numbers;
///
/// let mut numbers = Numbers::from(vec![Some(1.5), None]);
/// numbers.push(Some(-0.0));
/// assert_eq!(numbers.get(1), Some(None));
/// assert_eq!(numbers.to_vec(), vec![Some(1.5), None, Some(-0.0)]);
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Option<f64>>", into = "Vec<Option<f64>>")]
pub struct Numbers {
    /// Each cell's number; 0 where it is missing.
    values: Vec<f64>,
    /// Whether each cell has a number.
    present: BitVec,
}

impl Numbers {
    /// No cells.
    pub fn new() -> Self {
        Self::default()
    }

    /// No cells, with room for `cells` of them.
    pub fn with_capacity(cells: usize) -> Self {
        Self {
            values: Vec::with_capacity(cells),
            present: BitVec::with_capacity(cells),
        }
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Appends a cell.
    pub fn push(&mut self, value: Option<f64>) {
        self.values.push(value.unwrap_or(0.0));
        self.present.push(value.is_some());
    }

    /// Cell `row`: `None` past the end, `Some(None)` where the value is missing.
    pub fn get(&self, row: usize) -> Option<Option<f64>> {
        let value = *self.values.get(row)?;
        Some(self.present.get(row)?.then_some(value))
    }

    /// The cells in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<f64>> + Clone + '_ {
        self.values
            .iter()
            .zip(self.present.iter())
            .map(|(value, present)| present.then_some(*value))
    }

    /// Appends `other`'s cells.
    pub fn append(&mut self, mut other: Numbers) {
        self.values.append(&mut other.values);
        self.present.append(&mut other.present);
    }

    /// The cells at `rows`, in that order; a row past the end gives a missing cell.
    pub fn take(&self, rows: &[usize]) -> Numbers {
        let mut out = Numbers::with_capacity(rows.len());
        for &row in rows {
            out.push(self.get(row).flatten());
        }
        out
    }

    /// The cells as a vector.
    pub fn to_vec(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }
}

/// Cell by cell, as `Vec<Option<f64>>` compares (a NaN equals nothing).
impl PartialEq for Numbers {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl FromIterator<Option<f64>> for Numbers {
    fn from_iter<I: IntoIterator<Item = Option<f64>>>(cells: I) -> Self {
        let cells = cells.into_iter();
        let mut out = Numbers::with_capacity(cells.size_hint().0);
        for cell in cells {
            out.push(cell);
        }
        out
    }
}

impl From<Vec<Option<f64>>> for Numbers {
    fn from(cells: Vec<Option<f64>>) -> Self {
        cells.into_iter().collect()
    }
}

impl From<Numbers> for Vec<Option<f64>> {
    fn from(numbers: Numbers) -> Self {
        numbers.to_vec()
    }
}

/// The largest number of distinct labels whose codes are kept in 4 bytes
/// (`u32::MAX` marks a missing cell); past it, a column's codes widen to
/// `usize`. Small under `cfg(test)`, so that the widening is tested.
const NARROW_LEVELS: usize = if cfg!(test) { 3 } else { u32::MAX as usize };

/// Each cell's label, as the index of a distinct label.
#[derive(Debug, Clone)]
enum Codes {
    /// While there are at most [`NARROW_LEVELS`] labels; `u32::MAX` is missing.
    Narrow(Vec<u32>),
    /// Past that; `usize::MAX` is missing.
    Wide(Vec<usize>),
}

impl Codes {
    fn len(&self) -> usize {
        match self {
            Codes::Narrow(codes) => codes.len(),
            Codes::Wide(codes) => codes.len(),
        }
    }

    /// The label index of cell `row`: `None` past the end, `Some(None)` when missing.
    fn get(&self, row: usize) -> Option<Option<usize>> {
        match self {
            Codes::Narrow(codes) => {
                let code = *codes.get(row)?;
                Some((code != u32::MAX).then_some(code as usize))
            }
            Codes::Wide(codes) => {
                let code = *codes.get(row)?;
                Some((code != usize::MAX).then_some(code))
            }
        }
    }

    /// Appends a cell whose label has index `level` (`levels` labels exist).
    fn push(&mut self, level: Option<usize>, levels: usize) {
        if let Codes::Narrow(codes) = self
            && levels > NARROW_LEVELS
        {
            let wide = codes
                .iter()
                .map(|&c| {
                    if c == u32::MAX {
                        usize::MAX
                    } else {
                        c as usize
                    }
                })
                .collect();
            *self = Codes::Wide(wide);
        }
        match self {
            Codes::Narrow(codes) => codes.push(
                level
                    .and_then(|l| u32::try_from(l).ok())
                    .unwrap_or(u32::MAX),
            ),
            Codes::Wide(codes) => codes.push(level.unwrap_or(usize::MAX)),
        }
    }
}

/// A label column's cells, `None` where a label is missing. Each distinct
/// label is kept once, in the order of its first cell.
///
/// ```
/// use leadscore_features::Labels;
///
/// let mut labels = Labels::from(vec![Some("Retail".to_owned()), None]);
/// labels.push(Some("Retail"));
/// assert_eq!(labels.get(2), Some(Some("Retail")));
/// assert_eq!(labels.levels().count(), 1);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Vec<Option<String>>", into = "Vec<Option<String>>")]
pub struct Labels {
    /// The distinct labels, in the order of their first cell.
    levels: IndexSet<String>,
    /// Each cell's label index.
    codes: Codes,
}

impl Default for Labels {
    fn default() -> Self {
        Self::new()
    }
}

impl Labels {
    /// No cells.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// No cells, with room for `cells` of them.
    pub fn with_capacity(cells: usize) -> Self {
        Self {
            levels: IndexSet::new(),
            codes: Codes::Narrow(Vec::with_capacity(cells)),
        }
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a cell.
    pub fn push(&mut self, label: Option<&str>) {
        let level = label.map(|label| match self.levels.get_index_of(label) {
            Some(level) => level,
            None => self.levels.insert_full(label.to_owned()).0,
        });
        self.codes.push(level, self.levels.len());
    }

    /// Cell `row`: `None` past the end, `Some(None)` where the label is missing.
    pub fn get(&self, row: usize) -> Option<Option<&str>> {
        let level = self.codes.get(row)?;
        Some(level.and_then(|l| self.level(l)))
    }

    /// The index of cell `row`'s label among [`levels`](Self::levels): `None`
    /// past the end, `Some(None)` where the label is missing. Two cells have
    /// the same label exactly when they have the same index.
    pub fn level_of(&self, row: usize) -> Option<Option<usize>> {
        self.codes.get(row)
    }

    /// The distinct labels, in the order of their first cell (a column made
    /// by [`take`](Self::take) keeps only those of its cells).
    pub fn levels(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.levels.iter().map(String::as_str)
    }

    /// The label with index `level`.
    pub fn level(&self, level: usize) -> Option<&str> {
        self.levels.get_index(level).map(String::as_str)
    }

    /// The cells in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|row| self.get(row).flatten())
    }

    /// Appends `other`'s cells.
    pub fn append(&mut self, other: Labels) {
        let remap: Vec<usize> = other
            .levels
            .into_iter()
            .map(|label| match self.levels.get_index_of(&label) {
                Some(level) => level,
                None => self.levels.insert_full(label).0,
            })
            .collect();
        let levels = self.levels.len();
        for row in 0..other.codes.len() {
            let level = other
                .codes
                .get(row)
                .flatten()
                .and_then(|l| remap.get(l).copied());
            self.codes.push(level, levels);
        }
    }

    /// The cells at `rows`, in that order; a row past the end gives a missing
    /// cell. Only the labels of those cells are kept.
    pub fn take(&self, rows: &[usize]) -> Labels {
        let mut out = Labels::with_capacity(rows.len());
        let mut remap = vec![usize::MAX; self.levels.len()];
        for &row in rows {
            let level = self.codes.get(row).flatten().and_then(|l| {
                let new = remap.get_mut(l)?;
                if *new == usize::MAX {
                    *new = out.levels.insert_full(self.level(l)?.to_owned()).0;
                }
                Some(*new)
            });
            out.codes.push(level, out.levels.len());
        }
        out
    }

    /// The cells as a vector.
    pub fn to_vec(&self) -> Vec<Option<String>> {
        self.iter().map(|cell| cell.map(str::to_owned)).collect()
    }
}

/// Cell by cell, whatever the order of the distinct labels.
impl PartialEq for Labels {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for Labels {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(cells: I) -> Self {
        let cells = cells.into_iter();
        let mut out = Labels::with_capacity(cells.size_hint().0);
        for cell in cells {
            out.push(cell.as_ref().map(AsRef::as_ref));
        }
        out
    }
}

impl From<Vec<Option<String>>> for Labels {
    fn from(cells: Vec<Option<String>>) -> Self {
        cells.into_iter().collect()
    }
}

impl From<Labels> for Vec<Option<String>> {
    fn from(labels: Labels) -> Self {
        labels.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(cells: &[Option<&str>]) -> Labels {
        cells.iter().copied().collect()
    }

    type Result = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn numbers_read_back_as_given() -> Result {
        let cells = vec![Some(1.0), None, Some(-0.0), Some(f64::INFINITY), Some(0.0)];
        let numbers = Numbers::from(cells.clone());
        assert_eq!(numbers.len(), 5);
        assert_eq!(numbers.get(1), Some(None));
        assert_eq!(numbers.get(5), None);
        assert_eq!(
            numbers.get(2).flatten().map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(numbers.to_vec(), cells);
        // As JSON, a vector of numbers and nulls (JSON has no infinity).
        let finite = Numbers::from(vec![Some(1.5), None, Some(-0.0)]);
        let json = serde_json::to_string(&finite)?;
        assert_eq!(json, "[1.5,null,-0.0]");
        let back: Numbers = serde_json::from_str(&json)?;
        assert_eq!(back, finite);
        Ok(())
    }

    #[test]
    fn numbers_append_and_take() {
        let mut a = Numbers::from(vec![Some(1.0), None]);
        a.append(Numbers::from(vec![None, Some(4.0)]));
        assert_eq!(a.to_vec(), vec![Some(1.0), None, None, Some(4.0)]);
        assert_eq!(
            a.take(&[3, 0, 9, 1]).to_vec(),
            vec![Some(4.0), Some(1.0), None, None]
        );
        assert_ne!(a, Numbers::from(vec![Some(1.0), None, None]));
    }

    #[test]
    fn labels_keep_each_label_once() -> Result {
        let l = labels(&[Some("b"), None, Some("a"), Some("b")]);
        assert_eq!(l.levels().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(l.level_of(3), Some(Some(0)));
        assert_eq!(l.level_of(1), Some(None));
        assert_eq!(l.get(4), None);
        assert_eq!(
            l.to_vec(),
            vec![
                Some("b".to_owned()),
                None,
                Some("a".to_owned()),
                Some("b".to_owned())
            ]
        );
        let json = serde_json::to_string(&l)?;
        assert_eq!(json, r#"["b",null,"a","b"]"#);
        assert_eq!(serde_json::from_str::<Labels>(&json)?, l);
        Ok(())
    }

    #[test]
    fn labels_append_and_take_map_the_labels() {
        let mut a = labels(&[Some("x"), None]);
        a.append(labels(&[Some("y"), Some("x"), None]));
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [Some("x"), None, Some("y"), Some("x"), None]
        );
        assert_eq!(a.levels().count(), 2);
        let t = a.take(&[2, 7, 2, 1]);
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [Some("y"), None, Some("y"), None]
        );
        assert_eq!(t.levels().collect::<Vec<_>>(), ["y"]);
        // Equal cell by cell, whatever the order of the labels.
        assert_eq!(
            labels(&[Some("p"), Some("q")]).take(&[1, 0]),
            labels(&[Some("q"), Some("p")])
        );
    }

    #[test]
    fn labels_widen_past_the_narrow_codes() {
        // NARROW_LEVELS is 3 under test: the fourth label widens the codes.
        let cells = [
            Some("a"),
            None,
            Some("b"),
            Some("c"),
            Some("d"),
            None,
            Some("a"),
            Some("e"),
        ];
        let mut l = labels(&cells[..4]);
        assert!(matches!(l.codes, Codes::Narrow(_)));
        for cell in &cells[4..] {
            l.push(*cell);
        }
        assert!(matches!(l.codes, Codes::Wide(_)));
        assert_eq!(l.iter().collect::<Vec<_>>(), cells);
        let mut narrow = labels(&[None, Some("a")]);
        narrow.append(l.clone());
        assert_eq!(narrow.iter().skip(2).collect::<Vec<_>>(), cells);
        assert_eq!(
            l.take(&[7, 1, 0]).iter().collect::<Vec<_>>(),
            [Some("e"), None, Some("a")]
        );
    }
}
