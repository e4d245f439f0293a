//! Messages that quote amounts ("orders of ¥300.00 or more…") carry them as
//! `{fen:30000}` tokens, so the page can render every amount in its
//! `data-fen` element like any other money (SPEC: every amount shown sits in
//! an element with `data-fen`).

use crate::domain::Fen;

/// The token standing for `amount` inside a message.
pub fn fen_token(amount: Fen) -> String {
    format!("{{fen:{}}}", amount.0)
}

/// A run of message text, or an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub fen: Option<Fen>,
}

/// Splits a message at its `{fen:N}` tokens.
pub fn pieces(message: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(start) = rest.find("{fen:") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let Ok(n) = rest[start + 5..start + len].parse::<i64>() else {
            break;
        };
        if start > 0 {
            out.push(Piece {
                text: rest[..start].to_owned(),
                fen: None,
            });
        }
        out.push(Piece {
            text: Fen(n).to_string(),
            fen: Some(Fen(n)),
        });
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece {
            text: rest.to_owned(),
            fen: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_messages_become_their_own_pieces() {
        let msg = format!(
            "满 {} 才可分期，差 {}。",
            fen_token(Fen(30_000)),
            fen_token(Fen(1))
        );
        let p = pieces(&msg);
        assert_eq!(p.len(), 5);
        assert_eq!(
            p[1],
            Piece {
                text: "¥300.00".into(),
                fen: Some(Fen(30_000))
            }
        );
        assert_eq!(p[3].fen, Some(Fen(1)));
        assert_eq!(
            pieces("no amount"),
            vec![Piece {
                text: "no amount".into(),
                fen: None
            }]
        );
        assert_eq!(pieces("{fen:x}").len(), 1, "malformed tokens stay text");
    }
}
