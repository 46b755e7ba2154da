//! Whole runs: determinism, progress, staging, errors.

use std::fs;
use std::sync::Mutex;

use super::{TestResult, as_of, run};
use crate::write::FILES;
use crate::{GenerateError, GeneratorConfig, Progress, generate};

#[test]
fn same_seed_same_bytes_whatever_the_threads() -> TestResult {
    let (a, sa) = run(1_500, 7, 1)?;
    let (b, sb) = run(1_500, 7, 3)?;
    let (c, _) = run(1_500, 8, 2)?;
    assert_eq!(sa, sb);
    for (name, _) in FILES {
        let x = fs::read(a.path().join(name))?;
        let y = fs::read(b.path().join(name))?;
        let z = fs::read(c.path().join(name))?;
        assert!(x == y, "{name} differs between runs of one seed");
        assert!(x != z, "{name} is the same for two seeds");
    }
    Ok(())
}

#[test]
fn progress_is_reported_per_chunk_up_to_the_total() -> TestResult {
    let dir = tempfile::tempdir()?;
    let config = GeneratorConfig::new(1_000, 1, as_of()?)?.with_threads(2);
    let seen = Mutex::new(Vec::<Progress>::new());
    generate(&config, dir.path(), &|p| {
        if let Ok(mut seen) = seen.lock() {
            seen.push(p);
        }
    })?;
    let seen = seen.into_inner()?;
    assert_eq!(seen.len() as u64, config.plan().chunks);
    assert!(seen.len() > 1);
    assert!(seen.windows(2).all(|w| w[0].leads_done < w[1].leads_done));
    assert_eq!(
        seen.last(),
        Some(&Progress {
            leads_done: 1_000,
            leads_total: 1_000
        })
    );
    Ok(())
}

#[test]
fn summary_counts_the_rows_and_bytes() -> TestResult {
    let (dir, summary) = run(300, 3, 0)?;
    let lines = |name: &str| -> Result<u64, std::io::Error> {
        Ok(fs::read_to_string(dir.path().join(name))?.lines().count() as u64 - 1)
    };
    assert_eq!(summary.leads, 300);
    assert_eq!(summary.accounts, lines("accounts.csv")?);
    assert_eq!(summary.contacts, lines("contacts.csv")?);
    assert_eq!(summary.interactions, lines("interactions.csv")?);
    assert_eq!(summary.custom_records, lines("custom/Meeting.csv")?);
    let mut bytes = 0;
    for (name, _) in FILES {
        bytes += fs::metadata(dir.path().join(name))?.len();
    }
    assert_eq!(summary.bytes, bytes);
    Ok(())
}

#[test]
fn a_folder_holding_files_is_refused_and_left_as_it_was() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("new/nested");
    fs::create_dir_all(out.join("custom"))?;
    fs::write(out.join("leads.csv"), "stale")?;
    fs::write(out.join("notes.txt"), "keep me")?;
    let config = GeneratorConfig::new(120, 5, as_of()?)?;
    let err = generate(&config, &out, &|_| {});
    let Err(err) = err else {
        return Err("a folder holding files was written into".into());
    };
    assert_eq!(
        err.to_string(),
        format!(
            "cannot generate into {out:?}: the folder already holds 3 entries: custom, \
             leads.csv, notes.txt; generate never writes over files: choose a new or empty \
             folder"
        )
    );
    assert_eq!(fs::read_to_string(out.join("leads.csv"))?, "stale");
    assert_eq!(fs::read_to_string(out.join("notes.txt"))?, "keep me");
    let mut names: Vec<String> = fs::read_dir(&out)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    assert_eq!(names, ["custom", "leads.csv", "notes.txt"]);
    Ok(())
}

#[test]
fn a_long_listing_is_cut() -> TestResult {
    let dir = tempfile::tempdir()?;
    for i in 0..12 {
        fs::write(dir.path().join(format!("f{i:02}")), "x")?;
    }
    let config = GeneratorConfig::new(50, 1, as_of()?)?;
    let Err(err) = generate(&config, dir.path(), &|_| {}) else {
        return Err("a folder holding files was written into".into());
    };
    assert!(
        err.to_string().contains(
            "holds 12 entries: f00, f01, f02, f03, f04, f05, f06, f07, f08, f09 and 2 more;"
        ),
        "{err}"
    );
    Ok(())
}

#[test]
fn an_empty_existing_folder_is_used_and_no_staging_is_left() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("empty");
    fs::create_dir_all(&out)?;
    let config = GeneratorConfig::new(120, 5, as_of()?)?;
    generate(&config, &out, &|_| {})?;
    assert!(fs::read_to_string(out.join("leads.csv"))?.starts_with("lead_id,"));
    let mut names: Vec<String> = fs::read_dir(&out)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    assert_eq!(
        names,
        [
            "accounts.csv",
            "contacts.csv",
            "custom",
            "interactions.csv",
            "leads.csv"
        ]
    );
    Ok(())
}

#[test]
fn a_failed_run_leaves_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    // A file where the output folder should be: creating the folder fails.
    let blocked = dir.path().join("blocked");
    fs::write(&blocked, "a file")?;
    let config = GeneratorConfig::new(50, 1, as_of()?)?;
    let err = generate(&config, &blocked.join("out"), &|_| {});
    assert!(matches!(err, Err(GenerateError::Io { .. })), "{err:?}");

    // A folder named like one of the files is refused before anything is
    // written (the failed publish that would follow, and its cleanup, are
    // leadscore-fs's tests'), and no staging folder is left.
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("leads.csv/inside"))?;
    let err = generate(&config, &out, &|_| {});
    assert!(
        matches!(err, Err(GenerateError::FolderNotEmpty { total: 1, .. })),
        "{err:?}"
    );
    let hidden = fs::read_dir(&out)?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .count();
    assert_eq!(hidden, 0);
    assert!(!out.join("accounts.csv").exists());
    Ok(())
}
