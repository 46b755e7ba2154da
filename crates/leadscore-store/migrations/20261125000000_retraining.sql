-- Retraining runs (`leadscore retrain`, or the service's schedule): what each
-- did and why. `status` is `running`, `published` (the new version went into
-- service), `kept` (registered as a challenger, not published; `reason` says
-- why), `failed` (nothing registered; `reason` says why) or `interrupted` (a
-- run that never finished). `slot` names a scheduled run's time, so that of
-- several instances only one runs each slot.
CREATE TABLE retraining_runs (
    run_id BIGINT PRIMARY KEY,
    slot TEXT UNIQUE,
    trigger_name TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    status TEXT NOT NULL,
    version BIGINT,
    champion BIGINT,
    challenger_auc DOUBLE PRECISION,
    champion_auc DOUBLE PRECISION,
    leads BIGINT,
    reason TEXT
);

-- A challenger's scores, computed in shadow beside the live model's and never
-- used: one row per lead and version.
CREATE TABLE shadow_scores (
    lead_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    score BIGINT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    grade TEXT NOT NULL,
    scored_at BIGINT NOT NULL,
    PRIMARY KEY (lead_id, version)
);
