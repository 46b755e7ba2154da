//! Issue 19, "real CRM data goes in": each shipped mapping on a realistic
//! export written by this test from the sample (never a vendor's file), through
//! `import --dry-run`, `import` (SQLite and PostgreSQL), `train`, `score` and
//! `rules score`; `map init`; the round trip through `export`; and the public
//! bank marketing data set through the flat mapping.

mod common;

use std::path::Path;

use common::{Backend, TestResult, leadscore};
use leadscore_domain::{Dataset, LeadStatus};
use serde_json::Value;

/// The leads of the sample each export holds (enough of both outcomes to
/// train on).
const LEADS: usize = 700;

fn sample() -> Result<Dataset, Box<dyn std::error::Error>> {
    common::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/training-data/sample"
    )))
}

fn path(p: &Path) -> Result<&str, Box<dyn std::error::Error>> {
    p.to_str().ok_or_else(|| "a non-UTF-8 path".into())
}

fn csv_file(path: &Path, header: &[&str], rows: Vec<Vec<String>>) -> TestResult {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(header)?;
    for row in rows {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The sample's first leads that have a contact, with that contact and its
/// account.
fn people(
    data: &Dataset,
) -> Vec<(
    &leadscore_domain::Lead,
    &leadscore_domain::Contact,
    Option<&leadscore_domain::Account>,
)> {
    data.leads
        .iter()
        .filter_map(|l| {
            let contact = data
                .contacts
                .iter()
                .find(|c| Some(&c.contact_id) == l.contact_id.as_ref())?;
            let account = contact
                .account_id
                .as_ref()
                .and_then(|a| data.accounts.iter().find(|x| &x.account_id == a));
            Some((l, contact, account))
        })
        .take(LEADS)
        .collect()
}

/// `2024-10-02T12:24:53.000Z`, as Salesforce's Data Loader writes times.
fn salesforce_time(t: leadscore_domain::Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

/// A Salesforce Lead export (API names) of the sample's leads.
fn salesforce_export(dir: &Path) -> TestResult {
    let data = sample()?;
    let header = [
        "Id",
        "FirstName",
        "LastName",
        "Company",
        "Title",
        "Email",
        "Phone",
        "LeadSource",
        "Status",
        "Industry",
        "Rating",
        "AnnualRevenue",
        "NumberOfEmployees",
        "City",
        "Country",
        "CreatedDate",
        "ConvertedDate",
        "LastModifiedDate",
        "IsConverted",
        "OwnerId",
    ];
    let rows = people(&data)
        .into_iter()
        .map(|(l, c, a)| {
            let status = match l.status {
                LeadStatus::Qualified => "Closed - Converted",
                LeadStatus::Disqualified => "Closed - Not Converted",
                LeadStatus::Open => "Working - Contacted",
            };
            let closed = l.closed_at.map(salesforce_time).unwrap_or_default();
            vec![
                l.lead_id.as_str().to_owned(),
                text(&c.first_name),
                text(&c.last_name),
                a.and_then(|a| a.name.clone()).unwrap_or_default(),
                text(&c.job_title),
                text(&c.email),
                String::new(),
                text(&l.source),
                status.to_owned(),
                a.and_then(|a| a.industry.clone()).unwrap_or_default(),
                String::new(),
                a.and_then(|a| a.annual_revenue)
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
                a.and_then(|a| a.employees)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                text(&c.city),
                text(&c.country),
                salesforce_time(l.created_at),
                if l.status == LeadStatus::Qualified {
                    closed.clone()
                } else {
                    String::new()
                },
                closed,
                (l.status == LeadStatus::Qualified).to_string(),
                "0055e000001AbCd".to_owned(),
            ]
        })
        .collect();
    csv_file(&dir.join("Lead.csv"), &header, rows)
}

/// HubSpot's Leads, Contacts and Companies exports (property labels, times
/// as `2024-10-02 12:24`), with the sample's interactions of those contacts
/// beside them as a DATA.md file.
fn hubspot_export(dir: &Path) -> TestResult {
    let data = sample()?;
    let people = people(&data);
    let hs = |t: leadscore_domain::Timestamp| t.to_datetime().format("%Y-%m-%d %H:%M").to_string();
    let leads = people
        .iter()
        .map(|(l, c, _)| {
            let stage = match l.status {
                LeadStatus::Qualified => "Qualified",
                LeadStatus::Disqualified => "Disqualified",
                LeadStatus::Open => "Connected",
            };
            vec![
                l.lead_id.as_str().to_owned(),
                text(&l.topic),
                stage.to_owned(),
                "New Business".to_owned(),
                hs(l.created_at),
                l.closed_at.map(hs).unwrap_or_else(|| hs(l.created_at)),
                c.contact_id.as_str().to_owned(),
                text(&l.source),
            ]
        })
        .collect();
    csv_file(
        &dir.join("hubspot-crm-exports-all-leads-2026-12-01.csv"),
        &[
            "Record ID",
            "Lead Name",
            "Lead Stage",
            "Lead Type",
            "Create Date",
            "Last Modified Date",
            "Associated Contact IDs",
            "Lead Source",
        ],
        leads,
    )?;
    let mut contacts: Vec<Vec<String>> = Vec::new();
    let mut companies: Vec<Vec<String>> = Vec::new();
    for (_, c, a) in &people {
        if contacts.iter().any(|r| r[0] == c.contact_id.as_str()) {
            continue;
        }
        contacts.push(vec![
            c.contact_id.as_str().to_owned(),
            text(&c.first_name),
            text(&c.last_name),
            text(&c.email),
            text(&c.job_title),
            text(&c.city),
            text(&c.country),
            a.map(|a| a.account_id.as_str().to_owned())
                .unwrap_or_default(),
            "Lead".to_owned(),
        ]);
        if let Some(a) = a
            && !companies.iter().any(|r| r[0] == a.account_id.as_str())
        {
            companies.push(vec![
                a.account_id.as_str().to_owned(),
                text(&a.name),
                text(&a.industry),
                a.employees.map(|e| e.to_string()).unwrap_or_default(),
                a.annual_revenue.map(|r| r.to_string()).unwrap_or_default(),
                text(&a.city),
                text(&a.country),
            ]);
        }
    }
    csv_file(
        &dir.join("hubspot-crm-exports-all-contacts-2026-12-01.csv"),
        &[
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Job Title",
            "City",
            "Country/Region",
            "Associated Company ID",
            "Lifecycle Stage",
        ],
        contacts.clone(),
    )?;
    csv_file(
        &dir.join("hubspot-crm-exports-all-companies-2026-12-01.csv"),
        &[
            "Record ID",
            "Company name",
            "Industry",
            "Number of Employees",
            "Annual Revenue",
            "City",
            "Country/Region",
        ],
        companies,
    )?;
    // The interactions of those contacts, as DATA.md (read as they are).
    let sample_interactions = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/training-data/sample/interactions.csv"
    ))?;
    let mut lines = sample_interactions.lines();
    let header = lines.next().ok_or("no header")?;
    let contact_at = header
        .split(',')
        .position(|h| h == "contact_id")
        .ok_or("no contact_id")?;
    let lead_at = header
        .split(',')
        .position(|h| h == "lead_id")
        .ok_or("no lead_id")?;
    let kept: Vec<&str> = lines
        .filter(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let contact = cells.get(contact_at).copied().unwrap_or("");
            let lead = cells.get(lead_at).copied().unwrap_or("");
            contacts.iter().any(|r| r[0] == contact)
                && (lead.is_empty() || people.iter().any(|(l, _, _)| l.lead_id.as_str() == lead))
        })
        .collect();
    std::fs::write(
        dir.join("interactions.csv"),
        format!("{header}\n{}\n", kept.join("\n")),
    )?;
    Ok(())
}

/// A Dynamics 365 Lead table exported to Excel and saved as CSV: display
/// names, US dates (`10/2/2024 12:24 PM`), status and source labels.
fn dynamics_export(dir: &Path) -> TestResult {
    let data = sample()?;
    let us =
        |t: leadscore_domain::Timestamp| t.to_datetime().format("%-m/%-d/%Y %-I:%M %p").to_string();
    let rows = people(&data)
        .into_iter()
        .map(|(l, c, a)| {
            let (status, reason) = match l.status {
                LeadStatus::Qualified => ("Qualified", "Qualified"),
                LeadStatus::Disqualified => ("Disqualified", "No Longer Interested"),
                LeadStatus::Open => ("Open", "Contacted"),
            };
            // Dynamics' lead sources are a fixed list: the sample's others
            // are the option set's Other.
            let source = match l.source.as_deref() {
                Some("Web") | Some("Partner") | Some("Seminar") | Some("Trade Show") => {
                    text(&l.source)
                }
                Some(_) => "Other".to_owned(),
                None => String::new(),
            };
            vec![
                format!(
                    "3f2504e0-4f89-11d3-9a0c-{:012}",
                    l.lead_id
                        .as_str()
                        .trim_start_matches('L')
                        .parse::<u64>()
                        .unwrap_or(0)
                ),
                text(&l.topic),
                text(&c.first_name),
                text(&c.last_name),
                a.and_then(|a| a.name.clone()).unwrap_or_default(),
                text(&c.email),
                text(&c.job_title),
                source,
                status.to_owned(),
                reason.to_owned(),
                us(l.created_at),
                l.closed_at.map(us).unwrap_or_else(|| us(l.created_at)),
                a.and_then(|a| a.industry.clone()).unwrap_or_default(),
                a.and_then(|a| a.employees)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                a.and_then(|a| a.annual_revenue)
                    .map(|r| format!("{r:.2}"))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    csv_file(
        &dir.join("Leads (My Open Leads) 12-1-2026.csv"),
        &[
            "(Do Not Modify) Lead",
            "Topic",
            "First Name",
            "Last Name",
            "Company Name",
            "Email",
            "Job Title",
            "Lead Source",
            "Status",
            "Status Reason",
            "Created On",
            "Modified On",
            "Industry",
            "No. of Employees",
            "Annual Revenue",
        ],
        rows,
    )
}

/// A flat lead table with an outcome, as public lead data sets come: one
/// row per lead with its source, counts of its contact's activity, its
/// company's industry and size, and a `Converted` flag (empty while open).
fn flat_export(dir: &Path) -> TestResult {
    let data = sample()?;
    let rows = people(&data)
        .into_iter()
        .map(|(l, c, a)| {
            let activity = |kind: &str| {
                data.interactions
                    .iter()
                    .filter(|i| {
                        i.contact_id.as_ref() == Some(&c.contact_id) && i.kind.as_str() == kind
                    })
                    .count()
                    .to_string()
            };
            let converted = match l.status {
                LeadStatus::Qualified => "1",
                LeadStatus::Disqualified => "0",
                LeadStatus::Open => "",
            };
            vec![
                l.lead_id.as_str().trim_start_matches('L').to_owned(),
                text(&l.source),
                activity("WebsiteVisited"),
                activity("EmailClicked"),
                a.and_then(|a| a.industry.clone()).unwrap_or_default(),
                a.and_then(|a| a.employees)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                converted.to_owned(),
            ]
        })
        .collect();
    csv_file(
        &dir.join("leads_export.csv"),
        &[
            "Lead Number",
            "Lead Source",
            "TotalVisits",
            "Email Clicks",
            "Industry",
            "Employees",
            "Converted",
        ],
        rows,
    )
}

fn json(stdout: &str) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(stdout.trim())?)
}

/// Dry run (nothing written), import with every lead queued, the store read
/// back; then train, score and rules score on the export itself.
fn through_every_command(
    mapping: &str,
    write: fn(&Path) -> TestResult,
    store: &Backend,
    models: bool,
) -> TestResult {
    let export = tempfile::tempdir()?;
    write(export.path())?;
    let e = path(export.path())?;

    let dry = leadscore(&[
        "import",
        e,
        "--map",
        mapping,
        "--dry-run",
        "--database",
        store.url(),
    ])
    .success()?;
    assert!(dry.contains("leads.csv ("), "{dry}");
    assert!(dry.contains("; 0 problems; nothing was written"), "{dry}");
    let nothing = leadscore(&[
        "import",
        e,
        "--map",
        mapping,
        "--dry-run",
        "--json",
        "--database",
        store.url(),
    ])
    .success()?;
    let nothing = json(&nothing)?;
    assert_eq!(nothing["dry_run"], true);
    assert_eq!(nothing["problems"].as_array().map(Vec::len), Some(0));

    let out = leadscore(&[
        "import",
        e,
        "--map",
        mapping,
        "--database",
        store.url(),
        "--json",
    ])
    .success()?;
    let summary = json(&out)?;
    assert_eq!(summary["imported"]["leads"], LEADS as u64, "{summary}");
    assert_eq!(
        summary["queued"], LEADS as u64,
        "every lead of an import is queued for rescoring"
    );

    if models {
        let work = tempfile::tempdir()?;
        let model = work.path().join("model");
        leadscore(&[
            "train",
            "--data",
            e,
            "--map",
            mapping,
            "--out",
            path(&model)?,
            "--json",
        ])
        .success()?;
        let metrics: Value =
            serde_json::from_str(&std::fs::read_to_string(model.join("metrics.json"))?)?;
        assert!(
            metrics["auc"].as_f64().is_some_and(|a| a > 0.55),
            "{metrics}"
        );
        let scores = work.path().join("scores.csv");
        leadscore(&[
            "score",
            "--model",
            path(&model)?,
            "--data",
            e,
            "--map",
            mapping,
            "--out",
            path(&scores)?,
        ])
        .success()?;
        let rows = std::fs::read_to_string(&scores)?.lines().count();
        assert_eq!(rows, LEADS + 1);
        let rules = work.path().join("rules.csv");
        let fit = concat!(env!("CARGO_MANIFEST_DIR"), "/models/rules/fit.yaml");
        leadscore(&[
            "rules",
            "score",
            fit,
            "--data",
            e,
            "--map",
            mapping,
            "--out",
            path(&rules)?,
        ])
        .success()?;
        assert_eq!(std::fs::read_to_string(&rules)?.lines().count(), LEADS + 1);
    }
    Ok(())
}

#[test]
fn salesforce_export_on_sqlite() -> TestResult {
    through_every_command("salesforce", salesforce_export, &Backend::sqlite()?, true)
}

#[test]
fn hubspot_export_on_sqlite() -> TestResult {
    through_every_command("hubspot", hubspot_export, &Backend::sqlite()?, true)
}

#[test]
fn dynamics365_export_on_sqlite() -> TestResult {
    through_every_command("dynamics365", dynamics_export, &Backend::sqlite()?, true)
}

#[test]
fn flat_export_on_sqlite() -> TestResult {
    through_every_command("flat", flat_export, &Backend::sqlite()?, true)
}

#[test]
fn every_shipped_mapping_on_postgres() -> TestResult {
    for (mapping, write) in [
        ("salesforce", salesforce_export as fn(&Path) -> TestResult),
        ("hubspot", hubspot_export),
        ("dynamics365", dynamics_export),
        ("flat", flat_export),
    ] {
        let Some(store) = Backend::postgres()? else {
            return Ok(());
        };
        through_every_command(mapping, write, &store, false)?;
    }
    Ok(())
}

#[test]
fn a_dry_run_writes_nothing_and_names_every_problem_in_the_export() -> TestResult {
    let export = tempfile::tempdir()?;
    salesforce_export(export.path())?;
    let lead_csv = export.path().join("Lead.csv");
    let text = std::fs::read_to_string(&lead_csv)?;
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = lines[2]
        .replace("Closed - Converted", "Closed - Won")
        .replace("Closed - Not Converted", "Closed - Won")
        .replace("Working - Contacted", "Closed - Won");
    lines[5] = lines[1].clone();
    std::fs::write(&lead_csv, lines.join("\n") + "\n")?;
    let work = tempfile::tempdir()?;
    let db = work.path().join("store.db");
    let url = format!("sqlite://{}", db.display());
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_leadscore"))
        .args([
            "import",
            path(export.path())?,
            "--map",
            "salesforce",
            "--dry-run",
            "--database",
            &url,
        ])
        .env_remove("DATABASE_URL")
        .output()?;
    assert_eq!(
        run.status.code(),
        Some(1),
        "a dry run with problems exits 1"
    );
    let out = String::from_utf8_lossy(&run.stdout).into_owned();
    let first_id = lines[1].split(',').next().unwrap_or_default();
    assert!(
        out.contains(&format!("problem: {} line 3, column Status: \"Closed - Won\" is not one of the values the mapping lists for status", lead_csv.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("problem: {0} line 6, column Id: duplicate lead_id \"{first_id}\" (first at {0} line 2)", lead_csv.display())),
        "{out}"
    );
    assert!(out.contains("; 2 problems; nothing was written"), "{out}");
    assert!(!db.exists(), "a dry run made the SQLite store");
    // Without --dry-run: all or nothing, and the same places.
    let err = leadscore(&[
        "import",
        path(export.path())?,
        "--map",
        "salesforce",
        "--database",
        &url,
    ])
    .failure()?;
    assert!(
        err.starts_with(&format!(
            "error: {} line 3, column Status: ",
            lead_csv.display()
        )),
        "{err}"
    );
    Ok(())
}

#[test]
fn map_init_proposes_a_mapping_that_imports_the_export() -> TestResult {
    let export = tempfile::tempdir()?;
    dynamics_export(export.path())?;
    let file = export.path().join("Leads (My Open Leads) 12-1-2026.csv");
    let proposed = export.path().join("mine.yaml");
    leadscore(&["map", "init", path(&file)?, "--out", path(&proposed)?]).success()?;
    let yaml = std::fs::read_to_string(&proposed)?;
    assert!(
        yaml.starts_with("# Proposed by `leadscore map init` from the shipped mapping dynamics365"),
        "{yaml}"
    );
    assert!(yaml.contains("order: month-first"), "{yaml}");
    // An existing file is never written over.
    let again = leadscore(&["map", "init", path(&file)?, "--out", path(&proposed)?]).failure()?;
    assert!(again.contains("cannot write"), "{again}");
    let store = Backend::sqlite()?;
    let out = leadscore(&[
        "import",
        path(&file)?,
        "--map",
        path(&proposed)?,
        "--database",
        store.url(),
        "--json",
    ])
    .success()?;
    assert_eq!(json(&out)?["imported"]["leads"], LEADS as u64);
    Ok(())
}

/// Mapping an export, exporting the store as DATA.md and importing that
/// changes nothing, on both stores.
#[test]
fn a_mapped_import_round_trips_through_export() -> TestResult {
    let mut stores = vec![Backend::sqlite()?];
    stores.extend(Backend::postgres()?);
    for store in stores {
        let export = tempfile::tempdir()?;
        hubspot_export(export.path())?;
        leadscore(&[
            "import",
            path(export.path())?,
            "--map",
            "hubspot",
            "--database",
            store.url(),
        ])
        .success()?;
        let first = tempfile::tempdir()?;
        let first_dir = first.path().join("out");
        leadscore(&[
            "export",
            "--out",
            path(&first_dir)?,
            "--database",
            store.url(),
        ])
        .success()?;
        leadscore(&["import", path(&first_dir)?, "--database", store.url()]).success()?;
        let second = tempfile::tempdir()?;
        let second_dir = second.path().join("out");
        leadscore(&[
            "export",
            "--out",
            path(&second_dir)?,
            "--database",
            store.url(),
        ])
        .success()?;
        assert_eq!(common::load(&first_dir)?, common::load(&second_dir)?);
        let fresh = Backend::sqlite()?;
        leadscore(&["import", path(&first_dir)?, "--database", fresh.url()]).success()?;
        let third = tempfile::tempdir()?;
        let third_dir = third.path().join("out");
        leadscore(&[
            "export",
            "--out",
            path(&third_dir)?,
            "--database",
            fresh.url(),
        ])
        .success()?;
        assert_eq!(common::load(&first_dir)?, common::load(&third_dir)?);
    }
    Ok(())
}

/// The public bank marketing data set, a flat table with `y`, through the
/// flat mapping: it trains as well as the flat-file path does.
#[test]
fn the_bank_data_set_trains_through_the_flat_mapping() -> TestResult {
    let Some(bank) = common::dataset(
        "bank-full.csv",
        "the_bank_data_set_trains_through_the_flat_mapping",
    )?
    else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let mapped = work.path().join("mapped");
    let flat = work.path().join("flat");
    let b = path(&bank)?;
    leadscore(&[
        "train",
        "--data",
        b,
        "--map",
        "flat",
        "--exclude",
        "duration",
        "--seed",
        "7",
        "--out",
        path(&mapped)?,
    ])
    .success()?;
    leadscore(&[
        "train",
        "--data",
        b,
        "--target",
        "y",
        "--exclude",
        "duration",
        "--seed",
        "7",
        "--out",
        path(&flat)?,
    ])
    .success()?;
    let auc = |dir: &Path| -> Result<f64, Box<dyn std::error::Error>> {
        let m: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json"))?)?;
        m["auc"].as_f64().ok_or_else(|| "no auc".into())
    };
    let (mapped_auc, flat_auc) = (auc(&mapped)?, auc(&flat)?);
    assert!(
        mapped_auc >= 0.75,
        "the mapped bank data trains to AUC {mapped_auc}"
    );
    assert!(
        (mapped_auc - flat_auc).abs() < 0.03,
        "mapped {mapped_auc} against flat {flat_auc}"
    );
    Ok(())
}
