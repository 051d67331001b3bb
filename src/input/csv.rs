//! The check every CSV reader makes before it parses: quoted fields that close where they
//! should.
//!
//! The `csv` crate forgives a quote that is never closed by reading the field to the end of
//! the file, and one closed in the wrong place by gluing the text that follows onto the
//! field. Either way the rows after a lost quote silently become part of one cell, and an
//! import reports "1 of 1" for a file of fifty rows. Every reader runs this scan first and
//! refuses such a file, naming the line where the quote opened.

/// The most bytes one quoted field may hold.
pub const MAX_QUOTED_BYTES: usize = 1024 * 1024;
/// The most lines one quoted field may run over.
pub const MAX_QUOTED_LINES: u64 = 1000;

/// A quoted field that does not close as CSV's quotes do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    /// The quote runs to the end of the file.
    #[error("the quote that opens a field on line {line} is never closed")]
    Unclosed {
        /// Where it opened.
        line: u64,
    },
    /// The field closes with more text after its closing quote, as when a quote was lost
    /// earlier.
    #[error(
        "the quoted field that opens on line {line} closes on line {closed} with text right after its closing quote; a quote is probably missing"
    )]
    TextAfterQuote {
        /// Where it opened.
        line: u64,
        /// Where it closed.
        closed: u64,
    },
    /// The field is longer than any cell Lockstep reads.
    #[error(
        "the quoted field that opens on line {line} runs over more than {MAX_QUOTED_LINES} lines or 1 MB; a closing quote is probably missing"
    )]
    TooLong {
        /// Where it opened.
        line: u64,
    },
}

impl QuoteError {
    /// The line the quote opened on.
    pub fn line(&self) -> u64 {
        match self {
            QuoteError::Unclosed { line }
            | QuoteError::TextAfterQuote { line, .. }
            | QuoteError::TooLong { line } => *line,
        }
    }
}

/// Scans comma-separated `bytes` for a quoted field that never closes, closes with text
/// after it, or runs past [`MAX_QUOTED_BYTES`] or [`MAX_QUOTED_LINES`]. A quote inside an
/// unquoted field is text, as the `csv` crate reads it.
pub fn check_quotes(bytes: &[u8]) -> Result<(), QuoteError> {
    let mut line = 1u64;
    let mut at_field_start = true;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        index += 1;
        match byte {
            b'"' if at_field_start => {
                let (opened, start) = (line, index);
                loop {
                    let Some(&inner) = bytes.get(index) else {
                        return Err(QuoteError::Unclosed { line: opened });
                    };
                    index += 1;
                    if index - start > MAX_QUOTED_BYTES || line - opened >= MAX_QUOTED_LINES {
                        return Err(QuoteError::TooLong { line: opened });
                    }
                    match inner {
                        b'\n' => line += 1,
                        b'"' if bytes.get(index) == Some(&b'"') => index += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
                match bytes.get(index) {
                    None | Some(b',' | b'\r' | b'\n') => {}
                    Some(_) => {
                        return Err(QuoteError::TextAfterQuote {
                            line: opened,
                            closed: line,
                        });
                    }
                }
                at_field_start = false;
            }
            b',' | b'\r' => at_field_start = true,
            b'\n' => {
                line += 1;
                at_field_start = true;
            }
            _ => at_field_start = false,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_quoted_files_pass() {
        for good in [
            "a,b\n1,2\n",
            "a,\"b, c\"\n\"x\"\"y\",\"two\nlines\"\r\n",
            "a,b\"c\n",
            "\"\",\"\"",
            "",
        ] {
            assert_eq!(check_quotes(good.as_bytes()), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn a_lost_quote_is_found_with_the_line_it_opened_on() {
        let unclosed = "id,text\nR-1,\"Provide the policy\nR-2,Second\nR-3,Third\n";
        assert_eq!(
            check_quotes(unclosed.as_bytes()),
            Err(QuoteError::Unclosed { line: 2 })
        );
        let glued = "id,text\nR-1,\"Provide the policy\nR-2,\"Second\"\n";
        assert_eq!(
            check_quotes(glued.as_bytes()),
            Err(QuoteError::TextAfterQuote { line: 2, closed: 3 })
        );
        let long = format!("id,text\nR-1,\"{}\"\n", "x\n".repeat(2000));
        assert_eq!(
            check_quotes(long.as_bytes()),
            Err(QuoteError::TooLong { line: 2 })
        );
    }
}
