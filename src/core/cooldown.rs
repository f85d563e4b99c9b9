//! Per-member rate limit on reviews: [`Cooldown`] keeps, for each member, the times of their
//! recent reviews and says how long to wait once they reached the limit for the window.
//! Pure: the caller passes `now`.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// A sliding-window limit of `limit` reviews per `window`, per member.
#[derive(Debug)]
pub struct Cooldown {
    limit: usize,
    window: Duration,
    hits: HashMap<u64, VecDeque<Instant>>,
}

impl Cooldown {
    /// `limit` reviews per `window` for each member.
    pub fn new(limit: u32, window: Duration) -> Cooldown {
        Cooldown {
            limit: limit.max(1) as usize,
            window,
            hits: HashMap::new(),
        }
    }

    /// Records a review by `member` at `now`, or returns how long until the next one is allowed.
    pub fn try_take(&mut self, member: u64, now: Instant) -> Result<(), Duration> {
        let window = self.window;
        let hits = self.hits.entry(member).or_default();
        while hits
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= window)
        {
            hits.pop_front();
        }
        if hits.len() >= self.limit {
            let oldest = hits.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.saturating_duration_since(oldest)));
        }
        hits.push_back(now);
        // Forget members who have been quiet for a whole window, so the map stays small.
        if self.hits.len() > 10_000 {
            self.hits.retain(|_, h| {
                h.back()
                    .is_some_and(|&t| now.saturating_duration_since(t) < window)
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_member_and_frees_up_after_the_window() {
        let start = Instant::now();
        let mut c = Cooldown::new(2, Duration::from_secs(60));
        assert!(c.try_take(1, start).is_ok());
        assert!(c.try_take(1, start + Duration::from_secs(1)).is_ok());
        let wait = c.try_take(1, start + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            c.try_take(2, start + Duration::from_secs(10)).is_ok(),
            "others are not limited"
        );
        assert!(c.try_take(1, start + Duration::from_secs(60)).is_ok());
    }
}
