//! The glue between the window and the work it does off its thread: file dialogs opened
//! through the injected picker, and background jobs. Each frame takes in what they report;
//! one of each runs at a time, and a second is refused with a clear message.

use std::path::PathBuf;

use super::jobs::Repaint;
use super::{
    App, Dialog, Job, JobKind, JobOutcome, Level, PendingPick, PickMode, PickPurpose, PickRequest,
};
use crate::store::Clock;

impl App {
    /// Takes in what the running job and the open file dialog report: progress each
    /// frame, the outcome or the picked files when they arrive. Called once per frame
    /// before drawing.
    pub fn poll_jobs(&mut self) {
        self.poll_pick();
        self.poll_job();
        self.poll_identity();
        if self.watch.as_mut().is_some_and(|watch| watch.changed()) {
            // Someone else's change committed: show it, keeping the panel's selection.
            self.refresh();
            self.refresh_selection(false);
        }
    }

    pub(super) fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        self.state.shell.job = Some((job.kind, job.progress(), job.is_cancelling()));
        let Some(outcome) = job.poll() else { return };
        tracing::info!(job = job.kind.label(), "job ended");
        self.job = None;
        self.state.shell.job = None;
        match outcome {
            JobOutcome::Attached {
                control,
                added,
                refused,
                pending,
                cancelled,
            } => self.attached(&control, &added, refused, pending, cancelled),
            JobOutcome::Verified(report) => self.verified(&report),
            JobOutcome::Exported(summary) => self.exported(&summary),
            JobOutcome::PackChecked(path, outcome, signature) => {
                self.pack_checked(&path, outcome, signature)
            }
            JobOutcome::TrainingRecorded(record) => self.training_recorded(&record),
            JobOutcome::AwsReportAdded(report) => self.aws_report_added(&report),
            JobOutcome::PatchRecorded(record) => {
                self.patch_recorded(&record);
            }
            JobOutcome::Imported(kind, name, report) => self.imported(kind, &name, &report),
            JobOutcome::RequestsImported(name, report) => self.requests_imported(&name, &report),
            JobOutcome::RequestFilesAttached {
                request,
                added,
                refused,
                cancelled,
            } => self.request_files_attached(&request, &added, &refused, cancelled),
            JobOutcome::Opened(path) => self.notify_file(
                Level::Info,
                format!("Opened a copy: {}", path.display()),
                path,
            ),
            JobOutcome::OscalExported(files) => self.oscal_exported(files),
            JobOutcome::FindingsImported {
                imported,
                failed,
                cancelled,
            } => self.findings_imported(&imported, &failed, cancelled),
            JobOutcome::PoamExported {
                files,
                open,
                closed,
                refusal,
            } => self.poam_exported(files, (open, closed), refusal),
            JobOutcome::DocumentAttached(added) => self.document_attached(&added),
            JobOutcome::FrameworkImported { imported, refused } => {
                self.framework_imported(&imported, &refused)
            }
            JobOutcome::Pushed { to, clean, lines } => self.pushed(&to, clean, lines),
            JobOutcome::Failed(error) => self.notify(Level::Error, error),
            JobOutcome::Cancelled => self.notify(Level::Info, "Cancelled.".to_string()),
        }
    }

    /// Reports files attached to a control, those refused, those waiting to move into the
    /// vault, and a cancel.
    fn attached(
        &mut self,
        control: &str,
        added: &[crate::model::Evidence],
        refused: Vec<String>,
        pending: Vec<String>,
        cancelled: bool,
    ) {
        self.refresh();
        if !added.is_empty() {
            let names: Vec<&str> = added.iter().map(|e| e.file_name.as_str()).collect();
            self.notify(
                Level::Info,
                format!("Attached {} to {control}.", names.join(", ")),
            );
        }
        for reason in refused {
            self.notify(Level::Error, format!("Not attached: {reason}"));
        }
        for reason in pending {
            self.notify(Level::Error, reason);
        }
        if cancelled {
            self.notify(
                Level::Info,
                "Attaching was cancelled; nothing half-written was kept.".to_string(),
            );
        }
    }

    /// Reports a workspace verification and keeps its report to show.
    fn verified(&mut self, report: &crate::workspace::VerifyReport) {
        let clean = report.is_clean();
        self.notify(
            if clean { Level::Info } else { Level::Error },
            if clean {
                "Workspace verified: the activity log and every evidence file are intact."
                    .to_string()
            } else {
                "Verification found problems: see the report.".to_string()
            },
        );
        self.state.shell.verify_result = Some((clean, report.lines()));
    }

    /// Reports a pack written, with a link to it.
    fn exported(&mut self, summary: &crate::pack::ExportSummary) {
        self.notify_file(
            Level::Info,
            format!(
                "Evidence pack written: {} ({} files). Check it anywhere with `sha256sum -c SHA256SUMS`.",
                summary.path.display(),
                summary.files
            ),
            summary.path.clone(),
        );
    }

    /// A notification that links to a file.
    fn notify_file(&mut self, level: Level, text: String, file: PathBuf) {
        self.notify(level, text);
        if let Some(note) = self.state.shell.notifications.last_mut() {
            note.file = Some(file);
        }
    }

    /// Reports a pack check: its files, then its signature, and keeps the lines to show.
    fn pack_checked(
        &mut self,
        path: &std::path::Path,
        outcome: crate::pack::VerifyOutcome,
        signature: Option<crate::pack::SignatureCheck>,
    ) {
        let name = path.display().to_string();
        let (mut clean, mut lines) = match outcome {
            crate::pack::VerifyOutcome::Intact { files, bytes } => (
                true,
                vec![format!(
                    "{name}: intact — {files} files, {bytes} bytes match the manifest and SHA256SUMS"
                )],
            ),
            crate::pack::VerifyOutcome::Problems(problems) => {
                let mut lines = vec![format!("{name}: {} problems", problems.len())];
                lines.extend(problems);
                (false, lines)
            }
            crate::pack::VerifyOutcome::NotAPack(why) => (
                false,
                vec![format!("{name} is not a Lockstep evidence pack: {why}")],
            ),
        };
        match signature {
            None => {}
            Some(crate::pack::SignatureCheck::Unsigned) => {
                lines.push("Unsigned: the pack has no SHA256SUMS.sig.".to_string());
            }
            Some(crate::pack::SignatureCheck::Good {
                signer,
                fingerprint,
                ..
            }) => lines.push(format!(
                "Signed by {signer} with ED25519 key {fingerprint}; check that fingerprint with the signer."
            )),
            Some(crate::pack::SignatureCheck::Failed(why)) => {
                if clean {
                    lines.insert(
                        0,
                        format!("{name}: files intact, but the signature is not good"),
                    );
                }
                clean = false;
                lines.push(format!("Signature not good: {why}"));
            }
        }
        self.notify(
            if clean { Level::Info } else { Level::Error },
            lines[0].clone(),
        );
        self.state.shell.verify_result = Some((clean, lines));
    }

    /// Opens a file dialog on its own thread; what the user picks is used by
    /// [`App::picked`] when it arrives.
    pub(super) fn start_pick(
        &mut self,
        purpose: PickPurpose,
        mode: PickMode,
        request: PickRequest,
    ) {
        if self.pick.is_some() {
            self.notify(
                Level::Error,
                "A file dialog is already open: answer it first.".to_string(),
            );
            return;
        }
        match PendingPick::start(
            self.picker.clone(),
            purpose.clone(),
            mode,
            request,
            self.repaint.clone(),
        ) {
            Ok(pick) => {
                self.state.shell.picking = Some(purpose);
                self.pick = Some(pick);
            }
            Err(error) => self.notify(Level::Error, format!("Cannot open a file dialog: {error}")),
        }
    }

    pub(super) fn poll_pick(&mut self) {
        let Some(answer) = self.pick.as_ref().and_then(|pick| pick.poll()) else {
            return;
        };
        let purpose = self.pick.take().map(|pick| pick.purpose);
        self.state.shell.picking = None;
        // A cancelled dialog is the user's answer: nothing to do.
        if let (Some(purpose), Some(paths)) = (purpose, answer) {
            self.picked(purpose, paths);
        }
    }

    /// Carries on the flow that asked for files, now that they are picked.
    pub(super) fn picked(&mut self, purpose: PickPurpose, mut paths: Vec<PathBuf>) {
        match purpose {
            PickPurpose::Attach => self.attach_files(paths),
            PickPurpose::Certificate => {
                self.state.views.training.certificate = paths.pop();
            }
            PickPurpose::PatchEvidence => self.state.views.patches.evidence = paths.pop(),
            PickPurpose::AwsReportFile => self.state.views.aws_reports.file = paths.pop(),
            PickPurpose::BridgeLetter => self.state.views.aws_reports.bridge_letter = paths.pop(),
            PickPurpose::Cuecs(report) => {
                if let Some(path) = paths.pop() {
                    self.import_cuecs(report, &path);
                }
            }
            PickPurpose::Import(kind) => {
                if let Some(path) = paths.pop() {
                    self.import_csv_file(kind, path);
                }
            }
            PickPurpose::ExportTarget => {
                if let Dialog::Export(form) = &mut self.state.views.dialog {
                    form.target = paths.pop();
                }
            }
            PickPurpose::RequestList => {
                if let Some(path) = paths.pop() {
                    self.import_request_list(path);
                }
            }
            PickPurpose::RequestFiles => self.attach_request_files(paths),
            PickPurpose::RequestsExportTarget => {
                if let Some(path) = paths.pop() {
                    self.export_requests(path);
                }
            }
            PickPurpose::Document(kind, control) => {
                if let Some(path) = paths.pop() {
                    self.attach_document(kind, control, path);
                }
            }
            PickPurpose::FindingsFiles => self.import_findings_files(paths),
            PickPurpose::PoamFolder => {
                if let Some(folder) = paths.pop() {
                    self.export_poam(folder);
                }
            }
            PickPurpose::TeamFolder => {
                if let Some(folder) = paths.pop() {
                    self.push_to_team(folder);
                }
            }
            PickPurpose::OscalFolder => {
                if let Some(folder) = paths.pop() {
                    self.export_oscal(folder);
                }
            }
            PickPurpose::Framework => {
                if !paths.is_empty() {
                    self.start_job(JobKind::ImportFramework, |dir, clock, repaint| {
                        Job::import_framework(dir, clock, paths, repaint)
                    });
                }
            }
            PickPurpose::VerifyPack => {
                if let Some(path) = paths.pop() {
                    self.start_job(JobKind::VerifyPack, |_, _, repaint| {
                        Job::verify_pack(path, repaint)
                    });
                }
            }
        }
    }

    /// Says what a framework import brought in and what it refused; the New project dialog
    /// then offers the new baselines.
    fn framework_imported(&mut self, imported: &[String], refused: &[String]) {
        self.refresh();
        if !imported.is_empty() {
            self.notify(Level::Info, format!("Imported {}.", imported.join("; ")));
        }
        for reason in refused {
            self.notify(Level::Error, format!("Not imported: {reason}"));
        }
    }

    /// Waits for the open file dialog and the running job to end, and takes in what they
    /// give (tests use this).
    pub fn finish_jobs(&mut self) {
        while self.is_busy() {
            self.poll_jobs();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    pub(super) fn start_job(
        &mut self,
        kind: JobKind,
        start: impl FnOnce(PathBuf, Clock, Repaint) -> Result<Job, String>,
    ) {
        if let Some(job) = &self.job {
            let text = format!(
                "{} is still running: wait for it or cancel it first.",
                job.kind.label()
            );
            self.notify(Level::Error, text);
            return;
        }
        match start(
            self.state.session.workspace.clone(),
            self.clock.clone(),
            self.repaint.clone(),
        ) {
            Ok(job) => {
                tracing::info!(job = kind.label(), "job started");
                self.state.shell.job = Some((kind, job.progress(), false));
                self.job = Some(job);
            }
            Err(error) => self.notify(Level::Error, error),
        }
    }
}
