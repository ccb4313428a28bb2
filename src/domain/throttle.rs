//! Login throttling rules. Only failures count: a campus behind one NAT address logging in on
//! deadline morning is never slowed by its own successes.
//!
//! * Per account: after `ACCOUNT.max_failures` failures within the window the account is locked
//!   for `lock_secs`, right or wrong password. This is what stops guessing one password.
//! * Per client address: a much higher limit (many people share an address). Past it, further
//!   *failed* attempts from that address are answered slowly and with a lock message; a correct
//!   password still logs in, so one attacker behind the campus NAT cannot lock everybody out.

/// How many failures within how long lock for how long.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_failures: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
}

pub const ACCOUNT: Policy = Policy {
    max_failures: 5,
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
}

/// "请 N 分钟后再试" with N rounded up, never 0.
pub fn minutes_to_wait(seconds: i64) -> i64 {
    ((seconds + 59) / 60).max(1)
}

pub fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

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
            c = c.after_failure(1000 + i, ACCOUNT);
            assert_eq!(
                c.locked_for(1000 + i),
                None,
                "failure {} must not lock",
                i + 1
            );
        }
        c = c.after_failure(1004, ACCOUNT);
        assert_eq!(c.locked_for(1004), Some(ACCOUNT.lock_secs));
        assert_eq!(c.locked_for(1004 + ACCOUNT.lock_secs), None);
    }

    #[test]
    fn failures_spread_beyond_the_window_never_lock() {
        let mut c = Counter::default();
        let mut now = 10_000;
        for _ in 0..20 {
            c = c.after_failure(now, ACCOUNT);
            assert_eq!(c.locked_for(now), None);
            now += ACCOUNT.window_secs / 3;
        }
    }

    #[test]
    fn the_address_limit_is_far_higher_than_the_account_limit() {
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
