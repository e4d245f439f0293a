//! Email of reminders and notices (SPEC "Reminders"): every inbox message
//! for an account that is an email address is put in the outbox in the
//! message's own transaction ([`enqueue`]); [`dispatch`], run by the jobs
//! when `--smtp-url` is set, claims due entries under the write lock for a
//! lease, sends each outside any transaction, and records the result —
//! sent, or retried with backoff, or given up.
//!
//! Exactly once per instalment and kind: the inbox message is unique per
//! instalment and kind, the outbox entry unique per message, and an entry is
//! claimed by one sender at a time (across app servers) and never sent again
//! once recorded sent (across restarts). The one gap SMTP leaves — a crash
//! after the server accepted the mail but before `sent` was written — is a
//! resend after the lease with the same `Message-ID`, which mail systems use
//! to drop duplicates.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::db::{Conn, Db, mail, messages, orders, users};
use crate::domain::ids::UserId;
use crate::domain::mail::{AfterFailure, OutboxEntry, after_failure, mail_address};
use crate::domain::message::{Message, MessageKind};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::mailer::{Mailer, Outgoing, SendError};

/// How many entries one pass claims.
const BATCH: i64 = 50;

/// How long one pass may spend sending before it stops (half the lease).
const HALF_LEASE: std::time::Duration = std::time::Duration::from_secs(150);

/// What sends the outbox: the SMTP connection and the shop's public address
/// (for the links in each email).
#[derive(Debug, Clone)]
pub struct Postman {
    pub mailer: Mailer,
    /// `https://shop.example.com`, without a trailing slash.
    pub public_url: String,
}

/// Puts message `message_id` of `user` in the outbox when the account is an
/// email address. In the message's transaction.
pub(crate) fn enqueue(
    conn: &mut Conn,
    user: UserId,
    message_id: i32,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let Some(address) = users::find_user(conn, user)?.and_then(|u| mail_address(&u.account)) else {
        return Ok(false);
    };
    Ok(mail::insert_pending(conn, message_id, &address, now)?)
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailReport {
    pub sent: usize,
    /// Failed this time, to be tried again later.
    pub retrying: usize,
    /// Given up for good.
    pub failed: usize,
}

/// Sends every due entry once: claim (one transaction), send (none), record
/// each result (one transaction each).
pub async fn dispatch(
    db: &Db,
    postman: &Arc<Postman>,
    now: NaiveDateTime,
) -> Result<MailReport, AppError> {
    let claimed = db
        .write(move |conn| {
            let entries = mail::claim_due(conn, now, BATCH)?;
            entries
                .into_iter()
                .map(|entry| {
                    let message =
                        messages::find(conn, entry.message_id)?.ok_or(AppError::NotFound)?;
                    let order_no = orders::find_order(conn, message.order_id)?
                        .map(|o| o.order_no)
                        .unwrap_or_default();
                    Ok((entry, message, order_no))
                })
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    let mut report = MailReport::default();
    let started = std::time::Instant::now();
    for (entry, message, order_no) in claimed {
        // A slow mail server must not let the lease run out under entries
        // still to send (another server would take them over and both
        // would send): stop at half the lease; the rest wait for it to pass.
        if started.elapsed() > HALF_LEASE {
            tracing::warn!(
                outbox_id = entry.id,
                "mail server slow; leaving the rest of the batch for later"
            );
            break;
        }
        let outgoing = compose(&entry, &message, &order_no, &postman.public_url);
        let sender = postman.clone();
        let sent = super::off_thread(move || sender.mailer.send(&outgoing)).await?;
        let id = entry.id;
        let attempts = entry.attempts + 1;
        match sent {
            Ok(()) => {
                db.write(move |conn| Ok(mail::record_sent(conn, id, now)?))
                    .await?;
                report.sent += 1;
            }
            Err(e) => {
                let permanent = matches!(e, SendError::Permanent(_));
                let retry = match after_failure(attempts, permanent, now) {
                    AfterFailure::RetryAt(at) => Some(at),
                    AfterFailure::GiveUp => None,
                };
                tracing::warn!(outbox_id = id, attempts, error = %e, retry = ?retry, "email not sent");
                let error = e.to_string();
                db.write(move |conn| Ok(mail::record_failure(conn, id, &error, retry)?))
                    .await?;
                if retry.is_some() {
                    report.retrying += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

/// The email for one message: Chinese first, then English (the shop has no
/// per-account language); date, amount, method (last four), the decline
/// reason, and links to the order (where the method is changed) and the
/// repayment center.
pub fn compose(entry: &OutboxEntry, m: &Message, order_no: &str, public_url: &str) -> Outgoing {
    let part = |lang: Lang| -> (String, String) {
        let t = |key: &str| lang.t(key);
        let headline = match (m.kind, &m.reason) {
            (MessageKind::Declined, Some(r)) => {
                t("message.declined").replace("%{value}", &t(&format!("decline.{r}")))
            }
            (kind, _) => t(&format!("message.{}", kind.as_str())),
        };
        let subject = t(&format!("mail.subject.{}", m.kind.as_str()))
            .replace("%{amount}", &m.amount_fen.to_string())
            .replace("%{date}", &m.due_on.to_string());
        let body = [
            headline,
            format!("{} {order_no}", t("mail.order")),
            format!("{} {}", t("mail.due"), m.due_on),
            format!("{} {}", t("mail.amount"), m.amount_fen),
            format!("{} {}", t("mail.method"), m.method),
            format!(
                "{} {public_url}/orders/{order_no}#repayment-method",
                t("mail.change_link")
            ),
            format!("{} {public_url}/repayments", t("mail.center_link")),
        ]
        .join("\n");
        (subject, body)
    };
    let (zh_subject, zh_body) = part(Lang::Zh);
    let (en_subject, en_body) = part(Lang::En);
    Outgoing {
        to: entry.to_address.clone(),
        subject: format!("{zh_subject} | {en_subject}"),
        body: format!("{zh_body}\n\n---\n\n{en_body}\n"),
        message_id: format!(
            "<outbox-{}.{}@storefront.mail>",
            entry.id,
            m.dedupe_key.replace([':', '#'], "-")
        ),
    }
}

/// The outbox, oldest first (operations and tests).
pub async fn outbox(db: &Db) -> Result<Vec<OutboxEntry>, AppError> {
    db.read(|conn| Ok(mail::list_all(conn)?)).await
}

/// Entries still to send.
pub async fn pending(db: &Db) -> Result<i64, AppError> {
    db.read(|conn| Ok(mail::count_pending(conn)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_stops_sending_at_half_the_lease() {
        let lease = crate::domain::mail::LEASE.num_seconds();
        assert_eq!(i64::try_from(HALF_LEASE.as_secs()).unwrap() * 2, lease);
    }
}
