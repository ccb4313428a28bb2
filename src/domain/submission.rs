//! The submission gate: what must be true before a branch hands its ledger to the committee.

use super::states::Verdict;

/// What the gate looks at, per ledger item and per finding.
pub struct ItemAnswer<'a> {
    /// "2（1）" — how the user finds the item.
    pub label: &'a str,
    pub verdict: Option<Verdict>,
    pub findings: usize,
}

pub struct FindingPlan<'a> {
    /// A short quote of the finding, to find it.
    pub label: &'a str,
    pub measures: usize,
    /// Measures with both 整改时限 and 责任人.
    pub complete_measures: usize,
}

/// Everything still missing, in words; empty means the ledger may be submitted.
pub fn missing(items: &[ItemAnswer<'_>], findings: &[FindingPlan<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    let unanswered: Vec<&str> = items.iter().filter(|i| i.verdict.is_none()).map(|i| i.label).collect();
    if !unanswered.is_empty() {
        out.push(format!("还有 {} 项未作答：{}", unanswered.len(), unanswered.join("、")));
    }
    for i in items
        .iter()
        .filter(|i| i.verdict == Some(Verdict::Problem) && i.findings == 0)
    {
        out.push(format!("第 {} 项选择了“存在问题”，但还没有填写查摆问题", i.label));
    }
    for f in findings {
        if f.measures == 0 {
            out.push(format!("查摆问题“{}”还没有整改措施", f.label));
        } else if f.complete_measures == 0 {
            out.push(format!("查摆问题“{}”的整改措施还缺少整改时限或责任人", f.label));
        }
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

    fn item(label: &str, verdict: Option<Verdict>, findings: usize) -> ItemAnswer<'_> {
        ItemAnswer {
            label,
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
            measures: 2,
            complete_measures: 1,
        }];
        assert!(missing(&items, &findings).is_empty());
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
                measures: 0,
                complete_measures: 0,
            },
            FindingPlan {
                label: "措施缺时限",
                measures: 1,
                complete_measures: 0,
            },
        ];
        let m = missing(&items, &findings);
        assert_eq!(m.len(), 4, "{m:?}");
        assert_eq!(m[0], "还有 2 项未作答：1（1）、1（2）");
        assert!(m[1].contains("2（1）"));
        assert!(m[2].contains("没有措施的问题") && m[2].contains("还没有整改措施"));
        assert!(m[3].contains("缺少整改时限或责任人"));
    }

    #[test]
    fn quotes_are_short() {
        assert_eq!(quote("短"), "短");
        assert_eq!(quote(&"长".repeat(30)).chars().count(), 21);
    }
}
