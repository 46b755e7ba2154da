//! Synthetic labelled rows with a known logistic truth.

#![allow(dead_code, clippy::unwrap_used)]

use leadscore_features::{Column, Table};
use leadscore_model::{LabelledRows, TrainingSource};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// `n` rows: `visits` (count, heavy-tailed), `employees` (some missing),
/// `industry` (three levels plus rare ones) and `noise`; the outcome follows
/// `logit = -2 + 0.6 * visits_std + 0.8 * [Software] - 0.5 * [Retail] + strength * ...`.
pub fn synthetic(n: usize, seed: u64, strength: f64) -> LabelledRows {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut visits = Vec::new();
    let mut employees = Vec::new();
    let mut industry = Vec::new();
    let mut noise = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let v = (rng.random::<f64>() * 3.0).exp().floor();
        let e = if rng.random::<f64>() < 0.1 {
            None
        } else {
            Some((rng.random::<f64>() * 6.0).exp().round())
        };
        let r: f64 = rng.random();
        let ind = if i % 97 == 0 {
            format!("Rare{i}")
        } else if r < 0.4 {
            "Software".to_string()
        } else if r < 0.7 {
            "Retail".to_string()
        } else {
            "Manufacturing".to_string()
        };
        let z = -1.5
            + strength
                * (0.9 * (v + 1.0f64).ln() - 1.4
                    + if ind == "Software" {
                        0.8
                    } else if ind == "Retail" {
                        -0.5
                    } else {
                        0.0
                    }
                    + e.map_or(0.3, |e: f64| 0.15 * (e + 1.0).ln() - 0.4));
        let p = 1.0 / (1.0 + (-z).exp());
        labels.push(rng.random::<f64>() < p);
        visits.push(Some(v));
        employees.push(e);
        industry.push(Some(ind));
        noise.push(Some(rng.random::<f64>()));
    }
    let table = Table::new(vec![
        Column::numeric("visits", visits),
        Column::numeric("employees", employees),
        Column::categorical("industry", industry),
        Column::numeric("noise", noise),
    ]);
    LabelledRows::new(table, labels)
}

pub fn flat_source() -> TrainingSource {
    TrainingSource::Flat {
        target: "converted".into(),
        positive: "yes".into(),
        exclude: vec![],
    }
}
