//! The documents the notice asks for, as data, and pure functions from that data to bytes:
//! 附件2 (自查问题、整改与责任清单) of a branch or of a whole committee, and 附件3 (情况报告).
//! Handlers load the rows (db::exports), build a document here, and render it to PDF or XLSX
//! in `spawn_blocking`.

pub mod font;
pub mod pdf;
pub mod text;
pub mod xlsx;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::exports::{BranchSignOff, ChecklistRow};
use crate::db::ledger::CategoryRow;
use crate::db::reports::Report;
use crate::domain::dates::{chinese_date, display_moment};
use crate::domain::review::FOUR_IN_PLACE;
use crate::domain::states::{LedgerState, MeasureStatus, ReportState};

/// 附件2 of one branch, or of every branch of a committee (each starting on its own page/sheet).
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单"
    pub title: String,
    pub committee_name: String,
    pub campaign_title: String,
    pub branches: Vec<BranchLedger>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BranchLedger {
    pub branch_name: String,
    /// All categories of the ledger in order, with or without findings (the form lists all six).
    pub categories: Vec<CategoryBlock>,
    /// The committee's sign-off; `None` means the ledger is a 草稿.
    pub sign_off: Option<SignOff>,
    /// 台账状态 as the branch page shows it (未开始, 填报中, 已提交…).
    pub state: String,
    /// Submitted at least once (已提交, 已退回, 已签发): an empty category then means "none found".
    pub submitted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryBlock {
    /// "1. 党支部设置和调整不规范"
    pub heading: String,
    pub findings: Vec<FindingLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingLine {
    /// "1. …", numbered within its category.
    pub text: String,
    pub measures: Vec<MeasureLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeasureLine {
    /// "1. …", numbered within its finding.
    pub text: String,
    /// 整改时限: a date, or 立行立改; with 已销号 once closed off.
    pub deadline: String,
    pub owner: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignOff {
    pub signer: String,
    /// Campus time, to the minute.
    pub at: String,
    pub four_in_place: bool,
    pub comment: String,
}

impl SignOff {
    /// The sign-off record as printed under a branch's table.
    pub fn words(&self) -> String {
        let mut s = format!("审核签发：{}于{}审核签发", self.signer, self.at);
        if self.four_in_place {
            s.push_str(&format!("，已逐项确认“四个到位”（{}）", FOUR_IN_PLACE.join("、")));
        }
        s.push('。');
        if !self.comment.trim().is_empty() {
            s.push_str(&format!("审核意见：{}", self.comment.trim()));
        }
        s
    }
}

/// In a category without findings: none found, or (before submission) nothing entered yet.
pub const NO_FINDINGS: &str = "无";
pub const NOT_ENTERED: &str = "（尚未填报）";
pub const SIGNATURE_LINE: &str = "党组织负责人（签字）：　　　　　　　　（盖章）　　　　年　　月　　日";

impl BranchLedger {
    pub fn finding_count(&self) -> usize {
        self.categories.iter().map(|c| c.findings.len()).sum()
    }

    /// What an empty category's 查摆问题 cell says.
    pub fn empty_category_words(&self) -> &'static str {
        if self.submitted { NO_FINDINGS } else { NOT_ENTERED }
    }

    /// The sign-off record under the table, or why this is a 草稿.
    pub fn record_words(&self) -> String {
        match &self.sign_off {
            Some(so) => so.words(),
            None => format!(
                "草稿：本清单尚未经党总支（党委）审核签发（台账状态：{}），仅供核对，不作为报送材料。",
                self.state
            ),
        }
    }
}

impl Checklist {
    /// Signed only when every branch in it is signed off.
    pub fn is_signed(&self) -> bool {
        !self.branches.is_empty() && self.branches.iter().all(|b| b.sign_off.is_some())
    }

    /// Every character the document can print (for the font subset).
    pub fn characters(&self) -> String {
        let mut s = format!("{}{}{}", self.title, self.committee_name, self.campaign_title);
        for b in &self.branches {
            s.push_str(&b.branch_name);
            s.push_str(&b.record_words());
            for c in &b.categories {
                s.push_str(&c.heading);
                for f in &c.findings {
                    s.push_str(&f.text);
                    for m in &f.measures {
                        s.push_str(&m.text);
                        s.push_str(&m.deadline);
                        s.push_str(&m.owner);
                    }
                }
            }
        }
        s
    }
}

/// Builds 附件2 from the ledger's categories, the branches (in order, with their sign-off) and
/// the finding/measure rows of those branches (ordered by branch, category, finding, measure).
pub fn checklist(
    institution: &str,
    committee_name: &str,
    campaign_title: &str,
    categories: &[CategoryRow],
    branches: Vec<BranchSignOff>,
    rows: &[ChecklistRow],
) -> Checklist {
    let branches = branches
        .into_iter()
        .map(|b| {
            let categories = categories
                .iter()
                .enumerate()
                .map(|(i, c)| CategoryBlock {
                    heading: format!("{}. {}", i + 1, c.title),
                    findings: findings_of(
                        rows.iter()
                            .filter(|r| r.branch_id == b.branch_id && r.category_id == c.id),
                    ),
                })
                .collect();
            let state = LedgerState::of(b.state);
            let sign_off = match (state, b.signer, b.signed_off_at) {
                (LedgerState::SignedOff, Some(signer), Some(at)) => Some(SignOff {
                    signer,
                    at: display_moment(&at),
                    four_in_place: b.four_in_place,
                    comment: b.sign_off_comment.unwrap_or_default(),
                }),
                _ => None,
            };
            BranchLedger {
                branch_name: b.branch_name,
                categories,
                sign_off,
                state: state.label().to_string(),
                submitted: matches!(
                    state,
                    LedgerState::Submitted | LedgerState::Returned | LedgerState::SignedOff
                ),
            }
        })
        .collect();
    Checklist {
        title: format!("{institution}党支部对账整改专项行动自查问题、整改与责任清单"),
        committee_name: committee_name.to_string(),
        campaign_title: campaign_title.to_string(),
        branches,
    }
}

/// Rows of one branch and category (a finding repeats once per measure; a finding without
/// measures comes once with no measure) into numbered findings and measures.
fn findings_of<'a>(rows: impl Iterator<Item = &'a ChecklistRow>) -> Vec<FindingLine> {
    let mut findings: Vec<(crate::domain::FindingId, FindingLine)> = Vec::new();
    for r in rows {
        if findings.last().map(|(id, _)| *id) != Some(r.finding_id) {
            let n = findings.len() + 1;
            findings.push((
                r.finding_id,
                FindingLine {
                    text: format!("{n}. {}", r.finding_text),
                    measures: Vec::new(),
                },
            ));
        }
        let Some(text) = &r.measure_text else { continue };
        let finding = &mut findings.last_mut().expect("pushed above").1;
        let n = finding.measures.len() + 1;
        let mut deadline = if r.immediate.unwrap_or(false) {
            "立行立改".to_string()
        } else {
            r.deadline.map(chinese_date).unwrap_or_default()
        };
        if r.status == Some(MeasureStatus::ClosedOut) {
            deadline.push_str(if deadline.is_empty() {
                "已销号"
            } else {
                "\n已销号"
            });
        }
        finding.measures.push(MeasureLine {
            text: format!("{n}. {text}"),
            deadline,
            owner: r.owner.clone().unwrap_or_default(),
        });
    }
    findings.into_iter().map(|(_, f)| f).collect()
}

/// 附件3 as printed.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDoc {
    /// "XX党总支（党委）开展党支部对账整改专项行动情况的报告"
    pub title: String,
    pub committee_name: String,
    pub campaign_title: String,
    /// 一、工作开展情况 / 二、自查存在的问题 / 三、下一步整改措施, each with its text.
    pub sections: Vec<(String, String)>,
    /// 党组织负责人 as signed (printed in the signature record).
    pub signer_name: String,
    /// The date at the bottom right, under the committee's name (only once signed).
    pub date: String,
    /// "…于…签署" once signed; `None` is a 草稿.
    pub signature: Option<String>,
}

pub const SECTION_HEADINGS: [&str; 3] = ["一、工作开展情况", "二、自查存在的问题", "三、下一步整改措施"];

pub fn report(committee_name: &str, campaign_title: &str, report: &Report) -> ReportDoc {
    let signed = report.state == ReportState::Signed;
    ReportDoc {
        title: format!("{committee_name}开展党支部对账整改专项行动情况的报告"),
        committee_name: committee_name.to_string(),
        campaign_title: campaign_title.to_string(),
        sections: SECTION_HEADINGS
            .iter()
            .zip([&report.work_done, &report.problems, &report.next_steps])
            .map(|(h, t)| (h.to_string(), t.trim().to_string()))
            .collect(),
        signer_name: report.signer_name.clone(),
        date: report.signed_on.map(chinese_date).unwrap_or_default(),
        signature: match (signed, &report.signed_by_name, &report.signed_at) {
            (true, Some(by), Some(at)) => Some(format!(
                "签署记录：党组织负责人{}；{by}于{}在系统中签署本报告。",
                report.signer_name,
                display_moment(at),
            )),
            _ => None,
        },
    }
}

impl ReportDoc {
    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    pub fn characters(&self) -> String {
        let mut s = format!("{}{}{}{}", self.title, self.committee_name, self.signer_name, self.date);
        for (h, t) in &self.sections {
            s.push_str(h);
            s.push_str(t);
        }
        if let Some(sig) = &self.signature {
            s.push_str(sig);
        }
        s
    }
}

/// The verification code printed on every page. (Whether a page is a 草稿 follows its content:
/// in a committee's bundle, a signed-off branch's pages are not drafts even if another's are.)
#[derive(Debug, Clone)]
pub struct Stamp {
    /// As printed: `ABCDE-FGHJK`.
    pub code: String,
}

impl Stamp {
    pub fn footer_words(&self) -> String {
        format!("验证码 {}（可在本系统 /verify 页面核验）", self.code)
    }
}

pub const REPORT_DRAFT_WORDS: &str = "草稿：本报告尚未签署，仅供核对，不作为报送材料。";
pub const DRAFT_MARK: &str = "草稿·未签发";

/// Every character a PDF may print besides the content: labels, digits, marks.
pub fn fixed_characters() -> String {
    [
        "附件23查摆内容问题整改措施时限责任人党总支（党委）：党支部名称第共页无（没有党支部）（未填写）（续上页）（尚未填报）〔〕+",
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-/.:() \u{3000}",
        "一二三四五六七八九十年月日",
        REPORT_DRAFT_WORDS,
        DRAFT_MARK,
        SIGNATURE_LINE,
        &Stamp { code: String::new() }.footer_words(),
    ]
    .concat()
}

/// The SHA-256 (hex) of a document's content: equal content, equal digest.
pub fn digest(doc: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(doc).expect("documents serialize");
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// File names, as in the notice: 附件2-<unit>-自查问题整改与责任清单.pdf.
pub fn checklist_file_name(unit: &str, ext: &str) -> String {
    format!("附件2-{}-自查问题整改与责任清单.{ext}", clean_unit(unit))
}

pub fn report_file_name(committee: &str, ext: &str) -> String {
    format!("附件3-{}-对账整改专项行动情况报告.{ext}", clean_unit(committee))
}

/// A unit name safe inside a file name on every system.
fn clean_unit(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BranchId, CategoryId, FindingId};

    fn category(id: i64, title: &str) -> CategoryRow {
        CategoryRow {
            id: CategoryId(id),
            position: id,
            title: title.into(),
            version: 1,
        }
    }

    fn row(branch: i64, category: i64, finding: i64, text: &str, measure: Option<&str>) -> ChecklistRow {
        ChecklistRow {
            branch_id: BranchId(branch),
            category_id: CategoryId(category),
            finding_id: FindingId(finding),
            finding_text: text.into(),
            measure_text: measure.map(String::from),
            deadline: measure.map(|_| time::macros::date!(2022 - 10 - 31)),
            owner: measure.map(|_| "张喆".into()),
            immediate: Some(false),
            status: measure.map(|_| MeasureStatus::InProgress),
        }
    }

    fn branch(id: i64, name: &str, signed: bool) -> BranchSignOff {
        BranchSignOff {
            branch_id: BranchId(id),
            branch_name: name.into(),
            state: Some(if signed {
                LedgerState::SignedOff
            } else {
                LedgerState::Submitted
            }),
            signer: signed.then(|| "李书记".into()),
            signed_off_at: signed.then(|| "2022-10-18 02:30:00".into()),
            four_in_place: signed,
            sign_off_comment: None,
        }
    }

    #[test]
    fn findings_and_measures_are_numbered_within_their_category_and_finding() {
        let cats = [
            category(1, "党支部设置和调整不规范"),
            category(2, "组织生活制度执行不严格"),
        ];
        let rows = [
            row(7, 1, 10, "甲", Some("措施一")),
            row(7, 1, 10, "甲", Some("措施二")),
            row(7, 1, 11, "乙", None),
            row(7, 2, 12, "丙", Some("措施三")),
            row(8, 1, 13, "别的支部", Some("x")),
        ];
        let doc = checklist(
            "潍坊学院",
            "某党委",
            "2022年",
            &cats,
            vec![branch(7, "一支部", true)],
            &rows,
        );
        let b = &doc.branches[0];
        assert_eq!(b.categories[0].heading, "1. 党支部设置和调整不规范");
        let texts: Vec<&str> = b.categories[0].findings.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["1. 甲", "2. 乙"]);
        let measures: Vec<&str> = b.categories[0].findings[0]
            .measures
            .iter()
            .map(|m| m.text.as_str())
            .collect();
        assert_eq!(measures, ["1. 措施一", "2. 措施二"]);
        assert!(b.categories[0].findings[1].measures.is_empty());
        assert_eq!(b.categories[1].findings[0].text, "1. 丙");
        assert_eq!(b.categories[1].findings[0].measures[0].deadline, "2022年10月31日");
        assert_eq!(b.finding_count(), 3, "the other branch's row is not in this branch");
        assert_eq!(doc.title, "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单");
        let so = b.sign_off.as_ref().unwrap();
        assert_eq!(so.at, "2022-10-18 10:30", "campus time");
        assert!(so.words().contains("四个到位"));
    }

    /// 附件2 of `branches` with one category, from `rows`.
    fn one_category(branches: Vec<BranchSignOff>, rows: &[ChecklistRow]) -> Checklist {
        checklist("x", "y", "z", &[category(1, "甲")], branches, rows)
    }

    #[test]
    fn a_committee_checklist_is_signed_only_when_every_branch_is() {
        let both = one_category(vec![branch(1, "一", true), branch(2, "二", true)], &[]);
        assert!(both.is_signed());
        let one = one_category(vec![branch(1, "一", true), branch(2, "二", false)], &[]);
        assert!(!one.is_signed());
        assert!(one.branches[1].sign_off.is_none());
    }

    #[test]
    fn immediate_and_closed_off_measures_say_so_in_the_deadline_cell() {
        let mut r = row(1, 1, 1, "甲", Some("当场改"));
        r.immediate = Some(true);
        r.status = Some(MeasureStatus::ClosedOut);
        let doc = one_category(vec![branch(1, "一", false)], &[r]);
        assert_eq!(
            doc.branches[0].categories[0].findings[0].measures[0].deadline,
            "立行立改\n已销号"
        );
    }

    #[test]
    fn the_digest_changes_with_the_content_and_only_with_it() {
        let a = one_category(vec![branch(1, "一", false)], &[row(1, 1, 1, "甲", None)]);
        let b = one_category(vec![branch(1, "一", false)], &[row(1, 1, 1, "甲", None)]);
        let c = one_category(vec![branch(1, "一", false)], &[row(1, 1, 1, "乙", None)]);
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&c));
        assert_eq!(digest(&a).len(), 64);
    }

    #[test]
    fn file_names_are_chinese_and_safe() {
        assert_eq!(
            checklist_file_name("第一党支部", "pdf"),
            "附件2-第一党支部-自查问题整改与责任清单.pdf"
        );
        assert_eq!(
            report_file_name("a/b党委", "xlsx"),
            "附件3-a_b党委-对账整改专项行动情况报告.xlsx"
        );
    }
}
