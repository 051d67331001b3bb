//! IAM Identity Center (SSO) profiles: the sign-in `aws sso login` leaves in the cache,
//! exchanged for a role's credentials.
//!
//! Lockstep does not sign in itself. The AWS CLI writes the sign-in's token to
//! `~/.aws/sso/cache/<SHA-1 hex>.json`, named after the `sso_session`'s name, or for a
//! profile of the older kind after its `sso_start_url`; Lockstep reads that file and asks
//! the SSO portal for the role's credentials, as the CLI does. An expired or missing
//! sign-in asks the user to run `aws sso login` again.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use sha1::{Digest, Sha1};

use super::AwsError;
use super::sign::{self, Credentials};
use crate::model::hex;

/// The cache file the AWS CLI keeps the sign-in named by `key` in, under `home`.
pub fn cache_file(home: &Path, key: &str) -> PathBuf {
    home.join(".aws")
        .join("sso")
        .join("cache")
        .join(format!("{}.json", hex(&Sha1::digest(key.as_bytes()))))
}

fn expired(profile: &str) -> AwsError {
    AwsError::SsoExpired {
        profile: profile.to_string(),
    }
}

/// The access token in the cache file at `path`, if it is still good at `now`.
pub(crate) fn cached_token(
    path: &Path,
    profile: &str,
    now: DateTime<Utc>,
) -> Result<String, AwsError> {
    let Ok(bytes) = crate::input::read(path, crate::input::MAX_SMALL_BYTES) else {
        return Err(expired(profile));
    };
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| expired(profile))?;
    let token = json
        .get("accessToken")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty());
    let expires = json
        .get("expiresAt")
        .and_then(serde_json::Value::as_str)
        .and_then(parse_time);
    match (token, expires) {
        (Some(token), Some(expires)) if expires > now => Ok(token.to_string()),
        _ => Err(expired(profile)),
    }
}

/// An `expiresAt`: RFC 3339, or `…UTC` as older CLIs wrote it.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let text = match text.strip_suffix("UTC") {
        Some(bare) => format!("{bare}Z"),
        None => text.to_string(),
    };
    DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Where to ask and for what.
pub(crate) struct RoleRequest<'a> {
    /// The profile, for messages.
    pub profile: &'a str,
    /// The portal's `scheme://host[:port]`.
    pub endpoint: &'a str,
    /// The sign-in's access token.
    pub token: &'a str,
    /// `sso_account_id`.
    pub account_id: &'a str,
    /// `sso_role_name`.
    pub role_name: &'a str,
}

/// The role's credentials from the SSO portal (GetRoleCredentials).
pub(crate) fn role_credentials(
    agent: &ureq::Agent,
    request: &RoleRequest<'_>,
) -> Result<Credentials, AwsError> {
    let url = format!(
        "{}/federation/credentials?account_id={}&role_name={}",
        request.endpoint.trim_end_matches('/'),
        sign::uri_encode(request.account_id, false),
        sign::uri_encode(request.role_name, false)
    );
    let answer = agent
        .get(&url)
        .set("x-amz-sso_bearer_token", request.token)
        .call();
    let text = match answer {
        Ok(response) => response.into_string().map_err(|e| AwsError::Unreachable {
            endpoint: request.endpoint.to_string(),
            reason: e.to_string(),
        })?,
        Err(ureq::Error::Status(401, _)) => return Err(expired(request.profile)),
        Err(ureq::Error::Status(status, response)) => {
            let text = response.into_string().unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let field = |k: &str| json.get(k).and_then(serde_json::Value::as_str);
            return Err(AwsError::Service {
                what: format!(
                    "the role {} of account {} to profile '{}'",
                    request.role_name, request.account_id, request.profile
                ),
                status,
                code: field("__type")
                    .or(field("code"))
                    .unwrap_or("an unknown error")
                    .to_string(),
                message: field("message").unwrap_or("").to_string(),
            });
        }
        Err(ureq::Error::Transport(transport)) => {
            return Err(AwsError::Unreachable {
                endpoint: request.endpoint.to_string(),
                reason: transport.to_string(),
            });
        }
    };
    parse_role_credentials(&text).ok_or_else(|| AwsError::Profile {
        profile: request.profile.to_string(),
        problem: "got an SSO answer without role credentials".to_string(),
    })
}

/// The credentials in a GetRoleCredentials answer.
fn parse_role_credentials(text: &str) -> Option<Credentials> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let role = json.get("roleCredentials")?;
    let field = |k: &str| {
        role.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    Some(Credentials {
        access_key: field("accessKeyId")?,
        secret_key: field("secretAccessKey")?,
        session_token: field("sessionToken"),
        expires: role
            .get("expiration")
            .and_then(serde_json::Value::as_i64)
            .and_then(|millis| Utc.timestamp_millis_opt(millis).single()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_files_are_named_by_the_sha1_of_the_session_or_start_url() {
        let home = Path::new("/home/a");
        // `printf %s corp | sha1sum`
        assert_eq!(
            cache_file(home, "corp"),
            Path::new("/home/a/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        );
        // A legacy profile's file is named after its start URL as written.
        assert_eq!(
            cache_file(home, "abc"),
            Path::new("/home/a/.aws/sso/cache/a9993e364706816aba3e25717850c26c9cd0d89d.json")
        );
    }

    #[test]
    fn an_expired_or_missing_sign_in_asks_for_sso_login() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let now = Utc::now();
        let message =
            "the SSO sign-in for profile dev has expired: run `aws sso login --profile dev`";
        assert_eq!(
            cached_token(&path, "dev", now).unwrap_err().to_string(),
            message
        );
        std::fs::write(
            &path,
            r#"{"accessToken": "tok", "expiresAt": "2020-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(
            cached_token(&path, "dev", now).unwrap_err().to_string(),
            message
        );
        std::fs::write(
            &path,
            r#"{"accessToken": "tok", "expiresAt": "2999-01-01T00:00:00UTC"}"#,
        )
        .unwrap();
        assert_eq!(cached_token(&path, "dev", now).unwrap(), "tok");
    }

    #[test]
    fn role_credentials_expire_at_their_epoch_millis() {
        let got = parse_role_credentials(
            r#"{"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"s","sessionToken":"t","expiration":1700000000000}}"#,
        )
        .unwrap();
        assert_eq!(got.expires.unwrap().timestamp(), 1_700_000_000);
        assert!(parse_role_credentials("{}").is_none());
    }
}
