-- Columns of each lead's state that the console's lists order and filter
-- by, so that a page of a million leads reads a range of one index:
--
-- * the live conversion model's version and probability, beside the JSON
--   they come from (`conversion`): the lists of the model's mistakes
--   (closed leads it called wrongly);
-- * the lead's name and company as lists sort them (trimmed, lower-cased:
--   `leadscore_domain::sort_key`), for the leads table's name and company
--   orders.
--
-- Every write of a lead's state sets them. SQL that both SQLite and
-- PostgreSQL accept.
ALTER TABLE lead_state ADD COLUMN conversion_version BIGINT;
ALTER TABLE lead_state ADD COLUMN conversion_probability DOUBLE PRECISION;
ALTER TABLE lead_state ADD COLUMN name_key TEXT;
ALTER TABLE lead_state ADD COLUMN company_key TEXT;

-- A model's leads of one stage by probability (its false positives are the
-- disqualified leads at or above the threshold, its false negatives the
-- qualified ones below it).
CREATE INDEX lead_state_mistakes ON lead_state (stage, conversion_version, conversion_probability, lead_id);

-- Leads by name and by company, the unnamed after every name.
CREATE INDEX lead_state_name ON lead_state ((name_key IS NULL), name_key, lead_id);
CREATE INDEX lead_state_company ON lead_state ((company_key IS NULL), company_key, lead_id);

-- The states written before these columns: names from their records (SQL's
-- lower(): SQLite's lower-cases ASCII letters only, so a name with other
-- capitals sorts as written there until the lead is next scored)...
UPDATE lead_state SET
    name_key = (
        SELECT NULLIF(lower(TRIM(COALESCE(TRIM(c.first_name), '') || ' ' || COALESCE(TRIM(c.last_name), ''))), '')
        FROM leads l JOIN contacts c ON c.contact_id = l.contact_id
        WHERE l.lead_id = lead_state.lead_id
    ),
    company_key = (
        SELECT NULLIF(lower(TRIM(a.name)), '')
        FROM leads l LEFT JOIN contacts c ON c.contact_id = l.contact_id
        JOIN accounts a ON a.account_id = COALESCE(l.account_id, c.account_id)
        WHERE l.lead_id = lead_state.lead_id
    );

-- ... and the conversion columns from the JSON, which needs each database's
-- own function: done by the store right after migrating (`crate::backfill`),
-- in one transaction with the removal of its row here.
CREATE TABLE pending_backfills (name TEXT PRIMARY KEY);

INSERT INTO pending_backfills (name)
SELECT 'conversion_columns' WHERE EXISTS (SELECT 1 FROM lead_state WHERE conversion IS NOT NULL);
