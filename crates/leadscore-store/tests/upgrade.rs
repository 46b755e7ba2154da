//! Upgrades from every released schema, on SQLite and PostgreSQL.
//!
//! There are no release tags: every migration file marks a schema the code
//! has been at. For each prefix of the migration list, a fresh database is
//! brought to that schema one migration at a time, and right after each
//! migration the rows its schema holds are written (as the code of that time
//! wrote them: [`STEPS`]). Then the current code opens it, which migrates it
//! to this binary's schema, and everything is read back through the store's
//! typed API, and written to.
//!
//! A new migration adds its step to [`STEPS`] (rows for the tables or
//! columns it adds, and what to read back in [`check`]); the test fails,
//! naming it, until it does.
//!
//! Also here: a database a newer leadscore migrated (a migration applied
//! that this binary does not know) is refused, naming both versions, and
//! left untouched.

use std::borrow::Cow;

use leadscore_domain::{
    ContactId, Dataset, Interaction, InteractionId, InteractionKind, LeadId, LeadStatus, Role,
    RunStatus, Stage, Timestamp,
};
use leadscore_store::testing::empty_postgres;
use leadscore_store::{
    DatabaseUrl, DocumentName, LeadFilter, Mistake, PageWindow, SqlStore, Store, StoreCounts,
    StoreError, binary_schema_version, known_migrations,
};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row, SqlSafeStr};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The store's migrations, as the binary embeds them.
static MIGRATOR: Migrator = sqlx::migrate!();

/// One migration and the rows written at its schema (literal SQL that both
/// SQLite and PostgreSQL accept; times are microseconds since the epoch,
/// 1772000000000000 is 2026-02-25T06:13:20Z).
struct Step {
    version: i64,
    rows: &'static [&'static str],
}

const V_CREATE_TABLES: i64 = 20260301000000;
const V_SERVICE: i64 = 20261123000000;
const V_QUEUE_TOKEN: i64 = 20261124000000;
const V_RETRAINING: i64 = 20261125000000;
const V_INTERACTIONS_BY_CONTACT: i64 = 20261126000000;
const V_RUN_HEARTBEAT: i64 = 20261202000000;
const V_KEY_EXPIRY: i64 = 20261203000000;
const V_USERS: i64 = 20261204000000;
const V_CONSOLE_LISTS: i64 = 20261205000000;
const V_RULE_MODEL_VERSIONS: i64 = 20261206000000;
const V_CONSOLE_FILTERS: i64 = 20261207000000;
const V_LEAD_STATE_KEYS: i64 = 20261208000000;
const V_REVIEW_SNAPSHOTS: i64 = 20261209000000;
const V_QUEUE_STAGE: i64 = 20261210000000;

/// Every migration, oldest first, with the rows its schema holds.
const STEPS: &[Step] = &[
    Step {
        version: V_CREATE_TABLES,
        rows: &[
            "INSERT INTO accounts (account_id, name, industry, employees, annual_revenue, country, city, custom) \
             VALUES ('A-1', 'Müller & Söhne', 'Manufacturing', 1200, 1234567.5, 'DE', 'Köln', '{\"tier\":\"gold\"}'), \
             ('A-2', NULL, NULL, NULL, NULL, NULL, NULL, '{}')",
            "INSERT INTO contacts (contact_id, account_id, first_name, last_name, email, job_title, city, country, visitor_id, custom) \
             VALUES ('C-1', 'A-1', 'Ada', 'Lovelace', 'ada@example.invalid', 'CTO', 'London', 'UK', 'V-1', '{\"linkedin\":\"yes\"}'), \
             ('C-2', 'A-2', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}')",
            "INSERT INTO leads (lead_id, created_at, contact_id, account_id, topic, source, status, closed_at, disqualify_reason, custom) \
             VALUES ('L-1', 1772000000000000, 'C-1', 'A-1', 'Widgets', 'Webinar', 'qualified', 1772600000000000, NULL, '{\"budget\":\"50000\"}'), \
             ('L-2', 1772000000000001, NULL, 'A-2', NULL, NULL, 'open', NULL, NULL, '{}'), \
             ('L-3', 1772000000000002, 'C-2', 'A-2', NULL, 'Web', 'open', NULL, NULL, '{}')",
            "INSERT INTO interactions (interaction_id, kind, occurred_at, contact_id, lead_id, visitor_id, properties) \
             VALUES ('I-1', 'EmailClicked', 1772100000000000, 'C-1', 'L-1', NULL, '{\"email_name\":\"spring\"}'), \
             ('I-2', 'FormSubmitted', 1772200000000000, NULL, NULL, 'V-1', '{}')",
            "INSERT INTO custom_records (entity, record_id, lead_id, fields) \
             VALUES ('Meeting', 'M-1', 'L-1', '{\"outcome\":\"Completed\"}')",
        ],
    },
    Step {
        version: V_SERVICE,
        rows: &[
            "INSERT INTO api_keys (key_id, key_hash, role, label, created_at, revoked_at) \
             VALUES ('lsk_upgrade', 'hash-upgrade', 'read', 'from the service schema', 1772000000000000, NULL)",
            "INSERT INTO rule_models (name, body, updated_at) \
             VALUES ('Engagement', '{\"name\":\"Engagement\",\"rules\":[]}', 1772000000000000)",
            "INSERT INTO conversion_models (version, artifact, metrics, created_at, registered_at, published_at) \
             VALUES (1, '{\"format\":1}', '{\"auc\":0.8}', 1772000000000000, 1772000000000000, 1772000000000000)",
            "INSERT INTO model_publications (seq, version, published_at, cause) \
             VALUES (1, 1, 1772000000000000, 'upgrade test')",
            "INSERT INTO service_settings (name, value, updated_at) \
             VALUES ('routing', '{\"rules\":[],\"default_queue\":\"triage\"}', 1772000000000000)",
            "INSERT INTO rule_scores (lead_id, model, score, grade, sales_ready, reason, explanation, scored_at) \
             VALUES ('L-1', 'Engagement', 42, 'Warm', 0, NULL, '{\"rules\":[]}', 1772000000000000)",
            "INSERT INTO lead_state (lead_id, primary_score, primary_grade, primary_detail, conversion, sales_ready, \
             sales_ready_at, sales_ready_model, stage, queue, recency, scored_at) \
             VALUES ('L-1', 42, 'Warm', NULL, '{\"version\":1,\"score\":30,\"probability\":0.3,\"grade\":\"C\",\"low_confidence\":false,\"contributions\":[],\"intercept\":-0.8}', \
             0, NULL, NULL, 'qualified', 'triage', 1772000000000000, 1772000000000000)",
            "INSERT INTO score_history (event_id, lead_id, at, what, old_score, new_score, old_grade, new_grade, cause) \
             VALUES ('H-1', 'L-1', 1772000000000000, 'Engagement', NULL, 42, NULL, 'Warm', 'ingest')",
            "INSERT INTO rescore_queue (lead_id, cause, queued_at) VALUES ('L-2', 'ingest', 1772000000000000)",
            "INSERT INTO events (event_id, event_type, lead_id, dedupe_key, payload, created_at) \
             VALUES ('E-1', 'lead.grade_changed', 'L-1', 'L-1:grade:1', '{}', 1772000000000000)",
            "INSERT INTO deliveries (event_id, endpoint, attempts, next_attempt_at) \
             VALUES ('E-1', 'crm', 0, 1772000000000000)",
            "INSERT INTO erasures (erasure_id, contact_hash, interactions, leads, erased_at, key_id) \
             VALUES ('X-1', 'hash-of-an-erased-contact', 0, 0, 1772000000000000, NULL)",
        ],
    },
    Step {
        version: V_QUEUE_TOKEN,
        rows: &[
            "INSERT INTO rescore_queue (lead_id, cause, queued_at, token) VALUES ('L-3', 'ingest', 1772000000000000, 42)",
        ],
    },
    Step {
        version: V_RETRAINING,
        rows: &[
            "INSERT INTO retraining_runs (run_id, slot, trigger_name, started_at, finished_at, status, version, \
             champion, challenger_auc, champion_auc, leads, reason) \
             VALUES (1, NULL, 'command', 1772000000000000, 1772000060000000, 'published', 1, NULL, 0.8, NULL, 100, 'no live model')",
            "INSERT INTO shadow_scores (lead_id, version, score, probability, grade, scored_at) \
             VALUES ('L-1', 1, 55, 0.55, 'B', 1772000000000000)",
        ],
    },
    Step {
        version: V_INTERACTIONS_BY_CONTACT,
        rows: &[
            "INSERT INTO interactions (interaction_id, kind, occurred_at, contact_id, lead_id, visitor_id, properties) \
             VALUES ('I-3', 'WebsiteVisited', 1772300000000000, 'C-2', NULL, NULL, '{\"url\":\"/pricing\"}')",
        ],
    },
    Step {
        version: V_RUN_HEARTBEAT,
        rows: &[
            "INSERT INTO retraining_runs (run_id, slot, trigger_name, started_at, status, heartbeat_at) \
             VALUES (2, '2026-02-26T03:00:00Z', 'schedule', 1772000000000000, 'running', 1772000010000000)",
        ],
    },
    Step {
        version: V_KEY_EXPIRY,
        rows: &[
            "INSERT INTO api_keys (key_id, key_hash, role, label, created_at, revoked_at, expires_at, replaces) \
             VALUES ('lsk_rotated', 'hash-rotated', 'ingest', 'rotated', 1772000000000000, NULL, 4102444800000000, 'lsk_upgrade')",
        ],
    },
    // The console's tables (rows only: what to read back of them belongs
    // with their repository's reads in check()).
    Step {
        version: V_USERS,
        rows: &[
            "INSERT INTO users (user_id, email, email_key, password_hash, role, created_at, disabled_at) \
             VALUES ('U-1', 'Ada@Example.invalid', 'ada@example.invalid', NULL, 'admin', 1772000000000000, NULL)",
            "INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at) \
             VALUES ('session-hash', 'U-1', 'csrf', 1772000000000000, 1772000000000000, 1772086400000000, NULL)",
            "INSERT INTO sign_in_links (token_hash, user_id, created_at, expires_at, used_at) \
             VALUES ('link-hash', 'U-1', 1772000000000000, 1772086400000000, NULL)",
            "INSERT INTO sign_in_failures (email_key, failed_at) VALUES ('ada@example.invalid', 1772000000000000)",
        ],
    },
    // Indexes only: the rows of earlier steps are read through them.
    Step {
        version: V_CONSOLE_LISTS,
        rows: &[],
    },
    // Saved versions of rule models: the migration copies each stored model
    // as its version 1; a later save wrote version 2.
    Step {
        version: V_RULE_MODEL_VERSIONS,
        rows: &[
            "INSERT INTO rule_model_versions (name, version, body, saved_at, saved_by) \
             VALUES ('Engagement', 2, '{\"name\":\"Engagement\",\"target\":\"contact\",\"rules\":[]}', 1772000000000001, 'ada@example.invalid')",
        ],
    },
    // Indexes only.
    Step {
        version: V_CONSOLE_FILTERS,
        rows: &[],
    },
    // The conversion score's version and probability as columns: written
    // beside the JSON from this schema on (earlier states are filled from
    // their JSON when the store opens).
    Step {
        version: V_LEAD_STATE_KEYS,
        rows: &[
            "INSERT INTO lead_state (lead_id, primary_score, primary_grade, primary_detail, conversion, sales_ready, \
             sales_ready_at, sales_ready_model, stage, queue, recency, scored_at, conversion_version, conversion_probability) \
             VALUES ('L-3', NULL, NULL, NULL, '{\"version\":1,\"score\":90,\"probability\":0.9,\"grade\":\"A\",\"low_confidence\":false,\"contributions\":[],\"intercept\":2.2}', \
             0, NULL, NULL, 'disqualified', NULL, 1772000000000000, 1772000000000000, 1, 0.9)",
        ],
    },
    Step {
        version: V_REVIEW_SNAPSHOTS,
        rows: &[
            "INSERT INTO review_snapshots (version, recent_days, computed_at, body) \
             VALUES (1, 90, 1772000000000000, '{\"stored\":\"at this schema\"}')",
        ],
    },
    // An index only: the rows before it are read back through it.
    Step {
        version: V_QUEUE_STAGE,
        rows: &[],
    },
];

#[test]
fn every_migration_has_a_step() {
    let steps: Vec<i64> = STEPS.iter().map(|s| s.version).collect();
    let known = known_migrations();
    for version in &known {
        assert!(
            steps.contains(version),
            "migration {version} has no step in crates/leadscore-store/tests/upgrade.rs: add the \
             rows its schema holds to STEPS, and what to read back to check()"
        );
    }
    assert_eq!(steps, known, "STEPS lists the migrations, oldest first");
    assert_eq!(binary_schema_version(), known.last().copied().unwrap_or(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_upgrades_from_every_released_schema() -> TestResult {
    for prefix in 1..=STEPS.len() {
        let dir = tempfile::tempdir()?;
        let url = DatabaseUrl::sqlite_file(dir.path().join("old.db"));
        upgrade_from(&url, prefix).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_upgrades_from_every_released_schema() -> TestResult {
    for prefix in 1..=STEPS.len() {
        let Some(db) = empty_postgres().await? else {
            return Ok(());
        };
        let outcome = upgrade_from(db.url(), prefix).await;
        db.cleanup().await?;
        outcome?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_refuses_a_newer_schema() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::sqlite_file(dir.path().join("newer.db"));
    refuses_a_newer_schema(&url).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_a_newer_schema() -> TestResult {
    let Some(db) = empty_postgres().await? else {
        return Ok(());
    };
    let outcome = refuses_a_newer_schema(db.url()).await;
    db.cleanup().await?;
    outcome
}

/// A pool on a database, with no schema set up and nothing migrated.
async fn raw_pool(url: &DatabaseUrl) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url.connect_url())
        .await
}

/// Brings a fresh database to the schema after the first `prefix`
/// migrations, with each step's rows written right after its migration;
/// then opens it with the current code and checks everything reads back.
async fn upgrade_from(url: &DatabaseUrl, prefix: usize) -> TestResult {
    let steps = &STEPS[..prefix];
    let pool = raw_pool(url).await?;
    for step in steps {
        MIGRATOR.run_to(step.version, &pool).await?;
        for sql in step.rows {
            sqlx::query(*sql)
                .execute(&pool)
                .await
                .map_err(|e| format!("step {}: {e}: {sql}", step.version))?;
        }
    }
    let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>("version"))
        .collect::<Result<_, _>>()?;
    let seeded: Vec<i64> = steps.iter().map(|s| s.version).collect();
    assert_eq!(applied, seeded, "the database is at the prefix's schema");
    pool.close().await;

    let store = SqlStore::open(url)
        .await
        .map_err(|e| format!("opening the schema of {seeded:?}: {e}"))?;
    let outcome = check(&store, &seeded).await;
    store.close().await;
    outcome.map_err(|e| format!("upgraded from the schema of {seeded:?}: {e}").into())
}

/// Reads back, through the typed API, what the seeded steps wrote, and
/// writes to the upgraded store.
async fn check(store: &SqlStore, seeded: &[i64]) -> TestResult {
    let has = |v: i64| seeded.contains(&v);
    let l1 = LeadId::parse("L-1")?;

    // The records of the first schema.
    let counts = store.counts().await?;
    let interactions = if has(V_INTERACTIONS_BY_CONTACT) { 3 } else { 2 };
    assert_eq!(
        counts,
        StoreCounts {
            accounts: 2,
            contacts: 2,
            leads: 3,
            interactions,
            custom_records: 1,
        }
    );
    let leads = store.records().leads(std::slice::from_ref(&l1)).await?;
    let lead = leads.get(&l1).ok_or("lead L-1 is not read back")?;
    assert_eq!(lead.status, LeadStatus::Qualified);
    assert_eq!(lead.topic.as_deref(), Some("Widgets"));
    assert_eq!(lead.contact_id, Some(ContactId::parse("C-1")?));
    assert_eq!(lead.created_at, Timestamp::parse("2026-02-25T06:13:20Z")?);
    assert_eq!(lead.custom.get("budget"), Some("50000"));
    let around = store
        .records()
        .neighbourhood(std::slice::from_ref(&l1), true)
        .await?;
    let click = around
        .interactions
        .iter()
        .find(|i| i.interaction_id.as_str() == "I-1")
        .ok_or("interaction I-1 of lead L-1 is not read back")?;
    assert_eq!(click.kind, InteractionKind::EmailClicked);
    assert_eq!(click.lead_id, Some(l1.clone()));
    assert_eq!(click.properties.get("email_name"), Some("spring"));
    let exported = store.export().await?;
    let account = exported
        .accounts
        .iter()
        .find(|a| a.account_id.as_str() == "A-1")
        .ok_or("account A-1 is not exported")?;
    assert_eq!(account.name.as_deref(), Some("Müller & Söhne"));
    assert_eq!(account.annual_revenue, Some(1_234_567.5));
    assert_eq!(exported.custom.values().map(Vec::len).sum::<usize>(), 1);

    if has(V_SERVICE) {
        let keys = store.keys().list().await?;
        let key = keys
            .iter()
            .find(|k| k.key_id == "lsk_upgrade")
            .ok_or("key lsk_upgrade is not read back")?;
        assert_eq!(key.role, Role::Read);
        assert_eq!(key.revoked_at, None);
        let rules = store.registry().rule_models().await?;
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].name, "Engagement");
        assert_eq!(store.registry().live_version().await?, Some(1));
        assert_eq!(store.registry().versions().await?.len(), 1);
        // The console's list reads the lead's state with its names.
        let listed = store
            .lead_list()
            .page(
                &LeadFilter::default(),
                PageWindow {
                    limit: 10,
                    offset: 0,
                },
            )
            .await?;
        let states = if has(V_LEAD_STATE_KEYS) { 2 } else { 1 };
        assert_eq!(listed.total, states);
        let row = listed.rows.first().ok_or("lead L-1 is not listed")?;
        assert_eq!(row.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(row.company.as_deref(), Some("Müller & Söhne"));
        assert_eq!((row.score, row.stage), (Some(42), Stage::Qualified));
        assert!(
            store
                .documents()
                .get(DocumentName::Routing)
                .await?
                .is_some_and(|text| text.contains("triage"))
        );
        let (state, rule_scores) = store
            .scores()
            .lead(&l1)
            .await?
            .ok_or("the scores of L-1 are not read back")?;
        assert_eq!(state.primary_score, Some(42));
        assert_eq!(state.stage, Stage::Qualified);
        // The list keys, filled from the records when they were added.
        assert_eq!(state.name_key.as_deref(), Some("ada lovelace"));
        assert_eq!(state.company_key.as_deref(), Some("müller & söhne"));
        assert_eq!(rule_scores.len(), 1);
        assert_eq!(rule_scores[0].grade.as_deref(), Some("Warm"));
        let history = store.scores().history(&l1).await?;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].new_score, Some(42));
        let tally = store.outbox().tally().await?;
        assert_eq!(tally.pending, 1);
    }
    let queued = store.queue().peek(10).await?;
    let queued_leads: Vec<&str> = queued.iter().map(|q| q.lead_id.as_str()).collect();
    match (has(V_SERVICE), has(V_QUEUE_TOKEN)) {
        (false, _) => assert!(queued.is_empty()),
        (true, false) => assert_eq!(queued_leads, ["L-2"]),
        (true, true) => {
            assert_eq!(queued.len(), 2, "{queued:?}");
            let token = |lead: &str| {
                queued
                    .iter()
                    .find(|q| q.lead_id.as_str() == lead)
                    .map(|q| q.token)
            };
            // L-2 was queued before tokens (the column's default), L-3 with one.
            assert!(token("L-2").is_some() && token("L-3").is_some());
            assert_ne!(token("L-2"), token("L-3"));
        }
    }
    if has(V_RETRAINING) {
        let runs = store.retraining().list().await?;
        let first = runs
            .iter()
            .find(|r| r.run_id == 1)
            .ok_or("retraining run 1 is not read back")?;
        assert_eq!(first.status, RunStatus::Published);
        assert_eq!(first.version, Some(1));
        assert_eq!(store.shadow().tally(1).await?.leads, 1);
        if has(V_RUN_HEARTBEAT) {
            // Its heartbeat is long past: the listing marks it interrupted.
            let second = runs
                .iter()
                .find(|r| r.run_id == 2)
                .ok_or("retraining run 2 is not read back")?;
            assert_eq!(second.status, RunStatus::Interrupted);
        }
    }
    if has(V_INTERACTIONS_BY_CONTACT) {
        let l3 = LeadId::parse("L-3")?;
        let around = store
            .records()
            .neighbourhood(std::slice::from_ref(&l3), false)
            .await?;
        assert!(
            around
                .interactions
                .iter()
                .any(|i| i.interaction_id.as_str() == "I-3")
        );
    }
    if has(V_KEY_EXPIRY) {
        let keys = store.keys().list().await?;
        let rotated = keys
            .iter()
            .find(|k| k.key_id == "lsk_rotated")
            .ok_or("key lsk_rotated is not read back")?;
        assert_eq!(rotated.role, Role::Ingest);
        assert_eq!(rotated.replaces.as_deref(), Some("lsk_upgrade"));
        assert!(rotated.expires_at.is_some());
    }

    if has(V_SERVICE) {
        // The stored model became its version 1 when versions were added
        // (whenever that was); version 2 was saved at that schema.
        let versions = store.registry().rule_model_versions("Engagement").await?;
        let numbers: Vec<i64> = versions.iter().map(|v| v.version).collect();
        if has(V_RULE_MODEL_VERSIONS) {
            assert_eq!(numbers, [2, 1]);
            assert_eq!(versions[0].saved_by.as_deref(), Some("ada@example.invalid"));
        } else {
            assert_eq!(numbers, [1]);
        }
        assert_eq!(
            versions.last().map(|v| v.body.as_str()),
            Some("{\"name\":\"Engagement\",\"rules\":[]}")
        );
    }

    if has(V_SERVICE) {
        // The conversion columns: filled from the JSON of the states stored
        // before them, written with it after; the mistakes list reads them.
        let page = PageWindow {
            limit: 10,
            offset: 0,
        };
        let lists = store.console_lists();
        let negatives = lists
            .mistakes(1, 0.5, Mistake::FalseNegative, true, page)
            .await?;
        let ids: Vec<&str> = negatives.rows.iter().map(|r| r.lead_id.as_str()).collect();
        assert_eq!(ids, ["L-1"]);
        assert_eq!(negatives.rows[0].probability, 0.3);
        let positives = lists
            .mistakes(1, 0.5, Mistake::FalsePositive, true, page)
            .await?;
        let ids: Vec<&str> = positives.rows.iter().map(|r| r.lead_id.as_str()).collect();
        let expected: &[&str] = if has(V_LEAD_STATE_KEYS) {
            &["L-3"]
        } else {
            &[]
        };
        assert_eq!(ids, expected);
    }
    if has(V_REVIEW_SNAPSHOTS) {
        let stored = store
            .review_snapshots()
            .get(1, 90)
            .await?
            .ok_or("the stored review is not read back")?;
        assert_eq!(stored.body, "{\"stored\":\"at this schema\"}");
        assert_eq!(
            stored.computed_at,
            Timestamp::parse("2026-02-25T06:13:20Z")?
        );
    }

    // The upgraded store takes writes.
    let mut click = Interaction::new(
        InteractionId::parse("I-new")?,
        InteractionKind::EmailClicked,
        Timestamp::parse("2026-03-05T10:00:00Z")?,
    );
    click.contact_id = Some(ContactId::parse("C-1")?);
    click.lead_id = Some(l1.clone());
    let data = Dataset {
        interactions: vec![click],
        ..Dataset::default()
    };
    store.records().ingest(&data, "upgrade test").await?;
    assert_eq!(store.counts().await?.interactions, interactions + 1);
    Ok(())
}

/// Applies every migration but the newest, then one this binary does not
/// know: the current code must refuse the database, naming the versions,
/// and leave it as it was.
async fn refuses_a_newer_schema(url: &DatabaseUrl) -> TestResult {
    let known = known_migrations();
    let newest = binary_schema_version();
    let future_version = 29991231000000;
    let mut migrations: Vec<Migration> = MIGRATOR
        .iter()
        .filter(|m| m.version != newest)
        .cloned()
        .collect();
    migrations.push(Migration::new(
        future_version,
        Cow::Borrowed("a schema from the future"),
        MigrationType::Simple,
        "CREATE TABLE from_the_future (x BIGINT)".into_sql_str(),
        false,
    ));
    let pool = raw_pool(url).await?;
    Migrator::with_migrations(migrations).run(&pool).await?;
    pool.close().await;

    let refused = SqlStore::open(url).await;
    let Err(error) = refused else {
        return Err("a database with a newer schema was opened".into());
    };
    let message = error.to_string();
    match error {
        StoreError::SchemaNewer {
            database_version,
            binary_version,
            unknown,
            ..
        } => {
            assert_eq!(database_version, future_version);
            assert_eq!(binary_version, newest);
            assert_eq!(unknown, vec![future_version]);
        }
        other => return Err(format!("expected SchemaNewer, got: {other}").into()),
    }
    assert!(message.contains(&future_version.to_string()), "{message}");
    assert!(message.contains(&newest.to_string()), "{message}");
    assert!(message.contains("newer"), "{message}");

    // Nothing was migrated: the binary's newest migration is still not applied.
    let pool = raw_pool(url).await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>("version"))
        .collect::<Result<_, _>>()?;
    pool.close().await;
    let mut expected: Vec<i64> = known.into_iter().filter(|v| *v != newest).collect();
    expected.push(future_version);
    assert_eq!(applied, expected);
    Ok(())
}
