//! Parity with `read_lead_rows`: for real folders, every lead's row computed
//! by [`FeatureIndex`] from in-memory records holds, in every column of the
//! table `read_lead_rows` computes with polars, the value it holds there, as
//! the encoder sees it (numbers numerically, text textually, a number given as
//! text read as its number).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use leadscore_domain::{Dataset, ExternalIds, Timestamp};
use leadscore_features::{Cell, ColumnValues, EncoderParams, RowSource};
use leadscore_files::{
    Format, LeadRowOptions, LeadRows, LeadSelection, ReadOptions, read_folder, read_lead_rows,
    write_folder,
};
use leadscore_generate::{DEFAULT_AS_OF, GeneratorConfig, generate};
use leadscore_scoring::{FeatureIndex, LeadFeatures, scoring_time};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../training-data/sample")
}

fn load(dir: &Path) -> Result<Dataset, Box<dyn std::error::Error>> {
    let parsed = read_folder(dir, &ReadOptions::default())?;
    Ok(parsed.resolve(&ExternalIds::default())?.dataset)
}

fn folder(files: &[(&str, &str)]) -> Result<tempfile::TempDir, std::io::Error> {
    let dir = tempfile::tempdir()?;
    for (name, body) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, body)?;
    }
    Ok(dir)
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// Each custom entity's time column as `read_lead_rows` picks it from a CSV
/// folder: the first column of the header (after `record_id` and `lead_id`)
/// whose every present value is a timestamp, with one present.
fn folder_time_columns(dir: &Path, data: &Dataset) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for (entity, records) in &data.custom {
        let text = std::fs::read_to_string(dir.join(format!("custom/{entity}.csv"))).unwrap();
        let header = text.lines().next().unwrap_or_default();
        let column = header
            .split(',')
            .map(str::trim)
            .filter(|c| *c != "record_id" && *c != "lead_id")
            .find(|c| {
                let values: Vec<&str> = records.iter().filter_map(|r| r.fields.get(c)).collect();
                !values.is_empty() && values.iter().all(|v| Timestamp::parse(v).is_ok())
            });
        out.push((entity.to_string(), column.map(str::to_owned)));
    }
    out
}

fn index_for<'a>(data: &'a Dataset, times: &'a [(String, Option<String>)]) -> FeatureIndex<'a> {
    FeatureIndex::with_time_columns(data, times.iter().map(|(e, c)| (e.as_str(), c.as_deref())))
}

/// What was compared.
#[derive(Debug, Default, Clone, Copy)]
struct Compared {
    leads: usize,
    cells: usize,
}

impl std::ops::AddAssign for Compared {
    fn add_assign(&mut self, other: Self) {
        self.leads += other.leads;
        self.cells += other.cells;
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Whether the computed cell holds the value `read_lead_rows` put at `row` of
/// a column, as the encoder reads it.
fn same(values: &ColumnValues, row: usize, got: &Cell) -> bool {
    match values {
        ColumnValues::Numeric(v) => match (v.get(row).flatten(), got) {
            (None, Cell::Missing) => true,
            (Some(x), Cell::Num(y)) => close(x, *y),
            (Some(x), Cell::Text(t)) => t
                .trim()
                .parse::<f64>()
                .is_ok_and(|y| y.is_finite() && close(x, y)),
            _ => false,
        },
        ColumnValues::Categorical(v) => match (v.get(row).flatten(), got) {
            (None, Cell::Missing) => true,
            (Some(s), Cell::Text(t)) => s == t,
            (Some(s), Cell::Num(y)) => s == y.to_string(),
            _ => false,
        },
    }
}

/// The row of each of `rows`' leads from `row_of`, compared cell by cell with
/// `rows`; panics listing the first differences.
fn compare(
    what: &str,
    rows: &LeadRows,
    index: &FeatureIndex<'_>,
    row_of: impl Fn(usize, Timestamp) -> LeadFeatures,
) -> Compared {
    let mut compared = Compared::default();
    let mut differences = Vec::new();
    for (r, id) in rows.lead_ids.iter().enumerate() {
        let lead = index
            .lead_index(id)
            .unwrap_or_else(|| panic!("{what}: no lead {id}"));
        let features = row_of(lead, rows.as_of[r]);
        for column in &rows.features.columns {
            let got = features.cell(&column.name);
            let ok = got.as_ref().is_some_and(|g| same(&column.values, r, g));
            if !ok && differences.len() < 20 {
                let expected = match &column.values {
                    ColumnValues::Numeric(v) => format!("{:?}", v.get(r).flatten()),
                    ColumnValues::Categorical(v) => format!("{:?}", v.get(r).flatten()),
                };
                differences.push(format!(
                    "{id} as of {} {}: read_lead_rows {expected}, FeatureIndex {got:?}",
                    rows.as_of[r], column.name
                ));
            }
            compared.cells += 1;
        }
        compared.leads += 1;
    }
    assert!(
        differences.is_empty(),
        "{what}: {} rows differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    compared
}

/// The rows of a folder, for training or scoring at `at`.
fn lead_rows(dir: &Path, select: LeadSelection, at: Option<Timestamp>) -> LeadRows {
    let options = LeadRowOptions {
        select,
        at,
        ..LeadRowOptions::default()
    };
    read_lead_rows(dir, &options).unwrap()
}

/// Checks a whole folder both ways: its closed leads each as of its close, and
/// every lead as of `at`; also that the rows' columns are the table's (in
/// order) when `all_columns`, else a part of them in the same order.
fn check_folder(
    what: &str,
    dir: &Path,
    data: &Dataset,
    times: &[(String, Option<String>)],
    at: Timestamp,
    all_columns: bool,
) -> Compared {
    let index = index_for(data, times);
    let row = |lead: usize, as_of: Timestamp| index.row(lead, as_of);
    let mut compared = Compared::default();

    let closed = lead_rows(dir, LeadSelection::Closed, None);
    compared += compare(&format!("{what}, closed leads"), &closed, &index, row);
    check_closed_rows(what, &closed, &index, all_columns);

    let all = lead_rows(dir, LeadSelection::All, Some(at));
    for (r, id) in all.lead_ids.iter().enumerate() {
        let lead = &data.leads[index.lead_index(id).unwrap()];
        assert_eq!(scoring_time(lead, at), Some(all.as_of[r]), "{what}: {id}");
    }
    let scored = data
        .leads
        .iter()
        .filter(|l| scoring_time(l, at).is_some())
        .count();
    assert_eq!(scored, all.lead_ids.len(), "{what}: leads scored at {at}");
    compared += compare(&format!("{what}, every lead at {at}"), &all, &index, row);

    let table: Vec<&str> = closed
        .features
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let ours: Vec<&str> = index.columns().collect();
    if all_columns {
        assert_eq!(ours, table, "{what}: columns");
    } else {
        let mut rest = table.iter();
        for name in &ours {
            assert!(
                rest.any(|t| t == name),
                "{what}: column {name} not in the table, or out of order: {table:?}"
            );
        }
    }
    let first = index.row(0, at).to_row();
    let names: Vec<&str> = first.cells.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ours, "{what}: to_row's columns");
    compared
}

/// [`FeatureIndex::closed_rows`] over all time gives `read_lead_rows`' training
/// rows: the same leads, outcomes and times, and (for a folder whose columns
/// all come from its records) the same table, typing included.
fn check_closed_rows(what: &str, closed: &LeadRows, index: &FeatureIndex<'_>, all_columns: bool) {
    let (from, to) = (ts("1900-01-01"), ts("2200-01-01"));
    let ours = index.closed_rows(from, to);
    assert_eq!(ours.lead_ids, closed.lead_ids, "{what}: closed_rows' leads");
    let outcomes: Vec<bool> = closed.outcomes.iter().map(|o| o.unwrap()).collect();
    assert_eq!(ours.outcomes, outcomes, "{what}: closed_rows' outcomes");
    assert_eq!(ours.closed_at, closed.as_of, "{what}: closed_rows' times");
    assert_eq!(ours.created_at, closed.created_at, "{what}: created");
    if all_columns {
        for (a, b) in ours.features.columns.iter().zip(&closed.features.columns) {
            assert_eq!(a, b, "{what}: closed_rows' column {}", b.name);
        }
        assert_eq!(ours.features.columns.len(), closed.features.columns.len());
    }
    // A window keeps only the leads closed in it.
    if let Some(last) = ours.closed_at.iter().max().copied() {
        let late = index.closed_rows(last, to);
        assert!(!late.is_empty() && late.closed_at.iter().all(|t| *t == last));
    }
}

/// The records a service would hold to score one lead: the lead, its contact,
/// its account, the account's contacts, the contacts sharing a visitor id
/// with those, the interactions of all these, the lead's custom records.
fn neighbourhood(data: &Dataset, lead: usize) -> Dataset {
    let l = &data.leads[lead];
    let contact_of = |id: &str| data.contacts.iter().find(|c| c.contact_id.as_str() == id);
    let contact = l.contact_id.as_ref().and_then(|c| contact_of(c.as_str()));
    let account = l
        .account_id
        .as_ref()
        .or_else(|| contact.and_then(|c| c.account_id.as_ref()))
        .map(|a| a.as_str());
    let mut out = Dataset {
        leads: vec![l.clone()],
        ..Dataset::default()
    };
    out.accounts = data
        .accounts
        .iter()
        .filter(|a| Some(a.account_id.as_str()) == account)
        .cloned()
        .collect();
    let members: Vec<&str> = data
        .contacts
        .iter()
        .filter(|c| {
            Some(&c.contact_id) == l.contact_id.as_ref()
                || c.account_id.as_ref().map(|a| a.as_str()) == account
        })
        .map(|c| c.contact_id.as_str())
        .collect();
    let visitors: Vec<&str> = data
        .contacts
        .iter()
        .filter(|c| members.contains(&c.contact_id.as_str()))
        .filter_map(|c| c.visitor_id.as_ref().map(|v| v.as_str()))
        .collect();
    let listed = |v: Option<&str>| v.is_some_and(|v| visitors.contains(&v));
    out.contacts = data
        .contacts
        .iter()
        .filter(|c| {
            members.contains(&c.contact_id.as_str())
                || listed(c.visitor_id.as_ref().map(|v| v.as_str()))
        })
        .cloned()
        .collect();
    out.interactions = data
        .interactions
        .iter()
        .filter(|i| match &i.contact_id {
            Some(c) => members.contains(&c.as_str()),
            None => listed(i.visitor_id.as_ref().map(|v| v.as_str())),
        })
        .cloned()
        .collect();
    for (entity, records) in &data.custom {
        let own: Vec<_> = records
            .iter()
            .filter(|r| r.lead_id == l.lead_id)
            .cloned()
            .collect();
        if !own.is_empty() {
            out.custom.insert(entity.clone(), own);
        }
    }
    out
}

/// Every `step`th lead's row computed from its neighbourhood alone (with the
/// folder's entity time columns), compared with `read_lead_rows`; columns the
/// neighbourhood has no data for answer as absent columns do.
fn check_neighbourhoods(
    what: &str,
    dir: &Path,
    data: &Dataset,
    times: &[(String, Option<String>)],
    step: usize,
) -> Compared {
    let index = index_for(data, times);
    let closed = lead_rows(dir, LeadSelection::Closed, None);
    let row = |lead: usize, as_of: Timestamp| {
        let small = neighbourhood(data, lead);
        index_for(&small, times).row(0, as_of)
    };
    let picked: Vec<usize> = (0..closed.lead_ids.len()).step_by(step).collect();
    let subset = LeadRows {
        lead_ids: picked.iter().map(|&r| closed.lead_ids[r].clone()).collect(),
        file_rows: picked.iter().map(|&r| closed.file_rows[r]).collect(),
        as_of: picked.iter().map(|&r| closed.as_of[r]).collect(),
        features: leadscore_features::Table::new(
            closed
                .features
                .columns
                .iter()
                .map(|c| leadscore_features::Column {
                    name: c.name.clone(),
                    values: c.values.take(&picked),
                })
                .collect(),
        ),
        ..closed
    };
    compare(&format!("{what}, neighbourhoods"), &subset, &index, row)
}

/// The encoder fitted on the closed leads' table gives every row the same
/// vector from the table and from [`FeatureIndex`]: the number-or-text
/// question is settled the same way.
fn check_encoding(what: &str, dir: &Path, data: &Dataset, times: &[(String, Option<String>)]) {
    let index = index_for(data, times);
    let closed = lead_rows(dir, LeadSelection::Closed, None);
    let encoder = EncoderParams::default().fit(&closed.features).unwrap();
    let flat = encoder.transform_flat(&closed.features).unwrap();
    let width = encoder.n_features();
    assert!(width > 20, "{what}: {width} features");
    for (r, id) in closed.lead_ids.iter().enumerate() {
        let row = index.row(index.lead_index(id).unwrap(), closed.as_of[r]);
        let got = encoder.transform_row(&row).unwrap();
        let expected = &flat[r * width..(r + 1) * width];
        for (j, (a, b)) in got.iter().zip(expected).enumerate() {
            assert!(
                close(*a, *b),
                "{what}: {id} feature {}: {a} != {b}",
                encoder.feature_names()[j]
            );
        }
    }
}

#[test]
fn the_sample_folder() -> TestResult {
    let dir = sample();
    let data = load(&dir)?;
    let times = folder_time_columns(&dir, &data);
    assert_eq!(times, [("Meeting".to_owned(), Some("held_at".to_owned()))]);
    // The rule over the whole folder by field name agrees here.
    assert_eq!(
        FeatureIndex::new(&data).time_column("Meeting"),
        Some("held_at")
    );
    let compared = check_folder("sample", &dir, &data, &times, ts("2025-10-01"), true);
    // 4,434 closed leads and the 2,049 that existed at 2025-10-01, 54 columns each.
    assert!(compared.leads > 6_000, "{compared:?}");
    assert!(compared.cells > 300_000, "{compared:?}");
    let near = check_neighbourhoods("sample", &dir, &data, &times, 10);
    assert!(near.leads > 400 && near.cells > 20_000, "{near:?}");
    check_encoding("sample", &dir, &data, &times);
    eprintln!("sample: {compared:?}, neighbourhoods: {near:?}");
    Ok(())
}

#[test]
fn generated_folders_csv_and_parquet() -> TestResult {
    let root = tempfile::tempdir()?;
    let csv = root.path().join("csv");
    let config = GeneratorConfig::new(2_000, 11, ts(DEFAULT_AS_OF))?;
    generate(&config, &csv, &|_| {})?;
    let data = load(&csv)?;
    assert!(!data.custom.is_empty(), "custom entities");
    assert!(
        data.leads.iter().any(|l| !l.custom.is_empty()),
        "custom fields"
    );
    assert!(
        data.interactions
            .iter()
            .any(|i| i.contact_id.is_none() && i.visitor_id.is_some()),
        "visitor-only interactions"
    );
    let times = folder_time_columns(&csv, &data);
    let at = ts("2026-01-15T12:00:00Z");
    let compared = check_folder("generated", &csv, &data, &times, at, true);
    assert!(compared.cells > 150_000, "{compared:?}");
    let near = check_neighbourhoods("generated", &csv, &data, &times, 7);
    assert!(near.cells > 10_000, "{near:?}");
    check_encoding("generated", &csv, &data, &times);

    // The same records as Parquet: typed columns read back as the same rows.
    let parquet = root.path().join("parquet");
    write_folder(&data, &parquet, Format::Parquet)?;
    let again = load(&parquet)?;
    let typed = check_folder("generated parquet", &parquet, &again, &times, at, true);
    assert!(typed.cells > 150_000, "{typed:?}");
    eprintln!("generated: {compared:?}, neighbourhoods: {near:?}, parquet: {typed:?}");
    Ok(())
}

const ACCOUNTS: &str = "account_id,name,industry,employees,annual_revenue,country,city,tier,email\n\
A1,Acme,Software,120,2.5e6,France,Paris,Gold,ops@acme.test\n\
A2,Globex, Retail ,,,Germany,,,\n\
A3,Initech,Software,1.2e3,,,,Silver,\n";

// C1 and C2 both list visitor V1: C2, the later, owns its visits. `zip` looks
// numeric in every row (02139 is read as 2139 by read_lead_rows).
const CONTACTS: &str = "contact_id,account_id,first_name,job_title,country,city,visitor_id,zip,seniority\n\
C1,A1,Ann,CTO,France,Paris,V1,02139,3\n\
C2,A1,Bob,Engineer,France,Lyon,V1,75001,1\n\
C3,,Cid,Founder,Spain,,V2,,\n\
C4,A1,Dee,,,,,,\n\
C5,A2,Eve,Buyer,,,V3,,\n";

// L2 and L5 are account-based (A3 has no contact), L4 has neither contact nor
// account, L6 has a contact at A1 and its own account A2, L7 closed without a
// close time, L8 is created after the scoring time.
const LEADS: &str = "lead_id,created_at,contact_id,account_id,topic,source,status,closed_at,disqualify_reason,budget,email\n\
L1,2026-01-01,C1,,Pricing,Web,qualified,2026-03-01T12:00:00Z,,10k,a@b.test\n\
L2,2026-01-02,,A1,Demo,Event,disqualified,2026-03-10,No budget,,\n\
L3,2026-01-03,C3,,,Referral,qualified,2026-02-15,,5k,\n\
L4,2026-01-04,,,Other,Web,disqualified,2026-02-20,Spam,,\n\
L5,2026-01-05,,A3,,,,,,,\n\
L6,2026-01-06,C2,A2,Pricing,Web,,,,,\n\
L7,2026-01-07,C5,,Pricing,,qualified,,,,\n\
L8,2026-04-01,C1,,,,,,,,\n";

// I1 is exactly 7 days before L1's close (in its 7-day window), I2 exactly at
// it (not counted), I9 exactly at the scoring time. I3 (visitor V1) is C2's,
// I4 (V2) C3's, I5 nobody's; I7 names C1 and visitor V2: C1's.
const INTERACTIONS: &str = "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id,url\n\
I1,EmailClicked,2026-02-22T12:00:00Z,C1,,,\n\
I2,EmailClicked,2026-03-01T12:00:00Z,C1,,,\n\
I3,WebsiteVisited,2026-02-01,,,V1,/pricing\n\
I4,WebsiteVisited,2026-02-02,,,V2,\n\
I5,WebsiteVisited,2026-02-03,,,V9,\n\
I6,DemoBooked,2026-02-10,C4,,,\n\
I7,EmailOpened,2026-02-10T08:30:00Z,C1,,V2,\n\
I8,FormSubmitted,2025-01-01,C2,,,\n\
I9,EmailOpened,2026-02-15,C3,,,\n\
I10,EventAttended,2026-03-05,C5,,,\n\
I11,EmailClicked,2025-03-01T12:00:00Z,C1,L1,,\n";

// M2 is at L1's close (not counted), M3 has no time (never counted).
const MEETINGS: &str = "record_id,lead_id,topic,held_at,minutes\n\
M1,L1,Demo,2026-02-01,30\n\
M2,L1,Demo,2026-03-01T12:00:00Z,30\n\
M3,L1,Pricing,,45\n\
M4,L2,Demo,2026-01-15,60\n\
M5,L5,Intro,2026-01-20,15\n";

// No time column (`soon`): every note counts.
const NOTES: &str = "record_id,lead_id,written,text\n\
N1,L1,2026-01-01,hello\n\
N2,L1,soon,again\n\
N3,L4,2026-05-01,late\n";

// Two time columns: read_lead_rows takes `due`, the first in the file.
const TASKS: &str = "record_id,lead_id,due,created\n\
T1,L1,2026-04-01,2026-01-10\n\
T2,L2,2026-02-01,2026-03-20\n\
T3,L6,2026-01-20,2026-01-10\n";

fn edge_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("accounts.csv", ACCOUNTS),
        ("contacts.csv", CONTACTS),
        ("leads.csv", LEADS),
        ("interactions.csv", INTERACTIONS),
        ("custom/Meeting.csv", MEETINGS),
        ("custom/Note.csv", NOTES),
        ("custom/Task.csv", TASKS),
    ]
}

#[test]
fn hand_written_edge_cases() -> TestResult {
    let dir = folder(&edge_files())?;
    let data = load(dir.path())?;
    let times = folder_time_columns(dir.path(), &data);
    assert_eq!(
        times,
        [
            ("Meeting".to_owned(), Some("held_at".to_owned())),
            ("Note".to_owned(), None),
            ("Task".to_owned(), Some("due".to_owned())),
        ]
    );
    let mut compared = Compared::default();
    // The scoring time is I9's time and L3's close.
    for at in ["2026-02-15", "2026-03-01T12:00:00Z", "2026-12-31"] {
        compared += check_folder("edge cases", dir.path(), &data, &times, ts(at), true);
    }
    assert!(
        compared.leads > 20 && compared.cells > 1_500,
        "{compared:?}"
    );
    let near = check_neighbourhoods("edge cases", dir.path(), &data, &times, 1);
    assert!(near.leads == 4 && near.cells > 200, "{near:?}");

    // Spot checks of the rules the table above agreed on.
    let index = index_for(&data, &times);
    let l1 = index.row(0, ts("2026-03-01T12:00:00Z"));
    assert_eq!(l1.cell("EmailClicked.7d"), Some(Cell::Num(1.0)));
    assert_eq!(l1.cell("EmailClicked.365d"), Some(Cell::Num(2.0)));
    assert_eq!(
        l1.cell("EmailClicked.days_since_last"),
        Some(Cell::Num(7.0))
    );
    assert_eq!(l1.cell("WebsiteVisited.365d"), Some(Cell::Num(0.0)));
    assert_eq!(l1.cell("Meeting.count"), Some(Cell::Num(1.0)));
    assert_eq!(l1.cell("Note.count"), Some(Cell::Num(2.0)));
    assert_eq!(l1.cell("Task.count"), Some(Cell::Num(0.0)));
    assert_eq!(l1.cell("contact.zip"), Some(Cell::Text("02139".into())));
    assert_eq!(l1.cell("budget"), Some(Cell::Text("10k".into())));
    assert_eq!(l1.cell("email"), None, "never a column");
    assert_eq!(l1.cell("account.email"), None, "never a column");
    assert_eq!(l1.cell("account.contacts"), Some(Cell::Num(3.0)));
    let l2 = index.row(1, ts("2026-03-10"));
    assert_eq!(l2.cell("lead.kind"), Some(Cell::Text("account".into())));
    assert_eq!(l2.cell("DemoBooked.30d"), Some(Cell::Num(1.0)));
    assert_eq!(l2.cell("WebsiteVisited.90d"), Some(Cell::Num(1.0)));
    let l4 = index.row(3, ts("2026-02-20"));
    assert_eq!(l4.cell("lead.kind"), Some(Cell::Text("none".into())));
    assert_eq!(l4.cell("account.contacts"), Some(Cell::Missing));
    assert_eq!(l4.cell("account.industry"), Some(Cell::Missing));
    let l5 = index.row(4, ts("2026-02-20"));
    assert_eq!(l5.cell("account.contacts"), Some(Cell::Num(0.0)));
    assert_eq!(l5.cell("account.employees"), Some(Cell::Num(1200.0)));
    let l6 = index.row(5, ts("2026-02-20"));
    assert_eq!(
        l6.cell("account.country"),
        Some(Cell::Text("Germany".into()))
    );
    assert_eq!(l6.cell("WebsiteVisited.30d"), Some(Cell::Num(1.0)));

    // By field name, FeatureIndex::new takes `created`, not the file's `due`.
    let by_name = FeatureIndex::new(&data);
    assert_eq!(by_name.time_column("Task"), Some("created"));
    assert_eq!(by_name.time_column("Note"), None);
    let l1 = by_name.row(0, ts("2026-03-01T12:00:00Z"));
    assert_eq!(l1.cell("Task.count"), Some(Cell::Num(1.0)));
    eprintln!("edge cases: {compared:?}, neighbourhoods: {near:?}");
    Ok(())
}

#[test]
fn a_folder_of_leads_only() -> TestResult {
    let dir = folder(&[(
        "leads.csv",
        "lead_id,created_at,status,closed_at,source\n\
         L1,2026-01-01,qualified,2026-02-01,Web\n\
         L2,2026-01-02,disqualified,2026-02-02,\n\
         L3,2026-01-03,,,Event\n",
    )])?;
    let data = load(dir.path())?;
    let compared = check_folder("leads only", dir.path(), &data, &[], ts("2026-03-01"), true);
    assert!(compared.cells > 150, "{compared:?}");
    Ok(())
}

/// Columns a model may read that the lead's dataset has nothing for: what
/// `read_lead_rows` puts there for a lead without such data.
#[test]
fn absent_columns_answer_as_read_lead_rows_has_them() -> TestResult {
    let dir = folder(&[
        ("accounts.csv", "account_id,industry,tier\nA1,Software,\n"),
        ("contacts.csv", "contact_id,account_id,zip\nC1,A1,\n"),
        (
            "leads.csv",
            "lead_id,created_at,contact_id,status,closed_at,budget\n\
             L1,2026-01-01,C1,qualified,2026-02-01,\n",
        ),
        (
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\n",
        ),
        ("custom/Meeting.csv", "record_id,lead_id,held_at\n"),
    ])?;
    let options = LeadRowOptions {
        kinds: vec!["DemoBooked".to_owned()],
        ..LeadRowOptions::default()
    };
    let rows = read_lead_rows(dir.path(), &options)?;
    let data = load(dir.path())?;
    let index = FeatureIndex::new(&data);
    let row = index.row(0, rows.as_of[0]);
    // Absent from the dataset (no value, no record, no interaction) ...
    for column in [
        "budget",
        "contact.zip",
        "account.tier",
        "DemoBooked.7d",
        "DemoBooked.days_since_last",
        "Meeting.count",
    ] {
        assert!(row.get(column).is_none(), "{column} is in the dataset");
    }
    // ... but columns of read_lead_rows, and answered as it has them.
    let compared = compare("absent columns", &rows, &index, |l, at| index.row(l, at));
    assert_eq!(compared.cells, rows.features.columns.len());
    assert!(compared.cells > 40, "{compared:?}");
    assert_eq!(row.cell("budget"), Some(Cell::Missing));
    assert_eq!(row.cell("contact.zip"), Some(Cell::Missing));
    assert_eq!(row.cell("account.tier"), Some(Cell::Missing));
    assert_eq!(row.cell("DemoBooked.7d"), Some(Cell::Num(0.0)));
    assert_eq!(row.cell("DemoBooked.365d"), Some(Cell::Num(0.0)));
    assert_eq!(row.cell("DemoBooked.days_since_last"), Some(Cell::Missing));
    assert_eq!(row.cell("Meeting.count"), Some(Cell::Num(0.0)));
    // Columns of other folders, never seen here.
    assert_eq!(row.cell("product_interest"), Some(Cell::Missing));
    assert_eq!(row.cell("account.customer_tier"), Some(Cell::Missing));
    assert_eq!(row.cell("PricingPageViewed.90d"), Some(Cell::Num(0.0)));
    assert_eq!(row.cell("Opportunity.count"), Some(Cell::Num(0.0)));
    // Never a column: ids, times, the status, names.
    for column in [
        "lead_id",
        "status",
        "closed_at",
        "disqualify_reason",
        "contact.email",
        "contact.visitor_id",
        "account.name",
        "account.account_id",
    ] {
        assert_eq!(row.cell(column), None, "{column}");
    }
    // A lead the dataset does not have: nothing known, nothing counted.
    let nobody = index.row(7, rows.as_of[0]);
    assert_eq!(nobody.cell("lead.kind"), Some(Cell::Missing));
    assert_eq!(nobody.cell("EmailOpened.7d"), Some(Cell::Num(0.0)));
    Ok(())
}
