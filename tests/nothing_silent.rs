//! Issue 19, "nothing wrong passes silently", from the command line:
//! `generate` refuses a folder that holds files, the commands that need an
//! existing store refuse a missing one (and do not create it), and `serve
//! --load-sample` on a store that holds leads says what it did instead.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{Server, TestResult, leadscore, serve_sample};

/// The repository: the shipped models.
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn text(path: &Path) -> Result<&str, Box<dyn std::error::Error>> {
    path.to_str().ok_or_else(|| "a non-UTF-8 path".into())
}

#[test]
fn generate_refuses_a_folder_holding_files_and_changes_nothing() -> TestResult {
    let work = tempfile::tempdir()?;
    let out = work.path().join("out");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("leads.csv"), "lead_id\nmine\n")?;
    std::fs::write(out.join("notes.txt"), "keep me")?;

    let run = leadscore(&["generate", "--out", text(&out)?, "--leads", "50"]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(
        run.stderr(),
        format!(
            "error: cannot generate into {out:?}: the folder already holds 2 entries: \
             leads.csv, notes.txt; generate never writes over files: choose a new or empty \
             folder\n"
        )
    );
    assert_eq!(
        std::fs::read_to_string(out.join("leads.csv"))?,
        "lead_id\nmine\n"
    );
    assert_eq!(std::fs::read_to_string(out.join("notes.txt"))?, "keep me");
    let mut names: Vec<String> = std::fs::read_dir(&out)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    assert_eq!(names, ["leads.csv", "notes.txt"]);
    Ok(())
}

#[test]
fn generate_uses_an_empty_existing_folder() -> TestResult {
    let work = tempfile::tempdir()?;
    let out = work.path().join("empty");
    std::fs::create_dir_all(&out)?;
    leadscore(&["generate", "--out", text(&out)?, "--leads", "50"]).success()?;
    assert!(std::fs::read_to_string(out.join("leads.csv"))?.starts_with("lead_id,"));
    Ok(())
}

/// The refusal of a missing store `path` by `leadscore {command}`.
fn no_store(command: &str, path: &Path) -> String {
    format!(
        "error: there is no leadscore database at {path:?}: `leadscore {command}` only uses \
         an existing one and does not create it; check --database (or DATABASE_URL), or \
         make the store with `leadscore import DIR --database {shown}` or \
         `leadscore serve --database {shown}`\n",
        shown = path.display()
    )
}

#[test]
fn commands_needing_a_store_refuse_a_missing_one_and_do_not_create_it() -> TestResult {
    let work = tempfile::tempdir()?;
    let db = work.path().join("typo.db");
    let database = text(&db)?;
    let export_out = work.path().join("exported");
    let backup_out = work.path().join("backup.db");
    let runs: [(&str, Vec<&str>); 8] = [
        ("keys list", vec!["keys", "list", "--database", database]),
        (
            "keys rotate",
            vec!["keys", "rotate", "lsk_x", "--database", database],
        ),
        (
            "keys revoke",
            vec!["keys", "revoke", "lsk_x", "--database", database],
        ),
        ("users list", vec!["users", "list", "--database", database]),
        (
            "users disable",
            vec!["users", "disable", "a@b.example", "--database", database],
        ),
        (
            "export",
            vec![
                "export",
                "--out",
                text(&export_out)?,
                "--database",
                database,
            ],
        ),
        ("retrain", vec!["retrain", "--database", database]),
        (
            "backup",
            vec![
                "backup",
                "--out",
                text(&backup_out)?,
                "--database",
                database,
            ],
        ),
    ];
    for (command, args) in runs {
        let run = leadscore(&args);
        assert_eq!(run.code(), Some(1), "{command}: {}", run.stderr());
        assert_eq!(run.stderr(), no_store(command, &db), "{command}");
        let left: Vec<_> = std::fs::read_dir(work.path())?.collect();
        assert!(left.is_empty(), "{command} left {left:?}");
    }

    // As a sqlite:// URL, and with --json: the same refusal.
    let url = format!("sqlite://{database}");
    let run = leadscore(&["keys", "list", "--json", "--database", &url]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stderr(), no_store("keys list", &db));
    assert!(!db.exists());

    // The commands that write still make the store.
    leadscore(&["keys", "create", "--role", "read", "--database", database]).success()?;
    assert!(db.is_file());
    let listed = leadscore(&["keys", "list", "--database", database]).success()?;
    assert!(listed.contains(" read active "), "{listed}");
    Ok(())
}

/// Kills the service when the test ends, however it ends.
/// Runs `serve --load-sample` on `database` until it serves; its stderr
/// lines up to then.
fn serve_with_sample(database: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut child = serve_sample(database, "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let _server = Server(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .map_err(|e| format!("the service did not start ({e}): {lines:#?}"))?;
        let serving = line.starts_with("leadscore is serving on ");
        lines.push(line);
        if serving {
            return Ok(lines);
        }
    }
}

#[test]
fn load_sample_on_a_store_holding_leads_says_so_and_puts_in_missing_models() -> TestResult {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let db = work.path().join("store.db");
    let database = text(&db)?;
    leadscore(&["generate", "--out", text(&data)?, "--leads", "30"]).success()?;
    leadscore(&["import", text(&data)?, "--database", database]).success()?;
    let rule_files = std::fs::read_dir(format!("{ROOT}/models/rules"))?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .count();
    let held = format!(
        "the store sqlite://{database} already holds 30 leads: the sample data was not loaded \
         (--load-sample loads it into an empty store only)"
    );

    // No models in the store: the shipped ones are put in.
    let lines = serve_with_sample(database)?;
    let expected = [
        held.clone(),
        format!(
            "the store held no rule models: loaded the {rule_files} shipped ones from {ROOT}/models/rules"
        ),
        format!(
            "the store had no live conversion model: registered and published the shipped one \
             {ROOT}/models/conversion/model.json as v1"
        ),
    ];
    assert_eq!(lines.get(..3), Some(&expected[..]), "{lines:#?}");
    assert!(
        !lines.iter().any(|l| l.starts_with("loaded ")),
        "{lines:#?}"
    );

    // Again: the store's models are kept, and it still holds its 30 leads.
    let lines = serve_with_sample(database)?;
    let expected = [
        held,
        format!("kept the store's {rule_files} rule models (the shipped ones were not loaded)"),
        "kept the store's live conversion model v1 (the shipped one was not registered)".to_owned(),
    ];
    assert_eq!(lines.get(..3), Some(&expected[..]), "{lines:#?}");
    Ok(())
}

/// `leadscore import` on `files` (in a new folder) into a new SQLite store,
/// with `config` as the settings file when given.
fn import(
    work: &Path,
    name: &str,
    files: &[(&str, &str)],
    config: Option<&Path>,
) -> Result<(common::Run, std::path::PathBuf), Box<dyn std::error::Error>> {
    let dir = work.join(name);
    common::write_files(&dir, files)?;
    let database = format!("sqlite://{}", work.join(format!("{name}.db")).display());
    let mut args = vec!["import", text(&dir)?, "--database", &database, "--json"];
    if let Some(config) = config {
        args.extend(["--config", text(config)?]);
    }
    Ok((leadscore(&args), dir))
}

/// Issue 19: a column whose name is close to a DATA.md column of its file
/// is refused by `leadscore import` with a did-you-mean naming the file,
/// line 1 and the column's position; declared in `records.custom_fields`
/// it is imported as a custom field.
#[test]
fn import_refuses_near_miss_columns_unless_declared() -> TestResult {
    let work = tempfile::tempdir()?;
    for (header, row, position, column, suggestion) in [
        (
            "lead_id,created_at,Lead Status",
            "L1,2026-01-02,Working",
            3,
            "Lead Status",
            "status",
        ),
        (
            "lead_id,created_at,lead_source",
            "L1,2026-01-02,Web",
            3,
            "lead_source",
            "source",
        ),
        (
            "lead_id,createdat",
            "L1,2026-01-02",
            2,
            "createdat",
            "created_at",
        ),
    ] {
        let body = format!("{header}\n{row}\n");
        let name = format!("bad{position}{suggestion}");
        let (run, dir) = import(work.path(), &name, &[("leads.csv", &body)], None)?;
        let stderr = run.failure()?;
        assert_eq!(
            stderr.lines().next().unwrap_or_default(),
            format!(
                "error: {}: \"{column}\" is not a DATA.md column of leads; did you mean {suggestion}? (declare it in records.custom_fields to keep it as a custom field)",
                dir.join(format!("leads.csv line 1, column {position}"))
                    .display()
            )
        );
    }
    let config = work.path().join("leadscore.toml");
    std::fs::write(&config, "[records]\ncustom_fields = [\"Lead Status\"]\n")?;
    let body = "lead_id,created_at,Lead Status\nL1,2026-01-02,Working\n";
    let (run, _) = import(
        work.path(),
        "declared",
        &[("leads.csv", body)],
        Some(&config),
    )?;
    let summary: serde_json::Value = serde_json::from_str(&run.success()?)?;
    assert_eq!(summary["imported"]["leads"], 1, "{summary}");
    Ok(())
}

/// Issue 19: an interaction kind close to a standard kind is refused by
/// `leadscore import` at its file, line and column; declared in
/// `records.custom_kinds` it is imported, as is a custom kind far from
/// every kind.
#[test]
fn import_refuses_near_miss_kinds_unless_declared() -> TestResult {
    let work = tempfile::tempdir()?;
    let body = "interaction_id,kind,occurred_at\nI1,WebinarWatched,2026-01-02\nI2,EmailClikced,2026-01-03\n";
    let files = [("interactions.csv", body)];
    let (run, dir) = import(work.path(), "typo", &files, None)?;
    let stderr = run.failure()?;
    assert_eq!(
        stderr.lines().next().unwrap_or_default(),
        format!(
            "error: {}: interaction kind \"EmailClikced\" is neither a standard nor a declared kind; did you mean EmailClicked? (declare it in records.custom_kinds to keep it as a custom kind)",
            dir.join("interactions.csv line 3, column kind").display()
        )
    );
    let config = work.path().join("kinds.toml");
    std::fs::write(&config, "[records]\ncustom_kinds = [\"EmailClikced\"]\n")?;
    let (run, _) = import(work.path(), "declared", &files, Some(&config))?;
    let summary: serde_json::Value = serde_json::from_str(&run.success()?)?;
    assert_eq!(summary["imported"]["interactions"], 2, "{summary}");
    Ok(())
}
