//! Who an interaction belongs to, and whose interactions a lead's scores
//! read: the one definition every path applies (the rules graph, the
//! conversion features, the folder reader, the store's reads), so that a
//! lead scores the same whichever path scores it.
//!
//! - An interaction belongs to the contact its `contact_id` names; without
//!   one, to the contact that lists its `visitor_id`. When several contacts
//!   list the same visitor id, the one with the **greatest contact id** (in
//!   byte order) owns it: a rule that depends on the records alone, not on
//!   the order a file or a database lists them in. An interaction owned by
//!   nobody counts for no score.
//! - A contact-based lead reads its contact's interactions; an account-based
//!   lead (an account, no contact) reads those of every contact of its
//!   account.

use rustc_hash::FxHashMap;

use crate::{Contact, ContactId, Interaction, Lead};

/// Whether `candidate` takes a visitor id from `current` when both list it:
/// the greater contact id wins.
pub fn takes_visitor(current: &str, candidate: &str) -> bool {
    candidate.as_bytes() > current.as_bytes()
}

/// Which contact owns each visitor id, over a set of contacts.
#[derive(Debug, Clone, Default)]
pub struct VisitorOwners<'a> {
    owners: FxHashMap<&'a str, &'a ContactId>,
}

impl<'a> VisitorOwners<'a> {
    /// The owners of every visitor id the contacts list.
    pub fn new(contacts: impl IntoIterator<Item = &'a Contact>) -> Self {
        let mut owners: FxHashMap<&'a str, &'a ContactId> = FxHashMap::default();
        for contact in contacts {
            if let Some(visitor) = &contact.visitor_id {
                let id = &contact.contact_id;
                owners
                    .entry(visitor.as_str())
                    .and_modify(|owner| {
                        if takes_visitor(owner.as_str(), id.as_str()) {
                            *owner = id;
                        }
                    })
                    .or_insert(id);
            }
        }
        Self { owners }
    }

    /// The contact owning a visitor id.
    pub fn owner(&self, visitor: &str) -> Option<&'a ContactId> {
        self.owners.get(visitor).copied()
    }

    /// The contact an interaction belongs to: its contact, else its visitor
    /// id's owner.
    pub fn of<'i>(&self, interaction: &'i Interaction) -> Option<&'i ContactId>
    where
        'a: 'i,
    {
        match (&interaction.contact_id, &interaction.visitor_id) {
            (Some(contact), _) => Some(contact),
            (None, Some(visitor)) => self.owner(visitor.as_str()),
            (None, None) => None,
        }
    }
}

/// Whose interactions a lead's scores read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads<'a> {
    /// A contact-based lead: its contact's.
    Contact(&'a ContactId),
    /// An account-based lead: those of every contact of this account.
    Account(&'a crate::AccountId),
    /// An unscorable lead: none.
    Nobody,
}

impl<'a> Reads<'a> {
    /// Whose interactions `lead` reads.
    pub fn of(lead: &'a Lead) -> Self {
        match (&lead.contact_id, &lead.account_id) {
            (Some(contact), _) => Self::Contact(contact),
            (None, Some(account)) => Self::Account(account),
            (None, None) => Self::Nobody,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InteractionId, InteractionKind, Timestamp, VisitorId};

    fn contact(id: &str, visitor: &str) -> Result<Contact, crate::DomainError> {
        let mut c = Contact::new(ContactId::parse(id)?);
        c.visitor_id = Some(VisitorId::parse(visitor)?);
        Ok(c)
    }

    #[test]
    fn the_greatest_contact_id_owns_a_shared_visitor_in_any_order() -> Result<(), crate::DomainError>
    {
        let a = contact("C-10", "v")?;
        let b = contact("C-9", "v")?;
        let one = VisitorOwners::new([&a, &b]);
        let other = VisitorOwners::new([&b, &a]);
        assert_eq!(one.owner("v").map(ContactId::as_str), Some("C-9"));
        assert_eq!(other.owner("v").map(ContactId::as_str), Some("C-9"));
        let mut visit = Interaction::new(
            InteractionId::parse("I-1")?,
            InteractionKind::WebsiteVisited,
            Timestamp::parse("2026-01-01")?,
        );
        visit.visitor_id = Some(VisitorId::parse("v")?);
        assert_eq!(one.of(&visit).map(ContactId::as_str), Some("C-9"));
        visit.contact_id = Some(ContactId::parse("C-10")?);
        assert_eq!(one.of(&visit).map(ContactId::as_str), Some("C-10"));
        visit.contact_id = None;
        visit.visitor_id = Some(VisitorId::parse("nobody")?);
        assert_eq!(one.of(&visit), None);
        Ok(())
    }
}
