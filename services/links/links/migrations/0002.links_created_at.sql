-- The list of links is newest first by creation time, not by id: links made with a
-- date of their own (the workshop's demo links are back-dated) then sit among the
-- others by that date. Keyset pages read this index from where the last page ended.
CREATE INDEX links_created_at ON links (created_at DESC, id DESC);
