//! 附件2 and 附件3 as a reviewer downloads them: every text in full and in order in both
//! formats, 避头尾 in the PDF, signed or marked 草稿, and a verification code that /verify knows.
//!
//! PDF text is extracted with `pdftotext` (Debian's poppler-utils, installed by
//! scripts/install-test-deps.sh); XLSX cells are read back with calamine.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use common::*;
use reqwest::{Client, StatusCode};

/// Every cell string of every sheet, sheet by sheet, row by row.
/// A part of an XLSX (a zip of XML), as text.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("an XLSX is a zip");
    let mut text = String::new();
    zip.by_name(name).expect("the part").read_to_string(&mut text).unwrap();
    text
}

fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a readable workbook");
    let mut cells = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                if let Data::String(s) = c {
                    cells.push(s.clone());
                }
            }
        }
    }
    cells
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that `needles` occur in `hay` (whitespace ignored), each after the one before.
fn in_order(hay: &str, needles: &[String], what: &str) {
    let hay = squeeze(hay);
    let mut from = 0;
    for n in needles {
        let n = squeeze(n);
        match hay[from..].find(&n) {
            Some(at) => from += at + n.len(),
            None => panic!("{what}: “{n}” is missing or out of order in:\n{hay}"),
        }
    }
}

async fn download(app: &TestApp, client: &Client, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = app.get(client, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let headers = res.headers().clone();
    (headers, res.bytes().await.unwrap().to_vec())
}

/// The finding and measure texts of a branch, in 附件2's order, numbered as printed.
async fn ledger_texts(app: &TestApp, branch: i64) -> (Vec<String>, Vec<String>, Vec<String>) {
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT f.id, f.text, m.text, m.owner FROM findings f
         JOIN ledger_categories c ON c.id = f.category_id
         LEFT JOIN measures m ON m.finding_id = f.id
         WHERE f.branch_id = ? ORDER BY c.position, f.position, f.id, m.position, m.id",
    )
    .bind(branch)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let (mut findings, mut measures, mut owners) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for (id, text, measure, owner) in rows {
        if last != Some(id) {
            findings.push(text);
            last = Some(id);
        }
        if let Some(m) = measure {
            measures.push(m);
            owners.push(owner.unwrap_or_default());
        }
    }
    (findings, measures, owners)
}

const LONG: &str = "支部委员会会议对党支部重要工作研讨少（2022年仅3次，见Excel台账第12.5项、https://dengta.example/record?id=42），“三会一课”记录过简；个别党员未按月缴纳党费，组织生活会前未开展谈心谈话——问题整改责任不清。党员大会没有发挥议事决策作用，以组织学习代替党员大会议事决策功能！";

#[tokio::test]
async fn a_reviewer_downloads_the_branch_checklist_with_every_text_in_full_and_in_order() {
    let app = spawn_demo().await;
    // Secretary 6 adds a long finding with mixed text and measures owned by people with rare
    // name characters.
    let s = app.login("secretary6").await;
    assert!(LONG.chars().count() > 150);
    let text = format!("{LONG}{LONG}");
    let res = app
        .post_form(
            &s,
            "/branches/6/findings",
            "/branches/6",
            &[("category_id", "2"), ("text", &text)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let finding = location(&res);
    let finding = finding.split('#').next().unwrap().to_string();
    for (i, owner) in ["王喆", "李堃、张玥", "刘昇（组织委员）", "陈赟", "周珺"]
        .iter()
        .enumerate()
    {
        let measure = format!("第{}步：{}", i + 1, &LONG[..LONG.char_indices().nth(60).unwrap().0]);
        let res = app
            .post_form(
                &s,
                &format!("{finding}/measures"),
                &finding,
                &[
                    ("text", &measure),
                    ("deadline", &day(30)),
                    ("owner", owner),
                    ("status", "in_progress"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{owner}");
    }
    let (findings, measures, owners) = ledger_texts(&app, 6).await;
    assert!(findings.len() >= 2 && measures.len() >= 5);

    let r = app.login("overseer").await;
    let (headers, pdf) = download(&app, &r, "/branches/6/checklist.pdf").await;
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    let year = demo_campaign().issued_on.year();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"fujian2-branch-6-{year}.pdf\"")),
        "a meaningful ASCII name for clients that read only filename=: {disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''%E9%99%84%E4%BB%B62-"),
        "附件2-… in UTF-8: {disposition}"
    );
    assert!(
        pdf.len() < 300_000,
        "a subset font keeps the file small: {} bytes",
        pdf.len()
    );
    let info = pdf_info(&pdf);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.contains("附件2") && l.contains("自查问题、整改与责任清单")),
        "the PDF names itself: {info}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("Author:") && l.contains("党委办公室党支部")),
        "and whose it is: {info}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("Subject:") && l.contains("专项行动")),
        "{info}"
    );
    assert!(
        !info.contains("PDF/X") && !info.contains("GTS"),
        "no empty PDF/X claim: {info}"
    );
    let text = pdf_text(&pdf);
    in_order(&text, &findings, "PDF findings");
    in_order(&text, &measures, "PDF measures");
    for owner in &owners {
        assert!(squeeze(&text).contains(&squeeze(owner)), "owner {owner} in the PDF");
    }
    for head in [
        "附件2",
        "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单",
        "党支部名称：党委办公室党支部",
    ] {
        assert!(squeeze(&text).contains(head), "{head}");
    }
    in_order(
        &text,
        &["查摆内容", "查摆问题", "整改措施", "整改时限", "责任人"].map(String::from),
        "header",
    );
    // 避头尾: no line starts with punctuation that may not start one.
    for line in text.lines() {
        if let Some(first) = line.trim_start().chars().next() {
            assert!(
                !"，。、：；）》”！？".contains(first),
                "a line starts with {first}: {line}"
            );
        }
    }

    let (headers, xlsx) = download(&app, &r, "/branches/6/checklist.xlsx").await;
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let cells = xlsx_cells(&xlsx);
    let all = cells.join("\n");
    in_order(&all, &findings, "XLSX findings");
    in_order(&all, &measures, "XLSX measures");
    for owner in &owners {
        assert!(cells.contains(owner), "owner {owner} is a cell of its own");
    }
    assert!(
        cells.iter().any(|c| c.ends_with(&text_of_long())),
        "the long finding whole in one cell"
    );
}

fn text_of_long() -> String {
    format!("{LONG}{LONG}")
}

#[tokio::test]
async fn a_signed_off_ledger_carries_its_record_and_a_draft_says_it_is_one() {
    let app = spawn_demo().await;
    let r = app.login("reviewer2").await;
    // Branch 4 is signed off in the demo; branch 5 is not.
    let signed = squeeze(&pdf_text(&download(&app, &r, "/branches/4/checklist.pdf").await.1));
    assert!(signed.contains("审核签发"), "{signed}");
    assert!(signed.contains("四个到位"));
    assert!(signed.contains("党组织负责人（签字）"));
    assert!(!signed.contains("草稿"), "a signed ledger is not a draft");
    let draft = squeeze(&pdf_text(&download(&app, &r, "/branches/5/checklist.pdf").await.1));
    assert!(draft.contains("草稿·未签发"));
    assert!(draft.contains(&squeeze("本清单尚未经党总支（党委）审核签发")));
    // The committee's bundle: every branch, each with its own heading; a draft because one is.
    let all = pdf_text(&download(&app, &r, "/committees/2/checklist.pdf").await.1);
    in_order(
        &all,
        &["党支部名称：", "党支部名称："].map(String::from),
        "two branches",
    );
    assert!(squeeze(&all).contains("草稿·未签发"));
    let cells = xlsx_cells(&download(&app, &r, "/committees/2/checklist.xlsx").await.1);
    assert_eq!(
        cells.iter().filter(|c| c.starts_with("党支部名称：")).count(),
        2,
        "one sheet per branch"
    );
}

#[tokio::test]
async fn the_report_prints_the_signed_text_and_its_signature() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let draft = squeeze(&pdf_text(&download(&app, &r, "/committees/1/report.pdf").await.1));
    assert!(draft.contains("计算机工程学院党委开展党支部对账整改专项行动情况的报告"));
    assert!(draft.contains("草稿"));
    let work = format!("本党委于10月8日召开专题会议部署对账整改。{LONG}");
    let seen = unsigned_seen(&app, &r, 1).await;
    let form = [
        ("work_done", work.as_str()),
        ("problems", "共查摆问题10条，其中组织生活类4条。"),
        ("next_steps", "逐条整改销号，10月底前完成。"),
        ("confirm_unsigned", "1"),
        ("unsigned_seen", &seen),
        ("signed_on", &day(0)),
        ("version", "0"),
    ];
    let res = app
        .post_form(&r, "/committees/1/report/sign", "/committees/1/report", &form)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (headers, pdf) = download(&app, &r, "/committees/1/report.pdf").await;
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E9%99%84%E4%BB%B63-")
    );
    let text = pdf_text(&pdf);
    in_order(
        &text,
        &[
            "一、工作开展情况".to_string(),
            work.clone(),
            "二、自查存在的问题".into(),
            "共查摆问题10条，其中组织生活类4条。".into(),
            "三、下一步整改措施".into(),
            "逐条整改销号，10月底前完成。".into(),
            "计算机工程学院党委".into(),
            day_words(0),
            "签署记录：党组织负责人周国栋".into(),
        ],
        "report PDF",
    );
    assert!(!squeeze(&text).contains("草稿"));
    let cells = xlsx_cells(&download(&app, &r, "/committees/1/report.xlsx").await.1);
    in_order(&cells.join("\n"), &[work, day_words(0)], "report XLSX");
}

fn code_in(text: &str) -> String {
    let at = text.find("验证码").expect("a code on the page") + "验证码".len();
    text[at..].trim_start().chars().take(11).collect()
}

#[tokio::test]
async fn the_code_on_a_printed_copy_checks_out_at_verify_until_the_content_changes() {
    let app = spawn_demo().await;
    let s = app.login("secretary6").await;
    let text = pdf_text(&download(&app, &s, "/branches/6/checklist.pdf").await.1);
    let code = code_in(&text);
    assert_eq!(code.len(), 11, "{code}");
    // Every page carries it.
    let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    assert_eq!(text.matches(&code).count(), pages);
    // The same content again: the same code; the XLSX of it too.
    let again = code_in(&pdf_text(&download(&app, &s, "/branches/6/checklist.pdf").await.1));
    assert_eq!(again, code);
    // The workbook prints it once per page, in the footer, with where to check it.
    let sheet = xlsx_part(
        &download(&app, &s, "/branches/6/checklist.xlsx").await.1,
        "xl/worksheets/sheet1.xml",
    );
    let footer = &sheet[sheet.find("<oddFooter>").expect("a footer")..];
    assert!(
        footer.contains(&code) && footer.contains("/verify"),
        "the code is in the sheet's footer"
    );

    let anyone = app.client();
    let res = app.get(&anyone, &format!("/verify/{code}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = visible_text(&res.text().await.unwrap());
    for words in [
        "验证码真实有效",
        "党委办公室党支部",
        "附件2",
        "草稿（未签发）",
        "与系统中当前内容一致",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(!page.contains("年度计划"), "no content of the document is shown");
    // Typed by hand: lower case, spaces, no dash.
    let typed = code.to_lowercase().replace('-', " ");
    let res = app
        .get(&anyone, &format!("/verify?code={}", typed.replace(' ', "+")))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/verify/{code}"));

    // The branch changes its ledger: the old paper is no longer the latest.
    let res = app
        .post_form(
            &s,
            "/branches/6/findings",
            "/branches/6",
            &[("category_id", "3"), ("text", "新增一条问题")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&app.get(&anyone, &format!("/verify/{code}")).await.text().await.unwrap());
    assert!(page.contains("此后已有变更"), "{page}");
    let newer = code_in(&pdf_text(&download(&app, &s, "/branches/6/checklist.pdf").await.1));
    assert_ne!(newer, code);

    // Unknown and malformed codes: 404 with a message by the field, the typing kept.
    for bad in ["ABCDE-FGHJK", "123", "<script>alert(1)</script>"] {
        let res = app.get(&anyone, &format!("/verify/{}", urlencode(bad))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        let html = res.text().await.unwrap();
        assert!(visible_text(&html).contains("未找到此验证码"), "{bad}");
        assert!(!html.contains("<script>alert"), "escaped");
    }
}

#[tokio::test]
async fn a_committee_downloads_its_whole_submission_as_one_zip() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let (headers, bytes) = download(&app, &r, "/committees/1/submission.zip").await;
    assert_eq!(headers["content-type"], "application/zip");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    assert!(
        names.iter().any(|n| n.starts_with("附件3-") && n.ends_with(".pdf")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("附件3-") && n.ends_with(".xlsx")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("附件2-") && n.ends_with(".xlsx")),
        "{names:?}"
    );
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("附件2/") && n.ends_with(".pdf"))
            .count(),
        4,
        "a PDF per branch of committee 1, and its own 本级 list: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("计算机工程学院党委（本级）")),
        "{names:?}"
    );
    let read = |zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str| {
        let mut pdf = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut pdf).unwrap();
        squeeze(&pdf_text(&pdf))
    };
    // The committee's own list comes first, headed with the committee; then its branches'.
    let lists: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("附件2/") && n.ends_with(".pdf"))
        .collect();
    let own = read(&mut zip, lists[0]);
    assert!(own.contains("党组织名称：计算机工程学院党委（本级）"), "{own}");
    assert!(own.contains("本类别各项由党支部自查"), "{own}");
    assert!(own.contains("书记轮训未做到全覆盖"), "{own}");
    let branch = read(&mut zip, lists[1]);
    assert!(branch.contains("党支部名称："));
    assert!(branch.contains("5（1）、5（2）由党总支（党委）自查"), "{branch}");
}
