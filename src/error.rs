//! One error type for the application. Its `ResponseError` sets the status
//! and renders `errors/page.html`; 5xx pages stay generic and the cause chain
//! is logged once, here.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, foreign or malformed: the same answer for all three.
    #[error("not found")]
    NotFound,
    #[error("invalid or missing CSRF token")]
    Csrf,
    #[error("bad request")]
    BadRequest,
    /// A form field that is not valid UTF-8 text, or holds control characters.
    #[error("form text is not valid UTF-8 or holds control characters")]
    InvalidText,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("database error")]
    Database(#[from] diesel::result::Error),
    #[error("connection pool error")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("blocking task failed")]
    Blocking(#[from] actix_web::error::BlockingError),
    #[error("template error")]
    Template(#[from] askama::Error),
    /// Too many requests of a costly kind at once (password hashing): try
    /// again in a moment.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The database cannot take writes (or answer) right now — a full disk,
    /// a read-only file, a lock held too long, no connection: `503` with
    /// `Retry-After`, not `500`. It clears by itself once the cause does.
    pub fn is_unavailable(&self) -> bool {
        match self {
            AppError::Database(e) => crate::db::is_unavailable(e),
            AppError::Pool(_) => true,
            _ => false,
        }
    }

    /// The key of the error page's texts (`error.{key}.*`).
    fn page_key(&self) -> &'static str {
        match self {
            AppError::InvalidText => "invalid_text",
            AppError::Busy => "busy",
            e if e.is_unavailable() => "unavailable",
            e => status_key(e.status_code()),
        }
    }

    /// The whole cause chain, for the log.
    pub fn chain(&self) -> String {
        let mut chain = String::new();
        let mut source: Option<&dyn std::error::Error> = Some(self);
        while let Some(e) = source {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&e.to_string());
            source = e.source();
        }
        chain
    }

    /// The error page, naming `request_id` (which the log line carries too).
    pub fn page(&self, request_id: Option<&str>) -> HttpResponse {
        let status = self.status_code();
        let mut res = error_page_for(status, self.page_key(), request_id);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res
    }
}

impl From<diesel::r2d2::Error> for AppError {
    fn from(e: diesel::r2d2::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("connection setup failed: {e}"))
    }
}

#[derive(Template)]
#[template(path = "errors/page.html")]
struct ErrorPage {
    status: u16,
    title_zh: String,
    title_en: String,
    body_zh: String,
    body_en: String,
    home_zh: String,
    home_en: String,
    /// Shown on 5xx pages so a report can be matched to the log line.
    request_id: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest | AppError::InvalidText => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            e if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page without a request id; the request-id middleware logs every
    /// 5xx and renders the page again naming the id.
    fn error_response(&self) -> HttpResponse {
        self.page(None)
    }
}

/// Renders the generic error page for `status`, in both languages (the
/// error path has no request to pick one from).
pub fn error_page(status: StatusCode) -> HttpResponse {
    error_page_for(status, status_key(status), None)
}

fn status_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        403 => "forbidden",
        404 => "not_found",
        413 => "too_large",
        503 => "unavailable",
        400..=499 => "bad_request",
        _ => "server",
    }
}

/// The error page with the texts `error.{key}.*`.
fn error_page_for(status: StatusCode, key: &str, request_id: Option<&str>) -> HttpResponse {
    let t = |lang: &str, part: &str| crate::i18n::text(lang, &format!("error.{key}.{part}"));
    let page = ErrorPage {
        status: status.as_u16(),
        title_zh: t("zh-CN", "title"),
        title_en: t("en", "title"),
        body_zh: t("zh-CN", "body"),
        body_en: t("en", "body"),
        home_zh: crate::i18n::text("zh-CN", "error.home"),
        home_en: crate::i18n::text("en", "error.home"),
        request_id: request_id.unwrap_or_default().to_owned(),
    };
    let body = page.render().unwrap_or_else(|_| status.to_string());
    HttpResponse::build(status)
        .insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body)
}
