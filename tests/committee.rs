//! The notice's duties of the 党总支（党委） itself: its own ledger items, answered as its own
//! 本级 unit and reviewed by the 组织部 (unit 8 is committee 1's in the demo).

mod common;

use common::*;
use reqwest::StatusCode;

const OWN: &str = "/branches/8";

#[tokio::test]
async fn a_committee_answers_its_own_items_and_the_organisation_department_signs_them_off() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    // The committee page leads to its own ledger, which holds only its three items.
    let res = app.get(&r, "/committees/1/self-check").await;
    assert_eq!(location(&res), OWN);
    let page = visible_text(&app.get(&r, OWN).await.text().await.unwrap());
    assert!(page.contains("计算机工程学院党委（本级）自查"), "{page}");
    assert!(page.contains("已作答 3 / 3 项"));
    assert!(
        page.contains("本级工作记录：部署会议 0 次、指导督查 0 次、书记轮训 0 次"),
        "what its answers to 5(1), 5(2) rest on: {page}"
    );
    assert!(
        page.contains("所属党支部中 1 个任期已满未换届、1 个即将到期"),
        "what its answer to 1(5) rests on: {page}"
    );
    assert!(page.contains("上级党组织未落实按期换届提醒督促制度"));
    assert!(
        !page.contains("党支部超期未换届"),
        "a branch item is not the committee's"
    );
    // A branch item cannot be answered for the committee.
    let res = app
        .post_form(
            &r,
            "/branches/8/items/1",
            OWN,
            &[("verdict", "no_problem"), ("version", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("不在党总支（党委）本级自查之列"));

    // Submitted to the 组织部, not to itself: the committee cannot review its own rows.
    let res = app.post_form(&r, "/branches/8/submit", OWN, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(
            &r,
            "/branches/8/findings/14/review",
            OWN,
            &[("decision", "approve"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = visible_text(&app.get(&r, OWN).await.text().await.unwrap());
    assert!(page.contains("本级台账已提交，正在等待组织部审核"), "{page}");

    let o = app.login("overseer").await;
    let overview = visible_text(&app.get(&o, "/overview").await.text().await.unwrap());
    assert!(overview.contains("党总支（党委）本级自查（由组织部审核）"));
    assert!(overview.contains("计算机工程学院党委（本级）"));
    let page = app.get(&o, OWN).await.text().await.unwrap();
    assert!(page.contains("审核本级台账"), "the 组织部 reviews it");
    let version = hidden_value(&page, "version");
    let res = app
        .post_form(
            &o,
            "/branches/8/findings/14/review",
            OWN,
            &[("decision", "approve"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(
            &o,
            "/branches/8/sign-off",
            OWN,
            &[("four_0", "1"), ("four_1", "1"), ("four_2", "1"), ("four_3", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&app.get(&r, OWN).await.text().await.unwrap());
    assert!(page.contains("本级台账已经组织部审核签字"), "{page}");
    assert!(page.contains("审核签字人：马文博"));

    // The branches' eligibility and counts are their own: the committee page still lists three.
    let page = visible_text(&app.get(&r, "/committees/1").await.text().await.unwrap());
    assert!(page.contains("所属党支部（3 个）"), "{page}");
}

/// A second reviewer account of committee 1 (an 组织员), with the demo password.
async fn organiser(app: &TestApp) -> reqwest::Client {
    let hash = duizhang::auth::password::hash(PASSWORD.to_string()).await.unwrap();
    let mut conn = raw_connection(app).await;
    sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, committee_id) VALUES ('organiser1', '钱组织员', ?, 'reviewer', 1)",
    )
    .bind(hash)
    .execute(&mut conn)
    .await
    .unwrap();
    app.login("organiser1").await
}

fn report_fields<'a>(version: &'a str, seen: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("work_done", "一、工作开展情况。"),
        ("problems", "二、自查存在的问题。"),
        ("next_steps", "三、下一步整改措施。"),
        ("signed_on", ""),
        ("version", version),
    ];
    if let Some(seen) = seen {
        f.push(("confirm_unsigned", "1"));
        f.push(("unsigned_seen", seen));
    }
    f
}

#[tokio::test]
async fn only_the_committees_leader_signs_the_report_in_their_name_after_confirming_unsigned_branches() {
    let app = spawn_demo().await;
    let today = day(0);
    let o2 = organiser(&app).await;
    // The 组织员 prepares and saves, but may not sign, and is told who signs.
    let page = visible_text(&app.get(&o2, "/committees/1/report").await.text().await.unwrap());
    assert!(page.contains("党组织负责人：周国栋"), "{page}");
    assert!(page.contains("须由党组织负责人本人登录签字"));
    let r = app.login("reviewer1").await;
    let seen = unsigned_seen(&app, &r, 1).await;
    assert_eq!(
        seen, "计算机科学与技术系教工党支部、软件工程系教工党支部、计算机工程学院本科生第一党支部",
        "branch 1 is 已提交, not signed off"
    );
    let mut fields = report_fields("0", Some(&seen));
    fields[3] = ("signed_on", &today);
    let res = app
        .post_form(&o2, "/committees/1/report", "/committees/1/report", &fields)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "saved");
    let res = app
        .post_form(
            &o2,
            "/committees/1/report/sign",
            "/committees/1/report",
            &report_fields("1", Some(&seen)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(
        visible_text(&html).contains("附件3须由党组织负责人（周国栋）签字"),
        "{}",
        visible_text(&html)
    );
    assert!(html.contains("二、自查存在的问题。"), "the text is kept");

    // The 负责人 is asked to confirm the branches not signed off (branch 1 is 已提交 only).
    let mut fields = report_fields("1", None);
    fields[3] = ("signed_on", &today);
    let res = app
        .post_form(&r, "/committees/1/report/sign", "/committees/1/report", &fields)
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = visible_text(&res.text().await.unwrap());
    assert!(page.contains("以下 3 个党支部的台账尚未审核签字"), "{page}");
    assert!(page.contains("软件工程系教工党支部"));
    // A list confirmed that is not the list now (a branch was added or reopened since) is asked again.
    let mut fields = report_fields("1", Some("计算机科学与技术系教工党支部"));
    fields[3] = ("signed_on", &today);
    let res = app
        .post_form(&r, "/committees/1/report/sign", "/committees/1/report", &fields)
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let mut fields = report_fields("1", Some(&seen));
    fields[3] = ("signed_on", &today);
    let res = app
        .post_form(&r, "/committees/1/report/sign", "/committees/1/report", &fields)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let signer: String = sqlx::query_scalar("SELECT signer_name FROM committee_reports WHERE committee_id = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(signer, "周国栋", "signed in the leader's name");

    // Named by the 组织部: when the leader leaves the committee, nobody signs until a new one is named.
    let o = app.login("overseer").await;
    let admin = app.get(&o, "/admin").await.text().await.unwrap();
    assert!(admin.contains("党组织负责人（附件3签字人）"));
    let organiser_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'organiser1'")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let version: i64 = sqlx::query_scalar("SELECT version FROM committees WHERE id = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let (id, v) = (organiser_id.to_string(), version.to_string());
    let secretary: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'secretary1'")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let secretary = secretary.to_string();
    let res = app
        .post_form(
            &o,
            "/admin/committees/1",
            "/admin",
            &[
                ("name", "计算机工程学院党委"),
                ("active", "1"),
                ("leader_user_id", &secretary),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(visible_text(&res.text().await.unwrap()).contains("须从本党总支（党委）在用的审核人账号中选择"));
    let res = app
        .post_form(
            &o,
            "/admin/committees/1",
            "/admin",
            &[
                ("name", "计算机工程学院党委"),
                ("active", "1"),
                ("leader_user_id", &id),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Reopened, the report is now the new leader's to sign, not reviewer1's.
    let res = app
        .post_form(
            &r,
            "/committees/1/report/reopen",
            "/committees/1/report",
            &[("reason", "负责人调整")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&app.get(&r, "/committees/1/report").await.text().await.unwrap());
    assert!(page.contains("党组织负责人：钱组织员"), "{page}");
    let mut fields = report_fields("3", Some(&seen));
    fields[3] = ("signed_on", &today);
    let res = app
        .post_form(&r, "/committees/1/report/sign", "/committees/1/report", &fields)
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(visible_text(&res.text().await.unwrap()).contains("须由党组织负责人（钱组织员）签字"));
}

#[tokio::test]
async fn the_committee_records_its_work_and_the_draft_tells_it_with_only_ledgers_handed_in() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    // A guidance record needs its branch; what was typed is kept.
    let res = app
        .post_form(
            &r,
            "/committees/1/work",
            "/committees/1/work",
            &[
                ("kind", "guidance"),
                ("held_on", &day(-2)),
                ("title", "督查对账进度"),
                ("branch_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(visible_text(&html).contains("请选择指导督查的党支部"));
    assert!(html.contains("督查对账进度"));
    // Another committee's branch is not one of its own.
    let res = app
        .post_form(
            &r,
            "/committees/1/work",
            "/committees/1/work",
            &[
                ("kind", "guidance"),
                ("held_on", &day(-2)),
                ("title", "督查对账进度"),
                ("branch_id", "4"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (two_days_ago, yesterday) = (day(-2), day(-1));
    let records: [&[(&str, &str)]; 2] = [
        &[
            ("kind", "guidance"),
            ("held_on", &two_days_ago),
            ("title", "督查对账进度"),
            ("branch_id", "2"),
            ("found", "对账查摆进度偏慢"),
        ],
        &[
            ("kind", "training"),
            ("held_on", &yesterday),
            ("title", "党支部书记专题轮训"),
            ("attendees", "3名党支部书记"),
        ],
    ];
    for fields in records {
        let res = app
            .post_form(&r, "/committees/1/work", "/committees/1/work", fields)
            .await;
        assert_eq!(location(&res), "/committees/1/work");
    }
    // The 组织部 reads it but does not record for the committee.
    let o = app.login("overseer").await;
    assert!(
        visible_text(&app.get(&o, "/committees/1/work").await.text().await.unwrap()).contains("党支部书记专题轮训")
    );
    let res = app
        .post_form(
            &o,
            "/committees/1/work",
            "/committees/1/work",
            &[
                ("kind", "training"),
                ("held_on", &day(-1)),
                ("title", "轮训"),
                ("attendees", "书记"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The draft: branch 1 handed in (已提交), branches 2 and 3 not; meetings of 1 and 3.
    let page = app.get(&r, "/committees/1/report?draft=1").await.text().await.unwrap();
    let work = hidden_textarea(&page, "work_done");
    assert!(work.contains("组织所属3个党支部"), "{work}");
    assert!(
        work.contains("1个党支部已提交问题整改台账，均尚未审核签字；已提交台账的党支部中，1个党支部召开了专题支委会"),
        "branch 3's meeting is not counted before it hands in again: {work}"
    );
    assert!(work.contains("；共查摆问题5条"), "{work}");
    assert!(work.contains("尚有2个党支部未提交（其中1个已退回修改）"), "{work}");
    assert!(work.contains("到软件工程系教工党支部开展指导督查1次"));
    assert!(
        !work.contains("部署"),
        "no deployment meeting recorded, none claimed: {work}"
    );
    assert!(work.contains("开展党支部书记轮训1次"));
    // Branch 3's findings (已退回) are not counted; quoted examples end where sentences end.
    let problems = hidden_textarea(&page, "problems");
    assert!(!problems.contains('…'), "{problems}");
    // The history records the work.
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'committee_work.add' AND committee_id = 1")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    assert_eq!(audited, 2);
}

/// The text of a textarea (HTML-escaped as the page has it).
fn hidden_textarea(html: &str, id: &str) -> String {
    html.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split_once('>'))
        .and_then(|(_, s)| s.split("</textarea>").next())
        .unwrap_or_else(|| panic!("no textarea {id}"))
        .to_string()
}

#[tokio::test]
async fn the_organisation_department_attaches_reference_documents_every_user_opens() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let page = "/admin/campaigns/1/documents";
    let post = |fields: Vec<(&'static str, String)>, file: Option<(&'static str, Vec<u8>)>| {
        let (app, o) = (&app, &o);
        async move {
            let token = app.csrf(o, page).await;
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k, v);
            }
            if let Some((name, bytes)) = file {
                form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
            }
            o.post(app.url(&format!("{page}?_csrf={token}")))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(
        vec![
            ("title", "党支部工作条例".into()),
            ("doc_number", "".into()),
            ("url", "".into()),
        ],
        Some(("条例.exe", b"MZ\x90\x00".to_vec())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(visible_text(&html).contains("不是 PDF 或 Word 文件"));
    assert!(html.contains("党支部工作条例"), "the title typed is kept");
    let res = post(
        vec![
            ("title", "党支部工作条例".into()),
            ("doc_number", "中发〔2018〕".into()),
            ("url", "".into()),
        ],
        Some(("条例.pdf", b"%PDF-1.4\n%test\n".to_vec())),
    )
    .await;
    assert_eq!(location(&res), page);

    // Every user of the campaign sees it on the ledger and opens it.
    let s = app.login("secretary4").await;
    let ledger = app.get(&s, "/branches/4").await.text().await.unwrap();
    assert!(
        visible_text(&ledger).contains("参考文件（对账查摆时对照）：")
            && visible_text(&ledger).contains("《潍坊学院党支部评星定级管理实施办法》"),
        "{}",
        visible_text(&ledger)
    );
    let href = ledger
        .split("href=\"/documents/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let res = app.get(&s, &format!("/documents/{href}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("inline") && disposition.contains(".pdf"),
        "opened in the browser: {disposition}"
    );
    assert!(
        disposition.contains("%E5%85%9A%E6%94%AF%E9%83%A8%E5%B7%A5%E4%BD%9C%E6%9D%A1%E4%BE%8B.pdf"),
        "named by its title 党支部工作条例: {disposition}"
    );
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
    let anonymous = app.client();
    assert_eq!(
        location(&app.get(&anonymous, &format!("/documents/{href}")).await),
        format!("/login?next=%2Fdocuments%2F{href}")
    );
}
