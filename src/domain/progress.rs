//! 进度安排 and 延期: a measure's milestones (节点) and progress entries, and the rules for
//! moving a deadline once the ledger has been handed in (整改时限 keeps its original date; a
//! later one comes only by an approved 延期申请).

use time::Date;

use super::dates::{self, DoneOnRefusal, format_date, parse_typed_date};
use super::input::{FieldErrors, REASON_MAX, text};
use super::states::{MeasureStatus, coded_enum};

pub const MILESTONE_MAX: usize = 200;
pub const ENTRY_MAX: usize = 1000;
/// A measure's plan is a handful of steps, not a diary.
pub const MAX_MILESTONES: usize = 12;

coded_enum!(
    /// A 延期申请.
    ExtensionState {
        Pending = "pending" / "待审批",
        Approved = "approved" / "已同意",
        Rejected = "rejected" / "未同意",
        Withdrawn = "withdrawn" / "已撤回",
    }

    /// Which deadline 五星级 eligibility judges against (a campaign setting).
    DeadlineBasis {
        Approved = "approved" / "按批准延期后的整改时限",
        Original = "original" / "按原定整改时限（不计延期）",
    }
);

/// A measure's first date that can make it 逾期: its deadline, or an earlier milestone not yet
/// done.
pub fn first_due(deadline: Option<Date>, milestone_due: Option<Date>) -> Option<Date> {
    match (deadline, milestone_due) {
        (Some(d), Some(m)) => Some(d.min(m)),
        (d, m) => d.or(m),
    }
}

/// A milestone as the form sends it, checked: what and by when (within the campaign's window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: Date,
}

impl MilestoneInput {
    pub fn parse(title: &str, due_on: &str, window: (Date, Date)) -> Result<MilestoneInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = text("节点内容", title, MILESTONE_MAX, true).unwrap_or_else(|m| {
            e.add("title", m);
            String::new()
        });
        let due_on = match parse_typed_date(due_on) {
            _ if due_on.trim().is_empty() => {
                e.add("due_on", "请填写节点完成时间");
                None
            }
            Some(d) if d < window.0 || d > window.1 => {
                e.add("due_on", format!("节点完成时间应在 {} 至 {} 之间", window.0, window.1));
                None
            }
            Some(d) => Some(d),
            None => {
                e.add("due_on", "节点完成时间不是有效日期，请按 2026-12-15 的格式填写");
                None
            }
        };
        match due_on {
            Some(due_on) if e.is_empty() => Ok(MilestoneInput { title, due_on }),
            _ => Err(e),
        }
    }
}

/// A milestone as stored, for the rules below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneFacts {
    pub due_on: Date,
    pub done_on: Option<Date>,
}

impl MilestoneFacts {
    /// 逾期: past its date (the day itself is in time), not done, its measure not closed off.
    pub fn overdue(&self, measure: MeasureStatus, today: Date) -> bool {
        self.done_on.is_none() && self.due_on < today && measure != MeasureStatus::ClosedOut
    }

    /// Done after its date.
    pub fn done_late(&self) -> bool {
        self.done_on.is_some_and(|d| d > self.due_on)
    }

    /// What it says beside the milestone: 已完成 (on a day), 逾期, or days left.
    pub fn words(&self, measure: MeasureStatus, today: Date) -> String {
        match self.done_on {
            Some(d) if self.done_late() => format!("逾期完成（{}）", format_date(d)),
            Some(d) => format!("已完成（{}）", format_date(d)),
            None if self.overdue(measure, today) => {
                format!("逾期 {} 天", (today - self.due_on).whole_days())
            }
            None => super::dates::days_left_label(self.due_on, today),
        }
    }
}

/// A milestone may be removed while it is still to come: one past its date stays (逾期 is not
/// hidden by deleting it), one done stays as the record of the work.
pub fn may_delete_milestone(m: MilestoneFacts, today: Date) -> Result<(), &'static str> {
    match m.done_on {
        Some(_) => Err("已完成的节点是整改记录，不能删除。"),
        None if m.due_on < today => Err("这个节点已过完成时间，不能删除；完成后请标记“已完成”。"),
        None => Ok(()),
    }
}

/// A progress entry: the day (between the notice and today) and what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput {
    pub on_date: Date,
    pub text: String,
}

impl EntryInput {
    pub fn parse(on_date: &str, value: &str, issued_on: Date, today: Date) -> Result<EntryInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let text = text("进展情况", value, ENTRY_MAX, true).unwrap_or_else(|m| {
            e.add("text", m);
            String::new()
        });
        let on_date = dates::done_on(on_date, issued_on, today)
            .map_err(|refusal| match refusal {
                DoneOnRefusal::Empty => e.add("on_date", "请填写日期"),
                DoneOnRefusal::Unreadable => e.add("on_date", "日期不是有效日期，请按 2026-12-15 的格式填写"),
                DoneOnRefusal::BeforeNotice => e.add(
                    "on_date",
                    format!("日期不能早于专项行动通知印发日（{}）", format_date(issued_on)),
                ),
                DoneOnRefusal::Future => e.add("on_date", "进展只记已经做了的事，日期不能晚于今天"),
            })
            .ok();
        match on_date {
            Some(on_date) if e.is_empty() => Ok(EntryInput { on_date, text }),
            _ => Err(e),
        }
    }
}

/// Whether the branch may still set a measure's deadline itself: only until the ledger is first
/// handed in (`original` is then recorded). After that, only a 延期申请 moves it.
pub fn deadline_locked(original: Option<Date>) -> bool {
    original.is_some()
}

/// The message beside a deadline changed directly after submission.
pub const DEADLINE_LOCKED: &str =
    "台账已报送，整改时限不能直接修改；确需延期的，请在措施的“进度安排”页提交延期申请，经党总支（党委）同意后生效。";

/// Whether the unit may ask for more time on a measure (not closed off; the page offers the
/// form only then, the step refuses otherwise): only once its deadline is locked, one request
/// at a time.
pub fn may_request_extension(original: Option<Date>, pending: bool) -> Result<(), &'static str> {
    if !deadline_locked(original) {
        Err("台账报送前，整改时限可以在措施中直接修改，无需申请延期。")
    } else if pending {
        Err("这条措施已有一份待审批的延期申请；如需改动，请先撤回再重新申请。")
    } else {
        Ok(())
    }
}

/// A 延期申请 as the form sends it, checked against the measure's present deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionInput {
    pub requested: Date,
    pub reason: String,
}

impl ExtensionInput {
    pub fn parse(
        requested: &str, reason: &str, current: Option<Date>, window: (Date, Date),
    ) -> Result<ExtensionInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let reason = text("延期理由", reason, REASON_MAX, true).unwrap_or_else(|m| {
            e.add("reason", m);
            String::new()
        });
        let requested = match (parse_typed_date(requested), current) {
            _ if requested.trim().is_empty() => {
                e.add("requested", "请填写申请延期到的日期");
                None
            }
            (None, _) => {
                e.add("requested", "日期不是有效日期，请按 2026-12-15 的格式填写");
                None
            }
            (Some(_), None) => {
                e.add("requested", "这条措施还没有整改时限，无需申请延期");
                None
            }
            (Some(d), Some(c)) if d <= c => {
                e.add(
                    "requested",
                    format!("延期后的时限应晚于现在的整改时限（{}）", format_date(c)),
                );
                None
            }
            (Some(d), _) if d > window.1 => {
                e.add("requested", format!("延期后的时限不能晚于 {}", format_date(window.1)));
                None
            }
            (Some(d), _) => Some(d),
        };
        match requested {
            Some(requested) if e.is_empty() => Ok(ExtensionInput { requested, reason }),
            _ => Err(e),
        }
    }
}

/// A decision on a 延期申请: approval, or rejection with the reason the branch reads.
pub fn decide_extension(approve: bool, comment: &str) -> Result<(ExtensionState, String), FieldErrors> {
    let mut e = FieldErrors::default();
    let comment = match text("审批意见", comment, REASON_MAX, !approve) {
        Ok(c) => c,
        Err(m) => {
            e.add(
                "comment",
                if approve {
                    m
                } else {
                    "不同意延期时，请写明原因".into()
                },
            );
            return Err(e);
        }
    };
    let state = if approve {
        ExtensionState::Approved
    } else {
        ExtensionState::Rejected
    };
    Ok((state, comment))
}

/// The deadline words where both may differ: "2026-12-31（原定 2026-12-15，延期 1 次）".
pub fn deadline_words(deadline: Option<Date>, original: Option<Date>, extensions: i64) -> String {
    match (deadline, original) {
        (None, _) => "未填写".into(),
        (Some(d), Some(o)) if o != d => format!(
            "{}（原定 {}，延期 {} 次）",
            format_date(d),
            format_date(o),
            extensions.max(1)
        ),
        (Some(d), _) => format_date(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const WINDOW: (Date, Date) = (date!(2026 - 10 - 01), date!(2029 - 09 - 30));
    const TODAY: Date = date!(2026 - 11 - 30);

    #[test]
    fn the_first_due_date_is_the_earlier_of_deadline_and_open_milestone() {
        assert_eq!(
            first_due(Some(date!(2026 - 12 - 31)), Some(date!(2026 - 12 - 05))),
            Some(date!(2026 - 12 - 05))
        );
        assert_eq!(
            first_due(None, Some(date!(2026 - 12 - 05))),
            Some(date!(2026 - 12 - 05))
        );
        assert_eq!(
            first_due(Some(date!(2026 - 12 - 31)), None),
            Some(date!(2026 - 12 - 31))
        );
        assert_eq!(first_due(None, None), None);
    }

    #[test]
    fn a_milestone_needs_words_and_a_sensible_date() {
        let ok = MilestoneInput::parse(" 拟定方案 ", "2026-12-05", WINDOW).unwrap();
        assert_eq!(ok.title, "拟定方案");
        assert_eq!(ok.due_on, date!(2026 - 12 - 05));
        let e = MilestoneInput::parse("", "", WINDOW).unwrap_err();
        assert_eq!(e.get("title"), Some("请填写节点内容"));
        assert_eq!(e.get("due_on"), Some("请填写节点完成时间"));
        assert!(
            MilestoneInput::parse("甲", "2206-12-05", WINDOW)
                .unwrap_err()
                .get("due_on")
                .unwrap()
                .contains("之间")
        );
        assert!(
            MilestoneInput::parse("甲", "12月5日", WINDOW)
                .unwrap_err()
                .get("due_on")
                .unwrap()
                .contains("有效日期")
        );
    }

    #[test]
    fn a_milestone_goes_overdue_after_its_day_unless_done_or_closed_off() {
        let m = MilestoneFacts {
            due_on: date!(2026 - 11 - 29),
            done_on: None,
        };
        assert!(m.overdue(MeasureStatus::InProgress, TODAY));
        assert!(
            m.overdue(MeasureStatus::Done, TODAY),
            "a pending 销号 request still owes the step"
        );
        assert!(!m.overdue(MeasureStatus::ClosedOut, TODAY));
        assert!(
            !m.overdue(MeasureStatus::InProgress, date!(2026 - 11 - 29)),
            "the day itself is in time"
        );
        assert_eq!(m.words(MeasureStatus::InProgress, TODAY), "逾期 1 天");
        let late = MilestoneFacts {
            done_on: Some(TODAY),
            ..m
        };
        assert!(!late.overdue(MeasureStatus::InProgress, TODAY));
        assert_eq!(late.words(MeasureStatus::InProgress, TODAY), "逾期完成（2026-11-30）");
        let in_time = MilestoneFacts {
            done_on: Some(date!(2026 - 11 - 20)),
            ..m
        };
        assert_eq!(in_time.words(MeasureStatus::InProgress, TODAY), "已完成（2026-11-20）");
    }

    #[test]
    fn only_a_milestone_still_to_come_may_be_deleted() {
        let to_come = MilestoneFacts {
            due_on: TODAY,
            done_on: None,
        };
        assert!(may_delete_milestone(to_come, TODAY).is_ok());
        let past = MilestoneFacts {
            due_on: date!(2026 - 11 - 01),
            done_on: None,
        };
        assert!(may_delete_milestone(past, TODAY).unwrap_err().contains("不能删除"));
        let done = MilestoneFacts {
            done_on: Some(TODAY),
            ..to_come
        };
        assert!(may_delete_milestone(done, TODAY).is_err());
    }

    #[test]
    fn an_entry_records_a_day_that_has_been() {
        let ok = EntryInput::parse("2026-11-30", "召开支委会研究", WINDOW.0, TODAY).unwrap();
        assert_eq!(ok.on_date, TODAY);
        let e = EntryInput::parse("2026-12-01", "", WINDOW.0, TODAY).unwrap_err();
        assert!(e.get("on_date").unwrap().contains("不能晚于今天"));
        assert_eq!(e.get("text"), Some("请填写进展情况"));
        assert!(
            EntryInput::parse("2026-09-01", "甲", WINDOW.0, TODAY)
                .unwrap_err()
                .get("on_date")
                .unwrap()
                .contains("通知印发日")
        );
    }

    #[test]
    fn an_extension_asks_for_a_later_date_with_a_reason() {
        let current = Some(date!(2026 - 12 - 15));
        let ok = ExtensionInput::parse("2027-01-15", "需待学院党委会研究", current, WINDOW).unwrap();
        assert_eq!(ok.requested, date!(2027 - 01 - 15));
        let e = ExtensionInput::parse("2026-12-15", " ", current, WINDOW).unwrap_err();
        assert!(
            e.get("requested")
                .unwrap()
                .contains("应晚于现在的整改时限（2026-12-15）")
        );
        assert_eq!(e.get("reason"), Some("请填写延期理由"));
        assert!(
            ExtensionInput::parse("2030-01-01", "甲", current, WINDOW)
                .unwrap_err()
                .get("requested")
                .is_some()
        );
        assert!(
            ExtensionInput::parse("2027-01-01", "甲", None, WINDOW)
                .unwrap_err()
                .get("requested")
                .unwrap()
                .contains("无需")
        );
    }

    #[test]
    fn a_rejection_says_why_and_an_approval_may_say_nothing() {
        assert_eq!(
            decide_extension(true, " ").unwrap(),
            (ExtensionState::Approved, String::new())
        );
        assert_eq!(
            decide_extension(false, " ").unwrap_err().get("comment"),
            Some("不同意延期时，请写明原因")
        );
        assert_eq!(
            decide_extension(false, "理由不充分").unwrap(),
            (ExtensionState::Rejected, "理由不充分".into())
        );
    }

    #[test]
    fn both_deadlines_are_said_when_they_differ() {
        let d = Some(date!(2027 - 01 - 15));
        let o = Some(date!(2026 - 12 - 15));
        assert_eq!(deadline_words(d, o, 1), "2027-01-15（原定 2026-12-15，延期 1 次）");
        assert_eq!(deadline_words(o, o, 0), "2026-12-15");
        assert_eq!(deadline_words(o, None, 0), "2026-12-15");
        assert_eq!(deadline_words(None, None, 0), "未填写");
        assert!(deadline_locked(o) && !deadline_locked(None));
        assert!(may_request_extension(o, false).is_ok());
        assert!(may_request_extension(None, false).unwrap_err().contains("无需申请延期"));
        assert!(may_request_extension(o, true).unwrap_err().contains("待审批"));
    }
}
