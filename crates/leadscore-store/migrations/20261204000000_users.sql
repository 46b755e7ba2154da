-- People who sign in to the web console (issue 18). Timestamps are
-- microseconds since the epoch, as elsewhere.
--
-- `email` is kept as given; `email_key` (its lowercase form) is unique, so
-- that an email is one account whatever its case. `password_hash` is an
-- Argon2id PHC string; NULL until the person sets a password through a
-- one-time sign-in link.
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);

-- Server-side sessions: only the SHA-256 of the cookie's token is kept.
-- `csrf_token` is the session's random token for the forms of the console.
CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (user_id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- One-time sign-in links (the first admin's, and invitations): only the
-- SHA-256 of the link's token is kept. `user_id` is NULL for the first
-- admin's link, which makes the admin when used.
CREATE TABLE sign_in_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (user_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- Failed sign-ins by email (lowercase), counted over a window so that
-- every instance sharing the store shares the limit.
CREATE TABLE sign_in_failures (
    email_key TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email_key, failed_at);
