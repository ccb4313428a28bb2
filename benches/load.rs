//! The campus-scale load benchmark, with a bare-stack baseline in the same run.
//!
//!     cargo bench --bench load                 # a 1,000-branch campus
//!     cargo bench --bench load -- 10 100 1000  # several campus sizes (branches), smallest first
//!
//! Needs `wrk` (Debian: `apt-get install wrk`). For each campus size it generates the database
//! with `duizhang generate` (100 committees of 10 branches for 1,000), measures start-up on the
//! existing file, logs in many users (a session each), and drives the release server with wrk,
//! 64 connections, for each scenario: a secretary's ledger page, a committee page, the
//! overview, a row save (POST) and an export; then a minimal axum + askama + SQLite "fortunes"
//! page of the same stack, served by this process, as the baseline. It prints req/s, p50, p99,
//! the ratio to the baseline, the server's peak RSS, and /overview's time one request at a time
//! (unchanged data, and first view after a save). A last scenario runs the ledger page and the
//! row save at once, 32 connections each: reads while writes retire the memos (db::memo).
//! Figures are recorded in BENCHMARKS.md. Not a test: nothing here fails on time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use reqwest::Client;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

const PASSWORD: &str = "bench-pass-1";
const CONNECTIONS: usize = 64;
const SECONDS: u32 = 8;

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("load benchmark NOT RUN: wrk is not installed (Debian: apt-get install wrk)");
        return;
    }
    let sizes: Vec<i64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1000] } else { sizes };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let baseline_addr = start_baseline().await;
        for branches in sizes {
            campus(branches, &baseline_addr).await;
        }
    });
}

struct Result {
    name: String,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// Runs wrk with a Lua script against `url`; parses req/s, p50, p99 and non-2xx/3xx answers.
fn wrk(name: &str, url: &str, script: &str, connections: usize) -> Result {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.lua");
    std::fs::write(&path, script).unwrap();
    let out = Command::new("wrk")
        .args([
            "-t",
            "2",
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{SECONDS}s"),
            "--latency",
            "-s",
        ])
        .arg(&path)
        .arg(url)
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let value = |prefix: &str| -> Option<String> {
        text.lines().find(|l| l.trim_start().starts_with(prefix)).map(|l| {
            l.trim_start()[prefix.len()..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        })
    };
    let ms = |v: Option<String>| -> f64 {
        let v = v.unwrap_or_default();
        if let Some(x) = v.strip_suffix("ms") {
            x.parse().unwrap_or(f64::NAN)
        } else if let Some(x) = v.strip_suffix("us") {
            x.parse::<f64>().unwrap_or(f64::NAN) / 1000.0
        } else if let Some(x) = v.strip_suffix('s') {
            x.parse::<f64>().unwrap_or(f64::NAN) * 1000.0
        } else {
            f64::NAN
        }
    };
    let errors = value("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        + text
            .lines()
            .find(|l| l.contains("Socket errors"))
            .map(|l| {
                l.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0);
    Result {
        name: name.to_string(),
        rps: value("Requests/sec:").and_then(|v| v.parse().ok()).unwrap_or(0.0),
        p50_ms: ms(value("50%")),
        p99_ms: ms(value("99%")),
        errors,
    }
}

/// A Lua script that sends each request with the next session's cookie and path.
fn script(sessions: &[(String, String, String)], method: &str, body: Option<&str>, origin: &str) -> String {
    let mut s = String::from("local sessions = {\n");
    for (cookie, path, token) in sessions {
        writeln!(s, "  {{ cookie = {cookie:?}, path = {path:?}, token = {token:?} }},").unwrap();
    }
    s.push_str("}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  local x = sessions[(n % #sessions) + 1]\n");
    match body {
        None => writeln!(s, "  return wrk.format({method:?}, x.path, {{ [\"Cookie\"] = x.cookie }})").unwrap(),
        Some(b) => writeln!(
            s,
            "  local body = \"_csrf=\" .. x.token .. \"&{b}\" .. n\n  return wrk.format({method:?}, x.path, {{ [\"Cookie\"] = x.cookie, [\"Origin\"] = {origin:?}, [\"Content-Type\"] = \"application/x-www-form-urlencoded\" }}, body)"
        )
        .unwrap(),
    }
    s.push_str("end\n");
    s
}

fn duizhang(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_duizhang"));
    cmd.current_dir(db.parent().unwrap())
        .env("DUIZHANG_DATABASE", db)
        .env("DUIZHANG_SECURE_COOKIES", "false")
        .env("DUIZHANG_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "warn,duizhang=info");
    cmd
}

/// Starts the server; returns it, its address and how long it took to listen.
fn start(db: &Path, listen: &str) -> (std::process::Child, String, Duration) {
    use std::io::{BufRead, BufReader};
    let started = Instant::now();
    let mut child = duizhang(db)
        .env("DUIZHANG_LISTEN", listen)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_string();
        }
    };
    let took = started.elapsed();
    std::thread::spawn(move || for _ in lines {});
    (child, addr, took)
}

/// Stops the server; returns its peak RSS.
fn stop(mut server: std::process::Child) -> f64 {
    let rss = peak_rss_mb(server.id());
    server.kill().unwrap();
    server.wait().unwrap();
    rss
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A logged-in session: its cookie header, and its form token.
async fn login(addr: &str, user: &str, token_page: &str) -> (String, String) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = token_in(&page);
    let res = client
        .post(format!("http://{addr}/login"))
        .form(&[("_csrf", token.as_str()), ("username", user), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("duizhang_id="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("{user} could not log in"));
    let page = client
        .get(format!("http://{addr}{token_page}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (cookie, token_in(&page))
}

fn token_in(html: &str) -> String {
    let start = html.find("name=\"_csrf\" value=\"").expect("a form token") + "name=\"_csrf\" value=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

async fn campus(branches: i64, baseline: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("campus.db");
    let committees = (branches / 10).max(1);
    let per = branches / committees;
    let out = duizhang(&db)
        .args([
            "generate",
            "--committees",
            &committees.to_string(),
            "--branches-per-committee",
            &per.to_string(),
        ])
        .args(["--password", PASSWORD])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    // The last line is the summary; anything before it is the log.
    let summary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    println!("\n== campus of {} branches: {summary}", committees * per);

    // Start-up on the existing file (migrations checked, nothing to apply), best of 3.
    let startup = (0..3)
        .map(|_| {
            let (s, _, took) = start(&db, "127.0.0.1:0");
            stop(s);
            took
        })
        .min()
        .unwrap();
    let (server, addr, _) = start(&db, "127.0.0.1:0");
    let origin = format!("http://{addr}");
    let url = format!("http://{addr}");

    // Sessions: 64 secretaries of branches across the campus whose ledgers are still open for
    // changes (so their saves are accepted), a reviewer per committee (up to 16), and 4
    // overseer sessions.
    let open: Vec<i64> = {
        let pool = SqlitePoolOptions::new()
            .connect_with(SqliteConnectOptions::new().filename(&db).read_only(true))
            .await
            .unwrap();
        let ids = sqlx::query_scalar(
            // Branches only: the committees' own 本级 units (migration 000010) have no secretary.
            "SELECT id FROM branches WHERE level = 'branch'
               AND id NOT IN (SELECT branch_id FROM branch_ledgers WHERE state IN ('submitted', 'signed_off'))
             ORDER BY (id * 7919) % 1000003",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        ids
    };
    let mut secretaries = Vec::new();
    for b in open.iter().copied().take(CONNECTIONS) {
        let (cookie, token) = login(&addr, &format!("secretary{b}"), &format!("/branches/{b}")).await;
        secretaries.push((cookie, format!("/branches/{b}"), token));
    }
    let mut reviewers = Vec::new();
    for c in 1..=committees.min(16) {
        let (cookie, token) = login(&addr, &format!("reviewer{c}"), &format!("/committees/{c}")).await;
        reviewers.push((cookie, format!("/committees/{c}"), token));
    }
    let mut overseers = Vec::new();
    for _ in 0..4 {
        let (cookie, token) = login(&addr, "overseer", "/account/password").await;
        overseers.push((cookie, "/overview".to_string(), token));
    }

    // /overview one request at a time: what the 组织部 waits for.
    let client = Client::new();
    let view_overview = async || {
        let t = Instant::now();
        let res = client
            .get(format!("{url}/overview"))
            .header("cookie", &overseers[0].0)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        res.bytes().await.unwrap();
        t.elapsed().as_secs_f64() * 1000.0
    };
    let mut times = Vec::new();
    for _ in 0..21 {
        times.push(view_overview().await);
    }
    // The first view reads the whole campus; later ones find it read.
    let overview_first = times[0];
    times.sort_by(f64::total_cmp);
    let overview_alone = times[times.len() / 2];
    // … and the first view after a save, when its sums are computed afresh.
    let mut fresh = Vec::new();
    for i in 0..11 {
        let (cookie, path, token) = &secretaries[i % secretaries.len()];
        let saved = client
            .post(format!("{url}{path}/findings"))
            .header("cookie", cookie)
            .header("origin", &origin)
            .form(&[("_csrf", token.as_str()), ("category_id", "6"), ("text", "load")])
            .send()
            .await
            .unwrap();
        // Accepted: a redirect to the ledger page (which this client follows).
        assert!(saved.status().is_success(), "the save is accepted: {}", saved.status());
        saved.bytes().await.unwrap();
        fresh.push(view_overview().await);
    }
    fresh.sort_by(f64::total_cmp);
    let overview_fresh = fresh[fresh.len() / 2];

    let exports: Vec<_> = secretaries
        .iter()
        .map(|(c, p, t)| (c.clone(), format!("{p}/checklist.xlsx"), t.clone()))
        .collect();
    let saves: Vec<_> = secretaries
        .iter()
        .map(|(c, p, t)| (c.clone(), format!("{p}/findings"), t.clone()))
        .collect();
    let ledger_views = script(&secretaries, "GET", None, &origin);
    let row_saves = script(&saves, "POST", Some("category_id=6&text=load"), &origin);
    let scenarios = [
        ("secretary's ledger page", ledger_views.clone()),
        ("committee page", script(&reviewers, "GET", None, &origin)),
        ("/overview", script(&overseers, "GET", None, &origin)),
        ("export 附件2 XLSX", script(&exports, "GET", None, &origin)),
        ("row save (POST a finding)", row_saves.clone()),
    ];
    // The row save adds some ten thousand findings to the 64 branches; the mixed scenario starts
    // again from the campus as it is now (sessions included), not from those swollen ledgers.
    let fresh = db.with_file_name("fresh.db");
    let backup = duizhang(&db).arg("backup").arg(&fresh).output().unwrap();
    assert!(
        backup.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&backup.stderr)
    );
    // wrk blocks; the baseline is served by this process's runtime, so wrk runs beside it.
    let run_with = |name: &'static str, url: String, script: String, connections: usize| {
        tokio::task::spawn_blocking(move || wrk(name, &url, &script, connections))
    };
    let run = |name: &'static str, url: String, script: String| run_with(name, url, script, CONNECTIONS);
    let fortunes = |name: &'static str| run(name, format!("http://{baseline}/fortunes"), String::new());
    let base = fortunes("baseline fortunes").await.unwrap();
    let mut results = Vec::new();
    for (name, s) in scenarios {
        results.push(run(name, url.clone(), s).await.unwrap());
    }
    let mut rss = stop(server);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&fresh, &db).unwrap();
    let (server, _, _) = start(&db, &addr);
    // Deadline time: half the users read their ledger while the other half save. Every save
    // retires the memos (db::memo), so this measures the pages without them.
    let half = CONNECTIONS / 2;
    let reading = run_with("mixed: ledger page (32)", url.clone(), ledger_views, half);
    let saving = run_with("mixed: row save (32)", url.clone(), row_saves, half);
    let (reading, saving) = (reading.await.unwrap(), saving.await.unwrap());
    results.extend([reading, saving]);
    let base_after = fortunes("baseline fortunes (again)").await.unwrap();
    rss = rss.max(stop(server));

    let baseline_rps = (base.rps + base_after.rps) / 2.0;
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>8} {:>7}",
        "", "req/s", "p50 ms", "p99 ms", "×base", "errors"
    );
    for r in std::iter::once(&base)
        .chain(&results)
        .chain(std::iter::once(&base_after))
    {
        println!(
            "{:<28} {:>9.0} {:>9.2} {:>9.2} {:>7.0}% {:>7}",
            r.name,
            r.rps,
            r.p50_ms,
            r.p99_ms,
            100.0 * r.rps / baseline_rps,
            r.errors
        );
    }
    println!(
        "start-up on the existing database: {:.0} ms",
        startup.as_secs_f64() * 1000.0
    );
    println!("/overview first view after start (reads the whole campus): {overview_first:.1} ms");
    println!("/overview one at a time (median of 21): {overview_alone:.1} ms");
    println!("/overview first view after a save (median of 11): {overview_fresh:.1} ms");
    println!("server peak RSS: {rss:.0} MB");
    let _keep: PathBuf = db;
}

// ---------------------------------------------------------------------------------------------
// The baseline: the same stack (axum, askama, sqlx on SQLite, a read pool of 8), one page that
// selects 12 rows, adds one, sorts them and renders them escaped — the "fortunes" shape.

#[derive(Template)]
#[template(
    source = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>{% for f in fortunes %}<tr><td>{{ f.0 }}</td><td>{{ f.1 }}</td></tr>{% endfor %}</table></body></html>",
    ext = "html"
)]
struct Fortunes {
    fortunes: Vec<(i64, String)>,
}

async fn fortunes(State(pool): State<SqlitePool>) -> Html<String> {
    let mut rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, message FROM fortune")
        .fetch_all(&pool)
        .await
        .unwrap();
    rows.push((0, "Additional fortune added at request time.".into()));
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Html(Fortunes { fortunes: rows }.render().unwrap())
}

async fn start_baseline() -> String {
    let dir = tempfile::tempdir().unwrap().keep();
    let options = SqliteConnectOptions::new()
        .filename(dir.join("fortunes.db"))
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    for (i, m) in [
        "fortune: No such file or directory",
        "A computer scientist is someone who fixes things that aren't broken.",
        "After enough decimal places, nobody gives a damn.",
        "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
        "A computer program does what you tell it to do, not what you want it to do.",
        "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
        "Any program that runs right is obsolete.",
        "A list is only as strong as its weakest link. — Donald Knuth",
        "Feature: A bug with seniority.",
        "Computers make very fast, very accurate mistakes.",
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
        "フレームワークのベンチマーク",
    ]
    .iter()
    .enumerate()
    {
        sqlx::query("INSERT INTO fortune (id, message) VALUES (?, ?)")
            .bind(i as i64 + 1)
            .bind(m)
            .execute(&pool)
            .await
            .unwrap();
    }
    let app = Router::new().route("/fortunes", get(fortunes)).with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}
