//! 结果运用 frozen: the 组织部 finalises the 评星 results from the results date; later changes do
//! not alter them but are listed apart with what caused them; the 星级 awarded is recorded.

mod common;

use common::*;
use reqwest::StatusCode;

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

const RESULTS: &str = "/overview/results";

#[tokio::test]
async fn results_frozen_at_the_results_date_stay_as_they_were_and_later_changes_are_listed_apart() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;

    // Before the results date: explained, and refused.
    let page = visible_text(&body(app.get(&o, RESULTS).await).await);
    assert!(page.contains("之前不能确定评星结果"), "{page}");
    let early = app.post_form(&o, RESULTS, RESULTS, &[]).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);

    // The results date has come (yesterday): finalised once.
    // (Through the write path, as the 组织部's campaign form would: cached reads see it.)
    let yesterday = day(-1);
    app.db
        .write(async |tx| {
            sqlx::query("UPDATE campaigns SET results_due = ? WHERE is_current = 1")
                .bind(&yesterday)
                .execute(tx)
                .await
        })
        .await
        .unwrap();
    let res = app.post_form(&o, RESULTS, RESULTS, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = app.post_form(&o, RESULTS, RESULTS, &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(body(again).await.contains("已经确定"));
    let frozen: Vec<(i64, bool, String)> =
        sqlx::query_as("SELECT branch_id, eligible, reasons FROM branch_results ORDER BY branch_id")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(frozen.len(), 7, "every branch of the campus: {frozen:?}");
    let branch4 = frozen.iter().find(|(b, _, _)| *b == 4).unwrap().clone();
    assert!(
        branch4.1,
        "branch 4 (signed off, nothing overdue) is eligible when finalised: {branch4:?}"
    );
    let page = visible_text(&body(app.get(&o, RESULTS).await).await);
    assert!(
        page.contains("已确定") && page.contains(&format!("判定日 {}", day(-1))),
        "{page}"
    );
    assert!(page.contains("结果确定后的变化（0）"), "{page}");

    // The 星级 awarded: 1 to 5, refused by its field otherwise.
    let html = body(app.get(&o, RESULTS).await).await;
    let form = &html[html.find("/overview/results/4/stars").unwrap()..];
    let version = hidden_value(form, "version");
    let stars = "/overview/results/4/stars";
    let res = app
        .post_form(
            &o,
            stars,
            RESULTS,
            &[("stars", "9"), ("stars_note", "超出"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("星级请选择一星至五星") && html.contains("value=\"超出\""));
    let res = app
        .post_form(
            &o,
            stars,
            RESULTS,
            &[("stars", "5"), ("stars_note", "整改成效突出"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Later, branch 4's ledger is reopened: the live judgement changes, the frozen one does not.
    let r2 = app.login("reviewer2").await;
    let reopened = app
        .post_form(
            &r2,
            "/branches/4/reopen",
            "/branches/4",
            &[("reason", "回头看：补充整改材料")],
        )
        .await;
    assert_eq!(reopened.status(), StatusCode::SEE_OTHER);
    let still: (bool, String, Option<i64>) =
        sqlx::query_as("SELECT eligible, reasons, stars FROM branch_results WHERE branch_id = 4")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    assert_eq!(
        (still.0, still.1.as_str(), still.2),
        (true, branch4.2.as_str(), Some(5))
    );
    let page = visible_text(&body(app.get(&o, RESULTS).await).await);
    let changed = &page[page.find("结果确定后的变化（1）").expect("one branch listed apart")..];
    assert!(changed.contains("存档结果：具备五星级评选资格"), "{changed}");
    assert!(
        changed.contains("现在判定：不具备") && changed.contains("重新打开台账"),
        "{changed}"
    );

    // The frozen list downloads; nothing frozen can be changed, even in SQL.
    let strings = xlsx_strings(&app, &o, "/overview/results.xlsx").await;
    let pdf = app.get(&o, "/overview/results.pdf").await.bytes().await.unwrap();
    let text = pdf_text(&pdf).split_whitespace().collect::<String>();
    assert!(
        text.contains("评星结果") && text.contains("评定星级：五星级"),
        "the PDF too: {text}"
    );
    assert!(
        strings.contains("五星级") && strings.contains("整改成效突出"),
        "{strings}"
    );
    let changed = sqlx::query("UPDATE branch_results SET eligible = 0, reasons = 'x' WHERE branch_id = 4")
        .execute(&app.db.read)
        .await;
    assert!(changed.is_err(), "a frozen judgement is kept as it was");
}
