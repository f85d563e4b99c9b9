//! Unit tests of peer scoring that need its private parts: how long ago a move reads.

use super::score::ago_text;

#[test]
fn ago_text_reads_naturally() {
    assert_eq!(ago_text(0), "this month");
    assert_eq!(ago_text(1), "1 month ago");
    assert_eq!(ago_text(7), "7 months ago");
    assert_eq!(ago_text(12), "1 year ago");
    assert_eq!(ago_text(30), "2 years ago");
}
