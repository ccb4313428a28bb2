//! CSRF protection for every state-changing request, in two independent checks:
//!
//! 1. Browser-set headers: `Sec-Fetch-Site` must be same-origin (or none, a typed URL), and an
//!    `Origin`, when sent, must be this server's own. Browsers cannot be made to forge these.
//! 2. A token bound to the session, carried as the form field `_csrf` (or the `X-CSRF-Token`
//!    header, or `?_csrf=` for multipart uploads), compared in constant time. This covers
//!    clients that send neither header.
//!
//! It is a middleware on the whole router, so no POST handler can forget it.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::error::AppError;

use super::session;

/// The largest form body accepted. Forms carry text only (files go by multipart); the largest is
/// an import's confirmation, 200 rows of up to 2000 characters, percent-encoded (9 bytes each).
pub const MAX_FORM_BYTES: usize = 4 * 1024 * 1024;

pub const FIELD: &str = "_csrf";

pub async fn guard(
    axum::extract::State(state): axum::extract::State<crate::AppState>, session: Session, req: Request, next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = if req.method() == Method::POST {
        req.uri().path().to_string()
    } else {
        String::new()
    };
    match check(&session, req, &state.config.public_url).await {
        Ok(req) => next.run(req).await,
        Err((AppError::CsrfRejected, Some(form))) => match path.as_str() {
            // A login form left open until its pre-login session expired: show the form again,
            // with what was typed (but the password) and a word of explanation.
            "/login" => {
                let keep = |k| crate::handlers::query_value(Some(&form), k).unwrap_or_default();
                let query = serde_urlencoded::to_string([
                    ("expired", "1".to_string()),
                    ("next", keep("next")),
                    ("username", keep("username")),
                ])
                .unwrap_or_default();
                Redirect::to(&format!("/login?{query}")).into_response()
            }
            // 退出 after the session already ended: there is nothing left to protect.
            "/logout" if session::stored_csrf_token(&session).await.ok().flatten().is_none() => {
                Redirect::to("/login").into_response()
            }
            // The session ended while the page was open: say so, rather than "refresh and retry".
            _ if session::stored_csrf_token(&session).await.ok().flatten().is_none() => {
                AppError::SessionExpired.into_response()
            }
            _ => AppError::CsrfRejected.into_response(),
        },
        Err((e, _)) => e.into_response(),
    }
}

/// Passes the request on (with its body restored) or says why not. When only the token failed
/// on a same-origin form, the form's fields come along, for a kinder answer.
async fn check(session: &Session, req: Request, public_url: &str) -> Result<Request, (AppError, Option<String>)> {
    let headers = req.headers();
    if !same_origin(headers, public_url) {
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("");
        tracing::warn!(path = %req.uri().path(), origin, public_url, "cross-site POST refused (with DUIZHANG_PUBLIC_URL set, forms are accepted from that address only)");
        return Err((AppError::CsrfRejected, None));
    }
    let expected = session::stored_csrf_token(session).await.map_err(|e| (e, None))?;

    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_multipart = content_type.starts_with("multipart/form-data");
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if !is_multipart && declared_len.is_some_and(|n| n > MAX_FORM_BYTES) {
        return Err((AppError::PayloadTooLarge, None));
    }

    let mut presented = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // A multipart body is not read here (it can be large): its form carries the token in the
    // action's query string instead. Other forms carry it in the body.
    let (req, form) = if is_multipart {
        if presented.is_none() {
            presented = req.uri().query().and_then(|q| field_of(q.as_bytes()));
        }
        (req, String::new())
    } else {
        let (parts, body) = req.into_parts();
        let bytes = to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| (AppError::PayloadTooLarge, None))?;
        if presented.is_none() {
            presented = field_of(&bytes);
        }
        let form = String::from_utf8_lossy(&bytes).into_owned();
        (Request::from_parts(parts, Body::from(bytes)), form)
    };

    match (expected, presented) {
        (Some(e), Some(p)) if bool::from(e.as_bytes().ct_eq(p.as_bytes())) => Ok(req),
        _ => {
            tracing::warn!(path = %req.uri().path(), "POST with missing or stale CSRF token refused");
            Err((AppError::CsrfRejected, Some(form)))
        }
    }
}

/// Whether the browser says the request comes from this site's own pages. With the public address
/// configured (`DUIZHANG_PUBLIC_URL`), an `Origin` must be exactly it, scheme and host and port
/// (the Host header alone can be anything a proxy passes on); otherwise its host must be the
/// request's Host.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.to_str(), Ok("same-origin") | Ok("none"))
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        if !public_url.is_empty() {
            return origin.eq_ignore_ascii_case(public_url);
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        // "null" (sandboxed frames, some redirects) never matches.
        let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        if host.is_empty() || !authority.eq_ignore_ascii_case(host) {
            return false;
        }
    }
    true
}

fn field_of(urlencoded: &[u8]) -> Option<String> {
    form_pairs(urlencoded)
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

fn form_pairs(urlencoded: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(urlencoded).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_requests_pass() {
        assert!(same_origin(&headers(&[("host", "a.edu:3000")]), ""));
        assert!(same_origin(
            &headers(&[
                ("host", "a.edu:3000"),
                ("origin", "http://a.edu:3000"),
                ("sec-fetch-site", "same-origin")
            ]),
            ""
        ));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(!same_origin(
            &headers(&[("host", "a.edu"), ("sec-fetch-site", "cross-site")]),
            ""
        ));
        assert!(!same_origin(
            &headers(&[("host", "a.edu"), ("sec-fetch-site", "same-site")]),
            ""
        ));
        assert!(!same_origin(
            &headers(&[("host", "a.edu"), ("origin", "https://evil.example")]),
            ""
        ));
        assert!(!same_origin(&headers(&[("host", "a.edu"), ("origin", "null")]), ""));
        assert!(!same_origin(
            &headers(&[("host", "a.edu"), ("origin", "http://a.edu.evil.example")]),
            ""
        ));
    }

    #[test]
    fn with_a_public_address_the_origin_must_be_it_whatever_the_host_header_says() {
        let public = "https://dj.example.edu.cn";
        assert!(same_origin(
            &headers(&[("host", "dj.example.edu.cn"), ("origin", "https://dj.example.edu.cn")]),
            public
        ));
        // Same host, another scheme: a page served over plain http elsewhere.
        assert!(!same_origin(
            &headers(&[("host", "dj.example.edu.cn"), ("origin", "http://dj.example.edu.cn")]),
            public
        ));
        // A forged or proxied Host that matches the attacker's origin.
        assert!(!same_origin(
            &headers(&[("host", "evil.example"), ("origin", "https://evil.example")]),
            public
        ));
        // Without an Origin the token still decides (check 2).
        assert!(same_origin(&headers(&[("host", "anything")]), public));
    }

    #[test]
    fn the_token_is_read_from_a_form_body() {
        assert_eq!(field_of(b"username=a&_csrf=abc123&password=x"), Some("abc123".into()));
        assert_eq!(field_of(b"username=a"), None);
        assert_eq!(field_of(&[0xff, 0xfe, b'=', 0x80]), None);
    }
}
