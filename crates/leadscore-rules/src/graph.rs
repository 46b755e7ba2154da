//! The lead graph that plans evaluate over: leads, their contacts and accounts,
//! interactions attributed to contacts, and related custom records, indexed for
//! evaluation.
//!
//! Interactions are kept column-wise and grouped per contact and kind, sorted by
//! time, so that a window is two binary searches and a count without filters is a
//! subtraction. Only the interaction properties the models read are kept (a
//! [`Projection`]), which bounds memory for large folders.

use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use leadscore_domain::attribution::takes_visitor;
use leadscore_domain::{
    Account, Contact, CustomRecord, Dataset, EntityName, Interaction, InteractionKind,
    InteractionRow, Lead, RecordSink, RecordType, UnknownReference,
};

use crate::error::RulesError;
use crate::ids::IdIndex;

/// "No record" in index columns.
pub(crate) const NONE: u32 = u32::MAX;

/// What of the records to keep: the interaction properties and, optionally, the
/// lead, contact and account fields and the custom entities. Ids, parents,
/// times, statuses and numbers are always kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// Property names to keep; `None` keeps all.
    properties: Option<HashSet<String>>,
    /// Record fields and custom entities to keep; `None` keeps all.
    records: Option<RecordProjection>,
    /// False when no interaction is kept.
    interactions: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct RecordProjection {
    lead: HashSet<String>,
    contact: HashSet<String>,
    account: HashSet<String>,
    customs: HashSet<EntityName>,
}

impl Default for Projection {
    /// Keeps everything.
    fn default() -> Self {
        Self::all()
    }
}

impl Projection {
    /// Keeps everything.
    pub fn all() -> Self {
        Self {
            properties: None,
            records: None,
            interactions: true,
        }
    }

    /// Also drops the lead, contact and account text fields (standard or custom)
    /// not named here, and the custom entities not named here.
    pub fn with_records(
        mut self,
        lead: impl IntoIterator<Item = String>,
        contact: impl IntoIterator<Item = String>,
        account: impl IntoIterator<Item = String>,
        customs: impl IntoIterator<Item = EntityName>,
    ) -> Self {
        self.records = Some(RecordProjection {
            lead: lead.into_iter().collect(),
            contact: contact.into_iter().collect(),
            account: account.into_iter().collect(),
            customs: customs.into_iter().collect(),
        });
        self
    }

    fn strip_lead(&self, lead: &mut Lead) {
        let Some(r) = &self.records else { return };
        let keep = |name: &str| r.lead.contains(name);
        drop_unless(&mut lead.topic, keep("topic"));
        drop_unless(&mut lead.source, keep("source"));
        drop_unless(&mut lead.disqualify_reason, keep("disqualify_reason"));
        lead.custom.retain(keep);
    }

    fn strip_contact(&self, contact: &mut Contact) {
        let Some(r) = &self.records else { return };
        let keep = |name: &str| r.contact.contains(name);
        drop_unless(&mut contact.first_name, keep("first_name"));
        drop_unless(&mut contact.last_name, keep("last_name"));
        drop_unless(&mut contact.email, keep("email"));
        drop_unless(&mut contact.job_title, keep("job_title"));
        drop_unless(&mut contact.city, keep("city"));
        drop_unless(&mut contact.country, keep("country"));
        contact.custom.retain(keep);
    }

    fn strip_account(&self, account: &mut Account) {
        let Some(r) = &self.records else { return };
        let keep = |name: &str| r.account.contains(name);
        drop_unless(&mut account.name, keep("name"));
        drop_unless(&mut account.industry, keep("industry"));
        drop_unless(&mut account.country, keep("country"));
        drop_unless(&mut account.city, keep("city"));
        account.custom.retain(keep);
    }

    fn keeps_entity(&self, entity: &EntityName) -> bool {
        self.records
            .as_ref()
            .is_none_or(|r| r.customs.contains(entity))
    }

    /// Keeps only the named interaction properties (and every record field).
    pub fn only<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            properties: Some(names.into_iter().map(Into::into).collect()),
            records: None,
            interactions: true,
        }
    }

    /// Keeps no interaction at all when `keep` is false (their references are
    /// still checked when they are added; a streamed folder's interaction files
    /// are then not read).
    pub fn with_interactions(mut self, keep: bool) -> Self {
        self.interactions = keep;
        self
    }

    /// True when interactions are kept.
    pub fn keeps_interactions(&self) -> bool {
        self.interactions
    }

    /// True when some interaction property is kept (with none kept, records
    /// may be read without their properties).
    pub fn keeps_any_property(&self) -> bool {
        self.properties.as_ref().is_none_or(|set| !set.is_empty())
    }

    /// The interaction properties kept; `None` when every one is.
    pub fn properties(&self) -> Option<&HashSet<String>> {
        self.properties.as_ref()
    }

    /// True when the records of this type are read: interactions only when
    /// kept, a custom entity's records only when the entity is.
    pub fn reads(&self, record: &RecordType) -> bool {
        match record {
            RecordType::Interaction => self.interactions,
            RecordType::Custom(entity) => self.keeps_entity(entity),
            RecordType::Account | RecordType::Contact | RecordType::Lead => true,
        }
    }

    /// True when the property is kept.
    pub fn keeps(&self, name: &str) -> bool {
        self.properties
            .as_ref()
            .is_none_or(|set| set.contains(name))
    }
}

fn drop_unless(field: &mut Option<String>, keep: bool) {
    if !keep {
        *field = None;
    }
}

/// Strings stored end to end in one buffer: far smaller than one allocation each.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrColumn {
    bytes: String,
    ends: Vec<u32>,
}

impl StrColumn {
    fn push(&mut self, value: &str) {
        self.bytes.push_str(value);
        // Offsets are u32 on purpose; a column past 4 GiB saturates (never reached by
        // the id and property columns kept here).
        self.ends
            .push(u32::try_from(self.bytes.len()).unwrap_or(u32::MAX));
    }

    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends[i] as usize;
        self.bytes.get(start..end).unwrap_or("")
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn permuted(&self, order: &[u32]) -> Self {
        let mut out = Self {
            bytes: String::with_capacity(self.bytes.len()),
            ends: Vec::with_capacity(order.len()),
        };
        for &i in order {
            out.push(self.get(i as usize));
        }
        out
    }
}

/// Builds a [`Graph`]: add accounts, then contacts, then leads, then custom records
/// and interactions, then [`GraphBuilder::finish`].
#[derive(Debug, Default)]
pub struct GraphBuilder {
    projection: Arc<Projection>,
    accounts: Vec<Account>,
    account_index: IdIndex,
    contacts: Vec<Contact>,
    contact_index: IdIndex,
    contact_account: Vec<u32>,
    visitor_index: IdIndex,
    leads: Vec<Lead>,
    lead_index: IdIndex,
    lead_contact: Vec<u32>,
    lead_account: Vec<u32>,
    kinds: Vec<InteractionKind>,
    kind_index: HashMap<InteractionKind, u32>,
    ix_contact: Vec<u32>,
    ix_kind: Vec<u32>,
    ix_time: Vec<i64>,
    ix_lead: Vec<u32>,
    ix_id: StrColumn,
    prop_names: Vec<String>,
    prop_values: Vec<StrColumn>,
    unattributed: u64,
    custom: Vec<CustomEntity>,
    custom_index: HashMap<EntityName, u32>,
    /// The contact id of the previous interaction and its position: files are
    /// often grouped by contact, and a hash lookup is a cache miss.
    last_contact: (String, u32),
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(NONE - 1)
}

impl GraphBuilder {
    /// An empty builder keeping the given interaction properties (a shared
    /// projection is not copied).
    pub fn new(projection: impl Into<Arc<Projection>>) -> Self {
        Self {
            projection: projection.into(),
            ..Self::default()
        }
    }

    /// Adds an account.
    pub fn add_account(&mut self, mut account: Account) {
        self.projection.strip_account(&mut account);
        let i = to_u32(self.accounts.len());
        let accounts = &self.accounts;
        self.account_index
            .insert(account.account_id.as_str(), i, |p| {
                accounts
                    .get(p as usize)
                    .map_or("", |a| a.account_id.as_str())
            });
        self.accounts.push(account);
    }

    /// Adds a contact; its account must have been added.
    pub fn add_contact(&mut self, mut contact: Contact) -> Result<(), UnknownReference> {
        let account = match &contact.account_id {
            Some(id) => self.account_ix(id.as_str(), "account_id")?,
            None => NONE,
        };
        self.projection.strip_contact(&mut contact);
        let i = to_u32(self.contacts.len());
        let contacts = &self.contacts;
        self.contact_index
            .insert(contact.contact_id.as_str(), i, |p| {
                contacts
                    .get(p as usize)
                    .map_or("", |c| c.contact_id.as_str())
            });
        // A visitor id several contacts list is the greatest contact id's
        // (leadscore_domain::attribution, whatever the order they come in).
        let owns_visitor = contact.visitor_id.as_ref().is_some_and(|visitor| {
            self.visitor_index
                .get(visitor.as_str())
                .and_then(|owner| contacts.get(owner as usize))
                .is_none_or(|owner| {
                    takes_visitor(owner.contact_id.as_str(), contact.contact_id.as_str())
                })
        });
        if let Some(visitor) = contact.visitor_id.as_ref().filter(|_| owns_visitor) {
            self.visitor_index.insert(visitor.as_str(), i, |p| {
                contacts
                    .get(p as usize)
                    .and_then(|c| c.visitor_id.as_ref())
                    .map_or("", |v| v.as_str())
            });
        }
        self.contact_account.push(account);
        self.contacts.push(contact);
        Ok(())
    }

    /// Adds a lead; its contact and account must have been added.
    pub fn add_lead(&mut self, mut lead: Lead) -> Result<(), UnknownReference> {
        let contact = match &lead.contact_id {
            Some(id) => self.contact_ix(id.as_str(), "contact_id")?,
            None => NONE,
        };
        self.projection.strip_lead(&mut lead);
        let account = match &lead.account_id {
            Some(id) => self.account_ix(id.as_str(), "account_id")?,
            None => NONE,
        };
        let i = to_u32(self.leads.len());
        let leads = &self.leads;
        self.lead_index.insert(lead.lead_id.as_str(), i, |p| {
            leads.get(p as usize).map_or("", |l| l.lead_id.as_str())
        });
        self.lead_contact.push(contact);
        self.lead_account.push(account);
        self.leads.push(lead);
        Ok(())
    }

    /// Adds a custom record; its lead must have been added. A record of an entity
    /// the projection leaves out is checked and dropped.
    pub fn add_custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        let lead = self.lead_ix(record.lead_id.as_str(), "lead_id")?;
        if !self.projection.keeps_entity(entity) {
            return Ok(());
        }
        let e = match self.custom_index.get(entity) {
            Some(&e) => e,
            None => {
                let e = to_u32(self.custom.len());
                self.custom.push(CustomEntity {
                    name: entity.clone(),
                    records: Vec::new(),
                    record_lead: Vec::new(),
                    by_lead: Csr::default(),
                });
                self.custom_index.insert(entity.clone(), e);
                e
            }
        };
        let entity = &mut self.custom[e as usize];
        entity.record_lead.push(lead);
        entity.records.push(record);
        Ok(())
    }

    /// Adds an interaction; the contact and lead it names must have been added. An
    /// interaction attributed to no contact (no `contact_id`, and a `visitor_id` no
    /// contact lists, if any) is counted and dropped: it counts for no score.
    pub fn add_interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        let contact = match (row.contact_id, row.visitor_id) {
            (Some(id), _) if id == self.last_contact.0 => self.last_contact.1,
            (Some(id), _) => {
                let c = self.contact_ix(id, "contact_id")?;
                self.last_contact.0.clear();
                self.last_contact.0.push_str(id);
                self.last_contact.1 = c;
                c
            }
            (None, Some(visitor)) => self.visitor_index.get(visitor).unwrap_or(NONE),
            (None, None) => NONE,
        };
        let lead = match row.lead_id {
            Some(id) => self.lead_ix(id, "lead_id")?,
            None => NONE,
        };
        if !self.projection.interactions {
            return Ok(());
        }
        if contact == NONE {
            self.unattributed += 1;
            return Ok(());
        }
        for (name, _) in row.properties {
            self.declare_property(name);
        }
        let kind = self.kind(row.kind);
        self.ix_contact.push(contact);
        self.ix_kind.push(kind);
        self.ix_time.push(row.occurred_at.as_micros());
        self.ix_lead.push(lead);
        self.ix_id.push(row.id);
        for (name, column) in self.prop_names.iter().zip(&mut self.prop_values) {
            let value = row
                .properties
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, v)| v);
            column.push(value);
        }
        Ok(())
    }

    /// Declares an interaction property column; only projected names are kept.
    fn declare_property(&mut self, name: &str) {
        if self.projection.keeps(name) && !self.prop_names.iter().any(|n| n == name) {
            self.prop_names.push(name.to_owned());
            let mut column = StrColumn::default();
            for _ in 0..self.ix_id.len() {
                column.push("");
            }
            self.prop_values.push(column);
        }
    }

    /// Adds a whole interaction record.
    pub fn add_interaction_record(
        &mut self,
        interaction: &Interaction,
    ) -> Result<(), UnknownReference> {
        let properties: Vec<(&str, &str)> = interaction
            .properties
            .iter()
            .filter(|(name, _)| self.projection.keeps(name))
            .collect();
        self.add_interaction(InteractionRow {
            id: interaction.interaction_id.as_str(),
            kind: &interaction.kind,
            occurred_at: interaction.occurred_at,
            contact_id: interaction.contact_id.as_ref().map(|c| c.as_str()),
            lead_id: interaction.lead_id.as_ref().map(|l| l.as_str()),
            visitor_id: interaction.visitor_id.as_ref().map(|v| v.as_str()),
            properties: &properties,
        })
    }

    fn kind(&mut self, kind: &InteractionKind) -> u32 {
        if let Some(&k) = self.kind_index.get(kind) {
            return k;
        }
        let k = to_u32(self.kinds.len());
        self.kinds.push(kind.clone());
        self.kind_index.insert(kind.clone(), k);
        k
    }

    fn account_ix(&self, id: &str, column: &'static str) -> Result<u32, UnknownReference> {
        lookup(&self.account_index, id, column)
    }

    fn contact_ix(&self, id: &str, column: &'static str) -> Result<u32, UnknownReference> {
        lookup(&self.contact_index, id, column)
    }

    fn lead_ix(&self, id: &str, column: &'static str) -> Result<u32, UnknownReference> {
        lookup(&self.lead_index, id, column)
    }

    /// Indexes everything added.
    pub fn finish(self) -> Graph {
        let n_contacts = self.contacts.len();
        // Interactions ordered by contact, kind, time.
        let mut order: Vec<u32> = (0..to_u32(self.ix_id.len())).collect();
        order.sort_unstable_by_key(|&i| {
            let i = i as usize;
            (self.ix_contact[i], self.ix_kind[i], self.ix_time[i], i)
        });
        let pick = |col: &[u32]| -> Vec<u32> { order.iter().map(|&i| col[i as usize]).collect() };
        let contact_col = pick(&self.ix_contact);
        let kind = pick(&self.ix_kind);
        let lead = pick(&self.ix_lead);
        let time: Vec<i64> = order.iter().map(|&i| self.ix_time[i as usize]).collect();
        let id = self.ix_id.permuted(&order);
        let props = self
            .prop_values
            .iter()
            .map(|column| column.permuted(&order))
            .collect();
        drop(order);
        // Runs of one kind per contact: contact -> [run], run = (kind, start, end).
        let mut runs = Vec::new();
        let mut run_starts = vec![0u32; n_contacts + 1];
        let mut i = 0;
        while i < kind.len() {
            let (c, k) = (contact_col[i], kind[i]);
            let mut j = i + 1;
            while j < kind.len() && contact_col[j] == c && kind[j] == k {
                j += 1;
            }
            runs.push(Run {
                kind: k,
                start: to_u32(i),
                end: to_u32(j),
            });
            run_starts[c as usize + 1] += 1;
            i = j;
        }
        for c in 0..n_contacts {
            run_starts[c + 1] += run_starts[c];
        }
        let account_contacts = Csr::group(
            self.accounts.len(),
            self.contact_account
                .iter()
                .enumerate()
                .filter(|(_, a)| **a != NONE)
                .map(|(c, a)| (*a, to_u32(c))),
        );
        let mut custom = self.custom;
        for entity in &mut custom {
            entity.by_lead = Csr::group(
                self.leads.len(),
                entity
                    .record_lead
                    .iter()
                    .enumerate()
                    .map(|(r, l)| (*l, to_u32(r))),
            );
        }
        Graph {
            accounts: self.accounts,
            contacts: self.contacts,
            contact_account: self.contact_account,
            account_contacts,
            leads: self.leads,
            lead_index: self.lead_index,
            lead_contact: self.lead_contact,
            lead_account: self.lead_account,
            kinds: self.kinds,
            kind_index: self.kind_index,
            interactions: Interactions {
                kind,
                time,
                contact: contact_col,
                lead,
                id,
                prop_names: self.prop_names,
                props,
            },
            runs,
            run_starts,
            unattributed: self.unattributed,
            custom,
            custom_index: self.custom_index,
        }
    }
}

impl RecordSink for GraphBuilder {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        self.add_account(account);
        Ok(())
    }
    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        self.add_contact(contact)
    }
    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        self.add_lead(lead)
    }
    fn custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        self.add_custom(entity, record)
    }
    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        self.add_interaction(row)
    }
    fn wants_property(&self, name: &str) -> bool {
        self.projection.keeps(name)
    }
    fn wants_records(&self, record: &RecordType) -> bool {
        self.projection.reads(record)
    }
}

fn lookup(index: &IdIndex, id: &str, column: &'static str) -> Result<u32, UnknownReference> {
    index.get(id).ok_or_else(|| UnknownReference {
        column,
        id: id.to_owned(),
    })
}

/// Compressed groups: the members of group `g` are `items[starts[g]..starts[g+1]]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    fn group(groups: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut starts = vec![0u32; groups + 1];
        for (g, _) in pairs.clone() {
            if let Some(slot) = starts.get_mut(g as usize + 1) {
                *slot += 1;
            }
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        let mut fill = starts.clone();
        let mut items = vec![0u32; starts[groups] as usize];
        for (g, item) in pairs {
            if let Some(slot) = fill.get_mut(g as usize) {
                items[*slot as usize] = item;
                *slot += 1;
            }
        }
        Self { starts, items }
    }

    pub(crate) fn get(&self, group: u32) -> &[u32] {
        let g = group as usize;
        match (self.starts.get(g), self.starts.get(g + 1)) {
            (Some(&s), Some(&e)) => &self.items[s as usize..e as usize],
            _ => &[],
        }
    }
}

/// A contact's interactions of one kind: `start..end` in the interaction columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    pub(crate) kind: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// Interactions, column-wise, ordered by contact, kind and time.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interactions {
    pub(crate) kind: Vec<u32>,
    pub(crate) time: Vec<i64>,
    pub(crate) contact: Vec<u32>,
    pub(crate) lead: Vec<u32>,
    pub(crate) id: StrColumn,
    pub(crate) prop_names: Vec<String>,
    pub(crate) props: Vec<StrColumn>,
}

/// The records of one custom entity and their leads.
#[derive(Debug, Clone)]
pub(crate) struct CustomEntity {
    pub(crate) name: EntityName,
    pub(crate) records: Vec<CustomRecord>,
    pub(crate) record_lead: Vec<u32>,
    pub(crate) by_lead: Csr,
}

/// Leads with everything rules can reach from them, indexed for evaluation.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub(crate) accounts: Vec<Account>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) contact_account: Vec<u32>,
    pub(crate) account_contacts: Csr,
    pub(crate) leads: Vec<Lead>,
    lead_index: IdIndex,
    pub(crate) lead_contact: Vec<u32>,
    pub(crate) lead_account: Vec<u32>,
    kinds: Vec<InteractionKind>,
    kind_index: HashMap<InteractionKind, u32>,
    pub(crate) interactions: Interactions,
    pub(crate) runs: Vec<Run>,
    pub(crate) run_starts: Vec<u32>,
    unattributed: u64,
    pub(crate) custom: Vec<CustomEntity>,
    custom_index: HashMap<EntityName, u32>,
}

impl Graph {
    /// Indexes a dataset whose references have been checked (as every loaded
    /// [`Dataset`] has), keeping the projected interaction properties (a
    /// shared projection is not copied).
    pub fn from_dataset(
        dataset: &Dataset,
        projection: impl Into<Arc<Projection>>,
    ) -> Result<Self, RulesError> {
        let mut builder = GraphBuilder::new(projection);
        let dangling =
            |record: &'static str, id: &str, r: UnknownReference| RulesError::UnknownReference {
                record,
                id: id.to_owned(),
                column: r.column,
                target: r.id,
            };
        for account in &dataset.accounts {
            builder.add_account(account.clone());
        }
        for contact in &dataset.contacts {
            builder
                .add_contact(contact.clone())
                .map_err(|r| dangling("contact", contact.contact_id.as_str(), r))?;
        }
        for lead in &dataset.leads {
            builder
                .add_lead(lead.clone())
                .map_err(|r| dangling("lead", lead.lead_id.as_str(), r))?;
        }
        for (entity, records) in &dataset.custom {
            for record in records {
                builder
                    .add_custom(entity, record.clone())
                    .map_err(|r| dangling("custom record", record.record_id.as_str(), r))?;
            }
        }
        for interaction in &dataset.interactions {
            builder
                .add_interaction_record(interaction)
                .map_err(|r| dangling("interaction", interaction.interaction_id.as_str(), r))?;
        }
        Ok(builder.finish())
    }

    /// Number of leads.
    pub fn lead_count(&self) -> usize {
        self.leads.len()
    }

    /// The leads, in the order they were added; a lead's position is its index.
    pub fn leads(&self) -> &[Lead] {
        &self.leads
    }

    /// The index of a lead by id.
    pub fn lead_index(&self, id: &str) -> Option<usize> {
        self.lead_index.get(id).map(|i| i as usize)
    }

    /// Number of interactions kept (attributed to a contact).
    pub fn interaction_count(&self) -> usize {
        self.interactions.id.len()
    }

    /// Number of interactions dropped because they are attributed to no contact.
    pub fn unattributed_count(&self) -> u64 {
        self.unattributed
    }

    /// The graph's id for an interaction kind.
    pub(crate) fn kind_id(&self, kind: &InteractionKind) -> Option<u32> {
        self.kind_index.get(kind).copied()
    }

    /// The kind of an interaction kind id.
    pub(crate) fn kind_name(&self, kind: u32) -> &str {
        self.kinds.get(kind as usize).map_or("", |k| k.as_str())
    }

    /// The index of a custom entity.
    pub(crate) fn custom_id(&self, entity: &EntityName) -> Option<u32> {
        self.custom_index.get(entity).copied()
    }

    /// The index of a kept interaction property column.
    pub(crate) fn property_id(&self, name: &str) -> Option<u32> {
        self.interactions
            .prop_names
            .iter()
            .position(|n| n == name)
            .map(to_u32)
    }

    /// A contact's runs of interactions, one per kind.
    pub(crate) fn contact_runs(&self, contact: u32) -> &[Run] {
        let c = contact as usize;
        match (self.run_starts.get(c), self.run_starts.get(c + 1)) {
            (Some(&s), Some(&e)) => &self.runs[s as usize..e as usize],
            _ => &[],
        }
    }
}
