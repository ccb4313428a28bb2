//! A unit's campaign summed up for a 书记述职评议 and 年度考核 (notice 三(二)): every sentence
//! from the records, nothing claimed without one.

use time::Date;

use super::dates::format_date;
use super::delivery::is_late;
use super::results::star_words;
use super::states::LedgerState;
use super::statistics::Rate;

/// What the summary of one unit rests on.
pub struct Facts<'a> {
    pub state: LedgerState,
    pub answered: i64,
    pub items: i64,
    /// Items answered 存在问题.
    pub problem_items: i64,
    pub findings: i64,
    /// Findings per ledger category that has any: (title, count).
    pub per_category: Vec<(String, i64)>,
    pub first_handed_in: Option<Date>,
    pub self_check_due: Date,
    pub measures: i64,
    pub closed_out: i64,
    pub closed_on_time: i64,
    pub overdue: i64,
    pub extended: i64,
    /// 回头看: (巩固, 反弹, 待复查).
    pub look_backs: (i64, i64, i64),
    pub eligible: bool,
    pub reasons: &'a [String],
    /// The finalised 评星 result, if the campaign's results are finalised: (eligible, reasons,
    /// 星级 awarded).
    pub frozen: Option<(bool, &'a str, Option<i64>)>,
}

pub fn sections(f: &Facts<'_>) -> Vec<(String, Vec<String>)> {
    let mut check = vec![format!(
        "对账查摆已作答 {}/{} 项，其中“存在问题” {} 项，查摆问题 {} 条。",
        f.answered, f.items, f.problem_items, f.findings
    )];
    if !f.per_category.is_empty() {
        let parts: Vec<String> = f.per_category.iter().map(|(t, n)| format!("{t} {n} 条")).collect();
        check.push(format!("按类别：{}。", parts.join("，")));
    }
    check.push(match f.first_handed_in {
        Some(on) if is_late(on, f.self_check_due) => format!(
            "台账于 {} 首次提交，晚于对账查摆时限（{}），迟交。当前状态：{}。",
            format_date(on),
            format_date(f.self_check_due),
            f.state.label()
        ),
        Some(on) => format!(
            "台账于 {} 首次提交，在对账查摆时限（{}）内。当前状态：{}。",
            format_date(on),
            format_date(f.self_check_due),
            f.state.label()
        ),
        None => format!("台账尚未提交（当前状态：{}）。", f.state.label()),
    });
    let mut rectify = vec![format!(
        "整改措施 {} 条，已销号 {} 条，整改完成率 {}；按期销号率 {}。",
        f.measures,
        f.closed_out,
        Rate::new(f.closed_out, f.measures).words(),
        Rate::new(f.closed_on_time, f.closed_out).words()
    )];
    rectify.push(if f.overdue > 0 {
        format!("逾期未销号 {} 条。", f.overdue)
    } else {
        "没有逾期未销号的措施。".into()
    });
    if f.extended > 0 {
        rectify.push(format!("经批准延期 {} 条。", f.extended));
    }
    let (holds, rebounds, pending) = f.look_backs;
    let look_back = if holds + rebounds + pending == 0 {
        vec!["尚未开展整改“回头看”。".to_string()]
    } else {
        vec![format!(
            "开展整改“回头看” {} 次：巩固 {} 次，反弹 {} 次，待复查 {} 次。",
            holds + rebounds + pending,
            holds,
            rebounds,
            pending
        )]
    };
    let mut result = vec![if f.eligible {
        "按目前情况，具备五星级党支部评选资格。".to_string()
    } else {
        format!("按目前情况，不具备五星级党支部评选资格：{}。", f.reasons.join("；"))
    }];
    if let Some((eligible, reasons, stars)) = f.frozen {
        result.push(if eligible {
            format!("评星结果（已确定）：具备五星级评选资格，评定{}。", star_words(stars))
        } else {
            format!(
                "评星结果（已确定）：不具备五星级评选资格（{reasons}），评定{}。",
                star_words(stars)
            )
        });
    }
    vec![
        ("一、对账查摆".into(), check),
        ("二、整改落实".into(), rectify),
        ("三、整改“回头看”".into(), look_back),
        ("四、五星级资格".into(), result),
    ]
}

/// What a committee's summary rests on: its branches' figures summed, and its 报送.
pub struct CommitteeFacts<'a> {
    pub branches: i64,
    pub handed_in: i64,
    pub handed_in_late: i64,
    pub signed_off: i64,
    pub findings: i64,
    pub per_category: Vec<(String, i64)>,
    pub measures: i64,
    pub closed_out: i64,
    pub closed_on_time: i64,
    pub overdue: i64,
    pub rebounds: i64,
    pub eligible: i64,
    /// 报送 in words (未报送 / 已报送 / 逾期报送 / …).
    pub delivery: &'a str,
}

pub fn committee_sections(f: &CommitteeFacts<'_>) -> Vec<(String, Vec<String>)> {
    let mut check = vec![format!(
        "所属党支部 {} 个：已提交台账 {} 个（其中迟交 {} 个），已审核签字 {} 个；查摆问题 {} 条。",
        f.branches, f.handed_in, f.handed_in_late, f.signed_off, f.findings
    )];
    if !f.per_category.is_empty() {
        let parts: Vec<String> = f.per_category.iter().map(|(t, n)| format!("{t} {n} 条")).collect();
        check.push(format!("按类别：{}。", parts.join("，")));
    }
    vec![
        ("一、对账查摆".into(), check),
        (
            "二、整改落实".into(),
            vec![format!(
                "整改措施 {} 条，已销号 {} 条，整改完成率 {}；按期销号率 {}；逾期未销号 {} 条；整改“回头看”发现反弹 {} 次。",
                f.measures,
                f.closed_out,
                Rate::new(f.closed_out, f.measures).words(),
                Rate::new(f.closed_on_time, f.closed_out).words(),
                f.overdue,
                f.rebounds
            )],
        ),
        (
            "三、报送".into(),
            vec![format!("附件3和附件2报送组织部：{}。", f.delivery)],
        ),
        (
            "四、五星级资格".into(),
            vec![format!(
                "按目前情况，{} 个党支部中 {} 个具备五星级党支部评选资格。",
                f.branches, f.eligible
            )],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts<'a>(reasons: &'a [String]) -> Facts<'a> {
        Facts {
            state: LedgerState::SignedOff,
            answered: 22,
            items: 22,
            problem_items: 3,
            findings: 5,
            per_category: vec![("组织生活".into(), 3), ("党员管理".into(), 2)],
            first_handed_in: Some(date!(2026 - 10 - 16)),
            self_check_due: date!(2026 - 10 - 15),
            measures: 8,
            closed_out: 6,
            closed_on_time: 5,
            overdue: 1,
            extended: 0,
            look_backs: (1, 1, 0),
            eligible: false,
            reasons,
            frozen: Some((true, "", Some(4))),
        }
    }

    #[test]
    fn the_summary_says_what_the_records_say_and_nothing_more() {
        let reasons = vec!["有 1 条整改措施逾期".to_string()];
        let s = sections(&facts(&reasons));
        let all: String = s
            .iter()
            .flat_map(|(h, l)| std::iter::once(h.clone()).chain(l.clone()))
            .collect();
        assert!(all.contains("对账查摆已作答 22/22 项，其中“存在问题” 3 项，查摆问题 5 条。"));
        assert!(all.contains("按类别：组织生活 3 条，党员管理 2 条。"));
        assert!(all.contains("2026-10-16 首次提交，晚于对账查摆时限（2026-10-15），迟交"));
        assert!(all.contains("整改完成率 75%（6/8）；按期销号率 83%（5/6）"));
        assert!(all.contains("逾期未销号 1 条。") && !all.contains("延期"));
        assert!(all.contains("巩固 1 次，反弹 1 次"));
        assert!(all.contains("不具备五星级党支部评选资格：有 1 条整改措施逾期。"));
        assert!(all.contains("评星结果（已确定）：具备五星级评选资格，评定四星级。"));
    }

    #[test]
    fn a_committee_summary_sums_its_branches() {
        let f = CommitteeFacts {
            branches: 3,
            handed_in: 2,
            handed_in_late: 1,
            signed_off: 1,
            findings: 9,
            per_category: vec![],
            measures: 10,
            closed_out: 4,
            closed_on_time: 4,
            overdue: 2,
            rebounds: 0,
            eligible: 1,
            delivery: "逾期报送",
        };
        let all: String = committee_sections(&f).into_iter().flat_map(|(_, l)| l).collect();
        assert!(all.contains("已提交台账 2 个（其中迟交 1 个），已审核签字 1 个；查摆问题 9 条"));
        assert!(all.contains("整改完成率 40%（4/10）；按期销号率 100%（4/4）；逾期未销号 2 条"));
        assert!(all.contains("报送组织部：逾期报送") && all.contains("3 个党支部中 1 个具备"));
    }

    #[test]
    fn nothing_handed_in_and_no_look_back_are_said_as_such() {
        let mut f = facts(&[]);
        (f.first_handed_in, f.look_backs, f.frozen, f.eligible) = (None, (0, 0, 0), None, true);
        let all: String = sections(&f).into_iter().flat_map(|(_, l)| l).collect();
        assert!(
            all.contains("台账尚未提交")
                && all.contains("尚未开展整改“回头看”")
                && all.contains("具备五星级党支部评选资格")
        );
        assert!(!all.contains("评星结果"));
    }
}
