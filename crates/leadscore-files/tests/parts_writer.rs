//! Records written straight into parts ([`PartsWriter`], what retraining
//! does with a store's export) give the rows of the folder the same records
//! make, read a part at a time.

mod support;

use std::path::Path;

use leadscore_domain::{
    Account, AccountId, Dataset, ExternalIds, FieldNames, Interaction, InteractionId,
    InteractionKind, Timestamp,
};
use leadscore_files::{
    FilesError, FolderWriter, Format, LeadRowOptions, LeadRows, LeadSelection, PartStep,
    PartsWriter, ReadOptions, read_folder, read_lead_rows_in_parts,
};

use support::{TestResult, neighbourhoods, sample};

/// A folder's records, as a store's export would give them.
fn records(dir: &Path) -> Result<Dataset, Box<dyn std::error::Error>> {
    Ok(read_folder(dir, &ReadOptions::default())?
        .resolve(&ExternalIds::default())?
        .dataset)
}

/// `data` in chunks of `size` records in a store's export order: accounts,
/// contacts, leads, the interactions (here last first: a store gives them
/// in its own order), then the custom records.
fn chunks(data: &Dataset, size: usize) -> Vec<Dataset> {
    let size = size.max(1);
    let mut out = Vec::new();
    for accounts in data.accounts.chunks(size) {
        out.push(Dataset {
            accounts: accounts.to_vec(),
            ..Dataset::default()
        });
    }
    for contacts in data.contacts.chunks(size) {
        out.push(Dataset {
            contacts: contacts.to_vec(),
            ..Dataset::default()
        });
    }
    for leads in data.leads.chunks(size) {
        out.push(Dataset {
            leads: leads.to_vec(),
            ..Dataset::default()
        });
    }
    let reversed: Vec<Interaction> = data.interactions.iter().rev().cloned().collect();
    for interactions in reversed.chunks(size) {
        out.push(Dataset {
            interactions: interactions.to_vec(),
            ..Dataset::default()
        });
    }
    for (entity, records) in &data.custom {
        for records in records.chunks(size) {
            let mut chunk = Dataset::default();
            chunk.custom.insert(entity.clone(), records.to_vec());
            out.push(chunk);
        }
    }
    out
}

/// The rows of `data` written into parts of `leads_per_part` leads, and
/// how many parts; the scratch folder is checked to be empty once they are
/// read.
fn written(
    data: &Dataset,
    options: &LeadRowOptions,
    leads_per_part: usize,
    chunk: usize,
) -> Result<(LeadRows, usize), Box<dyn std::error::Error>> {
    let scratch = tempfile::tempdir()?;
    let mut writer = PartsWriter::create(scratch.path(), &FieldNames::of(data), leads_per_part)?;
    for chunk in chunks(data, chunk) {
        writer.write(chunk)?;
    }
    let mut copied = false;
    let parts = writer.finish(options, &mut |step, _| {
        copied |= step == PartStep::Splitting;
    })?;
    let count = parts.parts();
    assert_eq!(
        copied,
        count > 1,
        "the other records are copied into the parts, when there are several"
    );
    let rows = parts.gather(&mut |_, _| {})?;
    assert_eq!(
        std::fs::read_dir(scratch.path())?.count(),
        0,
        "no scratch left"
    );
    Ok((rows, count))
}

/// The rows of the folder `data` makes (written as retraining wrote its
/// copy of the store before), read a part at a time.
fn from_folder(
    data: &Dataset,
    options: &LeadRowOptions,
    leads_per_part: usize,
) -> Result<LeadRows, Box<dyn std::error::Error>> {
    let copy = tempfile::tempdir()?;
    let mut folder = FolderWriter::create(copy.path(), Format::Csv, &FieldNames::of(data))?;
    folder.write(data)?;
    folder.finish()?;
    let scratch = tempfile::tempdir()?;
    Ok(read_lead_rows_in_parts(
        copy.path(),
        options,
        leads_per_part,
        scratch.path(),
        &mut |_, _| {},
    )?)
}

fn assert_same(folder: &LeadRows, written: &LeadRows) {
    assert_eq!(written.lead_ids, folder.lead_ids);
    assert_eq!(written.file_rows, folder.file_rows);
    assert_eq!(written.outcomes, folder.outcomes);
    assert_eq!(written.as_of, folder.as_of);
    assert_eq!(written.created_at, folder.created_at);
    assert_eq!(written.features, folder.features);
    assert_eq!(written.quality, folder.quality);
    assert_eq!(written.excluded, folder.excluded);
}

fn options() -> Result<[LeadRowOptions; 2], Box<dyn std::error::Error>> {
    Ok([
        // Retraining's: the closed leads, each as of its close.
        LeadRowOptions {
            select: LeadSelection::Closed,
            at: Some(Timestamp::parse("2026-10-01")?),
            closed_from: Some(Timestamp::parse("2025-01-01")?),
            ..LeadRowOptions::default()
        },
        LeadRowOptions {
            select: LeadSelection::All,
            at: Some(Timestamp::parse("2026-10-01")?),
            ..LeadRowOptions::default()
        },
    ])
}

#[test]
fn the_samples_records_written_into_parts_give_the_folders_rows() -> TestResult {
    let data = records(&sample())?;
    for options in options()? {
        let folder = from_folder(&data, &options, 300)?;
        assert!(
            folder.lead_ids.len() > 100,
            "{} rows",
            folder.lead_ids.len()
        );
        for (leads_per_part, chunk) in [(300, 1000), (1_000_000, 8192), (50, 7)] {
            let (rows, count) = written(&data, &options, leads_per_part, chunk)?;
            if leads_per_part < 1000 {
                assert!(count > 5, "{count} parts");
            } else {
                assert_eq!(count, 1);
            }
            assert_same(&folder, &rows);
        }
    }
    Ok(())
}

/// Shared accounts, a visitor listed by two contacts, interactions of
/// nobody and of a custom kind, a custom entity's time column, columns that
/// are numbers in some parts and text in others: every part size gives the
/// folder's rows.
#[test]
fn neighbourhoods_written_into_parts_give_the_folders_rows() -> TestResult {
    let dir = neighbourhoods()?;
    let data = records(dir.path())?;
    for options in options()? {
        let folder = from_folder(&data, &options, 1)?;
        for leads_per_part in 1..=6 {
            for chunk in [1, 2, 100] {
                let (rows, _) = written(&data, &options, leads_per_part, chunk)?;
                assert_same(&folder, &rows);
            }
        }
    }
    Ok(())
}

#[test]
fn an_account_after_the_interactions_is_refused() -> TestResult {
    let data = records(&sample())?;
    let scratch = tempfile::tempdir()?;
    let mut writer = PartsWriter::create(scratch.path(), &FieldNames::of(&data), 100)?;
    for chunk in chunks(&data, 5000) {
        writer.write(chunk)?;
    }
    let late = Dataset {
        accounts: vec![Account::new(AccountId::parse("A-late")?)],
        ..Dataset::default()
    };
    let e = writer
        .write(late)
        .err()
        .ok_or("a late account was accepted")?;
    assert!(matches!(e, FilesError::LeadRows { .. }), "{e:?}");
    assert!(
        e.to_string().contains("after the interactions began"),
        "{e}"
    );
    drop(writer);
    assert_eq!(std::fs::read_dir(scratch.path())?.count(), 0);
    Ok(())
}

#[test]
fn an_interaction_naming_an_unknown_contact_is_refused() -> TestResult {
    let data = records(&sample())?;
    let scratch = tempfile::tempdir()?;
    let mut writer = PartsWriter::create(scratch.path(), &FieldNames::of(&data), 100)?;
    for chunk in chunks(&data, 5000) {
        if chunk.interactions.is_empty() {
            writer.write(chunk)?;
        }
    }
    let mut stray = Interaction::new(
        InteractionId::parse("I-stray")?,
        InteractionKind::EmailOpened,
        Timestamp::parse("2026-01-01")?,
    );
    stray.contact_id = Some(leadscore_domain::ContactId::parse("C-nobody")?);
    let e = writer
        .write(Dataset {
            interactions: vec![stray],
            ..Dataset::default()
        })
        .err()
        .ok_or("an interaction of an unknown contact was accepted")?;
    let text = e.to_string();
    assert!(
        text.contains("\"I-stray\"") && text.contains("contact_id") && text.contains("C-nobody"),
        "{text}"
    );
    Ok(())
}
