//! One error type for every file of `config/`: a [`Problem`] names the file, the line, the TOML
//! key and what is wrong (`checks/x.toml:12: rules[2].draft[0]: bad pattern ...`); [`Problems`]
//! is the error of every loader, with every problem it found rather than the first.
//!
//! A loader collects the problems of one file in a [`FileProblems`] as it finds them: a TOML
//! error ([`FileProblems::toml`]) carries the line of its span, a problem found after parsing
//! ([`FileProblems::at`]) names the key path and gets the line of that key from `locate.rs`,
//! which parses the file's text again only when there is a problem to place.

mod locate;

use std::cell::OnceCell;
use std::fmt;

use locate::{line_at, Located};

/// One problem in one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's path (`DIR/tips.toml`, or `builtin:tips.toml` for the defaults).
    pub file: String,
    /// The line (from 1) of the key or value at fault, when known.
    pub line: Option<usize>,
    /// The TOML key path at fault, e.g. `rules[2].draft` or `tip[4].check`.
    pub key: Option<String>,
    /// What is wrong, for the person editing the file.
    pub message: String,
}

impl Problem {
    /// A problem with the file as a whole (missing, unreadable, no checks in it).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            line: None,
            key: None,
            message: message.into(),
        }
    }

    /// A problem with the value of `key` (a path such as `rules[2].draft[0]`) in `file`, whose
    /// text is `text`, at the line of that value.
    pub fn at(
        file: impl Into<String>,
        text: &str,
        key: &str,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: file.into(),
            line: Located::parse(text).and_then(|located| located.line(text, key)),
            key: Some(key.to_string()),
            message: message.into(),
        }
    }

    /// A TOML error of `text` (bad syntax, an unknown or missing key, a wrong type) at the line
    /// of its span.
    pub fn toml(file: impl Into<String>, text: &str, error: &toml::de::Error) -> Problem {
        Problem {
            file: file.into(),
            line: error.span().map(|span| line_at(text, span.start)),
            key: None,
            message: one_line(&error.message()),
        }
    }
}

/// `file:line: key: message`, without the parts that are not known.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem a loader found (never empty when returned as an error), one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Problems {
        Problems(vec![problem])
    }
}

impl Problems {
    /// The problems of several loaders together (`None` for a loader that found none).
    pub fn merge(all: impl IntoIterator<Item = Option<Problems>>) -> Problems {
        Problems(all.into_iter().flatten().flat_map(|p| p.0).collect())
    }
}

/// The problems of one file, collected while it is loaded.
pub struct FileProblems<'a> {
    file: String,
    text: &'a str,
    /// The file's keys with their lines, parsed on the first problem that needs a line.
    located: OnceCell<Option<Located>>,
    problems: Vec<Problem>,
}

impl<'a> FileProblems<'a> {
    /// No problem yet in `file`, whose text is `text`.
    pub fn new(file: impl Into<String>, text: &'a str) -> FileProblems<'a> {
        FileProblems {
            file: file.into(),
            text,
            located: OnceCell::new(),
            problems: Vec::new(),
        }
    }

    /// The file's path, as problems name it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// A problem with the value of `key` (a path such as `rules[2].draft[0]`), at its line; a
    /// key that is not in the file (a missing one) gets the line of its table.
    pub fn at(&mut self, key: impl Into<String>, message: impl Into<String>) {
        let key = key.into();
        let text = self.text;
        let line = self
            .located
            .get_or_init(|| Located::parse(text))
            .as_ref()
            .and_then(|located| located.line(text, &key));
        self.problems.push(Problem {
            file: self.file.clone(),
            line,
            key: Some(key),
            message: message.into(),
        });
    }

    /// A TOML error of the file, at the line of its span.
    pub fn toml(&mut self, error: &toml::de::Error) {
        self.problems
            .push(Problem::toml(self.file.clone(), self.text, error));
    }

    /// A problem with the file as a whole.
    pub fn whole(&mut self, message: impl Into<String>) {
        self.problems
            .push(Problem::file(self.file.clone(), message));
    }

    /// `value` when nothing was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Problems> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(Problems(self.problems))
        }
    }

    /// The problems found (none, when nothing was found).
    pub fn into_vec(self) -> Vec<Problem> {
        self.problems
    }
}

/// A message whose text spans several lines (a regex error draws the pattern; a TOML error
/// says what it expected on a line of its own) as one line.
pub fn one_line(message: &impl fmt::Display) -> String {
    message
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `` `a`, `b`, `c` ``.
pub fn quoted(names: &[impl AsRef<str>]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id = \"x\"\n\n[[rules]]\nname = \"a\"\n\n[[rules]]\nname = \"b\"\ndraft = [\n  'one',\n  '(two',\n]\n[repairs]\nx-check = \"offer\"\n";

    fn problem_at(key: &str) -> Problem {
        let mut problems = FileProblems::new("x.toml", TEXT);
        problems.at(key, "wrong");
        problems.into_vec().remove(0)
    }

    #[test]
    fn a_problem_reads_file_line_key_message() {
        assert_eq!(
            problem_at("rules[1].draft[1]").to_string(),
            "x.toml:10: rules[1].draft[1]: wrong"
        );
        assert_eq!(
            Problem::file("x.toml", "missing").to_string(),
            "x.toml: missing"
        );
    }

    #[test]
    fn keys_get_the_line_of_their_value_or_of_their_table() {
        assert_eq!(problem_at("id").line, Some(1));
        assert_eq!(problem_at("rules[1]").line, Some(6));
        assert_eq!(problem_at("rules[1].name").line, Some(7));
        assert_eq!(problem_at("repairs.x-check").line, Some(13));
        // A missing key: the line of the table it is missing from.
        assert_eq!(problem_at("rules[0].reason").line, Some(3));
        assert_eq!(problem_at("nothing").line, None);
    }

    #[test]
    fn toml_errors_carry_their_line() {
        let text = "a = 1\nb = [\n";
        let error = toml::from_str::<toml::Table>(text).expect_err("bad TOML");
        let problem = Problem::toml("f.toml", text, &error);
        assert_eq!(problem.to_string(), "f.toml:2: invalid array; expected `]`");
    }
}
