//! The AWS CLI's shared files, `~/.aws/config` and `~/.aws/credentials`, read as the CLI
//! reads them.
//!
//! Both are INI files. In the config file a profile is `[default]` or `[profile NAME]`,
//! and `[sso-session NAME]` holds an IAM Identity Center sign-in that profiles share; in
//! the credentials file a profile is `[NAME]`. Lines starting with `#` or `;` are comments.
//! Keys keep the case they are written in and values are trimmed. An indented block under
//! a key with no value (`s3 =` followed by nested settings) is skipped, as Lockstep uses
//! none of those. Where both files set a key of the same profile, the credentials file
//! wins, as in the CLI. These are pure functions over text so they can be tested without
//! touching the file system.

use std::collections::BTreeMap;

/// One section's settings: keys as written, values trimmed.
pub type Settings = BTreeMap<String, String>;

/// The profiles and SSO sessions of both shared files, merged.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SharedConfig {
    /// Profiles by name, the credentials file's keys over the config file's.
    pub profiles: BTreeMap<String, Settings>,
    /// `[sso-session NAME]` sections of the config file, by name.
    pub sso_sessions: BTreeMap<String, Settings>,
}

impl SharedConfig {
    /// Reads the text of the config file and of the credentials file (either may be empty).
    pub fn parse(config: &str, credentials: &str) -> Self {
        let mut shared = SharedConfig::default();
        for (header, settings) in sections(config) {
            let words: Vec<&str> = header.split_whitespace().collect();
            let target = match words.as_slice() {
                ["default"] => Some((&mut shared.profiles, "default")),
                ["profile", name] => Some((&mut shared.profiles, *name)),
                ["sso-session", name] => Some((&mut shared.sso_sessions, *name)),
                _ => None,
            };
            if let Some((map, name)) = target {
                map.entry(name.to_string()).or_default().extend(settings);
            }
        }
        for (header, settings) in sections(credentials) {
            shared.profiles.entry(header).or_default().extend(settings);
        }
        shared
    }

    /// The settings of profile `name`, if either file has it.
    pub fn profile(&self, name: &str) -> Option<&Settings> {
        self.profiles.get(name)
    }

    /// The settings of `[sso-session name]`, if the config file has it.
    pub fn sso_session(&self, name: &str) -> Option<&Settings> {
        self.sso_sessions.get(name)
    }
}

/// The sections of an INI text in order, by their trimmed header; a header seen twice
/// gets the settings of both.
fn sections(text: &str) -> Vec<(String, Settings)> {
    let mut found: Vec<(String, Settings)> = Vec::new();
    // Settings before the first header belong to no section and are dropped.
    let mut current: Option<usize> = None;
    let mut nested = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let header = header.trim().to_string();
            current = Some(match found.iter().position(|(h, _)| *h == header) {
                Some(at) => at,
                None => {
                    found.push((header, Settings::new()));
                    found.len() - 1
                }
            });
            nested = false;
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if nested && indented {
            continue;
        }
        let (Some(at), Some((key, value))) = (current, split_setting(line)) else {
            continue;
        };
        nested = value.is_empty();
        if !nested {
            found[at].1.insert(key.to_string(), value.to_string());
        }
    }
    found
}

/// `key = value` (or `key: value`, as INI allows) split at the first separator, trimmed.
fn split_setting(line: &str) -> Option<(&str, &str)> {
    let at = line.find(['=', ':'])?;
    let key = line[..at].trim();
    (!key.is_empty()).then(|| (key, line[at + 1..].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
# The team's settings.
[default]
region = eu-west-1

[profile audit]
role_arn = arn:aws:iam::123456789012:role/Auditor
source_profile = default
; a comment
Region = us-east-2
s3 =
    addressing_style = path
output = json

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1

[not-a-profile]
region = nowhere
";

    const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key =  secret/with+chars=  
[audit]
output = text
";

    #[test]
    fn profiles_come_from_both_files_and_the_credentials_file_wins() {
        let shared = SharedConfig::parse(CONFIG, CREDENTIALS);
        let default = shared.profile("default").unwrap();
        assert_eq!(default["region"], "eu-west-1");
        assert_eq!(default["aws_access_key_id"], "AKIADEFAULT");
        assert_eq!(default["aws_secret_access_key"], "secret/with+chars=");
        let audit = shared.profile("audit").unwrap();
        assert_eq!(audit["role_arn"], "arn:aws:iam::123456789012:role/Auditor");
        assert_eq!(audit["output"], "text");
        assert_eq!(audit.get("Region").map(String::as_str), Some("us-east-2"));
        assert_eq!(audit.get("region"), None);
    }

    #[test]
    fn nested_blocks_comments_and_unknown_sections_are_skipped() {
        let shared = SharedConfig::parse(CONFIG, "");
        let audit = shared.profile("audit").unwrap();
        assert!(!audit.contains_key("addressing_style"));
        assert!(!audit.contains_key("s3"));
        assert!(shared.profile("not-a-profile").is_none());
        assert!(shared.profile("corp").is_none());
        assert_eq!(shared.profiles.len(), 2);
    }

    #[test]
    fn sso_sessions_are_their_own_sections() {
        let shared = SharedConfig::parse(CONFIG, "");
        let corp = shared.sso_session("corp").unwrap();
        assert_eq!(corp["sso_start_url"], "https://corp.awsapps.com/start");
        assert_eq!(corp["sso_region"], "eu-central-1");
    }

    #[test]
    fn a_profile_header_in_the_credentials_file_is_taken_as_written() {
        let shared = SharedConfig::parse("", "[profile x]\na = 1\n[ y ]\nb=2\n");
        assert!(shared.profile("profile x").is_some());
        assert_eq!(shared.profile("y").unwrap()["b"], "2");
    }
}
