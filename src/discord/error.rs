//! Errors members may see and errors they may not.
//!
//! A [`UserError`] carries text that is safe to show (a draft too long, a cooldown). Any other
//! error becomes "Something went wrong" for the member and a `tracing::error!` with the cause
//! chain for the operator. poise's built-in `on_error` would print the chain to the channel, so
//! [`on_error`] replaces it.

use poise::FrameworkError;

use super::state::{Context, Data, Error};

/// What a member sees when something failed on our side.
pub const SOMETHING_WENT_WRONG: &str =
    "Something went wrong on my side. Please try again in a moment.";

/// An error whose text is safe and useful to show the member.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

impl UserError {
    /// A user error as an [`Error`].
    pub fn err(text: impl Into<String>) -> Error {
        UserError(text.into()).into()
    }
}

/// The text to show a member for `error`; logs the cause chain when it is internal.
pub fn member_text(error: &Error, what: &str) -> String {
    match error.downcast_ref::<UserError>() {
        Some(user) => user.0.clone(),
        None => {
            tracing::error!(error = format!("{error:#}"), %what, "failed");
            SOMETHING_WENT_WRONG.to_string()
        }
    }
}

/// poise's error hook: friendly text for members, the cause chain in the log.
pub async fn on_error(error: FrameworkError<'_, Data, Error>) {
    match error {
        FrameworkError::Command { error, ctx, .. } => {
            if error
                .chain()
                .any(|e| e.downcast_ref::<crate::store::StoreError>().is_some())
            {
                ctx.data().metrics.store_errors.inc();
            }
            let text = member_text(&error, &ctx.command().qualified_name);
            reply(ctx, text).await;
        }
        FrameworkError::MissingUserPermissions { ctx, .. } => {
            reply(
                ctx,
                "Sorry, only members with the Manage Server permission can use this.".into(),
            )
            .await;
        }
        FrameworkError::CommandCheckFailed { ctx, error, .. } => {
            let text = match error {
                Some(e) => member_text(&e, &ctx.command().qualified_name),
                None => "Sorry, you can't use this command here.".to_string(),
            };
            reply(ctx, text).await;
        }
        FrameworkError::ArgumentParse { ctx, .. } => {
            reply(
                ctx,
                "I couldn't read those options. Please check them and try again.".into(),
            )
            .await;
        }
        FrameworkError::Setup { error, .. } => {
            tracing::error!(error = format!("{error:#}"), "setup failed");
        }
        FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(
                error = format!("{error:#}"),
                event = event.snake_case_name(),
                "event handler failed"
            );
        }
        other => {
            if let Some(ctx) = other.ctx() {
                tracing::error!(error = %other, command = %ctx.command().qualified_name, "command failed");
                reply(ctx, SOMETHING_WENT_WRONG.into()).await;
            } else {
                tracing::error!(error = %other, "framework error");
            }
        }
    }
}

async fn reply(ctx: Context<'_>, text: String) {
    if let Err(e) = super::reply::whisper(ctx, text).await {
        tracing::warn!(error = %e, "could not tell the member about an error");
    }
}
