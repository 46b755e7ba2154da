//! Shared test helpers: a dataset exercising every column.

#![allow(dead_code)]

use std::collections::BTreeMap;

use leadscore_domain::{
    Account, AccountId, Contact, ContactId, CustomRecord, Dataset, DomainError, EntityName, Fields,
    Interaction, InteractionId, InteractionKind, Lead, LeadId, LeadStatus, RecordId, Timestamp,
    VisitorId,
};

/// What every test returns.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub use leadscore_store::testing::TestDb;

pub fn ts(text: &str) -> Result<Timestamp, DomainError> {
    Timestamp::parse(text)
}

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A small dataset using every column, absent optional values, unicode text,
/// fractional timestamps and custom records; every list is ordered by id, as
/// `export` returns it.
pub fn sample() -> Result<Dataset, DomainError> {
    let mut acme = Account::new(AccountId::parse("A-1")?);
    acme.name = Some("Müller & Söhne — 東京 \"quoted\" 'single'".to_owned());
    acme.industry = Some("Manufacturing".to_owned());
    acme.employees = Some(1200);
    acme.annual_revenue = Some(1_234_567.891_011);
    acme.country = Some("Deutschland".to_owned());
    acme.city = Some("Köln".to_owned());
    acme.custom = fields(&[
        ("tier", "gold"),
        ("notes", "line1\nline2, with comma; {json}"),
    ]);
    let bare = Account::new(AccountId::parse("A-2")?);

    let mut ada = Contact::new(ContactId::parse("C-1")?);
    ada.account_id = Some(AccountId::parse("A-1")?);
    ada.first_name = Some("Ada".to_owned());
    ada.last_name = Some("Lovelace-Ñúñez".to_owned());
    ada.email = Some("ada@example.invalid".to_owned());
    ada.job_title = Some("CTO".to_owned());
    ada.city = Some("London".to_owned());
    ada.country = Some("UK".to_owned());
    ada.visitor_id = Some(VisitorId::parse("V-100")?);
    ada.custom = fields(&[("linkedin", "yes")]);
    let lone = Contact::new(ContactId::parse("C-2")?);

    let mut won = Lead::new(LeadId::parse("L-1")?, ts("2026-03-01T14:05:00.123456Z")?);
    won.contact_id = Some(ContactId::parse("C-1")?);
    won.account_id = Some(AccountId::parse("A-1")?);
    won.topic = Some("Widgets 🚀".to_owned());
    won.source = Some("Webinar".to_owned());
    won.status = LeadStatus::Qualified;
    won.closed_at = Some(ts("2026-03-15T09:00:00.5Z")?);
    won.custom = fields(&[("budget", "50000"), ("é", "ü")]);
    let mut lost = Lead::new(LeadId::parse("L-2")?, ts("1999-12-31T23:59:59Z")?);
    lost.account_id = Some(AccountId::parse("A-2")?);
    lost.status = LeadStatus::Disqualified;
    lost.closed_at = Some(ts("2000-01-01")?);
    lost.disqualify_reason = Some("no budget".to_owned());
    let open = Lead::new(LeadId::parse("L-3")?, ts("2026-01-01")?);

    let mut click = Interaction::new(
        InteractionId::parse("I-1")?,
        InteractionKind::EmailClicked,
        ts("2026-03-02T08:00:00.000001Z")?,
    );
    click.contact_id = Some(ContactId::parse("C-1")?);
    click.lead_id = Some(LeadId::parse("L-1")?);
    click.properties = fields(&[
        ("email_name", "Spring launch"),
        ("url", "https://x.invalid/?a=1&b=2"),
    ]);
    let mut visit = Interaction::new(
        InteractionId::parse("I-2")?,
        InteractionKind::WebsiteVisited,
        ts("2026-03-03T10:00:00Z")?,
    );
    visit.visitor_id = Some(VisitorId::parse("V-100")?);
    let webinar = Interaction::new(
        InteractionId::parse("I-3")?,
        InteractionKind::parse("WebinarAttended")?,
        ts("2026-03-04T10:00:00Z")?,
    );

    let mut custom = BTreeMap::new();
    custom.insert(
        EntityName::parse("Opportunity")?,
        vec![
            CustomRecord {
                record_id: RecordId::parse("O-1")?,
                lead_id: LeadId::parse("L-1")?,
                fields: fields(&[("amount", "1000.50"), ("stage", "Won")]),
            },
            CustomRecord {
                record_id: RecordId::parse("O-2")?,
                lead_id: LeadId::parse("L-1")?,
                fields: Fields::new(),
            },
        ],
    );
    custom.insert(
        EntityName::parse("Quote")?,
        vec![CustomRecord {
            record_id: RecordId::parse("O-1")?,
            lead_id: LeadId::parse("L-2")?,
            fields: fields(&[("total", "99")]),
        }],
    );

    Ok(Dataset {
        accounts: vec![acme, bare],
        contacts: vec![ada, lone],
        leads: vec![won, lost, open],
        interactions: vec![click, visit, webinar],
        custom,
    })
}

/// `n` interactions with ids ordered as `export` returns them.
pub fn many_interactions(n: usize) -> Result<Vec<Interaction>, DomainError> {
    let start = ts("2026-01-01T00:00:00Z")?.as_micros();
    (0..n)
        .map(|i| {
            let at = Timestamp::from_micros(start + i as i64 * 1_000_001).ok_or(
                DomainError::BadTimestamp {
                    value: i.to_string(),
                },
            )?;
            let mut x = Interaction::new(
                InteractionId::parse(format!("X-{i:06}"))?,
                InteractionKind::EmailOpened,
                at,
            );
            x.contact_id = Some(ContactId::parse("C-1")?);
            if i % 3 == 0 {
                x.properties = fields(&[("email_name", &format!("mail {i}"))]);
            }
            Ok(x)
        })
        .collect()
}
