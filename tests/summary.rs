//! A branch's summary for its 书记述职评议: figures from its records, as a page and as a PDF that
//! a PDF reader extracts the same words from.

mod common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn a_branch_summary_says_its_figures_and_downloads_as_pdf() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let page = visible_text(&app.get(&r, "/branches/1/summary").await.text().await.unwrap());
    // Its figures, recomputed from the rows.
    let (answered, problems): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), SUM(verdict = 'problem') FROM self_checks WHERE branch_id = 1")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    let findings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE branch_id = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let said = format!("其中“存在问题” {problems} 项，查摆问题 {findings} 条。");
    assert!(
        page.contains(&format!("对账查摆已作答 {answered}/")) && page.contains(&said),
        "{page}"
    );
    let (measures, closed): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), SUM(m.status = 'closed_out') FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.branch_id = 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert!(
        page.contains(&format!("整改措施 {measures} 条，已销号 {closed} 条")),
        "{page}"
    );
    assert!(
        page.contains("四、五星级资格") && page.contains("不具备五星级党支部评选资格"),
        "{page}"
    );

    let res = app.get(&r, "/branches/1/summary.pdf").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    let text = pdf_text(&pdf).split_whitespace().collect::<String>();
    assert!(
        text.contains("对账整改专项行动情况摘要") && text.contains(&said.replace(' ', "")),
        "{text}"
    );
    assert!(text.contains("第1页共"), "pages numbered");
    assert!(!text.contains("验证码"), "a working paper, not a document handed in");

    // Another committee's reviewer finds nothing; a secretary may not read it.
    let r2 = app.login("reviewer2").await;
    assert_eq!(
        app.get(&r2, "/branches/1/summary").await.status(),
        StatusCode::NOT_FOUND
    );
    let s = app.login("secretary1").await;
    assert_eq!(app.get(&s, "/branches/1/summary").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_committee_summary_sums_its_branches_and_says_its_delivery() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let page = visible_text(&app.get(&r, "/committees/1/summary").await.text().await.unwrap());
    let (branches, findings): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(DISTINCT b.id), COUNT(f.id) FROM branches b LEFT JOIN findings f ON f.branch_id = b.id
         WHERE b.committee_id = 1 AND b.level = 'branch' AND b.active = 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert!(page.contains(&format!("所属党支部 {branches} 个")), "{page}");
    assert!(page.contains(&format!("查摆问题 {findings} 条")), "{page}");
    assert!(page.contains("报送组织部：未报送"), "{page}");
    let pdf = app.get(&r, "/committees/1/summary.pdf").await.bytes().await.unwrap();
    assert!(pdf_text(&pdf).contains("情况摘要"));
}
