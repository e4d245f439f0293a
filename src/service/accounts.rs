//! Registration, sign-in with a per-account throttle, and staff creation.

use std::sync::OnceLock;

use super::hashing::Hasher;
use chrono::{Duration, NaiveDateTime};

use crate::db::{Conn, Db, users};
use crate::domain::account::{Account, AccountError, Role, check_new_password};
use crate::domain::ids::UserId;
use crate::error::AppError;

/// Failures in a row after which an account is locked for [`LOCK_FOR`].
pub const MAX_FAILURES: i32 = 5;
pub const LOCK_FOR: Duration = Duration::minutes(15);

/// Who is signed in, as kept in the session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: UserId,
    pub role: Role,
    pub label: String,
}

impl SignedIn {
    fn of(user: &users::User) -> SignedIn {
        SignedIn {
            user_id: user.id,
            role: user.role,
            label: Account::parse(&user.account)
                .map(|a| a.masked())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterError {
    Account(AccountError),
    Taken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    Invalid,
    Throttled { minutes: i64 },
}

pub use super::hashing::hash_password;
use super::hashing::verify_password;

/// A real hash to verify against when the account does not exist, so that
/// answering "wrong account" takes as long as "wrong password".
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

pub async fn register(
    db: &Db,
    hasher: &Hasher,
    account: &str,
    password: &str,
    confirm: &str,
    now: NaiveDateTime,
) -> Result<Result<SignedIn, RegisterError>, AppError> {
    let account = match Account::parse(account) {
        Ok(a) => a,
        Err(e) => return Ok(Err(RegisterError::Account(e))),
    };
    if let Err(e) = check_new_password(password, confirm) {
        return Ok(Err(RegisterError::Account(e)));
    }
    let password = password.to_owned();
    let hash = hasher.run(move || hash_password(&password)).await??;
    db.write(move |conn| {
        Ok(
            create_account_in(conn, &account, &hash, Role::Shopper, now)?
                .ok_or(RegisterError::Taken),
        )
    })
    .await
}

/// Creates an account with an already hashed password inside the caller's
/// transaction; `None` when the account is taken.
pub fn create_account_in(
    conn: &mut Conn,
    account: &Account,
    password_hash: &str,
    role: Role,
    now: NaiveDateTime,
) -> Result<Option<SignedIn>, AppError> {
    let new = users::NewUser {
        account: account.as_str(),
        password_hash,
        role,
        created_at: now,
    };
    Ok(users::insert_user(conn, &new)?.map(|u| SignedIn::of(&u)))
}

pub async fn login(
    db: &Db,
    hasher: &Hasher,
    account: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<Result<SignedIn, LoginError>, AppError> {
    let Ok(account) = Account::parse(account) else {
        return Ok(Err(LoginError::Invalid));
    };
    let key = account.as_str().to_owned();
    let (throttle, user) = db
        .read(move |conn| {
            Ok((
                users::find_throttle(conn, &key)?,
                users::find_user_by_account(conn, &key)?,
            ))
        })
        .await?;
    if let Some(until) = throttle.as_ref().and_then(|t| t.locked_until)
        && until > now
    {
        let minutes = ((until - now).num_seconds() + 59) / 60;
        return Ok(Err(LoginError::Throttled { minutes }));
    }
    let password = password.to_owned();
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let verified = hasher
        .run(move || verify_password(&password, &hash))
        .await?
        && user.is_some();
    let key = account.as_str().to_owned();
    match user {
        Some(user) if verified => {
            if throttle.is_some() {
                db.write(move |conn| Ok(users::clear_throttle(conn, &key)?))
                    .await?;
            }
            Ok(Ok(SignedIn::of(&user)))
        }
        _ => {
            let failures = db
                .write(move |conn| {
                    // Re-read inside the write lock so racing failures all count.
                    let failures = users::find_throttle(conn, &key)?.map_or(0, |t| t.failures) + 1;
                    let locked_until = (failures >= MAX_FAILURES).then(|| now + LOCK_FOR);
                    users::save_throttle(conn, &key, failures, locked_until)?;
                    Ok(failures)
                })
                .await?;
            tracing::info!(failures, "sign-in failed");
            if failures >= MAX_FAILURES {
                Ok(Err(LoginError::Throttled {
                    minutes: LOCK_FOR.num_minutes(),
                }))
            } else {
                Ok(Err(LoginError::Invalid))
            }
        }
    }
}

/// Checks a signed-in user's password again (identity confirmation).
pub async fn confirm_password(
    db: &Db,
    hasher: &Hasher,
    user: UserId,
    password: &str,
) -> Result<bool, AppError> {
    let found = db
        .read(move |conn| Ok(users::find_user(conn, user)?))
        .await?;
    let Some(found) = found else { return Ok(false) };
    let password = password.to_owned();
    hasher
        .run(move || verify_password(&password, &found.password_hash))
        .await
}

/// Creates a service agent (command line only). Blocking: start-up and CLI use.
pub fn create_staff(
    db: &Db,
    account: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let account =
        Account::parse(account).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    check_new_password(password, password)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let hash = hash_password(password)?;
    db.write_blocking(
        |conn| match create_account_in(conn, &account, &hash, Role::Staff, now)? {
            Some(_) => Ok(()),
            None => Err(AppError::Internal(anyhow::anyhow!(
                "account already exists"
            ))),
        },
    )
}
