//! The committee's review: row decisions, sending a ledger back, signing it off against the
//! 四个到位, reopening; confirming or rejecting 销号; signing the 附件3 report. Each transition
//! is defined once here; handlers only ask.

use super::Role;
use super::input::{FieldErrors, text};
use super::states::{LedgerState, LookBackOutcome, MeasureStatus, ReviewState, Verdict};
use super::units::{Level, Part};

pub const COMMENT_MAX: usize = 1000;

/// 四个到位, affirmed one by one at sign-off.
pub const FOUR_IN_PLACE: [&str; 4] = ["问题查摆到位", "措施制定到位", "责任明确到位", "整改落实到位"];

/// A reviewer's decision on one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Back to the branch, with what to change.
    Return(String),
}

impl Decision {
    pub fn parse(decision: &str, comment: &str) -> Result<Decision, FieldErrors> {
        let mut e = FieldErrors::default();
        match decision {
            "approve" => return Ok(Decision::Approve),
            "return" => match text("退回意见", comment, COMMENT_MAX, true) {
                Ok(c) => return Ok(Decision::Return(c)),
                Err(m) => e.add("comment", m),
            },
            _ => e.add("decision", "请选择通过或退回"),
        }
        Err(e)
    }

    pub fn review_state(&self) -> ReviewState {
        match self {
            Decision::Approve => ReviewState::Approved,
            Decision::Return(_) => ReviewState::Returned,
        }
    }
}

/// What a user may do on a unit's ledger pages, by their part in it (domain::units::Part), in a
/// campaign and ledger state. Past campaigns are read-only for everyone. (Each step checks again
/// when it is sent: this says which forms a page shows.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Powers {
    /// The unit's own people: change answers, findings and measures' plans.
    pub edit: bool,
    /// The unit's own people: report progress (销号 requests), whatever the review state.
    pub report: bool,
    /// The level above: decide rows and sign off a submitted ledger.
    pub review: bool,
    /// The level above: reopen a signed-off ledger.
    pub reopen: bool,
    /// The level above: confirm or reject 销号.
    pub close_out: bool,
    /// The 组织部: 整改"回头看".
    pub look_back: bool,
}

impl Powers {
    pub fn of(role: Role, level: Level, current_campaign: bool, ledger: LedgerState) -> Powers {
        let part = Part::of(role, level);
        if !current_campaign || part.is_none() {
            return Powers::default();
        }
        let own = part == Some(Part::Own);
        let above = part == Some(Part::Above);
        Powers {
            edit: own && ledger.content_editable(),
            report: own,
            review: above && ledger == LedgerState::Submitted,
            reopen: above && ledger == LedgerState::SignedOff,
            close_out: above,
            look_back: role == Role::Overseer,
        }
    }
}

/// While the level above has the ledger (已提交), its row decisions are its own draft: the unit
/// sees them only once the ledger is sent back.
pub fn hidden_from(part: Option<Part>, ledger: LedgerState) -> bool {
    part == Some(Part::Own) && ledger == LedgerState::Submitted
}

/// What the level above sent an answer or a meeting record back with last time, and whether the
/// unit changed it since (`updated_at` after `reviewed_at`, both UTC "YYYY-MM-DD HH:MM:SS"): for
/// the level above, once the ledger is handed in again. A return taken back leaves no comment.
pub fn last_return(
    state: ReviewState, comment: &str, reviewed_at: Option<&str>, updated_at: &str,
) -> Option<(String, bool)> {
    (state == ReviewState::Pending && !comment.is_empty())
        .then(|| (comment.to_string(), reviewed_at.is_none_or(|r| updated_at > r)))
}

/// Rows are decided only on a ledger the branch has handed in.
pub fn may_decide_rows(state: LedgerState) -> Result<(), &'static str> {
    match state {
        LedgerState::Submitted => Ok(()),
        LedgerState::SignedOff => Err("该台账已审核签字；如需修改，请先重新打开"),
        _ => Err("该台账尚未提交（或已退回党支部修改），现在不能审核"),
    }
}

/// What the level above has decided on a submitted ledger: each finding's state, and the clean
/// answers and the meeting record it returned (查摆不到位).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnderReview {
    pub rows: Vec<ReviewState>,
    pub returned_answers: i64,
    pub meeting_returned: bool,
}

impl UnderReview {
    fn anything_returned(&self) -> bool {
        self.rows.contains(&ReviewState::Returned) || self.returned_answers > 0 || self.meeting_returned
    }
}

/// 退回修改: a submitted ledger with at least one returned row, answer or meeting record goes
/// back to the branch.
pub fn send_back(state: LedgerState, review: &UnderReview) -> Result<LedgerState, &'static str> {
    may_decide_rows(state)?;
    if !review.anything_returned() {
        return Err("请先对需要修改的查摆问题、作答或专题支委会记录选择“退回”并写明意见");
    }
    Ok(LedgerState::Returned)
}

/// Only a clean answer (未发现问题, 不适用) is returned as such, on a ledger under review; an
/// answer of 存在问题 is judged through its findings.
pub fn may_return_answer(state: LedgerState, verdict: Verdict) -> Result<(), &'static str> {
    may_decide_rows(state)?;
    if verdict == Verdict::Problem {
        return Err("“存在问题”的作答，请对其下的查摆问题逐条审核");
    }
    Ok(())
}

/// 审核签字: every row approved, nothing returned waiting to go back, and all of the 四个到位
/// affirmed.
pub fn sign_off(state: LedgerState, review: &UnderReview, affirmed: [bool; 4]) -> Result<LedgerState, String> {
    may_decide_rows(state)?;
    let open = review.rows.iter().filter(|r| **r != ReviewState::Approved).count();
    if open > 0 {
        return Err(format!("还有 {open} 条查摆问题未审核通过，不能签字"));
    }
    if review.returned_answers > 0 || review.meeting_returned {
        return Err("有已退回的作答或专题支委会记录：请先退回党支部修改，或撤销退回后再签字".into());
    }
    let missing: Vec<&str> = FOUR_IN_PLACE
        .iter()
        .zip(affirmed)
        .filter(|(_, a)| !a)
        .map(|(w, _)| *w)
        .collect();
    if !missing.is_empty() {
        return Err(format!("签字前请逐项确认：{}", missing.join("、")));
    }
    Ok(LedgerState::SignedOff)
}

/// 重新打开: a signed-off ledger goes back to the branch, with the reason.
pub fn reopen(state: LedgerState, reason: &str) -> Result<(LedgerState, String), FieldErrors> {
    let mut e = FieldErrors::default();
    if state != LedgerState::SignedOff {
        e.add("reason", "只有已审核签字的台账才需要重新打开");
        return Err(e);
    }
    match text("重新打开的原因", reason, COMMENT_MAX, true) {
        Ok(r) => Ok((LedgerState::Returned, r)),
        Err(m) => {
            e.add("reason", m);
            Err(e)
        }
    }
}

/// 确认销号 (closed off) or 不予销号 (back to 整改中, with the reason).
pub fn decide_close_out(
    status: MeasureStatus, confirm: bool, comment: &str,
) -> Result<(MeasureStatus, String), FieldErrors> {
    let mut e = FieldErrors::default();
    if status != MeasureStatus::Done {
        e.add("comment", "这条措施没有待确认的销号申请");
        return Err(e);
    }
    let comment = match text(
        if confirm { "意见" } else { "不予销号的原因" },
        comment,
        COMMENT_MAX,
        !confirm,
    ) {
        Ok(c) => c,
        Err(m) => {
            e.add("comment", m);
            return Err(e);
        }
    };
    Ok((
        if confirm {
            MeasureStatus::ClosedOut
        } else {
            MeasureStatus::InProgress
        },
        comment,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewState::*;

    #[test]
    fn returning_needs_a_comment() {
        assert_eq!(Decision::parse("approve", ""), Ok(Decision::Approve));
        assert_eq!(
            Decision::parse("return", " 写具体些 "),
            Ok(Decision::Return("写具体些".into()))
        );
        assert!(Decision::parse("return", " ").unwrap_err().get("comment").is_some());
        assert!(Decision::parse("maybe", "").unwrap_err().get("decision").is_some());
    }

    #[test]
    fn each_part_has_its_own_powers_and_past_campaigns_none() {
        let b = Level::Branch;
        let p = Powers::of(Role::Secretary, b, true, LedgerState::InProgress);
        assert!(p.edit && p.report && !p.review && !p.close_out);
        let p = Powers::of(Role::Secretary, b, true, LedgerState::Submitted);
        assert!(!p.edit && p.report, "progress goes on after submission");
        let p = Powers::of(Role::Reviewer, b, true, LedgerState::Submitted);
        assert!(p.review && p.close_out && !p.reopen && !p.look_back && !p.edit);
        assert!(Powers::of(Role::Overseer, b, true, LedgerState::SignedOff).reopen);
        assert!(Powers::of(Role::Overseer, b, true, LedgerState::SignedOff).look_back);
        assert_eq!(
            Powers::of(Role::Overseer, b, false, LedgerState::Submitted),
            Powers::default()
        );
    }

    #[test]
    fn a_committee_fills_in_its_own_ledger_and_the_organisation_department_reviews_it() {
        let c = Level::Committee;
        let p = Powers::of(Role::Reviewer, c, true, LedgerState::InProgress);
        assert!(p.edit && p.report && !p.review && !p.close_out);
        let p = Powers::of(Role::Reviewer, c, true, LedgerState::Submitted);
        assert!(!p.review && !p.close_out, "a committee does not review itself");
        let p = Powers::of(Role::Overseer, c, true, LedgerState::Submitted);
        assert!(p.review && p.close_out && !p.edit);
        assert_eq!(
            Powers::of(Role::Secretary, c, true, LedgerState::InProgress),
            Powers::default()
        );
    }

    #[test]
    fn the_unit_sees_row_decisions_only_once_the_ledger_is_sent_back() {
        assert!(hidden_from(Some(Part::Own), LedgerState::Submitted));
        assert!(!hidden_from(Some(Part::Own), LedgerState::Returned));
        assert!(!hidden_from(Some(Part::Above), LedgerState::Submitted));
    }

    #[test]
    fn rows_are_decided_only_on_a_submitted_ledger() {
        assert!(may_decide_rows(LedgerState::Submitted).is_ok());
        for s in [
            LedgerState::NotStarted,
            LedgerState::InProgress,
            LedgerState::Returned,
            LedgerState::SignedOff,
        ] {
            assert!(may_decide_rows(s).is_err(), "{s:?}");
        }
    }

    fn rows(rows: &[ReviewState]) -> UnderReview {
        UnderReview {
            rows: rows.to_vec(),
            ..UnderReview::default()
        }
    }

    #[test]
    fn sending_back_needs_a_returned_row_answer_or_meeting() {
        assert_eq!(
            send_back(LedgerState::Submitted, &rows(&[Approved, Returned])),
            Ok(LedgerState::Returned)
        );
        assert!(send_back(LedgerState::Submitted, &rows(&[Approved, Pending])).is_err());
        assert!(send_back(LedgerState::InProgress, &rows(&[Returned])).is_err());
        // A ledger with no findings at all goes back for an answer 查摆不到位, or the meeting.
        let answer = UnderReview {
            returned_answers: 1,
            ..UnderReview::default()
        };
        assert_eq!(send_back(LedgerState::Submitted, &answer), Ok(LedgerState::Returned));
        let meeting = UnderReview {
            meeting_returned: true,
            ..UnderReview::default()
        };
        assert_eq!(send_back(LedgerState::Submitted, &meeting), Ok(LedgerState::Returned));
        assert!(send_back(LedgerState::Submitted, &UnderReview::default()).is_err());
    }

    #[test]
    fn the_last_return_says_whether_the_unit_changed_it_since() {
        let r = Some("2026-11-20 10:00:00");
        assert_eq!(
            last_return(Pending, "请如实查摆", r, "2026-11-21 09:00:00"),
            Some(("请如实查摆".into(), true))
        );
        assert_eq!(
            last_return(Pending, "请如实查摆", r, "2026-11-19 09:00:00"),
            Some(("请如实查摆".into(), false)),
            "resubmitted unchanged"
        );
        assert_eq!(
            last_return(Returned, "请如实查摆", r, "2026-11-21 09:00:00"),
            None,
            "still returned"
        );
        assert_eq!(
            last_return(Pending, "", r, "2026-11-21 09:00:00"),
            None,
            "never returned"
        );
    }

    #[test]
    fn only_a_clean_answer_of_a_ledger_under_review_is_returned() {
        assert!(may_return_answer(LedgerState::Submitted, Verdict::NoProblem).is_ok());
        assert!(may_return_answer(LedgerState::Submitted, Verdict::NotApplicable).is_ok());
        assert!(may_return_answer(LedgerState::Submitted, Verdict::Problem).is_err());
        assert!(may_return_answer(LedgerState::SignedOff, Verdict::NoProblem).is_err());
        assert!(may_return_answer(LedgerState::InProgress, Verdict::NoProblem).is_err());
    }

    #[test]
    fn signing_off_needs_every_row_approved_nothing_returned_and_all_four_affirmed() {
        let all = [true; 4];
        assert_eq!(
            sign_off(LedgerState::Submitted, &rows(&[Approved, Approved]), all),
            Ok(LedgerState::SignedOff)
        );
        assert_eq!(
            sign_off(LedgerState::Submitted, &rows(&[]), all),
            Ok(LedgerState::SignedOff),
            "a branch with no problems"
        );
        assert!(
            sign_off(LedgerState::Submitted, &rows(&[Approved, Pending]), all)
                .unwrap_err()
                .contains("1 条")
        );
        let e = sign_off(LedgerState::Submitted, &rows(&[Approved]), [true, false, true, false]).unwrap_err();
        assert!(e.contains("措施制定到位") && e.contains("整改落实到位"), "{e}");
        assert!(
            sign_off(LedgerState::SignedOff, &rows(&[Approved]), all).is_err(),
            "not twice"
        );
        let answer = UnderReview {
            rows: vec![Approved],
            returned_answers: 1,
            meeting_returned: false,
        };
        assert!(
            sign_off(LedgerState::Submitted, &answer, all)
                .unwrap_err()
                .contains("已退回的作答")
        );
    }

    #[test]
    fn only_a_signed_ledger_reopens_and_with_a_reason() {
        assert_eq!(
            reopen(LedgerState::SignedOff, "回头看发现反弹").unwrap(),
            (LedgerState::Returned, "回头看发现反弹".into())
        );
        assert!(reopen(LedgerState::SignedOff, " ").is_err());
        assert!(reopen(LedgerState::Submitted, "x").is_err());
    }

    #[test]
    fn close_out_is_confirmed_or_rejected_only_when_asked_for() {
        assert_eq!(
            decide_close_out(MeasureStatus::Done, true, "").unwrap().0,
            MeasureStatus::ClosedOut
        );
        let (s, c) = decide_close_out(MeasureStatus::Done, false, "缺会议记录").unwrap();
        assert_eq!((s, c.as_str()), (MeasureStatus::InProgress, "缺会议记录"));
        assert!(
            decide_close_out(MeasureStatus::Done, false, "").is_err(),
            "a rejection says why"
        );
        assert!(decide_close_out(MeasureStatus::InProgress, true, "").is_err());
        assert!(decide_close_out(MeasureStatus::ClosedOut, true, "").is_err());
    }
}

/// 回头看: only a closed-off measure is re-checked, and a reason is required.
pub fn flag_look_back(status: MeasureStatus, pending: bool, reason: &str) -> Result<String, String> {
    if status != MeasureStatus::ClosedOut {
        return Err("只有已销号的整改措施才能发起“回头看”".into());
    }
    if pending {
        return Err("这条措施的回头看尚未记录结果，请先记录复查结果".into());
    }
    text("回头看的原因", reason, COMMENT_MAX, true)
}

/// The outcome of a 回头看 re-check: 巩固 or 反弹 (which costs 五星级 eligibility). A rebound
/// says what came back.
pub fn look_back_outcome(code: &str, note: &str) -> Result<(LookBackOutcome, String), String> {
    let outcome = match LookBackOutcome::parse(code) {
        Some(o @ (LookBackOutcome::Holds | LookBackOutcome::Rebound)) => o,
        _ => return Err("请选择回头看的结果：整改成果巩固，或问题反弹".into()),
    };
    let note = text("说明", note, COMMENT_MAX, outcome == LookBackOutcome::Rebound)?;
    Ok((outcome, note))
}

#[cfg(test)]
mod look_back_tests {
    use super::*;

    #[test]
    fn only_closed_off_measures_are_re_checked_and_with_a_reason() {
        assert_eq!(
            flag_look_back(MeasureStatus::ClosedOut, false, " 抽查发现记录不全 "),
            Ok("抽查发现记录不全".into())
        );
        assert!(flag_look_back(MeasureStatus::ClosedOut, false, "").is_err());
        assert!(
            flag_look_back(MeasureStatus::ClosedOut, true, "x")
                .unwrap_err()
                .contains("尚未记录结果")
        );
        assert!(flag_look_back(MeasureStatus::Done, false, "x").is_err());
    }

    #[test]
    fn a_rebound_says_what_came_back() {
        assert_eq!(
            look_back_outcome("holds", ""),
            Ok((LookBackOutcome::Holds, String::new()))
        );
        assert!(look_back_outcome("rebound", "").is_err());
        assert_eq!(
            look_back_outcome("rebound", "又未按月缴纳党费").unwrap().0,
            LookBackOutcome::Rebound
        );
        assert!(look_back_outcome("maybe", "x").is_err());
        assert!(
            look_back_outcome("pending", "x").is_err(),
            "a recorded outcome is never pending"
        );
    }
}
