//! The states of the SPEC, their database codes and their Chinese labels.

/// An enum of states whose every variant has a code (stored in the database, sent by forms)
/// and a Chinese label (what users read). db/ encodes and decodes it by its code; serde writes
/// and reads the code (audit snapshots, JSON rows).
macro_rules! coded_enum {
    ($($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal),* $(,)? })+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} code {code:?}", stringify!($name)))
                })
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code stored in the database (CHECKed there too) and sent by forms.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }

            /// What the user reads.
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
        }

        impl std::fmt::Display for $name {
            /// Templates print a state as its label.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    )+};
}
pub(crate) use coded_enum;

coded_enum!(
    /// A branch's ledger in one campaign. 未开始 has no row in `branch_ledgers`.
    LedgerState {
        NotStarted = "not_started" / "未开始",
        InProgress = "in_progress" / "填报中",
        Submitted = "submitted" / "已提交",
        Returned = "returned" / "已退回",
        SignedOff = "signed_off" / "已审核签字",
    }

    /// 对账查摆: a branch's answer to one ledger item.
    Verdict {
        Problem = "problem" / "存在问题",
        NoProblem = "no_problem" / "未发现问题",
        NotApplicable = "not_applicable" / "不适用",
    }

    /// A finding's review by the committee.
    ReviewState {
        Pending = "pending" / "待审核",
        Approved = "approved" / "已通过",
        Returned = "returned" / "已退回",
    }

    /// A measure's progress. Only a reviewer (or the overseer) moves it to 已销号.
    MeasureStatus {
        NotStarted = "not_started" / "未开始",
        InProgress = "in_progress" / "整改中",
        Done = "done" / "已完成（申请销号）",
        ClosedOut = "closed_out" / "已销号",
    }

    /// Where a finding comes from.
    FindingSource {
        /// Under a ledger item answered 存在问题.
        SelfCheck = "self_check" / "对账查摆",
        /// 延伸自查: under a category, outside its items.
        Extended = "extended" / "延伸自查",
        /// From last year's 书记述职评议 problem list.
        Imported = "imported" / "述职评议问题",
        /// Raised by the 组织部 from a 督查 (migration 000022: stored as `extended` with an
        /// `inspection_id`; readers name it so).
        Inspection = "inspection" / "督查发现",
    }

    /// 附件3's state: 草稿 (editable) or 已签字 (locked).
    #[derive(Default)]
    ReportState {
        #[default]
        Draft = "draft" / "草稿",
        Signed = "signed" / "已签字",
    }

    /// A committee's 报送 to the 组织部: standing, or returned by it (the committee hands in again).
    DeliveryState {
        Delivered = "delivered" / "已报送",
        Returned = "returned" / "已退回",
    }

    /// What a 整改"回头看" found.
    LookBackOutcome {
        Pending = "pending" / "待复查",
        /// 巩固: the rectification holds.
        Holds = "holds" / "整改成果巩固",
        /// 反弹: the problem came back (costs 五星级 eligibility).
        Rebound = "rebound" / "问题反弹",
    }
);

impl FindingSource {
    /// The tag a finding's line carries on the ledger page: none for an item's own findings.
    pub fn tag(self) -> &'static str {
        match self {
            FindingSource::SelfCheck => "",
            other => other.label(),
        }
    }
}

impl ReportState {
    /// A report with no row yet is a draft nobody has saved.
    pub fn of(saved: Option<ReportState>) -> ReportState {
        saved.unwrap_or(ReportState::Draft)
    }

    pub fn editable(self) -> bool {
        self == ReportState::Draft
    }

    pub fn css(self) -> &'static str {
        match self {
            ReportState::Draft => "s-none",
            ReportState::Signed => "s-good",
        }
    }
}

impl LedgerState {
    /// The state shown for a branch: no ledger row yet means nobody has started.
    pub fn of(saved: Option<LedgerState>) -> LedgerState {
        saved.unwrap_or(LedgerState::NotStarted)
    }

    /// Whether the branch may change the ledger's content: answers, findings, measures' text,
    /// deadline and owner. Not while the committee has it (已提交) or once signed off.
    pub fn content_editable(self) -> bool {
        matches!(
            self,
            LedgerState::NotStarted | LedgerState::InProgress | LedgerState::Returned
        )
    }

    /// Why the branch cannot change its ledger's content in this state.
    pub fn why_locked(self) -> &'static str {
        match self {
            LedgerState::SignedOff => "台账已审核签字，内容已锁定；如需修改，请联系审核的上级党组织重新打开。",
            _ => "台账已提交，正在等待上级党组织审核；审核退回后才能修改。整改进展和销号申请仍可随时填报。",
        }
    }

    /// The state after the branch changes its content: a first change starts the ledger
    /// (未开始 → 填报中), and work on a returned ledger puts it back in hand (已退回 → 填报中).
    pub fn after_branch_edit(self) -> Option<LedgerState> {
        self.content_editable().then_some(LedgerState::InProgress)
    }

    /// With the level above now (已提交 or 已审核签字): what 附件3's counts read.
    pub fn is_handed_in(self) -> bool {
        matches!(self, LedgerState::Submitted | LedgerState::SignedOff)
    }

    /// Handed in at least once (已提交, 已退回, 已审核签字): an empty list then means "none found".
    pub fn has_been_submitted(self) -> bool {
        matches!(
            self,
            LedgerState::Submitted | LedgerState::Returned | LedgerState::SignedOff
        )
    }

    /// Rows wait for review (待审核) only once the ledger was handed in: it is with the level
    /// above or was, or a submission is on record (a returned ledger edited again is 填报中).
    pub fn rows_await_review(self, submitted_at: Option<&str>) -> bool {
        self.has_been_submitted() || submitted_at.is_some()
    }

    /// The state after the branch submits, if it may (the submission gate is checked apart).
    pub fn after_submit(self) -> Option<LedgerState> {
        self.content_editable().then_some(LedgerState::Submitted)
    }

    /// A short CSS class for the state badge.
    pub fn css(self) -> &'static str {
        match self {
            LedgerState::NotStarted => "s-none",
            LedgerState::InProgress => "s-work",
            LedgerState::Submitted => "s-wait",
            LedgerState::Returned => "s-bad",
            LedgerState::SignedOff => "s-good",
        }
    }
}

impl MeasureStatus {
    /// A closed-off measure is the committee's record; the branch no longer changes it.
    pub fn branch_may_edit(self) -> bool {
        self != MeasureStatus::ClosedOut
    }

    /// The states the branch picks in the measure form (已完成 comes by 立行立改 or a 销号
    /// request, 已销号 only from the committee).
    pub fn branch_may_choose(self) -> bool {
        matches!(self, MeasureStatus::NotStarted | MeasureStatus::InProgress)
    }

    /// 申请销号: from 未开始 or 整改中.
    pub fn may_request_close_out(self) -> bool {
        matches!(self, MeasureStatus::NotStarted | MeasureStatus::InProgress)
    }

    /// A pending 销号 request can be taken back (it goes back to 整改中).
    pub fn may_withdraw_close_out(self) -> bool {
        self == MeasureStatus::Done
    }

    pub fn css(self) -> &'static str {
        match self {
            MeasureStatus::NotStarted => "s-none",
            MeasureStatus::InProgress => "s-work",
            MeasureStatus::Done => "s-wait",
            MeasureStatus::ClosedOut => "s-good",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for s in LedgerState::ALL {
            assert_eq!(LedgerState::parse(s.code()), Some(*s));
        }
        for s in Verdict::ALL {
            assert_eq!(Verdict::parse(s.code()), Some(*s));
        }
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.code()), Some(*s));
        }
        for s in MeasureStatus::ALL {
            assert_eq!(MeasureStatus::parse(s.code()), Some(*s));
        }
        for s in FindingSource::ALL {
            assert_eq!(FindingSource::parse(s.code()), Some(*s));
        }
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.code()), Some(*s));
        }
        for s in LookBackOutcome::ALL {
            assert_eq!(LookBackOutcome::parse(s.code()), Some(*s));
        }
        assert_eq!(Verdict::parse("maybe"), None);
    }

    #[test]
    fn a_branch_without_a_ledger_row_has_not_started() {
        assert_eq!(LedgerState::of(None), LedgerState::NotStarted);
        assert_eq!(LedgerState::of(Some(LedgerState::Submitted)), LedgerState::Submitted);
        assert_eq!(ReportState::of(None), ReportState::Draft);
        assert!(ReportState::Draft.editable() && !ReportState::Signed.editable());
    }

    #[test]
    fn codes_travel_through_serde_and_unknown_codes_are_refused() {
        let json = serde_json::to_string(&MeasureStatus::ClosedOut).unwrap();
        assert_eq!(json, "\"closed_out\"");
        assert_eq!(
            serde_json::from_str::<MeasureStatus>(&json).unwrap(),
            MeasureStatus::ClosedOut
        );
        assert!(serde_json::from_str::<MeasureStatus>("\"finished\"").is_err());
        assert_eq!(LookBackOutcome::Rebound.to_string(), "问题反弹");
    }

    #[test]
    fn only_unsubmitted_or_returned_ledgers_are_editable_by_the_branch() {
        assert!(LedgerState::NotStarted.content_editable());
        assert!(LedgerState::InProgress.content_editable());
        assert!(LedgerState::Returned.content_editable());
        assert!(!LedgerState::Submitted.content_editable());
        assert!(!LedgerState::SignedOff.content_editable());
    }

    #[test]
    fn branch_edits_and_submission_move_the_ledger() {
        assert_eq!(
            LedgerState::NotStarted.after_branch_edit(),
            Some(LedgerState::InProgress)
        );
        assert_eq!(LedgerState::Returned.after_branch_edit(), Some(LedgerState::InProgress));
        assert_eq!(LedgerState::Submitted.after_branch_edit(), None);
        assert_eq!(LedgerState::InProgress.after_submit(), Some(LedgerState::Submitted));
        assert_eq!(LedgerState::Returned.after_submit(), Some(LedgerState::Submitted));
        assert_eq!(LedgerState::Submitted.after_submit(), None);
        assert_eq!(LedgerState::SignedOff.after_submit(), None);
    }

    #[test]
    fn the_branch_asks_for_close_out_and_may_withdraw_but_never_closes_off() {
        assert!(MeasureStatus::InProgress.may_request_close_out());
        assert!(MeasureStatus::NotStarted.may_request_close_out());
        assert!(!MeasureStatus::Done.may_request_close_out());
        assert!(!MeasureStatus::ClosedOut.may_request_close_out());
        assert!(MeasureStatus::Done.may_withdraw_close_out());
        assert!(!MeasureStatus::ClosedOut.branch_may_edit());
        assert!(MeasureStatus::Done.branch_may_edit());
    }

    #[test]
    fn labels_are_the_specs_words() {
        assert_eq!(LedgerState::SignedOff.label(), "已审核签字");
        assert_eq!(MeasureStatus::Done.label(), "已完成（申请销号）");
        assert_eq!(Verdict::NotApplicable.label(), "不适用");
    }

    #[test]
    fn rows_wait_for_review_only_once_the_ledger_was_handed_in() {
        assert!(!LedgerState::InProgress.rows_await_review(None));
        assert!(!LedgerState::NotStarted.rows_await_review(None));
        assert!(LedgerState::InProgress.rows_await_review(Some("2026-11-01 10:00:00")));
        assert!(LedgerState::Returned.rows_await_review(None));
        assert!(LedgerState::Submitted.rows_await_review(None));
    }
}
