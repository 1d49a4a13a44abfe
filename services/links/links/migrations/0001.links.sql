-- The links service's tables. They live in the "links" schema, owned by the links role
-- (the role's search_path points there); other services get at most read access.
CREATE TABLE links (
    id          bigserial   PRIMARY KEY,
    code        text        NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{3,32}$'),
    url         text        NOT NULL CHECK (length(url) <= 2048),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz
);

-- Expired links are purged by an admin job; this keeps finding them cheap.
CREATE INDEX links_expires_at ON links (expires_at) WHERE expires_at IS NOT NULL;

-- A POST with an Idempotency-Key stores its response here, so a retry replays it.
CREATE TABLE idempotency_keys (
    key          text        PRIMARY KEY CHECK (length(key) <= 255),
    fingerprint  text        NOT NULL,
    status       smallint,
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
