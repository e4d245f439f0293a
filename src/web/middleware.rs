//! Response headers for every page (security, caching) and the language cookie.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};

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
    let https = req.connection_info().scheme() == "https";
    let mut res = next.call(req).await?;
    if https {
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
