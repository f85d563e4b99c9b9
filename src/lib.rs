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

use core::ConfigFiles;

/// Every problem in a config, one line each (empty when all is well). The bot refuses to start
/// on any of them; `coffee-coach check-config` prints them.
pub fn config_problems(files: &ConfigFiles) -> Vec<String> {
    check_config(files).1
}

/// What a config loads into: the engine, the tips and the coaching script.
pub struct LoadedConfig {
    pub engine: core::Engine,
    pub tips: core::tips::Tips,
    pub coach: core::coach::CoachScript,
}

/// The loaded config when it has no problem, and every problem otherwise: the bot compiles
/// and parses each file once.
pub fn check_config(files: &ConfigFiles) -> (Option<LoadedConfig>, Vec<String>) {
    let mut problems = Vec::new();
    let engine = core::Engine::from_files(files);
    match &engine {
        Ok(engine) => {
            // The phrasing's rules must name checks and rules that exist.
            let rewrite = files.path_of("rewrite.toml");
            let checks = engine.checks.checks();
            for id in engine.rewriter.edited_checks() {
                if !checks.iter().any(|c| c.id == id) {
                    problems.push(format!(
                        "{}: edits: unknown check `{id}`",
                        rewrite.display()
                    ));
                }
            }
            for rule in engine.rewriter.rules_named() {
                if !checks.iter().flat_map(|c| &c.rules).any(|r| r.name == rule) {
                    problems.push(format!(
                        "{}: rule_asks: unknown rule `{rule}`",
                        rewrite.display()
                    ));
                }
            }
        }
        Err(e) => problems.push(e.to_string()),
    }
    let engine = engine.ok();
    let bot = files.path_of("bot.toml");
    match settings::BotFile::from_files(files) {
        Ok(file) => {
            if let Err(e) = file.reply_mode.parse::<store::ReplyMode>() {
                problems.push(format!("{}: reply_mode: {e}", bot.display()));
            }
        }
        Err(e) => problems.push(e.to_string()),
    }
    let text = |name: &str| files.get(name).map_or("", |f| f.text.as_str());
    let source = |name: &str| files.path_of(name).display().to_string();
    let tips = core::tips::Tips::from_str(text("tips.toml"), &source("tips.toml"))
        .map_err(|e| problems.push(e.to_string()))
        .ok();
    let coach = core::coach::CoachScript::from_str(text("coach.toml"), &source("coach.toml"))
        .map_err(|e| problems.push(e.to_string()))
        .ok();
    let loaded = match (engine, tips, coach) {
        (Some(engine), Some(tips), Some(coach)) if problems.is_empty() => Some(LoadedConfig {
            engine,
            tips,
            coach,
        }),
        _ => None,
    };
    (loaded, problems)
}
