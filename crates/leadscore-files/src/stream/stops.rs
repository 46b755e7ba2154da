//! Regression tests: an error of the callback that reads a long file's
//! batches returns at once; it does not wait forever on the thread reading
//! ahead.
//!
//! Each file holds many more batches than that thread keeps ahead, and the
//! callback fails on the first. Before the fix the thread, its channel full,
//! waited to hand over the next batch to a receiver that was dropped only
//! after the thread was joined: a deadlock (a retraining at 5M leads hung
//! when copying a part's file failed).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use polars::prelude::*;

use super::csv_rows::CsvRows;
use super::parquet_rows::ParquetRows;
use crate::FilesError;

/// Far longer than reading these files takes; reached only by a deadlock.
const HANG: Duration = Duration::from_secs(120);

/// The error every callback gives.
fn refused(path: &Path) -> FilesError {
    FilesError::LeadRows {
        path: path.to_path_buf(),
        message: "the callback refused the first batch".to_owned(),
    }
}

/// Runs `read` on another thread: its error's text, or why there is none.
fn error_in_time(
    path: PathBuf,
    read: fn(&Path) -> Result<(), FilesError>,
) -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read(&path).map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(HANG) {
        Ok(Ok(())) => Err("the reading ended without the callback's error".to_owned()),
        Ok(Err(message)) => Ok(message),
        Err(_) => Err(format!(
            "the reading did not return within {HANG:?}: a deadlock"
        )),
    }
}

#[test]
fn a_failing_callback_stops_the_reading_of_a_long_csv_file() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("leads.csv");
    let body: String = std::iter::once("lead_id\n".to_owned())
        .chain((0..20_000).map(|k| format!("L{k}\n")))
        .collect();
    std::fs::write(&path, body).map_err(|e| e.to_string())?;
    let message = error_in_time(path, |path| {
        let (rows, mut index) = CsvRows::open(path)?;
        rows.for_each_batch(&mut index, |_, _, _| Err(refused(path)))
    })?;
    assert!(message.contains("refused the first batch"), "{message}");
    Ok(())
}

#[test]
fn a_failing_callback_stops_the_reading_of_a_long_parquet_file() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("leads.parquet");
    let ids: Vec<String> = (0..2_000).map(|k| format!("L{k}")).collect();
    let mut frame = DataFrame::new(ids.len(), vec![Column::new("lead_id".into(), ids)])
        .map_err(|e| e.to_string())?;
    let file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
    // Row groups of 100 rows, each a batch of its own: 20 of them.
    ParquetWriter::new(file)
        .with_row_group_size(Some(100))
        .finish(&mut frame)
        .map_err(|e| e.to_string())?;
    let message = error_in_time(path, |path| {
        ParquetRows::open(path)?.for_each_chunk(|_, _, _| Err(refused(path)))
    })?;
    assert!(message.contains("refused the first batch"), "{message}");
    Ok(())
}
