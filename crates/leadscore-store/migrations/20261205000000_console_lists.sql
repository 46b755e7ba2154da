-- Indexes for the web console's lists and overview, so that a page of a
-- million leads reads a page of index entries instead of scanning and
-- sorting the table. SQL that both SQLite and PostgreSQL accept.

-- Leads by primary score (unscored below every score), then latest activity.
CREATE INDEX lead_state_rank ON lead_state ((COALESCE(primary_score, -1)), recency, lead_id);

-- A seller queue's leads by primary score, then latest activity.
CREATE INDEX lead_state_queue_rank ON lead_state (queue, (COALESCE(primary_score, -1)), recency, lead_id);

-- Leads by latest activity.
CREATE INDEX lead_state_recency ON lead_state (recency, lead_id);

-- Open leads by grade (the overview's counts, read from the index alone).
CREATE INDEX lead_state_stage_grade ON lead_state (stage, primary_grade);

-- Leads flagged sales-ready since a time.
CREATE INDEX lead_state_sales_ready_at ON lead_state (sales_ready_at);

-- A rule model's leads by score: replaces rule_scores_model with the lead
-- id as the last term, so ties need no sort either.
DROP INDEX rule_scores_model;
CREATE INDEX rule_scores_rank ON rule_scores (model, score, lead_id);

-- The sources leads name (the leads list's source filter).
CREATE INDEX leads_source ON leads (source);
