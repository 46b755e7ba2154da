//! `leadscore keys` (expiry, rotation) and `leadscore config` from the
//! command line.

mod common;

use common::{Backend, TestResult, leadscore};
use serde_json::Value;

fn keys_expire_and_rotate(backend: &Backend) -> TestResult {
    let db = backend.url();
    let made: Value = serde_json::from_str(
        &leadscore(&[
            "keys",
            "create",
            "--role",
            "ingest",
            "--label",
            "sync",
            "--expires-in-days",
            "90",
            "--json",
            "--database",
            db,
        ])
        .success()?,
    )?;
    assert!(made["expires_at"].is_string(), "{made}");
    let old = made["key_id"].as_str().ok_or("no key_id")?.to_owned();

    for bad in ["0", "3651"] {
        let err = leadscore(&[
            "keys",
            "create",
            "--role",
            "read",
            "--expires-in-days",
            bad,
            "--database",
            db,
        ])
        .failure()?;
        assert!(
            err.contains("--expires-in-days") && err.contains(bad),
            "{err}"
        );
    }

    let rotated: Value = serde_json::from_str(
        &leadscore(&[
            "keys",
            "rotate",
            &old,
            "--overlap-hours",
            "2",
            "--json",
            "--database",
            db,
        ])
        .success()?,
    )?;
    assert_eq!(rotated["replaces"], old.as_str());
    assert_eq!(rotated["role"], "ingest");
    assert!(
        rotated["key"]
            .as_str()
            .is_some_and(|k| k.starts_with("lsk_"))
    );
    let err = leadscore(&[
        "keys",
        "rotate",
        &old,
        "--overlap-hours",
        "721",
        "--database",
        db,
    ])
    .failure()?;
    assert!(err.contains("--overlap-hours"), "{err}");

    let text = leadscore(&["keys", "list", "--database", db]).success()?;
    let new_line = text
        .lines()
        .find(|l| l.starts_with(rotated["key_id"].as_str().unwrap_or("?")))
        .ok_or(format!("the new key is not listed: {text}"))?;
    assert!(
        new_line.contains("active") && new_line.contains(&format!("replaces {old}")),
        "{new_line}"
    );
    assert!(new_line.contains("(sync)"), "{new_line}");
    let old_line = text
        .lines()
        .find(|l| l.starts_with(&old))
        .ok_or("old key")?;
    assert!(
        old_line.contains("active") && old_line.contains("expires"),
        "{old_line}"
    );

    // No overlap: the old key expires at once, and cannot be rotated again.
    let new = rotated["key_id"].as_str().ok_or("no key_id")?;
    leadscore(&[
        "keys",
        "rotate",
        new,
        "--overlap-hours",
        "0",
        "--database",
        db,
    ])
    .success()?;
    let listed: Value =
        serde_json::from_str(&leadscore(&["keys", "list", "--json", "--database", db]).success()?)?;
    let status = listed
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["key_id"] == new))
        .map(|k| k["status"].clone());
    assert_eq!(status, Some(Value::from("expired")), "{listed}");
    let err = leadscore(&["keys", "rotate", new, "--database", db]).failure()?;
    assert!(err.contains("no active API key"), "{err}");
    Ok(())
}

#[test]
fn keys_expire_and_rotate_on_sqlite() -> TestResult {
    keys_expire_and_rotate(&Backend::sqlite()?)
}

#[test]
fn keys_expire_and_rotate_on_postgres() -> TestResult {
    match Backend::postgres()? {
        Some(backend) => keys_expire_and_rotate(&backend),
        None => Ok(()),
    }
}

#[test]
fn config_reference_is_the_committed_one_and_check_names_mistakes() -> TestResult {
    let printed = leadscore(&["config", "reference"]).success()?;
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/CONFIG.md"))?;
    assert!(
        printed == committed,
        "docs/CONFIG.md differs from `leadscore config reference`"
    );

    let dir = tempfile::tempdir()?;
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "database = \"postgres://app:hunter2@db.internal/leads\"\n[limits]\nmax_batch = 50\n",
    )?;
    let shown: Value = serde_json::from_str(
        &leadscore(&["config", "check", "--config", good.to_str().ok_or("path")?]).success()?,
    )?;
    assert_eq!(shown["limits"]["max_batch"], 50);
    assert_eq!(shown["limits"]["requests_per_second_per_key"], 200);
    let database = shown["database"].as_str().ok_or("no database")?;
    assert!(
        !database.contains("hunter2"),
        "the password is shown: {database}"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[limits]\nmax_bacth = 50\n")?;
    let run = leadscore(&["config", "check", "--config", bad.to_str().ok_or("path")?]);
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr().contains("max_bacth"), "{}", run.stderr());
    Ok(())
}
