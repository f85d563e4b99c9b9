//! Every command the bot registers, one file per group, listed in
//! [`all_commands`](super::all_commands). Permissions are
//! declared on each command (`default_member_permissions`) and checked again when it runs.

pub mod admin;
pub mod coach;
pub mod peers;
pub mod profile;
pub mod review;
pub mod tips;
