//! Evaluation speed: a 10-rule model over leads with about 50 interactions each.
//!
//! `cargo bench -p leadscore-rules --bench evaluate` (figures in BENCHMARKS.md).
//! One thread; throughput is leads per second per core.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadscore_domain::{
    Account, AccountId, Contact, ContactId, Dataset, Interaction, InteractionId, InteractionKind,
    Lead, LeadId, Timestamp,
};
use leadscore_rules::{Evaluator, Graph, Plan, RuleModel, Scores};

const LEADS: usize = 20_000;
const PER_LEAD: usize = 50;
const DAY: i64 = 86_400_000_000;

const MODEL: &str = r#"
name: Ten rules
target: contact
sales_ready: 60
floor: 0
grades:
  - { name: D, max: 19 }
  - { name: C, min: 20, max: 39 }
  - { name: B, min: 40, max: 59 }
  - { name: A, min: 60 }
rules:
  - name: Clicked emails
    when: [ { entity: EmailClicked, frequency: each, within: 180d, half_life: 30d } ]
    points: 4
    cap: 16
  - name: Recent form
    when: [ { entity: FormSubmitted, within: 30d } ]
    points: 15
  - name: Events attended
    when: [ { entity: EventAttended, frequency: each, within: 365d } ]
    points: 8
    cap: 24
  - name: Registered, did not attend
    when:
      - { entity: EventRegistered, within: 90d }
      - { entity: EventAttended, frequency: none, within: 90d }
    points: -5
  - name: Pricing pages
    when:
      - entity: WebsiteVisited
        frequency: at_least
        count: 2
        within: 30d
        where: [ { field: url, op: contains, value: pricing } ]
    points: 15
  - name: Web visits
    when: [ { entity: WebsiteVisited, frequency: each, within: 30d } ]
    points: 1
    cap: 8
  - name: Gone quiet
    when: [ { entity: EmailOpened, frequency: none, within: 60d } ]
    points: -10
  - name: Big company
    when: [ { entity: Account, where: [ { field: employees, op: ge, value: 500 } ] } ]
    points: 10
  - name: Senior buyer
    any:
      - { entity: Contact, where: [ { field: job_title, op: starts_with, value: Chief } ] }
      - { entity: Contact, where: [ { field: job_title, op: contains, value: director } ] }
    points: 12
  - name: Good source
    when: [ { entity: Lead, where: [ { field: source, op: in, value: [Referral, Partner, Webinar] } ] } ]
    points: 8
"#;

/// A deterministic pseudo-random sequence (no dependency needed for a benchmark).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn dataset(at: Timestamp) -> Dataset {
    let kinds = [
        InteractionKind::EmailOpened,
        InteractionKind::EmailClicked,
        InteractionKind::FormSubmitted,
        InteractionKind::WebsiteVisited,
        InteractionKind::EventRegistered,
        InteractionKind::EventAttended,
    ];
    let titles = ["Chief Data Officer", "Analyst", "IT Director", "Consultant"];
    let sources = ["Web", "Referral", "Partner", "Webinar", "Cold Outreach"];
    let urls = ["/pricing", "/blog/post", "/product", "/pricing/enterprise"];
    let mut rng = Lcg(7);
    let mut ds = Dataset::default();
    let mut n = 0u64;
    for i in 0..LEADS {
        let account_id = AccountId::parse(format!("A{i}")).unwrap();
        let mut account = Account::new(account_id.clone());
        account.employees = Some(rng.below(5_000) as i64);
        ds.accounts.push(account);
        let contact_id = ContactId::parse(format!("C{i}")).unwrap();
        let mut contact = Contact::new(contact_id.clone());
        contact.account_id = Some(account_id);
        contact.job_title = Some(titles[rng.below(4) as usize].to_owned());
        ds.contacts.push(contact);
        let mut lead = Lead::new(LeadId::parse(format!("L{i}")).unwrap(), at);
        lead.contact_id = Some(contact_id.clone());
        lead.source = Some(sources[rng.below(5) as usize].to_owned());
        ds.leads.push(lead);
        for _ in 0..PER_LEAD {
            n += 1;
            let kind = kinds[rng.below(6) as usize].clone();
            let when = at.as_micros() - rng.below(400) as i64 * DAY - rng.below(DAY as u64) as i64;
            let mut ix = Interaction::new(
                InteractionId::parse(format!("I{n}")).unwrap(),
                kind.clone(),
                Timestamp::from_micros(when).unwrap(),
            );
            ix.contact_id = Some(contact_id.clone());
            if kind == InteractionKind::WebsiteVisited {
                ix.properties.set("url", urls[rng.below(4) as usize]);
            }
            ds.interactions.push(ix);
        }
    }
    ds
}

fn evaluate(c: &mut Criterion) {
    let at = Timestamp::parse("2026-10-01").unwrap();
    let model = RuleModel::from_yaml(MODEL).unwrap();
    let plans = vec![Plan::compile(&model).unwrap()];
    let graph = Graph::from_dataset(&dataset(at), Plan::projection(&plans)).unwrap();
    assert_eq!(graph.interaction_count(), LEADS * PER_LEAD);
    let evaluator = Evaluator::new(&graph, &plans);
    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Elements(LEADS as u64));
    group.sample_size(20);
    group.bench_function("10 rules, 50 interactions per lead (with trace)", |b| {
        let mut scores = Scores::default();
        b.iter(|| {
            let mut total = 0i64;
            for lead in 0..LEADS {
                evaluator.evaluate(lead, at, &mut scores);
                if let Some(r) = scores.results.first()
                    && let leadscore_rules::Outcome::Scored { score, .. } = r.outcome
                {
                    total += score;
                }
            }
            black_box(total)
        });
    });
    group.finish();
    let mut group = c.benchmark_group("rules explained");
    group.throughput(Throughput::Elements((LEADS / 10) as u64));
    group.sample_size(20);
    group.bench_function("10 rules, evaluated and explained as JSON", |b| {
        let mut scores = Scores::default();
        b.iter(|| {
            let mut bytes = 0usize;
            for lead in 0..LEADS / 10 {
                evaluator.evaluate(lead, at, &mut scores);
                let e = evaluator.explain(&scores, 0).unwrap();
                bytes += serde_json::to_vec(&e).unwrap().len();
            }
            black_box(bytes)
        });
    });
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
