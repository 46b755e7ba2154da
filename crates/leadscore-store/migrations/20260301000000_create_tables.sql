-- The leadscore schema, version 1.
--
-- Written in SQL that both SQLite and PostgreSQL accept, so one file serves both.
-- Timestamps are BIGINT microseconds since the Unix epoch (UTC). Custom fields and
-- interaction properties are TEXT holding a JSON object of name -> text value.
-- There are no SQL foreign keys: references may point at ids stored by an earlier
-- import, and they are checked in code before an import.

CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    name TEXT,
    industry TEXT,
    employees BIGINT,
    annual_revenue DOUBLE PRECISION,
    country TEXT,
    city TEXT,
    custom TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE contacts (
    contact_id TEXT PRIMARY KEY,
    account_id TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    job_title TEXT,
    city TEXT,
    country TEXT,
    visitor_id TEXT,
    custom TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX contacts_account_id ON contacts (account_id);
CREATE INDEX contacts_visitor_id ON contacts (visitor_id);

CREATE TABLE leads (
    lead_id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    contact_id TEXT,
    account_id TEXT,
    topic TEXT,
    source TEXT,
    status TEXT NOT NULL,
    closed_at BIGINT,
    disqualify_reason TEXT,
    custom TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX leads_contact_id ON leads (contact_id);
CREATE INDEX leads_account_id ON leads (account_id);

CREATE TABLE interactions (
    interaction_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    contact_id TEXT,
    lead_id TEXT,
    visitor_id TEXT,
    properties TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX interactions_contact_id ON interactions (contact_id);
CREATE INDEX interactions_visitor_id ON interactions (visitor_id);
CREATE INDEX interactions_lead_id ON interactions (lead_id);

CREATE TABLE custom_records (
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (entity, record_id)
);

CREATE INDEX custom_records_lead_id ON custom_records (lead_id);
