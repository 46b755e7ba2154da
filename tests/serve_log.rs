//! What `leadscore serve` writes to its log with the default filter, for the
//! people who run it and alert on errors: an answer the service gives by
//! design (503 with `Retry-After` while the review is computed) is not an
//! error in the log; the review's computation is. Regression: the HTTP trace
//! layer logged every 5xx, the designed ones too, as `ERROR response failed`.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Server, TestResult, leadscore, serve_sample};
use reqwest::StatusCode;

/// The base URL in the log's "leadscore is serving on URL (...)" line,
/// waited for.
fn serving_url(log: &Path, server: &mut Server) -> Result<String, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = std::fs::read_to_string(log)?;
        if let Some(addr) = text
            .lines()
            .find_map(|l| l.strip_prefix("leadscore is serving on "))
            .and_then(|rest| rest.split_whitespace().next())
        {
            return Ok(addr.to_owned());
        }
        if let Some(status) = server.0.try_wait()? {
            return Err(format!("leadscore serve exited ({status}):\n{text}").into());
        }
        if Instant::now() > deadline {
            return Err(format!("leadscore serve did not start:\n{text}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_given_by_design_are_not_logged_as_errors() -> TestResult {
    let work = tempfile::tempdir()?;
    let db = work.path().join("store.db");
    let database = db.to_str().ok_or("a non-UTF-8 path")?;
    let key = leadscore(&["keys", "create", "--role", "read", "--database", database])
        .success()?
        .trim()
        .to_owned();
    let log = work.path().join("serve.log");
    let child = serve_sample(database, "127.0.0.1:0")
        // The default log filter, as an operator runs it.
        .env_remove("RUST_LOG")
        // The review is computed when first asked for, and the request that
        // asks is answered at once: 503 with Retry-After.
        .env("LEADSCORE_DRIFT__EVERY_SECS", "0")
        .env("LEADSCORE_DRIFT__WAIT_MS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log)?))
        .spawn()?;
    let mut server = Server(child);
    let base = serving_url(&log, &mut server)?;
    let http = reqwest::Client::new();

    let mut statuses = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = http
            .get(format!("{base}/reports/review.json"))
            .bearer_auth(&key)
            .send()
            .await?
            .status();
        statuses.push(status);
        if status == StatusCode::OK || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(server);
    let text = std::fs::read_to_string(&log)?;
    assert_eq!(
        statuses.first(),
        Some(&StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}\n{text}"
    );
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::OK),
        "{statuses:?}\n{text}"
    );
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("response failed"))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n(the whole log)\n{text}");
    Ok(())
}
