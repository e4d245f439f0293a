//! A real SMTP server for the tests, on a free port: it speaks enough of
//! RFC 5321 for any client (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing,
//! RSET, NOOP, QUIT), keeps every message it accepts, and can be told to
//! refuse the next deliveries with a temporary (451) or permanent (550)
//! reply, as a busy or strict server would.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and body), as sent.
    pub data: String,
}

impl Received {
    /// The decoded `Subject`.
    pub fn subject(&self) -> String {
        self.parsed()
            .subject()
            .map(str::to_owned)
            .unwrap_or_default()
    }

    /// The decoded text body.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|b| b.into_owned())
            .unwrap_or_default()
    }

    pub fn message_id(&self) -> String {
        self.parsed()
            .message_id()
            .map(str::to_owned)
            .unwrap_or_default()
    }

    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .expect("a parseable message")
    }
}

/// How the next deliveries are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refuse {
    /// `451` at MAIL FROM: try again later.
    Temporarily(usize),
    /// `550` at RCPT TO: no such mailbox.
    Permanently(usize),
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    refuse: Option<Refuse>,
    /// Delivery attempts (MAIL FROM commands) seen, accepted or not.
    attempts: usize,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let for_task = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, for_task.clone()));
            }
        });
        SmtpSink { port, shared }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    pub fn attempts(&self) -> usize {
        self.shared.lock().unwrap().attempts
    }

    pub fn refuse(&self, how: Refuse) {
        self.shared.lock().unwrap().refuse = Some(how);
    }
}

/// Takes one refusal of the kind asked for, if any are left.
fn take_refusal(shared: &Mutex<Shared>, permanent: bool) -> bool {
    let mut s = shared.lock().unwrap();
    match s.refuse {
        Some(Refuse::Temporarily(n)) if !permanent && n > 0 => {
            s.refuse = Some(Refuse::Temporarily(n - 1));
            true
        }
        Some(Refuse::Permanently(n)) if permanent && n > 0 => {
            s.refuse = Some(Refuse::Permanently(n - 1));
            true
        }
        _ => false,
    }
}

async fn session(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 sink.test ESMTP\r\n").await.is_err() {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let answer: String = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into(),
            "HELO" => "250 sink.test\r\n".into(),
            "MAIL" => {
                shared.lock().unwrap().attempts += 1;
                if take_refusal(&shared, false) {
                    "451 4.3.0 try again later\r\n".into()
                } else {
                    from = address_in(&command);
                    to.clear();
                    "250 OK\r\n".into()
                }
            }
            "RCPT" => {
                if take_refusal(&shared, true) {
                    "550 5.1.1 no such mailbox\r\n".into()
                } else {
                    to.push(address_in(&command));
                    "250 OK\r\n".into()
                }
            }
            "DATA" => {
                if write.write_all(b"354 end with .\r\n").await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                shared.lock().unwrap().received.push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                "250 OK queued\r\n".into()
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 OK\r\n".into()
            }
            "NOOP" => "250 OK\r\n".into(),
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 not implemented\r\n".into(),
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// `MAIL FROM:<a@b> SIZE=1` → `a@b`.
fn address_in(command: &str) -> String {
    command
        .split('<')
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_default()
        .to_owned()
}
