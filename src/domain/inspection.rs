//! 督查: the 组织部's 现场调研, 集中督导 and 调阅材料 (notice: 组织部将通过现场调研、集中督导、调阅
//! 材料等方式督查进度). A record keeps the date, the units covered, who took part and what was
//! found; a problem found there can be put into a unit's ledger as a finding (督查发现).
//!
//! Such a finding is answered like any other. On a ledger not yet signed off it simply goes with
//! the ledger. On a signed-off ledger the sign-off stays: the unit plans its measures, hands the
//! row in on its own, and the level above decides that row alone.

use time::Date;

use super::dates::{DoneOnWords, done_on};
use super::input::{FieldErrors, text};
use super::states::{FindingSource, LedgerState, MeasureStatus, ReviewState, coded_enum};

pub const PARTICIPANTS_MAX: usize = 200;
pub const FOUND_MAX: usize = 3000;

coded_enum!(
    /// How the 组织部 looked.
    InspectionKind {
        FieldVisit = "field_visit" / "现场调研",
        Supervision = "supervision" / "集中督导",
        DocumentReview = "document_review" / "调阅材料",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionInput {
    pub kind: InspectionKind,
    pub held_on: Date,
    pub participants: String,
    pub found: String,
}

/// Reads a 督查 record: its kind, a date between the notice and today, who took part, what was
/// found, and at least one unit covered (`units` is how many were ticked).
pub fn parse(
    kind: &str, held_on: &str, participants: &str, found: &str, units: usize, issued_on: Date, today: Date,
) -> Result<InspectionInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let kind = InspectionKind::parse(kind);
    if kind.is_none() {
        e.add("kind", "请选择督查方式（现场调研、集中督导或调阅材料）");
    }
    let words = DoneOnWords {
        what: "督查日期",
        not_before: "专项行动通知下发日期",
    };
    let held_on = done_on(held_on, issued_on, today)
        .map_err(|r| e.add("held_on", r.message(&words)))
        .ok();
    let participants = text("参加人员", participants, PARTICIPANTS_MAX, true).unwrap_or_else(|m| {
        e.add("participants", m);
        String::new()
    });
    let found = text("督查发现的情况", found, FOUND_MAX, true).unwrap_or_else(|m| {
        e.add("found", m);
        String::new()
    });
    if units == 0 {
        e.add("units", "请至少选择一个督查对象（党支部或党总支本级）");
    }
    match (kind, held_on) {
        (Some(kind), Some(held_on)) if e.is_empty() => Ok(InspectionInput {
            kind,
            held_on,
            participants,
            found,
        }),
        _ => Err(e),
    }
}

/// A finding's place in review, as the rules below need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub source: FindingSource,
    pub review: ReviewState,
    /// Handed in on its own (on a signed-off ledger), not yet decided.
    pub handed_in: bool,
}

impl Row {
    /// A 督查发现 on a signed-off ledger, not yet approved: answered on its own, the sign-off
    /// staying. The unit may plan its measures while it is not handed in.
    pub fn on_its_own(self, ledger: LedgerState) -> bool {
        self.source == FindingSource::Inspection
            && ledger == LedgerState::SignedOff
            && self.review != ReviewState::Approved
    }

    /// Whether the unit may change this row's measures' plan now: when the ledger's content is
    /// open, or when the row is answered on its own and not with the level above.
    pub fn plannable(self, ledger: LedgerState) -> bool {
        ledger.content_editable() || (self.on_its_own(ledger) && !self.handed_in)
    }

    /// Handing the row in on its own: a 督查发现 on a signed-off ledger, not handed in yet, with
    /// its measures planned (`planned`: how many, `unplanned`: how many lack a 整改时限 or 责任人).
    pub fn may_hand_in(self, ledger: LedgerState, planned: usize, unplanned: usize) -> Result<(), String> {
        if !self.on_its_own(ledger) {
            return Err("只有已审核签字台账上的督查发现单独提交审核；其他问题随台账一并提交。".into());
        }
        if self.handed_in {
            return Err("这条督查发现已提交，正在等待上级党组织审核。".into());
        }
        if planned == 0 {
            return Err("请先为这条督查发现制定至少一条整改措施，再提交审核。".into());
        }
        if unplanned > 0 {
            return Err(format!(
                "还有 {unplanned} 条整改措施没有填写整改时限或责任人，请补全后再提交审核。"
            ));
        }
        Ok(())
    }

    /// Whether the level above may decide this row now: with its ledger when that is handed in
    /// (domain::review::may_decide_rows), or alone, once handed in, when it is answered on its own.
    pub fn may_decide(self, ledger: LedgerState) -> Result<(), &'static str> {
        if !self.on_its_own(ledger) {
            return super::review::may_decide_rows(ledger);
        }
        if !self.handed_in {
            return Err("党支部尚未提交这条督查发现的整改措施，现在不能审核。");
        }
        Ok(())
    }
}

/// How a raised 督查发现 stands, as its record's page lists it.
pub fn standing(review: ReviewState, handed_in: bool, measures: i64, closed_out: i64) -> String {
    let review = match (review, handed_in) {
        (ReviewState::Pending, true) => "已提交待审核",
        (ReviewState::Pending, false) if measures == 0 => "待制定整改措施",
        (ReviewState::Pending, false) => "待提交审核",
        (s, _) => s.label(),
    };
    format!("{review}；整改措施 {measures} 条，已销号 {closed_out} 条")
}

/// The tag a 督查发现 carries on the ledger: 待整改 until its row is approved and every measure
/// closed off.
pub fn tag(review: ReviewState, measures: &[MeasureStatus]) -> &'static str {
    let done = review == ReviewState::Approved
        && !measures.is_empty()
        && measures.iter().all(|m| *m == MeasureStatus::ClosedOut);
    if done {
        "督查发现·已整改"
    } else {
        "督查发现·待整改"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ISSUED: Date = date!(2026 - 09 - 20);
    const TODAY: Date = date!(2026 - 11 - 30);

    #[test]
    fn a_record_needs_its_kind_a_past_date_people_findings_and_a_unit() {
        let ok = parse(
            "field_visit",
            "2026-11-28",
            " 组织部 张三 ",
            "三会一课记录不全",
            2,
            ISSUED,
            TODAY,
        )
        .unwrap();
        assert_eq!(ok.kind, InspectionKind::FieldVisit);
        assert_eq!(ok.participants, "组织部 张三");
        let e = parse("visit", "2026-12-05", "", "", 0, ISSUED, TODAY).unwrap_err();
        for field in ["kind", "held_on", "participants", "found", "units"] {
            assert!(e.get(field).is_some(), "{field} not refused");
        }
        assert!(e.get("held_on").unwrap().contains("晚于今天"));
        let e = parse("supervision", "2026-09-01", "王五", "x", 1, ISSUED, TODAY).unwrap_err();
        assert!(e.get("held_on").unwrap().contains("早于"));
    }

    fn row(source: FindingSource, review: ReviewState, handed_in: bool) -> Row {
        Row {
            source,
            review,
            handed_in,
        }
    }

    #[test]
    fn only_an_inspection_finding_on_a_signed_off_ledger_is_answered_on_its_own() {
        use FindingSource::*;
        use LedgerState::*;
        let raised = row(Inspection, ReviewState::Pending, false);
        assert!(raised.on_its_own(SignedOff));
        assert!(!raised.on_its_own(Submitted));
        assert!(!row(Extended, ReviewState::Pending, false).on_its_own(SignedOff));
        assert!(!row(Inspection, ReviewState::Approved, false).on_its_own(SignedOff));
        // Plannable while not handed in; on an open ledger as any row.
        assert!(raised.plannable(SignedOff));
        assert!(!row(Inspection, ReviewState::Pending, true).plannable(SignedOff));
        assert!(row(Inspection, ReviewState::Returned, false).plannable(SignedOff));
        assert!(!row(Extended, ReviewState::Pending, false).plannable(SignedOff));
        assert!(row(Extended, ReviewState::Pending, false).plannable(InProgress));
        assert!(!raised.plannable(Submitted));
    }

    #[test]
    fn a_row_is_handed_in_planned_and_decided_only_once_handed_in() {
        use LedgerState::*;
        let raised = row(FindingSource::Inspection, ReviewState::Pending, false);
        assert!(raised.may_hand_in(SignedOff, 0, 0).unwrap_err().contains("至少一条"));
        assert!(raised.may_hand_in(SignedOff, 2, 1).unwrap_err().contains("1 条"));
        assert!(raised.may_hand_in(SignedOff, 2, 0).is_ok());
        assert!(raised.may_hand_in(InProgress, 2, 0).is_err());
        assert!(raised.may_decide(SignedOff).unwrap_err().contains("尚未提交"));
        assert!(raised.may_decide(Submitted).is_ok());
        let handed = row(FindingSource::Inspection, ReviewState::Pending, true);
        assert!(handed.may_hand_in(SignedOff, 2, 0).unwrap_err().contains("等待"));
        assert!(handed.may_decide(SignedOff).is_ok());
        assert!(
            row(FindingSource::SelfCheck, ReviewState::Pending, true)
                .may_decide(SignedOff)
                .is_err()
        );
        assert!(
            row(FindingSource::Inspection, ReviewState::Approved, false)
                .may_decide(SignedOff)
                .is_err()
        );
    }

    #[test]
    fn a_raised_finding_says_how_far_its_unit_has_got() {
        assert_eq!(
            standing(ReviewState::Pending, false, 0, 0),
            "待制定整改措施；整改措施 0 条，已销号 0 条"
        );
        assert_eq!(
            standing(ReviewState::Pending, false, 2, 0),
            "待提交审核；整改措施 2 条，已销号 0 条"
        );
        assert_eq!(
            standing(ReviewState::Pending, true, 2, 0),
            "已提交待审核；整改措施 2 条，已销号 0 条"
        );
        assert_eq!(
            standing(ReviewState::Approved, false, 2, 1),
            "已通过；整改措施 2 条，已销号 1 条"
        );
    }

    #[test]
    fn the_tag_says_done_only_when_approved_and_every_measure_is_closed_off() {
        use MeasureStatus::*;
        assert_eq!(tag(ReviewState::Pending, &[]), "督查发现·待整改");
        assert_eq!(tag(ReviewState::Approved, &[ClosedOut, Done]), "督查发现·待整改");
        assert_eq!(tag(ReviewState::Approved, &[ClosedOut, ClosedOut]), "督查发现·已整改");
        assert_eq!(tag(ReviewState::Returned, &[ClosedOut]), "督查发现·待整改");
    }
}
