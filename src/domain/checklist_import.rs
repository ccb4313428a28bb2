//! Reading a branch's own 清单 in the notice's 附件2 layout (查摆内容 | 查摆问题 | 整改措施 |
//! 整改时限 | 责任人) — filled by hand in Excel, or this system's own 附件2 export — into findings
//! with their numbered measures. Category cells may be merged (only the first row holds the
//! text) or repeated on every row; so may finding cells. A measure cell may hold one measure or
//! several numbered ones. Every finding becomes one preview row saying what it will create, or
//! why a cell cannot be placed.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::dates::parse_typed_date;
use super::import::{ImportRow, MAX_ROWS, match_category};
use super::input::{FINDING_MAX, MEASURE_MAX, OWNER_MAX, clean};
use super::progress::MILESTONE_MAX;

time::serde::format_description!(plain_date, Date, "[year]-[month]-[day]");

/// The words this system's export prints (export::IMMEDIATE, LONG_TERM, MILESTONES), read back.
const IMMEDIATE: &str = "立行立改";
const LONG_TERM: &str = "长期坚持";
const CLOSED_OUT: &str = "已销号";
const MILESTONES: &str = "进度安排：";
/// How this system's 附件2 workbook marks a cell continued from the page before (a text taller
/// than a page is split over pages): joined to the cell above it.
pub const CONTINUED: &str = "（续上页）";

/// A measure as a preview row carries it (and the confirm form sends it back, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedMeasure {
    pub text: String,
    #[serde(with = "plain_date::option")]
    pub deadline: Option<Date>,
    pub owner: String,
    pub immediate: bool,
    pub long_term: bool,
    /// Closed off in the list it came from: it comes in as a plan (未开始), said in the preview.
    pub closed_out: bool,
    pub milestones: Vec<ImportedMilestone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedMilestone {
    #[serde(with = "plain_date")]
    pub due_on: Date,
    pub title: String,
    pub done: bool,
}

impl ImportedMeasure {
    /// What the preview says of it: "整改时限 2026-12-31 · 责任人 张喆 · 2 个进度节点".
    pub fn words(&self) -> String {
        let mut parts = Vec::new();
        match (self.immediate, self.long_term, self.deadline) {
            (true, _, _) => parts.push(IMMEDIATE.to_string()),
            (_, true, Some(d)) => parts.push(format!("{LONG_TERM} · 阶段性完成时限 {d}")),
            (_, true, None) => parts.push(LONG_TERM.to_string()),
            (_, _, Some(d)) => parts.push(format!("整改时限 {d}")),
            (_, _, None) => parts.push("整改时限未填写".into()),
        }
        parts.push(if self.owner.is_empty() {
            "责任人未填写".into()
        } else {
            format!("责任人 {}", self.owner)
        });
        if !self.milestones.is_empty() {
            parts.push(format!("{} 个进度节点", self.milestones.len()));
        }
        if self.closed_out {
            parts.push("原清单已销号，导入后为未开始，需重新申请销号".into());
        }
        parts.join(" · ")
    }

    /// The measure as sent back by the confirm form, its text cleaned as typed text is (the
    /// form could have been changed on the way).
    pub fn cleaned(&self) -> ImportedMeasure {
        let tidy = |s: &str| clean(s).trim().to_string();
        ImportedMeasure {
            text: tidy(&self.text),
            owner: tidy(&self.owner),
            milestones: self
                .milestones
                .iter()
                .map(|m| ImportedMilestone {
                    title: tidy(&m.title),
                    ..m.clone()
                })
                .collect(),
            ..self.clone()
        }
    }

    /// What is wrong with it for a campaign whose deadlines lie in `window`, if anything.
    pub fn problem(&self, window: (Date, Date)) -> Option<String> {
        let n = self.text.chars().count();
        if n == 0 {
            return Some("整改措施为空".into());
        }
        if n > MEASURE_MAX {
            return Some(format!("整改措施超过 {MEASURE_MAX} 字（现为 {n} 字）"));
        }
        if self.owner.chars().count() > OWNER_MAX {
            return Some(format!("责任人超过 {OWNER_MAX} 字"));
        }
        if self.immediate && self.long_term {
            return Some("“立行立改”和“长期坚持”只能选一项".into());
        }
        if self.milestones.len() > super::progress::MAX_MILESTONES {
            return Some(format!(
                "进度节点超过 {} 个，请合并相近的步骤",
                super::progress::MAX_MILESTONES
            ));
        }
        let outside = |d: Date| d < window.0 || d > window.1;
        if let Some(d) = self.deadline.filter(|d| outside(*d)) {
            return Some(format!(
                "整改时限 {d} 不在本次专项行动的时限范围（{} 至 {}）内",
                window.0, window.1
            ));
        }
        for m in &self.milestones {
            if m.title.is_empty() || m.title.chars().count() > MILESTONE_MAX {
                return Some(format!("进度节点“{}”的内容为空或超过 {MILESTONE_MAX} 字", m.title));
            }
            if outside(m.due_on) {
                return Some(format!("进度节点“{}”的日期 {} 不在时限范围内", m.title, m.due_on));
            }
        }
        None
    }
}

/// The five columns, by where the header row puts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    category: usize,
    finding: usize,
    measure: usize,
    deadline: usize,
    owner: usize,
}

/// The header row of an 附件2 sheet, if `rows` has one (within its first rows): the row index
/// and where each column is.
fn header(rows: &[(usize, Vec<String>)]) -> Option<(usize, Columns)> {
    rows.iter().take(30).enumerate().find_map(|(i, (_, cells))| {
        let at = |words: &[&str]| {
            cells
                .iter()
                .position(|c| words.iter().any(|w| c.trim() == *w || c.contains(w)))
        };
        Some((
            i,
            Columns {
                category: at(&["查摆内容", "问题类别", "类别"])?,
                finding: at(&["查摆问题", "存在问题"])?,
                measure: at(&["整改措施"])?,
                deadline: at(&["整改时限", "完成时限"])?,
                owner: at(&["责任人"])?,
            },
        ))
    })
}

/// Whether the sheet is an 附件2 (has its header row) rather than a two-column list.
pub fn is_checklist(rows: &[(usize, Vec<String>)]) -> bool {
    header(rows).is_some()
}

/// How many columns to read to find an 附件2's five (a leading 序号 column and a trailing
/// 备注 are common).
pub const COLUMNS: usize = 8;
/// How many sheet rows to read: a finding may span several.
pub const SHEET_ROWS: usize = MAX_ROWS * 8;

/// A cell's text, cleaned as typed text is.
fn cell(cells: &[String], i: usize) -> String {
    cells.get(i).map(|c| clean(c).trim().to_string()).unwrap_or_default()
}

/// "1. …", "1、…", "（1）…", "(1)…", "1．…" → "…".
fn strip_number(text: &str) -> &str {
    let t = text.trim_start();
    let t2 = t.trim_start_matches(['（', '(']);
    let digits = t2.find(|c: char| !c.is_ascii_digit()).unwrap_or(t2.len());
    // A list number has one or two digits: "2026.12前完成" and "1.5万元" are text.
    if digits == 0 || digits > 2 {
        return t;
    }
    let rest = &t2[digits..];
    let after = rest
        .strip_prefix(['.', '、', '．', '）', ')'])
        .map(|r| r.trim_start_matches(['.', '、', '．', ' ', '　']));
    match after {
        Some(r) if !r.is_empty() => r.trim_start(),
        _ => t,
    }
}

/// Whether a line starts with a measure number ("1." "2、" "（3）").
fn is_numbered(line: &str) -> bool {
    strip_number(line) != line.trim_start()
}

/// What a finding cell holds that is no finding: the export's placeholders (无, （尚未填报）)
/// and its note on another level's items ("1（5）由党总支（党委）自查").
fn is_placeholder(text: &str) -> bool {
    let t = strip_number(text);
    t.is_empty()
        || matches!(t, "无" | "（尚未填报）" | "/" | "-" | "—")
        || t.ends_with("由党总支（党委）自查")
        || t.ends_with("由党支部自查")
}

/// Dates in a 整改时限 cell: 2026年12月31日, 2026-12-31, 2026/12/31, 2026.12.31, or an Excel
/// date serial (a date typed into a cell reads as a number of days since 1899-12-30).
fn dates_in(text: &str) -> Vec<Date> {
    let t = text.trim();
    if let Ok(serial) = t.parse::<f64>()
        && (20000.0..80000.0).contains(&serial)
    {
        let base = time::macros::date!(1899 - 12 - 30);
        return vec![base + Duration::days(serial as i64)];
    }
    let chars: Vec<char> = t.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 4 <= chars.len() {
        if chars[i..i + 4].iter().all(char::is_ascii_digit) && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            // The longest date-looking run from here.
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || "年月日-/.".contains(chars[j])) {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if let Some(d) = parse_typed_date(run.trim_end_matches(['-', '/', '.'])) {
                found.push(d);
                i = j;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The measures of one measure cell with its 整改时限 and 责任人 cells, or why they cannot be
/// placed.
fn measures_of(text: &str, deadline: &str, owner: &str) -> Result<Vec<ImportedMeasure>, String> {
    // Split the cell into measures at numbered lines; a 进度安排 line belongs to the one above.
    let mut parts: Vec<(String, Vec<ImportedMilestone>)> = Vec::new();
    let numbered = text.lines().filter(|l| is_numbered(l)).count();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if let Some(rest) = l.strip_prefix(MILESTONES) {
            let Some(last) = parts.last_mut() else {
                return Err("“进度安排”没有对应的整改措施".into());
            };
            last.1.extend(milestones_of(rest)?);
        } else if parts.is_empty() || (numbered > 1 && is_numbered(l)) {
            parts.push((strip_number(l).to_string(), Vec::new()));
        } else {
            let last = parts.last_mut().expect("not empty");
            last.0.push('\n');
            last.0.push_str(l);
        }
    }
    // The 整改时限 cell: one entry for all the cell's measures, or one per measure (an entry is a
    // line; a line in brackets or 已销号 belongs to the one above).
    let mut entries: Vec<String> = Vec::new();
    for line in deadline.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match entries.last_mut() {
            Some(last) if line.starts_with(['（', '(']) || line == CLOSED_OUT => {
                last.push('\n');
                last.push_str(line);
            }
            _ => entries.push(line.to_string()),
        }
    }
    let count = parts.len();
    let entries: Vec<Timing> = match entries.len() {
        0 => vec![Timing::default(); count],
        1 => vec![timing(&entries[0])?; count],
        n if n == count => entries.iter().map(|e| timing(e)).collect::<Result<_, _>>()?,
        n => {
            return Err(format!(
                "整改时限单元格有 {n} 项，措施单元格有 {count} 条措施，无法一一对应"
            ));
        }
    };
    Ok(parts
        .into_iter()
        .zip(entries)
        .map(|((text, milestones), t)| ImportedMeasure {
            text,
            deadline: t.deadline,
            owner: owner.to_string(),
            immediate: t.immediate,
            long_term: t.long_term && !t.immediate,
            closed_out: t.closed_out,
            milestones,
        })
        .collect())
}

/// One measure's 整改时限 entry, read.
#[derive(Debug, Clone, Copy, Default)]
struct Timing {
    deadline: Option<Date>,
    immediate: bool,
    long_term: bool,
    closed_out: bool,
}

/// A 整改时限 entry: a date, 立行立改, 长期坚持 with its 阶段性完成时限, each perhaps 已销号.
fn timing(entry: &str) -> Result<Timing, String> {
    let dates = dates_in(entry);
    let rest = entry
        .replace(IMMEDIATE, "")
        .replace(LONG_TERM, "")
        .replace(CLOSED_OUT, "")
        .replace("阶段性完成时限", "");
    if dates.len() > 1 || (dates.is_empty() && rest.chars().any(|c| !"（）()：:，, \n　".contains(c))) {
        return Err(format!(
            "无法识别整改时限“{}”，请写成 2026年12月31日 或 2026-12-31",
            entry.trim()
        ));
    }
    Ok(Timing {
        deadline: dates.first().copied(),
        immediate: entry.contains(IMMEDIATE),
        long_term: entry.contains(LONG_TERM),
        closed_out: entry.contains(CLOSED_OUT),
    })
}

/// "2026年12月5日 起草初稿（已完成）；2026年12月20日 支委会审议" → milestones.
fn milestones_of(text: &str) -> Result<Vec<ImportedMilestone>, String> {
    text.split('；')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (date, title) = p.split_once([' ', '　']).unwrap_or((p, ""));
            let due_on = parse_typed_date(date).ok_or_else(|| format!("无法识别进度节点“{p}”的日期"))?;
            let (title, done) = match title.trim().strip_suffix("（已完成）") {
                Some(t) => (t.trim(), true),
                None => (title.trim(), false),
            };
            Ok(ImportedMilestone {
                due_on,
                title: title.to_string(),
                done,
            })
        })
        .collect()
}

/// An item of the campaign the unit answers: (category position, item position, its text).
pub type ItemText<'a> = (i64, i64, &'a str);

/// The item of `category` a finding's words match, if one clearly does: the most shared
/// two-character runs (at least five), three or more ahead of the next item. The preview shows
/// the match for the secretary to change.
pub fn match_item(text: &str, category: i64, items: &[ItemText<'_>]) -> Option<i64> {
    fn pairs(s: &str) -> std::collections::HashSet<(char, char)> {
        let cs: Vec<char> = s
            .chars()
            .filter(|c| c.is_alphanumeric() && !c.is_ascii_digit())
            .collect();
        cs.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let own = pairs(text);
    let mut scored: Vec<(usize, i64)> = items
        .iter()
        .filter(|(c, _, _)| *c == category)
        .map(|(_, p, t)| (pairs(t).intersection(&own).count(), *p))
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scored.as_slice() {
        [(best, p), rest @ ..] if *best >= 5 && rest.first().is_none_or(|(next, _)| best - next >= 3) => Some(*p),
        _ => None,
    }
}

/// Preview rows from an 附件2 sheet: one per finding, with its measures; `window` is the
/// campaign's deadline window.
pub fn from_sheet(
    rows: &[(usize, Vec<String>)], titles: &[(i64, &str)], items: &[ItemText<'_>], window: (Date, Date),
) -> Vec<ImportRow> {
    let Some((start, cols)) = header(rows) else {
        return Vec::new();
    };
    let mut out: Vec<ImportRow> = Vec::new();
    let mut category: Option<i64> = None;
    let mut category_cell = String::new();
    let mut category_error: Option<String> = None;
    // The current finding cell as read (repeated cells continue the same finding), and
    // whether it is a placeholder (its row's measures are then misplaced).
    let mut finding_cell = String::new();
    let mut in_finding = false;
    // The last measure cells read (text, deadline, owner) and how many measures they made, so a
    // continued piece can be joined to them and read again.
    let mut last_measure: Option<([String; 3], usize)> = None;
    for (line, cells) in &rows[start + 1..] {
        let mut c = cell(cells, cols.category);
        let mut f = cell(cells, cols.finding);
        let mut m = cell(cells, cols.measure);
        let mut d = cell(cells, cols.deadline);
        let mut o = cell(cells, cols.owner);
        if [&c, &f, &m, &d, &o].iter().all(|s| s.is_empty()) {
            continue;
        }
        // A category continued from the page before is the same category.
        if c.starts_with(CONTINUED) {
            c = category_cell.clone();
        }
        // A finding continued: the piece joins the finding's text.
        if let Some(rest) = f.strip_prefix(CONTINUED) {
            if let Some(row) = out.last_mut().filter(|_| in_finding)
                && !rest.is_empty()
            {
                row.text.push_str(rest);
                if row.text.chars().count() > FINDING_MAX {
                    row.error.get_or_insert(format!("问题内容超过 {FINDING_MAX} 字"));
                }
            }
            f = finding_cell.clone();
        }
        // A measure continued: its cells join the ones above and are read again.
        if m.starts_with(CONTINUED)
            && let Some((mut raw, made)) = last_measure.take()
            && let Some(row) = out.last_mut().filter(|_| in_finding)
        {
            for (whole, piece) in raw.iter_mut().zip([&m, &d, &o]) {
                whole.push_str(piece.strip_prefix(CONTINUED).unwrap_or(piece));
            }
            row.measures.truncate(row.measures.len().saturating_sub(made));
            [m, d, o] = raw;
        }
        // Below the table: the sign-off record, the signature line, the code (one wide cell,
        // no category's words). A category with nothing else on its row just starts.
        if !c.is_empty() && [&f, &m, &d, &o].iter().all(|s| s.is_empty()) && match_category(&c, titles).is_none() {
            break;
        }
        if !c.is_empty() && c != category_cell {
            category_cell = c.clone();
            category = match_category(&c, titles);
            category_error = category
                .is_none()
                .then(|| format!("无法识别类别“{c}”，请为这一行选择类别"));
            finding_cell.clear();
            in_finding = false;
        }
        if !f.is_empty() && f != finding_cell {
            finding_cell = f.clone();
            // A continued measure joins only a measure of the same finding.
            last_measure = None;
            in_finding = !is_placeholder(&f);
            if in_finding {
                if out.len() >= MAX_ROWS {
                    break;
                }
                let text = strip_number(&f).to_string();
                let error = if text.chars().count() > FINDING_MAX {
                    Some(format!("问题内容超过 {FINDING_MAX} 字"))
                } else {
                    category_error.clone()
                };
                out.push(ImportRow {
                    line: *line,
                    category,
                    item: category.and_then(|cat| match_item(&text, cat, items)),
                    text,
                    error,
                    measures: Vec::new(),
                });
            }
        }
        if m.is_empty() && d.is_empty() && o.is_empty() {
            continue;
        }
        let Some(row) = out.last_mut().filter(|_| in_finding) else {
            // A measure with no finding of its own: say so on a row of its own.
            out.push(ImportRow {
                line: *line,
                category,
                item: None,
                text: String::new(),
                error: Some(format!(
                    "第 {line} 行的整改措施没有对应的查摆问题，请在“查摆问题”列填写问题后重新导入"
                )),
                measures: Vec::new(),
            });
            continue;
        };
        if m.is_empty() {
            row.error
                .get_or_insert(format!("第 {line} 行填写了整改时限或责任人，但没有整改措施"));
            continue;
        }
        match measures_of(&m, &d, &o) {
            Ok(ms) => {
                last_measure = Some(([m.clone(), d.clone(), o.clone()], ms.len()));
                for measure in ms {
                    if let Some(p) = measure.problem(window) {
                        row.error.get_or_insert(format!("第 {line} 行：{p}"));
                    }
                    row.measures.push(measure);
                }
            }
            Err(e) => {
                row.error.get_or_insert(format!("第 {line} 行：{e}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TITLES: &[(i64, &str)] = &[
        (1, "党支部设置和调整不规范"),
        (2, "组织生活制度执行不严格"),
        (3, "党员教育管理监督不到位"),
    ];
    const ITEMS: &[ItemText<'static>] = &[
        (2, 1, "“三会一课”制度落实不到位，支委会、党员大会、党课召开次数不够"),
        (2, 2, "主题党日活动形式单一，内容不够丰富"),
        (3, 1, "发展党员程序不规范，入党材料不完备"),
    ];
    const WINDOW: (Date, Date) = (date!(2026 - 10 - 01), date!(2029 - 09 - 30));

    fn row(n: usize, cells: &[&str]) -> (usize, Vec<String>) {
        (n, cells.iter().map(|c| c.to_string()).collect())
    }

    fn head() -> Vec<(usize, Vec<String>)> {
        vec![
            row(1, &["附件2"]),
            row(2, &["XX学院党支部对账整改专项行动自查问题、整改与责任清单"]),
            row(3, &["党支部名称：计算机系教工党支部"]),
            row(5, &["查摆内容", "查摆问题", "整改措施", "整改时限", "责任人"]),
        ]
    }

    #[test]
    fn merged_cells_numbered_measures_dates_and_placeholders() {
        let mut rows = head();
        rows.extend([
            row(6, &["1. 党支部设置和调整不规范", "无", "", "", ""]),
            row(
                7,
                &[
                    "2. 组织生活制度执行不严格",
                    "1. 4月、6月未召开支委会，党课次数不够",
                    "1. 制定“三会一课”计划\n进度安排：2026年12月5日 起草初稿（已完成）；2026年12月20日 支委会审议",
                    "2026年12月31日",
                    "张喆",
                ],
            ),
            row(
                8,
                &[
                    "",
                    "",
                    "2. 每月召开支委会",
                    "长期坚持\n（阶段性完成时限：2027年1月31日）",
                    "李明",
                ],
            ),
            row(
                9,
                &["", "2. 主题党日形式单一", "1. 当场更正主题", "立行立改\n已销号", "张喆"],
            ),
            row(
                10,
                &["3. 党员教育管理监督不到位", "1（5）由党总支（党委）自查", "", "", ""],
            ),
            row(12, &["审核签发：周国栋于2026-11-20审核签发。"]),
            row(14, &["党组织负责人（签字）："]),
        ]);
        let out = from_sheet(&rows, TITLES, ITEMS, WINDOW);
        assert_eq!(out.len(), 2, "{out:#?}");
        let first = &out[0];
        assert_eq!((first.line, first.category, first.item), (7, Some(2), Some(1)));
        assert_eq!(first.text, "4月、6月未召开支委会，党课次数不够");
        assert_eq!(first.error, None);
        assert_eq!(first.measures.len(), 2);
        assert_eq!(first.measures[0].text, "制定“三会一课”计划");
        assert_eq!(first.measures[0].deadline, Some(date!(2026 - 12 - 31)));
        assert_eq!(
            first.measures[0].milestones,
            vec![
                ImportedMilestone {
                    due_on: date!(2026 - 12 - 05),
                    title: "起草初稿".into(),
                    done: true
                },
                ImportedMilestone {
                    due_on: date!(2026 - 12 - 20),
                    title: "支委会审议".into(),
                    done: false
                },
            ]
        );
        let lt = &first.measures[1];
        assert!(lt.long_term && !lt.immediate);
        assert_eq!((lt.deadline, lt.owner.as_str()), (Some(date!(2027 - 01 - 31)), "李明"));
        let second = &out[1];
        assert_eq!((second.category, second.item), (Some(2), Some(2)));
        assert!(second.measures[0].immediate && second.measures[0].closed_out);
        assert!(second.measures[0].words().contains("原清单已销号"));
    }

    #[test]
    fn repeated_cells_and_several_measures_in_one_cell() {
        let mut rows = head();
        rows.extend([
            row(
                6,
                &[
                    "组织生活",
                    "主题党日形式单一",
                    "1、提前一周确定主题\n2、报党委审核",
                    "2026-12-15\n2027-01-15",
                    "王芳",
                ],
            ),
            row(
                7,
                &[
                    "组织生活",
                    "主题党日形式单一",
                    "3、每季度开展一次实践活动",
                    "46022",
                    "王芳",
                ],
            ),
        ]);
        let out = from_sheet(&rows, TITLES, ITEMS, WINDOW);
        assert_eq!(out.len(), 1, "repeated cells continue one finding: {out:#?}");
        let ms: Vec<(&str, Option<Date>)> = out[0].measures.iter().map(|m| (m.text.as_str(), m.deadline)).collect();
        assert_eq!(
            ms,
            [
                ("提前一周确定主题", Some(date!(2026 - 12 - 15))),
                ("报党委审核", Some(date!(2027 - 01 - 15))),
                ("每季度开展一次实践活动", Some(date!(2025 - 12 - 31))),
            ]
        );
        assert!(
            out[0]
                .error
                .as_deref()
                .unwrap()
                .contains("第 7 行：整改时限 2025-12-31 不在"),
            "{:?}",
            out[0].error
        );
    }

    #[test]
    fn cells_that_cannot_be_placed_say_why_by_row() {
        let mut rows = head();
        rows.extend([
            row(6, &["其他方面", "问题甲", "措施甲", "年底前", "张三"]),
            row(7, &["2", "", "无主的措施", "", ""]),
            row(
                8,
                &[
                    "2",
                    "问题乙",
                    "1. 措施一\n2. 措施二\n3. 措施三",
                    "2026-12-01\n2026-12-02",
                    "",
                ],
            ),
            row(9, &["2", "问题丙", "", "2026-12-01", ""]),
        ]);
        let out = from_sheet(&rows, TITLES, ITEMS, WINDOW);
        let errors: Vec<&str> = out.iter().map(|r| r.error.as_deref().unwrap_or("")).collect();
        assert!(errors[0].contains("无法识别类别“其他方面”"), "{errors:?}");
        assert!(errors[1].contains("没有对应的查摆问题"), "{errors:?}");
        assert!(errors[2].contains("无法一一对应"), "{errors:?}");
        assert!(errors[3].contains("没有整改措施"), "{errors:?}");
        let mut rows = head();
        rows.push(row(6, &["2", "问题甲", "措施甲", "年底前", "张三"]));
        let out = from_sheet(&rows, TITLES, ITEMS, WINDOW);
        assert!(out[0].error.as_deref().unwrap().contains("无法识别整改时限“年底前”"));
    }

    #[test]
    fn each_measure_of_a_cell_takes_its_own_deadline_entry() {
        let ms = measures_of("1. 当场更正\n2. 修订制度", "立行立改\n2026-12-31", "王芳").unwrap();
        assert!(ms[0].immediate && ms[0].deadline.is_none());
        assert!(!ms[1].immediate && ms[1].deadline == Some(date!(2026 - 12 - 31)));
        let ms = measures_of("1. 甲\n2. 乙", "长期坚持\n（阶段性完成时限：2027年1月31日）", "").unwrap();
        assert!(
            ms.iter()
                .all(|m| m.long_term && m.deadline == Some(date!(2027 - 01 - 31))),
            "one entry for all"
        );
        assert!(
            measures_of("甲", "2026-12-01 至 2026-12-31", "").is_err(),
            "two dates for one measure"
        );
    }

    #[test]
    fn years_and_amounts_are_not_list_numbers_and_a_bare_category_row_does_not_end_the_table() {
        assert_eq!(strip_number("2026.12前完成换届"), "2026.12前完成换届");
        assert_eq!(strip_number("12. 第十二条"), "第十二条");
        let mut rows = head();
        rows.extend([
            row(6, &["1. 党支部设置和调整不规范", "", "", "", ""]),
            row(
                7,
                &[
                    "2. 组织生活制度执行不严格",
                    "主题党日形式单一",
                    "丰富主题党日形式",
                    "2026-12-31",
                    "王芳",
                ],
            ),
        ]);
        let out = from_sheet(&rows, TITLES, ITEMS, WINDOW);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].category, Some(2));
    }

    #[test]
    fn only_a_sheet_with_the_header_is_an_attachment_2() {
        assert!(is_checklist(&head()));
        assert!(!is_checklist(&[row(1, &["类别", "问题"]), row(2, &["2", "甲"])]));
    }

    #[test]
    fn items_match_only_when_the_words_clearly_say_so() {
        assert_eq!(
            match_item("发展党员程序不规范，2名积极分子材料不完备", 3, ITEMS),
            Some(1)
        );
        assert_eq!(match_item("支部活动经费使用不规范", 2, ITEMS), None);
        assert_eq!(
            match_item("主题党日活动形式单一", 3, ITEMS),
            None,
            "another category's item"
        );
    }
}
