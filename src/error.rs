//! One error type for the application. Its `ResponseError` sets the status
//! and renders `errors/page.html`; 5xx pages stay generic and the cause chain
//! is logged once, here.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
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
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
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
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest | AppError::InvalidText => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            let mut chain = String::new();
            let mut source: Option<&dyn std::error::Error> = Some(self);
            while let Some(e) = source {
                if !chain.is_empty() {
                    chain.push_str(": ");
                }
                chain.push_str(&e.to_string());
                source = e.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
        match self {
            AppError::InvalidText => error_page_for(status, "invalid_text"),
            _ => error_page(status),
        }
    }
}

/// Renders the generic error page for `status`, in both languages (the
/// error path has no request to pick one from).
pub fn error_page(status: StatusCode) -> HttpResponse {
    let key = match status.as_u16() {
        403 => "forbidden",
        404 => "not_found",
        413 => "too_large",
        400..=499 => "bad_request",
        _ => "server",
    };
    error_page_for(status, key)
}

/// The error page with the texts `error.{key}.*`.
fn error_page_for(status: StatusCode, key: &str) -> HttpResponse {
    let t = |lang: &str, part: &str| crate::i18n::text(lang, &format!("error.{key}.{part}"));
    let page = ErrorPage {
        status: status.as_u16(),
        title_zh: t("zh-CN", "title"),
        title_en: t("en", "title"),
        body_zh: t("zh-CN", "body"),
        body_en: t("en", "body"),
        home_zh: crate::i18n::text("zh-CN", "error.home"),
        home_en: crate::i18n::text("en", "error.home"),
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
