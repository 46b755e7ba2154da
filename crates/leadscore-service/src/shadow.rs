//! Shadow scoring: a retrained model kept unpublished (the challenger) scores
//! every lead the worker rescores, beside the live model, and its scores are
//! stored (`shadow_scores`) but never used for grades, routing or events.

use std::collections::BTreeMap;

use leadscore_domain::{Dataset, Timestamp};
use leadscore_scoring::FeatureIndex;
use leadscore_store::{Backend, placeholders};
use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::ServiceError;
use crate::engine::LiveModel;
use crate::state::{ROWS_PER_STATEMENT, value_rows};

/// One lead's score under the challenger.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowRow {
    /// The lead.
    pub lead_id: String,
    /// The challenger's version.
    pub version: i64,
    /// 0-100.
    pub score: i64,
    /// The probability of converting.
    pub probability: f64,
    /// A-D.
    pub grade: String,
    /// When it was scored (microseconds).
    pub scored_at: i64,
}

/// The challenger's scores of the leads of `data` named by `lead_ids`, as of
/// `at` (a lead closed by then, as of its close, as the live model scores
/// it). A lead the challenger cannot read is left out, with a warning.
pub fn score(
    challenger: &LiveModel,
    data: &Dataset,
    lead_ids: &[String],
    at: Timestamp,
) -> Vec<ShadowRow> {
    let index = FeatureIndex::new(data);
    let mut work = Vec::new();
    let mut out = Vec::with_capacity(lead_ids.len());
    for id in lead_ids {
        let Some(i) = index.lead_index(id) else {
            continue;
        };
        match challenger.encode_lead(data, &index, i, at) {
            Ok(row) => {
                let scored = challenger.score(&row, &mut work);
                out.push(ShadowRow {
                    lead_id: id.clone(),
                    version: challenger.version,
                    score: i64::from(scored.score),
                    probability: scored.probability,
                    grade: scored.grade.to_string(),
                    scored_at: at.as_micros(),
                });
            }
            Err(e) => tracing::warn!(
                version = challenger.version,
                error = %e,
                "the challenger cannot score a lead"
            ),
        }
    }
    out
}

/// Inserts or replaces shadow scores, many rows per statement.
pub async fn write(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[&ShadowRow],
) -> Result<(), ServiceError> {
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
                .bind(r.scored_at);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(ServiceError::query("write shadow scores"))?;
    }
    Ok(())
}

/// A version's shadow scores, summed up.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ShadowSummary {
    /// The version.
    pub version: i64,
    /// Leads it scored.
    pub leads: i64,
    /// Their mean score.
    pub mean_score: Option<f64>,
    /// Leads per grade.
    pub grades: BTreeMap<String, i64>,
}

/// The summary of a version's shadow scores.
pub async fn summary(
    pool: &AnyPool,
    backend: Backend,
    version: i64,
) -> Result<ShadowSummary, ServiceError> {
    let op = "read shadow scores";
    let rows = sqlx::query(AssertSqlSafe(placeholders(
        backend,
        "SELECT grade, COUNT(*), CAST(SUM(score) AS BIGINT) FROM shadow_scores WHERE version = ? \
         GROUP BY grade ORDER BY grade",
    )))
    .bind(version)
    .fetch_all(pool)
    .await
    .map_err(ServiceError::query(op))?;
    let mut grades = BTreeMap::new();
    let (mut leads, mut total) = (0_i64, 0_i64);
    for row in &rows {
        let grade: String = row.try_get(0).map_err(ServiceError::query(op))?;
        let n: i64 = row.try_get(1).map_err(ServiceError::query(op))?;
        let sum: i64 = row.try_get(2).map_err(ServiceError::query(op))?;
        leads += n;
        total += sum;
        grades.insert(grade, n);
    }
    Ok(ShadowSummary {
        version,
        leads,
        mean_score: (leads > 0).then(|| total as f64 / leads as f64),
        grades,
    })
}
