//! 结果运用 finalised: from the campaign's results date the 组织部 freezes each branch's 五星级
//! judgement as it was; the 星级 awarded is recorded beside it. A live judgement that later
//! differs is shown apart, never written over the frozen one.

use time::Date;

use super::dates::format_date;
use super::input::{FieldErrors, text};

pub const STARS_NOTE_MAX: usize = 200;

/// Whether the results may be finalised now: not before the results date, and only once.
pub fn may_finalise(results_due: Date, today: Date, finalised: bool) -> Result<(), String> {
    if finalised {
        return Err("本次专项行动的评星结果已经确定，不能再次确定。".into());
    }
    if today < results_due {
        return Err(format!(
            "结果运用时限（{}）之前不能确定评星结果；届时按当日情况判定。",
            format_date(results_due)
        ));
    }
    Ok(())
}

/// The frozen judgement and the live one differ: eligibility, or the reasons given.
pub fn differs(frozen_eligible: bool, frozen_reasons: &str, live_eligible: bool, live_reasons: &[String]) -> bool {
    frozen_eligible != live_eligible || frozen_reasons != live_reasons.join("；")
}

/// The 星级 awarded: 1 to 5 stars, or none yet (blank); a note is optional.
pub fn stars(value: &str, note: &str) -> Result<(Option<i64>, String), FieldErrors> {
    let mut e = FieldErrors::default();
    let stars = match value.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => Some(n),
            _ => {
                e.add("stars", "星级请选择一星至五星");
                None
            }
        },
    };
    let note = text("说明", note, STARS_NOTE_MAX, false).unwrap_or_else(|m| {
        e.add("stars_note", m);
        String::new()
    });
    e.into_result((stars, note))
}

/// "★★★☆☆" for the lists.
pub fn star_words(stars: Option<i64>) -> String {
    match stars {
        Some(n) => format!("{}星级", ["一", "二", "三", "四", "五"][(n.clamp(1, 5) - 1) as usize]),
        None => "未评定".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn results_are_finalised_once_from_the_results_date() {
        let due = date!(2026 - 11 - 30);
        assert!(
            may_finalise(due, date!(2026 - 11 - 29), false)
                .unwrap_err()
                .contains("2026-11-30")
        );
        assert!(may_finalise(due, due, false).is_ok());
        assert!(
            may_finalise(due, date!(2026 - 12 - 01), true)
                .unwrap_err()
                .contains("已经确定")
        );
    }

    #[test]
    fn a_judgement_differs_by_eligibility_or_by_its_reasons() {
        let reasons = vec!["有 1 条措施逾期".to_string()];
        assert!(!differs(false, "有 1 条措施逾期", false, &reasons));
        assert!(differs(true, "", false, &reasons));
        assert!(differs(false, "台账未审核签字", false, &reasons));
    }

    #[test]
    fn stars_are_one_to_five_or_not_yet() {
        assert_eq!(stars("5", " 表现突出 ").unwrap(), (Some(5), "表现突出".into()));
        assert_eq!(stars("", "").unwrap(), (None, String::new()));
        assert!(stars("6", "").unwrap_err().get("stars").is_some());
        assert!(stars("三", "").is_err());
        assert_eq!(star_words(Some(3)), "三星级");
        assert_eq!(star_words(None), "未评定");
    }
}
