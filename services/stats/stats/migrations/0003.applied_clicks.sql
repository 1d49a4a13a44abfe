-- Exactly-once by click rather than by stream entry: every event carries the id redirect
-- gave its click, and one click can reach the stream twice (a Redis call that timed out
-- and ran anyway, beside the copy redirect kept and flushed later). A redelivered entry
-- carries the same id, so this covers redelivery too. stream_ms is when the entry
-- entered the stream; ids are pruned once nothing within STATS_DEDUP_WINDOW_S of them can
-- still be delivered. applied_events stays until no worker of the previous version runs,
-- and a later migration drops it.
CREATE TABLE applied_clicks (
    click      text   PRIMARY KEY,
    stream_ms  bigint NOT NULL
);
CREATE INDEX applied_clicks_by_stream_ms ON applied_clicks (stream_ms);
