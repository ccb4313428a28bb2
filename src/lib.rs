//! duizhang — 党支部对账整改系统.
//!
//! `app(state)` builds the whole HTTP application; `main.rs` and the integration tests both use it.

pub mod actions;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod handlers;
pub mod notify;
pub mod routes;
pub mod sheets;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::config::Config;
use crate::db::Db;
use crate::error::error_page;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Verified against for unknown usernames, so they cost what a wrong password costs.
    pub dummy_hash: Arc<str>,
}

impl AppState {
    pub async fn new(db: Db, config: Config) -> anyhow::Result<AppState> {
        let dummy_hash = tokio::task::spawn_blocking(auth::password::dummy_hash).await?;
        db.set_mail_on(!config.mail.smtp_url.is_empty());
        Ok(AppState {
            db,
            config: Arc::new(config),
            dummy_hash: dummy_hash.into(),
        })
    }
}

/// The whole application: routes, static files, sessions, CSRF, security headers, tracing.
pub fn app(state: AppState) -> Router {
    let config = state.config.clone();
    let sessions = SessionManagerLayer::new(auth::session_store::SplitStore::new(&state.db))
        .with_name(config.session_cookie_name())
        .with_secure(config.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            config.session_idle_minutes,
        )));

    assets::init(&config.static_dir);
    // The document fonts are found (and memory-mapped) once, now, so a missing Song face is
    // reported at start-up rather than at the first download.
    export::font::init(&config.static_dir);
    let static_files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, cache_static))
        .service(ServeDir::new(&config.static_dir));
    let mut router = routes::routes(&state)
        // Pages and downloads are the user's own (names, findings, one-time passwords): no
        // browser or proxy may keep a copy. The static files below are everyone's.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .nest_service("/static", static_files)
        .layer(DefaultBodyLimit::max(auth::csrf::MAX_FORM_BYTES))
        .layer(sessions)
        .with_state(state);

    for (name, value) in security_headers(config.secure_cookies) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
        .layer(axum::middleware::from_fn(time_limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
                    tracing::info_span!(
                        "request",
                        id = NEXT_ID.fetch_add(1, Ordering::Relaxed),
                        method = %req.method(),
                        path = %req.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(CatchPanicLayer::custom(|_| {
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误",
                "系统出现了问题，操作未完成。请稍后重试。",
            )
        }))
}

/// Static files are linked with a fingerprint of their content (see [`assets`]): a browser may
/// keep what it fetched for a year. What was not found is not kept.
fn cache_static<B>(res: &axum::http::Response<B>) -> Option<HeaderValue> {
    Some(HeaderValue::from_static(if res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-store"
    }))
}

/// The longest a request may take, reading its body included: a client trickling a body byte by
/// byte is cut off. Generous, for uploads of photos over a phone connection.
const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

async fn time_limit(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => error_page(
            StatusCode::REQUEST_TIMEOUT,
            "请求超时",
            "请求时间过长，操作未完成。请检查网络后重试。",
        ),
    }
}

fn security_headers(https: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut h = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    ];
    if https {
        h.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    h
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener, state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = auth::session_store::SplitStore::new(&state.db).writer();
    let sweeper = tokio::spawn(sweep_expired(store, state.db.clone()));
    if state.config.mail.smtp_url.is_empty() {
        tracing::info!(
            "e-mail is off (no DUIZHANG_SMTP_URL): messages go to the in-app list and the committees' robots"
        );
    }
    let sender = tokio::spawn(notify::run(state.db.clone(), state.config.clone()));
    let header_timeout = Duration::from_secs(state.config.header_timeout_seconds);
    let result = accept(
        listener,
        app(state.clone()),
        header_timeout,
        state.config.max_connections,
        shutdown,
    )
    .await;
    sweeper.abort();
    sender.abort();
    result
}

/// Accepts connections until `shutdown`, then lets those open finish their requests (at most
/// 30 s). Each connection is HTTP/1 with a header-read timeout, which also bounds an idle
/// keep-alive connection (hyper starts it whenever it waits for a request's head): a client that
/// sends nothing, or half a header, is closed after `header_timeout`. At most `max_connections`
/// are open at once; one more is closed at once (and logged), so idle sockets cannot exhaust the
/// process's file descriptors.
async fn accept(
    listener: tokio::net::TcpListener, app: Router, header_timeout: Duration, max_connections: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%addr, max_connections, "connection closed: too many open");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // What `into_make_service_with_connect_info` gave: the client's address (login limits).
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
                req
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("stopping with requests still open after 30 s");
        }
    }
    Ok(())
}

/// Every ten minutes: expired sessions and spent login counters go, so neither table grows with
/// what anonymous visitors send.
async fn sweep_expired(store: SqliteStore, db: Db) {
    use tower_sessions::session_store::ExpiredDeletion;
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "deleting expired sessions failed");
        }
        if let Err(e) = db::throttle::sweep(&db, auth::session::now_unix()).await {
            tracing::warn!(error = %e, "sweeping login counters failed");
        }
    }
}
