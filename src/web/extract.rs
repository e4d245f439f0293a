//! Extractors: who is signed in (`CurrentShopper`), and CSRF-checked forms
//! (`CsrfForm`). Every POST handler takes a `CsrfForm`, so no state change
//! happens without a valid token.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::error::InternalError;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::ctx::{SESSION_CSRF, session_user};
use crate::domain::account::Role;
use crate::domain::ids::UserId;
use crate::error::AppError;

/// The signed-in account. Without one, the request is answered with
/// `303 /login?next=<this page>`.
#[derive(Debug, Clone)]
pub struct CurrentShopper {
    pub id: UserId,
    /// The shopper's revision, read with the session (see
    /// [`crate::session_store::REVISION`]).
    pub revision: Option<i64>,
}

pub fn login_redirect(req: &HttpRequest) -> HttpResponse {
    let next = if req.method() == Method::GET {
        match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        }
    } else {
        "/".to_owned()
    };
    let location = format!(
        "/login?{}",
        serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
    );
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

impl FromRequest for CurrentShopper {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match session_user(&req.get_session()) {
            Some(user) => Ok(CurrentShopper {
                id: user.id,
                revision: req
                    .get_session()
                    .get::<i64>(crate::session_store::REVISION)
                    .ok()
                    .flatten(),
            }),
            None => {
                Err(InternalError::from_response("sign-in required", login_redirect(req)).into())
            }
        })
    }
}

/// A signed-in service agent. Visitors are sent to sign in; shoppers get the
/// same 404 as any page that does not exist for them.
#[derive(Debug, Clone)]
pub struct StaffAgent {
    pub id: UserId,
}

impl FromRequest for StaffAgent {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match session_user(&req.get_session()) {
            Some(user) if user.role == Role::Staff.as_str() => Ok(StaffAgent { id: user.id }),
            Some(_) => Err(AppError::NotFound.into()),
            None => {
                Err(InternalError::from_response("sign-in required", login_redirect(req)).into())
            }
        })
    }
}

/// A urlencoded form whose `csrf_token` matched the session's token.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct TokenOnly {
    #[serde(default)]
    csrf_token: String,
}

/// Every field of a urlencoded body must decode to valid UTF-8 without
/// control characters (line breaks and tabs allowed): the usual decoder
/// would replace bad bytes with U+FFFD and store them silently.
fn check_text(body: &[u8]) -> Result<(), AppError> {
    for pair in body.split(|b| *b == b'&') {
        let plus_as_space: Vec<u8> = pair
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        let text = percent_encoding::percent_decode(&plus_as_space)
            .decode_utf8()
            .map_err(|_| AppError::InvalidText)?;
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(AppError::InvalidText);
        }
    }
    Ok(())
}

/// Compares without stopping at the first difference.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest
                }
            })?;
            check_text(&body)?;
            let sent: TokenOnly =
                serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest)?;
            let expected = req.get_session().get::<String>(SESSION_CSRF).ok().flatten();
            match expected {
                Some(expected)
                    if !sent.csrf_token.is_empty() && same_token(&expected, &sent.csrf_token) => {}
                _ => return Err(AppError::Csrf.into()),
            }
            let form =
                serde_urlencoded::from_bytes::<T>(&body).map_err(|_| AppError::BadRequest)?;
            Ok(CsrfForm(form))
        })
    }
}
