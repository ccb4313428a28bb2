//! What users typed is never lost: 50 clients saving at once, the server killed mid-write, a
//! backup taken while people work.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reqwest::{Client, StatusCode};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

const CLIENTS: usize = 50;

/// A finding's text, as the database holds it.
async fn finding_text(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT text FROM findings WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap()
}

async fn post(client: &Client, url: String, token: &str, fields: &[(&str, &str)]) -> StatusCode {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token)];
    form.extend_from_slice(fields);
    client.post(url).form(&form).send().await.unwrap().status()
}

/// Every session sends one form at the same moment: client `i` posts `request(i)`'s fields to
/// its path. Returns each answer with the text the client sent.
async fn at_once(
    app: &TestApp, sessions: &[(Client, String)], request: impl Fn(usize) -> (String, Vec<(&'static str, String)>),
) -> Vec<(StatusCode, String)> {
    let tasks: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(i, (c, token))| {
            let (path, fields) = request(i);
            let (c, token, url) = (c.clone(), token.clone(), app.url(&path));
            tokio::spawn(async move {
                let text = fields
                    .iter()
                    .find(|(k, _)| *k == "text")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                (post(&c, url, &token, &fields).await, text)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

#[tokio::test]
async fn fifty_clients_saving_at_once_lose_nothing_and_overwrite_nothing() {
    let app = spawn_demo().await;
    // Fifty sessions of branch 6's secretary (a phone, a laptop, colleagues sharing the account).
    let mut sessions = Vec::new();
    for _ in 0..CLIENTS {
        let c = app.login("secretary6").await;
        let token = app.csrf(&c, "/branches/6").await;
        sessions.push((c, token));
    }
    let first = sessions[0].clone();
    for i in 0..CLIENTS {
        let text = format!("并发测试问题{i}");
        let status = post(
            &first.0,
            app.url("/branches/6/findings"),
            &first.1,
            &[("category_id", "2"), ("text", &text)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM findings WHERE text LIKE '并发测试问题%' ORDER BY id")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    assert_eq!(ids.len(), CLIENTS);

    // Different rows at once: every save is acknowledged and stored.
    let answers = at_once(&app, &sessions, |i| {
        let fields = vec![("text", format!("客户端{i}改写的内容")), ("version", "1".into())];
        (format!("/branches/6/findings/{}", ids[i]), fields)
    })
    .await;
    for ((status, text), id) in answers.into_iter().zip(&ids) {
        assert_eq!(status, StatusCode::SEE_OTHER, "a save of its own row is never refused");
        assert_eq!(finding_text(&app, *id).await, text, "acknowledged, so stored");
    }

    // The same row at once, all from version 2: exactly one wins, the others are told.
    let target = ids[0];
    let answers = at_once(&app, &sessions, |i| {
        let fields = vec![("text", format!("第{i}人同时保存的内容")), ("version", "2".into())];
        (format!("/branches/6/findings/{target}"), fields)
    })
    .await;
    let mut winners = Vec::new();
    for (status, text) in answers {
        match status {
            StatusCode::SEE_OTHER => winners.push(text),
            StatusCode::CONFLICT => {}
            other => panic!("a concurrent save got {other} (a user must never see “database is locked”)"),
        }
    }
    assert_eq!(winners.len(), 1, "one save wins, the others are refused: {winners:?}");
    assert_eq!(finding_text(&app, target).await, winners[0]);

    // New rows at once on one finding: every acknowledged measure is there, numbered apart.
    let answers = at_once(&app, &sessions, |i| {
        let fields = vec![
            ("text", format!("并发添加的措施{i}")),
            ("deadline", day(30)),
            ("owner", "王喆".into()),
            ("status", "in_progress".into()),
        ];
        (format!("/branches/6/findings/{target}/measures"), fields)
    })
    .await;
    for (status, text) in answers {
        assert_eq!(status, StatusCode::SEE_OTHER);
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM measures WHERE text = ?")
            .bind(&text)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
        assert_eq!(stored, 1, "{text}");
    }
    let positions: Vec<i64> =
        sqlx::query_scalar("SELECT position FROM measures WHERE finding_id = ? ORDER BY position")
            .bind(target)
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    let mut distinct = positions.clone();
    distinct.dedup();
    assert_eq!(distinct, positions, "no two measures share a number");
}

// ---------------------------------------------------------------------------------------------
// The real binary, killed and restarted.

/// Starts `duizhang serve` on `db`; returns the process and its address.
async fn serve(db: &Path) -> (Child, String) {
    let mut child = duizhang(db).arg("serve").stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return rest.trim().to_string();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server starts");
    // Keep reading its output so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

async fn seeded_database(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("campus.db");
    let status = duizhang(&db)
        .args(["seed-demo", "--password", PASSWORD])
        .stdout(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success());
    db
}

/// A logged-in client of the server at `addr`, and its form token.
async fn secretary(addr: &str) -> (Client, String) {
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
    let token = token_in(&page).unwrap();
    let res = client
        .post(format!("http://{addr}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "secretary6"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(format!("http://{addr}/branches/6"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (client, token_in(&page).unwrap())
}

/// Four writers adding findings as fast as answers come; every acknowledged text is recorded.
fn start_writers(
    addr: &str, client: &Client, token: &str, round: usize, acked: &Arc<Mutex<Vec<String>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..4)
        .map(|w| {
            let (client, token, acked, url) = (
                client.clone(),
                token.to_string(),
                acked.clone(),
                format!("http://{addr}/branches/6/findings"),
            );
            tokio::spawn(async move {
                for i in 0.. {
                    let text = format!("第{round}轮写入者{w}的第{i}条");
                    let res = client
                        .post(&url)
                        .form(&[("_csrf", token.as_str()), ("category_id", "3"), ("text", text.as_str())])
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == StatusCode::SEE_OTHER => acked.lock().unwrap().push(text),
                        Ok(r) => panic!("a write got {}", r.status()),
                        Err(_) => return, // the server is gone
                    }
                }
            })
        })
        .collect()
}

async fn integrity(db: &Path) -> String {
    let db = duizhang::db::Db::open(db).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&db.read)
        .await
        .unwrap();
    db.close().await;
    check
}

#[tokio::test]
async fn a_server_killed_mid_write_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_database(dir.path()).await;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    for round in 0..3 {
        let (mut server, addr) = serve(&db).await;
        let (client, token) = secretary(&addr).await;
        let before = acked.lock().unwrap().len();
        let writers = start_writers(&addr, &client, &token, round, &acked);
        tokio::time::sleep(Duration::from_millis(700)).await;
        server.start_kill().unwrap(); // SIGKILL: no shutdown, no checkpoint
        server.wait().await.unwrap();
        for w in writers {
            w.await.unwrap();
        }
        assert!(
            acked.lock().unwrap().len() > before + 10,
            "round {round}: writes were acknowledged"
        );
    }
    // Restarted: every acknowledged write is there, the file is sound.
    let (_server, addr) = serve(&db).await;
    let (client, _) = secretary(&addr).await;
    let page = client
        .get(format!("http://{addr}/branches/6"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let store = duizhang::db::Db::open(&db).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT text FROM findings")
        .fetch_all(&store.read)
        .await
        .unwrap();
    store.close().await;
    let acked = acked.lock().unwrap().clone();
    let lost: Vec<&String> = acked.iter().filter(|t| !stored.contains(t)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes lost: {lost:?}",
        lost.len(),
        acked.len()
    );
    assert!(page.contains(acked.last().unwrap()), "the restarted server shows them");
    assert_eq!(integrity(&db).await, "ok");
    println!("3 kills survived, {} acknowledged writes all present", acked.len());
}

#[tokio::test]
async fn a_backup_taken_while_people_work_is_consistent_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_database(dir.path()).await;
    let (server, addr) = serve(&db).await;
    let (client, token) = secretary(&addr).await;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers = start_writers(&addr, &client, &token, 0, &acked);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let copy = dir.path().join("backup.db");
    let status = duizhang(&db)
        .args(["backup", copy.to_str().unwrap()])
        .stdout(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success(), "backup during writes");
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(server); // kill_on_drop
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(integrity(&copy).await, "ok");
    // The copy serves: a restore is starting the server on it.
    let (_restored, addr) = serve(&copy).await;
    let (client, _) = secretary(&addr).await;
    let res = client.get(format!("http://{addr}/branches/6")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The copy is one moment of the database: the writes it holds are the first n acknowledged
    // ones of each writer, with no gaps.
    let store = duizhang::db::Db::open(&copy).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT text FROM findings WHERE text LIKE '第0轮%'")
        .fetch_all(&store.read)
        .await
        .unwrap();
    store.close().await;
    assert!(!stored.is_empty(), "writes before the backup are in it");
    for w in 0..4 {
        let mine = stored
            .iter()
            .filter(|t| t.starts_with(&format!("第0轮写入者{w}的")))
            .count();
        for i in 0..mine {
            assert!(
                stored.contains(&format!("第0轮写入者{w}的第{i}条")),
                "writer {w}: a gap before {mine}"
            );
        }
    }
}
