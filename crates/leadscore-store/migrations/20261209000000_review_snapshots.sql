-- The live conversion model's feature review (with its drift section), as
-- the service last computed it: computed periodically (`drift.every_secs`)
-- and on demand, and served from here, so that the review, drift and the
-- console's pages answer at once on a store of millions of leads, and every
-- instance sharing the store serves the same one.
--
-- One row per model version and recent window (days); `body` is the review
-- as JSON (the `leadscore review --out-json` format).
CREATE TABLE review_snapshots (
    version BIGINT NOT NULL,
    recent_days BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version, recent_days)
);
