//! Messages that reach people who are not logged in, against real servers on loopback: an SMTP
//! server (Debian's python3-aiosmtpd, storing what it receives in a Maildir) and an HTTP
//! receiver standing in for the 企业微信/钉钉 robot endpoints. No transport is mocked: the app's
//! own sender speaks SMTP and HTTP to them.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reqwest::StatusCode;

/// The Python with aiosmtpd: Debian's (`scripts/install-test-deps.sh` installs python3-aiosmtpd).
fn python() -> &'static str {
    for p in ["/usr/bin/python3", "python3"] {
        let ok = std::process::Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return p;
        }
    }
    panic!(
        "no python3 with aiosmtpd: install python3-aiosmtpd (scripts/install-test-deps.sh) to run the notification tests"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A received e-mail, decoded.
#[derive(Debug, Clone, serde::Deserialize)]
struct Mail {
    to: String,
    subject: String,
    body: String,
    id: String,
}

/// aiosmtpd on a loopback port, keeping what it receives in a Maildir.
struct Smtp {
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
    child: Option<tokio::process::Child>,
}

impl Smtp {
    async fn start() -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Smtp {
            port: free_port(),
            maildir: dir.path().join("maildir"),
            _dir: dir,
            child: None,
        };
        s.start_again().await;
        s
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    async fn start_again(&mut self) {
        let child = tokio::process::Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{}", self.port)])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting aiosmtpd");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start on port {}", self.port);
    }

    async fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
            let _ = c.wait().await;
        }
    }

    /// Every message received so far.
    fn mails(&self) -> Vec<Mail> {
        if !self.maildir.exists() {
            return Vec::new();
        }
        let script = r#"
import sys, json, mailbox, email
from email import policy
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key in sorted(md.iterkeys()):
    m = email.message_from_bytes(md.get_bytes(key), policy=policy.default)
    print(json.dumps({"to": str(m["To"]), "subject": str(m["Subject"]),
                      "body": m.get_body(("plain",)).get_content(), "id": str(m["Message-ID"])}, ensure_ascii=False))
"#;
        let out = std::process::Command::new(python())
            .args(["-c", script])
            .arg(&self.maildir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The messages to `to`, once at least `n` of them arrived (within 20 s).
    async fn wait_for(&self, to: &str, n: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let got: Vec<Mail> = self.mails().into_iter().filter(|m| m.to == to).collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{to} did not receive {n} messages: {:?}", self.mails());
    }
}

/// An HTTP receiver on loopback that answers like a robot endpoint ({"errcode":0}) and keeps
/// each request's path and query, and body.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
}

impl Receiver {
    async fn start() -> (Receiver, SocketAddr) {
        let r = Receiver::default();
        let kept = r.clone();
        let app = axum::Router::new().fallback(axum::routing::post(
            move |uri: axum::http::Uri, axum::Json(body): axum::Json<serde_json::Value>| {
                let kept = kept.clone();
                async move {
                    kept.got.lock().unwrap().push((uri.to_string(), body));
                    axum::Json(serde_json::json!({ "errcode": 0, "errmsg": "ok" }))
                }
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, addr)
    }

    async fn wait_for(&self, n: usize) -> Vec<(String, serde_json::Value)> {
        for _ in 0..200 {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the robot receiver got {:?}", self.got.lock().unwrap());
    }
}

async fn spawn_mailing(smtp_url: String, quick: bool) -> TestApp {
    let app = spawn_with(|c| {
        c.mail.smtp_url = smtp_url;
        c.mail.from = "duizhang@dj.example.edu.cn".into();
        c.public_url = "https://dj.example.edu.cn".into();
        if quick {
            c.mail.retry_seconds = 1;
            c.mail.poll_seconds = 1;
        }
    })
    .await;
    duizhang::demo::seed(&app.db, PASSWORD).await.unwrap();
    app
}

async fn version_of(app: &TestApp, table: &str, id: i64) -> String {
    sqlx::query_scalar::<_, i64>(&format!("SELECT version FROM {table} WHERE id = ?"))
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap()
        .to_string()
}

/// The subjects in a user's in-app list.
async fn inbox(app: &TestApp, username: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT n.subject FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = ? ORDER BY n.id",
    )
    .bind(username)
    .fetch_all(&app.db.read)
    .await
    .unwrap()
}

/// Returns finding 1 of branch 1 (submitted) and sends the ledger back, as reviewer1.
async fn return_branch_1(app: &TestApp) {
    let r = app.login("reviewer1").await;
    let version = version_of(app, "findings", 1).await;
    let res = app
        .post_form(
            &r,
            "/branches/1/findings/1/review",
            "/branches/1",
            &[
                ("decision", "return"),
                ("comment", "请写明具体时间"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.post_form(&r, "/branches/1/return", "/branches/1", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_returned_row_reaches_the_secretary_by_mail_with_a_working_link_to_it() {
    let smtp = Smtp::start().await;
    let app = spawn_mailing(smtp.url(), false).await;
    return_branch_1(&app).await;
    let mails = smtp.wait_for("secretary1@example.org", 1).await;
    assert_eq!(mails.len(), 1, "one message for one event: {mails:?}");
    let m = &mails[0];
    assert_eq!(m.subject, "【退回修改】台账被退回，请按审核意见修改");
    assert!(
        m.body.contains("1 项需修改") && m.body.contains("重新提交审核"),
        "{}",
        m.body
    );
    let link = "https://dj.example.edu.cn/branches/1";
    assert!(
        m.body.lines().any(|l| l.trim() == format!("请打开：{link}")),
        "{}",
        m.body
    );
    assert!(m.id.contains("@duizhang>"), "the event key as Message-ID: {}", m.id);
    // The link's path opens that ledger for the secretary, with the return comment on it.
    let s = app.login("secretary1").await;
    let page = app.get(&s, "/branches/1").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("请写明具体时间"));
    // Nobody else was written to about it.
    assert!(
        smtp.mails().iter().all(|m| m.to == "secretary1@example.org"),
        "{:?}",
        smtp.mails()
    );
    // The in-app list has it too, unread in the navigation, and opening it marks it read.
    let html = app.get(&s, "/branches/1").await.text().await.unwrap();
    assert!(
        html.contains(r#"href="/notifications">消息 <span class="count" aria-label="1 项待处理">1</span>"#),
        "the unread badge"
    );
    let id: i64 = sqlx::query_scalar("SELECT max(id) FROM notifications")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let res = app.get(&s, &format!("/notifications/{id}")).await;
    assert_eq!(location(&res), "/branches/1");
    let other = app.login("secretary4").await;
    assert_eq!(
        app.get(&other, &format!("/notifications/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "another user's message is not found"
    );
    let html = app.get(&s, "/notifications").await.text().await.unwrap();
    assert!(visible_text(&html).contains("全部消息（未读 0）"));
}

#[tokio::test]
async fn every_event_reaches_its_audience_and_no_one_else() {
    let app = spawn_demo().await;
    let (robot, addr) = Receiver::start().await;
    let o = app.login("overseer").await;
    // Committee 1's group has a 企业微信 robot; committee 2's a 钉钉 one with 加签.
    let wecom = format!("http://{addr}/cgi-bin/webhook/send?key=k1");
    let res = app
        .post_form(
            &o,
            "/admin/committees/1/robot",
            "/admin",
            &[("robot_kind", "wecom"), ("robot_url", &wecom)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let ding = format!("http://{addr}/robot/send?access_token=t2");
    let secret = "SECdemo0123456789";
    app.post_form(
        &o,
        "/admin/committees/2/robot",
        "/admin",
        &[
            ("robot_kind", "dingtalk"),
            ("robot_url", &ding),
            ("robot_secret", secret),
        ],
    )
    .await;
    let admin = visible_text(&app.get(&o, "/admin").await.text().await.unwrap());
    assert!(
        admin.contains("已设置，末四位 6789") && !admin.contains(secret),
        "the secret is never shown whole"
    );

    // Returned → the secretary; handed in again → the committee's reviewers and its robot.
    return_branch_1(&app).await;
    assert_eq!(
        inbox(&app, "secretary1").await,
        ["【退回修改】台账被退回，请按审核意见修改"]
    );
    let s1 = app.login("secretary1").await;
    let res = app.post_form(&s1, "/branches/1/submit", "/branches/1", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        inbox(&app, "reviewer1").await,
        ["【待审核】计算机科学与技术系教工党支部提交了对账整改台账"]
    );
    let posts = robot.wait_for(1).await;
    let (path, body) = &posts[0];
    assert!(path.starts_with("/cgi-bin/webhook/send?key=k1"), "{path}");
    let text = body["text"]["content"].as_str().unwrap();
    assert_eq!(body["msgtype"], "text");
    assert!(
        text.contains("有 1 本台账提交审核") && text.contains("/branches/1/review"),
        "{text}"
    );
    assert!(!text.contains("计算机"), "a robot names no unit: {text}");

    // Signed off → the secretary.
    let r1 = app.login("reviewer1").await;
    let res = app
        .post_form(
            &r1,
            "/branches/1/approve-waiting",
            "/branches/1",
            &[("rows", &waiting_rows(&app, 1).await)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let four: Vec<(&str, &str)> = (0..4)
        .map(|i| (["four_0", "four_1", "four_2", "four_3"][i], "1"))
        .collect();
    let res = app.post_form(&r1, "/branches/1/sign-off", "/branches/1", &four).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(
        inbox(&app, "secretary1").await.last().unwrap(),
        "【已签字】台账已审核签字"
    );

    // A whole unit's 催办 → its secretary, naming how many measures.
    let res = app
        .post_form(&r1, "/branches/1/urge", "/committees/1/reminders", &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let last = inbox(&app, "secretary1").await.last().unwrap().clone();
    assert!(
        last.starts_with("【催办】") && last.contains("条整改措施已逾期"),
        "{last}"
    );
    let page = visible_text(&app.get(&r1, "/committees/1/reminders").await.text().await.unwrap());
    assert!(page.contains("已催办计算机科学与技术系教工党支部"), "{page}");

    // 销号 requested → the reviewers and the 钉钉 robot (signed); rejected → the secretary.
    let s4 = account(&app, "secretary4").await;
    let (_, _, measure) = demo_measure(&app, "修订特色支部创建方案").await;
    let request = duizhang::actions::close_out::Request {
        note: "已修订并经支委会通过".into(),
        version: version_of(&app, "measures", measure).await.parse().unwrap(),
        files: Vec::new(),
        broken: false,
    };
    let done = duizhang::actions::close_out::request(
        &app.db,
        &s4,
        duizhang::domain::BranchId(4),
        duizhang::domain::MeasureId(measure),
        request,
    )
    .await
    .unwrap();
    assert!(matches!(done, duizhang::actions::Outcome::Done(_)), "{done:?}");
    assert!(
        inbox(&app, "reviewer2")
            .await
            .iter()
            .any(|s| s.starts_with("【销号申请】汉语言文学系教工党支部：修订特色支部创建方案"))
    );
    let posts = robot.wait_for(2).await;
    let (path, body) = &posts[1];
    assert!(path.starts_with("/robot/send?access_token=t2&timestamp="), "{path}");
    let query: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(path.split_once('?').unwrap().1).unwrap();
    let timestamp: i64 = query["timestamp"].parse().unwrap();
    let (_, expected) = duizhang::notify::dingtalk_sign(
        secret,
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(timestamp) * 1_000_000).unwrap(),
    );
    assert_eq!(query["sign"], expected, "加签 as 钉钉 checks it");
    assert!(
        body["text"]["content"]
            .as_str()
            .unwrap()
            .contains("有 1 条整改措施申请销号")
    );
    assert!(
        !inbox(&app, "reviewer1").await.iter().any(|s| s.contains("销号申请")),
        "not another committee"
    );
    let r2 = app.login("reviewer2").await;
    let version = version_of(&app, "measures", measure).await;
    let decide = format!("/branches/4/measures/{measure}/close-out/decide");
    let res = app
        .post_form(
            &r2,
            &decide,
            "/branches/4",
            &[
                ("decision", "reject"),
                ("comment", "缺少支委会会议记录"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let last = inbox(&app, "secretary4").await.last().unwrap().clone();
    assert!(last.starts_with("【不予销号】"), "{last}");

    // 催办 → the secretary, once a day per measure.
    let urge = format!("/branches/4/measures/{measure}/urge");
    let res = app.post_form(&r2, &urge, "/committees/2/reminders", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        inbox(&app, "secretary4")
            .await
            .last()
            .unwrap()
            .starts_with("【催办】修订特色支部创建方案")
    );
    let again = app.post_form(&r2, &urge, "/committees/2/reminders", &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("今天已催办过"));
    let other = app.post_form(&r1, &urge, "/committees/1/reminders", &[]).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "another committee's measure");

    // The day's reminders: terms and 报送, then again the same day: nothing new.
    let config = duizhang::config::Config::default();
    let today = duizhang::domain::dates::today();
    let reached = duizhang::notify::daily(&app.db, &config, today).await.unwrap();
    assert!(reached > 0);
    assert_eq!(
        duizhang::notify::daily(&app.db, &config, today).await.unwrap(),
        0,
        "once a day"
    );
    let r1_inbox = inbox(&app, "reviewer1").await;
    assert!(
        r1_inbox
            .iter()
            .any(|s| s.starts_with("【报送提醒】") || s.starts_with("【报送逾期】")),
        "{r1_inbox:?}"
    );
    assert!(r1_inbox.iter().any(|s| s.starts_with("【每日提醒】")), "{r1_inbox:?}");
    let s1_inbox = inbox(&app, "secretary1").await;
    assert!(s1_inbox.iter().any(|s| s.starts_with("【每日提醒】")), "{s1_inbox:?}");

    // A secretary never receives another branch's rows.
    let s4_links: Vec<String> = sqlx::query_scalar(
        "SELECT n.link FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'secretary4'",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    assert!(
        !s4_links.is_empty() && s4_links.iter().all(|l| l.starts_with("/branches/4")),
        "{s4_links:?}"
    );

    // A new campaign made current → everyone.
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE active = 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let res = app
        .post_form(&o, "/admin/campaigns", "/admin/campaigns", &new_campaign_fields())
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let newest: i64 = sqlx::query_scalar("SELECT max(id) FROM campaigns")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let res = app
        .post_form(
            &o,
            &format!("/admin/campaigns/{newest}/current"),
            "/admin/campaigns",
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(after - before, accounts, "one message to each active account");
    assert!(
        inbox(&app, "secretary7")
            .await
            .iter()
            .any(|s| s.starts_with("【新专项行动】"))
    );
}

/// The rows waiting on a branch's ledger as the 全部通过 form sends them.
async fn waiting_rows(app: &TestApp, branch: i64) -> String {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT f.id, f.version FROM findings f JOIN campaigns c ON c.id = f.campaign_id AND c.is_current = 1
         WHERE f.branch_id = ? AND f.review_state = 'pending'",
    )
    .bind(branch)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    rows.iter()
        .map(|(i, v)| format!("{i}:{v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn new_campaign_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", "2027年党支部对账整改专项行动"),
        ("doc_number", "组织部〔2027〕1号"),
        ("issued_on", "2027-09-20"),
        ("self_check_due", "2027-10-15"),
        ("report_due", "2027-10-20"),
        ("rectify_due", "2027-10-31"),
        ("results_due", "2027-11-30"),
        ("carry_over", ""),
    ]
}

#[tokio::test]
async fn messages_queued_while_smtp_is_down_survive_a_restart_and_arrive_once() {
    let mut smtp = Smtp::start().await;
    smtp.stop().await;
    let mut app = spawn_mailing(smtp.url(), true).await;
    // Changes while the SMTP server is down: two 催办 to secretary1, a return.
    let r1 = app.login("reviewer1").await;
    for m in [1, 5] {
        let res = app
            .post_form(
                &r1,
                &format!("/branches/1/measures/{m}/urge"),
                "/committees/1/reminders",
                &[],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    return_branch_1(&app).await;
    // Tried, failed, kept for later with the reason; the pages answered meanwhile.
    let mut failed = 0;
    for _ in 0..100 {
        failed = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'secretary1@example.org' AND attempts > 0 AND last_error <> ''",
        )
        .fetch_one(&app.db.read)
        .await
        .unwrap();
        if failed == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed, 3, "each message tried and failing");
    let o = app.login("overseer").await;
    let outbox = visible_text(&app.get(&o, "/admin/outbox").await.text().await.unwrap());
    assert!(
        outbox.contains("邮件服务器未接收") && outbox.contains("待发送"),
        "{outbox}"
    );

    app.restart().await;
    smtp.start_again().await;
    let mails = smtp.wait_for("secretary1@example.org", 3).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails_later: Vec<Mail> = smtp
        .mails()
        .into_iter()
        .filter(|m| m.to == "secretary1@example.org")
        .collect();
    assert_eq!(mails_later.len(), 3, "every queued message once: {mails:?}");
    let mut ids: Vec<&str> = mails_later.iter().map(|m| m.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state <> 'sent'")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn an_account_with_mail_turned_off_gets_the_message_in_the_app_only() {
    let smtp = Smtp::start().await;
    let app = spawn_mailing(smtp.url(), false).await;
    let s1 = app.login("secretary1").await;
    // A bad address is refused by its field, what was typed kept.
    let version = version_of(&app, "users", account(&app, "secretary1").await.id().0).await;
    let res = app
        .post_form(
            &s1,
            "/account/mail",
            "/notifications",
            &[
                ("email", "not an address"),
                ("mail_choice", "all"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("邮箱地址格式不正确") && html.contains("not an address"));
    let res = app
        .post_form(
            &s1,
            "/account/mail",
            "/notifications",
            &[
                ("email", "secretary1@example.org"),
                ("mail_choice", "off"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    return_branch_1(&app).await;
    let r1 = app.login("reviewer1").await;
    app.post_form(&r1, "/branches/1/measures/1/urge", "/committees/1/reminders", &[])
        .await;
    assert_eq!(inbox(&app, "secretary1").await.len(), 2, "both in the app");
    // A message that does go out, to show the sender has run since.
    let r2 = account(&app, "reviewer2").await;
    let (_, _, measure) = demo_measure(&app, "修订特色支部创建方案").await;
    let urged = duizhang::actions::review::urge(
        &app.db,
        &r2,
        duizhang::domain::BranchId(4),
        duizhang::domain::MeasureId(measure),
    )
    .await
    .unwrap();
    assert!(matches!(urged, duizhang::actions::Outcome::Done(())), "{urged:?}");
    smtp.wait_for("secretary4@example.org", 1).await;
    assert!(
        smtp.mails().iter().all(|m| m.to != "secretary1@example.org"),
        "nothing mailed to an account that turned e-mail off"
    );
}

#[tokio::test]
async fn the_digest_command_mails_each_secretary_with_overdue_measures_one_digest_naming_them() {
    let smtp = Smtp::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("demo.db");
    let seeded = duizhang(&db_path)
        .args(["seed-demo", "--password", PASSWORD])
        .output()
        .await
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let run = || async {
        duizhang(&db_path)
            .arg("digest")
            .env("DUIZHANG_SMTP_URL", smtp.url())
            .env("DUIZHANG_MAIL_FROM", "duizhang@dj.example.edu.cn")
            .env("DUIZHANG_PUBLIC_URL", "https://dj.example.edu.cn")
            .output()
            .await
            .unwrap()
    };
    let out = run().await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Who should get one, recomputed from the rows: secretaries with measures overdue or due
    // within 7 days, not closed off.
    let db = duizhang::db::Db::open(&db_path).await.unwrap();
    let due: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.username, m.text FROM measures m JOIN findings f ON f.id = m.finding_id
         JOIN campaigns c ON c.id = f.campaign_id AND c.is_current = 1
         JOIN users u ON u.role = 'secretary' AND u.branch_id = f.branch_id
         WHERE m.status <> 'closed_out' AND m.deadline IS NOT NULL AND m.deadline <= date('now', '+8 hours', '+7 days')",
    )
    .fetch_all(&db.read)
    .await
    .unwrap();
    let overdue: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT u.username FROM measures m JOIN findings f ON f.id = m.finding_id
         JOIN campaigns c ON c.id = f.campaign_id AND c.is_current = 1
         JOIN users u ON u.role = 'secretary' AND u.branch_id = f.branch_id
         WHERE m.status <> 'closed_out' AND m.deadline < date('now', '+8 hours')",
    )
    .fetch_all(&db.read)
    .await
    .unwrap();
    assert!(!overdue.is_empty(), "the demo has overdue measures");
    for who in &overdue {
        let to = format!("{who}@example.org");
        let mails = smtp.wait_for(&to, 1).await;
        assert_eq!(mails.len(), 1, "{who}: one digest");
        let digest = &mails[0];
        assert!(
            digest.subject.starts_with("【每日提醒】") && digest.subject.contains("已逾期"),
            "{}",
            digest.subject
        );
        for (_, text) in due.iter().filter(|(u, _)| u == who) {
            let head: String = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(24)
                .collect();
            assert!(
                digest.body.contains(&head),
                "{who}'s digest names {head}: {}",
                digest.body
            );
        }
    }
    // Run again the same day: nothing new.
    let before = smtp.mails().len();
    let out = run().await;
    assert!(out.status.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.mails().len(), before, "the digest goes out once a day");
}
