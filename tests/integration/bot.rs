//! The bot end to end: the real serenity + poise client, in this process, against the fake
//! Discord. Every test asserts on what the fake received, and the fake checks every REST body
//! against Discord's OpenAPI spec.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use coffee_coach::discord::{Clock, Hooks};

use coffee_coach::core::ConfigFiles;
use coffee_coach::settings::Settings;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::fake::{option_string, FakeDiscord, RecordedRequest};
use crate::support::config_dir;

/// A member who asks for reviews.
pub const MEMBER: u64 = 1_000_000_000_000_000_500;

/// The bot running in a task; stops when dropped.
pub struct Bot {
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Bot {
    /// Starts the bot against `fake` with the test defaults plus `env`, and waits for READY and
    /// the command registration.
    pub async fn start(fake: &FakeDiscord, env: &[(&str, &str)]) -> Bot {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}", dir.path().join("bot.db").display());
        Bot::start_with_db(fake, env, &db, dir).await
    }

    pub async fn start_with_db(
        fake: &FakeDiscord,
        env: &[(&str, &str)],
        db: &str,
        dir: tempfile::TempDir,
    ) -> Bot {
        Bot::start_with_hooks(fake, env, db, dir, coffee_coach::discord::Hooks::default()).await
    }

    /// Starts the bot with a chosen clock and scheduler tick.
    pub async fn start_with_hooks(
        fake: &FakeDiscord,
        env: &[(&str, &str)],
        db: &str,
        dir: tempfile::TempDir,
        hooks: coffee_coach::discord::Hooks,
    ) -> Bot {
        Bot::start_in(fake, env, db, dir, hooks, &config_dir()).await
    }

    /// Starts the bot with a chosen clock and scheduler tick and the config folder `config`.
    pub async fn start_in(
        fake: &FakeDiscord,
        env: &[(&str, &str)],
        db: &str,
        dir: tempfile::TempDir,
        hooks: coffee_coach::discord::Hooks,
        config: &std::path::Path,
    ) -> Bot {
        let mut vars: HashMap<String, String> = HashMap::from([
            ("DISCORD_TOKEN".into(), FakeDiscord::TOKEN.into()),
            ("DISCORD_API_URL".into(), fake.base_url()),
            ("DEV_GUILD_ID".into(), FakeDiscord::GUILD_ID.to_string()),
            (
                "MENTORING_CHANNEL_ID".into(),
                FakeDiscord::COFFEE_CHANNEL_ID.to_string(),
            ),
            ("DATABASE_URL".into(), db.to_string()),
        ]);
        for (k, v) in env {
            vars.insert(k.to_string(), v.to_string());
        }
        let settings = Settings::from_lookup(ConfigFiles::read(config).expect("config/"), |k| {
            vars.get(k).cloned()
        })
        .expect("settings");
        let readies = fake.gateway_counts().0;
        let registrations = fake.requests_to("/commands").await.len();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = coffee_coach::discord::run_with(settings, hooks, shutdown).await {
                eprintln!("bot stopped: {e:#}");
            }
        });
        fake.wait_ready_count(readies + 1).await;
        fake.wait_for_nth("PUT", "/commands", registrations, crate::fake::WAIT)
            .await;
        Bot {
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Stops the bot and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn at(t: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(t)))
    }

    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().expect("clock") = t;
    }

    /// Hooks that run the bot on this clock, with the scheduler looking every 50 ms.
    pub fn hooks(&self) -> Hooks {
        Hooks {
            clock: Arc::new(self.clone()),
            tick: Some(Duration::from_millis(50)),
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

/// Sends `/review` with these options and returns the callback body.
pub async fn slash(fake: &FakeDiscord, name: &str, options: Value, user: u64) -> Value {
    let interaction = fake.slash_command(name, options, user, FakeDiscord::COFFEE_CHANNEL_ID);
    let id = fake.send_interaction(interaction).await;
    fake.wait_for_callback(&id).await.body
}

/// The embed description of an interaction callback (type 4).
pub fn description(callback: &Value) -> String {
    callback["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The custom id of the first button whose id starts with `prefix`.
pub fn button(callback_data: &Value, prefix: &str) -> String {
    callback_data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|c| c["custom_id"].as_str())
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no button {prefix} in {callback_data}"))
        .to_string()
}

/// Asserts the message pings nobody.
#[track_caller]
pub fn assert_no_pings(data: &Value) {
    let allowed = &data["allowed_mentions"];
    let empty = |v: &Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
    assert!(
        allowed["parse"].as_array().is_some_and(Vec::is_empty),
        "allowed_mentions in {data}"
    );
    assert!(
        empty(&allowed["users"]) && empty(&allowed["roles"]),
        "allowed_mentions in {data}"
    );
    assert_ne!(allowed["replied_user"], true, "allowed_mentions in {data}");
}

/// Presses a button on a message of the bot's and returns the interaction id.
pub async fn click(fake: &FakeDiscord, custom_id: &str, user: u64) -> String {
    let message = crate::fake::message(
        fake.snowflake(),
        FakeDiscord::COFFEE_CHANNEL_ID,
        FakeDiscord::BOT_USER_ID,
        "",
    );
    fake.send_interaction(fake.button_click(
        custom_id,
        message,
        user,
        FakeDiscord::COFFEE_CHANNEL_ID,
    ))
    .await
}

/// Asserts an interaction callback is an ephemeral message.
#[track_caller]
pub fn assert_ephemeral(callback: &Value) {
    assert_eq!(callback["type"], 4, "{callback}");
    assert_eq!(
        callback["data"]["flags"].as_u64().map(|f| f & 64),
        Some(64),
        "ephemeral: {callback}"
    );
    assert_no_pings(&callback["data"]);
}

async fn quiet_for(fake: &FakeDiscord, path: &str) -> Vec<RecordedRequest> {
    tokio::time::sleep(Duration::from_millis(400)).await;
    fake.requests_to(path).await
}

const FAILING: &str =
    "Hi Sam, can I pick your brain over coffee? Tell me about product management.";
const PASSING: &str = "Hi Tom, quick one: could you tell me whether the SQL test at your company is timed? I've done two other take-homes this month and I'm happy to share my notes on them. Thanks either way!";

/// An end-to-end test: a fresh fake Discord and bot, the body within a minute, no violations.
macro_rules! e2e {
    ($name:ident, |$fake:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let $fake = crate::fake::FakeDiscord::start().await;
            let bot = crate::bot::Bot::start(&$fake, &[]).await;
            tokio::time::timeout(std::time::Duration::from_secs(60), async { $body })
                .await
                .expect("the test finishes within a minute");
            $fake.assert_no_violations().await;
            bot.stop().await;
        }
    };
}
pub(crate) use e2e;

e2e!(commands_are_registered_with_their_options, |fake| {
    let put = fake
        .wait_for(
            "PUT",
            &format!("/guilds/{}/commands", FakeDiscord::GUILD_ID),
            crate::fake::WAIT,
        )
        .await;
    let commands = put.body.as_array().expect("an array of commands").clone();
    let review = commands
        .iter()
        .find(|c| c["name"] == "review")
        .expect("/review");
    let options: Vec<&str> = review["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(options, ["draft", "recipient"]);
    assert_eq!(review["options"][0]["required"], false);
    let menu = commands
        .iter()
        .find(|c| c["name"] == "Review draft")
        .expect("the context menu");
    assert_eq!(menu["type"], 3);
});

e2e!(
    review_of_a_failing_draft_is_ephemeral_with_evidence_and_buttons,
    |fake| {
        let cb = slash(
            &fake,
            "review",
            json!([option_string("draft", FAILING)]),
            MEMBER,
        )
        .await;
        assert_ephemeral(&cb);
        let d = description(&cb);
        assert!(d.contains("❌") && d.contains("`pick your brain`"), "{d}");
        assert!(
            d.contains("```"),
            "the better phrasing in a code block: {d}"
        );
        assert!(cb["data"]["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.contains("fails")));
        button(&cb["data"], "cc:edit:");
        button(&cb["data"], "cc:post:");
    }
);

e2e!(review_of_a_passing_draft_says_so, |fake| {
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", PASSING)]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    assert_eq!(
        cb["data"]["embeds"][0]["title"],
        "Your draft passes every check"
    );
    assert!(!description(&cb).contains("❌"));
});

e2e!(
    review_without_a_draft_opens_the_modal_and_edit_rechecks,
    |fake| {
        let cb = slash(&fake, "review", json!([]), MEMBER).await;
        assert_eq!(cb["type"], 9, "a modal: {cb}");
        let modal_id = cb["data"]["custom_id"]
            .as_str()
            .expect("custom id")
            .to_string();
        let input = &cb["data"]["components"][0]["components"][0];
        assert_eq!(input["style"], 2);
        assert_eq!(input["max_length"], 4000);

        let submit = fake.modal_submit(
            &modal_id,
            &[("draft", FAILING), ("recipient", "")],
            MEMBER,
            FakeDiscord::COFFEE_CHANNEL_ID,
        );
        let id = fake.send_interaction(submit).await;
        let first = fake.wait_for_callback(&id).await.body;
        assert_ephemeral(&first);
        assert!(description(&first).contains("`pick your brain`"));

        // "Edit and re-check" opens the modal pre-filled with the draft.
        let edit = button(&first["data"], "cc:edit:");
        let id = click(&fake, &edit, MEMBER).await;
        let modal = fake.wait_for_callback(&id).await.body;
        assert_eq!(modal["type"], 9);
        assert_eq!(
            modal["data"]["components"][0]["components"][0]["value"],
            FAILING
        );

        let fixed = "Hi Sam, I read your post on hiring PMs. One thing it left open for me: how do you weigh take-home tasks? I ran hiring for a 12-person team and I'd be glad to share our rubric. Would a 20-minute call next week work? No worries if not.";
        let modal_id = modal["data"]["custom_id"]
            .as_str()
            .expect("custom id")
            .to_string();
        let submit = fake.modal_submit(
            &modal_id,
            &[("draft", fixed), ("recipient", "")],
            MEMBER,
            FakeDiscord::COFFEE_CHANNEL_ID,
        );
        let id = fake.send_interaction(submit).await;
        let second = fake.wait_for_callback(&id).await.body;
        assert_ephemeral(&second);
        let d = description(&second);
        assert!(
            d.contains("Now passing:") && d.contains("Not free advice in disguise"),
            "{d}"
        );
    }
);

e2e!(post_to_channel_posts_publicly_only_when_pressed, |fake| {
    let cb = slash(
        &fake,
        "review",
        json!([option_string(
            "draft",
            "@everyone can we grab coffee? <@&42>"
        )]),
        MEMBER,
    )
    .await;
    assert!(fake
        .requests_to(&format!(
            "/channels/{}/messages",
            FakeDiscord::COFFEE_CHANNEL_ID
        ))
        .await
        .is_empty());
    let post = button(&cb["data"], "cc:post:");
    let id = click(&fake, &post, MEMBER).await;
    let message = fake
        .wait_for(
            "POST",
            &format!("/channels/{}/messages", FakeDiscord::COFFEE_CHANNEL_ID),
            crate::fake::WAIT,
        )
        .await;
    assert_no_pings(&message.body);
    let content = message.body["content"].as_str().expect("content");
    assert!(
        content.contains("```") && content.contains("A reason for them to say yes"),
        "{content}"
    );
    assert_ephemeral(&fake.wait_for_callback(&id).await.body);
});

e2e!(someone_elses_buttons_do_nothing_for_you, |fake| {
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", FAILING)]),
        MEMBER,
    )
    .await;
    let post = button(&cb["data"], "cc:post:");
    let id = click(&fake, &post, MEMBER + 1).await;
    let answer = fake.wait_for_callback(&id).await.body;
    assert_ephemeral(&answer);
    assert!(answer["data"]["content"]
        .as_str()
        .is_some_and(|c| c.contains("expired")));
    assert!(quiet_for(
        &fake,
        &format!("/channels/{}/messages", FakeDiscord::COFFEE_CHANNEL_ID)
    )
    .await
    .is_empty());
});

e2e!(the_context_menu_reviews_the_target_message, |fake| {
    let target = crate::fake::message(
        fake.snowflake(),
        FakeDiscord::COFFEE_CHANNEL_ID,
        MEMBER + 7,
        FAILING,
    );
    let menu = fake.message_context_menu(
        "Review draft",
        target,
        MEMBER,
        FakeDiscord::COFFEE_CHANNEL_ID,
    );
    let id = fake.send_interaction(menu).await;
    let cb = fake.wait_for_callback(&id).await.body;
    assert_ephemeral(&cb);
    assert!(description(&cb).contains("`pick your brain`"));
});

e2e!(
    the_prefix_command_answers_in_a_thread_in_the_mentoring_channel_only,
    |fake| {
        // Elsewhere, the prefix is ignored.
        fake.send_message_create(fake.guild_message(
            FakeDiscord::GENERAL_CHANNEL_ID,
            MEMBER,
            &format!("!review {FAILING}"),
        ))
        .await;
        assert!(quiet_for(&fake, "/threads").await.is_empty());
        assert!(fake.requests_to("/messages").await.is_empty());

        let message = fake.guild_message(
            FakeDiscord::COFFEE_CHANNEL_ID,
            MEMBER,
            &format!("!review {FAILING}"),
        );
        let message_id = message["id"].as_str().expect("id").to_string();
        fake.send_message_create(message).await;
        let thread = fake
            .wait_for(
                "POST",
                &format!("/messages/{message_id}/threads"),
                crate::fake::WAIT,
            )
            .await;
        assert!(thread.body["name"].as_str().is_some());
        let reply = fake
            .wait_for_nth("POST", "/messages", 1, crate::fake::WAIT)
            .await;
        assert!(
            !reply
                .path
                .contains(&FakeDiscord::COFFEE_CHANNEL_ID.to_string()),
            "the reply goes in the thread: {}",
            reply.path
        );
        assert_no_pings(&reply.body);
        assert!(reply.body["embeds"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("`pick your brain`")));
    }
);

e2e!(
    the_prefix_command_falls_back_to_a_dm_without_thread_permission,
    |fake| {
        fake.fail_route("POST", "/threads", 403);
        fake.send_message_create(fake.guild_message(
            FakeDiscord::COFFEE_CHANNEL_ID,
            MEMBER,
            &format!("!review {FAILING}"),
        ))
        .await;
        fake.wait_for("POST", "/users/@me/channels", crate::fake::WAIT)
            .await;
        let dm = fake.dm_channel_id(MEMBER);
        let reply = fake
            .wait_for(
                "POST",
                &format!("/channels/{dm}/messages"),
                crate::fake::WAIT,
            )
            .await;
        assert_no_pings(&reply.body);
    }
);

e2e!(a_dm_is_reviewed_as_a_draft, |fake| {
    fake.send_message_create(fake.dm_message(MEMBER, FAILING))
        .await;
    let dm = fake.dm_channel_id(MEMBER);
    let reply = fake
        .wait_for(
            "POST",
            &format!("/channels/{dm}/messages"),
            crate::fake::WAIT,
        )
        .await;
    assert_no_pings(&reply.body);
    assert!(reply.body["embeds"][0]["description"]
        .as_str()
        .is_some_and(|d| d.contains("`pick your brain`")));
});

e2e!(mentions_in_a_draft_never_ping, |fake| {
    let cb = slash(
        &fake,
        "review",
        json!([option_string(
            "draft",
            "@everyone @here <@123> <@&456> coffee?"
        )]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
});

e2e!(empty_and_4000_character_drafts_get_clear_answers, |fake| {
    let cb = slash(&fake, "review", json!([]), MEMBER).await;
    let modal_id = cb["data"]["custom_id"]
        .as_str()
        .expect("custom id")
        .to_string();
    let id = fake
        .send_interaction(fake.modal_submit(
            &modal_id,
            &[("draft", "   "), ("recipient", "")],
            MEMBER,
            FakeDiscord::COFFEE_CHANNEL_ID,
        ))
        .await;
    let empty = fake.wait_for_callback(&id).await.body;
    assert_ephemeral(&empty);
    assert_eq!(empty["data"]["embeds"][0]["title"], "Nothing to review");

    let long = format!(
        "Hi Tamar, {}",
        "I would love to grab coffee and hear about your work. ".repeat(73)
    );
    assert!(
        long.chars().count() >= 3900 && long.chars().count() <= 4000,
        "{}",
        long.chars().count()
    );
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", &long)]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    assert!(description(&cb).chars().count() <= 4096);

    let huge = "word ".repeat(1300);
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", &huge)]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    assert!(
        cb["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("I review up to 6000")),
        "{cb}"
    );
});

e2e!(the_cooldown_says_when_to_try_again, |fake| {
    for _ in 0..10 {
        let cb = slash(
            &fake,
            "review",
            json!([option_string("draft", FAILING)]),
            MEMBER,
        )
        .await;
        assert_eq!(cb["data"]["embeds"].as_array().map(Vec::len), Some(1));
    }
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", FAILING)]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    let text = cb["data"]["content"].as_str().expect("a text answer");
    assert!(
        text.contains("10 reviews a minute") && text.contains("Try again in"),
        "{text}"
    );
    // Another member is not limited.
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", FAILING)]),
        MEMBER + 1,
    )
    .await;
    assert!(cb["data"]["embeds"]
        .as_array()
        .is_some_and(|e| !e.is_empty()));
});

e2e!(the_bot_still_answers_after_a_resume, |fake| {
    slash(
        &fake,
        "review",
        json!([option_string("draft", PASSING)]),
        MEMBER,
    )
    .await;
    fake.close_gateway(4000).await;
    fake.wait_resumed().await;
    answers_a_review(&fake).await;
});

e2e!(issue_10_review_works_from_a_user_install, |fake| {
    // Registered for both installs and every place a member can write.
    let put = fake
        .wait_for(
            "PUT",
            &format!("/guilds/{}/commands", FakeDiscord::GUILD_ID),
            crate::fake::WAIT,
        )
        .await;
    let commands = put.body.as_array().expect("an array of commands").clone();
    for name in ["review", "Review draft", "coach", "tip"] {
        let c = commands
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(c["integration_types"], json!([0, 1]), "{name}: {c}");
        assert_eq!(c["contexts"], json!([0, 1, 2]), "{name}: {c}");
    }
    // /review from the member's own account in a server without the bot: a private review,
    // and a plain word on what needs the server instead of peers or a post button.
    let interaction = fake.by_user_install(fake.slash_command(
        "review",
        json!([option_string("draft", FAILING)]),
        MEMBER,
        FakeDiscord::COFFEE_CHANNEL_ID,
    ));
    let id = fake.send_interaction(interaction).await;
    let cb = fake.wait_for_callback(&id).await.body;
    assert_ephemeral(&cb);
    assert!(description(&cb).contains("your own account"), "{cb}");
    let ids: Vec<String> = cb["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect();
    assert!(ids.iter().any(|i| i.starts_with("cc:edit:")), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|i| i.starts_with("cc:post:") || i.starts_with("cc:peers:")),
        "{ids:?}"
    );
    // "Review draft" on a message in a private channel, from the user install.
    let message = crate::fake::message(
        fake.snowflake(),
        FakeDiscord::COFFEE_CHANNEL_ID,
        MEMBER + 7,
        FAILING,
    );
    let interaction = fake.in_private_channel(fake.message_context_menu(
        "Review draft",
        message,
        MEMBER,
        FakeDiscord::COFFEE_CHANNEL_ID,
    ));
    let id = fake.send_interaction(interaction).await;
    let cb = fake.wait_for_callback(&id).await.body;
    assert_ephemeral(&cb);
    assert!(description(&cb).contains("pick your brain"), "{cb}");
});

/// A `/review` of a failing draft gets its private answer (the bot is up and serving).
async fn answers_a_review(fake: &FakeDiscord) {
    let cb = slash(
        fake,
        "review",
        json!([option_string("draft", FAILING)]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
}

/// GET on the bot's health listener, straight to 127.0.0.1 (no proxy).
async fn health_get(addr: &str, path: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let response = client
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .expect("the health listener answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_10_healthz_and_metrics_answer() {
    let fake = crate::fake::FakeDiscord::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let bot = Bot::start(&fake, &[("HEALTH_ADDR", addr.as_str())]).await;
    // Healthy once the gateway session is up (READY reaches the handlers just after setup).
    let mut health = health_get(&addr, "/healthz").await;
    for _ in 0..50 {
        if health.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        health = health_get(&addr, "/healthz").await;
    }
    let (status, body) = health;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("gateway: connected") && body.contains("store: ok"),
        "{body}"
    );
    let cb = slash(
        &fake,
        "review",
        json!([option_string("draft", FAILING)]),
        MEMBER,
    )
    .await;
    assert_ephemeral(&cb);
    // The latency is recorded right after the reply leaves, so it may trail the callback.
    let (mut status, mut text) = health_get(&addr, "/metrics").await;
    for _ in 0..40 {
        if text.contains("coffee_coach_reply_seconds_count 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        (status, text) = health_get(&addr, "/metrics").await;
    }
    assert_eq!(status, 200);
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    let value = |name: &str, label: (&str, &str)| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && s.labels.get(label.0) == Some(label.1))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => -1.0,
            })
    };
    assert_eq!(
        value("coffee_coach_reviews_total", ("surface", "slash")),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            "coffee_coach_check_failures_total",
            ("check", "not-free-advice")
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        value("coffee_coach_interactions_total", ("kind", "command")).is_some_and(|v| v >= 1.0),
        "{text}"
    );
    assert!(
        text.contains("coffee_coach_reply_seconds_count 1"),
        "{text}"
    );
    assert!(
        text.contains("coffee_coach_gateway_connects_total 1"),
        "{text}"
    );
    assert!(!text.contains("pick your brain"), "no draft in the metrics");
    bot.stop().await;
    // With the bot gone, nothing answers: an orchestrator restarts it.
    fake.assert_no_violations().await;
}

e2e!(
    issue_10_a_refused_reply_is_retried_and_the_bot_keeps_going,
    |fake| {
        for status in [500, 429] {
            let interaction = fake.slash_command(
                "review",
                json!([option_string("draft", FAILING)]),
                MEMBER,
                FakeDiscord::COFFEE_CHANNEL_ID,
            );
            // Refused for this interaction only: a failure armed for every callback could be
            // taken by the previous interaction's retry, still in flight when it was armed.
            let path = format!(
                "/interactions/{}/",
                interaction["id"].as_str().unwrap_or("?")
            );
            fake.fail_route_times("POST", &path, status, 1);
            let id = fake.send_interaction(interaction).await;
            assert!(path.contains(&id));
            // How soon the reply is sent again is fixed in `reply::retry_delay` (well within
            // Discord's 3 s); a wall-clock bound here would fail on a loaded CI machine.
            let again = fake.wait_for_nth("POST", &path, 1, crate::fake::WAIT).await;
            let calls = fake.requests_to(&path).await;
            assert_eq!(
                calls.len(),
                2,
                "{status}: refused once, then sent again once"
            );
            let body = &again.body;
            assert!(
                body["data"]["embeds"][0]["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("pick your brain")),
                "{status}: {body}"
            );
        }
        // Refused every time: the bot stays up and answers once Discord does.
        let interaction = fake.slash_command(
            "review",
            json!([option_string("draft", FAILING)]),
            MEMBER,
            FakeDiscord::COFFEE_CHANNEL_ID,
        );
        let path = format!(
            "/interactions/{}/",
            interaction["id"].as_str().unwrap_or("?")
        );
        fake.fail_route("POST", &path, 500);
        fake.send_interaction(interaction).await;
        // Refused, refused again, then the friendly error refused too: three attempts.
        fake.wait_for_nth("POST", &path, 2, crate::fake::WAIT).await;
        fake.clear_failures();
        let cb = slash(
            &fake,
            "review",
            json!([option_string("draft", PASSING)]),
            MEMBER,
        )
        .await;
        assert_ephemeral(&cb);
    }
);

e2e!(
    issue_10_gateway_op_7_reconnect_resumes_and_the_bot_answers,
    |fake| {
        fake.send_gateway_op(7, Value::Null).await;
        fake.wait_resumed().await;
        answers_a_review(&fake).await;
    }
);

e2e!(
    issue_10_gateway_op_9_invalid_session_identifies_again_and_the_bot_answers,
    |fake| {
        let (readies, _) = fake.gateway_counts();
        fake.send_gateway_op(9, json!(false)).await;
        fake.wait_ready_count(readies + 1).await;
        answers_a_review(&fake).await;
    }
);
