//! XLSX of 附件2 (one sheet per branch) and 附件3, laid out as the notice's forms: merged
//! spanning cells, wrapped text, landscape A4 with the header row repeated on every page.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{BranchLedger, Checklist, REPORT_DRAFT_WORDS, ReportDoc, SIGNATURE_LINE, Stamp};

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

/// Paper, scaling, and what every printed page says at its head and foot: whose document
/// (`unit`), whether it is a draft, and the verification code.
fn page_setup(sheet: &mut Worksheet, stamp: &Stamp, unit: &str, draft: bool, landscape: bool) {
    if landscape {
        sheet.set_landscape();
    }
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    // Short, so the two footer sections never run into each other on a portrait page.
    sheet.set_footer(format!("&L验证码 {}&R第 &P 页，共 &N 页", stamp.code));
    // `&` starts a control code in Excel's header syntax.
    let unit = unit.replace('&', "&&");
    let mark = if draft { "&R&14草稿·未签发" } else { "" };
    sheet.set_header(format!("&L{unit}{mark}"));
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
    sheet: &mut Worksheet, doc: &Checklist, branch: &BranchLedger, stamp: &Stamp, f: &Formats,
) -> Result<(), XlsxError> {
    let draft = branch.sign_off.is_none();
    page_setup(sheet, stamp, &branch.unit_line(), draft, true);
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
    sheet.merge_range(3, 0, 3, 4, &branch.unit_line(), &f.label)?;
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
        let printed = branch.printed(category);
        let findings = &printed[..];
        let mut heights: Vec<f64> = Vec::new();
        for finding in findings {
            let first = row;
            let first_height = heights.len();
            if finding.measures.is_empty() {
                for col in 2..5 {
                    sheet.write_blank(row, col, &f.cell)?;
                }
                heights.push(LINE_PT + 3.0);
                row += 1;
            }
            for m in &finding.measures {
                let lines = [
                    lines_needed(&m.text, WIDTHS[2]),
                    lines_needed(&m.deadline, WIDTHS[3]),
                    lines_needed(&m.owner, WIDTHS[4]),
                ]
                .into_iter()
                .max()
                .unwrap_or(1);
                // A long measure spans as many rows as it needs (a row is at most 409 pt).
                let parts = split_height(lines as f64 * LINE_PT + 3.0);
                let last = row + parts.len() as u32 - 1;
                span(sheet, row, last, 2, &m.text, &f.cell)?;
                span(sheet, row, last, 3, &m.deadline, &f.cell)?;
                span(sheet, row, last, 4, &m.owner, &f.cell)?;
                heights.extend(parts);
                row = last + 1;
            }
            let need = lines_needed(&finding.text, WIDTHS[1]) as f64 * LINE_PT + 3.0;
            row += make_room(sheet, row, 2, &mut heights, first_height, need, &f.cell)?;
            span(sheet, first, row - 1, 1, &finding.text, &f.cell)?;
        }
        let need = lines_needed(&category.heading, WIDTHS[0]) as f64 * LINE_PT + 3.0;
        row += make_room(sheet, row, 1, &mut heights, 0, need, &f.cell)?;
        span(sheet, cat_first, row - 1, 0, &category.heading, &f.cell)?;
        for (i, h) in heights.iter().enumerate() {
            sheet.set_row_height(cat_first + i as u32, *h)?;
        }
    }

    row += 1;
    let record = branch.record_words();
    sheet.merge_range(row, 0, row, 4, &record, &f.note)?;
    sheet.set_row_height(row, lines_needed(&record, WIDTHS.iter().sum()) as f64 * LINE_PT + 4.0)?;
    row += 2;
    sheet.merge_range(row, 0, row, 4, SIGNATURE_LINE, &f.label)?;
    sheet.set_row_height(row, 24)?;
    // The code is in every printed page's footer; here it is also seen on screen.
    sheet.merge_range(row + 2, 0, row + 2, 4, &stamp.footer_words(), &f.note)?;
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

/// Excel refuses rows over 409 pt; a taller cell spans several rows.
const MAX_ROW_PT: f64 = 400.0;

/// The rows a cell `need` points high takes: as few as possible, none over the limit.
fn split_height(need: f64) -> Vec<f64> {
    let n = (need / MAX_ROW_PT).ceil().max(1.0);
    vec![need / n; n as usize]
}

/// Makes the rows from `heights[from..]` together at least `need` points high, for a cell
/// spanning them: the last row grows up to the limit, then blank rows (columns `blank_from`
/// to the last, bordered) are added at `row`. Returns how many rows were added.
fn make_room(
    sheet: &mut Worksheet, row: u32, blank_from: u16, heights: &mut Vec<f64>, from: usize, need: f64, cell: &Format,
) -> Result<u32, XlsxError> {
    let have: f64 = heights[from..].iter().sum();
    if need <= have {
        return Ok(0);
    }
    let mut missing = need - have;
    if let Some(last) = heights.last_mut() {
        let grow = missing.min(MAX_ROW_PT - *last).max(0.0);
        *last += grow;
        missing -= grow;
    }
    let mut added = 0;
    if missing > 0.0 {
        for h in split_height(missing) {
            for col in blank_from..5 {
                sheet.write_blank(row + added, col, cell)?;
            }
            heights.push(h);
            added += 1;
        }
    }
    Ok(added)
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
    const WIDTH: f64 = 76.0;
    page_setup(sheet, stamp, &doc.committee_name, !doc.is_signed(), false);
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
    // A paragraph longer than one row can hold (409 pt) continues in the rows below it.
    let para = |sheet: &mut Worksheet, row: &mut u32, text: &str, format: &Format| -> Result<(), XlsxError> {
        for piece in pieces(text, WIDTH / 1.3, 19) {
            sheet.write_string_with_format(*row, 0, &piece, format)?;
            sheet.set_row_height(*row, lines_needed(&piece, WIDTH / 1.3) as f64 * 20.0 + 4.0)?;
            *row += 1;
        }
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
    sheet.write_string_with_format(row + 2, 0, stamp.footer_words(), &f.note)?;
    Ok(())
}

/// `text` cut into pieces of at most `max_lines` lines in a column `width` units wide, after a
/// sentence where possible.
fn pieces(text: &str, width: f64, max_lines: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut sentence = String::new();
    let flush_sentence = |piece: &mut String, sentence: &mut String, out: &mut Vec<String>| {
        if lines_needed(&format!("{piece}{sentence}"), width) > max_lines && !piece.is_empty() {
            out.push(std::mem::take(piece));
        }
        // A sentence longer than a whole piece is cut by characters.
        for c in std::mem::take(sentence).chars() {
            piece.push(c);
            if lines_needed(piece, width) > max_lines {
                let c = piece.pop().expect("just pushed");
                out.push(std::mem::take(piece));
                piece.push(c);
            }
        }
    };
    for c in text.chars() {
        sentence.push(c);
        if "。！？；".contains(c) {
            flush_sentence(&mut piece, &mut sentence, &mut out);
        }
    }
    flush_sentence(&mut piece, &mut sentence, &mut out);
    if !piece.is_empty() || out.is_empty() {
        out.push(piece);
    }
    out
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
    fn long_text_is_cut_after_sentences_into_pieces_that_fit_and_nothing_is_lost() {
        let text = "第一句话比较短。".repeat(40) + &"没有标点的长句".repeat(60);
        let parts = pieces(&text, 20.0, 5);
        assert!(parts.len() > 3);
        assert!(parts.iter().all(|p| lines_needed(p, 20.0) <= 5), "{parts:?}");
        assert_eq!(parts.concat(), text);
        assert!(parts[0].ends_with('。'), "cut after a sentence: {}", parts[0]);
        assert_eq!(pieces("短", 20.0, 5), ["短"]);
    }

    #[test]
    fn a_cell_taller_than_a_row_may_be_spans_rows_under_the_limit() {
        assert_eq!(split_height(100.0), [100.0]);
        let parts = split_height(1000.0);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|h| *h <= MAX_ROW_PT));
        assert!((parts.iter().sum::<f64>() - 1000.0).abs() < 1e-9);
    }

    fn row_heights(xlsx: &[u8]) -> Vec<f64> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml.split(" ht=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
            .collect()
    }

    fn cells(xlsx: &[u8]) -> Vec<String> {
        use calamine::{DataType, Reader};
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        range.rows().flatten().filter_map(|c| c.as_string()).collect()
    }

    #[test]
    fn the_longest_texts_allowed_fit_in_rows_excel_accepts_and_nothing_is_cut() {
        use crate::export::{CategoryBlock, FindingLine, MeasureLine};
        let finding = format!("1. {}", "支部委员会会议研讨少，记录过简；".repeat(125)); // 2,000 characters
        let measure = format!("1. {}", "逐项整改并报党总支备案。".repeat(84)); // 1,000 characters
        let doc = Checklist {
            title: "清单".into(),
            committee_name: "党委".into(),
            campaign_title: "2022".into(),
            branches: vec![BranchLedger {
                branch_name: "支部".into(),
                level: crate::domain::units::Level::Branch,
                categories: vec![CategoryBlock {
                    heading: "1. 甲".into(),
                    findings: vec![FindingLine {
                        text: finding.clone(),
                        measures: vec![MeasureLine {
                            text: measure.clone(),
                            deadline: "2022年10月31日".into(),
                            owner: "王喆".repeat(25),
                        }],
                    }],
                    own_items: 1,
                    others: None,
                }],
                sign_off: None,
                state: "填报中".into(),
                submitted: false,
            }],
        };
        let stamp = Stamp {
            code: "ABCDE-FGHJK".into(),
            verify_url: "/verify".into(),
        };
        let bytes = checklist(&doc, &stamp).unwrap();
        let heights = row_heights(&bytes);
        assert!(heights.iter().all(|h| *h <= 409.0), "{heights:?}");
        let needed = lines_needed(&finding, WIDTHS[1]) as f64 * LINE_PT;
        assert!(
            heights.iter().sum::<f64>() >= needed,
            "the finding's rows hold all its lines"
        );
        let strings = cells(&bytes);
        assert!(strings.contains(&finding) && strings.contains(&measure));

        let report_doc = ReportDoc {
            title: "报告".into(),
            committee_name: "党委".into(),
            campaign_title: "2022".into(),
            sections: crate::export::SECTION_HEADINGS
                .iter()
                .map(|h| (h.to_string(), "本党委组织各支部逐项自查。".repeat(1500)))
                .collect(),
            signer_name: String::new(),
            date: String::new(),
            signature: None,
        };
        let bytes = report(&report_doc, &stamp).unwrap();
        let heights = row_heights(&bytes);
        assert!(
            heights.iter().all(|h| *h <= 409.0),
            "{:?}",
            heights.iter().fold(0.0f64, |a, b| a.max(*b))
        );
        let text: String = cells(&bytes).concat();
        assert_eq!(
            text.matches("本党委组织各支部逐项自查。").count(),
            4500,
            "every sentence, once"
        );
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
