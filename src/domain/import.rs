//! Reading last year's 书记述职评议 problem list into findings: each row is 类别 + 问题.

use super::checklist_import::ImportedMeasure;
use super::input::FINDING_MAX;

/// One row as the preview shows it: the category it goes under (by the ledger's numbering), or
/// why it cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// 1-based line (or spreadsheet row) number, to find it in the source.
    pub line: usize,
    pub category: Option<i64>,
    /// The item of the category it falls under (by position), where an 附件2's words say so.
    pub item: Option<i64>,
    pub text: String,
    pub error: Option<String>,
    /// Its measures, from an 附件2 (a problem list has none).
    pub measures: Vec<ImportedMeasure>,
}

/// The most rows one import takes; a longer list is a wrong file.
pub const MAX_ROWS: usize = 200;

/// The notice's 五个基本 words, which述职评议 lists often use instead of the ledger's titles.
const ALIASES: &[(&str, i64)] = &[
    ("基本组织", 1),
    ("设置", 1),
    ("换届", 1),
    ("基本制度", 2),
    ("组织生活", 2),
    ("基本队伍", 3),
    ("教育管理", 3),
    ("党员教育", 3),
    ("基本活动", 4),
    ("作用发挥", 4),
    ("支部作用", 4),
    ("基本保障", 5),
    ("支持保障", 5),
    ("工作资料", 6),
    ("资料", 6),
    ("档案", 6),
];

/// Which category a 类别 cell means: its number (1–6, optionally "第2类", "2."), its title or
/// part of it, or one of the 五个基本 words.
pub fn match_category(cell: &str, titles: &[(i64, &str)]) -> Option<i64> {
    let normalised = ascii_digits(cell);
    let c = normalised
        .trim()
        .trim_start_matches('第')
        .trim_end_matches(['类', '.', '、', '．'])
        .trim();
    if c.is_empty() {
        return None;
    }
    if let Ok(n) = c.parse::<i64>() {
        return titles.iter().any(|(p, _)| *p == n).then_some(n);
    }
    if let Some((p, _)) = titles
        .iter()
        .find(|(_, t)| *t == c || (c.chars().count() >= 4 && t.contains(c)) || c.contains(*t))
    {
        return Some(*p);
    }
    ALIASES.iter().find(|(word, _)| c.contains(word)).map(|(_, p)| *p)
}

/// Full-width digits and the Chinese numerals 一…十 as ASCII digits ("第二类" → "第2类").
fn ascii_digits(s: &str) -> String {
    const CN: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c if CN.contains(&c) => char::from(b'0' + CN.iter().position(|&n| n == c).unwrap_or(0) as u8),
            c => c,
        })
        .collect()
}

/// Rows from cells (a spreadsheet's first two columns, or split lines). A first row whose 类别
/// cell says 类别 is a header and skipped; blank rows are skipped.
pub fn from_cells(rows: Vec<(usize, String, String)>, titles: &[(i64, &str)]) -> Vec<ImportRow> {
    rows.into_iter()
        .filter(|(_, c, t)| !(c.trim().is_empty() && t.trim().is_empty()))
        .filter(|(_, c, _)| !c.contains("类别"))
        .take(MAX_ROWS)
        .map(|(line, cat, text)| {
            let text = super::input::clean(&text).trim().to_string();
            let category = match_category(&cat, titles);
            let error = if text.is_empty() {
                Some("问题内容为空".to_string())
            } else if text.chars().count() > FINDING_MAX {
                Some(format!("问题内容超过 {FINDING_MAX} 字"))
            } else if category.is_none() {
                Some(format!("无法识别类别“{}”，请为这一行选择类别", cat.trim()))
            } else {
                None
            };
            ImportRow {
                line,
                category,
                item: None,
                text,
                error,
                measures: Vec::new(),
            }
        })
        .collect()
}

/// Pasted lines: 类别 and 问题 separated by a tab (as copied from a spreadsheet), a colon, or
/// — after a leading category number — a space or 、.
pub fn from_lines(pasted: &str, titles: &[(i64, &str)]) -> Vec<ImportRow> {
    let cells = pasted
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let (cat, text) = split_line(line.trim());
            (i + 1, cat.to_string(), text.to_string())
        })
        .collect();
    from_cells(cells, titles)
}

fn split_line(line: &str) -> (&str, &str) {
    if let Some((c, t)) = line.split_once('\t') {
        return (c, t);
    }
    if let Some(i) = line.find(['：', ':']) {
        let sep = line[i..].chars().next().map_or(1, char::len_utf8);
        return (&line[..i], &line[i + sep..]);
    }
    let digits = line.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(line.len());
    if digits > 0 {
        let rest = line[digits..].trim_start_matches([' ', '、', '.', '．', '　']);
        return (&line[..digits], rest);
    }
    ("", line)
}

/// One row of the preview as the secretary confirms it: kept or not, its category (by number),
/// its item (by position in the category, or none), its text, perhaps edited, and the measures
/// an 附件2 gave it (sent back as they were previewed, checked again here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub line: usize,
    pub category: Option<i64>,
    /// The item chosen, as (its category, its position): it must be of the row's category.
    pub item: Option<(i64, i64)>,
    pub text: String,
    pub include: bool,
    pub measures: Vec<ImportedMeasure>,
    /// Its measures came back unreadable (the form was changed on the way).
    pub broken: bool,
}

/// A row to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub category: i64,
    pub item: Option<i64>,
    pub text: String,
    pub measures: Vec<ImportedMeasure>,
}

/// The confirmed rows checked again: the preview with each kept row's problem, and the rows to
/// save. `items` are the (category, item) positions the unit answers, `closed` those of them it
/// answered 未发现问题 or 不适用 (no finding goes there); `window` the campaign's deadline window.
/// Nothing is saved unless every kept row is right.
pub fn confirm(
    choices: &[Choice], categories: &[i64], items: &[(i64, i64)], closed: &[(i64, i64)],
    window: (time::Date, time::Date),
) -> (Vec<ImportRow>, Vec<Chosen>) {
    let mut chosen = Vec::new();
    let preview = choices
        .iter()
        .map(|c| {
            let category = c.category.filter(|p| categories.contains(p));
            let item_ok = match (category, c.item) {
                (_, None) => true,
                (Some(cat), Some((of, i))) => of == cat && items.contains(&(cat, i)),
                (None, Some(_)) => false,
            };
            let measures: Vec<ImportedMeasure> = c.measures.iter().map(ImportedMeasure::cleaned).collect();
            let measure_problem = if c.broken {
                Some("这一行的整改措施没有完整提交，请重新上传预览".to_string())
            } else {
                measures.iter().find_map(|m| m.problem(window))
            };
            let error = match (super::input::finding_text(&c.text), category) {
                _ if !c.include => None,
                (Err(e), _) => e.get("text").map(str::to_string),
                (Ok(_), None) => Some("请选择类别".to_string()),
                (Ok(_), Some(_)) if !item_ok => Some("所选条目不属于该类别，请重新选择".to_string()),
                (Ok(_), Some(_)) if c.item.is_some_and(|i| closed.contains(&i)) => {
                    Some("该条目本支部已答“未发现问题”或“不适用”，请改选其他条目或“不对应具体条目”".to_string())
                }
                (Ok(_), Some(_)) if measure_problem.is_some() => measure_problem,
                (Ok(t), Some(p)) => {
                    chosen.push(Chosen {
                        category: p,
                        item: c.item.map(|(_, i)| i),
                        text: t,
                        measures: measures.clone(),
                    });
                    None
                }
            };
            ImportRow {
                line: c.line,
                category: c.category,
                item: c.item.map(|(_, i)| i),
                text: c.text.clone(),
                error,
                measures: c.measures.clone(),
            }
        })
        .collect();
    (preview, chosen)
}

/// Why a confirmation saves nothing, if it does not: a row to mend, or none kept.
pub fn refusal(preview: &[ImportRow], chosen: usize) -> Option<&'static str> {
    if preview.iter().any(|r| r.error.is_some()) {
        Some("有几行需要修改，请看标红的行")
    } else if chosen == 0 {
        Some("没有勾选任何要导入的问题")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmation_keeps_only_the_ticked_rows_and_each_needs_a_category_and_text() {
        let c = |line, category, text: &str, include| Choice {
            line,
            category,
            item: None,
            text: text.into(),
            include,
            measures: Vec::new(),
            broken: false,
        };
        let window = (time::macros::date!(2026 - 10 - 01), time::macros::date!(2029 - 09 - 30));
        let mut wrong_item = c(4, Some(2), "丁", true);
        wrong_item.item = Some((3, 1));
        let (preview, chosen) = confirm(
            &[
                c(1, Some(2), " 甲 ", true),
                c(2, None, "乙", false),
                c(3, Some(9), "丙", true),
                wrong_item,
            ],
            &[1, 2, 3, 4, 5, 6],
            &[(2, 1), (2, 2)],
            &[],
            window,
        );
        assert_eq!(chosen.len(), 1);
        assert_eq!((chosen[0].category, chosen[0].text.as_str()), (2, "甲"));
        assert_eq!(preview[2].error.as_deref(), Some("请选择类别"));
        assert_eq!(preview[3].error.as_deref(), Some("所选条目不属于该类别，请重新选择"));
        let mut closed_item = c(5, Some(2), "戊", true);
        closed_item.item = Some((2, 2));
        let (preview, _) = confirm(&[closed_item], &[2], &[(2, 2)], &[(2, 2)], window);
        assert!(
            preview[0]
                .error
                .as_deref()
                .unwrap()
                .contains("已答“未发现问题”或“不适用”")
        );
        assert_eq!(refusal(&preview, chosen.len()), Some("有几行需要修改，请看标红的行"));
        let (preview, chosen) = confirm(&[c(1, Some(1), "甲", false)], &[1], &[], &[], window);
        assert_eq!(refusal(&preview, chosen.len()), Some("没有勾选任何要导入的问题"));
    }

    const TITLES: &[(i64, &str)] = &[
        (1, "党支部设置和调整不规范"),
        (2, "组织生活制度执行不严格"),
        (3, "党员教育管理监督不到位"),
        (4, "支部作用发挥不充分"),
        (5, "支持保障落实不到位"),
        (6, "工作资料留存不完备"),
    ];

    #[test]
    fn categories_by_number_title_part_or_alias() {
        assert_eq!(match_category("2", TITLES), Some(2));
        assert_eq!(match_category("第3类", TITLES), Some(3));
        assert_eq!(match_category("组织生活制度执行不严格", TITLES), Some(2));
        assert_eq!(match_category("支部作用发挥", TITLES), Some(4));
        assert_eq!(match_category("基本队伍", TITLES), Some(3));
        assert_eq!(match_category("档案管理", TITLES), Some(6));
        assert_eq!(match_category("7", TITLES), None);
        assert_eq!(match_category("２", TITLES), Some(2));
        assert_eq!(match_category("第二类", TITLES), Some(2));
        assert_eq!(match_category("六、", TITLES), Some(6));
        assert_eq!(match_category("其他", TITLES), None);
    }

    #[test]
    fn pasted_lines_in_the_usual_shapes() {
        let rows = from_lines(
            "类别\t问题\n2\t主题党日形式单一\n组织生活：组织生活会程序简化：未按规定顺序\n3、谈心谈话不深入\n\n其他\t无法归类的问题\n5\t",
            TITLES,
        );
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert_eq!(
            (rows[0].line, rows[0].category, rows[0].text.as_str()),
            (2, Some(2), "主题党日形式单一")
        );
        assert_eq!(rows[1].category, Some(2));
        assert_eq!(
            rows[1].text, "组织生活会程序简化：未按规定顺序",
            "only the first colon separates"
        );
        assert_eq!((rows[2].category, rows[2].text.as_str()), (Some(3), "谈心谈话不深入"));
        assert!(rows[3].error.as_deref().unwrap().contains("无法识别类别"));
        assert_eq!(rows[4].error.as_deref(), Some("问题内容为空"));
    }

    #[test]
    fn a_huge_list_is_cut_at_the_limit() {
        let text: String = (0..500).map(|i| format!("1\t问题{i}\n")).collect();
        assert_eq!(from_lines(&text, TITLES).len(), MAX_ROWS);
    }
}
