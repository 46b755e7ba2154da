-- Each write that queues (or touches) a lead for rescoring sets a new random
-- token. The rescoring worker scores from a snapshot without holding the
-- write lock, then claims a lead only if its token is still the one it read:
-- a write that landed in between changes the token, and the lead stays
-- queued for the next round.
ALTER TABLE rescore_queue ADD COLUMN token BIGINT NOT NULL DEFAULT 0;
