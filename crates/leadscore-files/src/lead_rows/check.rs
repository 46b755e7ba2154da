//! The folder's checks before any row is computed: every value, as
//! [`stream_folder`] checks it, and every reference, as the rules engine's
//! graph builder checks it: a record naming an account, contact or lead that
//! the folder does not hold is a bad row, named by file, line and column.
//!
//! While checking, the pass also learns what reading the folder a part at a
//! time needs ([`Neighbourhoods`]): which records a lead's row reads, the
//! interaction kinds, and each custom entity's time column.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use leadscore_domain::{
    Account, Contact, CustomRecord, Declared, EntityName, Fields, FutureLimit, IdHasher, IdMap,
    InteractionRow, Lead, ReadProgress, RecordSink, RecordType, Timestamp, UnknownReference,
};

use super::load::{EntityTimes, extra_columns};
use super::split::PartProperties;
use crate::layout::discover;
use crate::stream::{InteractionTap, stream_folder_tapped};
use crate::{FilesError, StreamOptions};

/// What the check pass reads and joins.
pub(super) struct CheckOptions<'a> {
    /// Refuses record times after this.
    pub future: FutureLimit,
    /// The custom fields and kinds the caller declares.
    pub declared: &'a Declared,
    /// The records read: of a file of any other, only the header is checked.
    pub reads: &'a dyn Fn(&RecordType) -> bool,
    /// An interaction naming a lead joins that lead's neighbourhood to its
    /// owner's (what reads the interaction's lead then finds it in its part).
    pub interaction_leads: bool,
    /// The interaction properties handed over (to `tap`, with the row).
    pub properties: &'a PartProperties,
}

/// Streams the folder through a [`Checker`]; fails on the first file with a
/// bad record, with every problem of that file located. Each interaction
/// accepted goes to `tap` too, with the [`Checker`] that has just taken it.
/// `progress` hears how far the reading is. Gives the neighbourhoods and the
/// files not read.
pub(super) fn check_folder<'p>(
    dir: &Path,
    options: &CheckOptions<'p>,
    tap: &mut dyn InteractionTap<Checker<'p>>,
    progress: &'p mut dyn FnMut(ReadProgress),
) -> Result<(Neighbourhoods, Vec<PathBuf>), FilesError> {
    let mut entities = BTreeMap::new();
    for file in discover(dir)? {
        if let RecordType::Custom(name) = &file.record {
            entities.insert(name.clone(), extra_columns(&file)?);
        }
    }
    let mut checker = Checker {
        hoods: Neighbourhoods::of_entities(entities),
        reads: options.reads,
        interaction_leads: options.interaction_leads,
        properties: options.properties,
        last_contact: String::new(),
        last_owner: None,
        last: Taken::default(),
        progress,
    };
    let stream = StreamOptions {
        skip_bad_rows: false,
        future: options.future,
        declared: options.declared.clone(),
    };
    let summary = stream_folder_tapped(dir, &mut checker, &stream, tap)?;
    Ok((checker.hoods, summary.not_read))
}

/// The check pass's sink: the neighbourhoods learnt, what it reads and
/// joins, and who hears of the progress.
pub(super) struct Checker<'p> {
    hoods: Neighbourhoods,
    reads: &'p dyn Fn(&RecordType) -> bool,
    interaction_leads: bool,
    properties: &'p PartProperties,
    /// The contact id of the last interaction that named one (files are
    /// often grouped by contact), and its node.
    last_contact: String,
    last_owner: Option<Node>,
    /// The last interaction accepted.
    last: Taken,
    progress: &'p mut dyn FnMut(ReadProgress),
}

/// The nodes of the interaction accepted last.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Taken {
    /// Its owner's: its contact's, or that of the contacts listing its
    /// visitor; `None` when it belongs to no contact.
    pub owner: Option<Node>,
    /// The lead it names.
    pub lead: Option<Node>,
}

impl Checker<'_> {
    /// The neighbourhoods learnt so far: every account, contact and lead
    /// once the interaction files begin.
    pub fn hoods(&self) -> &Neighbourhoods {
        &self.hoods
    }

    /// The nodes of the interaction accepted last.
    pub fn taken(&self) -> Taken {
        self.last
    }

    /// Whether interactions naming a lead join its neighbourhood.
    pub fn interaction_leads(&self) -> bool {
        self.interaction_leads
    }
}

/// A node of the graph of records: an account, or a contact without one, or
/// a lead with neither. Nodes joined by a lead are one neighbourhood.
pub(super) type Node = u32;

/// Whether a custom entity's field holds times: every present value is one,
/// and one is present.
#[derive(Debug, Clone, Copy)]
struct TimeSniff {
    present: bool,
    times: bool,
}

impl Default for TimeSniff {
    fn default() -> Self {
        Self {
            present: false,
            times: true,
        }
    }
}

/// The ids seen so far (a reference to any other is refused) and the
/// neighbourhood each belongs to. Records are not kept.
///
/// A lead's row reads its contact, its account (its own, else its
/// contact's) with every contact of that account, those contacts'
/// interactions (by `contact_id`, or by a `visitor_id` a contact lists) and
/// the lead's custom records; so an account and its contacts are one node,
/// and a lead naming a contact of one account and another account joins the
/// two.
///
/// Ids are kept as 128-bit keyed hashes ([`IdHash`](leadscore_domain::IdHash)),
/// in [`IdMap`]s that do not hash them again, 24 bytes a slot, not as
/// strings (some 70 bytes an id with the string's heap block): at ten million
/// leads the folder holds over twenty million ids.
#[derive(Default)]
pub(super) struct Neighbourhoods {
    keys: IdHasher,
    accounts: IdMap<Node>,
    contacts: IdMap<Node>,
    leads: IdMap<Node>,
    /// The node of the contacts listing each visitor. The visitor's
    /// interactions belong to one of them (the greatest contact id,
    /// `leadscore_domain::attribution`); the contacts listing one visitor are
    /// joined into one neighbourhood, so that it holds that one whichever it
    /// is, and no contact id need be kept to compare.
    visitors: IdMap<Node>,
    /// Each node's parent (union-find); a root is its own.
    parent: Vec<Node>,
    /// The interaction kinds present.
    kinds: BTreeSet<String>,
    /// Each custom entity's fields, in its file's order.
    entities: BTreeMap<EntityName, Vec<(String, TimeSniff)>>,
    /// The interactions that belong to a contact.
    attributed: u64,
    /// The interactions that belong to no contact.
    unattributed: u64,
}

/// The node `id` has in `ids`; an id not there is an unknown reference.
fn known(
    keys: &IdHasher,
    ids: &IdMap<Node>,
    column: &'static str,
    id: Option<&str>,
) -> Result<Option<Node>, UnknownReference> {
    match id {
        Some(id) => ids
            .get(&keys.hash(id))
            .copied()
            .map(Some)
            .ok_or_else(|| UnknownReference {
                column,
                id: id.to_owned(),
            }),
        None => Ok(None),
    }
}

impl Neighbourhoods {
    fn node(&mut self) -> Node {
        let node = self.parent.len() as Node;
        self.parent.push(node);
        node
    }

    /// Each node's root, by node, in one pass: a node's parent never comes
    /// after it (a union makes the later root a child of the earlier, and
    /// halving only moves a node up), so a parent's root is known first.
    pub fn roots(&self) -> Vec<Node> {
        let mut roots: Vec<Node> = Vec::with_capacity(self.parent.len());
        for (node, &parent) in self.parent.iter().enumerate() {
            let root = match roots.get(parent as usize) {
                Some(&root) if (parent as usize) < node => root,
                _ if parent as usize == node => parent,
                _ => self.root(parent),
            };
            roots.push(root);
        }
        roots
    }

    /// The root of `node`'s neighbourhood, walking up.
    fn root(&self, mut node: Node) -> Node {
        while let Some(&parent) = self.parent.get(node as usize) {
            if parent == node {
                break;
            }
            node = parent;
        }
        node
    }

    /// The root, halving the path on the way.
    fn find(&mut self, mut node: Node) -> Node {
        loop {
            let Some(&parent) = self.parent.get(node as usize) else {
                return node;
            };
            if parent == node {
                return node;
            }
            let grand = self.parent.get(parent as usize).copied().unwrap_or(parent);
            if let Some(p) = self.parent.get_mut(node as usize) {
                *p = grand;
            }
            node = grand;
        }
    }

    /// Joins two neighbourhoods; gives the root of the one they make.
    fn union(&mut self, a: Node, b: Node) -> Node {
        let (a, b) = (self.find(a), self.find(b));
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        if let Some(p) = self.parent.get_mut(high as usize) {
            *p = low;
        }
        low
    }

    /// Each lead's node.
    pub fn leads(&self) -> impl Iterator<Item = Node> + '_ {
        self.leads.values().copied()
    }

    /// The node of an account.
    pub fn account(&self, id: &str) -> Option<Node> {
        self.accounts.get(&self.keys.hash(id)).copied()
    }

    /// The node of a contact.
    pub fn contact(&self, id: &str) -> Option<Node> {
        self.contacts.get(&self.keys.hash(id)).copied()
    }

    /// The node of a lead.
    pub fn lead(&self, id: &str) -> Option<Node> {
        self.leads.get(&self.keys.hash(id)).copied()
    }

    /// The node an interaction belongs to: its contact's, else that of the
    /// contacts listing its visitor; none when it belongs to nobody.
    pub fn owner(&self, contact: Option<&str>, visitor: Option<&str>) -> Option<Node> {
        match contact {
            Some(contact) => self.contact(contact),
            None => visitor.and_then(|v| self.visitors.get(&self.keys.hash(v)).copied()),
        }
    }

    /// How many interactions belong to a contact (by `contact_id`, or a
    /// `visitor_id` a contact lists).
    pub fn attributed(&self) -> u64 {
        self.attributed
    }

    /// How many interactions belong to no contact.
    pub fn unattributed(&self) -> u64 {
        self.unattributed
    }

    /// The interaction kinds present.
    pub fn kinds(&self) -> impl Iterator<Item = &String> {
        self.kinds.iter()
    }

    /// Each custom entity's time column, as [`EntityTimes::Sniffed`] finds
    /// it in the whole folder.
    pub fn entity_times(&self) -> EntityTimes {
        EntityTimes::Given(
            self.entities
                .iter()
                .map(|(name, fields)| {
                    let time = fields
                        .iter()
                        .find(|(_, sniff)| sniff.present && sniff.times)
                        .map(|(field, _)| field.clone());
                    (name.as_str().to_owned(), time)
                })
                .collect(),
        )
    }
}

impl Neighbourhoods {
    /// Neighbourhoods to learn from records handed over one at a time (not
    /// read from a folder): `entities` gives each custom entity's fields, in
    /// its file's order.
    pub(super) fn of_entities(
        entities: impl IntoIterator<Item = (EntityName, Vec<String>)>,
    ) -> Self {
        Self {
            entities: entities
                .into_iter()
                .map(|(name, fields)| {
                    let fields = fields
                        .into_iter()
                        .map(|field| (field, TimeSniff::default()))
                        .collect();
                    (name, fields)
                })
                .collect(),
            ..Self::default()
        }
    }

    /// An account: a node of its own.
    pub(super) fn add_account(&mut self, id: &str) {
        let node = self.node();
        let key = self.keys.hash(id);
        self.accounts.insert(key, node);
    }

    /// A contact: in its account's node (else one of its own), joined to
    /// the other contacts listing its visitor.
    pub(super) fn add_contact(
        &mut self,
        id: &str,
        account: Option<&str>,
        visitor: Option<&str>,
    ) -> Result<(), UnknownReference> {
        let node = match known(&self.keys, &self.accounts, "account_id", account)? {
            Some(node) => node,
            None => self.node(),
        };
        if let Some(visitor) = visitor {
            let visitor = self.keys.hash(visitor);
            let node = match self.visitors.get(&visitor) {
                Some(&other) => self.union(other, node),
                None => node,
            };
            self.visitors.insert(visitor, node);
        }
        let key = self.keys.hash(id);
        self.contacts.insert(key, node);
        Ok(())
    }

    /// A lead: joins its contact's and its account's nodes (else has one of
    /// its own).
    pub(super) fn add_lead(
        &mut self,
        id: &str,
        contact: Option<&str>,
        account: Option<&str>,
    ) -> Result<(), UnknownReference> {
        let contact = known(&self.keys, &self.contacts, "contact_id", contact)?;
        let account = known(&self.keys, &self.accounts, "account_id", account)?;
        let node = match (contact, account) {
            (Some(c), Some(a)) => self.union(c, a),
            (Some(node), None) | (None, Some(node)) => node,
            (None, None) => self.node(),
        };
        let key = self.keys.hash(id);
        self.leads.insert(key, node);
        Ok(())
    }

    /// A custom record of `entity`, of `lead`: its lead must be known; its
    /// fields tell which holds times.
    pub(super) fn add_custom(
        &mut self,
        entity: &EntityName,
        lead: &str,
        fields: &Fields,
    ) -> Result<(), UnknownReference> {
        known(&self.keys, &self.leads, "lead_id", Some(lead))?;
        if let Some(sniffs) = self.entities.get_mut(entity) {
            for (name, sniff) in sniffs.iter_mut() {
                if let Some(value) = fields.get(name) {
                    sniff.present = true;
                    sniff.times = sniff.times && Timestamp::parse(value).is_ok();
                }
            }
        }
        Ok(())
    }

    /// The node of the contact `id` names; an unknown one is refused.
    pub(super) fn known_contact(&self, id: Option<&str>) -> Result<Option<Node>, UnknownReference> {
        known(&self.keys, &self.contacts, "contact_id", id)
    }

    /// The node of the lead `id` names; an unknown one is refused.
    pub(super) fn known_lead(&self, id: Option<&str>) -> Result<Option<Node>, UnknownReference> {
        known(&self.keys, &self.leads, "lead_id", id)
    }

    /// An interaction of `kind` whose owner is `owner` (none: it belongs to
    /// no contact) is counted, and its kind noted.
    pub(super) fn add_interaction(&mut self, kind: &str, owner: Option<Node>) {
        if !self.kinds.contains(kind) {
            self.kinds.insert(kind.to_owned());
        }
        match owner {
            Some(_) => self.attributed += 1,
            None => self.unattributed += 1,
        }
    }
}

impl RecordSink for Checker<'_> {
    fn account(&mut self, account: Account) -> Result<(), UnknownReference> {
        self.hoods.add_account(account.account_id.as_str());
        Ok(())
    }

    fn contact(&mut self, contact: Contact) -> Result<(), UnknownReference> {
        self.hoods.add_contact(
            contact.contact_id.as_str(),
            contact.account_id.as_ref().map(|a| a.as_str()),
            contact.visitor_id.as_ref().map(|v| v.as_str()),
        )
    }

    fn lead(&mut self, lead: Lead) -> Result<(), UnknownReference> {
        self.hoods.add_lead(
            lead.lead_id.as_str(),
            lead.contact_id.as_ref().map(|c| c.as_str()),
            lead.account_id.as_ref().map(|a| a.as_str()),
        )
    }

    fn custom(
        &mut self,
        entity: &EntityName,
        record: CustomRecord,
    ) -> Result<(), UnknownReference> {
        self.hoods
            .add_custom(entity, record.lead_id.as_str(), &record.fields)
    }

    fn interaction(&mut self, row: InteractionRow<'_>) -> Result<(), UnknownReference> {
        let hoods = &mut self.hoods;
        // Files are often grouped by contact: the previous contact is known.
        if let Some(contact) = row.contact_id
            && contact != self.last_contact
        {
            self.last_owner = hoods.known_contact(Some(contact))?;
            self.last_contact.clear();
            self.last_contact.push_str(contact);
        }
        let lead = hoods.known_lead(row.lead_id)?;
        let owner = match row.contact_id {
            Some(_) => self.last_owner,
            None => hoods.owner(None, row.visitor_id),
        };
        hoods.add_interaction(row.kind.as_str(), owner);
        if let (true, Some(owner), Some(lead)) = (self.interaction_leads, owner, lead) {
            hoods.union(owner, lead);
        }
        self.last = Taken { owner, lead };
        Ok(())
    }

    fn wants_property(&self, name: &str) -> bool {
        self.properties.keeps(name)
    }

    fn wants_records(&self, record: &RecordType) -> bool {
        (self.reads)(record)
    }

    fn read_progress(&mut self, progress: ReadProgress) {
        (self.progress)(progress);
    }
}
