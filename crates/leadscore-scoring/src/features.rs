//! [`FeatureIndex`]: the row of one lead from a [`Dataset`], by the rules the
//! crate documentation lists.

mod lead;
mod schema;

use std::sync::{Arc, Mutex, PoisonError};

use leadscore_domain::attribution::VisitorOwners;
use leadscore_domain::{
    Account, Contact, ContactId, Dataset, Lead, LeadKind, LeadStatus, Timestamp,
};
use leadscore_features::Cell;
use rustc_hash::FxHashMap;

pub use lead::LeadFeatures;
use schema::{AccountField, ContactField, DAY, Inputs, LeadField, Schema, Source, WINDOWS};

/// Index over a [`Dataset`] for computing feature rows of its leads.
///
/// Built once per dataset in one pass over its records (hash maps by id), so
/// that each row costs only the lead's own records.
///
/// **Custom entity time columns.** `read_lead_rows` reads as an entity's time
/// the first column of its file (in file order) whose every present value is
/// a timestamp. [`FeatureIndex::new`] applies that rule to the dataset's
/// records, with fields in name order (a [`Dataset`] keeps no file order):
/// the same column for a whole folder unless two columns qualify and the first
/// in the file is not the first by name. Over a lead's neighbourhood only,
/// the rule sees a few records and may decide otherwise than over the whole
/// folder; give the trained folder's decision with
/// [`FeatureIndex::with_time_columns`] then.
#[derive(Debug, Clone)]
pub struct FeatureIndex<'a> {
    data: &'a Dataset,
    schema: Arc<Schema>,
    leads: FxHashMap<&'a str, usize>,
    contacts: FxHashMap<&'a str, &'a Contact>,
    accounts: FxHashMap<&'a str, &'a Account>,
    /// The contacts of each account, in dataset order.
    account_contacts: FxHashMap<&'a str, Vec<&'a str>>,
    /// Each contact's interactions: kind (index into the schema's kinds) and
    /// time in microseconds.
    interactions: FxHashMap<&'a str, Vec<(usize, i64)>>,
    /// Each lead's custom records: entity (index into the schema's entities)
    /// and the time before which the record counts ([`ALWAYS`] for an entity
    /// without time column; `None` for a record that never counts).
    records: FxHashMap<&'a str, Vec<(usize, Option<i64>)>>,
}

/// The columns of the last dataset indexed with [`FeatureIndex::with_cache`],
/// shared between threads.
#[derive(Debug, Default)]
pub struct SchemaCache {
    last: Mutex<Option<Arc<Schema>>>,
}

/// The time of a record of an entity without time column: before any row's.
const ALWAYS: i64 = i64::MIN;

/// One kind's interactions of a lead before its row's time.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    windows: [u32; WINDOWS.len()],
    /// The smallest age (microseconds before the row's time).
    min_age: Option<i64>,
}

impl<'a> FeatureIndex<'a> {
    /// Indexes `data`; each custom entity's time column is decided from its
    /// records (see [`FeatureIndex`]).
    pub fn new(data: &'a Dataset) -> Self {
        Self::with_time_columns(data, std::iter::empty::<(&str, Option<&str>)>())
    }

    /// Indexes `data` with the given time column of some custom entities, by
    /// entity name (`None`: the entity has none, every record counts); the
    /// others' are decided from their records. A record whose value in its
    /// entity's time column is absent or not a timestamp never counts.
    pub fn with_time_columns<'t>(
        data: &'a Dataset,
        time_columns: impl IntoIterator<Item = (&'t str, Option<&'t str>)>,
    ) -> Self {
        let given: FxHashMap<&str, Option<&str>> = time_columns.into_iter().collect();
        let inputs = Inputs::new(data, |entity| {
            let column = match given.get(entity.as_str()) {
                Some(column) => *column,
                None => data
                    .custom
                    .get(entity)
                    .and_then(|records| schema::decide_time_column(records)),
            };
            column.map(Box::from)
        });
        Self::index(data, Arc::new(Schema::build(&inputs)))
    }

    /// [`FeatureIndex::new`], reusing the columns worked out for the previous
    /// dataset with the same custom fields, interaction kinds and custom
    /// entities (one lead scored at a time: request after request).
    pub fn with_cache(data: &'a Dataset, cache: &SchemaCache) -> Self {
        let inputs = Inputs::new(data, |entity| {
            data.custom
                .get(entity)
                .and_then(|records| schema::decide_time_column(records))
                .map(Box::from)
        });
        let mut last = cache.last.lock().unwrap_or_else(PoisonError::into_inner);
        let schema = match &*last {
            Some(schema) if schema.fits(&inputs) => Arc::clone(schema),
            _ => {
                let schema = Arc::new(Schema::build(&inputs));
                *last = Some(Arc::clone(&schema));
                schema
            }
        };
        drop(last);
        Self::index(data, schema)
    }

    fn index(data: &'a Dataset, schema: Arc<Schema>) -> Self {
        let mut leads = FxHashMap::default();
        for (i, lead) in data.leads.iter().enumerate() {
            leads.entry(lead.lead_id.as_str()).or_insert(i);
        }
        let mut contacts = FxHashMap::default();
        let mut account_contacts: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
        let visitors = VisitorOwners::new(&data.contacts);
        for contact in &data.contacts {
            let id = contact.contact_id.as_str();
            contacts.entry(id).or_insert(contact);
            if let Some(account) = &contact.account_id {
                account_contacts
                    .entry(account.as_str())
                    .or_default()
                    .push(id);
            }
        }
        let mut accounts = FxHashMap::default();
        for account in &data.accounts {
            accounts
                .entry(account.account_id.as_str())
                .or_insert(account);
        }
        let mut interactions: FxHashMap<&str, Vec<(usize, i64)>> = FxHashMap::default();
        for interaction in &data.interactions {
            let owner = visitors.of(interaction).map(ContactId::as_str);
            let kind = schema.kind_index(interaction.kind.as_str());
            if let (Some(owner), Some(kind)) = (owner, kind) {
                interactions
                    .entry(owner)
                    .or_default()
                    .push((kind, interaction.occurred_at.as_micros()));
            }
        }
        let mut records: FxHashMap<&str, Vec<(usize, Option<i64>)>> = FxHashMap::default();
        for (entity, (column, list)) in schema.entities.iter().zip(data.custom.values()).enumerate()
        {
            for record in list {
                let time = match &column.time_column {
                    None => Some(ALWAYS),
                    Some(name) => record
                        .fields
                        .get(name)
                        .and_then(|v| Timestamp::parse(v).ok())
                        .map(Timestamp::as_micros),
                };
                records
                    .entry(record.lead_id.as_str())
                    .or_default()
                    .push((entity, time));
            }
        }
        Self {
            data,
            schema,
            leads,
            contacts,
            accounts,
            account_contacts,
            interactions,
            records,
        }
    }

    /// The indexed dataset.
    pub fn data(&self) -> &'a Dataset {
        self.data
    }

    /// The position in `data.leads` of the lead with this id.
    pub fn lead_index(&self, lead_id: &str) -> Option<usize> {
        self.leads.get(lead_id).copied()
    }

    /// The columns every row of this dataset has, in `read_lead_rows`' order
    /// (a row answers other columns too: see [`LeadFeatures`]).
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.schema.names.iter().map(|n| &**n)
    }

    /// The time column of a custom entity of the dataset (`None` also for an
    /// entity the dataset has no record of).
    pub fn time_column(&self, entity: &str) -> Option<&str> {
        self.schema
            .entities
            .iter()
            .find(|e| &*e.name == entity)
            .and_then(|e| e.time_column.as_deref())
    }

    /// The row of one lead (by its index in `data.leads`) as of `at`: only
    /// what happened strictly before `at` counts. For the row
    /// `read_lead_rows` gives a lead, `at` is that row's time (its close for a
    /// closed lead, see [`scoring_time`]). An index past the last lead gives a
    /// row with every value missing (and every count 0).
    pub fn row(&self, lead: usize, at: Timestamp) -> LeadFeatures {
        let schema = &self.schema;
        let Some(lead) = self.data.leads.get(lead) else {
            let cells = schema.sources.iter().map(|s| no_lead(*s)).collect();
            return LeadFeatures::new(Arc::clone(schema), cells);
        };
        let contact = lead
            .contact_id
            .as_ref()
            .and_then(|id| self.contacts.get(id.as_str()))
            .copied();
        let account_id = lead
            .account_id
            .as_ref()
            .or_else(|| contact.and_then(|c| c.account_id.as_ref()))
            .map(|id| id.as_str());
        let account = account_id.and_then(|id| self.accounts.get(id)).copied();
        let tallies = self.tallies(lead, at.as_micros());
        let counts = self.counts(lead, at.as_micros());
        let cells = schema
            .sources
            .iter()
            .zip(&schema.names)
            .map(|(source, name)| match *source {
                Source::Lead(LeadField::Source) => text(lead.source.as_deref()),
                Source::Lead(LeadField::Topic) => text(lead.topic.as_deref()),
                Source::LeadCustom => text(lead.custom.get(name)),
                Source::LeadKind => Cell::Text(lead_kind(lead).to_owned()),
                Source::Contact(field) => text(contact.and_then(|c| match field {
                    ContactField::JobTitle => c.job_title.as_deref(),
                    ContactField::Country => c.country.as_deref(),
                    ContactField::City => c.city.as_deref(),
                })),
                Source::ContactCustom => {
                    let field = name.strip_prefix("contact.").unwrap_or(name);
                    text(contact.and_then(|c| c.custom.get(field)))
                }
                Source::Account(field) => account_cell(account, field),
                Source::AccountCustom => {
                    let field = name.strip_prefix("account.").unwrap_or(name);
                    text(account.and_then(|a| a.custom.get(field)))
                }
                Source::AccountContacts => account_id.map_or(Cell::Missing, |id| {
                    let n = self.account_contacts.get(id).map_or(0, Vec::len);
                    Cell::Num(n as f64)
                }),
                Source::Window { kind, window } => {
                    let n = tallies.get(kind).and_then(|t| t.windows.get(window));
                    Cell::Num(n.map_or(0.0, |n| f64::from(*n)))
                }
                Source::DaysSinceLast { kind } => match tallies.get(kind).and_then(|t| t.min_age) {
                    Some(age) => Cell::Num(age as f64 / DAY as f64),
                    None => Cell::Missing,
                },
                Source::Count { entity } => {
                    Cell::Num(counts.get(entity).map_or(0.0, |n| f64::from(*n)))
                }
            })
            .collect();
        LeadFeatures::new(Arc::clone(schema), cells)
    }

    /// The lead's interactions before `at` (microseconds), per kind.
    fn tallies(&self, lead: &Lead, at: i64) -> Vec<Tally> {
        let mut tallies = vec![Tally::default(); self.schema.kinds.len()];
        let mut add = |contact: &str| {
            let Some(list) = self.interactions.get(contact) else {
                return;
            };
            for &(kind, time) in list {
                let age = at.saturating_sub(time);
                let Some(tally) = tallies.get_mut(kind).filter(|_| age > 0) else {
                    continue;
                };
                for (n, window) in tally.windows.iter_mut().zip(WINDOWS) {
                    *n += u32::from(age <= window.days() * DAY);
                }
                tally.min_age = Some(tally.min_age.map_or(age, |m| m.min(age)));
            }
        };
        match (&lead.contact_id, &lead.account_id) {
            (Some(contact), _) => add(contact.as_str()),
            (None, Some(account)) => {
                for contact in self
                    .account_contacts
                    .get(account.as_str())
                    .into_iter()
                    .flatten()
                {
                    add(contact);
                }
            }
            (None, None) => {}
        }
        tallies
    }

    /// The lead's custom records that count at `at` (microseconds), per entity.
    fn counts(&self, lead: &Lead, at: i64) -> Vec<u32> {
        let mut counts = vec![0; self.schema.entities.len()];
        for &(entity, time) in self
            .records
            .get(lead.lead_id.as_str())
            .into_iter()
            .flatten()
        {
            if let (Some(n), Some(time)) = (counts.get_mut(entity), time)
                && time < at
            {
                *n += 1;
            }
        }
        counts
    }
}

/// The time `read_lead_rows` computes a lead's row at when it scores every
/// lead at `at` (`LeadSelection::All`): the lead's close when it closed (with
/// a close time) by `at`, else `at`; `None` for a lead created after `at`,
/// which gets no row.
pub fn scoring_time(lead: &Lead, at: Timestamp) -> Option<Timestamp> {
    if lead.created_at > at {
        return None;
    }
    match lead.closed_at {
        Some(closed) if lead.status != LeadStatus::Open && closed <= at => Some(closed),
        _ => Some(at),
    }
}

/// A text cell: the value trimmed; absent or blank is missing.
fn text(value: Option<&str>) -> Cell {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Cell::Text(v.to_owned()),
        _ => Cell::Missing,
    }
}

fn lead_kind(lead: &Lead) -> &'static str {
    match lead.kind() {
        LeadKind::ContactBased => "contact",
        LeadKind::AccountBased => "account",
        LeadKind::Unscorable => "none",
    }
}

fn account_cell(account: Option<&Account>, field: AccountField) -> Cell {
    let Some(a) = account else {
        return Cell::Missing;
    };
    let number = |v: Option<f64>| v.map_or(Cell::Missing, Cell::Num);
    match field {
        AccountField::Industry => text(a.industry.as_deref()),
        AccountField::Employees => number(a.employees.map(|e| e as f64)),
        AccountField::AnnualRevenue => number(a.annual_revenue),
        AccountField::Country => text(a.country.as_deref()),
        AccountField::City => text(a.city.as_deref()),
    }
}

/// A column's cell for a lead the dataset does not have.
fn no_lead(source: Source) -> Cell {
    match source {
        Source::Window { .. } | Source::Count { .. } => Cell::Num(0.0),
        _ => Cell::Missing,
    }
}
