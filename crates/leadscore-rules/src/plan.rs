//! Compiling a model once into a plan: paths resolved to typed hops and fields,
//! operands prepared, windows in microseconds, and the names a plan needs from a
//! graph (interaction kinds, properties, custom entities) gathered in one table.

use leadscore_domain::{EntityName, InteractionKind};

use crate::compare::Comparison;
use crate::error::{Problem, RulesError};
use crate::graph::Projection;
use crate::model::{Condition, Conditions, FieldPath, Frequency, Hop, Root, RuleModel, Target};

/// The kinds of record a path can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityType {
    Lead,
    Contact,
    Account,
    Interaction,
    Custom,
}

/// A hop, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HopPlan {
    /// Lead → contact.
    ParentContact,
    /// Lead or contact → account (the lead's own account only).
    ParentAccount,
    /// Interaction → contact.
    Contact,
    /// Interaction or custom record → lead.
    Lead,
    /// Lead → custom records (slot in the plan's custom entity table).
    Custom(u32),
}

/// A standard or custom field of a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LeadField {
    LeadId,
    CreatedAt,
    ContactId,
    AccountId,
    Topic,
    Source,
    Status,
    ClosedAt,
    DisqualifyReason,
    Custom(String),
}

/// A standard or custom field of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ContactField {
    ContactId,
    AccountId,
    FirstName,
    LastName,
    Email,
    JobTitle,
    City,
    Country,
    VisitorId,
    Custom(String),
}

/// A standard or custom field of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AccountField {
    AccountId,
    Name,
    Industry,
    Employees,
    AnnualRevenue,
    Country,
    City,
    Custom(String),
}

/// A standard field or property of an interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InteractionField {
    InteractionId,
    Kind,
    OccurredAt,
    ContactId,
    LeadId,
    /// A property (slot in the plan's property table).
    Property(u32),
}

/// A field of a custom record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CustomField {
    RecordId,
    LeadId,
    Field(String),
}

/// A field, typed by the entity it is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldRef {
    Lead(LeadField),
    Contact(ContactField),
    Account(AccountField),
    Interaction(InteractionField),
    Custom(CustomField),
}

/// One compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilterPlan {
    pub(crate) hops: Vec<HopPlan>,
    pub(crate) field: FieldRef,
    pub(crate) comparison: Comparison,
}

/// Where a condition's records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Lead,
    Contact,
    Account,
    /// Interactions of a kind (slot in the plan's kind table).
    Kind(u32),
    /// The lead's records of a custom entity (slot in the custom entity table).
    Custom(u32),
}

/// One compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CondPlan {
    pub(crate) source: Source,
    /// Hops after the source (after the custom hop for `Lead.<Custom>`).
    pub(crate) hops: Vec<HopPlan>,
    pub(crate) filters: Vec<FilterPlan>,
    /// `None` for a fixed condition.
    pub(crate) frequency: Option<Frequency>,
    pub(crate) count: u32,
    /// Window length in microseconds before the evaluation time.
    pub(crate) within: Option<i64>,
    /// Window start in microseconds.
    pub(crate) since: Option<i64>,
    /// Half-life in microseconds.
    pub(crate) half_life: Option<f64>,
}

/// One compiled rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RulePlan {
    pub(crate) points: f64,
    pub(crate) cap: Option<f64>,
    pub(crate) any: bool,
    pub(crate) conditions: Vec<CondPlan>,
    /// The written conditions as explanations show them, in order.
    pub(crate) texts: Vec<String>,
}

/// A model compiled for evaluation. Compile once, evaluate many times, over any
/// graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(crate) model: RuleModel,
    pub(crate) rules: Vec<RulePlan>,
    pub(crate) kinds: Vec<InteractionKind>,
    pub(crate) properties: Vec<String>,
    pub(crate) customs: Vec<EntityName>,
    /// The lead, contact and account fields the plan reads, by name.
    pub(crate) fields: RecordFields,
}

/// Field names read on leads, contacts and accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RecordFields {
    pub(crate) lead: Vec<String>,
    pub(crate) contact: Vec<String>,
    pub(crate) account: Vec<String>,
}

impl Plan {
    /// Compiles a model. A model from the loader always compiles; one built by hand
    /// may not, and the error says where.
    pub fn compile(model: &RuleModel) -> Result<Self, RulesError> {
        let mut compiler = Compiler::default();
        let mut rules = Vec::with_capacity(model.rules.len());
        for (r, rule) in model.rules.iter().enumerate() {
            let (any, list, key) = match &rule.conditions {
                Conditions::When(list) => (false, list, "when"),
                Conditions::Any(list) => (true, list, "any"),
            };
            let conditions = list
                .iter()
                .enumerate()
                .filter_map(|(c, cond)| compiler.condition(cond, &format!("rules[{r}].{key}[{c}]")))
                .collect();
            // The loader checks these; a model built by hand may break them.
            let each = list
                .iter()
                .filter(|c| c.frequency == Some(Frequency::Each))
                .count();
            if list.is_empty() || (any && each > 0) || each > 1 {
                compiler.problems.push(Problem::new(
                    format!("rules[{r}].{key}"),
                    "a rule needs at least one condition, at most one `each` condition under `when`, and none under `any`",
                ));
            }
            // The loader rejects a negative cap; one built by hand would make the
            // cap's clamp panic at evaluation.
            if let Some(cap) = rule.cap.filter(|c| *c < 0) {
                compiler.problems.push(Problem::new(
                    format!("rules[{r}].cap"),
                    format!("cap {cap} is negative: a cap limits the absolute value"),
                ));
            }
            rules.push(RulePlan {
                points: rule.points as f64,
                cap: rule.cap.map(|c| c as f64),
                any,
                conditions,
                texts: list.iter().map(crate::text::condition_text).collect(),
            });
        }
        if !compiler.problems.is_empty() {
            return Err(RulesError::Invalid {
                problems: compiler.problems,
            });
        }
        Ok(Self {
            model: model.clone(),
            rules,
            kinds: compiler.kinds,
            properties: compiler.properties,
            customs: compiler.customs,
            fields: compiler.fields,
        })
    }

    /// The model this plan was compiled from.
    pub fn model(&self) -> &RuleModel {
        &self.model
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.model.name
    }

    /// The leads the model scores.
    pub fn target(&self) -> Target {
        self.model.target
    }

    /// The interaction properties the plan reads.
    pub fn properties(&self) -> &[String] {
        &self.properties
    }

    /// The projection that keeps what these plans read, and nothing more: the
    /// interaction properties, the lead, contact and account fields, and the
    /// custom entities they name; no interaction when none reads one.
    pub fn projection<'a>(plans: impl IntoIterator<Item = &'a Plan> + Clone) -> Projection {
        let all = plans.clone().into_iter();
        Projection::only(all.flat_map(|p| p.properties.iter().cloned()))
            .with_records(
                plans
                    .clone()
                    .into_iter()
                    .flat_map(|p| p.fields.lead.iter().cloned()),
                plans
                    .clone()
                    .into_iter()
                    .flat_map(|p| p.fields.contact.iter().cloned()),
                plans
                    .clone()
                    .into_iter()
                    .flat_map(|p| p.fields.account.iter().cloned()),
                plans
                    .clone()
                    .into_iter()
                    .flat_map(|p| p.customs.iter().cloned()),
            )
            .with_interactions(plans.into_iter().any(|p| !p.kinds.is_empty()))
    }
}

#[derive(Default)]
struct Compiler {
    kinds: Vec<InteractionKind>,
    properties: Vec<String>,
    customs: Vec<EntityName>,
    fields: RecordFields,
    problems: Vec<Problem>,
}

fn slot<T: PartialEq + Clone>(table: &mut Vec<T>, item: &T) -> u32 {
    let i = table.iter().position(|t| t == item).unwrap_or_else(|| {
        table.push(item.clone());
        table.len() - 1
    });
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Compiler {
    fn condition(&mut self, cond: &Condition, at: &str) -> Option<CondPlan> {
        let (source, mut entity, hops) = match (&cond.entity.root, cond.entity.hops.first()) {
            (Root::Kind(kind), _) => (
                Source::Kind(slot(&mut self.kinds, kind)),
                EntityType::Interaction,
                &cond.entity.hops[..],
            ),
            (Root::Lead, Some(Hop::Custom(name))) => (
                Source::Custom(slot(&mut self.customs, name)),
                EntityType::Custom,
                &cond.entity.hops[1..],
            ),
            (Root::Lead, _) => (Source::Lead, EntityType::Lead, &cond.entity.hops[..]),
            (Root::Contact, _) => (Source::Contact, EntityType::Contact, &cond.entity.hops[..]),
            (Root::Account, _) => (Source::Account, EntityType::Account, &cond.entity.hops[..]),
        };
        let hops = self.hops(&mut entity, hops, &format!("{at}.entity"))?;
        let mut filters = Vec::with_capacity(cond.filters.len());
        for (f, filter) in cond.filters.iter().enumerate() {
            let path = format!("{at}.where[{f}].field");
            let mut on = entity;
            let Some(hops) = self.hops(&mut on, &filter.field.hops, &path) else {
                continue;
            };
            let field = self.field(on, &filter.field);
            filters.push(FilterPlan {
                hops,
                field,
                comparison: Comparison::new(filter.op, &filter.value),
            });
        }
        let frequency = cond.effective_frequency();
        Some(CondPlan {
            source,
            hops,
            filters,
            frequency,
            count: if frequency == Some(Frequency::AtLeast) {
                cond.count.unwrap_or(1).max(1)
            } else {
                1
            },
            within: cond.within.map(|s| s.as_micros()),
            since: cond.since.map(|t| t.as_micros()),
            half_life: cond.half_life.map(|s| s.as_micros() as f64),
        })
    }

    fn hops(&mut self, entity: &mut EntityType, hops: &[Hop], at: &str) -> Option<Vec<HopPlan>> {
        let mut out = Vec::with_capacity(hops.len());
        for hop in hops {
            let (plan, next) = match (*entity, hop) {
                (EntityType::Lead, Hop::ParentContact) => {
                    (HopPlan::ParentContact, EntityType::Contact)
                }
                (EntityType::Lead | EntityType::Contact, Hop::ParentAccount) => {
                    (HopPlan::ParentAccount, EntityType::Account)
                }
                (EntityType::Interaction, Hop::Contact) => (HopPlan::Contact, EntityType::Contact),
                (EntityType::Interaction | EntityType::Custom, Hop::Lead) => {
                    (HopPlan::Lead, EntityType::Lead)
                }
                (EntityType::Lead, Hop::Custom(name)) => (
                    HopPlan::Custom(slot(&mut self.customs, name)),
                    EntityType::Custom,
                ),
                (from, hop) => {
                    self.problems.push(Problem::new(
                        at,
                        format!("no hop {} from {from:?}", hop.as_str()),
                    ));
                    return None;
                }
            };
            out.push(plan);
            *entity = next;
        }
        Some(out)
    }

    fn field(&mut self, entity: EntityType, path: &FieldPath) -> FieldRef {
        let name = path.name.as_str();
        let read = match entity {
            EntityType::Lead => Some(&mut self.fields.lead),
            EntityType::Contact => Some(&mut self.fields.contact),
            EntityType::Account => Some(&mut self.fields.account),
            EntityType::Interaction | EntityType::Custom => None,
        };
        if let Some(read) = read
            && !read.iter().any(|n| n == name)
        {
            read.push(name.to_owned());
        }
        match entity {
            EntityType::Lead => FieldRef::Lead(match name {
                "lead_id" => LeadField::LeadId,
                "created_at" => LeadField::CreatedAt,
                "contact_id" => LeadField::ContactId,
                "account_id" => LeadField::AccountId,
                "topic" => LeadField::Topic,
                "source" => LeadField::Source,
                "status" => LeadField::Status,
                "closed_at" => LeadField::ClosedAt,
                "disqualify_reason" => LeadField::DisqualifyReason,
                other => LeadField::Custom(other.to_owned()),
            }),
            EntityType::Contact => FieldRef::Contact(match name {
                "contact_id" => ContactField::ContactId,
                "account_id" => ContactField::AccountId,
                "first_name" => ContactField::FirstName,
                "last_name" => ContactField::LastName,
                "email" => ContactField::Email,
                "job_title" => ContactField::JobTitle,
                "city" => ContactField::City,
                "country" => ContactField::Country,
                "visitor_id" => ContactField::VisitorId,
                other => ContactField::Custom(other.to_owned()),
            }),
            EntityType::Account => FieldRef::Account(match name {
                "account_id" => AccountField::AccountId,
                "name" => AccountField::Name,
                "industry" => AccountField::Industry,
                "employees" => AccountField::Employees,
                "annual_revenue" => AccountField::AnnualRevenue,
                "country" => AccountField::Country,
                "city" => AccountField::City,
                other => AccountField::Custom(other.to_owned()),
            }),
            EntityType::Interaction => FieldRef::Interaction(match name {
                "interaction_id" => InteractionField::InteractionId,
                "kind" => InteractionField::Kind,
                "occurred_at" => InteractionField::OccurredAt,
                "contact_id" => InteractionField::ContactId,
                "lead_id" => InteractionField::LeadId,
                other => InteractionField::Property(slot(&mut self.properties, &other.to_owned())),
            }),
            EntityType::Custom => FieldRef::Custom(match name {
                "record_id" => CustomField::RecordId,
                "lead_id" => CustomField::LeadId,
                other => CustomField::Field(other.to_owned()),
            }),
        }
    }
}
