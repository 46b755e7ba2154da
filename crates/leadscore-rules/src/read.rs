//! Reading a field of any record of the graph as a typed value.

use crate::compare::Value;
use crate::eval::NodeRef;
use crate::graph::{Graph, NONE};
use crate::plan::{AccountField, ContactField, CustomField, FieldRef, InteractionField, LeadField};

fn text(value: &Option<String>) -> Value<'_> {
    value.as_deref().map_or(Value::Absent, Value::Text)
}

fn id<T: AsRef<str>>(value: Option<&T>) -> Value<'_> {
    value.map_or(Value::Absent, |v| Value::Text(v.as_ref()))
}

/// Reads a field of a record of the graph.
pub(crate) fn read_field<'g>(
    g: &'g Graph,
    properties: &[u32],
    node: NodeRef,
    field: &FieldRef,
) -> Value<'g> {
    match (node, field) {
        (NodeRef::Lead(l), FieldRef::Lead(f)) => {
            let Some(lead) = g.leads.get(l as usize) else {
                return Value::Absent;
            };
            match f {
                LeadField::LeadId => Value::Text(lead.lead_id.as_str()),
                LeadField::CreatedAt => Value::Time(lead.created_at.as_micros()),
                LeadField::ContactId => id(lead.contact_id.as_ref()),
                LeadField::AccountId => id(lead.account_id.as_ref()),
                LeadField::Topic => text(&lead.topic),
                LeadField::Source => text(&lead.source),
                LeadField::Status => Value::Text(lead.status.as_str()),
                LeadField::ClosedAt => lead
                    .closed_at
                    .map_or(Value::Absent, |t| Value::Time(t.as_micros())),
                LeadField::DisqualifyReason => text(&lead.disqualify_reason),
                LeadField::Custom(name) => lead.custom.get(name).map_or(Value::Absent, Value::Text),
            }
        }
        (NodeRef::Contact(c), FieldRef::Contact(f)) => {
            let Some(contact) = g.contacts.get(c as usize) else {
                return Value::Absent;
            };
            match f {
                ContactField::ContactId => Value::Text(contact.contact_id.as_str()),
                ContactField::AccountId => id(contact.account_id.as_ref()),
                ContactField::FirstName => text(&contact.first_name),
                ContactField::LastName => text(&contact.last_name),
                ContactField::Email => text(&contact.email),
                ContactField::JobTitle => text(&contact.job_title),
                ContactField::City => text(&contact.city),
                ContactField::Country => text(&contact.country),
                ContactField::VisitorId => id(contact.visitor_id.as_ref()),
                ContactField::Custom(name) => {
                    contact.custom.get(name).map_or(Value::Absent, Value::Text)
                }
            }
        }
        (NodeRef::Account(a), FieldRef::Account(f)) => {
            let Some(account) = g.accounts.get(a as usize) else {
                return Value::Absent;
            };
            match f {
                AccountField::AccountId => Value::Text(account.account_id.as_str()),
                AccountField::Name => text(&account.name),
                AccountField::Industry => text(&account.industry),
                AccountField::Employees => account.employees.map_or(Value::Absent, Value::Int),
                AccountField::AnnualRevenue => {
                    account.annual_revenue.map_or(Value::Absent, Value::Num)
                }
                AccountField::Country => text(&account.country),
                AccountField::City => text(&account.city),
                AccountField::Custom(name) => {
                    account.custom.get(name).map_or(Value::Absent, Value::Text)
                }
            }
        }
        (NodeRef::Interaction(i), FieldRef::Interaction(f)) => {
            let ix = &g.interactions;
            let i = i as usize;
            match f {
                InteractionField::InteractionId => Value::Text(ix.id.get(i)),
                InteractionField::Kind => ix
                    .kind
                    .get(i)
                    .map_or(Value::Absent, |&k| Value::Text(g.kind_name(k))),
                InteractionField::OccurredAt => {
                    ix.time.get(i).map_or(Value::Absent, |&t| Value::Time(t))
                }
                InteractionField::ContactId => ix
                    .contact
                    .get(i)
                    .and_then(|&c| g.contacts.get(c as usize))
                    .map_or(Value::Absent, |c| Value::Text(c.contact_id.as_str())),
                InteractionField::LeadId => ix
                    .lead
                    .get(i)
                    .and_then(|&l| g.leads.get(l as usize))
                    .map_or(Value::Absent, |l| Value::Text(l.lead_id.as_str())),
                InteractionField::Property(slot) => {
                    let column = properties.get(*slot as usize).copied().unwrap_or(NONE);
                    match ix.props.get(column as usize).map(|p| p.get(i)) {
                        Some(v) if !v.is_empty() => Value::Text(v),
                        _ => Value::Absent,
                    }
                }
            }
        }
        (NodeRef::Custom { entity, record }, FieldRef::Custom(f)) => {
            let Some(rec) = g
                .custom
                .get(entity as usize)
                .and_then(|e| e.records.get(record as usize))
            else {
                return Value::Absent;
            };
            match f {
                CustomField::RecordId => Value::Text(rec.record_id.as_str()),
                CustomField::LeadId => Value::Text(rec.lead_id.as_str()),
                CustomField::Field(name) => rec.fields.get(name).map_or(Value::Absent, Value::Text),
            }
        }
        _ => Value::Absent,
    }
}
