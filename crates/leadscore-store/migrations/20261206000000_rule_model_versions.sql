-- Every saved version of every rule model (the console's designer lists
-- them, with their differences, and restores one). Written in the same
-- transaction as the save, whatever saved it (the HTTP API, a command, the
-- console). Versions of a model count 1, 2, ... by name; a deleted model's
-- versions stay, and saving it again continues its count.
--
-- `body` is the model as JSON, as `rule_models.body`; `saved_by` says who
-- saved it when that is known (a console user's email), else NULL.
CREATE TABLE rule_model_versions (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT,
    PRIMARY KEY (name, version)
);

-- The models stored before versions were kept become their version 1.
INSERT INTO rule_model_versions (name, version, body, saved_at, saved_by)
SELECT name, 1, body, updated_at, NULL FROM rule_models;
