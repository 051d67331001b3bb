//! The team workspace in the window: the Workspace menu offers a push for a local workspace
//! and the team details for a team one; the details show the database host, that the test
//! server's session is not encrypted, and the AWS identity moto's STS gives; a push runs as
//! a background job and says where it went. The team workspace is opened with credentials
//! given here, never through the process's environment.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, Level, WorkspaceOpener};
use lockstep::aws::{CredentialChain, Env};
use lockstep::store::{Clock, Store, VAULT_DIR};
use lockstep::vault::Vault;
use lockstep::vault::s3::{S3Location, S3Vault};
use lockstep::workspace::{SignIn, Workspace, WorkspaceError};

use crate::servers::{PG_PASSWORD, s3_credentials, s3_endpoint};
use crate::team::{connect, ok, team_servers};
use crate::window::{ScriptedPicker, clock, create_project, finish_background, harness, open_app};

/// The AWS credentials of the test servers, with STS at moto, as an environment of their own.
fn chain() -> Arc<CredentialChain> {
    let credentials = s3_credentials();
    let env = Env::from_vars([
        ("AWS_ACCESS_KEY_ID", credentials.access_key),
        ("AWS_SECRET_ACCESS_KEY", credentials.secret_key),
        ("AWS_ENDPOINT_URL_STS", s3_endpoint()),
        ("AWS_REGION", "us-east-1".to_string()),
    ]);
    CredentialChain::resolve_in(env, None, None).unwrap()
}

/// Opens the team workspace in `dir` on `url` and `location` with the test servers'
/// password and keys.
fn open_team(
    dir: &Path,
    clock: Clock,
    url: &str,
    location: &S3Location,
) -> Result<Workspace, WorkspaceError> {
    let login = lockstep::store::pg::DatabaseUrl::parse(url).unwrap();
    let store = Store::open_team(dir, &login, clock, &|_| Some(PG_PASSWORD.to_string()))?;
    let remote = S3Vault::open(location.clone(), chain()).unwrap();
    let vault = Vault::open_remote(&dir.join(VAULT_DIR), remote)?;
    Ok(Workspace { store, vault })
}

/// An opener that opens the team workspace in `team` with the test credentials and any
/// other workspace as usual.
fn opener(team: PathBuf, url: String, location: S3Location) -> WorkspaceOpener {
    Arc::new(move |dir, clock, _sign_in| {
        if dir == team {
            open_team(dir, clock, &url, &location)
        } else {
            Workspace::open_with_clock(dir, clock)
        }
    })
}

/// A connected team workspace's folder.
fn connected(tmp: &Path) -> (PathBuf, String, S3Location) {
    let (url, location) = team_servers();
    let team = tmp.join("team");
    ok(&connect(&team, &url, &location));
    (team, url, location)
}

#[test]
fn a_local_workspace_offers_a_push_and_no_team_details() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("workspace");
    create_project(&dir);
    let mut harness = harness(open_app(&dir));
    harness.get_by_label("Workspace").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Push to a team workspace…")
            .is_some()
    );
    assert!(harness.query_by_label("Team workspace…").is_none());
}

#[test]
fn a_team_workspace_shows_its_host_encryption_and_aws_identity() {
    crate::require_servers!();
    let tmp = tempfile::tempdir().unwrap();
    let (team, url, location) = connected(tmp.path());
    let app = App::open_with_opener(team.clone(), clock(), opener(team, url, location));
    assert_eq!(app.state.session.open_error, None);
    let mut harness = harness(app);
    harness.get_by_label("Workspace").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Push to a team workspace…")
            .is_none()
    );
    harness.get_by_label("Team workspace…").click();
    finish_background(&mut harness);

    assert!(harness.query_by_label("127.0.0.1:54329").is_some());
    assert!(harness.query_by_label("not encrypted").is_some());
    assert!(harness.query_by_label("no").is_some(), "IAM authentication");
    assert!(
        harness
            .query_by_label_contains("account 123456789012, arn:aws:")
            .is_some()
    );
    assert!(harness.query_by_label("long-lived keys").is_some());
}

#[test]
fn a_local_workspace_is_pushed_into_an_empty_team_workspace_in_the_background() {
    crate::require_servers!();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("workspace");
    create_project(&dir);
    let (team, url, location) = connected(tmp.path());
    let picker = ScriptedPicker::new();
    picker.will_pick(&[team.as_path()]);
    let mut app = App::open_with_opener(dir.clone(), clock(), opener(team.clone(), url, location));
    app.set_picker(picker.clone());
    let mut harness = harness(app);

    harness.get_by_label("Workspace").click();
    harness.run();
    harness.get_by_label("Push to a team workspace…").click();
    finish_background(&mut harness);

    let notes = &harness.state().state.shell.notifications;
    let last = notes.last().unwrap();
    assert_eq!(last.level, Level::Info, "{notes:?}");
    assert_eq!(last.text, format!("Pushed to {}", team.display()));
    let (clean, lines) = harness.state().state.shell.verify_result.clone().unwrap();
    assert!(clean, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("chain intact")),
        "{lines:?}"
    );
}

/// A team workspace whose AWS profile assumes a role with an MFA device: the window opens on
/// a sign-in form asking for the device's code, and the code typed there reaches STS (moto)
/// with the AssumeRole call, after which the workspace opens.
#[test]
fn a_profile_with_an_mfa_device_asks_for_its_code_in_the_window() {
    crate::require_servers!();
    let tmp = tempfile::tempdir().unwrap();
    let (team, url, location) = connected(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    let credentials = s3_credentials();
    std::fs::write(
        home.join(".aws/config"),
        format!(
            "[profile base]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n\
             [profile audit]\nsource_profile = base\n\
             role_arn = arn:aws:iam::123456789012:role/ComplianceAuditor\n\
             mfa_serial = arn:aws:iam::123456789012:mfa/ana\n",
            credentials.access_key, credentials.secret_key
        ),
    )
    .unwrap();
    let codes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = codes.clone();
    let opener: WorkspaceOpener = Arc::new(move |dir: &Path, clock: Clock, sign_in: &SignIn| {
        let env = Env::from_vars([
            ("HOME", home.display().to_string()),
            ("AWS_ENDPOINT_URL_STS", s3_endpoint()),
        ]);
        let code = sign_in.mfa_code.clone();
        let heard = heard.clone();
        let prompt: lockstep::aws::MfaPrompt = Arc::new(move |_, _| {
            heard.lock().unwrap().push(code.clone());
            code.clone()
        });
        let chain = CredentialChain::resolve_in(env, Some("audit"), Some(prompt)).map_err(|e| {
            lockstep::vault::VaultError::from(lockstep::vault::s3::S3Error::from(e))
        })?;
        let login = lockstep::store::pg::DatabaseUrl::parse(&url).unwrap();
        let store = Store::open_team(dir, &login, clock, &|_| Some(PG_PASSWORD.to_string()))?;
        let remote = S3Vault::open(location.clone(), chain).unwrap();
        let vault = Vault::open_remote(&dir.join(VAULT_DIR), remote)?;
        Ok(Workspace { store, vault })
    });
    let app = App::open_with_opener(team, clock(), opener);
    let error = app.state.session.open_error.clone().unwrap_or_default();
    assert!(
        error.contains("needs a code from the MFA device"),
        "{error}"
    );
    let mut harness = harness(app);
    harness.run();
    assert!(
        harness
            .query_by_label_contains(
                "MFA code for AWS profile audit (arn:aws:iam::123456789012:mfa/ana)"
            )
            .is_some()
    );
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("123456");
    harness.run();
    harness.get_by_label("Sign in").click();
    harness.run();
    assert_eq!(harness.state().state.session.open_error, None);
    assert!(harness.state().state.views.sign_in.is_none());
    assert_eq!(
        codes.lock().unwrap().last().cloned().flatten().as_deref(),
        Some("123456")
    );
    harness.get_by_label("Workspace").click();
    harness.run();
    assert!(harness.query_by_label("Team workspace…").is_some());
}
