//! coffee-coach: reviews networking coffee requests and suggests peers a few steps ahead.
//!
//! [`core`] decides everything (review, rewrite, peers, coaching, tips) and imports no
//! Discord, tokio or database type. [`store`] is the SQLite repository. [`discord`] is the thin
//! adapter that parses interactions, calls the core and renders replies. [`cli`] is the command
//! line (`coffee-coach review`, `check-config`, `run`).

pub mod cli;
pub mod core;
pub mod discord;
pub mod settings;
pub mod store;

use std::path::Path;

/// Every problem in a config folder, one line each (empty when all is well). The bot refuses to
/// start on any of them; `coffee-coach check-config` prints them.
pub fn config_problems(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = core::Engine::load(dir) {
        problems.push(e.to_string());
    }
    match settings::BotFile::load(&dir.join("bot.toml")) {
        Ok(file) => {
            if let Err(e) = file.reply_mode.parse::<store::ReplyMode>() {
                problems.push(format!(
                    "{}: reply_mode: {e}",
                    dir.join("bot.toml").display()
                ));
            }
        }
        Err(e) => problems.push(e.to_string()),
    }
    if let Err(e) = core::tips::Tips::load(dir.join("tips.toml")) {
        problems.push(e.to_string());
    }
    if let Err(e) = core::coach::CoachScript::load(dir.join("coach.toml")) {
        problems.push(e.to_string());
    }
    problems
}
