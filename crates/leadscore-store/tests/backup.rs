//! SQLite backups and restores: consistent while written to, never over a
//! file, checked, and restored only into a database no process has open.

// Not every helper is used here (`TestDb`).
#[allow(unused_imports)]
mod common;

use std::borrow::Cow;
use std::path::Path;

use common::{TestResult, sample};
use leadscore_domain::{
    ContactId, Dataset, Interaction, InteractionId, InteractionKind, Lead, LeadId, Timestamp,
};
use leadscore_store::{
    DatabaseUrl, SqlStore, Store, StoreError, backup_sqlite, binary_schema_version, inspect_sqlite,
    known_migrations, restore_sqlite,
};
use sqlx::SqlSafeStr;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};

static MIGRATOR: Migrator = sqlx::migrate!();

/// A SQLite store holding the sample, in `dir`.
async fn store_with_sample(
    dir: &Path,
    name: &str,
) -> Result<(DatabaseUrl, SqlStore), Box<dyn std::error::Error>> {
    let url = DatabaseUrl::sqlite_file(dir.join(name));
    let store = SqlStore::open(&url).await?;
    store.import(&sample()?, &|_| {}).await?;
    Ok((url, store))
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Result<Vec<String>, std::io::Error> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    Ok(names)
}

/// A batch: a lead and `n` interactions of it, written in one transaction.
fn batch(k: usize, n: usize) -> Result<Dataset, Box<dyn std::error::Error>> {
    let lead_id = LeadId::parse(format!("B-{k}"))?;
    let at = Timestamp::parse("2026-03-01T00:00:00Z")?;
    let mut data = Dataset::default();
    data.leads.push(Lead::new(lead_id.clone(), at));
    for i in 0..n {
        let mut click = Interaction::new(
            InteractionId::parse(format!("B-{k}-{i}"))?,
            InteractionKind::EmailClicked,
            at,
        );
        click.contact_id = Some(ContactId::parse("C-1")?);
        click.lead_id = Some(lead_id.clone());
        data.interactions.push(click);
    }
    Ok(data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_writing_holds_whole_transactions() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (url, store) = store_with_sample(dir.path(), "live.db").await?;
    let before = store.counts().await?;
    const PER_BATCH: usize = 20;
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut written = 0usize;
            while written < 300 {
                let data = batch(written, PER_BATCH).map_err(|e| e.to_string())?;
                store
                    .records()
                    .ingest(&data, "test")
                    .await
                    .map_err(|e| e.to_string())?;
                written += 1;
            }
            Ok::<usize, String>(written)
        })
    };
    // Back up while the writer writes, a few times.
    let mut backups = Vec::new();
    for n in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        let out = dir.path().join(format!("backup-{n}.db"));
        let report = backup_sqlite(&url, &out).await?;
        assert_eq!(report.backup.path, out);
        assert_eq!(report.backup.schema.version, Some(binary_schema_version()));
        assert_eq!(report.backup.schema.pending, 0);
        backups.push(report.backup);
    }
    writer.await??;
    for backup in &backups {
        let batches = backup.counts.leads - before.leads;
        assert_eq!(
            backup.counts.interactions - before.interactions,
            batches * PER_BATCH as u64,
            "every batch whole or absent: {backup:?}"
        );
        assert_eq!(backup.bytes, std::fs::metadata(&backup.path)?.len());
        // The backup opens as a store and its every interaction's lead is there.
        let copy = SqlStore::open(&DatabaseUrl::sqlite_file(&backup.path)).await?;
        let data = copy.export().await?;
        for interaction in &data.interactions {
            if let Some(lead) = &interaction.lead_id {
                assert!(data.leads.iter().any(|l| &l.lead_id == lead), "{lead}");
            }
        }
        copy.close().await;
    }
    store.close().await;
    // No temporary file is left behind.
    assert!(
        names(dir.path())?.iter().all(|n| !n.ends_with(".partial")),
        "{:?}",
        names(dir.path())?
    );
    Ok(())
}

#[tokio::test]
async fn a_backup_is_never_written_over_a_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (url, store) = store_with_sample(dir.path(), "live.db").await?;
    let out = dir.path().join("taken.db");
    std::fs::write(&out, b"keep me")?;
    let refused = backup_sqlite(&url, &out).await;
    assert!(
        matches!(&refused, Err(StoreError::BackupExists { path }) if path == &out),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&out)?, b"keep me");

    let missing = DatabaseUrl::sqlite_file(dir.path().join("missing.db"));
    let refused = backup_sqlite(&missing, &dir.path().join("x.db")).await;
    assert!(
        matches!(refused, Err(StoreError::NoDatabase { .. })),
        "{refused:?}"
    );
    assert!(!dir.path().join("missing.db").exists(), "not created");

    let postgres = DatabaseUrl::parse("postgres://u:secret@db.invalid/leads")?;
    let refused = backup_sqlite(&postgres, &dir.path().join("y.db")).await;
    let message = refused
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        matches!(refused, Err(StoreError::NotSqlite { .. })),
        "{message}"
    );
    assert!(
        message.contains("pg_dump") && !message.contains("secret"),
        "{message}"
    );
    store.close().await;
    assert_eq!(names(dir.path())?, ["live.db", "taken.db"]);
    Ok(())
}

#[tokio::test]
async fn a_restore_into_a_new_file_is_the_backup() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (url, store) = store_with_sample(dir.path(), "live.db").await?;
    let out = dir.path().join("backup.db");
    backup_sqlite(&url, &out).await?;
    let original = store.export().await?;
    store.close().await;

    let target = DatabaseUrl::sqlite_file(dir.path().join("restored.db"));
    let report = restore_sqlite(&out, &target, false).await?;
    assert_eq!(report.migrated, 0);
    assert!(report.moved_aside.is_empty());
    assert_eq!(report.schema_version, Some(binary_schema_version()));
    assert_eq!(report.counts, report.from.counts);
    let restored = SqlStore::open(&target).await?;
    assert_eq!(restored.export().await?, original);
    restored.close().await;
    Ok(())
}

#[tokio::test]
async fn a_restore_over_a_database_is_forced_and_keeps_the_old_one() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (url, store) = store_with_sample(dir.path(), "live.db").await?;
    let out = dir.path().join("backup.db");
    backup_sqlite(&url, &out).await?;
    // The live database changes after the backup.
    store.import(&batch(1, 3)?, &|_| {}).await?;
    let changed = store.counts().await?;

    // Refused while the store is open (the service running).
    let refused = restore_sqlite(&out, &url, true).await;
    assert!(
        matches!(refused, Err(StoreError::DatabaseInUse { .. })),
        "{refused:?}"
    );
    assert_eq!(store.counts().await?, changed, "untouched");
    store.close().await;

    // Refused without force.
    let refused = restore_sqlite(&out, &url, false).await;
    assert!(
        matches!(refused, Err(StoreError::RestoreTargetExists { .. })),
        "{refused:?}"
    );

    let report = restore_sqlite(&out, &url, true).await?;
    assert_eq!(report.moved_aside.len(), 1, "{:?}", report.moved_aside);
    let aside = &report.moved_aside[0];
    let name = aside
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(name.starts_with("live.db.before-restore-"), "{name}");
    // The old database, whole, is kept aside.
    assert_eq!(inspect_sqlite(aside).await?.counts, changed);
    // The restored one is the backup.
    let restored = SqlStore::open(&url).await?;
    assert_eq!(restored.counts().await?, report.from.counts);
    assert_ne!(report.from.counts, changed);
    restored.close().await;

    // A second forced restore keeps both old databases.
    let again = restore_sqlite(&out, &url, true).await?;
    assert_eq!(again.moved_aside.len(), 1);
    assert_ne!(&again.moved_aside[0], aside);
    assert!(aside.exists() && again.moved_aside[0].exists());
    Ok(())
}

/// A SQLite file at the schema of the first `prefix` migrations, plus
/// `extra` migrations, with one account.
async fn old_database(path: &Path, prefix: usize, extra: Vec<Migration>) -> TestResult {
    sqlx::any::install_default_drivers();
    let url = DatabaseUrl::sqlite_file(path);
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url.connect_url())
        .await?;
    let mut migrations: Vec<Migration> = MIGRATOR.iter().take(prefix).cloned().collect();
    migrations.extend(extra);
    Migrator::with_migrations(migrations).run(&pool).await?;
    sqlx::query("INSERT INTO accounts (account_id, custom) VALUES ('A-old', '{}')")
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}

#[tokio::test]
async fn an_older_backup_is_migrated_when_restored() -> TestResult {
    let dir = tempfile::tempdir()?;
    let old = dir.path().join("old.db");
    old_database(&old, 1, Vec::new()).await?;
    let checked = inspect_sqlite(&old).await?;
    assert_eq!(checked.schema.version, known_migrations().first().copied());
    assert_eq!(checked.schema.pending, known_migrations().len() - 1);

    let target = DatabaseUrl::sqlite_file(dir.path().join("restored.db"));
    let report = restore_sqlite(&old, &target, false).await?;
    assert_eq!(report.migrated, known_migrations().len() - 1);
    assert_eq!(report.schema_version, Some(binary_schema_version()));
    assert_eq!(report.counts.accounts, 1);
    Ok(())
}

#[tokio::test]
async fn a_backup_of_a_newer_schema_is_not_restored() -> TestResult {
    let dir = tempfile::tempdir()?;
    let newer = dir.path().join("newer.db");
    let future = Migration::new(
        29991231000000,
        Cow::Borrowed("a schema from the future"),
        MigrationType::Simple,
        "CREATE TABLE from_the_future (x BIGINT)".into_sql_str(),
        false,
    );
    old_database(&newer, known_migrations().len(), vec![future]).await?;
    let target = dir.path().join("restored.db");
    let refused = restore_sqlite(&newer, &DatabaseUrl::sqlite_file(&target), false).await;
    let message = refused
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        matches!(
            &refused,
            Err(StoreError::SchemaNewer { database_version: 29991231000000, binary_version, .. })
                if *binary_version == binary_schema_version()
        ),
        "{message}"
    );
    assert!(!target.exists());
    assert_eq!(names(dir.path())?, ["newer.db"]);
    Ok(())
}

#[tokio::test]
async fn what_is_not_a_sound_leadscore_database_is_not_restored() -> TestResult {
    let dir = tempfile::tempdir()?;
    let target = DatabaseUrl::sqlite_file(dir.path().join("restored.db"));

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database, but long enough to be read as a header. ".repeat(20),
    )?;
    let refused = restore_sqlite(&text, &target, false).await;
    assert!(
        matches!(refused, Err(StoreError::NotLeadscoreDatabase { .. })),
        "{refused:?}"
    );

    // A SQLite database, but not leadscore's.
    let other = dir.path().join("other.db");
    {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&DatabaseUrl::sqlite_file(&other).connect_url())
            .await?;
        sqlx::query("CREATE TABLE t (x BIGINT)")
            .execute(&pool)
            .await?;
        pool.close().await;
    }
    let refused = restore_sqlite(&other, &target, false).await;
    assert!(
        matches!(refused, Err(StoreError::NotLeadscoreDatabase { .. })),
        "{refused:?}"
    );

    // A leadscore backup with a damaged page.
    let (url, store) = store_with_sample(dir.path(), "live.db").await?;
    for k in 0..50 {
        store.import(&batch(k, 20)?, &|_| {}).await?;
    }
    store.close().await;
    let good = dir.path().join("good.db");
    backup_sqlite(&url, &good).await?;
    let damaged = dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&good)?;
    let page = 4096;
    let len = bytes.len();
    assert!(len > 8 * page, "{len}");
    // Overwrite the header of a page past the schema's.
    for b in &mut bytes[len - 3 * page..len - 3 * page + 64] {
        *b = 0x5a;
    }
    std::fs::write(&damaged, &bytes)?;
    let refused = restore_sqlite(&damaged, &target, false).await;
    assert!(
        matches!(
            &refused,
            Err(StoreError::IntegrityCheck { .. } | StoreError::NotLeadscoreDatabase { .. })
        ),
        "{refused:?}"
    );
    assert!(!dir.path().join("restored.db").exists());
    Ok(())
}
