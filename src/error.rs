//! One error type for every handler. One match picks the status and the Chinese page;
//! only server faults are logged, and no internals reach the user.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug)]
pub enum AppError {
    /// Not there, or outside the user's scope: the two are not told apart, so existence never leaks.
    NotFound,
    /// The user's role may not do this at all.
    Forbidden,
    /// Not logged in. Pages redirect to the login form (coming back to `next`); downloads get 401.
    LoginRequired {
        page: bool,
        next: String,
    },
    /// The user must set a new password before anything else.
    MustChangePassword,
    /// A cross-site POST, or a form whose token is missing or stale.
    CsrfRejected,
    /// A form sent after the session ended (idle timeout, or logged out elsewhere).
    SessionExpired,
    /// A request body too large to be a form.
    PayloadTooLarge,
    /// A request that cannot be understood; the text says why, in Chinese.
    BadRequest(String),
    /// Somebody else saved this row first (optimistic concurrency).
    Conflict(String),
    /// The action is not possible in the row's present state (e.g. a submitted ledger); says why.
    Refused(String),
    /// Too much work queued (a flood of logins): try again shortly.
    Busy,
    Internal(anyhow::Error),
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    /// The login timed out on a POST: the page's script keeps the typed text for the form.
    drafts_kept: bool,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &str, &str) {
        match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "页面不存在",
                "您要找的页面不存在，或不在您的权限范围内。",
            ),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "没有权限", "您的账号没有访问此页面的权限。"),
            AppError::LoginRequired { .. } => (StatusCode::UNAUTHORIZED, "需要登录", "请先登录后再下载。"),
            AppError::MustChangePassword => (StatusCode::SEE_OTHER, "请先修改密码", "请先修改密码。"),
            AppError::CsrfRejected => (
                StatusCode::FORBIDDEN,
                "请求已失效",
                "页面已过期或请求来源不明，操作未执行。请返回上一页，刷新后重试。",
            ),
            AppError::SessionExpired => (
                StatusCode::UNAUTHORIZED,
                "登录已超时",
                "登录已超时（长时间无操作会自动退出），本次提交没有保存。您填写的文字已保留在本浏览器中：重新登录后回到填写时的页面，表单旁会提示“恢复”。",
            ),
            AppError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "提交内容过大",
                "提交的内容超过了允许的大小，操作未执行。",
            ),
            AppError::BadRequest(msg) => (StatusCode::BAD_REQUEST, "请求有误", msg.as_str()),
            AppError::Conflict(msg) => (StatusCode::CONFLICT, "内容已被他人修改", msg.as_str()),
            AppError::Refused(msg) => (StatusCode::CONFLICT, "无法执行此操作", msg.as_str()),
            AppError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "系统繁忙",
                "当前登录人数较多，请稍等片刻后重试。",
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误",
                "系统出现了问题，操作未完成。请稍后重试；如仍有问题，请联系组织部。",
            ),
        }
    }
}

/// Renders the Chinese error page for a status; also used by the 404 fallback and panic handler.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    render_page(status, title, message, false)
}

fn render_page(status: StatusCode, title: &str, message: &str, drafts_kept: bool) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        message,
        drafts_kept,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message.to_string(),
        )
            .into_response(),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::LoginRequired { page: true, next } = &self {
            let target = if next.is_empty() || next == "/" {
                "/login".to_string()
            } else {
                format!("/login?next={}", encode_component(next))
            };
            return Redirect::to(&target).into_response();
        }
        if let AppError::MustChangePassword = &self {
            return Redirect::to("/account/password").into_response();
        }
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        let (status, title, message) = self.parts();
        render_page(status, title, message, matches!(self, AppError::SessionExpired))
    }
}

/// Percent-encodes a path for use as a query value.
pub fn encode_component(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q[1..].to_string())
        .unwrap_or_default()
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        if e.downcast_ref::<crate::auth::password::Busy>().is_some() {
            return AppError::Busy;
        }
        AppError::Internal(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Internal(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_server_fault_is_a_chinese_500_that_leaks_nothing() {
        let res = AppError::Internal(anyhow::anyhow!("UNIQUE constraint failed: users.secret_column")).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_of(res).await;
        assert!(body.contains("服务器内部错误"));
        assert!(!body.contains("secret_column"));
    }

    #[tokio::test]
    async fn forbidden_and_not_found_are_chinese_pages() {
        let res = AppError::Forbidden.into_response();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(body_of(res).await.contains("没有权限"));
        let res = AppError::NotFound.into_response();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(body_of(res).await.contains("页面不存在"));
    }

    #[test]
    fn pages_redirect_to_login_with_their_path_and_downloads_get_401() {
        let res = AppError::LoginRequired {
            page: true,
            next: "/branches/1?campaign=1".into(),
        }
        .into_response();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/login?next=%2Fbranches%2F1%3Fcampaign%3D1");
        let res = AppError::LoginRequired {
            page: false,
            next: "/branches/1/checklist.pdf".into(),
        }
        .into_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}
