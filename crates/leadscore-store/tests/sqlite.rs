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
        .fetch_one(leadscore_store::testing::pool(&store))
        .await?;
    let mode: String = row.try_get(0)?;
    assert_eq!(mode.to_ascii_lowercase(), "wal");
    let row = sqlx::query("PRAGMA synchronous")
        .fetch_one(leadscore_store::testing::pool(&store))
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

/// With background checkpoints, no writer checkpoints (`wal_autocheckpoint`
/// is 0 on the pool's connections) and the store's own task copies the log
/// into the file; closing the store leaves no log behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_checkpoints_copy_the_log_beside_the_writers() -> TestResult {
    use leadscore_domain::{Dataset, Lead, LeadId, Timestamp};
    use leadscore_store::OpenOptions;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("service.db");
    let url = DatabaseUrl::sqlite_file(&path);
    let open = OpenOptions {
        durable: true,
        background_checkpoints: true,
    };
    let store = SqlStore::open_with(&url, open).await?;
    let pragma = |name: &'static str| {
        let pool = leadscore_store::testing::pool(&store).clone();
        async move {
            let row = sqlx::query(name).fetch_one(&pool).await?;
            row.try_get::<i64, _>(0)
        }
    };
    assert_eq!(pragma("PRAGMA wal_autocheckpoint").await?, 0);
    assert_eq!(pragma("PRAGMA synchronous").await?, 2, "FULL");

    // Fewer pages than SQLite's own threshold (1000): only the task copies them.
    let mut data = Dataset::default();
    for i in 0..300 {
        data.leads.push(Lead::new(
            LeadId::parse(format!("L-{i:04}"))?,
            Timestamp::parse("2026-03-01")?,
        ));
    }
    let before = std::fs::metadata(&path)?.len();
    store.import(&data, &|_| {}).await?;
    let wal = dir.path().join("service.db-wal");
    assert!(
        std::fs::metadata(&wal)?.len() > 0,
        "the import is in the log"
    );
    let start = std::time::Instant::now();
    while std::fs::metadata(&path)?.len() <= before {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "the log was not checkpointed into the file"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(store.counts().await?.leads, 300);
    store.close().await;
    assert!(
        !wal.exists(),
        "closing the store checkpoints and removes the log"
    );

    // The default store keeps SQLite's own checkpoints.
    let store = SqlStore::open(&url).await?;
    let row = sqlx::query("PRAGMA wal_autocheckpoint")
        .fetch_one(leadscore_store::testing::pool(&store))
        .await?;
    assert_eq!(row.try_get::<i64, _>(0)?, 1000);
    assert_eq!(store.counts().await?.leads, 300);
    store.close().await;
    Ok(())
}
