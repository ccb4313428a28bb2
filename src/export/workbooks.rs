//! The 组织部's workbooks: the overview table, the 五星级 list, and the template for importing
//! units and accounts. Pure functions from rows to bytes, run through `export::render`.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, XlsxError};

use super::xlsx::TextCell;

/// A branch's line in the overview workbook.
#[derive(Debug, Clone)]
pub struct OverviewRow {
    pub committee: String,
    pub branch: String,
    pub state: &'static str,
    /// "answered/items"
    pub answered: String,
    /// Findings; measures 未开始, 整改中, 申请销号, 已销号; overdue.
    pub counts: [i64; 6],
    pub eligible: bool,
    pub reasons: String,
    /// The branch's committee: its 附件3 (未开始 / 草稿 / 已签字) and its 报送 (未报送 / 已报送 /
    /// 逾期报送 / 纸质件已收 / 已退回).
    pub report: &'static str,
    pub delivery: &'static str,
    /// The ledger's first hand-in date, marked （迟交） when after the 对账查摆 deadline.
    pub handed_in: String,
}

/// A branch that loses 五星级 eligibility, for the list.
#[derive(Debug, Clone)]
pub struct IneligibleRow {
    pub committee: String,
    pub branch: String,
    pub state: &'static str,
    pub overdue: i64,
    pub rebounds: i64,
    pub reasons: String,
}

fn head() -> Format {
    Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F2F2")
        .set_text_wrap()
}

fn title() -> Format {
    Format::new().set_bold().set_font_size(14)
}

/// What every printed page of a list workbook needs: A4 landscape, fitted to the page's width,
/// the header row (row `header`) repeated, the title and 第 N 页 共 M 页 in the footer.
fn print_setup(sheet: &mut rust_xlsxwriter::Worksheet, title_text: &str, header: u32) -> Result<(), XlsxError> {
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header, header)?;
    // `&` starts a control code in Excel's header and footer syntax.
    sheet.set_footer(format!("&L{}&R第 &P 页，共 &N 页", title_text.replace('&', "&&")));
    Ok(())
}

/// The overview's table as filtered and ordered on the page.
pub fn overview(title_text: &str, rows: &[OverviewRow]) -> anyhow::Result<Vec<u8>> {
    overview_book(title_text, rows)
}

fn overview_book(title_text: &str, rows: &[OverviewRow]) -> anyhow::Result<Vec<u8>> {
    let mut book = super::xlsx::workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name("全校总览")?;
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let columns = [
        ("党总支（党委）", 22.0),
        ("党支部", 26.0),
        ("台账状态", 10.0),
        ("对账查摆", 10.0),
        ("查摆问题", 8.0),
        ("未开始", 8.0),
        ("整改中", 8.0),
        ("申请销号", 8.0),
        ("已销号", 8.0),
        ("逾期", 8.0),
        ("五星级资格", 10.0),
        ("原因", 50.0),
        ("附件3", 10.0),
        ("报送", 14.0),
        ("首次提交", 16.0),
    ];
    sheet.merge_range(0, 0, 0, columns.len() as u16 - 1, title_text, &title())?;
    for (i, (name, width)) in columns.iter().enumerate() {
        sheet.text(1, i as u16, name, &head())?;
        sheet.set_column_width(i as u16, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, t) in [&row.committee, &row.branch, row.state, &row.answered]
            .iter()
            .enumerate()
        {
            sheet.text(r, c as u16, t, &cell)?;
        }
        for (c, n) in row.counts.iter().enumerate() {
            sheet.write_number_with_format(r, c as u16 + 4, *n as f64, &cell)?;
        }
        sheet.text(r, 10, if row.eligible { "具备" } else { "不具备" }, &cell)?;
        sheet.text(r, 11, &row.reasons, &cell)?;
        sheet.text(r, 12, row.report, &cell)?;
        sheet.text(r, 13, row.delivery, &cell)?;
        sheet.text(r, 14, &row.handed_in, &cell)?;
    }
    sheet.set_freeze_panes(2, 2)?;
    sheet.autofilter(1, 0, rows.len() as u32 + 1, columns.len() as u16 - 1)?;
    print_setup(sheet, title_text, 1)?;
    Ok(book.save_to_buffer()?)
}

/// A promoted 典型做法, for the collection.
#[derive(Debug, Clone)]
pub struct PracticeLine {
    pub unit: String,
    pub category: String,
    pub title: String,
    pub text: String,
    pub measures: String,
}

/// The promoted 典型做法 as one workbook, one practice a row.
pub fn practices(title_text: &str, rows: &[PracticeLine]) -> anyhow::Result<Vec<u8>> {
    let columns = [
        ("单位", 24.0),
        ("问题类别", 18.0),
        ("标题", 24.0),
        ("做法和成效", 60.0),
        ("源自的整改措施", 36.0),
    ];
    let cells = rows
        .iter()
        .map(|p| vec![p.unit.as_str(), &p.category, &p.title, &p.text, &p.measures]);
    text_table(title_text, "典型做法", &columns, cells, 0)
}

/// A titled sheet of text cells under a header row, fitted to print: `freeze` columns stay in
/// view when scrolling right.
fn text_table<'a>(
    title_text: &str, sheet_name: &str, columns: &[(&str, f64)], rows: impl Iterator<Item = Vec<&'a str>>, freeze: u16,
) -> anyhow::Result<Vec<u8>> {
    let mut book = super::xlsx::workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet.merge_range(0, 0, 0, columns.len() as u16 - 1, title_text, &title())?;
    for (col, (name, width)) in columns.iter().enumerate() {
        sheet.text(1, col as u16, name, &head())?;
        sheet.set_column_width(col as u16, *width)?;
    }
    for (i, texts) in rows.enumerate() {
        for (col, text) in texts.into_iter().enumerate() {
            sheet.text(i as u32 + 2, col as u16, text, &cell)?;
        }
    }
    if freeze > 0 {
        sheet.set_freeze_panes(2, freeze)?;
    }
    print_setup(sheet, title_text, 1)?;
    Ok(book.save_to_buffer()?)
}

/// A branch's finalised 评星 result, for the list.
#[derive(Debug, Clone)]
pub struct ResultLine {
    pub committee: String,
    pub branch: String,
    pub state: &'static str,
    pub eligible: bool,
    pub reasons: String,
    /// "三星级" / "未评定".
    pub stars: String,
    pub stars_note: String,
}

/// The finalised 评星 results: every branch, its 五星级 judgement as frozen, the 星级 awarded.
pub fn results(title_text: &str, rows: &[ResultLine]) -> anyhow::Result<Vec<u8>> {
    let columns = [
        ("党总支（党委）", 22.0),
        ("党支部", 26.0),
        ("台账状态", 12.0),
        ("五星级资格", 12.0),
        ("原因", 50.0),
        ("评定星级", 10.0),
        ("说明", 30.0),
    ];
    let cells = rows.iter().map(|b| {
        let eligible = if b.eligible { "具备" } else { "不具备" };
        vec![
            b.committee.as_str(),
            &b.branch,
            b.state,
            eligible,
            &b.reasons,
            &b.stars,
            &b.stars_note,
        ]
    });
    text_table(title_text, "评星结果", &columns, cells, 2)
}

/// 不具备五星级党支部评选资格的党支部, for the 评星定级 meeting.
pub fn ineligible(title_text: &str, rows: &[IneligibleRow]) -> anyhow::Result<Vec<u8>> {
    ineligible_book(title_text, rows)
}

fn ineligible_book(title_text: &str, rows: &[IneligibleRow]) -> anyhow::Result<Vec<u8>> {
    let mut book = super::xlsx::workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name("五星级资格")?;
    let head = head().set_align(FormatAlign::Center);
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet.merge_range(0, 0, 0, 5, title_text, &title())?;
    for (col, (name, width)) in [
        ("党总支（党委）", 22.0),
        ("党支部", 26.0),
        ("台账状态", 12.0),
        ("逾期未销号措施", 14.0),
        ("回头看反弹", 12.0),
        ("原因", 60.0),
    ]
    .into_iter()
    .enumerate()
    {
        sheet.text(1, col as u16, name, &head)?;
        sheet.set_column_width(col as u16, width)?;
    }
    for (i, b) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        sheet.text(r, 0, &b.committee, &cell)?;
        sheet.text(r, 1, &b.branch, &cell)?;
        sheet.text(r, 2, b.state, &cell)?;
        sheet.write_number_with_format(r, 3, b.overdue as f64, &cell)?;
        sheet.write_number_with_format(r, 4, b.rebounds as f64, &cell)?;
        sheet.text(r, 5, &b.reasons, &cell)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    print_setup(sheet, title_text, 1)?;
    Ok(book.save_to_buffer()?)
}

/// The template for importing units and accounts: the columns, with two example rows.
pub fn import_template(columns: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut book = super::xlsx::workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name("单位与账号")?;
    print_setup(sheet, "单位与账号导入模板", 0)?;
    let head = Format::new().set_bold().set_background_color("#F2F2F2");
    for (i, c) in columns.iter().enumerate() {
        sheet.text(0, i as u16, c, &head)?;
        sheet.set_column_width(i as u16, if i < 2 { 26.0 } else { 14.0 })?;
    }
    for (r, row) in [
        [
            "化学化工学院党委",
            "",
            "",
            "",
            "hx.reviewer",
            "钱堃",
            "审核人",
            "",
            "",
            "",
            "",
            "hx.reviewer@example.edu.cn",
        ],
        [
            "化学化工学院党委",
            "化学系教工党支部",
            "12",
            "赵珺",
            "hx.secretary1",
            "赵珺",
            "党支部书记",
            "2024-06-30",
            "3",
            "5",
            "",
            "",
        ],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            sheet.text(r as u32 + 1, c as u16, v, &Format::new())?;
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A part of an XLSX (a zip of XML), as text.
    fn part(xlsx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut text = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn the_lists_print_landscape_fitted_to_width_with_their_header_on_every_page() {
        let overview = overview(
            "全校总览 & 筛选",
            &[OverviewRow {
                committee: "党委".into(),
                branch: "支部".into(),
                state: "填报中",
                answered: "3/22".into(),
                counts: [1, 2, 3, 4, 5, 6],
                eligible: false,
                reasons: "原因".into(),
                report: "已签字",
                delivery: "逾期报送",
                handed_in: "2026-10-16（迟交）".into(),
            }],
        )
        .unwrap();
        let ineligible = ineligible(
            "不具备五星级资格",
            &[IneligibleRow {
                committee: "党委".into(),
                branch: "支部".into(),
                state: "填报中",
                overdue: 1,
                rebounds: 0,
                reasons: "原因".into(),
            }],
        )
        .unwrap();
        let template = import_template(&["党总支（党委）", "党支部"]).unwrap();
        for xlsx in [&overview, &ineligible, &template] {
            let sheet = part(xlsx, "xl/worksheets/sheet1.xml");
            assert!(
                sheet.contains("orientation=\"landscape\"") && sheet.contains("paperSize=\"9\""),
                "{sheet}"
            );
            assert!(
                sheet.contains("fitToHeight=\"0\"") && sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"),
                "{sheet}"
            );
            assert!(sheet.contains("第 &amp;P 页，共 &amp;N 页"), "{sheet}");
            assert!(
                part(xlsx, "xl/workbook.xml").contains("_xlnm.Print_Titles"),
                "header rows repeat"
            );
        }
        assert!(
            part(&overview, "xl/worksheets/sheet1.xml").contains("全校总览 &amp;&amp; 筛选"),
            "an & in the title stays text"
        );
    }
}
