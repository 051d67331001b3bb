//! Background jobs: long work (ingesting files, importing CSV files, copying a file out to
//! open it, verifying the workspace or a pack, exporting) runs on a named
//! thread with its own connection to the workspace, reports progress through shared state,
//! can be cancelled, and hands its outcome back over a channel. The window polls each
//! frame and never waits on a job.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::catalog::oscal::Document;
use crate::import::ImportReport;
use crate::model::Evidence;
use crate::store::{
    Certificate, Clock, NewPatch, NewTraining, PatchEvidence, PatchRecord, Store, TrainingRecord,
    VAULT_DIR,
};
use crate::vault::{Vault, VaultError};
use crate::workspace::{
    AttachOptions, VerifyReport, Workspace, WorkspaceError, attach, store_with_record,
    verify_workspace,
};

/// Asks the window to draw again; jobs call it when they have news.
pub type Repaint = Arc<dyn Fn() + Send + Sync>;

/// Hands a file or folder to the system's default application (tests record it instead).
pub type Opener = Arc<dyn Fn(&std::path::Path) -> std::io::Result<()> + Send + Sync>;

/// Opens a workspace for the window, with what the person typed to sign in (tests open a
/// team workspace with credentials of their own).
pub type WorkspaceOpener = Arc<
    dyn Fn(&std::path::Path, Clock, &crate::workspace::SignIn) -> Result<Workspace, WorkspaceError>
        + Send
        + Sync,
>;

/// Opens a workspace as the command line does, but with the window's sign-in instead of a
/// terminal prompt.
pub fn system_workspace_opener() -> WorkspaceOpener {
    Arc::new(Workspace::open_signed_in)
}

/// The system's default application, started without waiting for it.
pub fn system_opener() -> Opener {
    Arc::new(|path| open::that_detached(path))
}

/// The kinds of job; one of each kind runs at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Attaching files to a control.
    Attach,
    /// Re-walking the activity chain and re-hashing the vault.
    Verify,
    /// Writing an evidence pack.
    Export,
    /// Checking an evidence pack.
    VerifyPack,
    /// Recording a training completion with its certificate.
    RecordTraining,
    /// Recording a patch with its evidence.
    RecordPatch,
    /// Importing a CSV file.
    Import,
    /// Copying a piece of evidence out of the vault to open it.
    OpenEvidence,
    /// Adding one of AWS's reports with its files.
    AddAwsReport,
    /// Importing an auditor's request list.
    ImportRequests,
    /// Attaching files to a request.
    AttachToRequest,
    /// Writing a project's OSCAL files.
    ExportOscal,
    /// Attaching a document to a project's plan.
    AttachDocument,
    /// Importing OSCAL catalogs and profiles.
    ImportFramework,
    /// Importing findings exports of AWS's tools.
    ImportFindings,
    /// Writing a project's POA&M files.
    ExportPoam,
    /// Pushing this local workspace into a team workspace.
    PushToTeam,
}

impl JobKind {
    /// The job's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Attach => "Attaching evidence",
            JobKind::Verify => "Verifying the workspace",
            JobKind::Export => "Exporting the evidence pack",
            JobKind::VerifyPack => "Checking the evidence pack",
            JobKind::RecordTraining => "Recording the training completion",
            JobKind::RecordPatch => "Recording the patch",
            JobKind::Import => "Importing the file",
            JobKind::OpenEvidence => "Opening the evidence file",
            JobKind::AddAwsReport => "Adding the AWS report",
            JobKind::ImportRequests => "Importing the request list",
            JobKind::AttachToRequest => "Attaching files to the request",
            JobKind::ExportOscal => "Exporting the OSCAL files",
            JobKind::ImportFramework => "Importing the framework",
            JobKind::AttachDocument => "Attaching the document",
            JobKind::ImportFindings => "Importing findings",
            JobKind::ExportPoam => "Writing the POA&M",
            JobKind::PushToTeam => "Pushing to the team workspace",
        }
    }

    /// Whether the job stops when asked. An import is one transaction and copying a file
    /// out to open it is short, so neither offers Cancel.
    pub fn can_cancel(self) -> bool {
        !matches!(
            self,
            JobKind::Import | JobKind::ImportRequests | JobKind::OpenEvidence
        )
    }
}

/// How far a job has got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// What it is doing now (the file being read, say).
    pub stage: String,
    /// Units done.
    pub done: u64,
    /// Units in all (0 when unknown).
    pub total: u64,
    /// What the units are ("bytes", "files").
    pub unit: &'static str,
}

impl Progress {
    /// Share done, from 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0) as f32
        }
    }
}

/// What a job produced.
#[derive(Debug)]
pub enum JobOutcome {
    /// Files attached, and those refused with why.
    Attached {
        /// The control they were attached to.
        control: String,
        /// Evidence recorded.
        added: Vec<Evidence>,
        /// Files refused, each with its reason.
        refused: Vec<String>,
        /// Files whose record was saved but whose move into the vault waits for the next
        /// start, each with why.
        pending: Vec<String>,
        /// Whether the user cancelled before all were done.
        cancelled: bool,
    },
    /// The verification report.
    Verified(VerifyReport),
    /// The pack written.
    Exported(crate::pack::ExportSummary),
    /// What a pack check found, with the pack's path and its signature check (none when the
    /// file is not a pack).
    PackChecked(
        PathBuf,
        crate::pack::VerifyOutcome,
        Option<crate::pack::SignatureCheck>,
    ),
    /// A training completion recorded.
    TrainingRecorded(TrainingRecord),
    /// A patch recorded.
    PatchRecorded(PatchRecord),
    /// One of AWS's reports added.
    AwsReportAdded(Box<crate::store::AwsReport>),
    /// A CSV file imported: what, from which file, and the report.
    Imported(ImportKind, String, ImportReport),
    /// A request list imported: from which file, and the report.
    RequestsImported(String, crate::store::RequestImport),
    /// Files attached to a request, and those refused with why.
    RequestFilesAttached {
        /// The request's id.
        request: String,
        /// The names of the files attached.
        added: Vec<String>,
        /// Files refused, each with its reason.
        refused: Vec<String>,
        /// Whether the user cancelled before all were done.
        cancelled: bool,
    },
    /// A copy of a piece of evidence handed to the default application.
    Opened(PathBuf),
    /// The OSCAL files written.
    OscalExported(Vec<PathBuf>),
    /// Findings exports imported: each file's report, the files refused with why, and
    /// whether the user cancelled before all were done.
    FindingsImported {
        /// Each file's name and what its import did.
        imported: Vec<(String, crate::store::FindingImport)>,
        /// Files refused, each with its reason.
        failed: Vec<String>,
        /// Whether the user cancelled.
        cancelled: bool,
    },
    /// The POA&M files written, the items in them, and why the vulnerability detail report
    /// was not written, if it was not.
    PoamExported {
        /// The files written.
        files: Vec<PathBuf>,
        /// Open items.
        open: usize,
        /// Closed items.
        closed: usize,
        /// Why the report was left out.
        refusal: Option<String>,
    },
    /// A document attached to the plan (one row per control it answers).
    DocumentAttached(Vec<crate::model::Attachment>),
    /// OSCAL catalogs and profiles imported: a line for each, and the files refused with why.
    FrameworkImported {
        /// What each imported file became (`catalog 'X' (1,196 controls)`).
        imported: Vec<String>,
        /// Files refused, each with its reason.
        refused: Vec<String>,
    },
    /// The workspace pushed into a team workspace: where, whether every check passed, and
    /// the report's lines.
    Pushed {
        /// The team workspace's folder.
        to: PathBuf,
        /// Whether the verification found the copy whole.
        clean: bool,
        /// The report, a line each.
        lines: Vec<String>,
    },
    /// The job could not run.
    Failed(String),
    /// The user cancelled it.
    Cancelled,
}

/// A running job.
pub struct Job {
    /// Its kind.
    pub kind: JobKind,
    progress: Arc<Mutex<Progress>>,
    cancel: Arc<AtomicBool>,
    outcome: Receiver<JobOutcome>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("kind", &self.kind).finish()
    }
}

impl Job {
    /// Its progress now.
    pub fn progress(&self) -> Progress {
        // A poisoned lock means the job's thread panicked; its outcome says so, and until
        // then an empty progress is all there is to show.
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Asks it to stop; it leaves nothing half-done.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether it was asked to stop.
    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Its outcome, once it has finished.
    pub fn poll(&self) -> Option<JobOutcome> {
        match self.outcome.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(JobOutcome::Failed(
                "the job stopped unexpectedly".to_string(),
            )),
        }
    }

    pub(super) fn spawn(
        kind: JobKind,
        repaint: Repaint,
        work: impl FnOnce(&Arc<Mutex<Progress>>, &AtomicBool) -> JobOutcome + Send + 'static,
    ) -> Result<Job, String> {
        let progress = Arc::new(Mutex::new(Progress::default()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (sender, outcome) = mpsc::channel();
        let (thread_progress, thread_cancel) = (progress.clone(), cancel.clone());
        thread::Builder::new()
            .name(format!(
                "lockstep-{}",
                kind.label().to_lowercase().replace(' ', "-")
            ))
            .spawn(move || {
                let result = work(&thread_progress, &thread_cancel);
                // The window may have closed; nobody to tell then.
                let _ = sender.send(result);
                repaint();
            })
            .map_err(|e| format!("cannot start a background job: {e}"))?;
        Ok(Job {
            kind,
            progress,
            cancel,
            outcome,
        })
    }

    /// Starts attaching files to a control of a project.
    pub fn attach(
        dir: PathBuf,
        clock: Clock,
        project: i64,
        control: String,
        files: Vec<PathBuf>,
        options: AttachOptions,
        repaint: Repaint,
    ) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::Attach, repaint, move |progress, cancel| {
            let (mut store, vault) = match open_for_job(&dir, clock) {
                Ok(opened) => opened,
                Err(error) => return JobOutcome::Failed(format!("{error:#}")),
            };
            // Sizes only scale the progress bar; a file that cannot be read is refused, with
            // its reason, when it is read.
            let sizes: Vec<u64> = files
                .iter()
                .map(|f| Vault::check_source(f).unwrap_or(0))
                .collect();
            let total: u64 = sizes.iter().sum();
            let mut base = 0;
            let (mut added, mut refused, mut pending) = (Vec::new(), Vec::new(), Vec::new());
            for (file, size) in files.iter().zip(&sizes) {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                set_progress(progress, &name, base, total, "bytes");
                let mut report = |done: u64| {
                    set_progress(progress, &name, base + done, total, "bytes");
                    ticker();
                };
                match attach(
                    &mut store,
                    &vault,
                    (project, &control),
                    file,
                    &options,
                    cancel,
                    &mut report,
                ) {
                    Ok(evidence) => added.push(evidence),
                    Err(WorkspaceError::Vault(VaultError::Cancelled)) => break,
                    Err(error @ WorkspaceError::SavedFileNotInPlace(_)) => {
                        pending.push(format!("{name}: {error:#}"))
                    }
                    Err(error) => refused.push(format!("{error:#}")),
                }
                base += size;
            }
            JobOutcome::Attached {
                control,
                added,
                refused,
                pending,
                cancelled: cancel.load(Ordering::Relaxed),
            }
        })
    }

    /// Starts verifying the workspace.
    pub fn verify(dir: PathBuf, clock: Clock, repaint: Repaint) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::Verify, repaint, move |progress, cancel| {
            let (store, vault) = match open_for_job(&dir, clock) {
                Ok(opened) => opened,
                Err(error) => return JobOutcome::Failed(format!("{error:#}")),
            };
            let workspace = Workspace { store, vault };
            let mut report = |done: usize, total: usize| {
                set_progress(
                    progress,
                    "re-hashing evidence files",
                    done as u64,
                    total as u64,
                    "files",
                );
                ticker();
            };
            match verify_workspace(&workspace, cancel, &mut report) {
                Ok(report) => JobOutcome::Verified(report),
                Err(WorkspaceError::Vault(VaultError::Cancelled)) => JobOutcome::Cancelled,
                Err(error) => JobOutcome::Failed(format!("{error:#}")),
            }
        })
    }
}

impl Job {
    /// Starts writing a project's evidence pack.
    pub fn export(
        dir: PathBuf,
        clock: Clock,
        request: ExportRequest,
        repaint: Repaint,
    ) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::Export, repaint, move |progress, cancel| {
            let (store, vault) = match open_for_job(&dir, clock) {
                Ok(opened) => opened,
                Err(error) => return JobOutcome::Failed(format!("{error:#}")),
            };
            let data = if request.requests.is_empty() {
                crate::pack::collect(&store, request.project, request.as_of, request.period)
            } else {
                crate::pack::collect_requests(
                    &store,
                    request.project,
                    &request.requests,
                    request.as_of,
                )
            };
            let data = match data {
                Ok(data) => data,
                Err(error) => return JobOutcome::Failed(format!("{error:#}")),
            };
            let mut report = |p: crate::pack::ExportProgress| {
                set_progress(
                    progress,
                    &format!("{} of {} files", p.files_done, p.files_total),
                    p.bytes_done,
                    p.bytes_total,
                    "bytes",
                );
                ticker();
            };
            let key = match &request.sign_with {
                None => None,
                Some(dir) => match crate::sign::keys::own_key_in(dir) {
                    Ok(Some(key)) => Some(key),
                    Ok(None) => {
                        return JobOutcome::Failed(format!(
                            "The pack was not written: there is no signing key any more; make one in Settings: {}",
                            dir.display()
                        ));
                    }
                    Err(error) => {
                        return JobOutcome::Failed(format!("The pack was not written: {error:#}"));
                    }
                },
            };
            match crate::pack::export_signed(
                &data,
                &vault,
                &request.target,
                true,
                key.as_ref(),
                cancel,
                &mut report,
            ) {
                Ok(summary) => JobOutcome::Exported(summary),
                Err(crate::pack::ExportError::Cancelled) => JobOutcome::Cancelled,
                Err(error) => JobOutcome::Failed(format!("The pack was not written: {error:#}")),
            }
        })
    }

    /// Starts checking a pack file.
    pub fn verify_pack(path: PathBuf, repaint: Repaint) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::VerifyPack, repaint, move |progress, cancel| {
            let mut report = |done: u64, total: u64| {
                set_progress(
                    progress,
                    "re-hashing the pack's files",
                    done,
                    total,
                    "bytes",
                );
                ticker();
            };
            match crate::pack::verify::verify_pack_with_cancel(&path, cancel, &mut report) {
                Some(outcome) => {
                    // A file that is no pack has no signature worth reading.
                    let signature = (!matches!(outcome, crate::pack::VerifyOutcome::NotAPack(_)))
                        .then(|| crate::pack::check_signature(&path, None));
                    JobOutcome::PackChecked(path, outcome, signature)
                }
                None => JobOutcome::Cancelled,
            }
        })
    }

    /// Starts recording a training completion, reading its certificate into the vault.
    pub fn record_training(
        dir: PathBuf,
        clock: Clock,
        mut new: NewTraining,
        certificate: PathBuf,
        repaint: Repaint,
    ) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::RecordTraining, repaint, move |progress, cancel| {
            let recorded = (|| -> Result<TrainingRecord, WorkspaceError> {
                let (mut store, vault) = open_for_job(&dir, clock)?;
                // A wrong person, course or date is refused before the file is read.
                store.check_training(&new)?;
                let mut report = file_progress(progress, &certificate, &ticker);
                store_with_record(&vault, &certificate, cancel, &mut report, |file| {
                    new.certificate = Some(Certificate {
                        sha256: file.sha256,
                        file_name: file.file_name,
                    });
                    store.record_training(&new)
                })
            })();
            match recorded {
                Ok(record) => JobOutcome::TrainingRecorded(record),
                Err(WorkspaceError::Vault(VaultError::Cancelled)) => JobOutcome::Cancelled,
                Err(error) => JobOutcome::Failed(format!("Not recorded: {error:#}")),
            }
        })
    }

    /// Starts recording a patch, reading its evidence into the vault.
    pub fn record_patch(
        dir: PathBuf,
        clock: Clock,
        project: i64,
        mut new: NewPatch,
        evidence: PathBuf,
        repaint: Repaint,
    ) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::RecordPatch, repaint, move |progress, cancel| {
            let recorded = (|| -> Result<PatchRecord, WorkspaceError> {
                let (mut store, vault) = open_for_job(&dir, clock)?;
                // A wrong asset, date or repeat is refused before the file is read.
                store.check_patch(project, &new)?;
                let mut report = file_progress(progress, &evidence, &ticker);
                store_with_record(&vault, &evidence, cancel, &mut report, |file| {
                    new.evidence = Some(PatchEvidence {
                        sha256: file.sha256,
                        file_name: file.file_name,
                    });
                    store.record_patch(project, &new).map(|(_, record)| record)
                })
            })();
            match recorded {
                Ok(record) => JobOutcome::PatchRecorded(record),
                Err(WorkspaceError::Vault(VaultError::Cancelled)) => JobOutcome::Cancelled,
                Err(error) => JobOutcome::Failed(format!("Not recorded: {error:#}")),
            }
        })
    }

    /// Starts importing a CSV file; patch records go to `project`.
    pub fn import(
        dir: PathBuf,
        clock: Clock,
        kind: ImportKind,
        project: Option<i64>,
        path: PathBuf,
        repaint: Repaint,
    ) -> Result<Job, String> {
        Job::spawn(JobKind::Import, repaint, move |progress, _cancel| {
            let name = display_name(&path);
            set_progress(progress, &name, 0, 0, "rows");
            let imported = (|| -> Result<Option<ImportReport>, WorkspaceError> {
                let (mut store, _) = open_for_job(&dir, clock)?;
                // One import is one transaction: it cannot stop half-way, so it offers no
                // Cancel.
                Ok(match (kind, project) {
                    (ImportKind::People, _) => Some(store.import_people(&path)?),
                    (ImportKind::Training, _) => Some(store.import_training(&path)?),
                    (ImportKind::Patches, Some(project)) => {
                        Some(store.import_patches(project, &path)?.report)
                    }
                    (ImportKind::Crm, Some(project)) => Some(store.import_crm(project, &path)?),
                    (ImportKind::Patches | ImportKind::Crm, None) => None,
                })
            })();
            match imported {
                Ok(Some(report)) => JobOutcome::Imported(kind, name, report),
                Ok(None) => {
                    JobOutcome::Failed("Nothing imported: choose a project first.".to_string())
                }
                Err(error) => JobOutcome::Failed(format!("Nothing imported: {error:#}")),
            }
        })
    }

    /// Starts importing OSCAL catalogs and profiles, each in its own transaction: the
    /// catalogs first, so the profiles resolve against them. A file that is neither, or that
    /// does not import, is refused with its reason while the others go in.
    pub fn import_framework(
        dir: PathBuf,
        clock: Clock,
        paths: Vec<PathBuf>,
        repaint: Repaint,
    ) -> Result<Job, String> {
        Job::spawn(
            JobKind::ImportFramework,
            repaint,
            move |progress, cancel| {
                let total = paths.len() as u64 * 2;
                let mut refused = Vec::new();
                let mut catalogs = Vec::new();
                let mut profiles = Vec::new();
                for (n, path) in paths.into_iter().enumerate() {
                    let name = display_name(&path);
                    set_progress(progress, &name, n as u64, total, "steps");
                    match crate::catalog::oscal::read_document(&path, "catalog or profile") {
                        Ok((_, Document::Catalog(_))) => catalogs.push(path),
                        Ok((_, Document::Profile(_))) => profiles.push(path),
                        Err(error) => refused.push(format!("{name}: {error}")),
                    }
                }
                let mut store = match open_for_job(&dir, clock) {
                    Ok((store, _)) => store,
                    Err(error) => {
                        return JobOutcome::Failed(format!("Nothing imported: {error:#}"));
                    }
                };
                let mut imported = Vec::new();
                let read = (total / 2) as usize;
                let files = catalogs.iter().map(|p| (p, true));
                for (n, (path, catalog)) in
                    files.chain(profiles.iter().map(|p| (p, false))).enumerate()
                {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let name = display_name(path);
                    set_progress(progress, &name, (read + n) as u64, total, "steps");
                    let done = if catalog {
                        store
                            .import_catalog(path)
                            .map(|c| format!("catalog '{}' ({} controls)", c.title, c.controls))
                    } else {
                        store
                            .import_profile(path, None)
                            .map(|b| format!("baseline '{}' ({} controls)", b.title, b.selected))
                    };
                    match done {
                        Ok(line) => imported.push(line),
                        Err(error) => refused.push(format!("{name}: {error:#}")),
                    }
                }
                JobOutcome::FrameworkImported { imported, refused }
            },
        )
    }

    /// Starts copying a stored file into `folder` under its own name and opening it with
    /// the system's default application.
    pub fn open_evidence(
        dir: PathBuf,
        sha256: String,
        file_name: String,
        folder: PathBuf,
        opener: Opener,
        repaint: Repaint,
    ) -> Result<Job, String> {
        Job::spawn(JobKind::OpenEvidence, repaint, move |progress, _cancel| {
            set_progress(progress, &file_name, 0, 0, "bytes");
            let opened = Vault::open(&dir.join(VAULT_DIR))
                .and_then(|vault| vault.copy_out(&sha256, &file_name, &folder))
                .map_err(|e| format!("{e:#}"))
                .and_then(|path| {
                    opener(&path)
                        .map(|()| path.clone())
                        .map_err(|e| format!("cannot open {}: {e}", path.display()))
                });
            match opened {
                Ok(path) => JobOutcome::Opened(path),
                Err(error) => JobOutcome::Failed(error),
            }
        })
    }
}

/// The last part of a path, as people read it.
fn display_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reports bytes of one file read as a job's progress.
pub(super) fn file_progress<'a>(
    progress: &'a Mutex<Progress>,
    path: &std::path::Path,
    ticker: &'a Repaint,
) -> impl FnMut(u64) + 'a {
    let name = display_name(path);
    // The size only scales the progress bar; a file that cannot be read is refused, with
    // its reason, when it is read.
    let total = Vault::check_source(path).unwrap_or(0);
    move |done| {
        set_progress(progress, &name, done, total, "bytes");
        ticker();
    }
}

/// What an export from the window asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The project's key.
    pub project: i64,
    /// The as-of date.
    pub as_of: chrono::NaiveDate,
    /// The period, when not the project's.
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Where to write it.
    pub target: PathBuf,
    /// The config folder whose signing key signs the pack, when it is signed.
    pub sign_with: Option<PathBuf>,
    /// The requests of a delivery pack; none for the full pack.
    pub requests: Vec<String>,
}

pub(super) fn set_progress(
    progress: &Mutex<Progress>,
    stage: &str,
    done: u64,
    total: u64,
    unit: &'static str,
) {
    if let Ok(mut p) = progress.lock() {
        *p = Progress {
            stage: stage.to_string(),
            done,
            total,
            unit,
        };
    }
}

/// A job's own connection to the workspace. It skips the clean-up of interrupted ingests,
/// which the window already did when it opened the workspace.
pub(super) fn open_for_job(
    dir: &std::path::Path,
    clock: Clock,
) -> Result<(Store, Vault), WorkspaceError> {
    let store = Store::open_with_clock(dir, clock)?;
    let vault = crate::workspace::open_vault(dir)?;
    Ok((store, vault))
}

/// What can be imported from a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// People: name, email, role.
    People,
    /// Training completions: email, course, completed_on.
    Training,
    /// Patch records: asset, advisory, severity, released_on, applied_on.
    Patches,
    /// A provider's CRM for the current project (.csv or .xlsx).
    Crm,
}

impl ImportKind {
    /// The columns the file needs, for the file dialog's title and messages.
    pub fn columns(self) -> &'static str {
        match self {
            ImportKind::People => "name, email, role",
            ImportKind::Training => "email, course, completed_on",
            ImportKind::Patches => "asset, advisory, severity, released_on, applied_on",
            ImportKind::Crm => {
                "Control ID, Can Be Inherited from CSP, Specific Inheritance and Customer Agency/CSP Responsibilities"
            }
        }
    }
}
