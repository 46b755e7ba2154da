//! SQLite specifics: the file, its journal mode, clear errors.

use leadscore_store::{Backend, DatabaseUrl, SqlStore, Store, StoreError};
use sqlx::Row;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn the_file_is_created_on_first_use_in_wal_mode() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("new store.db");
    assert!(!path.exists());
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display()))?;
    let store = SqlStore::open(&url).await?;
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.is_file());
    let row = sqlx::query("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await?;
    let mode: String = row.try_get(0)?;
    assert_eq!(mode.to_ascii_lowercase(), "wal");
    let row = sqlx::query("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await?;
    let synchronous: i64 = row.try_get(0)?;
    assert_eq!(synchronous, 1, "NORMAL");
    assert_eq!(store.counts().await?.total(), 0);
    store.close().await;
    Ok(())
}

#[tokio::test]
async fn a_missing_directory_is_a_clear_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("no-such-dir").join("x.db");
    let url = DatabaseUrl::sqlite_file(&path);
    match SqlStore::open(&url).await {
        Err(err @ StoreError::MissingDirectory { .. }) => {
            assert!(err.to_string().contains("no-such-dir"), "{err}");
            Ok(())
        }
        other => Err(format!("expected MissingDirectory, got {other:?}").into()),
    }
}

#[tokio::test]
async fn a_bare_relative_path_keeps_its_case() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("MixedCase.DB");
    // `sqlite://` followed by a path whose first part a URL parser would take
    // for a (lower-cased) host name.
    let url = DatabaseUrl::parse(&format!("sqlite:{}", path.display()))?;
    let store = SqlStore::open(&url).await?;
    store.close().await;
    assert!(path.is_file());
    Ok(())
}
