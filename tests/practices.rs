//! 经验总结和典型做法: a committee writes one up from its measures, with an attachment; the 组织部
//! promotes it; a secretary of another committee reads it (and downloads them all).

mod common;

use common::*;
use reqwest::multipart::{Form as Multipart, Part};
use reqwest::{Client, StatusCode};

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

/// Sends the practice form as the page does (multipart, the token in the address).
async fn send(
    app: &TestApp, c: &Client, path: &str, fields: &[(&str, &str)], file: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let token = app.csrf(c, path).await;
    let mut form = Multipart::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part("files", Part::bytes(bytes).file_name(name.to_string()));
    }
    c.post(app.url(&format!("{path}?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_committees_practice_promoted_by_the_organisation_department_is_read_across_the_campus() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let own = "/branches/8/practices";
    let res = send(&app, &r, own, &[("title", " "), ("text", "写了做法")], None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        html.contains("请填写标题") && html.contains("写了做法"),
        "refused by its field, text kept"
    );

    // From one of its own measures, with a photo.
    let measure: i64 = sqlx::query_scalar(
        "SELECT m.id FROM measures m JOIN findings f ON f.id = m.finding_id WHERE f.branch_id = 8 ORDER BY m.id LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let measure_text: String = sqlx::query_scalar("SELECT text FROM measures WHERE id = ?")
        .bind(measure)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let title = "书记轮训“一人一档”";
    let ticked = format!("measure_{measure}");
    let fields = [
        ("title", title),
        ("text", "为每名新任书记建立培训档案。"),
        (ticked.as_str(), "1"),
    ];
    // An attachment that is not a photo or a PDF is refused by its field, the text kept.
    let res = send(&app, &r, own, &fields, Some(("a.html", b"<html>x</html>".to_vec()))).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("不是照片") && html.contains("为每名新任书记建立培训档案。"));
    let res = send(&app, &r, own, &fields, Some(("培训档案.png", PNG.to_vec()))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Not promoted yet: another committee's secretary sees neither it nor its file; the 组织部 does.
    let s4 = app.login("secretary4").await;
    assert!(!body(app.get(&s4, "/practices").await).await.contains(title));
    let file: i64 = sqlx::query_scalar("SELECT MAX(id) FROM practice_files")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let file_path = format!("/practices/files/{file}");
    assert_eq!(app.get(&s4, &file_path).await.status(), StatusCode::NOT_FOUND);
    let o = app.login("overseer").await;
    let html = body(app.get(&o, "/practices").await).await;
    let at = html.find(title).expect("the 组织部 sees what waits");
    let id: i64 = sqlx::query_scalar("SELECT id FROM practices WHERE title = ?")
        .bind(title)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let version = hidden_value(&html[at..], "version");
    let res = app
        .post_form(
            &o,
            &format!("/practices/{id}/promote"),
            "/practices",
            &[("promote", "1"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Now everyone reads it, with the measure it grew from and its file, and in the one workbook.
    let page = visible_text(&body(app.get(&s4, "/practices").await).await);
    assert!(
        page.contains(title) && page.contains(&measure_text) && page.contains("培训档案.png"),
        "{page}"
    );
    let got = app.get(&s4, &file_path).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(
        got.bytes().await.unwrap().to_vec(),
        PNG.to_vec(),
        "the file as uploaded"
    );
    let strings = xlsx_strings(&app, &s4, "/practices.xlsx").await;
    assert!(strings.contains("一人一档"), "{strings}");
    let pdf = app.get(&s4, "/practices.pdf").await.bytes().await.unwrap();
    let text = pdf_text(&pdf).split_whitespace().collect::<String>();
    assert!(
        text.contains("1.书记轮训“一人一档”") && text.contains("为每名新任书记建立培训档案"),
        "{text}"
    );

    // A measure of another unit cannot be claimed.
    let foreign: i64 = sqlx::query_scalar(
        "SELECT m.id FROM measures m JOIN findings f ON f.id = m.finding_id WHERE f.branch_id = 4 LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let claimed = format!("measure_{foreign}");
    let fields = [("title", "另一条"), ("text", "做法"), (claimed.as_str(), "1")];
    let res = send(&app, &r, own, &fields, None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let linked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM practice_measures pm JOIN practices p ON p.id = pm.practice_id WHERE p.title = '另一条'",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(linked, 0, "another unit's measure is not linked");
}
