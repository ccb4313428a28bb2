//! Test harness: the real router over real HTTP on a free loopback port, against a fresh
//! migrated SQLite file in a temporary folder.
#![allow(dead_code)] // each test binary uses its own part of the harness

pub mod forms;

/// A small real PNG (1×1), for evidence and progress uploads.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

use std::net::SocketAddr;
use std::path::PathBuf;

use duizhang::config::Config;
use duizhang::db::Db;
use duizhang::{AppState, demo};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = "demo-pass-1";

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub dir: tempfile::TempDir,
    config: Config,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A fresh database with the demo campus (accounts as in CONTRACT.md, password `PASSWORD`).
pub async fn spawn_demo() -> TestApp {
    let app = spawn_with(|_| {}).await;
    demo::seed(&app.db, PASSWORD)
        .await
        .expect("seed-demo on a fresh database");
    app
}

/// A fresh database holding only the schema and the ledger, as after a first start.
pub async fn spawn_empty() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        database: dir.path().join("test.db"),
        secure_cookies: false,
        listen: "127.0.0.1:0".parse().unwrap(),
        static_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static"),
        ..Config::default()
    };
    // The daily digest only where a test asks for it (tests/notify.rs).
    config.mail.digest = false;
    adjust(&mut config);
    let (addr, db, shutdown) = serve(config.clone()).await;
    TestApp {
        addr,
        db,
        dir,
        config,
        shutdown: Some(shutdown),
    }
}

/// Opens the database and serves it on a new port, as `duizhang serve` does.
async fn serve(config: Config) -> (SocketAddr, Db, tokio::sync::oneshot::Sender<()>) {
    let db = Db::open(&config.database).await.unwrap();
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(db.clone(), config).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        duizhang::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (addr, db, tx)
}

impl TestApp {
    /// The overview as this server shows it now, kept up to date by patches after writes
    /// (handlers::overview), and as a restarted server reads it afresh: the two must agree.
    /// Leaves the app restarted. `overseer` is a logged-in 组织部 client.
    pub async fn overview_patched_and_fresh(&mut self, overseer: &Client) -> Vec<(String, String)> {
        const VIEWS: [&str; 4] = [
            "/overview",
            "/overview?sort=overdue",
            "/overview?ineligible=1",
            "/overview?page=2",
        ];
        let mut patched = Vec::new();
        for v in VIEWS {
            patched.push(self.get(overseer, v).await.text().await.unwrap());
        }
        self.restart().await;
        let mut pairs = Vec::new();
        for (v, p) in VIEWS.iter().zip(patched) {
            pairs.push((p, self.get(overseer, v).await.text().await.unwrap()));
        }
        pairs
    }

    /// Stops the server and starts a new one on the same database (a new port; cookies still
    /// apply, since they do not depend on the port). Nothing kept in memory survives.
    pub async fn restart(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let (addr, db, shutdown) = serve(self.config.clone()).await;
        self.addr = addr;
        self.db = db;
        self.shutdown = Some(shutdown);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// The CSRF token of the forms on `page` (fetched with this client's session).
    pub async fn csrf(&self, client: &Client, page: &str) -> String {
        let html = self.get(client, page).await.text().await.unwrap();
        token_in(&html).unwrap_or_else(|| panic!("no _csrf field on {page}: {html}"))
    }

    /// POSTs a form with the session's token added, as the page's own form would.
    pub async fn post_form(&self, client: &Client, path: &str, token_page: &str, fields: &[(&str, &str)]) -> Response {
        self.form_request(client, path, token_page, fields)
            .await
            .send()
            .await
            .unwrap()
    }

    /// The POST `post_form` sends, to add to (a header) before sending.
    pub async fn form_request(
        &self, client: &Client, path: &str, token_page: &str, fields: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        let token = self.csrf(client, token_page).await;
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &token)];
        form.extend_from_slice(fields);
        client.post(self.url(path)).form(&form)
    }

    pub async fn try_login(&self, client: &Client, username: &str, password: &str) -> Response {
        self.post_form(
            client,
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// A client logged in as `username` with the demo password.
    pub async fn login(&self, username: &str) -> Client {
        let client = self.client();
        let res = self.try_login(&client, username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {username} failed");
        client
    }
}

pub fn token_in(html: &str) -> Option<String> {
    let start = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// The page's text without tags, for checking what a reader sees.
pub fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Every (method, pattern) in the URL map, read from src/routes.rs, so a test can insist that it
/// covers them all.
pub fn url_map() -> Vec<(&'static str, String)> {
    let routes = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes.rs")).unwrap();
    let mut out = Vec::new();
    let mut rest = routes.as_str();
    while let Some(start) = rest.find(".route(") {
        rest = &rest[start + ".route(".len()..];
        let open = rest.find('"').unwrap();
        let close = open + 1 + rest[open + 1..].find('"').unwrap();
        let pattern = rest[open + 1..close].to_string();
        // The handlers of this route: up to the next route or layer.
        let end = [".route(", ".route_layer(", ".merge(", ".layer("]
            .iter()
            .filter_map(|m| rest[close..].find(m))
            .min()
            .map_or(rest.len(), |e| close + e);
        let handlers = &rest[close..end];
        for method in ["get", "post"] {
            if handlers.contains(&format!("{method}(")) {
                out.push((if method == "get" { "GET" } else { "POST" }, pattern.clone()));
            }
        }
    }
    out
}

/// `/branches/{branch_id}` matches `/branches/4` (a query string is ignored).
pub fn matches_pattern(pattern: &str, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| (a.starts_with('{') && a.ends_with('}')) || a == b)
}

/// A PDF's document information as `pdfinfo` reports it (Title:, Producer:, Pages: …).
pub fn pdf_info(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!("pdfinfo is missing ({e}): install Debian's poppler-utils, e.g. with scripts/install-test-deps.sh")
        });
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of a PDF, in content order (`pdftotext -raw`).
pub fn pdf_text(pdf: &[u8]) -> String {
    let mut child = match std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            panic!("pdftotext is missing ({e}): install Debian's poppler-utils, e.g. with scripts/install-test-deps.sh")
        }
    };
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `s` percent-encoded for a URL path or query.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `duizhang` binary as an operator runs it, on the database file `db` (its folder is the
/// working directory), listening on a free port when served.
pub fn duizhang(db: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_duizhang"));
    cmd.current_dir(db.parent().unwrap())
        .env("DUIZHANG_DATABASE", db)
        .env("DUIZHANG_SECURE_COOKIES", "false")
        .env("DUIZHANG_LISTEN", "127.0.0.1:0")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// A date `offset` days from today on campus, as forms take it (`YYYY-MM-DD`). The demo campaign
/// lies around today (see `demo::campaign_around`), so tests date their input relative to it.
pub fn day(offset: i64) -> String {
    duizhang::domain::dates::format_date(duizhang::domain::dates::today() + time::Duration::days(offset))
}

/// The same as `2022年10月20日`-style words, as documents print dates.
pub fn day_words(offset: i64) -> String {
    duizhang::domain::dates::chinese_date(duizhang::domain::dates::today() + time::Duration::days(offset))
}

/// The demo campaign's settings (title, dates), as `seed-demo` made them today.
pub fn demo_campaign() -> duizhang::domain::campaign::CampaignInput {
    duizhang::demo::campaign_around(duizhang::domain::dates::today())
}

/// The scope of the demo's 组织部 account (campus-wide), for reading rows directly.
pub async fn campus(app: &TestApp) -> duizhang::auth::Scope {
    scope_of(app, "overseer").await
}

/// The scope of a demo account, as its login would have it.
pub async fn scope_of(app: &TestApp, username: &str) -> duizhang::auth::Scope {
    account(app, username).await.scope()
}

/// A demo account as its session would load it, to call actions without HTTP.
pub async fn account(app: &TestApp, username: &str) -> duizhang::auth::User {
    let row = duizhang::db::users::find_by_username(&app.db.read, username)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no account {username}"));
    duizhang::auth::User::load(&app.db, row.id).await.unwrap().unwrap()
}

/// A connection of the test's own to the app's database file, past every action: for the tests
/// that show what the schema itself refuses, and for setting up states no form makes.
pub async fn raw_connection(app: &TestApp) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(app.dir.path().join("test.db"))
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(5))
        .connect()
        .await
        .unwrap()
}

/// A demo measure found by the start of its text, not by id (ids follow from the order in which
/// seed-demo writes, and change when the demo does): (branch, finding, measure).
pub async fn demo_measure(app: &TestApp, text: &str) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT f.branch_id, f.id, m.id FROM measures m JOIN findings f ON f.id = m.finding_id
         WHERE m.text LIKE ?1 || '%' ORDER BY m.id LIMIT 1",
    )
    .bind(text)
    .fetch_optional(&app.db.read)
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("no demo measure starts with {text}"))
}

/// A demo finding found by the start of its text: (branch, finding).
pub async fn demo_finding(app: &TestApp, text: &str) -> (i64, i64) {
    sqlx::query_as("SELECT branch_id, id FROM findings WHERE text LIKE ?1 || '%' ORDER BY id LIMIT 1")
        .bind(text)
        .fetch_optional(&app.db.read)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no demo finding starts with {text}"))
}

/// The value of the first hidden or text input named `name` in `html` (a form's version, say).
pub fn hidden_value(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no input named {name}"))
        .to_string()
}

/// The branches not signed off as the committee's 附件3 page lists them for the signature's
/// confirmation (`unsigned_seen`), empty when there are none.
pub async fn unsigned_seen(app: &TestApp, client: &Client, committee: i64) -> String {
    let html = app
        .get(client, &format!("/committees/{committee}/report"))
        .await
        .text()
        .await
        .unwrap();
    if html.contains("name=\"unsigned_seen\"") {
        hidden_value(&html, "unsigned_seen")
    } else {
        String::new()
    }
}

/// The text of a downloaded workbook's cells (its shared strings), to look for what it says.
pub async fn xlsx_strings(app: &TestApp, client: &Client, path: &str) -> String {
    use std::io::Read;
    let bytes = app.get(client, path).await.bytes().await.unwrap().to_vec();
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a workbook is a zip");
    let mut strings = String::new();
    book.by_name("xl/sharedStrings.xml")
        .expect("a workbook with text has shared strings")
        .read_to_string(&mut strings)
        .unwrap();
    strings
}
