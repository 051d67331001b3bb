//! Everything a user can ask of the window, as one enum. Drawing code only records these;
//! [`crate::app::App::apply`] carries them out after the frame is drawn.
//!
//! Each command carries its own label, tooltip and keyboard shortcut, so buttons, menus,
//! the keys and the keyboard help all come from one place.

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::model::{ControlField, ControlPatch, RequestStatus};
use crate::store::{NewControl, NewProject, RequestLink};

/// A request from the window.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Command {
    /// Show this project's board.
    SelectProject(i64),
    /// Open the new-project dialog (Ctrl+N).
    OpenNewProject,
    /// Create a project from the dialog's values.
    CreateProject(NewProject, Option<String>),
    /// Open the dialog that changes the current project's services.
    OpenServices,
    /// Change the current project's services.
    SetServices(Vec<String>),
    /// Open the dialog that sets the current project's audit period.
    OpenPeriod,
    /// Set the current project's audit period (both days), or clear it.
    SetPeriod(Option<(chrono::NaiveDate, chrono::NaiveDate)>),
    /// Open the add-control dialog (the ownership test).
    OpenAddControl,
    /// Add a control of the team's own to the current project.
    AddControl(NewControl),
    /// Open the settings dialog.
    OpenSettings,
    /// Change the user name recorded with every change.
    SetUserName(String),
    /// Make the person's signing key for this signer (Settings).
    CreateSigningKey(String),
    /// Close whichever dialog is open.
    CloseDialog,
    /// Select a control (or none, closing the panel).
    SelectControl(Option<String>),
    /// Fold or unfold one area group of a board column.
    ToggleArea(crate::model::Column, String),
    /// Fold every area group of the board (true) or unfold them all (false).
    FoldAllAreas(bool),
    /// Sort the board's table by this column (again: the other way round).
    SortBoardTable(crate::app::TableColumn),
    /// Edit the selected control.
    EditControl {
        /// The control's id.
        id: String,
        /// What to change.
        patch: ControlPatch,
    },
    /// Edit a field of the selected control to the text typed in the panel, read into the
    /// field's type when the command is applied.
    EditControlText {
        /// The control's id.
        id: String,
        /// Which field.
        field: ControlField,
        /// The text as typed.
        text: String,
    },
    /// Undo the last edit of a control (Ctrl+Z).
    Undo,
    /// Put the keyboard in the board's search field (Ctrl+F).
    FocusSearch,
    /// Close the open dialog, else the notification list, else the control panel (Esc).
    Back,
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
    /// Save the system facts typed in the System view.
    SaveSystemFacts,
    /// Give a role of the system to the person with this email.
    AssignSystemRole(crate::model::SystemRole, String),
    /// Describe the user typed in the System view.
    SaveSystemUser,
    /// Remove the described user with this title.
    RemoveSystemUser(String),
    /// Save the value typed for this parameter.
    SaveParameter(String),
    /// Pick a document of this kind (for this control) to attach to the plan.
    PickDocument(crate::model::AttachmentKind, Option<String>),
    /// Attach this file to the plan as a document of this kind (for this control).
    AttachDocument(crate::model::AttachmentKind, Option<String>, PathBuf),
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
    /// Choose the file of the next AWS report.
    PickAwsReportFile,
    /// Choose the bridge letter of the next AWS report.
    PickBridgeLetter,
    /// Add the AWS report in the AWS reports form.
    AddAwsReport,
    /// Remove an AWS report (a tombstone) with a reason.
    RemoveAwsReport {
        /// The report's id.
        id: i64,
        /// Why.
        reason: String,
    },
    /// Choose a CSV file of the CUECs an AWS report lists and import it.
    ImportCuecs(i64),
    /// Map a CUEC to a control of the project by hand, or unmap it.
    MapCuec {
        /// The CUEC's id.
        cuec: i64,
        /// The control's id.
        control: String,
        /// Map (true) or unmap (false).
        mapped: bool,
    },
    /// Choose a CSV file and import it.
    Import(crate::app::ImportKind),
    /// Choose a provider's CRM (.csv or .xlsx) and import it for the current project.
    ImportCrm,
    /// Choose OSCAL catalog and profile files and import them, so projects can track their
    /// baselines.
    ImportFramework,
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
    /// Choose a folder and write the project's OSCAL files and CIS/CRM workbook there.
    ExportOscal,
    /// Show the team workspace's database session and AWS identity.
    OpenTeamDetails,
    /// Open the workspace again with what was typed in the sign-in form.
    SignIn,
    /// Choose a team workspace's folder and push this local workspace into it.
    PushToTeam,
    /// Show a file in the system's file manager.
    ShowInFolder(PathBuf),
    /// Open the workspace's log folder in the system's file manager.
    OpenLogFolder,
    /// Show or hide the notification list.
    ToggleNotifications,
    /// Forget all notifications.
    ClearNotifications,
    /// Choose the auditor's request list (CSV or XLSX) and import it in the background.
    ImportRequestList,
    /// Select a request of the list (or none, closing its detail pane).
    SelectRequest(Option<String>),
    /// Save the written response of a request (Ctrl+Enter in the response field).
    SaveRequestResponse {
        /// The request's id.
        id: String,
        /// The response.
        response: String,
    },
    /// Move a request to the next status of its lifecycle.
    MoveRequest {
        /// The request's id.
        id: String,
        /// The status it moves to.
        status: RequestStatus,
        /// The auditor's comment (needed when returning it).
        comment: Option<String>,
    },
    /// Link a request to evidence of the project or to a control.
    LinkRequest {
        /// The request's id.
        id: String,
        /// What it is linked to.
        link: RequestLink,
    },
    /// Pick files with the system dialog and attach them to the selected request.
    PickRequestFiles,
    /// Attach files to the selected request (dropped onto the Requests view, or picked).
    AttachRequestFiles(Vec<PathBuf>),
    /// Choose where to save a delivery pack of the requests shown, then write it in the
    /// background.
    ExportRequests,
    /// Choose findings exports of AWS's tools and import them in the background.
    ImportFindings,
    /// Import these findings exports in the background (dropped onto the Findings view, or
    /// picked).
    ImportFindingsFiles(Vec<PathBuf>),
    /// Select a finding (or none, closing its detail pane).
    SelectFinding(Option<String>),
    /// Ask for a deviation of a finding.
    RequestDeviation {
        /// The finding's id.
        id: String,
        /// What is asked for.
        deviation: crate::store::NewDeviation,
    },
    /// Plan a milestone for a finding.
    AddFindingMilestone {
        /// The finding's id.
        id: String,
        /// When it is due.
        due: chrono::NaiveDate,
        /// What it is.
        text: String,
    },
    /// Record a person's evaluation of a finding (internet reachability, exploitability).
    SetFindingFacts {
        /// The finding's id.
        id: String,
        /// What changes.
        facts: crate::store::FindingFacts,
    },
    /// Choose a folder and write the project's POA&M files there.
    ExportPoam,
}

impl Command {
    /// The commands that have a keyboard shortcut, in the order the keyboard help lists them.
    pub fn with_shortcuts() -> [Command; 4] {
        [
            Command::OpenNewProject,
            Command::FocusSearch,
            Command::Undo,
            Command::Back,
        ]
    }

    /// Its name as the log shows it (`select-project`): the variant, never the values it
    /// carries.
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// The words on its button or menu item.
    pub fn label(&self) -> &'static str {
        match self {
            Command::SelectProject(_) => "Show project",
            Command::OpenNewProject | Command::CreateProject(..) => "New project",
            Command::OpenServices | Command::SetServices(_) => "Services",
            Command::OpenPeriod => "Audit period…",
            Command::SetPeriod(_) => "Save period",
            Command::OpenAddControl | Command::AddControl(_) => "Add control",
            Command::OpenSettings | Command::SetUserName(_) => "Settings",
            Command::CreateSigningKey(_) => "Create my signing key",
            Command::CloseDialog => "Close",
            Command::SelectControl(_) => "Select control",
            Command::ToggleArea(..) => "Fold or unfold",
            Command::FoldAllAreas(true) => "Collapse all groups",
            Command::FoldAllAreas(false) => "Expand all groups",
            Command::SortBoardTable(_) => "Sort",
            Command::EditControl { .. } | Command::EditControlText { .. } => "Save",
            Command::Undo => "Undo",
            Command::FocusSearch => "Search the board",
            Command::Back => "Close the panel or dialog",
            Command::AttachFiles(_) | Command::PickFiles => "Attach files…",
            Command::OpenEvidence(_) => "Open",
            Command::RemoveEvidence { .. } => "Remove evidence",
            Command::CancelJob => "Cancel",
            Command::VerifyWorkspace => "Verify workspace",
            Command::DismissVerifyResult | Command::DismissToast => "Dismiss",
            Command::ShowView(view) => view.label(),
            Command::Goto(_) => "Go there",
            Command::SaveSystemFacts => "Save facts",
            Command::AssignSystemRole(..) => "Assign",
            Command::SaveSystemUser => "Save user",
            Command::RemoveSystemUser(_) => "Remove user",
            Command::SaveParameter(_) => "Save value",
            Command::PickDocument(..) | Command::AttachDocument(..) => "Attach…",
            Command::AddPerson => "Add person",
            Command::AddCourse => "Add course",
            Command::RecordTraining => "Record completion",
            Command::AddAsset => "Add asset",
            Command::RecordPatch => "Record patch",
            Command::PickCertificate
            | Command::PickPatchEvidence
            | Command::PickAwsReportFile
            | Command::PickBridgeLetter => "Choose…",
            Command::AddAwsReport => "Add report",
            Command::ImportCuecs(_) => "Import CUECs…",
            Command::MapCuec { mapped: true, .. } => "Map",
            Command::MapCuec { mapped: false, .. } => "Unmap",
            Command::RemoveAwsReport { .. } => "Remove report",
            Command::Import(_) => "Import…",
            Command::ImportCrm => "Import CRM…",
            Command::ImportFramework => "Import framework…",
            Command::SignOff(_) => "Sign off",
            Command::OpenExport => "Export evidence pack…",
            Command::PickExportTarget => "Choose…",
            Command::StartExport => "Export",
            Command::VerifyPack => "Verify a pack…",
            Command::ExportOscal => "Export OSCAL…",
            Command::OpenTeamDetails => "Team workspace…",
            Command::SignIn => "Sign in",
            Command::PushToTeam => "Push to a team workspace…",
            Command::ShowInFolder(_) => "Show in folder",
            Command::OpenLogFolder => "Open log folder",
            Command::ToggleNotifications => "Notifications",
            Command::ClearNotifications => "Clear all",
            Command::ImportRequestList => "Import request list…",
            Command::SelectRequest(_) => "Select request",
            Command::SaveRequestResponse { .. } => "Save response",
            Command::MoveRequest { status, .. } => match status {
                RequestStatus::Open => "Reopen",
                RequestStatus::InProgress => "Start work",
                RequestStatus::Submitted => "Submit",
                RequestStatus::Accepted => "Accept",
                RequestStatus::Returned => "Return with comment",
            },
            Command::LinkRequest { .. } => "Link",
            Command::ExportRequests => "Export for requests…",
            Command::PickRequestFiles | Command::AttachRequestFiles(_) => "Attach files…",
            Command::ImportFindings | Command::ImportFindingsFiles(_) => "Import findings…",
            Command::SelectFinding(_) => "Select finding",
            Command::RequestDeviation { .. } => "Ask for deviation",
            Command::AddFindingMilestone { .. } => "Plan milestone",
            Command::SetFindingFacts { .. } => "Save evaluation",
            Command::ExportPoam => "Export POA&M…",
        }
    }

    /// What it does, for its tooltip, when the label does not say it all.
    pub fn tooltip(&self) -> Option<&'static str> {
        match self {
            Command::OpenNewProject => Some("Create a project for an audit scope"),
            Command::OpenPeriod => {
                Some("The dates AWS's reports must cover and the dashboard counts down to")
            }
            Command::ImportFramework => Some(
                "Import an OSCAL catalog and its profiles (such as NIST SP 800-53 Rev 5 and its MODERATE baseline) so a project can track them",
            ),
            Command::ImportCrm => Some(
                "Import the provider's Customer Responsibility Matrix: it places the controls it names",
            ),
            Command::Undo => Some("Undo the last edit"),
            Command::PickFiles => Some("Choose files to attach, or drop them onto the window"),
            Command::ImportRequestList => Some(
                "Import the auditor's request list (CSV or XLSX); importing an updated list again updates requests by id",
            ),
            Command::SaveRequestResponse { .. } => Some("Save the written response"),
            Command::ExportRequests => Some(
                "Write a delivery pack of the requests shown (filter the table to choose them): each response and its files",
            ),
            Command::MoveRequest {
                status: RequestStatus::Submitted,
                ..
            } => Some("Hand the answer to the auditor: needs evidence or a written response"),
            Command::MoveRequest {
                status: RequestStatus::Returned,
                ..
            } => Some("The auditor sent it back: write their comment first"),
            Command::PickRequestFiles => Some(
                "Choose files to attach to the request, or drop them onto its pane; they become evidence of the controls it names",
            ),
            Command::ImportFindings => Some(
                "Import findings exports of Amazon Inspector (JSON or CSV), Security Hub (ASFF or OCSF) or Systems Manager; importing a newer export again updates findings by their ids",
            ),
            Command::ExportPoam => Some(
                "Write the plan of action and milestones as OSCAL and FedRAMP's workbook, with FedRAMP's vulnerability detail report for last month",
            ),
            Command::RequestDeviation { .. } => {
                Some("It counts once someone signs off the finding")
            }
            Command::VerifyWorkspace => {
                Some("Re-walk the activity log and re-hash every evidence file")
            }
            Command::VerifyPack => Some("Check a pack against its manifest and SHA256SUMS"),
            Command::OpenTeamDetails => Some(
                "The database host, whether the connection is encrypted and verified, and the AWS identity in use",
            ),
            Command::PushToTeam => Some(
                "Copy every record into a team workspace's database and every evidence file into its bucket, then verify the copy",
            ),
            Command::ExportOscal => Some(
                "Write the responsibility matrix as an OSCAL system security plan, a component definition and the CIS/CRM workbook",
            ),
            Command::CreateSigningKey(_) => Some(
                "Make an Ed25519 SSH key, kept in your config folder, to sign the packs you export",
            ),
            Command::OpenLogFolder => Some(
                "The log records commands, background jobs and errors: attach it to a support request",
            ),
            _ => None,
        }
    }

    /// Its keyboard shortcut, if it has one.
    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        match self {
            Command::OpenNewProject => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::N)),
            Command::FocusSearch => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::F)),
            Command::Undo => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::Z)),
            Command::Back => Some(KeyboardShortcut::new(Modifiers::NONE, Key::Escape)),
            Command::SaveRequestResponse { .. } => {
                Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter))
            }
            _ => None,
        }
    }

    /// Whether its shortcut still works while a text field has the keyboard. A text field
    /// owns Ctrl+Z (its own undo) and Esc (leaving the field, keeping what was typed).
    pub fn works_while_typing(&self) -> bool {
        !matches!(self, Command::Undo | Command::Back)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_listed_shortcut_is_a_different_key() {
        let keys: Vec<_> = Command::with_shortcuts()
            .iter()
            .map(|c| c.shortcut().expect("listed commands have a shortcut"))
            .collect();
        for (n, key) in keys.iter().enumerate() {
            assert!(!keys[n + 1..].contains(key), "{key:?} is used twice");
        }
    }

    #[test]
    fn a_command_is_named_by_its_variant_never_its_values() {
        assert_eq!(Command::SelectProject(4).name(), "select-project");
        assert_eq!(
            Command::SetUserName("Dana (Ops)".to_string()).name(),
            "set-user-name"
        );
        assert_eq!(Command::ImportFramework.name(), "import-framework");
    }
}
