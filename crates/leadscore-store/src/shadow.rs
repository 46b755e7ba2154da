//! A challenger's shadow scores (`shadow_scores`): computed beside the live
//! model's by the rescoring worker and never used.

use std::collections::BTreeMap;

use leadscore_domain::{LeadId, Timestamp};
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::sql::{Cells, ROWS_PER_STATEMENT, placeholders, value_rows};
use crate::{Backend, SqlStore, StoreError};

/// One lead's score under the challenger.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowRow {
    /// The lead.
    pub lead_id: LeadId,
    /// The challenger's version.
    pub version: i64,
    /// 0-100.
    pub score: i64,
    /// The probability of converting.
    pub probability: f64,
    /// A-D.
    pub grade: String,
    /// When it was scored.
    pub scored_at: Timestamp,
}

/// A version's shadow scores, summed up.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowTally {
    /// Leads it scored.
    pub leads: i64,
    /// The sum of their scores.
    pub total_score: i64,
    /// Leads per grade.
    pub grades: BTreeMap<String, i64>,
}

/// Inserts or replaces shadow scores, many rows per statement.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[&ShadowRow],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = placeholders(
            backend,
            &format!(
                "INSERT INTO shadow_scores (lead_id, version, score, probability, grade, scored_at) \
                 VALUES {} ON CONFLICT (lead_id, version) DO UPDATE SET score = excluded.score, \
                 probability = excluded.probability, grade = excluded.grade, \
                 scored_at = excluded.scored_at",
                value_rows(chunk.len(), 6)
            ),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            query = query
                .bind(r.lead_id.as_str())
                .bind(r.version)
                .bind(r.score)
                .bind(r.probability)
                .bind(r.grade.as_str())
                .bind(r.scored_at.as_micros());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("write shadow scores"))?;
    }
    Ok(())
}

/// Shadow scores (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct ShadowScores<'a> {
    pub(crate) store: &'a SqlStore,
}

impl ShadowScores<'_> {
    /// How many leads a version scored in shadow, in all and per grade.
    pub async fn tally(&self, version: i64) -> Result<ShadowTally, StoreError> {
        let op = "read shadow scores";
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT grade, COUNT(*) AS leads, CAST(SUM(score) AS BIGINT) AS total \
             FROM shadow_scores WHERE version = ? GROUP BY grade ORDER BY grade",
        )))
        .bind(version)
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query(op))?;
        let mut tally = ShadowTally {
            leads: 0,
            total_score: 0,
            grades: BTreeMap::new(),
        };
        for row in &rows {
            let c = Cells::new(row, "shadow_scores", &["grade"]);
            let n = c.required_int("leads")?;
            tally.leads += n;
            tally.total_score += c.required_int("total")?;
            tally.grades.insert(c.required_string("grade")?, n);
        }
        Ok(tally)
    }
}
