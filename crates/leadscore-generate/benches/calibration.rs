//! A calibration report for the generator, a benchmark run by hand: how
//! learnable the outcome is for a plain logistic regression on what the files
//! show, and the volumes per lead.
//!
//! ```text
//! cargo bench -p leadscore-generate --bench calibration
//! LEADSCORE_CALIBRATION_LEADS=50000 LEADSCORE_CALIBRATION_SEED=7 cargo bench -p leadscore-generate --bench calibration
//! ```
//!
//! Generates `LEADSCORE_CALIBRATION_LEADS` leads (default 20,000) with seed
//! `LEADSCORE_CALIBRATION_SEED` (default 2026) into a temporary folder, reads
//! the files back and prints the figures.

use std::collections::HashMap;

use leadscore_domain::{STANDARD_KINDS, Timestamp};
use leadscore_generate::{DEFAULT_AS_OF, GeneratorConfig, generate};

// The crate's tests read the files the same way; they use more of it.
#[allow(dead_code)]
#[path = "../src/tests/folder.rs"]
mod folder;

use folder::{Folder, seconds};

type Error = Box<dyn std::error::Error>;

const DAY: i64 = 86_400;

/// The area under the ROC curve (ties count half).
fn auc(pairs: &[(f64, bool)]) -> Result<f64, Error> {
    Ok(leadscore_metrics::roc_auc(pairs).ok_or("AUC needs both outcomes")?)
}

/// A numeric setting from the environment, or its default.
fn setting(name: &str, default: u64) -> Result<u64, Error> {
    match std::env::var(name) {
        Ok(v) => Ok(v
            .trim()
            .parse()
            .map_err(|e| format!("{name}={v}: not a whole number ({e})"))?),
        Err(_) => Ok(default),
    }
}

fn seniority(title: Option<&str>) -> &'static str {
    let t = title.unwrap_or_default();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if t.is_empty() {
        "none"
    } else if has(&["Chief", "Founder"]) {
        "c"
    } else if has(&["VP", "Vice"]) {
        "vp"
    } else if has(&["Director", "Head"]) {
        "dir"
    } else if has(&["Manager", "Lead"]) {
        "mgr"
    } else if has(&["Intern", "Student", "Research"]) {
        "student"
    } else {
        "ic"
    }
}

/// Fits a logistic regression by gradient descent; returns the weights.
fn fit(x: &[Vec<f64>], y: &[bool], iterations: usize) -> Vec<f64> {
    let d = x.first().map_or(0, Vec::len);
    let mut w = vec![0.0; d + 1];
    let n = x.len() as f64;
    for _ in 0..iterations {
        let mut grad = vec![0.0; d + 1];
        for (row, label) in x.iter().zip(y) {
            let z = w[d] + row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
            let err = 1.0 / (1.0 + (-z).exp()) - f64::from(u8::from(*label));
            for (g, v) in grad.iter_mut().zip(row) {
                *g += err * v;
            }
            grad[d] += err;
        }
        for (wi, g) in w.iter_mut().zip(&grad) {
            *wi -= 0.5 * (g / n + 1e-4 * *wi);
        }
    }
    w
}

fn main() -> Result<(), Error> {
    let lead_count = setting("LEADSCORE_CALIBRATION_LEADS", 20_000)?;
    let seed = setting("LEADSCORE_CALIBRATION_SEED", 2026)?;
    let dir = tempfile::tempdir()?;
    let config = GeneratorConfig::new(lead_count, seed, Timestamp::parse(DEFAULT_AS_OF)?)?;
    let summary = generate(&config, dir.path(), &|_| {})?;
    println!("{summary:?}");
    println!(
        "per lead: accounts {:.3} contacts {:.3} interactions {:.2} meetings {:.3}",
        summary.accounts as f64 / summary.leads as f64,
        summary.contacts as f64 / summary.leads as f64,
        summary.interactions as f64 / summary.leads as f64,
        summary.custom_records as f64 / summary.leads as f64
    );
    let Folder {
        accounts,
        contacts,
        leads,
        interactions,
        meetings,
    } = Folder::read(dir.path())?;

    // The standard kinds, then the custom ones the files hold.
    let mut kinds: Vec<&str> = STANDARD_KINDS.to_vec();
    let mut custom: Vec<&str> = interactions
        .values("kind")
        .filter(|k| !STANDARD_KINDS.contains(k))
        .collect();
    custom.sort_unstable();
    custom.dedup();
    kinds.extend(custom);

    let mut kind_counts: HashMap<&str, usize> = HashMap::new();
    for k in interactions.values("kind") {
        *kind_counts.entry(k).or_default() += 1;
    }
    println!("kinds: {kind_counts:?}");
    let visitor_only = interactions
        .rows
        .iter()
        .filter(|r| interactions.get(r, "contact_id").is_none())
        .count();
    println!("visitor-only interactions: {visitor_only}");

    let account_row: HashMap<&str, &csv::StringRecord> = accounts
        .rows
        .iter()
        .filter_map(|r| accounts.get(r, "account_id").map(|id| (id, r)))
        .collect();
    let mut contact_row = HashMap::new();
    let mut owner = HashMap::new();
    let mut people: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in &contacts.rows {
        let id = contacts.get(r, "contact_id").ok_or("id")?;
        contact_row.insert(id, r);
        if let Some(v) = contacts.get(r, "visitor_id") {
            owner.insert(v, id);
        }
        if let Some(a) = contacts.get(r, "account_id") {
            people.entry(a).or_default().push(id);
        }
    }
    let mut events: HashMap<&str, Vec<(i64, usize)>> = HashMap::new();
    for r in &interactions.rows {
        let who = interactions.get(r, "contact_id").or_else(|| {
            interactions
                .get(r, "visitor_id")
                .and_then(|v| owner.get(v).copied())
        });
        let kind = interactions.get(r, "kind").unwrap_or_default();
        if let (Some(who), Some(k)) = (who, kinds.iter().position(|x| *x == kind)) {
            let at = seconds(interactions.get(r, "occurred_at").ok_or("at")?)?;
            events.entry(who).or_default().push((at, k));
        }
    }
    let mut met: HashMap<&str, Vec<(i64, &str)>> = HashMap::new();
    for r in &meetings.rows {
        let lead = meetings.get(r, "lead_id").ok_or("lead")?;
        let at = seconds(meetings.get(r, "held_at").ok_or("held")?)?;
        met.entry(lead)
            .or_default()
            .push((at, meetings.get(r, "meeting_type").unwrap_or_default()));
    }

    // Categorical values become one-hot columns, numbered as first seen.
    let mut vocabulary: HashMap<String, usize> = HashMap::new();
    let mut samples: Vec<(Vec<usize>, Vec<f64>, bool)> = Vec::new();
    for r in &leads.rows {
        let (Some(closed), Some(status)) = (leads.get(r, "closed_at"), leads.get(r, "status"))
        else {
            continue;
        };
        let closed = seconds(closed)?;
        let contact = leads.get(r, "contact_id");
        let account = leads.get(r, "account_id").or_else(|| {
            contact
                .and_then(|c| contact_row.get(c))
                .and_then(|cr| contacts.get(cr, "account_id"))
        });
        let who: Vec<&str> = match (contact, account) {
            (Some(c), _) => vec![c],
            (None, Some(a)) => people.get(a).cloned().unwrap_or_default(),
            _ => continue,
        };
        let mut cats = vec![
            format!("source={}", leads.get(r, "source").unwrap_or_default()),
            format!("budget={}", leads.get(r, "budget_band").unwrap_or_default()),
            format!(
                "product={}",
                leads.get(r, "product_interest").unwrap_or_default()
            ),
            format!(
                "lead_kind={}",
                if contact.is_some() {
                    "contact"
                } else {
                    "account"
                }
            ),
        ];
        if let Some(ar) = account.and_then(|a| account_row.get(a)) {
            for col in ["industry", "tech_stack", "customer_tier"] {
                cats.push(format!(
                    "{col}={}",
                    accounts.get(ar, col).unwrap_or_default()
                ));
            }
            let size = accounts
                .get(ar, "employees")
                .and_then(|e| e.parse::<f64>().ok());
            let bucket = size.map_or(-1, |s| s.log10().floor() as i64);
            cats.push(format!("size={bucket}"));
        }
        if let Some(cr) = contact.and_then(|c| contact_row.get(c)) {
            let title = contacts.get(cr, "job_title");
            cats.push(format!("seniority={}", seniority(title)));
            for dept in ["Data", "IT", "Engineering", "Marketing", "Sales", "Finance"] {
                if title.is_some_and(|t| t.contains(dept)) {
                    cats.push(format!("dept={dept}"));
                }
            }
        }
        let mut counts = vec![0.0; kinds.len()];
        let mut last = None::<i64>;
        for p in &who {
            for (at, k) in events.get(p).into_iter().flatten() {
                if *at <= closed && *at >= closed - 90 * DAY {
                    counts[*k] += 1.0;
                }
                if *at <= closed {
                    last = Some(last.map_or(*at, |l| l.max(*at)));
                }
            }
        }
        let mut numeric: Vec<f64> = counts.iter().map(|c: &f64| c.ln_1p()).collect();
        numeric.push(last.map_or(4.0, |l| {
            ((closed - l) as f64 / DAY as f64 / 30.0).min(12.0).ln_1p()
        }));
        let id = leads.get(r, "lead_id").ok_or("id")?;
        for kind in ["Discovery", "Demo", "Pricing"] {
            let n = met
                .get(id)
                .into_iter()
                .flatten()
                .filter(|(at, t)| *t == kind && *at < closed)
                .count();
            numeric.push(n as f64);
        }
        let mut idx = Vec::with_capacity(cats.len());
        for c in cats {
            let next = vocabulary.len();
            idx.push(*vocabulary.entry(c).or_insert(next));
        }
        samples.push((idx, numeric, status == "qualified"));
    }
    let width = vocabulary.len() + samples.first().map_or(0, |s| s.1.len());
    let rows: Vec<Vec<f64>> = samples
        .iter()
        .map(|(cats, num, _)| {
            let mut row = vec![0.0; width];
            for c in cats {
                row[*c] = 1.0;
            }
            row[vocabulary.len()..].copy_from_slice(num);
            row
        })
        .collect();
    let labels: Vec<bool> = samples.iter().map(|s| s.2).collect();
    let split = rows.len() * 7 / 10;
    let w = fit(&rows[..split], &labels[..split], 400);
    let score = |row: &Vec<f64>| w[width] + row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
    let test: Vec<(f64, bool)> = rows[split..]
        .iter()
        .map(score)
        .zip(labels[split..].iter().copied())
        .collect();
    let profile_only: Vec<f64> = w[..vocabulary.len()].to_vec();
    let profile: Vec<(f64, bool)> = rows[split..]
        .iter()
        .map(|r| r.iter().zip(&profile_only).map(|(a, b)| a * b).sum::<f64>())
        .zip(labels[split..].iter().copied())
        .collect();
    let share = labels.iter().filter(|l| **l).count() as f64 / labels.len() as f64;
    println!(
        "closed leads {} qualified share {share:.3}; logistic regression test AUC {:.3} (profile part alone {:.3})",
        labels.len(),
        auc(&test)?,
        auc(&profile)?
    );
    let simple: Vec<(f64, bool)> = rows
        .iter()
        .zip(&labels)
        .map(|(r, l)| {
            (
                r[vocabulary.len()..vocabulary.len() + kinds.len()]
                    .iter()
                    .sum(),
                *l,
            )
        })
        .collect();
    println!("sum of log counts AUC {:.3}", auc(&simple)?);
    Ok(())
}
