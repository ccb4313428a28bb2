//! What a write changes is what the next read sees: every write goes through `Db::write`, which
//! advances the memos' generation after its commit and before it returns, whatever connection
//! did the writing (a pool's hook would not run for a connection it retires).

mod common;

use common::*;
use duizhang::actions::{self, Outcome};
use duizhang::db;

#[tokio::test]
async fn a_write_is_read_at_once_also_after_the_write_connection_was_replaced() {
    let app = spawn_demo().await;
    let overseer = account(&app, "overseer").await;
    let reviewer = account(&app, "reviewer1").await;
    let secretary = account(&app, "secretary2").await;
    let c = demo_campaign();
    let f = duizhang::domain::dates::format_date;
    for round in 0..60 {
        if round % 20 == 10 {
            // The pool opens a new connection for the next write.
            app.db.retire_write_connection().await.unwrap();
        }
        // Memoised reads, made just before the write, so the memo holds the old value.
        let before = db::campaigns::current(&app.db).await.unwrap().unwrap();
        let form = actions::campaigns::CampaignForm {
            title: format!("第{round}轮专项行动"),
            doc_number: c.doc_number.clone(),
            issued_on: f(c.issued_on),
            self_check_due: f(c.self_check_due),
            report_due: f(c.report_due),
            rectify_due: f(c.rectify_due),
            results_due: f(c.results_due),
            version: before.version,
            ..Default::default()
        };
        let done = actions::campaigns::update(&app.db, &overseer, before.id, &form)
            .await
            .unwrap();
        assert!(matches!(done, Outcome::Done(_)), "round {round}: {done:?}");
        let after = db::campaigns::current(&app.db).await.unwrap().unwrap();
        assert_eq!(
            after.title, form.title,
            "round {round}: the memo served the title from before the write"
        );
        assert_eq!(after.version, before.version + 1);
        // A branch's write shows at once in the committee's progress, also a memo.
        let status = if round % 2 == 0 { "in_progress" } else { "not_started" };
        let (_, _, measure) = demo_measure(&app, "每月主题党日提前一周确定主题").await;
        let measure = duizhang::domain::MeasureId(measure);
        let m = db::measures::get(&app.db.read, campus(&app).await, measure)
            .await
            .unwrap()
            .unwrap();
        let progress =
            || db::progress::branches(&app.db, reviewer.scope(), before.id, duizhang::domain::dates::today());
        let in_progress = |rows: Vec<db::progress::BranchProgress>| {
            rows.iter()
                .find(|r| r.branch_id == m.branch_id)
                .unwrap()
                .measures_in_progress
        };
        let was = in_progress(progress().await.unwrap());
        let form = actions::measures::MeasureForm {
            text: m.text.clone(),
            status: status.into(),
            version: m.version,
            ..Default::default()
        };
        let saved = actions::measures::update(&app.db, &secretary, m.branch_id, measure, &form)
            .await
            .unwrap();
        assert!(matches!(saved, Outcome::Done(_)), "round {round}: {saved:?}");
        let now = in_progress(progress().await.unwrap());
        assert_eq!(
            now,
            if round % 2 == 0 { was + 1 } else { was - 1 },
            "round {round}: stale progress"
        );
    }
}

#[tokio::test]
async fn a_refused_step_leaves_nothing_behind_and_changes_no_memo() {
    let app = spawn_demo().await;
    let secretary = account(&app, "secretary2").await;
    let audit = || {
        let pool = app.db.read.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let generation = app.db.generation();
    let rows = audit().await;
    // 未发现问题 on an item that has findings: refused, and the ledger's state untouched.
    let form = actions::ledger::Answer {
        verdict: "no_problem".into(),
        reason: String::new(),
        version: 1,
    };
    // Item 2（2）: answered 存在问题, with a finding under it.
    let item: i64 =
        sqlx::query_scalar("SELECT ledger_item_id FROM findings WHERE text LIKE '主题党日活动以集中学习文件为主%'")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    let item = duizhang::domain::LedgerItemId(item);
    let outcome = actions::ledger::answer(&app.db, &secretary, duizhang::domain::BranchId(2), item, &form)
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Invalid(_)), "{outcome:?}");
    assert_eq!(audit().await, rows, "nothing written");
    assert_eq!(app.db.generation(), generation, "no memo retired by a refused step");
}
