//! Which gateway shards a process runs, from `SHARDS`: `auto` (Discord's recommended count,
//! all in this process) or `FIRST-LAST/TOTAL` (`0-3/16`: shards 0 to 3 of 16; `1/2` is shard
//! 1 of 2). A server belongs to shard `(guild_id >> 22) % TOTAL`, and work that belongs to a
//! server (its tips) runs only in the process that owns that shard; DMs arrive on shard 0.

use std::fmt;
use std::str::FromStr;

/// The shards of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shards {
    /// As many shards as Discord recommends, all here: this process owns every server.
    #[default]
    Auto,
    /// Shards `first..=last` of `total`.
    Range { first: u32, last: u32, total: u32 },
}

/// The shard a server's events arrive on, out of `total`.
pub fn shard_of(guild_id: u64, total: u32) -> u32 {
    let total = u64::from(total.max(1));
    // The remainder is below `total`, which is a u32.
    ((guild_id >> 22) % total) as u32
}

impl Shards {
    /// Whether this process runs the shard of `guild_id`.
    pub fn owns_guild(&self, guild_id: u64) -> bool {
        match *self {
            Shards::Auto => true,
            Shards::Range { first, last, total } => {
                (first..=last).contains(&shard_of(guild_id, total))
            }
        }
    }

    /// Whether this process runs shard 0, where DMs arrive (and so sends what belongs to no
    /// server: follow-up DMs).
    pub fn owns_dms(&self) -> bool {
        match *self {
            Shards::Auto => true,
            Shards::Range { first, .. } => first == 0,
        }
    }
}

impl FromStr for Shards {
    type Err = String;

    fn from_str(text: &str) -> Result<Shards, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("auto") {
            return Ok(Shards::Auto);
        }
        let bad = || format!("{text:?}: expected auto, FIRST-LAST/TOTAL (0-3/16) or N/TOTAL (1/2)");
        let (range, total) = text.split_once('/').ok_or_else(bad)?;
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| bad());
        let (first, last) = match range.split_once('-') {
            Some((first, last)) => (number(first)?, number(last)?),
            None => (number(range)?, number(range)?),
        };
        let total = number(total)?;
        if total == 0 || first > last || last >= total {
            return Err(format!(
                "{text:?}: shards {first} to {last} do not fit in a total of {total}"
            ));
        }
        Ok(Shards::Range { first, last, total })
    }
}

impl fmt::Display for Shards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Shards::Auto => f.write_str("auto"),
            Shards::Range { first, last, total } => write!(f, "{first}-{last}/{total}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_single_shards_and_auto() {
        assert_eq!("auto".parse(), Ok(Shards::Auto));
        assert_eq!(
            "0-3/16".parse(),
            Ok(Shards::Range {
                first: 0,
                last: 3,
                total: 16
            })
        );
        assert_eq!(
            " 1/2 ".parse(),
            Ok(Shards::Range {
                first: 1,
                last: 1,
                total: 2
            })
        );
        for bad in ["", "3", "4-2/8", "0-8/8", "0/0", "a-b/c", "1-/4"] {
            assert!(bad.parse::<Shards>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_server_belongs_to_exactly_one_process() {
        let processes: Vec<Shards> = ["0-1/4", "2/4", "3-3/4"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        for guild in (0..200u64).map(|i| (i * 7919) << 22 | i) {
            let owners = processes.iter().filter(|p| p.owns_guild(guild)).count();
            assert_eq!(owners, 1, "guild {guild}");
        }
        assert!(processes[0].owns_dms() && !processes[1].owns_dms());
        assert!(Shards::Auto.owns_guild(42) && Shards::Auto.owns_dms());
        assert_eq!(shard_of(197_038_439_483_310_086, 1), 0);
        assert_eq!(shard_of(1 << 22, 2), 1);
        assert_eq!(
            shard_of(3 << 22 | 12_345, 2),
            1,
            "only the timestamp bits count"
        );
    }
}
