//! 附件3, the committee's report: the draft the system writes from its branches' data (the
//! reviewer edits it), and what signing requires.

use time::Date;

use super::UserId;
use super::dates::parse_typed_date;
use super::input::{FieldErrors, text};
use super::work::WorkKind;

/// The longest a section may be (a long report runs to a few thousand characters).
pub const SECTION_MAX: usize = 20_000;
pub const SIGNER_MAX: usize = 50;

/// What the draft is written from. Counts come from the ledgers handed in (已提交 or 已审核签字)
/// only; a draft never reports a branch's unfinished work as done.
pub struct Facts<'a> {
    /// The committee's active branches.
    pub branches: usize,
    /// Of them, ledgers handed in (已提交 or 已审核签字), signed off, and sent back (已退回, so
    /// not handed in now).
    pub handed_in: usize,
    pub signed_off: usize,
    pub returned: usize,
    /// Of the branches handed in, those whose 专题支委会 record says held, and not held (with a
    /// reason).
    pub meetings_held: usize,
    pub meetings_not_held: usize,
    /// The committee's own 本级 self-check (its own items): its findings if it has handed it in.
    pub own_findings: Option<usize>,
    /// The committee's own campaign work.
    pub work: Vec<WorkFact<'a>>,
    /// Findings and measures of the ledgers handed in (the committee's own included), by category.
    pub categories: Vec<CategoryFacts<'a>>,
    pub measures: usize,
    pub immediate: usize,
    pub closed_out: usize,
    pub awaiting_close_out: usize,
    pub overdue: usize,
}

/// One record of the committee's own work, as 附件3 一 tells it.
pub struct WorkFact<'a> {
    pub kind: WorkKind,
    pub on: Date,
    pub title: &'a str,
    /// Guidance: the branch visited.
    pub branch: Option<&'a str>,
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
/// Examples this long or shorter are preferred; a longer one is still quoted whole.
const SHORT: usize = 60;

/// A text's first sentence, whole: it ends at 。；！？ or a line break outside 《》, “” and （）, so a
/// quotation inside it is never cut.
fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '《' | '“' | '（' | '(' => depth += 1,
            '》' | '”' | '）' | ')' => depth -= 1,
            '。' | '；' | '！' | '？' | '\n' if depth <= 0 => return text[..i].trim(),
            _ => {}
        }
    }
    text
}

/// A typical example for a formal report: the text's whole first sentence, its inner “” turned
/// into ‘’ as quotes within quotes are.
fn example(text: &str) -> String {
    let sentence = first_sentence(text);
    // A short label the writer put first ("立行立改：", "延伸自查：") is not part of the quote.
    let sentence = match sentence.split_once('：') {
        Some((label, rest)) if label.chars().count() <= 6 && !rest.is_empty() && !label.contains(['“', '《', '，']) => {
            rest
        }
        _ => sentence,
    };
    sentence
        .chars()
        .map(|c| match c {
            '“' => '‘',
            '”' => '’',
            c => c,
        })
        .collect()
}

/// Up to EXAMPLES examples, short ones first (in their order), each whole.
fn examples(texts: &[&str]) -> String {
    let sentences: Vec<String> = texts.iter().map(|t| example(t)).filter(|s| !s.is_empty()).collect();
    let mut chosen: Vec<&String> = sentences.iter().filter(|s| s.chars().count() <= SHORT).collect();
    chosen.extend(sentences.iter().filter(|s| s.chars().count() > SHORT));
    chosen
        .into_iter()
        .take(EXAMPLES)
        .map(|s| format!("“{s}”"))
        .collect::<Vec<_>>()
        .join("；")
}

/// "2026年11月20日".
fn date_words(d: Date) -> String {
    super::dates::chinese_date(d)
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
    let of = |k: WorkKind| f.work.iter().filter(move |w| w.kind == k);
    // Only what the records show: "及时部署" only with a deployment meeting recorded.
    let deployments: Vec<String> = of(WorkKind::Deployment)
        .map(|w| format!("{}召开{}", date_words(w.on), w.title))
        .collect();
    let mut work = vec!["按照组织部《关于开展党支部对账整改专项行动的通知》要求，".to_string()];
    if !deployments.is_empty() {
        work.push(format!("{we}于{}进行专题部署，", deployments.join("、")));
    }
    work.push(format!(
        "组织所属{}个党支部对照《党支部问题台账》逐条逐项开展对照检查和延伸自查。",
        f.branches
    ));
    let signed = match (f.handed_in, f.signed_off) {
        (0, _) => String::new(),
        (h, s) if s == h => "，均已审核签字".into(),
        (_, 0) => "，均尚未审核签字".into(),
        (_, s) => format!("，其中{s}个已经审核签字"),
    };
    work.push(format!("截至目前，{}个党支部已提交问题整改台账{signed}", f.handed_in));
    if f.handed_in > 0 {
        work.push(format!(
            "；已提交台账的党支部中，{}个党支部召开了专题支委会",
            f.meetings_held
        ));
        if f.meetings_not_held > 0 {
            work.push(format!("，{}个党支部说明了未召开的原因", f.meetings_not_held));
        }
    }
    work.push(format!("；共查摆问题{findings}条，制定整改措施{}条", f.measures));
    let missing = f.branches.saturating_sub(f.handed_in);
    if missing > 0 {
        let returned = if f.returned > 0 {
            format!("（其中{}个已退回修改）", f.returned)
        } else {
            String::new()
        };
        work.push(format!("；尚有{missing}个党支部未提交{returned}，以上数字不含其内容"));
    }
    work.push("。".into());
    match f.own_findings {
        Some(n) => work.push(format!(
            "{we}对照问题台账中党总支（党委）自身职责开展了本级自查，查摆问题{n}条，已计入上述数字。"
        )),
        None => work.push(format!("{we}本级自查尚未提交组织部，以上数字不含本级自查内容。")),
    }
    let guidance: Vec<&WorkFact<'_>> = of(WorkKind::Guidance).collect();
    if !guidance.is_empty() {
        let mut visited: Vec<&str> = Vec::new();
        for b in guidance.iter().filter_map(|w| w.branch) {
            if !visited.contains(&b) {
                visited.push(b);
            }
        }
        work.push(if guidance.len() == 1 {
            format!("{we}到{}开展指导督查1次，跟踪调度对账整改进度。", visited.join("、"))
        } else {
            format!(
                "{we}先后{}次到{}开展指导督查，跟踪调度对账整改进度。",
                guidance.len(),
                visited.join("、")
            )
        });
    }
    let trainings: Vec<String> = of(WorkKind::Training)
        .map(|w| format!("{}举办{}", date_words(w.on), w.title))
        .collect();
    if !trainings.is_empty() {
        work.push(format!(
            "开展党支部书记轮训{}次：{}。",
            trainings.len(),
            trainings.join("；")
        ));
    }
    let with_findings: Vec<&CategoryFacts<'_>> = f.categories.iter().filter(|c| !c.findings.is_empty()).collect();
    let problems = if with_findings.is_empty() {
        if f.handed_in == 0 {
            "各党支部尚未提交问题整改台账。".to_string()
        } else {
            "经对照检查，已提交台账的党支部暂未查摆出问题。".to_string()
        }
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
        work_done: work.concat(),
        problems,
        next_steps: steps.join("\n"),
    }
}

/// Whether `user` may sign the committee's 附件3: only its 党组织负责人 (`leader`, named by the
/// 组织部) does; returns the name the report is signed in.
pub fn may_sign(user: UserId, leader: Option<(UserId, &str)>) -> Result<&str, String> {
    match leader {
        None => {
            Err("组织部尚未指定本党总支（党委）的党组织负责人，报告暂不能签字；可先保存，请联系组织部指定。".into())
        }
        Some((id, name)) if id == user => Ok(name),
        Some((_, name)) => Err(format!(
            "附件3须由党组织负责人（{name}）签字；您可以修改并保存报告，请{name}登录后签字。"
        )),
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
            handed_in: 2,
            signed_off: 1,
            returned: 1,
            meetings_held: 2,
            meetings_not_held: 1,
            own_findings: None,
            work: vec![],
            categories,
            measures: 5,
            immediate: 1,
            closed_out: 2,
            awaiting_close_out: 1,
            overdue: 1,
        }
    }

    #[test]
    fn the_draft_counts_only_what_was_handed_in_and_says_what_is_missing() {
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
        assert!(
            !d.work_done.contains("部署"),
            "no deployment recorded, none claimed: {}",
            d.work_done
        );
        assert!(d.work_done.contains("组织所属3个党支部"));
        assert!(
            d.work_done.contains(
                "2个党支部已提交问题整改台账，其中1个已经审核签字；已提交台账的党支部中，2个党支部召开了专题支委会，1个党支部说明了未召开的原因"
            ),
            "{}",
            d.work_done
        );
        assert!(d.work_done.contains("；共查摆问题3条，制定整改措施5条"));
        assert!(
            d.work_done.contains("尚有1个党支部未提交（其中1个已退回修改）"),
            "{}",
            d.work_done
        );
        assert!(d.work_done.contains("本党委本级自查尚未提交组织部"));
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
    fn the_committees_own_work_fills_section_one() {
        let mut f = facts(vec![]);
        f.handed_in = 3;
        f.own_findings = Some(1);
        f.work = vec![
            WorkFact {
                kind: WorkKind::Deployment,
                on: time::macros::date!(2026 - 11 - 19),
                title: "专项行动部署会",
                branch: None,
            },
            WorkFact {
                kind: WorkKind::Guidance,
                on: time::macros::date!(2026 - 11 - 24),
                title: "督查对账进度",
                branch: Some("软件工程系教工党支部"),
            },
            WorkFact {
                kind: WorkKind::Training,
                on: time::macros::date!(2026 - 11 - 26),
                title: "党支部书记专题轮训",
                branch: None,
            },
        ];
        let d = draft("计算机工程学院党委", &f);
        assert!(
            d.work_done
                .contains("本党委于2026年11月19日召开专项行动部署会进行专题部署"),
            "{}",
            d.work_done
        );
        assert!(d.work_done.contains("到软件工程系教工党支部开展指导督查1次"));
        assert!(
            d.work_done
                .contains("开展党支部书记轮训1次：2026年11月26日举办党支部书记专题轮训。")
        );
        assert!(d.work_done.contains("本级自查，查摆问题1条"));
        assert!(!d.work_done.contains("尚有"), "every branch handed in");
        // A branch visited twice is named once.
        f.work.push(WorkFact {
            kind: WorkKind::Guidance,
            on: time::macros::date!(2026 - 11 - 28),
            title: "再次督查",
            branch: Some("软件工程系教工党支部"),
        });
        let d = draft("计算机工程学院党委", &f);
        assert!(
            d.work_done.contains("先后2次到软件工程系教工党支部开展指导督查"),
            "{}",
            d.work_done
        );
    }

    #[test]
    fn examples_are_whole_sentences_never_cut() {
        assert_eq!(example("党员“政治生日”制度未落实。其他"), "党员‘政治生日’制度未落实");
        // A sentence end inside a quotation does not end the example.
        assert_eq!(
            example("对照“支委会一般每月召开1次。”的要求，4月未召开。其他"),
            "对照‘支委会一般每月召开1次。’的要求，4月未召开"
        );
        let long = "问".repeat(80);
        assert_eq!(example(&long), long, "a long sentence is quoted whole, not cut");
        assert_eq!(
            example("立行立改：督促补缴党费。"),
            "督促补缴党费",
            "a label the writer put first is not quoted"
        );
        assert_eq!(example("对照《条例》：每月召开"), "对照《条例》：每月召开");
        // Short sentences are preferred as examples; a long one only when nothing shorter.
        let picked = examples(&[&long, "短句一。", "短句二"]);
        assert_eq!(picked, "“短句一”；“短句二”");
        assert!(!examples(&[&long]).contains('…'));
    }

    #[test]
    fn a_committee_without_findings_says_so_honestly() {
        let mut f = facts(vec![]);
        assert_eq!(
            draft("文学院党总支", &f).problems,
            "经对照检查，已提交台账的党支部暂未查摆出问题。"
        );
        f.handed_in = 0;
        assert_eq!(draft("文学院党总支", &f).problems, "各党支部尚未提交问题整改台账。");
    }

    #[test]
    fn only_the_named_leader_signs() {
        let leader = Some((UserId(7), "周国栋"));
        assert_eq!(may_sign(UserId(7), leader), Ok("周国栋"));
        assert!(may_sign(UserId(8), leader).unwrap_err().contains("周国栋"));
        assert!(may_sign(UserId(7), None).unwrap_err().contains("尚未指定"));
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
