//! Batch scoring speed of the conversion model, with explanations.
//!
//! `cargo bench -p leadscore-model --bench score` (figures in BENCHMARKS.md).
//!
//! A model is trained (default parameters) on synthetic leads with 12 numeric
//! columns (4 with missing values) and 5 categorical ones of 7 levels: 51 encoded
//! features. Then 100,000 other leads are scored, one thread:
//!
//! - `score/encoded`: [`Scorer::score`] over rows encoded beforehand (features
//!   built): probability, score, grade and the top-3 columns each way;
//! - `score/table`: [`score_table`] from the raw [`Table`], encoding included.
//!
//! Throughput is in leads (criterion elements) per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadscore_features::{Column, Table};
use leadscore_model::{
    ConversionModel, LabelledRows, Scorer, TrainParams, TrainingSource, score_table,
};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

const TRAIN_ROWS: usize = 20_000;
const SCORE_ROWS: usize = 100_000;
const NUMERIC: usize = 12;
const CATEGORICAL: usize = 5;
const LEVELS: usize = 7;

/// `n` leads with a known logistic truth: each numeric column (counts,
/// amounts, ratios; every third one 10% missing) and each categorical level
/// moves the log-odds a little; about 20% convert.
fn leads(n: usize, seed: u64) -> LabelledRows {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut numeric: Vec<Vec<Option<f64>>> = (0..NUMERIC).map(|_| Vec::with_capacity(n)).collect();
    let mut categorical: Vec<Vec<Option<String>>> =
        (0..CATEGORICAL).map(|_| Vec::with_capacity(n)).collect();
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let mut z = -1.6;
        for (j, column) in numeric.iter_mut().enumerate() {
            let u: f64 = rng.random();
            let value = match j % 3 {
                0 => (u * 4.0).exp().floor(), // heavy-tailed count
                1 => 1000.0 * u * u,          // amount
                _ => u,                       // ratio
            };
            let effect = [0.8, -0.5, 0.3, 0.0][j % 4];
            z += effect * (u - 0.5) * 2.0;
            let missing = j % 3 == 0 && rng.random::<f64>() < 0.1;
            column.push(if missing { None } else { Some(value) });
        }
        for (j, column) in categorical.iter_mut().enumerate() {
            let level = rng.random_range(0..LEVELS);
            z += 0.15 * (level as f64 - 3.0) * if j % 2 == 0 { 1.0 } else { -0.5 };
            column.push(Some(format!("c{j}-level{level}")));
        }
        let p = 1.0 / (1.0 + (-z).exp());
        labels.push(rng.random::<f64>() < p);
    }
    let mut columns: Vec<Column> = numeric
        .into_iter()
        .enumerate()
        .map(|(j, values)| Column::numeric(format!("num{j}"), values))
        .collect();
    columns.extend(
        categorical
            .into_iter()
            .enumerate()
            .map(|(j, values)| Column::categorical(format!("cat{j}"), values)),
    );
    LabelledRows::new(Table::new(columns), labels)
}

/// The trained model, the leads to score, and those leads encoded.
struct Setup {
    model: ConversionModel,
    table: Table,
    encoded: Vec<Vec<f64>>,
}

fn setup() -> Result<Setup, Box<dyn std::error::Error>> {
    let source = TrainingSource::Flat {
        target: "converted".into(),
        positive: "yes".into(),
        exclude: vec![],
    };
    let trained =
        TrainParams::default().fit(&leads(TRAIN_ROWS, 1), None, source, "2026-11-23T00:00:00Z")?;
    let model = trained.model;
    let table = leads(SCORE_ROWS, 2).features;
    let encoded = model.encoder.transform(&table)?;
    Ok(Setup {
        model,
        table,
        encoded,
    })
}

fn scoring(c: &mut Criterion) {
    let Setup {
        model,
        table,
        encoded,
    } = match setup() {
        Ok(parts) => parts,
        Err(e) => {
            eprintln!("score bench: setup failed: {e}");
            std::process::exit(1);
        }
    };
    let scorer = Scorer::new(&model);
    eprintln!(
        "score bench: {} encoded features from {} columns, top {} each way, held-out AUC {:?}",
        model.encoder.n_features(),
        scorer.columns().len(),
        model.top_features,
        model.metrics.auc,
    );
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(SCORE_ROWS as u64));
    group.bench_function("encoded", |b| {
        let mut work = Vec::new();
        b.iter(|| {
            let mut explained = 0usize;
            for row in &encoded {
                let scored = scorer.score(black_box(row), &mut work);
                explained += scored.top_positive.as_slice().len();
                black_box(&scored);
            }
            explained
        });
    });
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("table", |b| {
        b.iter(|| score_table(&model, &scorer, black_box(&table)).map(|scores| scores.len()));
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
