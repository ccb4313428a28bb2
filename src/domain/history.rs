//! A row's history in words: each audit entry's action and its before → after, field by field.

use serde_json::Value;

use super::states::{
    FindingSource, LedgerState, LookBackOutcome, MeasureStatus, ReportState, ReviewState, Verdict, coded_enum,
};
use super::units::Level;

coded_enum!(
    /// Everything the audit trail records, by the table row it changes (see [`AuditAction::entity`]).
    AuditAction {
        SelfCheckSet = "self_check.set" / "对账查摆作答",
        /// The level above returned (or took back the return of) a clean answer: 查摆不到位.
        SelfCheckReview = "self_check.review" / "审核对账查摆作答",
        MeetingSet = "meeting.set" / "记录专题支委会",
        MeetingReview = "meeting.review" / "审核专题支委会记录",
        MeetingEvidenceAdd = "meeting_evidence.add" / "上传会议材料",
        MeetingEvidenceDelete = "meeting_evidence.delete" / "删除会议材料",
        FindingCreate = "finding.create" / "新增查摆问题",
        FindingImport = "finding.import" / "导入述职评议问题",
        FindingUpdate = "finding.update" / "修改查摆问题",
        FindingDelete = "finding.delete" / "删除查摆问题",
        FindingReview = "finding.review" / "审核查摆问题",
        /// The 组织部 put a problem its 督查 found into the unit's ledger.
        FindingRaise = "finding.raise" / "提出督查发现",
        /// On a signed-off ledger, the unit handed a 督查发现 in for review on its own.
        FindingHandIn = "finding.hand_in" / "督查发现提交审核",
        /// Migration 000010: the item it was under became the committee's own.
        FindingMoveToExtended = "finding.move_to_extended" / "改列为延伸自查",
        MeasureCreate = "measure.create" / "新增整改措施",
        MeasureUpdate = "measure.update" / "修改整改措施",
        MeasureDelete = "measure.delete" / "删除整改措施",
        MeasureRequestCloseOut = "measure.request_close_out" / "申请销号",
        MeasureWithdrawCloseOut = "measure.withdraw_close_out" / "撤回销号申请",
        MeasureCloseOut = "measure.close_out" / "确认销号",
        MeasureRejectCloseOut = "measure.reject_close_out" / "不予销号",
        MeasureLookBack = "measure.look_back" / "发起整改“回头看”",
        /// The level above sent the secretary a reminder (催办) of this measure.
        MeasureUrge = "measure.urge" / "催办",
        LookBackDecide = "look_back.decide" / "记录回头看结果",
        /// The re-check found 反弹: the closed-off measure reopened.
        MeasureRebound = "measure.rebound" / "回头看反弹，措施重新打开",
        MilestoneAdd = "milestone.add" / "添加进度节点",
        MilestoneDone = "milestone.done" / "进度节点完成",
        MilestoneUndone = "milestone.undone" / "撤销节点完成",
        MilestoneDelete = "milestone.delete" / "删除进度节点",
        ProgressAdd = "progress.add" / "记录整改进展",
        ExtensionRequest = "extension.request" / "申请延期",
        ExtensionWithdraw = "extension.withdraw" / "撤回延期申请",
        ExtensionApprove = "extension.approve" / "同意延期",
        ExtensionReject = "extension.reject" / "不同意延期",
        EvidenceAdd = "evidence.add" / "上传证明材料",
        EvidenceDelete = "evidence.delete" / "删除证明材料",
        LedgerSubmit = "ledger.submit" / "提交审核",
        LedgerReturn = "ledger.return" / "退回党支部修改",
        LedgerSignOff = "ledger.sign_off" / "审核签字",
        LedgerReopen = "ledger.reopen" / "重新打开台账",
        /// The level above sent the unit a reminder (催办) of its measures due or overdue.
        LedgerUrge = "ledger.urge" / "催办",
        ReportSave = "report.save" / "保存报告",
        ReportSign = "report.sign" / "报告签字",
        ReportReopen = "report.reopen" / "重新打开报告",
        Login = "login" / "登录",
        Logout = "logout" / "退出登录",
        PasswordChange = "password.change" / "修改密码",
        /// An account made with `duizhang user add`.
        UserAdd = "user.add" / "命令行新建账号",
        UserCreate = "user.create" / "新建账号",
        UserUpdate = "user.update" / "修改账号",
        UserResetPassword = "user.reset_password" / "重置密码",
        CommitteeCreate = "committee.create" / "新建党总支（党委）",
        CommitteeUpdate = "committee.update" / "修改党总支（党委）",
        BranchCreate = "branch.create" / "新建党支部",
        BranchUpdate = "branch.update" / "修改党支部",
        BranchProfileSet = "branch_profile.set" / "修改支部基本情况",
        CampaignCreate = "campaign.create" / "新建专项行动",
        CampaignUpdate = "campaign.update" / "修改专项行动",
        CampaignMakeCurrent = "campaign.make_current" / "设为当前专项行动",
        LedgerCategory = "ledger.category" / "修改问题台账类别",
        LedgerItem = "ledger.item" / "修改问题台账条目",
        LedgerItemMove = "ledger.item_move" / "调整问题台账条目顺序",
        LedgerItemAdd = "ledger.item_add" / "新增问题台账条目",
        LedgerItemDelete = "ledger.item_delete" / "删除问题台账条目",
        WorkAdd = "committee_work.add" / "记录本级工作",
        WorkDelete = "committee_work.delete" / "删除本级工作记录",
        DocumentAdd = "campaign_document.add" / "添加参考文件",
        DocumentDelete = "campaign_document.delete" / "删除参考文件",
        DeliveryMake = "delivery.make" / "报送",
        DeliveryScan = "delivery.scan" / "上传纸质件扫描件",
        DeliveryPaper = "delivery.paper" / "登记纸质件收到",
        DeliveryReturn = "delivery.return" / "退回报送",
        ResultsFinalise = "results.finalise" / "确定评星结果",
        ResultsStars = "results.stars" / "记录评定星级",
        PracticeAdd = "practice.add" / "提交典型做法",
        PracticePromote = "practice.promote" / "推广典型做法",
        PracticeUnpromote = "practice.unpromote" / "取消推广典型做法",
        InspectionAdd = "inspection.add" / "记录督查",
        InspectionUpdate = "inspection.update" / "修改督查记录",
        OutboxResend = "outbox.resend" / "重新发送消息",
    }
);

impl AuditAction {
    /// The table whose row the action changes (`audit_log.entity`).
    pub fn entity(self) -> &'static str {
        use AuditAction::*;
        match self {
            SelfCheckSet | SelfCheckReview => "self_checks",
            MeetingSet | MeetingReview => "branch_meetings",
            MeetingEvidenceAdd | MeetingEvidenceDelete => "meeting_evidence",
            FindingCreate
            | FindingImport
            | FindingUpdate
            | FindingDelete
            | FindingReview
            | FindingMoveToExtended
            | FindingRaise
            | FindingHandIn => "findings",
            MeasureCreate
            | MeasureUpdate
            | MeasureDelete
            | MeasureRequestCloseOut
            | MeasureWithdrawCloseOut
            | MeasureCloseOut
            | MeasureRejectCloseOut
            | MeasureLookBack
            | MeasureUrge
            | MeasureRebound => "measures",
            LookBackDecide => "look_backs",
            MilestoneAdd | MilestoneDone | MilestoneUndone | MilestoneDelete => "measure_milestones",
            ProgressAdd => "measure_progress",
            ExtensionRequest | ExtensionWithdraw | ExtensionApprove | ExtensionReject => "deadline_extensions",
            EvidenceAdd | EvidenceDelete => "evidence",
            LedgerSubmit | LedgerReturn | LedgerSignOff | LedgerReopen | LedgerUrge => "branch_ledgers",
            ReportSave | ReportSign | ReportReopen => "committee_reports",
            Login | Logout | PasswordChange | UserAdd | UserCreate | UserUpdate | UserResetPassword => "users",
            CommitteeCreate | CommitteeUpdate => "committees",
            BranchCreate | BranchUpdate => "branches",
            BranchProfileSet => "branch_profiles",
            CampaignCreate | CampaignUpdate | CampaignMakeCurrent => "campaigns",
            LedgerCategory => "ledger_categories",
            LedgerItem | LedgerItemMove | LedgerItemAdd | LedgerItemDelete => "ledger_items",
            WorkAdd | WorkDelete => "committee_work",
            DocumentAdd | DocumentDelete => "campaign_documents",
            DeliveryMake | DeliveryScan | DeliveryPaper | DeliveryReturn => "deliveries",
            ResultsFinalise => "campaign_results",
            ResultsStars => "branch_results",
            PracticeAdd | PracticePromote | PracticeUnpromote => "practices",
            InspectionAdd | InspectionUpdate => "inspections",
            OutboxResend => "outbox",
        }
    }
}

fn field_label(key: &str) -> &str {
    match key {
        "verdict" => "结论",
        "reason" => "理由",
        "text" => "内容",
        "deadline" => "整改时限",
        "owner" => "责任人",
        "status" => "状态",
        "immediate" => "立行立改",
        "long_term" => "长期坚持",
        "title" => "节点内容",
        "due_on" => "节点完成时间",
        "done_on" => "完成日期",
        "on_date" => "日期",
        "previous_deadline" => "原整改时限",
        "requested_deadline" => "申请延期至",
        "decision_comment" => "审批意见",
        "eligibility_deadline" => "评星定级判断逾期",
        "completion_note" => "完成情况说明",
        "review_state" => "审核",
        "review_comment" => "审核意见",
        "state" => "状态",
        "file_name" => "文件",
        "category" => "类别",
        "four_in_place" => "四个到位",
        "sign_off_comment" => "审核意见",
        "reviewer_note" => "党总支（党委）意见",
        "close_out_comment" => "销号意见",
        "work_done" => "一、工作开展情况",
        "problems" => "二、自查存在的问题",
        "next_steps" => "三、下一步整改措施",
        "signer_name" => "签字人",
        "signed_on" => "报告日期",
        "reopen_reason" => "重新打开的原因",
        "outcome" => "回头看结果",
        "outcome_note" => "说明",
        "ledger_item" => "所属条目",
        "level" => "作答单位",
        "last_election_on" => "上次换届日期",
        "term_years" => "任期（年）",
        "committee_members" => "支委人数",
        "full_members" => "正式党员人数",
        "secretary_vacant_since" => "书记空缺起始日期",
        "source" => "来源",
        "leader" => "党组织负责人",
        "attendees" => "参加人员",
        "found" => "发现的问题",
        "branch_id" => "党支部",
        "held" => "是否召开",
        "held_on" => "会议日期",
        "kind" => "会议形式",
        "chair" => "主持人",
        "present" => "到会人数",
        "expected" => "应到人数",
        "absentees" => "缺席人员及原因",
        "topics" => "会议议题",
        "decisions" => "会议决定",
        "not_held_reason" => "未召开的原因",
        "package_name" => "报送材料",
        "return_reason" => "退回原因",
        "paper_received_on" => "纸质件收到日期",
        "paper_received_by" => "纸质件接收人",
        "paper_note" => "备注",
        "scan_name" => "纸质件扫描件",
        "stars" => "评定星级",
        "look_back_reason" => "回头看原因",
        "promoted" => "推广",
        "stars_note" => "说明",
        "inspection_kind" => "督查方式",
        "inspected_on" => "督查日期",
        "participants" => "参加人员",
        "units" => "督查对象",
        "handed_in" => "单独提交审核",
        "urged_on" => "催办日期",
        "email" => "邮箱",
        "mail_choice" => "邮件提醒",
        "robot" => "群机器人",
        other => other,
    }
}

fn value_words(key: &str, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "（空）".into(),
        Some(Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        Some(Value::String(s)) if s.is_empty() => "（空）".into(),
        Some(Value::String(s)) => {
            let label = match key {
                "verdict" => Verdict::parse(s).map(Verdict::label),
                "status" => MeasureStatus::parse(s).map(MeasureStatus::label),
                "eligibility_deadline" => {
                    super::progress::DeadlineBasis::parse(s).map(super::progress::DeadlineBasis::label)
                }
                "review_state" => ReviewState::parse(s).map(ReviewState::label),
                "state" => LedgerState::parse(s)
                    .map(LedgerState::label)
                    .or(ReportState::parse(s).map(ReportState::label))
                    .or(super::progress::ExtensionState::parse(s).map(super::progress::ExtensionState::label))
                    .or(super::notify::OutboxState::parse(s).map(super::notify::OutboxState::label)),
                "outcome" => LookBackOutcome::parse(s).map(LookBackOutcome::label),
                "mail_choice" => {
                    crate::domain::notify::MailChoice::parse(s).map(crate::domain::notify::MailChoice::label)
                }
                "inspection_kind" => crate::domain::inspection::InspectionKind::parse(s)
                    .map(crate::domain::inspection::InspectionKind::label),
                "source" => FindingSource::parse(s).map(FindingSource::label),
                "level" => Level::parse(s).map(Level::label),
                "kind" => crate::domain::meeting::MeetingKind::parse(s)
                    .map(crate::domain::meeting::MeetingKind::label)
                    .or(crate::domain::work::WorkKind::parse(s).map(crate::domain::work::WorkKind::label)),
                _ => None,
            };
            label.map(str::to_string).unwrap_or_else(|| s.clone())
        }
        Some(other) => other.to_string(),
    }
}

/// One field that changed: (label, before, after).
pub type Change = (String, String, String);

/// The fields that differ between two snapshots (either may be absent: a creation or deletion),
/// in the order of the newer snapshot's keys.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| {
            (
                field_label(k).to_string(),
                value_words(k, b.get(k)),
                value_words(k, a.get(k)),
            )
        })
        // null and "" both read （空）: no change to show.
        .filter(|(_, before, after)| before != after)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_in_words() {
        let before = json!({"text": "旧", "status": "not_started", "owner": "张喆"});
        let after = json!({"text": "新", "status": "in_progress", "owner": "张喆"});
        let c = changes(Some(&before), Some(&after));
        assert_eq!(
            c,
            vec![
                ("内容".into(), "旧".into(), "新".into()),
                ("状态".into(), "未开始".into(), "整改中".into()),
            ]
        );
    }

    #[test]
    fn every_action_has_chinese_words_and_a_table() {
        for a in AuditAction::ALL {
            assert!(!a.label().is_ascii(), "{a:?} has no Chinese words");
            assert!(!a.entity().is_empty());
        }
    }

    #[test]
    fn creation_and_deletion_show_every_field() {
        let row = json!({"verdict": "not_applicable", "reason": "无", "immediate": true});
        let c = changes(None, Some(&row));
        assert_eq!(c[0], ("结论".into(), "（空）".into(), "不适用".into()));
        assert_eq!(c[2], ("立行立改".into(), "（空）".into(), "是".into()));
        assert_eq!(changes(Some(&row), None).len(), 3);
        assert!(
            changes(Some(&json!({"reason": null})), Some(&json!({"reason": ""}))).is_empty(),
            "empty either way is no change"
        );
    }
}
