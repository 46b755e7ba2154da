-- Indexes for the console's filters that match few leads, so that a list
-- filtered to them counts and pages from the index instead of scanning a
-- million leads (a rare grade of one rule model, the sales-ready leads).
-- SQL that both SQLite and PostgreSQL accept.

-- A rule model's leads of one grade, by score.
CREATE INDEX rule_scores_grade_rank ON rule_scores (model, grade, score, lead_id);

-- A rule model's sales-ready (or not) leads, by score.
CREATE INDEX rule_scores_ready_rank ON rule_scores (model, sales_ready, score, lead_id);

-- Leads flagged sales-ready (or not), by stage.
CREATE INDEX lead_state_ready ON lead_state (sales_ready, stage);
