//! The 2022 ledger (附件1) is in every new database, verbatim, and a branch's page shows it.

mod common;

use common::*;
use duizhang::db;
use duizhang::domain::dates::today;
use reqwest::StatusCode;

/// A sample of exact texts, checked character for character (page-break splits repaired).
const SAMPLES: &[(i64, i64, &str)] = &[
    (1, 1, "党支部超期未换届或未经批准提前换届"),
    (
        1,
        4,
        "支部委员设置及分工不合理，如：党支部正式党员不足7人设立支部委员会、正式党员7人设5名支部委员等",
    ),
    (2, 6, "未定期主动开展党务公开，如：未按季度公示本支部党员缴纳党费情况"),
    (
        3,
        1,
        "发展党员程序不规范，如：入党申请书和转正申请书存在抄袭、确定入党积极分子和发展对象程序违规、未认真组织入党积极分子和预备党员培养教育考察、入党宣誓仪式不规范、预备党员缴纳党费不及时、报学校党委备案不及时",
    ),
    (
        3,
        2,
        "开展谈心谈话内容浅表化、形式化，普遍存在“谈工作不谈思想”“谈能力不谈作风”“谈公事不谈家庭”的问题",
    ),
    (
        5,
        2,
        "各党总支（党委）对所属党支部的日常工作指导和督促检查不够，年内未开展党支部书记轮训",
    ),
    (
        6,
        2,
        "党内活动记录不规范，如：党支部工作记录本项目填写有缺项、内容记录过于简单、参会人员未签字等",
    ),
    (
        6,
        3,
        "“灯塔—党建在线”系统记录不规范，如：灯塔系统上传内容与工作记录本记录不一致、活动类型存在错选多选乱选情况、补传活动记录时间超过七天、未上传活动影像资料等",
    ),
];

const CATEGORIES: [&str; 6] = [
    "党支部设置和调整不规范",
    "组织生活制度执行不严格",
    "党员教育管理监督不到位",
    "支部作用发挥不充分",
    "支持保障落实不到位",
    "工作资料留存不完备",
];

#[tokio::test]
async fn a_new_database_holds_the_2022_campaign_and_its_25_items_verbatim() {
    let app = spawn_empty().await;
    let campaign = db::campaigns::current(&app.db)
        .await
        .unwrap()
        .expect("a current campaign");
    assert_eq!(campaign.title, "2022年党支部对账整改专项行动");
    assert_eq!(campaign.doc_number, "组织部〔2022〕44号");
    assert_eq!(campaign.self_check_due.to_string(), "2022-10-15");
    assert_eq!(campaign.report_due.to_string(), "2022-10-20");
    assert_eq!(campaign.rectify_due.to_string(), "2022-10-31");
    assert_eq!(campaign.results_due.to_string(), "2022-11-30");

    let categories = db::ledger::categories(&app.db, campaign.id).await.unwrap();
    let titles: Vec<&str> = categories.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, CATEGORIES);
    let items = db::ledger::items(&app.db, campaign.id).await.unwrap();
    assert_eq!(items.len(), 25);
    let per_category: Vec<usize> = categories
        .iter()
        .map(|c| items.iter().filter(|i| i.category_id == c.id).count())
        .collect();
    assert_eq!(per_category, [5, 6, 4, 5, 2, 3]);

    for (cat, pos, text) in SAMPLES {
        let c = categories.iter().find(|c| c.position == *cat).unwrap();
        let item = items
            .iter()
            .find(|i| i.category_id == c.id && i.position == *pos)
            .unwrap();
        assert_eq!(item.text, *text, "item {cat}({pos})");
    }
    // No extraction artefacts survive anywhere: no half-width separators or stray spaces.
    for item in &items {
        assert!(
            !item.text.contains(' ') && !item.text.contains(':') && !item.text.contains(';'),
            "{}",
            item.text
        );
        assert!(
            !item.text.ends_with('；') && !item.text.ends_with('。'),
            "{}",
            item.text
        );
    }
}

#[tokio::test]
async fn the_secretary_sees_the_25_items_verbatim_grouped_by_category() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    let res = app.get(&client, "/branches/1").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = visible_text(&res.text().await.unwrap());
    for (i, title) in CATEGORIES.iter().enumerate() {
        assert!(text.contains(&format!("{}. {title}", i + 1)), "category {title}");
    }
    for (_, pos, item) in SAMPLES {
        assert!(
            text.contains(&format!("（{pos}）{item}")),
            "item text on the page: {item}"
        );
    }
    assert!(
        text.contains("已作答 22 / 22 项"),
        "the committee's own three are not the branch's"
    );
    assert_eq!(text.matches("由党总支（党委）自查").count(), 3);
    assert!(text.contains("已提交"));
}

#[tokio::test]
async fn a_branch_page_shows_its_findings_measures_and_overdue_marks() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    let text = visible_text(&app.get(&client, "/branches/1").await.text().await.unwrap());
    let year = demo_campaign().issued_on.year();
    assert!(text.contains(&format!("经逐份核查{}—{year}年入党材料", year - 3)));
    assert!(text.contains("快递单号SF1234567890"));
    assert!(text.contains("逾期"));
    assert!(text.contains("已销号"));
    assert!(text.contains("延伸自查"));
    assert!(text.contains("立行立改"));
    // A returned row shows the reviewer's comment.
    let client = app.login("secretary3").await;
    let text = visible_text(&app.get(&client, "/branches/3").await.text().await.unwrap());
    assert!(text.contains("已退回"));
    assert!(text.contains("审核意见：问题描述过于笼统"));
}

#[tokio::test]
async fn the_committee_page_and_overview_count_the_same_way() {
    let app = spawn_demo().await;
    let campaign = db::campaigns::current(&app.db).await.unwrap().unwrap();
    let rows = db::progress::branches(&app.db, campus(&app).await, campaign.id, today())
        .await
        .unwrap();
    assert_eq!(rows.len(), 7);
    let b1 = &rows[0];
    assert_eq!((b1.answered, b1.findings), (22, 5), "branch items only");
    assert_eq!(b1.measures_closed_out, 1);
    assert_eq!(b1.measures_done, 2);
    assert_eq!(
        b1.measures_overdue, 4,
        "past deadline and not closed off, 已完成 included; and one whose milestone is past its date"
    );
    assert_eq!(b1.measures_overdue_original, 4, "no 延期 approved in branch 1");
    let b4 = &rows[3];
    assert_eq!(b4.measures_extended, 1, "branch 4's approved 延期申请");
    assert_eq!(
        (b4.measures_overdue, b4.measures_overdue_original),
        (0, 1),
        "overdue against its original deadline only"
    );
    let b2 = &rows[1];
    assert_eq!(b2.answered, 14, "categories 1–3 without 1(5)");
    assert_eq!(rows[4].answered, 0, "a branch that has not started");

    let reviewer = app.login("reviewer1").await;
    let text = visible_text(&app.get(&reviewer, "/committees/1").await.text().await.unwrap());
    assert!(text.contains("计算机科学与技术系教工党支部"));
    assert!(text.contains("22 / 22"));
    assert!(!text.contains("汉语言文学系教工党支部"), "only its own branches");
    assert!(
        !text.contains("计算机工程学院党委（本级）"),
        "its own unit is not among its branches"
    );
    assert!(text.contains("本级自查") && text.contains("已作答 3 / 3 项"));

    let overseer = app.login("overseer").await;
    let text = visible_text(&app.get(&overseer, "/overview").await.text().await.unwrap());
    for name in [
        "计算机工程学院党委",
        "文学与新闻传播学院党总支",
        "机关党委",
        "组织部宣传部联合党支部",
    ] {
        assert!(text.contains(name), "{name} on the overview");
    }
    assert!(
        text.contains("计算机工程学院党委（本级）"),
        "the committees' own ledgers, apart"
    );
}

#[tokio::test]
async fn seed_demo_fills_a_realistic_campus_and_refuses_a_second_time() {
    let app = spawn_demo().await;
    let campaign = db::campaigns::current(&app.db).await.unwrap().unwrap();
    let committees = db::units::committees(&app.db.read, campus(&app).await).await.unwrap();
    assert!(committees.len() >= 3);
    let rows = db::progress::branches(&app.db, campus(&app).await, campaign.id, today())
        .await
        .unwrap();
    for c in &committees {
        assert!(
            rows.iter().filter(|r| r.committee_id == c.id).count() >= 2,
            "{} has at least 2 branches",
            c.name
        );
    }
    // Findings longer than 200 characters, with mixed punctuation and ASCII.
    let mut long = 0;
    for r in &rows {
        for f in db::ledger::findings(&app.db.read, campus(&app).await, campaign.id, r.branch_id)
            .await
            .unwrap()
        {
            if f.text.chars().count() > 200 && f.text.chars().any(|c| c.is_ascii_alphanumeric()) && f.text.contains('“')
            {
                long += 1;
            }
        }
    }
    assert!(long >= 2, "at least two long findings, got {long}");
    // Measures in every state, some overdue.
    let sum = |f: fn(&db::progress::BranchProgress) -> i64| rows.iter().map(f).sum::<i64>();
    assert!(sum(|r| r.measures_not_started) > 0);
    assert!(sum(|r| r.measures_in_progress) > 0);
    assert!(sum(|r| r.measures_done) > 0);
    assert!(sum(|r| r.measures_closed_out) > 0);
    assert!(sum(|r| r.measures_overdue) > 0);

    let again = duizhang::demo::seed(&app.db, PASSWORD).await;
    assert!(
        again.is_err(),
        "seed-demo must refuse a database that holds units or accounts"
    );
}

#[tokio::test]
async fn the_demo_campaign_lives_in_today() {
    let app = spawn_demo().await;
    let mut pages = Vec::new();
    for (user, path) in [
        ("secretary1", "/branches/1"),
        ("reviewer1", "/committees/1"),
        ("overseer", "/overview"),
    ] {
        let c = app.login(user).await;
        pages.push(visible_text(&app.get(&c, path).await.text().await.unwrap()));
    }
    for page in &pages {
        // Every "N 天" late in a banner or a queue is a plausible few days, never years.
        let mut rest = page.as_str();
        while let Some(at) = rest.find("已超过 ") {
            rest = &rest[at + "已超过 ".len()..];
            let n: i64 = rest.split(' ').next().unwrap().parse().unwrap();
            assert!(n <= 60, "a phase or deadline {n} days past");
        }
        assert!(page.contains("还剩"), "phases ahead are counted down");
    }
    let c = demo_campaign();
    assert!(pages[0].contains(&c.title), "the campaign is this year's: {}", c.title);
}
