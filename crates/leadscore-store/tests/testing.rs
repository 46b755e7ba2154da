//! The test helpers themselves: skipping, failing, cleaning up.

use leadscore_store::testing::{fresh_postgres, fresh_postgres_at, fresh_sqlite};
use leadscore_store::{Backend, Store, StoreError};
use sqlx::Connection;
use sqlx::Row;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Nothing listens on port 1.
const UNREACHABLE: &str = "postgres://postgres:secret@127.0.0.1:1/postgres";

#[tokio::test]
async fn an_unreachable_server_is_skipped_unless_required() -> TestResult {
    assert!(fresh_postgres_at(UNREACHABLE, false).await?.is_none());
    match fresh_postgres_at(UNREACHABLE, true).await {
        Err(StoreError::TestSetup { reason }) => {
            assert!(reason.contains("required"), "{reason}");
            assert!(!reason.contains("secret"), "{reason}");
            Ok(())
        }
        Err(other) => Err(format!("expected TestSetup, got {other}").into()),
        Ok(_) => Err("expected an error".into()),
    }
}

#[tokio::test]
async fn fresh_sqlite_is_empty() -> TestResult {
    let (_dir, store) = fresh_sqlite().await?;
    assert_eq!(store.backend(), Backend::Sqlite);
    assert_eq!(store.counts().await?.total(), 0);
    Ok(())
}

async fn database_exists(admin: &str, name: &str) -> Result<bool, Box<dyn std::error::Error>> {
    let mut conn = sqlx::AnyConnection::connect(admin).await?;
    let row = sqlx::query("SELECT COUNT(*) FROM pg_database WHERE datname::text = $1")
        .bind(name)
        .fetch_one(&mut conn)
        .await?;
    let n: i64 = row.try_get(0)?;
    conn.close().await?;
    Ok(n > 0)
}

#[tokio::test]
async fn postgres_test_databases_are_dropped_by_cleanup_or_drop() -> TestResult {
    let admin = std::env::var(leadscore_store::testing::POSTGRES_URL_VAR)
        .unwrap_or_else(|_| leadscore_store::testing::DEFAULT_POSTGRES_URL.to_owned());

    let Some((db, store)) = fresh_postgres().await? else {
        return Ok(());
    };
    assert_eq!(store.backend(), Backend::Postgres);
    let name = db.name().to_owned();
    assert!(database_exists(&admin, &name).await?);
    db.cleanup().await?;
    assert!(!database_exists(&admin, &name).await?);

    let Some((db, store)) = fresh_postgres().await? else {
        return Ok(());
    };
    let name = db.name().to_owned();
    assert!(database_exists(&admin, &name).await?);
    // Dropped with a connection still open: WITH (FORCE) ends it.
    drop(db);
    assert!(!database_exists(&admin, &name).await?);
    drop(store);
    Ok(())
}
