//! The two STS calls Lockstep makes: AssumeRole, for profiles with a `role_arn`, and
//! GetCallerIdentity, to say who the credentials belong to.
//!
//! Each is a form POST signed for the `sts` service; the answer is a small XML document of
//! which a few elements are read.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::AwsError;
use super::sign::{self, Credentials, Unsigned};
use super::xml::tag;
use crate::model::hex;

/// Where and how STS is called.
pub(crate) struct Sts<'a> {
    /// The HTTP agent, with its timeouts.
    pub agent: &'a ureq::Agent,
    /// `scheme://host[:port]`, maybe with a path.
    pub endpoint: &'a str,
    /// The region requests are signed for.
    pub region: &'a str,
}

/// An STS call that STS refused.
pub(crate) struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// STS's error code, such as `AccessDenied`.
    pub code: String,
    /// STS's message.
    pub message: String,
}

/// How an STS call went wrong.
pub(crate) enum Failure {
    /// STS answered with an error.
    Refused(Refusal),
    /// Anything else, already one sentence.
    Other(AwsError),
}

/// Who a set of credentials belongs to, as STS GetCallerIdentity says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account number.
    pub account: String,
    /// The ARN of the user or assumed role.
    pub arn: String,
    /// The unique id of the user, or `ROLEID:SESSION` for a role.
    pub user_id: String,
    /// When the credentials in use stop working; `None` for long-term keys.
    pub expires: Option<DateTime<Utc>>,
}

impl CallerIdentity {
    /// The role's name when the ARN is an assumed role's
    /// (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    pub fn role(&self) -> Option<&str> {
        let resource = self.arn.splitn(6, ':').nth(5)?;
        let mut parts = resource.split('/');
        match (parts.next(), parts.next()) {
            (Some("assumed-role"), Some(role)) if !role.is_empty() => Some(role),
            _ => None,
        }
    }
}

impl Sts<'_> {
    /// Sends `Action` with `params`, signed with `credentials`; the answer's text.
    pub fn call(
        &self,
        action: &str,
        params: &[(&str, String)],
        credentials: &Credentials,
    ) -> Result<String, Failure> {
        let unreachable = |reason: String| {
            Failure::Other(AwsError::Unreachable {
                endpoint: self.endpoint.to_string(),
                reason,
            })
        };
        let (origin, host, path) = split_endpoint(self.endpoint)
            .ok_or_else(|| unreachable("it is not an http(s)://host[:port] URL".to_string()))?;
        let mut form = vec![
            format!("Action={}", sign::uri_encode(action, false)),
            "Version=2011-06-15".to_string(),
        ];
        for (key, value) in params {
            form.push(format!(
                "{}={}",
                sign::uri_encode(key, false),
                sign::uri_encode(value, false)
            ));
        }
        let body = form.join("&");
        let headers = [(
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        )];
        let sha = hex(&Sha256::digest(body.as_bytes()));
        let signed = sign::sign(
            &Unsigned {
                service: "sts",
                method: "POST",
                host,
                path,
                query: &[],
                headers: &headers,
                payload_sha256: &sha,
            },
            credentials,
            self.region,
            Utc::now(),
        );
        let mut request = self.agent.post(&format!("{origin}{path}"));
        for (name, value) in headers.iter().chain(signed.iter()) {
            request = request.set(name, value);
        }
        match request.send_string(&body) {
            Ok(response) => response
                .into_string()
                .map_err(|e| unreachable(e.to_string())),
            Err(ureq::Error::Status(status, response)) => {
                let text = response.into_string().unwrap_or_default();
                Err(Failure::Refused(Refusal {
                    status,
                    code: tag(&text, "Code").unwrap_or_else(|| "an unknown error".to_string()),
                    message: tag(&text, "Message").unwrap_or_default(),
                }))
            }
            Err(ureq::Error::Transport(transport)) => Err(unreachable(transport.to_string())),
        }
    }
}

/// `(origin, host, path)` of an endpoint URL: `http://h:1/x/` gives `http://h:1`, `h:1`
/// and `/x/`; the path is `/` when there is none.
pub(crate) fn split_endpoint(url: &str) -> Option<(&str, &str, &str)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let scheme_len = url.len() - rest.len();
    let host_len = rest.find('/').unwrap_or(rest.len());
    let host = &rest[..host_len];
    if host.is_empty() || host.contains(['?', '#', '@']) {
        return None;
    }
    let path = match &rest[host_len..] {
        "" => "/",
        path => path,
    };
    Some((&url[..scheme_len + host_len], host, path))
}

/// The temporary credentials in an AssumeRole answer.
pub(crate) fn parse_credentials(xml: &str) -> Option<Credentials> {
    let expires = tag(xml, "Expiration")
        .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok())
        .map(|t| t.with_timezone(&Utc));
    Some(Credentials {
        access_key: tag(xml, "AccessKeyId")?,
        secret_key: tag(xml, "SecretAccessKey")?,
        session_token: tag(xml, "SessionToken"),
        expires,
    })
}

/// The identity in a GetCallerIdentity answer, for credentials that expire at `expires`.
pub(crate) fn parse_identity(xml: &str, expires: Option<DateTime<Utc>>) -> Option<CallerIdentity> {
    Some(CallerIdentity {
        account: tag(xml, "Account")?,
        arn: tag(xml, "Arn")?,
        user_id: tag(xml, "UserId").unwrap_or_default(),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assume_role_answers_give_temporary_credentials() {
        let xml = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult><Credentials>
    <AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s/e+c</SecretAccessKey>
    <SessionToken>FwoG&amp;token</SessionToken><Expiration>2026-12-05T19:18:04.123Z</Expiration>
  </Credentials></AssumeRoleResult></AssumeRoleResponse>"#;
        let got = parse_credentials(xml).unwrap();
        assert_eq!(got.access_key, "ASIAEXAMPLE");
        assert_eq!(got.secret_key, "s/e+c");
        assert_eq!(got.session_token.as_deref(), Some("FwoG&token"));
        assert_eq!(
            got.expires.unwrap().to_rfc3339(),
            "2026-12-05T19:18:04.123+00:00"
        );
        assert!(parse_credentials("<ErrorResponse/>").is_none());
    }

    #[test]
    fn an_assumed_role_arn_names_its_role() {
        let xml = "<GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/Auditor/lockstep-1</Arn><UserId>AROA:lockstep-1</UserId><Account>123456789012</Account></GetCallerIdentityResult>";
        let who = parse_identity(xml, None).unwrap();
        assert_eq!(who.account, "123456789012");
        assert_eq!(who.role(), Some("Auditor"));
        let user = CallerIdentity {
            arn: "arn:aws:iam::123456789012:user/alice".into(),
            ..who
        };
        assert_eq!(user.role(), None);
    }

    #[test]
    fn endpoints_split_into_origin_host_and_path() {
        assert_eq!(
            split_endpoint("http://127.0.0.1:54330"),
            Some(("http://127.0.0.1:54330", "127.0.0.1:54330", "/"))
        );
        assert_eq!(
            split_endpoint("https://sts.eu-west-1.amazonaws.com/"),
            Some((
                "https://sts.eu-west-1.amazonaws.com",
                "sts.eu-west-1.amazonaws.com",
                "/"
            ))
        );
        assert_eq!(split_endpoint("sts.amazonaws.com"), None);
        assert_eq!(split_endpoint("https://user@host"), None);
    }
}
