//! Where a coaching conversation is: the steps, the member's answers so far, the stored state,
//! and the reply the bot sends next.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many prompts a conversation has.
pub const TOTAL_STEPS: u8 = 5;

/// What the member really needs from the person they want to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// An introduction to someone they know (a small favour).
    Intro,
    /// An answer to one question (a small favour).
    Question,
    /// Feedback on one specific thing (a small favour).
    Feedback,
    /// A real two-way conversation: the one case where a meeting is the right ask.
    Exchange,
}

impl Need {
    /// All needs, in the order of the numbered choices (1-4).
    pub const ALL: [Need; 4] = [Need::Intro, Need::Question, Need::Feedback, Need::Exchange];

    /// A favour that takes a couple of minutes, to be asked for directly instead of a meeting.
    pub fn is_small_favour(self) -> bool {
        !matches!(self, Need::Exchange)
    }
}

/// Where a conversation is. The order is the order of the prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Who they want to reach: role and how they know of them.
    Who,
    /// What they really need ([`Need`]).
    Need,
    /// The detail of the need: to whom, which question, feedback on what, or which topic.
    Detail,
    /// What they can bring the other person.
    Bring,
    /// What the person already published or said, and what it left open.
    Published,
}

impl Step {
    /// 1-based position, for "Step n of 5".
    pub fn number(self) -> u8 {
        match self {
            Step::Who => 1,
            Step::Need => 2,
            Step::Detail => 3,
            Step::Bring => 4,
            Step::Published => 5,
        }
    }

    pub(super) fn previous(self) -> Option<Step> {
        match self {
            Step::Who => None,
            Step::Need => Some(Step::Who),
            Step::Detail => Some(Step::Need),
            Step::Bring => Some(Step::Detail),
            Step::Published => Some(Step::Bring),
        }
    }
}

/// An answer that may be skipped on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// The member's words, trimmed, otherwise verbatim.
    Given(String),
    /// The member sent `skip` (or `nothing`, `none`...).
    Skipped,
}

/// The answers collected so far; later steps may hold answers kept from before a `back`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Step 1, verbatim: becomes the review's `recipient`.
    pub who: Option<String>,
    /// Step 2.
    pub need: Option<Need>,
    /// Step 3, verbatim.
    pub detail: Option<String>,
    /// Step 4.
    pub bring: Option<Answer>,
    /// Step 5.
    pub published: Option<Answer>,
}

impl Answers {
    /// The first step whose answer is missing (the furthest a state may validly be).
    pub(super) fn first_missing(&self) -> Option<Step> {
        if self.who.is_none() {
            Some(Step::Who)
        } else if self.need.is_none() {
            Some(Step::Need)
        } else if self.detail.is_none() {
            Some(Step::Detail)
        } else if self.bring.is_none() {
            Some(Step::Bring)
        } else if self.published.is_none() {
            Some(Step::Published)
        } else {
            None
        }
    }
}

/// One member's coaching conversation, stored as JSON by the adapter between messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachState {
    /// The question the member is answering now.
    pub step: Step,
    /// What they answered so far.
    pub answers: Answers,
    /// When the conversation (or its last restart) began.
    pub started_at: DateTime<Utc>,
    /// When the member last sent something; [`expired`](super::expired) counts from here.
    pub updated_at: DateTime<Utc>,
}

/// What the bot says next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The next question, with its progress line ("Step 2 of 5").
    Prompt { text: String },
    /// The answer could not be used; the step stays, and the text repeats its question.
    Hint { text: String },
    /// The member cancelled; the conversation is over.
    Cancelled { text: String },
    /// The conversation is over and produced a draft. The adapter reviews `draft` with
    /// `recipient` and shows the review and the better phrasing.
    Finished {
        /// Says what kind of request was built and why (a favour, or an exchange).
        intro_text: String,
        /// The assembled request; the member's answers appear verbatim.
        draft: String,
        /// Who they are writing to, as the member described them in step 1.
        recipient: String,
        /// True when the need was an introduction, one question or feedback on one thing.
        small_favour: bool,
    },
}
