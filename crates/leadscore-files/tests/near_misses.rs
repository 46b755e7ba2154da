//! Near misses (issue 19): a column whose name is close to one of its file's
//! DATA.md columns, and an interaction kind close to a standard or declared
//! kind, are errors with a did-you-mean, on the folder reader, the streaming
//! reader and the lead-row reader alike, unless the caller declares them.

mod support;

use leadscore_domain::{Declared, ExternalIds, FutureLimit, FutureTolerance, Timestamp};
use leadscore_files::{
    FilesError, Format, LeadRowOptions, LeadSelection, ReadOptions, StreamOptions, read_folder,
    read_folder_with_limit, read_lead_rows, stream_folder, write_folder,
};

use support::{Collect, TestResult, folder};

const CONTACTS: &str = "contact_id\nC1\n";

fn limit() -> Result<FutureLimit, Box<dyn std::error::Error>> {
    Ok(FutureLimit::at(
        Timestamp::parse("2026-12-02T18:00:00Z")?,
        FutureTolerance::default(),
    ))
}

/// The first line of the error of reading `dir` with `read_folder`, of
/// streaming it, and of reading its lead rows, each with `declared`.
fn errors(dir: &std::path::Path, declared: &Declared) -> Result<[String; 3], String> {
    let first = |e: FilesError| e.to_string().lines().next().unwrap_or_default().to_owned();
    let options = ReadOptions {
        declared: declared.clone(),
        ..ReadOptions::default()
    };
    let limit = limit().map_err(|e| e.to_string())?;
    let read = match read_folder_with_limit(dir, &options, &limit) {
        Ok(_) => return Err("read_folder accepted it".to_owned()),
        Err(e) => first(e),
    };
    let stream = StreamOptions {
        future: limit,
        declared: declared.clone(),
        ..StreamOptions::default()
    };
    let streamed = match stream_folder(dir, &mut Collect::default(), &stream) {
        Ok(_) => return Err("stream_folder accepted it".to_owned()),
        Err(e) => first(e),
    };
    let rows = LeadRowOptions {
        select: LeadSelection::Closed,
        declared: declared.clone(),
        ..LeadRowOptions::default()
    };
    let rows = match read_lead_rows(dir, &rows) {
        Ok(_) => return Err("read_lead_rows accepted it".to_owned()),
        Err(e) => first(e),
    };
    Ok([read, streamed, rows])
}

#[test]
fn columns_close_to_a_standard_column_are_refused_by_every_reader() -> TestResult {
    for (header, position, column, suggestion) in [
        ("lead_id,created_at,Lead Status", 3, "Lead Status", "status"),
        ("lead_id,created_at,lead_source", 3, "lead_source", "source"),
        ("lead_id,createdat", 2, "createdat", "created_at"),
        ("lead_id,created_at,closedAt", 3, "closedAt", "closed_at"),
    ] {
        let extra = if header.ends_with("created_at") || header.ends_with("createdat") {
            ""
        } else {
            ","
        };
        let body = format!("{header}\nL1,2026-01-02{extra}\n");
        let dir = folder(&[("contacts.csv", CONTACTS), ("leads.csv", &body)])?;
        let expected = format!(
            "{}/leads.csv line 1, column {position}: \"{column}\" is not a DATA.md column of leads; did you mean {suggestion}? (declare it in records.custom_fields to keep it as a custom field)",
            dir.path().display()
        );
        for got in errors(dir.path(), &Declared::default())? {
            assert_eq!(got, expected);
        }
    }
    Ok(())
}

#[test]
fn near_misses_in_other_files_name_their_file() -> TestResult {
    let dir = folder(&[("contacts.csv", "contact_id,emial\nC1,a@b.test\n")])?;
    let Err(e) = read_folder(dir.path(), &ReadOptions::default()) else {
        return Err("emial was read".into());
    };
    assert_eq!(
        e.to_string(),
        format!(
            "{}/contacts.csv line 1, column 2: \"emial\" is not a DATA.md column of contacts; did you mean email? (declare it in records.custom_fields to keep it as a custom field)",
            dir.path().display()
        )
    );
    let dir = folder(&[(
        "interactions.csv",
        "interaction_id,kind,Occurred At\nI1,EmailClicked,2026-01-02\n",
    )])?;
    let Err(e) = read_folder(dir.path(), &ReadOptions::default()) else {
        return Err("Occurred At was read".into());
    };
    assert_eq!(
        e.to_string(),
        format!(
            "{}/interactions.csv line 1, column 3: \"Occurred At\" is not a DATA.md column of interactions; did you mean occurred_at? (declare it in records.custom_fields to keep it as an interaction property)",
            dir.path().display()
        )
    );
    let dir = folder(&[
        ("leads.csv", "lead_id,created_at\nL1,2026-01-02\n"),
        (
            "custom/Meeting.csv",
            "record_id,Lead ID,lead_id\nM1,L1,L1\n",
        ),
    ])?;
    let Err(e) = read_folder(dir.path(), &ReadOptions::default()) else {
        return Err("Lead ID was read".into());
    };
    assert_eq!(
        e.to_string(),
        format!(
            "{}/custom/Meeting.csv line 1, column 2: \"Lead ID\" is not a DATA.md column of custom/Meeting; did you mean lead_id? (declare it in records.custom_fields to keep it as a custom field)",
            dir.path().display()
        )
    );
    Ok(())
}

#[test]
fn a_declared_custom_field_is_kept() -> TestResult {
    let body = "lead_id,created_at,status,Lead Status,budget\nL1,2026-01-02,open,Working,10\n";
    let dir = folder(&[("contacts.csv", CONTACTS), ("leads.csv", body)])?;
    let declared = Declared::new(["Lead Status"], Vec::<String>::new());
    let options = ReadOptions {
        declared: declared.clone(),
        ..ReadOptions::default()
    };
    let loaded = read_folder(dir.path(), &options)?.resolve(&ExternalIds::default())?;
    let lead = loaded.dataset.leads.first().ok_or("no lead")?;
    assert_eq!(lead.custom.get("Lead Status"), Some("Working"));
    assert_eq!(lead.custom.get("budget"), Some("10"));

    let stream = StreamOptions {
        declared: declared.clone(),
        ..StreamOptions::default()
    };
    let mut sink = Collect::default();
    stream_folder(dir.path(), &mut sink, &stream)?;
    let lead = sink.data.leads.first().ok_or("no streamed lead")?;
    assert_eq!(lead.custom.get("Lead Status"), Some("Working"));

    // Declared for another file only, it is still refused here.
    let mut elsewhere = Declared::default();
    elsewhere.declare_field(leadscore_domain::RecordType::Contact, "Lead Status");
    let options = ReadOptions {
        declared: elsewhere,
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_folder(dir.path(), &options),
        Err(FilesError::NearMissColumn { position: 4, .. })
    ));
    Ok(())
}

const KIND_MESSAGE: &str = "interactions.csv line 3, column kind: interaction kind \"EmailClikced\" is neither a standard nor a declared kind; did you mean EmailClicked? (declare it in records.custom_kinds to keep it as a custom kind)";

fn interactions(kind: &str) -> String {
    format!(
        "interaction_id,kind,occurred_at,contact_id\nI1,WebinarWatched,2026-01-03,C1\nI2,{kind},2026-01-04,C1\n"
    )
}

#[test]
fn a_kind_close_to_a_standard_kind_is_refused_by_every_reader() -> TestResult {
    let body = interactions("EmailClikced");
    let dir = folder(&[("contacts.csv", CONTACTS), ("interactions.csv", &body)])?;
    let expected = format!("{}/{KIND_MESSAGE}", dir.path().display());
    for got in errors(dir.path(), &Declared::default())? {
        assert_eq!(got, expected);
    }
    // In Parquet, the row instead of the line.
    let parquet = tempfile::tempdir()?;
    let data = read_folder(
        dir.path(),
        &ReadOptions {
            declared: Declared::new(Vec::<String>::new(), ["EmailClikced"]),
            ..ReadOptions::default()
        },
    )?
    .resolve(&ExternalIds::default())?;
    write_folder(&data.dataset, parquet.path(), Format::Parquet)?;
    let Err(e) = stream_folder(
        parquet.path(),
        &mut Collect::default(),
        &StreamOptions::default(),
    ) else {
        return Err("EmailClikced was streamed from Parquet".into());
    };
    assert!(
        e.to_string().starts_with(&format!(
            "{}/interactions.parquet row ",
            parquet.path().display()
        )),
        "{e}"
    );
    assert!(e.to_string().contains("did you mean EmailClicked?"), "{e}");
    Ok(())
}

#[test]
fn declared_kinds_and_kinds_far_from_every_kind_are_accepted() -> TestResult {
    let body = interactions("EmailClikced");
    let dir = folder(&[("contacts.csv", CONTACTS), ("interactions.csv", &body)])?;
    let declared = Declared::new(Vec::<String>::new(), ["EmailClikced"]);
    let options = ReadOptions {
        declared: declared.clone(),
        ..ReadOptions::default()
    };
    let loaded = read_folder(dir.path(), &options)?.resolve(&ExternalIds::default())?;
    let kinds: Vec<&str> = loaded
        .dataset
        .interactions
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    assert_eq!(kinds, ["WebinarWatched", "EmailClikced"]);
    let stream = StreamOptions {
        declared,
        ..StreamOptions::default()
    };
    let summary = stream_folder(dir.path(), &mut Collect::default(), &stream)?;
    assert_eq!(summary.interactions, 2);

    // A typo of a declared kind is refused like one of a standard kind.
    let body = interactions("WebinarWached");
    let dir = folder(&[("contacts.csv", CONTACTS), ("interactions.csv", &body)])?;
    let declared = Declared::new(Vec::<String>::new(), ["WebinarWatched"]);
    let [read, streamed, rows] = errors(dir.path(), &declared)?;
    assert!(
        read.ends_with("line 3, column kind: interaction kind \"WebinarWached\" is neither a standard nor a declared kind; did you mean WebinarWatched? (declare it in records.custom_kinds to keep it as a custom kind)"),
        "{read}"
    );
    assert_eq!((&read, &read), (&streamed, &rows));
    Ok(())
}
