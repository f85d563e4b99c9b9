//! The pure core: no Discord, tokio or database types, and `now` is always an argument.
//!
//! [`checks`] loads the check definitions from `config/checks/`; [`review`] runs them over a
//! draft and produces a [`review::Review`]; [`rewrite`] writes the better phrasing; [`report`]
//! renders a review as terminal text or JSON. [`profile`] and [`peers`] describe members and pick
//! peers a few steps ahead; [`coach`] is the DM coaching state machine; [`tips`] holds the tips
//! and decides which one is due.

pub mod checks;
pub mod coach;
pub mod peers;
pub mod profile;
pub mod report;
pub mod review;
pub mod rewrite;
pub mod tips;
