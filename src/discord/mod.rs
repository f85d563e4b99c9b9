//! The Discord adapter (work in progress).

use crate::settings::Settings;

/// Starts the bot and blocks until it shuts down.
pub fn run_blocking(_settings: Settings) -> anyhow::Result<()> {
    anyhow::bail!("the Discord adapter is not built yet")
}
