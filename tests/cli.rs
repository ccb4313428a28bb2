//! The `duizhang` command as an operator uses it (CONTRACT.md): serve, user add, seed-demo, backup.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use duizhang::auth::password;
use duizhang::db::{self, Db};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

/// The binary on `campus.db` in `dir`.
fn duizhang(dir: &Path) -> Command {
    common::duizhang(&dir.join("campus.db"))
}

async fn run(cmd: &mut Command, stdin: Option<&str>) -> (bool, String) {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test]
async fn serve_logs_its_address_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = duizhang(dir.path())
        .env("DUIZHANG_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return rest.trim().to_string();
            }
        }
        panic!("server exited before listening: {seen:?}");
    })
    .await
    .expect("server logs its address");
    assert!(
        seen.iter().any(|l| l.contains("duizhang user add")),
        "first start tells how to create the 组织部 account"
    );

    let body = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "ok");

    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops within 10 s")
        .unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_checks_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(
        duizhang(dir.path()).args([
            "user",
            "add",
            "zzb.admin",
            "--role",
            "overseer",
            "--name",
            "组织部 王珺",
            "--password-stdin",
        ]),
        Some("Zzb-2022-first\n"),
    )
    .await;
    assert!(ok, "{out}");
    let db = Db::open(&dir.path().join("campus.db")).await.unwrap();
    let user = db::users::find_by_username(&db.read, "zzb.admin")
        .await
        .unwrap()
        .expect("created");
    assert_eq!(user.role, duizhang::domain::Role::Overseer);
    assert_eq!(user.display_name, "组织部 王珺");
    assert!(
        password::verify(user.password_hash.clone(), "Zzb-2022-first".into())
            .await
            .unwrap()
    );

    // Each refusal says why.
    let refused: &[(&[&str], &str, &str)] = &[
        (
            &["zzb.admin", "--role", "overseer"],
            "Another-pass-1\n",
            "already taken",
        ),
        (
            &["sec", "--role", "secretary"],
            "Another-pass-1\n",
            "--unit is required",
        ),
        (
            &["sec", "--role", "secretary", "--unit", "99"],
            "Another-pass-1\n",
            "no branch with id 99",
        ),
        (
            &["rev", "--role", "reviewer", "--unit", "99"],
            "Another-pass-1\n",
            "no committee with id 99",
        ),
        (&["weak", "--role", "overseer"], "123\n", "password refused"),
        (&["张三", "--role", "overseer"], "Another-pass-1\n", "username refused"),
    ];
    for (args, stdin, why) in refused {
        let mut cmd = duizhang(dir.path());
        cmd.args(["user", "add"]).args(*args).arg("--password-stdin");
        let (ok, out) = run(&mut cmd, Some(stdin)).await;
        assert!(!ok && out.contains(why), "{args:?} must be refused with {why:?}: {out}");
    }
    db.close().await;
}

#[tokio::test]
async fn seed_demo_then_backup_gives_a_readable_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(
        duizhang(dir.path()).args(["seed-demo", "--password", "demo-pass-1"]),
        None,
    )
    .await;
    assert!(ok, "{out}");
    assert!(out.contains("secretary7"), "{out}");
    let (ok, out) = run(
        duizhang(dir.path()).args(["seed-demo", "--password", "demo-pass-1"]),
        None,
    )
    .await;
    assert!(
        !ok && out.contains("already holds"),
        "a second seed-demo refuses: {out}"
    );

    let target = dir.path().join("backup.db");
    let (ok, out) = run(duizhang(dir.path()).args(["backup", target.to_str().unwrap()]), None).await;
    assert!(ok, "{out}");
    let copy = Db::open(&target).await.unwrap();
    assert!(
        db::users::find_by_username(&copy.read, "secretary1")
            .await
            .unwrap()
            .is_some()
    );
    copy.close().await;
    let (ok, out) = run(duizhang(dir.path()).args(["backup", target.to_str().unwrap()]), None).await;
    assert!(!ok && out.contains("already exists"), "backup never overwrites: {out}");
}

#[tokio::test]
async fn a_config_file_is_read_and_the_environment_wins_over_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("custom.toml"), "database = \"from-file.db\"\n").unwrap();
    let mut cmd = duizhang(dir.path());
    cmd.env_remove("DUIZHANG_DATABASE")
        .args(["--config", "custom.toml", "seed-demo", "--password", "demo-pass-1"]);
    let (ok, out) = run(&mut cmd, None).await;
    assert!(ok, "{out}");
    assert!(dir.path().join("from-file.db").exists());

    let (ok, out) = run(
        duizhang(dir.path()).args(["--config", "missing.toml", "backup", "x.db"]),
        None,
    )
    .await;
    assert!(!ok && out.contains("missing.toml"), "{out}");
}
