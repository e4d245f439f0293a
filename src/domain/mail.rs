//! Email through an outbox (SPEC "Reminders"): each inbox message for an
//! account that is an email address gets one outbox entry; a sender claims
//! due entries for a lease, sends, and records the result. Failures are
//! retried with exponential backoff until sent or given up. Pure rules here:
//! states, the backoff, the lease, who gets mail.

use chrono::{Duration, NaiveDateTime};

use super::account::Account;

/// Where an outbox entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxState {
    /// Not yet sent (first try or a retry ahead).
    Pending,
    Sent,
    /// Given up: refused for good by the server, or out of attempts.
    Failed,
}

named_enum!(OutboxState {
    Pending => "pending",
    Sent => "sent",
    Failed => "failed",
});

/// One outbox entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i32,
    /// The inbox message it mails (one entry per message).
    pub message_id: i32,
    pub to_address: String,
    pub state: OutboxState,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    /// A sender holds the entry until then; after it, another may take over.
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Tries before an entry is given up (about 4¼ hours of retries in all).
pub const MAX_ATTEMPTS: i32 = 8;

/// How long a sender holds the entries it claimed: far longer than one
/// send takes (its SMTP timeout is 10 s each); a sender stops sending at
/// half of it (`service::mail::HALF_LEASE`).
pub const LEASE: Duration = Duration::minutes(5);

/// The wait after the `attempts`-th failed try: 1, 2, 4 … 64 minutes.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 7) - 1;
    Duration::minutes(1i64 << exponent)
}

/// What a failed try leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(NaiveDateTime),
    GiveUp,
}

/// The entry's fate after its `attempts`-th try failed at `now`; a failure
/// the server calls permanent (a 5xx: no such mailbox…) is not retried.
pub fn after_failure(attempts: i32, permanent: bool, now: NaiveDateTime) -> AfterFailure {
    if permanent || attempts >= MAX_ATTEMPTS {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(now + backoff(attempts))
    }
}

/// The address to mail, when the account is an email address (phone
/// accounts get the inbox only).
pub fn mail_address(account: &str) -> Option<String> {
    Account::parse(account)
        .ok()
        .and_then(|a| a.email().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 20)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn retries_back_off_exponentially_then_give_up() {
        let waits: Vec<i64> = (1..=8).map(|n| backoff(n).num_minutes()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 64]);
        assert_eq!(
            after_failure(1, false, at(8, 0)),
            AfterFailure::RetryAt(at(8, 1))
        );
        assert_eq!(
            after_failure(3, false, at(8, 0)),
            AfterFailure::RetryAt(at(8, 4))
        );
        assert_eq!(
            after_failure(MAX_ATTEMPTS - 1, false, at(8, 0)),
            AfterFailure::RetryAt(at(9, 4))
        );
        assert_eq!(
            after_failure(MAX_ATTEMPTS, false, at(8, 0)),
            AfterFailure::GiveUp
        );
        assert_eq!(after_failure(1, true, at(8, 0)), AfterFailure::GiveUp);
    }

    #[test]
    fn only_email_accounts_get_mail() {
        assert_eq!(
            mail_address("Alice@Example.com").as_deref(),
            Some("alice@example.com")
        );
        assert_eq!(mail_address("13800138000"), None);
        for s in OutboxState::ALL {
            assert_eq!(s.as_str().parse::<OutboxState>(), Ok(s));
        }
    }
}
