//! 结果运用: whether a branch keeps its 五星级 eligibility. The notice: "对于整改落实不到位的，
//! 取消五星级党支部评选资格". A branch is ineligible when, at the campaign's results date (or today,
//! if that is earlier), any measure is past its deadline and not closed off, its ledger is not
//! signed off, or a 回头看 found the problem back (反弹). Every reason is said in words.

use time::Date;

use super::dates::{format_date, is_overdue};
use super::progress::DeadlineBasis;
use super::states::{LedgerState, MeasureStatus};

/// What the judgement looks at for one branch.
pub struct Facts<'a> {
    pub ledger: LedgerState,
    /// Measures overdue on the day judged (domain::dates::is_overdue), and one of them to name.
    pub overdue: usize,
    pub example: Option<&'a str>,
    /// 回头看 re-checks that found 反弹.
    pub rebounds: usize,
    /// Which deadline `overdue` was counted against, and how many measures had one moved by an
    /// approved 延期申请: said beside the overdue reason.
    pub basis: DeadlineBasis,
    pub extended: usize,
    /// 督查发现 not yet answered and approved: they count like any finding of the ledger, whose
    /// sign-off does not cover them.
    pub inspection_open: usize,
}

impl<'a> Facts<'a> {
    /// The facts from a branch's measures (text, deadline, status), counted on `on`.
    pub fn from_measures(
        ledger: LedgerState, measures: &[(&'a str, Option<Date>, MeasureStatus)], rebounds: usize, on: Date,
    ) -> Self {
        let overdue: Vec<&'a str> = measures
            .iter()
            .filter(|(_, d, s)| is_overdue(*d, *s, on))
            .map(|(t, _, _)| *t)
            .collect();
        Facts {
            ledger,
            overdue: overdue.len(),
            example: overdue.first().copied(),
            rebounds,
            basis: DeadlineBasis::Approved,
            extended: 0,
            inspection_open: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub eligible: bool,
    /// Why not, in words; empty when eligible.
    pub reasons: Vec<String>,
}

/// The day the judgement is made on: the results date, or today if that comes first.
pub fn as_of(results_due: Date, today: Date) -> Date {
    results_due.min(today)
}

pub fn judge(f: &Facts<'_>, on: Date) -> Judgement {
    let mut reasons = Vec::new();
    if f.ledger != LedgerState::SignedOff {
        reasons.push(format!(
            "问题整改台账未经党总支（党委）审核签字（当前：{}）",
            f.ledger.label()
        ));
    }
    if f.overdue > 0 {
        let example = f
            .example
            .map(|t| format!("，如：“{}”", super::submission::quote(t)))
            .unwrap_or_default();
        let basis = match (f.basis, f.extended) {
            (DeadlineBasis::Original, _) => "（按原定整改时限判断，不计延期）".to_string(),
            (DeadlineBasis::Approved, 0) => String::new(),
            (DeadlineBasis::Approved, n) => format!("（按批准延期后的时限判断；{n} 条措施经批准延期）"),
        };
        reasons.push(format!(
            "有 {} 条整改措施截至 {} 已超过整改时限仍未销号{basis}{example}",
            f.overdue,
            format_date(on)
        ));
    }
    if f.rebounds > 0 {
        reasons.push(format!("整改“回头看”发现 {} 条问题反弹", f.rebounds));
    }
    if f.inspection_open > 0 {
        reasons.push(format!(
            "组织部督查发现的问题有 {} 条尚未制定整改措施并经审核通过",
            f.inspection_open
        ));
    }
    Judgement {
        eligible: reasons.is_empty(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ON: Date = date!(2022 - 11 - 30);

    fn facts(
        ledger: LedgerState, measures: Vec<(&'static str, Option<Date>, MeasureStatus)>, rebounds: usize,
    ) -> Facts<'static> {
        Facts::from_measures(ledger, &measures, rebounds, ON)
    }

    #[test]
    fn a_signed_ledger_with_everything_in_time_keeps_eligibility() {
        let f = facts(
            LedgerState::SignedOff,
            vec![
                ("已销号的", Some(date!(2022 - 10 - 31)), MeasureStatus::ClosedOut),
                ("未到期的", Some(date!(2022 - 12 - 31)), MeasureStatus::InProgress),
                ("到期当天", Some(ON), MeasureStatus::NotStarted),
            ],
            0,
        );
        assert_eq!(
            judge(&f, ON),
            Judgement {
                eligible: true,
                reasons: vec![]
            }
        );
    }

    #[test]
    fn each_failing_rule_is_named() {
        let f = facts(
            LedgerState::Submitted,
            vec![
                ("补开支委会", Some(date!(2022 - 11 - 01)), MeasureStatus::Done),
                ("整理档案", Some(date!(2022 - 11 - 15)), MeasureStatus::InProgress),
            ],
            1,
        );
        let j = judge(&f, ON);
        assert!(!j.eligible);
        assert_eq!(j.reasons.len(), 3);
        assert!(j.reasons[0].contains("未经党总支（党委）审核签字（当前：已提交）"));
        assert!(j.reasons[1].contains("有 2 条整改措施截至 2022-11-30 已超过整改时限仍未销号，如：“补开支委会”"));
        assert_eq!(j.reasons[2], "整改“回头看”发现 1 条问题反弹");
    }

    #[test]
    fn an_inspection_finding_not_yet_approved_costs_eligibility_on_a_signed_ledger() {
        let mut f = facts(LedgerState::SignedOff, vec![], 0);
        assert!(judge(&f, ON).eligible);
        f.inspection_open = 2;
        let j = judge(&f, ON);
        assert!(!j.eligible);
        assert_eq!(
            j.reasons,
            vec!["组织部督查发现的问题有 2 条尚未制定整改措施并经审核通过"]
        );
    }

    #[test]
    fn a_done_but_unconfirmed_measure_past_its_deadline_counts_against() {
        let f = facts(
            LedgerState::SignedOff,
            vec![("x", Some(date!(2022 - 11 - 29)), MeasureStatus::Done)],
            0,
        );
        assert!(!judge(&f, ON).eligible);
    }

    #[test]
    fn judged_at_the_results_date_or_today_if_earlier() {
        assert_eq!(as_of(ON, date!(2026 - 11 - 26)), ON);
        assert_eq!(as_of(ON, date!(2022 - 11 - 10)), date!(2022 - 11 - 10));
        // A deadline between today and the results date is not yet overdue today.
        let m = [("x", Some(date!(2022 - 11 - 20)), MeasureStatus::InProgress)];
        let early = as_of(ON, date!(2022 - 11 - 10));
        assert!(judge(&Facts::from_measures(LedgerState::SignedOff, &m, 0, early), early).eligible);
        let late = as_of(ON, date!(2022 - 12 - 01));
        assert!(!judge(&Facts::from_measures(LedgerState::SignedOff, &m, 0, late), late).eligible);
    }

    #[test]
    fn the_overdue_reason_says_which_deadline_it_judged_against() {
        let mut f = facts(
            LedgerState::SignedOff,
            vec![("整理档案", Some(date!(2022 - 11 - 15)), MeasureStatus::InProgress)],
            0,
        );
        f.extended = 2;
        let approved = judge(&f, ON).reasons.join("");
        assert!(
            approved.contains("按批准延期后的时限判断；2 条措施经批准延期"),
            "{approved}"
        );
        f.basis = DeadlineBasis::Original;
        assert!(judge(&f, ON).reasons.join("").contains("按原定整改时限判断"));
        f.extended = 0;
        f.basis = DeadlineBasis::Approved;
        assert!(!judge(&f, ON).reasons.join("").contains("判断"));
    }
}
