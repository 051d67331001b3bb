//! The S3 calls the team vault makes, over plain HTTP(S) with SigV4 headers.
//!
//! Only what the vault needs is here: bucket checks and its Object Lock configuration,
//! single and multipart uploads with SHA-256 checksums, reading, heads, listing and
//! deleting. Responses are small XML documents, of which a few elements are read.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::model::hex;

use super::{S3Error, S3Location};
use crate::aws::CredentialChain;
use crate::aws::sign::{self, EMPTY_SHA256, Unsigned};
use crate::aws::xml::{elements, tag};

/// A connection to one bucket.
pub struct Client {
    agent: ureq::Agent,
    credentials: Arc<CredentialChain>,
    location: S3Location,
    /// `scheme://host[:port]` requests go to.
    origin: String,
    /// The host header.
    host: String,
    /// Path-style addressing puts the bucket in the path (custom endpoints); otherwise the
    /// bucket is part of the host name (AWS).
    path_style: bool,
}

/// How a bucket's new objects are locked by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultRetention {
    /// `COMPLIANCE` (no one can shorten it) or `GOVERNANCE`.
    pub mode: String,
    /// How long, as S3 says it: a number of days or of years.
    pub period: RetentionPeriod,
}

/// A default retention's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionPeriod {
    /// So many days.
    Days(u32),
    /// So many years.
    Years(u32),
}

impl std::fmt::Display for DefaultRetention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.period {
            RetentionPeriod::Days(n) => write!(f, "{} mode, {n} days", self.mode),
            RetentionPeriod::Years(n) => write!(f, "{} mode, {n} years", self.mode),
        }
    }
}

/// What a HEAD of an object says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    /// Its size in bytes.
    pub size: u64,
    /// The version, on a versioned (and so on every locked) bucket.
    pub version_id: Option<String>,
    /// Until when it cannot be deleted or overwritten, if it is locked.
    pub retain_until: Option<DateTime<Utc>>,
    /// The SHA-256 recorded at upload (`x-amz-meta-sha256`).
    pub sha256: Option<String>,
}

/// A part of a multipart upload once sent.
#[derive(Debug, Clone)]
pub struct SentPart {
    /// Its number, from 1.
    pub number: u32,
    /// The ETag S3 gave it.
    pub etag: String,
    /// Base64 of its SHA-256, as sent and checked by S3.
    pub checksum: String,
}

/// The body of a request and its hash.
struct Body<'a> {
    bytes: &'a [u8],
    sha256: String,
}

impl<'a> Body<'a> {
    fn empty() -> Self {
        Body {
            bytes: &[],
            sha256: EMPTY_SHA256.to_string(),
        }
    }

    fn of(bytes: &'a [u8]) -> Self {
        Body {
            bytes,
            sha256: hex(&Sha256::digest(bytes)),
        }
    }
}

/// Base64 of a SHA-256 digest, as S3's checksum headers carry it.
pub fn checksum_of(digest: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Client {
    /// A client for `location`, signing with the credentials `credentials` gives at the
    /// time of each request. Nothing is sent yet.
    pub fn new(
        location: S3Location,
        credentials: impl Into<Arc<CredentialChain>>,
    ) -> Result<Self, S3Error> {
        let credentials = credentials.into();
        let (origin, host, path_style) = match &location.endpoint {
            Some(endpoint) => {
                let trimmed = endpoint.trim_end_matches('/');
                let host = trimmed
                    .strip_prefix("http://")
                    .or_else(|| trimmed.strip_prefix("https://"))
                    .filter(|h| !h.is_empty() && !h.contains('/'))
                    .ok_or_else(|| {
                        S3Error::Setting(format!(
                            "the endpoint must look like https://host[:port], not '{endpoint}'"
                        ))
                    })?;
                (trimmed.to_string(), host.to_string(), true)
            }
            None => {
                let host = format!("{}.s3.{}.amazonaws.com", location.bucket, location.region);
                (format!("https://{host}"), host, false)
            }
        };
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            .timeout_read(Duration::from_secs(300))
            .timeout_write(Duration::from_secs(300))
            .build();
        Ok(Client {
            agent,
            credentials,
            location,
            origin,
            host,
            path_style,
        })
    }

    /// Where requests go, for messages.
    pub fn location(&self) -> &S3Location {
        &self.location
    }

    fn path(&self, key: Option<&str>) -> String {
        let key = key.map(|k| sign::uri_encode(k, true)).unwrap_or_default();
        if self.path_style {
            format!("/{}/{key}", sign::uri_encode(&self.location.bucket, false))
        } else {
            format!("/{key}")
        }
    }

    /// Sends one signed request; a status of 300 or more becomes an error that names what
    /// was being done.
    fn send(
        &self,
        what: &str,
        method: &str,
        key: Option<&str>,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: Body<'_>,
    ) -> Result<ureq::Response, S3Error> {
        let path = self.path(key);
        let credentials = self.credentials.credentials()?;
        let signed = sign::sign(
            &Unsigned {
                service: "s3",
                method,
                host: &self.host,
                path: &path,
                query,
                headers,
                payload_sha256: &body.sha256,
            },
            &credentials,
            &self.location.region,
            Utc::now(),
        );
        let canonical = sign::canonical_query(query);
        let url = if canonical.is_empty() {
            format!("{}{path}", self.origin)
        } else {
            format!("{}{path}?{canonical}", self.origin)
        };
        let mut request = self.agent.request(method, &url);
        for (name, value) in headers.iter().chain(signed.iter()) {
            request = request.set(name, value);
        }
        let sent = if body.bytes.is_empty() && method != "PUT" && method != "POST" {
            request.call()
        } else {
            request.send_bytes(body.bytes)
        };
        match sent {
            Ok(response) => Ok(response),
            Err(ureq::Error::Status(status, response)) => {
                let text = response.into_string().unwrap_or_default();
                Err(S3Error::Service {
                    what: what.to_string(),
                    status,
                    code: tag(&text, "Code").unwrap_or_default(),
                    message: tag(&text, "Message").unwrap_or_default(),
                })
            }
            Err(ureq::Error::Transport(transport)) => Err(S3Error::Unreachable {
                endpoint: self.origin.clone(),
                reason: transport.to_string(),
            }),
        }
    }

    fn text(response: ureq::Response, what: &str) -> Result<String, S3Error> {
        response.into_string().map_err(|e| S3Error::Unreachable {
            endpoint: what.to_string(),
            reason: e.to_string(),
        })
    }

    /// The credentials it signs with.
    pub fn credentials(&self) -> &Arc<CredentialChain> {
        &self.credentials
    }

    /// Checks that the bucket exists and these credentials reach it.
    pub fn head_bucket(&self) -> Result<(), S3Error> {
        self.send("checking the bucket", "HEAD", None, &[], &[], Body::empty())?;
        Ok(())
    }

    /// Creates the bucket, with Object Lock and this default retention when given.
    pub fn create_bucket(&self, lock: Option<&DefaultRetention>) -> Result<(), S3Error> {
        let mut headers = Vec::new();
        if lock.is_some() {
            headers.push((
                "x-amz-bucket-object-lock-enabled".to_string(),
                "true".to_string(),
            ));
        }
        let config = if self.location.region == "us-east-1" {
            String::new()
        } else {
            format!(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                escape(&self.location.region)
            )
        };
        self.send(
            "creating the bucket",
            "PUT",
            None,
            &[],
            &headers,
            Body::of(config.as_bytes()),
        )?;
        if let Some(lock) = lock {
            let period = match lock.period {
                RetentionPeriod::Days(n) => format!("<Days>{n}</Days>"),
                RetentionPeriod::Years(n) => format!("<Years>{n}</Years>"),
            };
            let xml = format!(
                "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>{}</Mode>{period}</DefaultRetention></Rule></ObjectLockConfiguration>",
                escape(&lock.mode)
            );
            let checksum = checksum_of(&Sha256::digest(xml.as_bytes()));
            self.send(
                "setting the bucket's Object Lock",
                "PUT",
                None,
                &query(&[("object-lock", "")]),
                &[("x-amz-checksum-sha256".to_string(), checksum)],
                Body::of(xml.as_bytes()),
            )?;
        }
        Ok(())
    }

    /// The bucket's default retention, or `None` when it has no Object Lock or no default.
    pub fn default_retention(&self) -> Result<Option<DefaultRetention>, S3Error> {
        let response = match self.send(
            "reading the bucket's Object Lock",
            "GET",
            None,
            &query(&[("object-lock", "")]),
            &[],
            Body::empty(),
        ) {
            Ok(response) => response,
            Err(S3Error::Service { status: 404, .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        let xml = Self::text(response, "the bucket's Object Lock")?;
        if tag(&xml, "ObjectLockEnabled").as_deref() != Some("Enabled") {
            return Ok(None);
        }
        let Some(mode) = tag(&xml, "Mode") else {
            return Ok(None);
        };
        let number = |name| tag(&xml, name).and_then(|n| n.trim().parse::<u32>().ok());
        let period = match (number("Days"), number("Years")) {
            (Some(days), _) => RetentionPeriod::Days(days),
            (None, Some(years)) => RetentionPeriod::Years(years),
            (None, None) => return Ok(None),
        };
        Ok(Some(DefaultRetention { mode, period }))
    }

    /// Uploads a small object in one request, with its SHA-256 for S3 to check.
    pub fn put_object(&self, key: &str, bytes: &[u8], sha256_hex: &str) -> Result<(), S3Error> {
        let digest = Sha256::digest(bytes);
        let headers = [
            ("x-amz-checksum-sha256".to_string(), checksum_of(&digest)),
            ("x-amz-meta-sha256".to_string(), sha256_hex.to_string()),
            // S3 wants the algorithm named on uploads into a bucket under Object Lock.
            (
                "x-amz-sdk-checksum-algorithm".to_string(),
                "SHA256".to_string(),
            ),
        ];
        self.send(
            "uploading evidence",
            "PUT",
            Some(key),
            &[],
            &headers,
            Body {
                bytes,
                sha256: hex(&digest),
            },
        )?;
        Ok(())
    }

    /// Starts a multipart upload with SHA-256 checksums; returns its upload id.
    pub fn create_multipart(&self, key: &str, sha256_hex: &str) -> Result<String, S3Error> {
        let headers = [
            ("x-amz-checksum-algorithm".to_string(), "SHA256".to_string()),
            ("x-amz-meta-sha256".to_string(), sha256_hex.to_string()),
        ];
        let response = self.send(
            "starting an upload",
            "POST",
            Some(key),
            &query(&[("uploads", "")]),
            &headers,
            Body::empty(),
        )?;
        let xml = Self::text(response, "starting an upload")?;
        tag(&xml, "UploadId").ok_or_else(|| S3Error::Service {
            what: "starting an upload".into(),
            status: 200,
            code: "NoUploadId".into(),
            message: "the answer named no upload id".into(),
        })
    }

    /// Sends one part, with its SHA-256 for S3 to check.
    pub fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        bytes: &[u8],
    ) -> Result<SentPart, S3Error> {
        let digest = Sha256::digest(bytes);
        let checksum = checksum_of(&digest);
        let number_text = number.to_string();
        let response = self.send(
            "uploading a part",
            "PUT",
            Some(key),
            &query(&[("partNumber", &number_text), ("uploadId", upload_id)]),
            &[
                ("x-amz-checksum-sha256".to_string(), checksum.clone()),
                (
                    "x-amz-sdk-checksum-algorithm".to_string(),
                    "SHA256".to_string(),
                ),
            ],
            Body {
                bytes,
                sha256: hex(&digest),
            },
        )?;
        let etag = response.header("etag").unwrap_or_default().to_string();
        Ok(SentPart {
            number,
            etag,
            checksum,
        })
    }

    /// Completes a multipart upload: the object appears whole, or not at all.
    pub fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[SentPart],
    ) -> Result<(), S3Error> {
        let mut xml = String::from(
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
        );
        for part in parts {
            xml.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag><ChecksumSHA256>{}</ChecksumSHA256></Part>",
                part.number,
                escape(&part.etag),
                part.checksum
            ));
        }
        xml.push_str("</CompleteMultipartUpload>");
        let response = self.send(
            "completing an upload",
            "POST",
            Some(key),
            &query(&[("uploadId", upload_id)]),
            &[],
            Body::of(xml.as_bytes()),
        )?;
        // S3 can answer 200 and still report an error in the body.
        let text = Self::text(response, "completing an upload")?;
        if text.contains("<Error>") {
            return Err(S3Error::Service {
                what: "completing an upload".into(),
                status: 200,
                code: tag(&text, "Code").unwrap_or_default(),
                message: tag(&text, "Message").unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// Abandons a multipart upload and its parts; no object is left.
    pub fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), S3Error> {
        match self.send(
            "abandoning an upload",
            "DELETE",
            Some(key),
            &query(&[("uploadId", upload_id)]),
            &[],
            Body::empty(),
        ) {
            Ok(_) | Err(S3Error::Service { status: 404, .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Multipart uploads under `prefix` that were started and never completed or abandoned,
    /// as (key, upload id).
    pub fn unfinished_uploads(&self, prefix: &str) -> Result<Vec<(String, String)>, S3Error> {
        let mut found = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut pairs = vec![("uploads", ""), ("prefix", prefix)];
            if let Some((key, id)) = &markers {
                pairs.push(("key-marker", key));
                pairs.push(("upload-id-marker", id));
            }
            let response = self.send(
                "listing unfinished uploads",
                "GET",
                None,
                &query(&pairs),
                &[],
                Body::empty(),
            )?;
            let xml = Self::text(response, "listing unfinished uploads")?;
            for upload in elements(&xml, "Upload") {
                if let (Some(key), Some(id)) = (tag(upload, "Key"), tag(upload, "UploadId")) {
                    found.push((key, id));
                }
            }
            if tag(&xml, "IsTruncated").as_deref() != Some("true") {
                return Ok(found);
            }
            match (tag(&xml, "NextKeyMarker"), tag(&xml, "NextUploadIdMarker")) {
                (Some(key), Some(id)) => markers = Some((key, id)),
                _ => return Ok(found),
            }
        }
    }

    /// What S3 knows of an object, or `None` when there is none.
    pub fn head_object(&self, key: &str) -> Result<Option<ObjectHead>, S3Error> {
        let response = match self.send(
            "looking up evidence",
            "HEAD",
            Some(key),
            &[],
            &[],
            Body::empty(),
        ) {
            Ok(response) => response,
            Err(S3Error::Service { status: 404, .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        let size = response
            .header("content-length")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let retain_until = response
            .header("x-amz-object-lock-retain-until-date")
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&Utc));
        Ok(Some(ObjectHead {
            size,
            version_id: response
                .header("x-amz-version-id")
                .filter(|v| !v.is_empty() && *v != "null")
                .map(str::to_string),
            retain_until,
            sha256: response.header("x-amz-meta-sha256").map(str::to_string),
        }))
    }

    /// Streams an object's content.
    pub fn get_object(&self, key: &str) -> Result<Box<dyn Read + Send + Sync>, S3Error> {
        let response = self.send(
            "reading evidence",
            "GET",
            Some(key),
            &[],
            &[],
            Body::empty(),
        )?;
        Ok(response.into_reader())
    }

    /// Deletes an object, or one version of it. On a locked bucket S3 refuses to delete a
    /// version under retention.
    pub fn delete_object(&self, key: &str, version_id: Option<&str>) -> Result<(), S3Error> {
        let pairs: Vec<(&str, &str)> = version_id
            .map(|v| vec![("versionId", v)])
            .unwrap_or_default();
        self.send(
            "deleting evidence",
            "DELETE",
            Some(key),
            &query(&pairs),
            &[],
            Body::empty(),
        )?;
        Ok(())
    }

    /// Every object under `prefix`, as (key, size).
    pub fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>, S3Error> {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut pairs = vec![("list-type", "2"), ("prefix", prefix)];
            if let Some(token) = &token {
                pairs.push(("continuation-token", token));
            }
            let response = self.send(
                "listing evidence",
                "GET",
                None,
                &query(&pairs),
                &[],
                Body::empty(),
            )?;
            let xml = Self::text(response, "listing evidence")?;
            for item in elements(&xml, "Contents") {
                if let Some(key) = tag(item, "Key") {
                    let size = tag(item, "Size").and_then(|s| s.parse().ok()).unwrap_or(0);
                    found.push((key, size));
                }
            }
            match (
                tag(&xml, "IsTruncated").as_deref(),
                tag(&xml, "NextContinuationToken"),
            ) {
                (Some("true"), Some(next)) => token = Some(next),
                _ => return Ok(found),
            }
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
