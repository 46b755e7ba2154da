//! The leads' stored scores: each lead's state (`lead_state`: primary score,
//! the sticky sales-ready flag, stage, queue), its latest score under each
//! rule model (`rule_scores`), and the history of changes (`score_history`).
//! The rescoring worker writes them ([`crate::Rescoring`]); this repository
//! reads them.

use std::collections::HashMap;

use leadscore_domain::{LeadId, Stage, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::sql::{
    Cells, ROWS_PER_STATEMENT, count, marks, new_id, placeholders, select_in, value_rows,
};
use crate::{Backend, SqlStore, StoreError};

/// A lead's stored state.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadStateRow {
    /// The lead.
    pub lead_id: LeadId,
    /// The primary score.
    pub primary_score: Option<i64>,
    /// Its grade.
    pub primary_grade: Option<String>,
    /// The primary score's source and model, as JSON.
    pub primary_detail: Option<String>,
    /// The conversion score, as JSON.
    pub conversion: Option<String>,
    /// The sticky sales-ready flag.
    pub sales_ready: bool,
    /// When it was flagged.
    pub sales_ready_at: Option<Timestamp>,
    /// The model that flagged it.
    pub sales_ready_model: Option<String>,
    /// Its stage.
    pub stage: Stage,
    /// The queue routing gave it.
    pub queue: Option<String>,
    /// Its latest activity (interaction or creation).
    pub recency: Timestamp,
    /// When it was last scored.
    pub scored_at: Timestamp,
    /// Its contact's name as lists sort it ([`leadscore_domain::sort_key`]).
    pub name_key: Option<String>,
    /// Its company's name as lists sort it (its own account's, else its
    /// contact's account's).
    pub company_key: Option<String>,
}

/// A lead's stored score under one rule model.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleScoreRow {
    /// The lead.
    pub lead_id: LeadId,
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
    /// When scored.
    pub scored_at: Timestamp,
}

/// One change in a lead's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    /// When.
    pub at: Timestamp,
    /// What changed: a rule model's name, `conversion`, `primary`,
    /// `sales_ready` or `queue`.
    pub what: String,
    /// The score before.
    pub old_score: Option<i64>,
    /// The score after.
    pub new_score: Option<i64>,
    /// The grade (or queue) before.
    pub old_grade: Option<String>,
    /// The grade (or queue) after.
    pub new_grade: Option<String>,
    /// Why it was rescored.
    pub cause: String,
}

/// The order of a rule model's scored leads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScoreOrder {
    /// Highest score first (then by lead id).
    #[default]
    ScoreDesc,
    /// Lowest score first (then by lead id).
    ScoreAsc,
    /// By lead id.
    LeadId,
    /// Latest scored first (then by lead id).
    Recent,
}

impl ScoreOrder {
    fn sql(self) -> &'static str {
        match self {
            Self::ScoreDesc => "score DESC, lead_id",
            Self::ScoreAsc => "score ASC, lead_id",
            Self::LeadId => "lead_id",
            Self::Recent => "scored_at DESC, lead_id",
        }
    }
}

/// Which of a rule model's scored leads to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreFilter {
    /// Only this grade.
    pub grade: Option<String>,
    /// Only leads whose score reached (true) or did not reach (false) the
    /// model's threshold.
    pub sales_ready: Option<bool>,
    /// The order.
    pub order: ScoreOrder,
}

/// A lead a rule model scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelScore {
    /// The lead.
    pub lead_id: LeadId,
    /// Its score.
    pub score: i64,
    /// Its grade.
    pub grade: Option<String>,
    /// Whether the score reached the threshold.
    pub sales_ready: bool,
    /// When it was scored.
    pub scored_at: Timestamp,
}

/// A lead in a seller queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The lead.
    pub lead_id: LeadId,
    /// Its primary score.
    pub score: Option<i64>,
    /// Its primary grade.
    pub grade: Option<String>,
    /// Its sales-ready flag.
    pub sales_ready: bool,
    /// Its stage.
    pub stage: Stage,
    /// Its latest activity.
    pub last_activity: Timestamp,
}

/// Rows of a listing: how many match in all, and one page of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    /// Rows matching, all pages together.
    pub total: u64,
    /// The rows asked for.
    pub rows: Vec<T>,
}

/// A page: at most `limit` rows after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWindow {
    /// Most rows.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

/// A statement of the store's driver, its values bound.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Runs a listing's count (one row with a `total` column, of `table`) and
/// its page of rows, the statement `rows` makes for that count (none: no
/// row to read), from one snapshot. Run as two statements, a rescoring
/// committed between them made a page disagree with its count (CI saw a
/// seller queue's page show a lead under "Rows 1–1 of 0").
pub(crate) async fn counted_page<'q>(
    store: &SqlStore,
    op: &'static str,
    table: &'static str,
    total: AnyQuery<'q>,
    rows: impl FnOnce(u64) -> Option<AnyQuery<'q>>,
) -> Result<(u64, Vec<AnyRow>), StoreError> {
    let mut conn = store.acquire(op).await?;
    let mut tx = conn
        .begin_with(store.backend().begin_snapshot())
        .await
        .map_err(StoreError::query(op))?;
    let total = total
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::query(op))?;
    let total = count(Cells::new(&total, table, &[]).required_int("total")?);
    let rows = match rows(total) {
        Some(rows) => rows
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::query(op))?,
        None => Vec::new(),
    };
    tx.rollback().await.map_err(StoreError::query(op))?;
    Ok((total, rows))
}

const STATE_COLUMNS: &str = "lead_id, primary_score, primary_grade, primary_detail, conversion, \
    sales_ready, sales_ready_at, sales_ready_model, stage, queue, recency, scored_at, name_key, \
    company_key";

/// The columns written beside [`STATE_COLUMNS`]: derived from the
/// conversion JSON ([`ConversionKey`]), never read back into a row.
const STATE_KEY_COLUMNS: &str = "conversion_version, conversion_probability";

/// The conversion score's version and probability, which are stored as
/// columns beside its JSON (`lead_state_mistakes` indexes them) and always
/// written from it, so the two never disagree.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
struct ConversionKey {
    version: i64,
    probability: f64,
}

impl ConversionKey {
    /// The key of a state's conversion score, if it has one.
    fn of(state: &LeadStateRow) -> Result<Option<Self>, StoreError> {
        state
            .conversion
            .as_deref()
            .map(|json| {
                serde_json::from_str(json).map_err(|e| StoreError::CorruptRow {
                    table: "lead_state",
                    id: state.lead_id.as_str().to_owned(),
                    column: "conversion",
                    reason: format!("the conversion score is not readable: {e}"),
                })
            })
            .transpose()
    }
}

fn state_of(row: &AnyRow) -> Result<LeadStateRow, StoreError> {
    let c = Cells::new(row, "lead_state", &["lead_id"]);
    Ok(LeadStateRow {
        lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
        primary_score: c.int("primary_score")?,
        primary_grade: c.string("primary_grade")?,
        primary_detail: c.string("primary_detail")?,
        conversion: c.string("conversion")?,
        sales_ready: c.flag("sales_ready")?,
        sales_ready_at: c.timestamp_opt("sales_ready_at")?,
        sales_ready_model: c.string("sales_ready_model")?,
        stage: c.parse("stage", Stage::parse)?,
        queue: c.string("queue")?,
        recency: c.timestamp("recency")?,
        scored_at: c.timestamp("scored_at")?,
        name_key: c.string("name_key")?,
        company_key: c.string("company_key")?,
    })
}

const RULE_COLUMNS: &str =
    "lead_id, model, score, grade, sales_ready, reason, explanation, scored_at";

fn rule_score_of(row: &AnyRow) -> Result<RuleScoreRow, StoreError> {
    let c = Cells::new(row, "rule_scores", &["lead_id", "model"]);
    Ok(RuleScoreRow {
        lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
        model: c.required_string("model")?,
        score: c.int("score")?,
        grade: c.string("grade")?,
        sales_ready: c.flag("sales_ready")?,
        reason: c.string("reason")?,
        explanation: c.required_string("explanation")?,
        scored_at: c.timestamp("scored_at")?,
    })
}

fn ids(leads: &[LeadId]) -> Vec<&str> {
    leads.iter().map(LeadId::as_str).collect()
}

/// The stored states of these leads.
pub(crate) async fn read_states(
    conn: &mut AnyConnection,
    backend: Backend,
    leads: &[LeadId],
) -> Result<HashMap<LeadId, LeadStateRow>, StoreError> {
    let sql = format!("SELECT {STATE_COLUMNS} FROM lead_state WHERE lead_id IN ({{in}})");
    let rows = select_in(
        conn,
        backend,
        &sql,
        &ids(leads),
        "read lead states",
        state_of,
    )
    .await?;
    Ok(rows.into_iter().map(|s| (s.lead_id.clone(), s)).collect())
}

/// The stored rule scores of these leads, by lead then model.
pub(crate) async fn read_rule_scores(
    conn: &mut AnyConnection,
    backend: Backend,
    leads: &[LeadId],
) -> Result<HashMap<LeadId, Vec<RuleScoreRow>>, StoreError> {
    let sql = format!(
        "SELECT {RULE_COLUMNS} FROM rule_scores WHERE lead_id IN ({{in}}) ORDER BY lead_id, model"
    );
    let rows = select_in(
        conn,
        backend,
        &sql,
        &ids(leads),
        "read rule scores",
        rule_score_of,
    )
    .await?;
    let mut out: HashMap<LeadId, Vec<RuleScoreRow>> = HashMap::new();
    for r in rows {
        out.entry(r.lead_id.clone()).or_default().push(r);
    }
    Ok(out)
}

/// Inserts or replaces lead states, many rows per statement.
pub(crate) async fn write_states(
    conn: &mut AnyConnection,
    backend: Backend,
    states: &[&LeadStateRow],
) -> Result<(), StoreError> {
    for chunk in states.chunks(ROWS_PER_STATEMENT) {
        let sql = placeholders(
            backend,
            &format!(
                "INSERT INTO lead_state ({STATE_COLUMNS}, {STATE_KEY_COLUMNS}) VALUES {} \
                 ON CONFLICT (lead_id) DO UPDATE SET primary_score = excluded.primary_score, \
                 primary_grade = excluded.primary_grade, primary_detail = excluded.primary_detail, \
                 conversion = excluded.conversion, sales_ready = excluded.sales_ready, \
                 sales_ready_at = excluded.sales_ready_at, sales_ready_model = excluded.sales_ready_model, \
                 stage = excluded.stage, queue = excluded.queue, recency = excluded.recency, \
                 scored_at = excluded.scored_at, conversion_version = excluded.conversion_version, \
                 conversion_probability = excluded.conversion_probability, \
                 name_key = excluded.name_key, company_key = excluded.company_key",
                value_rows(chunk.len(), 16)
            ),
        );
        // A NULL probability is bound as a NULL `f32` (see
        // `schema::Table::nullable_double`): not cached on PostgreSQL.
        let mut query = sqlx::query(AssertSqlSafe(sql)).persistent(backend != Backend::Postgres);
        for s in chunk {
            let key = ConversionKey::of(s)?;
            query = query
                .bind(s.lead_id.as_str())
                .bind(s.primary_score)
                .bind(s.primary_grade.as_deref())
                .bind(s.primary_detail.as_deref())
                .bind(s.conversion.as_deref())
                .bind(i64::from(s.sales_ready))
                .bind(s.sales_ready_at.map(Timestamp::as_micros))
                .bind(s.sales_ready_model.as_deref())
                .bind(s.stage.as_str())
                .bind(s.queue.as_deref())
                .bind(s.recency.as_micros())
                .bind(s.scored_at.as_micros())
                .bind(s.name_key.as_deref())
                .bind(s.company_key.as_deref())
                .bind(key.map(|k| k.version))
                .bind(key.map(|k| k.probability));
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("write lead states"))?;
    }
    Ok(())
}

/// Inserts or replaces rule scores, many rows per statement.
pub(crate) async fn write_rule_scores(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[&RuleScoreRow],
) -> Result<(), StoreError> {
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
                .bind(r.scored_at.as_micros());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("write rule scores"))?;
    }
    Ok(())
}

/// Deletes a lead's scores under models other than `keep`.
pub(crate) async fn delete_other_rule_scores(
    conn: &mut AnyConnection,
    backend: Backend,
    lead_id: &LeadId,
    keep: &[String],
) -> Result<(), StoreError> {
    let sql = if keep.is_empty() {
        "DELETE FROM rule_scores WHERE lead_id = ?".to_owned()
    } else {
        format!(
            "DELETE FROM rule_scores WHERE lead_id = ? AND model NOT IN ({})",
            marks(keep.len())
        )
    };
    let mut query = sqlx::query(AssertSqlSafe(placeholders(backend, &sql))).bind(lead_id.as_str());
    for k in keep {
        query = query.bind(k.as_str());
    }
    query
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("delete stale rule scores"))?;
    Ok(())
}

/// Appends history entries `(lead, entry)`, many rows per statement.
pub(crate) async fn append_history(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: &[(&LeadId, &HistoryRow)],
) -> Result<(), StoreError> {
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
        for (lead_id, e) in chunk {
            query = query
                .bind(new_id())
                .bind(lead_id.as_str())
                .bind(e.at.as_micros())
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
            .map_err(StoreError::query("append score history"))?;
    }
    Ok(())
}

/// The leads' stored scores (see the [module documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct Scores<'a> {
    pub(crate) store: &'a SqlStore,
}

impl Scores<'_> {
    /// A lead's stored state with its rule scores (by model name), read
    /// from one snapshot, so that both are of the same rescoring (on
    /// PostgreSQL, two statements outside such a transaction may see a
    /// rescoring committed between them: a state older than its scores);
    /// `None` when it has not been scored yet.
    pub async fn lead(
        &self,
        lead_id: &LeadId,
    ) -> Result<Option<(LeadStateRow, Vec<RuleScoreRow>)>, StoreError> {
        let op = "read a lead's scores";
        let backend = self.store.backend();
        let mut conn = self.store.acquire(op).await?;
        let mut tx = conn
            .begin_with(backend.begin_snapshot())
            .await
            .map_err(StoreError::query(op))?;
        let one = std::slice::from_ref(lead_id);
        let state = read_states(&mut tx, backend, one).await?.remove(lead_id);
        let rules = match state {
            Some(_) => read_rule_scores(&mut tx, backend, one)
                .await?
                .remove(lead_id)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        tx.rollback().await.map_err(StoreError::query(op))?;
        Ok(state.map(|state| (state, rules)))
    }

    /// The stored states of these leads (leads not scored yet are absent).
    pub async fn states(
        &self,
        leads: &[LeadId],
    ) -> Result<HashMap<LeadId, LeadStateRow>, StoreError> {
        let mut conn = self.store.acquire("read lead states").await?;
        read_states(&mut conn, self.store.backend(), leads).await
    }

    /// The stored rule scores of these leads, by lead then model.
    pub async fn rule_scores(
        &self,
        leads: &[LeadId],
    ) -> Result<HashMap<LeadId, Vec<RuleScoreRow>>, StoreError> {
        let mut conn = self.store.acquire("read rule scores").await?;
        read_rule_scores(&mut conn, self.store.backend(), leads).await
    }

    /// A lead's history, oldest first.
    pub async fn history(&self, lead_id: &LeadId) -> Result<Vec<HistoryRow>, StoreError> {
        let op = "read score history";
        let sql = placeholders(
            self.store.backend(),
            "SELECT event_id, at, what, old_score, new_score, old_grade, new_grade, cause \
             FROM score_history WHERE lead_id = ? ORDER BY at, what",
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(lead_id.as_str())
            .fetch_all(self.store.pool())
            .await
            .map_err(StoreError::query(op))?;
        rows.iter()
            .map(|row| {
                let c = Cells::new(row, "score_history", &["event_id"]);
                Ok(HistoryRow {
                    at: c.timestamp("at")?,
                    what: c.required_string("what")?,
                    old_score: c.int("old_score")?,
                    new_score: c.int("new_score")?,
                    old_grade: c.string("old_grade")?,
                    new_grade: c.string("new_grade")?,
                    cause: c.required_string("cause")?,
                })
            })
            .collect()
    }

    /// The leads `model` scored, filtered and ordered: every row, or one
    /// `page` of them.
    pub async fn under_model(
        &self,
        model: &str,
        filter: &ScoreFilter,
        page: Option<PageWindow>,
    ) -> Result<Listing<ModelScore>, StoreError> {
        let op = "list a rule model's scores";
        let backend = self.store.backend();
        let mut clause = "model = ? AND score IS NOT NULL".to_owned();
        if filter.grade.is_some() {
            clause.push_str(" AND grade = ?");
        }
        if filter.sales_ready.is_some() {
            clause.push_str(" AND sales_ready = ?");
        }
        let bind = |sql: String| {
            let mut query = sqlx::query(AssertSqlSafe(placeholders(backend, &sql))).bind(model);
            if let Some(grade) = &filter.grade {
                query = query.bind(grade.as_str());
            }
            if let Some(ready) = filter.sales_ready {
                query = query.bind(i64::from(ready));
            }
            query
        };
        let total = bind(format!(
            "SELECT COUNT(*) AS total FROM rule_scores WHERE {clause}"
        ));
        let limit = if page.is_some() {
            " LIMIT ? OFFSET ?"
        } else {
            ""
        };
        let mut query = bind(format!(
            "SELECT lead_id, model, score, grade, sales_ready, scored_at FROM rule_scores \
             WHERE {clause} ORDER BY {}{limit}",
            filter.order.sql()
        ));
        if let Some(p) = page {
            query = query.bind(i64::from(p.limit)).bind(i64::from(p.offset));
        }
        let (total, rows) =
            counted_page(self.store, op, "rule_scores", total, |_| Some(query)).await?;
        let rows = rows
            .iter()
            .map(|row| {
                let c = Cells::new(row, "rule_scores", &["lead_id", "model"]);
                Ok(ModelScore {
                    lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
                    score: c.required_int("score")?,
                    grade: c.string("grade")?,
                    sales_ready: c.flag("sales_ready")?,
                    scored_at: c.timestamp("scored_at")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Listing { total, rows })
    }

    /// A seller queue's leads in priority order: primary score (highest
    /// first, unscored last), then latest activity (newest first).
    pub async fn queue(
        &self,
        queue: &str,
        page: PageWindow,
    ) -> Result<Listing<QueueEntry>, StoreError> {
        let op = "list a seller queue";
        let backend = self.store.backend();
        let total = sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "SELECT COUNT(*) AS total FROM lead_state WHERE queue = ?",
        )))
        .bind(queue);
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            backend,
            "SELECT lead_id, primary_score, primary_grade, sales_ready, stage, recency \
             FROM lead_state WHERE queue = ? \
             ORDER BY primary_score DESC NULLS LAST, recency DESC, lead_id LIMIT ? OFFSET ?",
        )))
        .bind(queue)
        .bind(i64::from(page.limit))
        .bind(i64::from(page.offset));
        let (total, rows) =
            counted_page(self.store, op, "lead_state", total, |_| Some(rows)).await?;
        let rows = rows
            .iter()
            .map(|row| {
                let c = Cells::new(row, "lead_state", &["lead_id"]);
                Ok(QueueEntry {
                    lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
                    score: c.int("primary_score")?,
                    grade: c.string("primary_grade")?,
                    sales_ready: c.flag("sales_ready")?,
                    stage: c.parse("stage", Stage::parse)?,
                    last_activity: c.timestamp("recency")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Listing { total, rows })
    }
}
