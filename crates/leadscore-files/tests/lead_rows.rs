//! One feature row per lead: which leads, as of when, and every column.

mod support;

use std::collections::HashMap;
use std::path::Path;

use leadscore_domain::{ExternalIds, Timestamp};
use leadscore_features::ColumnValues;
use leadscore_files::{
    FilesError, Format, LeadRowOptions, LeadRows, LeadSelection, ReadOptions, newest_lead,
    read_folder, read_lead_rows, write_folder,
};

use support::{TestResult, folder, sample};

fn closed(dir: &Path) -> Result<LeadRows, FilesError> {
    read_lead_rows(dir, &LeadRowOptions::default())
}

fn scoring(dir: &Path, at: &str) -> Result<LeadRows, Box<dyn std::error::Error>> {
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: Some(Timestamp::parse(at)?),
        ..LeadRowOptions::default()
    };
    Ok(read_lead_rows(dir, &options)?)
}

/// A numeric column's values.
fn nums(rows: &LeadRows, name: &str) -> Result<Vec<Option<f64>>, String> {
    match rows.features.column(name).map(|c| &c.values) {
        Some(ColumnValues::Numeric(v)) => Ok(v.to_vec()),
        Some(ColumnValues::Categorical(_)) => Err(format!("{name} is categorical")),
        None => Err(format!("no column {name}")),
    }
}

/// A categorical column's values.
fn texts(rows: &LeadRows, name: &str) -> Result<Vec<Option<String>>, String> {
    match rows.features.column(name).map(|c| &c.values) {
        Some(ColumnValues::Categorical(v)) => Ok(v.to_vec()),
        Some(ColumnValues::Numeric(_)) => Err(format!("{name} is numeric")),
        None => Err(format!("no column {name}")),
    }
}

fn names(rows: &LeadRows) -> Vec<&str> {
    rows.features
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect()
}

fn some(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|v| Some(*v)).collect()
}

fn labels(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_owned)).collect()
}

const EDGE_LEADS: &str = "lead_id,created_at,contact_id,status,closed_at\n\
L1,2026-01-01,C1,qualified,2026-03-31T00:00:00Z\n\
L2,2026-01-01,C1,,\n";

const EDGE_INTERACTIONS: &str = "interaction_id,kind,occurred_at,contact_id,lead_id\n\
I1,WebsiteVisited,2026-03-31T00:00:00Z,C1,L1\n\
I2,WebsiteVisited,2026-04-02T00:00:00Z,C1,L1\n\
I3,WebsiteVisited,2026-03-24T00:00:00Z,C1,L2\n\
I4,WebsiteVisited,2026-03-23T23:59:59Z,C1,\n\
I5,WebsiteVisited,2026-03-01T00:00:00Z,C1,\n\
I6,WebsiteVisited,2025-12-31T00:00:00Z,C1,\n\
I7,WebsiteVisited,2025-03-31T00:00:00Z,C1,\n\
I8,WebsiteVisited,2025-03-30T23:59:59Z,C1,\n\
I9,EmailOpened,2026-03-30T23:59:59.999999Z,C1,\n";

#[test]
fn nothing_at_or_after_the_close_counts_and_window_edges_are_exact() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", "contact_id\nC1\n"),
        ("leads.csv", EDGE_LEADS),
        ("interactions.csv", EDGE_INTERACTIONS),
    ])?;
    let rows = closed(dir.path())?;
    assert_eq!(rows.lead_ids, ["L1"]);
    assert_eq!(rows.as_of, [Timestamp::parse("2026-03-31T00:00:00Z")?]);
    // I1 (at the close) and I2 (after it) never count; I3 counts although it
    // names another lead of the contact; each window includes its first instant.
    assert_eq!(nums(&rows, "WebsiteVisited.7d")?, some(&[1.0]));
    assert_eq!(nums(&rows, "WebsiteVisited.30d")?, some(&[3.0]));
    assert_eq!(nums(&rows, "WebsiteVisited.90d")?, some(&[4.0]));
    assert_eq!(nums(&rows, "WebsiteVisited.365d")?, some(&[5.0]));
    assert_eq!(nums(&rows, "WebsiteVisited.days_since_last")?, some(&[7.0]));
    assert_eq!(nums(&rows, "EmailOpened.7d")?, some(&[1.0]));
    let days = nums(&rows, "EmailOpened.days_since_last")?;
    assert_eq!(days, some(&[1.0 / 86_400_000_000.0]));
    Ok(())
}

#[test]
fn windows_and_days_since_last_follow_each_rows_time() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", "contact_id\nC1\n"),
        ("leads.csv", EDGE_LEADS),
        ("interactions.csv", EDGE_INTERACTIONS),
    ])?;
    // Scoring at 2026-04-10: L1 stays as of its close, L2 is as of the scoring time.
    let rows = scoring(dir.path(), "2026-04-10T00:00:00Z")?;
    assert_eq!(rows.lead_ids, ["L1", "L2"]);
    assert_eq!(rows.outcomes, [Some(true), None]);
    assert_eq!(nums(&rows, "WebsiteVisited.7d")?, some(&[1.0, 0.0]));
    // L2: I2 (8 days before) and I1 (10 days) are in its 30 days, with I3..I5.
    assert_eq!(nums(&rows, "WebsiteVisited.30d")?, some(&[3.0, 4.0]));
    assert_eq!(nums(&rows, "WebsiteVisited.90d")?, some(&[4.0, 5.0]));
    assert_eq!(nums(&rows, "WebsiteVisited.365d")?, some(&[5.0, 6.0]));
    assert_eq!(
        nums(&rows, "WebsiteVisited.days_since_last")?,
        some(&[7.0, 8.0])
    );
    // Standard kinds the folder lacks still get columns: zeros and missing.
    assert_eq!(nums(&rows, "EventAttended.365d")?, some(&[0.0, 0.0]));
    assert_eq!(
        nums(&rows, "EventAttended.days_since_last")?,
        vec![None, None]
    );
    Ok(())
}

#[test]
fn kinds_come_sorted_from_the_standard_the_folder_and_the_caller() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", "contact_id\nC1\n"),
        ("leads.csv", EDGE_LEADS),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\nI1,PricingPageViewed,2026-03-30,C1\n",
        ),
    ])?;
    let options = LeadRowOptions {
        kinds: vec!["WebinarAttended".to_owned()],
        ..LeadRowOptions::default()
    };
    let rows = read_lead_rows(dir.path(), &options)?;
    let behaviour: Vec<&str> = names(&rows)
        .into_iter()
        .filter(|n| n.ends_with(".7d"))
        .collect();
    assert_eq!(
        behaviour,
        [
            "EmailClicked.7d",
            "EmailOpened.7d",
            "EventAttended.7d",
            "EventRegistered.7d",
            "FormSubmitted.7d",
            "PricingPageViewed.7d",
            "WebinarAttended.7d",
            "WebsiteVisited.7d"
        ]
    );
    assert_eq!(nums(&rows, "PricingPageViewed.7d")?, some(&[1.0]));
    assert_eq!(nums(&rows, "WebinarAttended.30d")?, some(&[0.0]));
    let bad = LeadRowOptions {
        kinds: vec!["webinar attended".to_owned()],
        ..LeadRowOptions::default()
    };
    let err = read_lead_rows(dir.path(), &bad).err().ok_or("accepted")?;
    assert!(matches!(err, FilesError::BadKind { .. }), "{err}");
    Ok(())
}

#[test]
fn visitor_ids_attribute_interactions_and_the_greatest_contact_id_takes_a_shared_one() -> TestResult
{
    // The greatest contact id takes a shared visitor id, whichever the file
    // lists first (leadscore_domain::attribution).
    for contacts in [
        "contact_id,visitor_id\nC1,V1\nC2,V2\nC3,V2\n",
        "contact_id,visitor_id\nC3,V2\nC1,V1\nC2,V2\n",
    ] {
        shared_visitor(contacts)?;
    }
    Ok(())
}

fn shared_visitor(contacts: &str) -> TestResult {
    let dir = folder(&[
        ("contacts.csv", contacts),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,status,closed_at\n\
             L1,2026-01-01,C1,qualified,2026-03-31\n\
             L2,2026-01-01,C2,disqualified,2026-03-31\n\
             L3,2026-01-01,C3,qualified,2026-03-31\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id,visitor_id\n\
             I1,WebsiteVisited,2026-03-01,,V1\n\
             I2,WebsiteVisited,2026-03-02,,V2\n\
             I3,WebsiteVisited,2026-03-03,C2,V1\n\
             I4,WebsiteVisited,2026-03-04,,V9\n\
             I5,WebsiteVisited,2026-03-05,,\n\
             I6,WebsiteVisited,2026-03-06,, V2 \n",
        ),
    ])?;
    let rows = closed(dir.path())?;
    assert_eq!(rows.outcomes, [Some(true), Some(false), Some(true)]);
    // I1 by V1 is C1's; I3 names C2 (its visitor id does not matter); V2 is C3's
    // (the greatest contact id to list it): I2 and I6; I4 and I5 are nobody's.
    assert_eq!(nums(&rows, "WebsiteVisited.90d")?, some(&[1.0, 1.0, 2.0]));
    assert_eq!(
        nums(&rows, "WebsiteVisited.days_since_last")?,
        some(&[30.0, 28.0, 25.0])
    );
    Ok(())
}

const ACCOUNT_FILES: [(&str, &str); 4] = [
    (
        "accounts.csv",
        "account_id,name,industry,employees,annual_revenue,country,city,tier,seats\n\
         A1,\"Acme, Inc.\",Retail,120,5000000,France,Paris,Gold,10\n\
         A2,Globex,Energy,1200.0,,Spain,Madrid,Silver,\n",
    ),
    (
        "contacts.csv",
        "contact_id,account_id,first_name,last_name,email,job_title,city,country,visitor_id,language\n\
         C1,A1,Ann,Lee,ann@x.example,CTO,Paris,France,,French\n\
         C2,A1,Bo,Ek,bo@x.example,Analyst,Lyon,France,,French\n\
         C3,A2,Cy,Do,cy@y.example,CFO,Madrid,Spain,,Spanish\n",
    ),
    (
        "leads.csv",
        "lead_id,created_at,contact_id,account_id,topic,source,status,closed_at,disqualify_reason,budget\n\
         L1,2026-01-01,,A1,Demo,Web,qualified,2026-03-31,,10k\n\
         L2,2026-01-02,C1,A2,Trial,Event,disqualified,2026-03-31,No budget,50k\n\
         L3,2026-01-03,C3,,Demo,Web,qualified,2026-03-31,,\n\
         L4,2026-01-04,,,Other,Partner,disqualified,2026-03-31,Not a fit,10k\n",
    ),
    (
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id,lead_id\n\
         I1,EmailOpened,2026-03-01,C1,\n\
         I2,EmailOpened,2026-03-02,C1,L2\n\
         I3,EmailOpened,2026-03-03,C2,\n\
         I4,EmailOpened,2026-03-04,C2,\n\
         I5,EmailOpened,2026-03-05,C2,\n\
         I6,EmailOpened,2026-03-06,C3,L3\n",
    ),
];

#[test]
fn account_based_leads_count_every_contact_of_the_account() -> TestResult {
    let dir = folder(&ACCOUNT_FILES)?;
    let rows = closed(dir.path())?;
    assert_eq!(rows.lead_ids, ["L1", "L2", "L3", "L4"]);
    // L1 (account A1): C1's 2 and C2's 3; L2: C1's own; L3: C3's; L4: nobody's.
    assert_eq!(nums(&rows, "EmailOpened.30d")?, some(&[5.0, 2.0, 1.0, 0.0]));
    assert_eq!(
        nums(&rows, "EmailOpened.days_since_last")?,
        vec![Some(26.0), Some(29.0), Some(25.0), None]
    );
    assert_eq!(
        texts(&rows, "lead.kind")?,
        labels(&[
            Some("account"),
            Some("contact"),
            Some("contact"),
            Some("none")
        ])
    );
    Ok(())
}

#[test]
fn the_account_is_the_leads_own_else_its_contacts() -> TestResult {
    let dir = folder(&ACCOUNT_FILES)?;
    let rows = closed(dir.path())?;
    // L2 has contact C1 (of A1) but names A2 itself; L3 has only C3 (of A2).
    assert_eq!(
        texts(&rows, "account.industry")?,
        labels(&[Some("Retail"), Some("Energy"), Some("Energy"), None])
    );
    assert_eq!(
        nums(&rows, "account.employees")?,
        vec![Some(120.0), Some(1200.0), Some(1200.0), None]
    );
    assert_eq!(
        nums(&rows, "account.annual_revenue")?,
        vec![Some(5e6), None, None, None]
    );
    assert_eq!(
        nums(&rows, "account.contacts")?,
        vec![Some(2.0), Some(1.0), Some(1.0), None]
    );
    assert_eq!(
        texts(&rows, "contact.job_title")?,
        labels(&[None, Some("CTO"), Some("CFO"), None])
    );
    Ok(())
}

#[test]
fn custom_columns_appear_with_prefixes_and_ids_never_do() -> TestResult {
    let dir = folder(&ACCOUNT_FILES)?;
    let rows = closed(dir.path())?;
    let kinds: Vec<String> = names(&rows)
        .iter()
        .filter(|n| n.starts_with("EmailClicked."))
        .map(|n| (*n).to_owned())
        .collect();
    assert_eq!(kinds.len(), 5);
    let profile: Vec<&str> = names(&rows)
        .into_iter()
        .take_while(|n| !n.starts_with("EmailClicked."))
        .collect();
    assert_eq!(
        profile,
        [
            "source",
            "topic",
            "budget",
            "lead.kind",
            "contact.job_title",
            "contact.country",
            "contact.city",
            "contact.language",
            "account.industry",
            "account.employees",
            "account.annual_revenue",
            "account.country",
            "account.city",
            "account.seats",
            "account.tier",
            "account.contacts",
        ]
    );
    assert_eq!(
        texts(&rows, "budget")?,
        labels(&[Some("10k"), Some("50k"), None, Some("10k")])
    );
    assert_eq!(
        texts(&rows, "contact.language")?,
        labels(&[None, Some("French"), Some("Spanish"), None])
    );
    // Numbers by content, as the flat-file reader decides.
    assert_eq!(
        nums(&rows, "account.seats")?,
        vec![Some(10.0), None, None, None]
    );
    assert_eq!(
        texts(&rows, "account.tier")?,
        labels(&[Some("Gold"), Some("Silver"), Some("Silver"), None])
    );
    Ok(())
}

#[test]
fn exclusions_remove_known_columns_and_refuse_unknown_ones() -> TestResult {
    let dir = folder(&ACCOUNT_FILES)?;
    let options = LeadRowOptions {
        exclude: vec!["account.city".to_owned(), "topic".to_owned()],
        ..LeadRowOptions::default()
    };
    let rows = read_lead_rows(dir.path(), &options)?;
    assert!(rows.features.column("account.city").is_none());
    assert!(rows.features.column("topic").is_none());
    assert!(rows.features.column("account.country").is_some());
    assert_eq!(rows.excluded, ["account.city", "topic"]);
    let typo = LeadRowOptions {
        exclude: vec!["acount.city".to_owned()],
        ..LeadRowOptions::default()
    };
    let err = read_lead_rows(dir.path(), &typo).err().ok_or("accepted")?;
    let message = err.to_string();
    assert!(
        message.starts_with(
            "cannot exclude \"acount.city\": no such column; the columns are source, topic,"
        ),
        "{message}"
    );
    assert!(message.contains("account.city"), "{message}");
    Ok(())
}

#[test]
fn closed_leads_without_a_close_time_are_left_out_and_reported() -> TestResult {
    let dir = folder(&[(
        "leads.csv",
        "lead_id,created_at,status,closed_at\n\
         L1,2026-01-01,qualified,\n\
         L2,2026-01-01,Disqualified,\n\
         L3,2026-01-01,qualified,2026-02-01\n\
         L4,2026-01-01,,\n",
    )])?;
    let rows = closed(dir.path())?;
    assert_eq!(rows.lead_ids, ["L3"]);
    let left_out = &rows.quality.closed_without_closed_at;
    assert_eq!((left_out.qualified, left_out.disqualified), (1, 1));
    assert_eq!(left_out.examples, ["L1", "L2"]);
    let text = rows.quality.to_string();
    assert!(
        text.contains("2 closed leads have no closed_at and were left out"),
        "{text}"
    );
    // Scoring keeps them, as of the scoring time, with their outcome.
    let rows = scoring(dir.path(), "2026-06-01")?;
    assert_eq!(rows.lead_ids, ["L1", "L2", "L3", "L4"]);
    assert_eq!(rows.outcomes, [Some(true), Some(false), Some(true), None]);
    let at = Timestamp::parse("2026-06-01")?;
    assert_eq!(rows.as_of, [at, at, Timestamp::parse("2026-02-01")?, at]);
    assert_eq!(rows.quality.closed_without_closed_at.examples.len(), 0);
    Ok(())
}

#[test]
fn scoring_at_a_time_keeps_the_leads_that_existed_then() -> TestResult {
    let dir = folder(&[(
        "leads.csv",
        "lead_id,created_at,status,closed_at\n\
         L1,2026-01-01,,\n\
         L2,2026-05-01,,\n\
         L3,2026-01-01,disqualified,2026-02-01\n\
         L4,2026-01-01,qualified,2026-05-01\n\
         L5,2026-04-01T00:00:00Z,,\n",
    )])?;
    let rows = scoring(dir.path(), "2026-04-01")?;
    let at = Timestamp::parse("2026-04-01")?;
    assert_eq!(rows.lead_ids, ["L1", "L3", "L4", "L5"]);
    // L4 closed after the scoring time: it was open then.
    assert_eq!(rows.outcomes, [None, Some(false), None, None]);
    assert_eq!(rows.as_of, [at, Timestamp::parse("2026-02-01")?, at, at]);
    assert_eq!(rows.created_at[0], Timestamp::parse("2026-01-01")?);
    // For training, the same bound leaves out L4 (closed after it).
    let options = LeadRowOptions {
        at: Some(at),
        ..LeadRowOptions::default()
    };
    assert_eq!(read_lead_rows(dir.path(), &options)?.lead_ids, ["L3"]);
    assert_eq!(closed(dir.path())?.lead_ids, ["L3", "L4"]);
    let options = LeadRowOptions {
        select: LeadSelection::All,
        ..LeadRowOptions::default()
    };
    let err = read_lead_rows(dir.path(), &options)
        .err()
        .ok_or("accepted")?;
    assert!(matches!(err, FilesError::ScoringTimeRequired), "{err}");
    Ok(())
}

const MEETINGS: &str = "record_id,lead_id,kind,held_at,minutes\n\
M1,L1,Demo,2026-03-01T10:00:00Z,30\n\
M2,L1,Demo,2026-04-02,30\n\
M3,L1,Pricing,2026-03-31,45\n\
M4,L1,Pricing,,45\n\
M5,L2,Demo,2026-02-01,30\n";

const NOTES: &str = "record_id,lead_id,written,text\n\
N1,L1,2026-01-01,hello\n\
N2,L1,soon,again\n\
N3,L1,2026-05-01,late\n";

#[test]
fn a_custom_entity_with_a_time_column_counts_only_earlier_records() -> TestResult {
    let mut files = ACCOUNT_FILES.to_vec();
    files.push(("custom/Meeting.csv", MEETINGS));
    files.push(("custom/Note.csv", NOTES));
    let dir = folder(&files)?;
    let rows = closed(dir.path())?;
    // L1 closed 2026-03-31: M1 counts; M2 after, M3 at the close, M4 with no
    // time do not. Notes have no time column (`soon`): all three count.
    assert_eq!(nums(&rows, "Meeting.count")?, some(&[1.0, 1.0, 0.0, 0.0]));
    assert_eq!(nums(&rows, "Note.count")?, some(&[3.0, 0.0, 0.0, 0.0]));
    assert_eq!(rows.quality.entities_without_time, ["Note"]);
    let last = names(&rows).into_iter().rev().take(2).collect::<Vec<_>>();
    assert_eq!(last, ["Note.count", "Meeting.count"]);
    let text = rows.quality.to_string();
    assert!(
        text.contains("custom entity Note has no time column"),
        "{text}"
    );
    Ok(())
}

#[test]
fn duplicates_and_missing_reasons_are_reported() -> TestResult {
    let dir = folder(&[
        ("accounts.csv", "account_id\nA1\n"),
        ("contacts.csv", "contact_id,account_id\nC1,A1\nC2,A1\n"),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,account_id,topic,status,closed_at,disqualify_reason\n\
             L1,2026-01-01,C1,,Pricing,qualified,2026-02-01,\n\
             L2,2026-01-02,C1,,pricing ,disqualified,2026-02-01,\n\
             L3,2026-01-03,C2,,Pricing,disqualified,2026-02-01,No budget\n\
             L4,2026-01-04,,A1,Demo,,,\n\
             L5,2026-01-05,,A1,DEMO,,,\n\
             L6,2026-01-06,C2,A1,Demo,,,\n\
             L7,2026-01-07,,,x,,,\n\
             L8,2026-01-08,,,x,,,\n\
             L9,2026-01-09,C1,,,disqualified,2026-02-01,\n\
             L10,2026-01-10,C1,,,,,\n",
        ),
    ])?;
    let rows = closed(dir.path())?;
    let q = &rows.quality;
    assert_eq!(q.duplicate_leads.groups, 2);
    assert_eq!(
        q.duplicate_leads.examples,
        [vec!["L1", "L2"], vec!["L4", "L5"]]
    );
    assert_eq!(q.disqualified_without_reason.count, 2);
    assert_eq!(q.disqualified_without_reason.examples, ["L2", "L9"]);
    let text = q.to_string();
    assert!(
        text.contains("2 disqualified leads have no disqualify_reason: L2, L9"),
        "{text}"
    );
    assert!(text.contains("(L1, L2), (L4, L5)"), "{text}");
    let json = serde_json::to_value(q)?;
    assert_eq!(json["duplicate_leads"]["groups"], 2);
    Ok(())
}

#[test]
fn an_unknown_reference_is_an_error_naming_file_and_line() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", "contact_id\nC1\n"),
        (
            "leads.csv",
            "lead_id,created_at,contact_id\nL1,2026-01-01,C1\nL2,2026-01-01,C404\n",
        ),
    ])?;
    let err = closed(dir.path()).err().ok_or("accepted")?.to_string();
    assert!(
        err.ends_with("leads.csv line 3, column contact_id: contact \"C404\" does not exist"),
        "{err}"
    );
    let dir = folder(&[
        ("leads.csv", "lead_id,created_at\nL1,2026-01-01\n"),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,lead_id\nI1,EmailOpened,2026-01-02,L1\nI2,EmailOpened,2026-01-02,L9\n",
        ),
    ])?;
    let err = closed(dir.path()).err().ok_or("accepted")?.to_string();
    assert!(
        err.ends_with("interactions.csv line 3, column lead_id: lead \"L9\" does not exist"),
        "{err}"
    );
    let dir = folder(&[(
        "leads.csv",
        "lead_id,created_at,closed_at\nL1,2026-01-01,soon\n",
    )])?;
    let err = closed(dir.path()).err().ok_or("accepted")?.to_string();
    assert!(err.contains("leads.csv line 2, column closed_at"), "{err}");
    Ok(())
}

/// Writes a folder's records again in `format`, with `write_folder`.
fn copy(dir: &Path, format: Format) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let data = read_folder(dir, &ReadOptions::default())?.resolve(&ExternalIds::default())?;
    let out = tempfile::tempdir()?;
    let target = out.path().join("copy");
    write_folder(&data.dataset, &target, format)?;
    Ok(out)
}

fn assert_same(a: &LeadRows, b: &LeadRows) {
    assert_eq!(a.lead_ids, b.lead_ids);
    assert_eq!(a.features, b.features);
    assert_eq!(a.outcomes, b.outcomes);
    assert_eq!(a.as_of, b.as_of);
    assert_eq!(a.created_at, b.created_at);
    assert_eq!(a.quality, b.quality);
}

#[test]
fn a_parquet_copy_gives_identical_rows() -> TestResult {
    let mut files = ACCOUNT_FILES.to_vec();
    files.push(("custom/Meeting.csv", MEETINGS));
    files[1] = (
        "contacts.csv",
        "contact_id,account_id,job_title,visitor_id,language\n\
         C1,A1,CTO,V1,French\nC2,A1,Analyst,,French\nC3,A2,CFO,V2,Spanish\n",
    );
    files[3] = (
        "interactions.csv",
        "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id\n\
         I1,EmailOpened,2026-03-01T10:30:00+02:00,C1,,\n\
         I2,WebsiteVisited,2026-03-02,,,V1\n\
         I3,WebsiteVisited,2026-03-03T00:00:00.5Z,,,V2\n\
         I4,EmailOpened,2026-03-04,C2,,\n",
    );
    let dir = folder(&files)?;
    let parquet = copy(dir.path(), Format::Parquet)?;
    let parquet = parquet.path().join("copy");
    assert!(parquet.join("leads.parquet").is_file());
    let a = closed(dir.path())?;
    let b = closed(&parquet)?;
    assert_same(&a, &b);
    assert_eq!(nums(&a, "WebsiteVisited.30d")?, some(&[1.0, 1.0, 1.0, 0.0]));
    let a = scoring(dir.path(), "2026-03-03T12:00:00Z")?;
    let b = scoring(&parquet, "2026-03-03T12:00:00Z")?;
    assert_same(&a, &b);
    Ok(())
}

/// The contacts whose interactions are each lead's, computed the plain way.
struct Plain {
    /// Per contact id: (kind, occurred_at) of its interactions.
    by_contact: HashMap<String, Vec<(String, Timestamp)>>,
    /// Per account id: its contacts.
    account_contacts: HashMap<String, Vec<String>>,
}

impl Plain {
    fn new(data: &leadscore_domain::Dataset) -> Self {
        let mut visitors = HashMap::new();
        let mut account_contacts: HashMap<String, Vec<String>> = HashMap::new();
        for c in &data.contacts {
            if let Some(v) = &c.visitor_id {
                visitors.insert(v.to_string(), c.contact_id.to_string());
            }
            if let Some(a) = &c.account_id {
                account_contacts
                    .entry(a.to_string())
                    .or_default()
                    .push(c.contact_id.to_string());
            }
        }
        let mut by_contact: HashMap<String, Vec<(String, Timestamp)>> = HashMap::new();
        for i in &data.interactions {
            let owner = match (&i.contact_id, &i.visitor_id) {
                (Some(c), _) => Some(c.to_string()),
                (None, Some(v)) => visitors.get(v.as_str()).cloned(),
                (None, None) => None,
            };
            if let Some(owner) = owner {
                by_contact
                    .entry(owner)
                    .or_default()
                    .push((i.kind.to_string(), i.occurred_at));
            }
        }
        Self {
            by_contact,
            account_contacts,
        }
    }

    /// (count within `days`, days since the last) of `kind` for a lead.
    fn behaviour(
        &self,
        lead: &leadscore_domain::Lead,
        kind: &str,
        days: i64,
        as_of: Timestamp,
    ) -> (f64, Option<f64>) {
        let members: Vec<String> = match (&lead.contact_id, &lead.account_id) {
            (Some(c), _) => vec![c.to_string()],
            (None, Some(a)) => self
                .account_contacts
                .get(a.as_str())
                .cloned()
                .unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        let day = 86_400_000_000i64;
        let mut count = 0.0;
        let mut last: Option<i64> = None;
        for m in &members {
            for (k, t) in self
                .by_contact
                .get(m)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let age = as_of.as_micros() - t.as_micros();
                if k != kind || age <= 0 {
                    continue;
                }
                if age <= days * day {
                    count += 1.0;
                }
                last = Some(last.map_or(age, |l| l.min(age)));
            }
        }
        (count, last.map(|a| a as f64 / day as f64))
    }
}

#[test]
fn the_sample_gives_its_closed_leads_and_counts_match_a_plain_computation() -> TestResult {
    let rows = closed(&sample())?;
    let left_out = &rows.quality.closed_without_closed_at;
    assert_eq!(
        rows.lead_ids.len() as u64 + left_out.qualified + left_out.disqualified,
        4434
    );
    assert!(rows.outcomes.iter().all(Option::is_some));
    assert_eq!(rows.features.rows()?, rows.lead_ids.len());
    println!(
        "{} rows; columns: {}",
        rows.lead_ids.len(),
        names(&rows).join(", ")
    );
    print!("{}", rows.quality);

    let data = read_folder(&sample(), &ReadOptions::default())?.resolve(&ExternalIds::default())?;
    let data = data.dataset;
    let leads: HashMap<&str, &leadscore_domain::Lead> =
        data.leads.iter().map(|l| (l.lead_id.as_str(), l)).collect();
    let plain = Plain::new(&data);
    let visits = nums(&rows, "WebsiteVisited.30d")?;
    let clicks = nums(&rows, "EmailClicked.days_since_last")?;
    let meetings = nums(&rows, "Meeting.count")?;
    let mut checked = 0;
    for (i, id) in rows.lead_ids.iter().enumerate() {
        let lead = leads.get(id.as_str()).ok_or("unknown lead")?;
        let as_of = lead.closed_at.ok_or("no closed_at")?;
        assert_eq!(rows.as_of[i], as_of);
        assert_eq!(rows.outcomes[i], lead.status.outcome());
        let (n, _) = plain.behaviour(lead, "WebsiteVisited", 30, as_of);
        assert_eq!(visits[i], Some(n), "{id} WebsiteVisited.30d");
        let (_, last) = plain.behaviour(lead, "EmailClicked", 365, as_of);
        let close = match (clicks[i], last) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == b,
        };
        assert!(
            close,
            "{id} EmailClicked.days_since_last {:?} {last:?}",
            clicks[i]
        );
        let held = data.custom.values().flatten().filter(|m| {
            m.lead_id == lead.lead_id
                && m.fields
                    .get("held_at")
                    .and_then(|t| Timestamp::parse(t).ok())
                    .is_some_and(|t| t < as_of)
        });
        assert_eq!(meetings[i], Some(held.count() as f64), "{id} Meeting.count");
        checked += 1;
    }
    assert!(checked > 4000);
    let nonzero = visits.iter().filter(|v| v.is_some_and(|v| v > 0.0)).count();
    assert!(nonzero > 100, "{nonzero} leads with a visit in 30 days");
    Ok(())
}

#[test]
fn the_sample_and_its_parquet_copy_give_identical_rows() -> TestResult {
    let parquet = copy(&sample(), Format::Parquet)?;
    let a = scoring(&sample(), "2026-06-01")?;
    let b = scoring(&parquet.path().join("copy"), "2026-06-01")?;
    assert_same(&a, &b);
    assert!(a.outcomes.iter().any(Option::is_none));
    Ok(())
}

/// The newest lead is the newest of the rows `LeadSelection::All` keeps as
/// of the same time, found from the leads file alone.
#[test]
fn the_newest_lead_is_the_newest_row() -> TestResult {
    let now = Timestamp::now();
    let all = read_lead_rows(
        &sample(),
        &LeadRowOptions {
            select: LeadSelection::All,
            at: Some(now),
            ..LeadRowOptions::default()
        },
    )?;
    let newest = newest_lead(&sample(), &LeadRowOptions::default(), now, &mut |_| {})?;
    assert!(newest.is_some());
    assert_eq!(newest, all.created_at.iter().max().copied());
    // A lead created after the time asked is not kept, nor counted.
    let dir = folder(&[(
        "leads.csv",
        "lead_id,created_at\nL1,2026-01-01\nL2,2026-03-01\nL3,2026-02-01\n",
    )])?;
    let at = Timestamp::parse("2026-02-15")?;
    let newest = newest_lead(dir.path(), &LeadRowOptions::default(), at, &mut |_| {})?;
    assert_eq!(newest, Some(Timestamp::parse("2026-02-01")?));
    // A bad lead is refused as every read refuses it.
    let dir = folder(&[("leads.csv", "lead_id,created_at\nL1,yesterday\n")])?;
    let err = newest_lead(dir.path(), &LeadRowOptions::default(), at, &mut |_| {})
        .err()
        .ok_or("a bad leads file was read")?;
    assert!(err.to_string().contains("leads.csv"), "{err}");
    Ok(())
}
