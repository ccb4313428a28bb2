//! A branch's ledger page: the items by category with the branch's answers, findings and
//! measures; for its secretary, the forms to answer, add findings and submit; for its committee
//! (or the 组织部), the review of the rows, sending back, signing off and reopening. Every POST
//! here shows this page again when its step is refused.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;
use tower_sessions::Session;

use super::views::{HistoryView, Phase, phases};
use super::{CampaignParam, Form, FromReview, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::{self, Outcome, findings::Placement};
use crate::auth::{CurrentUser, session};
use crate::db;
use crate::db::audit::HistoryRow;
use crate::db::campaigns::Campaign;
use crate::db::ledger::{CategoryRow, FindingRow, ItemRow, MeasureRow, SelfCheckRow};
use crate::db::schedule::Glance;
use crate::db::units::BranchRow;
use crate::domain::dates::{self, display_moment, format_date};
use crate::domain::hints::{Hint, Profile, contradicts};
use crate::domain::history::AuditAction;
use crate::domain::input::{FINDING_MAX, FieldErrors, MEASURE_MAX, OWNER_MAX, REASON_MAX, deadline_window};
use crate::domain::ledger::{item_label, split_examples};
use crate::domain::review::{Decision, Powers};
use crate::domain::states::{FindingSource, LedgerState, MeasureStatus, ReviewState, Verdict};
use crate::domain::submission::Missing;
use crate::domain::units::{Level, Part};
use crate::domain::{BranchId, CategoryId, FindingId, LedgerItemId, MeasureId};
use crate::error::{AppError, AppResult};

#[derive(Template, WebTemplate)]
#[template(path = "branch/ledger.html")]
pub struct LedgerPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    branch: BranchRow,
    campaign: Campaign,
    /// `?campaign=ID` for links when looking at a past campaign, else empty.
    campaign_query: String,
    state: LedgerState,
    /// The secretary may change answers and findings now.
    editable: bool,
    phases: Vec<Phase>,
    answered: usize,
    item_count: usize,
    categories: Vec<CategoryView>,
    returned: Vec<ReturnedView>,
    /// Why the last submission was refused.
    submit_problems: Vec<Missing>,
    /// The committee (or 组织部) may decide rows and sign off now: the ledger is 已提交.
    reviewing: bool,
    /// The committee (or 组织部) may reopen it: it is 已审核签字.
    can_reopen: bool,
    /// The level above, in the current campaign: decides a 督查发现 handed in on its own.
    decides_alone: bool,
    /// Submission, sign-off and the committee's last word.
    record: Option<db::review::LedgerRecord>,
    record_signed_at: String,
    record_submitted_at: String,
    /// Rows 待审核 / 已通过 / 已退回.
    row_counts: [usize; 3],
    review: ReviewForm,
    four: [&'static str; 4],
    ledger_history: Vec<HistoryView>,
    /// A branch's data (附件1's checks) as its page shows it; `None` for a committee's own unit.
    profile: Option<ProfileView>,
    /// The user may change it (the branch's committee or the 组织部).
    profile_editable: bool,
    /// The user reviews this ledger (the level above): sees contradictions flagged.
    above: bool,
    /// The user keeps this ledger (its branch's secretary, or the committee for its own).
    own: bool,
    /// Findings the branch had recorded under items that became the committee's own, moved to
    /// its 延伸自查 (migration 000010): what they were under.
    moved: Vec<String>,
    /// 专题支委会: a branch's record (`None` for a committee's own unit, which holds none).
    meeting: Option<MeetingView>,
    /// Clean answers returned (查摆不到位), as the page's reader may see them.
    returned_answers: Vec<ReturnedAnswer>,
    /// The campaign's reference documents, to check against.
    documents: Vec<db::documents::DocumentMeta>,
    /// A committee's own ledger: its campaign work by kind (部署会议, 指导督查, 书记轮训), which its
    /// answers to 5(1) and 5(2) rest on.
    work_counts: Option<Vec<(crate::domain::work::WorkKind, usize)>>,
    /// A committee's own ledger: its branches whose term has ended, and ends soon (its duty under
    /// 1(5) 按期换届提醒督促).
    terms_due: Option<(usize, usize)>,
    finding_max: usize,
    /// An empty new-finding form, for the copy the script puts under an item answered 存在问题.
    blank_finding: NewFindingForm,
    reason_max: usize,
    measure_max: usize,
    owner_max: usize,
    /// The window a 整改时限 may fall in (YYYY-MM-DD), shown beside the first measure's date.
    deadline_min: String,
    deadline_max: String,
    /// The review screen (/branches/{id}/review): only what waits for the level above.
    queue: bool,
    /// On the review screen: the unit's 延期申请 waiting for a decision.
    extensions: Vec<super::views::ExtensionWaiting>,
}

pub struct CategoryView {
    pub id: CategoryId,
    pub position: i64,
    pub title: String,
    pub items: Vec<ItemView>,
    /// 延伸自查 and imported findings: under this category, outside its items.
    pub extended: Vec<FindingView>,
    /// The 延伸自查 form's text and error, when it was just refused.
    pub new_finding: NewFindingForm,
}

/// A branch's data in words.
pub struct ProfileView {
    /// The 书记 post is vacant (the branch's secretary account keeps the ledger meanwhile).
    pub vacant: bool,
    pub full_members: String,
    pub committee_members: String,
    pub last_election: String,
    pub term: String,
    pub vacancy: String,
}

impl ProfileView {
    fn of(p: &Profile, today: Date) -> ProfileView {
        let count = |n: Option<i64>| n.map_or("未填写".to_string(), |n| format!("{n} 人"));
        ProfileView {
            vacant: p.secretary_vacant_since.is_some(),
            full_members: count(p.full_members),
            committee_members: match p.committee_members {
                Some(0) => "不设支部委员会".into(),
                n => count(n),
            },
            last_election: p.last_election_on.map_or("未填写".into(), format_date),
            term: match p.last_election_on {
                Some(d) => format!(
                    "{} 年，应于 {} 换届",
                    p.term_years,
                    format_date(crate::domain::hints::term_end(d, p.term_years))
                ),
                None => format!("{} 年", p.term_years),
            },
            vacancy: match p.secretary_vacant_since {
                Some(d) => format!("自 {} 起空缺（{} 天）", format_date(d), (today - d).whole_days()),
                None => "在任".into(),
            },
        }
    }
}

pub struct ItemView {
    pub id: LedgerItemId,
    /// What the branch's data says about this item (domain::hints): never an answer.
    pub hints: Vec<String>,
    /// The answer is 未发现问题 where the data gives a hint: flagged for the committee and the
    /// 组织部.
    pub contradicts: bool,
    /// Answered by this unit; otherwise another level's (a branch sees the committee's own
    /// items marked 由党总支（党委）自查, with the answers it gave before in their history).
    pub own: bool,
    /// "2（1）"
    pub code: String,
    pub label: String,
    pub statement: String,
    pub examples: Option<String>,
    pub verdict: Option<Verdict>,
    pub reason: String,
    pub version: i64,
    /// Returned by the level above (查摆不到位), as the reader may see it.
    pub returned: bool,
    pub review_comment: String,
    /// For the level above: what it sent the answer back with last time, and whether the unit
    /// changed it since.
    pub last_return: Option<(String, bool)>,
    pub findings: Vec<FindingView>,
    pub form: VerdictForm,
    pub new_finding: NewFindingForm,
    pub history: Vec<HistoryView>,
}

/// What the verdict form shows: the saved answer, or what the user just sent if it was refused.
#[derive(Default)]
pub struct VerdictForm {
    pub verdict: String,
    pub reason: String,
    pub version: i64,
    pub errors: FieldErrors,
    pub conflict: bool,
}

#[derive(Default)]
pub struct NewFindingForm {
    pub text: String,
    pub error: Option<String>,
    /// Its first measure as typed, and the refusal's messages by field (`measure_text`, …).
    pub measure_text: String,
    pub measure_deadline: String,
    pub measure_owner: String,
    pub measure_kind: String,
    pub errors: FieldErrors,
}

impl NewFindingForm {
    /// The first-measure part opens when something was typed into it.
    fn measure_open(&self) -> bool {
        !(self.measure_text.is_empty() && self.measure_deadline.is_empty() && self.measure_owner.is_empty())
    }

    fn measure_error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    fn kind_is(&self, kind: &str) -> bool {
        self.measure_kind == kind || (kind == "planned" && self.measure_kind.is_empty())
    }
}

pub struct FindingView {
    pub id: FindingId,
    pub version: i64,
    /// The 1. 2. … within its category, as 附件2 numbers them.
    pub number: usize,
    pub text: String,
    pub source: &'static str,
    pub review: ReviewState,
    pub review_comment: String,
    pub measures: Vec<MeasureView>,
    /// On the review screen, for a row handed in again: what the unit changed since it was
    /// returned (the finding and its measures, before → after).
    pub changes: Vec<HistoryView>,
    /// Its place in review (a 督查发现 on a signed-off ledger is answered on its own).
    pub row: crate::domain::inspection::Row,
}

pub struct MeasureView {
    pub id: MeasureId,
    pub position: i64,
    pub text: String,
    /// 整改时限 in words, with the original once a 延期 was approved.
    pub deadline: String,
    pub long_term: bool,
    pub glance: Option<super::views::GlanceView>,
    pub owner: String,
    pub status: MeasureStatus,
    pub immediate: bool,
    pub overdue: bool,
}

pub struct ReturnedView {
    pub id: FindingId,
    pub text: String,
    pub comment: String,
}

/// A clean answer the level above returned.
pub struct ReturnedAnswer {
    pub item_id: LedgerItemId,
    pub code: String,
    pub statement: String,
    pub comment: String,
}

/// The branch's 专题支委会 as its ledger page shows it.
pub struct MeetingView {
    /// `None`: nothing recorded yet.
    pub record: Option<MeetingRecordView>,
    pub files: Vec<db::meetings::MeetingFile>,
    /// The return as the reader may see it (hidden from the branch while the ledger is 已提交).
    pub returned: bool,
    pub comment: String,
    /// For the level above: what it sent the record back with last time, and whether the branch
    /// changed it since.
    pub last_return: Option<(String, bool)>,
    pub version: i64,
}

pub struct MeetingRecordView {
    pub held: bool,
    pub summary: String,
    pub absentees: String,
    pub chair: String,
    pub topics: String,
    pub decisions: String,
}

/// What a refused form sent, shown again on the page.
#[derive(Default)]
pub struct Overlay {
    pub verdict: Option<(LedgerItemId, VerdictForm)>,
    pub new_finding: Option<(Placement, NewFindingForm)>,
    pub submit_problems: Vec<Missing>,
    /// The reviewer's refused form: a row's return comment, the sign-off or the reopen.
    pub review: ReviewForm,
}

impl LedgerPage {
    /// The ledger was handed in at least once: before that, no row waits for review, so none
    /// says 待审核.
    fn ever_submitted(&self) -> bool {
        let submitted_at = self.record.as_ref().and_then(|r| r.submitted_at.as_deref());
        self.state.rows_await_review(submitted_at)
    }

    /// Whether the reader decides this row here: every row of a submitted ledger, or a 督查发现
    /// handed in on its own on a signed-off one.
    fn decides(&self, f: &FindingView) -> bool {
        self.reviewing || (self.decides_alone && f.row.on_its_own(self.state) && f.row.may_decide(self.state).is_ok())
    }

    /// Where a refused review step's message goes when the ledger is not under review: at the
    /// top, unless the form it came from is on the page (a 督查发现's row, or the reopen form).
    fn error_at_top(&self) -> bool {
        if self.reviewing {
            return false;
        }
        match self.review.row_id {
            Some(id) => !self.findings().any(|f| f.id == id && self.decides(f)),
            None => !self.can_reopen,
        }
    }

    /// The refusal was of the reopen form.
    fn reopen_error(&self) -> bool {
        self.can_reopen && self.review.row_id.is_none() && self.review.error.is_some()
    }

    /// The unit answers this 督查发现 on its own here (its ledger signed off).
    fn answers_alone(&self, f: &FindingView) -> bool {
        self.own && f.row.on_its_own(self.state)
    }

    /// 督查发现 answered on their own (on a signed-off ledger, not yet approved).
    fn inspection_open(&self) -> usize {
        self.findings().filter(|f| f.row.on_its_own(self.state)).count()
    }

    /// Of those, how many are handed in and wait for the level above.
    fn inspection_handed_in(&self) -> usize {
        self.findings()
            .filter(|f| f.row.on_its_own(self.state) && f.row.handed_in)
            .count()
    }

    /// Characters of the ledger's texts that the document fonts cannot print (shown beside
    /// the download links).
    fn unprintable(&self) -> String {
        let texts = self.findings().flat_map(|f| {
            std::iter::once(f.text.as_str()).chain(f.measures.iter().flat_map(|m| [m.text.as_str(), m.owner.as_str()]))
        });
        crate::export::font::unprintable_words(texts.chain([self.branch.name.as_str()]))
    }

    /// When the committee's refused form is not on the page any more (the ledger moved on
    /// meanwhile), what was typed goes into the message, so it is not lost.
    pub fn keep_typed_text_in_error(&mut self) {
        if self.reviewing || self.can_reopen {
            return;
        }
        let meeting = self.review.meeting_comment.clone().unwrap_or_default();
        let typed = [
            &self.review.row_comment,
            &self.review.sign_off_comment,
            &self.review.reopen_reason,
            &self.review.answer_comment,
            &meeting,
        ]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .cloned();
        if let (Some(e), Some(t)) = (self.review.error.as_mut(), typed) {
            e.push_str(&format!("（您填写的内容未保存：{t}）"));
        }
    }

    /// Who reviews this ledger: the committee for a branch, the 组织部 for a committee's own.
    fn above(&self) -> &'static str {
        match self.branch.level {
            Level::Branch => "党总支（党委）",
            Level::Committee => "组织部",
        }
    }

    /// Who keeps it.
    fn keeper(&self) -> &'static str {
        match self.branch.level {
            Level::Branch => "党支部",
            Level::Committee => "党总支（党委）",
        }
    }

    /// How its page speaks of the unit itself.
    fn unit(&self) -> &'static str {
        match self.branch.level {
            Level::Branch => "本支部",
            Level::Committee => "本级",
        }
    }

    fn pending_rows(&self) -> usize {
        self.row_counts[0]
    }

    /// The rows waiting for review as this page shows them ("finding:version,…"), for 全部通过.
    fn waiting_rows(&self) -> String {
        self.findings()
            .filter(|f| f.review == ReviewState::Pending)
            .map(|f| format!("{}:{}", f.id, f.version))
            .collect::<Vec<_>>()
            .join(",")
    }
    fn approved_rows(&self) -> usize {
        self.row_counts[1]
    }
    fn returned_rows(&self) -> usize {
        self.row_counts[2]
    }
    /// Rows not yet approved: while there are any, the ledger cannot be signed off.
    fn open_rows(&self) -> usize {
        self.row_counts[0] + self.row_counts[2]
    }
    /// Everything returned that goes back with the ledger: rows, answers, the meeting record.
    fn returned_total(&self) -> usize {
        // The unit's own people count only what they may see (`returned` is empty while the
        // level above still has the ledger); the level above counts its own decisions.
        let rows = if self.own {
            self.returned.len()
        } else {
            self.row_counts[2]
        };
        rows + self.returned_answers.len() + self.meeting.as_ref().map_or(0, |m| usize::from(m.returned))
    }
    /// What keeps the ledger from being signed off: rows not approved, anything returned.
    fn blocking_sign_off(&self) -> usize {
        self.open_rows() + self.returned_total() - self.row_counts[2]
    }
}

impl LedgerPage {
    /// The review screen: the page narrowed to what waits for the level above — findings 待审核
    /// (with what changed since a return), clean answers returned before or contradicted by the
    /// unit's data, the 专题支委会 record when it was returned before, and 延期申请.
    async fn narrow_to_waiting(&mut self, state: &AppState, user: &CurrentUser) -> AppResult<()> {
        self.queue = true;
        let db = &state.db.read;
        // 延期申请 wait for the level above whatever the ledger's state (a signed-off one too).
        if self.above
            && let Some(scope) = user.scope().within_committee(self.branch.committee_id)
        {
            let level = self.branch.level;
            let waiting = db::schedule::waiting(db, scope, self.campaign.id, level).await?;
            self.extensions = waiting
                .into_iter()
                .filter(|w| w.branch_id == self.branch.id)
                .map(super::views::ExtensionWaiting::from)
                .collect();
        }
        // On a signed-off ledger only 督查发现 handed in on their own wait.
        let reviewing = self.reviewing;
        let alone = self.decides_alone && self.inspection_handed_in() > 0;
        if !(reviewing || alone) {
            self.categories.clear();
            self.meeting = None;
            return Ok(());
        }
        let ledger = self.state;
        let waits = |f: &FindingView| match reviewing {
            true => f.review == ReviewState::Pending,
            false => f.row.on_its_own(ledger) && f.row.handed_in,
        };
        if !reviewing {
            self.meeting = None;
        }
        for cat in &mut self.categories {
            for item in &mut cat.items {
                item.findings.retain(waits);
            }
            cat.items.retain(|i| {
                let answer_waits = reviewing
                    && i.own
                    && i.verdict.is_some_and(|v| v != Verdict::Problem)
                    && (i.returned || i.contradicts || i.last_return.is_some());
                !i.findings.is_empty() || answer_waits
            });
            cat.extended.retain(waits);
        }
        self.categories
            .retain(|c| !c.items.is_empty() || !c.extended.is_empty());
        if self
            .meeting
            .as_ref()
            .is_some_and(|m| !m.returned && m.last_return.is_none())
        {
            self.meeting = None;
        }
        let waiting: Vec<FindingId> = self.findings().map(|f| f.id).collect();
        let mut changes = db::audit::changes_since_return(db, user.scope(), self.branch.id, &waiting).await?;
        for f in self.findings_mut() {
            let (mine, rest) = changes.into_iter().partition(|c| c.finding_id == f.id);
            changes = rest;
            f.changes = mine.into_iter().map(|c| HistoryView::from(c.entry)).collect();
        }
        Ok(())
    }

    fn findings(&self) -> impl Iterator<Item = &FindingView> {
        self.categories
            .iter()
            .flat_map(|c| c.items.iter().flat_map(|i| i.findings.iter()).chain(c.extended.iter()))
    }

    fn findings_mut(&mut self) -> impl Iterator<Item = &mut FindingView> {
        self.categories.iter_mut().flat_map(|c| {
            c.items
                .iter_mut()
                .flat_map(|i| i.findings.iter_mut())
                .chain(c.extended.iter_mut())
        })
    }

    /// The query a reviewer's form on the review screen carries, so its answer comes back here.
    fn screen_query(&self) -> &'static str {
        if self.queue { "?from=review" } else { "" }
    }
}

impl ReviewForm {
    fn is_row(&self, id: &FindingId) -> bool {
        self.row_id == Some(*id)
    }

    fn is_answer(&self, id: &LedgerItemId) -> bool {
        self.answer_item == Some(*id)
    }
}

/// What the committee's forms show again after a refusal.
#[derive(Default)]
pub struct ReviewForm {
    /// A row whose 退回 was refused, with the comment typed.
    pub row_id: Option<FindingId>,
    pub row_comment: String,
    pub error: Option<String>,
    pub sign_off_comment: String,
    pub affirmed: [bool; 4],
    pub reopen_reason: String,
    /// An answer whose 退回 was refused, with the comment typed.
    pub answer_item: Option<LedgerItemId>,
    pub answer_comment: String,
    /// The meeting record's 退回 was refused: the comment typed.
    pub meeting_comment: Option<String>,
    /// The form was sent from the review screen, which shows the refusal.
    pub from: FromReview,
}

pub async fn show(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
    CampaignParam(asked): CampaignParam,
) -> AppResult<LedgerPage> {
    let branch = db::units::branch(&state.db.read, user.scope(), BranchId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::resolve(&state.db, asked)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = ledger_page(&state, &user, branch, campaign, Overlay::default()).await?;
    page.flash = session::take_flash(&session).await?;
    Ok(page)
}

/// The review screen: what waits for the level above on a handed-in ledger, on one page.
pub async fn review_screen(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<LedgerPage> {
    let branch = db::units::branch(&state.db.read, user.scope(), BranchId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let mut page = ledger_page(&state, &user, branch, campaign, Overlay::default()).await?;
    page.narrow_to_waiting(&state, &user).await?;
    page.flash = session::take_flash(&session).await?;
    Ok(page)
}

/// Builds the page, with whatever a refused form sent laid over the saved data.
pub async fn ledger_page(
    state: &AppState, user: &CurrentUser, branch: BranchRow, campaign: Campaign, mut overlay: Overlay,
) -> AppResult<LedgerPage> {
    let db = &state.db.read;
    let categories = db::ledger::categories(&state.db, campaign.id).await?;
    let items = db::ledger::items(&state.db, campaign.id).await?;
    let level = branch.level;
    let checks: Vec<SelfCheckRow> = db::ledger::self_checks(db, user.scope(), campaign.id, branch.id)
        .await?
        .into_iter()
        .filter(|c| items.iter().any(|i| i.id == c.ledger_item_id && i.level == level))
        .collect();
    let findings = db::ledger::findings(db, user.scope(), campaign.id, branch.id).await?;
    let measures = db::ledger::measures(db, user.scope(), campaign.id, branch.id).await?;
    let glances = db::schedule::glances(db, user.scope(), campaign.id, branch.id).await?;
    let record = db::review::ledger_record(db, user.scope(), campaign.id, branch.id).await?;
    let ledger_state = LedgerState::of(record.as_ref().map(|r| r.state));
    let part = Part::of(user.role(), branch.level);
    let hide_review = crate::domain::review::hidden_from(part, ledger_state);
    // An answer's history holds the level above's returns too, unless they are still its draft.
    let (history, ledger_history): (Vec<_>, Vec<_>) = db::audit::branch_history(db, user.scope(), branch.id)
        .await?
        .into_iter()
        .filter(|h| !(hide_review && h.action == AuditAction::SelfCheckReview))
        .partition(|h| matches!(h.action, AuditAction::SelfCheckSet | AuditAction::SelfCheckReview));
    let today = dates::today();
    let powers = Powers::of(user.role(), branch.level, campaign.is_current, ledger_state);
    let count = |s: ReviewState| findings.iter().filter(|f| f.review_state == s).count();
    let row_counts = [
        count(ReviewState::Pending),
        count(ReviewState::Approved),
        count(ReviewState::Returned),
    ];
    let review = std::mem::take(&mut overlay.review);

    let returned = findings
        .iter()
        .filter(|_| part == Some(Part::Own) && !hide_review)
        .filter(|f| f.review_state == ReviewState::Returned)
        .map(|f| ReturnedView {
            id: f.id,
            text: f.text.clone(),
            comment: f.review_comment.clone(),
        })
        .collect();
    let answered = checks.len();
    let item_count = items.iter().filter(|i| i.level == level).count();
    let moved = db::audit::moved_findings(db, user.scope(), campaign.id, branch.id).await?;
    let profile = match level {
        Level::Branch => db::profiles::get(db, user.scope(), campaign.id, branch.id)
            .await?
            .map(|p| p.profile()),
        Level::Committee => None,
    };
    let hints = profile
        .as_ref()
        .map(|p| crate::domain::hints::hints(p, today, &state.config.hints))
        .unwrap_or_default();
    let meeting = match level {
        Level::Branch => Some(
            meeting_view(
                state,
                user,
                campaign.id,
                branch.id,
                hide_review,
                part == Some(Part::Above),
            )
            .await?,
        ),
        Level::Committee => None,
    };
    let submit_problems = std::mem::take(&mut overlay.submit_problems);
    let categories = group(
        categories,
        items,
        checks,
        findings,
        measures,
        history,
        today,
        overlay,
        hide_review,
        level,
        &hints,
        part == Some(Part::Above),
        &glances,
    );
    let returned_answers = categories
        .iter()
        .flat_map(|c| &c.items)
        .filter(|i| i.returned)
        .map(|i| ReturnedAnswer {
            item_id: i.id,
            code: i.code.clone(),
            statement: i.statement.clone(),
            comment: i.review_comment.clone(),
        })
        .collect();
    let window = deadline_window(campaign.issued_on);
    Ok(LedgerPage {
        nav: Nav::for_user(user, &format!("/branches/{}", branch.id)),
        csrf: user.csrf.clone(),
        flash: None,
        campaign_query: campaign.link_query(),
        phases: phases(&campaign, today),
        categories,
        meeting,
        returned_answers,
        documents: db::documents::list(db, campaign.id).await?,
        work_counts: match level {
            Level::Committee => {
                let work = db::work::list(db, user.scope(), campaign.id, branch.committee_id).await?;
                Some(
                    crate::domain::work::WorkKind::ALL
                        .iter()
                        .map(|k| (*k, work.iter().filter(|w| w.kind == *k).count()))
                        .collect(),
                )
            }
            Level::Branch => None,
        },
        terms_due: match (level, user.scope().within_committee(branch.committee_id)) {
            (Level::Committee, Some(scope)) => {
                let checked = db::profiles::checked(&state.db, scope, campaign.id).await?;
                Some(crate::domain::hints::terms_due(
                    checked.iter().map(|c| &c.profile),
                    today,
                    &state.config.hints,
                ))
            }
            _ => None,
        },
        answered,
        item_count,
        returned,
        submit_problems,
        editable: powers.edit,
        reviewing: powers.review,
        decides_alone: powers.close_out,
        can_reopen: powers.reopen,
        record_signed_at: record
            .as_ref()
            .and_then(|r| r.signed_off_at.as_deref())
            .map(display_moment)
            .unwrap_or_default(),
        record_submitted_at: record
            .as_ref()
            .and_then(|r| r.submitted_at.as_deref())
            .map(display_moment)
            .unwrap_or_default(),
        record,
        row_counts,
        review,
        four: crate::domain::review::FOUR_IN_PLACE,
        ledger_history: ledger_history.into_iter().map(HistoryView::from).collect(),
        moved,
        profile_editable: powers.close_out && level == Level::Branch,
        above: part == Some(Part::Above),
        own: part == Some(Part::Own),
        profile: profile.as_ref().map(|p| ProfileView::of(p, today)),
        state: ledger_state,
        branch,
        campaign,
        finding_max: FINDING_MAX,
        blank_finding: NewFindingForm::default(),
        reason_max: REASON_MAX,
        measure_max: MEASURE_MAX,
        owner_max: OWNER_MAX,
        deadline_min: format_date(window.0),
        deadline_max: format_date(window.1),
        queue: false,
        extensions: Vec::new(),
    })
}

/// The branch's 专题支委会 record, its files and the return as the reader may see it.
async fn meeting_view(
    state: &AppState, user: &CurrentUser, campaign: crate::domain::CampaignId, branch: BranchId, hide_review: bool,
    above: bool,
) -> AppResult<MeetingView> {
    let db = &state.db.read;
    let row = db::meetings::get(db, user.scope(), campaign, branch).await?;
    let files = db::meetings::evidence(db, user.scope(), campaign, branch).await?;
    let returned = !hide_review && row.as_ref().is_some_and(|r| r.marks.is_returned());
    Ok(MeetingView {
        returned,
        comment: if returned {
            row.as_ref().map(|r| r.marks.review_comment.clone()).unwrap_or_default()
        } else {
            String::new()
        },
        version: row.as_ref().map_or(0, |r| r.version),
        last_return: row.as_ref().filter(|_| above).and_then(|r| r.marks.last_return()),
        record: row.map(|r| MeetingRecordView {
            held: r.held,
            summary: r.meeting().summary(),
            absentees: r.absentees,
            chair: r.chair,
            topics: r.topics,
            decisions: r.decisions,
        }),
        files,
    })
}

/// Arranges the flat rows as the page reads: category → item → finding → measure, with
/// 延伸自查 findings (no item) at the end of their category, numbered 1. 2. … per category. A
/// branch's page shows the committee's own items marked as such; a committee's 本级 page shows
/// only its own items (and every category, for its 延伸自查).
#[allow(clippy::too_many_arguments)]
fn group(
    categories: Vec<CategoryRow>, items: Vec<ItemRow>, checks: Vec<SelfCheckRow>, findings: Vec<FindingRow>,
    measures: Vec<MeasureRow>, history: Vec<HistoryRow>, today: Date, mut overlay: Overlay, hide_review: bool,
    level: Level, hints: &[Hint], above: bool, glances: &[Glance],
) -> Vec<CategoryView> {
    let mut measures_of: HashMap<FindingId, Vec<MeasureView>> = HashMap::new();
    for m in measures {
        let status = m.status;
        measures_of.entry(m.finding_id).or_default().push(MeasureView {
            id: m.id,
            position: m.position,
            overdue: m.overdue(today),
            deadline: if m.deadline.is_some() {
                m.deadline_words()
            } else {
                String::new()
            },
            long_term: m.long_term,
            glance: glances
                .iter()
                .find(|g| g.measure_id == m.id)
                .map(|g| super::views::GlanceView::new(g, status, today)),
            text: m.text,
            owner: m.owner,
            status,
            immediate: m.immediate,
        });
    }
    // Findings are numbered within their category in display order: item findings first, by
    // item, then 延伸自查 — the order 附件2 prints them in.
    let item_order: HashMap<LedgerItemId, usize> = items.iter().enumerate().map(|(i, it)| (it.id, i)).collect();
    let mut findings = findings;
    findings.sort_by_key(|f| {
        (
            f.category_id,
            f.ledger_item_id.map_or(usize::MAX, |i| item_order[&i]),
            f.position,
            f.id,
        )
    });
    let mut by_item: HashMap<LedgerItemId, Vec<FindingView>> = HashMap::new();
    let mut extended: HashMap<CategoryId, Vec<FindingView>> = HashMap::new();
    let mut numbers: HashMap<CategoryId, usize> = HashMap::new();
    for f in findings {
        let number = numbers.entry(f.category_id).and_modify(|n| *n += 1).or_insert(1);
        let measures = measures_of.remove(&f.id).unwrap_or_default();
        let source = if f.source == FindingSource::Inspection {
            let statuses: Vec<MeasureStatus> = measures.iter().map(|m| m.status).collect();
            crate::domain::inspection::tag(f.review_state, &statuses)
        } else {
            f.source.tag()
        };
        let view = FindingView {
            id: f.id,
            version: f.version,
            number: *number,
            source,
            row: f.row(),
            review: if hide_review {
                ReviewState::Pending
            } else {
                f.review_state
            },
            review_comment: if hide_review { String::new() } else { f.review_comment },
            measures,
            text: f.text,
            changes: Vec::new(),
        };
        match f.ledger_item_id {
            Some(item) => by_item.entry(item).or_default().push(view),
            None => extended.entry(f.category_id).or_default().push(view),
        }
    }
    let checks: HashMap<LedgerItemId, SelfCheckRow> = checks.into_iter().map(|c| (c.ledger_item_id, c)).collect();
    let mut history_of: HashMap<i64, Vec<HistoryView>> = HashMap::new();
    for h in history {
        if let Some(item) = h.ledger_item_id {
            history_of.entry(item).or_default().push(h.into());
        }
    }
    let mut take_new_finding = |p: Placement| match &overlay.new_finding {
        Some((q, _)) if *q == p => overlay.new_finding.take().map(|(_, f)| f).unwrap_or_default(),
        _ => NewFindingForm::default(),
    };

    categories
        .into_iter()
        .map(|c| {
            let items = items
                .iter()
                .filter(|i| i.category_id == c.id)
                .filter(|i| level == Level::Branch || i.level == level)
                .map(|i| {
                    let (statement, examples) = split_examples(&i.text);
                    let check = checks.get(&i.id);
                    let form = match overlay.verdict.take_if(|(id, _)| *id == i.id) {
                        Some((_, form)) => form,
                        None => VerdictForm {
                            verdict: check.map(|c| c.verdict.code().to_string()).unwrap_or_default(),
                            reason: check.map(|c| c.reason.clone()).unwrap_or_default(),
                            version: check.map_or(0, |c| c.version),
                            ..VerdictForm::default()
                        },
                    };
                    let item_hints: Vec<&Hint> = hints.iter().filter(|h| Some(h.check) == i.hint).collect();
                    ItemView {
                        id: i.id,
                        contradicts: i.hint.is_some_and(|c| contradicts(check.map(|c| c.verdict), c, hints)),
                        hints: item_hints.iter().map(|h| h.text.clone()).collect(),
                        own: i.level == level,
                        code: format!("{}{}", c.position, item_label(i.position)),
                        label: item_label(i.position),
                        statement: statement.to_string(),
                        examples: examples.map(str::to_string),
                        verdict: check.map(|c| c.verdict),
                        reason: check.map(|c| c.reason.clone()).unwrap_or_default(),
                        version: check.map_or(0, |c| c.version),
                        returned: !hide_review && check.is_some_and(|c| c.marks.is_returned()),
                        last_return: check.filter(|_| above).and_then(|c| c.marks.last_return()),
                        review_comment: check
                            .filter(|c| !hide_review && c.marks.is_returned())
                            .map(|c| c.marks.review_comment.clone())
                            .unwrap_or_default(),
                        findings: by_item.remove(&i.id).unwrap_or_default(),
                        new_finding: take_new_finding(Placement::Item(i.id)),
                        history: history_of.remove(&i.id.0).unwrap_or_default(),
                        form,
                    }
                })
                .collect();
            CategoryView {
                id: c.id,
                position: c.position,
                items,
                extended: extended.remove(&c.id).unwrap_or_default(),
                new_finding: take_new_finding(Placement::Category(c.id)),
                title: c.title,
            }
        })
        .collect()
}

/// The ledger page again after a refused form, with what it sent laid over the saved data.
async fn refused(
    state: &AppState, user: &CurrentUser, branch: BranchId, overlay: Overlay, status: StatusCode,
) -> AppResult<Response> {
    let row = db::units::branch(&state.db.read, user.scope(), branch)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)?;
    let from = overlay.review.from;
    let mut page = ledger_page(state, user, row, campaign, overlay).await?;
    if from.0 {
        page.narrow_to_waiting(state, user).await?;
    }
    page.keep_typed_text_in_error();
    Ok((status, page).into_response())
}

fn ledger_url(branch: BranchId) -> String {
    format!("/branches/{branch}")
}

/// 对账查摆: saves the answer to one item.
pub async fn answer(
    State(state): State<AppState>, session: Session, user: CurrentUser, headers: axum::http::HeaderMap,
    Path((branch, item)): Path<(i64, i64)>, Form(form): Form<actions::ledger::Answer>,
) -> AppResult<Response> {
    let (branch, item) = (BranchId(branch), LedgerItemId(item));
    let sent = |errors, conflict| VerdictForm {
        verdict: form.verdict.clone(),
        reason: form.reason.clone(),
        version: form.version,
        errors,
        conflict,
    };
    let outcome = actions::ledger::answer(&state.db, &user, branch, item, &form).await?;
    if super::wants_json(&headers) {
        return answered_in_place(&state, &user, branch, item, outcome).await;
    }
    let (form, status) = match outcome {
        Outcome::Done(()) => return done(&session, "已保存", &format!("{}#item-{item}", ledger_url(branch))).await,
        Outcome::Invalid(errors) => (sent(errors, false), StatusCode::BAD_REQUEST),
        // Show the latest answer's version, so a second save, after checking, goes through.
        Outcome::Stale(_) => {
            let mut form = sent(FieldErrors::default(), true);
            form.version = db::self_checks::version_of(&state.db.read, branch, item).await?;
            (form, StatusCode::CONFLICT)
        }
        other => return Err(refusal(other)),
    };
    let overlay = Overlay {
        verdict: Some((item, form)),
        ..Overlay::default()
    };
    refused(&state, &user, branch, overlay, status).await
}

/// What the ledger page's script shows after saving an answer in place: the item's saved
/// answer (after a refusal too, so the page never shows a choice that was not saved), the
/// progress, and why a change was refused.
#[derive(serde::Serialize)]
struct AnswerSaved {
    /// The saved verdict's code, `None` while unanswered.
    saved: Option<&'static str>,
    label: &'static str,
    version: i64,
    answered: usize,
    /// Why the change was not saved, by field (verdict, reason).
    errors: HashMap<&'static str, String>,
}

async fn answered_in_place(
    state: &AppState, user: &CurrentUser, branch: BranchId, item: LedgerItemId, outcome: Outcome<()>,
) -> AppResult<Response> {
    let (status, errors) = match outcome {
        Outcome::Done(()) => (StatusCode::OK, FieldErrors::default()),
        Outcome::Invalid(errors) => (StatusCode::BAD_REQUEST, errors),
        Outcome::Stale(_) => {
            let mut e = FieldErrors::default();
            e.add(
                "verdict",
                "这一项刚刚被他人修改，您的选择没有保存；上方显示的是现已保存的结论，请核对后重新选择。",
            );
            (StatusCode::CONFLICT, e)
        }
        other => return Err(refusal(other)),
    };
    let campaign = db::campaigns::current(&state.db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let checks = db::ledger::self_checks(&state.db.read, user.scope(), campaign.id, branch).await?;
    let saved = checks.iter().find(|c| c.ledger_item_id == item);
    let body = AnswerSaved {
        saved: saved.map(|c| c.verdict.code()),
        label: saved.map_or("未作答", |c| c.verdict.label()),
        version: saved.map_or(0, |c| c.version),
        answered: checks.len(),
        errors: errors.0.into_iter().collect(),
    };
    Ok((status, axum::Json(body)).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewFindingData {
    text: String,
    item_id: Option<i64>,
    category_id: Option<i64>,
    /// Its first measure, when the form's 同时制定第一条整改措施 part is filled in.
    measure_text: String,
    measure_deadline: String,
    measure_owner: String,
    measure_kind: String,
}

impl NewFindingData {
    /// The first measure, if any of its fields is filled in (the kind is always sent).
    fn first_measure(&self) -> Option<actions::measures::MeasureForm> {
        let typed = [&self.measure_text, &self.measure_deadline, &self.measure_owner];
        typed
            .iter()
            .any(|t| !t.trim().is_empty())
            .then(|| actions::measures::MeasureForm {
                text: self.measure_text.clone(),
                deadline: self.measure_deadline.clone(),
                owner: self.measure_owner.clone(),
                kind: self.measure_kind.clone(),
                ..Default::default()
            })
    }
}

/// Adds a finding under an item answered 存在问题, or under a category (延伸自查).
pub async fn create_finding(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
    Form(form): Form<NewFindingData>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    let placement = match (form.item_id, form.category_id) {
        (Some(i), _) => Placement::Item(LedgerItemId(i)),
        (None, Some(c)) => Placement::Category(CategoryId(c)),
        (None, None) => {
            // Another unit's branch is not found, and another's step forbidden, whatever the
            // form lacks.
            super::keeper_only(&state, &user, branch).await?;
            return Err(AppError::BadRequest("没有指明查摆问题所属的类别或条目。".into()));
        }
    };
    let first = form.first_measure();
    let errors =
        match actions::findings::create(&state.db, &user, branch, placement, &form.text, first.as_ref()).await? {
            // With its first measure, the page stays the ledger, at the new row; without, the
            // finding's page opens its measure form.
            Outcome::Done(id) if first.is_some() => {
                let to = format!("{}#finding-{id}", ledger_url(branch));
                return done(&session, "已添加查摆问题和第一条整改措施", &to).await;
            }
            Outcome::Done(id) => {
                return done(
                    &session,
                    "已添加查摆问题，请继续制定整改措施",
                    &format!("{}/findings/{id}#new-measure", ledger_url(branch)),
                )
                .await;
            }
            Outcome::Invalid(e) => e,
            other => return Err(refusal(other)),
        };
    let overlay = Overlay {
        new_finding: Some((
            placement,
            NewFindingForm {
                text: form.text.clone(),
                error: errors.get("text").map(str::to_string),
                measure_text: form.measure_text.clone(),
                measure_deadline: form.measure_deadline.clone(),
                measure_owner: form.measure_owner.clone(),
                measure_kind: form.measure_kind.clone(),
                errors,
            },
        )),
        ..Overlay::default()
    };
    refused(&state, &user, branch, overlay, StatusCode::BAD_REQUEST).await
}

/// 提交审核: the submission gate, then the ledger goes to the committee.
pub async fn submit(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::ledger::submit(&state.db, &user, branch).await? {
        Outcome::Done(()) => {
            let said = "已提交审核。审核退回前台账内容不能修改，整改进展和销号申请仍可填报。";
            done(&session, said, &ledger_url(branch)).await
        }
        Outcome::Incomplete(missing) => {
            let overlay = Overlay {
                submit_problems: missing,
                ..Overlay::default()
            };
            refused(&state, &user, branch, overlay, StatusCode::BAD_REQUEST).await
        }
        other => Err(refusal(other)),
    }
}

/// The committee's refused form, shown on the ledger page (as 400), what was typed kept.
async fn review_refused(
    state: &AppState, user: &CurrentUser, branch: BranchId, outcome: Outcome<impl Sized>, review: ReviewForm,
) -> AppResult<Response> {
    let error = match outcome {
        Outcome::Refused(m) | Outcome::Stale(m) => m,
        other => return Err(refusal(other)),
    };
    let overlay = Overlay {
        review: ReviewForm {
            error: Some(error),
            ..review
        },
        ..Overlay::default()
    };
    refused(state, user, branch, overlay, StatusCode::BAD_REQUEST).await
}

/// 通过 or 退回 one finding.
pub async fn decide_row(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, finding)): Path<(i64, i64)>,
    from: FromReview, Form(form): Form<actions::review::RowForm>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), FindingId(finding));
    match actions::review::decide_row(&state.db, &user, branch, id, &form).await? {
        Outcome::Done((decision, alone)) => {
            let word = match (decision, alone) {
                (Decision::Approve, _) => "已通过",
                (_, true) => "已退回，党支部可见退回意见，修改后再单独提交",
                (_, false) => "已退回（整本台账退回前党支部看不到）",
            };
            // Back to the row just decided, so the reviewer goes on from there.
            let back = from.back_to(branch, &format!("finding-{id}"));
            done(&session, format!("该条查摆问题{word}"), &back).await
        }
        other => {
            let kept = ReviewForm {
                row_id: Some(id),
                row_comment: form.comment.clone(),
                from,
                ..ReviewForm::default()
            };
            review_refused(&state, &user, branch, other, kept).await
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ApproveData {
    /// The rows waiting as the reviewer saw them: "finding:version,…".
    rows: String,
}

/// 全部通过: every row still waiting, as the reviewer saw it.
pub async fn approve_waiting(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>, from: FromReview,
    Form(form): Form<ApproveData>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    let seen = actions::review::SeenRows::parse(&form.rows);
    match actions::review::approve_seen(&state.db, &user, branch, &seen).await? {
        Outcome::Done((approved, left)) => {
            let message = if left == 0 {
                format!("已通过 {approved} 条查摆问题")
            } else {
                format!("已通过 {approved} 条；另有 {left} 条在您打开页面后有变动，请逐条查看后审核")
            };
            done(&session, message, &from.back_to(branch, "review")).await
        }
        other => {
            let kept = ReviewForm {
                from,
                ..ReviewForm::default()
            };
            review_refused(&state, &user, branch, other, kept).await
        }
    }
}

/// 退回党支部修改: the whole ledger, once at least one row is returned.
pub async fn send_back(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::review::send_back(&state.db, &user, branch).await? {
        Outcome::Done(()) => {
            done(
                &session,
                "台账已退回党支部修改，退回意见党支部可见",
                &ledger_url(branch),
            )
            .await
        }
        other => review_refused(&state, &user, branch, other, ReviewForm::default()).await,
    }
}

/// 审核签字 against the 四个到位.
pub async fn sign_off(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
    Form(form): Form<actions::review::SignOffForm>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::review::sign_off(&state.db, &user, branch, &form).await? {
        Outcome::Done(()) => done(&session, "已审核签字，台账已锁定", &ledger_url(branch)).await,
        other => {
            let kept = ReviewForm {
                sign_off_comment: form.comment.clone(),
                affirmed: form.affirmed(),
                ..ReviewForm::default()
            };
            review_refused(&state, &user, branch, other, kept).await
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ReasonData {
    reason: String,
}

/// 重新打开 a signed-off ledger, with the reason for the branch.
pub async fn reopen(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>,
    Form(form): Form<ReasonData>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::review::reopen(&state.db, &user, branch, &form.reason).await? {
        Outcome::Done(()) => done(&session, "台账已重新打开，退回党支部修改", &ledger_url(branch)).await,
        other => {
            let kept = ReviewForm {
                reopen_reason: form.reason.clone(),
                ..ReviewForm::default()
            };
            review_refused(&state, &user, branch, other, kept).await
        }
    }
}

/// 退回 a clean answer (查摆不到位), or take the return back.
pub async fn review_answer(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, item)): Path<(i64, i64)>,
    from: FromReview, Form(form): Form<actions::meeting::ReturnForm>,
) -> AppResult<Response> {
    let (branch, item) = (BranchId(branch), LedgerItemId(item));
    match actions::meeting::review_answer(&state.db, &user, branch, item, &form).await? {
        Outcome::Done(()) => {
            let word = if form.returns() {
                "此项作答已退回（整本台账退回前党支部看不到）"
            } else {
                "已撤销对此项作答的退回"
            };
            done(&session, word, &from.back_to(branch, &format!("item-{item}"))).await
        }
        other => {
            // Only a return has a comment to show again beside its item.
            let kept = ReviewForm {
                answer_item: form.returns().then_some(item),
                answer_comment: form.comment.clone(),
                from,
                ..ReviewForm::default()
            };
            review_refused(&state, &user, branch, other, kept).await
        }
    }
}

/// 退回 the 专题支委会 record, or take the return back.
pub async fn review_meeting(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path(branch): Path<i64>, from: FromReview,
    Form(form): Form<actions::meeting::ReturnForm>,
) -> AppResult<Response> {
    let branch = BranchId(branch);
    match actions::meeting::review_meeting(&state.db, &user, branch, &form).await? {
        Outcome::Done(()) => {
            let word = if form.returns() {
                "专题支委会记录已退回（整本台账退回前党支部看不到）"
            } else {
                "已撤销对专题支委会记录的退回"
            };
            done(&session, word, &from.back_to(branch, "meeting")).await
        }
        other => {
            let kept = ReviewForm {
                meeting_comment: Some(form.comment.clone()),
                from,
                ..ReviewForm::default()
            };
            review_refused(&state, &user, branch, other, kept).await
        }
    }
}
