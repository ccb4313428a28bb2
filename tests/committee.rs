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
