//! Scoring leads from their records: every rule model and the live conversion
//! model, and the primary score. Pure: no I/O; the caller hands over a
//! [`Dataset`] holding the leads' neighbourhoods.

use std::sync::Arc;

use leadscore_domain::{Dataset, LeadId, Timestamp};
use leadscore_features::{Cell, RowSource};
use leadscore_model::{Contribution, ConversionModel, Scored, Scorer};
use leadscore_rules::{Evaluator, Explanation, Graph, Plan, Projection, RuleModel, Scores};
use leadscore_scoring::{FeatureIndex, LeadFeatures, SchemaCache, scoring_time};
use serde::Serialize;
use utoipa::ToSchema;

use crate::EngineError;

/// The conversion model in service.
#[derive(Debug, Clone)]
pub struct LiveModel {
    /// Its registry version.
    pub version: i64,
    /// The model.
    pub model: ConversionModel,
    scorer: Scorer,
}

impl LiveModel {
    /// Prepares a model for scoring.
    pub fn new(version: i64, model: ConversionModel) -> Self {
        let scorer = Scorer::new(&model);
        Self {
            version,
            model,
            scorer,
        }
    }

    /// The encoded row of a lead of `data` (its index there) as of `at`: a
    /// lead closed by then as of its close, as `leadscore score` does.
    pub fn encode_lead(
        &self,
        data: &Dataset,
        features: &FeatureIndex<'_>,
        index: usize,
        at: Timestamp,
    ) -> Result<Vec<f64>, EngineError> {
        self.encode_row(&Self::lead_row(data, features, index, at))
    }

    /// The features of a lead of `data` (its index there) as of `at`: a
    /// lead closed by then as of its close.
    fn lead_row(
        data: &Dataset,
        features: &FeatureIndex<'_>,
        index: usize,
        at: Timestamp,
    ) -> LeadFeatures {
        let at = data
            .leads
            .get(index)
            .and_then(|lead| scoring_time(lead, at))
            .unwrap_or(at);
        features.row(index, at)
    }

    /// Encodes a lead's features for the model.
    fn encode_row(&self, row: &LeadFeatures) -> Result<Vec<f64>, EngineError> {
        self.model
            .encoder
            .transform_row(row)
            .map_err(|e| EngineError::Scoring {
                reason: format!("conversion model v{}: {e}", self.version),
            })
    }

    /// Scores an encoded row (`work` is scratch space, reused between calls).
    pub fn score(&self, encoded: &[f64], work: &mut Vec<f64>) -> Scored {
        self.scorer.score(encoded, work)
    }
}

/// Compiled rule models, the conversion model and the fallback choice: what
/// scoring needs, built once per change and shared.
#[derive(Debug, Default)]
pub struct Engine {
    plans: Vec<Plan>,
    /// What of the records the plans read, worked out once.
    projection: Arc<Projection>,
    /// The conversion model's columns of the last dataset scored.
    schemas: SchemaCache,
    conversion: Option<LiveModel>,
    fallback: Option<usize>,
}

/// Where a primary score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrimarySource {
    /// The live conversion model (it is confident).
    Conversion,
    /// The fallback rule model (no confident conversion model).
    RuleModel,
}

/// A lead's primary score: the one grades and routing use.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Primary {
    /// 0-100 from the conversion model; the rule model's points otherwise.
    pub score: i64,
    /// The grade (A-D from the conversion model; the rule model's own grade).
    pub grade: Option<String>,
    /// Which scorer gave it.
    pub source: PrimarySource,
    /// The rule model's name, or `conversion-v<version>`.
    pub model: String,
}

/// The conversion model's score of a lead.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConversionScore {
    /// The model version.
    pub version: i64,
    /// 0-100 (a multiple of 10 when low-confidence).
    pub score: u8,
    /// The calibrated probability of converting.
    pub probability: f64,
    /// A, B, C or D.
    pub grade: String,
    /// True when the model is not trusted on its own (held-out AUC below its
    /// bar): the rule models are then primary.
    pub low_confidence: bool,
    /// Every input column's part in the log-odds, strongest first (they sum,
    /// with the intercept, to the probability's log-odds).
    pub contributions: Vec<Contribution>,
    /// The intercept of the log-odds.
    pub intercept: f64,
}

/// Everything computed for one lead.
#[derive(Debug, Clone)]
pub struct LeadResult {
    /// The lead.
    pub lead_id: LeadId,
    /// The time scored as of.
    pub at: Timestamp,
    /// One explanation per rule model, in model order (by name).
    pub rules: Vec<Explanation>,
    /// The conversion model's score, when one is live and the lead can be
    /// scored by it.
    pub conversion: Option<ConversionScore>,
    /// The primary score, when any scorer scored the lead.
    pub primary: Option<Primary>,
}

impl LeadResult {
    /// The first rule model (in model order) whose score reached its
    /// sales-ready threshold: `(model, score)`.
    pub fn sales_ready(&self) -> Option<(&str, i64)> {
        self.rules
            .iter()
            .find(|e| e.sales_ready)
            .and_then(|e| e.score.map(|s| (e.model.as_str(), s)))
    }
}

impl Engine {
    /// Compiles rule models (sorted by name) and takes the conversion model.
    /// `fallback` names the rule model that is primary without a confident
    /// conversion model (default: the first by name).
    pub fn new(
        mut models: Vec<RuleModel>,
        conversion: Option<LiveModel>,
        fallback: Option<&str>,
    ) -> Result<Self, EngineError> {
        models.sort_by(|a, b| a.name.cmp(&b.name));
        let plans = models
            .iter()
            .map(|m| {
                Plan::compile(m).map_err(|e| EngineError::Corrupt {
                    what: "rule model",
                    name: m.name.clone(),
                    reason: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fallback = match fallback {
            Some(name) => plans.iter().position(|p| p.name() == name),
            None => (!plans.is_empty()).then_some(0),
        };
        Ok(Self {
            projection: Arc::new(Plan::projection(&plans)),
            schemas: SchemaCache::default(),
            plans,
            conversion,
            fallback,
        })
    }

    /// The compiled rule models.
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// True when some rule reads an interaction property: the records a
    /// lead's scores read then include the interactions' properties (the
    /// conversion model reads none).
    pub fn reads_properties(&self) -> bool {
        self.projection.keeps_any_property()
    }

    /// The conversion model in service.
    pub fn conversion(&self) -> Option<&LiveModel> {
        self.conversion.as_ref()
    }

    /// The fallback rule model's name.
    pub fn fallback(&self) -> Option<&str> {
        self.fallback
            .and_then(|i| self.plans.get(i))
            .map(Plan::name)
    }

    /// Scores the leads of `data` named by `lead_ids` (ids not in `data` are
    /// skipped) as of `at`.
    pub fn score(
        &self,
        data: &Dataset,
        lead_ids: &[LeadId],
        at: Timestamp,
    ) -> Result<Vec<LeadResult>, EngineError> {
        let graph = Graph::from_dataset(data, Arc::clone(&self.projection)).map_err(|e| {
            EngineError::Scoring {
                reason: e.to_string(),
            }
        })?;
        let evaluator = Evaluator::new(&graph, &self.plans);
        let features = self
            .conversion
            .as_ref()
            .map(|_| FeatureIndex::with_cache(data, &self.schemas));
        let mut scores = Scores::default();
        let mut work = Vec::new();
        let mut out = Vec::with_capacity(lead_ids.len());
        for id in lead_ids {
            let Some(index) = graph.lead_index(id.as_str()) else {
                continue;
            };
            evaluator.evaluate(index, at, &mut scores);
            let rules: Vec<Explanation> = (0..self.plans.len())
                .filter_map(|m| evaluator.explain(&scores, m))
                .collect();
            let conversion = match (&self.conversion, &features) {
                (Some(live), Some(features)) => {
                    Some(self.convert(data, live, features, index, at, &mut work)?)
                }
                _ => None,
            };
            let primary = self.primary(&rules, conversion.as_ref());
            out.push(LeadResult {
                lead_id: id.clone(),
                at,
                rules,
                conversion,
                primary,
            });
        }
        Ok(out)
    }

    fn convert(
        &self,
        data: &Dataset,
        live: &LiveModel,
        features: &FeatureIndex<'_>,
        index: usize,
        at: Timestamp,
        work: &mut Vec<f64>,
    ) -> Result<ConversionScore, EngineError> {
        let row = LiveModel::lead_row(data, features, index, at);
        let encoded = live.encode_row(&row)?;
        let scored = live.scorer.score(&encoded, work);
        Ok(ConversionScore {
            version: live.version,
            score: scored.score,
            probability: scored.probability,
            grade: scored.grade.to_string(),
            low_confidence: scored.low_confidence,
            contributions: live
                .scorer
                .contributions(&encoded)
                .into_iter()
                .filter(|c| c.log_odds != 0.0)
                .map(|c| Contribution {
                    value: cell_text(row.cell(&c.column)),
                    ..c
                })
                .collect(),
            intercept: live.scorer.intercept(),
        })
    }

    /// The confident conversion model's score; else the fallback rule model's
    /// when it scored the lead; else a low-confidence conversion score.
    fn primary(
        &self,
        rules: &[Explanation],
        conversion: Option<&ConversionScore>,
    ) -> Option<Primary> {
        let from_conversion = |c: &ConversionScore| Primary {
            score: i64::from(c.score),
            grade: Some(c.grade.clone()),
            source: PrimarySource::Conversion,
            model: format!("conversion-v{}", c.version),
        };
        if let Some(c) = conversion.filter(|c| !c.low_confidence) {
            return Some(from_conversion(c));
        }
        let fallback = self.fallback.and_then(|i| rules.get(i)).and_then(|e| {
            e.score.map(|score| Primary {
                score,
                grade: e.grade.clone(),
                source: PrimarySource::RuleModel,
                model: e.model.clone(),
            })
        });
        fallback.or_else(|| conversion.map(from_conversion))
    }
}

/// A lead's value of an input column as text: a number as Rust writes it
/// (`240`, `12.5`), a label as it is; none when missing (or not a column).
fn cell_text(cell: Option<Cell>) -> Option<String> {
    match cell? {
        Cell::Num(v) if v.is_finite() => Some(v.to_string()),
        Cell::Num(_) | Cell::Missing => None,
        Cell::Text(t) => Some(t),
    }
}

/// Each lead's latest activity as of `at`, in microseconds: its newest
/// interaction (of its contact, or of its account's contacts for an
/// account-based lead; by contact id, else by a visitor id the contact lists)
/// at or before `at`, else its creation. For ordering queues by recency.
pub fn last_activity(
    data: &Dataset,
    at: Timestamp,
) -> std::collections::HashMap<LeadId, Timestamp> {
    use std::collections::HashMap;

    use leadscore_domain::attribution::{Reads, VisitorOwners};

    let owners = VisitorOwners::new(&data.contacts);
    let mut by_account: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &data.contacts {
        if let Some(a) = &c.account_id {
            by_account
                .entry(a.as_str())
                .or_default()
                .push(c.contact_id.as_str());
        }
    }
    let mut latest: HashMap<&str, Timestamp> = HashMap::new();
    for i in &data.interactions {
        if let Some(owner) = owners.of(i)
            && i.occurred_at <= at
        {
            let e = latest.entry(owner.as_str()).or_insert(i.occurred_at);
            *e = (*e).max(i.occurred_at);
        }
    }
    data.leads
        .iter()
        .map(|l| {
            let contacts: Vec<&str> = match Reads::of(l) {
                Reads::Contact(c) => vec![c.as_str()],
                Reads::Account(a) => by_account.get(a.as_str()).cloned().unwrap_or_default(),
                Reads::Nobody => Vec::new(),
            };
            let newest = contacts
                .iter()
                .filter_map(|c| latest.get(c).copied())
                .max()
                .unwrap_or(l.created_at)
                .max(l.created_at);
            (l.lead_id.clone(), newest)
        })
        .collect()
}
