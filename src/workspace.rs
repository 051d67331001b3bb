//! The workspace: a folder with the database and the evidence vault, opened together.
//!
//! Where it lives: `--workspace DIR`, else `LOCKSTEP_WORKSPACE`, else the platform's data
//! folder (for example `~/.local/share/lockstep` on Linux). Opening it also finishes or
//! undoes any evidence ingest a kill interrupted (see [`crate::vault`]), and attaching a
//! file — stage it in the vault, record its row, move it into place — is done here, since
//! it takes both halves.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;

use crate::model::{Attachment, AttachmentKind, Evidence, media_type_for};
use crate::store::pg::PgError;
use crate::store::team::TeamSettings;
use crate::store::{
    AwsReport, BadValue, Certificate, ChainReport, Clock, FindingImport, FindingsFileRecord,
    NewAttachment, NewAwsReport, NewEvidence, NewPatch, NewRequestFile, NewTraining, PatchChange,
    PatchEvidence, PatchRecord, ReportFile, Request, Store, StoreError, TrainingRecord, VAULT_DIR,
    system_clock,
};
use crate::vault::s3::{S3Location, S3Vault, aws_credentials};
use crate::vault::{BlobCheck, Vault, VaultError};

/// The environment variable that names the workspace folder.
pub const WORKSPACE_ENV: &str = "LOCKSTEP_WORKSPACE";

/// The platform's default workspace folder, or `./lockstep-workspace` when the platform has
/// no home folder to put it in.
pub fn default_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "Lockstep")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("lockstep-workspace"))
}

/// The workspace to use: the one given, else the default.
pub fn resolve(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(default_dir)
}

/// What can go wrong with a workspace as a whole.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vault refused.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The record was saved, but its file could not be moved into place in the vault; it
    /// waits in the vault's temporary folder and is moved the next time the workspace is
    /// opened.
    #[error(
        "the record is saved, but its file could not be moved into the vault yet; it will be moved into place the next time the workspace is opened: {0}"
    )]
    SavedFileNotInPlace(VaultError),
    /// A findings file that cannot be read as any of the formats.
    #[error(transparent)]
    Findings(#[from] crate::import::findings::FindingFileError),
}

/// An open workspace: its database and its vault.
#[derive(Debug)]
pub struct Workspace {
    /// The database.
    pub store: Store,
    /// The evidence files.
    pub vault: Vault,
}

/// What a person types in the window to open a team workspace that needs it: the
/// database password, and a code from the MFA device an assumed role asks for.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    /// The database password, when no other source has it.
    pub password: Option<String>,
    /// The MFA code, when the AWS profile assumes a role with `mfa_serial`.
    pub mfa_code: Option<String>,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("mfa_code", &self.mfa_code.as_ref().map(|_| "…"))
            .finish()
    }
}

/// What opening a team workspace still needs from the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInNeed {
    /// The database password for this URL (shown without any password).
    Password(String),
    /// A code from the MFA device `serial` for the AWS profile.
    MfaCode {
        /// The profile.
        profile: String,
        /// The device.
        serial: String,
    },
}

impl WorkspaceError {
    /// What the person could type to get past this error, if anything.
    pub fn sign_in_need(&self) -> Option<SignInNeed> {
        let aws = |error: &crate::aws::AwsError| match error {
            crate::aws::AwsError::MfaCodeMissing { profile, serial } => Some(SignInNeed::MfaCode {
                profile: profile.clone(),
                serial: serial.clone(),
            }),
            _ => None,
        };
        match self {
            WorkspaceError::Store(StoreError::Team(PgError::NoPassword(url))) => {
                Some(SignInNeed::Password(url.clone()))
            }
            WorkspaceError::Store(StoreError::Team(PgError::Aws(error))) => aws(error),
            WorkspaceError::Vault(VaultError::Remote(remote)) => match &**remote {
                crate::vault::s3::S3Error::Credentials(error) => aws(error),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Workspace {
    /// Opens the workspace as [`Workspace::open_with_clock`] does, with what the person typed
    /// in the window instead of asking on a terminal: the database password and an MFA code.
    /// The AWS credentials are resolved once, for the vault and any IAM authentication, so
    /// one MFA code serves both.
    pub fn open_signed_in(
        dir: &Path,
        clock: Clock,
        sign_in: &SignIn,
    ) -> Result<Self, WorkspaceError> {
        if !dir.is_dir() {
            return Self::open_with_clock(dir, clock);
        }
        let Some(team) = TeamSettings::read(dir).map_err(StoreError::from)? else {
            return Self::open_with_clock(dir, clock);
        };
        let code = sign_in.mfa_code.clone();
        let prompt: crate::aws::MfaPrompt = Arc::new(move |_, _| code.clone());
        let chain = crate::aws::CredentialChain::resolve(team.aws.profile.as_deref(), Some(prompt))
            .map_err(|e| VaultError::from(crate::vault::s3::S3Error::from(e)))?;
        let url = team
            .database_login_with(chain.clone())
            .map_err(StoreError::from)?;
        let password = sign_in.password.clone();
        let store = Store::open_team(dir, &url, clock, &|_| password.clone())?;
        let vault = team_vault(dir, &team, chain)?;
        let recorded = store.recorded_hashes()?;
        vault.recover(&|sha| recorded.contains(sha));
        Ok(Workspace { store, vault })
    }

    /// Opens the workspace in `dir` with the system clock.
    pub fn open(dir: &Path) -> Result<Self, WorkspaceError> {
        Self::open_with_clock(dir, system_clock())
    }

    /// Opens the workspace with a given clock, and cleans up after interrupted ingests.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Self, WorkspaceError> {
        // Checked before the store opens, which would otherwise fail to create the folder
        // with a message about the whole workspace.
        let vault_dir = dir.join(VAULT_DIR);
        if vault_dir.exists() && !vault_dir.is_dir() {
            return Err(VaultError::NotAFolder(vault_dir).into());
        }
        let store = Store::open_with_clock(dir, clock)?;
        let vault = open_vault(dir)?;
        let recorded = store.recorded_hashes()?;
        vault.recover(&|sha| recorded.contains(sha));
        Ok(Workspace { store, vault })
    }
}

/// The vault of the workspace in `dir`: its `vault/` folder, or for a team workspace the
/// S3 bucket its settings name, with credentials from the AWS environment or profile.
pub fn open_vault(dir: &Path) -> Result<Vault, WorkspaceError> {
    let root = dir.join(VAULT_DIR);
    let Some(team) = TeamSettings::read(dir).map_err(StoreError::from)? else {
        return Ok(Vault::open(&root)?);
    };
    let chain = aws_credentials(team.aws.profile.as_deref()).map_err(VaultError::from)?;
    team_vault(dir, &team, chain)
}

/// The S3 vault a team workspace's settings name, signing with `chain`.
fn team_vault(
    dir: &Path,
    team: &TeamSettings,
    chain: Arc<crate::aws::CredentialChain>,
) -> Result<Vault, WorkspaceError> {
    let endpoint = team.vault.endpoint.clone().or_else(|| chain.endpoint("s3"));
    let location = S3Location::parse(&team.vault.url, endpoint, team.vault.region.clone())
        .map_err(VaultError::from)?;
    let remote = S3Vault::open(location, chain).map_err(VaultError::from)?;
    Ok(Vault::open_remote(&dir.join(VAULT_DIR), remote)?)
}

/// What the user says about files being attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachOptions {
    /// What they show.
    pub description: String,
    /// The date they are about.
    pub collected_on: NaiveDate,
    /// The last day they count.
    pub valid_until: Option<NaiveDate>,
}

/// A file read into the vault, as its record names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// SHA-256 of the content.
    pub sha256: String,
    /// Bytes.
    pub size_bytes: u64,
    /// The file's name when it was given.
    pub file_name: String,
}

/// Stores a file in the vault together with the record that names it: reads the file once
/// into the vault's temporary folder, lets `write` commit the record (given the file's
/// SHA-256 and name), and only then moves the file into place. When `write` refuses,
/// the staged file is dropped, so nothing outside the temporary folder is ever without its
/// record. Evidence, training certificates and patch evidence all come in this way.
pub fn store_with_record<T>(
    vault: &Vault,
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
    write: impl FnOnce(StoredFile) -> Result<T, StoreError>,
) -> Result<T, WorkspaceError> {
    let staged = vault.stage(path, cancel, progress)?;
    let file = StoredFile {
        sha256: staged.sha256.clone(),
        size_bytes: staged.size_bytes,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.display().to_string()),
    };
    match write(file) {
        Ok(record) => {
            // The record is committed, so the file must not be dropped: it stays `ready` in
            // the vault's temporary folder and the next open moves it into place.
            vault
                .commit(staged)
                .map_err(WorkspaceError::SavedFileNotInPlace)?;
            Ok(record)
        }
        Err(error) => {
            vault.discard(staged);
            Err(error.into())
        }
    }
}

/// Attaches one file to an auditor's request: reads it once into the vault, records it as
/// evidence of each control the request names (or as a file of the request alone when it
/// names none) with one activity row, and moves it into place. On any failure nothing is
/// recorded.
pub fn attach_to_request(
    store: &mut Store,
    vault: &Vault,
    (project, request_id): (i64, &str),
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<Request, WorkspaceError> {
    store.check_writable()?;
    store.check_request_target(project, request_id)?;
    store_with_record(vault, path, cancel, progress, |file| {
        let record = NewRequestFile {
            media_type: media_type_for(&file.file_name).to_string(),
            size_bytes: file.size_bytes,
            file_name: file.file_name,
            sha256: file.sha256,
        };
        store.attach_request_file(project, request_id, &record)
    })
}

/// Attaches one file to a control: checks the target, reads the file once into the vault,
/// records its row and activity in one transaction, and moves the file into place. On any
/// failure nothing is recorded and nothing is left outside the vault's temporary folder.
pub fn attach(
    store: &mut Store,
    vault: &Vault,
    (project, control_id): (i64, &str),
    path: &Path,
    options: &AttachOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<Evidence, WorkspaceError> {
    store.check_writable()?;
    store.check_evidence_target(
        project,
        control_id,
        options.collected_on,
        options.valid_until,
    )?;
    store_with_record(vault, path, cancel, progress, |file| {
        let record = NewEvidence {
            media_type: media_type_for(&file.file_name).to_string(),
            size_bytes: file.size_bytes,
            file_name: file.file_name,
            sha256: file.sha256,
            description: options.description.clone(),
            collected_on: options.collected_on,
            valid_until: options.valid_until,
        };
        store.add_evidence(project, control_id, &record)
    })
}

/// Attaches a document to a project's plan: checks the kind and controls, reads the file once
/// into the vault, records its rows (one per control for a policy or procedure) and one
/// activity row in one transaction, and moves the file into place. On any failure nothing is
/// recorded.
pub fn attach_document(
    store: &mut Store,
    vault: &Vault,
    project: i64,
    (kind, controls, title): (AttachmentKind, &[String], &str),
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<Attachment>, WorkspaceError> {
    store.check_writable()?;
    let controls = store.check_attachment_target(project, kind, controls)?;
    store_with_record(vault, path, cancel, progress, |file| {
        let record = NewAttachment {
            kind,
            controls,
            title: title.to_string(),
            media_type: media_type_for(&file.file_name).to_string(),
            size_bytes: file.size_bytes,
            file_name: file.file_name,
            sha256: file.sha256,
        };
        store.add_attachment(project, &record)
    })
}

/// Records a training completion, with its certificate stored in the vault when given.
pub fn record_training(
    store: &mut Store,
    vault: &Vault,
    mut new: NewTraining,
    certificate: Option<&Path>,
) -> Result<TrainingRecord, WorkspaceError> {
    // A read-only login, a wrong person, course or date is refused before the file is read.
    store.check_writable()?;
    store.check_training(&new)?;
    let Some(path) = certificate else {
        return Ok(store.record_training(&new)?);
    };
    store_with_record(vault, path, &AtomicBool::new(false), &mut |_| {}, |file| {
        new.certificate = Some(Certificate {
            sha256: file.sha256,
            file_name: file.file_name,
        });
        store.record_training(&new)
    })
}

/// Records a patch (or its application), with its evidence stored in the vault when given.
pub fn record_patch(
    store: &mut Store,
    vault: &Vault,
    project: i64,
    mut new: NewPatch,
    evidence: Option<&Path>,
) -> Result<(PatchChange, PatchRecord), WorkspaceError> {
    // A read-only login, a wrong asset, date or repeat is refused before the file is read.
    store.check_writable()?;
    store.check_patch(project, &new)?;
    let Some(path) = evidence else {
        return Ok(store.record_patch(project, &new)?);
    };
    store_with_record(vault, path, &AtomicBool::new(false), &mut |_| {}, |file| {
        new.evidence = Some(PatchEvidence {
            sha256: file.sha256,
            file_name: file.file_name,
        });
        store.record_patch(project, &new)
    })
}

/// Adds one of AWS's reports: checks it, reads the report file (and its bridge letter, when
/// given) once into the vault, records the row and its activity in one transaction, and
/// moves the files into place. On any failure before the commit nothing is recorded and
/// nothing is left outside the vault's temporary folder.
pub fn add_aws_report(
    store: &mut Store,
    vault: &Vault,
    new: &NewAwsReport,
    path: &Path,
    bridge_letter: Option<&Path>,
    cancel: &AtomicBool,
) -> Result<AwsReport, WorkspaceError> {
    // A read-only login, a wrong title or dates are refused before any file is read.
    store.check_writable()?;
    store.check_aws_report(new, bridge_letter.is_some())?;
    let Some(bridge_path) = bridge_letter else {
        return store_with_record(vault, path, cancel, &mut |_| {}, |file| {
            store.add_aws_report(new, &report_file(&file), file.size_bytes, None)
        });
    };
    let bridge = vault.stage(bridge_path, cancel, &mut |_| {})?;
    let bridge_file = ReportFile {
        sha256: bridge.sha256.clone(),
        file_name: file_name_of(bridge_path),
    };
    let stored = store_with_record(vault, path, cancel, &mut |_| {}, |file| {
        store.add_aws_report(
            new,
            &report_file(&file),
            file.size_bytes,
            Some(&bridge_file),
        )
    });
    match stored {
        // The report file is in place (or waits for the next open); the row names the
        // bridge letter too, so it follows the same way.
        Ok(report) => {
            vault
                .commit(bridge)
                .map_err(WorkspaceError::SavedFileNotInPlace)?;
            Ok(report)
        }
        Err(WorkspaceError::SavedFileNotInPlace(error)) => {
            // The row is committed: the bridge letter must stay for the next open to move.
            let _ = vault.commit(bridge);
            Err(WorkspaceError::SavedFileNotInPlace(error))
        }
        Err(error) => {
            vault.discard(bridge);
            Err(error)
        }
    }
}

fn report_file(file: &StoredFile) -> ReportFile {
    ReportFile {
        sha256: file.sha256.clone(),
        file_name: file.file_name.clone(),
    }
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

/// A vault file that current evidence uses but that is not as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProblem {
    /// The project's name.
    pub project: String,
    /// The evidence.
    pub evidence: Evidence,
    /// What the re-hash found.
    pub check: BlobCheck,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The activity chain.
    pub chain: ChainReport,
    /// Distinct files re-hashed.
    pub files_checked: usize,
    /// Bytes re-hashed.
    pub bytes_checked: u64,
    /// Evidence whose file is missing or altered.
    pub problems: Vec<BlobProblem>,
    /// Patch evidence, training certificates and AWS reports (with their bridge letters)
    /// whose file is missing or altered: what it belongs to, its file name, and what the
    /// re-hash found.
    pub attestation_problems: Vec<(String, String, BlobCheck)>,
    /// Stored dates and cadences that are not of the shape Lockstep writes (hashes of the
    /// wrong shape are among the problems above, with what they belong to).
    pub bad_values: Vec<BadValue>,
    /// For a team workspace, where its evidence is and whether S3 Object Lock keeps it.
    pub vault: Option<String>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.chain.first_break.is_none()
            && self.problems.is_empty()
            && self.attestation_problems.is_empty()
            && self.bad_values.is_empty()
    }

    /// The report as lines for people.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![match &self.chain.first_break {
            None => format!("activity log: {} rows, chain intact", self.chain.rows),
            Some((seq, reason)) => format!("activity log: row {seq} breaks the chain: {reason}"),
        }];
        if let Some(vault) = &self.vault {
            lines.push(vault.clone());
        }
        if self.problems.is_empty() && self.attestation_problems.is_empty() {
            lines.push(format!(
                "evidence files: {} checked ({} bytes), all intact",
                self.files_checked, self.bytes_checked
            ));
        }
        // Names and hashes come from the database: escaped, so a newline or a control
        // character in one cannot break the report's lines.
        for (owner, file_name, check) in &self.attestation_problems {
            lines.push(format!(
                "{owner}: its file '{}' {}",
                file_name.escape_debug(),
                describe_check(check)
            ));
        }
        for problem in &self.problems {
            let e = &problem.evidence;
            let what = match &problem.check {
                BlobCheck::NotASha256 => {
                    "its recorded hash is not a SHA-256, so its file cannot be found".to_string()
                }
                check => format!("its file {}", describe_check(check)),
            };
            lines.push(format!(
                "evidence {} '{}' of {} in project '{}': {what}; recorded sha256 {}",
                e.id,
                e.file_name.escape_debug(),
                e.control,
                problem.project,
                e.sha256.escape_debug()
            ));
        }
        for bad in &self.bad_values {
            lines.push(format!("damaged value: {bad}"));
        }
        lines
    }
}

fn describe_check(check: &BlobCheck) -> String {
    match check {
        BlobCheck::Intact => "is intact".to_string(),
        BlobCheck::Missing => "is missing from the vault".to_string(),
        BlobCheck::Altered { actual } => format!("was altered (content now hashes to {actual})"),
        BlobCheck::Unreadable(why) => format!("cannot be read ({why})"),
        BlobCheck::NotASha256 => "cannot be found: its recorded hash is not a SHA-256".to_string(),
    }
}

/// Re-walks the activity chain and re-hashes every file current evidence uses.
/// `progress` is told files done and files in all; setting `cancel` stops between files.
pub fn verify_workspace(
    workspace: &Workspace,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<VerifyReport, WorkspaceError> {
    // One snapshot: the chain, and the files its rows name, as of one moment.
    let (chain, evidence, attestations, bad_values) = workspace.store.read(|store| {
        Ok((
            store.verify_chain()?,
            store.all_current_evidence()?,
            store.attestation_files()?,
            store.bad_values()?,
        ))
    })?;
    let bad_values = bad_values
        .into_iter()
        .filter(|bad| !bad.column.ends_with("sha256"))
        .collect();
    let mut hashes: Vec<(&str, u64)> = evidence
        .iter()
        .map(|(_, e)| (e.sha256.as_str(), e.size_bytes))
        .chain(attestations.iter().map(|(_, sha, _)| (sha.as_str(), 0)))
        .collect();
    hashes.sort_unstable();
    hashes.dedup_by_key(|(sha, _)| *sha);
    let (bad, bytes_checked) = check_files(workspace, &hashes, cancel, progress)?;
    progress(hashes.len(), hashes.len());
    let problems = evidence
        .iter()
        .filter_map(|(project, e)| {
            bad.get(&e.sha256).map(|check| BlobProblem {
                project: project.clone(),
                evidence: e.clone(),
                check: check.clone(),
            })
        })
        .collect();
    let attestation_problems = attestations
        .iter()
        .filter_map(|(owner, sha, name)| {
            bad.get(sha)
                .map(|check| (owner.clone(), name.clone(), check.clone()))
        })
        .collect();
    let vault = vault_line(workspace)?;
    Ok(VerifyReport {
        vault,
        bad_values,
        chain,
        files_checked: hashes.len(),
        bytes_checked,
        problems,
        attestation_problems,
    })
}

/// Re-hashes each file once, telling `progress` as it goes; returns the files that are not
/// intact, with what is wrong, and the bytes of those that are.
fn check_files(
    workspace: &Workspace,
    hashes: &[(&str, u64)],
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(std::collections::HashMap<String, BlobCheck>, u64), WorkspaceError> {
    let mut bad = std::collections::HashMap::new();
    let mut bytes_checked = 0;
    for (done, (sha, size)) in hashes.iter().enumerate() {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(VaultError::Cancelled.into());
        }
        progress(done, hashes.len());
        let check = check_file(workspace, sha);
        if check == BlobCheck::Intact {
            bytes_checked += size;
        } else {
            bad.insert(sha.to_string(), check);
        }
    }
    Ok((bad, bytes_checked))
}

/// One file's check. Another process may have committed the row and be moving the file
/// into place right now; it holds the vault's lock while it does, so a missing file is
/// looked for again under it. Only the look is made under the lock, so a re-hash never
/// holds up ingests. Without the lock (a read-only vault) no move can be under way, and the
/// first look stands.
fn check_file(workspace: &Workspace, sha: &str) -> BlobCheck {
    let check = workspace.vault.check(sha);
    if check != BlobCheck::Missing {
        return check;
    }
    let in_place = match workspace.vault.lock() {
        Ok(_lock) => workspace.vault.contains(sha).unwrap_or(false),
        Err(_) => false,
    };
    if in_place {
        workspace.vault.check(sha)
    } else {
        check
    }
}

/// For an S3 vault, where it is and whether S3 Object Lock keeps its files; none for a
/// local vault.
fn vault_line(workspace: &Workspace) -> Result<Option<String>, WorkspaceError> {
    let Some(remote) = workspace.vault.remote() else {
        return Ok(None);
    };
    Ok(Some(
        match remote.object_lock().map_err(VaultError::from)? {
            Some(lock) => format!(
                "evidence vault: {}, under S3 Object Lock ({lock}): no one can delete or overwrite a file before its retention ends",
                remote.location().url()
            ),
            None => format!(
                "evidence vault: {}, not under S3 Object Lock: files can be deleted by anyone the bucket allows",
                remote.location().url()
            ),
        },
    ))
}

/// Imports one findings export: reads it (recognising its format from the content), reads
/// it once into the vault, stores its findings in one transaction, and moves the file into
/// place. An import that changes nothing leaves nothing behind in the vault.
pub fn import_findings(
    store: &mut Store,
    vault: &Vault,
    (project, snapshot): (i64, bool),
    (path, asset): (&Path, Option<&str>),
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<FindingImport, WorkspaceError> {
    store.check_writable()?;
    store.project(project)?;
    let before = std::fs::metadata(path).map(|m| m.len()).ok();
    let file = crate::import::findings::read_findings(path, asset, cancel, progress)?;
    let staged = vault.stage(path, cancel, &mut |_| {})?;
    if before.is_some_and(|len| len != staged.size_bytes) {
        // The file changed between the two reads: what was parsed is not what was kept.
        vault.discard(staged);
        return Err(WorkspaceError::Findings(
            crate::import::findings::FindingFileError::Changed {
                path: path.to_path_buf(),
            },
        ));
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string());
    let record = FindingsFileRecord {
        media_type: media_type_for(&file_name).to_string(),
        file_name,
        sha256: staged.sha256.clone(),
        size_bytes: staged.size_bytes,
    };
    match store.import_findings(project, &file, &record, snapshot) {
        Ok(report) if report.changed() => {
            vault
                .commit(staged)
                .map_err(WorkspaceError::SavedFileNotInPlace)?;
            Ok(report)
        }
        Ok(report) => {
            vault.discard(staged);
            Ok(report)
        }
        Err(error) => {
            vault.discard(staged);
            Err(error.into())
        }
    }
}
