//! The database itself refuses rows that break the rules, whatever the code above it does.

mod common;

use common::*;
use duizhang::db;
use duizhang::db::findings::{NewFinding, Source};
use duizhang::db::measures::NewMeasure;
use duizhang::domain::states::{MeasureStatus, Verdict};
use duizhang::domain::*;

async fn refused<T: std::fmt::Debug>(what: &str, result: sqlx::Result<T>) {
    let err = result.expect_err(what);
    assert!(
        db::is_constraint_violation(&err),
        "{what}: expected a constraint violation, got {err}"
    );
}

fn user(role: Role, committee_id: Option<CommitteeId>, branch_id: Option<BranchId>) -> db::users::NewUser<'static> {
    db::users::NewUser {
        username: "someone",
        display_name: "某人",
        password_hash: "x",
        role,
        committee_id,
        branch_id,
        must_change_password: false,
    }
}

#[tokio::test]
async fn each_role_belongs_to_exactly_the_unit_it_needs() {
    let app = spawn_demo().await;
    let mut tx = app.db.write.begin().await.unwrap();
    let (c, b) = (Some(CommitteeId(1)), Some(BranchId(1)));
    refused(
        "secretary without a branch",
        db::users::insert(&mut tx, &user(Role::Secretary, None, None)).await,
    )
    .await;
    refused(
        "secretary with a committee too",
        db::users::insert(&mut tx, &user(Role::Secretary, c, b)).await,
    )
    .await;
    refused(
        "reviewer without a committee",
        db::users::insert(&mut tx, &user(Role::Reviewer, None, b)).await,
    )
    .await;
    refused(
        "overseer with a unit",
        db::users::insert(&mut tx, &user(Role::Overseer, c, None)).await,
    )
    .await;
    refused(
        "secretary of a missing branch",
        db::users::insert(&mut tx, &user(Role::Secretary, None, Some(BranchId(999)))).await,
    )
    .await;
    refused(
        "duplicate username, any case",
        db::users::insert(
            &mut tx,
            &db::users::NewUser {
                username: "Secretary1",
                ..user(Role::Overseer, None, None)
            },
        )
        .await,
    )
    .await;
    assert!(
        db::users::insert(&mut tx, &user(Role::Secretary, None, b))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn answers_findings_and_measures_keep_their_rules() {
    let app = spawn_demo().await;
    let mut tx = app.db.write.begin().await.unwrap();
    let me = UserId(1);
    // Branch 5 has no answers yet; item 1 is in category 1, item 6 in category 2.
    refused(
        "不适用 without a reason",
        db::self_checks::insert(&mut tx, BranchId(5), LedgerItemId(1), Verdict::NotApplicable, "  ", me).await,
    )
    .await;
    refused(
        "a second answer to the same item",
        db::self_checks::insert(&mut tx, BranchId(1), LedgerItemId(1), Verdict::Problem, "", me).await,
    )
    .await;
    let finding = |category: i64, item: Option<i64>| NewFinding {
        branch_id: BranchId(5),
        campaign_id: CampaignId(1),
        category_id: CategoryId(category),
        ledger_item_id: item.map(LedgerItemId),
        position: 1,
        text: "问题",
        created_by: me,
        source: Source::SelfCheck,
    };
    refused(
        "a finding whose item is in another category",
        db::findings::insert(&mut tx, &finding(1, Some(6))).await,
    )
    .await;
    refused(
        "a finding under another campaign's category",
        db::findings::insert(
            &mut tx,
            &NewFinding {
                campaign_id: CampaignId(2),
                ..finding(1, Some(1))
            },
        )
        .await,
    )
    .await;
    refused(
        "an empty finding",
        db::findings::insert(
            &mut tx,
            &NewFinding {
                text: "   ",
                ..finding(1, None)
            },
        )
        .await,
    )
    .await;
    let ok = db::findings::insert(&mut tx, &finding(2, Some(6)))
        .await
        .expect("a consistent finding");

    let measure = NewMeasure {
        finding_id: ok,
        position: 1,
        text: "措施",
        deadline: None,
        owner: "",
        status: MeasureStatus::ClosedOut,
        immediate: false,
        completion_note: "",
        closed_out_by: None,
    };
    refused(
        "已销号 without who closed it off",
        db::measures::insert(&mut tx, &measure).await,
    )
    .await;
    refused(
        "a measure of a missing finding",
        db::measures::insert(
            &mut tx,
            &NewMeasure {
                finding_id: FindingId(9999),
                status: MeasureStatus::NotStarted,
                ..measure
            },
        )
        .await,
    )
    .await;
}

#[tokio::test]
async fn only_one_campaign_is_current_and_dates_are_real_dates() {
    let app = spawn_empty().await;
    let insert = |current: i64, due: &'static str| {
        sqlx::query(
            "INSERT INTO campaigns (title, doc_number, issued_on, self_check_due, report_due, rectify_due, results_due, is_current)
             VALUES ('2023年党支部对账整改专项行动', '组织部〔2023〕1号', '2023-10-05', ?, '2023-10-20', '2023-10-31', '2023-11-30', ?)",
        )
        .bind(due)
        .bind(current)
        .execute(&app.db.write)
    };
    refused("a second current campaign", insert(1, "2023-10-15").await).await;
    refused("a date that is not YYYY-MM-DD", insert(0, "2023-10-32").await).await;
    refused("a date in another format", insert(0, "2023/10/15").await).await;
    assert!(insert(0, "2023-10-15").await.is_ok());
}

#[tokio::test]
async fn opening_the_database_drops_stat4_samples_but_keeps_the_row_counts() {
    // With STAT4 samples present, the bundled SQLite re-plans every statement with bound
    // parameters on every execution (see db::forget_stat4_samples).
    let app = spawn_demo().await;
    sqlx::query("ANALYZE").execute(&app.db.write).await.unwrap();
    let count = |table: &'static str| {
        let pool = app.db.read.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(count("sqlite_stat4").await > 0, "ANALYZE wrote samples");
    let reopened = db::Db::open(&app.dir.path().join("test.db")).await.unwrap();
    assert_eq!(count("sqlite_stat4").await, 0);
    assert!(count("sqlite_stat1").await > 0);
    reopened.close().await;
}
