//! 报送 through the real server: the committee hands in after signing 附件3 (the package kept as
//! sent, with every document and its code), adds the scan of its sealed paper copy; the 组织部
//! records the paper copy or returns the 报送; late ones are marked 逾期报送.

mod common;

use std::io::{Cursor, Read};

use common::*;
use reqwest::multipart::{Form as Multipart, Part};
use reqwest::{Client, StatusCode};

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

const REPORT: &str = "/committees/1/report";

/// reviewer1, the committee's 党组织负责人, saves and signs 附件3.
async fn sign_report(app: &TestApp, r: &Client) {
    let sections = [
        ("work_done", "一、本党委召开专题会议部署。"),
        ("problems", "二、查摆问题10条。"),
        ("next_steps", "三、逐条整改销号。"),
        ("version", "0"),
    ];
    let saved = app.post_form(r, REPORT, REPORT, &sections).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let seen = unsigned_seen(app, r, 1).await;
    let today = day(0);
    let form = [
        ("work_done", "一、本党委召开专题会议部署。"),
        ("problems", "二、查摆问题10条。"),
        ("next_steps", "三、逐条整改销号。"),
        ("confirm_unsigned", "1"),
        ("unsigned_seen", seen.as_str()),
        ("signed_on", today.as_str()),
        ("version", "1"),
    ];
    let signed = app.post_form(r, "/committees/1/report/sign", REPORT, &form).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
}

async fn delivery_id(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM deliveries WHERE committee_id = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_committee_hands_in_after_signing_and_the_organisation_department_receives_or_returns() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let o = app.login("overseer").await;

    // Not before 附件3 is signed.
    let early = app.post_form(&r, "/committees/1/delivery", REPORT, &[]).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    assert!(body(early).await.contains("附件3报告签字后才能报送"));
    sign_report(&app, &r).await;

    let res = app.post_form(&r, "/committees/1/delivery", REPORT, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/committees/1/report#delivery");
    let id = delivery_id(&app).await;
    let page = visible_text(&body(app.get(&r, REPORT).await).await);
    assert!(page.contains("报送组织部 已报送"), "{page}");

    // The package as kept: 附件3 (PDF, XLSX), the committee's 附件2, each branch's 附件2 as PDF
    // and XLSX, and the 清单 naming every file with its code. Both the committee and the 组织部
    // download exactly the bytes kept.
    let package = format!("/committees/1/deliveries/{id}/package.zip");
    let bytes = app.get(&r, &package).await.bytes().await.unwrap().to_vec();
    let kept: Vec<u8> = sqlx::query_scalar("SELECT package FROM deliveries WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(bytes, kept);
    assert_eq!(app.get(&o, &package).await.bytes().await.unwrap().to_vec(), kept);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    let count = |ext: &str| {
        names
            .iter()
            .filter(|n| n.starts_with("附件2/") && n.ends_with(ext))
            .count()
    };
    assert_eq!(
        (count(".pdf"), count(".xlsx")),
        (4, 4),
        "the 3 branches and the committee's own (本级), each as PDF and XLSX: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("附件3") && n.ends_with(".pdf")),
        "{names:?}"
    );
    let mut listing = String::new();
    let list_name = names.iter().find(|n| n.ends_with("清单.txt")).expect("a 清单").clone();
    zip.by_name(&list_name).unwrap().read_to_string(&mut listing).unwrap();
    for name in names.iter().filter(|n| !n.ends_with("清单.txt")) {
        let line = listing.lines().find(|l| l.contains(name.as_str()));
        assert!(
            line.is_some_and(|l| l.contains("验证码 ")),
            "the 清单 names {name} with its code: {listing}"
        );
    }
    assert!(
        listing.contains("已签发　验证码"),
        "the signed 附件3 listed as such: {listing}"
    );

    // Once: a second 报送 and reopening the report wait for the 组织部 to return this one.
    let again = app.post_form(&r, "/committees/1/delivery", REPORT, &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let reopen = app
        .post_form(&r, "/committees/1/report/reopen", REPORT, &[("reason", "补充内容")])
        .await;
    assert_eq!(reopen.status(), StatusCode::BAD_REQUEST);
    assert!(body(reopen).await.contains("请联系组织部退回报送"));

    // The scan of the sealed paper copy: a PDF, read by its bytes.
    let token = app.csrf(&r, REPORT).await;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let scan = |bytes: Vec<u8>, name: &'static str| {
        let form = Multipart::new().part("scan", Part::bytes(bytes).file_name(name));
        r.post(app.url(&format!("/committees/1/deliveries/{id}/scan?_csrf={token}")))
            .multipart(form)
            .send()
    };
    let refused = scan(b"<html>not a scan</html>".to_vec(), "scan.html").await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(body(refused).await.contains("不是照片"));
    let res = scan(pdf.clone(), "盖章件.pdf").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let got = app.get(&o, &format!("/committees/1/deliveries/{id}/scan")).await;
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);

    // The 组织部 records the paper copy: a date before the 报送 is refused by its field, what was
    // typed kept; then received.
    let version = |html: &str| hidden_value(&html[html.find("/paper#delivery").unwrap()..], "version");
    let html = body(app.get(&o, REPORT).await).await;
    let paper = format!("/committees/1/deliveries/{id}/paper");
    let yesterday = day(-1);
    let res = app
        .post_form(
            &o,
            &paper,
            REPORT,
            &[
                ("paper_received_on", yesterday.as_str()),
                ("paper_received_by", "王玥"),
                ("version", &version(&html)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("收到日期不能早于报送日期") && html.contains("value=\"王玥\""));
    let today = day(0);
    let res = app
        .post_form(
            &o,
            &paper,
            REPORT,
            &[
                ("paper_received_on", today.as_str()),
                ("paper_received_by", "王玥"),
                ("paper_note", "盖章齐全"),
                ("version", &version(&html)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&r, REPORT).await).await);
    assert!(
        page.contains("纸质件已收") && page.contains(&format!("{today}，王玥接收")),
        "{page}"
    );

    // The 组织部 returns it with a reason the committee reads; the committee hands in again.
    let html = body(app.get(&o, REPORT).await).await;
    let back = format!("/committees/1/deliveries/{id}/return");
    let v = hidden_value(&html[html.find("/return#delivery").unwrap()..], "version");
    let res = app
        .post_form(&o, &back, REPORT, &[("return_reason", " "), ("version", &v)])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_form(
            &o,
            &back,
            REPORT,
            &[("return_reason", "缺少第三党支部的签字页"), ("version", &v)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&r, REPORT).await).await);
    assert!(
        page.contains("报送组织部 已退回") && page.contains("缺少第三党支部的签字页"),
        "{page}"
    );
    // The committee's reviewers are told, with the reason and a link to the 报送.
    let told: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT n.subject, n.body, n.link FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE u.username = 'reviewer1' ORDER BY n.id DESC LIMIT 1",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    assert_eq!(told[0].0, "【报送退回】组织部退回了报送材料");
    assert!(told[0].1.contains("缺少第三党支部的签字页") && told[0].2 == "/committees/1/report#delivery");
    let res = app.post_form(&r, "/committees/1/delivery", REPORT, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        delivery_id(&app).await > id,
        "a new 报送; the returned one stays on record"
    );

    // Handed in after the deadline: 逾期报送, on the committee's page and the 组织部's overview.
    sqlx::query("UPDATE campaigns SET report_due = date(?, '-1 day') WHERE is_current = 1")
        .bind(day(0))
        .execute(&app.db.read)
        .await
        .unwrap();
    let page = visible_text(&body(app.get(&r, REPORT).await).await);
    assert!(page.contains("报送组织部 逾期报送"), "{page}");
    let committee = visible_text(&body(app.get(&r, "/committees/1").await).await);
    assert!(committee.contains("报送 逾期报送"), "{committee}");
    let overview = body(app.get(&o, "/overview").await).await;
    assert!(
        overview.contains("href=\"/committees/1/report#delivery\">逾期报送</a>"),
        "the overview marks it"
    );
    let strings = xlsx_strings(&app, &o, "/overview.xlsx").await;
    assert!(
        strings.contains("逾期报送") && strings.contains("报送"),
        "the XLSX has the 报送 column"
    );

    // Every step is on the record.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'deliveries' ORDER BY id")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "delivery.make",
            "delivery.scan",
            "delivery.paper",
            "delivery.return",
            "delivery.make"
        ]
    );
}

#[tokio::test]
async fn only_the_committee_hands_in_and_only_the_organisation_department_receives() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    sign_report(&app, &r).await;
    let o = app.login("overseer").await;
    // The 组织部 does not hand in for a committee; another committee's reviewer finds nothing.
    assert_eq!(
        app.post_form(&o, "/committees/1/delivery", REPORT, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let r2 = app.login("reviewer2").await;
    assert_eq!(
        app.post_form(&r2, "/committees/1/delivery", "/committees/2/report", &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(&r, "/committees/1/delivery", REPORT, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let id = delivery_id(&app).await;
    // The committee cannot mark its own paper copy received, nor return its own 报送.
    for step in ["paper", "return"] {
        let res = app
            .post_form(
                &r,
                &format!("/committees/1/deliveries/{id}/{step}"),
                REPORT,
                &[
                    ("paper_received_on", &day(0)),
                    ("paper_received_by", "周国栋"),
                    ("return_reason", "x"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{step}");
    }
    // The kept package cannot be changed or removed, even in SQL.
    let changed = sqlx::query("UPDATE deliveries SET package = X'00' WHERE id = ?")
        .bind(id)
        .execute(&app.db.read)
        .await;
    assert!(changed.is_err(), "the package is kept as sent");
    let removed = sqlx::query("DELETE FROM deliveries WHERE id = ?")
        .bind(id)
        .execute(&app.db.read)
        .await;
    assert!(removed.is_err(), "a 报送 is kept");
}

#[tokio::test]
async fn ledgers_handed_in_after_the_self_check_deadline_are_marked_late() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let page = body(app.get(&r, "/committees/1").await).await;
    let row = |name: &str| {
        let at = page
            .rfind(&format!(">{name}</a>"))
            .unwrap_or_else(|| panic!("no row for {name}"));
        let end = page[at..].find("</tr>").unwrap() + at;
        visible_text(&page[at..end])
    };
    // The demo's 对账查摆 deadline was two days ago: branch 1 handed in three days ago, branch 3
    // (returned since) a day ago, branch 2 not at all.
    let on_time = row("计算机科学与技术系教工党支部");
    assert!(
        on_time.contains(&format!("首次提交 {}", day(-3))) && !on_time.contains("迟交"),
        "{on_time}"
    );
    let late = row("计算机工程学院本科生第一党支部");
    assert!(
        late.contains(&format!("首次提交 {}", day(-1))) && late.contains("迟交"),
        "{late}"
    );
    let missing = row("软件工程系教工党支部");
    assert!(!missing.contains("首次提交") && missing.contains("迟交"), "{missing}");

    let o = app.login("overseer").await;
    let strings = xlsx_strings(&app, &o, "/overview.xlsx").await;
    assert!(strings.contains(&format!("{}（迟交）", day(-1))), "the XLSX marks it");
    assert!(strings.contains("未提交（迟交）"));
}
