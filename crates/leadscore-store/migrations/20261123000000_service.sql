-- The scoring service's tables, version 2.
--
-- Same conventions as version 1: SQL both SQLite and PostgreSQL accept,
-- timestamps as BIGINT microseconds since the Unix epoch (UTC), booleans as
-- BIGINT 0/1, JSON documents as TEXT.

-- API keys: only a SHA-256 hash of each key is kept; `key_id` is the key's
-- public prefix, shown in listings and logs.
CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    label TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Rule models as sales operations wrote them (the model as JSON).
CREATE TABLE rule_models (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The conversion model registry: every version ever registered, with its
-- artifact and metrics. `published_at` is set on the version in service.
CREATE TABLE conversion_models (
    version BIGINT PRIMARY KEY,
    artifact TEXT NOT NULL,
    metrics TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    published_at BIGINT
);

-- Every publication, in order: a rollback goes back to the one before.
CREATE TABLE model_publications (
    seq BIGINT PRIMARY KEY,
    version BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    cause TEXT NOT NULL
);

-- Named JSON documents set by admins: `routing`, `webhooks`.
CREATE TABLE service_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Each lead's latest score under each rule model (NULL score: not scored, and
-- `reason` says why) with its explanation.
CREATE TABLE rule_scores (
    lead_id TEXT NOT NULL,
    model TEXT NOT NULL,
    score BIGINT,
    grade TEXT,
    sales_ready BIGINT NOT NULL,
    reason TEXT,
    explanation TEXT NOT NULL,
    scored_at BIGINT NOT NULL,
    PRIMARY KEY (lead_id, model)
);

CREATE INDEX rule_scores_model ON rule_scores (model, score);

-- Each lead's state: primary score, conversion score, the sticky sales-ready
-- flag and stage, and the queue routing gave it.
CREATE TABLE lead_state (
    lead_id TEXT PRIMARY KEY,
    primary_score BIGINT,
    primary_grade TEXT,
    primary_detail TEXT,
    conversion TEXT,
    sales_ready BIGINT NOT NULL DEFAULT 0,
    sales_ready_at BIGINT,
    sales_ready_model TEXT,
    stage TEXT NOT NULL,
    queue TEXT,
    recency BIGINT NOT NULL,
    scored_at BIGINT NOT NULL
);

CREATE INDEX lead_state_queue ON lead_state (queue, primary_score, recency);

-- What changed in a lead's scores, when and why.
CREATE TABLE score_history (
    event_id TEXT PRIMARY KEY,
    lead_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    what TEXT NOT NULL,
    old_score BIGINT,
    new_score BIGINT,
    old_grade TEXT,
    new_grade TEXT,
    cause TEXT NOT NULL
);

CREATE INDEX score_history_lead ON score_history (lead_id, at);

-- Leads waiting to be rescored, written in the same transaction as the data
-- that changed them, so a crash loses no rescoring.
CREATE TABLE rescore_queue (
    lead_id TEXT PRIMARY KEY,
    cause TEXT NOT NULL,
    queued_at BIGINT NOT NULL
);

-- Events (`lead.sales_ready`, `lead.grade_changed`), written in the same
-- transaction as the change they report. `dedupe_key` makes a transition
-- produce one event however often it is computed.
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One delivery per event and webhook endpoint (the outbox proper).
CREATE TABLE deliveries (
    event_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    delivered_at BIGINT,
    failed_at BIGINT,
    last_error TEXT,
    PRIMARY KEY (event_id, endpoint)
);

CREATE INDEX deliveries_due ON deliveries (delivered_at, next_attempt_at);

-- Erasures of contacts: no personal data, only a hash of the id and counts.
CREATE TABLE erasures (
    erasure_id TEXT PRIMARY KEY,
    contact_hash TEXT NOT NULL,
    interactions BIGINT NOT NULL,
    leads BIGINT NOT NULL,
    erased_at BIGINT NOT NULL,
    key_id TEXT
);
