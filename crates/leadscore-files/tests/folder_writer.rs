//! A folder written a chunk at a time (`FolderWriter`, the streamed export's
//! writer) is the folder `write_folder` writes from the whole dataset, in
//! CSV byte for byte and in Parquet record for record, over chunk seams and
//! Parquet row groups; it appears only when finished, and refuses a record
//! whose custom field it was not told of rather than lose the value.

mod support;

use std::path::Path;

use leadscore_domain::{Dataset, EntityName, FieldNames, Fields, Interaction, InteractionId};
use leadscore_files::{FolderWriter, Format, write_folder};

use support::{TestResult, load, sample};

/// `data` cut into chunks of at most `size` records, each of one type, in
/// the export's order (accounts, contacts, leads, interactions, custom).
fn chunks(data: &Dataset, size: usize) -> Vec<Dataset> {
    let mut out = Vec::new();
    for part in data.accounts.chunks(size) {
        out.push(Dataset {
            accounts: part.to_vec(),
            ..Dataset::default()
        });
    }
    for part in data.contacts.chunks(size) {
        out.push(Dataset {
            contacts: part.to_vec(),
            ..Dataset::default()
        });
    }
    for part in data.leads.chunks(size) {
        out.push(Dataset {
            leads: part.to_vec(),
            ..Dataset::default()
        });
    }
    for part in data.interactions.chunks(size) {
        out.push(Dataset {
            interactions: part.to_vec(),
            ..Dataset::default()
        });
    }
    for (entity, records) in &data.custom {
        for part in records.chunks(size) {
            let mut chunk = Dataset::default();
            chunk.custom.insert(entity.clone(), part.to_vec());
            out.push(chunk);
        }
    }
    out
}

fn write_chunked(data: &Dataset, dir: &Path, format: Format, size: usize) -> TestResult {
    let mut writer = FolderWriter::create(dir, format, &FieldNames::of(data))?;
    for chunk in chunks(data, size) {
        writer.write(&chunk)?;
    }
    writer.finish()?;
    Ok(())
}

/// Every file under `dir` (relative path, bytes), sorted.
fn files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                out.push((name, std::fs::read(&path)?));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[test]
fn csv_written_a_chunk_at_a_time_is_the_csv_written_whole() -> TestResult {
    let data = load(&sample(), false)?.dataset;
    let out = tempfile::tempdir()?;
    let whole = out.path().join("whole");
    write_folder(&data, &whole, Format::Csv)?;
    let expected = files(&whole)?;
    let names: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"interactions.csv"), "{names:?}");
    for size in [1_000, 4_096, 7_919] {
        let dir = out.path().join(format!("chunks-{size}"));
        write_chunked(&data, &dir, Format::Csv, size)?;
        assert!(files(&dir)? == expected, "chunks of {size}");
    }
    Ok(())
}

#[test]
fn parquet_written_a_chunk_at_a_time_reads_back_the_same_records() -> TestResult {
    // Three times the sample's interactions: more than one row group.
    let mut data = load(&sample(), false)?.dataset;
    let copies: Vec<Interaction> = (1..3)
        .flat_map(|copy| {
            data.interactions.iter().filter_map(move |i| {
                let mut i = i.clone();
                i.interaction_id =
                    InteractionId::parse(format!("{}~{copy}", i.interaction_id)).ok()?;
                Some(i)
            })
        })
        .collect();
    data.interactions.extend(copies);
    data.interactions
        .sort_by(|a, b| a.interaction_id.cmp(&b.interaction_id));
    assert!(data.interactions.len() > 1 << 17);
    let out = tempfile::tempdir()?;
    let dir = out.path().join("chunked");
    write_chunked(&data, &dir, Format::Parquet, 8_192)?;
    let again = load(&dir, false)?.dataset;
    assert_eq!(again, data);
    Ok(())
}

#[test]
fn every_type_gets_its_file_even_without_records() -> TestResult {
    let mut data = load(&sample(), false)?.dataset;
    data.interactions.clear();
    data.custom.clear();
    let out = tempfile::tempdir()?;
    let dir = out.path().join("no-interactions");
    write_chunked(&data, &dir, Format::Csv, 500)?;
    let interactions = std::fs::read_to_string(dir.join("interactions.csv"))?;
    assert_eq!(
        interactions.trim_end(),
        "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id"
    );
    assert_eq!(load(&dir, false)?.dataset, data);
    Ok(())
}

#[test]
fn a_writer_dropped_before_it_finished_leaves_nothing() -> TestResult {
    let data = load(&sample(), false)?.dataset;
    let out = tempfile::tempdir()?;
    for format in [Format::Csv, Format::Parquet] {
        let dir = out.path().join(format!("{format:?}"));
        let mut writer = FolderWriter::create(&dir, format, &FieldNames::of(&data))?;
        for chunk in chunks(&data, 1_000).iter().take(9) {
            writer.write(chunk)?;
        }
        drop(writer);
        assert_eq!(files(&dir)?, vec![], "{format:?}");
    }
    Ok(())
}

#[test]
fn a_field_not_named_up_front_is_refused() -> TestResult {
    let data = load(&sample(), false)?.dataset;
    let out = tempfile::tempdir()?;
    let dir = out.path().join("copy");
    let mut names = FieldNames::of(&data);
    names.accounts.clear();
    let mut writer = FolderWriter::create(&dir, Format::Csv, &names)?;
    let mut chunk = Dataset::default();
    let mut account = data
        .accounts
        .first()
        .cloned()
        .ok_or("the sample has accounts")?;
    let mut custom = Fields::new();
    custom.set("tier", "gold");
    account.custom = custom;
    chunk.accounts.push(account);
    let error = writer.write(&chunk).err().map(|e| e.to_string());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("tier") && e.contains("accounts.csv")),
        "{error:?}"
    );
    // A custom entity the writer was not begun with: refused too.
    let mut chunk = Dataset::default();
    let (_, records) = data
        .custom
        .iter()
        .next()
        .ok_or("the sample has custom records")?;
    chunk
        .custom
        .insert(EntityName::parse("Unheard")?, records.clone());
    let error = writer.write(&chunk).err().map(|e| e.to_string());
    assert!(error.is_some_and(|e| e.contains("Unheard")));
    Ok(())
}
