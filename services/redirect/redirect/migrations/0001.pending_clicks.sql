-- Clicks that could not be sent to the Redis stream because Redis was down. They live in
-- the "redirect" schema, owned by the redirect role; a background flusher in every
-- redirect process moves them into the stream once Redis answers again, and deletes them
-- in the same transaction.
CREATE TABLE pending_clicks (
    id          bigserial   PRIMARY KEY,
    code        text        NOT NULL,
    clicked_at  timestamptz NOT NULL DEFAULT now()
);
