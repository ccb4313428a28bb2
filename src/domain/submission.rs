//! The submission gate: what must be true before a branch hands its ledger to the committee.

use super::states::Verdict;

/// What the gate looks at, per ledger item and per finding.
pub struct ItemAnswer<'a> {
    /// "2（1）" — how the user finds the item.
    pub label: &'a str,
    /// Where it is on the page.
    pub href: &'a str,
    pub verdict: Option<Verdict>,
    pub findings: usize,
}

pub struct FindingPlan<'a> {
    /// A short quote of the finding, to find it.
    pub label: &'a str,
    /// Its page.
    pub href: &'a str,
    pub measures: usize,
    /// Measures with both 整改时限 and 责任人.
    pub complete_measures: usize,
}

/// One thing still missing, and where to go to mend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub text: String,
    pub href: String,
}

/// A measure is planned in full when it has both 整改时限 and 责任人 (附件2's two columns).
pub fn is_complete(deadline: Option<time::Date>, owner: &str) -> bool {
    deadline.is_some() && !owner.trim().is_empty()
}

/// Everything still missing, in words; empty means the ledger may be submitted. `meeting` is
/// whether a branch has recorded its 专题支委会 (or why it was not held); `None` for a
/// committee's own ledger, which holds none.
pub fn missing(items: &[ItemAnswer<'_>], findings: &[FindingPlan<'_>], meeting: Option<bool>) -> Vec<Missing> {
    let mut out = Vec::new();
    if meeting == Some(false) {
        out.push(Missing {
            text: "还没有记录专题支委会（如未召开，请写明原因）".into(),
            href: "#meeting".into(),
        });
    }
    let unanswered: Vec<&ItemAnswer<'_>> = items.iter().filter(|i| i.verdict.is_none()).collect();
    if let Some(first) = unanswered.first() {
        let labels: Vec<&str> = unanswered.iter().map(|i| i.label).collect();
        out.push(Missing {
            text: format!("还有 {} 项未作答：{}", unanswered.len(), labels.join("、")),
            href: first.href.to_string(),
        });
    }
    for i in items
        .iter()
        .filter(|i| i.verdict == Some(Verdict::Problem) && i.findings == 0)
    {
        out.push(Missing {
            text: format!("第 {} 项选择了“存在问题”，但还没有填写查摆问题", i.label),
            href: i.href.to_string(),
        });
    }
    for f in findings {
        let text = if f.measures == 0 {
            format!("查摆问题“{}”还没有整改措施", f.label)
        } else if f.complete_measures == 0 {
            format!("查摆问题“{}”的整改措施还缺少整改时限或责任人", f.label)
        } else {
            continue;
        };
        out.push(Missing {
            text,
            href: f.href.to_string(),
        });
    }
    out
}

/// The first characters of a text, for naming it in a message.
pub fn quote(text: &str) -> String {
    const N: usize = 20;
    let mut q: String = text.chars().take(N).collect();
    if text.chars().count() > N {
        q.push('…');
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measure_is_complete_with_a_deadline_and_an_owner() {
        let d = Some(time::macros::date!(2022 - 10 - 31));
        assert!(is_complete(d, "张喆"));
        assert!(!is_complete(d, "  "));
        assert!(!is_complete(None, "张喆"));
    }

    fn item(label: &str, verdict: Option<Verdict>, findings: usize) -> ItemAnswer<'_> {
        ItemAnswer {
            label,
            href: label,
            verdict,
            findings,
        }
    }

    #[test]
    fn a_complete_ledger_passes() {
        let items = [
            item("1（1）", Some(Verdict::Problem), 1),
            item("1（2）", Some(Verdict::NoProblem), 0),
        ];
        let findings = [FindingPlan {
            label: "支委会",
            href: "/f/0",
            measures: 2,
            complete_measures: 1,
        }];
        assert!(missing(&items, &findings, Some(true)).is_empty());
        assert!(
            missing(&items, &findings, None).is_empty(),
            "a committee's own ledger holds no meeting"
        );
    }

    #[test]
    fn a_branch_records_its_meeting_first() {
        let m = missing(&[], &[], Some(false));
        assert_eq!(m.len(), 1);
        assert!(m[0].text.contains("专题支委会"));
        assert_eq!(m[0].href, "#meeting");
    }

    #[test]
    fn each_gap_is_named() {
        let items = [
            item("1（1）", None, 0),
            item("1（2）", None, 0),
            item("2（1）", Some(Verdict::Problem), 0),
            item("2（2）", Some(Verdict::NotApplicable), 0),
        ];
        let findings = [
            FindingPlan {
                label: "没有措施的问题",
                href: "/f/1",
                measures: 0,
                complete_measures: 0,
            },
            FindingPlan {
                label: "措施缺时限",
                href: "/f/2",
                measures: 1,
                complete_measures: 0,
            },
        ];
        let m = missing(&items, &findings, Some(true));
        assert_eq!(m.len(), 4, "{m:?}");
        assert_eq!(m[0].text, "还有 2 项未作答：1（1）、1（2）");
        assert_eq!(m[0].href, "1（1）", "links to the first unanswered item");
        assert!(m[1].text.contains("2（1）"));
        assert!(m[2].text.contains("没有措施的问题") && m[2].text.contains("还没有整改措施"));
        assert_eq!(m[2].href, "/f/1");
        assert!(m[3].text.contains("缺少整改时限或责任人"));
    }

    #[test]
    fn quotes_are_short() {
        assert_eq!(quote("短"), "短");
        assert_eq!(quote(&"长".repeat(30)).chars().count(), 21);
    }
}
