//! Streaming DATA.md folders with bad records: the same errors, at the same
//! places (file, line, column), as `read_folder` + `resolve`.

mod support;

use leadscore_files::{FilesError, Format, write_folder};
use support::*;

#[test]
fn a_bad_timestamp_names_file_line_and_column() -> TestResult {
    let msg = stream_error(&with(
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-05,C1\nL2,05/01/2026,C1\n",
    ))?;
    assert!(
        msg.contains(
            "leads.csv line 3, column created_at: cannot read \"05/01/2026\" as a timestamp"
        ),
        "{msg}"
    );
    let msg = stream_error(&with(
        "interactions.csv",
        "interaction_id,kind,occurred_at\nI1,EmailOpened,2026-01-05\nI2,EmailOpened,yesterday\n",
    ))?;
    assert!(
        msg.contains("interactions.csv line 3, column occurred_at: cannot read \"yesterday\""),
        "{msg}"
    );
    Ok(())
}

#[test]
fn duplicate_ids_name_both_lines() -> TestResult {
    let msg = stream_error(&with(
        "contacts.csv",
        "contact_id,account_id\nC1,A1\nC2,A2\nC1,A2\n",
    ))?;
    assert!(
        msg.contains(
            "contacts.csv line 4, column contact_id: duplicate contact_id \"C1\" (first at line 2)"
        ),
        "{msg}"
    );
    let msg = stream_error(&with(
        "interactions.csv",
        "interaction_id,kind,occurred_at\nI1,EmailOpened,2026-01-05\nI2,EmailOpened,2026-01-05\n I1 ,EmailOpened,2026-01-06\n",
    ))?;
    assert!(
        msg.contains("interactions.csv line 4, column interaction_id: duplicate interaction_id \"I1\" (first at line 2)"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn a_duplicate_far_from_its_first_row_is_found_exactly() -> TestResult {
    use std::fmt::Write;
    let mut body = String::from("interaction_id,kind,occurred_at,url\n");
    for i in 0..5000 {
        // Row 3 has a bad kind: it was never accepted, so row 4 is the first I2.
        let (id, kind) = match i {
            2 | 3 => (
                "I2".to_owned(),
                if i == 2 { "emailopened" } else { "EmailOpened" },
            ),
            4321 => ("I2".to_owned(), "EmailOpened"),
            _ => (format!("I{}", i + 10), "EmailOpened"),
        };
        // A quoted line break: lines and rows differ from row 101 on.
        let url = if i == 100 { "\"a\nb\"" } else { "x" };
        writeln!(body, "{id},{kind},2026-01-05,{url}")?;
    }
    let body: &'static str = Box::leak(body.into_boxed_str());
    let dir = folder(&with("interactions.csv", body))?;
    match stream(dir.path(), false) {
        Err(FilesError::BadRows { problems, total }) => {
            assert_eq!(total, 2);
            assert_eq!(
                problems[0].to_string().split(": ").nth(1),
                Some("interaction kind \"emailopened\" has the wrong letter case")
            );
            let dup = problems[1].to_string();
            assert!(
                dup.ends_with("interactions.csv line 4324, column interaction_id: duplicate interaction_id \"I2\" (first at line 5)"),
                "{dup}"
            );
        }
        other => return Err(format!("expected BadRows, got {other:?}").into()),
    }
    Ok(())
}

#[test]
fn an_unknown_reference_names_file_line_and_column() -> TestResult {
    let msg = stream_error(&with(
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id\nI1,EmailOpened,2026-01-05,C1\nI2,EmailOpened,2026-01-05,C9\n",
    ))?;
    assert!(
        msg.contains("interactions.csv line 3, column contact_id: contact \"C9\" does not exist"),
        "{msg}"
    );
    let msg = stream_error(&with(
        "leads.csv",
        "lead_id,created_at,contact_id\nL1,2026-01-05,C1\nL2,2026-01-05,C9\n",
    ))?;
    assert!(
        msg.contains("leads.csv line 3, column contact_id: contact \"C9\" does not exist"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn a_missing_required_column_is_named() -> TestResult {
    let msg = stream_error(&with(
        "interactions.csv",
        "interaction_id,occurred_at\nI1,2026-01-05\n",
    ))?;
    assert!(
        msg.ends_with("interactions.csv line 1: missing required column kind"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn wrong_kind_casing_names_the_right_spelling() -> TestResult {
    let msg = stream_error(&with(
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id\nI1,emailClicked,2026-01-10,C1\n",
    ))?;
    assert!(msg.contains("interactions.csv line 2, column kind: interaction kind \"emailClicked\" has the wrong letter case: write EmailClicked"), "{msg}");
    Ok(())
}

#[test]
fn every_value_check_matches_read_folder() -> TestResult {
    let cases: &[(&str, &str)] = &[
        (
            "accounts.csv",
            "account_id,employees,annual_revenue\nA1,lots,\nA2,,-1\nA1,3,\n",
        ),
        ("accounts.csv", "account_id,name\n\"A1\",\"x\ny\"\n,\"z\"\n"),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,status\nL1,bad,C1,\nL2,2026-01-01,C1,won\n",
        ),
        (
            "leads.csv",
            "lead_id,created_at,closed_at\nL1,2026-01-05,2026-01-01\n",
        ),
        ("leads.csv", "lead_id,contact_id\nL1,C1\n"),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,lead_id\nI1,Email Opened,2026-01-10,L1\nI2,EmailOpened,2026-01-10,L1\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,lead_id\nI1,EmailOpened,2026-01-10,L1\nI2,EmailOpened,2026-01-10,L7\n",
        ),
        ("custom/Meeting.csv", "record_id,lead_id\nM1,L1\nM1,L2\n"),
        ("custom/Meeting.csv", "record_id,lead_id\nM1,L1\nM2,L5\n"),
        ("accounts.csv", "account_id,name,name\nA1,x,y\n"),
        ("accounts.csv", ""),
        (
            "contacts.csv",
            "contact_id,account_id\r\nC1,A1\r\nC2,A9\r\n",
        ),
    ];
    for (name, body) in cases {
        let msg = stream_error(&with(name, body))?;
        assert!(msg.contains(name), "{msg}");
    }
    Ok(())
}

#[test]
fn a_duplicate_in_parquet_names_the_first_row() -> TestResult {
    let dir = folder(&good_files())?;
    let mut data = load(dir.path(), false)?.dataset;
    let again = data.interactions[0].clone();
    data.interactions.push(again);
    let out = tempfile::tempdir()?;
    write_folder(&data, out.path(), Format::Parquet)?;
    let msg = stream(out.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("interactions.parquet row 4, column interaction_id: duplicate interaction_id \"I1\" (first at row 1)"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn every_problem_of_a_file_is_counted() -> TestResult {
    use std::fmt::Write;
    let mut body = String::from("lead_id,created_at\n");
    for i in 0..1500 {
        writeln!(body, "L{i},bad")?;
    }
    let body: &'static str = Box::leak(body.into_boxed_str());
    let dir = folder(&[("leads.csv", body)])?;
    match stream(dir.path(), false) {
        Err(FilesError::BadRows { problems, total }) => {
            assert_eq!((problems.len(), total), (1000, 1500));
            assert_eq!(problems[999].location.line, Some(1001));
        }
        other => return Err(format!("expected BadRows, got {other:?}").into()),
    }
    Ok(())
}

#[test]
fn a_duplicate_far_from_its_first_row_in_parquet_names_the_first_row() -> TestResult {
    let dir = folder(&good_files())?;
    let mut data = load(dir.path(), false)?.dataset;
    let template = data.interactions[0].clone();
    data.interactions.clear();
    for i in 0..20_000 {
        let mut x = template.clone();
        let id = if i == 19_000 { 17_000 } else { i };
        x.interaction_id = leadscore_domain::InteractionId::parse(format!("X{id}"))?;
        data.interactions.push(x);
    }
    let out = tempfile::tempdir()?;
    write_folder(&data, out.path(), Format::Parquet)?;
    let msg = stream(out.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        msg,
        format!(
            "{} row 19001, column interaction_id: duplicate interaction_id \"X17000\" (first at row 17001)",
            out.path().join("interactions.parquet").display()
        )
    );
    Ok(())
}
