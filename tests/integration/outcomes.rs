//! Issue 13 end to end with a controlled clock: members review and ask to be followed up, a
//! week passes (across a restart), each gets one DM with the answer buttons, the answers are
//! stored without member ids or drafts, `/stats` shows yes-rates only past the threshold, and a
//! scheduled tip cites them.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use coffee_coach::core::ConfigFiles;
use serde_json::{json, Value};
use sqlx::{Column, Connection, Row};

use crate::bot::{
    assert_ephemeral, assert_no_pings, button, click, slash, Bot, ManualClock, MEMBER,
};
use crate::fake::{option_integer, option_string, subcommand, FakeDiscord, WAIT};

/// A word that appears only in the drafts: it must never reach the database.
const MARK: &str = "Zephyrine";
const PASSING: &str = "Hi Zephyrine, I read your post on moving from nursing into product. One \
    thing it left open: did you take a pay cut in your first role? I've run nine years of ward \
    rotas and could share what that taught me about scheduling tools if useful.";
const FAILING: &str = "Hi Zephyrine, would you have 15 minutes this week to chat about your \
    move from nursing into product?";
/// Answers each side of a check needs in this test's config before a rate shows.
const MIN: u32 = 4;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .expect("a time")
}

fn content(callback: &Value) -> String {
    callback["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Presses a button and returns the bot's callback.
async fn press(fake: &FakeDiscord, custom_id: &str, user: u64) -> Value {
    let id = click(fake, custom_id, user).await;
    fake.wait_for_callback(&id).await.body
}

/// Reviews `draft` as `user` and asks for the follow-up (saying first, if `use_it`, that they
/// will use the better phrasing).
async fn review_and_ask(fake: &FakeDiscord, user: u64, draft: &str, use_it: bool) {
    let cb = slash(fake, "review", json!([option_string("draft", draft)]), user).await;
    if use_it {
        let noted = press(fake, &button(&cb["data"], "cc:use-phrasing"), user).await;
        assert!(content(&noted).starts_with("Noted"), "{noted}");
    }
    let saved = press(fake, &button(&cb["data"], "cc:follow-up"), user).await;
    assert_ephemeral(&saved);
    assert_no_pings(&saved["data"]);
    assert!(content(&saved).starts_with("Saved"), "{saved}");
}

fn dm_path(fake: &FakeDiscord, user: u64) -> String {
    format!("/channels/{}/messages", fake.dm_channel_id(user))
}

async fn stats(fake: &FakeDiscord) -> String {
    content(&slash(fake, "stats", json!([]), FakeDiscord::OWNER_ID).await)
}

/// Every text value of every table in the database, with its table and column.
async fn stored_values(db: &str) -> Vec<(String, String, String)> {
    let mut conn = sqlx::SqliteConnection::connect(db).await.expect("open db");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .expect("tables");
    let mut out = Vec::new();
    for table in tables {
        let rows = sqlx::query(&format!("SELECT * FROM \"{table}\""))
            .fetch_all(&mut conn)
            .await
            .expect("rows");
        for row in rows {
            for (i, column) in row.columns().iter().enumerate() {
                let value = row
                    .try_get::<String, _>(i)
                    .ok()
                    .or_else(|| row.try_get::<i64, _>(i).ok().map(|n| n.to_string()))
                    .unwrap_or_default();
                out.push((table.clone(), column.name().to_string(), value));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_13_follow_ups_are_asked_once_answered_anonymously_and_cited() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let config = tempfile::tempdir().expect("tempdir");
    ConfigFiles::builtin()
        .export(config.path())
        .expect("export the config");
    let bot_toml = config.path().join("bot.toml");
    let text = std::fs::read_to_string(&bot_toml).expect("bot.toml");
    std::fs::write(
        &bot_toml,
        text.replace("outcomes_min = 10", &format!("outcomes_min = {MIN}")),
    )
    .expect("write bot.toml");
    let clock = ManualClock::at(at(23, 7, 0));
    let hooks = clock.hooks();
    let start =
        |dir: tempfile::TempDir| Bot::start_in(&fake, &[], &db, dir, hooks.clone(), config.path());
    let passed: Vec<u64> = (0..MIN as u64).map(|i| MEMBER + 100 + i).collect();
    let failed: Vec<u64> = (0..MIN as u64).map(|i| MEMBER + 200 + i).collect();
    let deleted = MEMBER + 300;

    let bot = start(tempfile::tempdir().expect("tempdir")).await;
    tokio::time::timeout(Duration::from_secs(120), async {
        let tips = slash(
            &fake,
            "setup",
            json!([subcommand(
                "set",
                json!([
                    option_integer("tip_cadence", 0),
                    option_integer("tip_hour", 9),
                    option_string("timezone", "UTC"),
                ])
            )]),
            FakeDiscord::OWNER_ID,
        )
        .await;
        assert!(content(&tips).contains("daily at 9:00"), "{tips}");
        for &user in &passed {
            review_and_ask(&fake, user, PASSING, false).await;
        }
        for (i, &user) in failed.iter().enumerate() {
            review_and_ask(&fake, user, FAILING, i == 0).await;
        }
        // A member who asks and then deletes their data is never asked.
        review_and_ask(&fake, deleted, FAILING, false).await;
        let cb = slash(
            &fake,
            "profile",
            json!([subcommand("delete", json!([]))]),
            deleted,
        )
        .await;
        let gone = press(&fake, &button(&cb["data"], "cc:profile-delete"), deleted).await;
        assert!(content(&gone).starts_with("Deleted"), "{gone}");
        assert!(stats(&fake).await.contains("no follow-up answers yet"));
    })
    .await
    .expect("in time");
    bot.stop().await;

    // A week later, after a restart: one DM each, and only one, also across another restart.
    clock.set(at(30, 7, 1));
    let bot = start(tempfile::tempdir().expect("tempdir")).await;
    let mut asks: Vec<(u64, Value)> = Vec::new();
    for &user in passed.iter().chain(&failed) {
        let dm = fake
            .wait_for("POST", &dm_path(&fake, user), WAIT)
            .await
            .body;
        assert_no_pings(&dm);
        assert!(
            content(&json!({ "data": dm })).contains("did you get a yes"),
            "{dm}"
        );
        asks.push((user, dm));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.stop().await;
    let bot = start(tempfile::tempdir().expect("tempdir")).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    for &user in passed.iter().chain(&failed) {
        assert_eq!(
            fake.requests_to(&dm_path(&fake, user)).await.len(),
            1,
            "one follow-up DM for {user}"
        );
    }
    assert!(
        fake.requests_to(&dm_path(&fake, deleted)).await.is_empty(),
        "deleted data is never followed up"
    );

    tokio::time::timeout(Duration::from_secs(60), async {
        // All but one answer per side: below the threshold, no rate is shown.
        for (i, (user, dm)) in asks.iter().enumerate() {
            if i == MIN as usize - 1 || i == asks.len() - 1 {
                continue;
            }
            let action = if passed.contains(user) {
                "cc:fu-met"
            } else {
                "cc:fu-no"
            };
            let done = press(&fake, &button(dm, action), *user).await;
            assert_eq!(done["type"], 7, "the DM is updated: {done}");
            assert!(!content(&done).is_empty(), "{done}");
        }
        let below = stats(&fake).await;
        assert!(below.contains("not enough answers yet"), "{below}");
        assert!(!below.contains("got a yes when passed"), "{below}");
        // The last answer on each side: now the rate shows and the difference holds.
        let (user, dm) = &asks[MIN as usize - 1];
        press(&fake, &button(dm, "cc:fu-met"), *user).await;
        let (user, dm) = &asks[asks.len() - 1];
        press(&fake, &button(dm, "cc:fu-no"), *user).await;
        // Answering twice changes nothing.
        let again = press(&fake, &button(dm, "cc:fu-no"), *user).await;
        assert!(content(&again).contains("already answered"), "{again}");
        let shown = stats(&fake).await;
        assert!(
            shown.contains("got a yes when passed 4 of 4 (100%), when failed 0 of 4 (0%)"),
            "{shown}"
        );
        assert!(shown.contains("a real difference"), "{shown}");

        // The next tip slot, with the channel active: the tip cites the outcome.
        fake.send_message_create(fake.guild_message(
            FakeDiscord::COFFEE_CHANNEL_ID,
            MEMBER,
            "good morning",
        ))
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        clock.set(at(30, 9, 0));
        let channel = format!("/channels/{}/messages", FakeDiscord::COFFEE_CHANNEL_ID);
        let tip = fake.wait_for("POST", &channel, WAIT).await.body;
        assert_no_pings(&tip);
        let tip = tip["content"].as_str().unwrap_or_default();
        assert!(
            tip.contains("got a yes more often: 4 of 4 against 0 of 4"),
            "{tip}"
        );
    })
    .await
    .expect("in time");
    fake.assert_no_violations().await;
    bot.stop().await;

    // What the database holds: eight outcomes, no follow-up, no draft, no member id.
    let values = stored_values(&db).await;
    assert!(
        values.iter().all(|(_, _, v)| !v.contains(MARK)),
        "no draft text is stored"
    );
    assert!(
        values.iter().all(|(t, _, _)| t != "follow_ups"),
        "answered follow-ups are gone"
    );
    let outcomes: Vec<_> = values.iter().filter(|(t, _, _)| t == "outcomes").collect();
    assert!(!outcomes.is_empty());
    let members: Vec<String> = passed
        .iter()
        .chain(&failed)
        .chain([&deleted])
        .map(u64::to_string)
        .collect();
    assert!(
        outcomes.iter().all(|(_, _, v)| !members.contains(v)),
        "no member id in an outcome: {outcomes:?}"
    );
    let used = outcomes
        .iter()
        .filter(|(_, c, v)| c == "used_phrasing" && v == "1")
        .count();
    assert_eq!(
        used, 1,
        "one member said they would use the better phrasing"
    );
    let rows = outcomes.iter().filter(|(_, c, _)| c == "outcome").count();
    assert_eq!(rows, 2 * MIN as usize);
}
