//! A fake Discord on 127.0.0.1 that the real serenity client connects to.
//!
//! [`FakeDiscord`] is one axum server on an ephemeral port serving both the REST API under
//! `/api/v10/...` (module `rest`) and the gateway websocket at `/gateway` (module `gateway`).
//! Every REST request is kept as a [`RecordedRequest`]; every JSON body is validated against
//! Discord's own OpenAPI spec (module `openapi`), and every dispatch the test sends is first
//! checked to deserialise into the intended serenity event (module `payloads`, which also
//! builds realistic interaction and message payloads). Anything wrong is a *violation*: the
//! `wait_for*` helpers and [`FakeDiscord::assert_no_violations`] panic on violations, and so
//! does dropping a `FakeDiscord` whose violations were never checked. [`http_for`] builds a
//! serenity `Http` pointed at the fake exactly as the bot does.

// Not every test uses every helper of the harness.
#![allow(dead_code, unused_imports)]

mod gateway;
mod openapi;
mod payloads;
mod rest;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

pub use payloads::{
    dm_channel, member, message, option_bool, option_integer, option_string, option_user,
    subcommand, subcommand_group, text_channel, thread_channel, user, ALL_PERMISSIONS,
    BOT_PERMISSIONS, MEMBER_PERMISSIONS,
};

/// How long every `wait_*` helper waits before it panics.
pub const WAIT: Duration = Duration::from_secs(10);

/// One REST request the fake received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as sent, e.g. `/api/v10/channels/1/messages`, without the query.
    pub path: String,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// The JSON body (for multipart requests: the `payload_json` part); `Null` if none.
    pub body: Value,
    /// When the fake received it.
    pub at: Instant,
}

/// Progress of the gateway, observed through a `watch` channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct GatewayProgress {
    /// IDENTIFYs received so far (one per fresh session).
    pub identifies: usize,
    /// READY (plus GUILD_CREATE) sent so far.
    pub readies: usize,
    /// RESUMEs received and answered with RESUMED.
    pub resumes: usize,
    /// Whether every shard of the total has an open connection that completed IDENTIFY or
    /// RESUME.
    pub live: bool,
    /// The shards with such a connection.
    pub live_shards: Vec<u32>,
}

/// A frame the server side of the gateway should send.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Text(String),
    Close(u16),
}

/// A route told to fail: (method, path fragment, status, times left; `None` = until cleared).
pub type Failure = (String, String, u16, Option<u32>);

/// Everything the server tasks and the test share.
pub(crate) struct State {
    pub port: u16,
    pub next_id: AtomicU64,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub violations: Mutex<Vec<String>>,
    /// Routes told to fail.
    pub failures: Mutex<Vec<Failure>>,
    pub progress: watch::Sender<GatewayProgress>,
    /// Per shard id: the live connection's id and outgoing queue.
    pub conns: Mutex<HashMap<u32, (u64, mpsc::UnboundedSender<Outgoing>)>>,
    pub next_conn: AtomicU64,
    /// Per shard id: the last sequence number sent and the session id.
    pub seqs: Mutex<HashMap<u32, u64>>,
    pub sessions: Mutex<HashMap<u32, String>>,
    /// The shard count clients IDENTIFY with (1 until one says otherwise).
    pub shard_total: AtomicU32,
    /// Messages stored by id (channel posts, followups, originals), for GET/PATCH.
    pub messages: Mutex<HashMap<u64, Value>>,
    /// `@original` message id per interaction token.
    pub originals: Mutex<HashMap<String, u64>>,
    /// DM channel id per user id.
    pub dm_channels: Mutex<HashMap<u64, u64>>,
    /// Threads created by the bot, by id.
    pub threads: Mutex<HashMap<u64, Value>>,
    /// Channel id per interaction token, from sent INTERACTION_CREATEs.
    pub interaction_channels: Mutex<HashMap<String, u64>>,
    /// Message id of the clicked message per component-interaction token.
    pub interaction_messages: Mutex<HashMap<String, u64>>,
}

impl State {
    pub fn snowflake(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    pub fn violation(&self, text: String) {
        lock(&self.violations).push(text);
    }
}

/// Locks a std mutex, ignoring poisoning (a panicking test thread must not hide the cause).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The fake Discord. Start it with [`FakeDiscord::start`]; it stops when dropped.
pub struct FakeDiscord {
    pub(crate) state: Arc<State>,
    /// How many violations a test has looked at; Drop panics if more exist.
    checked: AtomicUsize,
    server: tokio::task::JoinHandle<()>,
}

impl FakeDiscord {
    /// The application (and bot user) id of the fake application.
    pub const APP_ID: u64 = 1_000_000_000_000_000_001;
    /// The bot user's id (Discord uses the application id).
    pub const BOT_USER_ID: u64 = Self::APP_ID;
    /// The one guild the bot is in.
    pub const GUILD_ID: u64 = 1_000_000_000_000_000_100;
    /// The guild owner, a member with all permissions.
    pub const OWNER_ID: u64 = 1_000_000_000_000_000_200;
    /// A text channel `#general` in the guild (also the system channel).
    pub const GENERAL_CHANNEL_ID: u64 = 1_000_000_000_000_000_300;
    /// A text channel `#coffee` in the guild.
    pub const COFFEE_CHANNEL_ID: u64 = 1_000_000_000_000_000_301;
    /// A text channel `#coffee-coach-admin` in the guild.
    pub const ADMIN_CHANNEL_ID: u64 = 1_000_000_000_000_000_302;
    /// The `@everyone` role (same id as the guild).
    pub const EVERYONE_ROLE_ID: u64 = Self::GUILD_ID;
    /// The token [`http_for`] uses (any `Bot <token>` Authorization header is accepted).
    pub const TOKEN: &'static str = "fake-token.for.tests";

    /// Binds 127.0.0.1:0 and serves REST and the gateway until dropped.
    pub async fn start() -> FakeDiscord {
        use axum::serve::ListenerExt;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Discord: bind 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("fake Discord: local addr")
            .port();
        let (progress, _) = watch::channel(GatewayProgress::default());
        let state = Arc::new(State {
            port,
            next_id: AtomicU64::new(1_100_000_000_000_000_000),
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            failures: Mutex::new(Vec::new()),
            progress,
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            seqs: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            shard_total: AtomicU32::new(1),
            messages: Mutex::new(HashMap::new()),
            originals: Mutex::new(HashMap::new()),
            dm_channels: Mutex::new(HashMap::new()),
            threads: Mutex::new(HashMap::new()),
            interaction_channels: Mutex::new(HashMap::new()),
            interaction_messages: Mutex::new(HashMap::new()),
        });
        let app = axum::Router::new()
            .route("/gateway", axum::routing::get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(Arc::clone(&state));
        let listener = listener.tap_io(|tcp| {
            // Without this, small frames stall for ~40 ms (Nagle + delayed ACK).
            let _ = tcp.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("fake Discord server stopped: {e}");
            }
        });
        FakeDiscord {
            state,
            checked: AtomicUsize::new(0),
            server,
        }
    }

    /// `http://127.0.0.1:PORT`, for `DISCORD_API_URL` / `HttpBuilder::proxy`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.port)
    }

    /// `ws://127.0.0.1:PORT/gateway`, what `GET /gateway` answers.
    pub fn gateway_url(&self) -> String {
        format!("ws://127.0.0.1:{}/gateway", self.state.port)
    }

    /// A fresh snowflake, larger than every id handed out before.
    pub fn snowflake(&self) -> u64 {
        self.state.snowflake()
    }

    async fn wait_progress(&self, what: &str, pred: impl FnMut(&GatewayProgress) -> bool) {
        let mut rx = self.state.progress.subscribe();
        let res = tokio::time::timeout(WAIT, rx.wait_for(pred)).await;
        match res {
            Ok(Ok(_)) => {}
            _ => {
                let now = self.state.progress.borrow().clone();
                let shards: Vec<u32> = lock(&self.state.conns).keys().copied().collect();
                panic!(
                    "fake Discord: timed out after {WAIT:?} waiting for {what}; gateway: {now:?}, \
                     live shards {shards:?} of {}; requests: {:#?}; violations: {:#?}",
                    self.state.shard_total.load(Ordering::SeqCst),
                    self.request_lines(),
                    lock(&self.state.violations)
                );
            }
        }
    }

    /// Waits until a client has IDENTIFYed and READY plus GUILD_CREATE (for [`Self::GUILD_ID`])
    /// were sent on a connection that is still open.
    pub async fn wait_ready(&self) {
        self.wait_progress("READY", |p| p.readies >= 1 && p.live)
            .await;
        self.panic_on_violations();
    }

    /// Waits until `n` READYs have been sent in total (use after restarting the bot against the
    /// same fake: the second client's READY is `n = 2`).
    pub async fn wait_ready_count(&self, n: usize) {
        self.wait_progress(&format!("READY number {n}"), |p| p.readies >= n && p.live)
            .await;
        self.panic_on_violations();
    }

    /// Waits until a RESUME (op 6) arrived and RESUMED was sent.
    pub async fn wait_resumed(&self) {
        self.wait_progress("RESUME", |p| p.resumes >= 1 && p.live)
            .await;
        self.panic_on_violations();
    }

    /// How many READYs and RESUMEDs were sent so far.
    pub fn gateway_counts(&self) -> (usize, usize) {
        let p = self.state.progress.borrow();
        (p.readies, p.resumes)
    }

    /// Sends a dispatch (op 0) on the connection of its shard (a server's events on
    /// `(guild_id >> 22) % shards`, the rest on shard 0, as Discord does), after checking that
    /// `{t: event, d}` deserialises into the serenity event named `event` (panics with the serde
    /// error if not). Waits (up to [`WAIT`]) for that shard to be live, e.g. while a client
    /// resumes.
    pub async fn send_dispatch(&self, event: &str, d: Value) {
        let shard = gateway::shard_for(&self.state, &d);
        self.send_dispatch_to(shard, event, d).await;
    }

    /// [`Self::send_dispatch`] on a chosen shard's connection: stands for a server whose shard
    /// moved to another process (a rebalance) while caches elsewhere still hold it.
    pub async fn send_dispatch_to(&self, shard: u32, event: &str, d: Value) {
        payloads::check_dispatch(event, &d);
        self.wait_progress(&format!("a live connection on shard {shard}"), |p| {
            p.live_shards.contains(&shard)
        })
        .await;
        gateway::send_dispatch(&self.state, shard, event, d);
    }

    /// The shard a server's events go to, out of the shard count clients identified with.
    pub fn shard_of(&self, guild_id: u64) -> u32 {
        gateway::shard_of(guild_id, self.state.shard_total.load(Ordering::SeqCst))
    }

    /// Sends an INTERACTION_CREATE with this interaction (from one of the builders) and returns
    /// its id.
    pub async fn send_interaction(&self, interaction: Value) -> String {
        let id = interaction["id"]
            .as_str()
            .expect("interaction JSON has a string id")
            .to_owned();
        self.remember_interaction(&interaction);
        self.send_dispatch("INTERACTION_CREATE", interaction).await;
        id
    }

    /// Notes an interaction's channel and clicked message, for the REST routes that answer it.
    fn remember_interaction(&self, interaction: &Value) {
        let token = interaction["token"].as_str().unwrap_or_default().to_owned();
        let channel = interaction["channel_id"]
            .as_str()
            .and_then(|c| c.parse().ok());
        if let Some(channel) = channel {
            lock(&self.state.interaction_channels).insert(token.clone(), channel);
        }
        let message_id = interaction["message"]["id"]
            .as_str()
            .and_then(|m| m.parse().ok());
        if let Some(mid) = message_id {
            lock(&self.state.interaction_messages).insert(token, mid);
            lock(&self.state.messages)
                .entry(mid)
                .or_insert_with(|| interaction["message"].clone());
        }
    }

    /// [`Self::send_interaction`] on a chosen shard's connection (see
    /// [`Self::send_dispatch_to`]).
    pub async fn send_interaction_to(&self, shard: u32, interaction: Value) -> String {
        let id = interaction["id"].as_str().expect("an id").to_owned();
        self.remember_interaction(&interaction);
        self.send_dispatch_to(shard, "INTERACTION_CREATE", interaction)
            .await;
        id
    }

    /// Sends a MESSAGE_CREATE with this message (from [`Self::guild_message`] or
    /// [`Self::dm_message`]).
    pub async fn send_message_create(&self, message: Value) {
        self.send_dispatch("MESSAGE_CREATE", message).await;
    }

    /// Closes the live gateway socket with this close code. With 4000 the client reconnects
    /// and RESUMEs; see [`Self::wait_resumed`].
    pub async fn close_gateway(&self, code: u16) {
        self.wait_progress("a live gateway connection", |p| p.live)
            .await;
        gateway::close(&self.state, code);
    }

    /// Sends op 7 (Reconnect) or op 9 (Invalid Session, `d` = resumable) on the live gateway.
    pub async fn send_gateway_op(&self, op: u8, d: Value) {
        self.wait_progress("a live gateway connection", |p| p.live)
            .await;
        gateway::send_op(&self.state, op, d);
    }

    /// Everything received so far, oldest first.
    pub async fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    fn request_lines(&self) -> Vec<String> {
        lock(&self.state.requests)
            .iter()
            .map(|r| format!("{} {} {}", r.method, r.path, r.body))
            .collect()
    }

    /// Waits for the first request (oldest first) with this method whose path contains
    /// `path_contains`. Panics with every request seen on timeout, or if there are violations.
    pub async fn wait_for(
        &self,
        method: &str,
        path_contains: &str,
        timeout: Duration,
    ) -> RecordedRequest {
        self.wait_for_nth(method, path_contains, 0, timeout).await
    }

    /// Like [`Self::wait_for`] but for the `n`-th (0-based) matching request.
    pub async fn wait_for_nth(
        &self,
        method: &str,
        path_contains: &str,
        n: usize,
        timeout: Duration,
    ) -> RecordedRequest {
        let deadline = Instant::now() + timeout;
        loop {
            let found = lock(&self.state.requests)
                .iter()
                .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.contains(path_contains))
                .nth(n)
                .cloned();
            if let Some(found) = found {
                self.panic_on_violations();
                return found;
            }
            if Instant::now() >= deadline {
                panic!(
                    "fake Discord: no request #{n} `{method} *{path_contains}*` within {timeout:?}; \
                     requests seen: {:#?}; violations: {:#?}",
                    self.request_lines(),
                    lock(&self.state.violations)
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits for `POST /interactions/{interaction_id}/{token}/callback`.
    pub async fn wait_for_callback(&self, interaction_id: &str) -> RecordedRequest {
        self.wait_for("POST", &format!("/interactions/{interaction_id}/"), WAIT)
            .await
    }

    /// Requests whose path contains `path_contains` (any method), oldest first.
    pub async fn requests_to(&self, path_contains: &str) -> Vec<RecordedRequest> {
        lock(&self.state.requests)
            .iter()
            .filter(|r| r.path.contains(path_contains))
            .cloned()
            .collect()
    }

    /// From now on, requests with this method whose path contains `path_contains` get this
    /// status and a Discord-style error body (403 -> `50013 Missing Permissions`). Bodies are
    /// still recorded and validated.
    pub fn fail_route(&self, method: &str, path_contains: &str, status: u16) {
        lock(&self.state.failures).push((
            method.to_ascii_uppercase(),
            path_contains.to_owned(),
            status,
            None,
        ));
    }

    /// Like [`Self::fail_route`], for the next `times` matching requests only.
    pub fn fail_route_times(&self, method: &str, path_contains: &str, status: u16, times: u32) {
        lock(&self.state.failures).push((
            method.to_ascii_uppercase(),
            path_contains.to_owned(),
            status,
            Some(times),
        ));
    }

    /// Undoes every [`Self::fail_route`].
    pub fn clear_failures(&self) {
        lock(&self.state.failures).clear();
    }

    /// The violations so far (OpenAPI mismatches, unknown routes), without failing.
    pub fn violations(&self) -> Vec<String> {
        let v = lock(&self.state.violations).clone();
        self.checked.store(v.len(), Ordering::SeqCst);
        v
    }

    /// Removes and returns the violations so far: for tests that provoke one on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        let v = std::mem::take(&mut *lock(&self.state.violations));
        self.checked.store(0, Ordering::SeqCst);
        v
    }

    /// Panics listing every violation so far (OpenAPI mismatches, unknown routes).
    pub async fn assert_no_violations(&self) {
        self.panic_on_violations();
    }

    #[track_caller]
    fn panic_on_violations(&self) {
        let violations = lock(&self.state.violations).clone();
        self.checked.store(violations.len(), Ordering::SeqCst);
        if !violations.is_empty() {
            panic!(
                "fake Discord saw {} violation(s):\n{}",
                violations.len(),
                violations.join("\n")
            );
        }
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
        for (_, (_, tx)) in lock(&self.state.conns).drain() {
            let _ = tx.send(Outgoing::Close(1001));
        }
        if std::thread::panicking() {
            return;
        }
        let violations = lock(&self.state.violations).clone();
        if violations.len() > self.checked.load(Ordering::SeqCst) {
            panic!(
                "fake Discord dropped with unchecked violation(s):\n{}",
                violations.join("\n")
            );
        }
    }
}

/// A serenity `Http` pointed at the fake exactly as the bot builds it: proxy to
/// [`FakeDiscord::base_url`], rate limiter disabled (else the proxy is ignored), a reqwest
/// client that ignores system proxies, and the application id set.
pub fn http_for(fake: &FakeDiscord) -> serenity::http::Http {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client for the fake Discord");
    serenity::http::HttpBuilder::new(FakeDiscord::TOKEN)
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .client(client)
        .application_id(serenity::model::id::ApplicationId::new(FakeDiscord::APP_ID))
        .build()
}
