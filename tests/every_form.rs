//! Every form of the app, walked as its users walk it: each role's pages are crawled from its
//! home and every POST form on them is sent, first as a user would fill it in, then with hostile
//! input in each field.
//!
//! - Audit completeness: every accepted change writes an audit row naming who, when, what and
//!   the row before → after; every POST route of the URL map is reached and accepted at least
//!   once (or is listed below with the reason it writes nothing).
//! - Hostile input: empty, blank, over-long, control characters, emoji, RTL marks, markup, SQL,
//!   impossible dates and numbers, missing and repeated fields: never a 5xx, a refusal stores
//!   nothing (no audit row), and no page ever shows the markup unescaped.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::forms::{Form, links, post_forms};
use common::*;
use reqwest::Client;

/// POST routes that change nothing by design, and why.
const WRITE_NOTHING: &[(&str, &str)] = &[
    (
        "/branches/{branch_id}/import/preview",
        "shows what an import would add; saving is /import",
    ),
    ("/login", "audited as a login, checked in its own test below"),
    (
        "/notifications/read",
        "marks the user's own messages read: a view's state, not a change anyone answers for",
    ),
];

/// POST routes the walk leaves to their own tests: they end or change the walker's session.
const NOT_WALKED: &[&str] = &["/logout", "/account/password", "/admin/users/{user_id}/reset-password"];

struct Walker<'a> {
    app: &'a TestApp,
    client: Client,
    user: &'static str,
    user_id: i64,
    n: usize,
}

/// What a user types into a field, by its name.
fn typed_value(name: &str, kind: &str, n: usize) -> String {
    match name {
        "owner" => "王喆".into(),
        "reason" => format!("核实后的理由{n}"),
        "comment" | "note" => format!("审核意见{n}"),
        "signer_name" | "secretary_name" => "周国栋".into(),
        "deadline" => day(30),
        "signed_on" => day(0),
        "issued_on" => "2027-10-05".into(),
        "self_check_due" => "2027-10-15".into(),
        "report_due" => "2027-10-20".into(),
        "rectify_due" => "2027-10-31".into(),
        "results_due" => "2027-11-30".into(),
        "username" => format!("walker{n}"),
        "email" => format!("walker{n}@example.org"),
        "display_name" => format!("测试人员{n}"),
        "name" => format!("测试单位{n}"),
        "title" => format!("测试专项行动{n}"),
        "doc_number" => format!("组织部〔2027〕{n}号"),
        "full_member_count" | "sort_order" => "12".into(),
        "pasted" => format!("一、测试问题{n}\n二、测试问题{}", n + 1),
        // A reference document is a file or a link: the walk uploads a file.
        "url" => String::new(),
        _ if kind == "date" => day(30),
        _ if kind == "number" => "3".into(),
        _ => format!("测试内容{n}"),
    }
}

/// The fields of `form` as a user would send it: hidden fields as they are, the first (or
/// checked) radio, every checkbox ticked, selects as selected, typed fields as shown or filled.
fn filled(form: &Form, n: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut radios = BTreeSet::new();
    for f in &form.fields {
        match f.kind.as_str() {
            "file" => {}
            "radio" => {
                let checked = form.fields.iter().find(|o| o.name == f.name && o.checked);
                if radios.insert(f.name.clone()) {
                    out.push((f.name.clone(), checked.unwrap_or(f).value.clone()));
                }
            }
            "checkbox" => out.push((
                f.name.clone(),
                if f.value.is_empty() {
                    "1".into()
                } else {
                    f.value.clone()
                },
            )),
            "hidden" | "select" => out.push((f.name.clone(), f.value.clone())),
            _ if !f.value.is_empty() => out.push((f.name.clone(), f.value.clone())),
            _ => out.push((f.name.clone(), typed_value(&f.name, &f.kind, n))),
        }
    }
    // A new password is typed twice.
    if let Some(new) = out.iter().find(|(k, _)| k == "new_password").map(|(_, v)| v.clone()) {
        for (k, v) in &mut out {
            if k == "confirm_password" {
                *v = new.clone();
            }
        }
    }
    out
}

impl<'a> Walker<'a> {
    async fn new(app: &'a TestApp, user: &'static str) -> Walker<'a> {
        let client = app.login(user).await;
        let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(user)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
        Walker {
            app,
            client,
            user,
            user_id,
            n: 0,
        }
    }

    async fn audit_rows(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM audit_log")
            .fetch_one(&self.app.db.read)
            .await
            .unwrap()
    }

    /// Sends `fields` to the form's action; returns status, redirect target and body.
    async fn send(&self, form: &Form, fields: &[(String, String)]) -> (u16, String, String) {
        let url = self.app.url(&form.action);
        let req = if form.multipart {
            let mut mp = reqwest::multipart::Form::new();
            for (k, v) in fields {
                mp = mp.text(k.clone(), v.clone());
            }
            for f in form.fields.iter().filter(|f| f.kind == "file") {
                // Imports read pasted lines when no file is given; evidence gets a photo; the
                // 组织部's import gets its own template.
                if form.action.contains("/import/preview") {
                    continue;
                }
                let (bytes, name) = if form.action.starts_with("/admin/import") {
                    let t = self.app.get(&self.client, "/admin/import/template.xlsx").await;
                    (t.bytes().await.unwrap().to_vec(), "单位和账号.xlsx")
                } else if form.action.contains("/documents") {
                    (b"%PDF-1.4\n%walk\n".to_vec(), "参考文件.pdf")
                } else {
                    (PNG.to_vec(), "整改照片.png")
                };
                mp = mp.part(f.name.clone(), reqwest::multipart::Part::bytes(bytes).file_name(name));
            }
            self.client.post(url).multipart(mp)
        } else {
            self.client.post(url).form(fields)
        };
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let location = location(&res);
        (status, location, res.text().await.unwrap_or_default())
    }

    /// The user's pages, breadth first from home, at most `limit`.
    async fn crawl(&self, limit: usize) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut queue = std::collections::VecDeque::from([String::from("/")]);
        let mut pages = Vec::new();
        while let Some(path) = queue.pop_front() {
            if pages.len() >= limit || !seen.insert(path.clone()) {
                continue;
            }
            let res = self.app.get(&self.client, &path).await;
            let res = if res.status().as_u16() == 303 {
                let to = location(&res);
                if to.starts_with("/login") || !seen.insert(to.clone()) {
                    continue;
                }
                self.app.get(&self.client, &to).await
            } else {
                res
            };
            let final_path = res.url().path().to_string();
            if res.status().as_u16() != 200 {
                continue;
            }
            let html = res.text().await.unwrap();
            pages.push(final_path);
            for l in links(&html) {
                if !seen.contains(&l) && !l.contains("/current") {
                    queue.push_back(l);
                }
            }
        }
        pages
    }
}

fn route_of(action: &str) -> Option<String> {
    url_map()
        .into_iter()
        .find(|(m, p)| *m == "POST" && matches_pattern(p, action))
        .map(|(_, p)| p)
}

/// What the walk found: routes accepted (with how often) and anything wrong.
#[derive(Default)]
struct Findings {
    accepted: BTreeMap<String, usize>,
    problems: Vec<String>,
}

impl Walker<'_> {
    /// Sends a form and checks the audit trail: an accepted change wrote a complete row, a
    /// refusal wrote none. Returns the answer's status and body.
    async fn exercise(&mut self, form: &Form, fields: &[(String, String)], found: &mut Findings) -> (u16, String) {
        let user = self.user;
        let Some(route) = route_of(&form.action) else {
            found
                .problems
                .push(format!("a form posts to {} which is not in the URL map", form.action));
            return (0, String::new());
        };
        let before = self.audit_rows().await;
        let (status, to, body) = self.send(form, fields).await;
        let after = self.audit_rows().await;
        if status >= 500 {
            found.problems.push(format!("{user} {} → {status}", form.action));
            return (status, body);
        }
        let ok = status < 300 || (status == 303 && !to.starts_with("/login"));
        let writes = !WRITE_NOTHING.iter().any(|(r, _)| *r == route);
        if ok && writes {
            *found.accepted.entry(route).or_default() += 1;
            if after <= before {
                found.problems.push(format!(
                    "{user} {} was accepted ({status}) but wrote no audit row",
                    form.action
                ));
                return (status, body);
            }
            let (who, at, action, before_json, after_json): (
                Option<i64>,
                String,
                String,
                Option<String>,
                Option<String>,
            ) = sqlx::query_as(
                "SELECT user_id, at, action, before_json, after_json FROM audit_log ORDER BY id DESC LIMIT 1",
            )
            .fetch_one(&self.app.db.read)
            .await
            .unwrap();
            if who != Some(self.user_id)
                || at.len() < 19
                || action.is_empty()
                || (before_json.is_none() && after_json.is_none())
            {
                found.problems.push(format!(
                    "{user} {}: audit row incomplete: who {who:?} at {at} what {action} before {before_json:?} after {after_json:?}",
                    form.action
                ));
            }
        } else if !ok && after != before {
            found.problems.push(format!(
                "{user} {} was refused ({status}) but wrote {} audit rows",
                form.action,
                after - before
            ));
        } else if ok && !writes && after != before {
            found.problems.push(format!(
                "{user} {} should write nothing but wrote {} rows",
                form.action,
                after - before
            ));
        } else if ok && !writes {
            found.accepted.entry(route).or_default();
        }
        (status, body)
    }

    /// Sends the first form on `page` whose action contains `action`, filled in, with `set`
    /// overriding fields. False if the page has no such form.
    async fn send_on(&mut self, page: &str, action: &str, set: &[(&str, &str)], found: &mut Findings) -> bool {
        let html = self.app.get(&self.client, page).await.text().await.unwrap();
        let forms = post_forms(&html);
        let exact = forms.iter().find(|f| f.action == action);
        let Some(form) = exact
            .or_else(|| forms.iter().find(|f| f.action.contains(action)))
            .cloned()
        else {
            return false;
        };
        self.n += 1;
        let mut fields = filled(&form, self.n);
        // `("name", "")` leaves the field out (an unticked checkbox).
        for (k, v) in set {
            fields.retain(|(name, _)| name != k);
            if !v.is_empty() {
                fields.push((k.to_string(), v.to_string()));
            }
        }
        self.exercise(&form, &fields, found).await;
        true
    }
}

/// Walks every form on every page of each role, filled in as a user would, and checks each
/// accepted change left an audit row with who, when, what and before → after.
#[tokio::test]
async fn every_accepted_change_is_audited_and_every_post_route_is_reached() {
    let app = spawn_demo().await;
    let mut found = Findings::default();
    for user in ["secretary2", "secretary1", "secretary3", "reviewer1", "overseer"] {
        let mut w = Walker::new(&app, user).await;
        for page in w.crawl(60).await {
            let html = app.get(&w.client, &page).await.text().await.unwrap();
            let mut forms = post_forms(&html);
            let mut followed = 0;
            while let Some(form) = forms.pop() {
                if route_of(&form.action).is_some_and(|r| NOT_WALKED.contains(&r.as_str())) {
                    continue;
                }
                w.n += 1;
                let fields = filled(&form, w.n);
                let (status, body) = w.exercise(&form, &fields, &mut found).await;
                // A form answered with another form (an import preview, a one-time password):
                // send that too.
                if status == 200 && followed < 3 {
                    followed += 1;
                    forms.extend(post_forms(&body).into_iter().filter(|f| f.action != form.action));
                }
            }
        }
    }

    // What a crawl in page order cannot reach, in the order users get there.
    let fresh = spawn_demo().await;
    let mut s5 = Walker::new(&fresh, "secretary5").await;
    for item in 1..=25 {
        let action = format!("/items/{item}");
        s5.send_on("/branches/5", &action, &[("verdict", "no_problem")], &mut found)
            .await;
    }
    let held_on = day(-3);
    assert!(
        s5.send_on(
            "/branches/5/meeting",
            "/meeting",
            &[("held_on", held_on.as_str()), ("present", "4")],
            &mut found
        )
        .await
    );
    assert!(s5.send_on("/branches/5", "/submit", &[], &mut found).await);
    let mut s2 = Walker::new(&fresh, "secretary2").await;
    let (branch, _, measure) = demo_measure(&fresh, "每月主题党日提前一周确定主题").await;
    let delete = format!("/branches/{branch}/measures/{measure}/delete");
    assert!(s2.send_on(&delete, &delete, &[], &mut found).await);
    // A file of a returned ledger's meeting record (the crawl's branch 3 may be handed in
    // again by its own ledger page's forms before the walk reaches its meeting page).
    let mut s3 = Walker::new(&fresh, "secretary3").await;
    assert!(
        s3.send_on("/branches/3/meeting", "/meeting/evidence/", &[], &mut found)
            .await
    );
    let mut r1 = Walker::new(&fresh, "reviewer1").await;
    assert!(r1.send_on("/branches/1", "/approve-waiting", &[], &mut found).await);
    for f in 1..=5 {
        r1.send_on(
            "/branches/1",
            &format!("/findings/{f}/review"),
            &[("decision", "approve")],
            &mut found,
        )
        .await;
    }
    assert!(r1.send_on("/branches/1", "/sign-off", &[], &mut found).await);
    // The committee's own work: a record, then its removal.
    let yesterday = day(-1);
    assert!(
        r1.send_on(
            "/committees/1/work",
            "/committees/1/work",
            &[("kind", "training"), ("held_on", yesterday.as_str())],
            &mut found
        )
        .await
    );
    assert!(r1.send_on("/committees/1/work", "/delete", &[], &mut found).await);
    assert!(
        r1.send_on("/committees/1/report", "/committees/1/report", &[], &mut found)
            .await
    );
    // 报送: the report signed as the page offers it, handed in, the paper copy's scan added; the
    // 组织部 records the paper copy, then returns the 报送.
    let report = "/committees/1/report";
    assert!(r1.send_on(report, "/report/sign", &[], &mut found).await);
    assert!(r1.send_on(report, "/committees/1/delivery", &[], &mut found).await);
    assert!(r1.send_on(report, "/scan", &[], &mut found).await);
    let mut o = Walker::new(&fresh, "overseer").await;
    let today = day(0);
    assert!(
        o.send_on(report, "/paper", &[("paper_received_on", today.as_str())], &mut found)
            .await
    );
    assert!(o.send_on(report, "/return", &[], &mut found).await);
    // Returned: the report may be reopened again.
    assert!(r1.send_on(report, "/report/reopen", &[], &mut found).await);
    // Without carrying measures over, so the new ledger is still editable.
    assert!(
        o.send_on(
            "/admin/campaigns",
            "/admin/campaigns",
            &[("carry_over", "")],
            &mut found
        )
        .await
    );
    let newest: i64 = sqlx::query_scalar("SELECT max(id) FROM campaigns")
        .fetch_one(&fresh.db.read)
        .await
        .unwrap();
    assert!(
        o.send_on(&format!("/admin/campaigns/{newest}/ledger"), "/ledger", &[], &mut found)
            .await
    );
    // A closed-off measure of a signed-off ledger: 回头看 and its outcome.
    let (branch, finding, measure) = demo_measure(&fresh, "报党总支批准后召开党员大会完成换届选举").await;
    let page = format!("/branches/{branch}/findings/{finding}");
    assert!(
        o.send_on(&page, &format!("/measures/{measure}/look-back"), &[], &mut found)
            .await
    );
    assert!(o.send_on(&page, "/look-backs/", &[], &mut found).await);
    // 结果运用: once the results date has come, the results are finalised and a 星级 recorded.
    let yesterday = day(-1);
    fresh
        .db
        .write(async |tx| {
            sqlx::query("UPDATE campaigns SET results_due = ? WHERE is_current = 1")
                .bind(&yesterday)
                .execute(tx)
                .await
        })
        .await
        .unwrap();
    assert!(
        o.send_on("/overview/results", "/overview/results", &[], &mut found)
            .await
    );
    assert!(
        o.send_on("/overview/results", "/stars", &[("stars", "4")], &mut found)
            .await
    );
    // 督查: a record, then the demo's record changed; a problem it found raised into branch 1's
    // ledger (signed off above), which its secretary plans and hands in on its own.
    let held = day(-2);
    let inspections = "/overview/inspections";
    assert!(
        o.send_on(inspections, inspections, &[("held_on", held.as_str())], &mut found)
            .await
    );
    let record = "/overview/inspections/1";
    assert!(
        o.send_on(record, record, &[("held_on", held.as_str())], &mut found)
            .await
    );
    let category: i64 = sqlx::query_scalar(
        "SELECT lc.id FROM ledger_categories lc JOIN campaigns c ON c.id = lc.campaign_id AND c.is_current = 1
         ORDER BY lc.position LIMIT 1",
    )
    .fetch_one(&fresh.db.read)
    .await
    .unwrap();
    let category = category.to_string();
    assert!(
        o.send_on(
            record,
            "/findings",
            &[("unit", "1"), ("category_id", category.as_str())],
            &mut found
        )
        .await
    );
    let raised: i64 = sqlx::query_scalar("SELECT max(id) FROM findings WHERE inspection_id IS NOT NULL")
        .fetch_one(&fresh.db.read)
        .await
        .unwrap();
    let page = format!("/branches/1/findings/{raised}");
    let mut s1 = Walker::new(&fresh, "secretary1").await;
    assert!(s1.send_on(&page, "/measures", &[], &mut found).await);
    assert!(s1.send_on(&page, "/hand-in", &[], &mut found).await);
    // The messages those steps sent, read; a committee's group robot set.
    assert!(
        s1.send_on("/notifications", "/notifications/read", &[], &mut found)
            .await
    );
    let robot = [
        ("robot_kind", "wecom"),
        ("robot_url", "http://127.0.0.1:9/cgi-bin/webhook/send?key=walk"),
    ];
    assert!(
        o.send_on("/admin", "/admin/committees/1/robot", &robot, &mut found)
            .await
    );
    // A message that could not be sent, sent again by the 组织部 from the outbox page.
    fresh
        .db
        .write(async |tx| {
            sqlx::query(
                "INSERT INTO outbox (channel, user_id, recipient, subject, body, link, dedup_key, state, attempts, last_error)
                 VALUES ('email', 2, 'reviewer1@example.org', '【测试】', '正文', '/', 'walk:1', 'failed', 8, '邮件服务器未接收')",
            )
            .execute(tx)
            .await
        })
        .await
        .unwrap();
    assert!(o.send_on("/admin/outbox", "/resend", &[], &mut found).await);
    // Last: a new current campaign leaves the demo's rows in the past.
    assert!(
        o.send_on(
            "/admin/campaigns",
            &format!("/admin/campaigns/{newest}/current"),
            &[],
            &mut found
        )
        .await
    );

    // Every kind of change the walk made was followed on the overview by patches; a restarted
    // server reading the campus afresh shows the same.
    for mut walked in [app, fresh] {
        let o = walked.login("overseer").await;
        for (patched, fresh) in walked.overview_patched_and_fresh(&o).await {
            assert!(patched == fresh, "the patched overview differs from a fresh read");
        }
    }

    let unreached: Vec<String> = url_map()
        .into_iter()
        .filter(|(m, p)| {
            *m == "POST" && p != "/login" && !NOT_WALKED.contains(&p.as_str()) && !found.accepted.contains_key(p)
        })
        .map(|(_, p)| p)
        .collect();
    assert!(found.problems.is_empty(), "{}", found.problems.join("\n"));
    assert!(
        unreached.is_empty(),
        "POST routes never accepted in the walk: {unreached:#?}\naccepted: {:#?}",
        found.accepted
    );
}

/// The routes the walk leaves alone are audited too: logging in and out, a password change,
/// a password reset.
#[tokio::test]
async fn logins_logouts_and_password_changes_are_audited() {
    let app = spawn_demo().await;
    let actions = |app: &TestApp| {
        let pool = app.db.read.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT action FROM audit_log ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    let s = app.login("secretary1").await;
    assert_eq!(actions(&app).await.last().map(String::as_str), Some("login"));
    let res = app
        .post_form(
            &s,
            "/account/password",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another-pass-42"),
                ("confirm_password", "another-pass-42"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(actions(&app).await.last().map(String::as_str), Some("password.change"));
    app.post_form(&s, "/logout", "/account/password", &[]).await;
    assert_eq!(actions(&app).await.last().map(String::as_str), Some("logout"));
    let o = app.login("overseer").await;
    let res = app.post_form(&o, "/admin/users/2/reset-password", "/admin", &[]).await;
    assert!(res.status().as_u16() < 400, "{}", res.status());
    let last = actions(&app).await.last().cloned().unwrap_or_default();
    assert!(last.contains("password") || last.contains("reset"), "{last}");
}

/// What an attacker or a careless paste puts into a field.
fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "   \t  ",
        "\u{0}\u{1}\u{1b}[31m\u{7f}控制字符",
        "😀👨‍👩‍👧‍👦𠮷表情",
        "\u{202e}\u{200f}反向文字\u{202c}",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "' OR 1=1; DROP TABLE findings; --",
        "2022-02-30",
        "99999-12-31",
        "-1",
        "99999999999999999999",
        "1e309",
        "NaN",
    ]
    .map(String::from)
    .to_vec();
    v.push("长".repeat(30_000));
    v
}

/// One way to fill a form in: from the form as shown and a counter for unique values.
type Variant = Box<dyn Fn(&Form, usize) -> Vec<(String, String)>>;

/// Markup that must never reach a page unescaped.
const RAW_MARKUP: [&str; 2] = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"];

/// Every field of every form, as each role, with each hostile value in turn; the form sent with
/// nothing but its token, and with every field twice; every query parameter the pages read.
/// Never a 5xx; a refusal stores nothing; markup never comes back unescaped; the database
/// stays consistent.
#[tokio::test]
async fn hostile_input_in_any_field_is_refused_or_stored_safely_and_never_crashes() {
    let app = spawn_demo().await;
    let values = hostile_values();
    let mut found = Findings::default();
    let mut sent = 0;
    let mut unescaped = Vec::new();
    for user in ["secretary2", "secretary1", "reviewer1", "overseer"] {
        let mut w = Walker::new(&app, user).await;
        let pages = w.crawl(20).await;
        let mut tried = BTreeSet::new();
        for page in &pages {
            // Query parameters the pages read.
            for param in [
                "campaign",
                "sort",
                "committee",
                "state",
                "page",
                "draft",
                "overdue",
                "code",
                "next",
            ] {
                for v in [&values[5], &values[6], &values[11], &values[2]] {
                    let url = format!("{page}?{param}={}", urlencode(v));
                    let res = app.get(&w.client, &url).await;
                    let status = res.status().as_u16();
                    let body = res.text().await.unwrap_or_default();
                    sent += 1;
                    if status >= 500 {
                        found.problems.push(format!("{user} GET {page}?{param}=… → {status}"));
                    }
                    if RAW_MARKUP.iter().any(|m| body.contains(m)) {
                        unescaped.push(format!("{user} GET {page}?{param}"));
                    }
                }
            }
            let count = post_forms(&app.get(&w.client, page).await.text().await.unwrap()).len();
            for i in 0..count {
                let names: Vec<String> = {
                    let html = app.get(&w.client, page).await.text().await.unwrap();
                    let Some(form) = post_forms(&html).into_iter().nth(i) else {
                        continue;
                    };
                    let Some(route) = route_of(&form.action) else {
                        continue;
                    };
                    // The same route's form on another page (another row's id) is tried once
                    // per user and field: its handler is the same.
                    if NOT_WALKED.contains(&route.as_str()) || !tried.insert((route, form.fields.len())) {
                        continue;
                    }
                    form.fields
                        .iter()
                        .filter(|f| f.name != "_csrf" && f.kind != "file")
                        .map(|f| f.name.clone())
                        .collect()
                };
                let mut variants: Vec<Variant> = Vec::new();
                // Nothing but the token; every field twice.
                variants.push(Box::new(|form: &Form, _| {
                    form.fields
                        .iter()
                        .filter(|f| f.name == "_csrf")
                        .map(|f| (f.name.clone(), f.value.clone()))
                        .collect()
                }));
                variants.push(Box::new(|form: &Form, n| {
                    let once = filled(form, n);
                    let mut twice = once.clone();
                    twice.extend(
                        once.into_iter()
                            .filter(|(k, _)| k != "_csrf")
                            .map(|(k, _)| (k, "<script>alert(1)</script>".into())),
                    );
                    twice
                }));
                for name in &names {
                    for v in &values {
                        let (name, v) = (name.clone(), v.clone());
                        variants.push(Box::new(move |form: &Form, n| {
                            filled(form, n)
                                .into_iter()
                                .map(|(k, old)| if k == name { (k, v.clone()) } else { (k, old) })
                                .collect()
                        }));
                    }
                }
                // The form as the page shows it now: read again only after an accepted change
                // (a refusal changes nothing, so its versions and token still hold).
                let mut shown: Option<Form> = None;
                for make in &variants {
                    if shown.is_none() {
                        let html = app.get(&w.client, page).await.text().await.unwrap();
                        shown = post_forms(&html).into_iter().nth(i);
                    }
                    let Some(form) = shown.clone() else {
                        break;
                    };
                    w.n += 1;
                    let fields = make(&form, w.n);
                    let (status, body) = w.exercise(&form, &fields, &mut found).await;
                    if status < 400 {
                        shown = None;
                    }
                    sent += 1;
                    if RAW_MARKUP.iter().any(|m| body.contains(m)) {
                        unescaped.push(format!("{user} POST {} ({status})", form.action));
                    }
                }
            }
        }
        // Whatever was stored shows escaped on every page afterwards.
        for page in w.crawl(40).await {
            let body = app.get(&w.client, &page).await.text().await.unwrap();
            if RAW_MARKUP.iter().any(|m| body.contains(m)) {
                unescaped.push(format!("{user} GET {page} after the attack"));
            }
        }
    }
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let broken_keys: Vec<(String, i64)> = sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    assert!(sent > 2000, "{sent} hostile requests sent");
    assert!(found.problems.is_empty(), "{}", found.problems.join("\n"));
    assert!(unescaped.is_empty(), "markup came back unescaped: {unescaped:#?}");
    assert_eq!(check, "ok");
    assert!(broken_keys.is_empty(), "{broken_keys:?}");
    println!("{sent} hostile requests, none crashed or leaked markup");
}
