//! Stateless scoring in process: the request path of `POST /v1/score` without
//! HTTP (read the body, check its records, score, write the answer), on the
//! body of `crates/leadscore-api/benches/http/score.lua` (one lead, its contact and account, 50
//! interactions) with the model `ten-rules.yaml` beside it and the shipped
//! conversion model.
//!
//! `cargo bench -p leadscore-engine --bench score` (figures in BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use leadscore_domain::Timestamp;
use leadscore_engine::scoring::{Engine, LiveModel};
use leadscore_engine::stateless::score_body;
use leadscore_rules::RuleModel;

/// The body `score.lua` posts.
fn body() -> String {
    let kinds = [
        "EmailOpened",
        "EmailClicked",
        "WebsiteVisited",
        "FormSubmitted",
        "EventAttended",
    ];
    let items: Vec<String> = (1..=50)
        .map(|i: usize| {
            let kind = kinds[i % kinds.len()];
            let day = 1 + (i * 7) % 200;
            let url = if kind == "WebsiteVisited" {
                let page = if i.is_multiple_of(3) {
                    "pricing"
                } else {
                    "blog"
                };
                format!(r#", "url": "https://example.com/{page}""#)
            } else {
                String::new()
            };
            format!(
                r#"{{"kind": "{kind}", "occurred_at": "2026-{:02}-{:02}T10:00:00Z"{url}}}"#,
                1 + (day / 28) % 9,
                1 + day % 28
            )
        })
        .collect();
    format!(
        concat!(
            r#"{{"lead": {{"lead_id": "form-1", "created_at": "2026-01-05", "source": "Webinar", "topic": "Analytics Cloud trial request", "budget_band": "50k-250k", "product_interest": "Analytics Cloud"}},"#,
            r#""contact": {{"contact_id": "c-1", "job_title": "Chief Data Officer", "country": "United States", "city": "Chicago"}},"#,
            r#""account": {{"account_id": "a-1", "industry": "Software", "employees": 1200, "annual_revenue": 250000000, "country": "United States"}},"#,
            r#""interactions": [{}]}}"#
        ),
        items.join(",")
    )
}

fn engine() -> Engine {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = RuleModel::from_yaml(
        &std::fs::read_to_string(here.join("../leadscore-api/benches/http/ten-rules.yaml"))
            .unwrap(),
    )
    .unwrap();
    let model = leadscore_model::load(&here.join("../../models/conversion/model.json")).unwrap();
    Engine::new(vec![rules], Some(LiveModel::new(1, model)), None).unwrap()
}

fn score(c: &mut Criterion) {
    let engine = engine();
    let body = body();
    let at = Timestamp::parse("2026-11-23T00:00:00Z").unwrap();
    let answer =
        serde_json::to_vec(&score_body(&engine, body.as_bytes(), at, 1000).unwrap()).unwrap();
    println!(
        "request {} bytes, answer {} bytes",
        body.len(),
        answer.len()
    );
    c.bench_function("score/request", |b| {
        b.iter(|| {
            let scored = score_body(&engine, black_box(body.as_bytes()), at, 1000).unwrap();
            black_box(serde_json::to_vec(&scored).unwrap())
        })
    });
}

criterion_group!(benches, score);
criterion_main!(benches);
