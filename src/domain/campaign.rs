//! A 专项行动's settings as the 组织部 enters them.

use time::Date;

use super::dates::parse_typed_date;
use super::input::{FieldErrors, text};
use super::progress::DeadlineBasis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInput {
    pub title: String,
    pub doc_number: String,
    pub issued_on: Date,
    pub self_check_due: Date,
    pub report_due: Date,
    pub rectify_due: Date,
    pub results_due: Date,
    /// Which deadline 五星级 eligibility judges against.
    pub basis: DeadlineBasis,
}

/// The date fields, with their labels, in the form's order.
pub const DATE_FIELDS: [(&str, &str); 5] = [
    ("issued_on", "通知日期"),
    ("self_check_due", "对账查摆时限"),
    ("report_due", "党总支报送时限"),
    ("rectify_due", "立项整改时限"),
    ("results_due", "结果运用时限"),
];

impl CampaignInput {
    /// `dates` in the order of DATE_FIELDS. Every phase falls on or after the notice and on or
    /// before 结果运用, which closes the campaign.
    pub fn parse(title: &str, doc_number: &str, dates: [&str; 5], basis: &str) -> Result<CampaignInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let basis = match basis.trim() {
            "" => DeadlineBasis::Approved,
            code => DeadlineBasis::parse(code).unwrap_or_else(|| {
                e.add("eligibility_deadline", "请选择评星定级按哪个整改时限判断逾期");
                DeadlineBasis::Approved
            }),
        };
        let title = text("专项行动名称", title, 100, true).unwrap_or_else(|m| {
            e.add("title", m);
            String::new()
        });
        let doc_number = text("文号", doc_number, 50, false).unwrap_or_else(|m| {
            e.add("doc_number", m);
            String::new()
        });
        let mut parsed = [None; 5];
        for (i, ((field, label), value)) in DATE_FIELDS.iter().zip(dates).enumerate() {
            match parse_typed_date(value) {
                Some(d) => parsed[i] = Some(d),
                None => e.add(field, format!("请填写{label}，如 2022-10-15")),
            }
        }
        if let [
            Some(issued),
            Some(self_check),
            Some(report),
            Some(rectify),
            Some(results),
        ] = parsed
        {
            for ((field, label), d) in DATE_FIELDS[1..].iter().zip([self_check, report, rectify, results]) {
                if d < issued {
                    e.add(field, format!("{label}不能早于通知日期"));
                }
            }
            if [self_check, report, rectify].iter().any(|d| *d > results) {
                e.add("results_due", "结果运用时限应在其他各阶段时限之后");
            }
            if e.is_empty() {
                return Ok(CampaignInput {
                    title,
                    doc_number,
                    issued_on: issued,
                    self_check_due: self_check,
                    report_due: report,
                    rectify_due: rectify,
                    results_due: results,
                    basis,
                });
            }
        }
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2023_campaign_parses() {
        let c = CampaignInput::parse(
            "2023年党支部对账整改专项行动",
            "组织部〔2023〕30号",
            ["2023-10-08", "2023-10-20", "2023-10-25", "2023-11-10", "2023-11-30"],
            "",
        )
        .unwrap();
        assert_eq!(c.results_due.to_string(), "2023-11-30");
    }

    #[test]
    fn dates_must_exist_and_keep_their_order() {
        let e = CampaignInput::parse(
            "",
            "",
            ["2023-10-08", "2023-02-30", "2023-10-01", "2023-12-10", "2023-11-30"],
            "",
        )
        .unwrap_err();
        assert!(e.get("title").is_some());
        assert!(e.get("self_check_due").unwrap().contains("如 2022-10-15"));
        let e = CampaignInput::parse(
            "x",
            "",
            ["2023-10-08", "2023-10-20", "2023-10-01", "2023-12-10", "2023-11-30"],
            "",
        )
        .unwrap_err();
        assert!(e.get("report_due").unwrap().contains("不能早于通知日期"));
        assert!(e.get("results_due").is_some());
        let dates = ["2023-10-08", "2023-10-20", "2023-10-25", "2023-11-10", "2023-11-30"];
        let c = CampaignInput::parse("x", "", dates, "original").unwrap();
        assert_eq!(c.basis, DeadlineBasis::Original);
        let e = CampaignInput::parse("x", "", dates, "whatever").unwrap_err();
        assert!(e.get("eligibility_deadline").is_some());
    }
}
