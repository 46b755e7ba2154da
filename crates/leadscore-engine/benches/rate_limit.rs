//! The per-key rate limit's cost on the request path
//! ([`KeyRateLimit::check`]): off (the setting 0), on with one key, and on
//! with 100 keys in turn, each limit far above the requests made so that
//! every check passes, as it does for normal traffic.
//!
//! `cargo bench -p leadscore-engine --bench rate_limit` (figures in
//! BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use leadscore_engine::rate_limit::KeyRateLimit;
use leadscore_engine::settings::Limits;

fn limit(rate: u32) -> KeyRateLimit {
    KeyRateLimit::new(&Limits {
        requests_per_second_per_key: rate,
        burst_per_key: rate,
        ..Limits::default()
    })
}

fn rate_limit(c: &mut Criterion) {
    let off = limit(0);
    let on = limit(u32::MAX);
    let keys: Vec<String> = (0..100).map(|i| format!("lsk_{i:08x}")).collect();
    c.bench_function("rate_limit/off", |b| {
        b.iter(|| black_box(off.check(black_box("lsk_0000abcd"))))
    });
    c.bench_function("rate_limit/one_key", |b| {
        b.iter(|| black_box(on.check(black_box("lsk_0000abcd"))))
    });
    let mut i = 0;
    c.bench_function("rate_limit/100_keys", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            black_box(on.check(black_box(&keys[i])))
        })
    });
}

criterion_group!(benches, rate_limit);
criterion_main!(benches);
