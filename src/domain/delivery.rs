//! 报送: after signing 附件3 a committee hands its materials to the 组织部 (notice: by 10-20, the
//! 附件3 and the 附件2 ledgers, signed and sealed, on paper with an electronic copy). The
//! electronic copy is the package the system keeps as it was sent; the 组织部 records the
//! paper copy's receipt, or returns the 报送 with a reason.

use time::Date;

use super::dates::{DoneOnWords, done_on, format_date};
use super::input::{FieldErrors, text};
use super::states::{DeliveryState, ReportState};

/// Limits of what the 组织部 types.
pub const REASON_MAX: usize = 500;
pub const NAME_MAX: usize = 50;
pub const NOTE_MAX: usize = 500;

/// Whether the committee may hand in now: its 附件3 signed, nothing standing.
pub fn may_deliver(report: ReportState, standing: bool) -> Result<(), &'static str> {
    match (report, standing) {
        (_, true) => Err("本次专项行动的材料已经报送，组织部退回后方可重新报送。"),
        (ReportState::Draft, _) => Err("附件3报告签字后才能报送；请先由党组织负责人签字。"),
        (ReportState::Signed, false) => Ok(()),
    }
}

/// How a committee's 报送 stands, as its page, the overview and its XLSX tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    NotDelivered,
    /// Delivered on time (`late: false`) or after the deadline (逾期报送).
    Delivered {
        late: bool,
    },
    /// The 组织部 has the sealed paper copy too.
    PaperReceived {
        late: bool,
    },
    /// Returned by the 组织部: to be handed in again.
    Returned,
}

impl Standing {
    /// From the committee's latest 报送 (its state, its campus date, whether the paper copy was
    /// received) and the campaign's 报送 deadline.
    pub fn of(latest: Option<(DeliveryState, Date, bool)>, due: Date) -> Standing {
        match latest {
            None => Standing::NotDelivered,
            Some((DeliveryState::Returned, _, _)) => Standing::Returned,
            Some((DeliveryState::Delivered, on, paper)) => {
                let late = is_late(on, due);
                if paper {
                    Standing::PaperReceived { late }
                } else {
                    Standing::Delivered { late }
                }
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::NotDelivered => "未报送",
            Standing::Delivered { late: false } => "已报送",
            Standing::Delivered { late: true } => "逾期报送",
            Standing::PaperReceived { late: false } => "纸质件已收",
            Standing::PaperReceived { late: true } => "纸质件已收（逾期报送）",
            Standing::Returned => "已退回",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Standing::NotDelivered | Standing::Returned => "s-wait",
            Standing::Delivered { late: true } | Standing::PaperReceived { late: true } => "s-bad",
            Standing::Delivered { late: false } => "s-work",
            Standing::PaperReceived { late: false } => "s-good",
        }
    }

    /// 迟报: handed in after the deadline.
    pub fn is_late(self) -> bool {
        matches!(
            self,
            Standing::Delivered { late: true } | Standing::PaperReceived { late: true }
        )
    }
}

/// 迟报: delivered after the deadline day (the deadline day itself is in time).
pub fn is_late(delivered_on: Date, due: Date) -> bool {
    delivered_on > due
}

/// The paper copy as the 组织部 records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperReceipt {
    pub on: Date,
    pub by: String,
    pub note: String,
}

/// Reads the paper copy's receipt: received between the 报送 and today, by someone named.
pub fn paper_receipt(
    on: &str, by: &str, note: &str, delivered_on: Date, today: Date,
) -> Result<PaperReceipt, FieldErrors> {
    let mut e = FieldErrors::default();
    let not_before = format!("报送日期（{}）", format_date(delivered_on));
    let words = DoneOnWords {
        what: "纸质件收到日期",
        not_before: &not_before,
    };
    let on = done_on(on, delivered_on, today)
        .map_err(|r| e.add("paper_received_on", r.message(&words)))
        .ok();
    let by = text("接收人", by, NAME_MAX, true).unwrap_or_else(|m| {
        e.add("paper_received_by", m);
        String::new()
    });
    let note = text("备注", note, NOTE_MAX, false).unwrap_or_else(|m| {
        e.add("paper_note", m);
        String::new()
    });
    match on {
        Some(on) if e.is_empty() => Ok(PaperReceipt { on, by, note }),
        _ => Err(e),
    }
}

/// The reason a 报送 is returned: required, as the committee reads it.
pub fn return_reason(value: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::default();
    let reason = text("退回原因", value, REASON_MAX, true).unwrap_or_else(|m| {
        e.add("return_reason", m);
        String::new()
    });
    e.into_result(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn handing_in_needs_a_signed_report_and_nothing_standing() {
        assert!(may_deliver(ReportState::Signed, false).is_ok());
        assert!(may_deliver(ReportState::Draft, false).unwrap_err().contains("签字后"));
        assert!(may_deliver(ReportState::Signed, true).unwrap_err().contains("已经报送"));
    }

    #[test]
    fn the_deadline_day_is_in_time_the_day_after_is_late() {
        let due = date!(2026 - 10 - 20);
        let delivered = |on| Standing::of(Some((DeliveryState::Delivered, on, false)), due);
        assert_eq!(delivered(date!(2026 - 10 - 20)).label(), "已报送");
        assert_eq!(delivered(date!(2026 - 10 - 21)).label(), "逾期报送");
        assert!(delivered(date!(2026 - 10 - 21)).is_late());
        let paper = Standing::of(Some((DeliveryState::Delivered, date!(2026 - 10 - 21), true)), due);
        assert_eq!(paper.label(), "纸质件已收（逾期报送）");
        assert_eq!(Standing::of(None, due).label(), "未报送");
        let returned = Standing::of(Some((DeliveryState::Returned, date!(2026 - 10 - 19), false)), due);
        assert_eq!(returned.label(), "已退回");
        assert!(!returned.is_late());
    }

    #[test]
    fn a_paper_copy_is_received_after_the_delivery_by_someone_named() {
        let (delivered, today) = (date!(2026 - 10 - 20), date!(2026 - 10 - 25));
        let ok = paper_receipt("2026-10-22", " 王玥 ", "", delivered, today).unwrap();
        assert_eq!((ok.on, ok.by.as_str()), (date!(2026 - 10 - 22), "王玥"));
        let e = paper_receipt("2026-10-19", "", "", delivered, today).unwrap_err();
        assert!(
            e.get("paper_received_on")
                .unwrap()
                .contains("不能早于报送日期（2026-10-20）")
        );
        assert!(e.get("paper_received_by").is_some());
        let e = paper_receipt("2026-10-26", "王玥", "", delivered, today).unwrap_err();
        assert_eq!(e.get("paper_received_on"), Some("纸质件收到日期不能晚于今天"));
        assert!(return_reason("  ").is_err());
        assert_eq!(return_reason(" 缺少第三党支部的台账 ").unwrap(), "缺少第三党支部的台账");
    }
}
