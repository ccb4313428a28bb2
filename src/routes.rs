//! The whole URL map, grouped by who may call it. Role guards are layered on each group, so no
//! handler can forget them; scope (which rows) is applied inside every query.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_extractor_with_state, from_fn_with_state};
use axum::routing::{get, post};

use axum::http::StatusCode;

use crate::AppState;
use crate::auth::{CurrentUser, RequireKeeper, RequireOverseer, RequireReviewer, csrf};
use crate::domain::evidence::MAX_UPLOAD_BYTES;
use crate::error::error_page;
use crate::handlers::{
    account, admin, auth, campaigns, close_out, committee, delivery, documents, export, finding, home, import,
    inspections, ledger, look_backs, meeting, notifications, overview, practices, profile, report, results, schedule,
    statistics, summary, work,
};

pub fn routes(state: &AppState) -> Router<AppState> {
    // Anyone, logged in or not.
    let public = Router::new()
        .route("/healthz", get(home::healthz))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", get(auth::logout_page).post(auth::logout))
        // A printed export's code, checked by whoever holds the paper: no login.
        .route("/verify", get(export::verify_form))
        .route("/verify/{code}", get(export::verify));

    // Any logged-in user; what they see of a branch is narrowed by scope in every query.
    let users = Router::new()
        .route("/", get(home::root))
        .route("/account/password", get(account::form).post(account::change))
        .route("/account/mail", post(notifications::save_mail))
        .route("/notifications", get(notifications::show))
        .route("/notifications/read", post(notifications::mark_read))
        .route("/notifications/{notification_id}", get(notifications::open))
        .route("/branches/{branch_id}", get(ledger::show))
        .route("/branches/{branch_id}/review", get(ledger::review_screen))
        .route("/branches/{branch_id}/checklist.pdf", get(export::branch_checklist_pdf))
        .route(
            "/branches/{branch_id}/checklist.xlsx",
            get(export::branch_checklist_xlsx),
        )
        .route("/branches/{branch_id}/findings/{finding_id}", get(finding::show))
        .route("/branches/{branch_id}/evidence/{evidence_id}", get(close_out::download))
        .route("/branches/{branch_id}/measures/{measure_id}", get(schedule::show))
        .route(
            "/branches/{branch_id}/progress/{entry_id}/file",
            get(schedule::entry_file),
        )
        .route("/documents/{document_id}", get(documents::download))
        .route("/practices", get(practices::show))
        .route("/practices.xlsx", get(practices::xlsx))
        .route("/practices.pdf", get(practices::pdf))
        .route("/practices/files/{file_id}", get(practices::file))
        .route(
            "/branches/{branch_id}/meeting/evidence/{evidence_id}",
            get(meeting::download),
        )
        .route_layer(from_extractor_with_state::<CurrentUser, AppState>(state.clone()));

    // Keeping a ledger: a 党支部书记 their branch's, a reviewer their committee's own 本级 one
    // (the unit is checked against the scope, then the user's part in it, in every step).
    let uploads = Router::new()
        .route(
            "/branches/{branch_id}/measures/{measure_id}/close-out",
            get(close_out::form).post(close_out::submit),
        )
        .route("/branches/{branch_id}/import/preview", post(import::preview))
        .route("/branches/{branch_id}/meeting", get(meeting::form).post(meeting::save))
        .route(
            "/branches/{branch_id}/measures/{measure_id}/progress",
            post(schedule::add_entry),
        )
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES));
    let secretaries = Router::new()
        .route("/branches/{branch_id}/items/{item_id}", post(ledger::answer))
        .route(
            "/branches/{branch_id}/practices",
            get(practices::form)
                .post(practices::submit)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/branches/{branch_id}/findings", post(ledger::create_finding))
        .route("/branches/{branch_id}/submit", post(ledger::submit))
        .route("/branches/{branch_id}/findings/{finding_id}", post(finding::update))
        .route(
            "/branches/{branch_id}/findings/{finding_id}/delete",
            get(finding::confirm_delete).post(finding::delete),
        )
        .route(
            "/branches/{branch_id}/findings/{finding_id}/measures",
            post(finding::create_measure),
        )
        .route(
            "/branches/{branch_id}/findings/{finding_id}/hand-in",
            post(inspections::hand_in),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}",
            post(finding::update_measure),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/delete",
            get(finding::confirm_delete_measure).post(finding::delete_measure),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/withdraw",
            post(close_out::withdraw),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/evidence/{evidence_id}/delete",
            post(close_out::delete_evidence),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/milestones",
            post(schedule::add_milestone),
        )
        .route(
            "/branches/{branch_id}/milestones/{milestone_id}",
            post(schedule::set_milestone),
        )
        .route(
            "/branches/{branch_id}/milestones/{milestone_id}/delete",
            post(schedule::delete_milestone),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/extension",
            post(schedule::request_extension),
        )
        .route(
            "/branches/{branch_id}/extensions/{extension_id}/withdraw",
            post(schedule::withdraw_extension),
        )
        .route("/branches/{branch_id}/import", get(import::form).post(import::confirm))
        .route(
            "/branches/{branch_id}/meeting/evidence/{evidence_id}/delete",
            post(meeting::delete_evidence),
        )
        .merge(uploads)
        .route_layer(from_extractor_with_state::<RequireKeeper, AppState>(state.clone()));

    // 党总支 reviewers (and the 组织部): reviewing branch ledgers in scope, and the committee's own work.
    let reviewers = Router::new()
        .route(
            "/branches/{branch_id}/findings/{finding_id}/review",
            post(ledger::decide_row),
        )
        .route(
            "/branches/{branch_id}/items/{item_id}/review",
            post(ledger::review_answer),
        )
        .route("/branches/{branch_id}/meeting/review", post(ledger::review_meeting))
        .route(
            "/branches/{branch_id}/extensions/{extension_id}/decide",
            post(schedule::decide_extension),
        )
        .route("/branches/{branch_id}/return", post(ledger::send_back))
        .route("/branches/{branch_id}/approve-waiting", post(ledger::approve_waiting))
        .route("/branches/{branch_id}/sign-off", post(ledger::sign_off))
        .route("/branches/{branch_id}/reopen", post(ledger::reopen))
        .route(
            "/branches/{branch_id}/measures/{measure_id}/close-out/decide",
            post(finding::decide_close_out),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/urge",
            post(committee::urge),
        )
        .route("/branches/{branch_id}/urge", post(committee::urge_unit))
        .route("/branches/{branch_id}/profile", get(profile::show).post(profile::save))
        .route("/branches/{branch_id}/summary", get(summary::show))
        .route("/branches/{branch_id}/summary.pdf", get(summary::pdf))
        .route("/committees/{committee_id}/summary", get(summary::committee))
        .route("/committees/{committee_id}/summary.pdf", get(summary::committee_pdf))
        .route("/committees/{committee_id}", get(committee::show))
        .route("/committees/{committee_id}/self-check", get(committee::self_check))
        .route("/committees/{committee_id}/work", get(work::show).post(work::add))
        .route("/committees/{committee_id}/work/{work_id}/delete", post(work::delete))
        .route("/committees/{committee_id}/close-outs", get(committee::close_outs))
        .route("/committees/{committee_id}/reminders", get(committee::reminders))
        .route(
            "/committees/{committee_id}/report",
            get(report::show).post(report::save),
        )
        .route(
            "/committees/{committee_id}/checklist.pdf",
            get(export::committee_checklist_pdf),
        )
        .route(
            "/committees/{committee_id}/checklist.xlsx",
            get(export::committee_checklist_xlsx),
        )
        .route("/committees/{committee_id}/report.pdf", get(export::report_pdf))
        .route("/committees/{committee_id}/report.xlsx", get(export::report_xlsx))
        .route("/committees/{committee_id}/submission.zip", get(export::submission_zip))
        .route("/committees/{committee_id}/report/sign", post(report::sign))
        .route("/committees/{committee_id}/report/reopen", post(report::reopen))
        .route("/committees/{committee_id}/delivery", post(delivery::deliver))
        .route(
            "/committees/{committee_id}/deliveries/{delivery_id}/scan",
            get(delivery::scan)
                .post(delivery::add_scan)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/committees/{committee_id}/deliveries/{delivery_id}/package.zip",
            get(delivery::package),
        )
        .route(
            "/committees/{committee_id}/deliveries/{delivery_id}/paper",
            post(delivery::record_paper),
        )
        .route(
            "/committees/{committee_id}/deliveries/{delivery_id}/return",
            post(delivery::return_delivery),
        )
        .route_layer(from_extractor_with_state::<RequireReviewer, AppState>(state.clone()));

    // 组织部 only.
    let overseers = Router::new()
        .route("/overview", get(overview::show))
        .route("/overview.xlsx", get(overview::overview_xlsx))
        .route("/overview/ineligible.xlsx", get(overview::ineligible_xlsx))
        .route("/overview/results", get(results::show).post(results::finalise))
        .route("/overview/look-backs", get(look_backs::show))
        .route("/overview/statistics", get(statistics::show))
        .route("/overview/inspections", get(inspections::list).post(inspections::add))
        .route(
            "/overview/inspections/{inspection_id}",
            get(inspections::show).post(inspections::update),
        )
        .route(
            "/overview/inspections/{inspection_id}/findings",
            post(inspections::raise),
        )
        .route("/practices/{practice_id}/promote", post(practices::promote))
        .route("/overview/results.xlsx", get(results::results_xlsx))
        .route("/overview/results.pdf", get(results::results_pdf))
        .route("/overview/results/{branch_id}/stars", post(results::set_stars))
        .route("/admin", get(admin::show))
        .route("/admin/outbox", get(notifications::outbox))
        .route("/admin/outbox/{message_id}/resend", post(notifications::resend))
        .route("/admin/committees", post(admin::create_committee))
        .route("/admin/committees/{committee_id}", post(admin::update_committee))
        .route("/admin/committees/{committee_id}/robot", post(admin::set_robot))
        .route("/admin/branches", post(admin::create_branch))
        .route("/admin/branches/{branch_id}", post(admin::update_branch))
        .route("/admin/users", post(admin::create_account))
        .route("/admin/users/{user_id}", post(admin::update_account))
        .route("/admin/users/{user_id}/reset-password", post(admin::reset_password))
        .route(
            "/admin/import",
            get(admin::import_form)
                .post(admin::import)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/admin/import/template.xlsx", get(admin::import_template))
        .route("/admin/campaigns", get(campaigns::show).post(campaigns::create))
        .route("/admin/campaigns/{campaign_id}", post(campaigns::update))
        .route("/admin/campaigns/{campaign_id}/current", post(campaigns::make_current))
        .route(
            "/admin/campaigns/{campaign_id}/documents",
            get(documents::show)
                .post(documents::add)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/admin/campaigns/{campaign_id}/documents/{document_id}/delete",
            post(documents::delete),
        )
        .route(
            "/admin/campaigns/{campaign_id}/ledger",
            get(campaigns::ledger).post(campaigns::edit_ledger),
        )
        .route(
            "/branches/{branch_id}/measures/{measure_id}/look-back",
            post(finding::flag_look_back),
        )
        .route(
            "/branches/{branch_id}/look-backs/{look_back_id}",
            post(finding::decide_look_back),
        )
        .route_layer(from_extractor_with_state::<RequireOverseer, AppState>(state.clone()));

    Router::new()
        .merge(public)
        .merge(users)
        .merge(secretaries)
        .merge(reviewers)
        .merge(overseers)
        // Before the layer below: a layered route's method router can no longer take it.
        .method_not_allowed_fallback(|| async {
            error_page(
                StatusCode::METHOD_NOT_ALLOWED,
                "操作方式不正确",
                "此页面不支持这种操作方式，请从系统页面上的按钮或链接进入。",
            )
        })
        .fallback(|| async {
            error_page(
                StatusCode::NOT_FOUND,
                "页面不存在",
                "您要找的页面不存在，或不在您的权限范围内。",
            )
        })
        .layer(from_fn_with_state(state.clone(), csrf::guard))
}
