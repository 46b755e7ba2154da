//! End to end through the binary: generate → import → export round-trips on SQLite
//! and PostgreSQL, and every bad input leaves the store as it was.

mod common;

use common::{Backend, TestResult, leadscore, load, write_files};

#[test]
fn generate_import_export_round_trips_on_sqlite() -> TestResult {
    round_trip(Backend::sqlite()?)
}

#[test]
fn generate_import_export_round_trips_on_postgres() -> TestResult {
    match Backend::postgres()? {
        Some(backend) => round_trip(backend),
        None => Ok(()),
    }
}

fn round_trip(backend: Backend) -> TestResult {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    leadscore(&[
        "generate",
        "--out",
        path(&data),
        "--leads",
        "300",
        "--seed",
        "7",
    ])
    .success()?;
    let out =
        leadscore(&["import", path(&data), "--database", backend.url(), "--json"]).success()?;
    let summary: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(summary["imported"]["leads"], 300, "{summary}");

    // Importing the same folder again changes nothing.
    leadscore(&["import", path(&data), "--database", backend.url()]).success()?;

    for format in ["csv", "parquet"] {
        let exported = work.path().join(format!("export-{format}"));
        leadscore(&[
            "export",
            "--out",
            path(&exported),
            "--database",
            backend.url(),
            "--format",
            format,
        ])
        .success()?;
        assert_eq!(
            load(&exported)?,
            load(&data)?,
            "{format} export differs from the generated folder"
        );
    }
    Ok(())
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// Each bad input: the file to replace, its body, and what the message must say.
const BAD_INPUTS: &[(&str, &str, &str)] = &[
    (
        "leads.csv",
        "lead_id,contact_id\nL1,C1\n",
        "leads.csv line 1: missing required column created_at",
    ),
    (
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-02,C1\nL2,2026-01-02T25:00:00Z,C1\n",
        "leads.csv line 3, column created_at: cannot read \"2026-01-02T25:00:00Z\" as a timestamp",
    ),
    (
        "accounts.csv",
        "account_id,employees\nA1,12\nA2,twelve\n",
        "accounts.csv line 3, column employees: cannot read \"twelve\" as an integer",
    ),
    (
        "contacts.csv",
        "contact_id,account_id\nC1,A1\nC1,A2\n",
        "contacts.csv line 3, column contact_id: duplicate contact_id \"C1\" (first at line 2)",
    ),
    (
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-02,C1\nL9,2026-01-02,C404\n",
        "leads.csv line 3, column contact_id: contact \"C404\" does not exist",
    ),
    (
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,2026-01-03,C1\nI2,Emailclicked,2026-01-03,C1\n",
        "interactions.csv line 3, column kind: interaction kind \"Emailclicked\" has the wrong letter case: write EmailClicked",
    ),
    (
        "leads.csv",
        "lead_id,created_at,contact_id,status\nL1,2026-01-02,C1,converted\n",
        "leads.csv line 2, column status: unknown lead status \"converted\"",
    ),
    (
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,2026-01-03,C1\nI2,EmailClicked,9000-01-01T00:00:00Z,C1\n",
        "interactions.csv line 3, column occurred_at: 9000-01-01T00:00:00Z is ",
    ),
];

const GOOD: &[(&str, &str)] = &[
    (
        "accounts.csv",
        "account_id,name,employees\nA1,Acme,12\nA2,Globex,40\n",
    ),
    ("contacts.csv", "contact_id,account_id\nC1,A1\nC2,A2\n"),
    (
        "leads.csv",
        "lead_id,created_at,contact_id,status\nL1,2026-01-02,C1,\n",
    ),
    (
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,2026-01-03,C1\n",
    ),
];

/// Imports [`GOOD`] into `backend` (from `work/good`) and exports the store
/// to `work/before`; that folder, to compare with after a refused import.
fn store_good(
    work: &std::path::Path,
    backend: &Backend,
) -> Result<std::path::PathBuf, Box<dyn std::error::Error>> {
    let good = work.join("good");
    write_files(&good, GOOD)?;
    leadscore(&["import", path(&good), "--database", backend.url()]).success()?;
    let before = work.join("before");
    leadscore(&[
        "export",
        "--out",
        path(&before),
        "--database",
        backend.url(),
    ])
    .success()?;
    Ok(before)
}

fn bad_inputs_leave_the_store_unchanged(backend: Backend) -> TestResult {
    let work = tempfile::tempdir()?;
    let before = store_good(work.path(), &backend)?;

    for (i, (file, body, expected)) in BAD_INPUTS.iter().enumerate() {
        // A folder that would also change a good record, so that a half-done
        // import would show in the export.
        let bad = work.path().join(format!("bad-{i}"));
        let mut files: Vec<(&str, &str)> =
            GOOD.iter().filter(|(n, _)| n != file).copied().collect();
        files.push((file, body));
        if *file != "accounts.csv" {
            files.retain(|(n, _)| *n != "accounts.csv");
            files.push((
                "accounts.csv",
                "account_id,name,employees\nA1,Acme Renamed,13\nA2,Globex,40\n",
            ));
        }
        write_files(&bad, &files)?;
        let failure = leadscore(&["import", path(&bad), "--database", backend.url()]).failure()?;
        let first_line = failure.lines().next().unwrap_or_default();
        assert!(first_line.starts_with("error: "), "{failure}");
        assert!(
            first_line.contains(expected),
            "case {i}: expected {expected:?} in {first_line:?}"
        );

        let after = work.path().join(format!("after-{i}"));
        leadscore(&["export", "--out", path(&after), "--database", backend.url()]).success()?;
        assert_eq!(load(&after)?, load(&before)?, "case {i} changed the store");
    }
    Ok(())
}

#[test]
fn bad_inputs_leave_sqlite_unchanged() -> TestResult {
    bad_inputs_leave_the_store_unchanged(Backend::sqlite()?)
}

#[test]
fn bad_inputs_leave_postgres_unchanged() -> TestResult {
    match Backend::postgres()? {
        Some(backend) => bad_inputs_leave_the_store_unchanged(backend),
        None => Ok(()),
    }
}

#[test]
fn skip_bad_rows_imports_the_rest_and_reports_each_skipped_row() -> TestResult {
    let backend = Backend::sqlite()?;
    let work = tempfile::tempdir()?;
    let dir = work.path().join("mixed");
    write_files(
        &dir,
        &[
            ("accounts.csv", "account_id\nA1\n"),
            ("contacts.csv", "contact_id,account_id\nC1,A1\nC2,A9\n"),
            (
                "leads.csv",
                "lead_id,created_at,contact_id,status\nL1,2026-01-02,C1,\nL2,2026-01-02,C2,\nL3,never,C1,\n",
            ),
        ],
    )?;
    let out = leadscore(&[
        "import",
        path(&dir),
        "--database",
        backend.url(),
        "--skip-bad-rows",
        "--json",
    ])
    .success()?;
    let summary: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(summary["imported"]["leads"], 1, "{summary}");
    assert_eq!(summary["imported"]["contacts"], 1, "{summary}");
    let skipped = summary["skipped"].as_array().cloned().unwrap_or_default();
    let where_: Vec<(String, u64, String)> = skipped
        .iter()
        .map(|s| {
            (
                s["file"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                s["line"].as_u64().unwrap_or_default(),
                s["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        where_,
        vec![
            ("leads.csv".to_owned(), 4, "created_at".to_owned()),
            ("contacts.csv".to_owned(), 3, "account_id".to_owned()),
            ("leads.csv".to_owned(), 3, "contact_id".to_owned()),
        ]
    );
    Ok(())
}

#[test]
fn references_may_point_at_records_already_stored() -> TestResult {
    let backend = Backend::sqlite()?;
    let work = tempfile::tempdir()?;
    let first = work.path().join("first");
    write_files(
        &first,
        &[
            ("accounts.csv", "account_id\nA1\n"),
            ("contacts.csv", "contact_id,account_id\nC1,A1\n"),
        ],
    )?;
    leadscore(&["import", path(&first), "--database", backend.url()]).success()?;
    let second = work.path().join("second");
    write_files(
        &second,
        &[(
            "leads.csv",
            "lead_id,created_at,contact_id\nL1,2026-01-02,C1\n",
        )],
    )?;
    leadscore(&["import", path(&second), "--database", backend.url()]).success()?;
    let third = work.path().join("third");
    write_files(
        &third,
        &[(
            "leads.csv",
            "lead_id,created_at,contact_id\nL2,2026-01-02,C2\n",
        )],
    )?;
    let failure = leadscore(&["import", path(&third), "--database", backend.url()]).failure()?;
    assert!(
        failure.contains("leads.csv line 2, column contact_id: contact \"C2\" does not exist"),
        "{failure}"
    );
    Ok(())
}

/// Issue 19: an interaction further in the future than the tolerance (a day
/// after the wall clock) is refused with its file, line and column, and
/// nothing is written; one within the tolerance is imported.
fn future_times(backend: Backend) -> TestResult {
    use leadscore_domain::Timestamp;
    let work = tempfile::tempdir()?;
    let before = store_good(work.path(), &backend)?;

    let far = "9000-01-01T00:00:00Z";
    let bad = work.path().join("bad");
    let body = format!(
        "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,2026-01-03,C1\nI2,EmailClicked,{far},C1\n"
    );
    write_files(&bad, &[("interactions.csv", &body)])?;
    let days = |now: Timestamp| -> Result<i64, Box<dyn std::error::Error>> {
        Ok((Timestamp::parse(far)?.as_micros() - now.as_micros()) / 86_400_000_000)
    };
    let early = days(Timestamp::now())?;
    let failure = leadscore(&["import", path(&bad), "--database", backend.url()]).failure()?;
    let late = days(Timestamp::now())?;
    let first_line = failure.lines().next().unwrap_or_default();
    let expected = |days: i64| {
        format!(
            "error: {}: {far} is {} days in the future (more than the tolerance of 1 day; set records.future_tolerance_days to allow it)",
            bad.join("interactions.csv line 3, column occurred_at")
                .display(),
            leadscore_domain::thousands(days.unsigned_abs())
        )
    };
    assert!(
        first_line == expected(early) || first_line == expected(late),
        "expected {:?}, got {first_line:?}",
        expected(early)
    );
    let after = work.path().join("after");
    leadscore(&["export", "--out", path(&after), "--database", backend.url()]).success()?;
    assert_eq!(
        load(&after)?,
        load(&before)?,
        "a refused import changed the store"
    );

    // Twelve hours ahead is within the tolerance.
    let soon = Timestamp::now().plus(std::time::Duration::from_secs(12 * 3600));
    let body = format!("interaction_id,kind,occurred_at,contact_id\nI3,EmailClicked,{soon},C1\n");
    let within = work.path().join("within");
    write_files(&within, &[("interactions.csv", &body)])?;
    let out = leadscore(&[
        "import",
        path(&within),
        "--database",
        backend.url(),
        "--json",
    ])
    .success()?;
    let summary: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(summary["imported"]["interactions"], 1, "{summary}");
    Ok(())
}

#[test]
fn future_times_are_refused_on_sqlite() -> TestResult {
    future_times(Backend::sqlite()?)
}

#[test]
fn future_times_are_refused_on_postgres() -> TestResult {
    match Backend::postgres()? {
        Some(backend) => future_times(backend),
        None => Ok(()),
    }
}

/// Runs `leadscore` with `LEADSCORE_RECORDS__FUTURE_TOLERANCE_DAYS` set to
/// `days`, or unset.
fn leadscore_with_tolerance(
    args: &[&str],
    days: Option<&str>,
) -> std::io::Result<std::process::Output> {
    const VAR: &str = "LEADSCORE_RECORDS__FUTURE_TOLERANCE_DAYS";
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leadscore"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove(VAR);
    if let Some(days) = days {
        command.env(VAR, days);
    }
    command.output()
}

/// The tolerance of `import` is the service's setting: a time 1,490 days
/// ahead is refused by default and by a settings file (`--config`) allowing
/// 10 days, and imported with `LEADSCORE_RECORDS__FUTURE_TOLERANCE_DAYS=3000`.
#[test]
fn the_future_tolerance_is_the_services_setting() -> TestResult {
    use leadscore_domain::Timestamp;
    let backend = Backend::sqlite()?;
    let work = tempfile::tempdir()?;
    let good = work.path().join("good");
    write_files(&good, GOOD)?;
    leadscore(&["import", path(&good), "--database", backend.url()]).success()?;

    let ahead = Timestamp::now().plus(std::time::Duration::from_secs(1_490 * 86_400));
    let far = work.path().join("far");
    let body = format!("interaction_id,kind,occurred_at,contact_id\nI9,EmailClicked,{ahead},C1\n");
    write_files(&far, &[("interactions.csv", &body)])?;
    let import = ["import", path(&far), "--database", backend.url(), "--json"];

    let refused = leadscore_with_tolerance(&import, None)?;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "imported by default: {stderr}");
    assert!(
        stderr.contains("days in the future (more than the tolerance of 1 day; set records.future_tolerance_days to allow it)"),
        "{stderr}"
    );

    let config = work.path().join("leadscore.toml");
    std::fs::write(&config, "[records]\nfuture_tolerance_days = 10\n")?;
    let mut with_file = import.to_vec();
    with_file.extend(["--config", path(&config)]);
    let refused = leadscore_with_tolerance(&with_file, None)?;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "imported with 10 days: {stderr}");
    assert!(stderr.contains("the tolerance of 10 days"), "{stderr}");

    let allowed = leadscore_with_tolerance(&import, Some("3000"))?;
    let stderr = String::from_utf8_lossy(&allowed.stderr);
    assert!(allowed.status.success(), "refused with 3000 days: {stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&allowed.stdout)?;
    assert_eq!(summary["imported"]["interactions"], 1, "{summary}");
    Ok(())
}
