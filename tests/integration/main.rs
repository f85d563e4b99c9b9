//! The one integration-test binary: the review engine, the command line, the store, and the
//! Discord adapter end to end against a fake Discord on 127.0.0.1.

// Shared helpers that read like sentences (`assert_fails`, `assert_passes`).
mod support;

mod testdb;
// Every inline example of every check, the dev corpus, the rewrite property, proptest.
mod checks;
// The better phrasing: edits of the draft, kept sentences, stability, explicit repairs.
mod rewrite;
// `coffee-coach review` and `check-config` as a user runs them.
mod cli;
// `check-config` on broken configs: every problem in one run, with file, line and key.
mod config_problems;
// The fake Discord: REST + gateway on 127.0.0.1, bodies validated against the OpenAPI spec.
mod fake;
// The fake Discord on its own, with a bare serenity client.
mod harness_selftest;
// The SQLite store.
mod store;

mod shards;
// The bot end to end through the fake Discord.
mod bot;
// Profiles and peers end to end, and durability across SIGKILL.
mod peers;
// DM coaching, tips and their schedule, /setup and /stats end to end.
mod community;
// Follow-ups, outcomes, /stats yes-rates and the tips that cite them, end to end.
mod outcomes;
// The coaching state machine through `core::coach`'s public API.
mod core_coach;
// Tips and their schedule through `core::tips`'s public API.
mod core_tips;
// Peer scoring through `core::peers`'s public API.
mod core_peers;
// The in-memory `PeerIndex`.
mod core_peer_index;
// Profiles and their validation through `core::profile`'s public API.
mod core_profile;
