//! Records written straight into parts of whole neighbourhoods as they come
//! from a store's export, for what builds lead rows from a store
//! (retraining).
//!
//! A store's records were checked when they were imported, and a store's
//! export gives every account, contact and lead before the first
//! interaction. So the neighbourhoods are learnt from the records as they
//! come, and when the interactions begin (most of a store) the parts are
//! planned and each interaction is written into its part at once: the
//! records are not written as one folder to be read back, checked and split
//! ([`split_folder`](super::split_folder)). Only the accounts, contacts, leads
//! and custom records are written first into a folder of their own, and
//! copied into the parts once all have come; that folder is then deleted.

use std::path::{Path, PathBuf};

use leadscore_domain::{
    Dataset, Declared, FieldNames, Interaction, ReadProgress, RecordType, STANDARD_KINDS,
    UnknownReference,
};

use super::check::{Neighbourhoods, Node};
use super::copy::{Copier, CopyPass};
use super::parts::{LeadRowParts, Split};
use super::split::{FolderPart, PartProperties, PartStep, Plan};
use super::{LeadRowOptions, check_options};
use crate::ordered::scratch_folder;
use crate::stream::revisit_folder;
use crate::{FilesError, FolderWriter, Format};

/// The name of the folder of the records but the interactions, inside the
/// scratch folder.
const PROFILES: &str = "records";

/// Interactions gathered for a part before they are written together.
const PENDING: usize = 4096;

/// Records written into parts of whole neighbourhoods of at least a number
/// of leads, as [`read_lead_row_parts`](super::read_lead_row_parts) splits a
/// folder, in the order a store's export gives them: every account, contact
/// and lead before the first interaction; custom records at any time.
/// [`finish`](Self::finish) gives the parts' [`LeadRowParts`], whose rows are
/// those of the folder the same records make.
///
/// Memory holds the ids' neighbourhoods (as the check pass of
/// [`split_folder`](super::split_folder) does) and a few thousand
/// interactions a part; the scratch folder, removed when the writer or its
/// parts are dropped, holds the parts, and until they are complete the
/// other records once more.
pub struct PartsWriter {
    scratch: tempfile::TempDir,
    /// The accounts, contacts, leads and custom records (and the
    /// interactions too when the leads fit in one part).
    profiles: FolderWriter,
    names: FieldNames,
    per_part: usize,
    hoods: Neighbourhoods,
    stage: Stage,
    /// The contact id of the last interaction that named one, and its node.
    last_contact: String,
    last_owner: Option<Node>,
}

/// Where the writing stands.
enum Stage {
    /// No interaction has come: accounts, contacts and leads may.
    Profiles,
    /// The leads fit in one part: the interactions join the other records,
    /// whose folder is then the one part.
    Whole,
    /// Each interaction goes into its part.
    Parts(Box<Spread>),
}

/// The parts being written.
struct Spread {
    /// Copies the other records into the parts at the end; holds the plan.
    copier: Copier,
    /// Each part's interactions file.
    writers: Vec<FolderWriter>,
    /// Each part's interactions not yet written.
    pending: Vec<Vec<Interaction>>,
}

impl Spread {
    /// Writes the interactions gathered for part `part`.
    fn flush(&mut self, part: usize) -> Result<(), FilesError> {
        let (Some(pending), Some(writer)) =
            (self.pending.get_mut(part), self.writers.get_mut(part))
        else {
            return Ok(());
        };
        if pending.is_empty() {
            return Ok(());
        }
        let chunk = Dataset {
            interactions: std::mem::take(pending),
            ..Dataset::default()
        };
        writer.write(&chunk)
    }
}

impl PartsWriter {
    /// Begins writing into a new scratch folder made inside `scratch`, with
    /// the custom field names `names` gives, in parts of at least
    /// `leads_per_part` leads.
    ///
    /// Errors: [`FilesError::Io`] when the scratch folder cannot be made.
    pub fn create(
        scratch: &Path,
        names: &FieldNames,
        leads_per_part: usize,
    ) -> Result<Self, FilesError> {
        let scratch = scratch_folder(scratch, ".leadscore-parts-")?;
        let profiles = FolderWriter::create(&scratch.path().join(PROFILES), Format::Csv, names)?;
        let entities = names
            .custom
            .iter()
            .map(|(entity, fields)| (entity.clone(), fields.iter().cloned().collect()));
        Ok(Self {
            scratch,
            profiles,
            names: names.clone(),
            per_part: leads_per_part.max(1),
            hoods: Neighbourhoods::of_entities(entities),
            stage: Stage::Profiles,
            last_contact: String::new(),
            last_owner: None,
        })
    }

    /// The folder of the records but the interactions.
    fn profiles_dir(&self) -> PathBuf {
        self.scratch.path().join(PROFILES)
    }

    /// Writes a chunk of records.
    ///
    /// Errors: [`FilesError::LeadRows`] for an account, contact or lead after
    /// the first interaction, or a record naming an account, contact or lead
    /// not written before it; [`FilesError::Io`] or [`FilesError::Write`]
    /// when the scratch folder cannot be written.
    pub fn write(&mut self, chunk: Dataset) -> Result<(), FilesError> {
        let Dataset {
            accounts,
            contacts,
            leads,
            interactions,
            custom,
        } = chunk;
        let profiles = !(accounts.is_empty() && contacts.is_empty() && leads.is_empty());
        if profiles && !matches!(self.stage, Stage::Profiles) {
            return Err(self.refused(
                "an account, contact or lead came after the interactions began; every one \
                 must come first",
            ));
        }
        let hoods = &mut self.hoods;
        for account in &accounts {
            hoods.add_account(account.account_id.as_str());
        }
        for contact in &contacts {
            hoods
                .add_contact(
                    contact.contact_id.as_str(),
                    contact.account_id.as_ref().map(|a| a.as_str()),
                    contact.visitor_id.as_ref().map(|v| v.as_str()),
                )
                .map_err(|e| unknown(&self.scratch, "contact", contact.contact_id.as_str(), e))?;
        }
        for lead in &leads {
            hoods
                .add_lead(
                    lead.lead_id.as_str(),
                    lead.contact_id.as_ref().map(|c| c.as_str()),
                    lead.account_id.as_ref().map(|a| a.as_str()),
                )
                .map_err(|e| unknown(&self.scratch, "lead", lead.lead_id.as_str(), e))?;
        }
        for (entity, records) in &custom {
            for record in records {
                hoods
                    .add_custom(entity, record.lead_id.as_str(), &record.fields)
                    .map_err(|e| {
                        unknown(&self.scratch, entity.as_str(), record.record_id.as_str(), e)
                    })?;
            }
        }
        let others = Dataset {
            accounts,
            contacts,
            leads,
            interactions: Vec::new(),
            custom,
        };
        if !others.is_empty() {
            self.profiles.write(&others)?;
        }
        if !interactions.is_empty() {
            self.interactions(interactions)?;
        }
        Ok(())
    }

    /// An error naming the scratch folder.
    fn refused(&self, message: &str) -> FilesError {
        FilesError::LeadRows {
            path: self.scratch.path().to_path_buf(),
            message: message.to_owned(),
        }
    }

    /// Plans the parts (every lead has come) and begins each one's
    /// interactions file; with one part, the interactions join the others.
    fn plan(&mut self) -> Result<(), FilesError> {
        let plan = Plan::new(&self.hoods, self.per_part);
        if plan.parts <= 1 {
            self.stage = Stage::Whole;
            return Ok(());
        }
        let copier = Copier::new(
            &self.profiles_dir(),
            plan,
            &PartProperties::None,
            &self.scratch,
        );
        let writers = copier
            .parts
            .iter()
            .map(|part| {
                FolderWriter::create_of(
                    &part.dir,
                    Format::Csv,
                    &self.names,
                    vec![RecordType::Interaction],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pending = vec![Vec::new(); writers.len()];
        self.stage = Stage::Parts(Box::new(Spread {
            copier,
            writers,
            pending,
        }));
        Ok(())
    }

    /// Sends each interaction to its owner's part (one that belongs to no
    /// contact, or to a neighbourhood without leads, to none).
    fn interactions(&mut self, interactions: Vec<Interaction>) -> Result<(), FilesError> {
        if let Stage::Profiles = self.stage {
            self.plan()?;
        }
        let mut whole = Vec::new();
        for interaction in interactions {
            let owner = self.owner(&interaction)?;
            self.hoods.add_interaction(interaction.kind.as_str(), owner);
            match &mut self.stage {
                Stage::Parts(spread) => {
                    let Some(part) = spread.copier.plan.of(owner) else {
                        continue;
                    };
                    let full = spread.pending.get_mut(part).is_some_and(|pending| {
                        pending.push(interaction);
                        pending.len() >= PENDING
                    });
                    if full {
                        spread.flush(part)?;
                    }
                }
                Stage::Whole | Stage::Profiles => whole.push(interaction),
            }
        }
        if !whole.is_empty() {
            let chunk = Dataset {
                interactions: whole,
                ..Dataset::default()
            };
            self.profiles.write(&chunk)?;
        }
        Ok(())
    }

    /// The node an interaction belongs to (see [`Neighbourhoods::owner`]),
    /// its contact and lead known.
    fn owner(&mut self, interaction: &Interaction) -> Result<Option<Node>, FilesError> {
        let id = interaction.interaction_id.as_str();
        let refused = |e| unknown(&self.scratch, "interaction", id, e);
        self.hoods
            .known_lead(interaction.lead_id.as_ref().map(|l| l.as_str()))
            .map_err(refused)?;
        match &interaction.contact_id {
            // Interactions often come grouped by contact.
            Some(contact) if contact.as_str() == self.last_contact => Ok(self.last_owner),
            Some(contact) => {
                let owner = self
                    .hoods
                    .known_contact(Some(contact.as_str()))
                    .map_err(refused)?;
                self.last_contact.clear();
                self.last_contact.push_str(contact.as_str());
                self.last_owner = owner;
                Ok(owner)
            }
            None => Ok(self
                .hoods
                .owner(None, interaction.visitor_id.as_ref().map(|v| v.as_str()))),
        }
    }

    /// Ends the writing: the other records are copied into the parts (their
    /// folder then deleted), and the parts are read with `options` (whose
    /// declared fields and kinds gain those the records hold). `progress`
    /// hears how far the copy is ([`PartStep::Splitting`], in bytes).
    ///
    /// Errors: [`FilesError::ScoringTimeRequired`] for options that cannot
    /// select leads, and those of the scratch folder's writing and reading.
    pub fn finish(
        mut self,
        options: &LeadRowOptions,
        progress: &mut dyn FnMut(PartStep, ReadProgress),
    ) -> Result<LeadRowParts, FilesError> {
        check_options(options)?;
        if let Stage::Profiles = self.stage {
            self.plan()?;
        }
        let Self {
            scratch,
            profiles,
            names,
            hoods,
            stage,
            ..
        } = self;
        profiles.finish()?;
        let dir = scratch.path().join(PROFILES);
        let mut options = options.clone();
        options.declared = declared(&options.declared, &names, &hoods);
        options.kinds.extend(hoods.kinds().cloned());
        let parts = match stage {
            Stage::Parts(mut spread) => {
                for part in 0..spread.writers.len() {
                    spread.flush(part)?;
                }
                let Spread {
                    mut copier,
                    writers,
                    ..
                } = *spread;
                for writer in writers {
                    writer.finish()?;
                }
                let mut pass = CopyPass {
                    copier: &mut copier,
                    hoods: &hoods,
                    reads: &|record| *record != RecordType::Interaction,
                    progress: &mut |p| progress(PartStep::Splitting, p),
                    interactions_again: false,
                };
                revisit_folder(&dir, &options.declared, &mut pass)?;
                std::fs::remove_dir_all(&dir).map_err(|source| FilesError::Io {
                    path: dir.clone(),
                    source,
                })?;
                copier.parts
            }
            Stage::Whole | Stage::Profiles => vec![FolderPart {
                dir,
                file_rows: None,
            }],
        };
        let split = Split {
            parts,
            leads: hoods.leads().count() as u64,
            entity_times: hoods.entity_times(),
            scratch: Some(scratch),
        };
        let source = split
            .scratch
            .as_ref()
            .map_or_else(PathBuf::new, |s| s.path().to_path_buf());
        Ok(LeadRowParts::new(&source, options, split))
    }
}

/// `declared` with the custom fields `names` gives for accounts, contacts
/// and leads, and the custom interaction kinds the records hold: they were
/// accepted when imported.
fn declared(declared: &Declared, names: &FieldNames, hoods: &Neighbourhoods) -> Declared {
    let mut declared = declared.clone();
    for (record, fields) in [
        (RecordType::Account, &names.accounts),
        (RecordType::Contact, &names.contacts),
        (RecordType::Lead, &names.leads),
    ] {
        for name in fields {
            declared.declare_field(record.clone(), name.clone());
        }
    }
    declared.kinds.extend(
        hoods
            .kinds()
            .filter(|kind| !STANDARD_KINDS.contains(&kind.as_str()))
            .cloned(),
    );
    declared
}

/// A record naming an account, contact or lead not written before it.
fn unknown(scratch: &tempfile::TempDir, record: &str, id: &str, e: UnknownReference) -> FilesError {
    FilesError::LeadRows {
        path: scratch.path().to_path_buf(),
        message: format!(
            "{record} {id:?} names {} {:?}, which was not written before it",
            e.column, e.id
        ),
    }
}
