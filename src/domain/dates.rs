//! Calendar rules: the campus's "today", days left to a phase deadline, and 逾期.

use time::{
    Date, OffsetDateTime, PrimitiveDateTime, UtcOffset, format_description::BorrowedFormatItem,
    macros::format_description,
};

use super::states::MeasureStatus;

/// The campus keeps China Standard Time; deadlines are calendar dates there, not UTC dates.
pub const CAMPUS_OFFSET: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

const DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");
const MOMENT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const MOMENT_SHORT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]");

pub fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(CAMPUS_OFFSET).date()
}

/// Parses a stored or typed `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), DATE).ok()
}

/// A date as people type it where the browser offers no date picker: 2022-10-31, 2022/10/31,
/// 2022.10.31 or 2022年10月31日 (single-digit month and day allowed).
pub fn parse_typed_date(text: &str) -> Option<Date> {
    let t = text.trim().trim_end_matches('日');
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Why a typed date of something already done (a meeting held, work done, progress made) was
/// refused: such a date lies between the campaign's notice and today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoneOnRefusal {
    Empty,
    Unreadable,
    BeforeNotice,
    Future,
}

/// How a form names a date of something done, for its refusals: `what` it is ("督查日期"), and
/// what it may not come before ("专项行动通知下发日期").
pub struct DoneOnWords<'a> {
    pub what: &'a str,
    pub not_before: &'a str,
}

impl DoneOnRefusal {
    /// The refusal in words.
    pub fn message(self, w: &DoneOnWords<'_>) -> String {
        match self {
            DoneOnRefusal::Empty => format!("请填写{}", w.what),
            DoneOnRefusal::Unreadable => format!("{}请按“2026-11-20”的格式填写", w.what),
            DoneOnRefusal::BeforeNotice => format!("{}不能早于{}", w.what, w.not_before),
            DoneOnRefusal::Future => format!("{}不能晚于今天", w.what),
        }
    }
}

/// Reads the typed date of something already done: between `issued_on` (the notice) and `today`.
pub fn done_on(typed: &str, issued_on: Date, today: Date) -> Result<Date, DoneOnRefusal> {
    match parse_typed_date(typed) {
        _ if typed.trim().is_empty() => Err(DoneOnRefusal::Empty),
        None => Err(DoneOnRefusal::Unreadable),
        Some(d) if d < issued_on => Err(DoneOnRefusal::BeforeNotice),
        Some(d) if d > today => Err(DoneOnRefusal::Future),
        Some(d) => Ok(d),
    }
}

pub fn format_date(date: Date) -> String {
    date.format(DATE).expect("date formats")
}

/// `2022年10月20日`, as dates are written on the notice's forms.
pub fn chinese_date(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day())
}

/// A stored UTC moment (`YYYY-MM-DD HH:MM:SS`, SQLite's `datetime('now')`) in campus time,
/// to the minute. Unparseable text is shown as it is rather than hidden.
pub fn display_moment(utc: &str) -> String {
    match PrimitiveDateTime::parse(utc, MOMENT) {
        Ok(t) => t
            .assume_utc()
            .to_offset(CAMPUS_OFFSET)
            .format(MOMENT_SHORT)
            .expect("moment formats"),
        Err(_) => utc.to_string(),
    }
}

/// The campus date of a stored UTC moment (`datetime('now')`): what a deadline is judged on.
pub fn campus_date(utc: &str) -> Option<Date> {
    PrimitiveDateTime::parse(utc, MOMENT)
        .ok()
        .map(|t| t.assume_utc().to_offset(CAMPUS_OFFSET).date())
}

/// 逾期: the deadline has passed (the deadline day itself still counts as in time) and the
/// measure is not closed off. A measure without a deadline cannot be overdue.
pub fn is_overdue(deadline: Option<Date>, status: MeasureStatus, today: Date) -> bool {
    match deadline {
        Some(d) => d < today && status != MeasureStatus::ClosedOut,
        None => false,
    }
}

/// Days from `today` to `deadline`: positive = days left, 0 = due today, negative = days late.
pub fn days_left(deadline: Date, today: Date) -> i64 {
    (deadline - today).whole_days()
}

/// The words for a phase banner: "还剩 3 天", "今天截止", "已超过 5 天".
pub fn days_left_label(deadline: Date, today: Date) -> String {
    match days_left(deadline, today) {
        0 => "今天截止".to_string(),
        n if n > 0 => format!("还剩 {n} 天"),
        n => format!("已超过 {} 天", -n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_done_date_lies_between_the_notice_and_today_both_days_included() {
        let (notice, today) = (date!(2026 - 11 - 20), date!(2026 - 12 - 01));
        assert_eq!(done_on("2026-11-20", notice, today), Ok(notice));
        assert_eq!(done_on(" 2026年12月1日 ", notice, today), Ok(today));
        assert_eq!(done_on("2026-11-19", notice, today), Err(DoneOnRefusal::BeforeNotice));
        assert_eq!(done_on("2026-12-02", notice, today), Err(DoneOnRefusal::Future));
        assert_eq!(done_on("  ", notice, today), Err(DoneOnRefusal::Empty));
        assert_eq!(done_on("2026-13-01", notice, today), Err(DoneOnRefusal::Unreadable));
    }

    #[test]
    fn overdue_only_after_the_deadline_day_and_until_closed_off() {
        let d = Some(date!(2022 - 10 - 31));
        assert!(!is_overdue(d, MeasureStatus::InProgress, date!(2022 - 10 - 31)));
        assert!(is_overdue(d, MeasureStatus::InProgress, date!(2022 - 11 - 01)));
        assert!(is_overdue(d, MeasureStatus::Done, date!(2022 - 11 - 01)));
        assert!(!is_overdue(d, MeasureStatus::ClosedOut, date!(2022 - 11 - 01)));
        assert!(!is_overdue(None, MeasureStatus::NotStarted, date!(2030 - 01 - 01)));
    }

    #[test]
    fn days_left_words() {
        let due = date!(2022 - 10 - 15);
        assert_eq!(days_left_label(due, date!(2022 - 10 - 12)), "还剩 3 天");
        assert_eq!(days_left_label(due, due), "今天截止");
        assert_eq!(days_left_label(due, date!(2022 - 10 - 20)), "已超过 5 天");
    }

    #[test]
    fn moments_are_shown_in_campus_time() {
        assert_eq!(display_moment("2022-10-14 17:30:00"), "2022-10-15 01:30");
        assert_eq!(display_moment("garbage"), "garbage");
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date(" 2022-10-05 "), Some(date!(2022 - 10 - 05)));
        assert_eq!(parse_date("2022-13-01"), None);
        assert_eq!(parse_date("2022/10/05"), None);
        assert_eq!(format_date(date!(2022 - 10 - 05)), "2022-10-05");
    }

    #[test]
    fn typed_dates_in_the_usual_chinese_shapes() {
        for t in ["2022-10-31", "2022/10/31", "2022.10.31", "2022年10月31日", " 2022-1-5 "] {
            assert!(parse_typed_date(t).is_some(), "{t}");
        }
        assert_eq!(parse_typed_date("2022年1月5日"), Some(date!(2022 - 01 - 05)));
        for bad in [
            "2022-02-30",
            "22-10-31",
            "2022-10",
            "明天",
            "2022-13-01",
            "2022-10-31-1",
        ] {
            assert_eq!(parse_typed_date(bad), None, "{bad}");
        }
    }
}

/// How many measures were overdue on each sample day: deadline passed and not yet closed off on
/// that day. Measures come grouped: (deadline, the day they were closed off, if they were, how
/// many measures share both).
pub fn overdue_series(measures: &[(Date, Option<Date>, i64)], samples: &[Date]) -> Vec<i64> {
    samples
        .iter()
        .map(|day| {
            measures
                .iter()
                .filter(|(deadline, closed, _)| deadline < day && closed.is_none_or(|c| c > *day))
                .map(|(_, _, n)| n)
                .sum()
        })
        .collect()
}

/// About `n` evenly spaced days from `from` to `to` (both included), at least a week apart.
pub fn sample_days(from: Date, to: Date, n: i64) -> Vec<Date> {
    if to <= from {
        return vec![to];
    }
    let span = (to - from).whole_days();
    let step = (span / n.max(1)).max(7);
    let mut days: Vec<Date> = (0..)
        .map(|i| from + time::Duration::days(i * step))
        .take_while(|d| *d < to)
        .collect();
    days.push(to);
    days
}

#[cfg(test)]
mod series_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn overdue_counts_follow_deadlines_and_closures() {
        let m = [
            (date!(2022 - 10 - 31), Some(date!(2022 - 11 - 10)), 1),
            (date!(2022 - 11 - 05), None, 1),
        ];
        let days = [
            date!(2022 - 10 - 31),
            date!(2022 - 11 - 01),
            date!(2022 - 11 - 06),
            date!(2022 - 11 - 11),
        ];
        assert_eq!(overdue_series(&m, &days), [0, 1, 2, 1]);
        // Grouped measures count as many as they are.
        let grouped = [
            (date!(2022 - 11 - 05), None, 3),
            (date!(2022 - 11 - 05), Some(date!(2022 - 11 - 08)), 2),
        ];
        assert_eq!(overdue_series(&grouped, &days), [0, 0, 5, 3]);
    }

    #[test]
    fn samples_span_the_range_and_end_on_the_last_day() {
        let d = sample_days(date!(2022 - 10 - 05), date!(2022 - 12 - 05), 8);
        assert_eq!(d.first(), Some(&date!(2022 - 10 - 05)));
        assert_eq!(d.last(), Some(&date!(2022 - 12 - 05)));
        assert!(d.len() >= 8 && d.len() <= 10, "{}", d.len());
        assert_eq!(
            sample_days(date!(2022 - 10 - 05), date!(2022 - 10 - 01), 8),
            [date!(2022 - 10 - 01)]
        );
    }
}
