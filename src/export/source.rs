//! What the documents are made of: export/'s own input types. db::exports reads them; the
//! functions of export/ turn them into the forms as printed (`Checklist`, `ReportDoc`).

use time::Date;

use crate::domain::CommitteeId;
use crate::domain::states::{LedgerState, ReportState};
use crate::domain::units::Level;

/// 附件2 of one branch or of a committee's active branches.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub committee_id: CommitteeId,
    pub committee_name: String,
    /// Whose document it is: the branch's name, or the committee's for a whole committee.
    pub unit_name: String,
    pub campaign_title: String,
    /// The ledger's categories, in order.
    pub categories: Vec<Category>,
    /// In the committee's order (its own 本级 list first, in a committee's 附件2).
    pub branches: Vec<Branch>,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub title: String,
    /// Its items in order: the notice's number ("1（5）") and who answers it.
    pub items: Vec<(String, Level)>,
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub name: String,
    /// A branch, or the committee's own unit (本级).
    pub level: Level,
    pub state: LedgerState,
    /// Present when the ledger is signed off.
    pub sign_off: Option<SignOff>,
    /// In the form's order: by category, then as numbered within it.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
pub struct SignOff {
    pub signer: String,
    /// UTC, as stored.
    pub at: String,
    pub four_in_place: bool,
    pub comment: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    /// Index into `Checklist::categories`.
    pub category: usize,
    pub text: String,
    /// In their numbered order.
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub text: String,
    pub deadline: Option<Date>,
    pub owner: String,
    /// 立行立改.
    pub immediate: bool,
    /// 长期坚持: `deadline` is then its 阶段性完成时限.
    pub long_term: bool,
    /// 已销号.
    pub closed_out: bool,
    /// 进度安排, by date.
    pub milestones: Vec<Milestone>,
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub due_on: Date,
    pub title: String,
    pub done: bool,
}

/// 附件3 of a committee (empty text while nothing is saved).
#[derive(Debug, Clone)]
pub struct Report {
    pub committee_name: String,
    pub campaign_title: String,
    pub work_done: String,
    pub problems: String,
    pub next_steps: String,
    pub state: ReportState,
    pub signer_name: String,
    pub signed_on: Option<Date>,
    /// When and by whom it was signed in the system (UTC, as stored).
    pub signed_at: Option<String>,
    pub signed_by_name: Option<String>,
}
