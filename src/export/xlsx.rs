//! XLSX of 附件2 (one sheet per branch) and 附件3, laid out as the notice's forms: merged
//! spanning cells, wrapped text, landscape A4 with the header row repeated on every page.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{BranchLedger, Checklist, DRAFT_WORDS, REPORT_DRAFT_WORDS, ReportDoc, SIGNATURE_LINE, Stamp};

/// Column widths of 查摆内容 | 查摆问题 | 整改措施 | 整改时限 | 责任人 (Excel character units).
const WIDTHS: [f64; 5] = [16.0, 42.0, 48.0, 15.0, 12.0];
const FONT: &str = "宋体";
/// Row height of one line of 10.5 pt text, in points.
const LINE_PT: f64 = 14.5;

/// How many lines `s` takes in a column `width` units wide (a CJK character is 2 units). Nothing
/// auto-fits wrapped or merged rows, so heights are estimated, erring on the generous side.
pub fn lines_needed(s: &str, width: f64) -> usize {
    let usable = (width - 1.0).max(2.0);
    s.split('\n')
        .map(|p| {
            let units: f64 = p.chars().map(|c| if c.is_ascii() { 1.1 } else { 2.05 }).sum();
            ((units / usable).ceil() as usize).max(1)
        })
        .sum()
}

fn fail(e: XlsxError) -> anyhow::Error {
    anyhow::anyhow!("xlsx: {e}")
}

struct Formats {
    mark: Format,
    title: Format,
    label: Format,
    head: Format,
    cell: Format,
    note: Format,
    draft: Format,
}

fn formats() -> Formats {
    let base = Format::new().set_font_name(FONT).set_font_size(10.5);
    let boxed = base
        .clone()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    Formats {
        mark: base.clone().set_font_size(14),
        title: base
            .clone()
            .set_font_size(18)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap(),
        label: base.clone().set_font_size(12),
        head: boxed
            .clone()
            .set_font_size(11)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        cell: boxed,
        note: base.clone().set_text_wrap().set_align(FormatAlign::Top),
        draft: base
            .set_font_size(14)
            .set_font_color("#C81E1E")
            .set_align(FormatAlign::Right),
    }
}

/// A sheet name Excel accepts (≤ 31 characters, none of `[]:*?/\`), unique in the workbook.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let clean = if clean.trim().is_empty() {
        "党支部".to_string()
    } else {
        clean
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.to_lowercase() == candidate.to_lowercase()) {
        candidate = format!("{}{n}", clean.chars().take(26).collect::<String>());
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

fn page_setup(sheet: &mut Worksheet, stamp: &Stamp, draft: bool, landscape: bool) {
    if landscape {
        sheet.set_landscape();
    }
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer(format!("&L{}&C第 &P 页，共 &N 页", stamp.footer_words()));
    if draft || stamp.draft {
        sheet.set_header("&R&14草稿·未签发");
    }
}

/// 附件2 as a workbook: one sheet per branch.
pub fn checklist(doc: &Checklist, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let f = formats();
    let mut taken = Vec::new();
    for branch in &doc.branches {
        let sheet = book.add_worksheet();
        sheet
            .set_name(sheet_name(&branch.branch_name, &mut taken))
            .map_err(fail)?;
        branch_sheet(sheet, doc, branch, stamp, &f).map_err(fail)?;
    }
    if doc.branches.is_empty() {
        let sheet = book.add_worksheet();
        sheet
            .write_string_with_format(0, 0, &doc.title, &f.title)
            .map_err(fail)?;
        sheet.write_string(1, 0, "（没有党支部）").map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

fn branch_sheet(
    sheet: &mut Worksheet,
    doc: &Checklist,
    branch: &BranchLedger,
    stamp: &Stamp,
    f: &Formats,
) -> Result<(), XlsxError> {
    let draft = branch.sign_off.is_none();
    page_setup(sheet, stamp, draft, true);
    for (i, w) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(i as u16, *w)?;
    }
    sheet.write_string_with_format(0, 0, "附件2", &f.mark)?;
    if draft {
        sheet.write_string_with_format(0, 4, "草稿·未签发", &f.draft)?;
    }
    sheet.merge_range(1, 0, 1, 4, &doc.title, &f.title)?;
    sheet.set_row_height(1, 30)?;
    sheet.merge_range(2, 0, 2, 4, &format!("党总支（党委）：{}", doc.committee_name), &f.label)?;
    sheet.merge_range(3, 0, 3, 4, &format!("党支部名称：{}", branch.branch_name), &f.label)?;
    for (i, h) in ["查摆内容", "查摆问题", "整改措施", "整改时限", "责任人"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(4, i as u16, *h, &f.head)?;
    }
    sheet.set_row_height(4, 20)?;
    sheet.set_repeat_rows(4, 4)?;

    let mut row: u32 = 5;
    for category in &branch.categories {
        let cat_first = row;
        let none = [super::FindingLine {
            text: "无".into(),
            measures: Vec::new(),
        }];
        let findings = if category.findings.is_empty() {
            &none[..]
        } else {
            &category.findings[..]
        };
        let mut heights: Vec<f64> = Vec::new();
        for finding in findings {
            let first = row;
            let first_height = heights.len();
            if finding.measures.is_empty() {
                for col in 2..5 {
                    sheet.write_blank(row, col, &f.cell)?;
                }
                heights.push(LINE_PT);
                row += 1;
            }
            for m in &finding.measures {
                sheet.write_string_with_format(row, 2, &m.text, &f.cell)?;
                sheet.write_string_with_format(row, 3, &m.deadline, &f.cell)?;
                sheet.write_string_with_format(row, 4, &m.owner, &f.cell)?;
                let lines = [
                    lines_needed(&m.text, WIDTHS[2]),
                    lines_needed(&m.deadline, WIDTHS[3]),
                    lines_needed(&m.owner, WIDTHS[4]),
                ]
                .into_iter()
                .max()
                .unwrap_or(1);
                heights.push(lines as f64 * LINE_PT + 3.0);
                row += 1;
            }
            span(sheet, first, row - 1, 1, &finding.text, &f.cell)?;
            let need = lines_needed(&finding.text, WIDTHS[1]) as f64 * LINE_PT + 3.0;
            grow_to(&mut heights[first_height..], need);
        }
        span(sheet, cat_first, row - 1, 0, &category.heading, &f.cell)?;
        let need = lines_needed(&category.heading, WIDTHS[0]) as f64 * LINE_PT + 3.0;
        grow_to(&mut heights, need);
        for (i, h) in heights.iter().enumerate() {
            sheet.set_row_height(cat_first + i as u32, h.min(409.0))?;
        }
    }

    row += 1;
    let record = match &branch.sign_off {
        Some(so) => so.words(),
        None => DRAFT_WORDS.to_string(),
    };
    sheet.merge_range(row, 0, row, 4, &record, &f.note)?;
    sheet.set_row_height(row, lines_needed(&record, WIDTHS.iter().sum()) as f64 * LINE_PT + 4.0)?;
    row += 2;
    sheet.merge_range(row, 0, row, 4, SIGNATURE_LINE, &f.label)?;
    sheet.set_row_height(row, 24)?;
    Ok(())
}

/// One cell spanning rows `first..=last` of a column (a one-row "range" is a plain cell).
fn span(sheet: &mut Worksheet, first: u32, last: u32, col: u16, text: &str, f: &Format) -> Result<(), XlsxError> {
    if first == last {
        sheet.write_string_with_format(first, col, text, f)?;
    } else {
        sheet.merge_range(first, col, last, col, text, f)?;
    }
    Ok(())
}

/// Makes rows together at least `need` points high, adding the difference to the last.
fn grow_to(heights: &mut [f64], need: f64) {
    let have: f64 = heights.iter().sum();
    if need > have
        && let Some(last) = heights.last_mut()
    {
        *last += need - have;
    }
}

/// 附件3 as a workbook: one column, one paragraph per row.
pub fn report(doc: &ReportDoc, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let f = formats();
    let sheet = book.add_worksheet();
    sheet.set_name("附件3").map_err(fail)?;
    report_sheet(sheet, doc, stamp, &f).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

fn report_sheet(sheet: &mut Worksheet, doc: &ReportDoc, stamp: &Stamp, f: &Formats) -> Result<(), XlsxError> {
    const WIDTH: f64 = 90.0;
    page_setup(sheet, stamp, !doc.is_signed(), false);
    sheet.set_column_width(0, WIDTH)?;
    let body = Format::new()
        .set_font_name(FONT)
        .set_font_size(14)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let right = body.clone().set_align(FormatAlign::Right);
    let mut row = 0;
    sheet.write_string_with_format(row, 0, "附件3", &f.mark)?;
    row += 1;
    sheet.write_string_with_format(row, 0, &doc.title, &f.title)?;
    sheet.set_row_height(row, lines_needed(&doc.title, WIDTH / 1.6) as f64 * 26.0 + 6.0)?;
    row += 2;
    let para = |sheet: &mut Worksheet, row: &mut u32, text: &str, format: &Format| -> Result<(), XlsxError> {
        sheet.write_string_with_format(*row, 0, text, format)?;
        sheet.set_row_height(*row, lines_needed(text, WIDTH / 1.3) as f64 * 20.0 + 4.0)?;
        *row += 1;
        Ok(())
    };
    for (heading, text) in &doc.sections {
        para(sheet, &mut row, &format!("\u{3000}\u{3000}{heading}"), &body)?;
        let paragraphs: Vec<&str> = text.lines().map(str::trim).filter(|p| !p.is_empty()).collect();
        if paragraphs.is_empty() {
            para(sheet, &mut row, "\u{3000}\u{3000}（未填写）", &body)?;
        }
        for p in paragraphs {
            para(sheet, &mut row, &format!("\u{3000}\u{3000}{p}"), &body)?;
        }
    }
    row += 1;
    let unit = &doc.committee_name;
    para(sheet, &mut row, unit, &right)?;
    let date = if doc.date.is_empty() {
        "　　年　　月　　日"
    } else {
        &doc.date
    };
    para(sheet, &mut row, date, &right)?;
    row += 1;
    let record = doc.signature.clone().unwrap_or_else(|| REPORT_DRAFT_WORDS.into());
    sheet.write_string_with_format(row, 0, &record, &f.note)?;
    sheet.set_row_height(row, lines_needed(&record, WIDTH) as f64 * LINE_PT + 4.0)?;
    row += 2;
    sheet.write_string_with_format(row, 0, SIGNATURE_LINE, &f.label)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_estimated_generously_for_chinese() {
        assert_eq!(lines_needed("", 10.0), 1);
        assert_eq!(lines_needed("一二三四", 10.0), 1);
        assert_eq!(lines_needed("一二三四五", 10.0), 2);
        assert_eq!(lines_needed("一\n二", 10.0), 2);
    }

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("第一党支部", &mut taken), "第一党支部");
        assert_eq!(sheet_name("第一党支部", &mut taken), "第一党支部2");
        assert_eq!(sheet_name("a/b[c]", &mut taken), "abc");
        let long = sheet_name(&"长".repeat(60), &mut taken);
        assert_eq!(long.chars().count(), 28);
    }
}
