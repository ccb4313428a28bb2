//! A branch's data (换届, 支委, 书记空缺) and the hints it gives beside items 1(1), 1(2), 1(4):
//! the branch sees them, its committee and the 组织部 see an answer that contradicts them.
//! In the demo, branch 1's term ended 40 days ago and it answered 1(1) 未发现问题; branch 2's
//! term ends in 60 days (a reminder, not a contradiction); branch 7's 书记 post has been vacant
//! for 120 days.

mod common;

use common::*;

const ALERT: &str = "与支部数据提示不一致";

#[tokio::test]
async fn the_data_hints_at_items_and_flags_an_answer_it_contradicts() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let ledger = visible_text(&app.get(&r, "/branches/1").await.text().await.unwrap());
    assert!(ledger.contains("支部数据提示：按期应于"), "{ledger}");
    assert!(ledger.contains(ALERT), "the reviewer is told: {ledger}");

    // The branch sees the hint, not the reviewer's alert.
    let s = app.login("secretary1").await;
    let own = visible_text(&app.get(&s, "/branches/1").await.text().await.unwrap());
    assert!(own.contains("支部数据提示：按期应于"));
    assert!(!own.contains(ALERT));

    // The committee's list flags branch 1 only: branch 2's term is only ending soon.
    let committee = visible_text(&app.get(&r, "/committees/1").await.text().await.unwrap());
    assert_eq!(committee.matches("按期换届：作答与数据不符").count(), 1, "{committee}");
    assert!(committee.contains("按期换届提醒（2 个党支部）"), "{committee}");
    assert!(committee.contains("换届已超期40天"));

    // The 组织部 sees every committee's terms and the vacancy.
    let o = app.login("overseer").await;
    let overview = visible_text(&app.get(&o, "/overview").await.text().await.unwrap());
    assert!(overview.contains("换届已超期40天"), "{overview}");
    assert!(overview.contains("按期换届：作答与数据不符"));
}

#[tokio::test]
async fn a_corrected_election_date_clears_the_contradiction_and_is_audited() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let form = app.get(&r, "/branches/1/profile").await.text().await.unwrap();
    let version = hidden_value(&form, "version");
    let res = app
        .post_form(
            &r,
            "/branches/1/profile",
            "/branches/1/profile",
            &[
                ("last_election_on", &day(-30)),
                ("term_years", "3"),
                ("committee_members", "5"),
                ("full_members", "18"),
                ("secretary_vacant_since", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(location(&res), "/branches/1#profile");
    let ledger = visible_text(&app.get(&r, "/branches/1").await.text().await.unwrap());
    assert!(!ledger.contains(ALERT), "{ledger}");
    assert!(!ledger.contains("支部数据提示：按期应于"));
    let page = visible_text(&app.get(&r, "/branches/1/profile").await.text().await.unwrap());
    assert!(page.contains(&day(-30)), "{page}");
    assert!(page.contains("周国栋"), "who changed it is in the history: {page}");
}
