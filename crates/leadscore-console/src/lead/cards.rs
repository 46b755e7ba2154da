//! The lead's records as cards (the lead, its contact, its account; every
//! field as a definition list, custom fields too) and its interactions as a
//! table.

use leadscore_domain::{Account, Contact, Dataset, Fields, Interaction, Lead, LeadId, Timestamp};

use super::lead_path;
use super::words::{ago, split_words, when};
use crate::html::escape;
use crate::list::thousands;

/// Most contacts an account-based lead's contact card lists.
const MAX_CONTACTS: usize = 20;

/// The lead's contact.
pub fn contact_of<'d>(lead: &Lead, data: &'d Dataset) -> Option<&'d Contact> {
    let id = lead.contact_id.as_ref()?;
    data.contacts.iter().find(|c| &c.contact_id == id)
}

/// The lead's account: its own, else its contact's.
pub fn account_of<'d>(lead: &Lead, data: &'d Dataset) -> Option<&'d Account> {
    let id = lead
        .account_id
        .as_ref()
        .or_else(|| contact_of(lead, data).and_then(|c| c.account_id.as_ref()))?;
    data.accounts.iter().find(|a| &a.account_id == id)
}

/// A contact's name (first and last), if any.
pub fn person(c: &Contact) -> Option<String> {
    c.full_name()
}

/// `<dt>`/`<dd>` pairs of the fields that have a value, then the custom
/// fields; escaped.
fn definitions(fields: &[(&str, Option<String>)], custom: &Fields) -> String {
    let mut out = String::new();
    for (name, value) in fields {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            out.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(name), escape(v)));
        }
    }
    for (name, value) in custom.iter() {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            escape(&split_words(name).replace('_', " ")),
            escape(value)
        ));
    }
    if out.is_empty() {
        "<p class=\"muted\">Nothing recorded.</p>".to_owned()
    } else {
        format!("<dl>{out}</dl>")
    }
}

fn stamp(t: Option<Timestamp>) -> Option<String> {
    t.map(when)
}

/// The cards of the lead, its contact (or, for an account-based lead, the
/// account's contacts) and its account.
pub fn record_cards(lead: &Lead, data: &Dataset) -> String {
    let kind = match (&lead.contact_id, &lead.account_id) {
        (Some(_), _) => "contact-based: scored on its contact's activity",
        (None, Some(_)) => "account-based: scored on every contact at its account",
        (None, None) => "neither contact nor account: no model can score it",
    };
    let lead_card = format!(
        "<section class=\"card\" aria-labelledby=\"lead-card\"><h2 id=\"lead-card\">Lead</h2>{}</section>",
        definitions(
            &[
                ("Id", Some(lead.lead_id.as_str().to_owned())),
                ("Created", stamp(Some(lead.created_at))),
                ("Topic", lead.topic.clone()),
                ("Source", lead.source.clone()),
                ("Status", Some(lead.status.to_string())),
                ("Closed", stamp(lead.closed_at)),
                ("Disqualified because", lead.disqualify_reason.clone()),
                ("Kind", Some(kind.to_owned())),
            ],
            &lead.custom,
        )
    );
    let contact_card = match contact_of(lead, data) {
        Some(c) => {
            let email = c.email.as_deref().map_or(String::new(), |e| {
                format!(
                    "<p><a href=\"mailto:{e}\">{e}</a></p>",
                    e = escape(e.trim())
                )
            });
            format!(
                "<section class=\"card\" aria-labelledby=\"contact-card\"><h2 id=\"contact-card\">Contact</h2>{email}{}</section>",
                definitions(
                    &[
                        ("Name", person(c)),
                        ("Job title", c.job_title.clone()),
                        ("Email", c.email.clone()),
                        ("City", c.city.clone()),
                        ("Country", c.country.clone()),
                        ("Contact id", Some(c.contact_id.as_str().to_owned())),
                        (
                            "Web visitor id",
                            c.visitor_id.as_ref().map(|v| v.as_str().to_owned()),
                        ),
                    ],
                    &c.custom,
                )
            )
        }
        None => account_contacts(lead, data),
    };
    let account_card = match account_of(lead, data) {
        Some(a) => format!(
            "<section class=\"card\" aria-labelledby=\"account-card\"><h2 id=\"account-card\">Account</h2>{}</section>",
            definitions(
                &[
                    ("Company", a.name.clone()),
                    ("Industry", a.industry.clone()),
                    (
                        "Employees",
                        a.employees.map(|n| {
                            if n < 0 {
                                n.to_string()
                            } else {
                                thousands(n.unsigned_abs())
                            }
                        }),
                    ),
                    (
                        "Annual revenue",
                        a.annual_revenue
                            .filter(|r| r.is_finite() && *r >= 0.0)
                            .map(|r| thousands(r.round() as u64)),
                    ),
                    ("City", a.city.clone()),
                    ("Country", a.country.clone()),
                    ("Account id", Some(a.account_id.as_str().to_owned())),
                ],
                &a.custom,
            )
        ),
        None => "<section class=\"card\" aria-labelledby=\"account-card\"><h2 id=\"account-card\">Account</h2>\
                 <p class=\"muted\">No account recorded.</p></section>"
            .to_owned(),
    };
    format!("<div class=\"record-cards\">{lead_card}{contact_card}{account_card}</div>")
}

/// For a lead without a contact: its account's contacts (name, title, email).
fn account_contacts(lead: &Lead, data: &Dataset) -> String {
    let Some(account) = lead.account_id.as_ref() else {
        return "<section class=\"card\" aria-labelledby=\"contact-card\"><h2 id=\"contact-card\">Contact</h2>\
                <p class=\"muted\">No contact recorded.</p></section>"
            .to_owned();
    };
    let contacts: Vec<&Contact> = data
        .contacts
        .iter()
        .filter(|c| c.account_id.as_ref() == Some(account))
        .collect();
    let items: String = contacts
        .iter()
        .take(MAX_CONTACTS)
        .map(|c| {
            let name = person(c).unwrap_or_else(|| c.contact_id.as_str().to_owned());
            let rest: Vec<&str> = [c.job_title.as_deref(), c.email.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            format!(
                "<li>{}{}</li>",
                escape(&name),
                if rest.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"muted\">{}</span>", escape(&rest.join(", ")))
                }
            )
        })
        .collect();
    let more = if contacts.len() > MAX_CONTACTS {
        format!(
            "<p class=\"muted\">and {} more</p>",
            contacts.len() - MAX_CONTACTS
        )
    } else {
        String::new()
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"contact-card\"><h2 id=\"contact-card\">\
         Contacts at the account ({})</h2><ul>{items}</ul>{more}</section>",
        thousands(contacts.len() as u64)
    )
}

/// The interactions shown, newest first: when, what, who, and their
/// properties; an interaction about another lead links to it.
pub fn interactions_table(
    shown: &[Interaction],
    data: &Dataset,
    lead: &LeadId,
    now: Timestamp,
) -> String {
    let rows: String = shown
        .iter()
        .map(|i| {
            let who = i
                .contact_id
                .as_ref()
                .and_then(|id| data.contacts.iter().find(|c| &c.contact_id == id))
                .map(|c| person(c).unwrap_or_else(|| c.contact_id.as_str().to_owned()))
                .or_else(|| i.visitor_id.as_ref().map(|v| format!("visitor {}", v.as_str())))
                .unwrap_or_default();
            let mut details: Vec<String> = i
                .properties
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<span class=\"prop\"><span class=\"muted\">{}:</span> {}</span>",
                        escape(&k.replace('_', " ")),
                        escape(v)
                    )
                })
                .collect();
            if let Some(other) = i.lead_id.as_ref().filter(|l| *l != lead) {
                details.push(format!(
                    "<span class=\"prop\">about lead <a href=\"{}\">{}</a></span>",
                    escape(&lead_path(other.as_str())),
                    escape(other.as_str())
                ));
            }
            format!(
                "<tr><td><time datetime=\"{iso}\">{at}</time> <span class=\"muted\">{ago}</span></td>\
                 <td>{kind}</td><td>{who}</td><td>{details}</td></tr>",
                iso = escape(&i.occurred_at.to_string()),
                at = escape(&when(i.occurred_at)),
                ago = escape(&ago(i.occurred_at, now)),
                kind = escape(&split_words(i.kind.as_str())),
                who = escape(&who),
                details = details.join(" "),
            )
        })
        .collect();
    format!(
        "<div class=\"table-wrap\"><table class=\"interactions\"><thead><tr>\
         <th scope=\"col\">When</th><th scope=\"col\">What</th><th scope=\"col\">Who</th>\
         <th scope=\"col\">Details</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
}
