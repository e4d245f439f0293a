//! Response headers for every page (security, caching), the language
//! cookie, and request ids with the log line of every 5xx.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};

use rand::distr::{Alphanumeric, SampleString};

use crate::error::AppError;
use crate::i18n::{LANG_COOKIE, query_lang};

/// Strict headers on every response. `Cache-Control: no-store` is the default
/// (pages carry the shopper's name, cart and orders); static assets set their own.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// `?lang=en|zh` is remembered in a cookie for a year.
pub async fn remember_language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chosen = query_lang(req.query_string());
    let mut res = next.call(req).await?;
    if let Some(lang) = chosen {
        let cookie = Cookie::build(LANG_COOKIE, lang.code())
            .path("/")
            .max_age(Duration::days(365))
            .same_site(SameSite::Lax)
            .http_only(true)
            .finish();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(res)
}

/// Marks cookies `Secure` when the request came over HTTPS (directly, or as a
/// TLS proxy reports with `Forwarded`/`X-Forwarded-Proto`). Adding the flag
/// can only narrow where a cookie goes, so trusting the header is safe here.
/// `--secure-cookies` forces it for every response instead.
pub async fn secure_cookies_over_https(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    // Asked only when there is a cookie to mark: most responses set none, and
    // building the connection info costs as much as a small page's headers.
    if res.headers().contains_key(header::SET_COOKIE)
        && res.request().connection_info().scheme() == "https"
    {
        let cookies: Vec<HeaderValue> =
            res.headers().get_all(header::SET_COOKIE).cloned().collect();
        if !cookies.is_empty() {
            res.headers_mut().remove(header::SET_COOKIE);
            for cookie in cookies {
                let value = match cookie.to_str() {
                    Ok(s) if !s.contains("; Secure") => {
                        HeaderValue::from_str(&format!("{s}; Secure")).unwrap_or(cookie)
                    }
                    _ => cookie,
                };
                res.headers_mut().append(header::SET_COOKIE, value);
            }
        }
    }
    Ok(res)
}

/// The id of a request: the proxy's `X-Request-Id` when it is a sane token,
/// else a new one. In the request's extensions, on the response, in the log.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: &str = "x-request-id";

fn sane_request_id(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Gives every request an id, echoes it in `X-Request-Id`, logs every 5xx
/// once with it (method, path, status, cause), and renders the error page
/// again naming it, so a shopper's report can be matched to the log line.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::rng(), 16));
    req.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let mut res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if status.is_server_error() {
        let error = res.response().error();
        let app_error = error.and_then(|e| e.as_error::<AppError>());
        let cause = match (app_error, error) {
            (Some(e), _) => e.chain(),
            (None, Some(e)) => e.to_string(),
            (None, None) => String::new(),
        };
        tracing::error!(request_id = %id, %method, %path, status = status.as_u16(), error = %cause, "request failed");
        if let Some(page) = app_error.map(|e| e.page(Some(&id))) {
            res = res.into_response(page);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(res)
}

/// Counts every request by method, route pattern and status, and times it
/// (`http_requests_total`, `http_request_duration_seconds`).
pub async fn record_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !crate::telemetry::prometheus::enabled() {
        return next.call(req).await;
    }
    let started = std::time::Instant::now();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        _ => "other",
    };
    let res = next.call(req).await?;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}
