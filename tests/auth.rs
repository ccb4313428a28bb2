//! Logging in and out, sessions, throttling and passwords, through the real server.

mod common;

use common::*;
use duizhang::auth::password;
use duizhang::db;
use duizhang::domain::{BranchId, Role};
use reqwest::StatusCode;

#[tokio::test]
async fn every_demo_account_lands_on_its_home() {
    let app = spawn_demo().await;
    let homes = [
        ("overseer", "/overview", "全校总览"),
        ("reviewer1", "/committees/1", "计算机工程学院党委"),
        ("reviewer2", "/committees/2", "文学与新闻传播学院党总支"),
        ("reviewer3", "/committees/3", "机关党委"),
        ("secretary1", "/branches/1", "计算机科学与技术系教工党支部"),
        ("secretary4", "/branches/4", "汉语言文学系教工党支部"),
        ("secretary7", "/branches/7", "组织部宣传部联合党支部"),
    ];
    for (user, home, heading) in homes {
        let client = app.login(user).await;
        let res = app.get(&client, "/").await;
        assert_eq!(location(&res), home, "{user}'s home");
        let page = app.get(&client, home).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.text().await.unwrap().contains(heading),
            "{user}'s home shows {heading}"
        );
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = spawn_demo().await;
    let a = app.try_login(&app.client(), "secretary1", "wrong-password").await;
    let b = app.try_login(&app.client(), "nobody-here", "wrong-password").await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert!(a.contains("用户名或密码错误"));
    assert!(b.contains("用户名或密码错误"));
    assert!(a.contains("value=\"secretary1\""), "the username typed is kept");
}

#[tokio::test]
async fn empty_fields_are_named_next_to_the_field() {
    let app = spawn_demo().await;
    let res = app
        .post_form(
            &app.client(),
            "/login",
            "/login",
            &[("username", "secretary1"), ("password", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.text().await.unwrap();
    assert!(body.contains("请输入密码"));
    assert!(!body.contains("请输入用户名"));
    assert!(body.contains("value=\"secretary1\""));
}

#[tokio::test]
async fn login_cycles_the_session_id_and_logout_ends_the_session() {
    let app = spawn_demo().await;
    let client = app.client();
    let before = app.get(&client, "/login").await;
    let pre_login_cookie = before
        .cookies()
        .next()
        .expect("login page starts a session")
        .value()
        .to_string();
    let res = app.try_login(&client, "secretary1", PASSWORD).await;
    let cookie = res.cookies().next().expect("login sets a cookie");
    assert_ne!(cookie.value(), pre_login_cookie, "session id must change on login");
    assert!(cookie.http_only());
    assert_eq!(app.get(&client, "/branches/1").await.status(), StatusCode::OK);

    // The pre-login id is worthless now.
    let fixed = app.client();
    let res = fixed
        .get(app.url("/branches/1"))
        .header("cookie", format!("duizhang_id={pre_login_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let logged_in_cookie = cookie.value().to_string();
    let res = app.post_form(&client, "/logout", "/branches/1", &[]).await;
    assert_eq!(location(&res), "/login");
    let res = app.get(&client, "/branches/1").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?next=%2Fbranches%2F1");
    // Logging out ends the session on the server: a copy of the cookie kept elsewhere (a
    // stolen one) is worthless too.
    let res = app
        .client()
        .get(app.url("/branches/1"))
        .header("cookie", format!("duizhang_id={logged_in_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the session is gone server-side");
}

#[tokio::test]
async fn cookies_are_secure_host_only_when_configured() {
    let app = spawn_with(|c| c.secure_cookies = true).await;
    let res = app.get(&app.client(), "/login").await;
    let set_cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(set_cookie.starts_with("__Host-id="), "{set_cookie}");
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(res.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn the_next_page_is_honoured_after_login_but_never_off_site() {
    let app = spawn_demo().await;
    let client = app.client();
    let res = app.get(&client, "/committees/1").await;
    assert_eq!(location(&res), "/login?next=%2Fcommittees%2F1");
    let res = app
        .post_form(
            &client,
            "/login",
            "/login?next=%2Fcommittees%2F1",
            &[
                ("username", "reviewer1"),
                ("password", PASSWORD),
                ("next", "/committees/1"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/committees/1");

    let res = app
        .post_form(
            &app.client(),
            "/login",
            "/login",
            &[
                ("username", "reviewer1"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/");
}

#[tokio::test]
async fn an_account_locks_after_repeated_failures_even_for_the_right_password() {
    let app = spawn_demo().await;
    for _ in 0..5 {
        app.try_login(&app.client(), "secretary2", "guess-guess").await;
    }
    let res = app.try_login(&app.client(), "secretary2", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("已临时锁定"));
    // Other accounts are untouched.
    let res = app.try_login(&app.client(), "secretary3", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unknown_usernames_lock_too_so_locking_reveals_nothing() {
    let app = spawn_demo().await;
    for _ in 0..5 {
        app.try_login(&app.client(), "no-such-user", "guess-guess").await;
    }
    let res = app.try_login(&app.client(), "no-such-user", "guess-guess").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_shared_address_is_slowed_for_failures_but_never_for_successes() {
    let app = spawn_demo().await;
    // 50 failures spread over many accounts from one address (a campus NAT) …
    for i in 0..50 {
        app.try_login(&app.client(), &format!("student{i}"), "wrong-password")
            .await;
    }
    let res = app.try_login(&app.client(), "student-x", "wrong-password").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("此网络地址近期登录失败较多"));
    // … yet the people behind it with their right passwords still log in.
    for user in ["secretary1", "secretary2", "reviewer1", "overseer"] {
        let res = app.try_login(&app.client(), user, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{user} must still log in");
    }
}

#[tokio::test]
async fn many_successful_logins_from_one_address_are_never_throttled() {
    let app = spawn_demo().await;
    for _ in 0..30 {
        let res = app.try_login(&app.client(), "secretary1", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
}

async fn add_user(app: &TestApp, username: &str, must_change: bool) -> duizhang::domain::UserId {
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    app.db
        .write(async |tx| {
            db::users::insert(
                tx,
                &db::users::NewUser {
                    username,
                    display_name: "刘新",
                    password_hash: &hash,
                    role: Role::Secretary,
                    committee_id: None,
                    branch_id: Some(BranchId(2)),
                    must_change_password: must_change,
                },
            )
            .await
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_must_change_password_user_can_do_nothing_else_until_changed() {
    let app = spawn_demo().await;
    add_user(&app, "newsec", true).await;
    let client = app.client();
    let res = app.try_login(&client, "newsec", PASSWORD).await;
    assert_eq!(location(&res), "/account/password");
    let res = app.get(&client, "/branches/2").await;
    assert_eq!(location(&res), "/account/password");
    let page = app.get(&client, "/account/password").await.text().await.unwrap();
    assert!(page.contains("临时密码"));

    let res = change_password(&app, &client, PASSWORD, "整改到位-2022", "整改到位-2022").await;
    assert_eq!(location(&res), "/branches/2");
    assert_eq!(app.get(&client, "/branches/2").await.status(), StatusCode::OK);
    // The new password works, the old one no longer does.
    assert_eq!(
        app.try_login(&app.client(), "newsec", "整改到位-2022").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.try_login(&app.client(), "newsec", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn change_password(
    app: &TestApp, client: &reqwest::Client, current: &str, new: &str, confirm: &str,
) -> reqwest::Response {
    let fields = [
        ("current_password", current),
        ("new_password", new),
        ("confirm_password", confirm),
    ];
    app.post_form(client, "/account/password", "/account/password", &fields)
        .await
}

#[tokio::test]
async fn password_change_mistakes_are_explained_next_to_each_field() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    let res = change_password(&app, &client, "not-it-at-all", "short", "different").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.text().await.unwrap();
    assert!(body.contains("新密码至少 8 个字符"));
    assert!(body.contains("两次输入的新密码不一致"));

    let res = change_password(&app, &client, "not-it-at-all", "long-enough-1", "long-enough-1").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("当前密码不正确"));
}

#[tokio::test]
async fn a_deactivated_user_is_out_at_the_next_request_and_cannot_log_in() {
    let app = spawn_demo().await;
    let id = add_user(&app, "leaving", false).await;
    let client = app.login("leaving").await;
    assert_eq!(app.get(&client, "/branches/2").await.status(), StatusCode::OK);
    app.db
        .write(async |tx| db::users::set_active(tx, id, false).await)
        .await
        .unwrap();
    assert_eq!(app.get(&client, "/branches/2").await.status(), StatusCode::SEE_OTHER);
    let res = app.try_login(&app.client(), "leaving", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let mut app = spawn_demo().await;
    let client = app.login("secretary1").await;
    // A restart alone keeps the user logged in: the session is read back from the database.
    app.restart().await;
    assert_eq!(app.get(&client, "/branches/1").await.status(), StatusCode::OK);
    // Push the stored session's expiry into the past, as 30 idle minutes would. The server
    // keeps the sessions it wrote in memory (checked the same way, see the unit tests of
    // auth::session_store); a restarted server knows only the stored ones.
    db_expire_all_sessions(&app).await;
    app.restart().await;
    let res = app.get(&client, "/branches/1").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

async fn db_expire_all_sessions(app: &TestApp) {
    app.db
        .write(async |tx| {
            sqlx::query("UPDATE tower_sessions SET expiry_date = '2000-01-01T00:00:00Z'")
                .execute(tx)
                .await
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_no_more_checks_than_the_limit() {
    let app = spawn_demo().await;
    let client = app.client();
    let token = app.csrf(&client, "/login").await;
    let attempts = (0..20).map(|i| {
        let (client, url, token) = (client.clone(), app.url("/login"), token.clone());
        tokio::spawn(async move {
            let guess = format!("guess-{i}-wrong");
            let form = [
                ("_csrf", token.as_str()),
                ("username", "secretary2"),
                ("password", guess.as_str()),
            ];
            client.post(url).form(&form).send().await.unwrap().status()
        })
    });
    let mut checked = 0;
    for a in attempts {
        if a.await.unwrap() == StatusCode::UNAUTHORIZED {
            checked += 1;
        }
    }
    assert!(checked <= 5, "{checked} guesses were checked; the lock must hold at 5");
    // And the right password is refused now too, until the lock ends.
    assert_eq!(
        app.try_login(&app.client(), "secretary2", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_lock_from_one_address_does_not_lock_the_owner_out_elsewhere() {
    let app = spawn_with(|c| c.trust_forwarded_for = true).await;
    duizhang::demo::seed(&app.db, PASSWORD).await.unwrap();
    let from = |addr: &'static str| {
        let app = &app;
        async move {
            let client = app.client();
            let token = app.csrf(&client, "/login").await;
            (client, token, addr)
        }
    };
    let (attacker, token, addr) = from("203.0.113.9").await;
    for _ in 0..6 {
        attacker
            .post(app.url("/login"))
            .header("x-forwarded-for", addr)
            .form(&[
                ("_csrf", token.as_str()),
                ("username", "secretary1"),
                ("password", "guess-guess"),
            ])
            .send()
            .await
            .unwrap();
    }
    let res = attacker
        .post(app.url("/login"))
        .header("x-forwarded-for", addr)
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "secretary1"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "locked for the guessing address"
    );
    let (owner, token, addr) = from("198.51.100.7").await;
    let res = owner
        .post(app.url("/login"))
        .header("x-forwarded-for", addr)
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "secretary1"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the owner elsewhere still logs in");
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let app = spawn_demo().await;
    let phone = app.login("secretary1").await;
    let desk = app.login("secretary1").await;
    let res = change_password(&app, &desk, PASSWORD, "新的密码-2022", "新的密码-2022").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&desk, "/branches/1").await.status(),
        StatusCode::OK,
        "the session that changed it stays"
    );
    assert_eq!(
        app.get(&phone, "/branches/1").await.status(),
        StatusCode::SEE_OTHER,
        "every other session ends"
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_a_login() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    for i in 0..5 {
        change_password(
            &app,
            &client,
            &format!("wrong-{i}-guess"),
            "another-pass-9",
            "another-pass-9",
        )
        .await;
    }
    let res = change_password(&app, &client, PASSWORD, "another-pass-9", "another-pass-9").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("错误次数过多"));
}

#[tokio::test]
async fn a_next_with_control_characters_logs_in_and_goes_home() {
    let app = spawn_demo().await;
    for next in ["/x\ny", "/\t/evil.example/", "/a\u{0}b"] {
        let res = app
            .post_form(
                &app.client(),
                "/login",
                "/login",
                &[("username", "reviewer1"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&res), "/", "{next:?}");
    }
}

#[tokio::test]
async fn an_absurd_username_is_answered_like_any_wrong_one() {
    let app = spawn_demo().await;
    let name = "A".repeat(500_000);
    let res = app.try_login(&app.client(), &name, "x").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
