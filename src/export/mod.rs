//! The documents the notice asks for, as data, and pure functions from that data to bytes:
//! 附件2 (自查问题、整改与责任清单) of a branch or of a whole committee, and 附件3 (情况报告).
//! Handlers load the rows (db::exports), build a document here, and render it to PDF or XLSX
//! in `spawn_blocking`.

pub mod font;
pub mod layout;
pub mod pdf;
pub mod source;
pub mod text;
pub mod workbooks;
pub mod xlsx;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::dates::{chinese_date, display_moment};
use crate::domain::review::FOUR_IN_PLACE;
use crate::domain::states::{LedgerState, ReportState};
use crate::domain::units::Level;

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
    /// A branch's list, or the committee's own (本级), which the 组织部 signs off.
    pub level: Level,
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
    /// Items of this category the unit answers itself (the others are another level's).
    pub own_items: usize,
    /// Whose the other items are: "1（5）由党总支（党委）自查", "本类别由各党支部自查".
    pub others: Option<String>,
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
    /// The deadline when `deadline` says just that date (a spreadsheet then holds a real date).
    /// Not part of the content's digest: `deadline` already says it.
    #[serde(skip)]
    pub due: Option<time::Date>,
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
/// The report's signature line: its date is the 落款's, printed once above it.
pub const REPORT_SIGNATURE_LINE: &str = "党组织负责人（签字）：　　　　　　　　（盖章）";

impl BranchLedger {
    pub fn finding_count(&self) -> usize {
        self.categories.iter().map(|c| c.findings.len()).sum()
    }

    /// What an empty category's 查摆问题 cell says.
    pub fn empty_category_words(&self) -> &'static str {
        if self.submitted { NO_FINDINGS } else { NOT_ENTERED }
    }

    /// The lines a category prints in the 查摆问题 column: its findings, or 无 (尚未填报) when
    /// it has none of its own items answered with a problem; then whose its other items are.
    /// Never empty.
    pub fn printed(&self, c: &CategoryBlock) -> Vec<FindingLine> {
        let mut lines = c.findings.clone();
        if lines.is_empty() && (c.own_items > 0 || c.others.is_none()) {
            lines.push(FindingLine {
                text: self.empty_category_words().into(),
                measures: Vec::new(),
            });
        }
        lines.extend(c.others.iter().map(|o| FindingLine {
            text: o.clone(),
            measures: Vec::new(),
        }));
        lines
    }

    /// The header line naming the unit.
    pub fn unit_line(&self) -> String {
        match self.level {
            Level::Branch => format!("党支部名称：{}", self.branch_name),
            Level::Committee => format!("党组织名称：{}", self.branch_name),
        }
    }

    /// The sign-off record under the table, or why this is a 草稿.
    pub fn record_words(&self) -> String {
        let by = match self.level {
            Level::Branch => "党总支（党委）",
            Level::Committee => "组织部",
        };
        match &self.sign_off {
            Some(so) => so.words(),
            None => format!(
                "草稿：本清单尚未经{by}审核签发（台账状态：{}），仅供核对，不作为报送材料。",
                self.state
            ),
        }
    }
}

impl Checklist {
    /// Signed only when every branch in it is signed off (a committee's own 本级 list, which
    /// the 组织部 signs off, carries its own record and does not hold the branches' back).
    pub fn is_signed(&self) -> bool {
        let mut branches = self.branches.iter().filter(|b| b.level == Level::Branch).peekable();
        branches.peek().is_some() && branches.all(|b| b.sign_off.is_some())
    }

    /// Every list in it signed off, the committee's own included (what 清单.txt calls 已签发,
    /// as the committee page counts its drafts).
    pub fn all_signed_off(&self) -> bool {
        self.branches.iter().all(|b| b.sign_off.is_some())
    }

    /// Every character the document can print (for the font subset).
    pub fn characters(&self) -> String {
        let mut s = format!("{}{}{}", self.title, self.committee_name, self.campaign_title);
        for b in &self.branches {
            s.push_str(&b.unit_line());
            s.push_str(&b.record_words());
            for c in &b.categories {
                s.push_str(&c.heading);
                s.push_str(c.others.as_deref().unwrap_or_default());
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

/// Builds 附件2 as printed from what it is made of: every category of the ledger under each
/// branch, findings numbered 1. 2. … within their category and measures within their finding.
pub fn checklist(institution: &str, source: &source::Checklist) -> Checklist {
    let branches = source
        .branches
        .iter()
        .map(|b| {
            let categories = source
                .categories
                .iter()
                .enumerate()
                .map(|(i, c)| CategoryBlock {
                    heading: format!("{}. {}", i + 1, c.title),
                    findings: b
                        .findings
                        .iter()
                        .filter(|f| f.category == i)
                        .enumerate()
                        .map(|(n, f)| finding_line(n + 1, f))
                        .collect(),
                    own_items: c.items.iter().filter(|(_, l)| *l == b.level).count(),
                    others: others_words(b.level, &c.items),
                })
                .collect();
            BranchLedger {
                branch_name: b.name.clone(),
                level: b.level,
                categories,
                sign_off: b
                    .sign_off
                    .as_ref()
                    .filter(|_| b.state == LedgerState::SignedOff)
                    .map(|so| SignOff {
                        signer: so.signer.clone(),
                        at: display_moment(&so.at),
                        four_in_place: so.four_in_place,
                        comment: so.comment.clone(),
                    }),
                state: b.state.label().to_string(),
                submitted: b.state.has_been_submitted(),
            }
        })
        .collect();
    Checklist {
        title: format!("{institution}党支部对账整改专项行动自查问题、整改与责任清单"),
        committee_name: source.committee_name.clone(),
        campaign_title: source.campaign_title.clone(),
        branches,
    }
}

/// Whose the items of a category are that a unit of `level` does not answer: for a branch, the
/// committee's own items by number; for a committee's 本级 list, a category with none of its
/// items. `None` when there is nothing to say.
fn others_words(level: Level, items: &[(String, Level)]) -> Option<String> {
    let others: Vec<&str> = items
        .iter()
        .filter(|(_, l)| *l != level)
        .map(|(code, _)| code.as_str())
        .collect();
    match level {
        _ if others.is_empty() => None,
        Level::Branch => Some(format!("{}由党总支（党委）自查", others.join("、"))),
        Level::Committee if others.len() == items.len() => Some("本类别各项由党支部自查".into()),
        Level::Committee => None,
    }
}

/// Finding number `n` of its category, with its measures numbered.
fn finding_line(n: usize, f: &source::Finding) -> FindingLine {
    FindingLine {
        text: format!("{n}. {}", f.text),
        measures: f
            .measures
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut deadline = deadline_cell(m);
                let plain = !(m.immediate || m.long_term || m.closed_out);
                if m.closed_out {
                    deadline.push_str(if deadline.is_empty() {
                        "已销号"
                    } else {
                        "\n已销号"
                    });
                }
                MeasureLine {
                    text: format!("{}. {}{}", i + 1, m.text, milestone_lines(&m.milestones)),
                    deadline,
                    owner: m.owner.clone(),
                    due: m.deadline.filter(|_| plain),
                }
            })
            .collect(),
    }
}

/// What the 整改时限 cell says before 已销号: a date, 立行立改, or 长期坚持 with its 阶段性完成时限
/// (domain::import reads each back).
fn deadline_cell(m: &source::Measure) -> String {
    match (m.immediate, m.long_term, m.deadline) {
        // The date a 立行立改 measure was set for stays with it (an import reads it back).
        (true, _, Some(d)) => format!("{IMMEDIATE}（{}）", chinese_date(d)),
        (true, _, None) => IMMEDIATE.to_string(),
        (false, true, Some(d)) => format!("{LONG_TERM}\n（阶段性完成时限：{}）", chinese_date(d)),
        (false, true, None) => LONG_TERM.to_string(),
        (false, false, d) => d.map(chinese_date).unwrap_or_default(),
    }
}

pub const IMMEDIATE: &str = "立行立改";
pub const LONG_TERM: &str = "长期坚持";
/// The line under a measure's text that lists its milestones.
pub const MILESTONES: &str = "进度安排：";

/// A measure's milestones compactly, on a line under its text: "进度安排：2026年12月5日 起草初稿
/// （已完成）；2026年12月20日 支委会审议". Empty without milestones.
fn milestone_lines(milestones: &[source::Milestone]) -> String {
    if milestones.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = milestones
        .iter()
        .map(|ms| {
            format!(
                "{} {}{}",
                chinese_date(ms.due_on),
                ms.title,
                if ms.done { "（已完成）" } else { "" }
            )
        })
        .collect();
    format!("\n{MILESTONES}{}", parts.join("；"))
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

/// A unit's campaign in one page or two, for a 书记述职评议 and 年度考核 (notice 三(二)): what it
/// found, what it did, on time or not, how the 回头看 went, and its 五星级 judgement.
#[derive(Debug, Clone)]
pub struct SummaryDoc {
    /// "XX党支部对账整改专项行动情况摘要"
    pub title: String,
    pub unit_name: String,
    pub campaign_title: String,
    /// Lines under the title: the committee, the 书记, when it was drawn up.
    pub meta: Vec<String>,
    /// 一、… with their paragraphs.
    pub sections: Vec<(String, Vec<String>)>,
}

impl SummaryDoc {
    pub fn characters(&self) -> String {
        let mut s = format!(
            "{}{}{}{}",
            self.title,
            self.unit_name,
            self.campaign_title,
            self.meta.concat()
        );
        for (h, lines) in &self.sections {
            s.push_str(h);
            s.push_str(&lines.concat());
        }
        s.push_str("第页共");
        s
    }

    /// What is set in the heavier face: the title and the headings.
    pub fn title_text(&self) -> String {
        self.sections.iter().fold(self.title.clone(), |mut s, (h, _)| {
            s.push_str(h);
            s
        })
    }
}

pub const SECTION_HEADINGS: [&str; 3] = ["一、工作开展情况", "二、自查存在的问题", "三、下一步整改措施"];

pub fn report(report: &source::Report) -> ReportDoc {
    let signed = report.state == ReportState::Signed;
    let committee_name = &report.committee_name;
    ReportDoc {
        title: format!("{committee_name}开展党支部对账整改专项行动情况的报告"),
        committee_name: committee_name.clone(),
        campaign_title: report.campaign_title.clone(),
        sections: SECTION_HEADINGS
            .iter()
            .zip([&report.work_done, &report.problems, &report.next_steps])
            .map(|(h, t)| (h.to_string(), t.trim().to_string()))
            .collect(),
        signer_name: report.signer_name.clone(),
        date: report.signed_on.map(chinese_date).unwrap_or_default(),
        signature: match (signed, &report.signed_by_name, &report.signed_at) {
            // The report's date is the 落款's; the record says when the system signing was, as
            // a fact about the system, without a second date for the report.
            (true, Some(by), Some(at)) => Some(format!(
                "签署记录：党组织负责人{}；{by}于{}在系统中确认签署，报告日期以落款为准。",
                report.signer_name,
                display_moment(at),
            )),
            _ => None,
        },
    }
}

/// A paragraph of the report's body as printed.
pub struct ReportParagraph {
    /// 一、二、三 (set in the heavier face).
    pub heading: bool,
    /// Indented by two ideographic spaces.
    pub text: String,
}

impl ReportDoc {
    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    /// The body as printed: each section's heading, then its paragraphs (（未填写） for an empty
    /// section), each indented two ideographic spaces.
    pub fn paragraphs(&self) -> Vec<ReportParagraph> {
        let indent = |t: &str| format!("\u{3000}\u{3000}{t}");
        let mut out = Vec::new();
        for (heading, text) in &self.sections {
            out.push(ReportParagraph {
                heading: true,
                text: indent(heading),
            });
            let paragraphs: Vec<&str> = text.lines().map(str::trim).filter(|p| !p.is_empty()).collect();
            let texts = if paragraphs.is_empty() {
                vec!["（未填写）"]
            } else {
                paragraphs
            };
            out.extend(texts.into_iter().map(|p| ReportParagraph {
                heading: false,
                text: indent(p),
            }));
        }
        out
    }

    /// The 落款's one date line: the report date, or blanks to write it in by hand.
    pub fn date_line(&self) -> &str {
        if self.date.is_empty() {
            "　　年　　月　　日"
        } else {
            &self.date
        }
    }

    /// The record under the 落款: the signature, or why this is a 草稿.
    pub fn record(&self) -> &str {
        self.signature.as_deref().unwrap_or(REPORT_DRAFT_WORDS)
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
    /// Where it is checked: `https://dj.example.edu.cn/verify`, or `/verify` when the public
    /// address is not configured.
    pub verify_url: String,
}

impl Stamp {
    pub fn footer_words(&self) -> String {
        format!("验证码 {}　核验：{}", self.code, self.verify_url)
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
        &Stamp {
            code: String::new(),
            verify_url: String::new(),
        }
        .footer_words(),
    ]
    .concat()
}

fn render_slots() -> usize {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    cores.saturating_sub(1).max(1)
}

/// Renders on all cores but one at a time, so pages stay quick while a committee downloads
/// its bundle; further documents wait their turn.
static RENDERING: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(render_slots()));

/// Documents being prepared at once (their data read, rendering or waiting to): one more than
/// render, so the renderer never waits for data, and 64 simultaneous downloads hold two
/// documents' data in memory rather than 64.
static PREPARING: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(render_slots() + 1));

/// A place among the documents being prepared: hold it while reading a document's data.
pub async fn preparing() -> tokio::sync::SemaphorePermit<'static> {
    PREPARING.acquire().await.expect("the semaphore is never closed")
}

/// Runs `job` (building a PDF, a workbook or a ZIP) off the async runtime, behind the render
/// slots.
pub async fn render<T: Send + 'static>(job: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    let _slot = RENDERING.acquire().await.expect("the semaphore is never closed");
    tokio::task::spawn_blocking(job).await?
}

/// A file of the 报送材料 as the ZIP's 清单.txt lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub signed: bool,
    pub code: String,
}

/// 清单.txt: what the ZIP holds, each file's state and verification code, and a warning when
/// any is a 草稿. CRLF and a byte-order mark, so Windows Notepad shows it right.
pub fn manifest(committee: &str, campaign: &str, verify_url: &str, files: &[Listed]) -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(crate::domain::dates::CAMPUS_OFFSET);
    let drafts = files.iter().filter(|f| !f.signed).count();
    let mut lines = vec![
        format!("报送材料清单：{committee}"),
        format!("专项行动：{campaign}"),
        format!(
            "生成时间：{}年{}月{}日 {:02}:{:02}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute()
        ),
        format!("核验地址：{verify_url}（输入验证码，核对纸质材料与系统记录是否一致）"),
        String::new(),
    ];
    if drafts > 0 {
        lines.push(format!(
            "注意：本压缩包中有 {drafts} 个草稿文件（台账未审核签发或报告未签署），草稿不作为报送材料。"
        ));
        lines.push(String::new());
    }
    for (i, f) in files.iter().enumerate() {
        let state = if f.signed { "已签发" } else { "草稿" };
        lines.push(format!("{}. {}　{state}　验证码 {}", i + 1, f.name, f.code));
    }
    let mut text = String::from("\u{feff}");
    text.push_str(&lines.join("\r\n"));
    text.push_str("\r\n");
    text
}

/// The 报送材料 ZIP: 清单.txt first, listing each file under the name the ZIP gives it, then
/// the files.
pub fn submission(
    committee: &str, campaign: &str, verify_url: &str, mut files: Vec<(Listed, Vec<u8>)>,
) -> anyhow::Result<Vec<u8>> {
    // The names as the ZIP will hold them (two units' names may clean to one).
    let unique = unique_names(files.iter().map(|(l, _)| l.name.as_str()));
    for ((l, _), name) in files.iter_mut().zip(unique) {
        l.name = name;
    }
    let list: Vec<Listed> = files.iter().map(|(l, _)| l.clone()).collect();
    let mut named = vec![(
        "清单.txt".to_string(),
        manifest(committee, campaign, verify_url, &list).into_bytes(),
    )];
    named.extend(files.into_iter().map(|(l, bytes)| (l.name, bytes)));
    zip(&named)
}

/// A ZIP of `files` (the 报送材料); a name met twice (two unit names that clean to the same
/// file name) gets a number, as a file manager would.
pub fn zip(files: &[(String, Vec<u8>)]) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Campus time, so the files show today's date when unpacked (the default is 1980).
    let now = time::OffsetDateTime::now_utc().to_offset(crate::domain::dates::CAMPUS_OFFSET);
    let modified = zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(modified);
    let names = unique_names(files.iter().map(|(name, _)| name.as_str()));
    for (name, (_, bytes)) in names.iter().zip(files) {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// File names made unique as a file manager would: a name met again gets a number.
pub fn unique_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::new();
    for name in names {
        let mut unique = name.to_string();
        let mut n = 2;
        while !used.insert(unique.clone()) {
            unique = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}（{n}）.{ext}"),
                None => format!("{name}（{n}）"),
            };
            n += 1;
        }
        out.push(unique);
    }
    out
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

/// The ASCII name an export falls back to where a client reads only `filename=`: the document,
/// whose it is and the campaign's year, e.g. `fujian2-branch-12-2026.pdf`.
pub fn ascii_file_name(document: &str, unit: &str, id: i64, year: i32, ext: &str) -> String {
    format!("{document}-{unit}-{id}-{year}.{ext}")
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
    use crate::domain::CommitteeId;

    fn measure(text: &str) -> source::Measure {
        source::Measure {
            long_term: false,
            milestones: Vec::new(),
            text: text.into(),
            deadline: Some(time::macros::date!(2022 - 10 - 31)),
            owner: "张喆".into(),
            immediate: false,
            closed_out: false,
        }
    }

    fn finding(category: usize, text: &str, measures: &[&str]) -> source::Finding {
        source::Finding {
            category,
            text: text.into(),
            measures: measures.iter().map(|m| measure(m)).collect(),
        }
    }

    fn branch(name: &str, signed: bool, findings: Vec<source::Finding>) -> source::Branch {
        source::Branch {
            name: name.into(),
            level: Level::Branch,
            state: if signed {
                LedgerState::SignedOff
            } else {
                LedgerState::Submitted
            },
            sign_off: signed.then(|| source::SignOff {
                signer: "李书记".into(),
                at: "2022-10-18 02:30:00".into(),
                four_in_place: true,
                comment: String::new(),
            }),
            findings,
        }
    }

    fn source(categories: &[&str], branches: Vec<source::Branch>) -> source::Checklist {
        source::Checklist {
            committee_id: CommitteeId(1),
            committee_name: "y".into(),
            unit_name: "y".into(),
            campaign_title: "z".into(),
            categories: categories
                .iter()
                .map(|c| source::Category {
                    title: c.to_string(),
                    items: vec![("1（1）".into(), Level::Branch)],
                })
                .collect(),
            branches,
        }
    }

    #[test]
    fn findings_and_measures_are_numbered_within_their_category_and_finding() {
        let one = branch(
            "一支部",
            true,
            vec![
                finding(0, "甲", &["措施一", "措施二"]),
                finding(0, "乙", &[]),
                finding(1, "丙", &["措施三"]),
            ],
        );
        let other = branch("二支部", false, vec![finding(0, "别的支部", &["x"])]);
        let doc = checklist(
            "潍坊学院",
            &source(&["党支部设置和调整不规范", "组织生活制度执行不严格"], vec![one, other]),
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
        assert_eq!(b.finding_count(), 3, "the other branch's finding is not in this branch");
        assert_eq!(doc.branches[1].categories[0].findings[0].text, "1. 别的支部");
        assert_eq!(doc.title, "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单");
        let so = b.sign_off.as_ref().unwrap();
        assert_eq!(so.at, "2022-10-18 10:30", "campus time");
        assert!(so.words().contains("四个到位"));
    }

    /// 附件2 of `branches` with one category.
    fn one_category(branches: Vec<source::Branch>) -> Checklist {
        checklist("x", &source(&["甲"], branches))
    }

    #[test]
    fn a_committee_checklist_is_signed_only_when_every_branch_is() {
        let both = one_category(vec![branch("一", true, vec![]), branch("二", true, vec![])]);
        assert!(both.is_signed());
        let one = one_category(vec![branch("一", true, vec![]), branch("二", false, vec![])]);
        assert!(!one.is_signed());
        assert!(one.branches[1].sign_off.is_none());
    }

    #[test]
    fn a_branch_list_says_which_items_the_committee_checks_and_the_committee_list_the_reverse() {
        let items = |levels: &[Level]| -> Vec<(String, Level)> {
            levels
                .iter()
                .enumerate()
                .map(|(i, l)| (format!("1（{}）", i + 1), *l))
                .collect()
        };
        let (b, c) = (Level::Branch, Level::Committee);
        let mut src = source(
            &["甲", "乙", "丙"],
            vec![branch("一", false, vec![finding(0, "问题", &[])])],
        );
        src.categories[0].items = items(&[b, c]);
        src.categories[1].items = items(&[c, c]);
        src.categories[2].items = items(&[b]);
        let mut own = branch("党委（本级）", false, vec![]);
        own.level = c;
        src.branches.push(own);
        let doc = checklist("x", &src);
        let words = |unit: &BranchLedger, i: usize| -> Vec<String> {
            unit.printed(&unit.categories[i]).into_iter().map(|l| l.text).collect()
        };
        let branch = &doc.branches[0];
        assert_eq!(words(branch, 0), ["1. 问题", "1（2）由党总支（党委）自查"]);
        assert_eq!(
            words(branch, 1),
            ["1（1）、1（2）由党总支（党委）自查"],
            "not 无: the branch answers none of them"
        );
        assert_eq!(words(branch, 2), ["无"]);
        let own = &doc.branches[1];
        assert_eq!(words(own, 0), ["无"]);
        assert_eq!(words(own, 1), ["无"]);
        assert_eq!(words(own, 2), ["本类别各项由党支部自查"]);
        assert_eq!(own.unit_line(), "党组织名称：党委（本级）");
        assert!(own.record_words().contains("尚未经组织部审核签发"));
        assert!(!doc.is_signed());
    }

    #[test]
    fn immediate_and_closed_off_measures_say_so_in_the_deadline_cell() {
        let mut f = finding(0, "甲", &["当场改"]);
        f.measures[0].immediate = true;
        f.measures[0].closed_out = true;
        let doc = one_category(vec![branch("一", false, vec![f])]);
        assert_eq!(
            doc.branches[0].categories[0].findings[0].measures[0].deadline,
            "立行立改（2022年10月31日）\n已销号"
        );
    }

    #[test]
    fn long_term_measures_and_milestones_print_in_their_cells() {
        let mut f = finding(0, "甲", &["每季度公示党费"]);
        f.measures[0].long_term = true;
        f.measures[0].milestones = vec![
            source::Milestone {
                due_on: time::macros::date!(2022 - 11 - 05),
                title: "拟定公示办法".into(),
                done: true,
            },
            source::Milestone {
                due_on: time::macros::date!(2022 - 12 - 20),
                title: "第一次公示".into(),
                done: false,
            },
        ];
        let doc = one_category(vec![branch("一", false, vec![f])]);
        let m = &doc.branches[0].categories[0].findings[0].measures[0];
        assert_eq!(m.deadline, "长期坚持\n（阶段性完成时限：2022年10月31日）");
        assert_eq!(
            m.text,
            "1. 每季度公示党费\n进度安排：2022年11月5日 拟定公示办法（已完成）；2022年12月20日 第一次公示"
        );
    }

    #[test]
    fn the_digest_changes_with_the_content_and_only_with_it() {
        let a = one_category(vec![branch("一", false, vec![finding(0, "甲", &[])])]);
        let b = one_category(vec![branch("一", false, vec![finding(0, "甲", &[])])]);
        let c = one_category(vec![branch("一", false, vec![finding(0, "乙", &[])])]);
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&c));
        assert_eq!(digest(&a).len(), 64);
    }

    #[test]
    fn a_zip_never_holds_two_files_of_one_name() {
        let files = vec![
            ("a.pdf".to_string(), b"1".to_vec()),
            ("a.pdf".to_string(), b"2".to_vec()),
        ];
        let bytes = zip(&files).unwrap();
        let archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut names: Vec<String> = archive.file_names().map(|n| n.unwrap().to_string()).collect();
        names.sort();
        assert_eq!(names, ["a.pdf", "a（2）.pdf"]);
    }

    #[test]
    fn the_list_in_the_zip_names_every_file_its_state_and_code_and_warns_of_drafts() {
        let files = [
            Listed {
                name: "附件3-党委-对账整改专项行动情况报告.pdf".into(),
                signed: true,
                code: "AAAAA-BBBBB".into(),
            },
            Listed {
                name: "附件2/附件2-第一党支部-自查问题整改与责任清单.pdf".into(),
                signed: false,
                code: "CCCCC-DDDDD".into(),
            },
        ];
        let text = manifest("党委", "2022年专项行动", "https://dj.example.edu.cn/verify", &files);
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\r\n"));
        assert!(text.contains("1. 附件3-党委-对账整改专项行动情况报告.pdf　已签发　验证码 AAAAA-BBBBB"));
        assert!(text.contains("2. 附件2/附件2-第一党支部-自查问题整改与责任清单.pdf　草稿　验证码 CCCCC-DDDDD"));
        assert!(text.contains("有 1 个草稿文件"));
        assert!(text.contains("https://dj.example.edu.cn/verify"));
        let signed = manifest("党委", "2022", "/verify", &files[..1]);
        assert!(!signed.contains("草稿文件"));
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
