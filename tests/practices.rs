//! 经验总结和典型做法: a committee writes one up from its measures, the 组织部 promotes it, and a
//! secretary of another committee reads it (and downloads them all).

mod common;

use common::*;
use reqwest::StatusCode;

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_committees_practice_promoted_by_the_organisation_department_is_read_across_the_campus() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let own = "/branches/8/practices";
    let res = app
        .post_form(&r, own, own, &[("title", " "), ("text", "写了做法")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        html.contains("请填写标题") && html.contains("写了做法"),
        "refused by its field, text kept"
    );

    // From one of its own measures.
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
    let res = app
        .post_form(
            &r,
            own,
            own,
            &[
                ("title", title),
                ("text", "为每名新任书记建立培训档案。"),
                (ticked.as_str(), "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Not promoted yet: another committee's secretary does not see it; the 组织部 does.
    let s4 = app.login("secretary4").await;
    assert!(!body(app.get(&s4, "/practices").await).await.contains(title));
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

    // Now everyone reads it, with the measure it grew from, and in the one workbook.
    let page = visible_text(&body(app.get(&s4, "/practices").await).await);
    assert!(page.contains(title) && page.contains(&measure_text), "{page}");
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
    let res = app
        .post_form(
            &r,
            own,
            own,
            &[("title", "另一条"), ("text", "做法"), (claimed.as_str(), "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let linked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM practice_measures pm JOIN practices p ON p.id = pm.practice_id WHERE p.title = '另一条'",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(linked, 0, "another unit's measure is not linked");
}
