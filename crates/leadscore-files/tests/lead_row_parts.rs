//! Reading a folder's lead rows a part at a time gives the rows of the whole
//! folder, each once, whatever the part size.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use leadscore_domain::{ExternalIds, FutureLimit, Timestamp};
use leadscore_features::{ColumnKind, ColumnValues, Table};
use leadscore_files::{
    FolderParts, Format, LeadRowOptions, LeadRows, LeadSelection, PartProperties, PartStep,
    QUALITY_EXAMPLES, ReadOptions, SplitOptions, read_folder, read_lead_row_parts, read_lead_rows,
    read_lead_rows_in_parts, split_folder, write_folder,
};

use support::{TestResult, folder, neighbourhoods, sample};

/// The whole folder's rows, and the rows of its parts put back in file order
/// (every column read as the whole folder's kind, as `score` reads them with
/// a model's kinds); gives the number of parts.
fn both(
    dir: &Path,
    options: &LeadRowOptions,
    leads_per_part: usize,
) -> Result<(LeadRows, LeadRows, usize), Box<dyn std::error::Error>> {
    let whole = read_lead_rows(dir, options)?;
    let options = LeadRowOptions {
        column_kinds: kinds(&whole.features),
        ..options.clone()
    };
    let whole = read_lead_rows(dir, &options)?;
    let scratch = tempfile::tempdir()?;
    let mut steps = Vec::new();
    let parts = read_lead_row_parts(
        dir,
        &options,
        leads_per_part,
        scratch.path(),
        &mut |s, _| steps.push(s),
    )?;
    let count = parts.parts();
    assert!(!steps.is_empty(), "the passes report their progress");
    let mut gathered: Vec<LeadRows> = Vec::new();
    for part in parts {
        let part = part?;
        assert!(
            part.file_rows.windows(2).all(|w| w[0] < w[1]),
            "a part's rows come in file order"
        );
        gathered.push(part);
    }
    Ok((whole, concat(gathered)?, count))
}

/// Each column's kind in `table`.
fn kinds(table: &Table) -> BTreeMap<String, ColumnKind> {
    table
        .columns
        .iter()
        .map(|c| {
            let kind = match c.values {
                ColumnValues::Numeric(_) => ColumnKind::Numeric,
                ColumnValues::Categorical(_) => ColumnKind::Categorical,
            };
            (c.name.clone(), kind)
        })
        .collect()
}

/// The parts' rows as one, sorted by their place in the leads file.
fn concat(parts: Vec<LeadRows>) -> Result<LeadRows, Box<dyn std::error::Error>> {
    let mut rows: Vec<(u64, usize, usize)> = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        for (r, place) in part.file_rows.iter().enumerate() {
            rows.push((*place, p, r));
        }
    }
    rows.sort();
    let first = parts.first().ok_or("no part")?;
    let mut out = LeadRows {
        lead_ids: Vec::new(),
        file_rows: Vec::new(),
        features: Table::new(Vec::new()),
        outcomes: Vec::new(),
        as_of: Vec::new(),
        created_at: Vec::new(),
        quality: Default::default(),
        excluded: first.excluded.clone(),
    };
    let mut columns = first.features.columns.clone();
    for column in &mut columns {
        column.values = column.values.take(&[]);
    }
    for &(place, p, r) in &rows {
        let part = &parts[p];
        out.lead_ids.push(part.lead_ids[r].clone());
        out.file_rows.push(place);
        out.outcomes.push(part.outcomes[r]);
        out.as_of.push(part.as_of[r]);
        out.created_at.push(part.created_at[r]);
        for (column, from) in columns.iter_mut().zip(&part.features.columns) {
            assert_eq!(column.name, from.name, "every part has the same columns");
            match (&mut column.values, &from.values) {
                (ColumnValues::Numeric(to), ColumnValues::Numeric(v)) => {
                    to.push(v.get(r).flatten())
                }
                (ColumnValues::Categorical(to), ColumnValues::Categorical(v)) => {
                    to.push(v.get(r).flatten())
                }
                _ => return Err(format!("{} changes kind between parts", column.name).into()),
            }
        }
    }
    out.features = Table::new(columns);
    Ok(out)
}

fn assert_same(whole: &LeadRows, parts: &LeadRows) {
    assert_eq!(parts.lead_ids, whole.lead_ids);
    assert_eq!(parts.file_rows, whole.file_rows);
    assert_eq!(parts.outcomes, whole.outcomes);
    assert_eq!(parts.as_of, whole.as_of);
    assert_eq!(parts.created_at, whole.created_at);
    let names = |rows: &LeadRows| -> Vec<String> {
        rows.features
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(names(parts), names(whole));
    for (p, w) in parts.features.columns.iter().zip(&whole.features.columns) {
        assert_eq!(p.values, w.values, "column {}", p.name);
    }
}

fn all_at(text: &str) -> Result<LeadRowOptions, Box<dyn std::error::Error>> {
    Ok(LeadRowOptions {
        select: LeadSelection::All,
        at: at(text)?,
        ..LeadRowOptions::default()
    })
}

fn at(text: &str) -> Result<Option<Timestamp>, Box<dyn std::error::Error>> {
    Ok(Some(Timestamp::parse(text)?))
}

#[test]
fn the_sample_in_parts_gives_the_whole_folders_rows() -> TestResult {
    let scoring = LeadRowOptions {
        select: LeadSelection::All,
        at: at("2026-10-01")?,
        ..LeadRowOptions::default()
    };
    let training = LeadRowOptions::default();
    for options in [scoring, training] {
        let (whole, parts, count) = both(&sample(), &options, 300)?;
        assert!(count > 5, "{count} parts");
        assert!(whole.lead_ids.len() > 1000);
        assert_same(&whole, &parts);
        // One part: the folder read as it is.
        let (whole, parts, count) = both(&sample(), &options, 1_000_000)?;
        assert_eq!(count, 1);
        assert_same(&whole, &parts);
    }
    Ok(())
}

#[test]
fn a_parquet_folder_in_parts_gives_the_same_rows() -> TestResult {
    let data = read_folder(&sample(), &ReadOptions::default())?.resolve(&ExternalIds::default())?;
    let copy = tempfile::tempdir()?;
    write_folder(&data.dataset, copy.path(), Format::Parquet)?;
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: at("2026-10-01")?,
        ..LeadRowOptions::default()
    };
    let (whole, parts, count) = both(copy.path(), &options, 500)?;
    assert!(count > 5, "{count} parts");
    assert_same(&whole, &parts);
    let (csv, _, _) = both(&sample(), &options, 500)?;
    assert_eq!(csv.lead_ids, whole.lead_ids);
    Ok(())
}

/// The rows [`read_lead_rows_in_parts`] gathers, checked against the whole
/// folder's: the same rows, columns, kinds and findings, and no scratch left.
fn gathered_is_whole(dir: &Path, options: &LeadRowOptions, leads_per_part: usize) -> TestResult {
    let whole = read_lead_rows(dir, options)?;
    let scratch = tempfile::tempdir()?;
    let mut read = Vec::new();
    let gathered = read_lead_rows_in_parts(
        dir,
        options,
        leads_per_part,
        scratch.path(),
        &mut |step, p| {
            if step == PartStep::Reading {
                read.push((p.done, p.total));
            }
        },
    )?;
    // Each part read is reported, the last as all of them.
    let last = read.last().copied().ok_or("no part read reported")?;
    assert_eq!(last.0, last.1);
    assert_same(&whole, &gathered);
    assert_eq!(gathered.quality, whole.quality, "{leads_per_part} a part");
    assert_eq!(gathered.excluded, whole.excluded);
    assert_eq!(
        std::fs::read_dir(scratch.path())?.count(),
        0,
        "no scratch left"
    );
    Ok(())
}

#[test]
fn gathered_parts_give_the_whole_folders_rows_and_findings() -> TestResult {
    let training = LeadRowOptions {
        exclude: vec!["account.city".to_owned()],
        ..LeadRowOptions::default()
    };
    let scoring = LeadRowOptions {
        select: LeadSelection::All,
        at: at("2026-10-01")?,
        ..LeadRowOptions::default()
    };
    assert!(
        !read_lead_rows(&sample(), &training)?.quality.is_clean(),
        "the sample has findings to merge"
    );
    for options in [training, scoring] {
        for leads_per_part in [150, 1_000_000] {
            gathered_is_whole(&sample(), &options, leads_per_part)?;
        }
    }
    Ok(())
}

/// Findings whose examples lie in many parts: 12 accounts with three leads
/// each on one topic (12 duplicate groups), a disqualified lead without a
/// reason and a qualified one without `closed_at` in each, leads
/// interleaved in the file so that every part's examples mix with the
/// others'.
#[test]
fn findings_across_parts_are_the_whole_folders() -> TestResult {
    let mut accounts = String::from("account_id,industry\n");
    for a in 0..12 {
        accounts.push_str(&format!("A{a},Retail\n"));
    }
    let mut leads = String::from(
        "lead_id,created_at,contact_id,account_id,topic,status,closed_at,disqualify_reason\n",
    );
    for i in 0..36 {
        let (status, closed_at) = match i / 12 {
            0 => ("disqualified", "2026-02-01"),
            1 => ("qualified", ""),
            _ => ("open", ""),
        };
        leads.push_str(&format!(
            "L{i:02},2026-01-01,,A{},Renewal,{status},{closed_at},\n",
            (i * 5) % 12
        ));
    }
    let dir = folder(&[("accounts.csv", &accounts), ("leads.csv", &leads)])?;
    let whole = read_lead_rows(dir.path(), &LeadRowOptions::default())?;
    let q = &whole.quality;
    assert_eq!(q.duplicate_leads.groups, 12);
    assert_eq!(q.duplicate_leads.examples.len(), QUALITY_EXAMPLES);
    assert_eq!(q.disqualified_without_reason.count, 12);
    assert_eq!(
        q.disqualified_without_reason.examples[..3],
        ["L00", "L01", "L02"]
    );
    assert_eq!(q.closed_without_closed_at.qualified, 12);
    for leads_per_part in [1, 2, 5, 100] {
        gathered_is_whole(dir.path(), &LeadRowOptions::default(), leads_per_part)?;
    }
    Ok(())
}

/// Neighbourhoods that a part boundary must not cut (see
/// [`neighbourhoods`]).
#[test]
fn neighbourhoods_stay_whole_in_any_part_size() -> TestResult {
    let dir = neighbourhoods()?;
    for options in [
        LeadRowOptions {
            select: LeadSelection::All,
            at: at("2026-06-01")?,
            ..LeadRowOptions::default()
        },
        LeadRowOptions::default(),
    ] {
        let whole = read_lead_rows(dir.path(), &options)?;
        assert!(
            whole.features.column("PodcastListened.30d").is_some(),
            "an interaction of nobody still gives its kind columns"
        );
        for leads_per_part in 1..=6 {
            let (whole, parts, count) = both(dir.path(), &options, leads_per_part)?;
            assert!(count >= 1);
            assert_same(&whole, &parts);
        }
    }
    // `budget` (and, for every lead, `account.tier`) are numbers in some
    // parts and text in others: gathered, they are text, each cell as
    // written, as in the whole folder.
    for (options, mixed) in [
        (LeadRowOptions::default(), &["budget"][..]),
        (all_at("2026-06-01")?, &["budget", "account.tier"][..]),
    ] {
        let whole = read_lead_rows(dir.path(), &options)?;
        for name in mixed {
            assert!(
                matches!(
                    whole.features.column(name).map(|c| &c.values),
                    Some(ColumnValues::Categorical(_))
                ),
                "{name}"
            );
        }
        for leads_per_part in 1..=6 {
            gathered_is_whole(dir.path(), &options, leads_per_part)?;
        }
    }
    // With one lead a part: L1 joins A1 and A2, so it shares a part with L5
    // (C2 is A2's); C1 (A1's) and C3 list one visitor, so L3 (C3's) goes
    // with them too; L2 is A3's; L4 (nothing) is alone; L6 is A4's.
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: at("2026-06-01")?,
        ..LeadRowOptions::default()
    };
    let scratch = tempfile::tempdir()?;
    let parts = read_lead_row_parts(dir.path(), &options, 1, scratch.path(), &mut |_, _| {})?;
    assert_eq!(parts.leads(), 6);
    let mut groups: Vec<Vec<String>> = Vec::new();
    for part in parts {
        groups.push(part?.lead_ids);
    }
    groups.sort();
    assert_eq!(
        groups,
        [
            vec!["L1".to_owned(), "L3".to_owned(), "L5".to_owned()],
            vec!["L2".to_owned()],
            vec!["L4".to_owned()],
            vec!["L6".to_owned()],
        ]
    );
    Ok(())
}

/// The parts are copies of the folder's own rows: CRLF line breaks, quoted
/// cells with commas, quotes and line breaks, columns in any order, and
/// interaction properties (not copied) give the whole folder's rows.
#[test]
fn rows_copied_as_written_give_the_same_rows() -> TestResult {
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let dir = folder(&[
        (
            "accounts.csv",
            &crlf(
                "industry,account_id,motto\n\"Retail, online\",A1,\"say \"\"hi\"\"\"\nSoftware,A2,\"two\nlines\"\n",
            ),
        ),
        (
            "contacts.csv",
            &crlf("contact_id,account_id,job_title\nC1,A1,\"CTO, acting\"\nC2,A2,CEO\n"),
        ),
        (
            "leads.csv",
            &crlf(
                "lead_id,created_at,contact_id,status,closed_at,budget\nL1,2026-01-01,C1,qualified,2026-02-01,10\nL2,2026-01-02,C2,open,,5\n",
            ),
        ),
        (
            "interactions.csv",
            &crlf(
                "interaction_id,kind,occurred_at,contact_id,url\nI1,EmailOpened,2026-01-10,C1,\"https://x.test/a,b\"\nI2,WebsiteVisited,2026-01-11,C2,\n",
            ),
        ),
    ])?;
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: at("2026-06-01")?,
        ..LeadRowOptions::default()
    };
    let (whole, parts, count) = both(dir.path(), &options, 1)?;
    assert_eq!(count, 2);
    assert_same(&whole, &parts);
    let industry = whole
        .features
        .column("account.industry")
        .ok_or("no account.industry")?;
    assert_eq!(
        industry.values,
        ColumnValues::Categorical(
            vec![
                Some("Retail, online".to_owned()),
                Some("Software".to_owned())
            ]
            .into()
        )
    );
    Ok(())
}

#[test]
fn a_bad_folder_is_refused_as_the_whole_read_refuses_it() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", "contact_id,account_id\nC1,A9\n"),
        (
            "leads.csv",
            "lead_id,created_at,contact_id\nL1,2026-01-01,C1\n",
        ),
    ])?;
    let options = LeadRowOptions::default();
    let whole = read_lead_rows(dir.path(), &options)
        .err()
        .ok_or("the whole read accepts it")?;
    let scratch = tempfile::tempdir()?;
    let parts = read_lead_row_parts(dir.path(), &options, 1, scratch.path(), &mut |_, _| {})
        .err()
        .ok_or("the read in parts accepts it")?;
    assert_eq!(parts.to_string(), whole.to_string());
    assert!(whole.to_string().contains("A9"), "{whole}");
    // Nothing is left in the scratch folder.
    assert_eq!(std::fs::read_dir(scratch.path())?.count(), 0);
    Ok(())
}

#[test]
fn the_scratch_folder_is_removed_once_read() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let options = LeadRowOptions::default();
    let parts = read_lead_row_parts(&sample(), &options, 500, scratch.path(), &mut |_, _| {})?;
    assert_eq!(std::fs::read_dir(scratch.path())?.count(), 1);
    let rows: usize = parts
        .map(|p| p.map(|p| p.lead_ids.len()))
        .sum::<Result<usize, _>>()?;
    assert!(rows > 0);
    assert_eq!(std::fs::read_dir(scratch.path())?.count(), 0);
    Ok(())
}

/// `score` reads the next parts on other threads while it scores one: a
/// part read by its number, on any thread and in any order, is the
/// iterator's part.
#[test]
fn parts_read_by_number_on_several_threads_are_the_iterators() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let options = all_at("2026-10-01")?;
    let read = || read_lead_row_parts(&sample(), &options, 300, scratch.path(), &mut |_, _| {});
    let in_turn: Vec<LeadRows> = read()?.collect::<Result<_, _>>()?;
    let parts = read()?;
    let count = parts.parts();
    assert_eq!(count, in_turn.len());
    assert!(count > 5, "{count} parts");
    // Two threads, each every other part, from the last.
    let halves: [Vec<usize>; 2] = [
        (0..count).rev().step_by(2).collect(),
        (0..count).rev().skip(1).step_by(2).collect(),
    ];
    let by_number = std::thread::scope(|scope| {
        let parts = &parts;
        let threads: Vec<_> = halves
            .into_iter()
            .map(|ks| {
                scope.spawn(move || {
                    ks.into_iter()
                        .map(|k| Ok((k, parts.part(k)?)))
                        .collect::<Vec<Result<_, leadscore_files::FilesError>>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap_or_default())
            .collect::<Result<BTreeMap<usize, LeadRows>, _>>()
    })?;
    assert_eq!(by_number.len(), count);
    for (k, part) in &by_number {
        assert_same(&in_turn[*k], part);
    }
    let error = parts.part(count).err().ok_or("a part past the last")?;
    assert!(
        error
            .to_string()
            .contains(&format!("no part {}", count + 1)),
        "{error}"
    );
    Ok(())
}

/// The interaction lines of every part's copy of `interactions.csv`.
fn part_interactions(split: &FolderParts) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error>> {
    let mut parts = Vec::new();
    for part in split.parts() {
        let text = std::fs::read_to_string(part.dir.join("interactions.csv"))?;
        parts.push(text.lines().map(str::to_owned).collect());
    }
    Ok(parts)
}

fn split_options(interaction_leads: bool) -> SplitOptions {
    SplitOptions {
        future: FutureLimit::default(),
        declared: Default::default(),
        leads_per_part: 1,
        properties: PartProperties::All,
        interaction_leads,
    }
}

/// The records of a CSV file, each with the header's column names.
fn csv_records(path: &Path) -> Result<Vec<BTreeMap<String, String>>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let header = reader.headers()?.clone();
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record?;
        records.push(
            header
                .iter()
                .zip(record.iter())
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        );
    }
    Ok(records)
}

/// The interactions (most of a folder) are read once: each is copied into
/// its part as it is checked, header and cells as written. A part holds
/// exactly the interactions of its contacts (by `contact_id`, or a
/// `visitor_id` one of them lists), in the file's order.
#[test]
fn the_interactions_are_copied_into_their_parts_while_checked() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let options = SplitOptions {
        leads_per_part: 500,
        ..split_options(false)
    };
    let split = split_folder(
        &sample(),
        &options,
        &|_| true,
        scratch.path(),
        &mut |_, _| {},
    )?;
    assert!(split.parts().len() > 1, "{}", split.parts().len());
    assert!(split.interactions_read_once());
    let whole = std::fs::read_to_string(sample().join("interactions.csv"))?;
    let interactions = csv_records(&sample().join("interactions.csv"))?;
    let lines: Vec<&str> = whole.lines().collect();
    let copies = part_interactions(&split)?;
    let mut copied = 0;
    for (part, copy) in split.parts().iter().zip(&copies) {
        let contacts = csv_records(&part.dir.join("contacts.csv"))?;
        let field = |name: &str| -> Vec<&str> {
            contacts
                .iter()
                .filter_map(|c| c.get(name).map(String::as_str))
                .filter(|v| !v.is_empty())
                .collect()
        };
        let (ids, visitors) = (field("contact_id"), field("visitor_id"));
        let theirs: Vec<&str> = std::iter::once(lines.first().copied().unwrap_or_default())
            .chain(
                interactions
                    .iter()
                    .zip(lines.iter().skip(1))
                    .filter(|(i, _)| {
                        let get = |name: &str| i.get(name).map_or("", String::as_str);
                        match get("contact_id") {
                            "" => visitors.contains(&get("visitor_id")),
                            contact => ids.contains(&contact),
                        }
                    })
                    .map(|(_, line)| *line),
            )
            .collect();
        assert_eq!(copy, &theirs, "{}", part.dir.display());
        copied += theirs.len() - 1;
    }
    assert!(copied > 40_000, "{copied}");
    assert!(copied as u64 <= split.attributed_interactions());
    Ok(())
}

/// Where an interaction names a lead of another neighbourhood, and rules may
/// hop to it, the parts copied while checking would part the two: they are
/// made again after the check, with the two together.
#[test]
fn an_interaction_joining_two_parts_has_the_parts_made_again() -> TestResult {
    let dir = folder(&[
        (
            "accounts.csv",
            "account_id,name\nA1,One\nA2,Two\nA3,Three\n",
        ),
        (
            "contacts.csv",
            "contact_id,account_id\nC1,A1\nC2,A2\nC3,A3\n",
        ),
        (
            "leads.csv",
            "lead_id,created_at,contact_id\nL1,2026-01-01,C1\nL2,2026-01-01,C2\nL3,2026-01-01,C3\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id,lead_id\n\
             I1,WebsiteVisited,2026-02-01,C1,L1\n\
             I2,WebsiteVisited,2026-02-02,C3,\n\
             I3,EmailOpened,2026-02-03,C1,L2\n\
             I4,EmailOpened,2026-02-04,C2,\n",
        ),
    ])?;
    let scratch = tempfile::tempdir()?;
    let split = |leads| {
        split_folder(
            dir.path(),
            &split_options(leads),
            &|_| true,
            scratch.path(),
            &mut |_, _| {},
        )
    };
    // Without hops each account is a part, its interactions copied at once.
    let apart = split(false)?;
    assert!(apart.interactions_read_once());
    assert_eq!(apart.parts().len(), 3);
    // I3 (C1's) names L2: L1 and L2 are one part, read again after the check.
    let joined = split(true)?;
    assert!(!joined.interactions_read_once());
    assert_eq!(joined.parts().len(), 2);
    let mut parts = part_interactions(&joined)?;
    parts.sort();
    assert_eq!(
        parts,
        [
            vec![
                "interaction_id,kind,occurred_at,contact_id,lead_id".to_owned(),
                "I1,WebsiteVisited,2026-02-01,C1,L1".to_owned(),
                "I3,EmailOpened,2026-02-03,C1,L2".to_owned(),
                "I4,EmailOpened,2026-02-04,C2,".to_owned(),
            ],
            vec![
                "interaction_id,kind,occurred_at,contact_id,lead_id".to_owned(),
                "I2,WebsiteVisited,2026-02-02,C3,".to_owned(),
            ],
        ]
    );
    drop((apart, joined));
    // C4 has no lead, so its neighbourhood is in no part, until its
    // interaction names L3: then C4 and its interactions are L3's.
    std::fs::write(
        dir.path().join("contacts.csv"),
        "contact_id,account_id\nC1,A1\nC2,A2\nC3,A3\nC4,\n",
    )?;
    std::fs::write(
        dir.path().join("interactions.csv"),
        "interaction_id,kind,occurred_at,contact_id,lead_id\n\
         I1,WebsiteVisited,2026-02-01,C1,L1\n\
         I2,WebsiteVisited,2026-02-02,C3,\n\
         I5,EmailOpened,2026-02-05,C4,L3\n\
         I6,EmailOpened,2026-02-06,C4,\n",
    )?;
    let joined = split(true)?;
    assert!(!joined.interactions_read_once());
    let parts = part_interactions(&joined)?;
    let with_l3 = parts
        .iter()
        .find(|lines| lines.iter().any(|l| l.starts_with("I2,")))
        .ok_or("I2 is in no part")?;
    assert_eq!(with_l3.len(), 4, "{with_l3:?}");
    assert!(with_l3.iter().any(|l| l.starts_with("I6,")), "{with_l3:?}");
    // Only the scratch folders of the parts still held are left.
    drop(joined);
    assert_eq!(std::fs::read_dir(scratch.path())?.count(), 0);
    Ok(())
}

/// A bad interaction found after the copying began fails the split as the
/// whole read fails, and leaves nothing in the scratch folder.
#[test]
fn a_bad_interaction_after_the_copying_began_leaves_nothing() -> TestResult {
    let dir = folder(&[
        ("contacts.csv", "contact_id\nC1\nC2\n"),
        (
            "leads.csv",
            "lead_id,created_at,contact_id\nL1,2026-01-01,C1\nL2,2026-01-01,C2\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\n\
             I1,WebsiteVisited,2026-02-01,C1\n\
             I2,WebsiteVisited,2026-02-02,C9\n",
        ),
    ])?;
    let scratch = tempfile::tempdir()?;
    let err = split_folder(
        dir.path(),
        &split_options(false),
        &|_| true,
        scratch.path(),
        &mut |_, _| {},
    )
    .err()
    .ok_or("a bad folder was split")?;
    let whole = read_lead_rows(dir.path(), &LeadRowOptions::default())
        .err()
        .ok_or("the whole read accepts it")?;
    assert_eq!(err.to_string(), whole.to_string());
    assert!(err.to_string().contains("C9"), "{err}");
    assert_eq!(std::fs::read_dir(scratch.path())?.count(), 0);
    Ok(())
}
