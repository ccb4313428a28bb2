//! The exported documents as the 组织部 clerk checks them before sealing: read back with poppler
//! (pdftotext, pdffonts) and qpdf, and the spreadsheets printed by LibreOffice as it paginates
//! them. Needs poppler-utils, qpdf and libreoffice-calc-nogui (scripts/install-test-deps.sh).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use duizhang::export::{
    self, BranchLedger, CategoryBlock, Checklist, FindingLine, MeasureLine, REPORT_SIGNATURE_LINE, ReportDoc,
    SECTION_HEADINGS, SIGNATURE_LINE, SignOff, Stamp,
};
use reqwest::StatusCode;

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Runs a tool the tests need, or says which package brings it.
fn run(program: &str, args: &[&str], package: &str) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} is missing ({e}): install Debian's {package}, e.g. with scripts/install-test-deps.sh")
    });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of each page of a PDF file.
fn pages_of(pdf: &Path) -> Vec<String> {
    let text = run(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", &pdf.to_string_lossy(), "-"],
        "poppler-utils",
    );
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Prints `files` to PDF with LibreOffice (one start for all), into `dir`.
fn libreoffice_pdfs(dir: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let mut args = vec![
        profile.as_str(),
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
    ];
    let out = dir.join("lo");
    let out_s = out.to_string_lossy().into_owned();
    args.push(&out_s);
    let names: Vec<String> = files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
    args.extend(names.iter().map(String::as_str));
    run("soffice", &args, "libreoffice-calc-nogui");
    files
        .iter()
        .map(|f| {
            let pdf = out.join(f.with_extension("pdf").file_name().unwrap());
            assert!(pdf.is_file(), "LibreOffice printed {}", f.display());
            pdf
        })
        .collect()
}

fn stamp() -> Stamp {
    Stamp {
        code: "ABCDE-FGHJK".into(),
        verify_url: "https://dj.example.edu.cn/verify".into(),
    }
}

/// A signed branch 附件2 with `findings` findings of varying length.
fn checklist(findings: usize) -> Checklist {
    let sentence = "支委会会议记录过简，未体现讨论过程和表决情况，会后未及时通报；";
    Checklist {
        title: "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单".into(),
        committee_name: "计算机工程学院党委".into(),
        campaign_title: "2022年".into(),
        branches: vec![BranchLedger {
            branch_name: "计算机科学与技术系教工党支部".into(),
            level: duizhang::domain::units::Level::Branch,
            categories: (1..=6)
                .map(|c| CategoryBlock {
                    heading: format!("{c}. 第{c}类问题"),
                    findings: (1..=findings)
                        .filter(|f| f % 6 + 1 == c)
                        .enumerate()
                        .map(|(i, f)| FindingLine {
                            text: format!("{}. 第{f}条：{}", i + 1, sentence.repeat(1 + f % 5)),
                            measures: (0..1 + f % 3)
                                .map(|k| MeasureLine {
                                    text: format!(
                                        "{}. 逐项整改（{f}-{k}）：{}",
                                        k + 1,
                                        sentence.repeat(1 + (f + k) % 3)
                                    ),
                                    deadline: "2022年10月31日".into(),
                                    owner: "王喆、欧阳一帆".into(),
                                    due: Some(time::macros::date!(2022 - 10 - 31)),
                                })
                                .collect(),
                        })
                        .collect(),
                    own_items: 4,
                    others: None,
                })
                .collect(),
            sign_off: Some(SignOff {
                signer: "李明".into(),
                at: "2022-10-18 10:30".into(),
                four_in_place: true,
                comment: String::new(),
            }),
            state: "已审核签字".into(),
            submitted: true,
        }],
    }
}

/// A signed 附件3 whose sections hold `chars` characters each.
fn report(chars: usize) -> ReportDoc {
    let sentence = "本党委组织各党支部逐项对照问题台账开展自查，召开专题会议，逐支部审核台账并督促整改。";
    ReportDoc {
        title: "计算机工程学院党委开展党支部对账整改专项行动情况的报告".into(),
        committee_name: "计算机工程学院党委".into(),
        campaign_title: "2022年".into(),
        sections: SECTION_HEADINGS
            .iter()
            .map(|h| (h.to_string(), sentence.chars().cycle().take(chars).collect()))
            .collect(),
        signer_name: "李明".into(),
        date: "2022年10月20日".into(),
        signature: Some(
            "签署记录：党组织负责人李明；李明于2022-10-18 10:30在系统中确认签署，报告日期以落款为准。".into(),
        ),
    }
}

/// Whether a page holds the table's rows (its column headings) and the signing block.
fn table_and_signature(page: &str) -> (bool, bool) {
    let s = squeeze(page);
    (
        s.contains("查摆内容查摆问题整改措施整改时限责任人") || s.contains("查摆内容"),
        s.contains(&squeeze(SIGNATURE_LINE)),
    )
}

/// A report page's lines that are body text: not the footer, the closing block or the title.
fn report_body_lines(page: &str, doc: &ReportDoc) -> usize {
    let closing = [
        squeeze(&doc.committee_name),
        squeeze(&doc.date),
        squeeze(doc.signature.as_deref().unwrap()),
        squeeze(REPORT_SIGNATURE_LINE),
    ];
    page.lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .filter(|l| !(l.contains("验证码") || l.starts_with("核验") || l.starts_with("第") && l.contains("页")))
        .filter(|l| !closing.iter().any(|c| c.contains(l.as_str()) || l.contains(c.as_str())))
        .count()
}

/// `<brk id>` rows (the first row of each new page, 0-based) and merged ranges (0-based first
/// and last rows) of the first sheet.
fn breaks_and_merges(xlsx: &[u8]) -> (Vec<u32>, Vec<(u32, u32)>) {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let attr = |tag: &str, name: &str| -> Vec<String> {
        xml.split(&format!("<{tag} "))
            .skip(1)
            .filter_map(|rest| {
                let at = rest.find(&format!("{name}=\""))? + name.len() + 2;
                Some(rest[at..at + rest[at..].find('"')?].to_string())
            })
            .collect()
    };
    let breaks = attr("brk", "id").iter().map(|s| s.parse().unwrap()).collect();
    let row = |cell: &str| -> u32 { cell.trim_start_matches(char::is_alphabetic).parse::<u32>().unwrap() - 1 };
    let merges = attr("mergeCell", "ref")
        .iter()
        .map(|r| {
            let (a, b) = r.split_once(':').unwrap();
            (row(a), row(b))
        })
        .collect();
    (breaks, merges)
}

#[test]
fn paper_and_spreadsheet_keep_the_signing_block_with_the_text_for_any_length() {
    let dir = tempfile::tempdir().unwrap();
    let mut spreadsheets = Vec::new();
    let mut expected_pages = Vec::new();
    for findings in [1, 4, 7, 10, 13, 17, 22] {
        let doc = checklist(findings);
        // The PDF: the last page holds table rows and the signing block.
        let path = dir.path().join(format!("fujian2-{findings}.pdf"));
        std::fs::write(&path, export::pdf::checklist(&doc, &stamp()).unwrap()).unwrap();
        run("qpdf", &["--check", &path.to_string_lossy()], "qpdf");
        let pages = pages_of(&path);
        assert_eq!(
            table_and_signature(pages.last().unwrap()),
            (true, true),
            "{findings} findings: PDF last page {:?}",
            pages.last()
        );
        // The XLSX: no merged cell crosses a manual page break.
        let xlsx = export::xlsx::checklist(&doc, &stamp()).unwrap();
        let (breaks, merges) = breaks_and_merges(&xlsx);
        for &b in &breaks {
            for &(first, last) in &merges {
                assert!(
                    !(first < b && last >= b),
                    "{findings} findings: merge rows {first}–{last} cross the break at {b}"
                );
            }
        }
        expected_pages.push(breaks.len() + 1);
        let path = dir.path().join(format!("fujian2-{findings}.xlsx"));
        std::fs::write(&path, xlsx).unwrap();
        spreadsheets.push(path);
    }
    let mut reports = Vec::new();
    let mut lengths = Vec::new();
    for chars in [60, 240, 420, 600, 780, 960, 1140] {
        let doc = report(chars);
        let path = dir.path().join(format!("fujian3-{chars}.pdf"));
        std::fs::write(&path, export::pdf::report(&doc, &stamp()).unwrap()).unwrap();
        let pages = pages_of(&path);
        let last = pages.last().unwrap();
        assert!(squeeze(last).contains(&squeeze(REPORT_SIGNATURE_LINE)));
        assert!(
            report_body_lines(last, &doc) > 0,
            "{chars}: the report's last page has no body text: {last}"
        );
        assert_eq!(
            squeeze(&pages.concat()).matches("2022年10月20日").count(),
            1,
            "one date line"
        );
        let path = dir.path().join(format!("fujian3-{chars}.xlsx"));
        std::fs::write(&path, export::xlsx::report(&doc, &stamp()).unwrap()).unwrap();
        reports.push(path);
        lengths.push(chars);
    }

    // As LibreOffice prints the spreadsheets: its pages are ours (no column spills onto a page
    // of its own), and the last one holds table rows and the signing block.
    let printed = libreoffice_pdfs(dir.path(), &spreadsheets);
    for ((pdf, expected), findings) in printed.iter().zip(&expected_pages).zip([1, 4, 7, 10, 13, 17, 22]) {
        let pages = pages_of(pdf);
        assert_eq!(
            pages.len(),
            *expected,
            "{findings} findings: LibreOffice paginates as the breaks say"
        );
        for (i, page) in pages.iter().enumerate() {
            assert!(
                squeeze(page).contains("责任人"),
                "{findings} findings, page {i}: every page has the whole header row"
            );
        }
        assert_eq!(
            table_and_signature(pages.last().unwrap()),
            (true, true),
            "{findings} findings: LibreOffice's last page {:?}",
            pages.last()
        );
    }
    let printed = libreoffice_pdfs(dir.path(), &reports);
    for (pdf, chars) in printed.iter().zip(lengths) {
        let pages = pages_of(pdf);
        let last = pages.last().unwrap();
        assert!(squeeze(last).contains(&squeeze(REPORT_SIGNATURE_LINE)), "{chars}");
        assert!(
            report_body_lines(last, &report(chars)) > 0,
            "{chars}: LibreOffice's last page of 附件3 has no body text: {last}"
        );
    }
}

#[tokio::test]
async fn rare_characters_print_in_a_song_face_and_one_no_face_has_is_named_beside_the_downloads() {
    let app = spawn_demo().await;
    let s = app.login("secretary6").await;
    let text = "生僻字𠮷、䶮的党员未参加会议，会场温度38℃；表情🫨不应出现在台账中。";
    let res = app
        .post_form(
            &s,
            "/branches/6/findings",
            "/branches/6",
            &[("category_id", "2"), ("text", text)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let finding = location(&res).split('#').next().unwrap().to_string();
    let res = app
        .post_form(
            &s,
            &format!("{finding}/measures"),
            &finding,
            &[
                ("text", "逐一补课并记录。"),
                ("deadline", &day(30)),
                ("owner", "𠮷一帆"),
                ("status", "in_progress"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let page = visible_text(&app.get(&s, "/branches/6").await.text().await.unwrap());
    assert!(
        page.contains("🫨（U+1FAE8）"),
        "the page names the character no font has"
    );
    assert!(!page.contains("𠮷（U+"), "𠮷 has a face");

    let res = app.get(&s, "/branches/6/checklist.pdf").await;
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = res.bytes().await.unwrap().to_vec();
    let text = squeeze(&pdf_text(&pdf));
    for expected in ["生僻字𠮷、䶮", "38℃", "𠮷一帆", "表情〔U+1FAE8〕"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fujian2.pdf");
    std::fs::write(&path, &pdf).unwrap();
    run("qpdf", &["--check", &path.to_string_lossy()], "qpdf");
    let fonts = run("pdffonts", &[&path.to_string_lossy()], "poppler-utils");
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 2, "{fonts}");
    for row in &rows {
        let name = row.split_whitespace().next().unwrap();
        let tag = name.split('+').next().unwrap();
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "a subset tag: {fonts}"
        );
        assert!(
            row.contains(" yes yes yes "),
            "embedded, subset, with a Unicode map: {row}"
        );
    }
    assert!(fonts.contains("+UMingCN"), "the body is a Song/Ming face: {fonts}");
    assert!(fonts.contains("+HanaMin"), "Extension B from HanaMin: {fonts}");
}
