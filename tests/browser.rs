//! Every role's journey in a real headless Chromium, driven over WebDriver (fantoccini), against
//! the real server on a free loopback port with a fresh demo database per journey.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/install-test-deps.sh). This file has
//! its own harness (`harness = false`) so that a machine without a browser reports the journeys
//! as NOT RUN rather than as passed; with `DUIZHANG_REQUIRE_BROWSER=1` (set by .ci/run) a
//! missing browser is a failure. `cargo test --test browser -- NAME` runs the journeys whose
//! name contains NAME.
//!
//! Screenshots of each role's main pages, at desktop and phone width, are written to
//! `target/screenshots/` on every run.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value as Json, json};

const JOURNEYS: &[&str] = &[
    "secretary_answers_adds_a_finding_and_measure_is_told_what_is_wrong_and_submits",
    "reviewer_returns_a_row_the_branch_fixes_it_and_the_committee_signs_off_and_reports",
    "overseer_sees_the_branch_move_flags_a_look_back_and_eligibility_changes",
    "another_branch_by_url_is_a_chinese_404_and_a_committee_page_a_chinese_403",
    "every_page_fits_a_phone_has_labels_and_large_tap_targets",
    "the_keyboard_reaches_the_login_form_and_focus_is_visible",
    "a_printed_ledger_or_dashboard_has_no_navigation_or_buttons",
    "a_committee_answers_its_own_items_and_the_organisation_department_signs_them_off",
    "a_branch_plans_milestones_asks_for_more_time_and_closes_off_a_long_term_measure",
    "on_a_phone_every_answer_saves_in_place_and_a_refused_one_shows_the_saved_answer",
    "text_typed_when_the_login_times_out_is_offered_back_after_logging_in_again",
    "on_a_phone_a_ledger_with_four_findings_is_handed_in_with_few_taps_and_page_loads",
    "a_late_delivery_is_received_a_sampled_look_back_rebounds_and_the_frozen_results_hold",
];

fn main() -> ExitCode {
    let required = std::env::var("DUIZHANG_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (chromium, chromedriver) = match browser_binaries() {
        Ok(found) => found,
        Err(missing) => {
            println!(
                "browser journeys NOT RUN: {missing}. Install with scripts/install-test-deps.sh \
                 (DUIZHANG_REQUIRE_BROWSER=1 makes this a failure, as in .ci/run)."
            );
            return if required { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run_all(chromium, chromedriver, filter))
}

async fn run_all(chromium: PathBuf, chromedriver: PathBuf, filter: Option<String>) -> ExitCode {
    let driver = match Driver::start(&chromedriver).await {
        Ok(d) => d,
        Err(e) => {
            println!("browser journeys FAILED to start chromedriver: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let chosen: Vec<&str> = JOURNEYS
        .iter()
        .copied()
        .filter(|j| filter.as_deref().is_none_or(|f| j.contains(f)))
        .collect();
    println!("\nrunning {} browser journeys", chosen.len());
    let (mut passed, mut failed) = (0, 0);
    for name in chosen {
        let started = Instant::now();
        let sessions: Arc<Mutex<Vec<Client>>> = Arc::default();
        let ctx_sessions = sessions.clone();
        let (url, chromium) = (driver.url.clone(), chromium.clone());
        let outcome = tokio::spawn(async move {
            let app = spawn_demo().await;
            let mut ctx = Ctx {
                app,
                driver: url,
                chromium,
                sessions: ctx_sessions,
            };
            journey(name, &mut ctx).await
        })
        .await;
        // Close every browser the journey opened, however it ended.
        let opened: Vec<Client> = std::mem::take(&mut *sessions.lock().unwrap());
        for c in opened {
            let _ = c.close().await;
        }
        let secs = started.elapsed().as_secs_f64();
        match outcome {
            Ok(Ok(())) => {
                passed += 1;
                println!("test {name} ... ok ({secs:.1} s)");
            }
            Ok(Err(e)) => {
                failed += 1;
                println!("test {name} ... FAILED ({secs:.1} s)\n    {e:#}");
            }
            Err(panic) => {
                failed += 1;
                println!("test {name} ... FAILED ({secs:.1} s)\n    panicked: {panic}");
            }
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed (browser journeys; screenshots in {})\n",
        if failed == 0 { "ok" } else { "FAILED" },
        screenshot_dir().display()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn journey(name: &str, ctx: &mut Ctx) -> Result<()> {
    match name {
        "secretary_answers_adds_a_finding_and_measure_is_told_what_is_wrong_and_submits" => secretary(ctx).await,
        "reviewer_returns_a_row_the_branch_fixes_it_and_the_committee_signs_off_and_reports" => {
            review_round_trip(ctx).await
        }
        "overseer_sees_the_branch_move_flags_a_look_back_and_eligibility_changes" => overseer(ctx).await,
        "another_branch_by_url_is_a_chinese_404_and_a_committee_page_a_chinese_403" => out_of_scope(ctx).await,
        "every_page_fits_a_phone_has_labels_and_large_tap_targets" => phone(ctx).await,
        "the_keyboard_reaches_the_login_form_and_focus_is_visible" => keyboard(ctx).await,
        "a_printed_ledger_or_dashboard_has_no_navigation_or_buttons" => print(ctx).await,
        "a_committee_answers_its_own_items_and_the_organisation_department_signs_them_off" => {
            committee_own_items(ctx).await
        }
        "a_branch_plans_milestones_asks_for_more_time_and_closes_off_a_long_term_measure" => schedule(ctx).await,
        "on_a_phone_every_answer_saves_in_place_and_a_refused_one_shows_the_saved_answer" => {
            answers_on_a_phone(ctx).await
        }
        "text_typed_when_the_login_times_out_is_offered_back_after_logging_in_again" => {
            text_survives_a_timeout(ctx).await
        }
        "on_a_phone_a_ledger_with_four_findings_is_handed_in_with_few_taps_and_page_loads" => {
            four_findings_on_a_phone(ctx).await
        }
        "a_late_delivery_is_received_a_sampled_look_back_rebounds_and_the_frozen_results_hold" => {
            supervision(ctx).await
        }
        other => bail!("no journey named {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The journeys

async fn secretary(ctx: &mut Ctx) -> Result<()> {
    let s = ctx.login("secretary5", Viewport::Desktop).await?;
    ensure!(s.path().await? == "/branches/5", "the secretary lands on her branch");
    s.shot("secretary-ledger-desktop").await?;
    // The branch answers 22 of the 25 items; the committee's own three are marked as its.
    let items: Vec<String> = s
        .eval_list(
            "return Array.from(document.querySelectorAll('li.item'))
                .filter(li => li.querySelector('form.verdict-form')).map(li => li.id.slice(5))",
        )
        .await?;
    ensure!(items.len() == 22, "22 items to answer, found {}", items.len());
    let theirs = s
        .eval_list(
            "return Array.from(document.querySelectorAll('li.item'))
                .filter(li => li.textContent.includes('由党总支（党委）自查')).map(li => li.id)",
        )
        .await?;
    ensure!(theirs.len() == 3, "the committee's own items are marked: {theirs:?}");
    for (i, id) in items.iter().enumerate() {
        // Choosing 存在问题 or 未发现问题 saves at once, in place (static/js/app.js).
        let choice = if i == 0 { "problem" } else { "no_problem" };
        let status = s.answer(id, choice).await?;
        ensure!(status == "刚刚保存", "item {id}: {status}");
    }
    ensure!(s.text().await?.contains("已作答 22 / 22 项"), "all 22 answered");

    // A finding under the item answered 存在问题: its form came with the answer, open.
    let first = &items[0];
    ensure!(
        s.exists(&format!("#item-{first} form.new-finding details[open]"))
            .await?,
        "the form for the item's first finding is there"
    );
    s.fill(
        &format!("#nf-item_id-{first}"),
        "上半年支委会只开了3次，党员大会议事决策作用发挥不够。",
    )
    .await?;
    s.submit(&format!("#item-{first} form.new-finding button[type=submit]"))
        .await?;
    ensure!(
        s.path().await?.starts_with("/branches/5/findings/"),
        "on the new finding's page"
    );
    s.flash("adding a finding").await?;

    // A measure without its text: refused next to the field, the owner typed is kept.
    let form = "form.measure-form[action$='#new-measure']";
    s.fill(&format!("{form} input[name=owner]"), "王喆").await?;
    s.submit(&format!("{form} button[type=submit]")).await?;
    let error = s.text_of(&format!("{form} .field-error")).await?;
    ensure!(
        error.contains("请填写整改措施"),
        "the error says what is missing: {error}"
    );
    ensure!(
        s.value(&format!("{form} input[name=owner]")).await? == "王喆",
        "the owner typed is kept"
    );
    s.shot("secretary-measure-error-desktop").await?;
    s.fill(
        &format!("{form} textarea[name=text]"),
        "制定支委会年度计划，每月召开支委会。",
    )
    .await?;
    s.set_value(&format!("{form} input[name=deadline]"), &day(30)).await?;
    s.submit(&format!("{form} button[type=submit]")).await?;
    ensure!(
        s.exists("form.measure-form[action*='/measures/']").await?,
        "the measure is saved and can be edited"
    );
    s.flash("adding a measure").await?;

    // Submission waits for the 专题支委会; the branch records it (its data: 5 支委) and submits.
    s.goto("/branches/5").await?;
    s.submit("#submit button.primary").await?;
    let page = s.text().await?;
    ensure!(
        page.contains("还没有记录专题支委会"),
        "the gate asks for the meeting: {}",
        excerpt(&page)
    );
    s.submit("#meeting a.button").await?;
    ensure!(s.path().await? == "/branches/5/meeting", "on the meeting form");
    s.set_value("#held_on", &day(-3)).await?;
    s.fill("#present", "4").await?;
    s.fill("#absentees", "宣传委员因公出差").await?;
    s.fill("#topics", "传达学习专项行动通知，逐项对照问题台账开展对账查摆。")
        .await?;
    s.shot("secretary-meeting-desktop").await?;
    s.submit("form.meeting-form button[type=submit]").await?;
    let page = s.text().await?;
    ensure!(
        page.contains(&format!("{} 召开支委会，到会支委4/5人", day(-3))),
        "the meeting is on the ledger: {}",
        excerpt(&page)
    );
    s.submit("#submit button.primary").await?;
    let page = s.text().await?;
    ensure!(page.contains("本支部台账已提交"), "submitted: {}", excerpt(&page));
    s.flash("submitting").await?;
    ensure!(!page.contains("保存结论"), "a submitted ledger is read-only");
    Ok(())
}

/// Branch 5 (未开始) on a 375 px phone: each of its 22 items answered with one tap, no page load,
/// the page staying where it is; then a change the server refuses (未发现问题 on an item that
/// has a finding) shows the saved answer again, with the reason.
async fn answers_on_a_phone(ctx: &mut Ctx) -> Result<()> {
    let s = ctx.login("secretary5", Viewport::Phone).await?;
    let items: Vec<String> = s
        .eval_list(
            "return Array.from(document.querySelectorAll('li.item'))
                .filter(li => li.querySelector('form.verdict-form')).map(li => li.id.slice(5))",
        )
        .await?;
    ensure!(items.len() == 22, "22 items to answer, found {}", items.len());
    ensure!(
        !s.eval::<bool>("return getComputedStyle(document.querySelector('.save-verdict')).display !== 'none'")
            .await?,
        "no 保存结论 button where a tap saves"
    );
    let taps = items.len();
    for (i, id) in items.iter().enumerate() {
        let choice = if i == 0 { "problem" } else { "no_problem" };
        let status = s.answer(id, choice).await?;
        ensure!(status == "刚刚保存", "item {id}: {status}");
    }
    ensure!(
        s.text().await?.contains("已作答 22 / 22 项"),
        "all 22 answered with {taps} taps"
    );
    let saved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM self_checks WHERE branch_id = 5")
        .fetch_one(&ctx.app.db.read)
        .await?;
    ensure!(saved == 22, "22 answers stored, found {saved}");

    // Two quick taps on one item: the second one stands, on the page and in the database.
    let quick = &items[5];
    s.execute(
        "const id = arguments[0];
         document.querySelector(`label[for='v-${id}-problem']`).click();
         document.querySelector(`label[for='v-${id}-no_problem']`).click();",
        vec![json!(quick)],
    )
    .await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let settled: bool = s
            .execute(
                "const f = document.querySelector('#item-' + arguments[0] + ' form.verdict-form');
                 return f.dataset.saving === '' && f.querySelector('.answer-status').textContent === '刚刚保存';",
                vec![json!(quick)],
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or(false);
        if settled {
            break;
        }
        ensure!(Instant::now() < deadline, "the two taps never settled");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let stored: String =
        sqlx::query_scalar("SELECT verdict FROM self_checks WHERE branch_id = 5 AND ledger_item_id = ?")
            .bind(quick.parse::<i64>()?)
            .fetch_one(&ctx.app.db.read)
            .await?;
    ensure!(stored == "no_problem", "the later tap is saved: {stored}");
    s.shot("secretary-answered-in-place-phone").await?;

    // The first item's finding, added from the form its answer brought.
    let first = &items[0];
    s.fill(&format!("#nf-item_id-{first}"), "支委会会议记录过简，未体现讨论过程。")
        .await?;
    s.submit(&format!("#item-{first} form.new-finding button[type=submit]"))
        .await?;
    ensure!(
        s.path().await?.starts_with("/branches/5/findings/"),
        "on the new finding's page"
    );
    // The message after that step is in the page's flow where it landed: every control in
    // view takes its own tap.
    let notice: String = s
        .eval("const n = document.querySelector('p.notice.saved'); return n ? getComputedStyle(n).position : 'none'")
        .await?;
    ensure!(
        notice == "static",
        "the message is in the flow, not over the page: {notice}"
    );
    let covered: Vec<String> = s.eval_list(COVERED_CONTROLS).await?;
    ensure!(covered.is_empty(), "controls under something else: {covered:?}");
    s.goto(&format!("/branches/5#item-{first}")).await?;
    let status = s.answer(first, "no_problem").await?;
    ensure!(status.contains("还有 1 条查摆问题"), "the refusal says why: {status}");
    let checked: String = s
        .eval(&format!(
            "return document.querySelector('#item-{first} input[name=verdict]:checked').value"
        ))
        .await?;
    ensure!(
        checked == "problem",
        "the saved answer is shown again, not the refused one: {checked}"
    );

    // A paste over the limit is not cut: the counter says how much is over, the server refuses
    // it next to the field and keeps every character.
    let form = "#category-1 form.new-finding";
    s.click(&format!("{form} summary")).await?;
    let long = "支委会会议记录过简，未体现讨论过程。".repeat(120);
    s.execute(
        "const t = document.querySelector(arguments[0] + ' textarea'); t.value = arguments[1];
         t.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!(form), json!(long)],
    )
    .await?;
    let counter = s.text_of(&format!("{form} .counter")).await?;
    ensure!(counter.contains("已超出"), "the counter says it is over: {counter}");
    s.submit(&format!("{form} button[type=submit]")).await?;
    let error = s.text_of(&format!("{form} .field-error")).await?;
    ensure!(error.contains("2000"), "refused next to the field: {error}");
    let kept: String = s
        .eval(&format!("return document.querySelector('{form} textarea').value"))
        .await?;
    ensure!(
        kept == long,
        "every character kept ({} of {})",
        kept.chars().count(),
        long.chars().count()
    );
    // The text sent back is not saved: leaving the page asks first.
    let dirty: bool = s
        .eval(&format!(
            "return document.querySelector('{form}').dataset.dirty === '1'"
        ))
        .await?;
    ensure!(dirty, "the refused form counts as changed for the leave warning");
    Ok(())
}

/// Branch 5 on a 375 px phone, from nothing to a ledger handed in: 22 answers (4 存在问题), a
/// finding with its first measure under each of the four, the 专题支委会, submission. Taps (a
/// tap on a choice, a field or a button; a date counts as one) and full page loads are counted
/// as the user makes them and printed; the answers cost no page load, each finding one.
async fn four_findings_on_a_phone(ctx: &mut Ctx) -> Result<()> {
    let s = ctx.login("secretary5", Viewport::Phone).await?;
    let (mut taps, mut loads) = (0, 0);
    let items: Vec<String> = s
        .eval_list(
            "return Array.from(document.querySelectorAll('li.item'))
                .filter(li => li.querySelector('form.verdict-form')).map(li => li.id.slice(5))",
        )
        .await?;
    ensure!(items.len() == 22, "22 items to answer, found {}", items.len());
    for (i, id) in items.iter().enumerate() {
        let choice = if i < 4 { "problem" } else { "no_problem" };
        ensure!(s.answer(id, choice).await? == "刚刚保存", "item {id}");
        taps += 1;
        loads += usize::from(!s.stayed().await?);
    }
    let answers = (taps, loads);
    for (n, id) in items.iter().take(4).enumerate() {
        let form = format!("#item-{id} form.new-finding");
        s.fill(
            &format!("{form} textarea[name=text]"),
            &format!("第{}条查摆问题：支委会会议记录过简。", n + 1),
        )
        .await?;
        s.fill(
            &format!("{form} textarea[name=measure_text]"),
            "每次支委会当场记录、当场签字。",
        )
        .await?;
        s.set_value(&format!("{form} input[name=measure_deadline]"), &day(20))
            .await?;
        s.fill(&format!("{form} input[name=measure_owner]"), "陈赟").await?;
        s.submit(&format!("{form} button[type=submit]")).await?;
        taps += 5;
        loads += usize::from(!s.stayed().await?);
        let at = s.eval::<String>("return location.pathname + location.hash").await?;
        ensure!(
            at.starts_with("/branches/5#finding-"),
            "back on the ledger at the new row: {at}"
        );
        let top: f64 = s
            .eval("return document.querySelector(location.hash).getBoundingClientRect().top")
            .await?;
        ensure!((0.0..667.0).contains(&top), "the new row is in view: {top}");
    }
    ensure!(s.text().await?.contains("第4条查摆问题"), "four findings on the ledger");
    s.shot("secretary-four-findings-phone").await?;
    s.submit("#meeting a.button").await?;
    taps += 1;
    loads += usize::from(!s.stayed().await?);
    s.set_value("#held_on", &day(-2)).await?;
    s.fill("#present", "5").await?;
    s.fill("#topics", "传达学习专项行动通知，逐项对照问题台账开展对账查摆。")
        .await?;
    s.submit("form.meeting-form button[type=submit]").await?;
    taps += 4;
    loads += usize::from(!s.stayed().await?);
    s.submit("#submit button.primary").await?;
    taps += 1;
    loads += usize::from(!s.stayed().await?);
    let page = s.text().await?;
    ensure!(page.contains("本支部台账已提交"), "handed in: {}", excerpt(&page));
    println!(
        "    measured on a 375 px phone: 22 answers {} taps / {} page loads; the whole ledger with 4 findings {taps} taps / {loads} page loads",
        answers.0, answers.1
    );
    ensure!(
        answers == (22, 0),
        "22 taps and no page load for the answers: {answers:?}"
    );
    ensure!(
        loads == 7,
        "one page load per finding, two for the meeting, one to submit: {loads}"
    );
    Ok(())
}

/// Sets a date of the current campaign (`report_due`, `results_due`) through the write path, as
/// the 组织部's campaign form would.
async fn set_campaign_date(ctx: &Ctx, column: &'static str, value: String) -> Result<()> {
    ctx.app
        .db
        .write(async |tx| {
            sqlx::query(&format!("UPDATE campaigns SET {column} = ? WHERE is_current = 1"))
                .bind(&value)
                .execute(tx)
                .await
        })
        .await?;
    Ok(())
}

/// The 组织部's side of the campaign in a browser: a committee signs 附件3 and hands it in a day
/// after the 报送时限 (逾期报送); the 组织部 records the paper copy, draws a 回头看 sample and records
/// 反弹 on it, finalises the 评星 results, and after a ledger is reopened sees the frozen result
/// unchanged with the change listed apart; a committee's 典型做法, promoted, is read by a secretary
/// of another committee.
async fn supervision(ctx: &mut Ctx) -> Result<()> {
    set_campaign_date(ctx, "report_due", day(-1)).await?;
    let r = ctx.login("reviewer1", Viewport::Desktop).await?;
    r.goto("/committees/1/report").await?;
    r.click("a[href$='report?draft=1']").await?;
    r.wait_path_starts("/committees/1/report").await?;
    r.set_value("input[name=signed_on]", &day(0)).await?;
    r.submit("button[formaction$='/report/sign']").await?;
    r.click("input[name=confirm_unsigned]").await?;
    r.submit("button[formaction$='/report/sign']").await?;
    ensure!(r.text().await?.contains("已签字"), "signed");
    r.submit("form[action$='/delivery#delivery'] button").await?;
    let page = r.text().await?;
    ensure!(
        page.contains("报送组织部 逾期报送"),
        "handed in a day late: {}",
        excerpt(&page)
    );
    r.shot("reviewer-delivery-desktop").await?;

    // The 组织部 sees it late on the overview and records the sealed paper copy.
    let o = ctx.login("overseer", Viewport::Desktop).await?;
    ensure!(o.text().await?.contains("逾期报送"), "the overview marks it");
    o.goto("/committees/1/report#delivery").await?;
    o.set_value("input[name=paper_received_on]", &day(0)).await?;
    o.fill("input[name=paper_received_by]", "王玥").await?;
    o.submit("form.paper-form button").await?;
    ensure!(
        o.text().await?.contains("纸质件已收（逾期报送）"),
        "the paper copy is received"
    );

    // A 现场调研 of branch 4 (signed off): what it found goes into the ledger as a 督查发现; the
    // branch answers it on a phone and hands the row in on its own; its committee approves that
    // row alone; the sign-off stays throughout.
    o.goto("/overview/inspections").await?;
    o.click("label[for=kind-field_visit]").await?;
    o.set_value("#held_on", &day(-1)).await?;
    o.fill("#participants", "组织部 王玥、李想").await?;
    o.fill("#found", "支部活动记录不全，主题党日缺少签到").await?;
    o.execute(
        "document.querySelector('input[name=unit_4]').closest('details').open = true",
        vec![],
    )
    .await?;
    o.click("input[name=unit_4]").await?;
    o.submit("#record-form button.primary").await?;
    o.wait_path_starts("/overview/inspections/").await?;
    o.set_value("#unit", "4").await?;
    let category: String = o
        .eval("return document.querySelector('#category_id option:nth-child(2)').value")
        .await?;
    o.set_value("#category_id", &category).await?;
    o.fill("#raise-text", "主题党日活动缺少签到记录").await?;
    o.submit("#raise button.primary").await?;
    ensure!(
        o.text().await?.contains("主题党日活动缺少签到记录"),
        "the record lists what it raised"
    );
    let s4 = ctx.login("secretary4", Viewport::Phone).await?;
    s4.goto("/branches/4").await?;
    let page = s4.text().await?;
    ensure!(
        page.contains("督查发现·待整改") && page.contains("已审核签字"),
        "the branch sees it, its sign-off kept: {}",
        excerpt(&page)
    );
    s4.click(".inspection-row a.button").await?;
    s4.wait_path_starts("/branches/4/findings/").await?;
    s4.fill(
        "#new-measure textarea[name=text]",
        "每次主题党日当场签到，组织委员保管签到表",
    )
    .await?;
    s4.set_value("#new-measure input[name=deadline]", &day(20)).await?;
    s4.fill("#new-measure input[name=owner]", "组织委员 陈赟").await?;
    s4.submit("#new-measure form button[type=submit]").await?;
    s4.submit("#hand-in form button").await?;
    ensure!(
        s4.text().await?.contains("已提交，等待上级党组织审核"),
        "handed in on its own"
    );
    s4.shot("secretary-inspection-phone").await?;
    let r2 = ctx.login("reviewer2", Viewport::Desktop).await?;
    r2.goto("/branches/4/review").await?;
    ensure!(
        r2.text().await?.contains("主题党日活动缺少签到记录"),
        "the review screen shows the row"
    );
    r2.submit(".row-review form.inline button").await?;
    let page = r2.text().await?;
    ensure!(
        page.contains("该条查摆问题已通过") && page.contains("已审核签字"),
        "approved alone, the ledger still signed off: {}",
        excerpt(&page)
    );

    // A 回头看 sample of one: each committee with closed-off measures gets one; the first
    // sampled measure is re-checked and found 反弹, which reopens it.
    o.goto("/overview/look-backs").await?;
    o.set_value("input[name=n]", "1").await?;
    o.set_value("input[name=seed]", "20261201").await?;
    o.submit("form.sampling-form button").await?;
    ensure!(o.text().await?.contains("种子 20261201"), "the seed is shown");
    o.click("#sample a[href*='/findings/']").await?;
    o.wait_path_starts("/branches/").await?;
    o.click("form[action*='/look-back'] summary").await?;
    o.fill("form[action*='/look-back'] textarea[name=reason]", "抽查整改台账和记录")
        .await?;
    o.submit("form[action*='/look-back'] button").await?;
    ensure!(
        o.text().await?.contains("回头看原因：抽查整改台账和记录"),
        "the look-back is open"
    );
    o.click("form[action*='/look-backs/'] label.c-problem").await?;
    o.fill(
        "form[action*='/look-backs/'] textarea[name=note]",
        "会议记录又未当场签字",
    )
    .await?;
    o.submit("form[action*='/look-backs/'] button").await?;
    ensure!(
        o.text().await?.contains("整改“回头看”发现反弹：会议记录又未当场签字"),
        "反弹 reopens the measure"
    );

    // The results date has come: the 组织部 finalises; a ledger reopened later changes the live
    // judgement, not the frozen one, and is listed apart.
    set_campaign_date(ctx, "results_due", day(-1)).await?;
    o.goto("/overview/results").await?;
    o.submit("#finalise button.primary").await?;
    ensure!(o.text().await?.contains("结果确定后的变化（0）"), "finalised");
    r2.goto("/branches/4").await?;
    r2.click("form[action$='/reopen'] summary").await?;
    r2.fill("#reopen-reason", "回头看：补充整改材料").await?;
    r2.submit("form[action$='/reopen'] button").await?;
    o.goto("/overview/results").await?;
    let page = o.text().await?;
    ensure!(
        page.contains("结果确定后的变化（1）") && page.contains("存档结果：具备") && page.contains("重新打开台账"),
        "the change is listed apart: {}",
        excerpt(&page)
    );
    o.shot("overseer-results-desktop").await?;

    // Branch 4's 述职评议 summary, and its PDF as the page's link downloads it.
    o.goto("/branches/4/summary").await?;
    ensure!(
        o.exists("a[href='/branches/4/summary.pdf']").await?,
        "the PDF is offered"
    );
    let (status, kind, head): (u16, String, String) = o
        .eval(
            "var x = new XMLHttpRequest(); x.open('GET', '/branches/4/summary.pdf', false); x.send();
             return [x.status, x.getResponseHeader('content-type'), x.responseText.slice(0, 5)];",
        )
        .await?;
    ensure!(
        status == 200 && kind == "application/pdf" && head == "%PDF-",
        "the summary downloads as PDF: {status} {kind} {head}"
    );

    // A 典型做法 of the committee, promoted, read by another committee's secretary.
    r.goto("/branches/8/practices").await?;
    r.fill("#p-title", "书记轮训“一人一档”").await?;
    r.fill("#p-text", "为每名新任书记建立培训档案，轮训情况逐人记录。")
        .await?;
    r.submit("form.practice-form button.primary").await?;
    o.goto("/practices").await?;
    o.submit("#waiting form button.primary").await?;
    s4.goto("/practices").await?;
    ensure!(
        s4.text().await?.contains("书记轮训“一人一档”"),
        "another committee's secretary reads it"
    );
    Ok(())
}

/// A secretary types a finding, the login times out meanwhile (its session is gone), the save
/// is refused with a page that says the text is kept; after logging in again the form offers
/// it back, whole.
async fn text_survives_a_timeout(ctx: &mut Ctx) -> Result<()> {
    let s = ctx.login("secretary5", Viewport::Phone).await?;
    let form = "#category-2 form.new-finding";
    s.click(&format!("{form} summary")).await?;
    let text = "支部委员会会议记录过简，未体现讨论过程和表决情况，会后未及时通报。";
    s.fill(&format!("{form} textarea"), text).await?;
    // The login ends (as after the idle timeout): the browser's session is gone.
    s.c.delete_all_cookies().await?;
    s.submit(&format!("{form} button[type=submit]")).await?;
    let page = s.text().await?;
    ensure!(
        page.contains("登录已超时") && page.contains("已保留在本浏览器中"),
        "{}",
        excerpt(&page)
    );
    s.shot("session-expired-phone").await?;
    s.submit("a.button.primary[href='/login']").await?;
    s.sign_in("secretary5").await?;
    ensure!(s.path().await? == "/branches/5", "back on the ledger");
    let offer = s.text_of(&format!("{form} .draft-offer")).await?;
    ensure!(offer.contains("尚未保存"), "the form offers the text back: {offer}");
    let offers: usize = s
        .eval("return document.querySelectorAll('.draft-offer').length")
        .await?;
    ensure!(offers == 1, "only the form it was typed in offers it, not {offers}");
    s.click(&format!("{form} .draft-offer button")).await?;
    let restored = s.value(&format!("{form} textarea")).await?;
    ensure!(restored == text, "restored whole: {restored}");
    s.submit(&format!("{form} button[type=submit]")).await?;
    ensure!(s.path().await?.starts_with("/branches/5/findings/"), "saved this time");
    s.goto("/branches/5").await?;
    ensure!(!s.exists(".draft-offer").await?, "a saved text is not offered again");
    Ok(())
}

/// Unit 8 is committee 1's own 本级 ledger: items 1(5), 5(1), 5(2), answered in the demo, with a
/// finding and its measure under 5(2).
async fn committee_own_items(ctx: &mut Ctx) -> Result<()> {
    let r = ctx.login("reviewer1", Viewport::Desktop).await?;
    r.click("a[href$='/self-check']").await?;
    r.wait_path_starts("/branches/8").await?;
    let page = r.text().await?;
    ensure!(
        page.contains("计算机工程学院党委（本级）自查") && page.contains("已作答 3 / 3 项"),
        "the committee's own ledger: {}",
        excerpt(&page)
    );
    let items: Vec<String> = r
        .eval_list(
            "return Array.from(document.querySelectorAll('li.item'))
                .filter(li => li.querySelector('form.verdict-form')).map(li => li.id.slice(5))",
        )
        .await?;
    ensure!(items.len() == 3, "three items of its own, found {}", items.len());
    // 1(5): answered 存在问题 first, then, the 换届提醒 records checked, 未发现问题 (each tap saves).
    let first = &items[0];
    r.answer(first, "problem").await?;
    r.answer(first, "no_problem").await?;
    ensure!(
        r.text_of(&format!("#item-{first}"))
            .await?
            .contains("已保存：未发现问题"),
        "the answer is saved"
    );
    r.submit("#submit button.primary").await?;
    let page = r.text().await?;
    ensure!(
        page.contains("本级台账已提交"),
        "submitted to the 组织部: {}",
        excerpt(&page)
    );

    let o = ctx.login("overseer", Viewport::Desktop).await?;
    o.goto("/branches/8").await?;
    ensure!(o.text().await?.contains("审核本级台账"), "the 组织部 reviews it");
    let rows: Vec<String> = o
        .eval_list("return Array.from(document.querySelectorAll('.finding')).map(f => f.id.slice(8))")
        .await?;
    ensure!(!rows.is_empty(), "the committee's findings");
    for id in &rows {
        o.submit(&format!("#finding-{id} .row-review form.inline button"))
            .await?;
    }
    for i in 0..4 {
        o.click(&format!("form.sign-off input[name=four_{i}]")).await?;
    }
    o.submit("form.sign-off button.primary").await?;
    ensure!(o.text().await?.contains("已审核签字"), "the 组织部 signed it off");
    o.flash("signing off a committee's own ledger").await?;
    Ok(())
}

/// 进度安排 on a phone: a milestone recorded and done, progress written down, a 延期申请 the
/// committee approves (the original deadline kept), and a 长期坚持 measure closed off at its
/// checkpoint.
async fn schedule(ctx: &mut Ctx) -> Result<()> {
    // Branch 3 was handed in and returned: its deadlines move only by 延期申请.
    let (branch, finding, measure): (i64, i64, i64) = sqlx::query_as(
        "SELECT f.branch_id, f.id, m.id FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE f.branch_id = 3 AND m.deadline IS NOT NULL AND m.status <> 'closed_out' ORDER BY m.id LIMIT 1",
    )
    .fetch_one(&ctx.app.db.read)
    .await?;
    let s = ctx.login("secretary3", Viewport::Phone).await?;
    s.goto(&format!("/branches/{branch}/findings/{finding}")).await?;
    s.click(&format!("#measure-{measure} a[href$='/measures/{measure}']"))
        .await?;
    s.wait_path_starts(&format!("/branches/{branch}/measures/{measure}"))
        .await?;
    s.fill("#ms-title", "支委会研究确定整改方案").await?;
    s.set_value("#ms-due", &day(5)).await?;
    s.submit("form.milestone-form button").await?;
    s.flash("adding a milestone").await?;
    ensure!(
        s.text_of("ol.milestones").await?.contains("还剩 5 天"),
        "the milestone with its days left"
    );
    s.fill("#entry-text", "组织委员起草了整改方案初稿").await?;
    s.submit("form.entry-form button").await?;
    s.flash("recording progress").await?;
    s.submit("ol.milestones form button").await?;
    ensure!(
        s.text_of("ol.milestones").await?.contains("已完成"),
        "the milestone is done"
    );
    s.set_value("#x-date", &day(45)).await?;
    s.fill("#x-reason", "需待学院党委会研究后实施").await?;
    s.submit("form.extension-form button").await?;
    ensure!(s.flash("asking for more time").await?.contains("延期申请"), "asked");
    s.shot("secretary-measure-schedule-phone").await?;

    let r = ctx.login("reviewer1", Viewport::Desktop).await?;
    r.goto("/committees/1/close-outs").await?;
    r.click(&format!("#extensions a[href*='/measures/{measure}']")).await?;
    r.wait_path_starts(&format!("/branches/{branch}/measures/{measure}"))
        .await?;
    r.submit("form[action$='/decide'] button.primary").await?;
    r.flash("approving a 延期申请").await?;
    let deadline = r.text_of("#deadline").await?;
    ensure!(
        deadline.starts_with(&day(45)) && deadline.contains("原定") && deadline.contains("延期 1 次"),
        "both deadlines: {deadline}"
    );
    ensure!(
        r.text_of("#timeline").await?.contains("已同意"),
        "the timeline tells it"
    );

    // A 长期坚持 measure closed off at its first checkpoint.
    let (branch, finding, measure): (i64, i64, i64) = sqlx::query_as(
        "SELECT f.branch_id, f.id, m.id FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE m.long_term = 1 AND f.branch_id = 1 LIMIT 1",
    )
    .fetch_one(&ctx.app.db.read)
    .await?;
    let s = ctx.login("secretary1", Viewport::Phone).await?;
    s.goto(&format!("/branches/{branch}/findings/{finding}")).await?;
    ensure!(
        s.text_of(&format!("#measure-{measure}")).await?.contains("长期坚持"),
        "marked 长期坚持"
    );
    s.click(&format!("#measure-{measure} a[href$='/close-out']")).await?;
    s.wait_path_starts(&format!("/branches/{branch}/measures/{measure}/close-out"))
        .await?;
    s.fill("#note", "已建立会议记录当场签字制度，第一次检查的三次会议记录均完整。")
        .await?;
    s.submit("form button.primary").await?;
    s.flash("asking to close off a 长期坚持 measure").await?;
    r.goto(&format!("/branches/{branch}/findings/{finding}")).await?;
    r.submit(&format!(
        "#measure-{measure} form[action$='/close-out/decide'] button.primary"
    ))
    .await?;
    let card = r.text_of(&format!("#measure-{measure}")).await?;
    ensure!(
        card.contains("已销号") && card.contains("长期坚持"),
        "closed off, still 长期坚持: {card}"
    );
    Ok(())
}

async fn review_round_trip(ctx: &mut Ctx) -> Result<()> {
    let r = ctx.login("reviewer1", Viewport::Desktop).await?;
    ensure!(r.path().await? == "/committees/1");
    r.shot("reviewer-committee-desktop").await?;
    r.goto("/branches/1").await?;
    r.shot("reviewer-branch-desktop").await?;
    // Return finding 1 with a comment, approve the rest, send the ledger back.
    r.click("#finding-1 form.return-form summary").await?;
    r.fill(
        "#finding-1 form.return-form textarea[name=comment]",
        "请写明具体时间和次数。",
    )
    .await?;
    r.submit("#finding-1 form.return-form button.danger").await?;
    r.flash("returning a row").await?;
    let others: Vec<String> = r
        .eval_list(
            "return Array.from(document.querySelectorAll('.finding')).map(f => f.id.slice(8)).filter(id => id !== '1')",
        )
        .await?;
    ensure!(!others.is_empty());
    for id in &others {
        r.submit(&format!("#finding-{id} .row-review form.inline button"))
            .await?;
    }
    // 1(1) (item 1): the data says the term ended; the answer 未发现问题 is flagged and returned.
    let item = r.text_of("#item-1").await?;
    ensure!(
        item.contains("按期应于") && item.contains("与支部数据提示不一致"),
        "the hint and the contradiction: {item}"
    );
    r.fill(
        "#item-1 form.answer-return textarea[name=comment]",
        "任期已满未换届，请如实查摆。",
    )
    .await?;
    r.submit("#item-1 form.answer-return button.danger").await?;
    ensure!(
        r.text_of("#item-1").await?.contains("作答已退回"),
        "the answer is returned"
    );
    r.flash("returning an answer").await?;
    r.submit("form[action$='/return#review'] button").await?;
    ensure!(r.text().await?.contains("已退回"), "the ledger is sent back");
    r.flash("sending the ledger back").await?;

    // The branch sees the comment, fixes the row and submits again.
    let s = ctx.login("secretary1", Viewport::Desktop).await?;
    let page = s.text().await?;
    ensure!(page.contains("请写明具体时间和次数。"), "the branch sees the comment");
    ensure!(
        page.contains("任期已满未换届，请如实查摆。"),
        "and the returned answer's"
    );
    s.click(".returned-box a").await?;
    s.wait_path_starts("/branches/1/findings/1").await?;
    let text = s.value("#finding-text").await?;
    s.fill("#finding-text", &format!("{text}（2022年上半年仅召开3次。）"))
        .await?;
    s.submit("form button.primary").await?;
    s.flash("saving the fixed row").await?;
    s.goto("/branches/1").await?;
    s.submit("#submit button.primary").await?;
    ensure!(s.text().await?.contains("本支部台账已提交"));

    // On a phone, the committee's 待审核 leads to the review screen: the row handed in again
    // with its change (before → after), approved there.
    let rp = ctx.login("reviewer1", Viewport::Phone).await?;
    rp.click("a.badge[href='/branches/1/review']").await?;
    rp.wait_path_starts("/branches/1/review").await?;
    let screen = rp.text().await?;
    ensure!(
        screen.contains("退回后党支部的修改") && screen.contains("（2022年上半年仅召开3次。）"),
        "the change since the return: {}",
        excerpt(&screen)
    );
    rp.shot("reviewer-review-screen-phone").await?;
    let covered: Vec<String> = rp.eval_list(COVERED_CONTROLS).await?;
    ensure!(covered.is_empty(), "controls under something else: {covered:?}");
    rp.submit("#finding-1 .row-review form.inline button").await?;
    ensure!(rp.path().await? == "/branches/1/review", "back on the review screen");
    ensure!(!rp.exists("#finding-1").await?, "the approved row left the screen");
    rp.flash("approving on the review screen").await?;

    // The committee signs off, affirming the 四个到位.
    r.goto("/branches/1").await?;
    ensure!(
        r.text().await?.contains("（2022年上半年仅召开3次。）"),
        "the fix is there"
    );
    for i in 0..4 {
        r.click(&format!("form.sign-off input[name=four_{i}]")).await?;
    }
    r.submit("form.sign-off button.primary").await?;
    ensure!(r.text().await?.contains("已审核签字"), "signed off");
    r.flash("signing off").await?;

    // 销号: the first request waiting.
    r.goto("/committees/1/close-outs").await?;
    r.shot("reviewer-close-outs-desktop").await?;
    let before = r.text().await?;
    r.click("main a[href*='/findings/']").await?;
    r.wait_path_starts("/branches/").await?;
    r.submit("form[action$='/close-out/decide'] button.primary").await?;
    ensure!(r.text().await?.contains("已销号"), "closed off");
    r.flash("confirming a 销号").await?;
    r.goto("/committees/1/close-outs").await?;
    ensure!(r.text().await? != before, "the queue is shorter");

    // 本级工作: a 书记轮训, which the 附件3 draft tells.
    r.goto("/committees/1/work").await?;
    r.click("label[for=kind-training]").await?;
    r.set_value("#held_on", &day(-1)).await?;
    r.fill("#title", "党支部书记对账整改专题轮训").await?;
    r.fill("#attendees", "张喆、李堃、王玥等3名党支部书记").await?;
    r.submit("form.work-form button.primary").await?;
    ensure!(
        r.text().await?.contains("党支部书记对账整改专题轮训"),
        "the training is recorded"
    );
    r.flash("recording a training").await?;

    // 附件3: a draft from the ledgers handed in (branch 1 only) with their meetings, and the
    // committee's own work; signed by its 负责人, confirming the branches not signed off.
    r.goto("/committees/1/report").await?;
    r.click("a[href$='report?draft=1']").await?;
    r.wait_path_starts("/committees/1/report").await?;
    let work = r.value("#work_done").await?;
    ensure!(
        work.contains("已提交台账的党支部中，1个党支部召开了专题支委会")
            && work.contains("1个党支部已提交问题整改台账")
            && work.contains("尚有2个党支部未提交")
            && work.contains("开展党支部书记轮训1次"),
        "the draft counts what was handed in: {work}"
    );
    r.set_value("input[name=signed_on]", &day(0)).await?;
    r.submit("button[formaction$='/report/sign']").await?;
    let page = r.text().await?;
    ensure!(
        page.contains("尚未审核签字") && page.contains("软件工程系教工党支部"),
        "signing asks to confirm the branches not signed off: {}",
        excerpt(&page)
    );
    r.click("input[name=confirm_unsigned]").await?;
    r.submit("button[formaction$='/report/sign']").await?;
    let page = r.text().await?;
    ensure!(
        page.contains("已签字") && page.contains(&day_words(0)),
        "signed: {}",
        excerpt(&page)
    );
    r.flash("signing the report").await?;
    r.shot("reviewer-report-desktop").await?;

    // The downloads, as the page's links fetch them in this session.
    for (path, kind) in [
        ("/branches/1/checklist.pdf", "application/pdf"),
        ("/branches/1/checklist.xlsx", "spreadsheetml"),
        ("/committees/1/checklist.pdf", "application/pdf"),
        ("/committees/1/report.pdf", "application/pdf"),
        ("/committees/1/report.xlsx", "spreadsheetml"),
        ("/committees/1/submission.zip", "application/zip"),
    ] {
        let (status, content_type, size) = r.fetch(path).await?;
        ensure!(
            status == 200 && content_type.contains(kind) && size > 1000,
            "{path}: {status} {content_type} {size}"
        );
    }
    Ok(())
}

async fn overseer(ctx: &mut Ctx) -> Result<()> {
    let o = ctx.login("overseer", Viewport::Desktop).await?;
    ensure!(o.path().await? == "/overview");
    o.shot("overseer-overview-desktop").await?;
    let charts: Vec<String> = o.eval_list(CHART_TEXT).await?;
    ensure!(
        charts.is_empty(),
        "chart text at desktop width too small or cut: {charts:?}"
    );
    let row = o.row_with("新闻传播系学生党支部").await?;
    ensure!(row.contains("未开始"), "branch 5 has not started: {row}");
    let eligible: String = o.eval(ELIGIBLE_STAT).await?;

    // The branch answers its first item; the dashboard shows it in hand.
    let s = ctx.login("secretary5", Viewport::Desktop).await?;
    let id: String = s.eval("return document.querySelector('li.item').id.slice(5)").await?;
    s.answer(&id, "no_problem").await?;
    o.goto("/overview").await?;
    let row = o.row_with("新闻传播系学生党支部").await?;
    ensure!(row.contains("填报中"), "branch 5 moved on: {row}");

    // 回头看 on a closed-off measure of the signed-off branch 4, found 反弹.
    o.goto("/branches/4").await?;
    o.click("a[href*='/branches/4/findings/']").await?;
    o.wait_path_starts("/branches/4/findings/").await?;
    let mut found = o.exists("form[action*='/look-back'] summary").await?;
    if !found {
        o.goto("/branches/4").await?;
        o.click_nth("a.finding-link", 1).await?;
        o.wait_path_starts("/branches/4/findings/").await?;
        found = o.exists("form[action*='/look-back'] summary").await?;
    }
    ensure!(found, "a closed-off measure offers 回头看");
    o.click("form[action*='/look-back'] summary").await?;
    o.fill(
        "form[action*='/look-back'] textarea[name=reason]",
        "抽查发现支委会记录仍不完整。",
    )
    .await?;
    o.submit("form[action*='/look-back'] button").await?;
    o.click("form[action*='/look-backs/'] label.c-problem").await?;
    o.fill(
        "form[action*='/look-backs/'] textarea[name=note]",
        "连续两月未按时召开支委会。",
    )
    .await?;
    o.submit("form[action*='/look-backs/'] button").await?;
    ensure!(o.text().await?.contains("反弹"), "the outcome is recorded");
    o.flash("recording a 回头看 outcome").await?;
    o.goto("/overview").await?;
    let after: String = o.eval(ELIGIBLE_STAT).await?;
    ensure!(after != eligible, "eligibility changed: {eligible} → {after}");
    let row = o.row_in("#eligibility", "汉语言文学系教工党支部").await?;
    ensure!(
        row.contains("反弹"),
        "branch 4's row says why it lost 五星级 eligibility: {row}"
    );
    Ok(())
}

async fn out_of_scope(ctx: &mut Ctx) -> Result<()> {
    let s = ctx.login("secretary1", Viewport::Desktop).await?;
    s.goto("/branches/2").await?;
    let page = s.text().await?;
    ensure!(page.contains("页面不存在"), "a Chinese 404: {}", excerpt(&page));
    ensure!(!page.contains("软件工程系"), "nothing of branch 2 shows");
    s.shot("secretary-404-desktop").await?;
    s.goto("/committees/1").await?;
    let page = s.text().await?;
    ensure!(
        page.contains("无权") || page.contains("没有权限"),
        "a Chinese 403: {}",
        excerpt(&page)
    );
    Ok(())
}

/// Chart text drawn under 12 px, or reaching past its drawing's edge (cut).
const CHART_TEXT: &str = "return Array.from(document.querySelectorAll('svg.chart')).flatMap(svg => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    return Array.from(svg.querySelectorAll('text')).filter(t => {
        const r = t.getBoundingClientRect();
        return Number(t.getAttribute('font-size')) * scale < 12 || r.left < box.left - 1 || r.right > box.right + 1;
    }).map(t => t.textContent + ' (' + (Number(t.getAttribute('font-size')) * scale).toFixed(1) + ' px)');
});";

/// The pages each role uses, looked at on a 375 × 667 phone.
const PHONE_PAGES: &[(&str, &[&str])] = &[
    ("", &["/login", "/verify"]),
    (
        "secretary1",
        &[
            "/branches/1",
            "/branches/1/findings/1",
            "/branches/1/measures/1",
            "/branches/1/import",
            "/account/password",
            "/branches/1/practices",
            "/practices",
            "/notifications",
        ],
    ),
    ("secretary6", &["/branches/6", "/branches/6/findings/13"]),
    ("secretary2", &["/branches/2/meeting"]),
    (
        "reviewer1",
        &[
            "/committees/1",
            "/branches/1",
            "/branches/1/findings/1",
            "/committees/1/close-outs",
            "/branches/1/measures/2",
            "/committees/1/reminders",
            "/committees/1/report",
            "/committees/1/work",
            "/committees/1/summary",
            "/branches/1/profile",
            "/branches/1/review",
            "/branches/1/summary",
            "/branches/8",
        ],
    ),
    (
        "overseer",
        &[
            "/overview",
            "/admin",
            "/admin/campaigns",
            "/admin/import",
            "/admin/campaigns/1/ledger",
            "/admin/campaigns/1/documents",
            "/branches/4",
            "/overview/results",
            "/overview/look-backs?n=3&seed=7",
            "/overview/statistics",
            "/overview/inspections",
            "/overview/inspections/1",
            "/admin/outbox",
        ],
    ),
];

async fn phone(ctx: &mut Ctx) -> Result<()> {
    let mut problems = Vec::new();
    for (user, pages) in PHONE_PAGES {
        let b = if user.is_empty() {
            ctx.browser(Viewport::Phone).await?
        } else {
            ctx.login(user, Viewport::Phone).await?
        };
        for path in *pages {
            b.goto(path).await?;
            let (scroll, inner): (i64, i64) = b
                .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
                .await?;
            if scroll > inner {
                let wide: Vec<String> = b.eval_list(WIDER_THAN_SCREEN).await?;
                problems.push(format!(
                    "{path} as {user}: {scroll} px wide on a {inner} px screen: {wide:?}"
                ));
            }
            let unlabelled: Vec<String> = b.eval_list(UNLABELLED).await?;
            if !unlabelled.is_empty() {
                problems.push(format!("{path} as {user}: inputs without a label: {unlabelled:?}"));
            }
            let small: Vec<String> = b.eval_list(SMALL_TAP_TARGETS).await?;
            if !small.is_empty() {
                problems.push(format!("{path} as {user}: tap targets under 40 px: {small:?}"));
            }
            // A card row's label comes from its cell's data-label: none may print a bare "：",
            // and no table header may be empty (screen readers announce it as nothing).
            let bare: Vec<String> = b
                .eval_list(
                    "return Array.from(document.querySelectorAll('td[data-label], th'))
                        .filter(c => (c.tagName === 'TD' ? c.dataset.label : c.textContent).trim() === '')
                        .map(c => c.tagName + ' in ' + (c.closest('table').id || c.closest('section, main').id || 'a table'))",
                )
                .await?;
            if !bare.is_empty() {
                problems.push(format!(
                    "{path} as {user}: cells with no label or header text: {bare:?}"
                ));
            }
            let charts: Vec<String> = b.eval_list(CHART_TEXT).await?;
            if !charts.is_empty() {
                problems.push(format!("{path} as {user}: chart text too small or cut: {charts:?}"));
            }
            let faint: Vec<String> = b.eval_list(LOW_CONTRAST).await?;
            if !faint.is_empty() {
                problems.push(format!("{path} as {user}: text below WCAG AA contrast: {faint:?}"));
            }
        }
        if pages.contains(&"/branches/1") {
            // A long ledger stays easy to move through: the category index stays in view.
            b.goto("/branches/1").await?;
            b.execute("window.scrollTo(0, document.body.scrollHeight)", vec![])
                .await?;
            let top: f64 = b
                .eval("return document.querySelector('.cat-index').getBoundingClientRect().top")
                .await?;
            if !(0.0..667.0).contains(&top) {
                problems.push(format!(
                    "/branches/1 as {user}: the category index scrolls away (top {top})"
                ));
            }
        }
        let main = pages[0].trim_start_matches('/').replace('/', "-");
        b.goto(pages[0]).await?;
        let who = if user.is_empty() { "anonymous" } else { user };
        b.shot(&format!("{who}-{main}-phone")).await?;
    }
    ensure!(problems.is_empty(), "{}", problems.join("\n    "));
    Ok(())
}

async fn keyboard(ctx: &mut Ctx) -> Result<()> {
    let b = ctx.browser(Viewport::Desktop).await?;
    b.goto("/login").await?;
    // The username field has focus; Tab moves to the password, Enter sends the form.
    let focused: String = b.eval("return document.activeElement.id").await?;
    ensure!(
        focused == "username",
        "the login page starts in the username field, not {focused}"
    );
    b.keys("secretary1").await?;
    b.keys("\u{E004}").await?; // Tab
    let focused: String = b.eval("return document.activeElement.id").await?;
    ensure!(focused == "password", "Tab reaches the password, not {focused}");
    let outline: String = b
        .eval("var s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth")
        .await?;
    ensure!(
        !outline.starts_with("none") && !outline.ends_with(" 0px"),
        "focus is visible: {outline}"
    );
    b.keys(PASSWORD).await?;
    b.execute("window.__stay = true", vec![]).await?;
    b.keys("\u{E007}").await?; // Enter
    b.wait_new_page().await?;
    ensure!(b.path().await? == "/branches/1", "logged in with the keyboard alone");
    // Tab from the top of a page reaches a link whose focus ring shows.
    b.keys("\u{E004}").await?;
    let outline: String = b.eval("var s = getComputedStyle(document.activeElement); return document.activeElement.tagName + ' ' + s.outlineStyle").await?;
    ensure!(!outline.ends_with("none"), "the focused link shows focus: {outline}");
    Ok(())
}

async fn print(ctx: &mut Ctx) -> Result<()> {
    // A ledger being filled in (branch 6) prints its saved answers, not its buttons.
    let s = ctx.login("secretary6", Viewport::Desktop).await?;
    let text = s.printed_text("/branches/6").await?;
    ensure!(
        text.contains("对账查摆") && text.contains("党支部设置和调整不规范"),
        "the ledger prints"
    );
    ensure!(text.contains("已保存：存在问题"), "the saved answers print");
    let unanswered: usize = s
        .eval("return document.querySelectorAll('.verdict-form .saved-as:empty').length")
        .await?;
    ensure!(
        unanswered > 0 && text.matches("未作答").count() >= unanswered,
        "each of the {unanswered} unanswered items prints 未作答"
    );
    let empty_headings: usize = s
        .eval("return Array.from(document.querySelectorAll('h3.extended')).filter(h => { const n = h.nextElementSibling; return !n || n.matches('form.new-finding'); }).length")
        .await?;
    let headings: usize = s.eval("return document.querySelectorAll('h3.extended').length").await?;
    ensure!(
        text.matches("延伸自查及述职评议问题").count() == headings - empty_headings,
        "a 延伸自查 heading with nothing under it does not print"
    );
    for absent in [
        "退出",
        "保存结论",
        "提交党总支（党委）审核",
        "下载 PDF",
        "未发现问题不适用",
    ] {
        ensure!(!text.contains(absent), "the printed ledger has no “{absent}”");
    }
    let o = ctx.login("overseer", Viewport::Desktop).await?;
    let text = o.printed_text("/overview").await?;
    ensure!(text.contains("新闻传播系学生党支部"), "the dashboard prints its table");
    for absent in ["退出", "筛选", "下载此表", "核验导出材料"] {
        ensure!(!text.contains(absent), "the printed dashboard has no “{absent}”");
    }
    Ok(())
}

/// Buttons, links and choices in view whose centre another element covers (a tap there would
/// not reach them).
const COVERED_CONTROLS: &str = "
    return Array.from(document.querySelectorAll('button, a[href], .choices label, summary'))
      .filter(el => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.bottom < 0 || r.top > innerHeight) return false;
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) return false;
        const hit = document.elementFromPoint(x, y);
        return hit && !el.contains(hit) && !hit.contains(el) && !hit.closest('.sticky-progress');
      })
      .map(el => el.outerHTML.slice(0, 80))";

/// The dashboard's "具备五星级资格 N / M" figure.
const ELIGIBLE_STAT: &str = "return Array.from(document.querySelectorAll('.stat'))
    .find(s => s.innerText.includes('具备五星级资格')).querySelector('.stat-n').innerText";

/// Elements that stick out of the screen on the right (for the message when a page is too wide).
const WIDER_THAN_SCREEN: &str = "
    return Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
        .slice(0, 5)
        .map(e => e.tagName + '.' + e.className + ': ' + (e.innerText || '').slice(0, 30));";

/// Visible form fields with no label (by `for`, by nesting, or by aria-label).
const UNLABELLED: &str = "
    return Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(e => !['hidden', 'submit', 'button'].includes(e.type))
        .filter(e => e.offsetParent !== null)
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
        .map(e => e.outerHTML.slice(0, 100));";

/// Visible buttons, button-links and fields (or the labels standing in for radios and
/// checkboxes) less than 40 px high.
const SMALL_TAP_TARGETS: &str = "
    const targets = Array.from(document.querySelectorAll(
        'button, a.button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, summary'))
        .concat(Array.from(document.querySelectorAll('input[type=radio], input[type=checkbox]'))
            .map(e => (e.labels && e.labels[0]) || e));
    return targets
        .filter(e => e.offsetParent !== null)
        .filter(e => e.getBoundingClientRect().height < 40)
        .slice(0, 8)
        .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().height) + 'px: ' + (e.innerText || e.name || '').slice(0, 20));";

/// Text whose contrast with its background is below WCAG 2 AA (4.5:1, or 3:1 for large text).
/// Disabled controls are exempt, as in WCAG.
const LOW_CONTRAST: &str = "
    const rgb = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); return m ? m[1].split(',').map(parseFloat) : null; };
    const lum = p => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                       return 0.2126 * f(p[0]) + 0.7152 * f(p[1]) + 0.0722 * f(p[2]); };
    const background = el => {
        for (; el; el = el.parentElement) {
            const p = rgb(getComputedStyle(el).backgroundColor);
            if (p && (p.length < 4 || p[3] > 0.5)) return p;
        }
        return [255, 255, 255];
    };
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
        if (el.offsetParent === null || el.closest(':disabled')) continue;
        if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const st = getComputedStyle(el);
        const fg = rgb(st.color), bg = background(el);
        const a = lum(fg), b = lum(bg);
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
        if (ratio < (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5))
            bad.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 16));
    }
    return bad.slice(0, 6);";

// ---------------------------------------------------------------------------------------------
// The browser, and a few words to drive it with

fn browser_binaries() -> Result<(PathBuf, PathBuf), String> {
    let find = |env: &str, names: &[&str]| -> Option<PathBuf> {
        if let Ok(p) = std::env::var(env) {
            return Some(PathBuf::from(p)).filter(|p| p.is_file());
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    };
    let chromium = find("CHROME_BIN", &["chromium", "chromium-browser", "google-chrome"]);
    let driver = find("CHROMEDRIVER", &["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Ok((c, d)),
        (None, Some(_)) => Err("chromium is not installed".into()),
        (Some(_), None) => Err("chromedriver (Debian's chromium-driver) is not installed".into()),
        (None, None) => Err("chromium and chromedriver are not installed".into()),
    }
}

struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(binary: &Path) -> Result<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            ensure!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy)]
enum Viewport {
    Desktop,
    /// 375 × 667 CSS pixels, as a phone (touch, mobile user agent).
    Phone,
}

struct Ctx {
    app: TestApp,
    driver: String,
    chromium: PathBuf,
    sessions: Arc<Mutex<Vec<Client>>>,
}

impl Ctx {
    async fn browser(&mut self, viewport: Viewport) -> Result<Tab> {
        let mut options = json!({
            "binary": self.chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-extensions", "--no-first-run",
                "--window-size=1280,900", "--lang=zh-CN", "--hide-scrollbars"
            ],
        });
        if let Viewport::Phone = viewport {
            options["mobileEmulation"] =
                json!({ "deviceMetrics": { "width": 375, "height": 667, "pixelRatio": 2.0, "touch": true } });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        // "Are you sure?" prompts (signing, resets) are answered yes, as the user in the story.
        caps.insert("unhandledPromptBehavior".into(), json!("accept"));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.driver)
            .await
            .context("opening a browser session")?;
        self.sessions.lock().unwrap().push(client.clone());
        Ok(Tab {
            c: client,
            base: self.app.url(""),
        })
    }

    async fn login(&mut self, user: &str, viewport: Viewport) -> Result<Tab> {
        let t = self.browser(viewport).await?;
        t.goto("/login").await?;
        t.sign_in(user).await?;
        Ok(t)
    }
}

struct Tab {
    c: Client,
    base: String,
}

impl Tab {
    async fn goto(&self, path: &str) -> Result<()> {
        self.c.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    async fn path(&self) -> Result<String> {
        Ok(self.c.current_url().await?.path().to_string())
    }

    async fn execute(&self, script: &str, args: Vec<Json>) -> Result<Json> {
        self.c
            .execute(script, args)
            .await
            .with_context(|| format!("running {script}"))
    }

    async fn eval<T: serde::de::DeserializeOwned>(&self, script: &str) -> Result<T> {
        Ok(serde_json::from_value(self.execute(script, vec![]).await?)?)
    }

    async fn eval_list(&self, script: &str) -> Result<Vec<String>> {
        self.eval(script).await
    }

    async fn text(&self) -> Result<String> {
        self.eval("return document.body.innerText").await
    }

    async fn text_of(&self, css: &str) -> Result<String> {
        let el = self
            .c
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css}"))?;
        Ok(el.text().await?)
    }

    async fn exists(&self, css: &str) -> Result<bool> {
        Ok(!self.c.find_all(Locator::Css(css)).await?.is_empty())
    }

    async fn value(&self, css: &str) -> Result<String> {
        let el = self
            .c
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css}"))?;
        Ok(el.prop("value").await?.unwrap_or_default())
    }

    async fn click(&self, css: &str) -> Result<()> {
        let el = self
            .c
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css}"))?;
        self.execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&el)?],
        )
        .await?;
        el.click().await.with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    async fn click_nth(&self, css: &str, n: usize) -> Result<()> {
        let all = self.c.find_all(Locator::Css(css)).await?;
        let el = all.get(n).ok_or_else(|| anyhow!("no {css} number {n}"))?;
        el.click().await?;
        Ok(())
    }

    async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let el = self
            .c
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css}"))?;
        el.clear().await?;
        el.send_keys(text).await.with_context(|| format!("typing into {css}"))?;
        Ok(())
    }

    /// Sets a field's value directly (date fields take typing in the browser's locale order).
    async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        let el = self
            .c
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css}"))?;
        self.execute(
            "arguments[0].value = arguments[1]",
            vec![serde_json::to_value(&el)?, json!(value)],
        )
        .await?;
        Ok(())
    }

    async fn keys(&self, keys: &str) -> Result<()> {
        self.c.active_element().await?.send_keys(keys).await?;
        Ok(())
    }

    /// Clicks a submit button and waits for the page that answers it.
    /// Fills the login form on this page and sends it.
    async fn sign_in(&self, user: &str) -> Result<()> {
        self.fill("#username", user).await?;
        self.fill("#password", PASSWORD).await?;
        self.submit("form[action='/login'] button[type=submit]").await?;
        let path = self.path().await?;
        ensure!(path != "/login", "{user} could not log in");
        Ok(())
    }

    /// Taps an answer to an item, which saves in place: no page load, the page stays where it
    /// was. Returns what the item then says (刚刚保存, or why the change was refused).
    async fn answer(&self, item: &str, choice: &str) -> Result<String> {
        let label = format!("label[for='v-{item}-{choice}']");
        let el = self
            .c
            .find(Locator::Css(&label))
            .await
            .with_context(|| format!("no {label}"))?;
        self.execute(
            "arguments[0].scrollIntoView({block: 'center'}); window.__stay = true;
             document.querySelector('#item-' + arguments[1] + ' .answer-status').textContent = '';",
            vec![serde_json::to_value(&el)?, json!(item)],
        )
        .await?;
        let before: f64 = self.eval("return window.scrollY").await?;
        el.click().await.with_context(|| format!("tapping {label}"))?;
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            let status: String = self
                .execute(
                    "const s = document.querySelector('#item-' + arguments[0] + ' .answer-status');
                     return s ? s.textContent : '';",
                    vec![json!(item)],
                )
                .await
                .ok()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            if !status.is_empty() && status != "正在保存…" {
                break status;
            }
            ensure!(Instant::now() < deadline, "item {item}: no answer within 15 s");
            tokio::time::sleep(Duration::from_millis(40)).await;
        };
        ensure!(
            self.eval::<bool>("return window.__stay === true").await?,
            "item {item}: the answer loaded a new page"
        );
        let after: f64 = self.eval("return window.scrollY").await?;
        ensure!(
            (after - before).abs() < 2.0,
            "item {item}: the page moved from {before} to {after}"
        );
        Ok(status)
    }

    async fn submit(&self, css: &str) -> Result<()> {
        self.execute("window.__stay = true", vec![]).await?;
        self.click(css).await?;
        self.wait_new_page().await.with_context(|| format!("after {css}"))
    }

    async fn wait_new_page(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let done: bool = self
                .eval("return window.__stay === undefined && document.readyState === 'complete'")
                .await
                .unwrap_or(false);
            if done {
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "no new page within 15 s");
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    async fn wait_path_starts(&self, prefix: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.path().await?.starts_with(prefix) {
            ensure!(Instant::now() < deadline, "never reached {prefix}");
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        let complete = "return document.readyState === 'complete'";
        while !self.eval::<bool>(complete).await? {
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        Ok(())
    }

    /// The flash message the last action left ("已保存…"); every action must leave one.
    /// Whether the page is still the one `answer` or `submit` started from (no full page load
    /// since): the marker they set survives only in the same document.
    async fn stayed(&self) -> Result<bool> {
        let stayed: bool = self.eval("return window.__stay === true").await?;
        self.execute("window.__stay = true;", vec![]).await?;
        Ok(stayed)
    }

    async fn flash(&self, after: &str) -> Result<String> {
        let all = self.c.find_all(Locator::Css("p.notice.saved")).await?;
        let first = all.first().ok_or_else(|| anyhow!("no message after {after}"))?;
        Ok(first.text().await?)
    }

    /// The text of the table row that mentions `name`.
    async fn row_with(&self, name: &str) -> Result<String> {
        self.row_in("body", name).await
    }

    /// The text of the first table row within `section` that names `name`.
    async fn row_in(&self, section: &str, name: &str) -> Result<String> {
        let row: Option<String> = serde_json::from_value(
            self.execute(
                "return (Array.from(document.querySelectorAll(arguments[1] + ' tr')).find(r => r.innerText.includes(arguments[0])) || {}).innerText || null",
                vec![json!(name), json!(section)],
            )
            .await?,
        )?;
        row.ok_or_else(|| anyhow!("no row for {name} in {section}"))
    }

    /// Status, content type and size of a download, fetched in this session as a link would.
    async fn fetch(&self, path: &str) -> Result<(u16, String, u64)> {
        let v = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0]).then(r => r.arrayBuffer().then(b =>
                     done([r.status, r.headers.get('content-type') || '', b.byteLength])))
                   .catch(e => done([0, String(e), 0]));",
                vec![json!(path)],
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// The text of `path` as the browser prints it (print stylesheet applied).
    async fn printed_text(&self, path: &str) -> Result<String> {
        self.goto(path).await?;
        let pdf = self.c.print(fantoccini::wd::PrintConfiguration::default()).await?;
        Ok(pdf_text(&pdf))
    }

    async fn shot(&self, name: &str) -> Result<()> {
        let png = self.c.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{name}.png")), png)?;
        Ok(())
    }
}

fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots")
}

fn excerpt(page: &str) -> String {
    page.chars().take(300).collect()
}
