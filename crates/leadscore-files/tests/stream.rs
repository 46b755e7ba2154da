//! Streaming DATA.md folders: the same records as `read_folder` + `resolve`,
//! handed over one at a time, parents first.

mod support;

use std::collections::{BTreeMap, HashSet};

use leadscore_domain::RecordType;
use leadscore_files::{Format, StreamOptions, stream_folder, write_folder};
use support::*;

#[test]
fn the_sample_folder_streams_the_records_read_folder_gives() -> TestResult {
    let expected = load(&sample(), false)?.dataset;
    let (sink, summary) = stream(&sample(), false)?;
    assert_eq!(sink.order, "aclmi");
    assert_eq!(summary.records() as usize, expected.len());
    assert_eq!(summary.interactions as usize, expected.interactions.len());
    assert!(summary.skipped.is_empty());
    assert_eq!(sink.data.accounts, expected.accounts);
    assert_eq!(sink.data.contacts, expected.contacts);
    assert_eq!(sink.data.leads, expected.leads);
    assert_eq!(sink.data.custom, expected.custom);
    assert_eq!(sink.data.interactions, expected.interactions);
    assert!(
        expected
            .interactions
            .iter()
            .any(|i| !i.properties.is_empty())
    );
    Ok(())
}

#[test]
fn parquet_and_mixed_folders_stream_the_same_records_as_csv() -> TestResult {
    let expected = load(&sample(), false)?.dataset;
    let out = tempfile::tempdir()?;
    let parquet = out.path().join("parquet");
    write_folder(&expected, &parquet, Format::Parquet)?;
    let (sink, summary) = stream(&parquet, false)?;
    assert_eq!(summary.records() as usize, expected.len());
    assert_eq!(sink.data, expected);

    // Leads and interactions in CSV, the rest in Parquet.
    let mixed = out.path().join("mixed");
    write_folder(&expected, &mixed, Format::Parquet)?;
    for stem in ["leads", "interactions"] {
        std::fs::remove_file(mixed.join(format!("{stem}.parquet")))?;
        std::fs::copy(
            sample().join(format!("{stem}.csv")),
            mixed.join(format!("{stem}.csv")),
        )?;
    }
    let (sink, _) = stream(&mixed, false)?;
    assert_eq!(sink.data, expected);
    Ok(())
}

/// The reader tells the sink how far through the files it is, in bytes of
/// the files it reads (those of unwanted records left out): never going
/// back, and ending at the total, for CSV and Parquet alike.
#[test]
fn the_reader_tells_its_progress_through_the_files_it_reads() -> TestResult {
    let expected = load(&sample(), false)?.dataset;
    let out = tempfile::tempdir()?;
    let parquet = out.path().join("parquet");
    write_folder(&expected, &parquet, Format::Parquet)?;
    for (dir, unwanted) in [
        (sample(), vec![]),
        (sample(), vec![RecordType::Interaction]),
        (parquet, vec![]),
    ] {
        // The record files: the folder's and its custom entities'.
        let mut wanted_bytes = 0;
        for folder in [dir.clone(), dir.join("custom")] {
            for entry in std::fs::read_dir(&folder)? {
                let path = entry?.path();
                let data = path
                    .extension()
                    .is_some_and(|e| e == "csv" || e == "parquet");
                let interactions = path.file_stem().is_some_and(|s| s == "interactions");
                if data && (unwanted.is_empty() || !interactions) {
                    wanted_bytes += std::fs::metadata(&path)?.len();
                }
            }
        }
        let mut sink = Collect {
            unwanted,
            ..Collect::default()
        };
        stream_folder(&dir, &mut sink, &StreamOptions::default())?;
        let shown = &sink.progress;
        // More than one step a file: the bar moves inside the interactions.
        assert!(shown.len() > 8, "{dir:?}: {shown:?}");
        assert!(
            shown
                .iter()
                .all(|p| p.total == wanted_bytes && p.done <= p.total)
        );
        assert!(
            shown.windows(2).all(|w| w[0].done <= w[1].done),
            "{shown:?}"
        );
        assert_eq!(shown.last().map(|p| p.done), Some(wanted_bytes));
    }
    Ok(())
}

#[test]
fn only_wanted_non_empty_properties_are_passed() -> TestResult {
    let csv = folder(&good_files())?;
    let parquet = tempfile::tempdir()?;
    let data = load(csv.path(), false)?.dataset;
    write_folder(&data, &parquet.path().join("copy"), Format::Parquet)?;
    for dir in [csv.path().to_path_buf(), parquet.path().join("copy")] {
        let mut sink = Collect {
            wanted: Some(HashSet::from(["url"])),
            ..Collect::default()
        };
        stream_folder(&dir, &mut sink, &StreamOptions::default())?;
        let props: Vec<Vec<(String, String)>> = sink
            .data
            .interactions
            .iter()
            .map(|i| {
                i.properties
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .collect();
        assert_eq!(
            props,
            vec![
                vec![("url".to_owned(), "https://x.test".to_owned())],
                vec![("url".to_owned(), "https://x.test/pricing".to_owned())],
                vec![],
            ],
            "{}",
            dir.display()
        );
        let mut none = Collect {
            wanted: Some(HashSet::new()),
            ..Collect::default()
        };
        stream_folder(&dir, &mut none, &StreamOptions::default())?;
        assert_eq!(none.data.interactions.len(), 3);
        assert!(
            none.data
                .interactions
                .iter()
                .all(|i| i.properties.is_empty())
        );
    }
    Ok(())
}

#[test]
fn crlf_files_and_blank_lines_read_like_lf_files() -> TestResult {
    let dir = folder(&[
        (
            "accounts.csv",
            "account_id,name\r\nA1,\"Acme\r\nInc\"\r\n\r\nA2,Globex\r\n",
        ),
        (
            "leads.csv",
            "lead_id,created_at,account_id\n\nL1,2026-01-05,A1\n\nL2,2026-01-05,A2",
        ),
    ])?;
    let (sink, _) = stream(dir.path(), false)?;
    assert_eq!(sink.data.accounts.len(), 2);
    assert_eq!(sink.data.accounts[0].name.as_deref(), Some("Acme\r\nInc"));
    assert_eq!(sink.data.accounts[1].name.as_deref(), Some("Globex"));
    assert_eq!(sink.data.leads.len(), 2);
    // Lines count the blank lines and the quoted line break.
    let dir = folder(&[(
        "accounts.csv",
        "account_id,name,employees\r\nA1,\"Acme\r\nInc\",1\r\n\r\nA2,Globex,x\r\n",
    )])?;
    let msg = stream(dir.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("accounts.csv line 5, column employees"),
        "{msg}"
    );
    let dir = folder(&[("leads.csv", "lead_id,created_at\n\n\nL1,never")])?;
    let msg = stream(dir.path(), false)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(msg.contains("leads.csv line 4, column created_at"), "{msg}");
    Ok(())
}

#[test]
fn skipping_bad_rows_skips_what_refers_to_them() -> TestResult {
    // C2's account is unknown, so C2 is skipped, and with it I3, which refers to
    // C2; I1 is a duplicate and skipped too.
    let files = [
        ("accounts.csv", ACCOUNTS),
        (
            "contacts.csv",
            "contact_id,account_id,visitor_id\nC1,A1,V1\nC2,A404,\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\nI1,EmailOpened,2026-01-10,C1\nI3,EmailOpened,2026-01-10,C2\nI1,EmailOpened,2026-01-11,C1\n",
        ),
    ];
    let dir = folder(&files)?;
    let (sink, summary) = stream(dir.path(), true)?;
    assert_eq!((summary.contacts, summary.interactions), (1, 1));
    assert_eq!(sink.data.interactions.len(), 1);
    let skipped: Vec<String> = summary.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    // In read_folder's order: the bad values (the duplicate) first, then the
    // references, each in the order found.
    assert!(skipped[0].contains("interactions.csv line 4, column interaction_id: duplicate interaction_id \"I1\" (first at line 2)"));
    assert!(
        skipped[1]
            .contains("contacts.csv line 3, column account_id: account \"A404\" does not exist")
    );
    assert!(
        skipped[2]
            .contains("interactions.csv line 3, column contact_id: contact \"C2\" does not exist")
    );
    // read_folder skips the same records.
    let loaded = load(dir.path(), true)?;
    assert_eq!(loaded.dataset.interactions, sink.data.interactions);
    assert_eq!(loaded.skipped.len(), 3);
    Ok(())
}

#[test]
fn custom_files_come_before_interactions_in_name_order() -> TestResult {
    let mut files = good_files();
    files.push(("custom/Call.csv", "record_id,lead_id\nK1,L2\n"));
    let dir = folder(&files)?;
    let (sink, summary) = stream(dir.path(), false)?;
    assert_eq!(sink.order, "aclmi");
    let names: Vec<String> = summary.custom.keys().map(ToString::to_string).collect();
    assert_eq!(names, ["Call", "Meeting"]);
    let expected: BTreeMap<_, _> = load(dir.path(), false)?.dataset.custom;
    assert_eq!(sink.data.custom, expected);
    Ok(())
}

/// A record type the sink does not want is not read: its file's records
/// (bad ones included) are not handed over nor checked, its header is, and
/// the summary names the file.
#[test]
fn files_of_unwanted_records_have_only_their_header_read() -> TestResult {
    let dir = tempfile::tempdir()?;
    let files = [
        ("leads.csv", "lead_id,created_at\nL1,2026-03-01\n"),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,lead_id\nI1,WebsiteVisited,yesterday,L9\n",
        ),
    ];
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body)?;
    }
    let options = StreamOptions::default();
    let mut sink = Collect {
        unwanted: vec![RecordType::Interaction],
        ..Collect::default()
    };
    let summary = stream_folder(dir.path(), &mut sink, &options)?;
    assert_eq!((summary.leads, summary.interactions), (1, 0));
    assert_eq!(summary.not_read, vec![dir.path().join("interactions.csv")]);
    assert_eq!(sink.order, "l");

    // Wanted, the same file fails at its bad row.
    let err = stream_folder(dir.path(), &mut Collect::default(), &options)
        .err()
        .ok_or("a bad row passed")?;
    assert!(err.to_string().contains("occurred_at"), "{err}");

    // Unwanted, a header without a required column still fails.
    std::fs::write(
        dir.path().join("interactions.csv"),
        "interaction_id,occurred_at\nI1,2026-03-01\n",
    )?;
    let mut sink = Collect {
        unwanted: vec![RecordType::Interaction],
        ..Collect::default()
    };
    let err = stream_folder(dir.path(), &mut sink, &options)
        .err()
        .ok_or("a header without kind passed")?;
    assert!(err.to_string().contains("kind"), "{err}");
    Ok(())
}

#[test]
fn records_are_counted_or_estimated_from_the_first_rows() -> TestResult {
    let expected = load(&sample(), false)?.dataset;
    // Short files are counted: the sample's leads file holds 5,000 leads,
    // more than the rows an estimate reads, and its interactions file more.
    let leads = leadscore_files::estimate_records(&sample(), &RecordType::Lead)?;
    let interactions = leadscore_files::estimate_records(&sample(), &RecordType::Interaction)?;
    let off = |estimate: u64, count: usize| (estimate as f64 / count as f64 - 1.0).abs();
    assert!(off(leads, expected.leads.len()) < 0.02, "{leads} leads");
    assert!(
        off(interactions, expected.interactions.len()) < 0.02,
        "{interactions} interactions"
    );
    let small = folder(&good_files())?;
    let contacts = leadscore_files::estimate_records(small.path(), &RecordType::Contact)?;
    assert_eq!(
        contacts,
        load(small.path(), false)?.dataset.contacts.len() as u64
    );
    // Parquet files say how many rows they hold.
    let out = tempfile::tempdir()?;
    write_folder(&expected, out.path(), Format::Parquet)?;
    let leads = leadscore_files::estimate_records(out.path(), &RecordType::Lead)?;
    assert_eq!(leads, expected.leads.len() as u64);
    Ok(())
}
