//! Profiles and peers end to end through the fake Discord, plus the promise that what the bot
//! acknowledged as saved survives a SIGKILL of the real binary.

use std::process::{Command, Stdio};
use std::time::Duration;

use coffee_coach::store::{GuildSettings, Store};
use serde_json::{json, Value};

use crate::bot::{
    assert_ephemeral, assert_no_pings, button, click, description, e2e, slash, Bot, MEMBER,
};
use crate::fake::{option_bool, option_integer, option_string, subcommand, FakeDiscord, WAIT};
use crate::support::{bot_command, Spawned};

const ANA: u64 = MEMBER + 10; // teaching -> UX research, established, open
const BEN: u64 = MEMBER + 11; // UX research, senior, NOT open
const CAI: u64 = MEMBER + 12; // UX research, first role, open
const DEV: u64 = MEMBER + 13; // teaching -> UX research, established, open

/// The index of a stage in the ladder, as poise's choice parameter sends it.
fn stage(name: &str) -> Value {
    let ladder = [
        "exploring",
        "studying or retraining",
        "first role",
        "established",
        "senior",
        "leading",
    ];
    let i = ladder.iter().position(|s| *s == name).expect("a stage");
    option_integer("stage", i as i64)
}

async fn set_profile(fake: &FakeDiscord, user: u64, options: Value) -> Value {
    slash(fake, "profile", json!([subcommand("set", options)]), user).await
}

async fn seed_peers(fake: &FakeDiscord) {
    let profiles = [
        (
            ANA,
            "UX researcher",
            "design",
            "established",
            "teaching -> UX research",
            true,
        ),
        (BEN, "UX lead", "UX research", "senior", "", false),
        (
            CAI,
            "junior UX researcher",
            "UX research",
            "first role",
            "",
            true,
        ),
        (
            DEV,
            "researcher",
            "UX research",
            "established",
            "teaching -> UX research",
            true,
        ),
    ];
    for (user, role, field, st, mv, open) in profiles {
        let mut options = vec![
            option_string("role", role),
            option_string("field", field),
            stage(st),
            option_bool("open_to_coffee", open),
        ];
        if !mv.is_empty() {
            options.push(option_string("move", mv));
            options.push(option_string("moved", "2024"));
            options.push(option_string("topics", "portfolios, user interviews"));
        }
        let cb = set_profile(fake, user, Value::Array(options)).await;
        assert_ephemeral(&cb);
        assert!(
            cb["data"]["content"]
                .as_str()
                .is_some_and(|c| c.starts_with("Saved")),
            "{cb}"
        );
    }
}

pub(crate) fn mentioned(text: &str, user: u64) -> bool {
    text.contains(&format!("<@{user}>"))
}

async fn peers(fake: &FakeDiscord, user: u64, goal: &str) -> String {
    let options = if goal.is_empty() {
        json!([])
    } else {
        json!([option_string("goal", goal)])
    };
    let cb = slash(fake, "peers", options, user).await;
    assert_ephemeral(&cb);
    cb["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

e2e!(profile_set_show_and_delete, |fake| {
    let cb = set_profile(
        &fake,
        MEMBER,
        json!([
            option_string("role", "teacher <@&1> @everyone"),
            option_string("field", "**education**"),
            stage("studying or retraining"),
            option_string("move", "teaching -> UX research"),
        ]),
    )
    .await;
    assert_ephemeral(&cb);
    assert!(
        cb["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("not open to coffee chats")),
        "opt-in defaults to no: {cb}"
    );

    let cb = slash(
        &fake,
        "profile",
        json!([subcommand("show", json!([]))]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    let fields = cb["data"]["embeds"][0]["fields"].to_string();
    assert!(
        fields.contains("teacher <@&1> @everyone") && fields.contains("**education**"),
        "stored as typed: {fields}"
    );
    assert!(fields.contains("UX research"));

    // Someone else sees their own (empty) profile, never this one.
    let other = slash(
        &fake,
        "profile",
        json!([subcommand("show", json!([]))]),
        MEMBER + 1,
    )
    .await;
    assert!(other["data"]["content"]
        .as_str()
        .is_some_and(|c| c.contains("no profile")));

    let cb = slash(
        &fake,
        "profile",
        json!([subcommand("delete", json!([]))]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    let confirm = button(&cb["data"], "cc:profile-delete");
    let id = click(&fake, &confirm, MEMBER).await;
    let done = fake.wait_for_callback(&id).await.body;
    assert_eq!(
        done["type"], 7,
        "the confirmation message is updated: {done}"
    );
    assert_no_pings(&done["data"]);
    let cb = slash(
        &fake,
        "profile",
        json!([subcommand("show", json!([]))]),
        MEMBER,
    )
    .await;
    assert!(cb["data"]["content"]
        .as_str()
        .is_some_and(|c| c.contains("no profile")));
});

e2e!(profile_input_is_validated_with_clear_messages, |fake| {
    let topics = (1..=11)
        .map(|i| format!("topic{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let cb = set_profile(
        &fake,
        MEMBER,
        json!([
            option_string("role", "teacher"),
            option_string("field", "education"),
            stage("exploring"),
            option_string("topics", &topics)
        ]),
    )
    .await;
    assert_ephemeral(&cb);
    assert!(
        cb["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("11 topics") && c.contains("10")),
        "{cb}"
    );
    let cb = set_profile(
        &fake,
        MEMBER,
        json!([
            option_string("role", "teacher"),
            option_string("field", "education"),
            stage("exploring"),
            option_string("moved", "someday")
        ]),
    )
    .await;
    assert!(
        cb["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("could not read the date")),
        "{cb}"
    );
});

e2e!(
    peers_are_a_few_steps_ahead_opted_in_and_never_yourself,
    |fake| {
        seed_peers(&fake).await;
        set_profile(
            &fake,
            MEMBER,
            json!([
                option_string("role", "teacher"),
                option_string("field", "education"),
                stage("studying or retraining"),
                option_bool("open_to_coffee", true)
            ]),
        )
        .await;
        let text = peers(&fake, MEMBER, "UX research").await;
        assert!(
            mentioned(&text, ANA) && mentioned(&text, CAI) && mentioned(&text, DEV),
            "{text}"
        );
        assert!(!mentioned(&text, BEN), "not open to coffee: {text}");
        assert!(!mentioned(&text, MEMBER), "never yourself: {text}");
        assert!(
            text.contains("moved from teaching to UX research") && text.contains("steps ahead"),
            "{text}"
        );

        // Without a profile, the member is told how to add one.
        let text = peers(&fake, MEMBER + 50, "UX research").await;
        assert!(text.contains("/profile set"), "{text}");
    }
);

e2e!(
    deleting_a_profile_removes_the_member_from_suggestions,
    |fake| {
        seed_peers(&fake).await;
        assert!(mentioned(&peers(&fake, MEMBER, "UX research").await, ANA));
        let cb = slash(
            &fake,
            "profile",
            json!([subcommand("delete", json!([]))]),
            ANA,
        )
        .await;
        let id = click(&fake, &button(&cb["data"], "cc:profile-delete"), ANA).await;
        fake.wait_for_callback(&id).await;
        assert!(!mentioned(
            &peers(&fake, MEMBER + 1, "UX research").await,
            ANA
        ));
    }
);

e2e!(
    a_failed_right_people_review_lists_peers_and_find_peers_works,
    |fake| {
        seed_peers(&fake).await;
        set_profile(
            &fake,
            MEMBER,
            json!([
                option_string("role", "teacher"),
                option_string("field", "education"),
                stage("studying or retraining"),
                option_string("move", "teaching -> UX research")
            ]),
        )
        .await;
        let cb = slash(
            &fake,
            "review",
            json!([
                option_string(
                    "draft",
                    "Dear Ms. Levi, I'm a big fan of your keynotes. Coffee?"
                ),
                option_string("recipient", "famous CEO and keynote speaker"),
            ]),
            MEMBER,
        )
        .await;
        assert_ephemeral(&cb);
        let field = cb["data"]["embeds"][0]["fields"][0].clone();
        assert_eq!(field["name"], "People a few steps ahead");
        assert!(
            field["value"].as_str().is_some_and(|v| mentioned(v, ANA)),
            "{field}"
        );

        let id = click(&fake, &button(&cb["data"], "cc:peers:"), MEMBER).await;
        let answer = fake.wait_for_callback(&id).await.body;
        assert_ephemeral(&answer);
        assert!(
            answer["data"]["content"]
                .as_str()
                .is_some_and(|c| mentioned(c, DEV)),
            "{answer}"
        );
        assert!(description(&cb).contains("❌"));
    }
);

/// Opens the bot's database from the outside, as an operator would.
async fn store_at(dir: &tempfile::TempDir) -> (String, Store) {
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let store = Store::open(&url).await.expect("store");
    (url, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_is_suggested_more_than_the_weekly_cap() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, store) = store_at(&dir).await;
    store
        .save_guild_settings(&GuildSettings {
            guild_id: FakeDiscord::GUILD_ID,
            suggestion_cap: Some(2),
            ..Default::default()
        })
        .await
        .expect("settings");
    store.close().await;
    let bot = Bot::start_with_db(&fake, &[], &url, dir).await;
    tokio::time::timeout(Duration::from_secs(60), async {
        // Six equally good peers: each answer lists the best five (ties go by id).
        let peers_ids: Vec<u64> = (0..6).map(|i| MEMBER + 100 + i).collect();
        for &p in &peers_ids {
            let profile = json!([
                option_string("role", "UX researcher"),
                option_string("field", "UX research"),
                stage("established"),
                option_bool("open_to_coffee", true)
            ]);
            set_profile(&fake, p, profile).await;
        }
        // Two different members may be pointed to the first five this week...
        for seeker in [MEMBER, MEMBER + 1] {
            let text = peers(&fake, seeker, "UX research").await;
            assert!(
                peers_ids[..5].iter().all(|&p| mentioned(&text, p)),
                "{text}"
            );
            assert!(!mentioned(&text, peers_ids[5]), "{text}");
        }
        // ...so a third member is shown the next-best instead.
        let text = peers(&fake, MEMBER + 2, "UX research").await;
        assert!(
            peers_ids[..5].iter().all(|&p| !mentioned(&text, p)),
            "{text}"
        );
        assert!(mentioned(&text, peers_ids[5]), "{text}");
    })
    .await
    .expect("in time");
    fake.assert_no_violations().await;
    bot.stop().await;
}

/// The real binary, as operators run it.
fn spawn_binary(fake: &FakeDiscord, db: &str) -> Spawned {
    spawn_binary_at(&fake.base_url(), db, Stdio::null())
}

/// The real binary against any REST address, stderr as given.
fn spawn_binary_at(api_url: &str, db: &str, stderr: Stdio) -> Spawned {
    let child = bot_command(api_url, db)
        .stderr(stderr)
        .spawn()
        .expect("the binary starts");
    Spawned(child)
}

/// Waits up to `limit` for the process to exit.
async fn exit_within(bot: &mut Spawned, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = bot.try_wait().expect("wait") {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the bot did not exit within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_an_unreachable_discord_api_url_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let url = format!("http://{closed}");
    let mut bot = spawn_binary_at(&url, &db, Stdio::piped());
    let status = exit_within(&mut bot, Duration::from_secs(20)).await;
    assert!(!status.success(), "a non-zero exit: {status:?}");
    let mut stderr = String::new();
    if let Some(mut pipe) = bot.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    assert!(
        stderr.contains("DISCORD_API_URL"),
        "names the setting: {stderr}"
    );
    assert!(
        !stderr.contains(FakeDiscord::TOKEN),
        "never the token: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_sigterm_while_the_gateway_is_unreachable_exits_within_5_s() {
    // REST answers, but the gateway it names refuses every connection.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let gateway = format!("ws://{closed}");
    let app = axum::Router::new().fallback(move || {
        let gateway = gateway.clone();
        async move {
            axum::Json(json!({
                "url": gateway,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1
                }
            }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let rest = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let mut bot = spawn_binary_at(&rest, &db, Stdio::null());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        bot.try_wait().expect("wait").is_none(),
        "still retrying the gateway"
    );
    let term = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    exit_within(&mut bot, Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_profile_survives_sigkill_of_the_real_binary() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!(
        "sqlite://{}",
        dir.path().join("data/coffee-coach.db").display()
    );
    let mut first = spawn_binary(&fake, &db);
    fake.wait_ready().await;
    fake.wait_for("PUT", "/commands", WAIT).await;
    let cb = set_profile(
        &fake,
        MEMBER,
        json!([
            option_string("role", "durable analyst"),
            option_string("field", "data"),
            stage("first role")
        ]),
    )
    .await;
    assert!(
        cb["data"]["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("Saved")),
        "{cb}"
    );
    first
        .kill()
        .expect("SIGKILL right after the acknowledgement");
    first.wait().expect("the process is gone");

    let mut second = spawn_binary(&fake, &db);
    fake.wait_ready_count(2).await;
    fake.wait_for_nth(
        "PUT",
        &format!("/guilds/{}/commands", FakeDiscord::GUILD_ID),
        1,
        WAIT,
    )
    .await;
    let cb = slash(
        &fake,
        "profile",
        json!([subcommand("show", json!([]))]),
        MEMBER,
    )
    .await;
    let _ = second.kill();
    let _ = second.wait();
    assert!(
        cb["data"]["embeds"][0]["fields"]
            .to_string()
            .contains("durable analyst"),
        "{cb}"
    );
    fake.assert_no_violations().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_the_real_binary_down_cleanly() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let mut bot = spawn_binary(&fake, &db);
    fake.wait_ready().await;
    fake.wait_for("PUT", "/commands", WAIT).await;
    let term = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let status = exit_within(&mut bot, Duration::from_secs(10)).await;
    assert!(status.success(), "clean exit: {status:?}");
    fake.assert_no_violations().await;
}

fn content_of(cb: &Value) -> &str {
    cb["data"]["content"].as_str().unwrap_or_default()
}

/// A store fault reaches the member as a friendly "try again", never as the store's error.
#[track_caller]
fn assert_friendly_try_again(cb: &Value) {
    let text = content_of(cb).to_lowercase();
    assert!(text.contains("try again"), "a friendly word: {cb}");
    assert!(
        ["locked", "i/o", "database", "sqlite"]
            .iter()
            .all(|word| !text.contains(word)),
        "no internal error: {cb}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_a_locked_store_gets_a_friendly_try_again_and_the_next_write_succeeds() {
    use sqlx::{ConnectOptions, Connection};
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bot.db");
    let url = format!("sqlite://{}", path.display());
    let bot = Bot::start_with_db(&fake, &[], &url, dir).await;
    // Another process holds the write lock.
    let mut other = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .expect("a second connection");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .expect("lock");
    let profile = json!([
        option_string("role", "locked-out analyst"),
        option_string("field", "data"),
        stage("first role")
    ]);
    assert_friendly_try_again(&set_profile(&fake, MEMBER, profile.clone()).await);
    sqlx::query("COMMIT")
        .execute(&mut other)
        .await
        .expect("unlock");
    other.close().await.expect("close");
    let cb = set_profile(&fake, MEMBER, profile).await;
    assert!(
        content_of(&cb).starts_with("Saved"),
        "the next write succeeds: {cb}"
    );
    fake.assert_no_violations().await;
    bot.stop().await;
}

/// Files made immutable with `chattr +i` (which binds root too) until dropped: every write to
/// them fails at the file system, as on a disk remounted read-only.
struct Immutable(Vec<std::path::PathBuf>);

impl Immutable {
    fn set(paths: Vec<std::path::PathBuf>) -> Option<Immutable> {
        let ok = Command::new("chattr")
            .arg("+i")
            .args(&paths)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Immutable(paths))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_a_read_only_store_gets_a_friendly_try_again_and_the_next_write_succeeds() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bot.db");
    let wal = dir.path().join("bot.db-wal");
    let url = format!("sqlite://{}", path.display());
    let bot = Bot::start_with_db(&fake, &[], &url, dir).await;
    let profile = json!([
        option_string("role", "read-only analyst"),
        option_string("field", "data"),
        stage("first role")
    ]);
    let Some(read_only) = Immutable::set(vec![path, wal]) else {
        eprintln!("skipped: `chattr +i` is not permitted here (needs root on ext4 or similar)");
        bot.stop().await;
        return;
    };
    assert_friendly_try_again(&set_profile(&fake, MEMBER, profile.clone()).await);
    drop(read_only);
    let cb = set_profile(&fake, MEMBER, profile).await;
    assert!(
        content_of(&cb).starts_with("Saved"),
        "the next write succeeds: {cb}"
    );
    let cb = slash(
        &fake,
        "profile",
        json!([subcommand("show", json!([]))]),
        MEMBER,
    )
    .await;
    assert!(
        cb.to_string().contains("read-only analyst"),
        "the saved profile reads back: {cb}"
    );
    fake.assert_no_violations().await;
    bot.stop().await;
}
