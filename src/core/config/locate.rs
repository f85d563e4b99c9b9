//! Where a key is in a TOML file: [`Located`] is the file's tree of keys and values with the
//! byte offset where each value starts, and [`Located::line`] turns a key path such as
//! `rules[2].draft[0]` into the line of its value. Only problems need it, so a file is parsed
//! for it only when it has one.
//!
//! The offsets come from toml's spans, asked for the way [`toml::Spanned`] asks for them (a
//! struct of three private fields). A table that TOML creates implicitly (`needs` of
//! `[needs.intro]`, `passes_if` of `passes_if.draft = [...]`) has no span, which would fail a
//! `toml::Spanned` and with it the whole file: here it is a table without an offset.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The line (from 1) of byte `offset` of `text`; the end of the text is on its last line.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    let line = text
        .get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1;
    line.min(text.lines().count().max(1))
}

/// How toml gives a value with its span (the protocol of [`toml::Spanned`]).
const SPANNED: &str = "$__serde_spanned_private_Spanned";
const START: &str = "$__serde_spanned_private_start";
const END: &str = "$__serde_spanned_private_end";
const VALUE: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: [&str; 3] = [START, END, VALUE];

/// A TOML file's keys and values with where each value starts.
pub(super) struct Located(At);

/// A value and the byte offset where it starts (none for a table TOML made implicitly).
struct At {
    start: Option<usize>,
    node: Node,
}

/// A table (keys in file order), an array, or any other value.
enum Node {
    Table(Vec<(String, At)>),
    Array(Vec<At>),
    Scalar,
}

impl Located {
    /// The tree of `text`, or `None` when it is not valid TOML (its own error says where).
    pub(super) fn parse(text: &str) -> Option<Located> {
        toml::from_str(text).ok().map(Located)
    }

    /// The line of the value at `path`; for a path that goes further than the file, the line
    /// of the deepest value it reaches below the top level.
    pub(super) fn line(&self, text: &str, path: &str) -> Option<usize> {
        let mut at = &self.0;
        let mut found = None;
        for step in steps(path) {
            let next = match (&at.node, step) {
                (Node::Table(entries), Step::Key(key)) => {
                    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
                }
                (Node::Array(items), Step::Index(i)) => items.get(i),
                _ => None,
            };
            let Some(next) = next else { break };
            at = next;
            found = at.start.map(|start| line_at(text, start)).or(found);
        }
        found
    }
}

/// One step of a key path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `rules[2].draft` as `rules`, `2`, `draft`. A key is everything up to the next `.` or `[`,
/// so keys that contain those are not found (their problem then has no line).
fn steps(path: &str) -> impl Iterator<Item = Step<'_>> {
    path.split('.').flat_map(|part| {
        let mut pieces = part.split('[');
        let key = pieces.next().filter(|k| !k.is_empty()).map(Step::Key);
        let indexes = pieces.filter_map(|i| i.strip_suffix(']')?.parse().ok().map(Step::Index));
        key.into_iter().chain(indexes)
    })
}

impl<'de> Deserialize<'de> for At {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<At, D::Error> {
        deserializer.deserialize_struct(SPANNED, &SPANNED_FIELDS, AtVisitor)
    }
}

/// The value inside a span: any TOML value.
struct Bare(At);

impl<'de> Deserialize<'de> for Bare {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Bare, D::Error> {
        deserializer.deserialize_any(AtVisitor).map(Bare)
    }
}

struct AtVisitor;

impl AtVisitor {
    fn bare(node: Node) -> At {
        At { start: None, node }
    }
}

impl<'de> Visitor<'de> for AtVisitor {
    type Value = At;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any TOML value")
    }

    /// A span (its three private fields), or a table.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<At, A::Error> {
        let mut start = None;
        let mut value = None;
        let mut entries = Vec::new();
        let mut scalar = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                START => start = Some(map.next_value::<usize>()?),
                END => {
                    map.next_value::<IgnoredAny>()?;
                }
                VALUE => value = Some(map.next_value::<Bare>()?.0),
                // A date or time arrives as a table of one private key; it is a value.
                private if private.starts_with("$__toml_private") => {
                    map.next_value::<IgnoredAny>()?;
                    scalar = true;
                }
                _ => entries.push((key, map.next_value::<At>()?)),
            }
        }
        Ok(match value {
            Some(value) => At {
                start,
                node: value.node,
            },
            None if scalar => AtVisitor::bare(Node::Scalar),
            None => AtVisitor::bare(Node::Table(entries)),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<At, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<At>()? {
            items.push(item);
        }
        Ok(AtVisitor::bare(Node::Array(items)))
    }

    fn visit_bool<E>(self, _: bool) -> Result<At, E> {
        Ok(AtVisitor::bare(Node::Scalar))
    }

    fn visit_i64<E>(self, _: i64) -> Result<At, E> {
        Ok(AtVisitor::bare(Node::Scalar))
    }

    fn visit_u64<E>(self, _: u64) -> Result<At, E> {
        Ok(AtVisitor::bare(Node::Scalar))
    }

    fn visit_f64<E>(self, _: f64) -> Result<At, E> {
        Ok(AtVisitor::bare(Node::Scalar))
    }

    fn visit_str<E>(self, _: &str) -> Result<At, E> {
        Ok(AtVisitor::bare(Node::Scalar))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_indexes() {
        let got: Vec<Step> = steps("rules[2].draft[0]").collect();
        assert_eq!(
            got,
            [
                Step::Key("rules"),
                Step::Index(2),
                Step::Key("draft"),
                Step::Index(0)
            ]
        );
        let got: Vec<Step> = steps("rule_asks.no-such-rule").collect();
        assert_eq!(got, [Step::Key("rule_asks"), Step::Key("no-such-rule")]);
    }

    #[test]
    fn the_end_of_the_text_is_on_its_last_line() {
        assert_eq!(line_at("a\nb\n", 4), 2);
        assert_eq!(line_at("a\nb\n", 2), 2);
        assert_eq!(line_at("", 0), 1);
    }

    #[test]
    fn implicit_tables_are_found_through() {
        let text = "a = 1\n[needs.intro]\nlabel = \"x\"\n\n[needs.question]\nlabel = \"\"\n";
        let located = Located::parse(text).expect("valid TOML");
        assert_eq!(located.line(text, "needs.question.label"), Some(6));
        assert_eq!(located.line(text, "needs.question.keywords"), Some(5));
        let text = "id = 1\npasses_if.draft = ['a',\n 'b']\n";
        let located = Located::parse(text).expect("valid TOML");
        assert_eq!(located.line(text, "passes_if.draft[1]"), Some(3));
    }

    #[test]
    fn every_config_file_is_located() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/config");
        let files = crate::core::ConfigFiles::read(std::path::Path::new(dir)).expect("config/");
        let top = ["bot.toml", "coach.toml", "rewrite.toml", "tips.toml"];
        let top = top.map(|name| (name, files.get(name).expect(name)));
        for (name, file) in top.into_iter().chain(files.checks()) {
            assert!(Located::parse(&file.text).is_some(), "{name}");
        }
    }

    #[test]
    fn dates_are_values_too() {
        let text = "when = 1979-05-27T07:32:00Z\nx = 1\n";
        let located = Located::parse(text).expect("valid TOML");
        assert_eq!(located.line(text, "x"), Some(2));
    }
}
