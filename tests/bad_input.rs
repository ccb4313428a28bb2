//! Bad input and attacks get a clear answer — a Chinese message with 400/403/404/413 — never a
//! 500 and never a crash.

mod common;

use common::*;
use reqwest::Client;
use reqwest::StatusCode;

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_token() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    let token = app.csrf(&client, "/account/password").await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("origin", "null"),
    ] {
        let res = client
            .post(app.url("/logout"))
            .header(header, value)
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header}: {value}");
        assert!(res.text().await.unwrap().contains("请求已失效"));
    }
    // Still logged in: the forged logout did nothing.
    assert_eq!(app.get(&client, "/branches/1").await.status(), StatusCode::OK);
    // The same request from the site itself works.
    let origin = format!("http://{}", app.addr);
    let res = client
        .post(app.url("/logout"))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// With the public address configured, a form is accepted only from it: an Origin that merely
/// matches the Host header (which a proxy or an attacker's DNS can make anything) is refused.
#[tokio::test]
async fn with_a_public_address_a_form_is_accepted_only_from_that_origin() {
    let app = spawn_with(|c| c.public_url = "https://dj.example.edu.cn".into()).await;
    duizhang::demo::seed(&app.db, PASSWORD).await.unwrap();
    let client = app.login("secretary1").await;
    let token = app.csrf(&client, "/account/password").await;
    let post = |origin: String| {
        client
            .post(app.url("/logout"))
            .header("origin", origin)
            .header("sec-fetch-site", "same-origin")
            .form(&[("_csrf", token.as_str())])
            .send()
    };
    let res = post(format!("http://{}", app.addr)).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the Host's own origin is not the public one"
    );
    let res = post("http://dj.example.edu.cn".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "another scheme");
    assert_eq!(
        app.get(&client, "/branches/1").await.status(),
        StatusCode::OK,
        "still logged in"
    );
    let res = post("https://dj.example.edu.cn".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the public address itself");
}

#[tokio::test]
async fn a_missing_or_stale_token_is_refused() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    let res = client
        .post(app.url("/logout"))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = client
        .post(app.url("/logout"))
        .form(&[("_csrf", "0000")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Another session's token is no good either.
    let other = app.login("secretary4").await;
    let foreign = app.csrf(&other, "/account/password").await;
    let res = client
        .post(app.url("/logout"))
        .form(&[("_csrf", foreign.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_with_413() {
    let app = spawn_demo().await;
    let client = app.client();
    let token = app.csrf(&client, "/login").await;
    let big = format!(
        "_csrf={token}&username=secretary1&password={}",
        "x".repeat(10 * 1024 * 1024)
    );
    let res = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("提交内容过大"));
    // And without a Content-Length (chunked), sent raw so nothing on the way buffers it.
    let status = chunked_post(&app, &token, 11 * 1024 * 1024).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // The server is fine afterwards.
    assert_eq!(app.get(&client, "/healthz").await.status(), StatusCode::OK);
}

/// POSTs `size` bytes with `Transfer-Encoding: chunked` over a raw connection; returns the
/// status line.
async fn chunked_post(app: &TestApp, token: &str, size: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let first = format!("_csrf={token}&password=");
    stream
        .write_all(format!("{:x}\r\n{first}\r\n", first.len()).as_bytes())
        .await
        .unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    while sent < size {
        // The server may answer and close early; stop writing then.
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || stream.write_all(&chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_non_utf8_form_body_is_answered_not_crashed() {
    let app = spawn_demo().await;
    let client = app.client();
    let token = app.csrf(&client, "/login").await;
    let mut body = format!("_csrf={token}&username=").into_bytes();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    body.extend_from_slice(b"&password=%ff%fe");
    let res = client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert!(status.is_client_error(), "got {status}");
    assert!(
        res.text().await.unwrap().contains("lang=\"zh-CN\""),
        "answered with a Chinese page"
    );
}

#[tokio::test]
async fn a_tampered_session_cookie_is_just_not_logged_in() {
    let app = spawn_demo().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for cookie in [
        "duizhang_id=AAAAAAAAAAAAAAAAAAAAAA",
        "duizhang_id=%00%ff<script>",
        "duizhang_id=",
    ] {
        let res = client
            .get(app.url("/branches/1"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{cookie}");
        assert!(location(&res).starts_with("/login"));
    }
}

#[tokio::test]
async fn malformed_paths_and_queries_are_404_in_chinese() {
    let app = spawn_demo().await;
    let client = app.login("overseer").await;
    for path in [
        "/branches/abc",
        "/branches/1?campaign=abc",
        "/branches/99999999999999999999",
        "/no/such/page",
        "/committees/-1",
    ] {
        let res = app.get(&client, path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(res.text().await.unwrap().contains("页面不存在"), "{path}");
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_demo().await;
    let reviewer = app.login("reviewer1").await;
    let anonymous = app.client();
    // Pages, errors, a static file, exports and an evidence file, logged in or not.
    let paths: [(&Client, &str); 9] = [
        (&anonymous, "/login"),
        (&anonymous, "/healthz"),
        (&anonymous, "/nowhere"),
        (&anonymous, "/static/css/app.css"),
        (&reviewer, "/committees/1"),
        (&reviewer, "/branches/1/findings/1"),
        (&reviewer, "/branches/1/checklist.pdf"),
        (&reviewer, "/committees/1/report.xlsx"),
        (&reviewer, "/branches/1/evidence/2"),
    ];
    for (client, path) in paths {
        let res = app.get(client, path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") || csp.contains("sandbox"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_and_path_wide() {
    let app = spawn_demo().await;
    let client = app.client();
    let res = app.try_login(&client, "secretary1", PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain="), "host-only: {cookie}");
}

#[tokio::test]
async fn odd_methods_and_repeated_query_fields_get_chinese_pages() {
    let app = spawn_demo().await;
    let client = app.client();
    let res = app.get(&client, "/login?next=/a&next=/b&expired=1&expired=2").await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = app.csrf(&client, "/login").await;
    let res = client
        .put(app.url("/login"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.text().await.unwrap().contains("操作方式不正确"));
    // A typed /logout asks with a button rather than failing.
    let client = app.login("secretary1").await;
    let res = app.get(&client, "/logout").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("确定要退出吗"));
}

#[tokio::test]
async fn logging_out_after_the_session_ended_just_shows_the_login_page() {
    let app = spawn_demo().await;
    let client = app.login("secretary1").await;
    let token = app.csrf(&client, "/branches/1").await;
    sqlx::query("DELETE FROM tower_sessions")
        .execute(&mut raw_connection(&app).await)
        .await
        .unwrap();
    let res = client
        .post(app.url("/logout"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn an_expired_login_form_keeps_the_username_and_next_page() {
    let app = spawn_demo().await;
    let client = app.client();
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("_csrf", "stale"),
            ("username", "secretary1"),
            ("password", PASSWORD),
            ("next", "/branches/1"),
        ])
        .send()
        .await
        .unwrap();
    let target = location(&res);
    assert!(target.starts_with("/login?expired=1"), "{target}");
    let page = app.get(&client, &target).await.text().await.unwrap();
    assert!(page.contains("请重新登录"));
    assert!(page.contains("value=\"secretary1\""));
    assert!(page.contains("value=\"/branches/1\""));
    assert!(!page.contains(PASSWORD));
}

/// A connection that sends nothing, half a header, or stays idle after its request is closed
/// after the header timeout; over the connection cap a new one is closed at once; afterwards the
/// server answers as ever.
#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_and_their_number_is_capped() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    let app = spawn_with(|c| {
        c.header_timeout_seconds = 1;
        c.max_connections = 3;
    })
    .await;
    /// Whether the server closes `s` within `secs` (whatever it sent before).
    async fn closed_within(mut s: TcpStream, secs: u64) -> bool {
        let mut buf = [0u8; 1024];
        let closed = async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(secs), closed).await.is_ok()
    }
    let silent = TcpStream::connect(app.addr).await.unwrap();
    let mut half = TcpStream::connect(app.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let mut kept = TcpStream::connect(app.addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fourth = TcpStream::connect(app.addr).await.unwrap();
    assert!(
        closed_within(fourth, 1).await,
        "a fourth connection over a cap of three is closed at once"
    );
    for (what, s) in [
        ("silent", silent),
        ("half a header", half),
        ("idle after a request", kept),
    ] {
        assert!(
            closed_within(s, 4).await,
            "{what}: still open 4 s after a 1 s header timeout"
        );
    }
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
