//! Static files (embedded in the binary) and the health check.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use rust_embed::RustEmbed;

use super::State;
use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub async fn static_file(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.metadata.mimetype()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(file.data.into_owned()))
}

/// `200 ok` when the database answers.
pub async fn healthz(state: State) -> Result<HttpResponse, AppError> {
    crate::service::health::database_answers(&state.db).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok"))
}
