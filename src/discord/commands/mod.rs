//! Every command the bot registers, one file per group, listed in [`all`]. Permissions are
//! declared on each command (`default_member_permissions`) and checked again when it runs.

pub mod admin;
pub mod coach;
pub mod peers;
pub mod review;
pub mod tips;

use super::{Data, Error};

/// The registry: every slash and context-menu command.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        review::review(),
        review::review_message(),
        peers::profile(),
        peers::peers(),
        coach::coach(),
        tips::tip(),
        admin::setup(),
        admin::stats(),
    ]
}
