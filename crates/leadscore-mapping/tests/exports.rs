//! Each shipped mapping on a realistic export written for the test (never a
//! vendor's file), read back through the DATA.md reader; and every problem
//! named at its place in the export.

use std::path::Path;

use leadscore_domain::{Dataset, Declared, ExternalIds, LeadStatus};
use leadscore_files::{FilesError, ReadOptions, read_folder};
use leadscore_mapping::{ApplyOptions, Mapped, Mapping, MappingError, propose, shipped};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn write(dir: &Path, name: &str, text: &str) -> Result {
    std::fs::write(dir.join(name), text)?;
    Ok(())
}

/// Maps the export and reads the folder, relocating the reader's errors.
fn load(mapping: &Mapping, export: &Path) -> Result<(Mapped, Dataset, tempfile::TempDir)> {
    let out = tempfile::tempdir()?;
    let mapped = mapping.apply(export, out.path(), &ApplyOptions::default())?;
    // The mapping declares the custom fields it writes.
    let mut declared = Declared::default();
    for (record, name) in mapped.declared_custom() {
        declared.declare_field(record.clone(), name.clone());
    }
    let options = ReadOptions {
        declared,
        ..ReadOptions::default()
    };
    let dataset = read_folder(mapped.folder(), &options)
        .and_then(|p| p.resolve(&ExternalIds::default()))
        .map_err(|e| mapped.relocate(e))?
        .dataset;
    Ok((mapped, dataset, out))
}

fn status(data: &Dataset, id: &str) -> Option<LeadStatus> {
    data.leads
        .iter()
        .find(|l| l.lead_id.as_str() == id)
        .map(|l| l.status)
}

const SALESFORCE_LEADS: &str = "\u{feff}Id,FirstName,LastName,Company,Title,Email,Phone,LeadSource,Status,Industry,Rating,AnnualRevenue,NumberOfEmployees,City,Country,CreatedDate,ConvertedDate,LastModifiedDate,IsConverted,OwnerId
00Q5e00000AbCdE1,Ada,Byron,\"Acme, Inc.\",CTO,ada@acme.example,555-0100,Web,Closed - Converted,Technology,Hot,2500000,120,London,United Kingdom,2026-09-01T09:15:00.000Z,2026-10-02,2026-10-02T10:00:00.000Z,true,0055e000001
00Q5e00000AbCdE2,Grace,Hopper,Navy Yard,Engineer,grace@navy.example,,Trade Show,Closed - Not Converted,Government,Cold,,40,Arlington,United States,2026-09-03T11:00:00.000Z,,2026-10-20T08:00:00.000Z,false,0055e000001
00Q5e00000AbCdE3,Alan,Turing,\"Acme, Inc.\",Analyst,alan@acme.example,,Web,Working - Contacted,Technology,Warm,2500000,120,London,United Kingdom,2026-10-05T14:30:00.000Z,,2026-11-01T08:00:00.000Z,false,0055e000002
";

#[test]
fn salesforce_lead_export() -> Result {
    let export = tempfile::tempdir()?;
    write(export.path(), "Lead.csv", SALESFORCE_LEADS)?;
    write(
        export.path(),
        "Account.csv",
        "Id,Name,Industry,NumberOfEmployees,AnnualRevenue,BillingCity,BillingCountry\n0015e00000XyZ1,Globex,Energy,900,1200000.50,Springfield,United States\n",
    )?;
    let (mapped, data, _out) = load(&shipped("salesforce")?, export.path())?;
    assert_eq!(data.leads.len(), 3);
    assert_eq!(
        status(&data, "00Q5e00000AbCdE1"),
        Some(LeadStatus::Qualified)
    );
    assert_eq!(
        status(&data, "00Q5e00000AbCdE2"),
        Some(LeadStatus::Disqualified)
    );
    assert_eq!(status(&data, "00Q5e00000AbCdE3"), Some(LeadStatus::Open));
    let open = data
        .leads
        .iter()
        .find(|l| l.lead_id.as_str() == "00Q5e00000AbCdE3");
    assert_eq!(
        open.and_then(|l| l.closed_at),
        None,
        "an open lead has no close"
    );
    let converted = data
        .leads
        .iter()
        .find(|l| l.lead_id.as_str() == "00Q5e00000AbCdE1");
    assert_eq!(
        converted.and_then(|l| l.closed_at).map(|t| t.to_string()),
        Some("2026-10-02T00:00:00Z".to_owned())
    );
    // Two leads of Acme make one account; Navy Yard's and Globex's are there too.
    assert_eq!(data.accounts.len(), 3);
    let acme = data
        .accounts
        .iter()
        .find(|a| a.account_id.as_str() == "Acme, Inc.");
    assert_eq!(acme.and_then(|a| a.employees), Some(120));
    assert_eq!(data.contacts.len(), 3);
    assert_eq!(mapped.counts, [3, 3, 3, 0]);
    Ok(())
}

#[test]
fn hubspot_exports() -> Result {
    let export = tempfile::tempdir()?;
    write(
        export.path(),
        "hubspot-crm-exports-all-leads-2026-12-01.csv",
        "Record ID,Lead Name,Lead Stage,Lead Type,Create Date,Last Modified Date,Associated Contact IDs,Lead Source\n\
         9001,Ada Byron - Acme,Qualified,New Business,2026-09-01 09:15,2026-10-02 10:00,501,Organic Search\n\
         9002,Grace Hopper - Navy,Disqualified,New Business,2026-09-03 11:00,2026-10-20 08:00,502,Paid Social\n\
         9003,Alan Turing - Acme,Attempting,Upsell,2026-10-05 14:30,2026-11-01 08:00,503,Organic Search\n",
    )?;
    write(
        export.path(),
        "hubspot-crm-exports-all-contacts-2026-12-01.csv",
        "Record ID,First Name,Last Name,Email,Job Title,City,Country/Region,Associated Company ID,Lifecycle Stage\n\
         501,Ada,Byron,ada@acme.example,CTO,London,United Kingdom,77,Sales Qualified Lead\n\
         502,Grace,Hopper,grace@navy.example,Engineer,Arlington,United States,,Lead\n\
         503,Alan,Turing,alan@acme.example,Analyst,London,United Kingdom,77,Lead\n",
    )?;
    write(
        export.path(),
        "hubspot-crm-exports-all-companies-2026-12-01.csv",
        "Record ID,Company name,Industry,Number of Employees,Annual Revenue,City,Country/Region\n77,Acme,COMPUTER_SOFTWARE,120,2500000,London,United Kingdom\n",
    )?;
    let (_, data, _out) = load(&shipped("hubspot")?, export.path())?;
    assert_eq!(data.leads.len(), 3);
    assert_eq!(status(&data, "9001"), Some(LeadStatus::Qualified));
    assert_eq!(status(&data, "9002"), Some(LeadStatus::Disqualified));
    assert_eq!(status(&data, "9003"), Some(LeadStatus::Open));
    let ada = data
        .contacts
        .iter()
        .find(|c| c.contact_id.as_str() == "501");
    assert_eq!(
        ada.and_then(|c| c.account_id.clone())
            .map(|a| a.as_str().to_owned()),
        Some("77".to_owned())
    );
    assert_eq!(data.accounts.len(), 1);
    Ok(())
}

#[test]
fn dynamics_display_name_export_with_day_first_dates() -> Result {
    let export = tempfile::tempdir()?;
    write(
        export.path(),
        "Lead export.csv",
        "(Do Not Modify) Lead,Topic,First Name,Last Name,Company Name,Email,Job Title,Lead Source,Status,Status Reason,Created On,Modified On,Industry,No. of Employees,Annual Revenue\n\
         3f2504e0-4f89-11d3-9a0c-0305e82c3301,Fleet renewal,Ada,Byron,Contoso,ada@contoso.example,CTO,Web,Qualified,Qualified,05/09/2026 09:15,02/10/2026 10:00,Consulting,120,\"2.500.000,00\"\n\
         3f2504e0-4f89-11d3-9a0c-0305e82c3302,Pilot,Grace,Hopper,Fabrikam,grace@fabrikam.example,Engineer,Trade Show,Disqualified,Lost,13/09/2026 11:00,20/10/2026 08:00,Retail,40,\n\
         3f2504e0-4f89-11d3-9a0c-0305e82c3303,Upgrade,Alan,Turing,Contoso,alan@contoso.example,Analyst,8,Open,New,05/10/2026 14:30,01/11/2026 08:00,Consulting,120,\"2.500.000,00\"\n",
    )?;
    let mut text = leadscore_mapping::SHIPPED
        .iter()
        .find(|(n, _)| *n == "dynamics365")
        .map(|(_, t)| (*t).to_owned())
        .ok_or("no dynamics365 mapping")?;
    // A European user's copy: day first, Berlin time, decimal commas.
    text = text.replace("order: month-first", "order: day-first");
    text = text.replace("time_zone: UTC", "time_zone: Europe/Berlin");
    text = text.replace(
        "sources:",
        "numbers:\n  decimal: \",\"\n  thousands: \".\"\nsources:",
    );
    let mapping = Mapping::parse(&text, "dynamics-eu.yaml")?;
    let (_, data, _out) = load(&mapping, export.path())?;
    assert_eq!(data.leads.len(), 3);
    let first = &data.leads[0];
    assert_eq!(first.created_at.to_string(), "2026-09-05T07:15:00Z");
    assert_eq!(first.source.as_deref(), Some("Web"));
    assert_eq!(
        data.leads[2].source.as_deref(),
        Some("Web"),
        "option code 8 is Web"
    );
    let contoso = data
        .accounts
        .iter()
        .find(|a| a.account_id.as_str() == "Contoso");
    assert_eq!(contoso.and_then(|a| a.annual_revenue), Some(2_500_000.0));
    Ok(())
}

#[test]
fn flat_table_with_an_outcome() -> Result {
    let export = tempfile::tempdir()?;
    write(
        export.path(),
        "leads_export.csv",
        "Lead Number,Lead Origin,TotalVisits,Total Time Spent on Website,Converted\n660737,API,5,674,0\n660728,Landing Page Submission,2,1532,1\n660727,API,1.5,305,1\n",
    )?;
    let (_, data, _out) = load(&shipped("flat")?, export.path())?;
    assert_eq!(data.leads.len(), 3);
    assert_eq!(status(&data, "660737"), Some(LeadStatus::Disqualified));
    assert_eq!(status(&data, "660728"), Some(LeadStatus::Qualified));
    let lead = &data.leads[0];
    assert_eq!(lead.custom.get("TotalVisits"), Some("5"));
    assert_eq!(lead.contact_id.as_ref().map(|c| c.as_str()), Some("660737"));
    assert!(lead.closed_at.is_some());
    // No company column: one account per lead, its contact's parent.
    assert_eq!(data.accounts.len(), 3);
    assert_eq!(
        data.contacts[0].account_id.as_ref().map(|a| a.as_str()),
        Some("660737")
    );
    Ok(())
}

#[test]
fn a_flat_table_without_ids_uses_line_numbers() -> Result {
    let export = tempfile::tempdir()?;
    write(
        export.path(),
        "bank.csv",
        "\"age\";\"job\";\"balance\";\"y\"\n58;\"management\";2143;\"no\"\n44;\"technician\";29;\"yes\"\n",
    )?;
    let (_, data, _out) = load(&shipped("flat")?, export.path())?;
    let ids: Vec<&str> = data.leads.iter().map(|l| l.lead_id.as_str()).collect();
    assert_eq!(ids, ["2", "3"]);
    assert_eq!(status(&data, "3"), Some(LeadStatus::Qualified));
    Ok(())
}

#[test]
fn bad_values_are_named_at_their_place_in_the_export() -> Result {
    let export = tempfile::tempdir()?;
    let bad = SALESFORCE_LEADS
        .replace("2026-10-05T14:30:00.000Z", "yesterday")
        .replace("Closed - Not Converted", "Closed - Lost");
    write(export.path(), "Lead.csv", &bad)?;
    let out = tempfile::tempdir()?;
    let err = shipped("salesforce")?
        .apply(export.path(), out.path(), &ApplyOptions::default())
        .err()
        .ok_or("the bad export was mapped")?;
    let text = err.to_string();
    let lead_csv = export.path().join("Lead.csv");
    assert_eq!(
        text,
        format!(
            "{} line 3, column Status: \"Closed - Lost\" is not one of the values the mapping lists for status (Open - Not Contacted, Working - Contacted, Open, Working, Nurturing, New, Closed - Converted, Converted, Qualified, Closed - Not Converted, Unqualified, Disqualified) (and 1 more bad records)",
            lead_csv.display()
        )
    );
    let MappingError::Files(FilesError::BadRows { problems, total }) = err else {
        return Err("not a bad-rows error".into());
    };
    assert_eq!(total, 2);
    assert_eq!(
        problems[1].to_string(),
        format!(
            "{} line 4, column CreatedDate: \"yesterday\" is not a date or time the mapping reads (RFC 3339, 2026-11-02 09:15, or one of dates.formats)",
            lead_csv.display()
        )
    );
    // Nothing was written for a failed mapping: the caller's folder holds
    // only the partial files it throws away with the folder.
    let skipped = shipped("salesforce")?.apply(
        export.path(),
        tempfile::tempdir()?.path(),
        &ApplyOptions {
            skip_bad_rows: true,
        },
    )?;
    assert_eq!(skipped.skipped.len(), 2);
    assert_eq!(skipped.counts[2], 1);
    Ok(())
}

#[test]
fn the_readers_problems_are_named_in_the_export() -> Result {
    let export = tempfile::tempdir()?;
    // The third lead repeats the first one's Id.
    let twice = SALESFORCE_LEADS.replace("00Q5e00000AbCdE3", "00Q5e00000AbCdE1");
    write(export.path(), "Lead.csv", &twice)?;
    let err = load(&shipped("salesforce")?, export.path())
        .err()
        .ok_or("a repeated id was read")?;
    let lead_csv = export.path().join("Lead.csv");
    assert_eq!(
        err.to_string(),
        format!(
            "{0} line 4, column Id: duplicate lead_id \"00Q5e00000AbCdE1\" (first at {0} line 2)",
            lead_csv.display()
        )
    );
    Ok(())
}

#[test]
fn mapping_mistakes_are_caught_before_reading() -> Result {
    for (text, want) in [
        (
            "name: x\nsources:\n  - file: a.csv\n    leads:\n      lead_id: Id\n",
            "m.yaml: sources[0].leads: leads need created_at: map it to a column (or a value)",
        ),
        (
            "name: x\nsources:\n  - file: a.csv\n    leads:\n      lead_id: Id\n      created_at: C\n      lead_source: Src\n",
            "m.yaml: sources[0].leads.lead_source: \"lead_source\" is not a DATA.md column of leads (did you mean source?); a custom field needs a name apart from the DATA.md columns",
        ),
        (
            "name: x\nsources:\n  - file: a.csv\n    leads:\n      lead_id: Id\n      created_at: C\n      status: { column: S, values: { Won: converted } }\n",
            "m.yaml: sources[0].leads.status: \"converted\" is not a lead status (open, qualified or disqualified)",
        ),
        (
            "name: x\ndates:\n  time_zone: Europe/Berlinn\nsources:\n  - file: a.csv\n    leads:\n      lead_id: Id\n      created_at: C\n",
            "m.yaml: dates: unknown time zone \"Europe/Berlinn\" (an IANA name such as Europe/Berlin, America/New_York or UTC)",
        ),
        (
            "name: x\nsources:\n  - file: a.csv\n    leads:\n      lead_id: { colum: Id }\n      created_at: C\n",
            "m.yaml: sources[0].leads.lead_id: unknown field `colum`, expected one of `column`, `value`, `line`, `prefix`, `values`, `otherwise`, `default`, `type`, `optional` (line 5, column 7)",
        ),
    ] {
        let err = Mapping::parse(text, "m.yaml").err().ok_or(want)?;
        assert_eq!(err.to_string(), want);
    }
    Ok(())
}

#[test]
fn columns_the_mapping_does_not_name_are_errors_unless_dropped() -> Result {
    let export = tempfile::tempdir()?;
    write(
        export.path(),
        "a.csv",
        "Id,Created,Lead Sorce\n1,2026-01-01,Web\n",
    )?;
    let text = "name: mine\nsources:\n  - file: a.csv\n    leads:\n      lead_id: Id\n      created_at: Created\n      source: { column: Lead Source, optional: true }\n      contact_id: Id\n    contacts:\n      contact_id: Id\n";
    let out = tempfile::tempdir()?;
    let err = Mapping::parse(text, "m.yaml")?
        .apply(export.path(), out.path(), &ApplyOptions::default())
        .err()
        .ok_or("an unmapped column passed")?;
    assert_eq!(
        err.to_string(),
        format!(
            "{} line 1, column 3: the mapping \"mine\" does not say what \"Lead Sorce\" becomes; map it, or list it under the source's drop, or set the source's others to drop or custom",
            export.path().join("a.csv").display()
        )
    );
    Ok(())
}

#[test]
fn a_proposal_reads_the_export_it_was_made_from() -> Result {
    let export = tempfile::tempdir()?;
    let header_with_near_miss = SALESFORCE_LEADS.replacen("LeadSource", "Lead Sorce", 1);
    let file = export.path().join("crm-leads.csv");
    std::fs::write(&file, &header_with_near_miss)?;
    let proposal = propose(&file)?;
    assert_eq!(proposal.based_on, "salesforce");
    assert!(
        proposal
            .near
            .contains(&("Lead Sorce".to_owned(), "LeadSource".to_owned())),
        "{:?}",
        proposal.near
    );
    assert!(
        proposal
            .yaml
            .contains("# CHECK: column \"Lead Sorce\" was taken for \"LeadSource\"")
    );
    let mapping = Mapping::parse(&proposal.yaml, "proposal.yaml")?;
    let (_, data, _out) = load(&mapping, &file)?;
    assert_eq!(data.leads.len(), 3);
    assert_eq!(data.leads[0].source.as_deref(), Some("Web"));
    Ok(())
}

/// Regression: an export with Windows line breaks (`\r\n`, as Excel saves
/// CSV) named its problems one line too early (the CSV reader's own line
/// count) until lines were counted as the DATA.md readers count them.
#[test]
fn windows_line_breaks_name_the_right_line() -> Result {
    let export = tempfile::tempdir()?;
    let crlf = SALESFORCE_LEADS
        .replace("Closed - Not Converted", "Closed - Lost")
        .replace('\n', "\r\n");
    write(export.path(), "Lead.csv", &crlf)?;
    let out = tempfile::tempdir()?;
    let err = shipped("salesforce")?
        .apply(export.path(), out.path(), &ApplyOptions::default())
        .err()
        .ok_or("the bad export was mapped")?;
    assert!(
        err.to_string().starts_with(&format!(
            "{} line 3, column Status: \"Closed - Lost\"",
            export.path().join("Lead.csv").display()
        )),
        "{err}"
    );
    // And the readers' problems, relocated, too.
    let twice = SALESFORCE_LEADS
        .replace("00Q5e00000AbCdE3", "00Q5e00000AbCdE1")
        .replace('\n', "\r\n");
    write(export.path(), "Lead.csv", &twice)?;
    let err = load(&shipped("salesforce")?, export.path())
        .err()
        .ok_or("a repeated id was read")?;
    assert!(
        err.to_string()
            .contains("line 4, column Id: duplicate lead_id"),
        "{err}"
    );
    assert!(err.to_string().ends_with("Lead.csv line 2)"), "{err}");
    Ok(())
}

/// Regression: a flat table with an outcome was proposed as a Dynamics 365
/// contact export (its `Lead ID` and `Status` matched Dynamics' names) and
/// lost its leads; the proposal is now the source that makes the most
/// complete records, leads first.
#[test]
fn a_flat_table_is_proposed_as_one() -> Result {
    let export = tempfile::tempdir()?;
    let file = export.path().join("x-export.csv");
    std::fs::write(
        &file,
        "Lead ID,Lead Sorce,Status,Created,TotalVisits,Converted\n1,Web,Open,05/11/2026,3,1\n2,Ads,Open,13/11/2026,1,0\n",
    )?;
    let proposal = propose(&file)?;
    assert_eq!(proposal.based_on, "flat", "{}", proposal.yaml);
    assert!(
        proposal.yaml.contains("order: day-first"),
        "{}",
        proposal.yaml
    );
    assert!(
        proposal
            .near
            .contains(&("Lead Sorce".to_owned(), "Lead Source".to_owned())),
        "{:?}",
        proposal.near
    );
    let (_, data, _out) = load(&Mapping::parse(&proposal.yaml, "p.yaml")?, &file)?;
    assert_eq!(data.leads.len(), 2);
    assert_eq!(status(&data, "1"), Some(LeadStatus::Qualified));
    assert_eq!(data.leads[1].created_at.to_string(), "2026-11-13T00:00:00Z");
    assert_eq!(data.leads[0].custom.get("TotalVisits"), Some("3"));
    Ok(())
}
