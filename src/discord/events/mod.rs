//! Gateway events that are not commands, one file per event: [`message`] (the prefix command in
//! the mentoring channel, and DMs) and [`interaction`] (buttons and modals).

pub mod follow_up;
pub mod interaction;
pub mod message;

use poise::serenity_prelude as serenity;

use super::state::{Data, Error};

/// poise's event hook: routes each event to its file.
pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &serenity::FullEvent,
) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match event {
        serenity::FullEvent::Ready { .. } | serenity::FullEvent::Resume { .. } => {
            data.metrics.gateway_connects.inc();
            data.metrics.set_connected(true);
            Ok(())
        }
        serenity::FullEvent::ShardStageUpdate { event } => {
            data.metrics
                .set_connected(event.new == serenity::ConnectionStage::Connected);
            Ok(())
        }
        serenity::FullEvent::Message { new_message } => {
            message::handle(ctx, data, new_message).await
        }
        serenity::FullEvent::InteractionCreate { interaction } => {
            // Commands are counted by poise's `pre_command` hook, which runs them.
            let kind = match interaction {
                serenity::Interaction::Command(_) => None,
                serenity::Interaction::Component(_) => Some("component"),
                serenity::Interaction::Modal(_) => Some("modal"),
                serenity::Interaction::Autocomplete(_) => Some("autocomplete"),
                _ => Some("other"),
            };
            if let Some(kind) = kind {
                data.metrics.interactions.with_label_values(&[kind]).inc();
            }
            match interaction {
                serenity::Interaction::Component(c) => interaction::component(ctx, data, c).await,
                serenity::Interaction::Modal(m) => interaction::modal(ctx, data, m).await,
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}
