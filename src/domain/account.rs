//! Account identifiers (phone number or email) and password rules.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("enter a mobile number or an email address")]
    Invalid,
    #[error("the password must be 8 to 128 characters")]
    PasswordLength,
    #[error("the passwords do not match")]
    PasswordMismatch,
}

/// A normalized account: an 11-digit mainland mobile number (`+86`, spaces and
/// dashes dropped) or a lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account(String);

/// What an account may do: shop, or work service requests (staff are created
/// from the command line only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Shopper,
    Staff,
}

named_enum!(Role {
    Shopper => "shopper",
    Staff => "staff",
});

impl Account {
    pub fn parse(input: &str) -> Result<Account, AccountError> {
        let s = input.trim();
        if s.contains('@') {
            let lower = s.to_lowercase();
            let (user, domain) = lower.split_once('@').ok_or(AccountError::Invalid)?;
            let ok = !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && lower.len() <= 254
                && !lower.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@');
            return if ok {
                Ok(Account(lower))
            } else {
                Err(AccountError::Invalid)
            };
        }
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit)
        {
            Ok(Account(digits.to_string()))
        } else {
            Err(AccountError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, when the account is an email address.
    pub fn email(&self) -> Option<&str> {
        self.0.contains('@').then_some(self.0.as_str())
    }

    /// A form safe for logs and pages: `138****5678`, `a***@example.com`.
    pub fn masked(&self) -> String {
        super::card::mask_account_label(&self.0)
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 8 to 128 characters, and the confirmation must match.
pub fn check_new_password(password: &str, confirm: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(AccountError::PasswordLength);
    }
    if password != confirm {
        return Err(AccountError::PasswordMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_normalize() {
        assert_eq!(
            Account::parse(" 138-1234-5678 ").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Account::parse("+8613812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Account::parse("Alice@Example.COM").unwrap().as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn refuses_what_is_neither() {
        for bad in [
            "",
            "12345",
            "23812345678",
            "alice@",
            "@x.com",
            "a b@x.com",
            "alice@localhost",
        ] {
            assert_eq!(Account::parse(bad), Err(AccountError::Invalid), "{bad}");
        }
    }

    #[test]
    fn password_rules() {
        assert_eq!(
            check_new_password("short", "short"),
            Err(AccountError::PasswordLength)
        );
        assert_eq!(
            check_new_password("long enough", "long enougH"),
            Err(AccountError::PasswordMismatch)
        );
        assert_eq!(check_new_password("long enough", "long enough"), Ok(()));
    }
}
