-- Follow-ups a member asked for under a review, and the outcomes they answered.
-- A follow-up holds the member id only until it is answered; an outcome never holds it.
-- statuses is a JSON object {check id: "passed" | "failed" | "not_judged"}. No draft text.

CREATE TABLE follow_ups (
    id            BIGINT   NOT NULL PRIMARY KEY,
    user_id       BIGINT   NOT NULL,
    guild_id      BIGINT,
    week_start    TEXT     NOT NULL,
    statuses      TEXT     NOT NULL,
    used_phrasing BOOLEAN  NOT NULL,
    -- When to ask (unix seconds); asked counts the DMs sent so far.
    due_at        BIGINT   NOT NULL,
    asked         SMALLINT NOT NULL,
    -- Set when the DM for this round went out, cleared when the member asks to be asked again.
    sent_at       BIGINT
);

CREATE INDEX follow_ups_due ON follow_ups (due_at);
CREATE INDEX follow_ups_user ON follow_ups (user_id);

CREATE TABLE outcomes (
    guild_id      BIGINT,
    week_start    TEXT     NOT NULL,
    statuses      TEXT     NOT NULL,
    used_phrasing BOOLEAN  NOT NULL,
    outcome       TEXT     NOT NULL CHECK (outcome IN ('yes', 'no', 'no_reply', 'not_sent'))
);

CREATE INDEX outcomes_guild ON outcomes (guild_id);
