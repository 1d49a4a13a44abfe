-- The link a create request with an Idempotency-Key made, so that a replay can tell
-- whether that link still exists (a replay of a deleted link's 201 would say it does).
-- No foreign key: the row must outlive the link, to say that it was deleted.
ALTER TABLE idempotency_keys ADD COLUMN link_id bigint;
