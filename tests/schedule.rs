//! 整改措施 that can be supervised (issue 16), over real HTTP on the demo campus: milestones and
//! progress entries, 延期申请 after submission with the original deadline kept, 长期坚持 in
//! 附件2 and carried over, and a branch's own 附件2 workbook imported (the system's export round
//! trip included).

mod common;

use calamine::{Reader, Xlsx};
use common::forms::post_forms;
use common::*;
use duizhang::db;
use reqwest::StatusCode;
use reqwest::multipart::{Form as Multipart, Part};

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = ?")
        .bind(action)
        .fetch_one(&app.db.read)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_secretary_plans_milestones_records_progress_and_sees_a_milestone_go_overdue() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let (branch, _, measure) = demo_measure(&app, "每月主题党日提前一周").await;
    let page = format!("/branches/{branch}/measures/{measure}");

    // Two milestones, one due today and one in five days.
    for (title, due) in [("拟定全年主题党日计划", day(0)), ("报党委审核", day(5))] {
        let res = app
            .post_form(
                &s,
                &format!("{page}/milestones"),
                &page,
                &[("title", title), ("due_on", &due)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{title}");
    }
    // A bad one is refused next to its fields, with what was typed kept.
    let res = app
        .post_form(
            &s,
            &format!("{page}/milestones"),
            &page,
            &[("title", "汇总"), ("due_on", "明年")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        html.contains("节点完成时间不是有效日期") && html.contains("value=\"汇总\""),
        "{html}"
    );

    // A progress entry with a photo.
    let token = app.csrf(&s, &page).await;
    let form = Multipart::new()
        .text("on_date", day(0))
        .text("text", "支委会研究确定了第一季度三次主题党日的主题")
        .part("file", Part::bytes(PNG.to_vec()).file_name("支委会记录.png"));
    let res = s
        .post(app.url(&format!("{page}/progress?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A future date is refused.
    let token = app.csrf(&s, &page).await;
    let form = Multipart::new().text("on_date", day(3)).text("text", "预计召开");
    let res = s
        .post(app.url(&format!("{page}/progress?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("日期不能晚于今天"));

    let text = visible_text(&body(app.get(&s, &page).await).await);
    assert!(text.contains("今天截止") && text.contains("还剩 5 天"), "{text}");
    assert!(text.contains("支委会研究确定了第一季度三次主题党日的主题") && text.contains("支委会记录.png"));
    assert!(!text.contains("逾期 "), "nothing is late yet: {text}");
    // The ledger shows the next milestone and the last entry.
    let ledger = visible_text(&body(app.get(&s, &format!("/branches/{branch}")).await).await);
    assert!(
        ledger.contains("下一节点：拟定全年主题党日计划") && ledger.contains("最近进展："),
        "{ledger}"
    );
    // The file reads within scope only.
    let entry: i64 = sqlx::query_scalar("SELECT id FROM measure_progress WHERE measure_id = ?")
        .bind(measure)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let file = format!("/branches/{branch}/progress/{entry}/file");
    assert_eq!(app.get(&s, &file).await.status(), StatusCode::OK);
    let other = app.login("secretary1").await;
    assert_eq!(app.get(&other, &file).await.status(), StatusCode::NOT_FOUND);

    // The day passes: the first milestone is now a day late (its date moved back, as time would).
    let campaign = db::campaigns::current(&app.db).await.unwrap().unwrap();
    let today = duizhang::domain::dates::today();
    let overdue_before = db::progress::branches_judged(&app.db.read, campus(&app).await, campaign.id, today, today)
        .await
        .unwrap()[1]
        .measures_overdue;
    let mut conn = raw_connection(&app).await;
    sqlx::query("UPDATE measure_milestones SET due_on = ? WHERE measure_id = ? AND title = '拟定全年主题党日计划'")
        .bind(day(-1))
        .bind(measure)
        .execute(&mut conn)
        .await
        .unwrap();
    // (A write outside the app, which its memos do not see: the sums are read afresh below.)
    let text = visible_text(&body(app.get(&s, &page).await).await);
    assert!(text.contains("逾期 1 天"), "{text}");
    let rows = db::progress::branches_judged(&app.db.read, campus(&app).await, campaign.id, today, today)
        .await
        .unwrap();
    assert_eq!(
        rows[1].measures_overdue,
        overdue_before + 1,
        "a late milestone counts as 逾期"
    );
    let reviewer = app.login("reviewer1").await;
    let reminders = visible_text(&body(app.get(&reviewer, "/committees/1/reminders").await).await);
    assert!(
        reminders.contains("每月主题党日提前一周") && reminders.contains("进度节点"),
        "{reminders}"
    );

    // A late milestone cannot be deleted away; marked done it reads 逾期完成.
    let (id, version): (i64, i64) = sqlx::query_as(
        "SELECT id, version FROM measure_milestones WHERE measure_id = ? AND title = '拟定全年主题党日计划'",
    )
    .bind(measure)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let v = version.to_string();
    let res = app
        .post_form(
            &s,
            &format!("/branches/{branch}/milestones/{id}/delete"),
            &page,
            &[("version", &v)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(body(res).await.contains("不能删除"));
    let res = app
        .post_form(
            &s,
            &format!("/branches/{branch}/milestones/{id}"),
            &page,
            &[("version", &v), ("done", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let text = visible_text(&body(app.get(&s, &page).await).await);
    assert!(text.contains("逾期完成"), "{text}");
    let rows = db::progress::branches_judged(&app.db.read, campus(&app).await, campaign.id, today, today)
        .await
        .unwrap();
    assert_eq!(rows[1].measures_overdue, overdue_before);
    // Every step is in the history.
    for action in ["milestone.add", "progress.add", "milestone.done"] {
        assert!(audit_count(&app, action).await > 0, "{action} audited");
    }
    // The reviewer and the 组织部 read the whole timeline; another committee does not.
    for (user, status) in [
        ("reviewer1", StatusCode::OK),
        ("overseer", StatusCode::OK),
        ("reviewer2", StatusCode::NOT_FOUND),
    ] {
        let c = app.login(user).await;
        let res = app.get(&c, &page).await;
        assert_eq!(res.status(), status, "{user}");
        if status == StatusCode::OK {
            let t = visible_text(&body(res).await);
            assert!(
                t.contains("时间线") && t.contains("报党委审核") && !t.contains("添加节点"),
                "{user}: {t}"
            );
        }
    }
}

#[tokio::test]
async fn after_submission_a_deadline_moves_only_by_an_approved_extension_and_both_are_kept() {
    let app = spawn_demo().await;
    // Branch 3 was handed in and returned: its plans are editable, its deadlines are not.
    let s = app.login("secretary3").await;
    let (branch, finding, measure): (i64, i64, i64) = sqlx::query_as(
        "SELECT f.branch_id, f.id, m.id FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.branch_id = 3 AND m.deadline IS NOT NULL AND m.status <> 'closed_out' ORDER BY m.id LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let finding_page = format!("/branches/{branch}/findings/{finding}");
    let html = body(app.get(&s, &finding_page).await).await;
    assert!(
        html.contains("台账已报送，需延期请在“进度安排”中申请"),
        "the deadline field says so"
    );
    let m = db::measures::get(&app.db.read, campus(&app).await, duizhang::domain::MeasureId(measure))
        .await
        .unwrap()
        .unwrap();
    let original = m.deadline.unwrap();
    assert_eq!(m.original_deadline, Some(original));
    let v = m.version.to_string();
    let res = app
        .post_form(
            &s,
            &format!("/branches/{branch}/measures/{measure}"),
            &finding_page,
            &[
                ("text", &m.text),
                ("deadline", &day(60)),
                ("owner", "改了的人"),
                ("status", "in_progress"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        html.contains("整改时限不能直接修改") && html.contains("改了的人"),
        "refused by the field, typing kept"
    );

    // The 延期申请, then a second one is refused while it waits.
    let page = format!("/branches/{branch}/measures/{measure}");
    let r = app.login("reviewer1").await;
    let badge = |html: String| -> i64 {
        let at = html.find("销号与延期 <span class=\"count\"").expect("a badge");
        let rest = &html[at..];
        let n = &rest[rest.find('>').unwrap() + 1..rest.find("</span>").unwrap()];
        n.parse().unwrap()
    };
    let waiting = badge(body(app.get(&r, "/committees/1").await).await);
    let requested = day(60);
    let res = app
        .post_form(
            &s,
            &format!("{page}/extension"),
            &page,
            &[("requested", &requested), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("请填写延期理由"));
    let reason = "需待学院党委会研究后实施";
    let res = app
        .post_form(
            &s,
            &format!("{page}/extension"),
            &page,
            &[("requested", &requested), ("reason", reason)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(
            &s,
            &format!("{page}/extension"),
            &page,
            &[("requested", &day(70)), ("reason", reason)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(visible_text(&body(app.get(&s, &page).await).await).contains("待审批"));

    // It waits in the committee's queue, counted in its badge.
    assert_eq!(badge(body(app.get(&r, "/committees/1").await).await), waiting + 1);
    let queue = visible_text(&body(app.get(&r, "/committees/1/close-outs").await).await);
    assert!(queue.contains("延期申请待审批") && queue.contains(reason), "{queue}");

    // The committee rejects without a reason: refused; then approves.
    let html = body(app.get(&r, &page).await).await;
    assert!(html.contains("同意延期"), "the reviewer decides here");
    let x: i64 = sqlx::query_scalar("SELECT id FROM deadline_extensions WHERE measure_id = ? AND state = 'pending'")
        .bind(measure)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let xv = hidden_value(
        &html[html.find(&format!("/extensions/{x}/decide")).unwrap()..],
        "version",
    );
    let res = app
        .post_form(
            &r,
            &format!("/branches/{branch}/extensions/{x}/decide"),
            &page,
            &[("decision", "reject"), ("comment", " "), ("version", &xv)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("不同意延期时，请写明原因"));
    let res = app
        .post_form(
            &r,
            &format!("/branches/{branch}/extensions/{x}/decide"),
            &page,
            &[("decision", "approve"), ("version", &xv)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let after = db::measures::get(&app.db.read, campus(&app).await, duizhang::domain::MeasureId(measure))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.deadline.map(|d| d.to_string()), Some(requested.clone()));
    assert_eq!(after.original_deadline, Some(original), "the original deadline is kept");
    // The 组织部 sees both deadlines, and the overview tells the two overdue figures apart.
    let o = app.login("overseer").await;
    let text = visible_text(&body(app.get(&o, &page).await).await);
    assert!(
        text.contains(&format!("{requested}（原定 {original}，延期 1 次）"))
            && text.contains(reason)
            && text.contains("已同意"),
        "{text}"
    );
    let campaign = db::campaigns::current(&app.db).await.unwrap().unwrap();
    let rows = db::progress::branches(
        &app.db,
        campus(&app).await,
        campaign.id,
        duizhang::domain::dates::today(),
    )
    .await
    .unwrap();
    let b3 = rows.iter().find(|b| b.branch_id.0 == branch).unwrap();
    assert_eq!(b3.measures_extended, 1);
    let overview = visible_text(&body(app.get(&o, "/overview").await).await);
    assert!(
        overview.contains("按原定时限") && overview.contains("延期 2 条"),
        "{overview}"
    );
    for action in ["extension.request", "extension.approve"] {
        assert!(audit_count(&app, action).await > 0, "{action} audited");
    }
}

#[tokio::test]
async fn the_campaign_says_which_deadline_eligibility_judges_against() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    // Branch 4 is signed off; its one open measure is in time only by an approved 延期.
    let text = visible_text(&body(app.get(&o, "/overview").await).await);
    let campaign = db::campaigns::current(&app.db).await.unwrap().unwrap();
    assert!(!text.contains("按原定整改时限判断"), "{text}");
    let c = demo_campaign();
    let f = duizhang::domain::dates::format_date;
    let (id, version) = (campaign.id.to_string(), campaign.version.to_string());
    let dates = [
        c.issued_on,
        c.self_check_due,
        c.report_due,
        c.rectify_due,
        c.results_due,
    ]
    .map(f);
    let res = app
        .post_form(
            &o,
            &format!("/admin/campaigns/{id}"),
            "/admin/campaigns",
            &[
                ("title", &c.title),
                ("doc_number", &c.doc_number),
                ("issued_on", &dates[0]),
                ("self_check_due", &dates[1]),
                ("report_due", &dates[2]),
                ("rectify_due", &dates[3]),
                ("results_due", &dates[4]),
                ("eligibility_deadline", "original"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let text = visible_text(&body(app.get(&o, "/overview").await).await);
    assert!(
        text.contains("汉语言文学系教工党支部") && text.contains("按原定整改时限判断"),
        "{text}"
    );
    assert!(audit_count(&app, "campaign.update").await >= 2);
}

/// The text of every cell of a workbook's first sheet.
fn cells(bytes: &[u8]) -> Vec<String> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).unwrap();
    range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect()
}

#[tokio::test]
async fn a_long_term_measure_prints_as_such_and_runs_on_into_the_next_campaign() {
    let app = spawn_demo().await;
    let s = app.login("secretary1").await;
    let xlsx = app.get(&s, "/branches/1/checklist.xlsx").await.bytes().await.unwrap();
    let all = cells(&xlsx);
    assert!(
        all.iter().any(|c| c.starts_with("长期坚持\n（阶段性完成时限：")),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|c| c.contains("\n进度安排：") && c.contains("支委会审议通过工作计划")),
        "milestones print under their measure"
    );
    let pdf = app.get(&s, "/branches/1/checklist.pdf").await.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("长期坚持") && text.contains("进度安排"), "{text}");

    // Closed off at its checkpoint, it still comes along into the next campaign, 整改中.
    let (branch, _, measure) = demo_measure(&app, "组织委员在每次会议上当场记录").await;
    let mut conn = raw_connection(&app).await;
    sqlx::query(
        "UPDATE measures SET status = 'closed_out', closed_out_by = 1, closed_out_at = datetime('now') WHERE id = ?",
    )
    .bind(measure)
    .execute(&mut conn)
    .await
    .unwrap();
    let o = app.login("overseer").await;
    let res = app
        .post_form(
            &o,
            "/admin/campaigns",
            "/admin/campaigns",
            &[
                ("title", "下一轮专项行动"),
                ("issued_on", &day(30)),
                ("self_check_due", &day(40)),
                ("report_due", &day(45)),
                ("rectify_due", &day(60)),
                ("results_due", &day(90)),
                ("copy_from", "1"),
                ("carry_over", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let carried: (String, bool, Option<String>) = sqlx::query_as(
        "SELECT m.status, m.long_term, m.deadline FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.campaign_id <> 1 AND f.branch_id = ? AND m.text LIKE '组织委员在每次会议上当场记录%'",
    )
    .bind(branch)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(
        carried,
        ("in_progress".into(), true, None),
        "its next checkpoint is the branch's to set"
    );
}

/// The fields of the confirm form a preview page shows, as the browser would send them.
fn confirm_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let form = post_forms(html)
        .into_iter()
        .find(|f| f.action == action)
        .unwrap_or_else(|| panic!("no confirm form in {html}"));
    form.fields
        .iter()
        .filter(|f| f.kind != "checkbox" || f.checked)
        .map(|f| {
            (
                f.name.clone(),
                if f.kind == "checkbox" {
                    "1".into()
                } else {
                    f.value.clone()
                },
            )
        })
        .collect()
}

async fn preview(app: &TestApp, c: &reqwest::Client, branch: i64, xlsx: Vec<u8>) -> reqwest::Response {
    let token = app.csrf(c, &format!("/branches/{branch}/import")).await;
    let form = Multipart::new().part("file", Part::bytes(xlsx).file_name("清单.xlsx"));
    c.post(app.url(&format!("/branches/{branch}/import/preview?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A campaign's findings of a branch with their measures and milestones, as comparable text:
/// (category position, finding text, [(measure text, deadline, owner, immediate, long_term,
/// milestones "date title done")]).
type Plan = Vec<(i64, String, Vec<(String, Option<String>, String, bool, bool, String)>)>;

async fn plan(app: &TestApp, campaign: i64, branch: i64) -> Plan {
    let findings: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT f.id, c.position, f.text FROM findings f JOIN ledger_categories c ON c.id = f.category_id
         WHERE f.campaign_id = ? AND f.branch_id = ? ORDER BY c.position, f.position, f.id",
    )
    .bind(campaign)
    .bind(branch)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (id, position, text) in findings {
        let measures = sqlx::query_as(
            "SELECT m.text, m.deadline, m.owner, m.immediate, m.long_term,
                    COALESCE((SELECT group_concat(due_on || ' ' || title || ' ' || (done_on IS NOT NULL), '；')
                              FROM (SELECT * FROM measure_milestones WHERE measure_id = m.id ORDER BY due_on, id)), '')
             FROM measures m WHERE m.finding_id = ? ORDER BY m.position, m.id",
        )
        .bind(id)
        .fetch_all(&app.db.read)
        .await
        .unwrap();
        out.push((position, text, measures));
    }
    out
}

#[tokio::test]
async fn the_systems_own_attachment_2_imported_into_another_campaign_gives_back_the_same_plan() {
    let app = spawn_demo().await;
    let s = app.login("secretary1").await;
    let xlsx = app
        .get(&s, "/branches/1/checklist.xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let before = plan(&app, 1, 1).await;
    assert!(before.len() >= 4 && before.iter().any(|(_, _, ms)| ms.iter().any(|m| m.4)));

    // A new campaign, current, with branch 1's ledger empty in it.
    let o = app.login("overseer").await;
    let res = app
        .post_form(
            &o,
            "/admin/campaigns",
            "/admin/campaigns",
            &[
                ("title", "下一轮专项行动"),
                ("issued_on", &day(-40)),
                ("self_check_due", &day(-20)),
                ("report_due", &day(-15)),
                ("rectify_due", &day(10)),
                ("results_due", &day(60)),
                ("copy_from", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let new: i64 = sqlx::query_scalar("SELECT MAX(id) FROM campaigns")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let res = app
        .post_form(&o, &format!("/admin/campaigns/{new}/current"), "/admin/campaigns", &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(plan(&app, new, 1).await.is_empty());

    let res = preview(&app, &s, 1, xlsx).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = body(res).await;
    assert!(
        html.contains("原清单已销号"),
        "a closed-off measure is said to come in as a plan"
    );
    assert!(plan(&app, new, 1).await.is_empty(), "a preview saves nothing");
    let fields = confirm_fields(&html, "/branches/1/import");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form(&s, "/branches/1/import", "/branches/1", &pairs).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);

    let after = plan(&app, new, 1).await;
    assert_eq!(after, before, "the round trip is exact");
    // Findings whose words match an item come in under it, answered 存在问题.
    let under_items: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM findings f JOIN self_checks sc ON sc.ledger_item_id = f.ledger_item_id AND sc.branch_id = f.branch_id
         WHERE f.campaign_id = ? AND f.branch_id = 1 AND sc.verdict = 'problem'",
    )
    .bind(new)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let total = after.len() as i64;
    println!("{under_items} of {total} imported findings matched to an item");
    assert!(under_items >= 2, "the words of most item findings name their item");
    // A match is never wrong: the item it found is the one the finding had.
    let wrong: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM findings n JOIN ledger_items ni ON ni.id = n.ledger_item_id
         JOIN ledger_categories nc ON nc.id = ni.category_id
         JOIN findings o ON o.campaign_id = 1 AND o.branch_id = 1 AND o.text = n.text
         LEFT JOIN ledger_items oi ON oi.id = o.ledger_item_id
         WHERE n.campaign_id = ? AND n.branch_id = 1 AND (oi.id IS NULL OR oi.position <> ni.position)",
    )
    .bind(new)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(wrong, 0);
}

#[tokio::test]
async fn a_hand_filled_attachment_2_is_previewed_row_by_row_and_bad_cells_are_refused() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let rows: &[[&str; 5]] = &[
        ["附件2", "", "", "", ""],
        ["党支部对账整改专项行动自查问题、整改与责任清单", "", "", "", ""],
        ["查摆内容", "查摆问题", "整改措施", "整改时限", "责任人"],
        [
            "二、组织生活制度执行不严格",
            "1.主题党日活动形式单一，部分活动无明确主题",
            "1.每月主题党日提前一周确定主题\n2.每季度开展一次实践类主题党日",
            "",
            "王芳",
        ],
        ["", "", "", "", ""],
        [
            "",
            "2.谈心谈话记录过于简单",
            "1.支部书记每半年与每名党员谈心谈话一次",
            "长期坚持",
            "王芳",
        ],
        [
            "三、党员教育管理监督不到位",
            "1.党费收缴公示不及时",
            "1.每季度公示党费收缴情况",
            "年底前",
            "李明",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    // The category cell merged over its rows, as the notice's form has it; a date typed as a date.
    sheet
        .merge_range(3, 0, 5, 0, "二、组织生活制度执行不严格", &Format::new())
        .unwrap();
    let due = duizhang::domain::dates::today() + time::Duration::days(20);
    let serial = (due - time::macros::date!(1899 - 12 - 30)).whole_days();
    sheet.write_number(3, 3, serial as f64).unwrap();
    let xlsx = book.save_to_buffer().unwrap();

    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let res = preview(&app, &s, 2, xlsx).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = body(res).await;
    let text = visible_text(&html);
    assert!(
        text.contains("主题党日活动形式单一") && text.contains("每季度开展一次实践类主题党日"),
        "{text}"
    );
    assert!(
        text.contains(&format!("整改时限 {due}")),
        "a date cell reads as its date: {text}"
    );
    assert!(text.contains("长期坚持"), "{text}");
    assert!(text.contains("第 7 行：无法识别整改时限“年底前”"), "{text}");
    let fields = confirm_fields(&html, "/branches/2/import");
    assert!(
        !fields.iter().any(|(k, _)| k == "row_3_include"),
        "a row with a cell it cannot place is not ticked"
    );
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.post_form(&s, "/branches/2/import", "/branches/2", &pairs).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        visible_text(&body(res).await)
    );
    let measures: Vec<(String, bool)> = sqlx::query_as(
        "SELECT m.text, m.long_term FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.branch_id = 2 AND (f.text LIKE '主题党日活动形式单一%' OR f.text = '谈心谈话记录过于简单') ORDER BY m.id",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    assert_eq!(
        measures,
        [
            ("每月主题党日提前一周确定主题".to_string(), false),
            ("每季度开展一次实践类主题党日".to_string(), false),
            ("支部书记每半年与每名党员谈心谈话一次".to_string(), true),
        ]
    );
    let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE text = '党费收缴公示不及时'")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(none, 0, "the refused row saved nothing");
}

#[tokio::test]
async fn a_measure_closed_off_settles_its_waiting_extension() {
    let app = spawn_demo().await;
    // Branch 1's measure with a 延期申请 waiting (demo): the branch asks for 销号 instead.
    let (branch, finding, measure) = demo_measure(&app, "在支委会上如实说明").await;
    let s = app.login("secretary1").await;
    let form = format!("/branches/{branch}/measures/{measure}/close-out");
    let token = app.csrf(&s, &form).await;
    let html = body(app.get(&s, &form).await).await;
    let version = hidden_value(&html, "version");
    let res = s
        .post(app.url(&format!("{form}?_csrf={token}")))
        .multipart(
            Multipart::new()
                .text("note", "已在支委会上说明并报党委备案。")
                .text("version", version),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let r = app.login("reviewer1").await;
    let page = format!("/branches/{branch}/findings/{finding}");
    let html = body(app.get(&r, &page).await).await;
    let at = html.find(&format!("/measures/{measure}/close-out/decide")).unwrap();
    let v = hidden_value(&html[at..], "version");
    let res = app
        .post_form(
            &r,
            &format!("/branches/{branch}/measures/{measure}/close-out/decide"),
            &page,
            &[("decision", "confirm"), ("version", &v)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let state: String = sqlx::query_scalar("SELECT state FROM deadline_extensions WHERE measure_id = ?")
        .bind(measure)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(state, "withdrawn");
    let queue = visible_text(&body(app.get(&r, "/committees/1/close-outs").await).await);
    assert!(queue.contains("目前没有待审批的延期申请"), "{queue}");
}
