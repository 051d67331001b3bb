//! The pieces of markup the report page's sections share: the stylesheet, dates, statuses
//! and links into the pack.

use chrono::NaiveDate;

use crate::model::Status;

/// The page's stylesheet, screen and print.
pub(super) const STYLE: &str = include_str!("report.css");

/// A day, or a dash when there is none.
pub(super) fn date_or_dash(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "—".to_string(), |d| d.to_string())
}

/// A status as a coloured dot and its label.
pub(super) fn status_html(status: Status) -> String {
    format!(
        "<span class=\"status st-{}\"><span aria-hidden=\"true\">●</span> {}</span>",
        status.as_str(),
        status.label()
    )
}

/// Percent-encodes a pack path for an `href`, keeping `/` so the link stays relative.
pub(super) fn encode_href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
