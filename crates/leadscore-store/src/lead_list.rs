//! The console's lists of leads and its overview figures: each lead's name,
//! company, source and stored state, filtered and ordered, read from the
//! indexes of migration `console_lists` so that a page of a million leads
//! reads a page of index entries, never the whole table.
//!
//! A list counts its matches up to [`COUNT_CAP`] (a "more than" beyond):
//! counting every match of a filter on a million leads would cost a scan.

use leadscore_domain::{LeadId, Stage, Timestamp, person_name};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::scores::{AnyQuery, Listing, PageWindow, counted_page};
use crate::sql::{Cells, count, marks, placeholders};
use crate::{Backend, SqlStore, StoreError};

/// The most matches a list counts exactly.
pub const COUNT_CAP: u64 = 10_000;

/// The stages of an open lead.
pub const OPEN_STAGES: [Stage; 2] = [Stage::New, Stage::SalesAcceptance];

/// The primary score as the `lead_state_rank` index orders it (unscored
/// leads below every score).
const PRIMARY_RANK: &str = "COALESCE(s.primary_score, -1)";

/// A list's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeadOrder {
    /// Highest score first (the rule model's when the filter names one,
    /// else the primary; unscored last), then the latest activity.
    #[default]
    ScoreDesc,
    /// Lowest score first.
    ScoreAsc,
    /// Latest activity first.
    RecentDesc,
    /// Earliest activity first.
    RecentAsc,
    /// By lead id.
    LeadIdAsc,
    /// By lead id, descending.
    LeadIdDesc,
    /// By the contact's name (lower-cased), the unnamed last.
    NameAsc,
    /// By the contact's name, descending (the unnamed first).
    NameDesc,
    /// By the company's name (lower-cased), leads without one last.
    CompanyAsc,
    /// By the company's name, descending (leads without one first).
    CompanyDesc,
}

/// Which leads to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFilter {
    /// Only leads in one of these stages (empty: every stage;
    /// [`OPEN_STAGES`]: open leads).
    pub stages: Vec<Stage>,
    /// Only leads in this seller queue.
    pub queue: Option<String>,
    /// Only leads this rule model scored: the grade, the sales-ready filter
    /// and the score order then read its score rather than the primary.
    pub model: Option<String>,
    /// Only this grade.
    pub grade: Option<String>,
    /// Only leads flagged (true) or not (false) sales-ready.
    pub sales_ready: Option<bool>,
    /// Only leads from this source.
    pub source: Option<String>,
    /// The order.
    pub order: LeadOrder,
}

/// One lead of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadListRow {
    /// The lead.
    pub lead_id: LeadId,
    /// Its contact's first and last name, when it has a contact with one.
    pub name: Option<String>,
    /// Its contact's email.
    pub email: Option<String>,
    /// Its account's name (the lead's account, else its contact's).
    pub company: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Where it stands for sellers.
    pub stage: Stage,
    /// Its primary score.
    pub score: Option<i64>,
    /// Its primary grade.
    pub grade: Option<String>,
    /// Its sticky sales-ready flag.
    pub sales_ready: bool,
    /// The seller queue routing gave it.
    pub queue: Option<String>,
    /// Its latest activity.
    pub last_activity: Timestamp,
}

/// The overview's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overview {
    /// Open leads by primary grade (`None`: not graded), most first.
    pub open_by_grade: Vec<(Option<String>, u64)>,
    /// Open leads in all.
    pub open: u64,
    /// Leads flagged sales-ready since the time asked for.
    pub sales_ready_since: u64,
    /// Leads stored but never scored yet.
    pub never_scored: u64,
}

impl LeadOrder {
    /// The `ORDER BY` terms, matching an index's columns term by term.
    fn sql(self, by_model: bool) -> String {
        let score: &[&str] = if by_model {
            &["r.score", "r.lead_id"]
        } else {
            &[PRIMARY_RANK, "s.recency", "s.lead_id"]
        };
        let recent: &[&str] = &["s.recency", "s.lead_id"];
        // As `lead_state_name` and `lead_state_company` order them.
        let name: &[&str] = &["(s.name_key IS NULL)", "s.name_key", "s.lead_id"];
        let company: &[&str] = &["(s.company_key IS NULL)", "s.company_key", "s.lead_id"];
        let (columns, dir) = match self {
            Self::ScoreDesc => (score, "DESC"),
            Self::ScoreAsc => (score, "ASC"),
            Self::RecentDesc => (recent, "DESC"),
            Self::RecentAsc => (recent, "ASC"),
            Self::LeadIdAsc => (&["s.lead_id"][..], "ASC"),
            Self::LeadIdDesc => (&["s.lead_id"][..], "DESC"),
            Self::NameAsc => (name, "ASC"),
            Self::NameDesc => (name, "DESC"),
            Self::CompanyAsc => (company, "ASC"),
            Self::CompanyDesc => (company, "DESC"),
        };
        columns
            .iter()
            .map(|c| format!("{c} {dir}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The `FROM ... WHERE ...` of a filter with its values in bind order.
struct Clause {
    sql: String,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Clause {
    /// `names`: join the leads, contacts and accounts for the row's names
    /// (a count needs them only to filter by source). `order_first` (for
    /// SQLite, whose planner has no statistics): keep the filter's columns
    /// out of index lookups with SQLite's unary `+`, so that the planner
    /// walks the order's index and filters as it goes (a page of a filter
    /// that many leads match needs a few index entries), rather than reading
    /// every match from the filter's index and sorting them.
    fn of(filter: &LeadFilter, names: bool, order_first: bool) -> Self {
        let hint = if order_first { "+" } else { "" };
        let mut binds = Vec::new();
        let mut sql = match &filter.model {
            Some(model) => {
                binds.push(Bind::Text(model.clone()));
                "FROM rule_scores r JOIN lead_state s ON s.lead_id = r.lead_id".to_owned()
            }
            None => "FROM lead_state s".to_owned(),
        };
        if names || filter.source.is_some() {
            sql.push_str(" JOIN leads l ON l.lead_id = s.lead_id");
        }
        if names {
            sql.push_str(
                " LEFT JOIN contacts c ON c.contact_id = l.contact_id \
                 LEFT JOIN accounts a ON a.account_id = COALESCE(l.account_id, c.account_id)",
            );
        }
        let mut conditions = Vec::new();
        let by_model = filter.model.is_some();
        if by_model {
            conditions.push("r.model = ? AND r.score IS NOT NULL".to_owned());
        }
        if !filter.stages.is_empty() {
            conditions.push(format!("{hint}s.stage IN ({})", marks(filter.stages.len())));
            binds.extend(
                filter
                    .stages
                    .iter()
                    .map(|s| Bind::Text(s.as_str().to_owned())),
            );
        }
        if let Some(queue) = &filter.queue {
            conditions.push("s.queue = ?".to_owned());
            binds.push(Bind::Text(queue.clone()));
        }
        // A rule model's grade and sales-ready flag have indexes in its
        // score order (`rule_scores_grade_rank`, `rule_scores_ready_rank`):
        // reading them needs no sort whatever the count.
        let (of_model, model_hint) = if by_model { ("r", "") } else { ("s", hint) };
        if let Some(grade) = &filter.grade {
            let column = if by_model { "grade" } else { "primary_grade" };
            conditions.push(format!("{model_hint}{of_model}.{column} = ?"));
            binds.push(Bind::Text(grade.clone()));
        }
        if let Some(ready) = filter.sales_ready {
            conditions.push(format!("{model_hint}{of_model}.sales_ready = ?"));
            binds.push(Bind::Int(i64::from(ready)));
        }
        if let Some(source) = &filter.source {
            conditions.push(format!("{hint}l.source = ?"));
            binds.push(Bind::Text(source.clone()));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        Self { sql, binds }
    }

    fn query<'q>(&self, sql: String) -> AnyQuery<'q> {
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in &self.binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query
    }
}

const ROW_COLUMNS: &str = "s.lead_id AS lead_id, c.first_name AS first_name, \
    c.last_name AS last_name, c.email AS email, a.name AS company, l.source AS source, \
    l.created_at AS created_at, s.stage AS stage, s.primary_score AS primary_score, \
    s.primary_grade AS primary_grade, s.sales_ready AS sales_ready, s.queue AS queue, \
    s.recency AS recency";

fn row_of(row: &AnyRow) -> Result<LeadListRow, StoreError> {
    let c = Cells::new(row, "lead_state", &["lead_id"]);
    Ok(LeadListRow {
        lead_id: c.parse("lead_id", |s| LeadId::parse(s))?,
        name: person_name(c.text("first_name")?, c.text("last_name")?),
        email: c.string("email")?,
        company: c.string("company")?,
        source: c.string("source")?,
        created_at: c.timestamp("created_at")?,
        stage: c.parse("stage", Stage::parse)?,
        score: c.int("primary_score")?,
        grade: c.string("primary_grade")?,
        sales_ready: c.flag("sales_ready")?,
        queue: c.string("queue")?,
        last_activity: c.timestamp("recency")?,
    })
}

/// The console's lists of leads and overview (see the [module
/// documentation](self)).
#[derive(Debug, Clone, Copy)]
pub struct LeadList<'a> {
    pub(crate) store: &'a SqlStore,
}

impl LeadList<'_> {
    /// One page of the leads matching `filter`, and how many match up to
    /// [`COUNT_CAP`] (`COUNT_CAP + 1` means more).
    pub async fn page(
        &self,
        filter: &LeadFilter,
        page: PageWindow,
    ) -> Result<Listing<LeadListRow>, StoreError> {
        let op = "list leads";
        let backend = self.store.backend();
        let counting = Clause::of(filter, false, false);
        let total = counting.query(placeholders(
            backend,
            &format!(
                "SELECT COUNT(*) AS total FROM (SELECT 1 AS one {} LIMIT {}) capped",
                counting.sql,
                COUNT_CAP + 1
            ),
        ));
        // Many matches: walk the order's index, filtering; few: read them
        // from the filter's index and sort them; none: nothing to read.
        let rows = |total: u64| {
            let order_first = backend == Backend::Sqlite && total > COUNT_CAP;
            let listing = Clause::of(filter, true, order_first);
            (total > 0).then(|| {
                listing
                    .query(placeholders(
                        backend,
                        &format!(
                            "SELECT {ROW_COLUMNS} {} ORDER BY {} LIMIT ? OFFSET ?",
                            listing.sql,
                            filter.order.sql(filter.model.is_some())
                        ),
                    ))
                    .bind(i64::from(page.limit))
                    .bind(i64::from(page.offset))
            })
        };
        let (total, rows) = counted_page(self.store, op, "lead_state", total, rows).await?;
        let rows = rows.iter().map(row_of).collect::<Result<_, _>>()?;
        Ok(Listing { total, rows })
    }

    /// Every lead matching `filter` in its order, up to `limit` rows (an
    /// export's rows).
    pub async fn all(
        &self,
        filter: &LeadFilter,
        limit: u32,
    ) -> Result<Vec<LeadListRow>, StoreError> {
        Ok(self
            .page(filter, PageWindow { limit, offset: 0 })
            .await?
            .rows)
    }

    /// How many leads are stored (scored or not).
    pub async fn stored(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM leads")
            .fetch_one(self.store.pool())
            .await
            .map_err(StoreError::query("count stored leads"))?;
        Ok(count(Cells::new(&row, "leads", &[]).required_int("n")?))
    }

    /// The sources the stored leads name, in order (read from the
    /// `leads_source` index).
    pub async fn sources(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT source FROM leads WHERE source IS NOT NULL ORDER BY source",
        )
        .fetch_all(self.store.pool())
        .await
        .map_err(StoreError::query("list lead sources"))?;
        rows.iter()
            .map(|row| Cells::new(row, "leads", &[]).required_string("source"))
            .collect()
    }

    /// The overview's figures: open leads by primary grade, leads flagged
    /// sales-ready since `since`, and leads never scored.
    pub async fn overview(&self, since: Timestamp) -> Result<Overview, StoreError> {
        let op = "read the overview";
        let pool = self.store.pool();
        let rows = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            &format!(
                "SELECT primary_grade, COUNT(*) AS n FROM lead_state \
                 WHERE stage IN ({}) GROUP BY primary_grade",
                marks(OPEN_STAGES.len())
            ),
        )))
        .bind(OPEN_STAGES[0].as_str())
        .bind(OPEN_STAGES[1].as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(op))?;
        let mut open_by_grade = rows
            .iter()
            .map(|row| {
                let c = Cells::new(row, "lead_state", &[]);
                Ok((c.string("primary_grade")?, count(c.required_int("n")?)))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        open_by_grade.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let open = open_by_grade.iter().map(|(_, n)| n).sum();
        let ready = sqlx::query(AssertSqlSafe(placeholders(
            self.store.backend(),
            "SELECT COUNT(*) AS n FROM lead_state WHERE sales_ready_at >= ?",
        )))
        .bind(since.as_micros())
        .fetch_one(pool)
        .await
        .map_err(StoreError::query(op))?;
        let scored = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM leads) AS leads, (SELECT COUNT(*) FROM lead_state) AS states",
        )
        .fetch_one(pool)
        .await
        .map_err(StoreError::query(op))?;
        let n = |row: &AnyRow, column: &str| -> Result<u64, StoreError> {
            let v: i64 = row.try_get(column).map_err(StoreError::query(op))?;
            Ok(count(v))
        };
        Ok(Overview {
            open_by_grade,
            open,
            sales_ready_since: n(&ready, "n")?,
            never_scored: n(&scored, "leads")?.saturating_sub(n(&scored, "states")?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_name_whole_terms() {
        assert_eq!(
            LeadOrder::ScoreDesc.sql(false),
            "COALESCE(s.primary_score, -1) DESC, s.recency DESC, s.lead_id DESC"
        );
        assert_eq!(LeadOrder::ScoreAsc.sql(true), "r.score ASC, r.lead_id ASC");
        assert_eq!(LeadOrder::LeadIdDesc.sql(false), "s.lead_id DESC");
    }
}
