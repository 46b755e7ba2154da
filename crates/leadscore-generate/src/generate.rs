//! The run: chunks generated on worker threads, written in order, moved into
//! place at the end.

use std::path::Path;
use std::sync::mpsc;
use std::thread;

use serde::Serialize;

use crate::calendar::Calendar;
use crate::world::{Chunk, Context, generate_chunk};
use crate::write::{FILES, Writer};
use crate::{GenerateError, GeneratorConfig};

/// How far a run has come; reported once per chunk written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Leads written so far.
    pub leads_done: u64,
    /// Leads the run writes in all.
    pub leads_total: u64,
}

/// What a run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenerateSummary {
    /// Rows of `accounts.csv`.
    pub accounts: u64,
    /// Rows of `contacts.csv`.
    pub contacts: u64,
    /// Rows of `leads.csv`.
    pub leads: u64,
    /// Rows of `interactions.csv`.
    pub interactions: u64,
    /// Rows of `custom/Meeting.csv`.
    pub custom_records: u64,
    /// Bytes of all files together.
    pub bytes: u64,
}

/// Writes a synthetic lead history (DATA.md layout) into `out_dir`, creating it
/// if missing: `accounts.csv`, `contacts.csv`, `leads.csv`, `interactions.csv`
/// and `custom/Meeting.csv`.
///
/// An `out_dir` that already holds anything (files or folders, hidden ones
/// too) is refused with [`GenerateError::FolderNotEmpty`] before anything is
/// written: a run never writes over files. An empty existing folder is used.
///
/// The same configuration gives byte-identical files, whatever the number of
/// threads. Files are written into a hidden folder inside `out_dir`
/// ([`leadscore_fs::Staging`]) and moved into place only when all are complete;
/// on error that folder is removed and `out_dir` keeps what it had. `progress` is called after each chunk.
pub fn generate(
    config: &GeneratorConfig,
    out_dir: &Path,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<GenerateSummary, GenerateError> {
    refuse_non_empty(out_dir)?;
    let staging = leadscore_fs::Staging::create(out_dir)?;
    let plan = config.plan();
    let seed = config.seed();
    let as_of = config.as_of_seconds();
    let ctx = Context {
        as_of,
        calendar: Calendar::new(seed, as_of),
    };
    let mut writer = Writer::create(staging.dir(), plan.widths, ctx.calendar)?;
    let workers = config
        .worker_count()
        .min(usize::try_from(plan.chunks).unwrap_or(usize::MAX))
        .max(1);

    thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(workers);
        let mut handles = Vec::with_capacity(workers);
        for w in 0..workers {
            // One chunk in the channel and one in the making per worker bounds memory.
            let (tx, rx) = mpsc::sync_channel::<Chunk>(1);
            receivers.push(rx);
            let ctx = &ctx;
            handles.push(scope.spawn(move || {
                let mut i = w as u64;
                while i < plan.chunks {
                    let chunk = generate_chunk(ctx, seed, i, plan.leads_in(i));
                    if tx.send(chunk).is_err() {
                        break;
                    }
                    i += workers as u64;
                }
            }));
        }
        let mut written = || -> Result<(), GenerateError> {
            let mut done = 0;
            for i in 0..plan.chunks {
                let rx = receivers
                    .get((i % workers as u64) as usize)
                    .ok_or(GenerateError::Worker { chunk: i })?;
                let chunk = rx.recv().map_err(|_| GenerateError::Worker { chunk: i })?;
                writer.write_chunk(&chunk)?;
                done += chunk.leads.len() as u64;
                progress(Progress {
                    leads_done: done,
                    leads_total: plan.leads,
                });
            }
            Ok(())
        };
        let result = written();
        // Workers still running see their channel closed and stop.
        drop(receivers);
        let mut joined = Ok(());
        for handle in handles {
            if handle.join().is_err() {
                joined = Err(GenerateError::Worker { chunk: 0 });
            }
        }
        result.and(joined)
    })?;

    let counts = writer.counts();
    let bytes = writer.finish()?;
    let names = FILES.map(|(name, _)| name);
    staging.publish(&names)?;
    Ok(GenerateSummary {
        accounts: counts.accounts,
        contacts: counts.contacts,
        leads: counts.leads,
        interactions: counts.interactions,
        custom_records: counts.meetings,
        bytes,
    })
}

/// Refuses an existing output folder that holds anything
/// ([`GenerateError::FolderNotEmpty`]); a missing one (or a path that is not
/// a folder, which creating the folder then reports) passes.
fn refuse_non_empty(out_dir: &Path) -> Result<(), GenerateError> {
    if !out_dir.is_dir() {
        return Ok(());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(out_dir).map_err(GenerateError::io(out_dir))? {
        let entry = entry.map_err(GenerateError::io(out_dir))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let total = names.len();
    names.truncate(crate::error::LISTED_ENTRIES);
    Err(GenerateError::FolderNotEmpty {
        path: out_dir.to_path_buf(),
        entries: names,
        total,
    })
}
