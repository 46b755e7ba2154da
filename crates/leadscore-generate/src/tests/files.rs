//! The files of one run: headers, ids, references, timestamps, kinds.

use std::collections::{HashMap, HashSet};

use leadscore_domain::{InteractionKind, Timestamp};

use super::{Folder, Table, TestResult, as_of, run, seconds};
use crate::write::FILES;

/// Every id of `column` is unique and matches `^P\d{width}$`-ish (letter + digits).
fn unique_ids<'t>(
    table: &'t Table,
    column: &str,
    prefix: char,
) -> Result<HashSet<&'t str>, String> {
    let mut ids = HashSet::new();
    for id in table.values(column) {
        if !id.starts_with(prefix) || !id[1..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{column}: malformed id {id}"));
        }
        if !ids.insert(id) {
            return Err(format!("{column}: duplicate id {id}"));
        }
    }
    if ids.len() != table.rows.len() {
        return Err(format!("{column}: empty ids"));
    }
    Ok(ids)
}

#[test]
fn files_have_the_data_md_headers() -> TestResult {
    let (dir, _) = run(200, 1, 0)?;
    let expected = [
        "account_id,name,industry,employees,annual_revenue,country,city,tech_stack,customer_tier",
        "contact_id,account_id,first_name,last_name,email,job_title,city,country,visitor_id,preferred_language,email_opt_in",
        "lead_id,created_at,contact_id,account_id,topic,source,status,closed_at,disqualify_reason,budget_band,product_interest",
        "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id,email_name,url,event_name",
        "record_id,lead_id,meeting_type,held_at,outcome,duration_minutes",
    ];
    for ((name, _), header) in FILES.iter().zip(expected) {
        let table = Table::read(&dir.path().join(name))?;
        assert_eq!(table.header.join(","), header, "{name}");
        assert!(!table.rows.is_empty(), "{name} is empty");
        assert!(table.rows.iter().all(|r| r.len() == table.header.len()));
    }
    Ok(())
}

#[test]
fn every_reference_resolves_and_times_are_consistent() -> TestResult {
    let (dir, _) = run(2_500, 11, 2)?;
    let Folder {
        accounts,
        contacts,
        leads,
        interactions,
        meetings,
    } = Folder::read(dir.path())?;

    let account_ids = unique_ids(&accounts, "account_id", 'A')?;
    let contact_ids = unique_ids(&contacts, "contact_id", 'C')?;
    let lead_ids = unique_ids(&leads, "lead_id", 'L')?;
    unique_ids(&interactions, "interaction_id", 'I')?;
    unique_ids(&meetings, "record_id", 'M')?;
    assert_eq!(lead_ids.len(), 2_500);

    for id in contacts
        .values("account_id")
        .chain(leads.values("account_id"))
    {
        assert!(account_ids.contains(id), "unknown account {id}");
    }
    for id in leads
        .values("contact_id")
        .chain(interactions.values("contact_id"))
    {
        assert!(contact_ids.contains(id), "unknown contact {id}");
    }
    for id in interactions
        .values("lead_id")
        .chain(meetings.values("lead_id"))
    {
        assert!(lead_ids.contains(id), "unknown lead {id}");
    }
    let visitors: Vec<&str> = contacts.values("visitor_id").collect();
    let known_visitors: HashSet<&str> = visitors.iter().copied().collect();
    assert_eq!(known_visitors.len(), visitors.len(), "visitor ids repeat");

    let limit = as_of()?.as_seconds();
    let mut created_at = HashMap::new();
    let mut closed_at = HashMap::new();
    for row in &leads.rows {
        let id = leads.get(row, "lead_id").ok_or("lead id")?;
        let created = seconds(leads.get(row, "created_at").ok_or("created_at")?)?;
        assert!(created <= limit);
        created_at.insert(id, created);
        let status = leads.get(row, "status");
        match leads.get(row, "closed_at") {
            Some(closed) => {
                let closed = seconds(closed)?;
                assert!(
                    closed >= created && closed <= limit,
                    "{id} closes out of order"
                );
                assert!(matches!(status, Some("qualified" | "disqualified")), "{id}");
                closed_at.insert(id, closed);
            }
            None => assert!(matches!(status, None | Some("open")), "{id}"),
        }
        if leads.get(row, "disqualify_reason").is_some() {
            assert_eq!(status, Some("disqualified"));
        }
    }
    for row in &meetings.rows {
        let lead = meetings.get(row, "lead_id").ok_or("lead")?;
        let held = seconds(meetings.get(row, "held_at").ok_or("held_at")?)?;
        assert!(held <= limit && held > created_at[lead]);
        if let Some(closed) = closed_at.get(lead) {
            assert!(held < *closed, "meeting after its lead closed");
        }
    }

    let mut kinds = HashSet::new();
    let (mut visitor_only, mut anonymous) = (0, 0);
    for row in &interactions.rows {
        let at = interactions.get(row, "occurred_at").ok_or("occurred_at")?;
        assert!(
            Timestamp::parse(at)?.as_seconds() <= limit,
            "{at} after as-of"
        );
        let kind = interactions.get(row, "kind").ok_or("kind")?;
        assert!(InteractionKind::parse(kind).is_ok(), "{kind}");
        kinds.insert(kind.to_owned());
        let has = |c: &str| interactions.get(row, c).is_some();
        assert!(has("contact_id") || has("visitor_id"));
        if !has("contact_id") {
            visitor_only += 1;
            let v = interactions.get(row, "visitor_id").ok_or("visitor")?;
            if !known_visitors.contains(v) {
                anonymous += 1;
            }
        }
        // Properties only where they fit the kind.
        let (email, url, event) = (has("email_name"), has("url"), has("event_name"));
        let fits = match kind {
            "EmailOpened" => email && !url && !event,
            "EmailClicked" => email && url && !event,
            "FormSubmitted" | "WebsiteVisited" | "PricingPageViewed" => !email && url && !event,
            "EventRegistered" | "EventAttended" => !email && !url && event,
            _ => false,
        };
        assert!(fits, "properties of {kind}");
        if let Some(lead) = interactions.get(row, "lead_id") {
            assert!(has("contact_id"), "a lead's interaction names its contact");
            assert!(seconds(at)? >= created_at[lead] - 60);
        }
    }
    for kind in super::all_kinds() {
        assert!(kinds.contains(kind), "no {kind}");
    }
    assert!(
        visitor_only > 100 && anonymous > 20,
        "{visitor_only} {anonymous}"
    );
    Ok(())
}

#[test]
fn attendance_follows_registration_for_the_same_event() -> TestResult {
    let (dir, _) = run(800, 4, 0)?;
    let interactions = Table::read(&dir.path().join("interactions.csv"))?;
    let mut registered: HashMap<(String, String), i64> = HashMap::new();
    let mut attended = Vec::new();
    for row in &interactions.rows {
        let who = interactions
            .get(row, "contact_id")
            .unwrap_or_default()
            .to_owned();
        let event = interactions
            .get(row, "event_name")
            .unwrap_or_default()
            .to_owned();
        let at = seconds(interactions.get(row, "occurred_at").ok_or("occurred_at")?)?;
        match interactions.get(row, "kind") {
            Some("EventRegistered") => {
                let first = registered.entry((who, event)).or_insert(at);
                *first = (*first).min(at);
            }
            Some("EventAttended") => attended.push(((who, event), at)),
            _ => {}
        }
    }
    assert!(attended.len() > 20);
    for (key, at) in attended {
        let reg = registered
            .get(&key)
            .ok_or_else(|| format!("{key:?} attended unregistered"))?;
        assert!(*reg <= at, "{key:?} registered after attending");
    }
    Ok(())
}

#[test]
fn leads_come_in_all_three_kinds_and_look_like_a_crm() -> TestResult {
    let (dir, _) = run(3_000, 21, 0)?;
    let leads = Table::read(&dir.path().join("leads.csv"))?;
    let accounts = Table::read(&dir.path().join("accounts.csv"))?;
    let contacts = Table::read(&dir.path().join("contacts.csv"))?;
    let n = leads.rows.len() as f64;
    let (mut contact_based, mut account_based, mut unscorable) = (0.0, 0.0, 0.0);
    for row in &leads.rows {
        match (leads.get(row, "contact_id"), leads.get(row, "account_id")) {
            (Some(_), _) => contact_based += 1.0,
            (None, Some(_)) => account_based += 1.0,
            (None, None) => unscorable += 1.0,
        }
    }
    assert!((0.84..0.92).contains(&(contact_based / n)));
    assert!((0.07..0.13).contains(&(account_based / n)));
    assert!((0.008..0.035).contains(&(unscorable / n)));

    let status: Vec<Option<&str>> = leads.rows.iter().map(|r| leads.get(r, "status")).collect();
    let qualified = status.iter().filter(|s| **s == Some("qualified")).count() as f64;
    let disqualified = status
        .iter()
        .filter(|s| **s == Some("disqualified"))
        .count() as f64;
    let share = qualified / (qualified + disqualified);
    assert!((0.18..0.37).contains(&share), "qualified share {share}");
    assert!(status.contains(&None) && status.contains(&Some("open")));
    let reasons: HashSet<&str> = leads.values("disqualify_reason").collect();
    assert!(reasons.len() >= 5, "{reasons:?}");
    assert!(leads.values("disqualify_reason").count() < disqualified as usize);

    // Recent leads are mostly open, old ones mostly closed.
    let limit = as_of()?.as_seconds();
    let (mut recent, mut recent_open, mut old, mut old_open) = (0, 0, 0, 0);
    for row in &leads.rows {
        let age = limit - seconds(leads.get(row, "created_at").ok_or("created_at")?)?;
        let open = leads.get(row, "closed_at").is_none();
        if age < 14 * 86_400 {
            recent += 1;
            recent_open += usize::from(open);
        } else if age > 120 * 86_400 {
            old += 1;
            old_open += usize::from(open);
        }
    }
    assert!(recent_open * 10 > recent * 7, "{recent_open}/{recent}");
    assert!(old_open * 10 < old, "{old_open}/{old}");

    assert!(
        contacts
            .rows
            .iter()
            .any(|r| contacts.get(r, "account_id").is_none())
    );
    assert!(contacts.values("visitor_id").count() > contacts.rows.len() / 4);
    let industries: HashSet<&str> = accounts.values("industry").collect();
    assert!(industries.len() >= 8);
    let employees: Vec<u64> = accounts
        .values("employees")
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    assert!(employees.iter().any(|e| *e < 20) && employees.iter().any(|e| *e > 5_000));
    assert!(
        accounts.values("name").any(|n| n.contains(',')),
        "no comma in a name"
    );
    Ok(())
}
