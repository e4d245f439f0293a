//! Register, sign in, sign out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{PageCtx, SESSION_CSRF, SESSION_LABEL, SESSION_ROLE, SESSION_USER, ensure_csrf};
use super::extract::CsrfForm;
use super::forms::{Refuses, render, render_refused};
use super::{State, see_other};
use crate::domain::account::AccountError;
use crate::error::AppError;
use crate::service::accounts::{self as svc, LoginError, RegisterError, SignedIn};

/// Only same-site paths: `/…` but not `//host` or `/\host`.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok { next } else { "/" }
}

#[derive(Template, WebTemplate)]
#[template(path = "account/register.html")]
pub struct RegisterPage {
    pub ctx: PageCtx,
    pub account: String,
    pub account_error: Option<String>,
    pub password_error: Option<String>,
    pub confirm_error: Option<String>,
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn register_form(mut ctx: PageCtx, session: Session) -> RegisterPage {
    ctx.csrf = ensure_csrf(&session);
    RegisterPage {
        ctx,
        account: String::new(),
        account_error: None,
        password_error: None,
        confirm_error: None,
    }
}

/// Starts a fresh session (new id) for the signed-in account.
fn sign_in(session: &Session, who: &SignedIn) -> Result<(), AppError> {
    let stored = |r: Result<(), actix_session::SessionInsertError>| {
        r.map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))
    };
    session.renew();
    stored(session.insert(SESSION_USER, who.user_id.0))?;
    stored(session.insert(SESSION_ROLE, who.role.as_str()))?;
    stored(session.insert(SESSION_LABEL, &who.label))?;
    session.remove(SESSION_CSRF);
    ensure_csrf(session);
    Ok(())
}

impl Refuses<RegisterError> for RegisterPage {
    fn refuse(&mut self, e: RegisterError) -> StatusCode {
        let ctx = &self.ctx;
        match e {
            RegisterError::Taken => {
                self.account_error = Some(ctx.text("register.error.taken"));
                return StatusCode::CONFLICT;
            }
            RegisterError::Account(AccountError::Invalid) => {
                self.account_error = Some(ctx.text("account.error.invalid"));
            }
            RegisterError::Account(AccountError::PasswordLength) => {
                self.password_error = Some(ctx.text("account.error.password_length"));
            }
            RegisterError::Account(AccountError::PasswordMismatch) => {
                self.confirm_error = Some(ctx.text("account.error.password_mismatch"));
            }
        }
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub async fn register(
    mut ctx: PageCtx,
    session: Session,
    state: State,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<actix_web::HttpResponse, AppError> {
    let (account, now) = (form.account.as_str(), state.clock.now());
    let registered = svc::register(
        &state.db,
        &state.hasher,
        account,
        &form.password,
        &form.password_confirm,
        now,
    )
    .await?;
    match registered {
        Ok(who) => {
            sign_in(&session, &who)?;
            Ok(see_other("/"))
        }
        Err(e) => {
            ctx.csrf = ensure_csrf(&session);
            let page = RegisterPage {
                account: form.account,
                account_error: None,
                password_error: None,
                confirm_error: None,
                ctx,
            };
            render_refused(page, e)
        }
    }
}

/// Renders a page with a non-200 status (bad input: 4xx, input kept).
#[derive(Template, WebTemplate)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub account: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_form(
    mut ctx: PageCtx,
    session: Session,
    query: web::Query<LoginQuery>,
) -> LoginPage {
    ctx.csrf = ensure_csrf(&session);
    LoginPage {
        ctx,
        account: String::new(),
        next: safe_next(&query.next).to_owned(),
        error: None,
    }
}

pub async fn login(
    mut ctx: PageCtx,
    session: Session,
    state: State,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<actix_web::HttpResponse, AppError> {
    let now = state.clock.now();
    let next = safe_next(&form.next).to_owned();
    match svc::login(&state.db, &state.hasher, &form.account, &form.password, now).await? {
        Ok(who) => {
            sign_in(&session, &who)?;
            Ok(see_other(&next))
        }
        Err(e) => {
            let (error, status) = match e {
                LoginError::Invalid => (ctx.text("login.error.invalid"), StatusCode::UNAUTHORIZED),
                LoginError::Throttled { minutes } => (
                    ctx.tv("login.error.throttled", &minutes.to_string()),
                    StatusCode::TOO_MANY_REQUESTS,
                ),
            };
            ctx.csrf = ensure_csrf(&session);
            render(
                LoginPage {
                    ctx,
                    account: form.account,
                    next,
                    error: Some(error),
                },
                status,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// Ends the session server-side: the old cookie is worthless afterwards.
pub async fn logout(session: Session, CsrfForm(_): CsrfForm<Empty>) -> actix_web::HttpResponse {
    session.purge();
    see_other("/")
}
