//! View models several pages share: the phase banner and a row's history.

use time::Date;

use std::collections::HashMap;

use crate::db::audit::HistoryRow;
use crate::db::campaigns::Campaign;
use crate::db::profiles::Checked;
use crate::db::progress::BranchProgress;
use crate::domain::BranchId;
use crate::domain::dates::{days_left_label, display_moment, format_date};
use crate::domain::hints::{Flags, Thresholds};
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

/// A branch due for 换届, as the 按期换届提醒 lists show it.
pub struct ElectionRow {
    pub branch_id: BranchId,
    pub committee_id: crate::domain::CommitteeId,
    pub branch_name: String,
    pub committee_name: String,
    pub ends_on: String,
    pub words: String,
    pub overdue: bool,
}

/// Each branch's flags, and those due for 换届 as rows (most overdue first).
pub fn flags_and_elections(
    checked: &[Checked], rows: &[&BranchProgress], today: Date, thresholds: &Thresholds,
) -> (HashMap<BranchId, Flags>, Vec<ElectionRow>) {
    let flags: HashMap<BranchId, Flags> = checked
        .iter()
        .map(|c| (c.branch_id, Flags::of(&c.profile, &c.answers, today, thresholds)))
        .collect();
    let mut elections: Vec<(i64, ElectionRow)> = rows
        .iter()
        .filter_map(|b| {
            let f = flags.get(&b.branch_id)?;
            let due = f.election?;
            Some((
                due.overdue_days,
                ElectionRow {
                    branch_id: b.branch_id,
                    committee_id: b.committee_id,
                    branch_name: b.branch_name.clone(),
                    committee_name: b.committee_name.clone(),
                    ends_on: format_date(due.ends_on),
                    words: f.election_words(),
                    overdue: due.overdue_days > 0,
                },
            ))
        })
        .collect();
    elections.sort_by_key(|(overdue, _)| std::cmp::Reverse(*overdue));
    (flags, elections.into_iter().map(|(_, r)| r).collect())
}

/// A measure's 进度安排 at a glance, as the ledger and finding pages show it under the measure.
pub struct GlanceView {
    pub milestones: i64,
    /// "支委会审议工作计划 · 2026-12-05（还剩 5 天）", the next milestone not done.
    pub next: Option<String>,
    pub next_overdue: bool,
    /// "2026-11-28 召开支委会研究…", the last progress entry.
    pub last: Option<String>,
    /// A 延期申请 waiting: the date asked for.
    pub pending_until: Option<String>,
}

impl GlanceView {
    pub fn new(
        g: &crate::db::schedule::Glance, status: crate::domain::states::MeasureStatus, today: time::Date,
    ) -> Self {
        use crate::domain::dates::format_date;
        use crate::domain::progress::MilestoneFacts;
        let next = g.next_title.as_ref().zip(g.next_due);
        GlanceView {
            milestones: g.milestones,
            next: next.map(|(t, d)| {
                let facts = MilestoneFacts {
                    due_on: d,
                    done_on: None,
                };
                format!("{t} · {}（{}）", format_date(d), facts.words(status, today))
            }),
            next_overdue: next.is_some_and(|(_, d)| {
                MilestoneFacts {
                    due_on: d,
                    done_on: None,
                }
                .overdue(status, today)
            }),
            last: g
                .last_on
                .zip(g.last_text.as_ref())
                .map(|(d, t)| format!("{} {}", format_date(d), crate::domain::submission::quote(t))),
            pending_until: g.pending_until.map(format_date),
        }
    }
}

/// A 延期申请 waiting, as the 销号 queue and a ledger's review screen list it.
pub struct ExtensionWaiting {
    pub id: crate::domain::ExtensionId,
    pub version: i64,
    pub branch_id: crate::domain::BranchId,
    pub branch_name: String,
    pub measure_id: crate::domain::MeasureId,
    pub measure_text: String,
    pub owner: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub requested_at: String,
}

impl From<crate::db::schedule::Waiting> for ExtensionWaiting {
    fn from(w: crate::db::schedule::Waiting) -> Self {
        ExtensionWaiting {
            id: w.request.id,
            version: w.request.version,
            branch_id: w.branch_id,
            branch_name: w.branch_name,
            measure_id: w.request.measure_id,
            measure_text: w.measure_text,
            owner: w.owner,
            from: format_date(w.request.previous_deadline),
            to: format_date(w.request.requested_deadline),
            reason: w.request.reason,
            requested_at: display_moment(&w.request.requested_at),
        }
    }
}
