//! The newest lead's creation time, from the leads files alone: what a
//! review "as of the newest lead" needs before it reads the folder's rows.

use std::path::Path;

use leadscore_domain::{
    Account, Contact, CustomRecord, EntityName, FutureLimit, InteractionRow, Lead, ReadProgress,
    RecordSink, RecordType, Timestamp, UnknownReference,
};

use super::LeadRowOptions;
use crate::{FilesError, StreamOptions, stream_folder};

/// The creation time of the newest lead of the DATA.md folder `dir` that
/// [`LeadSelection::All`](super::LeadSelection::All) as of `at` keeps (one
/// created at or before `at`); `None` when there is none. Only the leads
/// files are read, each value checked as every reader checks it, with
/// `options`' future tolerance and declared fields (of the other files only
/// the header); the references are left to the read of the whole folder.
/// `progress` hears how far the reading is.
///
/// Errors: those of [`stream_folder`] on the leads files.
pub fn newest_lead(
    dir: &Path,
    options: &LeadRowOptions,
    at: Timestamp,
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<Option<Timestamp>, FilesError> {
    let stream = StreamOptions {
        skip_bad_rows: false,
        future: FutureLimit::new(options.future_tolerance, Some(at)),
        declared: options.declared.clone(),
    };
    let mut sink = Newest {
        at,
        newest: None,
        progress,
    };
    stream_folder(dir, &mut sink, &stream)?;
    Ok(sink.newest)
}

/// Keeps the newest creation time at or before `at`.
struct Newest<'p> {
    at: Timestamp,
    newest: Option<Timestamp>,
    progress: &'p mut dyn FnMut(ReadProgress),
}

impl RecordSink for Newest<'_> {
    fn account(&mut self, _: Account) -> Result<(), UnknownReference> {
        Ok(())
    }

    fn contact(&mut self, _: Contact) -> Result<(), UnknownReference> {
        Ok(())
    }

    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        if lead.created_at <= self.at {
            self.newest = self.newest.max(Some(lead.created_at));
        }
        Ok(())
    }

    fn custom(&mut self, _: &EntityName, _: CustomRecord) -> Result<(), UnknownReference> {
        Ok(())
    }

    fn interaction(&mut self, _: InteractionRow<'_>) -> Result<(), UnknownReference> {
        Ok(())
    }

    fn wants_property(&self, _: &str) -> bool {
        false
    }

    fn wants_records(&self, record: &RecordType) -> bool {
        *record == RecordType::Lead
    }

    fn read_progress(&mut self, progress: ReadProgress) {
        (self.progress)(progress);
    }
}
