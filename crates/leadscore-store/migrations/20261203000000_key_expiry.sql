-- API keys can expire (`expires_at`, microseconds since the epoch; NULL never)
-- and be rotated: the new key names the key it replaces (`replaces`), and
-- the old key keeps working until the end of the overlap, its `expires_at`.
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE api_keys ADD COLUMN replaces TEXT;
