//! Lists the web console shows that no API route reads (its leads and
//! queues are [`crate::LeadList`]'s): the closed leads the
//! live conversion model called wrongly (its false positives and false
//! negatives); and the challenger's shadow scores beside the live model's.
//!
//! The conversion score is stored as JSON text (`lead_state.conversion`),
//! with its version and probability also as indexed columns beside it (the
//! mistakes are a range of their index); the few numbers read from the JSON
//! itself are read with each database's own JSON function (the one
//! difference between the two here).

use leadscore_domain::{LeadId, Stage, Timestamp, person_name};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use std::collections::HashMap;

use crate::scores::counted_page;
use crate::sql::{Cells, ROWS_PER_STATEMENT, marks, placeholders};
use crate::{Backend, Listing, PageWindow, SqlStore, StoreError};

/// Which mistakes of the live conversion model to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mistake {
    /// Disqualified leads the model called to convert (probability at or
    /// above the threshold), most confident first.
    FalsePositive,
    /// Qualified leads the model called not to convert, most confident
    /// first.
    FalseNegative,
}

/// A closed lead as the live conversion model scored it (as of its close).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredClosedLead {
    /// The lead.
    pub lead_id: LeadId,
    /// Its stage (`qualified` or `disqualified`).
    pub stage: Stage,
    /// The conversion probability.
    pub probability: f64,
    /// The 0-100 conversion score.
    pub score: Option<i64>,
    /// When it was scored.
    pub scored_at: Timestamp,
}

/// A lead's challenger (shadow) score beside its live conversion score.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowBeside {
    /// The lead.
    pub lead_id: LeadId,
    /// The challenger's 0-100 score.
    pub shadow_score: i64,
    /// The challenger's grade.
    pub shadow_grade: String,
    /// The live model's 0-100 score (none when it does not score the lead).
    pub live_score: Option<i64>,
    /// The lead's stage.
    pub stage: Stage,
}

/// Who a lead is, for lists: its contact's name and its company.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadName {
    /// The contact's first and last name, when it has a contact with one.
    pub name: Option<String>,
    /// The lead's account's name, else its contact's account's.
    pub company: Option<String>,
}

/// A number inside the `lead_state.conversion` JSON text, in SQL.
pub(crate) fn conversion_number(backend: Backend, key: &str, integer: bool) -> String {
    match (backend, integer) {
        (Backend::Sqlite, false) => format!("CAST(json_extract(conversion, '$.{key}') AS REAL)"),
        (Backend::Sqlite, true) => format!("CAST(json_extract(conversion, '$.{key}') AS INTEGER)"),
        (Backend::Postgres, false) => {
            format!("CAST(CAST(conversion AS json) ->> '{key}' AS DOUBLE PRECISION)")
        }
        (Backend::Postgres, true) => {
            format!("CAST(CAST(conversion AS json) ->> '{key}' AS BIGINT)")
        }
    }
}

/// The console's lists (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct ConsoleLists<'a> {
    store: &'a SqlStore,
}

impl SqlStore {
    /// The web console's lists ([`ConsoleLists`]).
    pub fn console_lists(&self) -> ConsoleLists<'_> {
        ConsoleLists { store: self }
    }
}

impl ConsoleLists<'_> {
    /// One page of the closed leads that conversion model `version` called
    /// wrongly at `threshold` (on their stored conversion scores, each as
    /// of the lead's close): the most confident mistakes first, or the
    /// closest calls first when `confident_first` is false.
    pub async fn mistakes(
        &self,
        version: i64,
        threshold: f64,
        mistake: Mistake,
        confident_first: bool,
        page: PageWindow,
    ) -> Result<Listing<ScoredClosedLead>, StoreError> {
        let op = "list a conversion model's mistakes";
        let backend = self.store.backend();
        let score = conversion_number(backend, "score", true);
        let (stage, compare, order) = match (mistake, confident_first) {
            (Mistake::FalsePositive, true) => (Stage::Disqualified, ">=", "DESC"),
            (Mistake::FalsePositive, false) => (Stage::Disqualified, ">=", "ASC"),
            (Mistake::FalseNegative, true) => (Stage::Qualified, "<", "ASC"),
            (Mistake::FalseNegative, false) => (Stage::Qualified, "<", "DESC"),
        };
        // A range of `lead_state_mistakes`, counted and paged in its order
        // (ties of probability by lead id in the same direction, so the
        // index is walked one way without a sort).
        let clause =
            format!("stage = ? AND conversion_version = ? AND conversion_probability {compare} ?");
        let bind = |sql: String| {
            sqlx::query(AssertSqlSafe(placeholders(backend, &sql)))
                .bind(stage.as_str())
                .bind(version)
                .bind(threshold)
        };
        let total = bind(format!(
            "SELECT COUNT(*) AS total FROM lead_state WHERE {clause}"
        ));
        let rows = bind(format!(
            "SELECT lead_id, stage, scored_at, conversion_probability AS probability, \
             {score} AS score FROM lead_state WHERE {clause} \
             ORDER BY conversion_probability {order}, lead_id {order} LIMIT ? OFFSET ?"
        ))
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset));
        let (total, rows) =
            counted_page(self.store, op, "lead_state", total, |_| Some(rows)).await?;
        let rows = rows
            .iter()
            .map(|row: &AnyRow| {
                let c = Cells::new(row, "lead_state", &["lead_id"]);
                Ok(ScoredClosedLead {
                    lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
                    stage: c.parse("stage", Stage::parse)?,
                    probability: c.float("probability")?.unwrap_or_default(),
                    score: c.int("score")?,
                    scored_at: c.timestamp("scored_at")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Listing { total, rows })
    }

    /// One page of the leads challenger `version` scored in shadow, beside
    /// their live conversion scores: the largest disagreement first.
    pub async fn shadow_beside(
        &self,
        version: i64,
        page: PageWindow,
    ) -> Result<Listing<ShadowBeside>, StoreError> {
        let op = "list shadow scores beside live ones";
        let backend = self.store.backend();
        let live = conversion_number(backend, "score", true);
        let total = sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "SELECT COUNT(*) AS total FROM shadow_scores s \
             JOIN lead_state l ON l.lead_id = s.lead_id WHERE s.version = ?",
        )))
        .bind(version);
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            backend,
            &format!(
                "SELECT s.lead_id AS lead_id, s.score AS shadow_score, s.grade AS shadow_grade, \
                 {live} AS live_score, l.stage AS stage \
                 FROM shadow_scores s JOIN lead_state l ON l.lead_id = s.lead_id \
                 WHERE s.version = ? \
                 ORDER BY ABS(s.score - COALESCE({live}, 0)) DESC, s.lead_id LIMIT ? OFFSET ?"
            ),
        )))
        .bind(version)
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset));
        let (total, rows) =
            counted_page(self.store, op, "shadow_scores", total, |_| Some(rows)).await?;
        let rows = rows
            .iter()
            .map(|row| {
                let c = Cells::new(row, "shadow_scores", &["lead_id"]);
                Ok(ShadowBeside {
                    lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
                    shadow_score: c.required_int("shadow_score")?,
                    shadow_grade: c.required_string("shadow_grade")?,
                    live_score: c.int("live_score")?,
                    stage: c.parse("stage", Stage::parse)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Listing { total, rows })
    }

    /// The names and companies of these leads (leads not stored are
    /// absent).
    pub async fn names(&self, leads: &[LeadId]) -> Result<HashMap<LeadId, LeadName>, StoreError> {
        let op = "read leads' names";
        let mut out = HashMap::with_capacity(leads.len());
        for chunk in leads.chunks(ROWS_PER_STATEMENT) {
            let sql = placeholders(
                self.store.backend(),
                &format!(
                    "SELECT l.lead_id AS lead_id, c.first_name AS first_name, \
                     c.last_name AS last_name, COALESCE(a.name, ca.name) AS company \
                     FROM leads l LEFT JOIN contacts c ON c.contact_id = l.contact_id \
                     LEFT JOIN accounts a ON a.account_id = l.account_id \
                     LEFT JOIN accounts ca ON ca.account_id = c.account_id \
                     WHERE l.lead_id IN ({})",
                    marks(chunk.len())
                ),
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            let rows = query
                .fetch_all(self.store.pool())
                .await
                .map_err(StoreError::query(op))?;
            for row in &rows {
                let c = Cells::new(row, "leads", &["lead_id"]);
                out.insert(
                    c.parse("lead_id", |s| LeadId::parse(s))?,
                    LeadName {
                        name: person_name(c.text("first_name")?, c.text("last_name")?),
                        company: c.string("company")?,
                    },
                );
            }
        }
        Ok(out)
    }
}
