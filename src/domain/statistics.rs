//! 评估效果: the shares the 组织部 compares committees by, and how a table cell is shaded by its
//! share.

/// `n` of `of`, as a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate {
    pub n: i64,
    pub of: i64,
}

impl Rate {
    pub fn new(n: i64, of: i64) -> Rate {
        Rate { n, of }
    }

    /// The share in [0, 1]; `None` when there is nothing to take a share of.
    pub fn share(self) -> Option<f64> {
        (self.of > 0).then(|| self.n as f64 / self.of as f64)
    }

    /// "75%（3/4）", or "—" with nothing to count.
    pub fn words(self) -> String {
        match self.share() {
            Some(s) => format!("{:.0}%（{}/{}）", s * 100.0, self.n, self.of),
            None => "—".into(),
        }
    }
}

/// A committee's figures, ranked by 整改完成率, then 按期率, then 查摆完成率 (none counts last).
#[derive(Debug, Clone)]
pub struct CommitteeFigures {
    pub name: String,
    /// 查摆完成率: items answered of those its branches answer.
    pub answered: Rate,
    /// 整改完成率: measures closed off of all.
    pub closed_out: Rate,
    /// 按期率: closed off by their deadline of those closed off.
    pub on_time: Rate,
    /// 回头看反弹率: rebounds of the look-backs decided.
    pub rebound: Rate,
}

pub fn rank(mut figures: Vec<CommitteeFigures>) -> Vec<CommitteeFigures> {
    let key = |r: Rate| r.share().unwrap_or(-1.0);
    figures.sort_by(|a, b| {
        key(b.closed_out)
            .total_cmp(&key(a.closed_out))
            .then(key(b.on_time).total_cmp(&key(a.on_time)))
            .then(key(b.answered).total_cmp(&key(a.answered)))
    });
    figures
}

/// The shade of a cell by its share: 0 (none) to 4 (three quarters or more).
pub fn heat(share: Option<f64>) -> u8 {
    match share {
        None => 0,
        Some(s) if s <= 0.0 => 0,
        Some(s) if s < 0.25 => 1,
        Some(s) if s < 0.5 => 2,
        Some(s) if s < 0.75 => 3,
        Some(_) => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_say_their_share_and_counts() {
        assert_eq!(Rate::new(3, 4).words(), "75%（3/4）");
        assert_eq!(Rate::new(0, 0).words(), "—");
        assert_eq!(Rate::new(1, 3).share().map(|s| (s * 1000.0).round()), Some(333.0));
    }

    #[test]
    fn committees_rank_by_completion_then_on_time_and_empty_ones_last() {
        let f = |name: &str, closed: (i64, i64), on_time: (i64, i64)| CommitteeFigures {
            name: name.into(),
            answered: Rate::new(1, 1),
            closed_out: Rate::new(closed.0, closed.1),
            on_time: Rate::new(on_time.0, on_time.1),
            rebound: Rate::default(),
        };
        let ranked = rank(vec![
            f("甲", (1, 4), (1, 1)),
            f("乙", (0, 0), (0, 0)),
            f("丙", (3, 4), (1, 3)),
            f("丁", (3, 4), (3, 3)),
        ]);
        let names: Vec<&str> = ranked.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["丁", "丙", "甲", "乙"]);
    }

    #[test]
    fn cells_shade_by_quarters() {
        assert_eq!(
            [None, Some(0.0), Some(0.2), Some(0.25), Some(0.6), Some(0.75), Some(1.0)].map(heat),
            [0, 0, 1, 2, 3, 4, 4]
        );
    }
}
