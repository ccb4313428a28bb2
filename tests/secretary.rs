//! The branch secretary's work through the real server: 对账查摆, findings, measures, 销号
//! requests with evidence, import, the submission gate, validation and concurrent edits.

mod common;

use common::*;
use duizhang::db;
use duizhang::domain::{BranchId, CampaignId};
use reqwest::multipart::{Form as Multipart, Part};
use reqwest::{Client, StatusCode};

const BRANCH5: &str = "/branches/5";

/// Item ids of the 2022 ledger are 1..=25 in the notice's order; (category, item) → id.
fn item(category: usize, position: usize) -> usize {
    const SIZES: [usize; 6] = [5, 6, 4, 5, 2, 3];
    SIZES[..category - 1].iter().sum::<usize>() + position
}

async fn answer(
    app: &TestApp, c: &Client, branch: &str, item: usize, verdict: &str, reason: &str,
) -> reqwest::Response {
    app.post_form(
        c,
        &format!("{branch}/items/{item}"),
        branch,
        &[("verdict", verdict), ("reason", reason), ("version", "0")],
    )
    .await
}

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

/// The id in a `/…/findings/ID` redirect.
fn id_in(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split(['#', '?'])
        .next()
        .unwrap()
        .to_string()
}

async fn findings_of(app: &TestApp, branch: i64) -> Vec<db::ledger::FindingRow> {
    db::ledger::findings(&app.db.read, campus(app).await, CampaignId(1), BranchId(branch))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_secretary_answers_everything_plans_measures_and_submits() {
    let app = spawn_demo().await;
    let s = app.login("secretary5").await;
    assert!(body(app.get(&s, BRANCH5).await).await.contains("未开始"));

    // The 22 branch items: 2(1) and 3(2) have problems, 4(5) does not apply, the rest are
    // fine. The committee's own 1(5), 5(1), 5(2) are refused: the committee answers them.
    for cat in 1..=6 {
        for pos in 1..=[5, 6, 4, 5, 2, 3][cat - 1] {
            let (verdict, reason) = match (cat, pos) {
                (2, 1) | (3, 2) => ("problem", ""),
                (4, 5) => ("not_applicable", "本支部为临时党支部，未开展特色支部创建"),
                _ => ("no_problem", ""),
            };
            let res = answer(&app, &s, BRANCH5, item(cat, pos), verdict, reason).await;
            if matches!((cat, pos), (1, 5) | (5, _)) {
                assert_eq!(res.status(), StatusCode::CONFLICT, "item {cat}({pos})");
                assert!(body(res).await.contains("此项由党总支（党委）自查"));
            } else {
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "item {cat}({pos})");
            }
        }
    }
    let page = visible_text(&body(app.get(&s, BRANCH5).await).await);
    assert!(page.contains("已作答 22 / 22 项"));
    assert!(page.contains("填报中"));

    // The gate names what is missing: two problems without findings.
    let res = app.post_form(&s, "/branches/5/submit", BRANCH5, &[]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = visible_text(&body(res).await);
    assert!(
        text.contains("第 2（1） 项选择了“存在问题”，但还没有填写查摆问题"),
        "{text}"
    );
    assert!(text.contains("第 3（2） 项"));

    // Findings in the branch's own words, and an extended one under category 4.
    let mut findings = Vec::new();
    for (field, value, text) in [
        ("item_id", item(2, 1).to_string(), "上半年支委会只开了3次，讲党课1次。"),
        (
            "item_id",
            item(3, 2).to_string(),
            "谈心谈话记录过于简单，只写“已谈话”。",
        ),
        ("category_id", "4".to_string(), "支部年度计划与中心工作结合不紧。"),
    ] {
        let res = app
            .post_form(&s, "/branches/5/findings", BRANCH5, &[(field, &value), ("text", text)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{text}");
        findings.push(id_in(&location(&res)));
    }
    // A measure without deadline and owner is saved, but the gate still refuses.
    let f0 = format!("/branches/5/findings/{}", findings[0]);
    let res = app
        .post_form(
            &s,
            &format!("{f0}/measures"),
            &f0,
            &[("text", "制定三会一课计划"), ("status", "not_started")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let text = visible_text(&body(app.post_form(&s, "/branches/5/submit", BRANCH5, &[]).await).await);
    assert!(text.contains("缺少整改时限或责任人"), "{text}");
    assert!(text.contains("还没有整改措施"), "{text}");

    for f in &findings {
        let page = format!("/branches/5/findings/{f}");
        let res = app
            .post_form(
                &s,
                &format!("{page}/measures"),
                &page,
                &[
                    ("text", "逐条整改并报党总支备案"),
                    ("deadline", &day(30)),
                    ("owner", "陈赟"),
                    ("status", "in_progress"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    // Last, the 专题支委会 (branch 5's data: 5 支委).
    let text = visible_text(&body(app.post_form(&s, "/branches/5/submit", BRANCH5, &[]).await).await);
    assert!(text.contains("还没有记录专题支委会"), "{text}");
    let token = app.csrf(&s, "/branches/5/meeting").await;
    let held_on = day(-2);
    let mut meeting = Multipart::new();
    for (k, v) in [
        ("held", "yes"),
        ("held_on", held_on.as_str()),
        ("kind", "committee"),
        ("chair", "陈赟"),
        ("present", "5"),
        ("expected", "5"),
        ("topics", "研究部署对账查摆"),
        ("version", "0"),
    ] {
        meeting = meeting.text(k, v.to_string());
    }
    let res = s
        .post(app.url(&format!("/branches/5/meeting?_csrf={token}")))
        .multipart(meeting)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/branches/5#meeting");
    let res = app.post_form(&s, "/branches/5/submit", BRANCH5, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&s, BRANCH5).await).await);
    assert!(page.contains("已提交"));
    assert!(page.contains("已提交审核"), "a word after submitting");

    // Read-only now for the branch; the committee sees it; nobody else does.
    let res = answer(&app, &s, BRANCH5, item(1, 1), "problem", "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(body(res).await.contains("等待上级党组织审核"));
    let reviewer2 = app.login("reviewer2").await;
    assert!(visible_text(&body(app.get(&reviewer2, BRANCH5).await).await).contains("上半年支委会只开了3次"));
    for outsider in ["secretary4", "reviewer1"] {
        let c = app.login(outsider).await;
        assert_eq!(app.get(&c, BRANCH5).await.status(), StatusCode::NOT_FOUND, "{outsider}");
        assert_eq!(app.get(&c, &f0).await.status(), StatusCode::NOT_FOUND, "{outsider}");
    }
}

#[tokio::test]
async fn bad_input_is_explained_next_to_the_field_and_kept() {
    let app = spawn_demo().await;
    let s = app.login("secretary5").await;
    let res = answer(&app, &s, BRANCH5, 4, "not_applicable", "  ").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("请填写不适用的理由"));
    assert!(html.contains("value=\"not_applicable\" checked"), "the choice is kept");

    answer(&app, &s, BRANCH5, 1, "problem", "").await;
    let long = "问".repeat(2001);
    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[("item_id", "1"), ("text", &long)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("查摆问题不能超过 2000 字（现为 2001 字）"));
    assert!(html.contains(&long), "the text typed is kept");

    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[("item_id", "1"), ("text", "换届推迟")],
        )
        .await;
    let f = format!("/branches/5/findings/{}", id_in(&location(&res)));
    let res = app
        .post_form(
            &s,
            &format!("{f}/measures"),
            &f,
            &[("text", "按期换届"), ("deadline", "2022-02-30"), ("owner", "陈赟")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("整改时限不是有效日期"));
    assert!(html.contains("按期换届") && html.contains("value=\"2022-02-30\"") && html.contains("value=\"陈赟\""));
    let res = app
        .post_form(
            &s,
            &format!("{f}/measures"),
            &f,
            &[("text", "按期换届"), ("deadline", "2202-10-31")],
        )
        .await;
    assert!(
        body(res)
            .await
            .contains(&format!("整改时限应在 {} 至", demo_campaign().issued_on))
    );

    // A 存在问题 with findings cannot quietly become 未发现问题.
    let res = app
        .post_form(
            &s,
            "/branches/5/items/1",
            BRANCH5,
            &[("verdict", "no_problem"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("此项下还有 1 条查摆问题"));
}

#[tokio::test]
async fn the_later_of_two_concurrent_saves_is_told_and_keeps_its_text() {
    let app = spawn_demo().await;
    let (phone, desk) = (app.login("secretary2").await, app.login("secretary2").await);
    let page = "/branches/2/findings/6";
    // Both open the finding at version 1; the phone saves first.
    let res = app
        .post_form(&phone, page, page, &[("text", "手机上改的内容"), ("version", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(&desk, page, page, &[("text", "电脑上改的内容"), ("version", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = body(res).await;
    assert!(html.contains("刚刚被他人修改过"));
    assert!(html.contains("电脑上改的内容"), "the later text is kept in the form");
    assert!(html.contains("手机上改的内容"), "and the saved one is shown");
    let saved = findings_of(&app, 2).await.into_iter().find(|f| f.id.0 == 6).unwrap();
    assert_eq!(saved.text, "手机上改的内容", "nothing was overwritten");

    // The same for an answer: both saw item 1 at version 1.
    let res = app
        .post_form(
            &phone,
            "/branches/2/items/1",
            "/branches/2",
            &[("verdict", "problem"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(
            &desk,
            "/branches/2/items/1",
            "/branches/2",
            &[("verdict", "not_applicable"), ("reason", "无"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(body(res).await.contains("刚刚被他人修改为“存在问题”"));
}

async fn upload(
    app: &TestApp, c: &Client, measure: &str, note: &str, files: Vec<(&str, Vec<u8>)>, version: &str,
) -> reqwest::Response {
    let token = app.csrf(c, &format!("{measure}/close-out")).await;
    let mut form = Multipart::new()
        .text("note", note.to_string())
        .text("version", version.to_string());
    for (name, bytes) in files {
        form = form.part("files", Part::bytes(bytes).file_name(name.to_string()));
    }
    c.post(app.url(&format!("{measure}/close-out?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_close_out_request_carries_a_note_and_a_photo_downloadable_only_within_scope() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    // Measure 9 (branch 2) is 未开始, version 1.
    let m = "/branches/2/measures/9";
    let res = upload(&app, &s, m, "", vec![("记录.png", PNG.to_vec())], "1").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("请填写完成情况说明"));
    assert!(
        html.contains("请重新选择"),
        "files must be chosen again, and the page says so"
    );

    let res = upload(
        &app,
        &s,
        m,
        "已开会研究",
        vec![("网页.jpg", b"<html><script>alert(1)</script>".to_vec())],
        "1",
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("不是照片（JPG/PNG/WebP）或 PDF 文件"));
    assert!(
        visible_text(&body(app.get(&s, "/branches/2/findings/6").await).await).contains("未开始"),
        "nothing half-saved"
    );

    let res = upload(
        &app,
        &s,
        m,
        "已于10月20日召开支委会确定主题党日计划",
        vec![("支委会记录.png", PNG.to_vec())],
        "1",
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&s, "/branches/2/findings/6").await).await;
    assert!(page.contains("已完成（申请销号）"));
    assert!(page.contains("支委会记录.png"));
    let href = page
        .split("href=\"/branches/2/evidence/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let url = format!("/branches/2/evidence/{href}");
    let res = app.get(&s, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(
        app.get(&app.login("reviewer1").await, &url).await.status(),
        StatusCode::OK
    );
    for outsider in ["secretary1", "reviewer2"] {
        assert_eq!(
            app.get(&app.login(outsider).await, &url).await.status(),
            StatusCode::NOT_FOUND,
            "{outsider}"
        );
    }
    // The request can be taken back.
    let res = app
        .post_form(
            &s,
            &format!("{m}/withdraw"),
            "/branches/2/findings/6",
            &[("version", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(visible_text(&body(app.get(&s, "/branches/2/findings/6").await).await).contains("整改中"));
}

#[tokio::test]
async fn oversized_evidence_is_refused() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let mut big = PNG.to_vec();
    big.resize(11 * 1024 * 1024, 0);
    let res = upload(&app, &s, "/branches/2/measures/9", "完成", vec![("大图.png", big)], "1").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("超过 10 MB"));
}

#[tokio::test]
async fn an_imported_problem_list_is_previewed_before_anything_is_saved() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let before = findings_of(&app, 2).await.len();
    let token = app.csrf(&s, "/branches/2/import").await;
    let pasted = "类别\t问题\n2\t主题党日形式单一\n党员教育管理监督不到位：发展党员材料不规范\n其他\t无法归类";
    let form = Multipart::new().text("pasted", pasted);
    let res = s
        .post(app.url(&format!("/branches/2/import/preview?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = body(res).await;
    assert!(html.contains("主题党日形式单一") && html.contains("发展党员材料不规范"));
    assert!(html.contains("无法识别类别“其他”"));
    assert_eq!(findings_of(&app, 2).await.len(), before, "a preview saves nothing");

    // Confirm two rows, leave the unclassified one out.
    let res = app
        .post_form(
            &s,
            "/branches/2/import",
            "/branches/2",
            &[
                ("row_1_include", "1"),
                ("row_1_category", "2"),
                ("row_1_text", "主题党日形式单一"),
                ("row_2_include", "1"),
                ("row_2_category", "3"),
                ("row_2_text", "发展党员材料不规范"),
                ("row_3_category", ""),
                ("row_3_text", "无法归类"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = findings_of(&app, 2).await;
    assert_eq!(after.len(), before + 2);
    assert!(
        after
            .iter()
            .any(|f| f.text == "发展党员材料不规范" && f.source.code() == "imported" && f.ledger_item_id.is_none())
    );
    assert!(visible_text(&body(app.get(&s, "/branches/2").await).await).contains("述职评议问题"));

    // An included row without a category is sent back with the rest kept.
    let res = app
        .post_form(
            &s,
            "/branches/2/import",
            "/branches/2",
            &[("row_1_include", "1"), ("row_1_category", ""), ("row_1_text", "某问题")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("请选择类别") && html.contains("某问题"));
}

#[tokio::test]
async fn an_xlsx_problem_list_is_read() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, (c, t)) in [
        ("类别", "问题"),
        ("组织生活", "组织生活会程序简化"),
        ("6", "档案保管不规范"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(r as u32, 0, *c).unwrap();
        sheet.write_string(r as u32, 1, *t).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let token = app.csrf(&s, "/branches/2/import").await;
    let form = Multipart::new().part("file", Part::bytes(bytes).file_name("述职评议问题.xlsx"));
    let res = s
        .post(app.url(&format!("/branches/2/import/preview?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = body(res).await;
    assert!(html.contains("组织生活会程序简化") && html.contains("档案保管不规范"));
    assert!(html.contains("<option value=\"6\" selected>"));

    let form = Multipart::new().part("file", Part::bytes(b"not a workbook".to_vec()).file_name("x.xlsx"));
    let token = app.csrf(&s, "/branches/2/import").await;
    let res = s
        .post(app.url(&format!("/branches/2/import/preview?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("无法读取该文件"));
}

#[tokio::test]
async fn every_change_shows_in_the_rows_history_and_deleting_asks_first() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let page = "/branches/2/findings/6";
    app.post_form(
        &s,
        page,
        page,
        &[("text", "主题党日活动形式单一，7月、9月无明确主题。"), ("version", "1")],
    )
    .await;
    app.post_form(
        &s,
        "/branches/2/measures/9",
        page,
        &[
            ("text", "每月主题党日提前一周确定主题并报党委审核。"),
            ("deadline", &day(15)),
            ("owner", "李堃"),
            ("status", "in_progress"),
            ("version", "1"),
        ],
    )
    .await;
    let text = visible_text(&body(app.get(&s, page).await).await);
    assert!(text.contains("修改查摆问题"), "{text}");
    assert!(text.contains(
        "主题党日活动以集中学习文件为主，形式单一，部分活动无明确主题。 → 主题党日活动形式单一，7月、9月无明确主题。"
    ));
    assert!(text.contains(&format!("整改时限：（空） → {}", day(15))));
    assert!(text.contains("状态：未开始 → 整改中"));
    assert!(text.contains("李堃"), "who");
    app.post_form(
        &s,
        "/branches/2/items/2",
        "/branches/2",
        &[
            ("verdict", "not_applicable"),
            ("reason", "本支部书记在岗"),
            ("version", "1"),
        ],
    )
    .await;
    let ledger = visible_text(&body(app.get(&s, "/branches/2").await).await);
    assert!(ledger.contains("修改记录（1）"), "answers carry their history too");
    assert!(ledger.contains("结论：未发现问题 → 不适用"), "{ledger}");

    // Delete: a confirmation page first, then the row goes and the deletion stays in history.
    let confirm = body(app.get(&s, &format!("{page}/delete")).await).await;
    assert!(confirm.contains("确认删除") && confirm.contains("1 条整改措施"));
    // A measure added after the confirmation page was shown stops the deletion.
    let stale = app
        .post_form(
            &s,
            &format!("{page}/delete"),
            page,
            &[("version", "2"), ("measures", "0")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let res = app
        .post_form(
            &s,
            &format!("{page}/delete"),
            page,
            &[("version", "2"), ("measures", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&s, page).await.status(), StatusCode::NOT_FOUND);
    let history = db::audit::finding_history(
        &app.db.read,
        campus(&app).await,
        BranchId(2),
        duizhang::domain::FindingId(6),
    )
    .await
    .unwrap();
    assert_eq!(history[0].action.code(), "finding.delete");
    assert_eq!(
        history[1].action.code(),
        "measure.delete",
        "its measure's deletion is recorded too"
    );

    // A new finding never takes the deleted one's id (and so never shows its history).
    let res = app
        .post_form(
            &s,
            "/branches/2/findings",
            "/branches/2",
            &[("category_id", "2"), ("text", "新问题")],
        )
        .await;
    assert_ne!(location(&res), page);
}

#[tokio::test]
async fn a_returned_ledger_shows_the_comments_and_resubmits() {
    let app = spawn_demo().await;
    let s = app.login("secretary3").await;
    let text = visible_text(&body(app.get(&s, "/branches/3").await).await);
    assert!(text.contains("退回了 1 项内容"), "{text}");
    assert!(text.contains("审核意见：问题描述过于笼统"));
    // Fix the returned row (finding 8) and resubmit: it goes back to 待审核.
    let page = "/branches/3/findings/8";
    let fixed = "9月、10月两次组织生活会共有3名党员因实习未参加，未安排补课。";
    let res = app
        .post_form(&s, page, page, &[("text", fixed), ("version", "2")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(visible_text(&body(app.get(&s, "/branches/3").await).await).contains("填报中"));
    let res = app.post_form(&s, "/branches/3/submit", "/branches/3", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let f = findings_of(&app, 3).await.into_iter().find(|f| f.id.0 == 8).unwrap();
    assert_eq!((f.text.as_str(), f.review_state.code()), (fixed, "pending"));
}

#[tokio::test]
async fn a_workbook_claiming_a_million_rows_is_read_without_harm() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "类别").unwrap();
    sheet.write_string(0, 1, "问题").unwrap();
    sheet.write_string(1, 0, "2").unwrap();
    sheet.write_string(1, 1, "主题党日形式单一").unwrap();
    // One cell at the very last row and column makes the sheet's area 1,048,576 × 16,384.
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let token = app.csrf(&s, "/branches/2/import").await;
    let form = Multipart::new().part("file", Part::bytes(bytes).file_name("bomb.xlsx"));
    let res = s
        .post(app.url(&format!("/branches/2/import/preview?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body(res).await.contains("主题党日形式单一"));
    assert_eq!(
        app.get(&s, "/healthz").await.status(),
        StatusCode::OK,
        "the server is still there"
    );
}

#[tokio::test]
async fn a_finding_with_a_closed_off_measure_cannot_be_deleted() {
    let app = spawn_demo().await;
    // Branch 4 is signed off with a closed-off measure on finding 11; reopen it for the branch.
    let reviewer = app.login("reviewer2").await;
    let res = app
        .post_form(
            &reviewer,
            "/branches/4/reopen",
            "/branches/4",
            &[("reason", "回头看：换届材料需补充")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let s = app.login("secretary4").await;
    let page = "/branches/4/findings/11";
    let res = app
        .post_form(
            &s,
            &format!("{page}/delete"),
            page,
            &[("version", "2"), ("measures", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(body(res).await.contains("已销号的整改措施"));
}

#[tokio::test]
async fn immediate_measures_carry_a_note_and_lose_the_mark_when_withdrawn() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let f = "/branches/2/findings/6";
    let res = app
        .post_form(
            &s,
            &format!("{f}/measures"),
            f,
            &[
                ("text", "当场更正活动类型"),
                ("owner", "李堃"),
                ("deadline", &day(0)),
                ("kind", "immediate"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&s, f).await).await);
    assert!(page.contains("立行立改，已当场整改完成。"), "{page}");
}

#[tokio::test]
async fn the_submission_gate_links_to_what_is_missing() {
    let app = spawn_demo().await;
    let s = app.login("secretary2").await;
    let res = app.post_form(&s, "/branches/2/submit", "/branches/2", &[]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    // Branch 2 has answered categories 1–3 only: the first unanswered item is 4（1）, id 16; the
    // committee's own 5（1）, 5（2） are not the branch's to answer.
    assert!(html.contains("<a href=\"#item-16\">还有 8 项未作答"), "{html}");
    assert!(!html.contains("5（1）、"), "{html}");
    // Finding 7 has no measure: its page is linked.
    assert!(html.contains("<a href=\"/branches/2/findings/7\">查摆问题"));
    // The form action carries the anchor, so the refused page opens at the list.
    assert!(html.contains("action=\"/branches/2/submit#submit\""));
}

#[tokio::test]
async fn a_save_writes_its_change_once_and_its_message_still_shows() {
    // The "已添加…" message waits in memory, not in the session record: saving a row is one
    // write on the one write connection, not two.
    let app = spawn_demo().await;
    let s = app.login("secretary5").await;
    let sessions = || async {
        sqlx::query_scalar::<_, String>("SELECT group_concat(id || hex(data) || expiry_date, '|') FROM tower_sessions")
            .fetch_one(&app.db.read)
            .await
            .unwrap()
    };
    let token = app.csrf(&s, BRANCH5).await;
    let before = sessions().await;
    let res = s
        .post(app.url("/branches/5/findings"))
        .form(&[
            ("_csrf", token.as_str()),
            ("category_id", "6"),
            ("text", "会议记录不全"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(sessions().await, before, "the save left the session records alone");
    let next = body(app.get(&s, &location(&res)).await).await;
    assert!(next.contains("已添加查摆问题"), "the message shows on the next page");
    let again = body(app.get(&s, &location(&res)).await).await;
    assert!(!again.contains("已添加查摆问题"), "and only once");
}

/// The fields of a form as the browser sends it untouched: checked radios and checkboxes only.
fn untouched(form: &forms::Form) -> Vec<(String, String)> {
    form.fields
        .iter()
        .filter(|f| !matches!(f.kind.as_str(), "radio" | "checkbox" | "file") || f.checked)
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect()
}

#[tokio::test]
async fn every_demo_measure_form_saves_unchanged_even_when_its_deadline_left_the_window() {
    let app = spawn_demo().await;
    // The 组织部 moves the campaign later: saved deadlines now lie before its notice date.
    let o = app.login("overseer").await;
    let campaigns = body(app.get(&o, "/admin/campaigns").await).await;
    let form = forms::post_forms(&campaigns)
        .into_iter()
        .find(|f| f.action == "/admin/campaigns/1")
        .expect("the current campaign's form");
    let mut fields = untouched(&form);
    for (k, v) in &mut fields {
        match k.as_str() {
            "issued_on" => *v = day(12),
            "self_check_due" => *v = day(13),
            "report_due" => *v = day(14),
            "rectify_due" => *v = day(20),
            "results_due" => *v = day(50),
            _ => {}
        }
    }
    let token = app.csrf(&o, "/admin/campaigns").await;
    fields.push(("_csrf".into(), token));
    let res = o.post(app.url(&form.action)).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", body(res).await);

    let mut saved = 0;
    for n in 1..=7 {
        let s = app.login(&format!("secretary{n}")).await;
        let ledger = body(app.get(&s, &format!("/branches/{n}")).await).await;
        let mut pages: Vec<String> = forms::links(&ledger)
            .into_iter()
            .filter(|l| l.starts_with(&format!("/branches/{n}/findings/")) && !l.ends_with("/delete"))
            .collect();
        pages.dedup();
        for page in pages {
            let html = body(app.get(&s, &page).await).await;
            for form in forms::post_forms(&html) {
                let path = form.action.split('#').next().unwrap_or("");
                let is_measure = path.starts_with(&format!("/branches/{n}/measures/"))
                    && path.rsplit('/').next().is_some_and(|id| id.parse::<i64>().is_ok());
                if !is_measure {
                    continue;
                }
                let res = s
                    .post(app.url(&form.action))
                    .form(&untouched(&form))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}: {}", body(res).await);
                saved += 1;
            }
        }
    }
    assert!(saved >= 5, "the editable demo ledgers' measures were saved: {saved}");
}

/// POSTs an answer as the ledger page's script does (asking for JSON), and reads the reply.
async fn answer_in_place(
    app: &TestApp, c: &Client, item: usize, fields: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let res = app
        .form_request(c, &format!("{BRANCH5}/items/{item}"), BRANCH5, fields)
        .await
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "a JSON reply"
    );
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap())
}

#[tokio::test]
async fn an_answer_saved_in_place_replies_with_what_is_saved_even_when_refused() {
    let app = spawn_demo().await;
    let s = app.login("secretary5").await;
    let (status, saved) = answer_in_place(&app, &s, 1, &[("verdict", "problem"), ("version", "0")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved["saved"], "problem");
    assert_eq!(saved["label"], "存在问题");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["answered"], 1);
    assert!(saved["errors"].as_object().unwrap().is_empty());

    // 不适用 without its reason: refused by the field, the saved answer in the reply.
    let (status, refused) = answer_in_place(&app, &s, 1, &[("verdict", "not_applicable"), ("version", "1")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused["errors"]["reason"].as_str().unwrap().contains("理由"),
        "{refused}"
    );
    assert_eq!(refused["saved"], "problem");

    // A finding under it: 未发现问题 is refused with the reason, still 存在问题.
    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[("item_id", "1"), ("text", "支委会会议记录过简。")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, refused) = answer_in_place(&app, &s, 1, &[("verdict", "no_problem"), ("version", "1")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused["errors"]["verdict"]
            .as_str()
            .unwrap()
            .contains("还有 1 条查摆问题")
    );
    assert_eq!(refused["saved"], "problem");

    // Someone else saved meanwhile: 409 with what is saved now.
    let other = app.login("secretary5").await;
    let (status, _) = answer_in_place(&app, &other, 2, &[("verdict", "no_problem"), ("version", "0")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, stale) = answer_in_place(&app, &s, 2, &[("verdict", "problem"), ("version", "0")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(stale["saved"], "no_problem");
    assert_eq!(stale["version"], 1);
    assert!(stale["errors"]["verdict"].as_str().unwrap().contains("刚刚被他人修改"));
    assert_eq!(stale["answered"], 2);

    // Without the script the same form still answers with a page.
    let res = answer(&app, &s, BRANCH5, 3, "no_problem", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Another branch's item is not found, JSON asked or not.
    let res = app
        .form_request(
            &s,
            "/branches/2/items/1",
            BRANCH5,
            &[("verdict", "problem"), ("version", "1")],
        )
        .await
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_ledger_never_handed_in_shows_no_row_waiting_for_review_and_back_lands_on_the_finding() {
    let app = spawn_demo().await;
    let s = app.login("secretary5").await;
    answer(&app, &s, BRANCH5, 1, "problem", "").await;
    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[("item_id", "1"), ("text", "支委会会议记录过简。")],
        )
        .await;
    let finding = location(&res).split('#').next().unwrap().to_string();
    let id = id_in(&finding);
    let ledger = body(app.get(&s, BRANCH5).await).await;
    assert!(ledger.contains(&format!("id=\"finding-{id}\"")));
    assert!(
        !ledger.contains("badge r-pending"),
        "no 待审核 before the ledger was handed in"
    );
    let page = body(app.get(&s, &finding).await).await;
    assert!(!page.contains("badge r-pending"));
    assert!(
        page.contains(&format!("href=\"/branches/5#finding-{id}\"")),
        "back to the ledger lands on the finding"
    );
    // A ledger handed in (branch 1, 已提交): its pending rows say so.
    let s1 = app.login("secretary1").await;
    assert!(
        body(app.get(&s1, "/branches/1").await)
            .await
            .contains("badge r-pending")
    );
}

#[tokio::test]
async fn a_finding_and_its_first_measure_are_added_from_the_ledger_page_in_one_step() {
    let app = spawn_demo().await;
    let s = app.login("secretary5").await;
    answer(&app, &s, BRANCH5, 1, "problem", "").await;
    let ledger = body(app.get(&s, BRANCH5).await).await;
    assert!(ledger.contains("name=\"measure_text\"") && ledger.contains("name=\"measure_deadline\""));

    // A bad first measure refuses both, each message by its field, everything typed kept.
    let before = findings_of(&app, 5).await.len();
    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[
                ("item_id", "1"),
                ("text", "支部委员会任期届满未按期换届"),
                ("measure_text", "报党委批准后召开党员大会选举"),
                ("measure_deadline", "2022-02-30"),
                ("measure_owner", "陈赟"),
                ("measure_kind", "planned"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("整改时限不是有效日期"), "the deadline's message");
    assert!(html.contains("支部委员会任期届满未按期换届") && html.contains("报党委批准后召开党员大会选举"));
    assert!(html.contains("value=\"2022-02-30\"") && html.contains("value=\"陈赟\""));
    assert_eq!(findings_of(&app, 5).await.len(), before, "nothing saved");

    // Good: both saved, and the page is the ledger at the new row.
    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[
                ("item_id", "1"),
                ("text", "支部委员会任期届满未按期换届"),
                ("measure_text", "报党委批准后召开党员大会选举"),
                ("measure_deadline", "2026-12-31"),
                ("measure_owner", "陈赟"),
                ("measure_kind", "planned"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with("/branches/5#finding-"), "{to}");
    let id = to.trim_start_matches("/branches/5#finding-").to_string();
    let measures = db::ledger::measures(&app.db.read, campus(&app).await, CampaignId(1), BranchId(5))
        .await
        .unwrap();
    let m: Vec<_> = measures.iter().filter(|m| m.finding_id.0.to_string() == id).collect();
    assert_eq!(m.len(), 1, "one measure under the new finding");
    assert_eq!(m[0].text, "报党委批准后召开党员大会选举");
    assert_eq!(m[0].owner, "陈赟");
    assert_eq!(
        m[0].deadline.map(duizhang::domain::dates::format_date).as_deref(),
        Some("2026-12-31")
    );

    // Without a measure the finding's page opens its measure form, as before.
    let res = app
        .post_form(
            &s,
            "/branches/5/findings",
            BRANCH5,
            &[("item_id", "1"), ("text", "换届材料未归档")],
        )
        .await;
    assert!(location(&res).ends_with("#new-measure"), "{}", location(&res));
}
