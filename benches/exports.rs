//! Export benchmark: builds a 200-row 附件2 (and a 附件3) from synthetic data with long mixed
//! Chinese/ASCII texts, renders each format several times and prints time and size.
//!
//!     cargo bench --bench exports            # 200 measure rows
//!     cargo bench --bench exports -- 1000    # any number of rows
//!
//! Figures are recorded in BENCHMARKS.md. Not a test: nothing here fails on time.

use std::time::Instant;

use duizhang::export::{
    self, BranchLedger, CategoryBlock, Checklist, FindingLine, MeasureLine, ReportDoc, SignOff, Stamp,
};

const SAMPLE: &str =
    "支部委员会会议对党支部重要工作研讨少，“三会一课”记录不规范（见2022年第3季度Excel台账），个别党员未按月缴纳党费；";

fn checklist(rows: usize) -> Checklist {
    let per_finding = 3;
    let findings = rows.div_ceil(per_finding);
    let categories = (0..6)
        .map(|c| CategoryBlock {
            heading: format!("{}. 第{}类问题", c + 1, c + 1),
            findings: (0..findings)
                .filter(|f| f % 6 == c)
                .enumerate()
                .map(|(i, f)| FindingLine {
                    text: format!("{}. {}{}", i + 1, SAMPLE, f),
                    measures: (0..per_finding)
                        .map(|k| MeasureLine {
                            text: format!(
                                "{}. 由支委会逐项整改：{}",
                                k + 1,
                                SAMPLE.chars().take(30).collect::<String>()
                            ),
                            deadline: "2022年10月31日".into(),
                            owner: "王喆".into(),
                            due: Some(time::macros::date!(2022 - 10 - 31)),
                        })
                        .collect(),
                })
                .collect(),
            own_items: 4,
            others: None,
        })
        .collect();
    Checklist {
        title: "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单".into(),
        committee_name: "计算机工程学院党委".into(),
        campaign_title: "2022年党支部对账整改专项行动".into(),
        branches: vec![BranchLedger {
            branch_name: "计算机科学系教工党支部".into(),
            level: duizhang::domain::units::Level::Branch,
            categories,
            sign_off: Some(SignOff {
                signer: "李堃".into(),
                at: "2022-10-18 10:30".into(),
                four_in_place: true,
                comment: String::new(),
            }),
            state: "已签发".into(),
            submitted: true,
        }],
    }
}

/// The median time of `runs` runs, and the last result.
fn time<T>(runs: usize, f: impl Fn() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(runs);
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    times.sort_by(f64::total_cmp);
    (times[runs / 2], out.expect("ran"))
}

fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let doc = checklist(rows);
    let stamp = Stamp {
        code: "ABCDE-FGHJK".into(),
        verify_url: "https://dj.example.edu.cn/verify".into(),
    };
    let (pdf_s, pdf) = time(9, || export::pdf::checklist(&doc, &stamp).expect("pdf"));
    let (xlsx_s, xlsx) = time(9, || export::xlsx::checklist(&doc, &stamp).expect("xlsx"));
    let pages = lopdf::Document::load_mem(&pdf)
        .expect("a readable PDF")
        .get_pages()
        .len();
    println!("附件2, {rows} measure rows, {pages} pages (median of 9 runs):");
    println!("  PDF   {:>7.1} ms  {:>7.1} KB", pdf_s * 1e3, pdf.len() as f64 / 1024.0);
    println!(
        "  XLSX  {:>7.1} ms  {:>7.1} KB",
        xlsx_s * 1e3,
        xlsx.len() as f64 / 1024.0
    );
    let report = ReportDoc {
        title: "计算机工程学院党委开展党支部对账整改专项行动情况的报告".into(),
        committee_name: "计算机工程学院党委".into(),
        campaign_title: "2022年".into(),
        sections: export::SECTION_HEADINGS
            .iter()
            .map(|h| (h.to_string(), SAMPLE.repeat(12)))
            .collect(),
        signer_name: "周国栋".into(),
        date: "2022年10月20日".into(),
        signature: None,
    };
    let (rp_s, rp) = time(9, || export::pdf::report(&report, &stamp).expect("pdf"));
    println!("附件3:");
    println!("  PDF   {:>7.1} ms  {:>7.1} KB", rp_s * 1e3, rp.len() as f64 / 1024.0);
    if let Some(dir) = std::env::var_os("EXPORT_BENCH_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("checklist.pdf"), &pdf).expect("write");
        std::fs::write(dir.join("checklist.xlsx"), &xlsx).expect("write");
        std::fs::write(dir.join("report.pdf"), &rp).expect("write");
    }
}
