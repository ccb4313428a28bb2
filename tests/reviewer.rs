//! The 党总支 reviewer's work through the real server: row review, sending back, sign-off against
//! the 四个到位, reopening, 销号 decisions, 附件3, 催办 — and another committee seeing none of it.

mod common;

use common::*;
use duizhang::db;
use duizhang::domain::{BranchId, CampaignId};
use reqwest::{Client, StatusCode};

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

async fn review_row(
    app: &TestApp, c: &Client, branch: i64, finding: i64, decision: &str, comment: &str,
) -> reqwest::Response {
    let version = db::findings::get(&app.db.read, campus(app).await, duizhang::domain::FindingId(finding))
        .await
        .unwrap()
        .unwrap()
        .version;
    let path = format!("/branches/{branch}/findings/{finding}/review");
    app.post_form(
        c,
        &path,
        &format!("/branches/{branch}"),
        &[
            ("decision", decision),
            ("comment", comment),
            ("version", &version.to_string()),
        ],
    )
    .await
}

async fn ledger_state(app: &TestApp, branch: i64) -> String {
    db::ledger::ledger_state(&app.db.read, campus(app).await, CampaignId(1), BranchId(branch))
        .await
        .unwrap()
        .code()
        .to_string()
}

#[tokio::test]
async fn a_row_is_returned_fixed_resubmitted_approved_and_signed_off() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    assert!(body(app.get(&r, "/branches/1").await).await.contains("审核本支部台账"));

    // Returning needs a comment, and the comment typed is kept when refused.
    let res = review_row(&app, &r, 1, 1, "return", "").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("请填写退回意见"));
    let res = review_row(&app, &r, 1, 1, "return", "请写明4月、6月未开支委会的原因及补救情况").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for f in 2..=5 {
        assert_eq!(
            review_row(&app, &r, 1, f, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    // Sign-off is refused while a row is returned; the ledger goes back instead.
    let res = app
        .post_form(
            &r,
            "/branches/1/sign-off",
            "/branches/1",
            &[("four_0", "1"), ("four_1", "1"), ("four_2", "1"), ("four_3", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("未审核通过"));
    assert_eq!(
        app.post_form(&r, "/branches/1/return", "/branches/1", &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(ledger_state(&app, 1).await, "returned");

    // The secretary sees the comment (and a badge), fixes the row and resubmits.
    let s = app.login("secretary1").await;
    let page = body(app.get(&s, "/branches/1").await).await;
    assert!(page.contains("请写明4月、6月未开支委会的原因及补救情况"));
    assert!(page.contains("class=\"count\""), "a badge for the returned row");
    let f1 = "/branches/1/findings/1";
    let version = db::findings::get(&app.db.read, campus(&app).await, duizhang::domain::FindingId(1))
        .await
        .unwrap()
        .unwrap()
        .version;
    let res = app
        .post_form(
            &s,
            f1,
            f1,
            &[
                ("text", "4月、6月因疫情封控未召开支委会，已于9月补开并形成记录。"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.post_form(&s, "/branches/1/submit", "/branches/1", &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    // Approve it; sign-off needs all four of the 四个到位.
    assert_eq!(
        review_row(&app, &r, 1, 1, "approve", "").await.status(),
        StatusCode::SEE_OTHER
    );
    let res = app
        .post_form(
            &r,
            "/branches/1/sign-off",
            "/branches/1",
            &[("four_0", "1"), ("four_1", "1"), ("comment", "同意")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("责任明确到位、整改落实到位"));
    assert!(html.contains("同意"), "the comment typed is kept");
    let res = app
        .post_form(
            &r,
            "/branches/1/sign-off",
            "/branches/1",
            &[
                ("four_0", "1"),
                ("four_1", "1"),
                ("four_2", "1"),
                ("four_3", "1"),
                ("comment", "同意"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(ledger_state(&app, 1).await, "signed_off");
    let page = visible_text(&body(app.get(&s, "/branches/1").await).await);
    assert!(page.contains("审核签字人：周国栋"), "signer shown");
    assert!(page.contains("问题查摆到位") && page.contains("整改落实到位"));

    // Locked for the branch; reopened only with a reason.
    let res = app.post_form(&s, f1, f1, &[("text", "再改"), ("version", "9")]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .post_form(&r, "/branches/1/reopen", "/branches/1", &[("reason", " ")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_form(
            &r,
            "/branches/1/reopen",
            "/branches/1",
            &[("reason", "回头看：补充会议记录")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(ledger_state(&app, 1).await, "returned");
    assert!(
        body(app.get(&s, "/branches/1").await)
            .await
            .contains("回头看：补充会议记录")
    );
    // Every step is on the ledger's record.
    let history = db::audit::branch_history(&app.db.read, campus(&app).await, BranchId(1))
        .await
        .unwrap();
    let actions: Vec<&str> = history
        .iter()
        .filter(|h| h.action.entity() == "branch_ledgers")
        .map(|h| h.action.code())
        .collect();
    assert_eq!(
        actions,
        ["ledger.reopen", "ledger.sign_off", "ledger.submit", "ledger.return"]
    );
}

#[tokio::test]
async fn close_out_is_confirmed_or_rejected_with_a_reason_the_branch_sees() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let queue = visible_text(&body(app.get(&r, "/committees/1/close-outs").await).await);
    assert!(
        queue.contains("2名积极分子已重新提交申请书"),
        "measure 4's note is in the queue"
    );

    let decide = |m: i64, decision: &'static str, comment: &'static str| {
        let (app, r) = (&app, &r);
        async move {
            let v = db::measures::get(&app.db.read, campus(app).await, duizhang::domain::MeasureId(m))
                .await
                .unwrap()
                .unwrap()
                .version;
            let path = format!("/branches/1/measures/{m}/close-out/decide");
            app.post_form(
                r,
                &path,
                "/branches/1/findings/2",
                &[
                    ("decision", decision),
                    ("comment", comment),
                    ("version", &v.to_string()),
                ],
            )
            .await
        }
    };
    assert_eq!(decide(4, "confirm", "").await.status(), StatusCode::SEE_OTHER);
    let m4 = db::measures::get(&app.db.read, campus(&app).await, duizhang::domain::MeasureId(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m4.status.code(), "closed_out");
    // The secretary is told, with the measure's page.
    let told: (String, String) = sqlx::query_as(
        "SELECT n.subject, n.link FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE u.username = 'secretary1' ORDER BY n.id DESC LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert!(
        told.0.starts_with("【已销号】") && told.1 == "/branches/1/measures/4",
        "{told:?}"
    );
    let res = decide(7, "reject", "").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("请填写不予销号的原因"));
    assert_eq!(
        decide(7, "reject", "截图看不清活动类型，请重新上传").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        decide(7, "confirm", "").await.status(),
        StatusCode::BAD_REQUEST,
        "nothing to confirm any more"
    );

    let s = app.login("secretary1").await;
    let page = visible_text(&body(app.get(&s, "/branches/1/findings/4").await).await);
    assert!(
        page.contains("不予销号的原因：截图看不清活动类型，请重新上传"),
        "{page}"
    );
    assert!(page.contains("整改中"));
    // Secretaries cannot close off.
    let res = app
        .post_form(
            &s,
            "/branches/1/measures/6/close-out/decide",
            "/branches/1",
            &[("decision", "confirm"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_committee_sees_and_changes_nothing() {
    let app = spawn_demo().await;
    let r2 = app.login("reviewer2").await;
    for path in [
        "/branches/1",
        "/branches/1/findings/1",
        "/committees/1",
        "/committees/1/report",
        "/committees/1/close-outs",
        "/committees/1/reminders",
    ] {
        assert_eq!(app.get(&r2, path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = app
        .post_form(
            &r2,
            "/branches/1/findings/1/review",
            "/branches/4",
            &[("decision", "approve"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .post_form(
            &r2,
            "/branches/1/sign-off",
            "/branches/4",
            &[("four_0", "1"), ("four_1", "1"), ("four_2", "1"), ("four_3", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(ledger_state(&app, 1).await, "submitted");
}

#[tokio::test]
async fn the_report_is_drafted_from_the_ledgers_edited_signed_and_reopened() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let draft = visible_text(&body(app.get(&r, "/committees/1/report?draft=1").await).await);
    assert!(draft.contains("所属3个党支部"), "{draft}");
    assert!(draft.contains("组织生活制度执行不严格方面"));
    assert!(draft.contains("尚未保存"));

    let sections = [
        ("work_done", "一、本党委召开专题会议部署。"),
        ("problems", "二、查摆问题10条。"),
        ("next_steps", "三、逐条整改销号。"),
        ("version", "0"),
    ];
    assert_eq!(
        app.post_form(&r, "/committees/1/report", "/committees/1/report", &sections)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // Signed by the committee's 负责人 (reviewer1), confirming its branches not yet signed off.
    let seen = unsigned_seen(&app, &r, 1).await;
    let sign = |date: String, problems: &'static str| {
        let (app, r, seen) = (&app, &r, &seen);
        async move {
            let form = [
                ("work_done", "一、本党委召开专题会议部署。"),
                ("problems", problems),
                ("next_steps", "三、逐条整改销号。"),
                ("confirm_unsigned", "1"),
                ("unsigned_seen", seen),
                ("signed_on", &date),
                ("version", "1"),
            ];
            app.post_form(r, "/committees/1/report/sign", "/committees/1/report", &form)
                .await
        }
    };
    let res = sign(String::new(), "二、查摆问题10条。").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        html.contains("请填写报告日期") && html.contains("二、查摆问题10条。"),
        "text kept"
    );
    // What is signed is what is on the screen, edited or not since the last save.
    let res = sign(day(0), "二、查摆问题10条（签字前又改过）。").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&r, "/committees/1/report").await).await);
    assert!(page.contains("二、查摆问题10条（签字前又改过）。"));
    let page = visible_text(&body(app.get(&r, "/committees/1/report").await).await);
    assert!(page.contains("已签字") && page.contains(&day_words(0)));
    // Locked: a save is refused; reopening needs a reason and is recorded.
    let res = app
        .post_form(
            &r,
            "/committees/1/report",
            "/committees/1/report",
            &[("work_done", "签字后才写的一段"), ("version", "3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        body(res).await.contains("签字后才写的一段"),
        "the text sent is kept to copy"
    );
    let res = app
        .post_form(
            &r,
            "/committees/1/report/reopen",
            "/committees/1/report",
            &[("reason", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_form(
            &r,
            "/committees/1/report/reopen",
            "/committees/1/report",
            &[("reason", "补充第二支部情况")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&r, "/committees/1/report").await).await);
    assert!(page.contains("草稿") && page.contains("补充第二支部情况"));
    assert!(
        page.contains("修改记录（4）"),
        "save, save with signature, sign, reopen are recorded"
    );
}

#[tokio::test]
async fn the_committee_page_puts_what_waits_first_and_lists_reminders() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let html = body(app.get(&r, "/committees/1").await).await;
    let first = html.find("计算机科学与技术系教工党支部").unwrap();
    let other = html.find("软件工程系教工党支部").unwrap();
    assert!(first < other, "the submitted branch (waiting for review) comes first");
    assert!(html.contains("待审核"));
    let sorted = body(app.get(&r, "/committees/1?sort=name").await).await;
    assert!(sorted.contains("<strong>支部名称</strong>"));

    let reminders = visible_text(&body(app.get(&r, "/committees/1/reminders").await).await);
    assert!(reminders.contains("组织委员 李明"), "owner of an overdue measure");
    assert!(reminders.contains("已超过 4 天"), "{reminders}");
    assert!(
        !reminders.contains("对雷同的入党申请书约谈当事人"),
        "due in 15 days: not yet"
    );
    // Due in 20 days, but its milestone “支委会审议通过工作计划” was due yesterday.
    assert!(reminders.contains("“三会一课”工作计划"), "{reminders}");
    assert!(reminders.contains("进度节点"), "{reminders}");
}

#[tokio::test]
async fn an_approved_row_changed_by_the_branch_must_be_reviewed_again() {
    let app = spawn_demo().await;
    // Branch 3 is returned; finding 9 was approved. The branch rewrites it.
    let s = app.login("secretary3").await;
    let page = "/branches/3/findings/9";
    let v = db::findings::get(&app.db.read, campus(&app).await, duizhang::domain::FindingId(9))
        .await
        .unwrap()
        .unwrap()
        .version;
    let res = app
        .post_form(
            &s,
            page,
            page,
            &[("text", "（已改写）谈心谈话情况良好。"), ("version", &v.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let f9 = db::findings::get(&app.db.read, campus(&app).await, duizhang::domain::FindingId(9))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f9.review_state.code(), "pending", "the approval lapses with the change");
    // A measure's plan counts too: finding 10 (approved) gets a new measure.
    let f10 = "/branches/3/findings/10";
    app.post_form(
        &s,
        &format!("{f10}/measures"),
        f10,
        &[("text", "另建档案目录"), ("owner", "王玥"), ("deadline", &day(10))],
    )
    .await;
    let f10 = db::findings::get(&app.db.read, campus(&app).await, duizhang::domain::FindingId(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f10.review_state.code(), "pending");
}

#[tokio::test]
async fn row_decisions_reach_the_branch_only_when_the_ledger_is_sent_back() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    review_row(&app, &r, 1, 2, "return", "仅为草拟意见，尚在斟酌").await;
    let s = app.login("secretary1").await;
    let page = body(app.get(&s, "/branches/1").await).await;
    assert!(
        !page.contains("仅为草拟意见"),
        "a decision in progress stays with the committee"
    );
    assert!(!page.contains("class=\"count\""), "no badge yet");
    assert!(
        !body(app.get(&s, "/branches/1/findings/2").await)
            .await
            .contains("仅为草拟意见")
    );
    app.post_form(&r, "/branches/1/return", "/branches/1", &[]).await;
    assert!(body(app.get(&s, "/branches/1").await).await.contains("仅为草拟意见"));
}

#[tokio::test]
async fn a_refusal_after_the_ledger_moved_on_is_shown_with_the_text_typed() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    // Branch 3 is returned, not submitted: a sign-off from an old page is refused, visibly.
    let res = app
        .post_form(
            &r,
            "/branches/3/sign-off",
            "/branches/3",
            &[
                ("four_0", "1"),
                ("four_1", "1"),
                ("four_2", "1"),
                ("four_3", "1"),
                ("comment", "我的签字意见"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("现在不能审核") && html.contains("我的签字意见"), "{html}");
}

#[tokio::test]
async fn the_close_out_queue_shows_the_evidence_and_decides_in_place() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let queue = "/committees/1/close-outs";
    let html = app.get(&r, queue).await.text().await.unwrap();
    // Measure 4 of branch 1 waits with a photo: its thumbnail and both decisions are on the list.
    assert!(html.contains("id=\"close-out-4\""), "{html}");
    assert!(
        html.contains("<img src=\"/branches/1/evidence/"),
        "a thumbnail of the photo"
    );
    assert!(html.contains("action=\"/branches/1/measures/4/close-out/decide\""));
    assert!(html.contains("name=\"back\" value=\"/committees/1/close-outs\""));
    let res = app
        .post_form(
            &r,
            "/branches/1/measures/4/close-out/decide",
            queue,
            &[("decision", "confirm"), ("version", "1"), ("back", queue)],
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        "/committees/1/close-outs#close-outs",
        "back on the list"
    );
    let html = app.get(&r, queue).await.text().await.unwrap();
    assert!(visible_text(&html).contains("已确认销号"));
    assert!(!html.contains("id=\"close-out-4\""), "no longer waiting");
    // A `back` elsewhere is ignored: the finding's page, as before.
    let res = app
        .post_form(
            &r,
            "/branches/1/measures/7/close-out/decide",
            queue,
            &[
                ("decision", "reject"),
                ("comment", "证明材料不全"),
                ("version", "1"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/branches/1/findings/"),
        "{}",
        location(&res)
    );
}

#[tokio::test]
async fn all_rows_waiting_pass_at_once_as_seen_and_a_row_changed_meanwhile_is_left() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let html = app.get(&r, "/branches/1").await.text().await.unwrap();
    let rows = hidden_value(&html, "rows");
    let seen: Vec<&str> = rows.split(',').collect();
    assert!(seen.len() >= 2, "rows waiting on branch 1: {rows}");
    assert!(html.contains(&format!("全部通过（{} 条待审核）", seen.len())));
    // The branch's committee changes one row meanwhile (a second reviewer returns it).
    let (first, version) = seen[0].split_once(':').unwrap();
    let r2 = app.login("reviewer1").await;
    let page = format!("/branches/1/findings/{first}");
    let res = app
        .post_form(
            &r2,
            &format!("{page}/review"),
            "/branches/1",
            &[
                ("decision", "return"),
                ("comment", "请写明具体时间"),
                ("version", version),
            ],
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let res = app
        .post_form(&r, "/branches/1/approve-waiting", "/branches/1", &[("rows", &rows)])
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let html = app.get(&r, "/branches/1").await.text().await.unwrap();
    let text = visible_text(&html);
    assert!(
        text.contains(&format!("已通过 {} 条；另有 1 条在您打开页面后有变动", seen.len() - 1)),
        "{text}"
    );
    let states: Vec<(i64, String)> = sqlx::query_as("SELECT id, review_state FROM findings WHERE branch_id = 1")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    for (id, state) in states {
        let expected = if id.to_string() == first {
            "returned"
        } else {
            "approved"
        };
        if seen
            .iter()
            .any(|s| s.split(':').next() == Some(id.to_string().as_str()))
        {
            assert_eq!(state, expected, "finding {id}");
        }
    }
    assert!(!html.contains("全部通过（"), "nothing waits any more");
}

#[tokio::test]
async fn the_review_screen_holds_only_what_waits_and_shows_what_changed_since_a_return() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let finding_text = |id: i64| {
        let app = &app;
        async move {
            db::findings::get(&app.db.read, campus(app).await, duizhang::domain::FindingId(id))
                .await
                .unwrap()
                .unwrap()
                .text
        }
    };
    // Branch 1 handed in: row 1 returned, the others approved, the ledger sent back.
    assert_eq!(
        review_row(&app, &r, 1, 1, "return", "请写明补开支委会的时间")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    for f in 2..=5 {
        assert_eq!(
            review_row(&app, &r, 1, f, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let approved_text = finding_text(2).await;
    let returned = app.post_form(&r, "/branches/1/return", "/branches/1", &[]).await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);

    // The branch rewrites row 1 and hands the ledger in again.
    let s = app.login("secretary1").await;
    let before = finding_text(1).await;
    let version = db::findings::get(&app.db.read, campus(&app).await, duizhang::domain::FindingId(1))
        .await
        .unwrap()
        .unwrap()
        .version;
    let after = "4月、6月支委会因集中培训未召开，已于9月补开并形成记录。";
    let f1 = "/branches/1/findings/1";
    let saved = app
        .post_form(&s, f1, f1, &[("text", after), ("version", &version.to_string())])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let submitted = app.post_form(&s, "/branches/1/submit", "/branches/1", &[]).await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);

    // The count of rows waiting links to the review screen, which holds row 1 and not the
    // approved ones, with its text before → after.
    let ledger = body(app.get(&r, "/branches/1").await).await;
    assert!(
        ledger.contains("href=\"/branches/1/review\">待审核 1</a>"),
        "the count links to the screen"
    );
    let committee = body(app.get(&r, "/committees/1").await).await;
    assert!(committee.contains("href=\"/branches/1/review\""));
    let screen = body(app.get(&r, "/branches/1/review").await).await;
    let text = visible_text(&screen);
    assert!(text.contains("审核：") && text.contains(after), "{text}");
    assert!(!text.contains(&approved_text), "an approved row is not on the screen");
    assert!(text.contains("退回后党支部的修改"));
    assert!(
        screen.contains(&format!("<del>{before}</del> → <ins>{after}</ins>")),
        "the row's text before and after"
    );
    assert!(screen.contains("action=\"/branches/1/findings/1/review?from=review#finding-1\""));
    assert!(screen.contains("action=\"/branches/1/approve-waiting?from=review#review\""));

    // 通过 on the screen comes back to the screen, which then says nothing is left.
    let version = hidden_value(&screen[screen.find("/findings/1/review").unwrap()..], "version");
    let res = app
        .post_form(
            &r,
            "/branches/1/findings/1/review?from=review",
            "/branches/1/review",
            &[("decision", "approve"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/branches/1/review#finding-1");
    let screen = visible_text(&body(app.get(&r, "/branches/1/review").await).await);
    assert!(!screen.contains(after), "a decided row leaves the screen");
    assert!(screen.contains("全部通过") || screen.contains("审核签字"));

    // A refused 退回 on the screen (no comment) shows the screen again, with its message.
    let item: i64 = sqlx::query_scalar(
        "SELECT s.ledger_item_id FROM self_checks s WHERE s.branch_id = 1 AND s.verdict <> 'problem' LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let res = app
        .post_form(
            &r,
            &format!("/branches/1/items/{item}/review?from=review"),
            "/branches/1/review",
            &[("decision", "return"), ("comment", " ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let refused = visible_text(&body(res).await);
    assert!(
        refused.contains("审核：") && refused.contains("请填写退回意见"),
        "{refused}"
    );

    // The secretary reads the screen but has nothing to decide on it.
    let theirs = visible_text(&body(app.get(&s, "/branches/1/review").await).await);
    assert!(theirs.contains("没有等待您审核的内容"), "{theirs}");
}

#[tokio::test]
async fn a_waiting_extension_is_decided_on_the_review_screen_of_its_ledger() {
    let app = spawn_demo().await;
    let (x, branch, version): (i64, i64, i64) =
        sqlx::query_as("SELECT id, branch_id, version FROM deadline_extensions WHERE state = 'pending' LIMIT 1")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    let reviewer: String = sqlx::query_scalar(
        "SELECT u.username FROM users u JOIN branches b ON b.committee_id = u.committee_id
         WHERE b.id = ? AND u.role = 'reviewer' ORDER BY u.id LIMIT 1",
    )
    .bind(branch)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let r = app.login(&reviewer).await;
    let screen_path = format!("/branches/{branch}/review");
    // The demo's waiting request is on a ledger handed in (branch 1).
    let screen = body(app.get(&r, &screen_path).await).await;
    assert!(
        screen.contains(&format!("/extensions/{x}/decide?from=review#extensions")),
        "{screen}"
    );
    let res = app
        .post_form(
            &r,
            &format!("/branches/{branch}/extensions/{x}/decide?from=review"),
            &screen_path,
            &[("decision", "approve"), ("version", &version.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{screen_path}#extensions"));
    let state: String = sqlx::query_scalar("SELECT state FROM deadline_extensions WHERE id = ?")
        .bind(x)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(state, "approved");
    let screen = body(app.get(&r, &screen_path).await).await;
    assert!(!screen.contains(&format!("/extensions/{x}/decide")));
}

#[tokio::test]
async fn a_waiting_extension_of_a_signed_off_ledger_is_on_its_review_screen() {
    let app = spawn_demo().await;
    // Branch 4 is signed off; its secretary asks for more time on a measure still open.
    let (measure, deadline): (i64, String) = sqlx::query_as(
        "SELECT m.id, m.deadline FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.branch_id = 4 AND m.status IN ('not_started', 'in_progress') AND m.deadline IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM deadline_extensions x WHERE x.measure_id = m.id AND x.state = 'pending')
         ORDER BY m.id LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let s = app.login("secretary4").await;
    let page = format!("/branches/4/measures/{measure}");
    let later = duizhang::domain::dates::parse_date(&deadline).unwrap() + time::Duration::days(20);
    let later = duizhang::domain::dates::format_date(later);
    let res = app
        .post_form(
            &s,
            &format!("{page}/extension"),
            &page,
            &[("requested", later.as_str()), ("reason", "需与共建单位商定时间")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);
    let r2 = app.login("reviewer2").await;
    let screen = body(app.get(&r2, "/branches/4/review").await).await;
    assert!(
        screen.contains("需与共建单位商定时间"),
        "the request waits on the screen"
    );
    assert!(screen.contains("/decide?from=review#extensions"));
    assert!(!visible_text(&screen).contains("没有等待您审核的内容"));
}
