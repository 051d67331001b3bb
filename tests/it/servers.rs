//! The real servers the team-workspace tests use, on loopback: moto's S3 server (and
//! PostgreSQL), as `.ci/servers` starts them. A test that needs one starts them through that
//! script when they do not answer, and fails with what to do when that does not work.

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lockstep::vault::s3::{Credentials, S3Location};

fn port(var: &str, default: u16) -> u16 {
    std::env::var(var)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok()
}

/// Whether the servers answer, starting them once per test run if needed; the reason
/// when they cannot be had.
fn started() -> &'static Result<(), String> {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    STARTED.get_or_init(|| {
        let (pg, s3) = (pg_port(), s3_port());
        if answers(pg) && answers(s3) && answers(pg_tls_port()) {
            return Ok(());
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/servers");
        let run = Command::new("bash").arg(&script).arg("start").output();
        match run {
            Ok(out) if out.status.success() && answers(s3) => Ok(()),
            Ok(out) => Err(String::from_utf8_lossy(&out.stderr)
                .trim()
                .replace('\n', "; ")),
            Err(e) => Err(e.to_string()),
        }
    })
}

/// Set (to 1) by CI, so a test that needs the servers fails when they cannot be had rather
/// than skipping.
const REQUIRE_VAR: &str = "LOCKSTEP_REQUIRE_SERVERS";

/// Whether the test servers can be used. When they cannot (no apt, no pip, no network), a
/// test skips with one line saying why, unless [`REQUIRE_VAR`] is set, when it fails.
pub fn available(test: &str) -> bool {
    let Err(why) = started() else {
        return true;
    };
    if std::env::var(REQUIRE_VAR).is_ok_and(|v| !v.is_empty() && v != "0") {
        panic!(
            "the test servers are not running and could not be started ({why}); start them with `.ci/servers start` (see the README)"
        );
    }
    eprintln!(
        "skipped {test}: the test servers could not be started ({why}); {REQUIRE_VAR}=1 makes this a failure"
    );
    false
}

/// Returns from the test when the servers cannot be had (see [`available`]).
#[macro_export]
macro_rules! require_servers {
    () => {
        if !$crate::servers::available(module_path!()) {
            return;
        }
    };
}

/// Makes sure the servers answer; a test reaches this only after [`require_servers!`].
fn ensure_started() {
    if let Err(why) = started() {
        panic!(
            "the test servers are not running and could not be started ({why}); start them with `.ci/servers start` (see the README)"
        );
    }
}

fn pg_port() -> u16 {
    port("LOCKSTEP_TEST_PG_PORT", 54329)
}

/// The port of the PostgreSQL server that accepts only TLS, started if needed.
pub fn pg_tls_port() -> u16 {
    port("LOCKSTEP_TEST_PG_TLS_PORT", 54331)
}

/// A file of the test servers' TLS set-up: `ca.crt` (signed the TLS server's certificate, for
/// `localhost`) or `other-ca.crt` (signed nothing the server shows).
pub fn tls_file(name: &str) -> std::path::PathBuf {
    ensure_started();
    let state = std::env::var("LOCKSTEP_TEST_SERVERS")
        .unwrap_or_else(|_| "/tmp/lockstep-servers".to_string());
    Path::new(&state).join("tls").join(name)
}

/// Creates a database no other test uses on the TLS-only server and returns its name.
pub fn fresh_tls_database(what: &str) -> String {
    let name = fresh_bucket(what).replace('-', "_");
    let ca = tls_file("ca.crt");
    let url = format!(
        "postgres://lockstep:{PG_PASSWORD}@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}",
        pg_tls_port(),
        ca.display()
    );
    let mut admin = lockstep::store::pg::DatabaseUrl::parse(&url)
        .and_then(|url| url.connect(&|_| None))
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server with TLS: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    name
}

fn s3_port() -> u16 {
    port("LOCKSTEP_TEST_S3_PORT", 54330)
}

/// The S3 server's endpoint, started if needed.
pub fn s3_endpoint() -> String {
    ensure_started();
    format!("http://127.0.0.1:{}", s3_port())
}

/// Credentials the S3 server accepts (it checks none).
pub fn s3_credentials() -> Credentials {
    Credentials {
        access_key: "lockstep-test".into(),
        secret_key: "lockstep-test-secret".into(),
        session_token: None,
        expires: None,
    }
}

/// A bucket name no other test uses.
pub fn fresh_bucket(what: &str) -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{what}-{}-{nanos}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A location in a fresh bucket on the S3 server (the bucket itself is not created).
pub fn fresh_location(what: &str, prefix: &str) -> S3Location {
    S3Location {
        bucket: fresh_bucket(what),
        prefix: prefix.to_string(),
        endpoint: Some(s3_endpoint()),
        region: "us-east-1".to_string(),
    }
}

/// The password of the test server's superuser `lockstep`.
pub const PG_PASSWORD: &str = "lockstep";

/// A URL for `database` on the test server, without a password.
pub fn pg_url(database: &str) -> String {
    ensure_started();
    format!("postgres://lockstep@127.0.0.1:{}/{database}", pg_port())
}

/// Creates a database no other test uses and returns its URL (without a password).
pub fn fresh_database(what: &str) -> String {
    let name = fresh_bucket(what).replace('-', "_");
    let url = format!(
        "postgres://lockstep:{PG_PASSWORD}@127.0.0.1:{}/postgres",
        pg_port()
    );
    ensure_started();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    pg_url(&name)
}
