//! Reading DATA.md folders: every bad-input case is reported at its place.

mod support;

use std::path::Path;

use leadscore_domain::ExternalIds;
use leadscore_files::{FilesError, Format, LoadedFolder, ReadOptions, read_folder, write_folder};

use support::{TestResult, folder};

const ACCOUNTS: &str = "account_id,name,industry,employees,annual_revenue,country,city,tier\n\
A1,\"Acme, Inc.\",Retail,1200,2500000.5,US,Chicago,gold\n\
A2,Globex,Software,,,DE,Berlin,\n";
const CONTACTS: &str = "contact_id,account_id,first_name,email,visitor_id,language\n\
C1,A1,Ana,ana@acme.test,V1,en\n\
C2,A2,Bo,bo@globex.test,,\n";
const LEADS: &str = "lead_id,created_at,contact_id,account_id,source,status,closed_at,budget\n\
L1,2026-01-05T10:00:00Z,C1,A1,Webinar,qualified,2026-02-01,high\n\
L2,2026-01-06,,A2,Web,,,\n\
L3,2026-01-07,,,Referral,disqualified,2026-03-01T00:00:00.5Z,\n";
const INTERACTIONS: &str = "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id,url\n\
I1,EmailClicked,2026-01-10T08:00:00Z,C1,L1,,\n\
I2,WebsiteVisited,2026-01-11T08:00:00Z,,,V1,https://x.test/pricing\n\
I3,TrialStarted,2026-01-12T08:00:00Z,C2,,,\n";

fn good_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("accounts.csv", ACCOUNTS),
        ("contacts.csv", CONTACTS),
        ("leads.csv", LEADS),
        ("interactions.csv", INTERACTIONS),
        (
            "custom/Meeting.csv",
            "record_id,lead_id,meeting_type\nM1,L1,Demo\n",
        ),
    ]
}

fn load(dir: &Path, skip: bool) -> Result<LoadedFolder, FilesError> {
    read_folder(
        dir,
        &ReadOptions {
            skip_bad_rows: skip,
            ..ReadOptions::default()
        },
    )?
    .resolve(&ExternalIds::default())
}

/// Replaces one file of the good folder, loads it, and returns the error text.
fn error_with(name: &str, body: &str) -> Result<String, Box<dyn std::error::Error>> {
    let mut files = good_files();
    files.retain(|(n, _)| *n != name);
    files.push((name, body));
    let dir = folder(&files)?;
    match load(dir.path(), false) {
        Ok(_) => Err(format!("{name} was accepted").into()),
        Err(e) => Ok(e.to_string()),
    }
}

#[test]
fn a_good_folder_loads_with_every_field() -> TestResult {
    let dir = folder(&good_files())?;
    let loaded = load(dir.path(), false)?;
    let ds = &loaded.dataset;
    assert_eq!(
        (
            ds.accounts.len(),
            ds.contacts.len(),
            ds.leads.len(),
            ds.interactions.len()
        ),
        (2, 2, 3, 3)
    );
    assert_eq!(ds.accounts[0].employees, Some(1200));
    assert_eq!(ds.accounts[0].annual_revenue, Some(2_500_000.5));
    assert_eq!(ds.accounts[0].custom.get("tier"), Some("gold"));
    assert_eq!(ds.accounts[1].custom.get("tier"), None);
    assert_eq!(
        ds.leads[2].closed_at.map(|t| t.to_string()).as_deref(),
        Some("2026-03-01T00:00:00.500Z")
    );
    assert_eq!(
        ds.interactions[1].properties.get("url"),
        Some("https://x.test/pricing")
    );
    assert_eq!(ds.custom.values().next().map(Vec::len), Some(1));
    assert!(loaded.skipped.is_empty());
    Ok(())
}

#[test]
fn csv_and_parquet_round_trip() -> TestResult {
    let dir = folder(&good_files())?;
    let original = load(dir.path(), false)?.dataset;
    for format in [Format::Csv, Format::Parquet] {
        let out = tempfile::tempdir()?;
        let target = out.path().join("copy");
        write_folder(&original, &target, format)?;
        let again = load(&target, false)?.dataset;
        assert_eq!(again, original, "{format:?}");
    }
    Ok(())
}

#[test]
fn writing_refuses_a_folder_that_holds_data() -> TestResult {
    let dir = folder(&good_files())?;
    let ds = load(dir.path(), false)?.dataset;
    let err = write_folder(&ds, dir.path(), Format::Csv)
        .err()
        .map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("already holds lead data")));
    Ok(())
}

#[test]
fn missing_required_column() -> TestResult {
    let msg = error_with("leads.csv", "lead_id,contact_id\nL1,C1\n")?;
    assert!(
        msg.ends_with("leads.csv line 1: missing required column created_at"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn unparsable_timestamp() -> TestResult {
    let msg = error_with(
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-05,C1\nL2,05/01/2026,C1\n",
    )?;
    assert!(
        msg.contains(
            "leads.csv line 3, column created_at: cannot read \"05/01/2026\" as a timestamp"
        ),
        "{msg}"
    );
    Ok(())
}

#[test]
fn unparsable_number() -> TestResult {
    let msg = error_with(
        "accounts.csv",
        "account_id,employees,annual_revenue\nA1,lots,\nA2,,1e3\n",
    )?;
    assert!(
        msg.contains("accounts.csv line 2, column employees: cannot read \"lots\" as an integer"),
        "{msg}"
    );
    let msg = error_with(
        "accounts.csv",
        "account_id,employees,annual_revenue\nA1,,\nA2,3,ten\n",
    )?;
    assert!(
        msg.contains("accounts.csv line 3, column annual_revenue: cannot read \"ten\" as a number"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn duplicate_id() -> TestResult {
    let msg = error_with(
        "contacts.csv",
        "contact_id,account_id\nC1,A1\nC2,A2\nC1,A2\n",
    )?;
    assert!(
        msg.contains(
            "contacts.csv line 4, column contact_id: duplicate contact_id \"C1\" (first at line 2)"
        ),
        "{msg}"
    );
    Ok(())
}

#[test]
fn dangling_reference() -> TestResult {
    let msg = error_with(
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-05,C1\nL2,2026-01-05,C9\n",
    )?;
    assert!(
        msg.contains("leads.csv line 3, column contact_id: contact \"C9\" does not exist"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn references_resolve_against_external_ids() -> TestResult {
    let dir = folder(&[(
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-05,C9\n",
    )])?;
    let parsed = read_folder(dir.path(), &ReadOptions::default())?;
    let wanted = parsed.unresolved_ids();
    assert!(wanted.contacts.contains("C9"));
    let loaded = parsed.resolve(&wanted)?;
    assert_eq!(loaded.dataset.leads.len(), 1);
    Ok(())
}

#[test]
fn wrong_kind_casing() -> TestResult {
    let msg = error_with(
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id\nI1,emailClicked,2026-01-10,C1\n",
    )?;
    assert!(msg.contains("interactions.csv line 2, column kind: interaction kind \"emailClicked\" has the wrong letter case: write EmailClicked"), "{msg}");
    Ok(())
}

#[test]
fn unknown_status() -> TestResult {
    let msg = error_with(
        "leads.csv",
        "lead_id,created_at,contact_id,status\nL1,2026-01-05,C1,won\n",
    )?;
    assert!(
        msg.contains("leads.csv line 2, column status: unknown lead status \"won\""),
        "{msg}"
    );
    Ok(())
}

#[test]
fn lines_count_quoted_line_breaks() -> TestResult {
    let msg = error_with(
        "accounts.csv",
        "account_id,name,employees\nA1,\"Acme\nHoldings\",10\nA2,Globex,x\n",
    )?;
    assert!(
        msg.contains("accounts.csv line 4, column employees"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn all_problems_are_reported_not_only_the_first() -> TestResult {
    let mut files = good_files();
    files.retain(|(n, _)| *n != "leads.csv");
    files.push((
        "leads.csv",
        "lead_id,created_at,contact_id,status\nL1,bad,C1,\nL2,2026-01-01,C1,won\n",
    ));
    let dir = folder(&files)?;
    match load(dir.path(), false) {
        Err(FilesError::BadRows { problems, total }) => {
            assert_eq!(total, 2);
            assert_eq!(problems[0].location.line, Some(2));
            assert_eq!(problems[1].location.line, Some(3));
            assert_eq!(problems[1].location.column.as_deref(), Some("status"));
        }
        other => return Err(format!("expected BadRows, got {other:?}").into()),
    }
    Ok(())
}

#[test]
fn skip_bad_rows_keeps_the_good_ones_and_reports_each_bad_one() -> TestResult {
    let mut files = good_files();
    files.retain(|(n, _)| *n != "contacts.csv");
    // C2's account is unknown, so C2 is skipped, and with it the interaction I3
    // that refers to C2.
    files.push((
        "contacts.csv",
        "contact_id,account_id,visitor_id\nC1,A1,V1\nC2,A404,\n",
    ));
    let dir = folder(&files)?;
    let loaded = load(dir.path(), true)?;
    assert_eq!(loaded.dataset.contacts.len(), 1);
    assert_eq!(loaded.dataset.interactions.len(), 2);
    let skipped: Vec<String> = loaded.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0]
            .contains("contacts.csv line 3, column account_id: account \"A404\" does not exist")
    );
    assert!(
        skipped[1]
            .contains("interactions.csv line 4, column contact_id: contact \"C2\" does not exist")
    );
    Ok(())
}

#[test]
fn unknown_and_ambiguous_files_are_errors() -> TestResult {
    let dir = folder(&[("lead.csv", "lead_id,created_at\n")])?;
    let msg = load(dir.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("lead.csv: not a DATA.md file name"), "{msg}");
    let dir = folder(&[
        ("leads.csv", "lead_id,created_at\n"),
        ("leads.parquet", "x"),
    ])?;
    let msg = load(dir.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("the same records twice"), "{msg}");
    Ok(())
}

#[test]
fn malformed_files_name_the_file() -> TestResult {
    let msg = error_with("accounts.csv", "account_id,name\nA1,x,y,z\n")?;
    assert!(msg.contains("accounts.csv"), "{msg}");
    let msg = error_with("leads.csv", "")?;
    assert!(
        msg.contains("leads.csv: cannot read the file: the file is empty"),
        "{msg}"
    );
    let msg = error_with("accounts.csv", "account_id,name,name\nA1,x,y\n")?;
    assert!(
        msg.contains("accounts.csv line 1, column 3: column name appears twice"),
        "{msg}"
    );
    let dir = folder(&[("leads.parquet", "not parquet at all")])?;
    let msg = load(dir.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("leads.parquet: cannot read the file"), "{msg}");
    Ok(())
}
