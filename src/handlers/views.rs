//! View models several pages share: the phase banner and a row's history.

use time::Date;

use crate::db::audit::HistoryRow;
use crate::db::campaigns::Campaign;
use crate::domain::dates::{days_left_label, display_moment, format_date};
use crate::domain::history::{Change, changes};

/// One phase deadline in the banner.
pub struct Phase {
    pub name: &'static str,
    pub due: String,
    pub left: String,
    pub passed: bool,
}

/// The campaign's phase deadlines, counted down from `today`.
pub fn phases(c: &Campaign, today: Date) -> Vec<Phase> {
    [
        ("对账查摆", c.self_check_due),
        ("党总支报送", c.report_due),
        ("立项整改", c.rectify_due),
        ("结果运用", c.results_due),
    ]
    .into_iter()
    .map(|(name, due)| Phase {
        name,
        due: format_date(due),
        left: days_left_label(due, today),
        passed: due < today,
    })
    .collect()
}

/// One audit entry as a row's history shows it.
pub struct HistoryView {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub changes: Vec<Change>,
}

impl From<HistoryRow> for HistoryView {
    fn from(r: HistoryRow) -> Self {
        let parse = |s: &Option<String>| s.as_deref().and_then(|j| serde_json::from_str(j).ok());
        HistoryView {
            at: display_moment(&r.at),
            who: r.user_name.clone().unwrap_or_else(|| "系统".into()),
            action: r.action.label(),
            changes: changes(parse(&r.before_json).as_ref(), parse(&r.after_json).as_ref()),
        }
    }
}
