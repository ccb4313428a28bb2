//! The database itself refuses rows that break the rules, whatever the code above it does.

mod common;

use common::*;
use duizhang::db;
use duizhang::db::findings::NewFinding;
use duizhang::db::measures::NewMeasure;
use duizhang::domain::states::FindingSource as Source;
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
    let mut tx = raw_connection(&app).await;
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
    let mut tx = raw_connection(&app).await;
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
        long_term: false,
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
async fn a_secretary_never_belongs_to_a_committees_own_unit() {
    let app = spawn_demo().await;
    let mut tx = raw_connection(&app).await;
    // Unit 8 is committee 1's own (本级): it has no secretary, whatever path makes the account.
    let err = db::users::insert(&mut tx, &user(Role::Secretary, None, Some(BranchId(8))))
        .await
        .expect_err("a secretary of a committee's own unit");
    assert!(err.to_string().contains("a secretary belongs to a branch"), "{err}");
    let err = sqlx::query("UPDATE branches SET committee_id = 2 WHERE id = 8")
        .execute(&mut tx)
        .await
        .expect_err("moving a committee's own unit");
    assert!(err.to_string().contains("stays with it"), "{err}");
    let err = sqlx::query("INSERT INTO branches (committee_id, name, level) VALUES (1, '又一个本级', 'committee')")
        .execute(&mut tx)
        .await
        .expect_err("a second own unit");
    assert!(db::is_constraint_violation(&err), "{err}");
}

#[tokio::test]
async fn a_committees_leader_is_one_of_its_reviewers_and_guidance_names_its_own_branch() {
    let app = spawn_demo().await;
    let mut tx = raw_connection(&app).await;
    let id = |name: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username = ?")
            .bind(name)
            .fetch_one(&app.db.read)
    };
    let (reviewer1, reviewer2, secretary1) = (
        id("reviewer1").await.unwrap(),
        id("reviewer2").await.unwrap(),
        id("secretary1").await.unwrap(),
    );
    for other in [reviewer2, secretary1] {
        let err = sqlx::query("UPDATE committees SET leader_user_id = ? WHERE id = 1")
            .bind(other)
            .execute(&mut tx)
            .await
            .expect_err("a leader from elsewhere");
        assert!(err.to_string().contains("one of its reviewers"), "{err}");
    }
    // The demo's leader leaves the committee: it has none until the 组织部 names one.
    sqlx::query("UPDATE users SET committee_id = 2 WHERE id = ?")
        .bind(reviewer1)
        .execute(&mut tx)
        .await
        .unwrap();
    let leader: Option<i64> = sqlx::query_scalar("SELECT leader_user_id FROM committees WHERE id = 1")
        .fetch_one(&mut tx)
        .await
        .unwrap();
    assert_eq!(leader, None);
    let err = sqlx::query(
        "INSERT INTO committee_work (campaign_id, committee_id, kind, held_on, branch_id, title)
         VALUES (1, 1, 'guidance', '2026-11-20', 4, '督查')",
    )
    .execute(&mut tx)
    .await
    .expect_err("guidance of another committee's branch");
    assert!(err.to_string().contains("a branch of the committee"), "{err}");
    let err = sqlx::query(
        "INSERT INTO committee_work (campaign_id, committee_id, kind, held_on, title) VALUES (1, 1, 'guidance', '2026-11-20', '督查')",
    )
    .execute(&mut tx)
    .await
    .expect_err("guidance without a branch");
    assert!(db::is_constraint_violation(&err), "{err}");
}

/// A database migrated up to (not including) `version`, on a file in `dir`.
async fn migrated_before(dir: &std::path::Path, version: i64) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join("old.db"))
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let mut older =
        sqlx::migrate::Migrator::new(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")))
            .await
            .unwrap();
    older.migrations = older
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    older.run(&pool).await.unwrap();
    pool
}

#[tokio::test]
async fn migration_10_moves_findings_under_the_committees_own_items_to_extended_and_keeps_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let pool = migrated_before(dir.path(), 20261130000010).await;
    // A campus of the first round: a branch that answered 1(5) (item 5) 存在问题 with a
    // finding and a measure under it, and 1(1) with a finding that stays.
    for sql in [
        "INSERT INTO committees (id, name) VALUES (1, '计算机工程学院党委'), (2, '机关党委')",
        "INSERT INTO branches (id, committee_id, name) VALUES (1, 1, '教工党支部')",
        "INSERT INTO users (id, username, display_name, password_hash, role, branch_id) VALUES (1, 's', '书记', 'x', 'secretary', 1)",
        // The campaign lies around today, as a campaign being worked in does.
        "UPDATE campaigns SET issued_on = date('now', '-12 days'), self_check_due = date('now', '-2 days'),
                              report_due = date('now', '+3 days'), rectify_due = date('now', '+14 days'),
                              results_due = date('now', '+44 days')",
        "INSERT INTO self_checks (branch_id, ledger_item_id, verdict) VALUES (1, 5, 'problem'), (1, 1, 'problem')",
        "INSERT INTO findings (id, branch_id, campaign_id, category_id, ledger_item_id, text, source)
         VALUES (1, 1, 1, 1, 5, '未提醒换届', 'self_check'), (2, 1, 1, 1, 1, '超期未换届', 'self_check')",
        "INSERT INTO measures (finding_id, text) VALUES (1, '建立提醒制度')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    db::MIGRATOR.run(&pool).await.unwrap();

    let moved: (Option<i64>, String) = sqlx::query_as("SELECT ledger_item_id, source FROM findings WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(moved, (None, "extended".to_string()), "to 延伸自查 of category 1");
    let kept: Option<i64> = sqlx::query_scalar("SELECT ledger_item_id FROM findings WHERE id = 2")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, Some(1), "a finding under a branch item stays");
    let measures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM measures WHERE finding_id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(measures, 1, "its measure goes with it");
    let note: String = sqlx::query_scalar(
        "SELECT json_extract(before_json, '$.ledger_item') FROM audit_log
         WHERE action = 'finding.move_to_extended' AND finding_id = 1 AND branch_id = 1 AND committee_id = 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(note, "1（5）上级党组织未落实按期换届提醒督促制度");
    let answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM self_checks WHERE branch_id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(answers, 2, "the answers given stay in the history");
    let own: Vec<(i64, String)> =
        sqlx::query_as("SELECT committee_id, name FROM branches WHERE level = 'committee' ORDER BY committee_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        own,
        [(1, "本级".to_string()), (2, "本级".to_string())],
        "each committee its own unit"
    );
    let theirs: Vec<String> = sqlx::query_scalar(
        "SELECT c.position || '(' || i.position || ')' FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
         WHERE i.level = 'committee' ORDER BY c.position, i.position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(theirs, ["1(5)", "5(1)", "5(2)"]);

    // The branch's secretary is told on the ledger page.
    let hash = duizhang::auth::password::hash(PASSWORD.to_string()).await.unwrap();
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = 1")
        .bind(hash)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let database = dir.path().join("old.db");
    let app = spawn_with(|c| c.database = database).await;
    let s = app.login("s").await;
    let page = visible_text(&app.get(&s, "/branches/1").await.text().await.unwrap());
    assert!(page.contains("有 1 条查摆问题已改列为“延伸自查”"), "{page}");
    assert!(page.contains("1（5）上级党组织未落实按期换届提醒督促制度"), "{page}");
    assert!(page.contains("未提醒换届"), "the finding is still on the page");
}

#[tokio::test]
async fn migration_11_moves_the_member_count_into_branch_data_of_every_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let pool = migrated_before(dir.path(), 20261130000011).await;
    for sql in [
        "INSERT INTO committees (id, name) VALUES (1, '计算机工程学院党委')",
        // 0 was the old form's "not entered".
        "INSERT INTO branches (id, committee_id, name, full_member_count) VALUES (1, 1, '教工党支部', 12), (2, 1, '学生党支部', 0)",
        "INSERT INTO campaigns (title, doc_number, issued_on, self_check_due, report_due, rectify_due, results_due, is_current)
         VALUES ('第二次', '组织部〔2026〕1号', '2026-11-18', '2026-11-28', '2026-12-03', '2026-12-14', '2027-01-13', 0)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    db::MIGRATOR.run(&pool).await.unwrap();

    let rows: Vec<(i64, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT campaign_id, branch_id, full_members, term_years FROM branch_profiles ORDER BY campaign_id, branch_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (1, 1, Some(12), 3),
            (1, 2, None, 3),
            (2, 1, Some(12), 3),
            (2, 2, None, 3)
        ],
        "every branch of every campaign, and no row for a committee's own unit"
    );
    let hints: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.position || '(' || i.position || ')', i.hint FROM ledger_items i
         JOIN ledger_categories c ON c.id = i.category_id WHERE i.hint IS NOT NULL ORDER BY c.position, i.position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let hints: Vec<(&str, &str)> = hints.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        hints,
        [("1(1)", "term"), ("1(2)", "vacancy"), ("1(4)", "committee_size")]
    );
}

#[tokio::test]
async fn migration_14_names_a_committees_only_reviewer_its_leader() {
    let dir = tempfile::tempdir().unwrap();
    let pool = migrated_before(dir.path(), 20261130000014).await;
    for sql in [
        "INSERT INTO committees (id, name) VALUES (1, '计算机工程学院党委'), (2, '机关党委'), (3, '文学院党总支')",
        "INSERT INTO users (id, username, display_name, password_hash, role, committee_id) VALUES
            (1, 'r1', '周国栋', 'x', 'reviewer', 1),
            (2, 'r2a', '甲', 'x', 'reviewer', 2), (3, 'r2b', '乙', 'x', 'reviewer', 2)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    db::MIGRATOR.run(&pool).await.unwrap();
    let leaders: Vec<Option<i64>> = sqlx::query_scalar("SELECT leader_user_id FROM committees ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        leaders,
        [Some(1), None, None],
        "one reviewer: its leader; two or none: the 组织部 chooses"
    );
}

#[tokio::test]
async fn only_one_campaign_is_current_and_dates_are_real_dates() {
    let app = spawn_empty().await;
    let mut conn = raw_connection(&app).await;
    let mut insert = async |current: i64, due: &'static str| {
        sqlx::query(
            "INSERT INTO campaigns (title, doc_number, issued_on, self_check_due, report_due, rectify_due, results_due, is_current)
             VALUES ('2023年党支部对账整改专项行动', '组织部〔2023〕1号', '2023-10-05', ?, '2023-10-20', '2023-10-31', '2023-11-30', ?)",
        )
        .bind(due)
        .bind(current)
        .execute(&mut conn)
        .await
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
    sqlx::query("ANALYZE")
        .execute(&mut raw_connection(&app).await)
        .await
        .unwrap();
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

/// Every migration that has landed, with the SHA-384 of its text as sqlx records it in
/// `_sqlx_migrations`. sqlx refuses to start on a database migrated with another text of the
/// same version, so a landed migration must never change: changes go into a new migration,
/// whose checksum is added here when it lands.
const LANDED: &[(i64, &str)] = &[
    (
        20261126000001,
        "f03e03d4d204aeb8e56e232252d5a6d45252cc69836bb83ecd9f3435713a61f1acf404c8906afa2f668a71889159a4b3",
    ),
    (
        20261126000002,
        "c2888c5653fbc63bdb5af335b9cc6390bf814aaa971ba75662f70ddd8c37f89e5abf4451f66fc2f34e10faa03c4489b8",
    ),
    (
        20261126000003,
        "1aaa6a30cedaefe061990b30ad05c8ecde489302aa57be87fc9110903082a0c84e6d0fd1ce8a368342ec13723d5293ea",
    ),
    (
        20261126000004,
        "df9fb2d2c8fd2456dfa2c532072b7c985c930e14e10661ddeba658daa84600e99c9ada367b3dfbd790f7fa7c0135ca9e",
    ),
    (
        20261126000005,
        "04b589ea06ae31ff385def41bbed4e68c3d9700268808fdbc0f373bf440d2fc7708ed9d839dc985f2d706c515a6d99be",
    ),
    (
        20261126000006,
        "a27e06184039b1c7415da9763e0f53be706789f88eefd2b18ecb01ae433507a3a55bcb5869e7578d1f1c65cb01e98745",
    ),
    (
        20261126000007,
        "fdea2fb8ed2c8a24dc688d6ea5feeadfced42c578e5de2bab912d248d0f9c9c59afdbf0a40b9c622d66b8b6c2917d747",
    ),
    (
        20261126000008,
        "ec985359086ba3ac858d4750d72a546d8294ce05e39201c3f3667a3e4ab92267c45c86bb260cafa015c46ce91cb34db9",
    ),
    (
        20261126000009,
        "10b8ac56f676091cb47ad51b8dbd5213c27229e576cee80608b90b6b1c31531ca14774c15ba54e4b8c4775ecc6f43d6b",
    ),
    (
        20261130000010,
        "90694ba200ef96b95ec5ffaf4002ad81d08ab93d4ebfab685b0b6e0bb7ed8b46ea732321a46d51c0667c7edc592a6d33",
    ),
    (
        20261130000011,
        "1f6a4bac243b162cf521cd32a78132af270220d623286803bc6daff78af35778e744233424df316c3e4e42d2682b8103",
    ),
    (
        20261130000012,
        "5691940b9c83a7c0194806c47809650478555744460128017bdba9f61388d7d9273069e5bbe8e35c70b9a2404f209e17",
    ),
    (
        20261130000013,
        "cd0fcdf4ca97e8c433fea9361008cdc97e72a7bc7e796180cdbabd82e65bc21e701fe64c0d1c1657de981da957d72a53",
    ),
    (
        20261130000014,
        "d6eec576bc746c9ade91f5fd04deb099182296ddeccd4b3678ed7a3d752a7d6bc143fc5dc81bcdb9f6cf7b8e39cc6d9d",
    ),
    (
        20261130000015,
        "89ade417bb21c9d79827120a96cd5ff9b289f92e9b1adfb5fff2e55d9390aa296ba30758ab7515ff1560f80d52cbd0b3",
    ),
    (
        20261130000016,
        "deae1e4ae49b5e0812f6a0fb3d625d74e0c531c9cb7c24f526de23ca3af62f27a01654ae478198b60fea7a3f26a36099",
    ),
    (
        20261130000017,
        "4e1b92f3ca1f2296d27a29ab82cc46d25c3a488eff42b7b1996d99fd2f7311ee5f6b65e3fba85388efe90f3f49cd0670",
    ),
    (
        20261201000018,
        "3144edc46dc007a1a9dd92e2cbb0bb20aceb23771fc050e191227bed978529d2b5f261dfbaa6abbeeb7cfc2de6345b2a",
    ),
    (
        20261201000019,
        "a99b8e22dc92a53c9fb0e6146b0f5b1211c7190ef3deb95856dccf8d51c300070efb1c7347a5e4ae5f19e553a89a7eb1",
    ),
    (
        20261201000020,
        "394f7792feed83f925c7ecf41bcf7c6e85f23f72baf76d49087e83ca06b503e4c9e13c73f3f417698ab1d051797ddb1c",
    ),
    (
        20261201000021,
        "0fb525e231e0ff68a2c111efe7ce2359d405050079412fdb16d69f998ef3db9ace34aa47fe38eece96c807008efa4c18",
    ),
    (
        20261201000022,
        "41a317e3ba2a9618375fa7b5746644cdd94b44b36221007fea4c9e7c88af749d1c6dd7ab9dca6da6d9a4a4a29bda8df2",
    ),
    (
        20261201000023,
        "b92011e0acf8f87882dcd697511f249c85b7ab577e15809c873db4e221b5f4289a54d6f76d21b1e562a700bfa1c4e828",
    ),
    (
        20261201000024,
        "c0471ff04119963726b57366affb31de86c40fac680151a282a82372d3bbbeaa438fe55d84fbb6ddf5cfe065bbae3d20",
    ),
];

#[test]
fn landed_migrations_never_change() {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let compiled: Vec<(i64, String)> = db::MIGRATOR.iter().map(|m| (m.version, hex(&m.checksum))).collect();
    let mut problems = Vec::new();
    for (version, checksum) in LANDED {
        match compiled.iter().find(|(v, _)| v == version) {
            None => problems.push(format!(
                "{version}: landed, now missing (never delete a landed migration)"
            )),
            Some((_, now)) if now != checksum => problems.push(format!(
                "{version}: its text changed since it landed (sqlx refuses databases migrated with the old text); \
                 restore it and put the change in a new migration"
            )),
            Some(_) => {}
        }
    }
    for (version, checksum) in &compiled {
        if !LANDED.iter().any(|(v, _)| v == version) {
            problems.push(format!(
                "{version}: not listed; once it lands add ({version}, \"{checksum}\") to LANDED"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
