//! The 组织部's 回头看 and 五星级 eligibility through the real server.

mod common;

use common::*;
use duizhang::db;
use reqwest::StatusCode;

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

#[tokio::test]
async fn eligibility_is_shown_with_reasons_and_a_look_back_rebound_costs_it() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let page = visible_text(&body(app.get(&o, "/overview").await).await);
    // Branches not signed off are ineligible, each with its reason.
    assert!(page.contains("具备五星级资格"));
    assert!(
        page.contains(&format!("截至 {}", day(0))),
        "judged today, before the results date"
    );
    assert!(page.contains("问题整改台账未经党总支（党委）审核签字（当前：未开始）"));

    // 回头看 on branch 4's closed-off measure 13: it stays 已销号 until the re-check says 反弹.
    let finding = "/branches/4/findings/11";
    let res = app
        .post_form(&o, "/branches/4/measures/13/look-back", finding, &[("reason", "")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("请填写回头看的原因"));
    let res = app
        .post_form(
            &o,
            "/branches/4/measures/13/look-back",
            finding,
            &[("reason", "抽查换届材料")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let m = db::measures::get(&app.db.read, campus(&app).await, duizhang::domain::MeasureId(13))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status.code(), "closed_out", "starting a look-back reopens nothing");
    let s = app.login("secretary4").await;
    assert!(visible_text(&body(app.get(&s, finding).await).await).contains("回头看原因：抽查换届材料"));
    // One at a time: a second one waits for the first's outcome.
    let res = app
        .post_form(&o, "/branches/4/measures/13/look-back", finding, &[("reason", "再查")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("回头看尚未记录结果"));

    // The outcome: 反弹 needs a word, and then counts against eligibility.
    let lb = db::look_backs::of_branch(
        &app.db.read,
        campus(&app).await,
        duizhang::domain::CampaignId(1),
        duizhang::domain::BranchId(4),
    )
    .await
    .unwrap();
    let path = format!("/branches/4/look-backs/{}", lb[0].id);
    let res = app
        .post_form(
            &o,
            &path,
            finding,
            &[("outcome", "rebound"), ("note", ""), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_form(
            &o,
            &path,
            finding,
            &[("outcome", "rebound"), ("note", "换届材料仍缺批复"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let m = db::measures::get(&app.db.read, campus(&app).await, duizhang::domain::MeasureId(13))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status.code(), "in_progress", "反弹 reopens the measure");
    let page = visible_text(&body(app.get(&s, finding).await).await);
    assert!(page.contains("整改“回头看”发现反弹：换届材料仍缺批复"), "{page}");
    assert!(!page.contains("不予销号的原因"), "a rebound is not a refused close-out");
    let page = visible_text(&body(app.get(&o, "/overview").await).await);
    assert!(page.contains("整改“回头看”发现 1 条问题反弹"), "{page}");

    // Only the 组织部 flags 回头看.
    let r = app.login("reviewer2").await;
    let res = app
        .post_form(&r, "/branches/4/measures/14/look-back", finding, &[("reason", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_ineligible_list_downloads_as_xlsx_with_a_chinese_name() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let res = app.get(&o, "/overview/ineligible.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.contains("filename*=UTF-8''%E4%BA%94%E6%98%9F%E7%BA%A7"),
        "{disposition}"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    // Read it back: a title row, a header row, then one row per ineligible branch.
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("五星级资格").unwrap();
    assert_eq!(range.get_value((1, 1)).unwrap().to_string(), "党支部");
    // Six of the seven: branch 4 is signed off and nothing of it is overdue.
    assert_eq!(range.height(), 2 + 6);
    let names: Vec<String> = (2..8).map(|r| range.get_value((r, 1)).unwrap().to_string()).collect();
    assert!(!names.contains(&"汉语言文学系教工党支部".to_string()), "{names:?}");
    // Others cannot download it.
    let r = app.login("reviewer1").await;
    assert_eq!(
        app.get(&r, "/overview/ineligible.xlsx").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&app.client(), "/overview/ineligible.xlsx").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_dashboard_draws_charts_filters_and_downloads_what_it_shows() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let html = body(app.get(&o, "/overview").await).await;
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        3,
        "progress, findings per category, overdue over time"
    );
    assert!(html.contains("各党总支（党委）对账查摆进度") && html.contains("组织生活制度执行不严格"));

    // Filters: one committee; overdue only; a ledger state.
    let only_2 = visible_text(&body(app.get(&o, "/overview?committee=2").await).await);
    assert!(only_2.contains("汉语言文学系教工党支部") && !only_2.contains("软件工程系教工党支部"));
    // The branch tables (the 按期换届提醒 list above them is not filtered by overdue measures).
    let tables = |html: String| html.split("id=\"branches\"").skip(1).collect::<String>();
    let overdue = tables(body(app.get(&o, "/overview?overdue=1").await).await);
    assert!(overdue.contains(">计算机科学与技术系教工党支部<") && !overdue.contains(">软件工程系教工党支部<"));
    let returned = body(app.get(&o, "/overview?state=returned").await).await;
    assert!(returned.contains(">计算机工程学院本科生第一党支部<") && !returned.contains(">党委办公室党支部<"));

    // The download carries the same filter.
    let res = app.get(&o, "/overview.xlsx?committee=2").await;
    assert_eq!(res.status(), StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(res.bytes().await.unwrap().to_vec())).unwrap();
    let range = book.worksheet_range("全校总览").unwrap();
    assert_eq!(range.height(), 2 + 2, "committee 2 has two branches");
    assert_eq!(range.get_value((2, 1)).unwrap().to_string(), "汉语言文学系教工党支部");
}

#[tokio::test]
async fn a_new_campaign_copies_the_ledger_carries_unfinished_work_and_leaves_the_old_one_alone() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let form = |title: &'static str, report: &'static str| {
        [
            ("title", title),
            ("doc_number", "组织部〔2023〕30号"),
            ("issued_on", "2023-10-08"),
            ("self_check_due", "2023-10-20"),
            ("report_due", report),
            ("rectify_due", "2023-11-10"),
            ("results_due", "2023-11-30"),
            ("copy_from", "1"),
            ("carry_over", "1"),
        ]
    };
    let res = app
        .post_form(
            &o,
            "/admin/campaigns",
            "/admin/campaigns",
            &form("2023年党支部对账整改专项行动", "2023-10-01"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("党总支报送时限不能早于通知日期") && html.contains("value=\"2023年党支部对账整改专项行动\""));
    let res = app
        .post_form(
            &o,
            "/admin/campaigns",
            "/admin/campaigns",
            &form("2023年党支部对账整改专项行动", "2023-10-25"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let new = db::campaigns::all(&app.db.read)
        .await
        .unwrap()
        .into_iter()
        .find(|(c, _)| c.title.starts_with("2023"))
        .unwrap()
        .0;
    assert!(!new.is_current);
    assert_eq!(
        db::ledger::items(&app.db, new.id).await.unwrap().len(),
        25,
        "the ledger is copied"
    );
    let carried = db::ledger::findings(&app.db.read, campus(&app).await, new.id, duizhang::domain::BranchId(1))
        .await
        .unwrap();
    assert!(carried.iter().all(|f| f.text.starts_with("（上年度未完成整改）")));
    assert_eq!(
        carried.len(),
        5,
        "every finding of branch 1 still had an unfinished measure"
    );
    let measures = db::ledger::measures(&app.db.read, campus(&app).await, new.id, duizhang::domain::BranchId(1))
        .await
        .unwrap();
    assert!(
        measures.iter().all(|m| m.status.code() != "closed_out"),
        "closed-off measures stay behind"
    );
    // The old campaign is unchanged.
    assert_eq!(
        db::ledger::findings(
            &app.db.read,
            campus(&app).await,
            duizhang::domain::CampaignId(1),
            duizhang::domain::BranchId(1)
        )
        .await
        .unwrap()
        .len(),
        5
    );

    // Made current: pages show it by default; ?campaign=1 shows the past one, read-only.
    let res = app
        .post_form(
            &o,
            &format!("/admin/campaigns/{}/current", new.id),
            "/admin/campaigns",
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let s = app.login("secretary1").await;
    let page = visible_text(&body(app.get(&s, "/branches/1").await).await);
    assert!(page.contains("2023年党支部对账整改专项行动") && page.contains("已作答 0 / 22 项"));
    let old = visible_text(&body(app.get(&s, "/branches/1?campaign=1").await).await);
    assert!(old.contains("往年专项行动，只读") && old.contains("已作答 22 / 22 项"));
    // Nothing of the past campaign can be changed through its row ids.
    let res = app
        .post_form(
            &s,
            "/branches/1/findings/1",
            "/branches/1",
            &[("text", "改往年的"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .post_form(
            &s,
            "/branches/1/measures/1",
            "/branches/1",
            &[("text", "改往年的"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let r = app.login("reviewer1").await;
    let res = app
        .post_form(
            &r,
            "/branches/1/measures/4/close-out/decide",
            "/branches/1",
            &[("decision", "confirm"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let f1 = db::findings::get(&app.db.read, campus(&app).await, duizhang::domain::FindingId(1))
        .await
        .unwrap()
        .unwrap();
    assert!(!f1.text.contains("改往年的"));
}

#[tokio::test]
async fn a_ledger_is_editable_until_the_first_answer_then_locked() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    // The 2022 ledger has answers: locked.
    let res = app
        .post_form(
            &o,
            "/admin/campaigns/1/ledger",
            "/admin/campaigns/1/ledger",
            &[("action", "item_text"), ("id", "1"), ("text", "改")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(body(res).await.contains("台账已锁定"));

    // Next year's campaign (newest first in the list below).
    let dates = [day(365), day(377), day(382), day(395), day(415)];
    let form = [
        ("title", "下一年度党支部对账整改专项行动"),
        ("issued_on", dates[0].as_str()),
        ("self_check_due", dates[1].as_str()),
        ("report_due", dates[2].as_str()),
        ("rectify_due", dates[3].as_str()),
        ("results_due", dates[4].as_str()),
        ("copy_from", "1"),
    ];
    app.post_form(&o, "/admin/campaigns", "/admin/campaigns", &form).await;
    let new = db::campaigns::all(&app.db.read).await.unwrap()[0].0.id;
    let url = format!("/admin/campaigns/{new}/ledger");
    let items = db::ledger::items(&app.db, new).await.unwrap();
    let first = items[0].id.0.to_string();
    let second_text = items[1].text.clone();
    // Two overseers at once: the later text edit is refused, not silently applied.
    let stale = [
        ("action", "item_text"),
        ("id", first.as_str()),
        ("text", "旧版本上的修改"),
        ("version", "0"),
    ];
    let res = app.post_form(&o, &url, &url, &stale).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        body(res).await.contains("旧版本上的修改"),
        "the text sent is shown to keep"
    );
    for (action, id, text) in [
        ("item_text", first.as_str(), "党支部超期未换届"),
        ("item_down", first.as_str(), ""),
        ("item_add", "0", ""),
    ] {
        let category = db::ledger::categories(&app.db, new).await.unwrap()[0].id.0.to_string();
        let id = if action == "item_add" { category.as_str() } else { id };
        let text = if action == "item_add" {
            "新增：支部委员分工未公示"
        } else {
            text
        };
        let res = app
            .post_form(
                &o,
                &url,
                &url,
                &[("action", action), ("id", id), ("text", text), ("version", "1")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
    }
    let items = db::ledger::items(&app.db, new).await.unwrap();
    assert_eq!(items[0].text, second_text, "moved down: the second is first now");
    assert_eq!(items[1].text, "党支部超期未换届");
    assert_eq!(
        items.iter().filter(|i| i.category_id == items[0].category_id).count(),
        6
    );
    assert_eq!(items.len(), 26);
    let res = app
        .post_form(
            &o,
            &url,
            &url,
            &[("action", "item_text"), ("id", &first), ("text", " ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The 2022 ledger is untouched.
    assert_eq!(
        db::ledger::items(&app.db, duizhang::domain::CampaignId(1))
            .await
            .unwrap()[0]
            .text,
        "党支部超期未换届或未经批准提前换届"
    );
}

#[tokio::test]
async fn a_large_campus_is_shown_a_page_at_a_time() {
    let app = spawn_demo().await;
    app.db
        .write(async |tx| {
            for i in 0..120 {
                let b = duizhang::domain::units::BranchInput::parse(&format!("扩充第{i:03}党支部"), "").unwrap();
                db::admin::create_branch(tx, duizhang::domain::UserId(1), duizhang::domain::CommitteeId(3), &b).await?;
            }
            Ok::<_, sqlx::Error>(())
        })
        .await
        .unwrap();
    let o = app.login("overseer").await;
    let first = body(app.get(&o, "/overview").await).await;
    assert!(first.contains("第 1 / 2 页"));
    assert!(first.contains("扩充第000党支部") && !first.contains("扩充第119党支部"));
    let second = body(app.get(&o, "/overview?page=2").await).await;
    assert!(second.contains("第 2 / 2 页") && second.contains("扩充第119党支部"));
    assert!(
        second.contains("<span class=\"stat-n\">127</span>"),
        "campus totals stay whole on every page"
    );
    assert!(
        second.contains("下面列出前 100 个"),
        "the ineligible list is capped, the XLSX has all"
    );
}

#[tokio::test]
async fn each_committee_shows_its_report_state_and_findings_by_category() {
    let app = spawn_demo().await;
    let r = app.login("reviewer1").await;
    let seen = unsigned_seen(&app, &r, 1).await;
    let sections = [
        ("work_done", "一"),
        ("problems", "二"),
        ("next_steps", "三"),
        ("confirm_unsigned", "1"),
        ("unsigned_seen", &seen),
        ("signed_on", &day(0)),
        ("version", "0"),
    ];
    assert_eq!(
        app.post_form(&r, "/committees/1/report/sign", "/committees/1/report", &sections)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let o = app.login("overseer").await;
    let page = visible_text(&body(app.get(&o, "/overview?committee=1").await).await);
    assert!(page.contains("附件3：已签字"), "{page}");
    assert!(
        page.contains("按类别：2类 3 条、3类 3 条、4类 1 条、6类 3 条"),
        "{page}"
    );
    let page = visible_text(&body(app.get(&o, "/overview?committee=2").await).await);
    assert!(page.contains("附件3：未开始"));
}

#[tokio::test]
async fn the_overview_patched_after_each_change_equals_a_fresh_read() {
    // After a write the overview reads again only the branches whose rows changed (triggers of
    // migration 000009), and everything after a change of units: each change below, of every
    // kind the overview sums, must leave it exactly as a fresh read of the whole campus.
    let mut app = spawn_demo().await;
    let o = app.login("overseer").await;
    let first = body(app.get(&o, "/overview").await).await;
    let changes = [
        // A measure's deadline (overdue chart and counts) and its closing off.
        "UPDATE measures SET deadline = '2022-10-01' WHERE id = 1",
        "UPDATE measures SET status = 'closed_out', closed_out_by = 1, closed_out_at = '2022-11-20 10:00:00'
         WHERE id = 2",
        // A new finding with a measure, in a branch of another committee.
        "INSERT INTO findings (branch_id, campaign_id, category_id, position, text, source)
         VALUES (6, 1, 3, 9, '新增问题', 'extended')",
        "INSERT INTO measures (finding_id, text, deadline, owner)
         VALUES ((SELECT max(id) FROM findings), '新增措施', '2022-10-15', '张三')",
        // An answer, a ledger state, a rebound in a look-back.
        "UPDATE self_checks SET verdict = 'no_problem' WHERE id = (SELECT min(id) FROM self_checks)",
        "INSERT INTO branch_ledgers (campaign_id, branch_id, state) VALUES (1, 7, 'submitted')
         ON CONFLICT (campaign_id, branch_id) DO UPDATE SET state = 'submitted'",
        // An upsert again on the same branch (its trigger runs under the upsert's conflict policy).
        "INSERT INTO branch_ledgers (campaign_id, branch_id, state) VALUES (1, 7, 'returned')
         ON CONFLICT (campaign_id, branch_id) DO UPDATE SET state = 'returned'",
        "INSERT INTO look_backs (measure_id, branch_id, reason, flagged_by, outcome, decided_by)
         SELECT m.id, f.branch_id, '回头看', 1, 'rebound', 1 FROM measures m JOIN findings f ON f.id = m.finding_id
         ORDER BY m.id LIMIT 1",
        // A deleted measure, and a deleted finding with its measures.
        "DELETE FROM measures WHERE id = (SELECT max(id) FROM measures)",
        "DELETE FROM findings WHERE id = (SELECT max(id) FROM findings)",
        // Units: a renamed branch, a deactivated branch, a renamed committee.
        "UPDATE branches SET name = name || '（更名）' WHERE id = 2",
        "UPDATE branches SET active = 0 WHERE id = 3",
        "UPDATE committees SET name = name || '（更名）' WHERE id = 2",
    ];
    let mut last = first.clone();
    for change in changes {
        app.db
            .write(async |tx| sqlx::query(change).execute(tx).await)
            .await
            .unwrap();
        for (patched, fresh) in app.overview_patched_and_fresh(&o).await {
            assert!(
                patched == fresh,
                "after {change}: the patched overview differs from a fresh read"
            );
            last = fresh;
        }
    }
    assert_ne!(first, last, "the changes show on the overview");
}

#[tokio::test]
async fn a_look_back_sample_is_drawn_again_from_its_seed_with_every_committee_in_it() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let closed: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT b.committee_id, m.id FROM measures m JOIN findings f ON f.id = m.finding_id
         JOIN branches b ON b.id = f.branch_id WHERE m.status = 'closed_out'",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let committees: std::collections::BTreeSet<i64> = closed.iter().map(|(c, _)| *c).collect();
    assert!(
        committees.len() >= 2,
        "the demo closes measures off in several committees: {closed:?}"
    );

    // One asked for: still one per committee with any, and the same seed draws the same again.
    let path = "/overview/look-backs?committee=&n=1&seed=4242";
    let first = body(app.get(&o, path).await).await;
    let sample = |html: &str| {
        let at = html.find("id=\"sample\"").expect("a sample");
        let end = html[at..].find("</section>").unwrap() + at;
        html[at..end].matches("#measure-").count()
    };
    assert_eq!(sample(&first), committees.len(), "one per committee");
    assert!(visible_text(&first).contains("种子 4242"));
    assert_eq!(
        first,
        body(app.get(&o, path).await).await,
        "the same seed, the same sample"
    );
    // Filtered to committee 2: only its measures are listed and drawn.
    let only = body(app.get(&o, "/overview/look-backs?committee=2&n=5&seed=1").await).await;
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM committees ORDER BY id")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    let cell = |name: &str| format!("data-label=\"党总支（党委）\">{name}</td>");
    assert!(only.contains(&cell(&names[1])), "committee 2's measures are listed");
    assert!(!only.contains(&cell(&names[0])), "committee 1's are not");
    // A reviewer has no access.
    let r = app.login("reviewer1").await;
    assert_eq!(app.get(&r, path).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_branch_table_ranks_campus_wide_and_finds_a_branch_by_name() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let html = body(app.get(&o, "/overview?sort=overdue").await).await;
    let at = html.find("id=\"ranked\"").expect("one campus-wide table");
    let ranked = &html[at..at + html[at..].find("</section>").unwrap()];
    // The overdue counts down the table, whatever the committee.
    let counts: Vec<i64> = ranked
        .split("data-label=\"逾期\">")
        .skip(1)
        .map(|cell| {
            let text = visible_text(&cell[..cell.find("</td>").unwrap()]);
            let digits: String = text.trim().chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect();
    let branches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM branches WHERE level = 'branch' AND active = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(counts.len() as i64, branches, "every branch in one table: {counts:?}");
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most overdue first: {counts:?}"
    );
    assert!(counts[0] > 0, "the demo has overdue measures");

    // A search by part of a name keeps the branches it names, or those of a committee it names.
    let found = visible_text(&body(app.get(&o, "/overview?q=新闻传播").await).await);
    assert!(found.contains("新闻传播系学生党支部"));
    assert!(!found.contains("软件工程系教工党支部"), "{found}");
}

#[tokio::test]
async fn the_statistics_show_figures_recomputed_from_the_rows() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let html = body(app.get(&o, "/overview/statistics").await).await;

    // Per item: the branches that answered 存在问题, campus-wide.
    let (item, found): (i64, i64) = sqlx::query_as(
        "SELECT sc.ledger_item_id, COUNT(*) FROM self_checks sc JOIN branches b ON b.id = sc.branch_id
         WHERE sc.verdict = 'problem' AND b.level = 'branch' GROUP BY sc.ledger_item_id ORDER BY 2 DESC, 1 LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let (position, category, text): (i64, i64, String) = sqlx::query_as(
        "SELECT i.position, c.position, i.text FROM ledger_items i JOIN ledger_categories c ON c.id = i.category_id
         WHERE i.id = ?",
    )
    .bind(item)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let branches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM branches WHERE level = 'branch' AND active = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let at = html
        .find(&format!("{category}（{position}）</span>{text}"))
        .expect("the item's row");
    let row = &html[at..at + html[at..].find("</tr>").unwrap()];
    let share = format!("{:.0}%（{found}/{branches}）", found as f64 * 100.0 / branches as f64);
    assert!(
        row.contains("data-label=\"全校\" class=\"heat heat-") && row.contains(&share),
        "{share} in {row}"
    );

    // Per committee: 整改完成率 = measures closed off of all its branches' measures.
    let rates: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT c.name, SUM(m.status = 'closed_out'), COUNT(*) FROM measures m JOIN findings f ON f.id = m.finding_id
         JOIN branches b ON b.id = f.branch_id JOIN committees c ON c.id = b.committee_id
         WHERE b.level = 'branch' GROUP BY c.id",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let ranking = &html[html.find("id=\"ranking\"").unwrap()..html.find("id=\"items\"").unwrap()];
    for (name, closed, all) in &rates {
        let at = ranking.find(&format!(">{name}</td>")).expect("each committee ranked");
        let row = &ranking[at..at + ranking[at..].find("</tr>").unwrap()];
        let words = format!("{:.0}%（{closed}/{all}）", *closed as f64 * 100.0 / *all as f64);
        assert!(
            row.contains(&format!("data-label=\"整改完成率\">{words}<")),
            "{name}: {words} in {row}"
        );
    }
    // Ranked by that share, highest first.
    let order: Vec<usize> = rates
        .iter()
        .map(|(name, _, _)| ranking.find(&format!(">{name}</td>")).unwrap())
        .collect();
    let mut by_share = rates.clone();
    by_share.sort_by(|a, b| (b.1 * a.2).cmp(&(a.1 * b.2)));
    let mut positions = order.clone();
    positions.sort();
    let ranked_names: Vec<&str> = positions
        .iter()
        .map(|p| rates[order.iter().position(|q| q == p).unwrap()].0.as_str())
        .collect();
    let expected: Vec<&str> = by_share.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ranked_names[0], expected[0], "the highest 整改完成率 first");
}

#[tokio::test]
async fn campaigns_are_compared_once_there_are_several() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let one = body(app.get(&o, "/overview/statistics").await).await;
    assert!(
        !one.contains("历次专项行动对比"),
        "nothing to compare with one campaign"
    );
    let form = [
        ("title", "2023年党支部对账整改专项行动"),
        ("doc_number", "组织部〔2023〕30号"),
        ("issued_on", "2023-10-08"),
        ("self_check_due", "2023-10-20"),
        ("report_due", "2023-10-25"),
        ("rectify_due", "2023-11-10"),
        ("results_due", "2023-11-30"),
        ("copy_from", "1"),
    ];
    let res = app.post_form(&o, "/admin/campaigns", "/admin/campaigns", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&o, "/overview/statistics").await).await;
    let at = page.find("id=\"campaigns\"").expect("the comparison");
    let table = visible_text(&page[at..at + page[at..].find("</section>").unwrap()]);
    let findings: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM findings f JOIN branches b ON b.id = f.branch_id
         WHERE f.campaign_id = 1 AND b.level = 'branch' AND b.active = 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let current: String = sqlx::query_scalar("SELECT title FROM campaigns WHERE id = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert!(
        table.contains("2023年党支部对账整改专项行动") && table.contains(&current),
        "{table}"
    );
    let row = &table[table.find(&current).unwrap()..];
    assert!(
        row.split_whitespace().take(4).any(|w| w == findings.to_string()),
        "{row}"
    );
}
