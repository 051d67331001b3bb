//! "Export OSCAL…": the project's responsibility matrix written as OSCAL and the CIS/CRM
//! workbook into a folder the user picks, on a background job.

use std::path::PathBuf;

use super::jobs::{Job, JobKind, JobOutcome, Repaint, open_for_job};
use super::{App, Level, PickMode, PickPurpose, PickRequest};
use crate::export_oscal::{OscalInput, documents, write_files};
use crate::store::Clock;

impl App {
    /// Asks for the folder to write the OSCAL files of the selected project into.
    pub(super) fn pick_oscal_folder(&mut self) {
        if self.state.records.project.is_none() {
            return;
        }
        self.start_pick(
            PickPurpose::OscalFolder,
            PickMode::Folder,
            PickRequest::titled("Choose a folder for the OSCAL files"),
        );
    }

    /// Starts writing the OSCAL files of the selected project into `folder`.
    pub(super) fn export_oscal(&mut self, folder: PathBuf) {
        let Some(project) = self.state.records.project.as_ref().map(|p| p.key) else {
            return;
        };
        self.start_job(JobKind::ExportOscal, |dir, clock, repaint| {
            Job::export_oscal(dir, clock, project, folder, repaint)
        });
    }

    /// Says where the OSCAL files went, with the folder to show.
    pub(super) fn oscal_exported(&mut self, files: Vec<PathBuf>) {
        let folder = files
            .first()
            .and_then(|f| f.parent())
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        self.notify(
            Level::Info,
            format!(
                "OSCAL files written: ssp.json, component-definition.json and crm.xlsx in {folder}"
            ),
        );
        if let Some(note) = self.state.shell.notifications.last_mut() {
            note.file = files.into_iter().next();
        }
    }
}

impl Job {
    /// Starts writing a project's OSCAL files into `folder`.
    pub fn export_oscal(
        dir: PathBuf,
        clock: Clock,
        project: i64,
        folder: PathBuf,
        repaint: Repaint,
    ) -> Result<Job, String> {
        Job::spawn(JobKind::ExportOscal, repaint, move |_, _| {
            let written = open_for_job(&dir, clock)
                .map_err(|e| format!("{e:#}"))
                .and_then(|(store, vault)| {
                    let mut input =
                        OscalInput::read(&store, project).map_err(|e| format!("{e:#}"))?;
                    input.embed_attachments(&vault);
                    Ok(input)
                })
                .and_then(|input| documents(&input).map_err(|e| format!("{e:#}")))
                .and_then(|files| write_files(&folder, &files).map_err(|e| format!("{e:#}")));
            match written {
                Ok(files) => JobOutcome::OscalExported(files),
                Err(error) => {
                    JobOutcome::Failed(format!("The OSCAL files were not written: {error}"))
                }
            }
        })
    }
}
