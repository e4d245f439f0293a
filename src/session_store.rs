//! actix-session's `SessionStore` backed by the `sessions` table, so logout
//! truly ends a session and app servers stay stateless. The cookie carries
//! only the random session id.
//!
//! The table stores SHA-256 of the session id, never the id itself: a copy of
//! the database does not let anyone take over a live session.
//!
//! Expiry: a session ends after `idle` without use or `absolute` after it was
//! created, whichever comes first. A request refreshes the idle deadline at
//! most once a minute, so page views do not write on every request.

use std::collections::HashMap;
use std::sync::Arc;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::Duration;
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::db::{Db, sessions};

type SessionState = HashMap<String, String>;

/// The row key for a session id.
fn storage_id(session_id: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(session_id.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    hex
}

/// Session state key of a value derived at load, not kept: the signed-in
/// user's unread inbox messages (the header's badge), read in the same
/// round trip as the session itself.
pub const UNREAD: &str = "unread";

/// Session state key of a value derived at load, not kept: the signed-in
/// user's revision (migration 000008), which moves with every write to what
/// their order pages show — read with the session, it tells whether a page
/// built earlier still holds.
pub const REVISION: &str = "revision";

/// Session state key of the signed-in user's id (set at sign-in).
pub const USER: &str = "uid";

/// The signed-in user named by the state, if any.
fn user_of(state: &SessionState) -> Option<i32> {
    state.get(USER).and_then(|v| v.parse::<i32>().ok())
}

/// The state as stored: without the values derived at load ([`UNREAD`],
/// [`REVISION`]).
fn stored_json(state: &SessionState) -> serde_json::Result<String> {
    if !state.contains_key(UNREAD) && !state.contains_key(REVISION) {
        return serde_json::to_string(state);
    }
    let mut kept = state.clone();
    kept.remove(UNREAD);
    kept.remove(REVISION);
    serde_json::to_string(&kept)
}

/// Refresh the idle deadline only when less than `idle - REFRESH_GRACE` remains.
const REFRESH_GRACE: Duration = Duration::minutes(1);

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: Arc<dyn Clock>,
    idle: Duration,
    absolute: Duration,
}

impl DbSessionStore {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        idle: Duration,
        absolute: Duration,
    ) -> DbSessionStore {
        DbSessionStore {
            db,
            clock,
            idle,
            absolute,
        }
    }

    async fn insert(&self, state: &SessionState) -> Result<SessionKey, anyhow::Error> {
        let json = stored_json(state)?;
        let now = self.clock.now();
        let id = Alphanumeric.sample_string(&mut rand::rng(), 64);
        let row = sessions::SessionRow {
            id: storage_id(&id),
            state: json,
            created_at: now,
            expires_at: now + self.idle,
            user_id: user_of(state),
        };
        self.db
            .write(move |conn| Ok(sessions::insert_session(conn, &row)?))
            .await?;
        SessionKey::try_from(id).map_err(|e| anyhow::anyhow!("session key: {e}"))
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        let id = storage_id(session_key.as_ref());
        let now = self.clock.now();
        let lookup = id.clone();
        let clock = sessions::SessionClock {
            now,
            created_cutoff: now - self.absolute,
            refresh_before: now + self.idle - REFRESH_GRACE,
        };
        let found = self
            .db
            .query(move |conn| Ok(sessions::find_session(conn, &lookup, &clock)?))
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        let Some(found) = found else {
            return Ok(None);
        };
        if !found.live {
            self.db
                .write(move |conn| Ok(sessions::delete_session(conn, &id)?))
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
            return Ok(None);
        }
        if found.stale {
            let expires = now + self.idle;
            self.db
                .write(move |conn| Ok(sessions::touch_session(conn, &id, expires)?))
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
        }
        let (unread, revision) = (found.unread, found.revision);
        let state = serde_json::from_str::<SessionState>(&found.state);
        let mut state = state.map_err(|e| LoadError::Deserialization(e.into()))?;
        state.insert(UNREAD.to_owned(), unread.to_string());
        if let Some(revision) = revision {
            state.insert(REVISION.to_owned(), revision.to_string());
        }
        Ok(Some(state))
    }

    async fn save(
        &self,
        session_state: SessionState,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        self.insert(&session_state).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: SessionState,
        _ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let json = stored_json(&session_state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let id = storage_id(session_key.as_ref());
        let expires = self.clock.now() + self.idle;
        let user = user_of(&session_state);
        let updated = self
            .db
            .write(move |conn| Ok(sessions::update_session(conn, &id, &json, user, expires)?))
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            Ok(session_key)
        } else {
            // The session ended meanwhile (logout elsewhere, expiry): start a fresh one.
            self.insert(&session_state)
                .await
                .map_err(UpdateError::Other)
        }
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        _ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        let id = storage_id(session_key.as_ref());
        let expires = self.clock.now() + self.idle;
        self.db
            .write(move |conn| Ok(sessions::touch_session(conn, &id, expires)?))
            .await?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = storage_id(session_key.as_ref());
        self.db
            .write(move |conn| Ok(sessions::delete_session(conn, &id)?))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod stored_state_tests {
    use super::*;

    #[test]
    fn values_derived_at_load_are_not_stored() {
        let state: SessionState = [
            (USER.to_owned(), "42".to_owned()),
            (UNREAD.to_owned(), "3".to_owned()),
            (REVISION.to_owned(), "17".to_owned()),
        ]
        .into_iter()
        .collect();
        let stored: SessionState = serde_json::from_str(&stored_json(&state).unwrap()).unwrap();
        assert_eq!(stored.get(USER).map(String::as_str), Some("42"));
        assert!(!stored.contains_key(UNREAD));
        assert!(!stored.contains_key(REVISION));
        assert_eq!(user_of(&state), Some(42));
    }
}

#[cfg(test)]
mod storage_id_tests {
    #[test]
    fn storage_id_is_the_lowercase_hex_sha256_of_the_session_id() {
        // sha256("abc"), the FIPS 180-2 example.
        assert_eq!(
            super::storage_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
