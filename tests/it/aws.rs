//! The AWS credential chain against real servers: moto's STS (on the same port as its S3),
//! and a tiny SSO portal started by the test. Each test gives the chain its own
//! environment and temp home, never the process's, since tests run in parallel.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use chrono::{Duration, Utc};
use lockstep::aws::{AwsError, CredentialChain, Env, sso};
use lockstep::vault::s3::S3Vault;

use crate::servers::{fresh_location, s3_endpoint};

/// A temp home with these `~/.aws/config` and `~/.aws/credentials` texts.
fn home(config: &str, credentials: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".aws/sso/cache")).unwrap();
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
    dir
}

/// The environment of a chain living in `home`, with STS at moto and `extra` added.
fn env(home: &Path, extra: &[(&str, String)]) -> Env {
    let mut vars = vec![
        ("HOME".to_string(), home.display().to_string()),
        ("AWS_ENDPOINT_URL_STS".to_string(), s3_endpoint()),
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Env::from_vars(vars)
}

const SOURCE_KEYS: &str =
    "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = base-secret\n";

#[test]
fn a_role_is_assumed_from_a_source_profile_with_static_keys() {
    crate::require_servers!();
    let home = home(
        "[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/Auditor\nsource_profile = base\nrole_session_name = audit-session\n",
        SOURCE_KEYS,
    );
    let chain = CredentialChain::resolve_in(env(home.path(), &[]), Some("auditor"), None).unwrap();
    assert_eq!(chain.profile(), Some("auditor"));
    let credentials = chain.credentials().unwrap();
    assert_ne!(credentials.access_key, "AKIAIOSFODNN7EXAMPLE");
    assert!(credentials.session_token.is_some());
    assert!(credentials.expires.unwrap() > Utc::now());
    let who = chain.caller_identity().unwrap();
    assert_eq!(who.role(), Some("Auditor"), "{who:?}");
    assert!(
        who.arn.ends_with("assumed-role/Auditor/audit-session"),
        "{who:?}"
    );
    assert_eq!(who.expires, credentials.expires);
}

/// A script printing credentials that expire at `expires`, counting its runs in `count`.
fn process_script(dir: &Path, expires: chrono::DateTime<Utc>) -> String {
    let script = dir.join("creds.sh");
    let count = dir.join("runs");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"tok\", \"Expiration\": \"{}\"}}'\n",
            count.display(),
            expires.to_rfc3339()
        ),
    )
    .unwrap();
    format!("sh {}", script.display())
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn credential_process_gives_the_credentials_and_they_stay_cached_while_fresh() {
    crate::require_servers!();
    let dir = tempfile::tempdir().unwrap();
    let command = process_script(dir.path(), Utc::now() + Duration::hours(2));
    let home = home(
        &format!("[profile tool]\ncredential_process = {command}\n"),
        "",
    );
    let chain = CredentialChain::resolve_in(env(home.path(), &[]), Some("tool"), None).unwrap();
    assert_eq!(chain.credentials().unwrap().access_key, "AKIAPROCESS");
    chain.credentials().unwrap();
    assert_eq!(runs(dir.path()), 1);
}

#[test]
fn credentials_that_expire_within_minutes_are_fetched_again() {
    crate::require_servers!();
    let dir = tempfile::tempdir().unwrap();
    let command = process_script(dir.path(), Utc::now() + Duration::minutes(1));
    let home = home(
        &format!("[profile tool]\ncredential_process = {command}\n"),
        "",
    );
    let chain = CredentialChain::resolve_in(env(home.path(), &[]), Some("tool"), None).unwrap();
    assert_eq!(runs(dir.path()), 1);
    chain.credentials().unwrap();
    assert_eq!(runs(dir.path()), 2);
}

/// Serves GetRoleCredentials once for `token` on 127.0.0.1; its endpoint, and a handle
/// giving the request line it saw.
fn sso_portal(token: &'static str) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut authorized = false;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            authorized |=
                lower.starts_with("x-amz-sso_bearer_token:") && line.trim_end().ends_with(token);
        }
        let expires = (Utc::now() + Duration::hours(1)).timestamp_millis();
        let (status, body) = if authorized {
            (
                "200 OK",
                format!(
                    r#"{{"roleCredentials":{{"accessKeyId":"ASIASSO","secretAccessKey":"sso-secret","sessionToken":"sso-token","expiration":{expires}}}}}"#
                ),
            )
        } else {
            ("401 Unauthorized", r#"{"message":"no"}"#.to_string())
        };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let _ = stream.flush();
        let _ = reader.read(&mut [0u8; 1]);
        request_line
    });
    (endpoint, handle)
}

const SSO_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

#[test]
fn an_sso_profile_exchanges_the_cached_sign_in_for_role_credentials() {
    crate::require_servers!();
    let home = home(SSO_CONFIG, "");
    let expires = (Utc::now() + Duration::hours(8)).to_rfc3339();
    std::fs::write(
        sso::cache_file(home.path(), "corp"),
        format!(r#"{{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "cached-token", "expiresAt": "{expires}"}}"#),
    )
    .unwrap();
    let (portal, served) = sso_portal("cached-token");
    let env = env(home.path(), &[("AWS_ENDPOINT_URL_SSO", portal)]);
    let chain = CredentialChain::resolve_in(env, Some("dev"), None).unwrap();
    let credentials = chain.credentials().unwrap();
    assert_eq!(credentials.access_key, "ASIASSO");
    assert_eq!(credentials.session_token.as_deref(), Some("sso-token"));
    let request = served.join().unwrap();
    assert!(
        request
            .starts_with("GET /federation/credentials?account_id=111122223333&role_name=ReadOnly "),
        "{request}"
    );
}

#[test]
fn an_expired_sso_sign_in_says_to_sign_in_again() {
    crate::require_servers!();
    let home = home(SSO_CONFIG, "");
    std::fs::write(
        sso::cache_file(home.path(), "corp"),
        r#"{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let error = CredentialChain::resolve_in(env(home.path(), &[]), Some("dev"), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the SSO sign-in for profile dev has expired: run `aws sso login --profile dev`"
    );
}

#[test]
fn a_missing_profile_and_a_source_loop_are_named() {
    crate::require_servers!();
    let home = home(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n",
        SOURCE_KEYS,
    );
    let error = CredentialChain::resolve_in(env(home.path(), &[]), Some("nope"), None).unwrap_err();
    assert!(
        matches!(error, AwsError::ProfileNotFound(ref p) if p == "nope"),
        "{error}"
    );
    let error = CredentialChain::resolve_in(env(home.path(), &[]), Some("a"), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the source_profile of AWS profile 'b' leads back in a loop: a → b → a"
    );
}

#[test]
fn the_s3_vault_works_with_credentials_from_an_assumed_role() {
    crate::require_servers!();
    let home = home(
        "[profile vault]\nrole_arn = arn:aws:iam::123456789012:role/Vault\nsource_profile = base\n",
        SOURCE_KEYS,
    );
    let chain = CredentialChain::resolve_in(env(home.path(), &[]), Some("vault"), None).unwrap();
    let location = fresh_location("aws-chain", "team");
    let created = S3Vault::unchecked(location.clone(), chain.clone()).unwrap();
    created.client().create_bucket(None).unwrap();
    let vault = S3Vault::open(location, chain).unwrap();
    let file = home.path().join("evidence.txt");
    std::fs::write(&file, b"signed with an assumed role").unwrap();
    let uploaded = vault
        .upload(&file, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    let mut back = Vec::new();
    vault
        .read(&uploaded.sha256)
        .unwrap()
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, b"signed with an assumed role");
}
