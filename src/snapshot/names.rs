//! File names that are safe inside a zip on every operating system: no `..`, no absolute
//! paths, no characters Windows reserves, no reserved device names, no trailing dots or
//! spaces, not too long, and no two alike in one folder. Bidirectional control characters
//! are dropped too: `invoice\u{202E}fdp.exe` would show as `invoiceexe.pdf` and hide what
//! the file really is.

use std::collections::HashSet;

/// The longest name a path component may have, in characters.
pub const MAX_NAME_CHARS: usize = 100;

const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Whether `c` changes the direction text is shown in: the embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One path component made safe: bidirectional control characters go, reserved and
/// control characters become `_`, leading and trailing dots and spaces go, reserved device
/// names get a `_`, and long names are shortened keeping their extension. Never empty,
/// never `.` or `..`.
pub fn safe_component(name: &str) -> String {
    let mut out: String = name
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    out = out.trim_matches(|c: char| c == '.' || c == ' ').to_string();
    if out.is_empty() {
        out = "file".to_string();
    }
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    if RESERVED.contains(&stem.trim()) {
        out = format!("_{out}");
    }
    shorten(&out, MAX_NAME_CHARS)
}

/// Shortens a name to at most `max` characters, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => {
            (stem, format!(".{ext}"))
        }
        _ => (name, String::new()),
    };
    let keep = max.saturating_sub(extension.chars().count() + 1);
    let stem: String = stem.chars().take(keep).collect();
    format!("{}~{extension}", stem.trim_end_matches(['.', ' ']))
}

/// Hands out names within one folder, numbering clashes: `report.pdf`, `report (2).pdf`.
/// Names are compared without regard to case, as Windows and macOS do.
#[derive(Debug, Default)]
pub struct Folder {
    taken: HashSet<String>,
}

impl Folder {
    /// A safe, unique name in this folder for `name`.
    pub fn name(&mut self, name: &str) -> String {
        let safe = safe_component(name);
        let mut candidate = safe.clone();
        let mut number = 2;
        while !self.taken.insert(candidate.to_lowercase()) {
            candidate = match safe.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({number}).{ext}"),
                _ => format!("{safe} ({number})"),
            };
            number += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_components() {
        assert_eq!(safe_component("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_component("/abs/path.txt"), "_abs_path.txt");
        assert_eq!(
            safe_component("a<b>c:d\"e|f?g*h.pdf"),
            "a_b_c_d_e_f_g_h.pdf"
        );
        assert_eq!(safe_component(".."), "file");
        assert_eq!(safe_component(" report. "), "report");
        assert_eq!(safe_component("CON.txt"), "_CON.txt");
        assert_eq!(safe_component("nul"), "_nul");
        assert_eq!(safe_component("tab\there"), "tab_here");
    }

    #[test]
    fn bidi_controls_are_dropped_so_the_extension_shows_as_it_is() {
        assert_eq!(safe_component("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}'] {
            assert_eq!(safe_component(&format!("a{c}b.pdf")), "ab.pdf");
        }
        for c in ['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            assert_eq!(safe_component(&format!("a{c}b.pdf")), "ab.pdf");
        }
        assert_eq!(safe_component("\u{202E}\u{2066}"), "file");
        // Other right-to-left text is kept as written.
        assert_eq!(safe_component("تقرير.pdf"), "تقرير.pdf");
    }

    #[test]
    fn clashes_after_dropping_bidi_controls_are_numbered() {
        let mut folder = Folder::default();
        assert_eq!(folder.name("report.pdf"), "report.pdf");
        assert_eq!(folder.name("report\u{202D}.pdf"), "report (2).pdf");
    }

    #[test]
    fn long_names_are_shortened_keeping_the_extension() {
        let long = format!("{}.pdf", "x".repeat(300));
        let short = safe_component(&long);
        assert!(short.chars().count() <= MAX_NAME_CHARS);
        assert!(short.ends_with("~.pdf"));
    }

    #[test]
    fn clashes_are_numbered_regardless_of_case() {
        let mut folder = Folder::default();
        assert_eq!(folder.name("report.pdf"), "report.pdf");
        assert_eq!(folder.name("Report.PDF"), "Report (2).PDF");
        assert_eq!(folder.name("report.pdf"), "report (3).pdf");
        assert_eq!(folder.name("notes"), "notes");
        assert_eq!(folder.name("notes"), "notes (2)");
    }
}
