//! Flat training tables: one row per lead, as public lead data sets come.

use std::path::Path;

use polars::prelude::*;

use crate::frame::{read_csv, read_text_frame, split_record, unreadable};
use crate::{FilesError, Format};

/// Detects a CSV file's delimiter among `,`, `;` and tab: the one that splits the
/// header into the most fields (outside quotes). Defaults to `,`.
pub fn detect_delimiter(path: &Path) -> Result<u8, FilesError> {
    use std::io::{BufRead, BufReader};
    let file = std::fs::File::open(path).map_err(|source| FilesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut first = String::new();
    BufReader::new(file)
        .read_line(&mut first)
        .map_err(|source| FilesError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let best = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (split_record(&first, *d as char).len(), *d == b','))
        .unwrap_or(b',');
    Ok(best)
}

/// Reads a flat table (CSV with a detected delimiter, or Parquet) with every column
/// as text; the caller decides which columns are numeric or categorical.
pub fn read_table(path: &Path) -> Result<DataFrame, FilesError> {
    let format = Format::of_path(path).unwrap_or(Format::Csv);
    let text = match format {
        Format::Csv => read_csv(path, detect_delimiter(path)?)?,
        Format::Parquet => read_text_frame(path, Format::Parquet)?,
    };
    let mut seen = std::collections::HashSet::new();
    for (i, name) in text.header.iter().enumerate() {
        if name.trim().is_empty() || !seen.insert(name.trim()) {
            return Err(FilesError::BadHeader {
                path: path.to_path_buf(),
                position: i + 1,
                reason: format!("column name {name:?} is empty or repeated"),
            });
        }
    }
    if text.frame.height() == 0 {
        return Err(unreadable(path, "the table has no rows"));
    }
    Ok(text.frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_semicolons_and_tabs() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let semi = dir.path().join("bank.csv");
        std::fs::write(&semi, "\"age\";\"job\";\"y\"\n58;\"management\";\"no\"\n")?;
        assert_eq!(detect_delimiter(&semi)?, b';');
        let frame = read_table(&semi)?;
        assert_eq!(frame.width(), 3);
        assert_eq!(frame.column("job")?.str()?.get(0), Some("management"));
        let tab = dir.path().join("t.csv");
        std::fs::write(&tab, "a\tb\n1\t2\n")?;
        assert_eq!(detect_delimiter(&tab)?, b'\t');
        Ok(())
    }
}
