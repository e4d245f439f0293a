//! One-time form tokens: every state-changing form carries one, so a repeated
//! submit (double click, back button, retry) lands on the first one's result
//! (SPEC rule 5). A token is checked and claimed inside the same immediate
//! transaction as the effect it guards, so no two requests can both pass.

use chrono::NaiveDateTime;
use rand::distr::{Alphanumeric, SampleString};

use crate::db::Conn;
use crate::db::orders;
use crate::domain::ids::UserId;
use crate::error::AppError;

/// A fresh token for the forms of a page.
pub fn new_token() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 32)
}

/// A sent token, if it looks like one (1–64 ASCII letters and digits).
pub fn parse_token(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| t.to_owned())
}

/// Whether the token was used before.
pub fn used(conn: &mut Conn, token: Option<&str>) -> Result<bool, AppError> {
    match token {
        Some(t) => Ok(orders::form_token_exists(conn, t)?),
        None => Ok(false),
    }
}

/// Claims the token as part of the effect it guards.
pub fn claim(
    conn: &mut Conn,
    user: UserId,
    token: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if let Some(t) = token {
        orders::claim_form_token(conn, user, t, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_alphanumeric_tokens_are_accepted() {
        assert_eq!(parse_token(" abc123 "), Some("abc123".into()));
        assert_eq!(parse_token(""), None);
        assert_eq!(parse_token("a-b"), None);
        assert_eq!(parse_token(&"x".repeat(65)), None);
        assert_eq!(parse_token(&new_token()).map(|t| t.len()), Some(32));
    }
}
