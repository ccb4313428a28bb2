//! Pre-check hints from a branch's data, for the items of 附件1 that data can check: 1(1) 超期未
//! 换届, 1(2) 书记长期空缺, 1(4) 支委设置不合理. A hint is shown beside its item; it never answers
//! for the branch. An answer of 未发现问题 on an item that has a hint contradicts the data, and
//! the committee and the 组织部 see it flagged. The thresholds are configuration (`[hints]`).

use serde::Deserialize;
use time::{Date, Month};

use super::states::{Verdict, coded_enum};

coded_enum!(
    /// Which check an item's hints come from (`ledger_items.hint`).
    HintCheck {
        /// 1(1): the term has ended, or ends soon.
        Term = "term" / "按期换届",
        /// 1(2): the 书记 post has been vacant long.
        Vacancy = "vacancy" / "书记空缺",
        /// 1(4): a 支部委员会 where there should be none, or of the wrong size.
        CommitteeSize = "committee_size" / "支委设置",
    }
);

/// When a hint is due, from `config.toml`'s `[hints]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A term ending within this many days is flagged (and listed for 按期换届提醒).
    pub term_warning_days: i64,
    /// A 书记 post vacant for more than this many days is flagged.
    pub vacancy_days: i64,
    /// Fewer 正式党员 than this and a 支部委员会 is flagged (附件1 1(4): 不足7人).
    pub committee_min_members: i64,
    /// A 支部委员会 smaller or larger than this is flagged.
    pub committee_size_min: i64,
    pub committee_size_max: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            term_warning_days: 90,
            vacancy_days: 90,
            committee_min_members: 7,
            committee_size_min: 3,
            committee_size_max: 7,
        }
    }
}

impl Thresholds {
    /// Why these thresholds cannot be used, if they cannot.
    pub fn problem(&self) -> Option<&'static str> {
        let t = self;
        if t.term_warning_days < 0 || t.vacancy_days < 0 {
            return Some("hints: term_warning_days and vacancy_days must not be negative");
        }
        if t.committee_size_min < 1 || t.committee_size_min > t.committee_size_max || t.committee_min_members < 1 {
            return Some("hints: committee sizes must be positive, with committee_size_min <= committee_size_max");
        }
        None
    }
}

/// A branch's data in a campaign; `None` is "not known".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub last_election_on: Option<Date>,
    pub term_years: i64,
    pub committee_members: Option<i64>,
    pub full_members: Option<i64>,
    pub secretary_vacant_since: Option<Date>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            last_election_on: None,
            term_years: 3,
            committee_members: None,
            full_members: None,
            secretary_vacant_since: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub check: HintCheck,
    pub text: String,
    /// The data shows the problem itself, so 未发现问题 contradicts it; a term that only ends
    /// soon is a reminder, not a problem yet.
    pub is_problem: bool,
}

/// When a term from `last` of `years` years ends: the same day `years` later (29 February to
/// 28 February in a common year).
pub fn term_end(last: Date, years: i64) -> Date {
    let year = last.year() + years as i32;
    Date::from_calendar_date(year, last.month(), last.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(last)
}

fn year_month(d: Date) -> String {
    format!("{}年{}月", d.year(), d.month() as u8)
}

/// 按期换届提醒: when the term ends, if it has ended (`overdue_days` > 0) or ends within the
/// warning window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElectionDue {
    pub ends_on: Date,
    /// Days past the end (0 or less: not yet ended; then -days left).
    pub overdue_days: i64,
}

pub fn election_due(p: &Profile, today: Date, t: &Thresholds) -> Option<ElectionDue> {
    let ends_on = term_end(p.last_election_on?, p.term_years);
    let overdue_days = (today - ends_on).whole_days();
    (overdue_days > 0 || -overdue_days <= t.term_warning_days).then_some(ElectionDue { ends_on, overdue_days })
}

/// 按期换届提醒 in two numbers: of these branches, how many terms have ended, and how many end
/// within the warning window.
pub fn terms_due<'a>(profiles: impl Iterator<Item = &'a Profile>, today: Date, t: &Thresholds) -> (usize, usize) {
    profiles
        .filter_map(|p| election_due(p, today, t))
        .fold((0, 0), |(ended, soon), d| {
            if d.overdue_days > 0 {
                (ended + 1, soon)
            } else {
                (ended, soon + 1)
            }
        })
}

/// Every hint the data gives today.
pub fn hints(p: &Profile, today: Date, t: &Thresholds) -> Vec<Hint> {
    let mut out = Vec::new();
    let mut say = |check, text: String, is_problem| {
        out.push(Hint {
            check,
            text,
            is_problem,
        })
    };
    if let Some(due) = election_due(p, today, t) {
        let when = year_month(due.ends_on);
        if due.overdue_days > 0 {
            say(
                HintCheck::Term,
                format!("按期应于{when}换届，已超期{}天", due.overdue_days),
                true,
            );
        } else {
            say(HintCheck::Term, format!("将于{when}到期，请及时做好换届准备"), false);
        }
    }
    if let Some(since) = p.secretary_vacant_since {
        let days = (today - since).whole_days();
        if days > t.vacancy_days {
            say(HintCheck::Vacancy, format!("书记空缺已{days}天"), true);
        }
    }
    // 正式党员7人以上的党支部设立支部委员会 (《中国共产党支部工作条例（试行）》第九条).
    if let (Some(0), Some(full)) = (p.committee_members, p.full_members)
        && full >= t.committee_min_members
    {
        say(
            HintCheck::CommitteeSize,
            format!(
                "正式党员{full}人，达到{}人应设立支部委员会，目前未设",
                t.committee_min_members
            ),
            true,
        );
    }
    if let Some(members) = p.committee_members.filter(|m| *m > 0) {
        if let Some(full) = p.full_members {
            if full < t.committee_min_members {
                say(
                    HintCheck::CommitteeSize,
                    format!(
                        "正式党员{full}人，不足{}人却设立了支部委员会（{members}名委员）",
                        t.committee_min_members
                    ),
                    true,
                );
            }
            if members * 2 > full {
                say(
                    HintCheck::CommitteeSize,
                    format!("支委{members}人，超过正式党员（{full}人）的半数"),
                    true,
                );
            }
        }
        if members < t.committee_size_min || members > t.committee_size_max {
            say(
                HintCheck::CommitteeSize,
                format!(
                    "支委{members}人，不在{}—{}人之间",
                    t.committee_size_min, t.committee_size_max
                ),
                true,
            );
        }
    }
    out
}

/// The answer to an item of `check` contradicts the data: 未发现问题 where the data shows the
/// problem (a reminder does not count).
pub fn contradicts(verdict: Option<Verdict>, check: HintCheck, hints: &[Hint]) -> bool {
    verdict == Some(Verdict::NoProblem) && hints.iter().any(|h| h.check == check && h.is_problem)
}

/// What the lists flag for a branch: the items whose 未发现问题 its data contradicts, and its
/// term if 按期换届提醒 is due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub contradicted: Vec<HintCheck>,
    pub election: Option<ElectionDue>,
    /// Other problems the data shows (书记空缺, 支委设置), whatever the answers.
    pub problems: Vec<HintCheck>,
}

impl Flags {
    pub fn of(p: &Profile, answers: &[(HintCheck, Verdict)], today: Date, t: &Thresholds) -> Flags {
        let hints = hints(p, today, t);
        let contradicted: Vec<HintCheck> = answers
            .iter()
            .filter(|(check, verdict)| contradicts(Some(*verdict), *check, &hints))
            .map(|(check, _)| *check)
            .collect();
        let mut problems: Vec<HintCheck> = Vec::new();
        for h in hints.iter().filter(|h| h.is_problem && h.check != HintCheck::Term) {
            if !problems.contains(&h.check) && !contradicted.contains(&h.check) {
                problems.push(h.check);
            }
        }
        Flags {
            contradicted,
            election: election_due(p, today, t),
            problems,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.contradicted.is_empty() && self.election.is_none() && self.problems.is_empty()
    }

    /// "已超期40天" / "2027年2月到期".
    pub fn election_words(&self) -> String {
        match self.election {
            Some(d) if d.overdue_days > 0 => format!("换届已超期{}天", d.overdue_days),
            Some(d) => format!("{}到期", year_month(d.ends_on)),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 30);

    fn checks(p: &Profile) -> Vec<String> {
        hints(p, TODAY, &Thresholds::default())
            .into_iter()
            .map(|h| h.text)
            .collect()
    }

    fn elected(on: Date) -> Profile {
        Profile {
            last_election_on: Some(on),
            ..Profile::default()
        }
    }

    #[test]
    fn a_term_that_ended_yesterday_is_overdue_and_one_ending_today_is_not() {
        assert_eq!(
            checks(&elected(date!(2023 - 11 - 29))),
            ["按期应于2026年11月换届，已超期1天"]
        );
        assert_eq!(
            checks(&elected(date!(2023 - 11 - 30))),
            ["将于2026年11月到期，请及时做好换届准备"]
        );
        let five = Profile {
            term_years: 5,
            ..elected(date!(2021 - 11 - 29))
        };
        assert_eq!(
            checks(&five),
            ["按期应于2026年11月换届，已超期1天"],
            "the term length counts"
        );
    }

    #[test]
    fn a_term_ending_within_90_days_is_flagged_and_at_91_not() {
        // 2027-02-28 is 90 days after 2026-11-30.
        assert_eq!(
            checks(&elected(date!(2024 - 02 - 28))),
            ["将于2027年2月到期，请及时做好换届准备"]
        );
        assert!(checks(&elected(date!(2024 - 03 - 01))).is_empty());
        let due = election_due(&elected(date!(2024 - 02 - 28)), TODAY, &Thresholds::default()).unwrap();
        assert_eq!(due.overdue_days, -90);
        assert_eq!(
            election_due(&elected(date!(2024 - 03 - 01)), TODAY, &Thresholds::default()),
            None
        );
        assert!(checks(&Profile::default()).is_empty(), "no date, no hint");
    }

    #[test]
    fn terms_due_counts_ended_and_ending_apart() {
        let ps = [
            elected(date!(2023 - 11 - 29)),
            elected(date!(2024 - 02 - 28)),
            elected(date!(2024 - 03 - 01)),
            Profile::default(),
        ];
        assert_eq!(terms_due(ps.iter(), TODAY, &Thresholds::default()), (1, 1));
    }

    #[test]
    fn a_leap_day_term_ends_on_the_28th() {
        assert_eq!(term_end(date!(2024 - 02 - 29), 3), date!(2027 - 02 - 28));
    }

    #[test]
    fn a_vacancy_of_more_than_90_days_is_flagged_and_of_90_not() {
        let vacant = |days: i64| Profile {
            secretary_vacant_since: Some(TODAY - time::Duration::days(days)),
            ..Profile::default()
        };
        assert_eq!(checks(&vacant(91)), ["书记空缺已91天"]);
        assert!(checks(&vacant(90)).is_empty());
    }

    fn committee(members: i64, full: i64) -> Profile {
        Profile {
            committee_members: Some(members),
            full_members: Some(full),
            ..Profile::default()
        }
    }

    #[test]
    fn a_committee_needs_seven_full_members() {
        assert_eq!(
            checks(&committee(3, 6)),
            ["正式党员6人，不足7人却设立了支部委员会（3名委员）"]
        );
        assert!(checks(&committee(3, 7)).is_empty());
        assert!(
            checks(&committee(0, 6)).is_empty(),
            "no 支部委员会 below 7: as it should be"
        );
        assert_eq!(
            checks(&committee(0, 7)),
            ["正式党员7人，达到7人应设立支部委员会，目前未设"]
        );
    }

    #[test]
    fn a_committee_has_three_to_seven_members() {
        assert_eq!(checks(&committee(2, 30)), ["支委2人，不在3—7人之间"]);
        assert!(checks(&committee(3, 30)).is_empty());
        assert!(checks(&committee(7, 30)).is_empty());
        assert_eq!(checks(&committee(8, 30)), ["支委8人，不在3—7人之间"]);
    }

    #[test]
    fn a_committee_of_more_than_half_the_members_is_flagged() {
        // The notice's example: 正式党员7人设5名支部委员.
        assert_eq!(checks(&committee(5, 7)), ["支委5人，超过正式党员（7人）的半数"]);
        assert!(
            checks(&committee(5, 10)).is_empty(),
            "exactly half is not more than half"
        );
        assert_eq!(checks(&committee(5, 9)), ["支委5人，超过正式党员（9人）的半数"]);
    }

    #[test]
    fn only_no_problem_on_an_item_with_a_hint_contradicts() {
        let h = hints(&elected(date!(2023 - 01 - 01)), TODAY, &Thresholds::default());
        assert!(contradicts(Some(Verdict::NoProblem), HintCheck::Term, &h));
        assert!(!contradicts(Some(Verdict::Problem), HintCheck::Term, &h));
        assert!(!contradicts(None, HintCheck::Term, &h));
        assert!(!contradicts(Some(Verdict::NoProblem), HintCheck::Vacancy, &h));
        // A term ending in 90 days is a reminder: 未发现问题 still holds.
        let soon = hints(&elected(date!(2024 - 02 - 28)), TODAY, &Thresholds::default());
        assert_eq!(soon.len(), 1);
        assert!(!contradicts(Some(Verdict::NoProblem), HintCheck::Term, &soon));
    }

    #[test]
    fn a_list_flags_the_contradicted_items_and_a_term_due() {
        let p = Profile {
            full_members: Some(6),
            committee_members: Some(3),
            ..elected(date!(2023 - 10 - 21))
        };
        let answers = [
            (HintCheck::Term, Verdict::NoProblem),
            (HintCheck::CommitteeSize, Verdict::Problem),
            (HintCheck::Vacancy, Verdict::NoProblem),
        ];
        let f = Flags::of(&p, &answers, TODAY, &Thresholds::default());
        assert_eq!(
            f.contradicted,
            [HintCheck::Term],
            "a problem found agrees; no vacancy, no hint"
        );
        assert_eq!(f.problems, [HintCheck::CommitteeSize], "shown whatever the answer");
        assert_eq!(f.election_words(), "换届已超期40天");
        assert!(Flags::of(&Profile::default(), &answers, TODAY, &Thresholds::default()).is_empty());
    }

    #[test]
    fn thresholds_are_configurable_and_checked() {
        let t = Thresholds {
            vacancy_days: 30,
            ..Thresholds::default()
        };
        let p = Profile {
            secretary_vacant_since: Some(TODAY - time::Duration::days(31)),
            ..Profile::default()
        };
        assert_eq!(hints(&p, TODAY, &t).len(), 1);
        assert!(Thresholds::default().problem().is_none());
        let bad = Thresholds {
            committee_size_min: 8,
            ..Thresholds::default()
        };
        assert!(bad.problem().is_some());
    }
}
