//! DM coaching, tips (on demand and on a schedule with a controlled clock), `/setup` and
//! `/stats`, end to end through the fake Discord.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use coffee_coach::discord::Hooks;
use serde_json::{json, Value};

use crate::bot::{
    assert_ephemeral, assert_no_pings, button, click, e2e, slash, Bot, ManualClock, MEMBER,
};
use crate::fake::{option_integer, option_string, subcommand, FakeDiscord, WAIT};

fn content(callback: &Value) -> String {
    callback["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn setup(fake: &FakeDiscord, user: u64, sub: &str, options: Value) -> Value {
    slash(fake, "setup", json!([subcommand(sub, options)]), user).await
}

/// Sends a DM and returns the text of the bot's answer (the nth message in that DM).
pub(crate) async fn dm(fake: &FakeDiscord, user: u64, text: &str, nth: usize) -> Value {
    fake.send_message_create(fake.dm_message(user, text)).await;
    let channel = fake.dm_channel_id(user);
    fake.wait_for_nth("POST", &format!("/channels/{channel}/messages"), nth, WAIT)
        .await
        .body
}

e2e!(
    setup_is_for_moderators_and_politely_refused_to_others,
    |fake| {
        let refused = setup(&fake, MEMBER, "show", json!([])).await;
        assert_ephemeral(&refused);
        assert!(content(&refused).contains("Manage Server"), "{refused}");
        let refused = setup(
            &fake,
            MEMBER,
            "set",
            json!([option_string("prefix", "!hack")]),
        )
        .await;
        assert!(content(&refused).contains("Manage Server"), "{refused}");

        let shown = setup(&fake, FakeDiscord::OWNER_ID, "show", json!([])).await;
        assert_ephemeral(&shown);
        assert!(
            content(&shown).contains("`!review`") && content(&shown).contains("5 per week"),
            "{shown}"
        );
    }
);

e2e!(
    setup_changes_the_prefix_and_reply_mode_for_this_server,
    |fake| {
        let saved = setup(
            &fake,
            FakeDiscord::OWNER_ID,
            "set",
            json!([
                option_string("prefix", "!coffee"),
                option_integer("reply_mode", 1),
                option_integer("suggestion_cap", 2),
            ]),
        )
        .await;
        assert!(
            content(&saved).starts_with("Saved")
                && content(&saved).contains("`!coffee`")
                && content(&saved).contains("2 per week"),
            "{saved}"
        );
        let bad = setup(
            &fake,
            FakeDiscord::OWNER_ID,
            "set",
            json!([option_string("timezone", "Mars/Olympus")]),
        )
        .await;
        assert!(content(&bad).contains("don't know the time zone"), "{bad}");

        // The old prefix is now plain text; the new one answers by DM, as set.
        fake.send_message_create(fake.guild_message(
            FakeDiscord::COFFEE_CHANNEL_ID,
            MEMBER,
            "!review can I pick your brain?",
        ))
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(fake.requests_to("/users/@me/channels").await.is_empty());
        fake.send_message_create(fake.guild_message(
            FakeDiscord::COFFEE_CHANNEL_ID,
            MEMBER,
            "!coffee can I pick your brain?",
        ))
        .await;
        let channel = fake.dm_channel_id(MEMBER);
        let reply = fake
            .wait_for("POST", &format!("/channels/{channel}/messages"), WAIT)
            .await;
        assert_no_pings(&reply.body);
        assert!(fake.requests_to("/threads").await.is_empty());
    }
);

e2e!(tip_is_private_until_shared, |fake| {
    let cb = slash(&fake, "tip", json!([]), MEMBER).await;
    assert_ephemeral(&cb);
    assert!(content(&cb).contains("tip"), "{cb}");
    let share = button(&cb["data"], "cc:tip-share:");
    let id = click(&fake, &share, MEMBER).await;
    let shared = fake.wait_for_callback(&id).await.body;
    assert_eq!(shared["type"], 4);
    assert_eq!(
        shared["data"]["flags"].as_u64().unwrap_or(0) & 64,
        0,
        "public: {shared}"
    );
    assert_no_pings(&shared["data"]);
});

e2e!(stats_count_reviews_and_failures_without_drafts, |fake| {
    for draft in [
        "Can I pick your brain over coffee?",
        "Tell me about product management over coffee?",
    ] {
        slash(
            &fake,
            "review",
            json!([option_string("draft", draft)]),
            MEMBER,
        )
        .await;
    }
    let cb = slash(&fake, "stats", json!([]), FakeDiscord::OWNER_ID).await;
    assert_ephemeral(&cb);
    let text = content(&cb);
    assert!(
        text.contains("2 reviews")
            && text.contains("not-free-advice 1")
            && text.contains("not-searchable 1"),
        "{text}"
    );
    assert!(!text.contains("pick your brain"));
    let refused = slash(&fake, "stats", json!([]), MEMBER).await;
    assert!(content(&refused).contains("Manage Server"));
});

e2e!(coaching_in_dms_builds_and_reviews_a_draft, |fake| {
    let first = dm(&fake, MEMBER, "coach", 0).await;
    assert!(
        first["content"]
            .as_str()
            .is_some_and(|c| c.contains("Who do you want to reach")),
        "{first}"
    );
    assert!(dm(
        &fake,
        MEMBER,
        "a data engineer at a logistics startup; I watched her talk",
        1
    )
    .await["content"]
        .as_str()
        .is_some_and(|c| c.contains("What do you really need")));
    // An unexpected answer gets a hint and keeps the step.
    let hint = dm(&fake, MEMBER, "banana", 2).await;
    assert!(
        hint["content"]
            .as_str()
            .is_some_and(|c| c.contains("number from 1 to 4")),
        "{hint}"
    );
    dm(&fake, MEMBER, "4", 3).await;
    dm(&fake, MEMBER, "how you test pipelines before launch", 4).await;
    dm(
        &fake,
        MEMBER,
        "share the checklist we use for 40 pipelines",
        5,
    )
    .await;
    let done = dm(
        &fake,
        MEMBER,
        "talk on pipeline testing, and it left open how you handle late data",
        6,
    )
    .await;
    assert_no_pings(&done);
    assert!(
        done["embeds"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("Better phrasing") || d.contains("reads well")),
        "{done}"
    );
    button(&done, "cc:edit:");
    let restart = button(&done, "cc:coach-restart:");
    let id = click(&fake, &restart, MEMBER).await;
    let again = fake.wait_for_callback(&id).await.body;
    assert!(
        content(&again).contains("Who do you want to reach"),
        "{again}"
    );
    // cancel ends it; the next DM is reviewed as a draft again.
    let bye = dm(&fake, MEMBER, "cancel", 7).await;
    assert!(
        bye["content"]
            .as_str()
            .is_some_and(|c| c.contains("coaching stopped")),
        "{bye}"
    );
    let review = dm(&fake, MEMBER, "Can I pick your brain over coffee?", 8).await;
    assert!(review["embeds"][0]["description"]
        .as_str()
        .is_some_and(|d| d.contains("`pick your brain`")));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coaching_survives_a_restart_of_the_bot() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let keep = tempfile::tempdir().expect("tempdir");
    let bot = Bot::start_with_db(&fake, &[], &db, keep).await;
    dm(&fake, MEMBER, "coach", 0).await;
    dm(&fake, MEMBER, "a data engineer at a logistics startup", 1).await;
    bot.stop().await;

    let bot = Bot::start_with_db(&fake, &[], &db, dir).await;
    let next = dm(&fake, MEMBER, "2", 2).await;
    assert!(
        next["content"]
            .as_str()
            .is_some_and(|c| c.contains("Step 3")),
        "the conversation went on: {next}"
    );
    fake.assert_no_violations().await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_tip_is_posted_once_when_due_and_the_channel_was_active() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let clock = ManualClock::at(
        Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0)
            .single()
            .expect("a time"),
    );
    let bot = Bot::start_with_hooks(&fake, &[], &db, dir, clock.hooks()).await;
    let channel_messages = format!("/channels/{}/messages", FakeDiscord::COFFEE_CHANNEL_ID);
    tokio::time::timeout(Duration::from_secs(60), async {
        let saved = setup(
            &fake,
            FakeDiscord::OWNER_ID,
            "set",
            json!([
                option_integer("tip_cadence", 0),
                option_integer("tip_hour", 9),
                option_string("timezone", "Europe/London"),
            ]),
        )
        .await;
        assert!(
            content(&saved).contains("daily at 9:00 Europe/London"),
            "{saved}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await; // the scheduler stores the first due time

        // Due, but nobody spoke since: the slot is skipped.
        clock.set(
            Utc.with_ymd_and_hms(2026, 11, 23, 9, 1, 0)
                .single()
                .expect("a time"),
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(fake.requests_to(&channel_messages).await.is_empty());

        // A member speaks; the next day's slot posts one tip, and only one.
        fake.send_message_create(fake.guild_message(
            FakeDiscord::COFFEE_CHANNEL_ID,
            MEMBER,
            "good morning",
        ))
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        clock.set(
            Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 30)
                .single()
                .expect("a time"),
        );
        let post = fake.wait_for("POST", &channel_messages, WAIT).await;
        assert!(
            post.body["content"]
                .as_str()
                .is_some_and(|c| c.contains("Coffee-request tip")),
            "{}",
            post.body
        );
        assert_no_pings(&post.body);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(
            fake.requests_to(&channel_messages).await.len(),
            1,
            "posted once"
        );
    })
    .await
    .expect("in time");
    fake.assert_no_violations().await;
    bot.stop().await;
}

e2e!(slash_coach_starts_the_conversation_in_dms, |fake| {
    let cb = slash(&fake, "coach", json!([]), MEMBER).await;
    assert_ephemeral(&cb);
    assert!(content(&cb).contains("sent you a DM"), "{cb}");
    fake.wait_for("POST", "/users/@me/channels", WAIT).await;
    let channel = fake.dm_channel_id(MEMBER);
    let first = fake
        .wait_for("POST", &format!("/channels/{channel}/messages"), WAIT)
        .await;
    assert_no_pings(&first.body);
    assert!(first.body["content"]
        .as_str()
        .is_some_and(|c| c.contains("Who do you want to reach")));
    // The next DM is an answer, not a draft to review.
    let next = dm(&fake, MEMBER, "a nurse who moved into product last year", 1).await;
    assert!(
        next["content"]
            .as_str()
            .is_some_and(|c| c.contains("What do you really need")),
        "{next}"
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coaching_conversation_quiet_for_a_day_is_closed() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let start = Utc
        .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .single()
        .expect("a time");
    let clock = ManualClock::at(start);
    // A scheduler that never comes round again, so the DM (not the purge) meets the old state.
    let slow = Hooks {
        tick: Some(Duration::from_secs(3600)),
        ..clock.hooks()
    };
    let bot = Bot::start_with_hooks(&fake, &[], &db, dir, slow).await;
    dm(&fake, MEMBER, "coach", 0).await;
    clock.set(start + chrono::Duration::hours(25));
    let closed = dm(&fake, MEMBER, "a data engineer", 1).await;
    assert!(
        closed["content"]
            .as_str()
            .is_some_and(|c| c.contains("went quiet for a day")),
        "{closed}"
    );
    // Afterwards a DM is a draft again.
    let review = dm(&fake, MEMBER, "Can I pick your brain over coffee?", 2).await;
    assert!(review["embeds"][0]["description"]
        .as_str()
        .is_some_and(|d| d.contains("`pick your brain`")));
    fake.assert_no_violations().await;
    bot.stop().await;
}
