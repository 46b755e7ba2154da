//! The feature review of the live conversion model on the store's leads
//! (`/reports/review`), and its drift section (`/v1/models/drift`, the
//! `leadscore_model_drift_psi` gauges and the periodic drift check).
//!
//! The same assembly as `leadscore review` on a folder
//! ([`leadscore_report::add_data`]): the closed leads are scored each as of its
//! close, every lead as of the scoring time, drift is measured for the leads
//! created in the recent window against the closed leads, and the rule models
//! in service are backtested on the same closed leads.
//!
//! Requests are served the last computation ([`served`]), which the
//! periodic check keeps recent ([`run_drift_check`]).

mod served;

pub use served::{Answer, Computations, Served, run_drift_check, served};

use std::sync::Arc;

use crate::in_service::InService;
use crate::service::Service;
use crate::{EngineError, model_registry};
use leadscore_domain::{Dataset, Lead, Timestamp};
use leadscore_model::{ConversionModel, LabelledRows, add_missing_columns};
use leadscore_report::{
    DriftLevel, DriftSection, Population, Review, ReviewData, add_data, add_rule_backtests,
    base_review,
};
use leadscore_rules::{Evaluator, Graph, Plan};
use leadscore_scoring::{FeatureIndex, scoring_time};
use leadscore_store::{SampledLeads, Store};

/// Computes the review of the live model now, or `None` when no model is
/// live (requests are served [`served`] instead: this reads the store, or
/// a sample of `drift.max_leads` of its leads with their records).
pub async fn review(service: &Service, recent_days: u32) -> Result<Option<Review>, EngineError> {
    let store = &service.store;
    let Some((version, model)) = model_registry::live_model(store).await? else {
        return Ok(None);
    };
    let previous = match store.registry().previous_version().await? {
        Some(v) => model_registry::model_version(store, v).await?,
        None => None,
    };
    let started = std::time::Instant::now();
    let sample = store
        .records()
        .sample_leads(service.settings.drift.max_leads)
        .await?;
    let live = service.in_service.get();
    let data = if sample.is_everything() {
        store.export().await?
    } else {
        // The interactions' properties only when some rule reads one, as the
        // rescoring reads them.
        let properties = live.engine.reads_properties();
        store
            .records()
            .neighbourhood(&sample.ids, properties)
            .await?
    };
    tracing::info!(
        leads = sample.ids.len(),
        stored = sample.stored,
        read = data.leads.len(),
        interactions = data.interactions.len(),
        seconds = started.elapsed().as_secs_f64(),
        "read the records of the review's leads"
    );
    let at = service.settings.scoring_time();
    let started = std::time::Instant::now();
    let leads = ReviewLeads { data, sample };
    let review = tokio::task::spawn_blocking(move || {
        assemble(
            &leads,
            &live,
            version,
            &model,
            previous.as_ref(),
            at,
            recent_days,
        )
    })
    .await
    .map_err(|e| EngineError::Scoring {
        reason: format!("the review task stopped: {e}"),
    })??;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "computed the review of the live model"
    );
    update_gauges(service, &review, Timestamp::now());
    Ok(Some(review))
}

/// The records a review reads, and which of their leads it counts.
struct ReviewLeads {
    /// Every stored record, or the sample's leads with the records their
    /// scores read (more leads among them: see [`Records::neighbourhood`]).
    ///
    /// [`Records::neighbourhood`]: leadscore_store::Records::neighbourhood
    data: Dataset,
    /// The leads the review counts.
    sample: SampledLeads,
}

impl ReviewLeads {
    /// Whether the review counts `lead`.
    fn counts(&self, lead: &Lead) -> bool {
        self.sample.is_everything() || self.sample.ids.binary_search(&lead.lead_id).is_ok()
    }
}

/// The review of the leads `leads` counts.
fn assemble(
    leads: &ReviewLeads,
    live: &Arc<InService>,
    version: i64,
    model: &ConversionModel,
    previous: Option<&ConversionModel>,
    at: Timestamp,
    recent_days: u32,
) -> Result<Review, EngineError> {
    let scoring = |e: &dyn std::fmt::Display| EngineError::Scoring {
        reason: format!("the review of v{version}: {e}"),
    };
    let mut review = base_review(model, previous, Some(version), Timestamp::now());
    let (data, sample) = (&leads.data, &leads.sample);
    let index = FeatureIndex::new(data);
    let earliest = Timestamp::from_micros(0).unwrap_or(at);
    let keep = |lead: &Lead| leads.counts(lead);
    let rows = index.closed_rows_where(earliest, at, &keep);
    if rows.is_empty() {
        review.warnings.push(
            "The store holds no closed lead yet: only the model's own figures are shown."
                .to_owned(),
        );
        return Ok(review);
    }
    let times = rows.created_at.iter().map(|t| t.as_micros()).collect();
    let mut closed = LabelledRows {
        features: rows.features,
        labels: rows.outcomes,
        ids: rows.lead_ids,
        times: Some(times),
    };
    let mut missing = add_missing_columns(model, &mut closed.features).map_err(|e| scoring(&e))?;
    let picked: Vec<(usize, Timestamp)> = data
        .leads
        .iter()
        .enumerate()
        .filter(|(_, lead)| keep(lead))
        .filter_map(|(i, lead)| scoring_time(lead, at).map(|t| (i, t)))
        .collect();
    let mut population = Population {
        ids: picked
            .iter()
            .filter_map(|&(i, _)| data.leads.get(i).map(|l| l.lead_id.as_str().to_owned()))
            .collect(),
        created_at: picked
            .iter()
            .filter_map(|&(i, _)| data.leads.get(i).map(|l| l.created_at))
            .collect(),
        features: index.table(&picked),
    };
    missing.extend(add_missing_columns(model, &mut population.features).map_err(|e| scoring(&e))?);
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        review.warnings.push(format!(
            "No lead in the store has {}, which the model reads: they score as missing.",
            missing.join(", ")
        ));
    }
    let source = if sample.is_everything() {
        format!("the store ({} leads)", data.leads.len())
    } else {
        format!(
            "a sample of {} of the store's {} leads (drift.max_leads), each with the records its scores read",
            sample.ids.len(),
            sample.stored
        )
    };
    add_data(
        &mut review,
        model,
        ReviewData {
            source: &source,
            closed: &closed,
            population: &population,
            at,
            recent_days,
        },
    )
    .map_err(|e| scoring(&e))?;
    let plans = live.engine.plans();
    if !plans.is_empty() {
        let graph = Graph::from_dataset(data, Plan::projection(plans)).map_err(|e| scoring(&e))?;
        let evaluator = Evaluator::new(&graph, plans);
        add_rule_backtests(&mut review, &evaluator, &keep);
    }
    Ok(review)
}

/// Sets the drift gauges from a review computed at `at`, and logs a
/// warning for each feature above the alarm level.
fn update_gauges(service: &Service, review: &Review, at: Timestamp) {
    let Some(drift) = &review.drift else {
        return;
    };
    service.last_drift.set(DriftMeasure {
        at,
        version: review.model.version,
        section: drift.clone(),
    });
    let metrics = &service.metrics;
    metrics.drift_psi.reset();
    for f in &drift.features {
        metrics
            .drift_psi
            .with_label_values(&[f.feature.as_str()])
            .set(f.psi);
    }
    if let Some(psi) = drift.score_psi {
        metrics.score_psi.set(psi);
    }
    // One summary line a check, however many features drifted: the gauges
    // and GET /v1/models/drift hold the detail.
    if let Some(alarm) = DriftAlarm::of(drift) {
        tracing::warn!(
            features = alarm.features,
            worst = %alarm.worst,
            score_psi = drift.score_psi,
            "drift above the alarm level: see GET /v1/models/drift"
        );
    }
}

/// A drift measure of the live model: when, of which version, and the
/// figures.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftMeasure {
    /// When it was measured.
    pub at: Timestamp,
    /// The live version it measured.
    pub version: Option<i64>,
    /// PSI per feature and of the score, and conversion by grade.
    pub section: DriftSection,
}

/// The latest [`DriftMeasure`] of this instance (none until a drift check
/// or a review ran).
#[derive(Debug, Default)]
pub struct LastDrift(std::sync::RwLock<Option<Arc<DriftMeasure>>>);

impl LastDrift {
    /// The latest measure.
    pub fn get(&self) -> Option<Arc<DriftMeasure>> {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, measure: DriftMeasure) {
        let mut guard = match self.0.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Some(Arc::new(measure));
    }
}

/// What a drift check's one log line says: how many features drifted above
/// the alarm level, and the worst three with their PSI.
#[derive(Debug, Clone, PartialEq)]
struct DriftAlarm {
    features: usize,
    worst: String,
}

impl DriftAlarm {
    /// The alarm of a drift section; `None` when nothing is above the alarm
    /// level (features: major drift; scores: PSI 0.25).
    fn of(drift: &leadscore_report::DriftSection) -> Option<Self> {
        let mut drifted: Vec<_> = drift
            .features
            .iter()
            .filter(|f| f.level == DriftLevel::Major)
            .collect();
        let scores = drift
            .score_psi
            .is_some_and(|psi| DriftLevel::of(psi) == DriftLevel::Major);
        if drifted.is_empty() && !scores {
            return None;
        }
        drifted.sort_by(|a, b| b.psi.total_cmp(&a.psi));
        let worst: Vec<String> = drifted
            .iter()
            .take(3)
            .map(|f| format!("{} (PSI {:.2})", f.feature, f.psi))
            .collect();
        Some(Self {
            features: drifted.len(),
            worst: worst.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use leadscore_report::{DriftSection, FeatureDrift};

    use super::*;

    #[test]
    fn many_drifted_features_make_one_alarm_naming_the_worst() {
        let feature = |name: &str, psi: f64, level: DriftLevel| FeatureDrift {
            feature: name.to_owned(),
            psi,
            level,
        };
        let mut drift = DriftSection {
            reference: String::new(),
            score_psi: Some(0.01),
            features: (0..40)
                .map(|i| {
                    feature(
                        &format!("f{i}"),
                        0.3 + f64::from(i) / 100.0,
                        DriftLevel::Major,
                    )
                })
                .chain([feature("calm", 0.01, DriftLevel::Stable)])
                .collect(),
            grade_outcomes: Vec::new(),
        };
        let alarm = DriftAlarm::of(&drift);
        assert_eq!(
            alarm,
            Some(DriftAlarm {
                features: 40,
                worst: "f39 (PSI 0.69), f38 (PSI 0.68), f37 (PSI 0.67)".to_owned()
            })
        );
        drift.features.retain(|f| f.level != DriftLevel::Major);
        assert_eq!(DriftAlarm::of(&drift), None);
        drift.score_psi = Some(0.4);
        assert_eq!(DriftAlarm::of(&drift).map(|a| a.features), Some(0));
    }
}
