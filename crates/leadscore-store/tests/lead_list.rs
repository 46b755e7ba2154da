//! The console's lead lists give the same rows whichever way they are read:
//! a filter that more than `COUNT_CAP` leads match walks the order's index
//! and filters as it goes (on SQLite the filter is kept out of index lookups
//! for it), a rarer one reads its matches from the filter's index and sorts
//! them, and one that matches nothing reads no page; in every order the
//! console offers (score, activity, name and company, each both ways). On
//! SQLite and PostgreSQL, against the order computed here.

mod common;

use std::cmp::Reverse;

use common::{TestDb, TestResult};
use leadscore_domain::Stage;
use leadscore_store::{COUNT_CAP, LeadFilter, LeadOrder, OPEN_STAGES, PageWindow};

leadscore_store::on_both_backends!(lists_agree_whatever_the_plan);

/// More leads than the count cap, so that the common filters exceed it.
const LEADS: i64 = 10_400;

/// Lead `i` as the statements below write it.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    score: i64,
    grade: &'static str,
    sales_ready: bool,
    open: bool,
    recency: i64,
    rare: bool,
    /// The name and company as lists sort them (ties, and some missing).
    name: Option<String>,
    company: Option<String>,
}

fn row(i: i64) -> Row {
    let score = (i * 37) % 101;
    Row {
        id: format!("L{i}"),
        score,
        grade: if score >= 50 { "A" } else { "B" },
        sales_ready: i % 97 == 0,
        open: i % 30 != 0,
        // 7919 is prime to 100,000: every lead's recency differs.
        recency: 1_770_000_000_000_000 + (i * 7919) % 100_000,
        rare: i % 50 == 0,
        name: (i % 11 != 0).then(|| format!("n{}", (i * 53) % 997)),
        company: (i % 7 != 0).then(|| format!("c{}", (i * 13) % 89)),
    }
}

/// A list to read: what it is, its filter, and which rows it keeps.
type Case = (&'static str, LeadFilter, fn(&Row) -> bool);

/// The numbers 1 to LEADS, for `INSERT ... SELECT` (SQL both stores run).
const NUMBERS: &str =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10400)";

async fn seed(db: &TestDb) -> TestResult {
    let pool = leadscore_store::testing::pool(&db.store);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO leads (lead_id, created_at, source, status) {NUMBERS} \
         SELECT 'L' || i, 1770000000000000, \
         CASE WHEN i % 50 = 0 THEN 'Rare' ELSE 'Web' END, 'open' FROM n"
    )))
    .execute(pool)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO lead_state (lead_id, primary_score, primary_grade, sales_ready, stage, \
         recency, scored_at, name_key, company_key) {NUMBERS} \
         SELECT 'L' || i, (i * 37) % 101, \
         CASE WHEN (i * 37) % 101 >= 50 THEN 'A' ELSE 'B' END, \
         CASE WHEN i % 97 = 0 THEN 1 ELSE 0 END, \
         CASE WHEN i % 30 = 0 THEN 'qualified' ELSE 'new' END, \
         1770000000000000 + (i * 7919) % 100000, 1770000000000000, \
         CASE WHEN i % 11 = 0 THEN NULL ELSE 'n' || ((i * 53) % 997) END, \
         CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || ((i * 13) % 89) END FROM n"
    )))
    .execute(pool)
    .await?;
    Ok(())
}

async fn lists_agree_whatever_the_plan(db: TestDb) -> TestResult {
    seed(&db).await?;
    let all: Vec<Row> = (1..=LEADS).map(row).collect();
    let open = || OPEN_STAGES.to_vec();
    let cases: Vec<Case> = vec![
        ("every lead", LeadFilter::default(), |_| true),
        (
            "open leads (more than the cap)",
            LeadFilter {
                stages: open(),
                ..LeadFilter::default()
            },
            |r| r.open,
        ),
        (
            "source Web (more than the cap)",
            LeadFilter {
                source: Some("Web".into()),
                ..LeadFilter::default()
            },
            |r| !r.rare,
        ),
        (
            "source Rare (fewer)",
            LeadFilter {
                source: Some("Rare".into()),
                ..LeadFilter::default()
            },
            |r| r.rare,
        ),
        (
            "open, grade A (fewer)",
            LeadFilter {
                stages: open(),
                grade: Some("A".into()),
                ..LeadFilter::default()
            },
            |r| r.open && r.grade == "A",
        ),
        (
            "sales-ready (few)",
            LeadFilter {
                sales_ready: Some(true),
                ..LeadFilter::default()
            },
            |r| r.sales_ready,
        ),
        (
            "no match",
            LeadFilter {
                source: Some("Nowhere".into()),
                ..LeadFilter::default()
            },
            |_| false,
        ),
    ];
    let orders = [
        LeadOrder::ScoreDesc,
        LeadOrder::ScoreAsc,
        LeadOrder::RecentDesc,
        LeadOrder::RecentAsc,
        LeadOrder::NameAsc,
        LeadOrder::NameDesc,
        LeadOrder::CompanyAsc,
        LeadOrder::CompanyDesc,
    ];
    let windows = [
        PageWindow {
            limit: 50,
            offset: 0,
        },
        PageWindow {
            limit: 50,
            offset: 150,
        },
    ];
    for (what, filter, keep) in &cases {
        let matching: Vec<&Row> = all.iter().filter(|r| keep(r)).collect();
        for order in orders {
            let mut expected = matching.clone();
            // Names and companies: the unnamed last, ties by lead id; the
            // descending orders are the exact reverse.
            let by_name = |r: &&Row| (r.name.is_none(), r.name.clone(), r.id.clone());
            let by_company = |r: &&Row| (r.company.is_none(), r.company.clone(), r.id.clone());
            match order {
                LeadOrder::ScoreDesc => expected.sort_by_key(|r| Reverse((r.score, r.recency))),
                LeadOrder::ScoreAsc => expected.sort_by_key(|r| (r.score, r.recency)),
                LeadOrder::RecentDesc => expected.sort_by_key(|r| Reverse(r.recency)),
                LeadOrder::RecentAsc => expected.sort_by_key(|r| r.recency),
                LeadOrder::NameAsc => expected.sort_by_key(by_name),
                LeadOrder::NameDesc => expected.sort_by_key(|r| Reverse(by_name(r))),
                LeadOrder::CompanyAsc => expected.sort_by_key(by_company),
                LeadOrder::CompanyDesc => expected.sort_by_key(|r| Reverse(by_company(r))),
                LeadOrder::LeadIdAsc | LeadOrder::LeadIdDesc => {
                    unreachable!("not among the orders tested here")
                }
            }
            for window in windows {
                let filter = LeadFilter {
                    order,
                    ..filter.clone()
                };
                let listed = db.store.lead_list().page(&filter, window).await?;
                let total = (matching.len() as u64).min(COUNT_CAP + 1);
                assert_eq!(listed.total, total, "{what}, {order:?}");
                let ids: Vec<&str> = listed.rows.iter().map(|r| r.lead_id.as_str()).collect();
                let want: Vec<&str> = expected
                    .iter()
                    .skip(window.offset as usize)
                    .take(window.limit as usize)
                    .map(|r| r.id.as_str())
                    .collect();
                assert_eq!(ids, want, "{what}, {order:?}, {window:?}");
                assert!(
                    listed
                        .rows
                        .iter()
                        .all(|r| (r.stage == Stage::New) == row_of(r.lead_id.as_str()).open),
                    "{what}: the stages read back"
                );
            }
        }
    }
    Ok(())
}

/// The row of a lead id `L<i>`.
fn row_of(id: &str) -> Row {
    row(id.trim_start_matches('L').parse().unwrap_or_default())
}
