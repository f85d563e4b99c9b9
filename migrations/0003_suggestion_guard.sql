-- One row per server that /peers takes (an upsert) at the start of the transaction that reads
-- the weekly counts, picks the peers and logs them: on PostgreSQL the row lock, on SQLite the
-- write lock, makes two processes suggesting at once take turns, so the cap always holds.
CREATE TABLE suggestion_guard (
    guild_id BIGINT PRIMARY KEY,
    rounds   BIGINT NOT NULL
);
