//! The REST side of the fake Discord: record, validate, answer.
//!
//! [`handle`] is the axum fallback for every path except `/gateway`. It records the request as
//! a `RecordedRequest` (the JSON body, or the `payload_json` part of a multipart body),
//! matches it to an operation of the OpenAPI spec, validates the body, applies any
//! `fail_route` override, then answers with a canned response shaped like Discord's (which
//! the fake checks deserialises into the serenity type the client expects). A request
//! outside the spec or one the fake does not emulate gets a Discord-style 404 and is recorded
//! as a violation.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::openapi::{self, Matched};
use super::payloads::{self, command_id};
use super::{lock, FakeDiscord, RecordedRequest, State};

const API_PREFIX: &str = "/api/v10";

pub async fn handle(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = method.as_str().to_owned();
    let path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let body = parse_body(&state, &method, &path, &headers, &body);
    lock(&state.requests).push(RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        query,
        body: body.clone(),
        at: Instant::now(),
    });

    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    // Any bot token will do (the bot may read its own from the environment), but it must be
    // sent the way Discord requires.
    if !auth.is_some_and(|a| a.len() > 4 && a.starts_with("Bot ")) {
        state.violation(format!("{method} {path}: Authorization header is {auth:?}"));
    }

    let Some(api_path) = path.strip_prefix(API_PREFIX) else {
        state.violation(format!("{method} {path}: not under {API_PREFIX}"));
        return error(404, 0, "404: Not Found");
    };
    let spec = openapi::spec();
    let template = match spec.route(&method, api_path) {
        Matched::Route { template } => template,
        Matched::WrongMethod { template } => {
            state.violation(format!(
                "{method} {path}: {template} has no {method} in Discord's OpenAPI spec"
            ));
            return error(405, 0, "405: Method Not Allowed");
        }
        Matched::Unknown => {
            state.violation(format!(
                "{method} {path}: no such route in Discord's OpenAPI spec"
            ));
            return error(404, 0, "404: Not Found");
        }
    };
    if !body.is_null() {
        let errors = spec.validate(&method, api_path, &body);
        if !errors.is_empty() {
            state.violation(format!(
                "{method} {path}: body does not match Discord's OpenAPI spec:\n  {}\n  body: {body}",
                errors.join("\n  ")
            ));
            // What Discord does with a body it rejects.
            return error(400, 50035, "Invalid Form Body");
        }
    }

    let failure = {
        let mut failures = lock(&state.failures);
        let hit = failures
            .iter_mut()
            .rev()
            .find(|(m, p, _, left)| *m == method && path.contains(p.as_str()) && *left != Some(0));
        hit.map(|(_, _, status, left)| {
            if let Some(n) = left {
                *n -= 1;
            }
            *status
        })
    };
    if let Some(status) = failure {
        return match status {
            403 => error(403, 50013, "Missing Permissions"),
            404 => error(404, 10003, "Unknown Channel"),
            400 => error(400, 50035, "Invalid Form Body"),
            429 => {
                let mut response = error(429, 0, "You are being rate limited.");
                // Discord's 429 carries how long to wait, in the body and the headers.
                if let Ok(body) = serde_json::to_vec(&json!({
                    "message": "You are being rate limited.",
                    "retry_after": 0.2,
                    "global": false,
                    "code": 0,
                })) {
                    *response.body_mut() = axum::body::Body::from(body);
                }
                response
                    .headers_mut()
                    .insert("retry-after", axum::http::HeaderValue::from_static("1"));
                response
            }
            s => error(s, 0, "Fake failure"),
        };
    }

    let segs: Vec<&str> = api_path.split('/').filter(|s| !s.is_empty()).collect();
    match answer(&state, &method, &template, &segs, &body) {
        Some(response) => response,
        None => {
            state.violation(format!(
                "{method} {path} ({template}) is in the spec but the fake Discord does not \
                 emulate it; extend tests/integration/fake/rest.rs"
            ));
            error(404, 0, "404: Not Found")
        }
    }
}

/// The JSON body, or `payload_json` of a multipart body; `Null` if there is none.
fn parse_body(state: &State, method: &str, path: &str, headers: &HeaderMap, body: &Bytes) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        return match multipart_payload_json(content_type, body) {
            Some(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                state.violation(format!(
                    "{method} {path}: payload_json is not JSON ({e}): {text}"
                ));
                Value::String(text)
            }),
            None => Value::Null,
        };
    }
    match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let text = String::from_utf8_lossy(body).into_owned();
            state.violation(format!(
                "{method} {path}: body ({content_type}) is not JSON ({e}): {text}"
            ));
            Value::String(text)
        }
    }
}

/// Finds the `payload_json` part of a multipart/form-data body.
fn multipart_payload_json(content_type: &str, body: &[u8]) -> Option<String> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    for part in text.split(delimiter.as_str()) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        if head.contains("name=\"payload_json\"") {
            return Some(content.trim_end_matches("\r\n").to_owned());
        }
    }
    None
}

fn error(status: u16, code: u32, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        axum::Json(json!({ "message": message, "code": code })),
    )
        .into_response()
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Records a violation if the fake's own answer would not deserialise in serenity.
fn checked<T: serde::de::DeserializeOwned>(state: &State, what: &str, v: Value) -> Response {
    if let Err(e) = serde_json::from_value::<T>(v.clone()) {
        state.violation(format!(
            "fake Discord bug: its answer to {what} does not deserialise into {}: {e}\n  {v}",
            std::any::type_name::<T>()
        ));
    }
    ok(v)
}

fn id(seg: &str) -> u64 {
    seg.parse().unwrap_or(0)
}

/// The canned answer for one operation, or `None` if the fake does not emulate it.
fn answer(
    state: &State,
    method: &str,
    template: &str,
    segs: &[&str],
    body: &Value,
) -> Option<Response> {
    use serenity::all::{
        BotGateway, Command, CurrentApplicationInfo, CurrentUser, GuildChannel, Member, Message,
        PrivateChannel,
    };
    let gateway_url = format!("ws://127.0.0.1:{}/gateway", state.port);
    Some(match (method, template) {
        ("GET", "/gateway") => ok(json!({ "url": gateway_url })),
        ("GET", "/gateway/bot") => checked::<BotGateway>(
            state,
            "GET /gateway/bot",
            json!({
                "url": gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1
                },
            }),
        ),
        ("GET", "/users/@me") => {
            let mut me = payloads::user(FakeDiscord::BOT_USER_ID);
            me["verified"] = json!(true);
            me["mfa_enabled"] = json!(false);
            checked::<CurrentUser>(state, "GET /users/@me", me)
        }
        ("GET", "/users/{user_id}") => ok(payloads::user(id(segs[1]))),
        ("GET", "/oauth2/applications/@me") | ("GET", "/applications/@me") => {
            checked::<CurrentApplicationInfo>(state, "GET application info", application())
        }
        ("PUT", "/applications/{application_id}/commands") => {
            checked::<Vec<Command>>(state, "PUT global commands", echo_commands(body, None))
        }
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands") => {
            checked::<Vec<Command>>(
                state,
                "PUT guild commands",
                echo_commands(body, Some(id(segs[3]))),
            )
        }
        ("POST", "/applications/{application_id}/commands") => {
            checked::<Command>(state, "POST global command", echo_command(body, None))
        }
        ("POST", "/applications/{application_id}/guilds/{guild_id}/commands") => {
            checked::<Command>(
                state,
                "POST guild command",
                echo_command(body, Some(id(segs[3]))),
            )
        }
        ("GET", "/applications/{application_id}/commands")
        | ("GET", "/applications/{application_id}/guilds/{guild_id}/commands") => ok(json!([])),
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback") => {
            interaction_callback(state, segs[2], body);
            no_content()
        }
        ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original") => {
            let mid = lock(&state.originals).get(segs[2]).copied();
            match mid.and_then(|m| lock(&state.messages).get(&m).cloned()) {
                Some(m) => checked::<Message>(state, "GET @original", m),
                None => error(404, 10008, "Unknown Message"),
            }
        }
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original") => {
            let token = segs[2];
            let existing = lock(&state.originals).get(token).copied();
            let mid = match existing {
                Some(mid) => mid,
                None => {
                    let m = new_message(state, channel_of(state, token), body);
                    let mid = id(m["id"].as_str().unwrap_or("0"));
                    lock(&state.originals).insert(token.to_owned(), mid);
                    mid
                }
            };
            let m = edit_message(state, mid, body);
            checked::<Message>(state, "PATCH @original", m)
        }
        ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original") => no_content(),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}") => {
            let mut m = new_message(state, channel_of(state, segs[2]), body);
            m["webhook_id"] = json!(FakeDiscord::APP_ID.to_string());
            m["application_id"] = json!(FakeDiscord::APP_ID.to_string());
            store(state, &m);
            checked::<Message>(state, "POST followup", m)
        }
        ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
        | ("GET", "/channels/{channel_id}/messages/{message_id}") => {
            match lock(&state.messages)
                .get(&id(segs[segs.len() - 1]))
                .cloned()
            {
                Some(m) => checked::<Message>(state, "GET message", m),
                None => error(404, 10008, "Unknown Message"),
            }
        }
        ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
        | ("PATCH", "/channels/{channel_id}/messages/{message_id}") => {
            let m = edit_message(state, id(segs[segs.len() - 1]), body);
            checked::<Message>(state, "PATCH message", m)
        }
        ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
        | ("DELETE", "/channels/{channel_id}/messages/{message_id}") => no_content(),
        ("POST", "/channels/{channel_id}/messages") => {
            let m = new_message(state, id(segs[1]), body);
            checked::<Message>(state, "POST channel message", m)
        }
        ("GET", "/channels/{channel_id}/messages") => ok(json!([])),
        ("POST", "/channels/{channel_id}/typing") => no_content(),
        ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me")
        | ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me") => {
            no_content()
        }
        ("POST", "/channels/{channel_id}/messages/{message_id}/threads") => {
            // A thread started from a message has the message's id.
            let thread = payloads::thread_channel(
                id(segs[3]),
                id(segs[1]),
                body["name"].as_str().unwrap_or("thread"),
                FakeDiscord::BOT_USER_ID,
            );
            lock(&state.threads).insert(id(segs[3]), thread.clone());
            checked::<GuildChannel>(state, "POST message thread", thread)
        }
        ("POST", "/channels/{channel_id}/threads") => {
            let tid = state.snowflake();
            let mut thread = payloads::thread_channel(
                tid,
                id(segs[1]),
                body["name"].as_str().unwrap_or("thread"),
                FakeDiscord::BOT_USER_ID,
            );
            if let Some(kind) = body["type"].as_u64() {
                thread["type"] = json!(kind);
            }
            lock(&state.threads).insert(tid, thread.clone());
            checked::<GuildChannel>(state, "POST thread", thread)
        }
        ("PUT", "/channels/{channel_id}/thread-members/{user_id}") => no_content(),
        ("POST", "/users/@me/channels") => {
            let user_id = body["recipient_id"]
                .as_str()
                .map(id)
                .or_else(|| body["recipient_id"].as_u64())
                .unwrap_or(0);
            let channel_id = {
                let mut map = lock(&state.dm_channels);
                *map.entry(user_id).or_insert_with(|| state.snowflake())
            };
            checked::<PrivateChannel>(
                state,
                "POST /users/@me/channels",
                payloads::dm_channel(channel_id, user_id),
            )
        }
        ("GET", "/channels/{channel_id}") => match channel(state, id(segs[1])) {
            Some(c) => ok(c),
            None => error(404, 10003, "Unknown Channel"),
        },
        ("GET", "/guilds/{guild_id}/channels") => ok(json!(payloads::guild_create()["channels"])),
        ("GET", "/guilds/{guild_id}/members/{user_id}") => {
            let mut m = payloads::member(id(segs[3]), None);
            m["guild_id"] = json!(FakeDiscord::GUILD_ID.to_string());
            checked::<Member>(state, "GET member", m)
        }
        _ => return None,
    })
}

/// Any guild, thread or DM channel the fake knows, as `GET /channels/{id}` returns it.
fn channel(state: &State, channel_id: u64) -> Option<Value> {
    let guild = payloads::guild_create();
    if let Some(c) = guild["channels"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == json!(channel_id.to_string()))
    {
        return Some(c.clone());
    }
    if let Some(t) = lock(&state.threads).get(&channel_id) {
        return Some(t.clone());
    }
    let dm = lock(&state.dm_channels)
        .iter()
        .find(|(_, c)| **c == channel_id)
        .map(|(u, _)| *u);
    dm.map(|user_id| payloads::dm_channel(channel_id, user_id))
}

/// The application, owned by [`FakeDiscord::OWNER_ID`].
fn application() -> Value {
    json!({
        "id": FakeDiscord::APP_ID.to_string(),
        "name": "coffee-coach",
        "icon": null,
        "description": "Reviews coffee chat requests",
        "summary": "",
        "type": null,
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0".repeat(64),
        "owner": payloads::user(FakeDiscord::OWNER_ID),
        "team": null,
        "flags": 8_953_856,
        "hook": true,
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "tags": [],
        "install_params": null,
        "integration_types_config": { "0": {} },
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "bot": payloads::user(FakeDiscord::BOT_USER_ID),
    })
}

fn echo_command(c: &Value, guild_id: Option<u64>) -> Value {
    let mut out = c.clone();
    let name = c["name"].as_str().unwrap_or("unnamed");
    out["id"] = json!(command_id(name).to_string());
    out["application_id"] = json!(FakeDiscord::APP_ID.to_string());
    out["version"] = json!(command_id(name).to_string());
    if out["type"].is_null() {
        out["type"] = json!(1);
    }
    if out["description"].is_null() {
        out["description"] = json!("");
    }
    if out.get("default_member_permissions").is_none() {
        out["default_member_permissions"] = Value::Null;
    }
    if let Some(g) = guild_id {
        out["guild_id"] = json!(g.to_string());
    }
    out
}

fn echo_commands(body: &Value, guild_id: Option<u64>) -> Value {
    Value::Array(
        body.as_array()
            .into_iter()
            .flatten()
            .map(|c| echo_command(c, guild_id))
            .collect(),
    )
}

/// The channel an interaction token belongs to (from INTERACTION_CREATEs the fake sent).
fn channel_of(state: &State, token: &str) -> u64 {
    lock(&state.interaction_channels)
        .get(token)
        .copied()
        .unwrap_or(FakeDiscord::GENERAL_CHANNEL_ID)
}

fn store(state: &State, m: &Value) {
    if let Some(mid) = m["id"].as_str() {
        lock(&state.messages).insert(id(mid), m.clone());
    }
}

/// A message the bot sent in `channel_id` with the body's content, embeds, components, flags.
fn new_message(state: &State, channel_id: u64, body: &Value) -> Value {
    let mid = state.snowflake();
    let mut m = payloads::message(mid, channel_id, FakeDiscord::BOT_USER_ID, "");
    apply_edit(&mut m, body);
    store(state, &m);
    m
}

/// Applies a PATCH to a stored message (creating it if unknown) and returns it.
fn edit_message(state: &State, mid: u64, body: &Value) -> Value {
    let mut messages = lock(&state.messages);
    let m = messages.entry(mid).or_insert_with(|| {
        payloads::message(
            mid,
            FakeDiscord::GENERAL_CHANNEL_ID,
            FakeDiscord::BOT_USER_ID,
            "",
        )
    });
    apply_edit(m, body);
    m.clone()
}

fn apply_edit(m: &mut Value, body: &Value) {
    if let Some(content) = body.get("content") {
        m["content"] = if content.is_null() {
            json!("")
        } else {
            content.clone()
        };
    }
    if let Some(embeds) = body.get("embeds").filter(|e| e.is_array()) {
        let embeds: Vec<Value> = embeds
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let mut e = e.clone();
                if e["type"].is_null() {
                    e["type"] = json!("rich");
                }
                e
            })
            .collect();
        m["embeds"] = Value::Array(embeds);
    }
    if let Some(components) = body.get("components").filter(|c| c.is_array()) {
        m["components"] = components.clone();
    }
    if let Some(flags) = body.get("flags").and_then(Value::as_u64) {
        m["flags"] = json!(flags);
    }
    if let Some(reference) = body.get("message_reference").filter(|r| r.is_object()) {
        m["message_reference"] = reference.clone();
        m["type"] = json!(19);
    }
}

/// Handles an interaction response: a message reply (type 4) or deferral (type 5) becomes
/// the `@original` message of the token; update-message (type 7) edits the clicked message.
fn interaction_callback(state: &State, token: &str, body: &Value) {
    let data = &body["data"];
    match body["type"].as_u64() {
        Some(4 | 5) => {
            let m = new_message(state, channel_of(state, token), data);
            let mid = id(m["id"].as_str().unwrap_or("0"));
            lock(&state.originals).insert(token.to_owned(), mid);
        }
        Some(7) => {
            let mid = lock(&state.interaction_messages).get(token).copied();
            if let Some(mid) = mid {
                edit_message(state, mid, data);
                lock(&state.originals).insert(token.to_owned(), mid);
            }
        }
        _ => {}
    }
}
