//! Maps CSV record numbers to the physical lines they start on, which differ once a
//! quoted field holds a line break. Built only when a problem must be reported.

use std::path::Path;

/// The starting line (from 1) of every record after the header: the line a
/// problem names, whatever the line breaks (`\n` or `\r\n`) and however many
/// a quoted field holds.
#[derive(Debug, Default)]
pub struct LineMap {
    starts: Vec<u64>,
}

impl LineMap {
    /// Scans a CSV file, honouring RFC 4180 quotes. An unreadable file gives an
    /// empty map, and lines are then estimated as record number + 1.
    pub fn build(path: &Path) -> Self {
        let Ok(bytes) = std::fs::read(path) else {
            return Self::default();
        };
        Self::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8]) -> Self {
        let mut starts = Vec::new();
        let mut line: u64 = 1;
        let mut in_quotes = false;
        let mut at_record_start = true;
        let mut header_done = false;
        for (i, &b) in bytes.iter().enumerate() {
            if at_record_start {
                if header_done {
                    starts.push(line);
                }
                at_record_start = false;
            }
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' => {
                    line += 1;
                    if !in_quotes {
                        header_done = true;
                        at_record_start = i + 1 < bytes.len();
                    }
                }
                _ => {}
            }
        }
        Self { starts }
    }

    /// The line record `row` (from 1) starts on.
    pub fn line_of(&self, row: u64) -> u64 {
        usize::try_from(row)
            .ok()
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| self.starts.get(i).copied())
            .unwrap_or(row + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_line_breaks_shift_the_lines() {
        let map = LineMap::from_bytes(b"a,b\n1,\"x\ny\"\n2,z\n3,\"\"\"q\"\"\"\n");
        assert_eq!(map.line_of(1), 2);
        assert_eq!(map.line_of(2), 4);
        assert_eq!(map.line_of(3), 5);
    }

    #[test]
    fn without_a_map_the_line_is_the_row_plus_one() {
        assert_eq!(LineMap::default().line_of(7), 8);
    }
}
