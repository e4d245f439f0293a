//! Sending email over SMTP with `lettre` (SPEC "Reminders": `--smtp-url`,
//! `--mail-from`). `smtp://host:port` speaks plain SMTP (a relay on the same
//! host or network), `smtp://…?tls=required` upgrades with STARTTLS and
//! `smtps://` uses TLS from the start; `user:password@` in the URL
//! authenticates. Sends are blocking: callers run them off the async workers.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};

/// One email to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// A stable `Message-ID` (`<…@…>`): a resend after a crash carries the
    /// same one, so mail systems can drop the duplicate.
    pub message_id: String,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth another try later (server busy, connection lost…).
    #[error("temporary: {0}")]
    Temporary(String),
    /// The server refused it for good (a 5xx: no such mailbox…), or the
    /// message itself cannot be built (a malformed address).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// An SMTP connection setting and the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// How long one send may take before it counts as a temporary failure.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

impl Mailer {
    /// Checks the URL and the sender's address (at start, so a typo stops
    /// the server rather than every email).
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = SmtpTransport::from_url(smtp_url)
            .map_err(|e| anyhow::anyhow!("--smtp-url {smtp_url:?}: {e}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("--mail-from {from:?}: {e}"))?;
        Ok(Mailer { transport, from })
    }

    pub fn send(&self, mail: &Outgoing) -> Result<(), SendError> {
        let to = mail
            .to
            .parse::<Mailbox>()
            .map_err(|e| SendError::Permanent(format!("address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| SendError::Permanent(format!("message: {e}")))?;
        self.transport.send(&message).map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                SendError::Permanent(e.to_string())
            } else {
                SendError::Temporary(e.to_string())
            }
        })
    }
}
