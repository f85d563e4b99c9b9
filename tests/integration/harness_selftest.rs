//! The fake Discord on its own, driven by a bare serenity client (no poise, no bot code).
//!
//! `Recorder` is a serenity `EventHandler` that answers slash commands with "pong" and turns
//! every event it sees into a line on a channel (`ready`, `command:NAME`, `component:ID`,
//! `modal:ID`, `message:CONTENT`); `Bot` starts a client against a `FakeDiscord` and keeps that
//! channel. The tests prove the fake speaks enough of the protocol for serenity, that the
//! OpenAPI validator catches bad bodies (not only passes good ones), that malformed dispatches
//! are refused before they can silently become `Event::Unknown`, and that a close with 4000
//! leads to a RESUME after which events still reach the handler. The last test starts a
//! minimal poise bot to pin down which routes poise hits at start-up (application info for
//! owners, then the bulk command overwrites the setup asks for).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use serenity::all::{
    ChannelId, Client, ClientBuilder, Context, CreateActionRow, CreateAttachment, CreateButton,
    CreateEmbed, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateMessage, CreateThread, EditInteractionResponse,
    EventHandler, GatewayIntents, Http, Interaction, Message, MessageId, Ready, ShardManager,
    UserId,
};
use tokio::sync::mpsc;

use crate::fake::{http_for, option_string, option_user, subcommand, FakeDiscord};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Answers slash commands with "pong" and reports every event as a line.
struct Recorder {
    events: mpsc::UnboundedSender<String>,
}

#[serenity::async_trait]
impl EventHandler for Recorder {
    async fn ready(&self, _ctx: Context, _ready: Ready) {
        let _ = self.events.send("ready".to_owned());
    }

    async fn message(&self, _ctx: Context, msg: Message) {
        let _ = self.events.send(format!("message:{}", msg.content));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let line = match &interaction {
            Interaction::Command(cmd) => {
                let reply = CreateInteractionResponseMessage::new().content("pong");
                let sent = cmd
                    .create_response(&ctx.http, CreateInteractionResponse::Message(reply))
                    .await;
                format!("command:{}:{}", cmd.data.name, sent.is_ok())
            }
            Interaction::Component(c) => format!("component:{}", c.data.custom_id),
            Interaction::Modal(m) => format!("modal:{}", m.data.custom_id),
            other => format!("other:{:?}", other.kind()),
        };
        let _ = self.events.send(line);
    }
}

/// A serenity client connected to the fake, with the handler's event lines.
struct Bot {
    http: Arc<Http>,
    shards: Arc<ShardManager>,
    events: mpsc::UnboundedReceiver<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Bot {
    async fn start(fake: &FakeDiscord) -> Bot {
        let (tx, events) = mpsc::unbounded_channel();
        let intents = GatewayIntents::non_privileged() | GatewayIntents::MESSAGE_CONTENT;
        let mut client: Client = ClientBuilder::new_with_http(http_for(fake), intents)
            .event_handler(Recorder { events: tx })
            .await
            .expect("serenity client builds against the fake");
        let http = Arc::clone(&client.http);
        let shards = Arc::clone(&client.shard_manager);
        let task = tokio::spawn(async move {
            if let Err(e) = client.start().await {
                eprintln!("serenity client stopped: {e}");
            }
        });
        Bot {
            http,
            shards,
            events,
            task,
        }
    }

    /// Waits for the next event line that starts with `prefix`, skipping others.
    async fn expect(&mut self, prefix: &str) -> String {
        let wait = async {
            while let Some(line) = self.events.recv().await {
                if line.starts_with(prefix) {
                    return line;
                }
            }
            panic!("the event channel closed while waiting for `{prefix}`");
        };
        tokio::time::timeout(TIMEOUT, wait)
            .await
            .unwrap_or_else(|_| panic!("no `{prefix}` event within {TIMEOUT:?}"))
    }

    async fn stop(self) {
        self.shards.shutdown_all().await;
        let _ = tokio::time::timeout(TIMEOUT, self.task).await;
    }
}

/// Starts a fake and a client, and waits for READY on both sides.
async fn connected() -> (FakeDiscord, Bot) {
    let fake = FakeDiscord::start().await;
    let mut bot = Bot::start(&fake).await;
    fake.wait_ready().await;
    bot.expect("ready").await;
    (fake, bot)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_connects_and_its_rest_calls_validate() {
    let (fake, bot) = connected().await;
    let http = &bot.http;
    let channel = ChannelId::new(FakeDiscord::COFFEE_CHANNEL_ID);

    let hi = channel.say(http, "hi").await.expect("say reaches the fake");
    assert_eq!(hi.content, "hi");
    let posted = fake
        .wait_for("POST", &format!("/channels/{channel}/messages"), TIMEOUT)
        .await;
    assert_eq!(posted.body["content"], "hi");

    let rich = CreateMessage::new()
        .content("with an embed and a button")
        .embed(
            CreateEmbed::new()
                .title("Review")
                .description("Looks good")
                .field("a", "b", false),
        )
        .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
            "retry",
        )
        .label("Try again")])]);
    let sent = channel
        .send_message(http, rich)
        .await
        .expect("rich message");
    assert_eq!(sent.embeds.len(), 1);
    assert_eq!(sent.components.len(), 1);

    // A multipart body (an attachment): payload_json is what gets validated and recorded.
    let with_file = CreateMessage::new()
        .content("file attached")
        .add_file(CreateAttachment::bytes(b"hello".to_vec(), "note.txt"));
    if let Err(e) = channel.send_message(http, with_file).await {
        panic!("multipart message: {e:?}; {:#?}", fake.violations());
    }
    let multipart = fake
        .wait_for_nth("POST", &format!("/channels/{channel}/messages"), 2, TIMEOUT)
        .await;
    assert_eq!(multipart.body["content"], "file attached");

    let thread = channel
        .create_thread_from_message(http, sent.id, CreateThread::new("Coffee chat"))
        .await
        .expect("thread from message");
    assert_eq!(thread.id.get(), sent.id.get());
    assert_eq!(thread.parent_id, Some(channel));

    let dm = UserId::new(FakeDiscord::OWNER_ID)
        .create_dm_channel(http)
        .await
        .expect("DM channel");
    assert_eq!(dm.recipient.id.get(), FakeDiscord::OWNER_ID);
    dm.say(http, "psst").await.expect("DM message");

    http.get_current_user().await.expect("GET /users/@me");
    let app = http
        .get_current_application_info()
        .await
        .expect("GET /oauth2/applications/@me");
    assert_eq!(app.owner.map(|o| o.id.get()), Some(FakeDiscord::OWNER_ID));
    http.get_bot_gateway().await.expect("GET /gateway/bot");
    http.get_channel(channel).await.expect("GET /channels/{id}");

    fake.assert_no_violations().await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactions_reach_the_handler_and_responses_validate() {
    let (fake, mut bot) = connected().await;
    let channel = FakeDiscord::COFFEE_CHANNEL_ID;

    let ping = fake.slash_command(
        "ping",
        json!([
            option_string("text", "hello"),
            option_user("who", FakeDiscord::OWNER_ID)
        ]),
        FakeDiscord::OWNER_ID,
        channel,
    );
    let token = ping["token"].as_str().expect("token").to_owned();
    let id = fake.send_interaction(ping).await;
    assert_eq!(bot.expect("command:").await, "command:ping:true");
    let callback = fake.wait_for_callback(&id).await;
    assert_eq!(callback.body["type"], 4);
    assert_eq!(callback.body["data"]["content"], "pong");
    assert_eq!(callback.query, None);

    // Followups and edits of the original response, as poise does them.
    let http = &bot.http;
    let followup = http
        .create_followup_message(
            &token,
            &CreateInteractionResponseFollowup::new()
                .content("more")
                .ephemeral(true),
            vec![],
        )
        .await
        .expect("followup");
    assert_eq!(followup.content, "more");
    let edited = http
        .edit_original_interaction_response(
            &token,
            &EditInteractionResponse::new().content("pong, edited"),
            vec![],
        )
        .await
        .expect("edit original");
    assert_eq!(edited.content, "pong, edited");
    let original = http
        .get_original_interaction_response(&token)
        .await
        .expect("get original");
    assert_eq!(original.content, "pong, edited");

    let sub = fake.subcommand(
        "coach",
        "start",
        json!([option_string("goal", "pm")]),
        42,
        channel,
    );
    fake.send_interaction(sub).await;
    assert_eq!(bot.expect("command:").await, "command:coach:true");
    let nested = fake.slash_command("admin", json!([subcommand("tips", json!([]))]), 42, channel);
    fake.send_interaction(nested).await;
    assert_eq!(bot.expect("command:").await, "command:admin:true");

    let target = fake.guild_message(channel, 42, "Can we grab coffee?");
    let menu = fake.message_context_menu("Review this request", target.clone(), 42, channel);
    fake.send_interaction(menu).await;
    assert_eq!(
        bot.expect("command:").await,
        "command:Review this request:true"
    );
    let user_menu = fake.user_context_menu("Suggest peers", FakeDiscord::OWNER_ID, 42, channel);
    fake.send_interaction(user_menu).await;
    assert_eq!(bot.expect("command:").await, "command:Suggest peers:true");

    let in_dm = fake.in_dm(fake.slash_command("review", json!([]), 42, channel));
    fake.send_interaction(in_dm).await;
    assert_eq!(bot.expect("command:").await, "command:review:true");

    let mut bot_reply =
        crate::fake::message(fake.snowflake(), channel, FakeDiscord::BOT_USER_ID, "x");
    bot_reply["components"] = json!([{ "type": 1, "components": [
        { "type": 2, "style": 1, "label": "Again", "custom_id": "again" }
    ]}]);
    fake.send_interaction(fake.button_click("again", bot_reply.clone(), 42, channel))
        .await;
    assert_eq!(bot.expect("component:").await, "component:again");
    fake.send_interaction(fake.select_menu("pick", &["a"], bot_reply, 42, channel))
        .await;
    assert_eq!(bot.expect("component:").await, "component:pick");
    fake.send_interaction(fake.modal_submit("draft", &[("text", "hello there")], 42, channel))
        .await;
    assert_eq!(bot.expect("modal:").await, "modal:draft");

    fake.send_message_create(target).await;
    assert_eq!(bot.expect("message:").await, "message:Can we grab coffee?");
    fake.send_message_create(fake.dm_message(42, "hi bot"))
        .await;
    assert_eq!(bot.expect("message:").await, "message:hi bot");

    fake.assert_no_violations().await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_bodies_and_unknown_routes_are_violations() {
    let fake = FakeDiscord::start().await;
    let http = http_for(&fake);

    // `content` must be a string; serenity sends whatever JSON it is given.
    let bad = json!({ "content": 5, "embeds": "not a list" });
    let _ = http
        .send_message(ChannelId::new(FakeDiscord::COFFEE_CHANNEL_ID), vec![], &bad)
        .await;
    let violations = fake.take_violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(
        violations[0].contains("/channels/{channel_id}/messages"),
        "{violations:#?}"
    );
    assert!(violations[0].contains("/content"), "{violations:#?}");

    // An interaction response of an unknown type.
    let bad_callback = json!({ "type": 99, "data": { "content": "x" } });
    let _ = http
        .create_interaction_response(1.into(), "tok", &bad_callback, vec![])
        .await;
    let violations = fake.take_violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].contains("/callback"), "{violations:#?}");

    // A route Discord does not have.
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest");
    let response = client
        .get(format!("{}/api/v10/no/such/route", fake.base_url()))
        .header("authorization", format!("Bot {}", FakeDiscord::TOKEN))
        .send()
        .await
        .expect("the fake answers");
    assert_eq!(response.status().as_u16(), 404);
    let violations = fake.take_violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].contains("no such route"), "{violations:#?}");

    // A valid body passes.
    ChannelId::new(FakeDiscord::COFFEE_CHANNEL_ID)
        .say(&http, "fine")
        .await
        .expect("valid message");
    fake.assert_no_violations().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "Event::Unknown")]
async fn a_dispatch_serenity_cannot_parse_is_refused() {
    let fake = FakeDiscord::start().await;
    let mut interaction = fake.slash_command("ping", json!([]), 42, FakeDiscord::COFFEE_CHANNEL_ID);
    interaction
        .as_object_mut()
        .expect("object")
        .remove("locale");
    // Panics before it even needs a connection.
    fake.send_interaction(interaction).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_routes_answer_with_discord_errors() {
    let (fake, bot) = connected().await;
    let channel = ChannelId::new(FakeDiscord::COFFEE_CHANNEL_ID);
    fake.fail_route("POST", "/threads", 403);
    let err = channel
        .create_thread_from_message(&bot.http, MessageId::new(5), CreateThread::new("x"))
        .await
        .expect_err("thread creation is forbidden");
    let text = err.to_string();
    assert!(text.contains("Missing Permissions"), "{text}");
    fake.clear_failures();
    channel
        .create_thread_from_message(&bot.http, MessageId::new(5), CreateThread::new("x"))
        .await
        .expect("allowed again");
    fake.assert_no_violations().await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4000_resumes_and_events_still_arrive() {
    let (fake, mut bot) = connected().await;
    fake.close_gateway(4000).await;
    fake.wait_resumed().await;
    assert_eq!(fake.gateway_counts(), (1, 1));

    let cmd = fake.slash_command("ping", json!([]), 42, FakeDiscord::COFFEE_CHANNEL_ID);
    let id = fake.send_interaction(cmd).await;
    assert_eq!(bot.expect("command:").await, "command:ping:true");
    fake.wait_for_callback(&id).await;
    fake.assert_no_violations().await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_client_identifies_again_on_the_same_fake() {
    let (fake, bot) = connected().await;
    bot.stop().await;

    let mut second = Bot::start(&fake).await;
    second.expect("ready").await;
    fake.wait_ready_count(2).await;
    let cmd = fake.slash_command("ping", json!([]), 42, FakeDiscord::COFFEE_CHANNEL_ID);
    let id = fake.send_interaction(cmd).await;
    assert_eq!(second.expect("command:").await, "command:ping:true");
    fake.wait_for_callback(&id).await;
    fake.assert_no_violations().await;
    second.stop().await;
}

/// Error type of the minimal poise bot below.
type PoiseError = Box<dyn std::error::Error + Send + Sync>;

/// Replies "pong" through poise.
#[poise::command(slash_command)]
async fn ping(ctx: poise::Context<'_, (), PoiseError>) -> Result<(), PoiseError> {
    ctx.say("pong").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minimal_poise_bot_registers_and_answers() {
    let fake = FakeDiscord::start().await;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                let guild = serenity::all::GuildId::new(FakeDiscord::GUILD_ID);
                poise::builtins::register_in_guild(ctx, &framework.options().commands, guild)
                    .await?;
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let mut client =
        ClientBuilder::new_with_http(http_for(&fake), GatewayIntents::non_privileged())
            .framework(framework)
            .await
            .expect("poise client builds");
    let shards = Arc::clone(&client.shard_manager);
    let task = tokio::spawn(async move {
        if let Err(e) = client.start().await {
            eprintln!("poise client stopped: {e}");
        }
    });
    fake.wait_ready().await;
    fake.wait_for("GET", "/oauth2/applications/@me", TIMEOUT)
        .await;
    let guild_put = fake
        .wait_for(
            "PUT",
            &format!("/guilds/{}/commands", FakeDiscord::GUILD_ID),
            TIMEOUT,
        )
        .await;
    assert_eq!(guild_put.body[0]["name"], "ping");
    fake.wait_for(
        "PUT",
        &format!("/applications/{}/commands", FakeDiscord::APP_ID),
        TIMEOUT,
    )
    .await;

    let id = fake
        .send_interaction(fake.slash_command("ping", json!([]), 42, FakeDiscord::COFFEE_CHANNEL_ID))
        .await;
    let callback = fake.wait_for_callback(&id).await;
    assert_eq!(callback.body["data"]["content"], "pong");
    fake.assert_no_violations().await;

    shards.shutdown_all().await;
    let _ = tokio::time::timeout(TIMEOUT, task).await;
}
