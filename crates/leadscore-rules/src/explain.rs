//! Turning a trace into an explanation people and programs can read: the rules
//! that held, the points each added after its cap, and the interactions or field
//! values that made each condition hold.

use std::collections::BTreeMap;

use leadscore_domain::Timestamp;
use serde::Serialize;

use crate::compare::Value;
use crate::eval::{Evaluator, Evidence, NodeRef, Outcome, Scores, decay};
use crate::plan::{CondPlan, FilterPlan, HopPlan, Source};
use crate::text::condition_text;

/// A model's score for a lead, with everything that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// The model.
    pub model: String,
    /// The lead.
    pub lead_id: String,
    /// The evaluation time.
    pub at: String,
    /// The score; absent when the model does not score the lead.
    pub score: Option<i64>,
    /// The grade holding the score.
    pub grade: Option<String>,
    /// True when the score reached the model's sales-ready threshold.
    pub sales_ready: bool,
    /// Why the lead has no score under this model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The sum of the rules' points before rounding and the floor.
    pub points: f64,
    /// The rules that held, in model order.
    pub rules: Vec<RuleExplanation>,
}

/// A rule that held.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleExplanation {
    /// The rule's name.
    pub rule: String,
    /// Points added, after the cap.
    pub points: f64,
    /// Points before the cap.
    pub uncapped: f64,
    /// How many times the rule's points counted (qualifying interactions of its
    /// `each` condition, weighted by `half_life`), or 1.
    pub times: f64,
    /// The conditions that held.
    pub conditions: Vec<ConditionExplanation>,
}

/// A condition that held, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConditionExplanation {
    /// The condition, as in the text view.
    pub condition: String,
    /// How many records qualified.
    pub count: u32,
    /// The qualifying interactions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<InteractionEvidence>,
    /// The records (and field values) that made it hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<RecordEvidence>,
}

/// A qualifying interaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionEvidence {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// When it happened.
    pub occurred_at: String,
    /// Its weight under `half_life` (1 without).
    pub weight: f64,
    /// The values of the fields the condition's filters read.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// A record that made a condition hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordEvidence {
    /// Its entity (`Lead`, `Contact`, `Account`, or a custom entity).
    pub entity: String,
    /// Its id.
    pub id: String,
    /// The values of the fields the condition's filters read (absent ones left out).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

fn value_text(value: Value<'_>) -> Option<String> {
    match value {
        Value::Absent => None,
        Value::Text(t) => Some(t.to_owned()),
        other => other.to_text().map(|t| t.into_owned()),
    }
}

impl Evaluator<'_> {
    /// Explains the result of plan `model` in `scores` (filled by
    /// [`Evaluator::evaluate`]).
    pub fn explain(&self, scores: &Scores, model: usize) -> Option<Explanation> {
        let plan = self.plans().get(model)?;
        let result = scores.results.get(model)?;
        let g = self.graph();
        let lead_id = g
            .leads
            .get(scores.lead as usize)
            .map_or(String::new(), |l| l.lead_id.as_str().to_owned());
        let at = Timestamp::from_micros(scores.at).map_or(String::new(), |t| t.to_string());
        let (score, grade, sales_ready, reason) = match result.outcome {
            Outcome::Scored {
                score,
                grade,
                sales_ready,
            } => (
                Some(score),
                grade.and_then(|i| {
                    plan.model
                        .grades
                        .get(usize::from(i))
                        .map(|g| g.name.clone())
                }),
                sales_ready,
                None,
            ),
            Outcome::Unscored(why) => (None, None, false, Some(why.reason().to_owned())),
        };
        let mut rules = Vec::new();
        for hit in scores.hits_of(result) {
            let Some(rule) = plan.model.rules.get(usize::from(hit.rule)) else {
                continue;
            };
            let Some(rule_plan) = plan.rules.get(usize::from(hit.rule)) else {
                continue;
            };
            let mut conditions = Vec::new();
            for cond in scores.conditions_of(hit) {
                let c = usize::from(cond.condition);
                let (Some(written), Some(compiled)) =
                    (rule.conditions.list().get(c), rule_plan.conditions.get(c))
                else {
                    continue;
                };
                let mut interactions = Vec::new();
                let mut records = Vec::new();
                for evidence in scores.evidence_of(cond) {
                    match *evidence {
                        Evidence::Interactions { start, end } => {
                            for i in start..end {
                                interactions.push(self.interaction(
                                    model,
                                    i,
                                    scores.at,
                                    compiled,
                                    &written.filters,
                                ));
                            }
                        }
                        Evidence::Record(NodeRef::Interaction(i)) => {
                            interactions.push(self.interaction(
                                model,
                                i,
                                scores.at,
                                compiled,
                                &written.filters,
                            ));
                        }
                        Evidence::Record(node) => {
                            // A behaviour condition's filters read the record its
                            // path ends at; a fixed condition's evidence is that record.
                            let end = match compiled.source {
                                Source::Kind(_) | Source::Custom(_) => {
                                    self.path_end(model, node, &compiled.hops, &compiled.filters)
                                }
                                _ => node,
                            };
                            let fields =
                                self.filter_values(model, end, &compiled.filters, &written.filters);
                            records.push(self.record(node, fields));
                        }
                    }
                }
                conditions.push(super::explain::ConditionExplanation {
                    condition: rule_plan
                        .texts
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| condition_text(written)),
                    count: cond.count,
                    interactions,
                    records,
                });
            }
            rules.push(RuleExplanation {
                rule: rule.name.clone(),
                points: hit.points,
                uncapped: hit.uncapped,
                times: hit.multiplier,
                conditions,
            });
        }
        Some(Explanation {
            model: plan.model.name.clone(),
            lead_id,
            at,
            score,
            grade,
            sales_ready,
            reason,
            points: result.raw,
            rules,
        })
    }

    fn interaction(
        &self,
        model: usize,
        i: u32,
        at: i64,
        compiled: &CondPlan,
        written: &[crate::model::Predicate],
    ) -> InteractionEvidence {
        let g = self.graph();
        let ix = &g.interactions;
        let t = ix.time.get(i as usize).copied().unwrap_or_default();
        InteractionEvidence {
            id: ix.id.get(i as usize).to_owned(),
            kind: ix
                .kind
                .get(i as usize)
                .map_or(String::new(), |&k| g.kind_name(k).to_owned()),
            occurred_at: Timestamp::from_micros(t).map_or(String::new(), |t| t.to_string()),
            weight: compiled.half_life.map_or(1.0, |hl| decay(at - t, hl)),
            fields: self.filter_values(
                model,
                self.path_end(
                    model,
                    NodeRef::Interaction(i),
                    &compiled.hops,
                    &compiled.filters,
                ),
                &compiled.filters,
                written,
            ),
        }
    }

    /// The record a behaviour condition's path leads to from a qualifying record
    /// (the first that passes the filters), where its filters read their fields.
    fn path_end(
        &self,
        model: usize,
        node: NodeRef,
        hops: &[HopPlan],
        filters: &[FilterPlan],
    ) -> NodeRef {
        let mut end = node;
        if let Some(binding) = self.bindings.get(model) {
            self.reach(binding, node, hops, &mut |n| {
                let passes = self.matches(binding, n, &[], filters);
                if passes {
                    end = n;
                }
                passes
            });
        }
        end
    }

    /// The values the filters read from a record, by their written field path.
    fn filter_values(
        &self,
        model: usize,
        node: NodeRef,
        filters: &[FilterPlan],
        written: &[crate::model::Predicate],
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(binding) = self.bindings.get(model) else {
            return out;
        };
        for (filter, predicate) in filters.iter().zip(written) {
            let mut value = None;
            self.reach(binding, node, &filter.hops, &mut |n| {
                value = value_text(self.read(binding, n, &filter.field));
                value.is_some()
            });
            if let Some(v) = value {
                out.insert(predicate.field.to_string(), v);
            }
        }
        out
    }

    fn record(&self, node: NodeRef, fields: BTreeMap<String, String>) -> RecordEvidence {
        let g = self.graph();
        let (entity, id) = match node {
            NodeRef::Lead(l) => (
                "Lead".to_owned(),
                g.leads
                    .get(l as usize)
                    .map(|r| r.lead_id.as_str().to_owned()),
            ),
            NodeRef::Contact(c) => (
                "Contact".to_owned(),
                g.contacts
                    .get(c as usize)
                    .map(|r| r.contact_id.as_str().to_owned()),
            ),
            NodeRef::Account(a) => (
                "Account".to_owned(),
                g.accounts
                    .get(a as usize)
                    .map(|r| r.account_id.as_str().to_owned()),
            ),
            NodeRef::Interaction(i) => (
                "Interaction".to_owned(),
                Some(g.interactions.id.get(i as usize).to_owned()),
            ),
            NodeRef::Custom { entity, record } => {
                let e = g.custom.get(entity as usize);
                (
                    e.map_or(String::new(), |e| e.name.as_str().to_owned()),
                    e.and_then(|e| e.records.get(record as usize))
                        .map(|r| r.record_id.as_str().to_owned()),
                )
            }
        };
        RecordEvidence {
            entity,
            id: id.unwrap_or_default(),
            fields,
        }
    }
}
