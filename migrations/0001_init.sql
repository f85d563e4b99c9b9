-- coffee-coach schema, written to run unchanged on SQLite and PostgreSQL.
-- Ids are Discord snowflakes stored as BIGINT (u64 cast to i64; snowflakes fit in 63 bits).
-- Instants are unix seconds (BIGINT, UTC); calendar dates are ISO 'YYYY-MM-DD' TEXT.
-- Lists are JSON arrays in TEXT. No draft text is ever stored.

-- One row per member per server. stage is the ladder rank 0..5 (exploring..leading).
CREATE TABLE profiles (
    guild_id       BIGINT   NOT NULL,
    user_id        BIGINT   NOT NULL,
    role           TEXT     NOT NULL,
    field          TEXT     NOT NULL,
    stage          SMALLINT NOT NULL CHECK (stage BETWEEN 0 AND 5),
    move_from      TEXT,
    move_to        TEXT,
    moved_on       TEXT,
    topics         TEXT     NOT NULL,
    can_help_with  TEXT     NOT NULL,
    open_to_coffee BOOLEAN  NOT NULL,
    updated_at     BIGINT   NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- The peer query: same server, open to coffee, a stage range.
CREATE INDEX profiles_peers ON profiles (guild_id, open_to_coffee, stage);

-- Normalised path tokens (core::peers::path_tokens) of each profile's move, field and role,
-- so the peer query fetches only profiles that share a token with the seeker's goal.
-- Rebuilt from profiles at start-up when the tokenizer version changes (see store_meta).
CREATE TABLE profile_tokens (
    guild_id BIGINT NOT NULL,
    token    TEXT   NOT NULL,
    user_id  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, token, user_id)
);
CREATE INDEX profile_tokens_member ON profile_tokens (guild_id, user_id);

-- Who was suggested to whom and when, for the weekly cap. Pruned after 30 days.
CREATE TABLE suggestion_log (
    guild_id     BIGINT NOT NULL,
    suggested_id BIGINT NOT NULL,
    seeker_id    BIGINT NOT NULL,
    suggested_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, suggested_id, seeker_id, suggested_at)
);
CREATE INDEX suggestion_log_when ON suggestion_log (guild_id, suggested_at);
CREATE INDEX suggestion_log_seeker ON suggestion_log (guild_id, seeker_id);

-- Per-server settings; NULL means "use the default".
CREATE TABLE guild_settings (
    guild_id             BIGINT PRIMARY KEY,
    mentoring_channel_id BIGINT,
    prefix               TEXT,
    reply_mode           TEXT,
    tip_channel_id       BIGINT,
    tip_cadence          TEXT,
    tip_hour             SMALLINT,
    tip_timezone         TEXT,
    suggestion_cap       INTEGER
);

-- DM coaching conversations, per user (DMs belong to no server), until they end.
CREATE TABLE coaching (
    user_id    BIGINT PRIMARY KEY,
    state      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX coaching_updated ON coaching (updated_at);

-- Anonymous weekly counts: how many reviews, and how many failed each check. Never the
-- draft, never the member.
CREATE TABLE review_counts (
    guild_id   BIGINT NOT NULL,
    week_start TEXT   NOT NULL,
    reviews    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, week_start)
);

CREATE TABLE check_failures (
    guild_id   BIGINT NOT NULL,
    week_start TEXT   NOT NULL,
    check_id   TEXT   NOT NULL,
    failures   BIGINT NOT NULL,
    PRIMARY KEY (guild_id, week_start, check_id)
);

-- Tip rotation per server: when the next tip is due, which tips this rotation has shown.
CREATE TABLE tip_state (
    guild_id       BIGINT PRIMARY KEY,
    next_due       BIGINT,
    shown          TEXT   NOT NULL,
    last_posted_at BIGINT
);

-- Latest member message per channel, so tips are posted only into a channel that is alive.
CREATE TABLE channel_activity (
    guild_id        BIGINT NOT NULL,
    channel_id      BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- Small key/value facts about the store itself (e.g. the path tokenizer version).
CREATE TABLE store_meta (
    meta_key   TEXT PRIMARY KEY,
    meta_value TEXT NOT NULL
);
