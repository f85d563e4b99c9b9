//! "Ask me in a week how it went": the buttons under a review that ask for a follow-up and say
//! the member will use the better phrasing, the DM the scheduler sends when one is due, and the
//! member's answer to it. What is saved is saved before the member is told so.

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use serenity::{CreateInteractionResponse, CreateMessage, Http, UserId};

use crate::core::outcomes::Outcome;
use crate::core::tips::week_start;
use crate::discord::error::member_text;
use crate::discord::render::{self, ids, no_pings};
use crate::discord::reply::{ephemeral, updated};
use crate::discord::session::Session;
use crate::discord::state::Data;
use crate::store::outcomes::FollowUp;
use crate::store::Store;

/// "Ask me in a week how it went" under review `key`.
pub async fn ask_later(data: &Data, key: u64, session: &Session) -> CreateInteractionResponse {
    let now = data.clock.now();
    let due_at = now + data.settings.follow_up_after;
    let follow_up = FollowUp {
        id: key,
        user_id: session.user_id,
        guild_id: session.guild_id,
        week_start: week_start(now),
        statuses: session.statuses.clone(),
        used_phrasing: session.used_phrasing,
        due_at,
        asked: 0,
    };
    match data.store.add_follow_up(&follow_up).await {
        Ok(()) => ephemeral(&format!(
            "Saved: I'll DM you on {} to ask how it went. Only which checks passed and your \
             answer are kept, never the message. `/profile delete` removes it.",
            due_at.format("%A %-d %B")
        )),
        Err(e) => ephemeral(&member_text(&e.into(), "follow-up")),
    }
}

/// "I'll use this version" under review `key`.
pub async fn use_phrasing(data: &Data, key: u64, user: u64) -> CreateInteractionResponse {
    data.sessions
        .mark_phrasing_used(key, user, std::time::Instant::now());
    match data.store.mark_phrasing_used(key, user).await {
        Ok(_) => ephemeral(
            "Noted. If you asked me to check in, I'll learn whether the better phrasing helped.",
        ),
        Err(e) => ephemeral(&member_text(&e.into(), "use phrasing")),
    }
}

/// The member's answer to follow-up `id` in the DM.
pub async fn answer(data: &Data, action: &str, id: u64, user: u64) -> CreateInteractionResponse {
    let now = data.clock.now();
    let result = match action {
        ids::STOP_ASKING => data
            .store
            .delete_follow_ups(user)
            .await
            .map(|()| "Done: I won't ask you about your requests again."),
        ids::NO_REPLY_YET => match data
            .store
            .ask_again(id, user, now + data.settings.follow_up_after)
            .await
        {
            Ok(true) => Ok("Fingers crossed. I'll ask once more in a week."),
            Ok(false) => record(&data.store, id, user, Outcome::NoReply).await,
            Err(e) => Err(e),
        },
        _ => {
            let outcome = match action {
                ids::MET => Outcome::Yes,
                ids::SAID_NO => Outcome::No,
                _ => Outcome::NotSent,
            };
            record(&data.store, id, user, outcome).await
        }
    };
    match result {
        Ok(text) => updated(text),
        Err(e) => ephemeral(&member_text(&e.into(), "follow-up answer")),
    }
}

async fn record(
    store: &Store,
    id: u64,
    user: u64,
    outcome: Outcome,
) -> Result<&'static str, crate::store::StoreError> {
    let answered = store.answer_follow_up(id, user, outcome).await?;
    Ok(render::follow_up_answered(answered.then_some(outcome)))
}

/// Sends the follow-up DMs due at `now`. Each is claimed in the store before its DM goes out,
/// so it is sent once even across a restart; a DM that fails is tried again an hour later.
pub async fn send_due(http: &Http, store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    for f in store.claim_due_follow_ups(now).await? {
        let (text, row) = render::follow_up_message(f.id, f.week_start, f.asked);
        let message = CreateMessage::new()
            .content(text)
            .components(vec![row])
            .allowed_mentions(no_pings());
        let sent = match UserId::new(f.user_id).create_dm_channel(http).await {
            Ok(channel) => channel.send_message(http, message).await.map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not send a follow-up DM; trying again in an hour");
            store
                .unclaim_follow_up(f.id, now + chrono::Duration::hours(1))
                .await?;
        }
    }
    Ok(())
}
