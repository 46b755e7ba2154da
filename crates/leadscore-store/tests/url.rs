//! Parsing and redacting database locations.

use std::path::Path;

use leadscore_store::{Backend, DEFAULT_SQLITE_FILE, DatabaseUrl, StoreError};

#[test]
fn sqlite_locations() -> Result<(), StoreError> {
    for (text, path) in [
        ("sqlite://data/leads.db", "data/leads.db"),
        ("sqlite:data/leads.db", "data/leads.db"),
        ("sqlite:///var/lib/leadscore.db", "/var/lib/leadscore.db"),
        ("SQLite://x.db", "x.db"),
        ("leads.db", "leads.db"),
        ("/abs/path/leads.db", "/abs/path/leads.db"),
        ("  ./rel.db  ", "./rel.db"),
    ] {
        let url = DatabaseUrl::parse(text)?;
        assert_eq!(url.backend(), Backend::Sqlite, "{text}");
        assert_eq!(url.sqlite_path(), Some(Path::new(path)), "{text}");
    }
    assert_eq!(
        DatabaseUrl::default_sqlite().sqlite_path(),
        Some(Path::new(DEFAULT_SQLITE_FILE))
    );
    assert_eq!(
        DatabaseUrl::parse("sqlite://a/b.db")?.redacted(),
        "sqlite://a/b.db"
    );
    Ok(())
}

#[test]
fn postgres_locations() -> Result<(), StoreError> {
    for text in [
        "postgres://postgres@127.0.0.1:5432/postgres",
        "postgresql://user:secret@db.example.invalid/leads?sslmode=disable",
        "postgres://localhost",
    ] {
        let url = DatabaseUrl::parse(text)?;
        assert_eq!(url.backend(), Backend::Postgres, "{text}");
        assert_eq!(url.sqlite_path(), None);
    }
    Ok(())
}

#[test]
fn passwords_are_redacted_everywhere() -> Result<(), StoreError> {
    let url = DatabaseUrl::parse("postgres://scorer:hunter2@db:5432/leads")?;
    assert_eq!(url.redacted(), "postgres://scorer:***@db:5432/leads");
    assert_eq!(url.to_string(), url.redacted());
    assert!(!format!("{url:?}").contains("hunter2"));
    let url = DatabaseUrl::parse("postgres://scorer@db/leads?password=hunter2&sslmode=require")?;
    assert_eq!(
        url.redacted(),
        "postgres://scorer@db/leads?password=***&sslmode=require"
    );
    Ok(())
}

#[test]
fn bad_locations_are_rejected_with_a_reason() -> Result<(), String> {
    for (text, needle) in [
        ("", "empty"),
        ("   ", "empty"),
        ("sqlite://", "empty"),
        ("sqlite::memory:", "in-memory"),
        ("sqlite://x.db?mode=ro", "query parameters"),
        ("mysql://root@localhost/db", "unsupported scheme"),
        ("postgres:leads", "postgres://"),
        ("postgres://u:hunter2@db:notaport/x", ""),
    ] {
        match DatabaseUrl::parse(text) {
            Err(StoreError::BadUrl { url, reason }) => {
                assert!(reason.contains(needle), "{text}: {reason}");
                assert!(!url.contains("hunter2"), "{url}");
                assert!(!reason.contains("hunter2"), "{reason}");
            }
            other => return Err(format!("{text}: expected BadUrl, got {other:?}")),
        }
    }
    Ok(())
}
