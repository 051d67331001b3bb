//! AWS Signature Version 4, for requests sent with headers and for presigned URLs.
//!
//! A request is signed over its method, path, sorted query, the headers named in
//! `SignedHeaders` and the SHA-256 of its body, with a key derived from the secret, the
//! day, the region and the service. Every `x-amz-*` header a request carries is signed,
//! so a checksum or lock header cannot be changed on the way.
//!
//! A presigned URL ([`presign`]) carries the signature in its query instead, signs only
//! the `host` header, and says how long it is good for; an RDS IAM token is one.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::model::hex;

/// The access key pair a request is signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (`AKIA…`), sent in the clear.
    pub access_key: String,
    /// The secret key, never sent.
    pub secret_key: String,
    /// A session token, for temporary credentials.
    pub session_token: Option<String>,
    /// When temporary credentials stop working; `None` for long-term keys.
    pub expires: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"…")
            .field("session_token", &self.session_token.as_ref().map(|_| "…"))
            .field("expires", &self.expires)
            .finish()
    }
}

/// The SHA-256 of an empty body, as the signature names it.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// One request to sign: everything but the date and the credentials.
pub struct Unsigned<'a> {
    /// The service the request is for, as the signature's scope names it (`s3`, `sts`).
    pub service: &'a str,
    /// `GET`, `PUT`, …
    pub method: &'a str,
    /// The host header's value (with its port when not the default).
    pub host: &'a str,
    /// The path, already URI-encoded, starting with `/`.
    pub path: &'a str,
    /// Query parameters, not encoded; a parameter with no value has an empty one.
    pub query: &'a [(String, String)],
    /// Other headers to send and sign (lower-case names).
    pub headers: &'a [(String, String)],
    /// Hex SHA-256 of the body.
    pub payload_sha256: &'a str,
}

/// Encodes `text` as SigV4 wants: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX`, and `/`
/// too unless `keep_slash`.
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The query string in canonical order, as both the signature and the URL use it.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The hex signature of `canonical_request` with the key derived from `secret` for the
/// day, region and service.
fn signature(
    secret: &str,
    day: &str,
    region: &str,
    service: &str,
    stamp: &str,
    scope: &str,
    canonical_request: &str,
) -> String {
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = hmac(format!("AWS4{secret}").as_bytes(), day);
    let key = hmac(&key, region);
    let key = hmac(&key, service);
    let key = hmac(&key, "aws4_request");
    hex(&hmac(&key, &string_to_sign))
}

/// A request to presign: everything but the date and the credentials.
pub struct Presign<'a> {
    /// The service the URL is for (`s3`, `rds-db`).
    pub service: &'a str,
    /// The region it is signed for.
    pub region: &'a str,
    /// `GET`, `PUT`, …
    pub method: &'a str,
    /// The host, with its port when not the default for the scheme.
    pub host: &'a str,
    /// The path, already URI-encoded, starting with `/`.
    pub path: &'a str,
    /// The request's own query parameters, not encoded, in the order the URL shows them.
    pub query: &'a [(String, String)],
    /// How long the URL stays good, in seconds (at most 604,800, a week).
    pub expires_secs: u64,
}

/// Presigns `request` at `at`: `HOST/PATH?QUERY` with the signature in the query, without
/// a scheme. The request's own parameters come first, then AWS's in the order AWS's tools
/// write them. S3 signs its payload as `UNSIGNED-PAYLOAD`; other services sign the hash of
/// the (empty) body.
pub fn presign(request: &Presign<'_>, credentials: &Credentials, at: DateTime<Utc>) -> String {
    let stamp = at.format("%Y%m%dT%H%M%SZ").to_string();
    let day = at.format("%Y%m%d").to_string();
    let scope = format!("{day}/{}/{}/aws4_request", request.region, request.service);
    let mut auth = vec![
        (
            "X-Amz-Algorithm".to_string(),
            "AWS4-HMAC-SHA256".to_string(),
        ),
        (
            "X-Amz-Credential".to_string(),
            format!("{}/{scope}", credentials.access_key),
        ),
        ("X-Amz-Date".to_string(), stamp.clone()),
        (
            "X-Amz-Expires".to_string(),
            request.expires_secs.to_string(),
        ),
        ("X-Amz-SignedHeaders".to_string(), "host".to_string()),
    ];
    if let Some(token) = &credentials.session_token {
        auth.push(("X-Amz-Security-Token".to_string(), token.clone()));
    }
    let all: Vec<(String, String)> = request.query.iter().chain(&auth).cloned().collect();
    let payload = if request.service == "s3" {
        "UNSIGNED-PAYLOAD"
    } else {
        EMPTY_SHA256
    };
    let canonical_request = format!(
        "{}\n{}\n{}\nhost:{}\n\nhost\n{payload}",
        request.method,
        request.path,
        canonical_query(&all),
        request.host
    );
    let signature = signature(
        &credentials.secret_key,
        &day,
        request.region,
        request.service,
        &stamp,
        &scope,
        &canonical_request,
    );
    let query: Vec<String> = all
        .iter()
        .chain(std::iter::once(&("X-Amz-Signature".to_string(), signature)))
        .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
        .collect();
    format!("{}{}?{}", request.host, request.path, query.join("&"))
}

/// Signs `request` at `at` for `region`: the headers to add to it, `Authorization`,
/// `x-amz-date`, `x-amz-content-sha256` and, with temporary credentials,
/// `x-amz-security-token`.
pub fn sign(
    request: &Unsigned<'_>,
    credentials: &Credentials,
    region: &str,
    at: DateTime<Utc>,
) -> Vec<(String, String)> {
    let stamp = at.format("%Y%m%dT%H%M%SZ").to_string();
    let day = at.format("%Y%m%d").to_string();
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    headers.push(("host".into(), request.host.to_string()));
    headers.push(("x-amz-content-sha256".into(), request.payload_sha256.into()));
    headers.push(("x-amz-date".into(), stamp.clone()));
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token".into(), token.clone()));
    }
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        request.path,
        canonical_query(request.query),
        canonical_headers,
        signed_headers,
        request.payload_sha256
    );
    let scope = format!("{day}/{region}/{}/aws4_request", request.service);
    let signature = signature(
        &credentials.secret_key,
        &day,
        region,
        request.service,
        &stamp,
        &scope,
        &canonical_request,
    );
    let mut added = vec![
        (
            "authorization".to_string(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                credentials.access_key
            ),
        ),
        ("x-amz-date".to_string(), stamp),
        (
            "x-amz-content-sha256".to_string(),
            request.payload_sha256.to_string(),
        ),
    ];
    if let Some(token) = &credentials.session_token {
        added.push(("x-amz-security-token".to_string(), token.clone()));
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn example_credentials() -> Credentials {
        Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            expires: None,
        }
    }

    /// The "GET object" example of the S3 SigV4 documentation: a ranged read of
    /// `examplebucket/test.txt` on 2013-05-24.
    #[test]
    fn the_documented_get_object_example_signs_to_its_published_signature() {
        let headers = vec![("range".to_string(), "bytes=0-9".to_string())];
        let signed = sign(
            &Unsigned {
                service: "s3",
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                path: "/test.txt",
                query: &[],
                headers: &headers,
                payload_sha256: EMPTY_SHA256,
            },
            &example_credentials(),
            "us-east-1",
            Utc.with_ymd_and_hms(2013, 5, 24, 0, 0, 0).unwrap(),
        );
        assert_eq!(
            signed[0].1,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    /// The "GET bucket lifecycle" example: a query parameter with no value.
    #[test]
    fn the_documented_lifecycle_example_signs_an_empty_query_value() {
        let signed = sign(
            &Unsigned {
                service: "s3",
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                path: "/",
                query: &[("lifecycle".to_string(), String::new())],
                headers: &[],
                payload_sha256: EMPTY_SHA256,
            },
            &example_credentials(),
            "us-east-1",
            Utc.with_ymd_and_hms(2013, 5, 24, 0, 0, 0).unwrap(),
        );
        assert!(
            signed[0].1.ends_with(
                "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
            ),
            "{}",
            signed[0].1
        );
    }

    /// The presigned-URL example of the S3 documentation ("Authenticating Requests: Using
    /// Query Parameters"): a GET of `examplebucket/test.txt`, good for a day.
    #[test]
    fn the_documented_presigned_url_example_signs_to_its_published_signature() {
        let url = presign(
            &Presign {
                service: "s3",
                region: "us-east-1",
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                path: "/test.txt",
                query: &[],
                expires_secs: 86400,
            },
            &example_credentials(),
            Utc.with_ymd_and_hms(2013, 5, 24, 0, 0, 0).unwrap(),
        );
        assert_eq!(
            url,
            "examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }

    #[test]
    fn a_session_token_is_signed_into_the_presigned_query() {
        let mut credentials = example_credentials();
        let request = Presign {
            service: "rds-db",
            region: "eu-west-1",
            method: "GET",
            host: "db.example.com:5432",
            path: "/",
            query: &[],
            expires_secs: 900,
        };
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let without = presign(&request, &credentials, at);
        credentials.session_token = Some("to/ken=".into());
        let with = presign(&request, &credentials, at);
        assert!(with.contains("&X-Amz-Security-Token=to%2Fken%3D&X-Amz-Signature="));
        assert_ne!(
            without.rsplit_once('=').unwrap().1,
            with.rsplit_once('=').unwrap().1
        );
    }

    #[test]
    fn keys_are_encoded_but_their_slashes_kept() {
        assert_eq!(uri_encode("a b/c~d+e", true), "a%20b/c~d%2Be");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
    }
}
