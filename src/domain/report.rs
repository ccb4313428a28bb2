//! 附件3, the committee's report: the draft the system writes from its branches' data (the
//! reviewer edits it), and what signing requires.

use time::Date;

use super::dates::parse_typed_date;
use super::input::{FieldErrors, text};

/// The longest a section may be (a long report runs to a few thousand characters).
pub const SECTION_MAX: usize = 20_000;
pub const SIGNER_MAX: usize = 50;

/// What the draft is written from.
pub struct Facts<'a> {
    pub branches: usize,
    /// Branches that answered every ledger item.
    pub answered_all: usize,
    pub signed_off: usize,
    pub categories: Vec<CategoryFacts<'a>>,
    pub measures: usize,
    pub immediate: usize,
    pub closed_out: usize,
    pub awaiting_close_out: usize,
    pub overdue: usize,
}

pub struct CategoryFacts<'a> {
    pub title: &'a str,
    pub findings: Vec<&'a str>,
    pub measures: Vec<&'a str>,
}

pub struct Draft {
    pub work_done: String,
    pub problems: String,
    pub next_steps: String,
}

const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// How many typical examples a category's paragraph quotes.
const EXAMPLES: usize = 2;

/// A typical example for a formal report: the finding's first sentence (up to 60 characters,
/// never cut inside 《》 or quotes), its inner “” turned into ‘’ as quotes within quotes are.
fn example(text: &str) -> String {
    const MAX: usize = 60;
    let first = text.split(['。', '；', '\n']).next().unwrap_or(text).trim();
    let mut out = String::new();
    let mut open = 0i32;
    for (n, c) in first.chars().enumerate() {
        if n >= MAX && open <= 0 {
            out.push('…');
            break;
        }
        match c {
            '《' | '“' | '（' => open += 1,
            '》' | '”' | '）' => open -= 1,
            _ => {}
        }
        out.push(match c {
            '“' => '‘',
            '”' => '’',
            c => c,
        });
    }
    out
}

fn examples(texts: &[&str]) -> String {
    texts
        .iter()
        .take(EXAMPLES)
        .map(|t| format!("“{}”", example(t)))
        .collect::<Vec<_>>()
        .join("；")
}

pub fn draft(committee: &str, f: &Facts<'_>) -> Draft {
    let we = if committee.ends_with("党委") {
        "本党委"
    } else if committee.ends_with("党总支") {
        "本党总支"
    } else {
        "本单位"
    };
    let findings: usize = f.categories.iter().map(|c| c.findings.len()).sum();
    let work_done = format!(
        "按照组织部《关于开展党支部对账整改专项行动的通知》要求，{we}及时部署、压实责任，组织所属{}个党支部对照《党支部问题台账》逐条逐项开展对照检查和延伸自查。\
         截至目前，{}个党支部完成全部对账查摆，共查摆问题{findings}条，制定整改措施{}条；{}个党支部的问题整改台账已经审核签字。",
        f.branches, f.answered_all, f.measures, f.signed_off
    );
    let with_findings: Vec<&CategoryFacts<'_>> = f.categories.iter().filter(|c| !c.findings.is_empty()).collect();
    let problems = if with_findings.is_empty() {
        "经对照检查，各党支部暂未查摆出问题。".to_string()
    } else {
        with_findings
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "（{}）{}方面。共查摆问题{}条，如：{}。",
                    ORDINALS.get(i).unwrap_or(&"十"),
                    c.title,
                    c.findings.len(),
                    examples(&c.findings)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut steps = vec![format!(
        "针对查摆出的问题，共制定整改措施{}条，其中立行立改{}条；已销号{}条，已完成待确认销号{}条。",
        f.measures, f.immediate, f.closed_out, f.awaiting_close_out
    )];
    for (i, c) in with_findings.iter().enumerate().filter(|(_, c)| !c.measures.is_empty()) {
        steps.push(format!(
            "（{}）{}方面：{}。",
            ORDINALS.get(i).unwrap_or(&"十"),
            c.title,
            examples(&c.measures)
        ));
    }
    steps.push(if f.overdue > 0 {
        format!("下一步，对已超过整改时限尚未销号的{}条措施逐条督办，按期完成整改并实行销号管理，适时开展整改“回头看”，巩固整改成果。", f.overdue)
    } else {
        "下一步，继续实行销号管理，边查边改、立行立改，适时开展整改“回头看”，巩固整改成果。".to_string()
    });
    Draft {
        work_done,
        problems,
        next_steps: steps.join("\n"),
    }
}

/// The three sections as typed, each checked for length (empty sections are allowed in a draft).
pub fn sections(work_done: &str, problems: &str, next_steps: &str) -> Result<Draft, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut one = |name: &'static str, label: &str, v: &str| {
        text(label, v, SECTION_MAX, false).unwrap_or_else(|m| {
            e.add(name, m);
            String::new()
        })
    };
    let d = Draft {
        work_done: one("work_done", "工作开展情况", work_done),
        problems: one("problems", "自查存在的问题", problems),
        next_steps: one("next_steps", "下一步整改措施", next_steps),
    };
    if e.is_empty() { Ok(d) } else { Err(e) }
}

/// Signing: the 党组织负责人's name and the report's date (within `window`); every section must
/// be written.
pub fn signature(
    name: &str, date: &str, sections: [&str; 3], window: (Date, Date),
) -> Result<(String, Date), FieldErrors> {
    let mut e = FieldErrors::default();
    let name = text("签字人姓名", name, SIGNER_MAX, true).unwrap_or_else(|m| {
        e.add("signer_name", m);
        String::new()
    });
    let date = match parse_typed_date(date) {
        Some(d) if d < window.0 || d > window.1 => {
            e.add("signed_on", format!("报告日期应在 {} 至 {} 之间", window.0, window.1));
            None
        }
        Some(d) => Some(d),
        None => {
            e.add("signed_on", "请填写报告日期，如 2022-10-20");
            None
        }
    };
    for (label, s) in ["一、工作开展情况", "二、自查存在的问题", "三、下一步整改措施"]
        .iter()
        .zip(sections)
    {
        if s.trim().is_empty() {
            e.add("form", format!("签字前请先填写“{label}”"));
        }
    }
    match date {
        Some(d) if e.is_empty() => Ok((name, d)),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(categories: Vec<CategoryFacts<'a>>) -> Facts<'a> {
        Facts {
            branches: 3,
            answered_all: 2,
            signed_off: 1,
            categories,
            measures: 5,
            immediate: 1,
            closed_out: 2,
            awaiting_close_out: 1,
            overdue: 1,
        }
    }

    #[test]
    fn the_draft_counts_and_quotes_typical_examples_per_category() {
        let d = draft(
            "计算机工程学院党委",
            &facts(vec![
                CategoryFacts {
                    title: "党支部设置和调整不规范",
                    findings: vec![],
                    measures: vec![],
                },
                CategoryFacts {
                    title: "组织生活制度执行不严格",
                    findings: vec!["支委会召开次数不足。", "讲党课次数偏少", "第三条不引用"],
                    measures: vec!["制定三会一课计划"],
                },
            ]),
        );
        assert!(d.work_done.contains("本党委及时部署") && d.work_done.contains("所属3个党支部"));
        assert!(d.work_done.contains("共查摆问题3条"));
        assert_eq!(
            d.problems,
            "（一）组织生活制度执行不严格方面。共查摆问题3条，如：“支委会召开次数不足”；“讲党课次数偏少”。"
        );
        assert!(d.next_steps.contains("共制定整改措施5条"));
        assert!(
            d.next_steps
                .contains("（一）组织生活制度执行不严格方面：“制定三会一课计划”。")
        );
        assert!(d.next_steps.contains("1条措施逐条督办"));
    }

    #[test]
    fn examples_are_whole_first_sentences_with_quotes_nested_properly() {
        assert_eq!(example("党员“政治生日”制度未落实。其他"), "党员‘政治生日’制度未落实");
        let long = format!("制定《{}》并报备", "支".repeat(70));
        assert!(example(&long).contains('》'), "never cut inside 《》");
        assert!(example(&"问".repeat(80)).ends_with('…'));
    }

    #[test]
    fn a_committee_without_findings_says_so() {
        assert_eq!(
            draft("文学院党总支", &facts(vec![])).problems,
            "经对照检查，各党支部暂未查摆出问题。"
        );
    }

    #[test]
    fn signing_needs_a_name_a_date_and_every_section() {
        let window = (time::macros::date!(2022 - 10 - 05), time::macros::date!(2025 - 10 - 04));
        assert!(signature("王建国", "2022-10-20", ["a", "b", "c"], window).is_ok());
        assert!(
            signature("王建国", "1900-01-01", ["a", "b", "c"], window)
                .unwrap_err()
                .get("signed_on")
                .unwrap()
                .contains("之间")
        );
        let e = signature("", "2022-13-01", ["a", "", "c"], window).unwrap_err();
        assert!(e.get("signer_name").is_some() && e.get("signed_on").is_some());
        assert!(e.get("form").unwrap().contains("二、自查存在的问题"));
    }
}
