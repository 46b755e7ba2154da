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
//! A scenario whose browser stops answering is stopped after five minutes
//! and run once more ([`run_scenario`]), rather than hanging the suite.

/// Runs each named `async fn(TestDb)` scenario on SQLite and PostgreSQL,
/// as `<name>::sqlite` and `<name>::postgres`, through [`run_scenario`]:
/// a browser that stops answering fails the attempt instead of hanging the
/// suite.
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> ::std::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
                $crate::browser::run_scenario(
                    concat!(stringify!($name), "::sqlite"),
                    || async { ::leadscore_store::testing::TestDb::sqlite().await.map(Some) },
                    super::$name,
                )
                .await
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> ::std::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
                $crate::browser::run_scenario(
                    concat!(stringify!($name), "::postgres"),
                    ::leadscore_store::testing::TestDb::postgres,
                    super::$name,
                )
                .await
            }
        }
    )*};
}

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

/// How long one scenario may run before its browser counts as stuck: a
/// chromedriver that died can leave WebDriver calls waiting forever (seen
/// once in many CI runs), and the scenarios take well under a minute.
const SCENARIO_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs `scenario` on a fresh database from `fresh` (`None`: skipped). One
/// that outlasts [`SCENARIO_LIMIT`] is stopped (its browser and driver end
/// with it) and run once more on another fresh database, saying so; a
/// failing assertion fails at once, never run again.
pub async fn run_scenario<D, DF, S, SF>(
    name: &str,
    fresh: D,
    scenario: S,
) -> Result<(), Box<dyn std::error::Error>>
where
    D: Fn() -> DF,
    DF: std::future::Future<Output = Result<Option<TestDb>, leadscore_store::StoreError>>,
    S: Fn(TestDb) -> SF,
    SF: std::future::Future<Output = ()> + Send + 'static,
{
    run_within(SCENARIO_LIMIT, name, fresh, scenario).await
}

/// [`run_scenario`] with its limit.
async fn run_within<D, DF, S, SF>(
    limit: std::time::Duration,
    name: &str,
    fresh: D,
    scenario: S,
) -> Result<(), Box<dyn std::error::Error>>
where
    D: Fn() -> DF,
    DF: std::future::Future<Output = Result<Option<TestDb>, leadscore_store::StoreError>>,
    S: Fn(TestDb) -> SF,
    SF: std::future::Future<Output = ()> + Send + 'static,
{
    for attempt in 1..=2 {
        let Some(db) = fresh().await? else {
            return Ok(());
        };
        let mut task = tokio::spawn(scenario(db));
        match tokio::time::timeout(limit, &mut task).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => return Err(e.into()),
            },
            Err(_) => {
                task.abort();
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
                harness::say(&format!(
                    "{name}: no end after {} s (attempt {attempt} of 2): the browser stopped \
                     answering; the scenario runs again on a fresh database",
                    limit.as_secs()
                ));
            }
        }
    }
    Err(format!("{name}: the browser stopped answering in both attempts").into())
}

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

/// The harness's own guard: a scenario that hangs is stopped and run again
/// once; one that hangs twice fails; a failing assertion is not run again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_scenario_is_stopped_and_run_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let fresh = || async { TestDb::sqlite().await.map(Some) };
    let stuck_once = |db: TestDb| async move {
        if RUNS.fetch_add(1, Ordering::SeqCst) == 0 {
            std::future::pending::<()>().await;
        }
        db.finish().await.unwrap();
    };
    let limit = Duration::from_secs(2);
    run_within(limit, "stuck once", fresh, stuck_once)
        .await
        .unwrap();
    assert_eq!(RUNS.load(Ordering::SeqCst), 2);

    let stuck = |_db: TestDb| std::future::pending::<()>();
    let failed = run_within(limit, "stuck", fresh, stuck).await.unwrap_err();
    assert!(failed.to_string().contains("both attempts"), "{failed}");

    static FAILS: AtomicUsize = AtomicUsize::new(0);
    let failing = |_db: TestDb| async {
        FAILS.fetch_add(1, Ordering::SeqCst);
        panic!("an assertion failed");
    };
    // A panic ends the scenario at once, but printing its backtrace first
    // reads the debug information of this large test binary, which took more
    // than 2 s on a loaded machine (the panic was then taken for a stuck
    // browser and run again): the limit here only has to be finite.
    let generous = Duration::from_secs(120);
    let joined = tokio::spawn(async move {
        run_within(generous, "failing", fresh, failing)
            .await
            .map_err(|e| e.to_string())
    });
    assert!(joined.await.unwrap_err().is_panic());
    assert_eq!(FAILS.load(Ordering::SeqCst), 1);
}
