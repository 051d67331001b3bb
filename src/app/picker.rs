//! The boundary between the window and the system's file dialogs.
//!
//! Every flow that asks the user for a file goes through a [`FilePicker`] injected into
//! [`crate::app::App`]. The window never waits on it: the app calls the picker on a named
//! thread of its own and takes the answer in when it arrives (see [`PendingPick`]), so the
//! window keeps drawing while a dialog is open. The system picker is [`SystemPicker`] (rfd);
//! tests give a picker that returns scripted paths, so each flow runs headless.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::jobs::Repaint;

/// What a file dialog shows: its title, which files it offers and, for saving, the
/// suggested name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PickRequest {
    /// The dialog's title.
    pub title: String,
    /// Named filters, each with its extensions (without the dot).
    pub filters: Vec<(String, Vec<String>)>,
    /// The name suggested when saving.
    pub file_name: Option<String>,
}

impl PickRequest {
    /// A request with only a title.
    pub fn titled(title: impl Into<String>) -> Self {
        PickRequest {
            title: title.into(),
            ..PickRequest::default()
        }
    }

    /// Adds a filter offering files with these extensions.
    pub fn filter(mut self, name: &str, extensions: &[&str]) -> Self {
        self.filters.push((
            name.to_string(),
            extensions.iter().map(|e| e.to_string()).collect(),
        ));
        self
    }

    /// Suggests a name for the file being saved.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }
}

/// Asks the user for files. Called off the window's thread, so an implementation may block
/// until the user answers. `None` means the user cancelled.
pub trait FilePicker: Send + Sync {
    /// Files to open (one or more).
    fn pick_files(&self, request: &PickRequest) -> Option<Vec<PathBuf>>;
    /// One file to open.
    fn pick_file(&self, request: &PickRequest) -> Option<PathBuf>;
    /// Where to save a file.
    fn save_file(&self, request: &PickRequest) -> Option<PathBuf>;
    /// A folder to write files into.
    fn pick_folder(&self, request: &PickRequest) -> Option<PathBuf>;
}

/// The system's own file dialogs, through rfd.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemPicker;

impl SystemPicker {
    fn dialog(request: &PickRequest) -> rfd::FileDialog {
        let mut dialog = rfd::FileDialog::new().set_title(&request.title);
        for (name, extensions) in &request.filters {
            dialog = dialog.add_filter(name, extensions);
        }
        if let Some(name) = &request.file_name {
            dialog = dialog.set_file_name(name);
        }
        dialog
    }
}

impl FilePicker for SystemPicker {
    fn pick_files(&self, request: &PickRequest) -> Option<Vec<PathBuf>> {
        Self::dialog(request).pick_files()
    }

    fn pick_file(&self, request: &PickRequest) -> Option<PathBuf> {
        Self::dialog(request).pick_file()
    }

    fn save_file(&self, request: &PickRequest) -> Option<PathBuf> {
        Self::dialog(request).save_file()
    }

    fn pick_folder(&self, request: &PickRequest) -> Option<PathBuf> {
        Self::dialog(request).pick_folder()
    }
}

/// Which kind of dialog a pick opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickMode {
    /// Several files to open.
    Files,
    /// One file to open.
    File,
    /// A path to save to.
    Save,
    /// A folder.
    Folder,
}

/// What the window does with the files once picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickPurpose {
    /// Attach them to the selected control.
    Attach,
    /// Keep it as the next training completion's certificate.
    Certificate,
    /// Keep it as the next patch's evidence.
    PatchEvidence,
    /// Keep it as the next AWS report's file.
    AwsReportFile,
    /// Keep it as the next AWS report's bridge letter.
    BridgeLetter,
    /// Import them as OSCAL catalogs and profiles.
    Framework,
    /// Import it as the CUEC list of this AWS report.
    Cuecs(i64),
    /// Import it as a CSV file of this kind.
    Import(super::ImportKind),
    /// Write the evidence pack there.
    ExportTarget,
    /// Check it as an evidence pack.
    VerifyPack,
    /// Import it as the auditor's request list.
    RequestList,
    /// Attach them to the selected request.
    RequestFiles,
    /// Write the delivery pack of these requests there.
    RequestsExportTarget,
    /// Write the project's OSCAL files into it.
    OscalFolder,
    /// Import them as findings exports of AWS's tools.
    FindingsFiles,
    /// Write the project's POA&M files into it.
    PoamFolder,
    /// Push this local workspace into the team workspace there.
    TeamFolder,
    /// Attach it to the project's plan as a document of this kind (for this control).
    Document(crate::model::AttachmentKind, Option<String>),
}

/// A file dialog open on its own thread.
#[derive(Debug)]
pub struct PendingPick {
    /// What the answer is for.
    pub purpose: PickPurpose,
    answer: Receiver<Option<Vec<PathBuf>>>,
}

impl PendingPick {
    /// Opens the dialog on a named thread; `repaint` is called when the user has answered.
    pub fn start(
        picker: Arc<dyn FilePicker>,
        purpose: PickPurpose,
        mode: PickMode,
        request: PickRequest,
        repaint: Repaint,
    ) -> std::io::Result<PendingPick> {
        let (sender, answer) = mpsc::channel();
        std::thread::Builder::new()
            .name("lockstep-file-dialog".to_string())
            .spawn(move || {
                let picked = match mode {
                    PickMode::Files => picker.pick_files(&request),
                    PickMode::File => picker.pick_file(&request).map(|path| vec![path]),
                    PickMode::Save => picker.save_file(&request).map(|path| vec![path]),
                    PickMode::Folder => picker.pick_folder(&request).map(|path| vec![path]),
                };
                // The window may have closed while the dialog was open; nobody to tell then.
                let _ = sender.send(picked);
                repaint();
            })?;
        Ok(PendingPick { purpose, answer })
    }

    /// The user's answer once given: `Some(None)` when they cancelled (or the dialog
    /// thread ended without an answer), `None` while the dialog is still open.
    pub fn poll(&self) -> Option<Option<Vec<PathBuf>>> {
        match self.answer.try_recv() {
            Ok(picked) => Some(picked.filter(|paths| !paths.is_empty())),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(None),
        }
    }
}
