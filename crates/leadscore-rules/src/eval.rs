//! Evaluating plans over a graph: no I/O, no allocation per lead once the
//! [`Scores`] buffers have grown, and a trace of every rule that held.

use leadscore_domain::{LeadKind, Timestamp};

use crate::compare::Value;
use crate::graph::{Graph, NONE};
use crate::model::{Frequency, Target};
use crate::plan::{CondPlan, FieldRef, FilterPlan, HopPlan, Plan, Source};
use crate::read::read_field;

/// A record of the graph, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeRef {
    /// A lead.
    Lead(u32),
    /// A contact.
    Contact(u32),
    /// An account.
    Account(u32),
    /// An interaction.
    Interaction(u32),
    /// A custom record: the entity's and the record's position.
    Custom {
        /// The custom entity.
        entity: u32,
        /// The record within it.
        record: u32,
    },
}

/// What made a condition hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A run of qualifying interactions: positions `start..end`.
    Interactions {
        /// First position.
        start: u32,
        /// One past the last.
        end: u32,
    },
    /// A record: a qualifying interaction or custom record, or the record whose
    /// fields made a fixed condition hold.
    Record(NodeRef),
}

/// A condition that held, within a [`RuleHit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CondHit {
    /// The condition's position in its rule.
    pub condition: u16,
    /// Qualifying records (interactions or custom records); 1 for a fixed condition.
    pub count: u32,
    /// Its evidence: positions in [`Scores::evidence`].
    pub evidence: (u32, u32),
}

/// A rule that held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleHit {
    /// The rule's position in its model.
    pub rule: u16,
    /// How many times the points count: qualifying interactions of the `each`
    /// condition (weighted by `half_life`), or 1.
    pub multiplier: f64,
    /// Points before the cap.
    pub uncapped: f64,
    /// Points after the cap.
    pub points: f64,
    /// Its conditions that held: positions in [`Scores::conditions`].
    pub conditions: (u32, u32),
}

/// Why a model gives a lead no score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unscored {
    /// The lead has neither a parent contact nor a parent account.
    NoParent,
    /// The lead is contact-based and the model targets account-based leads, or the
    /// other way round.
    OutsideTarget {
        /// The model's target.
        target: Target,
    },
}

impl Unscored {
    /// The reason, in words.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NoParent => {
                "unscorable: the lead has neither a parent contact nor a parent account"
            }
            Self::OutsideTarget {
                target: Target::Contact,
            } => {
                "not targeted: the model scores contact-based leads and this lead is account-based"
            }
            Self::OutsideTarget {
                target: Target::Account,
            } => {
                "not targeted: the model scores account-based leads and this lead is contact-based"
            }
        }
    }
}

/// One model's verdict on one lead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The lead was scored.
    Scored {
        /// The score: points summed, rounded half away from zero, raised to the floor.
        score: i64,
        /// The position of the grade holding the score, if one does.
        grade: Option<u16>,
        /// True when the score reached the model's `sales_ready` threshold.
        sales_ready: bool,
    },
    /// The lead was not scored, and why.
    Unscored(Unscored),
}

/// One model's result for a lead: the outcome and the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelResult {
    /// Scored or not.
    pub outcome: Outcome,
    /// The sum of rule points before rounding and the floor.
    pub raw: f64,
    /// Rules that held: positions in [`Scores::hits`].
    pub hits: (u32, u32),
}

/// The results of every plan for one lead, with their traces. Reuse one value
/// across leads: its buffers are cleared, not freed.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// The lead evaluated.
    pub lead: u32,
    /// The evaluation time.
    pub at: i64,
    /// One result per plan, in the plans' order.
    pub results: Vec<ModelResult>,
    /// Rules that held, for all plans.
    pub hits: Vec<RuleHit>,
    /// Conditions that held, for all hits.
    pub conditions: Vec<CondHit>,
    /// Evidence for all conditions.
    pub evidence: Vec<Evidence>,
    contacts: Vec<u32>,
}

impl Scores {
    /// The rules that held for one result.
    pub fn hits_of(&self, result: &ModelResult) -> &[RuleHit] {
        slice(&self.hits, result.hits)
    }

    /// The conditions that held for one rule hit.
    pub fn conditions_of(&self, hit: &RuleHit) -> &[CondHit] {
        slice(&self.conditions, hit.conditions)
    }

    /// The evidence of one condition.
    pub fn evidence_of(&self, cond: &CondHit) -> &[Evidence] {
        slice(&self.evidence, cond.evidence)
    }
}

fn slice<T>(items: &[T], (start, end): (u32, u32)) -> &[T] {
    items.get(start as usize..end as usize).unwrap_or(&[])
}

fn len32<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// The graph-specific ids of the names a plan uses.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    kinds: Vec<u32>,
    pub(crate) properties: Vec<u32>,
    pub(crate) customs: Vec<u32>,
}

/// Plans bound to a graph, ready to evaluate its leads.
#[derive(Debug, Clone)]
pub struct Evaluator<'a> {
    graph: &'a Graph,
    plans: &'a [Plan],
    pub(crate) bindings: Vec<Binding>,
}

struct Ctx<'s> {
    lead: u32,
    account: u32,
    contacts: &'s [u32],
    at: i64,
}

impl<'a> Evaluator<'a> {
    /// Binds plans to a graph: resolves the kinds, properties and custom entities
    /// they name (a name the graph lacks simply matches nothing).
    pub fn new(graph: &'a Graph, plans: &'a [Plan]) -> Self {
        let bindings = plans
            .iter()
            .map(|plan| Binding {
                kinds: plan
                    .kinds
                    .iter()
                    .map(|k| graph.kind_id(k).unwrap_or(NONE))
                    .collect(),
                properties: plan
                    .properties
                    .iter()
                    .map(|p| graph.property_id(p).unwrap_or(NONE))
                    .collect(),
                customs: plan
                    .customs
                    .iter()
                    .map(|c| graph.custom_id(c).unwrap_or(NONE))
                    .collect(),
            })
            .collect();
        Self {
            graph,
            plans,
            bindings,
        }
    }

    /// The graph evaluated.
    pub fn graph(&self) -> &'a Graph {
        self.graph
    }

    /// The plans evaluated.
    pub fn plans(&self) -> &'a [Plan] {
        self.plans
    }

    /// Evaluates every plan for the lead at position `lead`, as of `at`: only
    /// interactions at or before `at` count. Fills `out`.
    pub fn evaluate(&self, lead: usize, at: Timestamp, out: &mut Scores) {
        out.results.clear();
        out.hits.clear();
        out.conditions.clear();
        out.evidence.clear();
        out.contacts.clear();
        out.lead = u32::try_from(lead).unwrap_or(NONE);
        out.at = at.as_micros();
        let g = self.graph;
        let Some(record) = g.leads.get(lead) else {
            return;
        };
        let kind = record.kind();
        let l = out.lead;
        let contact = g.lead_contact[lead];
        let mut account = g.lead_account[lead];
        match kind {
            LeadKind::ContactBased => {
                out.contacts.push(contact);
                if account == NONE {
                    account = g.contact_account[contact as usize];
                }
            }
            LeadKind::AccountBased => out
                .contacts
                .extend_from_slice(g.account_contacts.get(account)),
            LeadKind::Unscorable => {}
        }
        let contacts = std::mem::take(&mut out.contacts);
        let ctx = Ctx {
            lead: l,
            account,
            contacts: &contacts,
            at: out.at,
        };
        for (plan, binding) in self.plans.iter().zip(&self.bindings) {
            let outcome = match (kind, plan.model.target) {
                (LeadKind::Unscorable, _) => Err(Unscored::NoParent),
                (LeadKind::ContactBased, Target::Account)
                | (LeadKind::AccountBased, Target::Contact) => Err(Unscored::OutsideTarget {
                    target: plan.model.target,
                }),
                _ => Ok(()),
            };
            let result = match outcome {
                Err(why) => ModelResult {
                    outcome: Outcome::Unscored(why),
                    raw: 0.0,
                    hits: (len32(&out.hits), len32(&out.hits)),
                },
                Ok(()) => self.score(plan, binding, &ctx, out),
            };
            out.results.push(result);
        }
        out.contacts = contacts;
    }

    fn score(&self, plan: &Plan, b: &Binding, ctx: &Ctx<'_>, out: &mut Scores) -> ModelResult {
        let first_hit = len32(&out.hits);
        let mut sum = 0.0;
        for (r, rule) in plan.rules.iter().enumerate() {
            let mark = (out.conditions.len(), out.evidence.len());
            let mut multiplier = 1.0;
            let mut held = !rule.any;
            for (c, cond) in rule.conditions.iter().enumerate() {
                let before = (out.conditions.len(), out.evidence.len());
                let (holds, count, weight) = self.condition(b, cond, ctx, out);
                if holds {
                    out.conditions.push(CondHit {
                        condition: u16::try_from(c).unwrap_or(u16::MAX),
                        count,
                        evidence: (len32_at(before.1), len32(&out.evidence)),
                    });
                    if cond.frequency == Some(Frequency::Each) {
                        multiplier = weight;
                    }
                    if rule.any {
                        held = true;
                    }
                } else {
                    out.conditions.truncate(before.0);
                    out.evidence.truncate(before.1);
                    if !rule.any {
                        held = false;
                        break;
                    }
                }
            }
            if !held {
                out.conditions.truncate(mark.0);
                out.evidence.truncate(mark.1);
                continue;
            }
            let uncapped = rule.points * multiplier;
            let points = match rule.cap {
                Some(cap) => uncapped.clamp(-cap, cap),
                None => uncapped,
            };
            sum += points;
            out.hits.push(RuleHit {
                rule: u16::try_from(r).unwrap_or(u16::MAX),
                multiplier,
                uncapped,
                points,
                conditions: (len32_at(mark.0), len32(&out.conditions)),
            });
        }
        // Rounded at the end, halves away from zero (f64::round), then the floor.
        let mut score = sum.round() as i64;
        if let Some(floor) = plan.model.floor {
            score = score.max(floor);
        }
        let grade = plan
            .model
            .grades
            .iter()
            .position(|g| g.contains(score))
            .map(|i| u16::try_from(i).unwrap_or(u16::MAX));
        let sales_ready = plan.model.sales_ready.is_some_and(|t| score >= t);
        ModelResult {
            outcome: Outcome::Scored {
                score,
                grade,
                sales_ready,
            },
            raw: sum,
            hits: (first_hit, len32(&out.hits)),
        }
    }

    /// Whether a condition holds, how many records qualify, and their weight.
    fn condition(
        &self,
        b: &Binding,
        cond: &CondPlan,
        ctx: &Ctx<'_>,
        out: &mut Scores,
    ) -> (bool, u32, f64) {
        let (count, weight) = match cond.source {
            Source::Kind(slot) => self.interactions(b, cond, slot, ctx, out),
            Source::Custom(slot) => self.custom_records(b, cond, slot, ctx, out),
            Source::Lead | Source::Contact | Source::Account => {
                let holds = self.fixed(b, cond, ctx, out);
                return (holds, u32::from(holds), 1.0);
            }
        };
        let holds = match cond.frequency {
            Some(Frequency::Each) => count >= 1,
            Some(Frequency::None) => count == 0,
            _ => count >= cond.count,
        };
        (holds, count, weight)
    }

    fn interactions(
        &self,
        b: &Binding,
        cond: &CondPlan,
        slot: u32,
        ctx: &Ctx<'_>,
        out: &mut Scores,
    ) -> (u32, f64) {
        let kind = b.kinds.get(slot as usize).copied().unwrap_or(NONE);
        if kind == NONE {
            return (0, 0.0);
        }
        let g = self.graph;
        let from = match (cond.within, cond.since) {
            (Some(w), Some(s)) => ctx.at.saturating_sub(w).max(s),
            (Some(w), None) => ctx.at.saturating_sub(w),
            (None, Some(s)) => s,
            (None, None) => i64::MIN,
        };
        let plain = cond.filters.is_empty() && cond.hops.is_empty();
        let mut count = 0u32;
        let mut weight = 0.0;
        for &contact in ctx.contacts {
            let Some(run) = g.contact_runs(contact).iter().find(|r| r.kind == kind) else {
                continue;
            };
            let times = &g.interactions.time[run.start as usize..run.end as usize];
            let lo = run.start + len32(&times[..times.partition_point(|&t| t < from)]);
            let hi = run.start + len32(&times[..times.partition_point(|&t| t <= ctx.at)]);
            if lo >= hi {
                continue;
            }
            if plain {
                count += hi - lo;
                match cond.half_life {
                    Some(hl) => {
                        for &t in &g.interactions.time[lo as usize..hi as usize] {
                            weight += decay(ctx.at - t, hl);
                        }
                    }
                    None => weight += f64::from(hi - lo),
                }
                out.evidence
                    .push(Evidence::Interactions { start: lo, end: hi });
                continue;
            }
            for i in lo..hi {
                let node = NodeRef::Interaction(i);
                if self.matches(b, node, &cond.hops, &cond.filters) {
                    count += 1;
                    weight += match cond.half_life {
                        Some(hl) => decay(ctx.at - g.interactions.time[i as usize], hl),
                        None => 1.0,
                    };
                    out.evidence.push(Evidence::Record(node));
                }
            }
        }
        (count, weight)
    }

    fn custom_records(
        &self,
        b: &Binding,
        cond: &CondPlan,
        slot: u32,
        ctx: &Ctx<'_>,
        out: &mut Scores,
    ) -> (u32, f64) {
        let entity = b.customs.get(slot as usize).copied().unwrap_or(NONE);
        let Some(records) = self.graph.custom.get(entity as usize) else {
            return (0, 0.0);
        };
        let mut count = 0u32;
        for &record in records.by_lead.get(ctx.lead) {
            let node = NodeRef::Custom { entity, record };
            if self.matches(b, node, &cond.hops, &cond.filters) {
                count += 1;
                out.evidence.push(Evidence::Record(node));
            }
        }
        (count, f64::from(count))
    }

    fn fixed(&self, b: &Binding, cond: &CondPlan, ctx: &Ctx<'_>, out: &mut Scores) -> bool {
        let mut found = None;
        let mut check = |node: NodeRef| {
            let mut end = None;
            let holds = self.reach(b, node, &cond.hops, &mut |n| {
                let ok = cond.filters.iter().all(|f| self.filter(b, n, f));
                if ok {
                    end = Some(n);
                }
                ok
            });
            if holds {
                found = end;
            }
            holds
        };
        let holds = match cond.source {
            Source::Lead => check(NodeRef::Lead(ctx.lead)),
            Source::Contact => ctx.contacts.iter().any(|&c| check(NodeRef::Contact(c))),
            Source::Account => ctx.account != NONE && check(NodeRef::Account(ctx.account)),
            Source::Kind(_) | Source::Custom(_) => false,
        };
        if let Some(node) = found {
            out.evidence.push(Evidence::Record(node));
        }
        holds
    }

    /// True when some record reached from `node` by `hops` passes every filter.
    pub(crate) fn matches(
        &self,
        b: &Binding,
        node: NodeRef,
        hops: &[HopPlan],
        filters: &[FilterPlan],
    ) -> bool {
        self.reach(b, node, hops, &mut |n| {
            filters.iter().all(|f| self.filter(b, n, f))
        })
    }

    fn filter(&self, b: &Binding, node: NodeRef, filter: &FilterPlan) -> bool {
        if filter.hops.is_empty() {
            return filter.comparison.holds(self.read(b, node, &filter.field));
        }
        let mut reached = false;
        let holds = self.reach(b, node, &filter.hops, &mut |n| {
            reached = true;
            filter.comparison.holds(self.read(b, n, &filter.field))
        });
        holds || (!reached && filter.comparison.holds(Value::Absent))
    }

    /// Calls `f` on each record reached from `node` by `hops` until it returns
    /// true; returns whether it did.
    pub(crate) fn reach(
        &self,
        b: &Binding,
        node: NodeRef,
        hops: &[HopPlan],
        f: &mut dyn FnMut(NodeRef) -> bool,
    ) -> bool {
        let Some((hop, rest)) = hops.split_first() else {
            return f(node);
        };
        let g = self.graph;
        let next = |i: u32, make: fn(u32) -> NodeRef| (i != NONE).then(|| make(i));
        let single = match (*hop, node) {
            (HopPlan::ParentContact, NodeRef::Lead(l)) => {
                next(g.lead_contact[l as usize], NodeRef::Contact)
            }
            (HopPlan::ParentAccount, NodeRef::Lead(l)) => {
                next(g.lead_account[l as usize], NodeRef::Account)
            }
            (HopPlan::ParentAccount, NodeRef::Contact(c)) => {
                next(g.contact_account[c as usize], NodeRef::Account)
            }
            (HopPlan::Contact, NodeRef::Interaction(i)) => {
                next(g.interactions.contact[i as usize], NodeRef::Contact)
            }
            (HopPlan::Lead, NodeRef::Interaction(i)) => {
                next(g.interactions.lead[i as usize], NodeRef::Lead)
            }
            (HopPlan::Lead, NodeRef::Custom { entity, record }) => g
                .custom
                .get(entity as usize)
                .and_then(|e| e.record_lead.get(record as usize))
                .and_then(|&l| next(l, NodeRef::Lead)),
            (HopPlan::Custom(slot), NodeRef::Lead(l)) => {
                let entity = b.customs.get(slot as usize).copied().unwrap_or(NONE);
                let Some(records) = g.custom.get(entity as usize) else {
                    return false;
                };
                return records
                    .by_lead
                    .get(l)
                    .iter()
                    .any(|&record| self.reach(b, NodeRef::Custom { entity, record }, rest, f));
            }
            _ => None,
        };
        single.is_some_and(|n| self.reach(b, n, rest, f))
    }

    /// Reads a field of a record; a field of another entity type reads as absent.
    pub(crate) fn read(&self, b: &Binding, node: NodeRef, field: &FieldRef) -> Value<'a> {
        read_field(self.graph, &b.properties, node, field)
    }
}

fn len32_at(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `0.5^(age / half_life)`; an occurrence at the evaluation time weighs 1.
pub(crate) fn decay(age: i64, half_life: f64) -> f64 {
    (-(age.max(0) as f64) / half_life).exp2()
}
