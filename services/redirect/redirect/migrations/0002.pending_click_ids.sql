-- The id redirect gave each click, kept with a click that waits here, so that the copy
-- flushed later and any copy a timed-out Redis call wrote after all are counted once.
-- NULL only for rows written before clicks had ids.
ALTER TABLE pending_clicks ADD COLUMN click_id text;
