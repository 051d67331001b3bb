//! TLS to the team database, against a real PostgreSQL server that accepts only TLS
//! (`hostssl` in its pg_hba.conf) with a certificate for `localhost` signed by a CA the test
//! servers' set-up made: every sslmode, a wrong CA, a wrong host name and bad settings.

use std::fs;

use lockstep::store::pg::tls::Checked;
use lockstep::store::pg::{self, DatabaseUrl};

use crate::servers::{
    PG_PASSWORD, fresh_location, fresh_tls_database, pg_tls_port, s3_credentials, tls_file,
};
use crate::team::{member, ok};

fn url(host: &str, database: &str, query: &str) -> String {
    format!(
        "postgres://lockstep:{PG_PASSWORD}@{host}:{}/{database}?{query}",
        pg_tls_port()
    )
}

fn connect(url: &str) -> Result<pg::Encryption, String> {
    let parsed = DatabaseUrl::parse(url).map_err(|e| e.to_string())?;
    let mut client = parsed.connect(&|_| None).map_err(|e| e.to_string())?;
    pg::encryption(&mut client, &parsed).map_err(|e| e.to_string())
}

#[test]
fn each_sslmode_connects_as_libpq_would_and_says_how_far_it_checked() {
    crate::require_servers!();
    let database = fresh_tls_database("tls_modes");
    let ca = tls_file("ca.crt");
    let ca = ca.display();
    for (host, query, checked) in [
        ("127.0.0.1", "sslmode=prefer".to_string(), Checked::Nothing),
        ("127.0.0.1", "sslmode=require".to_string(), Checked::Nothing),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={ca}"),
            Checked::Ca,
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={ca}"),
            Checked::Full,
        ),
        (
            "localhost",
            format!("sslmode=require&sslrootcert={ca}"),
            Checked::Ca,
        ),
    ] {
        let encryption = connect(&url(host, &database, &query))
            .unwrap_or_else(|e| panic!("{host} {query}: {e}"));
        assert!(encryption.encrypted, "{query}");
        assert_eq!(encryption.checked, checked, "{query}");
    }
    // The server takes only TLS, so a plain connection is turned away by the server.
    let plain = connect(&url("localhost", &database, "sslmode=disable")).unwrap_err();
    assert!(
        plain.contains("pg_hba.conf") || plain.contains("encryption"),
        "{plain}"
    );
}

#[test]
fn a_certificate_from_another_ca_or_for_another_host_is_refused_in_one_sentence() {
    crate::require_servers!();
    let database = fresh_tls_database("tls_refused");
    let other = tls_file("other-ca.crt");
    for mode in ["verify-ca", "verify-full", "require"] {
        let error = connect(&url(
            "localhost",
            &database,
            &format!("sslmode={mode}&sslrootcert={}", other.display()),
        ))
        .unwrap_err();
        assert!(
            error.contains("not signed by a CA in") && error.contains("other-ca.crt"),
            "{mode}: {error}"
        );
        assert!(
            error.contains(&format!("localhost:{}", pg_tls_port())),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
    }
    let ca = tls_file("ca.crt");
    let error = connect(&url(
        "127.0.0.1",
        &database,
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    ))
    .unwrap_err();
    assert!(
        error.contains("not issued for the host name '127.0.0.1'"),
        "{error}"
    );
    // The system's CAs do not hold the test CA.
    let error = connect(&url("localhost", &database, "sslmode=verify-full")).unwrap_err();
    assert!(error.contains("the system's trusted CAs"), "{error}");
}

#[test]
fn workspace_connect_over_verified_tls_keeps_the_mode_and_an_absolute_ca_path() {
    crate::require_servers!();
    let database = fresh_tls_database("tls_connect");
    let location = fresh_location("tls", "audit");
    lockstep::vault::s3::S3Vault::unchecked(location.clone(), s3_credentials())
        .unwrap()
        .client()
        .create_bucket(None)
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let ca = root.path().join("rds-bundle.pem");
    fs::copy(tls_file("ca.crt"), &ca).unwrap();
    let team = root.path().join("team");
    let given = format!(
        "postgres://lockstep@localhost:{}/{database}?sslmode=verify-full&sslrootcert=rds-bundle.pem",
        pg_tls_port()
    );
    let endpoint = location.endpoint.clone().unwrap();
    let args = |database: &str| {
        vec![
            "workspace".to_string(),
            "connect".into(),
            "--database".into(),
            database.to_string(),
            "--vault".into(),
            location.url(),
            "--endpoint".into(),
            endpoint.clone(),
        ]
    };
    let run = crate::common::run({
        let mut command = crate::common::binary();
        command
            .current_dir(root.path())
            .arg("--workspace")
            .arg(&team)
            .args(args(&given))
            .env("PGPASSWORD", PG_PASSWORD)
            .env("AWS_ACCESS_KEY_ID", "lockstep-test")
            .env("AWS_SECRET_ACCESS_KEY", "lockstep-test-secret")
            .env_remove("AWS_PROFILE");
        command
    });
    let out = ok(&run);
    assert!(
        out.contains("encrypted (TLS), certificate and host name verified"),
        "{out}"
    );
    let settings = fs::read_to_string(team.join("workspace.toml")).unwrap();
    assert!(settings.contains("sslmode=verify-full"), "{settings}");
    assert!(
        settings.contains(&format!("sslrootcert={}", ca.display())),
        "{settings}"
    );
    assert!(
        !settings.contains(&format!(":{PG_PASSWORD}@")),
        "{settings}"
    );
    // The saved folder opens from anywhere, over the same verified TLS.
    let listed = member(&team, &["project", "list"]);
    ok(&listed);

    // Bad settings: one sentence each, exit 2, nothing written.
    let bad_pem = root.path().join("not-a-bundle.pem");
    fs::write(&bad_pem, "hello\n").unwrap();
    for (database, says) in [
        (
            given.replace("verify-full", "verify_full"),
            "is not one of disable, prefer, require, verify-ca or verify-full",
        ),
        (
            given.replace("rds-bundle.pem", &bad_pem.display().to_string()),
            "is not a PEM certificate bundle",
        ),
        (
            given.replace("lockstep@", "lockstep:secret@"),
            "leave the password out",
        ),
    ] {
        let fresh = root.path().join("fresh");
        let run = member(
            &fresh,
            &args(&database)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_eq!(run.code, 2, "{database}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        assert!(!fresh.join("workspace.toml").exists());
    }
}

#[test]
fn iam_authentication_sends_a_signed_token_as_the_password_over_tls() {
    crate::require_servers!();
    let database = fresh_tls_database("tls_iam");
    let location = fresh_location("iam", "audit");
    lockstep::vault::s3::S3Vault::unchecked(location.clone(), s3_credentials())
        .unwrap()
        .client()
        .create_bucket(None)
        .unwrap();
    // With the clock held still, the token this login will send is known, so the test
    // server can be given it as the role's password: a login that works proves the token
    // was made from these credentials, for this host, port, user and region.
    let now = "2026-12-05T10:00:00Z";
    // Roles belong to the whole server, so the name is as unique as the database's.
    let user = format!("iam_{database}");
    let credentials = lockstep::aws::Credentials {
        access_key: "AKIDLOCKSTEPTEST".into(),
        secret_key: "lockstep-iam-secret".into(),
        session_token: None,
        expires: None,
    };
    let token = lockstep::aws::rds::auth_token(
        &credentials,
        "localhost",
        pg_tls_port(),
        &user,
        "eu-west-1",
        chrono::DateTime::parse_from_rfc3339(now).unwrap().into(),
    );
    assert!(token.starts_with(&format!("localhost:{}/?Action=connect", pg_tls_port())));
    let ca = tls_file("ca.crt");
    let admin_url = url(
        "localhost",
        "postgres",
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let mut admin = DatabaseUrl::parse(&admin_url)
        .unwrap()
        .connect(&|_| None)
        .unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {user} LOGIN SUPERUSER PASSWORD '{token}'"
        ))
        .unwrap();

    let team = tempfile::tempdir().unwrap();
    let given = format!(
        "postgres://{user}@localhost:{}/{database}?sslmode=verify-full&sslrootcert={}",
        pg_tls_port(),
        ca.display()
    );
    let endpoint = location.endpoint.clone().unwrap();
    let mut command = crate::common::binary();
    command
        .arg("--workspace")
        .arg(team.path())
        .args([
            "workspace",
            "connect",
            "--database",
            &given,
            "--vault",
            &location.url(),
            "--endpoint",
            &endpoint,
            "--region",
            "eu-west-1",
            "--iam-auth",
        ])
        .env("LOCKSTEP_TEST_NOW", now)
        .env("AWS_ACCESS_KEY_ID", &credentials.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &credentials.secret_key)
        .env_remove("PGPASSWORD")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    let run = crate::common::run(command);
    let out = ok(&run);
    assert!(out.contains("logged in with an RDS IAM token"), "{out}");
    let settings = fs::read_to_string(team.path().join("workspace.toml")).unwrap();
    assert!(settings.contains("iam_auth = true"), "{settings}");
    assert!(settings.contains("region = \"eu-west-1\""), "{settings}");
    assert!(!settings.contains("X-Amz"), "{settings}");
}
