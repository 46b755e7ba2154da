#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! On SQLite every writer of the service takes its turn with the others
//! (the store's write turns): an admin's change
//! waits for the writers ahead of it, not for as long as writers that take
//! turns back to back keep the lock (regression: the registry began its
//! transactions on the pool and waited on SQLite's back-off, which seldom
//! found the lock free: in 3 runs of 6 of this test, 127 to 464 turns of the
//! others went by, up to SQLite's busy timeout of 10 s, where the write
//! fails).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use leadscore_domain::Role;
use leadscore_engine::{create_key, model_registry};
use leadscore_rules::RuleModel;
use leadscore_store::testing::{self, hold_write_turn};

const MODEL: &str = r#"
name: Big accounts
target: account
rules:
  - name: Many employees
    when:
      - entity: Lead.ParentAccount
        where: [ { field: employees, op: gt, value: 500 } ]
    points: 20
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_writes_take_their_turn_beside_busy_writers() {
    let (_dir, store) = testing::fresh_sqlite().await.unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let turns = Arc::new(AtomicUsize::new(0));
    // Writers that hold the lock almost all the time, taking turn after turn
    // (as ingest requests and rescoring rounds do under load), until the
    // admin's writes are done or 15 s (longer than SQLite's busy timeout)
    // have passed.
    let hogs: Vec<_> = (0..3)
        .map(|_| {
            let (store, done, turns) = (store.clone(), Arc::clone(&done), Arc::clone(&turns));
            tokio::spawn(async move {
                let start = Instant::now();
                while !done.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(15) {
                    hold_write_turn(&store, Duration::from_millis(20))
                        .await
                        .unwrap();
                    turns.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let model = RuleModel::from_yaml(MODEL).unwrap();
    let before = turns.load(Ordering::SeqCst);
    let created = model_registry::put_rule_model(&store, &model).await;
    let during_model = turns.load(Ordering::SeqCst) - before;
    let before = turns.load(Ordering::SeqCst);
    let key = create_key(&store, Role::Read, Some("under load"), None).await;
    let during_key = turns.load(Ordering::SeqCst) - before;
    let before = turns.load(Ordering::SeqCst);
    let queued = store.queue().enqueue_open("periodic refresh").await;
    let during_refresh = turns.load(Ordering::SeqCst) - before;
    done.store(true, Ordering::SeqCst);
    for hog in hogs {
        hog.await.unwrap();
    }
    assert!(created.unwrap(), "the rule model is stored");
    key.unwrap();
    // Each waits for the three writers ahead of it at most (and one that
    // came between its turn and its statement).
    assert!(
        during_model <= 4,
        "{during_model} turns went by the rule model"
    );
    assert!(during_key <= 4, "{during_key} turns went by the key");
    queued.unwrap();
    assert!(
        during_refresh <= 4,
        "{during_refresh} turns went by the refresh"
    );
    assert!(turns.load(Ordering::SeqCst) > 0, "the busy writers wrote");
}
