//! 专题支委会 and challenging a clean answer (issue 15 items 1 and 5). In the demo, branch 1
//! (secretary1, committee 1) is 已提交 with its meeting recorded and 未发现问题 on 1(1) although
//! its term ended 40 days ago; branch 2 (secretary2) is 填报中 with no meeting yet. Branch 1's
//! data: 5 支委, 18 正式党员.

mod common;

use common::*;
use reqwest::multipart::{Form as Multipart, Part};
use reqwest::{Client, StatusCode};

async fn save_meeting(
    app: &TestApp, c: &Client, branch: i64, fields: &[(&str, &str)], file: Option<&str>,
) -> reqwest::Response {
    let page = format!("/branches/{branch}/meeting");
    let token = app.csrf(c, &format!("/branches/{branch}")).await;
    let mut form = Multipart::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some(name) = file {
        form = form.part("files", Part::bytes(PNG.to_vec()).file_name(name.to_string()));
    }
    c.post(app.url(&format!("{page}?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn held<'a>(on: &'a str, present: &'a str, expected: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("held", "yes"),
        ("held_on", on),
        ("kind", "committee"),
        ("chair", "李堃"),
        ("present", present),
        ("expected", expected),
        ("topics", "学习通知，逐项对照问题台账查摆"),
        ("decisions", ""),
        ("version", "0"),
    ]
}

#[tokio::test]
async fn a_branch_records_its_meeting_before_it_may_submit() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let res = app.post_form(&s, "/branches/2/submit", "/branches/2", &[]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = visible_text(&res.text().await.unwrap());
    assert!(page.contains("还没有记录专题支委会"), "{page}");

    // Branch 2's data: 3 支委 (demo). One present, and a date before the notice: refused, kept.
    let on = day(-5);
    let res = save_meeting(&app, &s, 2, &held(&on, "1", "3"), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        visible_text(&html).contains("未超过应到人数（3人）的半数"),
        "{}",
        visible_text(&html)
    );
    assert!(
        html.contains("学习通知，逐项对照问题台账查摆"),
        "what was typed is kept"
    );
    let mut absent = held(&on, "2", "3");
    absent.retain(|(k, _)| *k != "absentees");
    let res = save_meeting(&app, &s, 2, &absent, None).await;
    assert!(visible_text(&res.text().await.unwrap()).contains("请填写缺席人员及原因"));
    let res = save_meeting(&app, &s, 2, &held(&day(-30), "3", "3"), None).await;
    assert!(visible_text(&res.text().await.unwrap()).contains("之后召开"));

    let res = save_meeting(&app, &s, 2, &held(&on, "3", "3"), Some("会议记录.png")).await;
    assert_eq!(location(&res), "/branches/2#meeting");
    let ledger = visible_text(&app.get(&s, "/branches/2").await.text().await.unwrap());
    assert!(ledger.contains(&format!("{on} 召开支委会，到会支委3/3人")), "{ledger}");
    assert!(ledger.contains("会议记录.png"));
    let res = app.post_form(&s, "/branches/2/submit", "/branches/2", &[]).await;
    let page = visible_text(&res.text().await.unwrap());
    assert!(!page.contains("还没有记录专题支委会"), "{page}");

    // The lists' 最近更新 counts the meeting record as a change of the branch.
    let mut raw = raw_connection(&app).await;
    sqlx::query("UPDATE branch_meetings SET updated_at = datetime('now', '+1 hour') WHERE branch_id = 2")
        .execute(&mut raw)
        .await
        .unwrap();
    let later: String = sqlx::query_scalar("SELECT updated_at FROM branch_meetings WHERE branch_id = 2")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    let today = duizhang::domain::dates::today();
    let rows = duizhang::db::progress::branches_judged(
        &app.db.read,
        campus(&app).await,
        duizhang::domain::CampaignId(1),
        today,
        today,
    )
    .await
    .unwrap();
    let two = rows.iter().find(|r| r.branch_id.0 == 2).unwrap();
    assert_eq!(two.last_change.as_deref(), Some(later.as_str()));

    // Its committee sees it; the other committee does not, nor its file.
    let r = app.login("reviewer1").await;
    let seen = app.get(&r, "/branches/2").await.text().await.unwrap();
    assert!(visible_text(&seen).contains("召开支委会"));
    let file = seen
        .split("/branches/2/meeting/evidence/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let url = format!("/branches/2/meeting/evidence/{file}");
    assert_eq!(app.get(&r, &url).await.status(), StatusCode::OK);
    let r2 = app.login("reviewer2").await;
    assert_eq!(app.get(&r2, &url).await.status(), StatusCode::NOT_FOUND);

    // Not held: a reason is needed, and given it counts as recorded.
    let res = save_meeting(
        &app,
        &s,
        2,
        &[("held", "no"), ("not_held_reason", ""), ("version", "1")],
        None,
    )
    .await;
    assert!(visible_text(&res.text().await.unwrap()).contains("请填写未召开的原因"));
}

#[tokio::test]
async fn a_clean_answer_and_the_meeting_are_returned_and_come_back_on_resubmission() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    // Item 1 is 1(1), answered 未发现问题 against the branch's data.
    let page = app.get(&r, "/branches/1").await.text().await.unwrap();
    let version = page
        .split("/branches/1/items/1/review#item-1")
        .nth(1)
        .map(|rest| hidden_value(rest, "version"))
        .unwrap();
    let empty = app
        .post_form(
            &r,
            "/branches/1/items/1/review",
            "/branches/1",
            &[("decision", "return"), ("comment", " "), ("version", &version)],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    assert!(visible_text(&empty.text().await.unwrap()).contains("请填写退回意见"));
    let res = app
        .post_form(
            &r,
            "/branches/1/items/1/review",
            "/branches/1",
            &[
                ("decision", "return"),
                ("comment", "任期已满未换届，请如实查摆"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(location(&res), "/branches/1#item-1");
    // An answer of 存在问题 is judged through its findings (item 6 is 2(1), 存在问题).
    let problem = app
        .post_form(
            &r,
            "/branches/1/items/6/review",
            "/branches/1",
            &[("decision", "return"), ("comment", "不对"), ("version", "1")],
        )
        .await;
    assert_eq!(problem.status(), StatusCode::BAD_REQUEST);
    assert!(visible_text(&problem.text().await.unwrap()).contains("请对其下的查摆问题逐条审核"));

    // The branch does not see the draft return.
    let s = app.login("secretary1").await;
    let own = visible_text(&app.get(&s, "/branches/1").await.text().await.unwrap());
    assert!(!own.contains("任期已满未换届"), "{own}");
    assert!(!own.contains("退回了"), "not even a count of the draft returns: {own}");

    // Signing off is refused while the answer is returned; sending back is allowed although no
    // finding is returned.
    let sign = app
        .post_form(
            &r,
            "/branches/1/sign-off",
            "/branches/1",
            &[("four_0", "1"), ("four_1", "1"), ("four_2", "1"), ("four_3", "1")],
        )
        .await;
    assert_eq!(sign.status(), StatusCode::BAD_REQUEST);
    let res = app.post_form(&r, "/branches/1/return", "/branches/1", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());

    let own = visible_text(&app.get(&s, "/branches/1").await.text().await.unwrap());
    assert!(own.contains("任期已满未换届，请如实查摆"), "{own}");
    assert!(own.contains("作答已退回"));

    // Resubmitted, the answer is pending again and its return is in its history.
    let res = app.post_form(&s, "/branches/1/submit", "/branches/1", &[]).await;
    assert_eq!(location(&res), "/branches/1");
    let again = visible_text(&app.get(&r, "/branches/1").await.text().await.unwrap());
    assert!(!again.contains("作答已退回"), "{again}");
    assert!(
        again.contains("上次退回意见：任期已满未换届，请如实查摆 党支部未修改作答"),
        "the reviewer sees the answer came back unchanged: {again}"
    );
    let own = visible_text(&app.get(&s, "/branches/1").await.text().await.unwrap());
    assert!(!own.contains("上次退回意见"), "the branch's page stays as it was");
    assert!(again.contains("审核对账查摆作答"), "audited: {again}");

    // The meeting record is returned the same way.
    let page = app.get(&r, "/branches/1").await.text().await.unwrap();
    let version = page
        .split("/branches/1/meeting/review#meeting")
        .nth(1)
        .map(|rest| hidden_value(rest, "version"))
        .unwrap();
    let res = app
        .post_form(
            &r,
            "/branches/1/meeting/review",
            "/branches/1",
            &[
                ("decision", "return"),
                ("comment", "请上传会议记录"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(location(&res), "/branches/1#meeting");
    // Not even through a meeting form sent from a page left open: a locked ledger refuses it
    // before reading it, so no page with the record's history comes back.
    let res = save_meeting(&app, &s, 1, &[("held", "maybe"), ("version", "1")], None).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(!res.text().await.unwrap().contains("请上传会议记录"));
    let res = app.post_form(&r, "/branches/1/return", "/branches/1", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let own = visible_text(&app.get(&s, "/branches/1").await.text().await.unwrap());
    assert!(own.contains("请上传会议记录"), "{own}");
}
