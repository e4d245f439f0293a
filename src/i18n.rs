//! Languages and the message catalog (rust-i18n, `src/locales/*.yml`).
//! Chinese is the default; `?lang=` switches and a cookie remembers it,
//! otherwise `Accept-Language` decides.

use std::borrow::Cow;
use std::sync::LazyLock;

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;

pub const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Catalog locale.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `?lang=` and cookie value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `?lang=` wins, then the cookie, then `Accept-Language`, then Chinese.
    pub fn from_request(req: &HttpRequest) -> Lang {
        query_lang(req.query_string())
            .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
            .or_else(|| {
                req.headers()
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|h| h.to_str().ok())
                    .and_then(from_accept_language)
            })
            .unwrap_or_default()
    }

    pub fn t(self, key: &str) -> String {
        text(self.locale(), key)
    }

    /// [`Lang::t`] without copying the message (for templates).
    pub fn message(self, key: &str) -> std::borrow::Cow<'static, str> {
        let catalog = match self {
            Lang::Zh => &CATALOG[0],
            Lang::En => &CATALOG[1],
        };
        match catalog.get(key) {
            Some(text) => text.clone(),
            None => message(self.locale(), key),
        }
    }
}

/// The `lang` query parameter, if it names a language.
pub fn query_lang(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

/// The preferred of Chinese and English by quality; `None` if neither is named.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(u32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, parse_quality);
        let lang = if tag.starts_with("zh") {
            Lang::Zh
        } else if tag.starts_with("en") {
            Lang::En
        } else {
            continue;
        };
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// `q=0.8` → 800, without floats.
fn parse_quality(q: &str) -> u32 {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    let int: u32 = int.parse().unwrap_or(0);
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    (int * 1000 + frac.parse::<u32>().unwrap_or(0)).min(1000)
}

/// The catalog copied once into one map a language (Chinese, English): a
/// page's dozens of lookups each hash the key once with foldhash, where
/// rust-i18n hashes the locale and then the key with SipHash. A key missing
/// here still goes through rust-i18n.
static CATALOG: LazyLock<[foldhash::HashMap<&'static str, Cow<'static, str>>; 2]> =
    LazyLock::new(|| {
        let keys = catalog_keys(include_str!("locales/app.yml"));
        [Lang::Zh, Lang::En].map(|lang| {
            keys.iter()
                .filter_map(|key| {
                    Some((*key, crate::_rust_i18n_try_translate(lang.locale(), key)?))
                })
                .collect()
        })
    });

/// The message keys of the catalog file: its unindented `key:` lines.
fn catalog_keys(yaml: &'static str) -> Vec<&'static str> {
    yaml.lines()
        .filter(|line| !line.starts_with([' ', '#', '_']))
        .filter_map(|line| line.strip_suffix(':'))
        .collect()
}

/// A catalog message; a missing key shows as the key itself (caught by tests).
pub fn text(locale: &str, key: &str) -> String {
    message(locale, key).into_owned()
}

/// [`text`] without copying it: the catalog is static.
pub fn message(locale: &str, key: &str) -> std::borrow::Cow<'static, str> {
    crate::_rust_i18n_try_translate(locale, key).unwrap_or_else(|| format!("{locale}.{key}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_map_holds_every_message_as_rust_i18n_gives_it() {
        let keys = catalog_keys(include_str!("locales/app.yml"));
        assert!(keys.len() > 300, "{} keys", keys.len());
        assert!(keys.contains(&"nav.skip") && !keys.contains(&"_version"));
        for lang in [Lang::Zh, Lang::En] {
            for key in &keys {
                let expected = crate::_rust_i18n_try_translate(lang.locale(), key)
                    .unwrap_or_else(|| panic!("{key} has no {} text", lang.locale()));
                assert_eq!(lang.message(key), expected, "{key}");
            }
            assert_eq!(
                lang.message("no.such.key"),
                format!("{}.no.such.key", lang.locale())
            );
        }
        assert_eq!(Lang::Zh.message("nav.skip"), "跳到主要内容");
        assert_eq!(Lang::En.message("nav.skip"), "Skip to main content");
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            from_accept_language("fr-FR, en;q=0.5, zh;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(from_accept_language("de-DE"), None);
        assert_eq!(from_accept_language("en;q=0"), None);
    }

    #[test]
    fn query_parameter_is_read() {
        assert_eq!(query_lang("page=2&lang=en"), Some(Lang::En));
        assert_eq!(query_lang("lang=xx"), None);
    }

    #[test]
    fn messages_read_again_are_the_same_and_missing_keys_show_as_keys() {
        for _ in 0..2 {
            assert_eq!(message("zh-CN", "nav.orders"), "我的订单");
            assert_eq!(message("en", "nav.orders"), "My orders");
            assert_eq!(message("en", "no.such.key"), "en.no.such.key");
        }
    }

    #[test]
    fn catalog_has_both_languages() {
        assert_eq!(text("zh-CN", "nav.orders"), "我的订单");
        assert_eq!(text("en", "nav.orders"), "My orders");
    }
}
