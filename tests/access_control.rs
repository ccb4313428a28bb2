//! The access-control table: every route, as every kind of user, with the status they must get.
//! Users come from two committees and several branches of the demo campus:
//!
//! | user       | unit                                              |
//! |------------|---------------------------------------------------|
//! | secretary1 | branch 1 (committee 1)                            |
//! | secretary4 | branch 4 (committee 2)                            |
//! | reviewer1  | committee 1: branches 1, 2, 3                      |
//! | reviewer2  | committee 2: branches 4, 5                         |
//! | overseer   | campus                                            |
//!
//! Units 8, 9, 10 are committees 1, 2, 3's own 本级 ledgers.
//!
//! A new route must be added here: `every_route_in_the_url_map_is_in_the_table` fails otherwise.

mod common;

use std::collections::HashMap;

use common::*;
use reqwest::{Client, StatusCode};

const ANON: &str = "anonymous";
const USERS: &[&str] = &[ANON, "secretary1", "secretary4", "reviewer1", "reviewer2", "overseer"];

/// (method, path, expected status for each of USERS in order).
/// 200 ok · 303 redirect (to /login for the anonymous; home or form result otherwise) · 403 role
/// may not · 404 not found or outside scope · 400 form refused.
const TABLE: &[(&str, &str, [u16; 6])] = &[
    //                                      anon  sec1 sec4 rev1 rev2 over
    ("GET", "/healthz", [200, 200, 200, 200, 200, 200]),
    ("GET", "/static/css/app.css", [200, 200, 200, 200, 200, 200]),
    ("GET", "/static/js/app.js", [200, 200, 200, 200, 200, 200]),
    ("GET", "/login", [200, 303, 303, 303, 303, 303]),
    ("GET", "/", [303, 303, 303, 303, 303, 303]),
    ("GET", "/account/password", [303, 200, 200, 200, 200, 200]),
    ("POST", "/account/password", [303, 400, 400, 400, 400, 400]),
    ("GET", "/branches/1", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/2", [303, 404, 404, 200, 404, 200]),
    ("GET", "/branches/4", [303, 404, 200, 404, 200, 200]),
    ("GET", "/branches/6", [303, 404, 404, 404, 404, 200]),
    ("GET", "/branches/999", [303, 404, 404, 404, 404, 404]),
    // The review screen: anyone in scope reads it (it says when nothing waits for them).
    ("GET", "/branches/1/review", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/review", [303, 404, 200, 404, 200, 200]),
    ("GET", "/branches/8/review", [303, 404, 404, 200, 404, 200]),
    ("GET", "/branches/999/review", [303, 404, 404, 404, 404, 404]),
    // A branch's summary for its 书记述职评议: its committee's reviewers and the 组织部.
    ("GET", "/branches/1/summary", [303, 403, 403, 200, 404, 200]),
    ("GET", "/branches/4/summary.pdf", [401, 403, 403, 404, 200, 200]),
    ("GET", "/branches/8/summary", [303, 403, 403, 404, 404, 404]),
    ("GET", "/committees/1/summary", [303, 403, 403, 200, 404, 200]),
    ("GET", "/committees/2/summary.pdf", [401, 403, 403, 404, 200, 200]),
    ("GET", "/branches/1?campaign=1", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/1?campaign=99", [303, 404, 404, 404, 404, 404]),
    ("GET", "/committees/1", [303, 403, 403, 200, 404, 200]),
    ("GET", "/committees/2", [303, 403, 403, 404, 200, 200]),
    ("GET", "/committees/999", [303, 403, 403, 404, 404, 404]),
    ("GET", "/overview", [303, 403, 403, 403, 403, 200]),
    // 结果运用: the demo's results date is still to come, so nothing is finalised yet.
    ("GET", "/overview/results", [303, 403, 403, 403, 403, 200]),
    ("GET", "/overview/look-backs?n=3&seed=7", [303, 403, 403, 403, 403, 200]),
    ("GET", "/overview/statistics", [303, 403, 403, 403, 403, 200]),
    // 督查: the 组织部 only (the demo holds one record, inspection 1, which raised nothing).
    ("GET", "/overview/inspections", [303, 403, 403, 403, 403, 200]),
    ("POST", "/overview/inspections", [303, 403, 403, 403, 403, 400]),
    ("GET", "/overview/inspections/1", [303, 403, 403, 403, 403, 200]),
    ("GET", "/overview/inspections/99", [303, 403, 403, 403, 403, 404]),
    ("POST", "/overview/inspections/1", [303, 403, 403, 403, 403, 400]),
    (
        "POST",
        "/overview/inspections/1/findings",
        [303, 403, 403, 403, 403, 400],
    ),
    // 消息: everyone their own list and settings; the 组织部 the outbox and the robots.
    ("GET", "/notifications", [303, 200, 200, 200, 200, 200]),
    ("POST", "/notifications/read", [303, 303, 303, 303, 303, 303]),
    ("GET", "/notifications/1", [303, 404, 404, 404, 404, 404]),
    ("POST", "/account/mail", [303, 400, 400, 400, 400, 400]),
    ("GET", "/admin/outbox", [303, 403, 403, 403, 403, 200]),
    ("POST", "/admin/outbox/1/resend", [303, 403, 403, 403, 403, 409]),
    ("POST", "/admin/committees/1/robot", [303, 403, 403, 403, 403, 303]),
    // 催办: the level above, once a day per measure (the 组织部 comes after reviewer1 the same day).
    ("POST", "/branches/1/measures/1/urge", [303, 403, 403, 303, 404, 409]),
    ("POST", "/branches/1/urge", [303, 403, 403, 303, 404, 409]),
    // A 督查发现 handed in on its own: the unit's keeper (finding 1 is none: refused, 409).
    ("POST", "/branches/1/findings/1/hand-in", [303, 409, 404, 403, 404, 403]),
    // 典型做法: everyone reads the promoted ones; a unit submits its own; the 组织部 promotes.
    ("GET", "/practices", [303, 200, 200, 200, 200, 200]),
    ("GET", "/practices.xlsx", [401, 200, 200, 200, 200, 200]),
    ("GET", "/practices.pdf", [401, 200, 200, 200, 200, 200]),
    ("POST", "/practices/1/promote", [303, 403, 403, 403, 403, 404]),
    ("GET", "/practices/files/1", [303, 404, 404, 404, 404, 404]),
    ("GET", "/branches/1/practices", [303, 200, 404, 403, 404, 403]),
    ("POST", "/branches/1/practices", [303, 400, 404, 403, 404, 403]),
    ("GET", "/branches/8/practices", [303, 404, 404, 200, 404, 403]),
    ("POST", "/overview/results", [303, 403, 403, 403, 403, 409]),
    ("GET", "/overview/results.xlsx", [401, 403, 403, 403, 403, 404]),
    ("GET", "/overview/results.pdf", [401, 403, 403, 403, 403, 404]),
    ("POST", "/overview/results/4/stars", [303, 403, 403, 403, 403, 404]),
    // Reading a branch's rows and evidence: the branch's own secretary, its committee, the campus.
    ("GET", "/branches/1/findings/1", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/findings/11", [303, 404, 200, 404, 200, 200]),
    ("GET", "/branches/1/findings/11", [303, 404, 404, 404, 404, 404]),
    ("GET", "/branches/1/evidence/2", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/evidence/4", [303, 404, 200, 404, 200, 200]),
    ("GET", "/branches/1/evidence/4", [303, 404, 404, 404, 404, 404]),
    // The secretary's own work: a reviewer of the branch's committee and the 组织部 403, other
    // units 404 (scope is checked first). Branch 1 is submitted (已提交), so content changes are
    // refused with 409; empty forms are refused with 400 first.
    ("POST", "/branches/1/items/1", [303, 400, 404, 403, 404, 403]),
    ("POST", "/branches/1/findings", [303, 400, 404, 403, 404, 403]),
    ("POST", "/branches/1/submit", [303, 409, 404, 403, 404, 403]),
    ("POST", "/branches/1/findings/1", [303, 400, 404, 403, 404, 403]),
    ("GET", "/branches/1/findings/1/delete", [303, 409, 404, 403, 404, 403]),
    ("POST", "/branches/1/findings/1/delete", [303, 409, 404, 403, 404, 403]),
    (
        "POST",
        "/branches/1/findings/1/measures",
        [303, 400, 404, 403, 404, 403],
    ),
    ("POST", "/branches/1/measures/1", [303, 400, 404, 403, 404, 403]),
    ("GET", "/branches/1/measures/1/delete", [303, 409, 404, 403, 404, 403]),
    ("POST", "/branches/1/measures/1/delete", [303, 409, 404, 403, 404, 403]),
    (
        "GET",
        "/branches/1/measures/1/close-out",
        [303, 200, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/measures/1/close-out",
        [303, 400, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/measures/4/withdraw",
        [303, 409, 404, 403, 404, 403],
    ),
    ("GET", "/branches/1/import", [303, 409, 404, 403, 404, 403]),
    ("POST", "/branches/1/import", [303, 400, 404, 403, 404, 403]),
    ("POST", "/branches/1/import/preview", [303, 409, 404, 403, 404, 403]),
    ("GET", "/branches/2/import", [303, 404, 404, 403, 404, 403]),
    // Last but one: it deletes evidence 3 for the one user allowed to.
    (
        "POST",
        "/branches/1/measures/7/evidence/3/delete",
        [303, 303, 404, 403, 404, 403],
    ),
    ("GET", "/logout", [303, 200, 200, 200, 200, 200]),
    // A committee's own 本级 ledger (unit 8, committee 1's; item 5 is 1(5), a committee item):
    // its reviewers keep it, the 组织部 reviews it; secretaries never see it.
    ("GET", "/branches/8", [303, 404, 404, 200, 404, 200]),
    ("GET", "/branches/8/findings/14", [303, 404, 404, 200, 404, 200]),
    ("GET", "/branches/8/checklist.pdf", [401, 404, 404, 200, 404, 200]),
    ("POST", "/branches/8/items/5", [303, 404, 404, 400, 404, 403]),
    ("POST", "/branches/8/findings", [303, 404, 404, 400, 404, 403]),
    ("POST", "/branches/8/findings/14/review", [303, 403, 403, 403, 404, 400]),
    ("POST", "/branches/8/sign-off", [303, 403, 403, 403, 404, 400]),
    (
        "POST",
        "/branches/8/measures/16/close-out/decide",
        [303, 403, 403, 403, 404, 400],
    ),
    // The committee's review: secretaries 403, the other committee 404; empty forms are refused
    // with 400 by the rules (nothing to send back, no 四个到位, no reason…).
    ("POST", "/branches/1/findings/1/review", [303, 403, 403, 400, 404, 400]),
    ("POST", "/branches/1/return", [303, 403, 403, 400, 404, 400]),
    ("POST", "/branches/1/approve-waiting", [303, 403, 403, 400, 404, 400]),
    ("POST", "/branches/8/approve-waiting", [303, 403, 403, 403, 404, 400]),
    ("POST", "/branches/1/sign-off", [303, 403, 403, 400, 404, 400]),
    ("POST", "/branches/1/reopen", [303, 403, 403, 400, 404, 400]),
    (
        "POST",
        "/branches/1/measures/4/close-out/decide",
        [303, 403, 403, 400, 404, 400],
    ),
    // 进度安排 (measure 1 of branch 1: milestones 1–3, entry 1 with a photo; measure 2: 延期申请
    // 1 pending; branch 4's measure 14: milestone 4, entry 2, 延期申请 2 approved). Everyone in
    // scope reads; the branch plans and reports whatever the review state (empty forms 400, a
    // version 0 stale 409); its
    // committee and the 组织部 decide 延期申请.
    ("GET", "/branches/1/measures/1", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/measures/14", [303, 404, 200, 404, 200, 200]),
    ("GET", "/branches/1/measures/14", [303, 404, 404, 404, 404, 404]),
    ("GET", "/branches/1/progress/1/file", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/progress/2/file", [303, 404, 404, 404, 404, 404]),
    ("GET", "/branches/1/progress/2/file", [303, 404, 404, 404, 404, 404]),
    (
        "POST",
        "/branches/1/measures/1/milestones",
        [303, 400, 404, 403, 404, 403],
    ),
    ("POST", "/branches/1/milestones/3", [303, 400, 404, 403, 404, 403]),
    (
        "POST",
        "/branches/1/milestones/3/delete",
        [303, 409, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/measures/1/progress",
        [303, 400, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/measures/1/extension",
        [303, 400, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/measures/2/extension",
        [303, 409, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/extensions/1/withdraw",
        [303, 409, 404, 403, 404, 403],
    ),
    (
        "POST",
        "/branches/1/extensions/1/decide",
        [303, 403, 403, 400, 404, 400],
    ),
    (
        "POST",
        "/branches/4/extensions/2/decide",
        [303, 403, 403, 404, 409, 409],
    ),
    // A branch's data (换届, 支委, 书记空缺): its committee and the 组织部 keep it; a committee's
    // own unit has none. An empty form carries version 0: stale (409).
    ("GET", "/branches/1/profile", [303, 403, 403, 200, 404, 200]),
    ("GET", "/branches/4/profile", [303, 403, 403, 404, 200, 200]),
    ("GET", "/branches/8/profile", [303, 403, 403, 404, 404, 404]),
    ("POST", "/branches/1/profile", [303, 403, 403, 409, 404, 409]),
    ("POST", "/branches/8/profile", [303, 403, 403, 404, 404, 404]),
    // 专题支委会: the branch keeps its record (branch 1 is 已提交, so changes are refused with
    // 409); its committee returns it; the file reads as the ledger does. Unit 8 holds none.
    ("GET", "/branches/1/meeting", [303, 409, 404, 403, 404, 403]),
    ("POST", "/branches/1/meeting", [303, 400, 404, 403, 404, 403]),
    ("GET", "/branches/8/meeting", [303, 404, 404, 404, 404, 403]),
    ("GET", "/branches/1/meeting/evidence/1", [303, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/meeting/evidence/1", [303, 404, 404, 404, 404, 404]),
    (
        "POST",
        "/branches/1/meeting/evidence/1/delete",
        [303, 409, 404, 403, 404, 403],
    ),
    ("POST", "/branches/1/meeting/review", [303, 403, 403, 400, 404, 400]),
    ("POST", "/branches/8/meeting/review", [303, 403, 403, 403, 404, 404]),
    // Returning a clean answer: 1(1) is item 1; an empty form is refused.
    ("POST", "/branches/1/items/1/review", [303, 403, 403, 400, 404, 400]),
    // The committee's own work: its reviewers record, the 组织部 reads.
    ("GET", "/committees/1/work", [303, 403, 403, 200, 404, 200]),
    ("GET", "/committees/2/work", [303, 403, 403, 404, 200, 200]),
    ("POST", "/committees/1/work", [303, 403, 403, 400, 404, 403]),
    ("POST", "/committees/1/work/999/delete", [303, 403, 403, 404, 404, 403]),
    // The campaign's reference documents: the 组织部 keeps them; every user opens a file
    // (document 1 of the demo is a link, which has none to download).
    ("GET", "/documents/1", [303, 404, 404, 404, 404, 404]),
    ("GET", "/admin/campaigns/1/documents", [303, 403, 403, 403, 403, 200]),
    ("POST", "/admin/campaigns/1/documents", [303, 403, 403, 403, 403, 400]),
    (
        "POST",
        "/admin/campaigns/1/documents/999/delete",
        [303, 403, 403, 403, 403, 404],
    ),
    ("GET", "/committees/1/self-check", [303, 403, 403, 303, 404, 303]),
    ("GET", "/committees/1/close-outs", [303, 403, 403, 200, 404, 200]),
    ("GET", "/committees/1/reminders", [303, 403, 403, 200, 404, 200]),
    ("GET", "/committees/1/report", [303, 403, 403, 200, 404, 200]),
    ("GET", "/committees/2/report", [303, 403, 403, 404, 200, 200]),
    // The overseer comes second with version 0: the report exists by then, so the save is stale.
    ("POST", "/committees/1/report", [303, 403, 403, 303, 404, 409]),
    // Only the committee's 负责人 (reviewer1) signs; branches not signed off need confirming.
    ("POST", "/committees/1/report/sign", [303, 403, 403, 409, 404, 403]),
    ("POST", "/committees/1/report/reopen", [303, 403, 403, 400, 404, 400]),
    // Exports: the pages' scope, 401 (not a login redirect) without a session.
    ("GET", "/branches/1/checklist.pdf", [401, 200, 404, 200, 404, 200]),
    ("GET", "/branches/1/checklist.xlsx", [401, 200, 404, 200, 404, 200]),
    ("GET", "/branches/4/checklist.pdf", [401, 404, 200, 404, 200, 200]),
    ("GET", "/branches/6/checklist.xlsx", [401, 404, 404, 404, 404, 200]),
    ("GET", "/branches/999/checklist.pdf", [401, 404, 404, 404, 404, 404]),
    (
        "GET",
        "/branches/1/checklist.pdf?campaign=99",
        [401, 404, 404, 404, 404, 404],
    ),
    ("GET", "/committees/1/checklist.pdf", [401, 403, 403, 200, 404, 200]),
    ("GET", "/committees/1/checklist.xlsx", [401, 403, 403, 200, 404, 200]),
    ("GET", "/committees/2/checklist.pdf", [401, 403, 403, 404, 200, 200]),
    ("GET", "/committees/999/checklist.xlsx", [401, 403, 403, 404, 404, 404]),
    ("GET", "/committees/1/report.pdf", [401, 403, 403, 200, 404, 200]),
    ("GET", "/committees/1/report.xlsx", [401, 403, 403, 200, 404, 200]),
    ("GET", "/committees/2/report.xlsx", [401, 403, 403, 404, 200, 200]),
    ("GET", "/committees/1/submission.zip", [401, 403, 403, 200, 404, 200]),
    // 报送: committee 2 has handed in (delivery 1, the fixture in the test); committee 1's
    // 附件3 is not signed, so it cannot. The committee adds the scan; the 组织部 records the
    // paper copy or returns the 报送.
    ("POST", "/committees/1/delivery", [303, 403, 403, 409, 404, 403]),
    ("POST", "/committees/2/delivery", [303, 403, 403, 404, 409, 403]),
    (
        "GET",
        "/committees/2/deliveries/1/package.zip",
        [401, 403, 403, 404, 200, 200],
    ),
    (
        "GET",
        "/committees/1/deliveries/1/package.zip",
        [401, 403, 403, 404, 404, 404],
    ),
    ("GET", "/committees/2/deliveries/1/scan", [303, 403, 403, 404, 404, 404]),
    (
        "POST",
        "/committees/2/deliveries/1/scan",
        [303, 403, 403, 404, 400, 400],
    ),
    (
        "POST",
        "/committees/2/deliveries/1/paper",
        [303, 403, 403, 404, 403, 400],
    ),
    (
        "POST",
        "/committees/2/deliveries/1/return",
        [303, 403, 403, 404, 403, 400],
    ),
    // Anyone may check a printed code; an unknown one is 404.
    ("GET", "/verify", [200, 200, 200, 200, 200, 200]),
    ("GET", "/verify/ABCDE-FGHJK", [404, 404, 404, 404, 404, 404]),
    // 组织部 only: 回头看 and the eligibility list.
    ("GET", "/overview/ineligible.xlsx", [401, 403, 403, 403, 403, 200]),
    ("GET", "/overview.xlsx", [401, 403, 403, 403, 403, 200]),
    (
        "POST",
        "/branches/4/measures/14/look-back",
        [303, 403, 403, 403, 403, 400],
    ),
    ("POST", "/branches/4/look-backs/999", [303, 403, 403, 403, 403, 404]),
    // 组织部 only: units and accounts (empty forms are refused with 400; unknown ids 404).
    ("GET", "/admin", [303, 403, 403, 403, 403, 200]),
    ("POST", "/admin/committees", [303, 403, 403, 403, 403, 400]),
    ("POST", "/admin/committees/1", [303, 403, 403, 403, 403, 400]),
    ("POST", "/admin/branches", [303, 403, 403, 403, 403, 404]),
    ("POST", "/admin/branches/1", [303, 403, 403, 403, 403, 400]),
    ("POST", "/admin/users", [303, 403, 403, 403, 403, 400]),
    ("POST", "/admin/users/999", [303, 403, 403, 403, 403, 404]),
    (
        "POST",
        "/admin/users/999/reset-password",
        [303, 403, 403, 403, 403, 404],
    ),
    ("GET", "/admin/campaigns", [303, 403, 403, 403, 403, 200]),
    ("POST", "/admin/campaigns", [303, 403, 403, 403, 403, 400]),
    ("POST", "/admin/campaigns/1", [303, 403, 403, 403, 403, 400]),
    ("POST", "/admin/campaigns/99/current", [303, 403, 403, 403, 403, 404]),
    ("GET", "/admin/campaigns/1/ledger", [303, 403, 403, 403, 403, 200]),
    ("POST", "/admin/campaigns/1/ledger", [303, 403, 403, 403, 403, 409]),
    ("GET", "/admin/import", [303, 403, 403, 403, 403, 200]),
    ("POST", "/admin/import", [303, 403, 403, 403, 403, 400]),
    ("GET", "/admin/import/template.xlsx", [401, 403, 403, 403, 403, 200]),
    ("POST", "/login", [400, 400, 400, 400, 400, 400]),
    ("POST", "/logout", [303, 303, 303, 303, 303, 303]),
];

async fn clients(app: &TestApp) -> HashMap<&'static str, Client> {
    let mut map = HashMap::new();
    for user in USERS {
        let client = if *user == ANON {
            app.client()
        } else {
            app.login(user).await
        };
        map.insert(*user, client);
    }
    map
}

#[tokio::test]
async fn every_user_gets_exactly_their_scope_on_every_route() {
    let app = spawn_demo().await;
    // Committee 2 has handed in its materials (报送 1).
    sqlx::query(
        "INSERT INTO deliveries (campaign_id, committee_id, delivered_by, package_name, package, package_size)
         SELECT 1, 2, id, '报送材料.zip', X'504B0506000000000000000000000000000000000000', 22
         FROM users WHERE username = 'reviewer2'",
    )
    .execute(&app.db.read)
    .await
    .unwrap();
    let mut failures = Vec::new();
    // Each user logs in once; only a row that ends the session (POST /logout) costs new logins.
    let mut clients = clients(&app).await;
    for (method, path, expected) in TABLE {
        for (i, user) in USERS.iter().enumerate() {
            let client = &clients[user];
            let res = match *method {
                "GET" => app.get(client, path).await,
                // Same-origin form posts with a valid token but empty fields: what is checked
                // here is who may reach the handler, not the form's contents.
                "POST" => {
                    let token_page = if *user == ANON { "/login" } else { "/account/password" };
                    app.post_form(client, path, token_page, &[]).await
                }
                _ => unreachable!(),
            };
            let got = res.status().as_u16();
            if got != expected[i] {
                failures.push(format!(
                    "{user:>10} {method} {path}: expected {}, got {got}",
                    expected[i]
                ));
            }
            // Nothing private may be kept by a browser or proxy; only the static files may.
            let cache = res
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            let shared = path.starts_with("/static/") && got == 200;
            if shared != cache.contains("immutable") || shared == cache.contains("no-store") {
                failures.push(format!("{user:>10} {method} {path}: Cache-Control {cache:?}"));
            }
            if got == 303 && *user == ANON && *method == "GET" {
                assert!(
                    location(&res).starts_with("/login"),
                    "{path} must send the anonymous to /login"
                );
            }
        }
        if *method == "POST" && *path == "/logout" {
            clients = self::clients(&app).await;
        }
    }
    assert!(
        failures.is_empty(),
        "access-control table violated:\n{}",
        failures.join("\n")
    );
    println!("{} rows × {} users checked", TABLE.len(), USERS.len());
}

#[tokio::test]
async fn a_page_outside_the_scope_shows_none_of_its_data() {
    let app = spawn_demo().await;
    let secretary1 = app.login("secretary1").await;
    // Branch 4 (another committee) and branch 2 (same committee) are both refused, with no trace.
    for (path, secret) in [
        ("/branches/4", "汉语言文学系教工党支部"),
        ("/branches/2", "软件工程系教工党支部"),
    ] {
        let res = app.get(&secretary1, path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let body = res.text().await.unwrap();
        assert!(!body.contains(secret), "{path} leaked its name");
        assert!(body.contains("页面不存在"), "404 page is in Chinese");
    }
    let reviewer1 = app.login("reviewer1").await;
    let body = app.get(&reviewer1, "/committees/2").await.text().await.unwrap();
    assert!(!body.contains("文学与新闻传播学院党总支"));
}

#[tokio::test]
async fn every_route_in_the_url_map_is_in_the_table() {
    let map = url_map();
    assert!(map.len() > 60, "the URL map is read: {} routes", map.len());
    let missing: Vec<String> = map
        .iter()
        .filter(|(method, pattern)| {
            !TABLE
                .iter()
                .any(|(m, path, _)| m == method && matches_pattern(pattern, path))
        })
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the access-control table: {missing:?}"
    );
}

/// Ids that belong to the other committee, by placeholder, for users of committee 1 and 2.
fn other_unit_id(placeholder: &str, committee: u8) -> &'static str {
    match (placeholder, committee) {
        ("branch_id", 1) => "4",
        ("branch_id", _) => "1",
        ("committee_id", 1) => "2",
        ("committee_id", _) => "1",
        ("finding_id", 1) => "11",
        ("finding_id", _) => "1",
        ("measure_id", 1) => "13",
        ("measure_id", _) => "1",
        ("evidence_id", 1) => "4",
        ("evidence_id", _) => "1",
        // 进度安排: branch 1 holds milestones 1–3, entry 1 and 延期申请 1; branch 4 milestone 4,
        // entry 2 and 延期申请 2.
        ("milestone_id", 1) => "4",
        ("milestone_id", _) => "1",
        ("entry_id", 1) => "2",
        ("entry_id", _) => "1",
        ("extension_id", 1) => "2",
        ("extension_id", _) => "1",
        // Not owned by a unit (the ledger's items; admin ids answer 403 to these users anyway).
        ("item_id", _) => "1",
        // Campus-wide, or with none of the other committee's in the demo.
        ("document_id", _)
        | ("work_id", _)
        | ("delivery_id", _)
        | ("practice_id", _)
        | ("file_id", _)
        | ("inspection_id", _)
        | ("notification_id", _)
        | ("message_id", _) => "1",
        ("user_id", _) | ("campaign_id", _) | ("look_back_id", _) => "2",
        (other, _) => panic!("no other-unit id for {{{other}}}"),
    }
}

fn own_id(placeholder: &str, committee: u8) -> &'static str {
    match (placeholder, committee) {
        ("branch_id", 1) => "1",
        ("branch_id", _) => "4",
        ("committee_id", 1) => "1",
        ("committee_id", _) => "2",
        _ => panic!("only the first id of a path is the user's own"),
    }
}

/// `pattern` with each `{id}` replaced: the first by `first`, the others by `rest`.
fn fill(pattern: &str, first: impl Fn(&str) -> String, rest: impl Fn(&str) -> String) -> String {
    let mut seen = 0;
    pattern
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                seen += 1;
                if seen == 1 { first(name) } else { rest(name) }
            }
            None => seg.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Another unit's row and a row that does not exist get the same answer, status and page, on
/// every route with an id, for GET and POST: nothing tells the user the other exists. The same
/// holds with the user's own branch or committee first and a foreign or missing row after it.
#[tokio::test]
async fn another_units_ids_and_ids_that_do_not_exist_answer_alike() {
    let app = spawn_demo().await;
    let mut differences = Vec::new();
    let mut compared = 0;
    for (user, committee) in [("secretary1", 1), ("secretary4", 2), ("reviewer1", 1), ("reviewer2", 2)] {
        let client = app.login(user).await;
        let token = app.csrf(&client, "/account/password").await;
        for (method, pattern) in url_map() {
            if !pattern.contains('{') || pattern.starts_with("/verify") {
                continue;
            }
            let missing = |_: &str| "999999".to_string();
            let foreign = |name: &str| other_unit_id(name, committee).to_string();
            let own = |name: &str| own_id(name, committee).to_string();
            let mut pairs = vec![(fill(&pattern, foreign, foreign), fill(&pattern, missing, missing))];
            if pattern.matches('{').count() > 1
                && (pattern.starts_with("/branches/") || pattern.starts_with("/committees/"))
            {
                pairs.push((fill(&pattern, own, foreign), fill(&pattern, own, missing)));
            }
            for (a, b) in pairs {
                let answer = |path: String| {
                    let (client, token, app) = (&client, &token, &app);
                    async move {
                        let res = if method == "GET" {
                            app.get(client, &path).await
                        } else {
                            client
                                .post(app.url(&path))
                                .form(&[("_csrf", token.as_str())])
                                .send()
                                .await
                                .unwrap()
                        };
                        (res.status().as_u16(), res.text().await.unwrap())
                    }
                };
                let (sa, ba) = answer(a.clone()).await;
                let (sb, bb) = answer(b.clone()).await;
                compared += 1;
                if sa != sb || ba != bb {
                    differences.push(format!(
                        "{user} {method} {a} → {sa} but {b} → {sb}{}",
                        if sa == sb { " (pages differ)" } else { "" }
                    ));
                }
                assert!(sa < 500, "{user} {method} {a} → {sa}");
            }
        }
    }
    assert!(compared > 150, "{compared} pairs compared");
    println!("{compared} pairs of a foreign and a missing id compared, all alike");
    assert!(
        differences.is_empty(),
        "answers that tell a foreign row from a missing one:\n{}",
        differences.join("\n")
    );
}
