//! allowed_signers files, read as OpenSSH reads them (`ssh-keygen(1)`, ALLOWED SIGNERS).
//!
//! A line is `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`. The principals are a pattern
//! list (`*`, `?`, and `!` to exclude); the options follow the rules of `sshd(8)`'s
//! AUTHORIZED_KEYS FILE FORMAT: comma-separated, names in any case, values in double quotes
//! that may hold commas and blanks (`\"` for a quote). Four options exist, and each is
//! applied: `namespaces="…"` (a pattern list the signature's namespace must match),
//! `valid-after="…"` and `valid-before="…"` (`YYYYMMDD[HHMM[SS]]`, local time unless ending
//! in `Z`), and `cert-authority`, which trusts certificates made by the key — Lockstep's
//! packs are signed with plain keys, so such a line is never a match, and the check says so.
//! Any other option makes the line unreadable, as it does for OpenSSH.
//!
//! A line is judged at a moment: a verification checks the key's validity at the time it
//! runs, as `ssh-keygen -Y verify` does unless told another time. A pack is byte-identical
//! on every export and carries no time of its own to judge by.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone as _, Utc};

use super::{KEY_TYPE, NAMESPACE, PublicKey};

/// One Ed25519 line of an allowed_signers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigner {
    /// The 1-based line number.
    pub line: usize,
    /// The principals field as written: a comma-separated pattern list.
    pub principals: String,
    /// The key.
    pub key: PublicKey,
    /// `cert-authority`: the key signs certificates, never a pack.
    pub cert_authority: bool,
    /// `namespaces`: the pattern list a signature's namespace must match.
    pub namespaces: Option<String>,
    /// `valid-after`: the first moment the key may sign.
    pub valid_after: Option<DateTime<Utc>>,
    /// `valid-before`: the moment the key stops being valid.
    pub valid_before: Option<DateTime<Utc>>,
}

/// Why an allowed_signers file cannot be read: the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct AllowedSignersError {
    /// The 1-based line.
    pub line: usize,
    /// Why, in a few words.
    pub reason: String,
}

impl AllowedSigner {
    /// Whether the line's principals match `principal` (patterns expanded, `!` excluding).
    pub fn names(&self, principal: &str) -> bool {
        pattern_list_matches(principal, &self.principals)
    }

    /// Why this line does not let its key sign a pack at `at`, or `None` when it does.
    pub fn refusal(&self, at: DateTime<Utc>) -> Option<String> {
        let line = self.line;
        if self.cert_authority {
            return Some(format!(
                "line {line} trusts the key as a certificate authority (cert-authority), which Lockstep does not support: list the signer's own key"
            ));
        }
        if let Some(namespaces) = &self.namespaces
            && !pattern_list_matches(NAMESPACE, namespaces)
        {
            return Some(format!(
                "line {line} limits the key to namespaces \"{namespaces}\", which leave out {NAMESPACE}"
            ));
        }
        if let Some(after) = self.valid_after
            && at < after
        {
            return Some(format!(
                "line {line} makes the key valid only from {}",
                after.format("%Y-%m-%d %H:%M:%S UTC")
            ));
        }
        if let Some(before) = self.valid_before
            && at > before
        {
            return Some(format!(
                "line {line} says the key expired at {}",
                before.format("%Y-%m-%d %H:%M:%S UTC")
            ));
        }
        None
    }
}

/// Reads the Ed25519 lines of an allowed_signers file, with their options. Lines of other
/// key types are left out; a line that does not parse is an error naming it.
pub fn parse_allowed_signers(text: &str) -> Result<Vec<AllowedSigner>, AllowedSignersError> {
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let fail = |reason: &str| AllowedSignersError {
            line,
            reason: reason.to_string(),
        };
        let rest = raw.trim();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let (principals, rest) = take_field(rest).ok_or_else(|| fail("a quote is not closed"))?;
        if rest.is_empty() {
            return Err(fail("no key after the principals"));
        }
        let (options, rest) = if starts_with_key_type(rest) {
            (None, rest)
        } else {
            let (options, rest) =
                take_field(rest).ok_or_else(|| fail("a quote in the options is not closed"))?;
            (Some(options), rest)
        };
        let (key_type, rest) = take_field(rest).ok_or_else(|| fail("no key type"))?;
        let (encoded, _comment) = take_field(rest).ok_or_else(|| fail("no key"))?;
        if key_type.is_empty() || encoded.is_empty() {
            return Err(fail("no key"));
        }
        let mut signer = AllowedSigner {
            line,
            principals: principals.trim_matches('"').to_string(),
            key: PublicKey([0; 32]),
            cert_authority: false,
            namespaces: None,
            valid_after: None,
            valid_before: None,
        };
        if let Some(options) = options {
            parse_options(options, &mut signer).map_err(|reason| fail(&reason))?;
        }
        if key_type != KEY_TYPE {
            continue;
        }
        let blob = STANDARD
            .decode(encoded)
            .map_err(|_| fail("the key is not base64"))?;
        signer.key = PublicKey::from_blob(&blob).ok_or_else(|| fail("the key is damaged"))?;
        out.push(signer);
    }
    Ok(out)
}

fn starts_with_key_type(text: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-"]
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

/// The first blank-separated field of `text` (double quotes keep blanks in, `\"` is a
/// quote inside them) and what follows it; `None` when a quote is not closed.
fn take_field(text: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                return Some((&text[..at], text[at..].trim_start()));
            }
            _ => {}
        }
    }
    (!quoted).then_some((text, ""))
}

/// Applies the comma-separated `options` to `signer`.
fn parse_options(options: &str, signer: &mut AllowedSigner) -> Result<(), String> {
    let mut rest = options;
    loop {
        let name_end = rest.find(['=', ',']).unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let value = match rest.strip_prefix('=') {
            Some(after) => {
                let (value, after) = dequote(after).ok_or_else(|| {
                    format!("the value of option {name} must be in double quotes")
                })?;
                rest = after;
                Some(value)
            }
            None => None,
        };
        match (name.as_str(), value) {
            ("cert-authority", None) => signer.cert_authority = true,
            ("namespaces", Some(list)) if signer.namespaces.is_none() => {
                signer.namespaces = Some(list);
            }
            ("valid-after", Some(time)) if signer.valid_after.is_none() => {
                signer.valid_after = Some(
                    parse_time(&time)
                        .ok_or_else(|| format!("valid-after \"{time}\" is no time"))?,
                );
            }
            ("valid-before", Some(time)) if signer.valid_before.is_none() => {
                signer.valid_before = Some(
                    parse_time(&time)
                        .ok_or_else(|| format!("valid-before \"{time}\" is no time"))?,
                );
            }
            ("namespaces" | "valid-after" | "valid-before", Some(_)) => {
                return Err(format!("option {name} is given twice"));
            }
            _ => return Err(format!("unknown or malformed option \"{name}\"")),
        }
        match rest.strip_prefix(',') {
            Some("") => return Err("the options end with a comma".to_string()),
            Some(after) => rest = after,
            None if rest.is_empty() => break,
            None => return Err("the options are malformed".to_string()),
        }
    }
    if let (Some(after), Some(before)) = (signer.valid_after, signer.valid_before)
        && before <= after
    {
        return Err("valid-before is not after valid-after".to_string());
    }
    Ok(())
}

/// A double-quoted value at the start of `text` (`\"` a quote inside) and what follows.
fn dequote(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('"')?;
    let mut value = String::new();
    let mut escaped = false;
    for (at, c) in body.char_indices() {
        match c {
            _ if escaped => {
                if c != '"' {
                    value.push('\\');
                }
                value.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            '"' => return Some((value, &body[at + 1..])),
            c => value.push(c),
        }
    }
    None
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, in local time unless it ends in `Z`.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let (digits, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(digits) => (digits, true),
        None => (text, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let naive = match digits.len() {
        8 => NaiveDate::parse_from_str(digits, "%Y%m%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?,
        12 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M").ok()?,
        14 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").ok()?,
        _ => return None,
    };
    if utc {
        Some(naive.and_utc())
    } else {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// Whether `text` matches the comma-separated `patterns`, as OpenSSH's
/// `match_pattern_list`: a matching `!pattern` excludes, else any matching pattern admits.
pub fn pattern_list_matches(text: &str, patterns: &str) -> bool {
    let mut admitted = false;
    for pattern in patterns.split(',') {
        match pattern.strip_prefix('!') {
            Some(excluded) if wildcard_matches(excluded.as_bytes(), text.as_bytes()) => {
                return false;
            }
            Some(_) => {}
            None => admitted |= wildcard_matches(pattern.as_bytes(), text.as_bytes()),
        }
    }
    admitted
}

/// `*` for any run, `?` for any one character; linear in the lengths.
fn wildcard_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::SigningKey;

    fn line(options: &str) -> String {
        let key = SigningKey::generate("ada@example.com").unwrap();
        format!("ada@example.com {options} {}", key.public().line(""))
    }

    #[test]
    fn patterns_match_as_openssh_matches_them() {
        assert!(pattern_list_matches("ada@example.com", "*@example.com"));
        assert!(pattern_list_matches("ada@example.com", "bob,a?a@*"));
        assert!(!pattern_list_matches("ada@example.com", "*,!ada@*"));
        assert!(!pattern_list_matches("ada@example.com", "ada"));
        assert!(pattern_list_matches("lockstep-pack", "git,lockstep-pack"));
        assert!(pattern_list_matches("lockstep-pack", "lock*"));
    }

    #[test]
    fn quoted_options_keep_their_commas_and_apply() {
        let parsed = parse_allowed_signers(&line("namespaces=\"git,lockstep-pack\"")).unwrap();
        assert_eq!(parsed[0].namespaces.as_deref(), Some("git,lockstep-pack"));
        let now = Utc::now();
        assert_eq!(parsed[0].refusal(now), None);

        let expired = parse_allowed_signers(&line("valid-before=\"20000101\"")).unwrap();
        assert!(expired[0].refusal(now).unwrap().contains("expired"));
        let early = parse_allowed_signers(&line("VALID-AFTER=\"29990101Z\"")).unwrap();
        assert!(
            early[0]
                .refusal(now)
                .unwrap()
                .contains("valid only from 2999-01-01")
        );
        let ca = parse_allowed_signers(&line("cert-authority,namespaces=\"*\"")).unwrap();
        assert!(ca[0].refusal(now).unwrap().contains("cert-authority"));
        let other = parse_allowed_signers(&line("namespaces=\"git\"")).unwrap();
        assert!(
            other[0]
                .refusal(now)
                .unwrap()
                .contains("namespaces \"git\"")
        );
    }

    #[test]
    fn malformed_options_name_their_line() {
        for bad in [
            "namespaces=git",
            "valid-before=\"2000\"",
            "no-touch-required",
            "namespaces=\"a\",",
            "valid-after=\"20300101\",valid-before=\"20200101\"",
        ] {
            let text = format!("# trusted\n{}", line(bad));
            let error = parse_allowed_signers(&text).unwrap_err();
            assert_eq!(error.line, 2, "{bad}: {error}");
        }
        assert_eq!(
            parse_allowed_signers("bob ssh-ed25519 !!!")
                .unwrap_err()
                .line,
            1
        );
    }

    #[test]
    fn times_read_in_the_three_lengths() {
        let utc = |s| parse_time(s).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(utc("20250102Z").as_deref(), Some("2025-01-02 00:00:00"));
        assert_eq!(utc("202501021304Z").as_deref(), Some("2025-01-02 13:04:00"));
        assert_eq!(
            utc("20250102130405Z").as_deref(),
            Some("2025-01-02 13:04:05")
        );
        assert_eq!(utc("2025010"), None);
        assert_eq!(utc("20251301Z"), None);
    }
}
