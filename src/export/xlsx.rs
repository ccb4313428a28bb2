//! XLSX of 附件2 (one sheet per branch) and 附件3, laid out as the notice's forms: merged
//! spanning cells, wrapped text, A4 with the header row repeated on every page.
//!
//! A spreadsheet cell names one font and each reader paginates by itself, so everything is
//! computed for the font named, 宋体 (SimSun, on every Windows and WPS machine; the PDF's Song
//! face looks alike): the workbook's default font is 宋体 11 (so a column width unit is 8 px),
//! column widths leave room for a reader that substitutes a wider font, every row has a fixed
//! height from the lines its text needs, and manual page breaks fall between finding groups as
//! the PDF's pages do (export::layout), so no merged cell crosses a break and the signing block
//! sits with the last rows. Printing is at 100 %: Excel ignores manual breaks when fitting to a
//! page.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::layout::{self, CONTINUED, HEADINGS};
use super::text::{break_units, name_words, wrap_by};
use super::{BranchLedger, Checklist, REPORT_SIGNATURE_LINE, ReportDoc, SIGNATURE_LINE, Stamp};

pub const FONT: &str = "宋体";
/// Column widths of 查摆内容 | 查摆问题 | 整改措施 | 整改时限 | 责任人, in pixels (870 of the 1,026
/// a landscape A4 page holds between 0.5-inch margins: a reader without 宋体 draws columns up to
/// 16 % wider and still fits).
const WIDTHS_PX: [f64; 5] = [100.0, 250.0, 290.0, 130.0, 100.0];
/// Table text: 五号 (10.5 pt) 宋体, whose ideographs are 14 px wide and Latin letters 7 px.
const TABLE_PT: f64 = 10.5;
/// One line of table text, in points: 宋体's 13.5 with room for a reader's substitute font.
const LINE_PT: f64 = 15.0;
/// Cell padding a row adds to its lines, in points.
const PAD_PT: f64 = 4.0;
/// Excel refuses rows over 409 pt.
const MAX_ROW_PT: f64 = 400.0;
/// The page's height between the top and bottom margins (A4 landscape, 0.75-inch margins),
/// less 5 % for readers that draw rows a little taller.
const LANDSCAPE_ROWS_PT: f64 = (595.3 - 2.0 * 54.0) * 0.95;
/// Portrait A4 (附件3): 842 pt high, 0.75-inch top and bottom margins.
const PORTRAIT_ROWS_PT: f64 = (841.9 - 2.0 * 54.0) * 0.95;

/// Column width in Excel's units for `px` pixels, when the default font's digit is 8 px wide.
fn units(px: f64) -> f64 {
    (px - 5.0) / 8.0
}

/// The width of `s` in 宋体 at `pt` points, in pixels: an ideograph (or full-width sign) is one
/// em, ASCII half of it.
fn text_px(s: &str, pt: f64) -> f64 {
    let em = pt * 96.0 / 72.0;
    s.chars()
        .map(|c| {
            if c.is_ascii() || ('\u{ff61}'..='\u{ff9f}').contains(&c) {
                em / 2.0
            } else {
                em
            }
        })
        .sum()
}

/// `text` wrapped as 宋体 at `pt` points wraps in a column `px` wide (less cell padding), with 5 %
/// to spare; names (责任人) break only between names.
fn wrap_px(text: &str, px: f64, pt: f64, names: bool) -> Vec<String> {
    let max = (px - 8.0) * 0.95;
    let words: &dyn Fn(&str) -> Vec<String> = if names { &name_words } else { &break_units };
    wrap_by(text, max, &|u| text_px(u, pt), words)
}

/// How many lines `s` takes in a column `px` wide at `pt` points.
pub fn lines_needed(s: &str, px: f64, pt: f64) -> usize {
    wrap_px(s, px, pt, false).len().max(1)
}

fn fail(e: XlsxError) -> anyhow::Error {
    anyhow::anyhow!("xlsx: {e}")
}

/// Text a spreadsheet could take for a formula once a cell is edited or the sheet saved as CSV:
/// it starts (after any tabs, returns or spaces) with `=`, `+`, `-` or `@`.
pub fn formula_like(text: &str) -> bool {
    text.trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠'])
        || text.starts_with(['\t', '\r'])
}

/// Every text cell goes through here: formula-like text is written with Excel's quote prefix
/// (the hidden leading apostrophe), so editing the cell or saving as CSV keeps it text.
pub trait TextCell {
    fn text(&mut self, row: u32, col: u16, text: &str, format: &Format) -> Result<&mut Worksheet, XlsxError>;
}

impl TextCell for Worksheet {
    fn text(&mut self, row: u32, col: u16, text: &str, format: &Format) -> Result<&mut Worksheet, XlsxError> {
        if formula_like(text) {
            self.write_string_with_format(row, col, text, &format.clone().set_quote_prefix())
        } else {
            self.write_string_with_format(row, col, text, format)
        }
    }
}

/// A workbook whose default font is 宋体 11 (72-pixel columns, 18-pixel rows), so column
/// widths mean the same in every reader that has it.
pub fn workbook() -> anyhow::Result<Workbook> {
    let mut book = Workbook::new();
    book.set_default_format(&Format::new().set_font_name(FONT).set_font_size(11), 18, 72)
        .map_err(fail)?;
    Ok(book)
}

struct Formats {
    mark: Format,
    title: Format,
    label: Format,
    head: Format,
    cell: Format,
    date: Format,
    note: Format,
}

fn formats() -> Formats {
    let base = Format::new().set_font_name(FONT).set_font_size(TABLE_PT);
    let boxed = base
        .clone()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    Formats {
        mark: base.clone().set_font_name("黑体").set_font_size(14),
        title: base
            .clone()
            .set_font_name("黑体")
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
        date: boxed.clone().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
        cell: boxed,
        note: base.set_text_wrap().set_align(FormatAlign::Top),
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

/// Paper, margins and what every printed page says at its head and foot: whose document
/// (`unit`), whether it is a draft, and the verification code with where to check it.
fn page_setup(sheet: &mut Worksheet, stamp: &Stamp, unit: &str, draft: bool, landscape: bool) {
    if landscape {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_paper_size(9);
    sheet.set_margins(0.5, 0.5, 0.75, 0.75, 0.3, 0.3);
    sheet.set_print_scale(100);
    // `&` starts a control code in Excel's header syntax.
    let code = stamp.footer_words().replace('&', "&&");
    sheet.set_footer(format!("&L&9{code}&R&9第 &P 页，共 &N 页"));
    let unit = unit.replace('&', "&&");
    let mark = if draft { "&R&14草稿·未签发" } else { "" };
    sheet.set_header(format!("&L{unit}{mark}"));
}

/// 附件2 as a workbook: one sheet per branch.
pub fn checklist(doc: &Checklist, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let mut book = workbook()?;
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
        page_setup(sheet, stamp, &doc.committee_name, true, true);
        sheet.text(0, 0, &doc.title, &f.title).map_err(fail)?;
        sheet.text(1, 0, "（没有党支部）", &Format::new()).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// Rows above the table: 附件2, the title, the committee, the unit; then the column headings.
const TOP_ROWS_PT: [f64; 4] = [20.0, 30.0, 18.0, 18.0];
const HEAD_PT: f64 = 20.0;

fn branch_sheet(
    sheet: &mut Worksheet, doc: &Checklist, branch: &BranchLedger, stamp: &Stamp, f: &Formats,
) -> Result<(), XlsxError> {
    page_setup(sheet, stamp, &branch.unit_line(), branch.sign_off.is_none(), true);
    for (i, px) in WIDTHS_PX.iter().enumerate() {
        sheet.set_column_width(i as u16, units(*px))?;
    }
    sheet.text(0, 0, "附件2", &f.mark)?;
    sheet.merge_range(1, 0, 1, 4, &doc.title, &f.title)?;
    sheet.merge_range(2, 0, 2, 4, &format!("党总支（党委）：{}", doc.committee_name), &f.label)?;
    sheet.merge_range(3, 0, 3, 4, &branch.unit_line(), &f.label)?;
    for (row, h) in TOP_ROWS_PT.iter().enumerate() {
        sheet.set_row_height(row as u32, *h)?;
    }
    for (i, h) in HEADINGS.iter().enumerate() {
        sheet.text(4, i as u16, h, &f.head)?;
    }
    sheet.set_row_height(4, HEAD_PT)?;
    sheet.set_repeat_rows(4, 4)?;

    let table = layout::table(branch, &|col, text| wrap_px(text, WIDTHS_PX[col], TABLE_PT, col == 4));
    let record = branch.record_words();
    let total_px: f64 = WIDTHS_PX.iter().sum();
    let record_pt = lines_needed(&record, total_px, TABLE_PT) as f64 * LINE_PT + PAD_PT;
    // The record, a blank row, the signature line.
    let closing = record_pt + 18.0 + 24.0;
    let pages = layout::paginate(
        &table.bands,
        &layout::Geometry {
            line: LINE_PT,
            pad: PAD_PT,
            // A line to spare on every page for a continued cell's 续上页 mark.
            first: LANDSCAPE_ROWS_PT - TOP_ROWS_PT.iter().sum::<f64>() - HEAD_PT - LINE_PT,
            fresh: LANDSCAPE_ROWS_PT - HEAD_PT - LINE_PT,
            closing,
            max_slice: ((MAX_ROW_PT - PAD_PT - LINE_PT) / LINE_PT).floor() as usize,
        },
    );

    let mut row: u32 = 5;
    let mut breaks = Vec::new();
    let mut printed_groups = vec![0; table.groups.len()];
    let mut printed_categories = vec![0; table.categories.len()];
    for (pi, slices) in pages.iter().enumerate() {
        if pi > 0 {
            breaks.push(row);
        }
        let first_row = row;
        for s in slices {
            sheet.set_row_height(row, s.lines() as f64 * LINE_PT + PAD_PT)?;
            row += 1;
        }
        // The measure cells: one cell per band on the page (merged over its slices).
        for (b, range, _) in layout::runs(slices, |s| s.band) {
            let band = &table.bands[b];
            let (from, to) = (slices[range.start].from, slices[range.end - 1].to);
            let (top, bottom) = (first_row + range.start as u32, first_row + range.end as u32 - 1);
            for col in 0..3 {
                let whole = from == 0 && to >= band.cells[col].len();
                let text = cell_piece(&band.texts[col], &band.cells[col], from..to);
                let due = band.due.filter(|_| col == 1 && whole);
                span(sheet, top, bottom, col as u16 + 2, &text, due, f)?;
            }
        }
        // A finding over its run of slices, a category over its findings.
        let group_of = |s: &layout::Slice| table.bands[s.band].group;
        for (g, range, capacity) in layout::runs(slices, group_of) {
            let text = span_piece(&table.groups[g].span, &mut printed_groups[g], capacity);
            let (top, bottom) = (first_row + range.start as u32, first_row + range.end as u32 - 1);
            span(sheet, top, bottom, 1, &text, None, f)?;
        }
        let category_of = |s: &layout::Slice| table.groups[group_of(s)].category;
        for (c, range, capacity) in layout::runs(slices, category_of) {
            let text = span_piece(&table.categories[c], &mut printed_categories[c], capacity);
            let (top, bottom) = (first_row + range.start as u32, first_row + range.end as u32 - 1);
            span(sheet, top, bottom, 0, &text, None, f)?;
        }
        // The spare line goes to the page's first row when something on it continues.
        let continues = slices.first().is_some_and(|s| s.from > 0) || pi > 0;
        if continues && let Some(s) = slices.first() {
            sheet.set_row_height(first_row, (s.lines() + 1) as f64 * LINE_PT + PAD_PT)?;
        }
    }
    sheet.set_page_breaks(&breaks)?;

    sheet.merge_range(row, 0, row, 4, &record, &f.note)?;
    sheet.set_row_height(row, record_pt)?;
    sheet.set_row_height(row + 1, 18.0)?;
    sheet.merge_range(row + 2, 0, row + 2, 4, SIGNATURE_LINE, &f.label)?;
    sheet.set_row_height(row + 2, 24.0)?;
    Ok(())
}

/// What a cell of `text` (wrapped as `lines`) holds on a page showing `range` of its lines: the
/// whole text; or, split over pages, its part cut from the text itself and marked 续上页 after
/// the first page; 续上页 alone where it is already printed; nothing for an empty cell (a
/// finding without measures), so an import never reads a measure there.
fn cell_piece(text: &str, lines: &[String], range: std::ops::Range<usize>) -> String {
    if text.is_empty() {
        String::new()
    } else if range.start == 0 && range.end >= lines.len() {
        text.to_string()
    } else if range.start >= lines.len() {
        CONTINUED.to_string()
    } else {
        let part = layout::cut(text, lines, range.start..range.end.min(lines.len()));
        if range.start > 0 {
            format!("{CONTINUED}{part}")
        } else {
            part.to_string()
        }
    }
}

/// The next lines of a spanning text for a run of `capacity` lines.
fn span_piece(span: &layout::Span, printed: &mut usize, capacity: usize) -> String {
    match span.next_lines(printed, capacity) {
        Some(range) => cell_piece(&span.text, &span.lines, range),
        None => CONTINUED.to_string(),
    }
}

/// One cell spanning rows `first..=last` of a column (a one-row "range" is a plain cell); a
/// deadline that is just a date is written as a date.
fn span(
    sheet: &mut Worksheet, first: u32, last: u32, col: u16, text: &str, due: Option<time::Date>, f: &Formats,
) -> Result<(), XlsxError> {
    if first != last {
        sheet.merge_range(first, col, last, col, "", &f.cell)?;
    }
    match due {
        Some(d) => {
            let date = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day())?;
            sheet.write_date_with_format(first, col, &date, &f.date)?;
        }
        None => {
            sheet.text(first, col, text, &f.cell)?;
        }
    }
    Ok(())
}

/// 附件3 as a workbook: one column, one paragraph per row.
pub fn report(doc: &ReportDoc, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let mut book = workbook()?;
    let f = formats();
    let sheet = book.add_worksheet();
    sheet.set_name("附件3").map_err(fail)?;
    report_sheet(sheet, doc, stamp, &f).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// The report's column: 560 px of the 698 a portrait A4 page holds between 0.5-inch margins.
const REPORT_PX: f64 = 560.0;
/// 四号 body (the spreadsheet copy of the PDF's 三号, to keep a line of useful length).
const REPORT_PT: f64 = 14.0;
const REPORT_LINE_PT: f64 = 20.0;

fn report_sheet(sheet: &mut Worksheet, doc: &ReportDoc, stamp: &Stamp, f: &Formats) -> Result<(), XlsxError> {
    page_setup(sheet, stamp, &doc.committee_name, !doc.is_signed(), false);
    sheet.set_column_width(0, units(REPORT_PX))?;
    let body = Format::new()
        .set_font_name(FONT)
        .set_font_size(REPORT_PT)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let heading = body.clone().set_font_name("黑体");
    let right = body.clone().set_align(FormatAlign::Right);
    // Rows as (text, format, height); the page breaks are placed once every height is known.
    let mut rows: Vec<(String, &Format, f64)> = Vec::new();
    rows.push(("附件3".into(), &f.mark, 22.0));
    let title_lines = wrap_by(
        &doc.title,
        (REPORT_PX - 8.0) * 0.95,
        &|u| text_px(u, 18.0),
        &super::text::title_words,
    );
    rows.push((doc.title.clone(), &f.title, title_lines.len() as f64 * 26.0 + 8.0));
    rows.push((String::new(), &f.note, 12.0));
    /// A paragraph longer than one row can hold (409 pt) continues in the rows below it.
    fn para<'f>(rows: &mut Vec<(String, &'f Format, f64)>, text: &str, format: &'f Format) {
        for piece in pieces(text, REPORT_PX, 19) {
            let h = lines_needed(&piece, REPORT_PX, REPORT_PT) as f64 * REPORT_LINE_PT + 4.0;
            rows.push((piece, format, h));
        }
    }
    for p in doc.paragraphs() {
        para(&mut rows, &p.text, if p.heading { &heading } else { &body });
    }
    let body_rows = rows.len();
    // The closing: a gap, the unit and its one date line, the record, a gap, the signature line.
    rows.push((String::new(), &f.note, 18.0));
    para(&mut rows, &doc.committee_name, &right);
    para(&mut rows, doc.date_line(), &right);
    let record = doc.record();
    let record_h = lines_needed(record, REPORT_PX, TABLE_PT) as f64 * LINE_PT + 4.0;
    rows.push((record.to_string(), &f.note, record_h));
    rows.push((String::new(), &f.note, 12.0));
    rows.push((REPORT_SIGNATURE_LINE.into(), &f.label, 24.0));

    let heights: Vec<f64> = rows.iter().map(|r| r.2).collect();
    sheet.set_page_breaks(&keep_closing(&heights, body_rows, PORTRAIT_ROWS_PT))?;
    for (i, (text, format, h)) in rows.iter().enumerate() {
        if !text.is_empty() {
            sheet.text(i as u32, 0, text, format)?;
        }
        sheet.set_row_height(i as u32, *h)?;
    }
    Ok(())
}

/// Page breaks for rows of `heights` on pages `page` high: as full as they go, except that the
/// rows from `closing` on (the closing block) never start a page: the body row before them
/// goes along.
fn keep_closing(heights: &[f64], closing: usize, page: f64) -> Vec<u32> {
    let closing_h: f64 = heights[closing..].iter().sum();
    let mut breaks = Vec::new();
    let mut used = 0.0;
    for (i, h) in heights.iter().enumerate().take(closing) {
        if used + h > page && used > 0.0 {
            breaks.push(i as u32);
            used = 0.0;
        }
        used += h;
    }
    if used + closing_h > page && closing > 0 {
        // Move the last body row over with the closing (unless it already starts a page).
        let last = (closing - 1) as u32;
        if breaks.last() != Some(&last) {
            breaks.push(last);
        }
    }
    breaks
}

/// `text` cut into pieces of at most `max_lines` lines of the report's body in a column `width`
/// pixels wide, after a sentence where possible.
fn pieces(text: &str, width: f64, max_lines: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut sentence = String::new();
    let flush_sentence = |piece: &mut String, sentence: &mut String, out: &mut Vec<String>| {
        if lines_needed(&format!("{piece}{sentence}"), width, REPORT_PT) > max_lines && !piece.is_empty() {
            out.push(std::mem::take(piece));
        }
        // A sentence longer than a whole piece is cut by characters.
        for c in std::mem::take(sentence).chars() {
            piece.push(c);
            if lines_needed(piece, width, REPORT_PT) > max_lines {
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
    use crate::export::{CategoryBlock, FindingLine, MeasureLine};

    #[test]
    fn formula_like_text_is_written_as_text_that_stays_text_on_edit() {
        for risky in [
            "=1+1",
            "+86 138",
            "-5",
            "@SUM(A1)",
            "\t=cmd",
            " =HYPERLINK(\"x\")",
            "＝1",
        ] {
            assert!(formula_like(risky), "{risky:?}");
        }
        for plain in ["支委会", "2026-11-20", "a=b", "1-2"] {
            assert!(!formula_like(plain), "{plain:?}");
        }
        let mut book = workbook().unwrap();
        let sheet = book.add_worksheet();
        sheet
            .text(0, 0, "=HYPERLINK(\"http://evil\",\"点我\")", &Format::new())
            .unwrap();
        sheet.text(0, 1, "普通文字", &Format::new()).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
            s
        };
        let styles = read("xl/styles.xml");
        let sheet = read("xl/worksheets/sheet1.xml");
        assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
        assert!(!sheet.contains("<f>"), "never a formula: {sheet}");
        // The risky cell carries the quote-prefixed style; the plain one does not.
        let xfs = styles
            .split("<cellXfs")
            .nth(1)
            .unwrap()
            .split("</cellXfs>")
            .next()
            .unwrap();
        let prefixed = xfs
            .split("<xf ")
            .skip(1)
            .position(|xf| xf.contains("quotePrefix=\"1\""))
            .unwrap();
        let style_of = |cell: &str| {
            let at = sheet.find(&format!("r=\"{cell}\"")).unwrap();
            let attrs = sheet[at..].split('>').next().unwrap();
            attrs
                .split(" s=\"")
                .nth(1)
                .map_or(0, |v| v.split('"').next().unwrap().parse::<usize>().unwrap())
        };
        assert_eq!(style_of("A1"), prefixed, "{sheet}");
        assert_ne!(style_of("B1"), prefixed, "{sheet}");
    }

    /// A one-branch, one-finding 附件2 of category 1.
    fn one_finding(finding: String, measures: Vec<MeasureLine>) -> Checklist {
        Checklist {
            title: "清单".into(),
            committee_name: "党委".into(),
            campaign_title: "2022".into(),
            branches: vec![BranchLedger {
                branch_name: "支部".into(),
                level: crate::domain::units::Level::Branch,
                categories: vec![CategoryBlock {
                    heading: "1. 党支部设置和调整不规范".into(),
                    findings: vec![FindingLine {
                        text: finding,
                        measures,
                    }],
                    own_items: 1,
                    others: None,
                }],
                sign_off: None,
                state: "填报中".into(),
                submitted: false,
            }],
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            code: "ABCDE-FGHJK".into(),
            verify_url: "/verify".into(),
        }
    }

    #[test]
    fn lines_are_estimated_for_song_with_room_to_spare() {
        // 100 px less padding, 5 % spare: 87 px, six ideographs of 14 px at 五号.
        assert_eq!(lines_needed("", 100.0, 10.5), 1);
        assert_eq!(lines_needed("一二三四五六", 100.0, 10.5), 1);
        assert_eq!(lines_needed("一二三四五六七", 100.0, 10.5), 2);
        assert_eq!(lines_needed("abcdefghijkl", 100.0, 10.5), 1, "Latin is half as wide");
        assert_eq!(lines_needed("一\n二", 100.0, 10.5), 2);
        assert_eq!(wrap_px("王喆、欧阳一帆", 100.0, 10.5, true), ["王喆、", "欧阳一帆"]);
    }

    #[test]
    fn long_text_is_cut_after_sentences_into_pieces_that_fit_and_nothing_is_lost() {
        let text = "第一句话比较短。".repeat(40) + &"没有标点的长句".repeat(60);
        let parts = pieces(&text, 300.0, 5);
        assert!(parts.len() > 3);
        assert!(
            parts.iter().all(|p| lines_needed(p, 300.0, REPORT_PT) <= 5),
            "{parts:?}"
        );
        assert_eq!(parts.concat(), text);
        assert!(parts[0].ends_with('。'), "cut after a sentence: {}", parts[0]);
        assert_eq!(pieces("短", 300.0, 5), ["短"]);
    }

    #[test]
    fn the_closing_rows_never_start_a_page() {
        // Body rows of 100, a closing of 60, pages of 350: 3 body rows fill 300, the closing
        // does not fit after them, so the third goes over with it.
        assert_eq!(keep_closing(&[100.0, 100.0, 100.0, 30.0, 30.0], 3, 350.0), vec![2]);
        assert_eq!(keep_closing(&[100.0, 100.0, 30.0, 30.0], 2, 350.0), Vec::<u32>::new());
        assert_eq!(keep_closing(&[200.0, 200.0, 100.0, 100.0], 3, 350.0), vec![1, 2]);
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

    /// The text cells of one column, top to bottom.
    fn column(xlsx: &[u8], col: usize) -> Vec<String> {
        use calamine::{DataType, Reader};
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let start = range
            .rows()
            .position(|r| r.first().and_then(|c| c.as_string()).as_deref() == Some("查摆内容"))
            .unwrap();
        range
            .rows()
            .skip(start + 1)
            .filter_map(|r| r.get(col).and_then(|c| c.as_string()))
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn the_longest_texts_allowed_fit_in_rows_excel_accepts_and_nothing_is_cut() {
        let finding = format!("1. {}", "支部委员会会议研讨少，记录过简；".repeat(125)); // 2,000 characters
        let measure = format!("1. {}", "逐项整改并报党总支备案。".repeat(84)); // 1,000 characters
        let doc = one_finding(
            finding.clone(),
            vec![MeasureLine {
                text: measure.clone(),
                deadline: "2022年10月31日".into(),
                owner: "王喆".repeat(25),
                due: None,
            }],
        );
        let stamp = stamp();
        let bytes = checklist(&doc, &stamp).unwrap();
        let heights = row_heights(&bytes);
        assert!(heights.iter().all(|h| *h <= 409.0), "{heights:?}");
        // Split over pages, each piece after the first marked: put together, nothing is lost.
        let column = |c: usize| column(&bytes, c).concat().replace(CONTINUED, "");
        assert_eq!(column(1), finding);
        assert!(column(2).starts_with(&measure));

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
    fn a_text_split_over_pages_and_a_date_deadline_import_back_as_written() {
        use time::macros::date;
        let finding = "支部委员会会议研讨少，Excel 记录过简；".repeat(85);
        let long = "逐项整改 Excel 台账并报党总支备案。".repeat(45);
        // A finding with no measures yet, long enough to run over a page after the first.
        let bare = "未按期换届，书记空缺半年；".repeat(60);
        let measure = |text: &str, due| MeasureLine {
            text: format!("1. {text}"),
            deadline: crate::domain::dates::chinese_date(due),
            owner: "欧阳一帆".into(),
            due: Some(due),
        };
        let mut second = measure("按月通报进度。", date!(2022 - 11 - 30));
        second.text = "2. 按月通报进度。".into();
        let mut first = measure(&long, date!(2022 - 10 - 31));
        first.text.push_str("\n进度安排：2022年10月5日 起草初稿");
        let mut doc = one_finding(format!("1. {finding}"), vec![first, second]);
        doc.branches[0].categories[0].findings.push(FindingLine {
            text: format!("2. {bare}"),
            measures: Vec::new(),
        });
        let stamp = stamp();
        let bytes = checklist(&doc, &stamp).unwrap();
        let rows = crate::sheets::read_first_sheet(&bytes, 5, 2000).unwrap();
        let continued = rows
            .iter()
            .flat_map(|(_, cells)| cells)
            .filter(|c| c.starts_with(CONTINUED))
            .count();
        assert!(continued >= 3, "the finding and the measure were split over pages");
        let read = crate::domain::checklist_import::from_sheet(
            &rows,
            &[(1, "党支部设置和调整不规范")],
            &[],
            (date!(2022 - 09 - 01), date!(2022 - 12 - 31)),
        );
        assert_eq!(read.len(), 2, "{read:?}");
        assert_eq!(read[0].text, finding);
        assert_eq!(read[0].error, None);
        assert_eq!(read[1].text, bare);
        assert!(read[1].measures.is_empty(), "{:?}", read[1].measures);
        assert_eq!(read[1].error, None);
        assert_eq!(
            read[0].measures[0].milestones.len(),
            1,
            "the milestone line is not lost in a split"
        );
        let measures: Vec<(&str, Option<time::Date>, &str)> = read[0]
            .measures
            .iter()
            .map(|m| (m.text.as_str(), m.deadline, m.owner.as_str()))
            .collect();
        assert_eq!(
            measures,
            vec![
                (long.as_str(), Some(date!(2022 - 10 - 31)), "欧阳一帆"),
                ("按月通报进度。", Some(date!(2022 - 11 - 30)), "欧阳一帆")
            ]
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
