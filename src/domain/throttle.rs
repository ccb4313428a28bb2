//! Login throttling rules. Only failures count: a campus behind one NAT address logging in on
//! deadline morning is never slowed by its own successes.
//!
//! * Per account *and* address: after `PAIR.max_failures` failures within the window that account
//!   is locked for that address, right or wrong password. This is what stops guessing one
//!   password, without letting a stranger elsewhere lock a secretary out.
//! * Per account, from anywhere: a higher limit (`ACCOUNT`), against guessing from many addresses.
//! * Per client address: a higher limit still (many people share an address). Past it, further
//!   *failed* attempts from that address are answered slowly; a correct password still logs in,
//!   so one attacker behind the campus NAT cannot lock everybody out.
//!
//! An attempt is charged as a failure *before* its password is checked and refunded if it
//! succeeds, so a burst of parallel guesses cannot all slip past the check.

/// How many failures within how long lock for how long.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_failures: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
}

pub const PAIR: Policy = Policy {
    max_failures: 5,
    window_secs: 15 * 60,
    lock_secs: 15 * 60,
};
pub const ACCOUNT: Policy = Policy {
    max_failures: 30,
    window_secs: 15 * 60,
    lock_secs: 15 * 60,
};
pub const ADDRESS: Policy = Policy {
    max_failures: 50,
    window_secs: 15 * 60,
    lock_secs: 15 * 60,
};

/// A stored counter (`login_throttle` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    pub failures: i64,
    pub window_started: i64,
    pub locked_until: i64,
}

impl Counter {
    /// Seconds the lock still holds, if it does.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        (self.locked_until > now).then(|| self.locked_until - now)
    }

    /// The counter after one more failure at `now`. A window that has run out starts again.
    pub fn after_failure(self, now: i64, policy: Policy) -> Counter {
        let mut c = if now - self.window_started >= policy.window_secs {
            Counter {
                failures: 0,
                window_started: now,
                locked_until: self.locked_until,
            }
        } else {
            self
        };
        c.failures += 1;
        if c.failures >= policy.max_failures {
            c.locked_until = c.locked_until.max(now + policy.lock_secs);
            // The next window starts when the lock ends, so one more failure after it does
            // not re-lock at once.
            c.failures = 0;
            c.window_started = c.locked_until;
        }
        c
    }

    /// The counter with one charged failure taken back (the attempt succeeded).
    pub fn refund(self) -> Counter {
        Counter {
            failures: (self.failures - 1).max(0),
            ..self
        }
    }

    /// Whether a stored row no longer matters at `now` (window over, no lock), so it can go.
    pub fn expired(&self, now: i64, policy: Policy) -> bool {
        self.locked_until <= now && now - self.window_started >= policy.window_secs
    }
}

/// What to do with an attempt before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The account is locked (here or everywhere): refuse without checking; seconds left.
    Locked(i64),
    /// Check the password; the attempt has been charged as a failure.
    Proceed,
}

/// Decides an attempt and charges it as a failure up front (refunded on success), so that
/// parallel guesses are counted before any of them is checked.
pub fn charge(now: i64, counters: [Counter; 3]) -> (Gate, [Counter; 3]) {
    let [pair, account, address] = counters;
    let lock = pair.locked_for(now).max(account.locked_for(now));
    match lock {
        Some(wait) => (Gate::Locked(wait), counters),
        None => (
            Gate::Proceed,
            [
                pair.after_failure(now, PAIR),
                account.after_failure(now, ACCOUNT),
                address.after_failure(now, ADDRESS),
            ],
        ),
    }
}

/// The counters after a successful attempt: the pair starts afresh, the others take the charge back.
pub fn settle_success(counters: [Counter; 3]) -> [Counter; 3] {
    let [_, account, address] = counters;
    [Counter::default(), account.refund(), address.refund()]
}

/// "请 N 分钟后再试" with N rounded up, never 0.
pub fn minutes_to_wait(seconds: i64) -> i64 {
    ((seconds + 59) / 60).max(1)
}

pub fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

pub fn pair_key(username: &str, addr: &str) -> String {
    format!("pair:{}|{addr}", username.trim().to_lowercase())
}

/// The longest window of any policy: rows older than this (and unlocked) can be swept.
pub const MAX_WINDOW_SECS: i64 = 15 * 60;

pub fn address_key(addr: &str) -> String {
    format!("addr:{addr}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_locks_on_the_fifth_failure_within_the_window() {
        let mut c = Counter {
            window_started: 1000,
            ..Default::default()
        };
        for i in 0..4 {
            c = c.after_failure(1000 + i, PAIR);
            assert_eq!(c.locked_for(1000 + i), None, "failure {} must not lock", i + 1);
        }
        c = c.after_failure(1004, PAIR);
        assert_eq!(c.locked_for(1004), Some(PAIR.lock_secs));
        assert_eq!(c.locked_for(1004 + PAIR.lock_secs), None);
    }

    #[test]
    fn failures_spread_beyond_the_window_never_lock() {
        let mut c = Counter::default();
        let mut now = 10_000;
        for _ in 0..20 {
            c = c.after_failure(now, PAIR);
            assert_eq!(c.locked_for(now), None);
            now += PAIR.window_secs / 3;
        }
    }

    #[test]
    fn the_address_limit_is_far_higher_than_the_account_limits() {
        const { assert!(PAIR.max_failures < ACCOUNT.max_failures && ACCOUNT.max_failures < ADDRESS.max_failures) };
        let mut c = Counter::default();
        for i in 0..(ADDRESS.max_failures - 1) {
            c = c.after_failure(50_000 + i, ADDRESS);
        }
        assert_eq!(c.locked_for(50_100), None);
        c = c.after_failure(50_100, ADDRESS);
        assert!(c.locked_for(50_100).is_some());
    }

    #[test]
    fn wait_is_shown_in_whole_minutes() {
        assert_eq!(minutes_to_wait(1), 1);
        assert_eq!(minutes_to_wait(60), 1);
        assert_eq!(minutes_to_wait(61), 2);
        assert_eq!(minutes_to_wait(0), 1);
    }

    #[test]
    fn account_keys_ignore_case_and_spaces() {
        assert_eq!(account_key(" Secretary1 "), account_key("secretary1"));
    }
}
