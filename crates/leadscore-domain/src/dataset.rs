use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Account, Contact, CustomRecord, EntityName, Interaction, Lead};

/// The four record types of DATA.md, plus custom entities.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordType {
    /// `accounts.csv`
    Account,
    /// `contacts.csv`
    Contact,
    /// `leads.csv`
    Lead,
    /// `interactions.csv`
    Interaction,
    /// `custom/<EntityName>.csv`
    Custom(EntityName),
}

impl RecordType {
    /// The DATA.md columns a file of this type must have, in contract order.
    pub fn required_columns(&self) -> &'static [&'static str] {
        match self {
            Self::Account => &["account_id"],
            Self::Contact => &["contact_id"],
            Self::Lead => &["lead_id", "created_at"],
            Self::Interaction => &["interaction_id", "kind", "occurred_at"],
            Self::Custom(_) => &["record_id", "lead_id"],
        }
    }

    /// The further standard DATA.md columns of this type, in contract order; any other
    /// column is a custom field or an interaction property.
    pub fn optional_columns(&self) -> &'static [&'static str] {
        match self {
            Self::Account => &[
                "name",
                "industry",
                "employees",
                "annual_revenue",
                "country",
                "city",
            ],
            Self::Contact => &[
                "account_id",
                "first_name",
                "last_name",
                "email",
                "job_title",
                "city",
                "country",
                "visitor_id",
            ],
            Self::Lead => &[
                "contact_id",
                "account_id",
                "topic",
                "source",
                "status",
                "closed_at",
                "disqualify_reason",
            ],
            Self::Interaction => &["contact_id", "lead_id", "visitor_id"],
            Self::Custom(_) => &[],
        }
    }

    /// The file stem inside a DATA.md folder (`accounts`, `custom/Opportunity`).
    pub fn file_stem(&self) -> String {
        match self {
            Self::Account => "accounts".to_owned(),
            Self::Contact => "contacts".to_owned(),
            Self::Lead => "leads".to_owned(),
            Self::Interaction => "interactions".to_owned(),
            Self::Custom(name) => format!("custom/{name}"),
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Account => f.write_str("account"),
            Self::Contact => f.write_str("contact"),
            Self::Lead => f.write_str("lead"),
            Self::Interaction => f.write_str("interaction"),
            Self::Custom(name) => write!(f, "{name} record"),
        }
    }
}

/// A whole lead history: what one DATA.md folder or one import holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Companies.
    pub accounts: Vec<Account>,
    /// People.
    pub contacts: Vec<Contact>,
    /// Leads.
    pub leads: Vec<Lead>,
    /// Interactions.
    pub interactions: Vec<Interaction>,
    /// Custom related records by entity name.
    pub custom: BTreeMap<EntityName, Vec<CustomRecord>>,
}

/// Ids that exist outside a dataset (in the store it is imported into), by type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalIds {
    /// Account ids.
    pub accounts: HashSet<String>,
    /// Contact ids.
    pub contacts: HashSet<String>,
    /// Lead ids.
    pub leads: HashSet<String>,
}

impl ExternalIds {
    /// True when no id is listed.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.contacts.is_empty() && self.leads.is_empty()
    }
}

/// A reference to an id that exists neither in the dataset nor outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DanglingReference {
    /// The type of the record holding the reference.
    pub record: RecordType,
    /// The record's position in its list in the [`Dataset`].
    pub index: usize,
    /// The column holding the reference (`contact_id`).
    pub column: &'static str,
    /// The id referred to.
    pub id: String,
    /// What the id should have named.
    pub target: RecordType,
}

impl fmt::Display for DanglingReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?} does not exist", self.target, self.id)
    }
}

impl Dataset {
    /// Number of records of every type together.
    pub fn len(&self) -> usize {
        self.accounts.len()
            + self.contacts.len()
            + self.leads.len()
            + self.interactions.len()
            + self.custom.values().map(Vec::len).sum::<usize>()
    }

    /// True when the dataset holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids this dataset refers to without defining them: these must exist in
    /// the store the dataset goes into, or the references dangle.
    pub fn unresolved_ids(&self) -> ExternalIds {
        let ids = self.own_ids();
        let mut out = ExternalIds::default();
        self.for_each_reference(|_, _, column, id| {
            let (own, missing) = match column {
                Target::Account => (&ids.accounts, &mut out.accounts),
                Target::Contact => (&ids.contacts, &mut out.contacts),
                Target::Lead => (&ids.leads, &mut out.leads),
            };
            if !own.contains(id) && !missing.contains(id) {
                missing.insert(id.to_owned());
            }
        });
        out
    }

    /// Every reference to an id that is defined neither in this dataset nor in
    /// `external`, in file order (accounts have no references; then contacts,
    /// leads, interactions, custom records).
    pub fn dangling_references(&self, external: &ExternalIds) -> Vec<DanglingReference> {
        let ids = self.own_ids();
        let mut out = Vec::new();
        self.for_each_reference(|record, index, target, id| {
            let (own, ext, column, target_type) = match (target, &record) {
                (Target::Account, _) => (
                    &ids.accounts,
                    &external.accounts,
                    "account_id",
                    RecordType::Account,
                ),
                (Target::Contact, _) => (
                    &ids.contacts,
                    &external.contacts,
                    "contact_id",
                    RecordType::Contact,
                ),
                (Target::Lead, _) => (&ids.leads, &external.leads, "lead_id", RecordType::Lead),
            };
            if !own.contains(id) && !ext.contains(id) {
                out.push(DanglingReference {
                    record,
                    index,
                    column,
                    id: id.to_owned(),
                    target: target_type,
                });
            }
        });
        out
    }

    /// Removes the records at the given positions (as in [`DanglingReference`]).
    pub fn remove_records(&mut self, doomed: &HashSet<(RecordType, usize)>) {
        if doomed.is_empty() {
            return;
        }
        retain_indexed(&mut self.accounts, |i| {
            !doomed.contains(&(RecordType::Account, i))
        });
        retain_indexed(&mut self.contacts, |i| {
            !doomed.contains(&(RecordType::Contact, i))
        });
        retain_indexed(&mut self.leads, |i| {
            !doomed.contains(&(RecordType::Lead, i))
        });
        retain_indexed(&mut self.interactions, |i| {
            !doomed.contains(&(RecordType::Interaction, i))
        });
        for (name, records) in &mut self.custom {
            let ty = RecordType::Custom(name.clone());
            retain_indexed(records, |i| !doomed.contains(&(ty.clone(), i)));
        }
    }

    fn own_ids(&self) -> OwnIds<'_> {
        OwnIds {
            accounts: self
                .accounts
                .iter()
                .map(|a| a.account_id.as_str())
                .collect(),
            contacts: self
                .contacts
                .iter()
                .map(|c| c.contact_id.as_str())
                .collect(),
            leads: self.leads.iter().map(|l| l.lead_id.as_str()).collect(),
        }
    }

    fn for_each_reference(&self, mut f: impl FnMut(RecordType, usize, Target, &str)) {
        for (i, c) in self.contacts.iter().enumerate() {
            if let Some(a) = &c.account_id {
                f(RecordType::Contact, i, Target::Account, a.as_str());
            }
        }
        for (i, l) in self.leads.iter().enumerate() {
            if let Some(c) = &l.contact_id {
                f(RecordType::Lead, i, Target::Contact, c.as_str());
            }
            if let Some(a) = &l.account_id {
                f(RecordType::Lead, i, Target::Account, a.as_str());
            }
        }
        for (i, x) in self.interactions.iter().enumerate() {
            if let Some(c) = &x.contact_id {
                f(RecordType::Interaction, i, Target::Contact, c.as_str());
            }
            if let Some(l) = &x.lead_id {
                f(RecordType::Interaction, i, Target::Lead, l.as_str());
            }
        }
        for (name, records) in &self.custom {
            for (i, r) in records.iter().enumerate() {
                f(
                    RecordType::Custom(name.clone()),
                    i,
                    Target::Lead,
                    r.lead_id.as_str(),
                );
            }
        }
    }
}

/// Keeps the elements of `items` whose position satisfies `keep`.
pub fn retain_indexed<T>(items: &mut Vec<T>, mut keep: impl FnMut(usize) -> bool) {
    let mut i = 0;
    items.retain(|_| {
        let k = keep(i);
        i += 1;
        k
    });
}

#[derive(Clone, Copy)]
enum Target {
    Account,
    Contact,
    Lead,
}

struct OwnIds<'a> {
    accounts: HashSet<&'a str>,
    contacts: HashSet<&'a str>,
    leads: HashSet<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountId, ContactId, DomainError, LeadId, Timestamp};

    fn sample() -> Result<Dataset, DomainError> {
        let t = Timestamp::parse("2026-01-01")?;
        let mut ds = Dataset::default();
        ds.accounts.push(Account::new(AccountId::parse("A1")?));
        let mut c1 = Contact::new(ContactId::parse("C1")?);
        c1.account_id = Some(AccountId::parse("A1")?);
        let mut c2 = Contact::new(ContactId::parse("C2")?);
        c2.account_id = Some(AccountId::parse("A9")?);
        ds.contacts = vec![c1, c2];
        let mut l1 = Lead::new(LeadId::parse("L1")?, t);
        l1.contact_id = Some(ContactId::parse("C2")?);
        let mut l2 = Lead::new(LeadId::parse("L2")?, t);
        l2.contact_id = Some(ContactId::parse("C7")?);
        ds.leads = vec![l1, l2];
        Ok(ds)
    }

    #[test]
    fn finds_dangling_references_in_file_order() -> Result<(), DomainError> {
        let ds = sample()?;
        let dangling = ds.dangling_references(&ExternalIds::default());
        let got: Vec<_> = dangling
            .iter()
            .map(|d| (d.record.clone(), d.index, d.column, d.id.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (RecordType::Contact, 1, "account_id", "A9"),
                (RecordType::Lead, 1, "contact_id", "C7"),
            ]
        );
        Ok(())
    }

    #[test]
    fn external_ids_resolve_references() -> Result<(), DomainError> {
        let ds = sample()?;
        let ext = ds.unresolved_ids();
        assert!(ext.accounts.contains("A9") && ext.contacts.contains("C7"));
        assert!(ds.dangling_references(&ext).is_empty());
        Ok(())
    }

    #[test]
    fn removing_records_keeps_the_rest_in_order() -> Result<(), DomainError> {
        let mut ds = sample()?;
        ds.remove_records(&HashSet::from([(RecordType::Contact, 0)]));
        assert_eq!(ds.contacts.len(), 1);
        assert_eq!(ds.contacts[0].contact_id.as_str(), "C2");
        Ok(())
    }
}
