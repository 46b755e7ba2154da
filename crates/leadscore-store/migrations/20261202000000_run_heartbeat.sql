-- A running retraining run's heartbeat: its process stamps it every few
-- seconds (`RetrainingRuns::heartbeat`), so that a run whose process died is
-- marked `interrupted` as soon as its lease lapses, not hours later.
ALTER TABLE retraining_runs ADD COLUMN heartbeat_at BIGINT;
