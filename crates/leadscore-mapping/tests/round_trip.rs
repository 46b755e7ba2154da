//! Property: an export mapped to DATA.md, written back out as a DATA.md folder
//! (as `leadscore export` writes the store) and read again, is the same
//! records; and mapping is deterministic.

use leadscore_domain::{Dataset, ExternalIds};
use leadscore_files::{Format, ReadOptions, read_folder, write_folder};
use leadscore_mapping::{ApplyOptions, Mapping};
use proptest::prelude::*;

/// A European CRM's export: day-first dates in Berlin time, decimal commas,
/// its own status words, a custom field.
const MAPPING: &str = r#"
name: eu-crm
dates:
  order: day-first
  time_zone: Europe/Berlin
numbers:
  decimal: ","
  thousands: "."
sources:
  - file: export.csv
    leads:
      lead_id: Nr
      created_at: Angelegt
      closed_at: { column: Abgeschlossen, optional: true }
      contact_id: Nr
      source: Quelle
      status:
        column: Status
        values: { Gewonnen: qualified, Verloren: disqualified, Offen: open }
      score: { column: Punkte, type: number }
    contacts:
      contact_id: Nr
      account_id: Firma
      first_name: Vorname
    accounts:
      account_id: Firma
      name: Firma
      annual_revenue: Umsatz
"#;

/// One row of the export.
#[derive(Debug, Clone)]
struct Row {
    created: (u32, u32, u32, u32),
    status: &'static str,
    source: String,
    first_name: String,
    company: String,
    revenue: (u32, u32),
    points: Option<(u32, u32)>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        (1u32..=28, 1u32..=12, 2020u32..=2024, 8u32..=20),
        prop::sample::select(vec!["Gewonnen", "Verloren", "Offen"]),
        "[A-Za-z ,\"é]{0,12}",
        "[A-Za-zäöü' ]{0,10}",
        prop::sample::select(vec!["Müller GmbH", "Acme, Inc.", "Globex", ""]),
        (0u32..5_000_000, 0u32..100),
        prop::option::of((0u32..1000, 0u32..10)),
    )
        .prop_map(
            |(created, status, source, first_name, company, revenue, points)| Row {
                created,
                status,
                source,
                first_name,
                company: company.to_owned(),
                revenue,
                points,
            },
        )
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn export(rows: &[Row]) -> String {
    let mut out =
        String::from("Nr;Angelegt;Abgeschlossen;Quelle;Status;Punkte;Vorname;Firma;Umsatz\n");
    for (i, r) in rows.iter().enumerate() {
        let (d, m, y, h) = r.created;
        let closed = if r.status == "Offen" {
            String::new()
        } else {
            format!("{:02}.{:02}.{}", d, m, y + 1)
        };
        let points = r
            .points
            .map(|(a, b)| format!("{a},{b}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "K-{i};{d:02}.{m:02}.{y} {h:02}:30;{closed};{};{};{points};{};{};{}\n",
            quote(&r.source),
            r.status,
            quote(&r.first_name),
            quote(&r.company),
            quote(&format!(
                "{}.{:03},{:02}",
                r.revenue.0 / 1000,
                r.revenue.0 % 1000,
                r.revenue.1
            )),
        ));
    }
    out
}

fn read(dir: &std::path::Path) -> Result<Dataset, Box<dyn std::error::Error>> {
    Ok(read_folder(dir, &ReadOptions::default())?
        .resolve(&ExternalIds::default())?
        .dataset)
}

fn round_trip(rows: &[Row]) -> Result<(), Box<dyn std::error::Error>> {
    let mapping = Mapping::parse(MAPPING, "eu-crm.yaml")?;
    let work = tempfile::tempdir()?;
    let input = work.path().join("in");
    std::fs::create_dir(&input)?;
    std::fs::write(input.join("export.csv"), export(rows))?;
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    std::fs::create_dir(&a)?;
    std::fs::create_dir(&b)?;
    mapping.apply(&input, &a, &ApplyOptions::default())?;
    mapping.apply(&input, &b, &ApplyOptions::default())?;
    for file in ["accounts.csv", "contacts.csv", "leads.csv"] {
        assert_eq!(
            std::fs::read(a.join(file))?,
            std::fs::read(b.join(file))?,
            "mapping twice gave two {file}"
        );
    }
    let mapped = read(&a)?;
    assert_eq!(mapped.leads.len(), rows.len());
    for format in [Format::Csv, Format::Parquet] {
        let copy = work.path().join(format!("copy-{}", format.extension()));
        write_folder(&mapped, &copy, format)?;
        assert_eq!(read(&copy)?, mapped, "through {format:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_mapped_export_round_trips(rows in prop::collection::vec(row(), 1..20)) {
        if let Err(e) = round_trip(&rows) {
            prop_assert!(false, "{e}\n{}", export(&rows));
        }
    }
}
