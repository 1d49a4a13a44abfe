-- `stats purge` deletes the minutes older than RETENTION_DAYS, a batch at a time; the
-- primary key leads with the code, so without this index every batch would scan the table.
CREATE INDEX clicks_per_minute_by_minute ON clicks_per_minute (minute);
