//! Actions without HTTP: each user step called as the handler calls it, with an account loaded
//! as its session would load it, and what it came to checked as a typed outcome.

mod common;

use common::*;
use duizhang::actions::{self, Outcome};
use duizhang::db;
use duizhang::domain::evidence::{REPICK, Upload};
use duizhang::domain::{BranchId, FindingId, LedgerItemId, MeasureId};

fn answer(verdict: &str, version: i64) -> actions::ledger::Answer {
    actions::ledger::Answer {
        verdict: verdict.into(),
        reason: String::new(),
        version,
    }
}

#[tokio::test]
async fn an_answer_is_saved_or_refused_with_its_reason() {
    let app = spawn_demo().await;
    let s5 = account(&app, "secretary5").await;
    let (b5, item) = (BranchId(5), LedgerItemId(1));
    let saved = actions::ledger::answer(&app.db, &s5, b5, item, &answer("no_problem", 0))
        .await
        .unwrap();
    assert!(matches!(saved, Outcome::Done(())), "{saved:?}");
    // The same version again: somebody saved in between.
    let stale = actions::ledger::answer(&app.db, &s5, b5, item, &answer("problem", 0))
        .await
        .unwrap();
    assert!(matches!(stale, Outcome::Stale(_)), "{stale:?}");
    let invalid = actions::ledger::answer(&app.db, &s5, b5, item, &answer("maybe", 1))
        .await
        .unwrap();
    match invalid {
        Outcome::Invalid(e) => assert!(e.get("verdict").is_some()),
        other => panic!("{other:?}"),
    }
    // Another branch, another committee's or not: not found, whatever is sent.
    let foreign = actions::ledger::answer(&app.db, &s5, BranchId(1), item, &answer("maybe", 0))
        .await
        .unwrap();
    assert!(matches!(foreign, Outcome::NotFound), "{foreign:?}");
    // A submitted ledger is locked for its branch.
    let s1 = account(&app, "secretary1").await;
    let locked = actions::ledger::answer(&app.db, &s1, BranchId(1), item, &answer("problem", 1))
        .await
        .unwrap();
    match locked {
        Outcome::Refused(m) => assert!(m.contains("已提交"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_submission_gate_lists_what_is_missing_and_submits_nothing() {
    let app = spawn_demo().await;
    let s2 = account(&app, "secretary2").await;
    match actions::ledger::submit(&app.db, &s2, BranchId(2)).await.unwrap() {
        Outcome::Incomplete(missing) => {
            assert!(missing.iter().any(|m| m.text.contains("未作答")), "{missing:?}");
            assert!(
                missing
                    .iter()
                    .all(|m| m.href.starts_with('#') || m.href.starts_with("/branches/2/"))
            );
        }
        other => panic!("{other:?}"),
    }
    let state = db::ledger::ledger_state(&app.db.read, s2.scope(), demo_campaign_id(&app).await, BranchId(2))
        .await
        .unwrap();
    assert_eq!(state.code(), "in_progress", "nothing submitted");
}

async fn demo_campaign_id(app: &TestApp) -> duizhang::domain::CampaignId {
    db::campaigns::current(&app.db).await.unwrap().unwrap().id
}

#[tokio::test]
async fn the_committee_decides_rows_only_of_a_submitted_ledger_and_only_in_its_scope() {
    let app = spawn_demo().await;
    let r1 = account(&app, "reviewer1").await;
    let (_, submitted) = demo_finding(&app, "工作记录本9月份").await;
    let version = db::findings::get(&app.db.read, r1.scope(), FindingId(submitted))
        .await
        .unwrap()
        .unwrap()
        .version;
    let form = |decision: &str, version| actions::review::RowForm {
        decision: decision.into(),
        comment: "请写明时间和人数".into(),
        version,
    };
    let done = actions::review::decide_row(
        &app.db,
        &r1,
        BranchId(1),
        FindingId(submitted),
        &form("return", version),
    )
    .await
    .unwrap();
    assert!(matches!(done, Outcome::Done(_)), "{done:?}");
    let stale = actions::review::decide_row(
        &app.db,
        &r1,
        BranchId(1),
        FindingId(submitted),
        &form("approve", version),
    )
    .await
    .unwrap();
    assert!(
        matches!(stale, Outcome::Refused(ref m) if m.contains("刚刚被修改过")),
        "{stale:?}"
    );
    // Branch 2 is still being filled in: nothing to review there yet.
    let (_, in_progress) = demo_finding(&app, "主题党日活动以集中学习文件为主").await;
    let early = actions::review::decide_row(&app.db, &r1, BranchId(2), FindingId(in_progress), &form("approve", 1))
        .await
        .unwrap();
    assert!(
        matches!(early, Outcome::Refused(ref m) if m.contains("尚未提交")),
        "{early:?}"
    );
    // Another committee's reviewer finds nothing.
    let r2 = account(&app, "reviewer2").await;
    let foreign = actions::review::decide_row(
        &app.db,
        &r2,
        BranchId(1),
        FindingId(submitted),
        &form("approve", version + 1),
    )
    .await
    .unwrap();
    assert!(matches!(foreign, Outcome::NotFound), "{foreign:?}");
}

#[tokio::test]
async fn a_close_out_request_with_a_wrong_file_saves_nothing_and_asks_for_the_files_again() {
    let app = spawn_demo().await;
    let s3 = account(&app, "secretary3").await;
    let (branch, _, measure) = demo_measure(&app, "建立缺席党员补课登记表").await;
    let request = |files| actions::close_out::Request {
        note: "已建立登记表".into(),
        version: 1,
        files,
        broken: false,
    };
    let html = Upload {
        name: "登记表.jpg".into(),
        bytes: b"<html><script>alert(1)</script>".to_vec(),
    };
    let refused = actions::close_out::request(&app.db, &s3, BranchId(branch), MeasureId(measure), request(vec![html]))
        .await
        .unwrap();
    match refused {
        Outcome::Invalid(e) => {
            let files: Vec<&str> =
                e.0.iter()
                    .filter(|(f, _)| *f == "files")
                    .map(|(_, m)| m.as_str())
                    .collect();
            assert!(files.iter().any(|m| m.contains("不是照片")), "{files:?}");
            assert!(files.contains(&REPICK), "{files:?}");
        }
        other => panic!("{other:?}"),
    }
    let m = db::measures::get(&app.db.read, s3.scope(), MeasureId(measure))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status.code(), "not_started", "nothing saved");
}

#[tokio::test]
async fn units_are_the_campus_s_to_keep_and_a_taken_name_is_refused() {
    let app = spawn_demo().await;
    let form = actions::units::CommitteeForm {
        name: "新设党委".into(),
        ..Default::default()
    };
    let r1 = account(&app, "reviewer1").await;
    let outside = actions::units::create_committee(&app.db, &r1, &form).await.unwrap();
    assert!(matches!(outside, Outcome::NotFound), "{outside:?}");
    let o = account(&app, "overseer").await;
    let made = actions::units::create_committee(&app.db, &o, &form).await.unwrap();
    assert!(matches!(made, Outcome::Done(ref n) if n == "新设党委"), "{made:?}");
    let again = actions::units::create_committee(&app.db, &o, &form).await.unwrap();
    assert!(
        matches!(again, Outcome::Refused(ref m) if m == actions::units::TAKEN),
        "{again:?}"
    );
}
