//! The page: plain HTML, CSS and JavaScript compiled into the binary, and the bundled font.
//! No build step, nothing loaded from elsewhere (the page works without a network).

use super::api::Reply;
use crate::report::charts::style::FONT_BYTES;

/// The page's HTML.
pub const INDEX_HTML: &str = include_str!("page/index.html");
/// The page's script.
pub const APP_JS: &str = include_str!("page/app.js");
/// The page's style sheet.
pub const STYLE_CSS: &str = include_str!("page/style.css");

fn asset(content_type: &'static str, body: &[u8]) -> Reply {
    Reply {
        status: 200,
        content_type,
        body: body.to_vec(),
        filename: None,
    }
}

pub(super) fn index() -> Reply {
    asset("text/html; charset=utf-8", INDEX_HTML.as_bytes())
}

pub(super) fn script() -> Reply {
    asset("text/javascript; charset=utf-8", APP_JS.as_bytes())
}

pub(super) fn style() -> Reply {
    asset("text/css; charset=utf-8", STYLE_CSS.as_bytes())
}

pub(super) fn font() -> Reply {
    asset("font/ttf", FONT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::i18n::Key;

    /// Every string name the page uses (`data-i18n="Name"` in the HTML, `t("Name"` in the
    /// script).
    fn names_used() -> Vec<String> {
        let mut out = Vec::new();
        for part in INDEX_HTML.split("data-i18n=\"").skip(1) {
            if let Some((name, _)) = part.split_once('"') {
                out.push(name.to_string());
            }
        }
        // Calls of the script's `t("Name", ...)`, not of other functions ending in `t`.
        let mut rest = APP_JS;
        while let Some(i) = rest.find("t(\"") {
            let before = rest[..i].chars().next_back();
            let after = &rest[i + 3..];
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                && let Some((name, _)) = after.split_once('"')
            {
                out.push(name.to_string());
            }
            rest = after;
        }
        out
    }

    #[test]
    fn every_string_the_page_uses_is_in_the_translation_table() {
        let names = names_used();
        assert!(names.len() >= 10, "the page names its strings: {names:?}");
        assert!(
            names.iter().any(|n| n == "UiBoothBar"),
            "the script's strings are found too: {names:?}"
        );
        for n in names {
            assert!(
                Key::ALL.iter().any(|k| k.name() == n),
                "the page uses {n:?}, which is not in src/report/i18n.rs (add it in English and Spanish)"
            );
        }
    }

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        for text in [INDEX_HTML, APP_JS, STYLE_CSS] {
            assert!(!text.contains("http://") && !text.contains("https://"));
            assert!(!text.contains("//cdn"));
        }
    }
}
