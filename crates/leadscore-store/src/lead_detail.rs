//! Reads for one lead's detail page (the console's lead page): the few
//! interactions a page shows, read whole (with their properties) by id.
//!
//! The page finds which interactions are the lead's from its neighbourhood
//! read without properties ([`crate::Records::neighbourhood`], from an index
//! alone), orders and counts them, and reads only the page it shows here, so
//! that an account with thousands of interactions does not have all their
//! properties read to show a hundred.

use leadscore_domain::{Interaction, InteractionId};

use crate::records::read::decode_interaction;
use crate::schema::INTERACTIONS;
use crate::sql::select_in;
use crate::{SqlStore, StoreError};

/// Reads for one lead's detail page (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct LeadDetail<'a> {
    store: &'a SqlStore,
}

impl SqlStore {
    /// Reads for one lead's detail page.
    pub fn lead_detail(&self) -> LeadDetail<'_> {
        LeadDetail { store: self }
    }
}

impl LeadDetail<'_> {
    /// The interactions with these ids, with their properties, newest first
    /// (then by id, greatest first); ids not stored are skipped.
    pub async fn interactions(
        &self,
        ids: &[InteractionId],
    ) -> Result<Vec<Interaction>, StoreError> {
        let op = "read a lead's interactions";
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.store.acquire(op).await?;
        let sql = format!(
            "SELECT {} FROM {} WHERE interaction_id IN ({{in}})",
            INTERACTIONS.columns.join(", "),
            INTERACTIONS.name
        );
        let wanted: Vec<&str> = ids.iter().map(InteractionId::as_str).collect();
        let mut rows = select_in(&mut conn, self.store.backend(), &sql, &wanted, op, |row| {
            decode_interaction(&INTERACTIONS.cells(row))
        })
        .await?;
        rows.sort_by(|a, b| {
            b.occurred_at
                .cmp(&a.occurred_at)
                .then_with(|| b.interaction_id.cmp(&a.interaction_id))
        });
        Ok(rows)
    }
}
