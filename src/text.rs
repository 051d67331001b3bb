//! Untrusted text made safe to show on one line of a terminal or a message.

use std::borrow::Cow;

/// Text as a terminal line can show it: control characters (line breaks, tabs, escape)
/// and the invisible characters that reorder or hide text (bidi overrides and isolates,
/// direction marks) are written as Rust-style escapes such as `\n` and `\u{202e}`.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether a character would break a line of a table or change how its text reads.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_line_breaks_controls_and_direction_changes_only() {
        assert_eq!(shown("plain é 名前"), "plain é 名前");
        assert_eq!(shown("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(shown("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(
            shown("\u{202e}fdp.exe \u{2066}\u{200f}"),
            "\\u{202e}fdp.exe \\u{2066}\\u{200f}"
        );
        assert!(matches!(shown("no change"), Cow::Borrowed(_)));
    }
}
