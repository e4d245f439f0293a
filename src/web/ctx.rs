//! `PageCtx`: what every page template gets (language, texts, signed-in user,
//! CSRF token, flash message, current path). `templates/base.html` documents
//! the contract at its top.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use chrono::NaiveDateTime;
use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};

use crate::clock::format_local;
use crate::domain::account::Role;
use crate::domain::ids::UserId;
use crate::domain::method::{MethodKind, PaymentMethod};
use crate::domain::order::OrderStatus;
use crate::domain::plan::Plan;
use crate::i18n::Lang;

pub const SESSION_USER: &str = crate::session_store::USER;
pub const SESSION_ROLE: &str = "role";
pub const SESSION_LABEL: &str = "label";
pub const SESSION_CSRF: &str = "csrf";
pub const SESSION_FLASH: &str = "flash";

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: UserId,
    pub role: String,
    pub label: String,
}

/// A one-shot message for the next page: a catalog key and an optional value
/// for its `%{value}` placeholder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub key: String,
    #[serde(default)]
    pub value: String,
    /// `value` is itself a catalog key (e.g. a decline reason).
    #[serde(default)]
    pub value_is_key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlashKind::Success => "success",
            FlashKind::Info => "info",
            FlashKind::Error => "error",
        }
    }
}

/// Leaves a message for the next page this session sees.
pub fn set_flash(session: &Session, kind: FlashKind, key: &str, value: impl Into<String>) {
    store_flash(
        session,
        Flash {
            kind,
            key: key.to_owned(),
            value: value.into(),
            value_is_key: false,
        },
    );
}

/// Like [`set_flash`], with the placeholder filled by the catalog text of `value_key`.
pub fn set_flash_keyed(session: &Session, kind: FlashKind, key: &str, value_key: &str) {
    store_flash(
        session,
        Flash {
            kind,
            key: key.to_owned(),
            value: value_key.to_owned(),
            value_is_key: true,
        },
    );
}

fn store_flash(session: &Session, flash: Flash) {
    if let Err(e) = session.insert(SESSION_FLASH, flash) {
        tracing::warn!(error = %e, "could not store flash message");
    }
}

/// The session's CSRF token, created on first need.
pub fn ensure_csrf(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(SESSION_CSRF) {
        return token;
    }
    let token = Alphanumeric.sample_string(&mut rand::rng(), 43);
    if let Err(e) = session.insert(SESSION_CSRF, &token) {
        tracing::warn!(error = %e, "could not store CSRF token");
    }
    token
}

pub fn session_user(session: &Session) -> Option<SessionUser> {
    let id = session.get::<i32>(SESSION_USER).ok().flatten()?;
    Some(SessionUser {
        id: UserId(id),
        role: session
            .get::<String>(SESSION_ROLE)
            .ok()
            .flatten()
            .unwrap_or_default(),
        label: session
            .get::<String>(SESSION_LABEL)
            .ok()
            .flatten()
            .unwrap_or_default(),
    })
}

#[derive(Clone)]
pub struct PageCtx {
    pub lang: Lang,
    pub user: Option<SessionUser>,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// Path and query of this request (without `lang`), for `next=` and language links.
    pub here: String,
    /// Unread inbox messages of the signed-in shopper (the header's badge).
    pub unread: i64,
}

impl PageCtx {
    /// A catalog message (templates: no copy, the catalog is static).
    pub fn t(&self, key: &str) -> std::borrow::Cow<'static, str> {
        self.lang.message(key)
    }

    /// A catalog message as an owned `String` (for views that keep it).
    pub fn text(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with its `%{value}` placeholder filled.
    pub fn tv(&self, key: &str, value: &str) -> String {
        self.text(key).replace("%{value}", value)
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.locale()
    }

    /// Picks the text in the page language from a (zh, en) pair.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn flash_text(&self) -> String {
        self.flash
            .as_ref()
            .map(|f| {
                let value = if f.value_is_key {
                    self.text(&f.value)
                } else {
                    f.value.clone()
                };
                self.tv(&f.key, &value)
            })
            .unwrap_or_default()
    }

    pub fn flash_kind(&self) -> &'static str {
        self.flash.as_ref().map_or("info", |f| f.kind.as_str())
    }

    pub fn time(&self, at: &NaiveDateTime) -> String {
        format_local(*at)
    }

    pub fn status_text(&self, status: &str) -> String {
        self.text(&format!("status.{status}"))
    }

    pub fn is_staff(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == Role::Staff.as_str())
    }

    /// The link that shows this page in the other language.
    pub fn other_lang_href(&self) -> String {
        let other = match self.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
        let sep = if self.here.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={}", self.here, other.code())
    }

    pub fn other_lang_name(&self) -> String {
        self.text("nav.other_language")
    }

    /// `/login?next=<this page>`.
    pub fn login_href(&self) -> String {
        format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", self.here.as_str())]).unwrap_or_default()
        )
    }

    /// `信用卡 VISA •••• 1111`: the kind in the page language and the masked method.
    pub fn method_label(&self, m: &PaymentMethod) -> String {
        format!("{} {}", self.kind_label(m.kind), m.describe())
    }

    /// `信用卡` / `Credit card`.
    pub fn kind_label(&self, kind: MethodKind) -> String {
        self.text(&format!("method.kind.{}", kind.as_str()))
    }

    pub fn status_label(&self, status: OrderStatus) -> String {
        self.status_text(status.as_str())
    }

    /// `全额支付` or `12 期`.
    pub fn plan_label(&self, plan: Plan) -> String {
        match plan {
            Plan::Installment { months } => self.tv("plan.installment_n", &months.to_string()),
            Plan::Full => self.text("plan.full"),
        }
    }
}

fn here_without_lang(req: &HttpRequest) -> String {
    let query: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if query.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{}", req.path(), query.join("&"))
    }
}

impl FromRequest for PageCtx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let flash = match session.get::<Flash>(SESSION_FLASH) {
            Ok(Some(f)) => {
                session.remove(SESSION_FLASH);
                Some(f)
            }
            _ => None,
        };
        let user = session_user(&session);
        // Read with the session, in the same round trip (see the store).
        let unread = match &user {
            Some(u) if u.role == Role::Shopper.as_str() => session
                .get::<i64>(crate::session_store::UNREAD)
                .ok()
                .flatten()
                .unwrap_or(0),
            _ => 0,
        };
        ready(Ok(PageCtx {
            lang: Lang::from_request(req),
            csrf: session
                .get::<String>(SESSION_CSRF)
                .ok()
                .flatten()
                .unwrap_or_default(),
            flash,
            here: here_without_lang(req),
            unread,
            user,
        }))
    }
}
