//! RDS IAM database authentication: the token a database user signs in with instead of a
//! password, as `aws rds generate-db-auth-token` prints it.
//!
//! The token is a presigned `GET https://HOST:PORT/?Action=connect&DBUser=USER` for the
//! `rds-db` service, good for 15 minutes, with the scheme left off. It is made locally;
//! nothing is sent to AWS until the database checks it.

use chrono::{DateTime, Utc};

use super::sign::{Credentials, Presign, presign};

/// How long a token is good for, in seconds (RDS's own limit).
pub const TOKEN_EXPIRES_SECS: u64 = 900;

/// The IAM auth token for `user` on the database at `host:port` in `region`, signed at
/// `now` with `credentials`.
pub fn auth_token(
    credentials: &Credentials,
    host: &str,
    port: u16,
    user: &str,
    region: &str,
    now: DateTime<Utc>,
) -> String {
    let host = format!("{host}:{port}");
    let query = [
        ("Action".to_string(), "connect".to_string()),
        ("DBUser".to_string(), user.to_string()),
    ];
    presign(
        &Presign {
            service: "rds-db",
            region,
            method: "GET",
            host: &host,
            path: "/",
            query: &query,
            expires_secs: TOKEN_EXPIRES_SECS,
        },
        credentials,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn credentials() -> Credentials {
        Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            expires: None,
        }
    }

    #[test]
    fn a_token_is_a_presigned_connect_url_without_its_scheme() {
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        let host = "audit.cluster-abc.eu-west-1.rds.amazonaws.com";
        let token = auth_token(&credentials(), host, 5432, "alice", "eu-west-1", now);
        assert!(
            token.starts_with(&format!(
                "{host}:5432/?Action=connect&DBUser=alice&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260304%2Feu-west-1%2Frds-db%2Faws4_request&X-Amz-Date=20260304T050607Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature="
            )),
            "{token}"
        );
        let signature = token.rsplit_once("X-Amz-Signature=").unwrap().1;
        assert_eq!(signature.len(), 64);
        assert_eq!(
            token,
            auth_token(&credentials(), host, 5432, "alice", "eu-west-1", now)
        );
        let later = now + chrono::Duration::seconds(1);
        assert_ne!(
            token,
            auth_token(&credentials(), host, 5432, "alice", "eu-west-1", later)
        );
    }
}
