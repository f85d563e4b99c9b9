//! The in-memory [`PeerIndex`] through the public API: it follows profile writes and deletes.

use std::collections::HashMap;

use chrono::Utc;
use coffee_coach::core::peers::{PeerIndex, Seeker};
use coffee_coach::core::profile::{Profile, Stage};

fn profile(user_id: u64, field: &str, stage: Stage, open: bool) -> Profile {
    Profile {
        guild_id: 1,
        user_id,
        role: "analyst".into(),
        field: field.into(),
        stage,
        move_from: None,
        move_to: None,
        moved_on: None,
        topics: Vec::new(),
        can_help_with: String::new(),
        open_to_coffee: open,
        updated_at: Utc::now(),
    }
}

#[test]
fn the_index_follows_writes_and_deletes() {
    let mut index = PeerIndex::new([
        profile(1, "UX research", Stage::FirstRole, true),
        profile(2, "UX research", Stage::Established, false),
        profile(3, "nursing", Stage::FirstRole, true),
    ]);
    assert_eq!(index.len(), 2, "closed profiles are not indexed");
    let seeker = Seeker {
        guild_id: 1,
        user_id: 9,
        profile: None,
        goal: Some("UX research".into()),
    };
    let ids = |index: &PeerIndex| -> Vec<u64> {
        index
            .suggest(&seeker, &HashMap::new(), 0, 5, Utc::now())
            .iter()
            .map(|s| s.user_id)
            .collect()
    };
    assert_eq!(ids(&index), [1]);
    index.upsert(profile(2, "UX research", Stage::Established, true));
    assert_eq!(ids(&index).len(), 2);
    index.upsert(profile(1, "nursing", Stage::FirstRole, true));
    assert_eq!(
        ids(&index),
        [2],
        "a changed field leaves the old token's list"
    );
    index.remove(2);
    assert!(ids(&index).is_empty());
}
