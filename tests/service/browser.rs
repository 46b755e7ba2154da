//! The web console in a real browser (Debian's headless Chromium, driven
//! over WebDriver by chromedriver), used as a person would: signing in with
//! the keyboard, following the first-admin and invitation links, inviting a
//! person, signing out; the leads table filtered, sorted and exported as
//! .xlsx (read back), and a lead's reasons; routing changed through its
//! forms, a mistake marked at its field; a conversion model published and
//! rolled back; a rule model designed from nothing (mistakes marked as one
//! types, the backtest following the points, saved, its scores in the leads
//! table, a second version's differences, the first restored);
//! administration (an API key shown once then revoked, a webhook secret no
//! page holds); a read user changing nothing; on SQLite and PostgreSQL.
//!
//! Each scenario starts the service on port 0 with a fresh database and its
//! own browser (`browser/harness.rs`). A missing Chromium or chromedriver
//! skips the scenarios with a note, unless `LEADSCORE_REQUIRE_CHROMIUM` is
//! set (CI sets it), which fails them. With `LEADSCORE_SCREENSHOTS=DIR` the
//! SQLite runs save a PNG of each page into DIR (`scripts/screenshots.sh`).

mod admin;
mod designer;
mod harness;
mod import;
mod leads;
mod models;
mod people;
mod seed;

use leadscore_engine::users;
use leadscore_engine::{Role, model_registry};
use leadscore_store::Backend;
use leadscore_store::testing::TestDb;

use crate::support::{App, spawn};
use harness::{Browser, TABLET};

const PASSWORD: &str = "correct horse battery";

/// The service on a fresh `db` and a browser for it; `None` (after dropping
/// the database) when the browser tests are skipped here.
async fn start(db: TestDb, test: &str) -> Option<(App, Browser)> {
    if !harness::available(test) {
        db.finish().await.unwrap();
        return None;
    }
    // One run of each scenario saves the screenshots: SQLite's.
    let screenshots = db.backend() == Backend::Sqlite;
    let app = spawn(db).await;
    let browser = Browser::open(&app, screenshots).await;
    Some((app, browser))
}

/// The index of the column headed `name` (its header's text, or its start
/// when the header shows the order with an arrow).
fn column(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name || h.strip_prefix(name).is_some_and(|r| r.starts_with(' ')))
        .unwrap_or_else(|| panic!("no column {name:?} in {head:?}"))
}

/// A worksheet's cells as text, row by row (numbers as Excel shows them:
/// `30`, not `30.0`).
fn xlsx_rows(path: &std::path::Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("no sheet {sheet:?} in {}: {e}", path.display()));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}
