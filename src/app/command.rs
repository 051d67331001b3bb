//! Everything a user can ask of the window, as one enum. Drawing code only records these;
//! [`crate::app::App::apply`] carries them out after the frame is drawn.

use std::path::PathBuf;

use crate::model::ControlPatch;
use crate::store::{NewControl, NewProject};

/// A request from the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Show this project's board.
    SelectProject(i64),
    /// Open the new-project dialog (Ctrl+N).
    OpenNewProject,
    /// Create a project from the dialog's values.
    CreateProject(NewProject),
    /// Open the dialog that changes the current project's services.
    OpenServices,
    /// Change the current project's services.
    SetServices(Vec<String>),
    /// Open the add-control dialog (the ownership test).
    OpenAddControl,
    /// Add a control of the team's own to the current project.
    AddControl(NewControl),
    /// Open the settings dialog.
    OpenSettings,
    /// Change the user name recorded with every change.
    SetUserName(String),
    /// Close whichever dialog is open.
    CloseDialog,
    /// Select a control (or none, closing the panel).
    SelectControl(Option<String>),
    /// Edit the selected control.
    EditControl {
        /// The control's id.
        id: String,
        /// What to change.
        patch: ControlPatch,
    },
    /// Undo the last edit of a control (Ctrl+Z).
    Undo,
    /// Attach files to the selected control (dropped on the window, or picked).
    AttachFiles(Vec<PathBuf>),
    /// Pick files with the system dialog and attach them to the selected control.
    PickFiles,
    /// Open a piece of evidence in the system's default application.
    OpenEvidence(i64),
    /// Remove a piece of evidence (a tombstone) with a reason.
    RemoveEvidence {
        /// The evidence id.
        id: i64,
        /// Why.
        reason: String,
    },
    /// Stop the running background job.
    CancelJob,
    /// Re-walk the activity log and re-hash the vault in the background.
    VerifyWorkspace,
    /// Close the verification report.
    DismissVerifyResult,
    /// Hide the newest notification from the status bar (it stays in the list).
    DismissToast,
    /// Switch to another view of the project.
    ShowView(crate::app::View),
    /// Go to where an attention item is fixed.
    Goto(crate::app::Target),
    /// Add the person in the training form.
    AddPerson,
    /// Add the course in the training form.
    AddCourse,
    /// Record the completion in the training form.
    RecordTraining,
    /// Add the asset in the patches form.
    AddAsset,
    /// Record the patch in the patches form.
    RecordPatch,
    /// Choose a certificate file for the next completion.
    PickCertificate,
    /// Choose an evidence file for the next patch.
    PickPatchEvidence,
    /// Choose a CSV file and import it.
    Import(crate::app::ImportKind),
    /// Record a sign-off.
    SignOff(crate::store::NewSignoff),
    /// Open the export dialog.
    OpenExport,
    /// Choose where the pack goes with the system save dialog.
    PickExportTarget,
    /// Write the pack the export dialog describes.
    StartExport,
    /// Choose a pack file and check it.
    VerifyPack,
    /// Show a file in the system's file manager.
    ShowInFolder(PathBuf),
    /// Show or hide the notification list.
    ToggleNotifications,
    /// Forget all notifications.
    ClearNotifications,
}

/// A keyboard shortcut the window knows, with what it does: listed in the help tooltip.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+N", "New project"),
    ("Ctrl+F", "Search the board"),
    ("Ctrl+Z", "Undo the last edit"),
    ("Esc", "Close the panel or dialog"),
];
