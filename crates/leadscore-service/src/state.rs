//! The service's per-lead tables: each lead's state (primary score, the sticky
//! sales-ready flag, stage, queue), its latest score under each rule model, and
//! the history of changes. SQL shared by SQLite and PostgreSQL.

use std::collections::HashMap;

use leadscore_store::{Backend, placeholders};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::ServiceError;
use crate::time::rfc3339;

/// A lead's stage.
pub const STAGE_NEW: &str = "new";
/// The stage a sales-ready lead moves to.
pub const STAGE_SALES_ACCEPTANCE: &str = "sales_acceptance";

/// A lead's stored state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadState {
    /// The lead.
    pub lead_id: String,
    /// The primary score.
    pub primary_score: Option<i64>,
    /// Its grade.
    pub primary_grade: Option<String>,
    /// The primary score's source and model, as JSON (a [`Primary`](crate::engine::Primary)).
    pub primary_detail: Option<String>,
    /// The conversion score, as JSON.
    pub conversion: Option<String>,
    /// The sticky flag.
    pub sales_ready: bool,
    /// When it was flagged.
    pub sales_ready_at: Option<i64>,
    /// The model that flagged it.
    pub sales_ready_model: Option<String>,
    /// `new`, `sales_acceptance`, `qualified` or `disqualified`.
    pub stage: String,
    /// The queue routing gave it.
    pub queue: Option<String>,
    /// Its latest activity (interaction or creation), microseconds.
    pub recency: i64,
    /// When it was last scored, microseconds.
    pub scored_at: i64,
}

/// A lead's stored score under one rule model.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleScoreRow {
    /// The lead.
    pub lead_id: String,
    /// The model.
    pub model: String,
    /// The score (none when the model does not score the lead).
    pub score: Option<i64>,
    /// The grade.
    pub grade: Option<String>,
    /// Reached the model's threshold.
    pub sales_ready: bool,
    /// Why there is no score.
    pub reason: Option<String>,
    /// The explanation, JSON.
    pub explanation: String,
    /// When scored, microseconds.
    pub scored_at: i64,
}

/// One change in a lead's scores.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// When (RFC 3339).
    pub at: String,
    /// What changed: a rule model's name, `conversion`, `primary`, `sales_ready`
    /// or `queue`.
    pub what: String,
    /// The score before (none: not scored before).
    pub old_score: Option<i64>,
    /// The score after.
    pub new_score: Option<i64>,
    /// The grade (or queue) before.
    pub old_grade: Option<String>,
    /// The grade (or queue) after.
    pub new_grade: Option<String>,
    /// Why it was rescored (`interactions ingested`, `periodic refresh`, ...).
    pub cause: String,
}

fn q(operation: &'static str) -> impl FnOnce(sqlx::Error) -> ServiceError {
    ServiceError::query(operation)
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

const STATE_COLUMNS: &str = "lead_id, primary_score, primary_grade, primary_detail, conversion, \
    sales_ready, sales_ready_at, sales_ready_model, stage, queue, recency, scored_at";

fn state_of(r: &AnyRow) -> Result<LeadState, sqlx::Error> {
    Ok(LeadState {
        lead_id: r.try_get(0)?,
        primary_score: r.try_get(1)?,
        primary_grade: r.try_get(2)?,
        primary_detail: r.try_get(3)?,
        conversion: r.try_get(4)?,
        sales_ready: r.try_get::<i64, _>(5)? != 0,
        sales_ready_at: r.try_get(6)?,
        sales_ready_model: r.try_get(7)?,
        stage: r.try_get(8)?,
        queue: r.try_get(9)?,
        recency: r.try_get(10)?,
        scored_at: r.try_get(11)?,
    })
}

/// The stored states of these leads.
pub async fn read_states(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[String],
) -> Result<HashMap<String, LeadState>, ServiceError> {
    let op = "read lead states";
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {STATE_COLUMNS} FROM lead_state WHERE lead_id IN ({})",
            marks(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(placeholders(backend, &sql)));
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(&mut *conn).await.map_err(q(op))? {
            let state = state_of(&row).map_err(q(op))?;
            out.insert(state.lead_id.clone(), state);
        }
    }
    Ok(out)
}

/// Rows per multi-row `INSERT` (12 columns: well under SQLite's and
/// PostgreSQL's parameter limits).
pub(crate) const ROWS_PER_STATEMENT: usize = 100;

/// `(?, ?, ..), (?, ?, ..)`: `rows` groups of `width` placeholders.
pub(crate) fn value_rows(rows: usize, width: usize) -> String {
    let row = format!("({})", marks(width));
    vec![row; rows].join(", ")
}

/// Inserts or replaces lead states, many rows per statement.
pub async fn write_states(
    conn: &mut AnyConnection,
    backend: Backend,
    states: &[&LeadState],
) -> Result<(), ServiceError> {
    for chunk in states.chunks(ROWS_PER_STATEMENT) {
        let sql = placeholders(
            backend,
            &format!(
                "INSERT INTO lead_state ({STATE_COLUMNS}) VALUES {} \
                 ON CONFLICT (lead_id) DO UPDATE SET primary_score = excluded.primary_score, \
                 primary_grade = excluded.primary_grade, primary_detail = excluded.primary_detail, \
                 conversion = excluded.conversion, sales_ready = excluded.sales_ready, \
                 sales_ready_at = excluded.sales_ready_at, sales_ready_model = excluded.sales_ready_model, \
                 stage = excluded.stage, queue = excluded.queue, recency = excluded.recency, \
                 scored_at = excluded.scored_at",
                value_rows(chunk.len(), 12)
            ),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for s in chunk {
            query = query
                .bind(s.lead_id.as_str())
                .bind(s.primary_score)
                .bind(s.primary_grade.as_deref())
                .bind(s.primary_detail.as_deref())
                .bind(s.conversion.as_deref())
                .bind(i64::from(s.sales_ready))
                .bind(s.sales_ready_at)
                .bind(s.sales_ready_model.as_deref())
                .bind(s.stage.as_str())
                .bind(s.queue.as_deref())
                .bind(s.recency)
                .bind(s.scored_at);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(q("write lead states"))?;
    }
    Ok(())
}

const RULE_COLUMNS: &str =
    "lead_id, model, score, grade, sales_ready, reason, explanation, scored_at";

fn rule_score_of(r: &AnyRow) -> Result<RuleScoreRow, sqlx::Error> {
    Ok(RuleScoreRow {
        lead_id: r.try_get(0)?,
        model: r.try_get(1)?,
        score: r.try_get(2)?,
        grade: r.try_get(3)?,
        sales_ready: r.try_get::<i64, _>(4)? != 0,
        reason: r.try_get(5)?,
        explanation: r.try_get(6)?,
        scored_at: r.try_get(7)?,
    })
}

/// The stored rule scores of these leads, by lead then model.
pub async fn read_rule_scores(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[String],
) -> Result<HashMap<String, Vec<RuleScoreRow>>, ServiceError> {
    let op = "read rule scores";
    let mut out: HashMap<String, Vec<RuleScoreRow>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {RULE_COLUMNS} FROM rule_scores WHERE lead_id IN ({}) ORDER BY lead_id, model",
            marks(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(placeholders(backend, &sql)));
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(&mut *conn).await.map_err(q(op))? {
            let r = rule_score_of(&row).map_err(q(op))?;
            out.entry(r.lead_id.clone()).or_default().push(r);
        }
    }
    Ok(out)
}

/// Inserts or replaces rule scores, many rows per statement.
pub async fn write_rule_scores(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[&RuleScoreRow],
) -> Result<(), ServiceError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = placeholders(
            backend,
            &format!(
                "INSERT INTO rule_scores ({RULE_COLUMNS}) VALUES {} \
                 ON CONFLICT (lead_id, model) DO UPDATE SET score = excluded.score, \
                 grade = excluded.grade, sales_ready = excluded.sales_ready, reason = excluded.reason, \
                 explanation = excluded.explanation, scored_at = excluded.scored_at",
                value_rows(chunk.len(), 8)
            ),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            query = query
                .bind(r.lead_id.as_str())
                .bind(r.model.as_str())
                .bind(r.score)
                .bind(r.grade.as_deref())
                .bind(i64::from(r.sales_ready))
                .bind(r.reason.as_deref())
                .bind(r.explanation.as_str())
                .bind(r.scored_at);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(q("write rule scores"))?;
    }
    Ok(())
}

/// Deletes a lead's scores under models no longer defined.
pub async fn delete_other_rule_scores(
    conn: &mut AnyConnection,
    backend: Backend,
    lead_id: &str,
    keep: &[String],
) -> Result<(), ServiceError> {
    let sql = if keep.is_empty() {
        "DELETE FROM rule_scores WHERE lead_id = ?".to_owned()
    } else {
        format!(
            "DELETE FROM rule_scores WHERE lead_id = ? AND model NOT IN ({})",
            marks(keep.len())
        )
    };
    let mut query = sqlx::query(AssertSqlSafe(placeholders(backend, &sql))).bind(lead_id);
    for k in keep {
        query = query.bind(k.as_str());
    }
    query
        .execute(&mut *conn)
        .await
        .map_err(q("delete stale rule scores"))?;
    Ok(())
}

/// Appends history entries `(lead, time, entry)`, many rows per statement.
pub async fn append_history(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: &[(&str, i64, &HistoryEntry)],
) -> Result<(), ServiceError> {
    for chunk in entries.chunks(ROWS_PER_STATEMENT) {
        let sql = placeholders(
            backend,
            &format!(
                "INSERT INTO score_history (event_id, lead_id, at, what, old_score, new_score, \
                 old_grade, new_grade, cause) VALUES {}",
                value_rows(chunk.len(), 9)
            ),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (lead_id, at, e) in chunk {
            query = query
                .bind(crate::ids::new_id())
                .bind(*lead_id)
                .bind(*at)
                .bind(e.what.as_str())
                .bind(e.old_score)
                .bind(e.new_score)
                .bind(e.old_grade.as_deref())
                .bind(e.new_grade.as_deref())
                .bind(e.cause.as_str());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(q("append score history"))?;
    }
    Ok(())
}

/// A lead's history, oldest first.
pub async fn read_history(
    conn: &mut AnyConnection,
    backend: Backend,
    lead_id: &str,
) -> Result<Vec<HistoryEntry>, ServiceError> {
    let op = "read score history";
    let sql = placeholders(
        backend,
        "SELECT at, what, old_score, new_score, old_grade, new_grade, cause FROM score_history \
         WHERE lead_id = ? ORDER BY at, what",
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(lead_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(q(op))?;
    rows.iter()
        .map(|r| {
            let at: i64 = r.try_get(0)?;
            Ok(HistoryEntry {
                at: rfc3339(at),
                what: r.try_get(1)?,
                old_score: r.try_get(2)?,
                new_score: r.try_get(3)?,
                old_grade: r.try_get(4)?,
                new_grade: r.try_get(5)?,
                cause: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(q(op))
}
