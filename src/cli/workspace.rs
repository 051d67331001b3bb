//! `lockstep workspace connect`: makes the workspace folder a team workspace, whose records
//! are on PostgreSQL and whose evidence is in S3, after checking that both answer.
//! `lockstep workspace push --to DIR`: copies a local workspace into such a team workspace
//! and verifies the copy (see [`crate::team_push`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Subcommand;

use super::{Outcome, shown};
use crate::store::pg::{self, DatabaseUrl};
use crate::store::team::{AwsSection, DatabaseSection, TeamSettings, VaultSection};
use crate::store::{DB_FILE, system_clock};
use crate::team_push::PushStage;
use crate::vault::s3::{S3Location, S3Vault};

/// `lockstep workspace …`
#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Make this workspace folder a team workspace: records on PostgreSQL, evidence in an
    /// S3 bucket. Checks both, brings the database's schema up to date, and writes
    /// `workspace.toml` (without any password).
    Connect {
        /// The database, as postgres://USER@HOST:PORT/DATABASE. The password comes from
        /// PGPASSWORD, ~/.pgpass or a prompt.
        #[arg(long)]
        database: String,
        /// The evidence bucket and folder, as s3://BUCKET/PREFIX. Credentials come from the
        /// AWS environment variables or profile files.
        #[arg(long)]
        vault: String,
        /// The endpoint of an S3-compatible store (https://host:port); AWS when left out.
        #[arg(long)]
        endpoint: Option<String>,
        /// The bucket's region, and the database's with --iam-auth (default: AWS_REGION,
        /// AWS_DEFAULT_REGION, the profile's region, else us-east-1).
        #[arg(long)]
        region: Option<String>,
        /// The AWS profile (of ~/.aws/config) to sign in with: static keys,
        /// credential_process, an assumed role or an IAM Identity Center (SSO) sign-in.
        /// Default: AWS_PROFILE, the environment's keys, else "default".
        #[arg(long)]
        profile: Option<String>,
        /// Log in to the database with RDS IAM authentication: a signed token, made fresh for
        /// each connection with the AWS credentials, instead of a password.
        #[arg(long)]
        iam_auth: bool,
    },
    /// Create the team database's two roles, lockstep_editor and lockstep_reader, and grant
    /// them their rights; run once by the database's owner (again after an upgrade).
    InitRoles,
    /// Copy every record and evidence file of this local workspace into the team workspace
    /// in DIR (a folder set up with `workspace connect`), then verify row counts, the
    /// activity chain and every file's hash. Safe to run again after an interruption.
    /// Exit 1 when the verification finds a difference.
    Push {
        /// The team workspace's folder.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
}

pub(super) fn run(dir: &Path, command: WorkspaceCommand) -> Outcome {
    match command {
        WorkspaceCommand::Connect {
            database,
            vault,
            endpoint,
            region,
            profile,
            iam_auth,
        } => connect(
            dir,
            Connection {
                database,
                vault,
                endpoint,
                region,
                profile,
                iam_auth,
            },
        ),
        WorkspaceCommand::InitRoles => init_roles(dir),
        WorkspaceCommand::Push { to } => push(dir, &to),
    }
}

fn init_roles(dir: &Path) -> Outcome {
    let Some(settings) = TeamSettings::read(dir)? else {
        anyhow::bail!(
            "this is not a team workspace; connect it first with `lockstep workspace connect`: {}",
            shown(&dir.display().to_string())
        );
    };
    let url = settings.database_login()?;
    let mut client = url.connect(&pg::ask_on_terminal)?;
    pg::roles::init_roles(&mut client)?;
    outln!(
        "roles {} (changes) and {} (read only) are ready on {}",
        pg::roles::EDITOR_ROLE,
        pg::roles::READER_ROLE,
        url.shown()
    );
    outln!(
        "add a person with: CREATE ROLE name LOGIN PASSWORD '…' IN ROLE {};",
        pg::roles::EDITOR_ROLE
    );
    Ok(ExitCode::SUCCESS)
}

/// What `workspace connect` was given.
struct Connection {
    database: String,
    vault: String,
    endpoint: Option<String>,
    region: Option<String>,
    profile: Option<String>,
    iam_auth: bool,
}

fn connect(dir: &Path, given: Connection) -> Outcome {
    if dir.join(DB_FILE).exists() {
        anyhow::bail!(
            "this folder holds a local workspace; connect an empty folder instead: {}",
            shown(&dir.display().to_string())
        );
    }
    // A relative CA file is kept as an absolute path, so the workspace opens from anywhere.
    let url = DatabaseUrl::parse_to_keep(&given.database)?;
    let kept = url.to_keep(&std::env::current_dir()?);
    let mut url = DatabaseUrl::parse_to_keep(&kept)?;
    url.tls().connector()?;
    let chain = crate::aws::CredentialChain::resolve(
        given.profile.as_deref(),
        Some(std::sync::Arc::new(ask_mfa_on_terminal)),
    )?;
    let region = given
        .region
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .filter(|r| !r.trim().is_empty())
        .or_else(|| chain.region())
        .unwrap_or_else(|| "us-east-1".to_string());
    if given.iam_auth {
        url = url.with_iam_auth(chain.clone(), &region)?;
    }
    let endpoint = given.endpoint.clone().or_else(|| chain.endpoint("s3"));
    let location = S3Location::parse(&given.vault, endpoint, region.clone())?;

    // Both are checked before anything is changed; the lines are printed once the settings
    // are written, so a reader that stops early cannot leave the folder half connected.
    let mut client = url.connect(&pg::ask_on_terminal)?;
    let encryption = pg::encryption(&mut client, &url)?;
    let remote = S3Vault::open(location.clone(), chain.clone())?;
    let vault_line = match remote.object_lock()? {
        Some(lock) => format!(
            "vault: {} under S3 Object Lock ({lock}): evidence cannot be deleted or overwritten before its retention ends",
            location.url()
        ),
        None => format!(
            "vault: {} (no Object Lock: anyone the bucket allows can delete evidence files)",
            location.url()
        ),
    };
    let at = crate::model::stamp(&system_clock()());
    let before = pg::migrate::migrate(&mut client, &at)?;
    let database_line = database_line(&url, before, encryption);

    std::fs::create_dir_all(dir)?;
    let settings = TeamSettings {
        database: DatabaseSection {
            url: kept.trim().to_string(),
            iam_auth: given.iam_auth,
            region: given.iam_auth.then(|| region.clone()),
        },
        vault: VaultSection {
            url: location.url(),
            endpoint: given.endpoint,
            region,
        },
        aws: AwsSection {
            profile: given.profile,
        },
    };
    let path = settings.write(dir)?;
    outln!("{database_line}");
    outln!("{vault_line}");
    outln!(
        "wrote {}: this folder now opens the team workspace",
        shown(&path.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}

/// What `workspace connect` says of the database: where, its schema, how the session is
/// protected and how it logged in.
fn database_line(url: &DatabaseUrl, before: i64, encryption: pg::Encryption) -> String {
    let schema = if before == pg::migrate::SCHEMA_VERSION {
        "schema up to date".to_string()
    } else {
        format!(
            "schema brought from version {before} to {}",
            pg::migrate::SCHEMA_VERSION
        )
    };
    let login = if url.iam_auth().is_some() {
        "; logged in with an RDS IAM token"
    } else {
        ""
    };
    format!("database: {} ({schema}; {encryption}{login})", url.shown())
}

/// Asks for an MFA code on the terminal; none without one.
fn ask_mfa_on_terminal(profile: &str, serial: &str) -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    eprint!("MFA code for profile {profile} ({serial}): ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).ok()?;
    Some(line.trim().to_string()).filter(|code| !code.is_empty())
}

fn push(dir: &Path, to: &Path) -> Outcome {
    let started = std::time::Instant::now();
    let report = crate::team_push::push(
        dir,
        to,
        system_clock(),
        &AtomicBool::new(false),
        &mut |stage| match stage {
            PushStage::Files(count) => eprintln!("uploading {count} files"),
            PushStage::Records(rows) => eprintln!("copying {rows} records"),
            PushStage::Verifying => eprintln!("verifying the team workspace"),
            PushStage::File(..) | PushStage::Table(_) => {}
        },
    )?;
    for line in report.lines() {
        outln!("{}", shown(&line));
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(if report.is_clean() {
        outln!(
            "pushed to {} in {seconds:.1} s",
            shown(&to.display().to_string())
        );
        ExitCode::SUCCESS
    } else {
        outln!("the team workspace does not match this one: see above");
        ExitCode::from(1)
    })
}
