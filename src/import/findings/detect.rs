//! Recognising a findings export from its first bytes, never its name.

use std::io::{self, BufRead};
use std::path::Path;

use super::record::{FindingFileError, FindingFormat};

/// What a file starts with, after a byte-order mark and white space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Start {
    /// Nothing but white space.
    Empty,
    /// `{`: a JSON object (a list under a key, or one OCSF record, or OCSF lines).
    Object,
    /// `[`: a JSON array (OCSF records).
    Array,
    /// Text that may be a CSV header.
    Text,
    /// Not text: what it is instead.
    NotText(String),
}

/// Skips a UTF-8 byte-order mark and white space, and says what follows, leaving it unread.
pub(crate) fn start<R: BufRead>(reader: &mut R) -> io::Result<Start> {
    let buffer = reader.fill_buf()?;
    if buffer.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(Start::Empty);
        }
        let blank = buffer
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if blank == buffer.len() {
            reader.consume(blank);
            continue;
        }
        reader.consume(blank);
        let buffer = reader.fill_buf()?;
        return Ok(match buffer.first() {
            Some(b'{') => Start::Object,
            Some(b'[') => Start::Array,
            _ => match not_text(buffer) {
                Some(why) => Start::NotText(why),
                None => Start::Text,
            },
        });
    }
}

/// Why a sample of a file's bytes is not text; none when it is.
fn not_text(sample: &[u8]) -> Option<String> {
    let sample = &sample[..sample.len().min(8192)];
    if sample.contains(&0) {
        return Some("binary data".to_string());
    }
    match std::str::from_utf8(sample) {
        Ok(_) => None,
        // The sample may end inside a character: only a bad byte before its end counts.
        Err(error) if error.error_len().is_none() => None,
        Err(_) => {
            if sample
                .iter()
                .filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace())
                .count()
                > 8
            {
                Some("binary data".to_string())
            } else {
                Some("text that is not UTF-8".to_string())
            }
        }
    }
}

/// The labels of every format, for a refusal.
pub(crate) fn format_list() -> String {
    let labels: Vec<&str> = FindingFormat::ALL.iter().map(|f| f.label()).collect();
    match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

/// The refusal of a file that is none of the formats.
pub(crate) fn unknown(why: impl Into<String>, path: &Path) -> FindingFileError {
    FindingFileError::UnknownFormat {
        why: why.into(),
        formats: format_list(),
        path: path.to_path_buf(),
    }
}

/// Names a few keys of a JSON object for a refusal.
pub(crate) fn describe_keys<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let keys: Vec<&String> = keys.collect();
    if keys.is_empty() {
        return "an empty JSON object".to_string();
    }
    let shown: Vec<&str> = keys.iter().take(8).map(|k| k.as_str()).collect();
    let more = if keys.len() > shown.len() {
        ", …"
    } else {
        ""
    };
    format!(
        "a JSON object whose keys are {}{more}, with no list of findings or class_uid",
        shown.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start_of(bytes: &[u8]) -> Start {
        let mut reader = io::BufReader::new(bytes);
        start(&mut reader).expect("memory reads")
    }

    #[test]
    fn the_first_byte_after_a_bom_and_blanks_decides() {
        assert_eq!(start_of(b"\xEF\xBB\xBF  \n{\"a\":1}"), Start::Object);
        assert_eq!(start_of(b"\n\n[]"), Start::Array);
        assert_eq!(start_of(b"AWS Account Id,Severity"), Start::Text);
        assert_eq!(start_of(b"  \n\t"), Start::Empty);
        assert_eq!(start_of(b""), Start::Empty);
        assert_eq!(
            start_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Start::NotText("binary data".to_string())
        );
        assert_eq!(
            start_of(b"Caf\xe9,Severity\n"),
            Start::NotText("text that is not UTF-8".to_string())
        );
    }

    #[test]
    fn the_refusal_lists_every_format() {
        let list = format_list();
        for format in FindingFormat::ALL {
            assert!(list.contains(format.label()), "{list}");
        }
    }
}
