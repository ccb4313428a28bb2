//! A row's history in words: each audit entry's action and its before → after, field by field.

use serde_json::Value;

use super::states::{LedgerState, MeasureStatus, ReviewState, Verdict};

/// The words for an audit action code.
pub fn action_label(action: &str) -> &str {
    match action {
        "self_check.set" => "对账查摆作答",
        "finding.create" => "新增查摆问题",
        "finding.import" => "导入述职评议问题",
        "finding.update" => "修改查摆问题",
        "finding.delete" => "删除查摆问题",
        "measure.create" => "新增整改措施",
        "measure.update" => "修改整改措施",
        "measure.delete" => "删除整改措施",
        "measure.request_close_out" => "申请销号",
        "measure.withdraw_close_out" => "撤回销号申请",
        "evidence.add" => "上传证明材料",
        "evidence.delete" => "删除证明材料",
        "ledger.submit" => "提交审核",
        "finding.review" => "审核查摆问题",
        "ledger.return" => "退回党支部修改",
        "ledger.sign_off" => "审核签字",
        "ledger.reopen" => "重新打开台账",
        "measure.close_out" => "确认销号",
        "measure.reject_close_out" => "不予销号",
        "report.save" => "保存报告",
        "report.sign" => "报告签字",
        "report.reopen" => "重新打开报告",
        "login" => "登录",
        "password.change" => "修改密码",
        other => other,
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
        "completion_note" => "完成情况说明",
        "review_state" => "审核",
        "review_comment" => "审核意见",
        "state" => "台账状态",
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
                "review_state" => ReviewState::parse(s).map(ReviewState::label),
                "state" => LedgerState::parse(s).map(LedgerState::label).or(match s.as_str() {
                    "draft" => Some("草稿"),
                    "signed" => Some("已签字"),
                    _ => None,
                }),
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
    fn every_action_the_code_records_has_words() {
        for action in [
            "self_check.set",
            "finding.create",
            "finding.import",
            "finding.update",
            "finding.delete",
            "finding.review",
            "measure.create",
            "measure.update",
            "measure.delete",
            "measure.request_close_out",
            "measure.withdraw_close_out",
            "measure.close_out",
            "measure.reject_close_out",
            "evidence.add",
            "evidence.delete",
            "ledger.submit",
            "ledger.return",
            "ledger.sign_off",
            "ledger.reopen",
            "report.save",
            "report.sign",
            "report.reopen",
        ] {
            assert!(!action_label(action).is_ascii(), "{action} has no Chinese words");
        }
    }

    #[test]
    fn creation_and_deletion_show_every_field() {
        let row = json!({"verdict": "not_applicable", "reason": "无", "immediate": true});
        let c = changes(None, Some(&row));
        assert_eq!(c[0], ("结论".into(), "（空）".into(), "不适用".into()));
        assert_eq!(c[2], ("立行立改".into(), "（空）".into(), "是".into()));
        assert_eq!(changes(Some(&row), None).len(), 3);
    }
}
