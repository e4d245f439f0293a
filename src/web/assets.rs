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

/// `/favicon.ico`, which browsers ask for by themselves: the site's icon
/// (an SVG, which they accept under that name too), so no page load ends in
/// a failed request.
pub async fn favicon() -> Result<HttpResponse, AppError> {
    let file = Assets::get("img/favicon.svg").ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(file.data.into_owned()))
}

/// Liveness: `200 ok` while the process serves (SPEC "Operations").
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body("ok")
}

/// Readiness: `200` when the database can be read and written, else `503`,
/// so a load balancer stops sending traffic to a server that cannot reach
/// its database and resumes when it can again.
pub async fn readyz(state: State) -> HttpResponse {
    let (status, body) = match crate::service::health::ready(&state.db).await {
        Ok(()) => (actix_web::http::StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database cannot be read and written");
            (
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "not ready",
            )
        }
    };
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
