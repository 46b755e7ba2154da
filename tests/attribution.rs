//! One rule of attribution, every path: for generated data (contacts sharing
//! visitor ids, interactions owned by contact id, by visitor id or by nobody,
//! contact-based, account-based and unscorable leads), each lead's
//! behaviour (per interaction kind: how many in each window, and how long
//! since the latest) is the same whether it is computed
//!
//! - by the batch path: the folder written out and read back with polars
//!   (`read_lead_rows`, as `leadscore train` and `leadscore score` do);
//! - by the service path: in memory over every record (`FeatureIndex`, as
//!   the engine scores);
//! - by the SQL path: from the lead's neighbourhood as the store reads it
//!   (what the rescoring worker scores), on SQLite and PostgreSQL;
//!
//! and the rules graph counts, per lead, the same interactions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use leadscore_domain::{
    AccountId, Contact, ContactId, Dataset, Interaction, InteractionId, InteractionKind, Lead,
    LeadId, Timestamp, VisitorId,
};
use leadscore_features::{Cell, ColumnValues};
use leadscore_files::{Format, LeadRowOptions, LeadSelection, read_lead_rows, write_folder};
use leadscore_rules::{Evaluator, Graph, Plan, RuleModel, Scores};
use leadscore_scoring::FeatureIndex;
use leadscore_store::SqlStore;
use leadscore_store::testing::TestDb;
use proptest::prelude::*;

const AT: &str = "2026-06-01T00:00:00Z";
const KINDS: [&str; 2] = ["WebsiteVisited", "EmailClicked"];

/// Per lead, per behaviour column, its value (`None`: missing).
type Behaviour = BTreeMap<String, BTreeMap<String, Option<f64>>>;

/// A generated world: accounts, contacts (visitor ids from a small pool, so
/// that some are shared), leads of every kind and interactions owned in
/// every way.
#[derive(Debug, Clone)]
struct World {
    /// Per contact: its account (index), its visitor id (pool index).
    contacts: Vec<(Option<u8>, Option<u8>)>,
    /// Per lead: its contact (index) and account (index).
    leads: Vec<(Option<u8>, Option<u8>)>,
    /// Per interaction: kind, day, contact (index), visitor (pool index).
    interactions: Vec<(u8, u16, Option<u8>, Option<u8>)>,
}

fn worlds() -> impl Strategy<Value = World> {
    let contact = (proptest::option::of(0u8..3), proptest::option::of(0u8..4));
    let lead = (proptest::option::of(0u8..8), proptest::option::of(0u8..3));
    let interaction = (
        0u8..2,
        0u16..200,
        proptest::option::weighted(0.4, 0u8..8),
        proptest::option::weighted(0.8, 0u8..5),
    );
    (
        proptest::collection::vec(contact, 1..8),
        proptest::collection::vec(lead, 1..10),
        proptest::collection::vec(interaction, 0..40),
    )
        .prop_map(|(contacts, leads, interactions)| World {
            contacts,
            leads,
            interactions,
        })
}

impl World {
    /// The world as records whose references all resolve, every id starting
    /// with `case` (so that the cases of one store never meet).
    fn dataset(&self, case: usize) -> Dataset {
        // At noon: never at the scoring time itself.
        let day = |d: u16| {
            Timestamp::from_micros(
                Timestamp::parse("2025-12-01T12:00:00Z")
                    .unwrap()
                    .as_micros()
                    + i64::from(d) * 86_400_000_000,
            )
            .unwrap()
        };
        // Contact ids whose byte order differs from their number's.
        let contact_id = |i: u8| ContactId::parse(format!("{case}-C{}", 13 - i)).unwrap();
        let account_id = |i: u8| AccountId::parse(format!("{case}-A{i}")).unwrap();
        let visitor_id = |v: u8| VisitorId::parse(format!("{case}-V{v}")).unwrap();
        let n = self.contacts.len() as u8;
        let mut data = Dataset {
            accounts: (0..3)
                .map(|i| leadscore_domain::Account::new(account_id(i)))
                .collect(),
            ..Dataset::default()
        };
        for (i, (account, visitor)) in self.contacts.iter().enumerate() {
            let mut c = Contact::new(contact_id(i as u8));
            c.account_id = account.map(account_id);
            c.visitor_id = visitor.map(visitor_id);
            data.contacts.push(c);
        }
        for (i, (contact, account)) in self.leads.iter().enumerate() {
            let mut lead = Lead::new(LeadId::parse(format!("{case}-L{i}")).unwrap(), day(0));
            lead.contact_id = contact.filter(|c| *c < n).map(contact_id);
            lead.account_id = account.map(account_id);
            data.leads.push(lead);
        }
        for (i, (kind, d, contact, visitor)) in self.interactions.iter().enumerate() {
            let mut x = Interaction::new(
                InteractionId::parse(format!("{case}-I{i}")).unwrap(),
                InteractionKind::parse(KINDS[usize::from(*kind)]).unwrap(),
                day(*d),
            );
            x.contact_id = contact.filter(|c| *c < n).map(contact_id);
            x.visitor_id = visitor.map(visitor_id);
            data.interactions.push(x);
        }
        data
    }
}

fn columns() -> Vec<String> {
    let mut out = Vec::new();
    for kind in KINDS {
        for window in ["7d", "30d", "90d", "365d", "days_since_last"] {
            out.push(format!("{kind}.{window}"));
        }
    }
    out
}

/// A behaviour cell; a count no path has a column for (no interaction of
/// that kind among the records it read) is 0.
fn value(column: &str, c: Option<f64>) -> Option<f64> {
    if column.ends_with("days_since_last") {
        c
    } else {
        Some(c.unwrap_or(0.0))
    }
}

fn cell(c: Option<&Cell>) -> Option<f64> {
    match c {
        Some(Cell::Num(x)) => Some(*x),
        _ => None,
    }
}

/// The service path: every record in memory.
fn in_memory(data: &Dataset, at: Timestamp) -> Behaviour {
    let index = FeatureIndex::new(data);
    let mut out = Behaviour::new();
    for lead in &data.leads {
        let row = index.row(index.lead_index(lead.lead_id.as_str()).unwrap(), at);
        let values = columns()
            .into_iter()
            .map(|c| {
                let v = value(&c, cell(row.get(&c)));
                (c, v)
            })
            .collect();
        out.insert(lead.lead_id.to_string(), values);
    }
    out
}

/// The batch path: the folder written out and read back with polars.
fn from_folder(data: &Dataset, at: Timestamp) -> Behaviour {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data");
    write_folder(data, &folder, Format::Csv).unwrap();
    let options = LeadRowOptions {
        select: LeadSelection::All,
        at: Some(at),
        kinds: KINDS.iter().map(|k| (*k).to_owned()).collect(),
        ..LeadRowOptions::default()
    };
    let rows = read_lead_rows(&folder, &options).unwrap();
    let mut out = Behaviour::new();
    for (r, id) in rows.lead_ids.iter().enumerate() {
        let values = columns()
            .into_iter()
            .map(|c| {
                let v = match rows.features.column(&c).map(|col| &col.values) {
                    Some(ColumnValues::Numeric(v)) => v.get(r).flatten(),
                    _ => None,
                };
                let v = value(&c, v);
                (c, v)
            })
            .collect();
        out.insert(id.clone(), values);
    }
    out
}

/// The SQL path: each lead from the neighbourhood the store reads for it.
async fn from_store(store: &SqlStore, data: &Dataset, at: Timestamp) -> Behaviour {
    let mut out = Behaviour::new();
    for lead in &data.leads {
        let ids = [lead.lead_id.clone()];
        let near = store.records().neighbourhood(&ids, false).await.unwrap();
        out.extend(
            in_memory(&near, at)
                .into_iter()
                .filter(|(id, _)| *id == lead.lead_id.as_str()),
        );
    }
    out
}

/// The rules graph's count of each lead's interactions (every kind, before
/// `at`), over `data`.
fn graph_counts(data: &Dataset, at: Timestamp) -> BTreeMap<String, Option<i64>> {
    let mut out = BTreeMap::new();
    for target in ["contact", "account"] {
        let yaml = format!(
            "name: Count\ntarget: {target}\nrules:\n  - name: Any\n    when:\n      - {{ entity: WebsiteVisited, frequency: each }}\n    points: 1\n  - name: Clicks\n    when:\n      - {{ entity: EmailClicked, frequency: each }}\n    points: 1000\n"
        );
        let model = RuleModel::from_yaml(&yaml).unwrap();
        let plans = vec![Plan::compile(&model).unwrap()];
        let graph = Graph::from_dataset(data, Plan::projection(&plans)).unwrap();
        let evaluator = Evaluator::new(&graph, &plans);
        let mut scores = Scores::default();
        for lead in &data.leads {
            let Some(i) = graph.lead_index(lead.lead_id.as_str()) else {
                continue;
            };
            evaluator.evaluate(i, at, &mut scores);
            if let Some(e) = evaluator.explain(&scores, 0)
                && e.score.is_some()
            {
                out.insert(lead.lead_id.to_string(), e.score);
            }
        }
    }
    out
}

fn check_world(data: &Dataset, store: &SqlStore) -> Result<(), TestCaseError> {
    let at = Timestamp::parse(AT).unwrap();
    let memory = in_memory(data, at);
    let folder = from_folder(data, at);
    prop_assert_eq!(&memory, &folder, "service path vs batch path");
    let runtime = tokio::runtime::Handle::current();
    let sql = tokio::task::block_in_place(|| runtime.block_on(from_store(store, data, at)));
    prop_assert_eq!(&memory, &sql, "service path vs SQL path");
    // The rules graph over everything and over each neighbourhood.
    let whole = graph_counts(data, at);
    let mut near = BTreeMap::new();
    for lead in &data.leads {
        let ids = [lead.lead_id.clone()];
        let nb = tokio::task::block_in_place(|| {
            runtime.block_on(store.records().neighbourhood(&ids, false))
        })
        .unwrap();
        near.extend(
            graph_counts(&nb, at)
                .into_iter()
                .filter(|(id, _)| *id == lead.lead_id.as_str()),
        );
    }
    prop_assert_eq!(&whole, &near, "rules graph: everything vs neighbourhoods");
    // The graph counts what the features count.
    for (lead, score) in &whole {
        let count = |kind: &str| memory[lead][&format!("{kind}.365d")].unwrap_or(0.0) as i64;
        prop_assert_eq!(
            *score,
            Some(count("WebsiteVisited") + 1000 * count("EmailClicked")),
            "rules graph vs features of {}",
            lead
        );
    }
    Ok(())
}

async fn paths_agree(db: TestDb, cases: u32) {
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let store = db.store.clone();
    let case = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&worlds(), |world| {
        let data = world.dataset(case.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let runtime = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| {
            runtime.block_on(async {
                store.records().ingest(&data, "test").await.unwrap();
            })
        });
        check_world(&data, &store)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn attribution_agrees(db: TestDb) {
    let cases = if db.backend() == leadscore_store::Backend::Sqlite {
        48
    } else {
        12
    };
    paths_agree(db, cases).await;
}

leadscore_store::on_both_backends!(attribution_agrees);
