//! Small builders shared by the behaviour tests: a dataset built record by
//! record, models written as one-rule YAML, and evaluation in one call.
//!
//! Every test evaluates at [`AT`] unless it says otherwise, and times are written
//! relative to it ([`hours_before`], [`days_before`]).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, CustomRecord, Dataset, EntityName, Interaction,
    InteractionId, InteractionKind, Lead, LeadId, RecordId, Timestamp, VisitorId,
};
use leadscore_rules::{
    Evaluator, Explanation, Graph, Outcome, Plan, Projection, RuleModel, Scores, Target, Unscored,
};

/// The evaluation time of every test unless it says otherwise.
pub const AT: &str = "2026-06-01T00:00:00Z";

const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// A timestamp from RFC 3339 or a bare date.
pub fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// The evaluation time.
pub fn at() -> Timestamp {
    ts(AT)
}

/// `micros` microseconds before [`AT`] (negative: after it).
pub fn micros_before(micros: i64) -> Timestamp {
    Timestamp::from_micros(at().as_micros() - micros).unwrap()
}

/// `hours` hours before [`AT`] (negative: after it).
pub fn hours_before(hours: i64) -> Timestamp {
    micros_before(hours * MICROS_PER_HOUR)
}

/// `days` days before [`AT`] (negative: after it).
pub fn days_before(days: i64) -> Timestamp {
    hours_before(days * 24)
}

/// A dataset under construction. Records are added parents first, as DATA.md
/// folders are read; interactions get ids `I1`, `I2`, ... in the order added.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// The records so far.
    pub ds: Dataset,
    next_interaction: usize,
}

impl Data {
    /// No records.
    pub fn new() -> Self {
        Self::default()
    }

    /// Account `A1`, contact `C1` at `A1`, and contact-based lead `L1` on `C1`.
    pub fn contact_based() -> Self {
        let mut d = Self::new();
        d.account("A1");
        d.contact("C1", Some("A1"));
        d.lead("L1", Some("C1"), None);
        d
    }

    /// Account `A1`, contacts `C1` and `C2` at `A1`, and account-based lead `L1`
    /// on `A1`.
    pub fn account_based() -> Self {
        let mut d = Self::new();
        d.account("A1");
        d.contact("C1", Some("A1"));
        d.contact("C2", Some("A1"));
        d.lead("L1", None, Some("A1"));
        d
    }

    /// Adds an account and returns it for setting fields.
    pub fn account(&mut self, id: &str) -> &mut Account {
        self.ds
            .accounts
            .push(Account::new(AccountId::parse(id).unwrap()));
        self.ds.accounts.last_mut().unwrap()
    }

    /// Adds a contact, with its parent account if any.
    pub fn contact(&mut self, id: &str, account: Option<&str>) -> &mut Contact {
        let mut contact = Contact::new(ContactId::parse(id).unwrap());
        contact.account_id = account.map(|a| AccountId::parse(a).unwrap());
        self.ds.contacts.push(contact);
        self.ds.contacts.last_mut().unwrap()
    }

    /// The contact with this id, for setting fields.
    pub fn contact_mut(&mut self, id: &str) -> &mut Contact {
        self.ds
            .contacts
            .iter_mut()
            .find(|c| c.contact_id.as_str() == id)
            .unwrap()
    }

    /// The account with this id, for setting fields.
    pub fn account_mut(&mut self, id: &str) -> &mut Account {
        self.ds
            .accounts
            .iter_mut()
            .find(|a| a.account_id.as_str() == id)
            .unwrap()
    }

    /// The lead with this id, for setting fields.
    pub fn lead_mut(&mut self, id: &str) -> &mut Lead {
        self.ds
            .leads
            .iter_mut()
            .find(|l| l.lead_id.as_str() == id)
            .unwrap()
    }

    /// Adds a lead created on 2026-01-01, with its parent contact and account.
    pub fn lead(&mut self, id: &str, contact: Option<&str>, account: Option<&str>) -> &mut Lead {
        let mut lead = Lead::new(LeadId::parse(id).unwrap(), ts("2026-01-01"));
        lead.contact_id = contact.map(|c| ContactId::parse(c).unwrap());
        lead.account_id = account.map(|a| AccountId::parse(a).unwrap());
        self.ds.leads.push(lead);
        self.ds.leads.last_mut().unwrap()
    }

    /// Adds an interaction attributed to nobody yet (set `contact_id`,
    /// `visitor_id` or `lead_id` on the result).
    pub fn bare_interaction(&mut self, kind: &str, when: Timestamp) -> &mut Interaction {
        self.next_interaction += 1;
        let id = format!("I{}", self.next_interaction);
        self.ds.interactions.push(Interaction::new(
            InteractionId::parse(id).unwrap(),
            InteractionKind::parse(kind).unwrap(),
            when,
        ));
        self.ds.interactions.last_mut().unwrap()
    }

    /// Adds an interaction of `kind` by `contact` at `when`.
    pub fn interaction(&mut self, kind: &str, when: Timestamp, contact: &str) -> &mut Interaction {
        let ix = self.bare_interaction(kind, when);
        ix.contact_id = Some(ContactId::parse(contact).unwrap());
        ix
    }

    /// Adds `n` interactions of `kind` by `contact`, one hour apart, the first
    /// `days` days before [`AT`].
    pub fn interactions(&mut self, n: usize, kind: &str, days: i64, contact: &str) {
        for i in 0..n {
            let hours = days * 24 - i64::try_from(i).unwrap();
            self.interaction(kind, hours_before(hours), contact);
        }
    }

    /// Adds an interaction with one property (`url`, `email_name`...).
    pub fn interaction_with(
        &mut self,
        kind: &str,
        when: Timestamp,
        contact: &str,
        property: (&str, &str),
    ) -> &mut Interaction {
        let ix = self.interaction(kind, when, contact);
        ix.properties.set(property.0, property.1);
        ix
    }

    /// Adds a record of a custom entity, related to `lead`.
    pub fn record(&mut self, entity: &str, id: &str, lead: &str, fields: &[(&str, &str)]) {
        let mut record = CustomRecord {
            record_id: RecordId::parse(id).unwrap(),
            lead_id: LeadId::parse(lead).unwrap(),
            fields: Default::default(),
        };
        for (name, value) in fields {
            record.fields.set(*name, *value);
        }
        self.ds
            .custom
            .entry(EntityName::parse(entity).unwrap())
            .or_default()
            .push(record);
    }

    /// Sets a visitor id on a contact.
    pub fn visitor(&mut self, contact: &str, visitor: &str) {
        self.contact_mut(contact).visitor_id = Some(VisitorId::parse(visitor).unwrap());
    }

    /// The graph of these records, keeping every interaction property.
    pub fn graph(&self) -> Graph {
        Graph::from_dataset(&self.ds, Projection::all()).unwrap()
    }
}

/// Loads a YAML model; a model that does not load fails the test with its problems.
pub fn model(yaml: &str) -> RuleModel {
    match RuleModel::from_yaml(yaml) {
        Ok(model) => model,
        Err(e) => panic!("model does not load: {e}\n{yaml}"),
    }
}

/// A model named `M` with the given target and rules, each rule a YAML flow
/// mapping (`{ name: r, when: [...], points: 1 }`).
pub fn model_of(target: Target, rules: &[&str]) -> RuleModel {
    let mut yaml = format!("name: M\ntarget: {}\nrules:\n", target.as_str());
    for rule in rules {
        yaml.push_str("  - ");
        yaml.push_str(rule);
        yaml.push('\n');
    }
    model(&yaml)
}

/// A model with one rule `r` of one `when` condition (a YAML flow mapping) and
/// the given points.
pub fn one_condition(target: Target, condition: &str, points: i64) -> RuleModel {
    model_of(
        target,
        &[&format!(
            "{{ name: r, when: [ {condition} ], points: {points} }}"
        )],
    )
}

/// The target that scores lead `L1` of the data: `account` for an account-based
/// lead, `contact` otherwise.
pub fn target_of(data: &Data, lead: &str) -> Target {
    let lead = data
        .ds
        .leads
        .iter()
        .find(|l| l.lead_id.as_str() == lead)
        .unwrap();
    if lead.contact_id.is_none() && lead.account_id.is_some() {
        Target::Account
    } else {
        Target::Contact
    }
}

/// Every model's outcome for a lead at a time.
pub fn outcomes(data: &Data, models: &[RuleModel], lead: &str, when: Timestamp) -> Vec<Outcome> {
    let graph = data.graph();
    let plans: Vec<Plan> = models.iter().map(|m| Plan::compile(m).unwrap()).collect();
    let evaluator = Evaluator::new(&graph, &plans);
    let mut scores = Scores::default();
    evaluator.evaluate(graph.lead_index(lead).unwrap(), when, &mut scores);
    scores.results.iter().map(|r| r.outcome).collect()
}

/// A model's explanation for a lead at a time.
pub fn explain_at(data: &Data, model: &RuleModel, lead: &str, when: Timestamp) -> Explanation {
    let graph = data.graph();
    let plans = vec![Plan::compile(model).unwrap()];
    let evaluator = Evaluator::new(&graph, &plans);
    let mut scores = Scores::default();
    evaluator.evaluate(graph.lead_index(lead).unwrap(), when, &mut scores);
    evaluator.explain(&scores, 0).unwrap()
}

/// A model's explanation for `L1` at [`AT`].
pub fn explain(data: &Data, model: &RuleModel) -> Explanation {
    explain_at(data, model, "L1", at())
}

/// A model's score for a lead at a time; `None` when it does not score the lead.
pub fn score_at(data: &Data, model: &RuleModel, lead: &str, when: Timestamp) -> Option<i64> {
    match outcomes(data, std::slice::from_ref(model), lead, when)[0] {
        Outcome::Scored { score, .. } => Some(score),
        Outcome::Unscored(_) => None,
    }
}

/// A model's score for `L1` at [`AT`].
pub fn score(data: &Data, model: &RuleModel) -> Option<i64> {
    score_at(data, model, "L1", at())
}

/// The sum of a model's rule points for `L1` at [`AT`], before rounding and the
/// floor.
pub fn raw(data: &Data, model: &RuleModel) -> f64 {
    explain(data, model).points
}

/// Why a model does not score a lead, if it does not.
pub fn unscored(data: &Data, model: &RuleModel, lead: &str) -> Option<Unscored> {
    match outcomes(data, std::slice::from_ref(model), lead, at())[0] {
        Outcome::Unscored(why) => Some(why),
        Outcome::Scored { .. } => None,
    }
}

/// The score of `L1` at [`AT`] under a one-condition rule worth `points`, with
/// the target that scores `L1`.
pub fn score_of(data: &Data, condition: &str, points: i64) -> i64 {
    let model = one_condition(target_of(data, "L1"), condition, points);
    score(data, &model).unwrap()
}

/// True when a one-condition rule holds for `L1` at [`AT`].
pub fn holds(data: &Data, condition: &str) -> bool {
    score_of(data, condition, 1) == 1
}

/// True when `a` and `b` differ by less than 1e-9.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
