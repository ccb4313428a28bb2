//! 督查: the 组织部 records a 现场调研 and puts what it found into a signed-off branch ledger; the
//! branch answers it with measures and hands the row in on its own, the sign-off staying; the
//! committee decides that row alone; until it is approved it costs 五星级 eligibility.

mod common;

use common::*;
use reqwest::StatusCode;

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

const LIST: &str = "/overview/inspections";

/// A signed-off demo branch, its secretary and its committee's reviewer.
async fn signed_off_branch(app: &TestApp) -> (i64, String, String) {
    sqlx::query_as(
        "SELECT bl.branch_id, s.username, r.username FROM branch_ledgers bl
         JOIN branches b ON b.id = bl.branch_id
         JOIN users s ON s.branch_id = b.id JOIN users r ON r.committee_id = b.committee_id AND r.role = 'reviewer'
         JOIN campaigns c ON c.id = bl.campaign_id AND c.is_current = 1
         WHERE bl.state = 'signed_off' AND b.level = 'branch' ORDER BY bl.branch_id LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap()
}

async fn ledger_state(app: &TestApp, branch: i64) -> String {
    sqlx::query_scalar(
        "SELECT bl.state FROM branch_ledgers bl JOIN campaigns c ON c.id = bl.campaign_id AND c.is_current = 1
         WHERE bl.branch_id = ?",
    )
    .bind(branch)
    .fetch_one(&app.db.read)
    .await
    .unwrap()
}

async fn reasons_of(app: &TestApp, overseer: &reqwest::Client, branch_name: &str) -> String {
    let xlsx = xlsx_strings(app, overseer, "/overview/ineligible.xlsx").await;
    xlsx.lines()
        .skip_while(|l| !l.contains(branch_name))
        .take(8)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn an_inspection_finding_on_a_signed_off_ledger_is_answered_and_reviewed_on_its_own() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let (branch, secretary, reviewer) = signed_off_branch(&app).await;
    let branch_name: String = sqlx::query_scalar("SELECT name FROM branches WHERE id = ?")
        .bind(branch)
        .fetch_one(&app.db.read)
        .await
        .unwrap();

    // A record refused by its fields keeps what was typed.
    let res = app
        .post_form(
            &o,
            LIST,
            LIST,
            &[
                ("kind", ""),
                ("held_on", &day(3)),
                ("participants", "组织部 王玥"),
                ("found", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    for message in [
        "请选择督查方式",
        "督查日期不能晚于今天",
        "请填写督查发现的情况",
        "请至少选择一个督查对象",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(html.contains("组织部 王玥"), "what was typed is kept");

    // Recorded.
    let unit = format!("unit_{branch}");
    let res = app
        .post_form(
            &o,
            LIST,
            LIST,
            &[
                ("kind", "field_visit"),
                ("held_on", &day(-2)),
                ("participants", "组织部 王玥、李想"),
                ("found", "三会一课记录不全；主题党日记录缺少签到"),
                (&unit, "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let record = location(&res);
    assert!(record.starts_with("/overview/inspections/"), "{record}");
    let page = visible_text(&body(app.get(&o, LIST).await).await);
    assert!(page.contains("现场调研") && page.contains(&day(-2)), "{page}");

    // Raising a problem: a unit the inspection did not cover is refused by its field.
    let category: i64 = sqlx::query_scalar(
        "SELECT lc.id FROM ledger_categories lc JOIN campaigns c ON c.id = lc.campaign_id AND c.is_current = 1
         ORDER BY lc.position LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let other = (branch % 7 + 1).to_string();
    let raise = format!("{record}/findings");
    let res = app
        .post_form(
            &o,
            &raise,
            &record,
            &[
                ("unit", &other),
                ("category_id", &category.to_string()),
                ("text", "主题党日无签到"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("请选择本次督查覆盖的一个单位") && html.contains("主题党日无签到"));
    let text = "主题党日活动记录缺少签到，督查时无法核实参加人数";
    let res = app
        .post_form(
            &o,
            &raise,
            &record,
            &[
                ("unit", &branch.to_string()),
                ("category_id", &category.to_string()),
                ("text", text),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, finding) = demo_finding(&app, text).await;
    assert_eq!(ledger_state(&app, branch).await, "signed_off", "the sign-off stays");

    // Its secretary is told, with a link to the finding.
    let told: (String, String) = sqlx::query_as(
        "SELECT n.subject, n.link FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE u.username = ? ORDER BY n.id DESC LIMIT 1",
    )
    .bind(&secretary)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(
        told,
        (
            "【督查发现】组织部督查发现的问题已列入台账".to_string(),
            format!("/branches/{branch}/findings/{finding}")
        )
    );

    // It counts for eligibility at once.
    let reasons = reasons_of(&app, &o, &branch_name).await;
    assert!(reasons.contains("督查发现的问题有 1 条"), "{reasons}");

    // The branch sees it as 督查发现·待整改 and is asked to answer it.
    let s = app.login(&secretary).await;
    let ledger = format!("/branches/{branch}");
    let page = visible_text(&body(app.get(&s, &ledger).await).await);
    assert!(page.contains("督查发现·待整改") && page.contains(text), "{page}");
    assert!(page.contains("组织部督查发现的问题 1 条列入本台账"), "{page}");
    let finding_page = format!("/branches/{branch}/findings/{finding}");
    let html = body(app.get(&s, &finding_page).await).await;
    assert!(visible_text(&html).contains("组织部督查发现（"), "its origin is named");
    assert!(
        html.contains("添加整改措施"),
        "measures are planned on a signed-off ledger"
    );

    // Its text is the 组织部's: not rewritten.
    let version = hidden_value(&html[html.find("/hand-in").unwrap()..], "version");
    let res = app
        .post_form(
            &s,
            &finding_page,
            &finding_page,
            &[("text", "改写"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Handing in with no measure is refused; a measure is added; handed in.
    let hand_in = format!("{finding_page}/hand-in");
    let res = app
        .post_form(&s, &hand_in, &finding_page, &[("version", &version)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(body(res).await.contains("至少一条整改措施"));
    let res = app
        .post_form(
            &s,
            &format!("{finding_page}/measures"),
            &finding_page,
            &[
                ("text", "补建主题党日签到制度，每次活动当场签到"),
                ("deadline", &day(20)),
                ("owner", "组织委员"),
                ("kind", "planned"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        ledger_state(&app, branch).await,
        "signed_off",
        "planning did not reopen the ledger"
    );
    let html = body(app.get(&s, &finding_page).await).await;
    let version = hidden_value(&html[html.find("/hand-in").unwrap()..], "version");
    let res = app
        .post_form(&s, &hand_in, &finding_page, &[("version", &version)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = body(app.get(&s, &finding_page).await).await;
    assert!(visible_text(&html).contains("已提交，等待上级党组织审核"));
    let told: String = sqlx::query_scalar(
        "SELECT n.subject FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = ? ORDER BY n.id DESC LIMIT 1",
    )
    .bind(&reviewer)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert!(
        told.starts_with("【待审核】") && told.ends_with("提交了督查发现的整改措施"),
        "{told}"
    );
    assert!(
        !html.contains("添加整改措施"),
        "handed in: the plan waits for the decision"
    );

    // The committee finds it waiting, returns it once, then approves it.
    let r = app.login(&reviewer).await;
    let committee: i64 = sqlx::query_scalar("SELECT committee_id FROM branches WHERE id = ?")
        .bind(branch)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let page = visible_text(&body(app.get(&r, &format!("/committees/{committee}")).await).await);
    assert!(page.contains("督查发现 1"), "{page}");
    let review = format!("/branches/{branch}/review");
    let html = body(app.get(&r, &review).await).await;
    assert!(visible_text(&html).contains(text), "the review screen shows the row");
    let decide = format!("/branches/{branch}/findings/{finding}/review");
    let version = hidden_value(&html[html.find(&decide).unwrap()..], "version");
    let res = app
        .post_form(
            &r,
            &decide,
            &review,
            &[
                ("decision", "return"),
                ("comment", "请写明签到表由谁保管"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(ledger_state(&app, branch).await, "signed_off");
    let html = body(app.get(&s, &finding_page).await).await;
    assert!(
        html.contains("请写明签到表由谁保管") && html.contains("添加整改措施"),
        "returned: plannable again"
    );
    let version = hidden_value(&html[html.find("/hand-in").unwrap()..], "version");
    let res = app
        .post_form(&s, &hand_in, &finding_page, &[("version", &version)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = body(app.get(&r, &review).await).await;
    let version = hidden_value(&html[html.find(&decide).unwrap()..], "version");
    let res = app
        .post_form(&r, &decide, &review, &[("decision", "approve"), ("version", &version)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(ledger_state(&app, branch).await, "signed_off");
    let state: String = sqlx::query_scalar("SELECT review_state FROM findings WHERE id = ?")
        .bind(finding)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(state, "approved");
    // The unit hears of it at once; its measures' deadlines are now moved only by a 延期申请.
    let told: String = sqlx::query_scalar(
        "SELECT n.subject FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = ? ORDER BY n.id DESC LIMIT 1",
    )
    .bind(&secretary)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(told, "【已通过】督查发现的整改措施已审核通过");
    let unlocked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM measures WHERE finding_id = ? AND original_deadline IS NULL")
            .bind(finding)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    assert_eq!(unlocked, 0, "approved alone: deadlines locked");
    let reasons = reasons_of(&app, &o, &branch_name).await;
    assert!(!reasons.contains("督查发现"), "approved: no longer a reason: {reasons}");

    // The record lists what it raised and how it stands.
    let page = visible_text(&body(app.get(&o, &record).await).await);
    assert!(
        page.contains(text) && page.contains("已通过；整改措施 1 条，已销号 0 条"),
        "{page}"
    );
}

#[tokio::test]
async fn only_the_overseer_records_inspections_and_a_row_is_decided_only_once_handed_in() {
    let app = spawn_demo().await;
    let (branch, secretary, reviewer) = signed_off_branch(&app).await;
    for who in [&secretary, &reviewer] {
        let c = app.login(who).await;
        let res = app.get(&c, LIST).await;
        assert!(
            matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{who}: {}",
            res.status()
        );
    }
    // A finding raised through the action; the reviewer may not decide it before it is handed in.
    let o = app.login("overseer").await;
    let unit = format!("unit_{branch}");
    let res = app
        .post_form(
            &o,
            LIST,
            LIST,
            &[
                ("kind", "document_review"),
                ("held_on", &day(-1)),
                ("participants", "组织部"),
                ("found", "资料不全"),
                (&unit, "on"),
            ],
        )
        .await;
    let record = location(&res);
    let category: i64 = sqlx::query_scalar(
        "SELECT lc.id FROM ledger_categories lc JOIN campaigns c ON c.id = lc.campaign_id AND c.is_current = 1 LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    app.post_form(
        &o,
        &format!("{record}/findings"),
        &record,
        &[
            ("unit", &branch.to_string()),
            ("category_id", &category.to_string()),
            ("text", "档案缺页"),
        ],
    )
    .await;
    let (_, finding) = demo_finding(&app, "档案缺页").await;
    let r = app.login(&reviewer).await;
    let version: String = sqlx::query_scalar("SELECT CAST(version AS TEXT) FROM findings WHERE id = ?")
        .bind(finding)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let res = app
        .post_form(
            &r,
            &format!("/branches/{branch}/findings/{finding}/review"),
            &format!("/branches/{branch}"),
            &[("decision", "approve"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        visible_text(&html).contains("党支部尚未提交这条督查发现的整改措施"),
        "said at the top"
    );
    assert!(
        !html.contains("<details open>\n      <summary>重新打开本台账"),
        "not in the reopen form"
    );
    // Raised into a ledger under review (branch 1, submitted), it has no plan: not approved.
    let unit = "unit_1";
    let res = app
        .post_form(
            &o,
            LIST,
            LIST,
            &[
                ("kind", "supervision"),
                ("held_on", &day(-1)),
                ("participants", "组织部"),
                ("found", "x"),
                (unit, "on"),
            ],
        )
        .await;
    let second = location(&res);
    app.post_form(
        &o,
        &format!("{second}/findings"),
        &second,
        &[
            ("unit", "1"),
            ("category_id", &category.to_string()),
            ("text", "会议记录缺页"),
        ],
    )
    .await;
    let (_, raised) = demo_finding(&app, "会议记录缺页").await;
    let r1 = app.login("reviewer1").await;
    let v: String = sqlx::query_scalar("SELECT CAST(version AS TEXT) FROM findings WHERE id = ?")
        .bind(raised)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let res = app
        .post_form(
            &r1,
            &format!("/branches/1/findings/{raised}/review"),
            "/branches/1",
            &[("decision", "approve"), ("version", &v)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("还没有整改措施，不能通过"));
    // Nor may the branch delete it.
    let s = app.login(&secretary).await;
    let res = app
        .post_form(
            &s,
            &format!("/branches/{branch}/findings/{finding}/delete"),
            &format!("/branches/{branch}"),
            &[("version", &version), ("measures", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
