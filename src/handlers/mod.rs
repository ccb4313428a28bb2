//! Thin handlers: extract → one action (a POST) or readers (a page) → render. One module per
//! page; the POSTs whose refusal shows a page again live beside it.

pub mod account;
pub mod admin;
pub mod auth;
pub mod campaigns;
pub mod close_out;
pub mod committee;
pub mod delivery;
pub mod documents;
pub mod export;
pub mod finding;
pub mod home;
pub mod import;
pub mod inspections;
pub mod ledger;
pub mod look_backs;
pub mod meeting;
pub mod notifications;
pub mod overview;
pub mod practices;
pub mod profile;
pub mod report;
pub mod results;
pub mod schedule;
pub mod statistics;
pub mod summary;
pub mod views;
pub mod work;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::actions::Outcome;
use crate::auth::{CurrentUser, Reach, session};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// A step done: the message for the next page, and there it is.
pub async fn done(session: &Session, message: impl Into<String>, to: &str) -> AppResult<Response> {
    session::flash(session, message).await?;
    Ok(Redirect::to(to).into_response())
}

/// The request is the page's own script saving in place (it asks for JSON); without the
/// script the same form posts as HTML and gets a page back.
pub fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// An outcome the page does not show as a form again: not found (404), or a refusal or a
/// conflict on an error page of its own that says why.
pub fn refusal<T>(outcome: Outcome<T>) -> AppError {
    match outcome {
        Outcome::Refused(m) => AppError::Refused(m),
        Outcome::Stale(m) => AppError::Conflict(m),
        Outcome::Invalid(e) => AppError::BadRequest(e.messages()),
        Outcome::Incomplete(missing) => {
            AppError::BadRequest(missing.into_iter().map(|m| m.text).collect::<Vec<_>>().join("；"))
        }
        Outcome::NotFound | Outcome::Done(_) => AppError::NotFound,
        Outcome::Forbidden => AppError::Forbidden,
    }
}

/// What a refused step comes to on a page that shows its form again: the messages by field (400),
/// or a refusal or a conflict said at the field `at` ("form" at the top, say) (409); anything
/// else is an error page of its own.
pub fn form_refusal<T>(
    outcome: Outcome<T>, at: &'static str,
) -> Result<(crate::domain::input::FieldErrors, axum::http::StatusCode), AppError> {
    Ok(match outcome {
        Outcome::Invalid(e) => (e, axum::http::StatusCode::BAD_REQUEST),
        Outcome::Refused(m) | Outcome::Stale(m) => {
            let mut e = crate::domain::input::FieldErrors::default();
            e.add(at, m);
            (e, axum::http::StatusCode::CONFLICT)
        }
        other => return Err(refusal(other)),
    })
}

/// `axum::Form` with its rejections turned into the Chinese 400/413 pages.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(rejection) => {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(AppError::PayloadTooLarge);
                }
                tracing::debug!(%rejection, "form rejected");
                Err(AppError::BadRequest(
                    "提交的表单内容不完整或无法识别，请返回页面重新填写后提交。".into(),
                ))
            }
        }
    }
}

/// Goes on only for whoever keeps the unit's ledger (actions::keeps): before saying what is
/// wrong with a form, so that another unit's branch is 404 and a reviewer on a branch's own
/// step is 403 whatever was sent.
pub async fn keeper_only(
    state: &crate::AppState, user: &crate::auth::User, branch: crate::domain::BranchId,
) -> Result<(), AppError> {
    match crate::actions::keeps(&state.db, user, branch).await? {
        Outcome::Done(()) => Ok(()),
        other => Err(refusal(other)),
    }
}

/// A POST that should have been a form (or an upload) and is not.
pub fn not_a_form() -> AppError {
    AppError::BadRequest("提交的表单内容不完整或无法识别，请返回页面重新填写后提交。".into())
}

/// What the page chrome needs: who is logged in, the role-aware links, the logout token.
pub struct Nav {
    pub user: Option<NavUser>,
    pub links: Vec<NavLink>,
}

pub struct NavUser {
    pub display_name: String,
    pub role_label: &'static str,
    pub csrf: String,
}

pub struct NavLink {
    pub label: &'static str,
    pub href: String,
    pub active: bool,
    /// Items waiting behind the link (a badge), 0 for none.
    pub count: i64,
}

impl Nav {
    pub fn anonymous() -> Nav {
        Nav {
            user: None,
            links: Vec::new(),
        }
    }

    /// The links a role has, with what waits behind each; `current` is the path being shown.
    pub fn for_user(user: &CurrentUser, current: &str) -> Nav {
        let w = &user.waiting;
        let mut links = match (user.role(), user.scope().reach()) {
            (Role::Secretary, _) => vec![("本支部台账", user.home(), w.returned_rows + w.rejected_close_outs)],
            (Role::Reviewer, Reach::Committee(c)) => vec![
                ("本党总支（党委）", user.home(), w.submitted_ledgers),
                (
                    "销号与延期",
                    format!("/committees/{c}/close-outs"),
                    w.close_out_requests,
                ),
                (
                    "本级自查",
                    format!("/committees/{c}/self-check"),
                    w.returned_rows + w.rejected_close_outs,
                ),
                ("附件3报告", format!("/committees/{c}/report"), 0),
            ],
            _ => vec![
                ("全校总览", user.home(), 0),
                ("专项行动", "/admin/campaigns".to_string(), 0),
                ("单位与账号", "/admin".to_string(), 0),
            ],
        };
        links.push(("典型做法", "/practices".to_string(), 0));
        links.push(("消息", "/notifications".to_string(), user.unread));
        links.push(("修改密码", "/account/password".to_string(), 0));
        Nav {
            user: Some(NavUser {
                display_name: user.display_name.clone(),
                role_label: user.role().label(),
                csrf: user.csrf.clone(),
            }),
            links: links
                .into_iter()
                .map(|(label, href, count)| NavLink {
                    label,
                    active: href == current,
                    href,
                    count,
                })
                .collect(),
        }
    }
}

/// `axum::extract::Path` whose rejections (`/branches/abc`) are the Chinese 404 page.
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| AppError::NotFound)
    }
}

/// `?campaign=ID`: which campaign a page shows; `None` means the current one. A malformed value
/// finds nothing (404) rather than silently showing another campaign.
pub struct CampaignParam(pub Option<crate::domain::CampaignId>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CampaignParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| AppError::NotFound)?;
        match pairs.iter().find(|(k, _)| k == "campaign").map(|(_, v)| v.trim()) {
            None | Some("") => Ok(CampaignParam(None)),
            Some(v) => v
                .parse()
                .map(|id| CampaignParam(Some(crate::domain::CampaignId(id))))
                .map_err(|_| AppError::NotFound),
        }
    }
}

/// `?from=review`: a reviewer's step sent from a ledger's review screen (/branches/{id}/review),
/// which its answer goes back to. Any other value, or none, goes back to the ledger page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FromReview(pub bool);

impl FromReview {
    /// Where a step on `branch`'s ledger goes back to, at `anchor` ("finding-3", "review").
    pub fn back_to(self, branch: crate::domain::BranchId, anchor: &str) -> String {
        let page = if self.0 { "/review" } else { "" };
        format!("/branches/{branch}{page}#{anchor}")
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for FromReview {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts, _: &S,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(FromReview(
            query_value(parts.uri.query(), "from").as_deref() == Some("review"),
        ))
    }
}

/// The first value of `key` in a query string. Repeated or unknown keys and undecodable bytes
/// are tolerated (a strict parser would answer them with an English 400).
pub fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    form_urlencoded_pairs(query.unwrap_or("").as_bytes())
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// `a=1&b=2` as pairs; never fails.
pub fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

/// A file to save (an export), under a Chinese name.
pub fn download(content_type: &'static str, name: &str, bytes: Vec<u8>) -> axum::response::Response {
    attachment(content_type, content_disposition("attachment", name), bytes)
}

/// An export to save under its Chinese name, with a meaningful ASCII name for clients that read
/// only `filename=` (e.g. `fujian2-branch-12-2026.pdf`, see export::ascii_file_name).
pub fn named_download(content_type: &'static str, name: &str, ascii: &str, bytes: Vec<u8>) -> axum::response::Response {
    attachment(content_type, content_disposition_as("attachment", name, ascii), bytes)
}

fn attachment(content_type: &'static str, disposition: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An XLSX file to save, under a Chinese name.
pub fn xlsx_download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    download(XLSX, name, bytes)
}

/// `Content-Disposition` with the name in UTF-8 (RFC 6266/5987 `filename*`) and a plain-ASCII
/// fallback for clients that read only `filename=`: the name itself where it is ASCII, else
/// `download.<ext>` (a name of underscores helps nobody). Exports name their own fallback
/// ([`named_download`]).
pub fn content_disposition(kind: &str, file_name: &str) -> String {
    let fallback = if file_name.is_ascii() {
        file_name.to_string()
    } else {
        match file_name.rsplit_once('.') {
            Some((_, ext)) if !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
                format!("download.{ext}")
            }
            _ => "download".to_string(),
        }
    };
    content_disposition_as(kind, file_name, &fallback)
}

/// The same with the ASCII fallback given (`fujian2-branch-12-2026.pdf`).
pub fn content_disposition_as(kind: &str, file_name: &str, ascii: &str) -> String {
    let ascii: String = ascii
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn chinese_file_names_are_encoded_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("attachment", "会议记录.pdf"),
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E8%AE%B0%E5%BD%95.pdf"
        );
        assert_eq!(
            content_disposition("inline", "a b\".jpg"),
            "inline; filename=\"a_b_.jpg\"; filename*=UTF-8''a%20b%22.jpg"
        );
        assert_eq!(
            super::content_disposition_as("attachment", "附件2.pdf", "fujian2-branch-1-2026.pdf"),
            "attachment; filename=\"fujian2-branch-1-2026.pdf\"; filename*=UTF-8''%E9%99%84%E4%BB%B62.pdf"
        );
    }
}

/// A multipart form as it arrived: its text fields, its files by field name, and whether it
/// arrived whole (`broken`: too large in total, or the connection dropped; what came before the
/// break is kept, so the text typed is shown again).
#[derive(Default)]
pub struct SentMultipart {
    fields: Vec<(String, String)>,
    files: Vec<(String, crate::domain::evidence::Upload)>,
    pub broken: bool,
}

impl SentMultipart {
    pub async fn read(mut multipart: axum::extract::Multipart) -> SentMultipart {
        let mut sent = SentMultipart::default();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => {
                    sent.broken = true;
                    break;
                }
            };
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().map(str::to_string);
            let Ok(bytes) = field.bytes().await else {
                sent.broken = true;
                break;
            };
            match file_name {
                // A file input left empty still sends a part, with no name and no bytes.
                Some(n) if n.is_empty() && bytes.is_empty() => {}
                Some(n) => sent.files.push((
                    name,
                    crate::domain::evidence::Upload {
                        name: n,
                        bytes: bytes.to_vec(),
                    },
                )),
                None => sent.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        sent
    }

    /// A text field as typed (empty if not sent).
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// A form's version field (0 if missing or not a number: then it is stale).
    pub fn version(&self) -> i64 {
        self.text("version").trim().parse().unwrap_or(0)
    }

    /// The files sent under `name`.
    /// Every text field sent, by name (the last of a repeated name).
    pub fn all_text(&self) -> std::collections::HashMap<String, String> {
        self.fields.iter().cloned().collect()
    }

    pub fn files(&mut self, name: &str) -> Vec<crate::domain::evidence::Upload> {
        let (mine, rest) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|(k, _)| k == name);
        self.files = rest;
        mine.into_iter().map(|(_, f)| f).collect()
    }
}
