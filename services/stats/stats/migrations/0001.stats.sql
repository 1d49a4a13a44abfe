-- The stats service's tables, in the "stats" schema owned by the stats role. Only
-- stats-worker writes them; stats-api reads them.

-- Clicks per link per minute: the source of every time series.
CREATE TABLE clicks_per_minute (
    code    text        NOT NULL,
    minute  timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
    clicks  bigint      NOT NULL CHECK (clicks > 0),
    PRIMARY KEY (code, minute)
);

-- Running totals per link, kept with the minutes in the same transaction, so the
-- totals and top-links queries never scan the series.
CREATE TABLE link_totals (
    code           text        PRIMARY KEY,
    total          bigint      NOT NULL CHECK (total > 0),
    last_click_at  timestamptz NOT NULL
);
CREATE INDEX link_totals_by_total ON link_totals (total DESC, code);

-- Exactly-once: the id of every stream entry already counted (Redis stream ids are
-- "<ms>-<seq>"). The worker inserts a batch's ids and counts only those that were new,
-- in the transaction that adds the counts, so a batch redelivered after a crash between
-- commit and XACK adds nothing. Ids below the consumer group's oldest pending entry can
-- never be delivered again and are pruned.
CREATE TABLE applied_events (
    ms   bigint NOT NULL,
    seq  bigint NOT NULL,
    PRIMARY KEY (ms, seq)
);
