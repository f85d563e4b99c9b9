//! Issue 12 as it will run: two real bot processes (shards 0 and 1 of 2) against one fake
//! Discord and one PostgreSQL. The fake guild is on shard 1; DMs arrive on shard 0.

use std::time::Duration;

use chrono::Utc;
use coffee_coach::core::profile::{Profile, Stage};
use coffee_coach::store::{GuildSettings, Store, TipState};
use serde_json::{json, Value};

use crate::bot::MEMBER;
use crate::community::dm;
use crate::fake::{option_string, subcommand, FakeDiscord, WAIT};
use crate::peers::mentioned;
use crate::support::{bot_command, Spawned};
use crate::testdb::TestDb;

const OWNER: u64 = FakeDiscord::OWNER_ID;

/// One real bot process running `shards` (e.g. `0/2`) on the database at `db`.
fn spawn_shard(fake: &FakeDiscord, db: &str, shards: &str) -> Spawned {
    let child = bot_command(&fake.base_url(), db)
        .env("SHARDS", shards)
        .env("SCHEDULER_TICK_SECS", "1")
        .spawn()
        .expect("the binary starts");
    Spawned(child)
}

fn profile(user_id: u64, role: &str) -> Profile {
    Profile {
        guild_id: FakeDiscord::GUILD_ID,
        user_id,
        role: role.into(),
        field: "UX research".into(),
        stage: Stage::Established,
        move_from: None,
        move_to: None,
        moved_on: None,
        topics: Vec::new(),
        can_help_with: String::new(),
        open_to_coffee: true,
        updated_at: Utc::now(),
    }
}

/// The answer to a slash command sent on `shard`'s connection.
async fn slash_on(fake: &FakeDiscord, shard: u32, name: &str, options: Value, user: u64) -> String {
    let interaction = fake.slash_command(name, options, user, FakeDiscord::COFFEE_CHANNEL_ID);
    let id = fake.send_interaction_to(shard, interaction).await;
    let body = fake.wait_for_callback(&id).await.body;
    body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn peers_on(fake: &FakeDiscord, shard: u32, user: u64) -> String {
    let goal = json!([option_string("goal", "UX research")]);
    slash_on(fake, shard, "peers", goal, user).await
}

async fn set_profile_on(fake: &FakeDiscord, shard: u32, user: u64, role: &str) -> String {
    let options = json!([subcommand(
        "set",
        json!([
            option_string("role", role),
            option_string("field", "UX research"),
            crate::fake::option_integer("stage", 3),
            crate::fake::option_bool("open_to_coffee", true),
        ])
    )]);
    slash_on(fake, shard, "profile", options, user).await
}

/// The text of the nth bot message (0-based) in the member's DM channel, after sending `text`.
async fn dm_text(fake: &FakeDiscord, user: u64, text: &str, nth: usize) -> String {
    let sent = dm(fake, user, text, nth).await;
    sent["content"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_12_two_processes_on_two_shards_share_one_postgres() {
    let Some(db) = TestDb::postgres("shards::issue_12_two_processes_on_two_shards").await else {
        return;
    };
    let fake = FakeDiscord::start().await;
    let store = Store::open(&db.url).await.expect("store");
    let now = Utc::now();
    // The server is on shard 1; a daily tip is due now and its channel was active.
    store
        .save_guild_settings(&GuildSettings {
            guild_id: FakeDiscord::GUILD_ID,
            tip_channel_id: Some(FakeDiscord::COFFEE_CHANNEL_ID),
            tip_cadence: Some("daily".into()),
            suggestion_cap: Some(1),
            ..GuildSettings::default()
        })
        .await
        .expect("settings");
    store
        .save_tip_state(&TipState {
            guild_id: FakeDiscord::GUILD_ID,
            next_due: Some(now - chrono::Duration::minutes(1)),
            shown: Vec::new(),
            last_posted_at: None,
        })
        .await
        .expect("tip state");
    store
        .mark_activity(FakeDiscord::GUILD_ID, FakeDiscord::COFFEE_CHANNEL_ID, now)
        .await
        .expect("activity");
    let early = MEMBER + 50;
    store
        .upsert_profile(&profile(early, "UX researcher"))
        .await
        .expect("a peer");

    let shard0 = spawn_shard(&fake, &db.url, "0/2");
    let mut shard1 = spawn_shard(&fake, &db.url, "1-1/2");
    tokio::time::timeout(Duration::from_secs(90), async {
        fake.wait_ready_count(2).await;
        assert_eq!(fake.shard_of(FakeDiscord::GUILD_ID), 1);

        // /setup on the server of shard 1 while a member of it coaches by DM on shard 0.
        let setup = json!([subcommand(
            "set",
            json!([option_string("prefix", "!coffee")])
        )]);
        let (saved, coached) = tokio::join!(
            slash_on(&fake, 1, "setup", setup, OWNER),
            dm_text(&fake, MEMBER, "coach", 0)
        );
        assert!(
            saved.starts_with("Saved") && saved.contains("`!coffee`"),
            "{saved}"
        );
        assert!(coached.contains("Who do you want to reach"), "{coached}");
        let next = dm_text(&fake, MEMBER, "a nurse who moved into product", 1).await;
        assert!(next.contains("What do you really need"), "{next}");
        assert!(store.coaching(MEMBER).await.expect("read").is_some());

        // Exactly one tip for the slot: only shard 1's process posts for this server.
        let tips = format!("/channels/{}/messages", FakeDiscord::COFFEE_CHANNEL_ID);
        let tip = fake.wait_for("POST", &tips, WAIT).await;
        assert!(
            tip.body["content"]
                .as_str()
                .is_some_and(|c| c.contains("Coffee-request tip")),
            "{}",
            tip.body
        );
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(fake.requests_to(&tips).await.len(), 1, "one tip per slot");

        // Shard 0's process loads the server's peers (a rebalance moved the server to it)...
        let first = peers_on(&fake, 0, MEMBER + 1).await;
        assert!(mentioned(&first, early), "{first}");
        // ...a profile saved through shard 1's process reaches shard 0's cache within a second.
        let fresh = MEMBER + 51;
        let saved = set_profile_on(&fake, 1, fresh, "product researcher").await;
        assert!(saved.starts_with("Saved"), "{saved}");
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let second = peers_on(&fake, 0, MEMBER + 2).await;
        assert!(mentioned(&second, fresh), "{second}");

        // The cap (1 a week) holds with both processes suggesting the same new peer at once.
        let contested = MEMBER + 52;
        let saved = set_profile_on(&fake, 1, contested, "UX research lead").await;
        assert!(saved.starts_with("Saved"), "{saved}");
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let answers = peers_at_once(&fake, [(0, 10), (1, 11), (0, 12), (1, 13)]).await;
        let shown = answers.iter().filter(|a| mentioned(a, contested)).count();
        assert_eq!(shown, 1, "shown once across both processes: {answers:#?}");

        // SIGKILL of shard 1's process loses nothing it acknowledged...
        let kept = MEMBER + 53;
        let saved = set_profile_on(&fake, 1, kept, "design researcher").await;
        assert!(saved.starts_with("Saved"), "{saved}");
        shard1.kill().expect("SIGKILL");
        shard1.wait().expect("reaped");
        assert!(store
            .profile(FakeDiscord::GUILD_ID, kept)
            .await
            .expect("read")
            .is_some());
        // ...and shard 0's process keeps serving DMs and its servers.
        let next = dm_text(&fake, MEMBER, "2", 2).await;
        assert!(next.contains("Step 3"), "{next}");
        let third = peers_on(&fake, 0, MEMBER + 3).await;
        assert!(mentioned(&third, kept), "{third}");
    })
    .await
    .expect("in time");
    drop(shard0);
    store.close().await;
}

/// `/peers` from several seekers at once, each on the given shard.
async fn peers_at_once<const N: usize>(fake: &FakeDiscord, asks: [(u32, u64); N]) -> Vec<String> {
    let mut tasks = Vec::new();
    for (shard, seeker) in asks {
        let interaction = fake.slash_command(
            "peers",
            json!([option_string("goal", "UX research")]),
            MEMBER + 100 + seeker,
            FakeDiscord::COFFEE_CHANNEL_ID,
        );
        tasks.push(fake.send_interaction_to(shard, interaction));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await);
    }
    let mut answers = Vec::new();
    for id in ids {
        let body = fake.wait_for_callback(&id).await.body;
        answers.push(
            body["data"]["content"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    answers
}
