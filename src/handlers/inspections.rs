//! 督查 (/overview/inspections): the 组织部 records its 现场调研, 集中督导 and 调阅材料 and puts
//! what it found into a unit's ledger (督查发现). A unit hands such a row in on its own once its
//! ledger is signed off (/branches/{id}/findings/{fid}/hand-in).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Form, Nav, Path, done, refusal};
use crate::AppState;
use crate::actions::inspection::RecordForm;
use crate::actions::{self, Outcome};
use crate::auth::{CurrentUser, RequireOverseer, session};
use crate::db;
use crate::db::campaigns::Campaign;
use crate::db::inspections::{InspectionRow, RaisedRow, UnitChoice};
use crate::db::ledger::CategoryRow;
use crate::domain::dates::format_date;
use crate::domain::input::FieldErrors;
use crate::domain::inspection::{FOUND_MAX, InspectionKind, PARTICIPANTS_MAX};
use crate::domain::{BranchId, CategoryId, FindingId};
use crate::error::{AppError, AppResult};

/// A record's form as shown: what is saved, or what was typed with its problems.
pub struct RecordBox {
    pub values: RecordForm,
    pub errors: FieldErrors,
}

impl RecordBox {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    fn ticked(&self, unit: &BranchId) -> bool {
        self.values.contains_key(&format!("unit_{}", unit.0))
    }

    /// Whether any unit of the committee is ticked (its list opens).
    fn ticks_any(&self, c: &CommitteeUnits) -> bool {
        c.units.iter().any(|u| self.ticked(&u.id))
    }

    fn of(r: &InspectionRow, units: &[(BranchId, String)]) -> RecordBox {
        let mut values: RecordForm = [
            ("kind", r.kind.code().to_string()),
            ("held_on", format_date(r.held_on)),
            ("participants", r.participants.clone()),
            ("found", r.found.clone()),
            ("version", r.version.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        values.extend(units.iter().map(|(id, _)| (format!("unit_{}", id.0), "on".to_string())));
        RecordBox {
            values,
            errors: FieldErrors::default(),
        }
    }
}

/// The units to tick, by committee.
pub struct CommitteeUnits {
    pub committee: String,
    pub units: Vec<UnitChoice>,
}

fn by_committee(units: Vec<UnitChoice>) -> Vec<CommitteeUnits> {
    let mut out: Vec<CommitteeUnits> = Vec::new();
    for u in units {
        match out.last_mut() {
            Some(c) if c.committee == u.committee => c.units.push(u),
            _ => out.push(CommitteeUnits {
                committee: u.committee.clone(),
                units: vec![u],
            }),
        }
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "overseer/inspections.html")]
pub struct InspectionsPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaign: Campaign,
    records: Vec<InspectionRow>,
    form: RecordBox,
    kinds: &'static [InspectionKind],
    committees: Vec<CommitteeUnits>,
    participants_max: usize,
    found_max: usize,
}

async fn current(state: &AppState) -> AppResult<Campaign> {
    db::campaigns::current(&state.db).await?.ok_or(AppError::NotFound)
}

async fn list_page(
    state: &AppState, user: &CurrentUser, session: Option<&Session>, form: RecordBox,
) -> AppResult<InspectionsPage> {
    let campaign = current(state).await?;
    let flash = match session {
        Some(s) => session::take_flash(s).await?,
        None => None,
    };
    Ok(InspectionsPage {
        nav: Nav::for_user(user, "/overview"),
        csrf: user.csrf.clone(),
        flash,
        records: db::inspections::list(&state.db.read, campaign.id).await?,
        campaign,
        form,
        kinds: InspectionKind::ALL,
        committees: by_committee(db::inspections::campus_units(&state.db.read).await?),
        participants_max: PARTICIPANTS_MAX,
        found_max: FOUND_MAX,
    })
}

pub async fn list(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser,
) -> AppResult<InspectionsPage> {
    let blank = RecordBox {
        values: RecordForm::new(),
        errors: FieldErrors::default(),
    };
    list_page(&state, &user, Some(&session), blank).await
}

pub async fn add(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser,
    Form(form): Form<RecordForm>,
) -> AppResult<Response> {
    match actions::inspection::add(&state.db, &user, &form).await? {
        Outcome::Done(id) => {
            done(
                &session,
                "已记录督查；可在下方把发现的问题列入相关单位的问题台账",
                &format!("/overview/inspections/{id}"),
            )
            .await
        }
        other => {
            let (errors, status) = super::form_refusal(other, "form")?;
            let page = list_page(&state, &user, None, RecordBox { values: form, errors }).await?;
            Ok((status, page).into_response())
        }
    }
}

/// The raise form as shown: what was typed with its problems.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RaiseForm {
    pub unit: String,
    pub category_id: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "overseer/inspection.html")]
pub struct InspectionPage {
    nav: Nav,
    csrf: String,
    flash: Option<String>,
    campaign: Campaign,
    record: InspectionRow,
    covered: Vec<(BranchId, String)>,
    raised: Vec<RaisedRow>,
    categories: Vec<CategoryRow>,
    form: RecordBox,
    raise: RaiseForm,
    raise_errors: FieldErrors,
    kinds: &'static [InspectionKind],
    committees: Vec<CommitteeUnits>,
    participants_max: usize,
    found_max: usize,
    finding_max: usize,
}

impl InspectionPage {
    fn unit_chosen(&self, id: &BranchId) -> bool {
        self.raise.unit.trim() == id.0.to_string()
    }

    fn category_chosen(&self, id: &CategoryId) -> bool {
        self.raise.category_id.trim() == id.0.to_string()
    }

    fn edit_action(&self) -> String {
        format!("/overview/inspections/{}", self.record.id)
    }

    fn raised_state(&self, r: &RaisedRow) -> String {
        crate::domain::inspection::standing(r.review_state, r.handed_in, r.measures, r.closed_out)
    }
}

async fn record_page(
    state: &AppState, user: &CurrentUser, session: Option<&Session>, id: i64, form: Option<RecordBox>,
    raise: RaiseForm, raise_errors: FieldErrors,
) -> AppResult<InspectionPage> {
    let campaign = current(state).await?;
    let record = db::inspections::get(&state.db.read, campaign.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let covered = db::inspections::units(&state.db.read, id).await?;
    let flash = match session {
        Some(s) => session::take_flash(s).await?,
        None => None,
    };
    Ok(InspectionPage {
        nav: Nav::for_user(user, "/overview"),
        csrf: user.csrf.clone(),
        flash,
        raised: db::inspections::raised(&state.db.read, id).await?,
        categories: db::ledger::categories(&state.db, campaign.id).await?,
        form: form.unwrap_or_else(|| RecordBox::of(&record, &covered)),
        campaign,
        record,
        covered,
        raise,
        raise_errors,
        kinds: InspectionKind::ALL,
        committees: by_committee(db::inspections::campus_units(&state.db.read).await?),
        participants_max: PARTICIPANTS_MAX,
        found_max: FOUND_MAX,
        finding_max: crate::domain::input::FINDING_MAX,
    })
}

pub async fn show(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser, Path(id): Path<i64>,
) -> AppResult<InspectionPage> {
    record_page(
        &state,
        &user,
        Some(&session),
        id,
        None,
        RaiseForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    match actions::inspection::update(&state.db, &user, id, &form).await? {
        Outcome::Done(()) => done(&session, "已保存督查记录", &format!("/overview/inspections/{id}")).await,
        other => {
            let (errors, status) = super::form_refusal(other, "form")?;
            let form = RecordBox { values: form, errors };
            let page = record_page(
                &state,
                &user,
                None,
                id,
                Some(form),
                RaiseForm::default(),
                FieldErrors::default(),
            )
            .await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn raise(
    State(state): State<AppState>, session: Session, _: RequireOverseer, user: CurrentUser, Path(id): Path<i64>,
    Form(form): Form<RaiseForm>,
) -> AppResult<Response> {
    let unit = form.unit.trim().parse().ok().map(BranchId);
    let category = form.category_id.trim().parse().ok().map(CategoryId);
    match actions::inspection::raise(&state.db, &user, id, unit, category, &form.text).await? {
        Outcome::Done(_) => {
            let said = "已列入该单位的问题台账（督查发现·待整改）：该单位须制定整改措施并提交审核";
            done(&session, said, &format!("/overview/inspections/{id}#raised")).await
        }
        other => {
            let (errors, status) = super::form_refusal(other, "text")?;
            let page = record_page(&state, &user, None, id, None, form, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HandInForm {
    pub version: i64,
}

/// The unit hands a 督查发现 in on its own (its ledger signed off); back to the finding.
pub async fn hand_in(
    State(state): State<AppState>, session: Session, user: CurrentUser, Path((branch, id)): Path<(i64, i64)>,
    Form(form): Form<HandInForm>,
) -> AppResult<Response> {
    let (branch, id) = (BranchId(branch), FindingId(id));
    match actions::inspection::hand_in(&state.db, &user, branch, id, form.version).await? {
        Outcome::Done(()) => {
            let said = "已提交审核：这条督查发现的整改措施将由上级党组织单独审核，台账的签字不受影响";
            done(&session, said, &format!("/branches/{}/findings/{}", branch.0, id.0)).await
        }
        other => Err(refusal(other)),
    }
}
