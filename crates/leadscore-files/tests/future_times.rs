//! Record times in the future (issue 19): a lead's `created_at` or
//! `closed_at`, or an interaction's `occurred_at`, more than the tolerance
//! after now is a bad value, named by file, line and column, by the folder
//! reader, the streaming reader and the lead-row reader alike.

mod support;

use leadscore_domain::{ExternalIds, FutureLimit, FutureTolerance, Timestamp};
use leadscore_files::{
    LeadRowOptions, LeadSelection, ReadOptions, StreamOptions, read_folder, read_folder_with_limit,
    read_lead_rows, stream_folder,
};

use support::{Collect, TestResult, folder};

const CONTACTS: &str = "contact_id\nC1\n";
const LEADS: &str =
    "lead_id,created_at,contact_id,status,closed_at\nL1,2026-01-02,C1,qualified,2026-02-01\n";

/// Now, for these tests: 2026-12-02T18:00:00Z.
fn now() -> Result<Timestamp, Box<dyn std::error::Error>> {
    Ok(Timestamp::parse("2026-12-02T18:00:00Z")?)
}

fn interactions(occurred_at: &str) -> String {
    format!(
        "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,2026-01-03,C1\nI2,EmailClicked,{occurred_at},C1\n"
    )
}

const MESSAGE: &str = "interactions.csv line 3, column occurred_at: 2031-01-01T00:00:00Z is 1,490 days in the future (more than the tolerance of 1 day; set records.future_tolerance_days to allow it)";

#[test]
fn a_future_interaction_is_refused_at_its_place() -> TestResult {
    let body = interactions("2031-01-01T00:00:00Z");
    let dir = folder(&[
        ("contacts.csv", CONTACTS),
        ("leads.csv", LEADS),
        ("interactions.csv", &body),
    ])?;
    let limit = FutureLimit::at(now()?, FutureTolerance::default());
    let options = ReadOptions::default();
    let Err(e) = read_folder_with_limit(dir.path(), &options, &limit) else {
        return Err("a future interaction was read".into());
    };
    let first = e.to_string();
    let first = first.lines().next().unwrap_or_default().to_owned();
    let expected = format!("{}/{MESSAGE}", dir.path().display());
    assert_eq!(first, expected);

    // The streaming reader says the same.
    let mut sink = Collect::default();
    let stream = StreamOptions {
        future: limit,
        ..StreamOptions::default()
    };
    let Err(e) = stream_folder(dir.path(), &mut sink, &stream) else {
        return Err("a future interaction was streamed".into());
    };
    assert_eq!(e.to_string().lines().next(), Some(expected.as_str()));

    // The wall clock by default: 2031 is years ahead of it, or soon will not be.
    if Timestamp::now() < Timestamp::parse("2030-12-30")? {
        assert!(read_folder(dir.path(), &options).is_err());
    }
    Ok(())
}

#[test]
fn lead_times_are_checked_too() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", CONTACTS),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,status,closed_at\nL1,2026-01-02,C1,qualified,2026-12-05\nL2,2026-12-04,C1,,\n",
        ),
    ])?;
    let limit = FutureLimit::at(now()?, FutureTolerance::default());
    let options = ReadOptions {
        skip_bad_rows: true,
        ..ReadOptions::default()
    };
    let loaded =
        read_folder_with_limit(dir.path(), &options, &limit)?.resolve(&ExternalIds::default())?;
    let skipped: Vec<String> = loaded
        .skipped
        .iter()
        .map(|p| {
            format!(
                "{} {}: {}",
                p.location.line.unwrap_or(0),
                p.location.column.as_deref().unwrap_or(""),
                p.message
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            "2 closed_at: 2026-12-05T00:00:00Z is 2 days in the future (more than the tolerance of 1 day; set records.future_tolerance_days to allow it)",
            "3 created_at: 2026-12-04T00:00:00Z is 1 day in the future (more than the tolerance of 1 day; set records.future_tolerance_days to allow it)",
        ]
    );
    Ok(())
}

#[test]
fn a_time_within_the_tolerance_passes_and_the_tolerance_is_a_setting() -> TestResult {
    let within = interactions("2026-12-03T17:59:59Z");
    let dir = folder(&[
        ("contacts.csv", CONTACTS),
        ("leads.csv", LEADS),
        ("interactions.csv", &within),
    ])?;
    let limit = FutureLimit::at(now()?, FutureTolerance::default());
    let loaded = read_folder_with_limit(dir.path(), &ReadOptions::default(), &limit)?
        .resolve(&ExternalIds::default())?;
    assert_eq!(loaded.dataset.interactions.len(), 2);

    let far = interactions("2031-01-01T00:00:00Z");
    let dir = folder(&[
        ("contacts.csv", CONTACTS),
        ("leads.csv", LEADS),
        ("interactions.csv", &far),
    ])?;
    let wide = FutureLimit::at(now()?, FutureTolerance::days(1_500));
    let loaded = read_folder_with_limit(dir.path(), &ReadOptions::default(), &wide)?
        .resolve(&ExternalIds::default())?;
    assert_eq!(loaded.dataset.interactions.len(), 2);
    let narrow = FutureLimit::at(now()?, FutureTolerance::days(1_489));
    let Err(e) = read_folder_with_limit(dir.path(), &ReadOptions::default(), &narrow) else {
        return Err("1,490 days ahead passed a tolerance of 1,489 days".into());
    };
    assert!(
        e.to_string()
            .contains("is 1,490 days in the future (more than the tolerance of 1,489 days;"),
        "{e}"
    );
    Ok(())
}

#[test]
fn the_lead_row_reader_checks_as_of_the_later_of_now_and_its_time() -> TestResult {
    // Data of the year 9000, read as of then, passes; read as of now, not.
    let dir = folder(&[
        ("contacts.csv", CONTACTS),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,status,closed_at\nL1,8999-12-01,C1,qualified,8999-12-20\nL2,8999-12-02,C1,disqualified,8999-12-21\n",
        ),
    ])?;
    let at = Timestamp::parse("9000-01-01")?;
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: Some(at),
        ..LeadRowOptions::default()
    };
    assert_eq!(read_lead_rows(dir.path(), &options)?.lead_ids.len(), 2);
    let closed = LeadRowOptions {
        select: LeadSelection::Closed,
        ..LeadRowOptions::default()
    };
    let Err(e) = read_lead_rows(dir.path(), &closed) else {
        return Err("leads of the year 8999 were read as of now".into());
    };
    assert!(
        e.to_string()
            .contains("leads.csv line 2, column created_at: 8999-12-01T00:00:00Z is "),
        "{e}"
    );
    Ok(())
}
