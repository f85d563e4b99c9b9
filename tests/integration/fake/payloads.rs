//! Realistic gateway payloads, shaped as Discord sends them, and the check that each one
//! deserialises into the serenity event it is meant to be.
//!
//! The builders on [`FakeDiscord`] (`slash_command`, `message_context_menu`, `button_click`,
//! `modal_submit`, `guild_message`, `dm_message`, ...) return `serde_json::Value`s a test can
//! tweak before sending. The free functions (`option_string`, `subcommand`, ...) build the
//! `data.options` array of a slash command. [`check_dispatch`] panics unless `{t, d}` becomes
//! the named serenity `Event` variant: serenity silently turns a malformed dispatch into
//! `Event::Unknown` and runs no handler, which would let a test pass for the wrong reason.

use serde_json::{json, Map, Value};
use serenity::model::event::Event;

use super::FakeDiscord;

/// Permissions bit set of a guild admin (all permissions), as Discord's decimal string.
pub const ALL_PERMISSIONS: &str = "2251799813685247";
/// What the bot may do in the guild: view, send, embed, threads, read history, etc.
pub const BOT_PERMISSIONS: &str = "564049465064512";
/// An ordinary member's permissions in a channel.
pub const MEMBER_PERMISSIONS: &str = "1071698660929";

const TIMESTAMP: &str = "2025-01-15T10:00:00.000000+00:00";

/// Panics unless `{ "t": event, "d": d }` deserialises into serenity's `Event` variant named
/// `event` (and not into `Event::Unknown`).
#[track_caller]
pub fn check_dispatch(event: &str, d: &Value) {
    if let Some(problem) = dispatch_error(event, d) {
        panic!("{problem}");
    }
}

/// Why `{ "t": event, "d": d }` would not reach serenity as the `event` variant, if it would
/// not.
pub fn dispatch_error(event: &str, d: &Value) -> Option<String> {
    let raw = json!({ "t": event, "d": d });
    // The same path serenity takes: `Event` is `#[serde(tag = "t", content = "d")]` with an
    // untagged `Unknown` fallback, so also ask for the specific error of the typed payload.
    match serde_json::from_value::<Event>(raw) {
        Ok(Event::Unknown(_)) => Some(format!(
            "fake Discord: dispatch {event} would reach serenity as Event::Unknown (no handler \
             runs): {}\npayload: {d:#}",
            specific_error(event, d).unwrap_or_else(|| "unknown event name".to_owned())
        )),
        Ok(parsed) => {
            let name = parsed.name();
            (name.as_deref() != Some(event))
                .then(|| format!("fake Discord: dispatch {event} parsed as {name:?}"))
        }
        Err(e) => Some(format!(
            "fake Discord: dispatch {event} does not deserialise: {e}\npayload: {d:#}"
        )),
    }
}

/// The serde error of the typed payload behind `event`, for a useful panic message.
fn specific_error(event: &str, d: &Value) -> Option<String> {
    use serenity::all::{GuildChannel, Interaction, Message};
    let d = d.clone();
    let err = match event {
        "INTERACTION_CREATE" => serde_json::from_value::<Interaction>(d).err(),
        "MESSAGE_CREATE" => serde_json::from_value::<Message>(d).err(),
        "GUILD_CREATE" => serde_json::from_value::<serenity::all::Guild>(d).err(),
        "READY" => serde_json::from_value::<serenity::all::Ready>(d).err(),
        "CHANNEL_CREATE" | "THREAD_CREATE" => serde_json::from_value::<GuildChannel>(d).err(),
        _ => None,
    };
    err.map(|e| format!("serde says: {e}"))
}

/// A user object as Discord sends it.
pub fn user(id: u64) -> Value {
    let bot = id == FakeDiscord::BOT_USER_ID;
    let name = if bot {
        "coffee-coach".to_owned()
    } else {
        format!("member{}", id % 100_000)
    };
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": if bot { "4242" } else { "0" },
        "global_name": if bot { Value::Null } else { Value::String(format!("Member {}", id % 100_000)) },
        "avatar": null,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
        "banner": null,
        "accent_color": null,
        "avatar_decoration_data": null,
    })
}

/// A guild member object (with `user`) as in GUILD_CREATE and interactions.
pub fn member(id: u64, permissions: Option<&str>) -> Value {
    let mut m = json!({
        "user": user(id),
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": [],
        "joined_at": TIMESTAMP,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    });
    if let Some(p) = permissions {
        m["permissions"] = json!(p);
    }
    m
}

/// A guild text channel object.
pub fn text_channel(id: u64, name: &str, position: u16) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": null,
        "flags": 0,
    })
}

/// A public thread (type 11) under `parent_id`.
pub fn thread_channel(id: u64, parent_id: u64, name: &str, owner_id: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": 11,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "parent_id": parent_id.to_string(),
        "owner_id": owner_id.to_string(),
        "name": name,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "flags": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": false,
            "create_timestamp": TIMESTAMP,
        },
        "member": {
            "id": id.to_string(),
            "user_id": owner_id.to_string(),
            "join_timestamp": TIMESTAMP,
            "flags": 1,
        },
    })
}

/// A DM channel (type 1) with `user_id`.
pub fn dm_channel(id: u64, user_id: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": 1,
        "last_message_id": null,
        "flags": 0,
        "recipients": [user(user_id)],
    })
}

/// A message object as the REST API returns it (no `guild_id`, no `member`).
pub fn message(id: u64, channel_id: u64, author_id: u64, content: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "channel_id": channel_id.to_string(),
        "author": user(author_id),
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "flags": 0,
    })
}

/// The READY payload for a fresh session of `shard` (`[id, count]`), listing the fake guild
/// when it is on that shard.
pub fn ready(port: u16, session_id: &str, shard: [u32; 2], with_guild: bool) -> Value {
    let mut bot = user(FakeDiscord::BOT_USER_ID);
    bot["verified"] = json!(true);
    bot["mfa_enabled"] = json!(false);
    bot["email"] = Value::Null;
    json!({
        "v": 10,
        "user": bot,
        "user_settings": {},
        "private_channels": [],
        "guilds": if with_guild {
            json!([{ "id": FakeDiscord::GUILD_ID.to_string(), "unavailable": true }])
        } else {
            json!([])
        },
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": format!("ws://127.0.0.1:{port}/gateway"),
        "shard": shard,
        "application": { "id": FakeDiscord::APP_ID.to_string(), "flags": 8_953_856 },
        "_trace": ["fake-discord"],
    })
}

/// GUILD_CREATE for the fake guild: three text channels, the owner and the bot as members.
pub fn guild_create() -> Value {
    let g = FakeDiscord::GUILD_ID.to_string();
    let mut guild = json!({
        "id": g,
        "name": "Coffee Chats",
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": FakeDiscord::OWNER_ID.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": [{
            "id": g,
            "name": "@everyone",
            "color": 0,
            "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "position": 0,
            "permissions": MEMBER_PERMISSIONS,
            "managed": false,
            "mentionable": false,
            "flags": 0,
        }],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": FakeDiscord::GENERAL_CHANNEL_ID.to_string(),
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500_000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
    });
    // Split in two: one `json!` this size exceeds the macro recursion limit.
    let state = json!({
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "incidents_data": null,
        "joined_at": TIMESTAMP,
        "large": false,
        "unavailable": false,
        "member_count": 2,
        "voice_states": [],
        "members": [member(FakeDiscord::OWNER_ID, None), member(FakeDiscord::BOT_USER_ID, None)],
        "channels": [
            text_channel(FakeDiscord::GENERAL_CHANNEL_ID, "general", 0),
            text_channel(FakeDiscord::COFFEE_CHANNEL_ID, "coffee", 1),
            text_channel(FakeDiscord::ADMIN_CHANNEL_ID, "coffee-coach-admin", 2),
        ],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "embedded_activities": [],
        "lazy": true,
    });
    if let (Some(g), Value::Object(rest)) = (guild.as_object_mut(), state) {
        g.extend(rest);
    }
    guild
}

/// A string option of a slash command.
pub fn option_string(name: &str, value: &str) -> Value {
    json!({ "name": name, "type": 3, "value": value })
}

/// An integer option of a slash command.
pub fn option_integer(name: &str, value: i64) -> Value {
    json!({ "name": name, "type": 4, "value": value })
}

/// A boolean option of a slash command.
pub fn option_bool(name: &str, value: bool) -> Value {
    json!({ "name": name, "type": 5, "value": value })
}

/// A user option; `slash_command` adds the user (and member) to `data.resolved`.
pub fn option_user(name: &str, user_id: u64) -> Value {
    json!({ "name": name, "type": 6, "value": user_id.to_string() })
}

/// A subcommand (type 1) with its options: `slash_command("coach", json!([subcommand("start",
/// json!([option_string("goal", "...")]))]), ..)` is `/coach start goal:...`.
pub fn subcommand(name: &str, options: Value) -> Value {
    json!({ "name": name, "type": 1, "options": options })
}

/// A subcommand group (type 2) holding subcommands.
pub fn subcommand_group(name: &str, subcommands: Value) -> Value {
    json!({ "name": name, "type": 2, "options": subcommands })
}

/// Collects the ids of user options (type 6), at any depth.
fn user_option_ids(options: &Value, out: &mut Vec<u64>) {
    for o in options.as_array().into_iter().flatten() {
        if o["type"] == 6 {
            if let Some(id) = o["value"].as_str().and_then(|s| s.parse().ok()) {
                out.push(id);
            }
        }
        user_option_ids(&o["options"], out);
    }
}

impl FakeDiscord {
    /// The fields every interaction shares: ids, a fresh token, the guild, the member with
    /// `permissions`, locale, app permissions, entitlements, integration owners, context.
    fn interaction_base(&self, kind: u8, user_id: u64, channel_id: u64, data: Value) -> Value {
        let id = self.snowflake();
        let permissions = if user_id == FakeDiscord::OWNER_ID {
            ALL_PERMISSIONS
        } else {
            MEMBER_PERMISSIONS
        };
        json!({
            "id": id.to_string(),
            "application_id": FakeDiscord::APP_ID.to_string(),
            "type": kind,
            "data": data,
            "guild_id": FakeDiscord::GUILD_ID.to_string(),
            "guild": { "id": FakeDiscord::GUILD_ID.to_string(), "locale": "en-US", "features": [] },
            "channel": {
                "id": channel_id.to_string(),
                "type": 0,
                "guild_id": FakeDiscord::GUILD_ID.to_string(),
                "name": "coffee",
                "permissions": permissions,
                "flags": 0,
            },
            "channel_id": channel_id.to_string(),
            "member": member(user_id, Some(permissions)),
            "token": format!("fake-interaction-token-{id}"),
            "version": 1,
            "app_permissions": BOT_PERMISSIONS,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": { "0": FakeDiscord::GUILD_ID.to_string() },
            "context": 0,
            "attachment_size_limit": 10_485_760,
        })
    }

    /// Turns a guild interaction from one of the builders into one from the user's DMs with the
    /// bot: no `guild_id`/`member`, a top-level `user`, a DM `channel`, context 1.
    pub fn in_dm(&self, mut interaction: Value) -> Value {
        let user_json = interaction["member"]["user"].clone();
        let user_id: u64 = user_json["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("interaction has member.user.id");
        let channel_id = self.dm_channel_id(user_id);
        let obj = interaction
            .as_object_mut()
            .expect("interaction is an object");
        for k in ["guild_id", "guild", "member", "guild_locale"] {
            obj.remove(k);
        }
        obj.insert("user".into(), user_json);
        obj.insert("channel_id".into(), json!(channel_id.to_string()));
        obj.insert(
            "channel".into(),
            json!({ "id": channel_id.to_string(), "type": 1, "flags": 0,
                    "recipients": [user(user_id)] }),
        );
        obj.insert("context".into(), json!(1));
        obj.insert("app_permissions".into(), json!(BOT_PERMISSIONS));
        obj.insert(
            "authorizing_integration_owners".into(),
            json!({ "1": user_id.to_string() }),
        );
        interaction
    }

    /// Turns a guild interaction into one from the member's own install of the app (a user
    /// install) in a server the bot is not part of: only the user authorised it.
    pub fn by_user_install(&self, mut interaction: Value) -> Value {
        let user_id = interaction["member"]["user"]["id"].clone();
        interaction["authorizing_integration_owners"] = json!({ "1": user_id });
        interaction
    }

    /// Turns a guild interaction into one from a user install in a private channel (a group DM
    /// between members, without the bot): no server, context 2.
    pub fn in_private_channel(&self, interaction: Value) -> Value {
        let mut interaction = self.in_dm(interaction);
        let channel_id = self.state.snowflake();
        interaction["channel_id"] = json!(channel_id.to_string());
        interaction["channel"] = json!({ "id": channel_id.to_string(), "type": 3, "flags": 0,
                                         "recipients": [] });
        interaction["context"] = json!(2);
        interaction
    }

    /// The DM channel id the fake uses for `user_id` (stable; the same `POST
    /// /users/@me/channels` returns).
    pub fn dm_channel_id(&self, user_id: u64) -> u64 {
        let mut map = super::lock(&self.state.dm_channels);
        *map.entry(user_id).or_insert_with(|| self.state.snowflake())
    }

    /// A slash command (interaction type 2, command type 1) named `name` with `options` as
    /// Discord sends them (a JSON array; build it with `option_string`, `subcommand`, ...).
    /// User options get their users and members in `data.resolved`.
    pub fn slash_command(
        &self,
        name: &str,
        options: Value,
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let options = if options.is_null() {
            json!([])
        } else {
            options
        };
        let mut ids = Vec::new();
        user_option_ids(&options, &mut ids);
        let mut data = json!({
            "id": command_id(name).to_string(),
            "name": name,
            "type": 1,
            "options": options,
            "guild_id": FakeDiscord::GUILD_ID.to_string(),
        });
        if !ids.is_empty() {
            let users: Map<String, Value> =
                ids.iter().map(|id| (id.to_string(), user(*id))).collect();
            let members: Map<String, Value> = ids
                .iter()
                .map(|id| {
                    let mut m = member(*id, Some(MEMBER_PERMISSIONS));
                    if let Some(o) = m.as_object_mut() {
                        o.remove("user");
                    }
                    (id.to_string(), m)
                })
                .collect();
            data["resolved"] = json!({ "users": users, "members": members });
        }
        self.interaction_base(2, user_id, channel_id, data)
    }

    /// A subcommand invocation: `/name sub options...`.
    pub fn subcommand(
        &self,
        name: &str,
        sub: &str,
        options: Value,
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let options = if options.is_null() {
            json!([])
        } else {
            options
        };
        self.slash_command(name, json!([subcommand(sub, options)]), user_id, channel_id)
    }

    /// A message context-menu command (type 2, data.type 3) on `target_message` (a message
    /// object, e.g. from [`Self::guild_message`]); the message goes into `resolved.messages`.
    pub fn message_context_menu(
        &self,
        name: &str,
        target_message: Value,
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let target_id = target_message["id"]
            .as_str()
            .expect("target message has a string id")
            .to_owned();
        let mut resolved_message = target_message;
        if let Some(o) = resolved_message.as_object_mut() {
            // Resolved messages carry no guild_id/member.
            o.remove("guild_id");
            o.remove("member");
        }
        let data = json!({
            "id": command_id(name).to_string(),
            "name": name,
            "type": 3,
            "target_id": target_id,
            "guild_id": FakeDiscord::GUILD_ID.to_string(),
            "resolved": { "messages": { target_id.clone(): resolved_message } },
        });
        self.interaction_base(2, user_id, channel_id, data)
    }

    /// A user context-menu command (type 2, data.type 2) on `target_user_id`.
    pub fn user_context_menu(
        &self,
        name: &str,
        target_user_id: u64,
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let mut m = member(target_user_id, Some(MEMBER_PERMISSIONS));
        if let Some(o) = m.as_object_mut() {
            o.remove("user");
        }
        let t = target_user_id.to_string();
        let data = json!({
            "id": command_id(name).to_string(),
            "name": name,
            "type": 2,
            "target_id": t,
            "guild_id": FakeDiscord::GUILD_ID.to_string(),
            "resolved": {
                "users": { t.clone(): user(target_user_id) },
                "members": { t.clone(): m },
            },
        });
        self.interaction_base(2, user_id, channel_id, data)
    }

    /// A button click (type 3, component_type 2) on `message` (the message carrying the
    /// button, e.g. a recorded bot reply as returned by the fake).
    pub fn button_click(
        &self,
        custom_id: &str,
        message: Value,
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        let mut i = self.interaction_base(3, user_id, channel_id, data);
        i["message"] = message;
        i
    }

    /// A string-select choice (type 3, component_type 3) with the chosen `values`.
    pub fn select_menu(
        &self,
        custom_id: &str,
        values: &[&str],
        message: Value,
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let data = json!({ "custom_id": custom_id, "component_type": 3, "values": values });
        let mut i = self.interaction_base(3, user_id, channel_id, data);
        i["message"] = message;
        i
    }

    /// A modal submit (type 5): one action row per `(custom_id, value)` text input.
    pub fn modal_submit(
        &self,
        custom_id: &str,
        fields: &[(&str, &str)],
        user_id: u64,
        channel_id: u64,
    ) -> Value {
        let rows: Vec<Value> = fields
            .iter()
            .map(|(id, value)| {
                json!({ "type": 1, "components": [{ "type": 4, "custom_id": id, "value": value }] })
            })
            .collect();
        let data = json!({ "custom_id": custom_id, "components": rows });
        self.interaction_base(5, user_id, channel_id, data)
    }

    /// A MESSAGE_CREATE payload: `user_id` wrote `content` in a guild channel.
    pub fn guild_message(&self, channel_id: u64, user_id: u64, content: &str) -> Value {
        let mut m = message(self.snowflake(), channel_id, user_id, content);
        m["guild_id"] = json!(FakeDiscord::GUILD_ID.to_string());
        let mut partial = member(user_id, None);
        if let Some(o) = partial.as_object_mut() {
            o.remove("user");
        }
        m["member"] = partial;
        m
    }

    /// A MESSAGE_CREATE payload: `user_id` wrote `content` to the bot in their DM channel.
    pub fn dm_message(&self, user_id: u64, content: &str) -> Value {
        message(
            self.snowflake(),
            self.dm_channel_id(user_id),
            user_id,
            content,
        )
    }
}

/// A stable command id per command name (Discord keeps ids across bulk overwrites).
pub fn command_id(name: &str) -> u64 {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    1_050_000_000_000_000_000 + hash % 1_000_000_000_000_000
}
