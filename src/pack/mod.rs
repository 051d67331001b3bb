//! The evidence pack: one zip an auditor reads, and checks, without Lockstep.
//!
//! [`collect`] takes a snapshot of a project as it stood on the as-of date (statuses,
//! evidence, roster) and of its audit period (patches, activity). [`report`] turns the
//! snapshot into the report, the spreadsheets and the workbook; [`write`] streams it and
//! the evidence files into a zip in a fixed order with fixed timestamps, so the same
//! workspace and the same as-of date give a byte-identical pack; [`verify`] checks a pack
//! against its manifest and `SHA256SUMS`, and [`signature`] who signed it.

mod collect;
pub mod names;
pub mod report;
pub mod signature;
pub mod verify;
mod write;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Control, Evidence, Project};
use crate::store::{ActivityEntry, PatchDeadlines, PatchRecord, RosterEntry, Signoff};

pub use collect::collect;
pub use signature::{SignatureCheck, check_signature};
pub use verify::{VerifyOutcome, verify_pack};
pub use write::{
    ALLOWED_SIGNERS, ExportError, ExportProgress, ExportSummary, SIGNATURE, export, export_signed,
};

/// The pack format this build writes.
pub const FORMAT_VERSION: u32 = 1;

/// A piece of evidence as the pack carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackEvidence {
    /// The evidence record.
    pub evidence: Evidence,
    /// Its path inside the pack: `evidence/<column>/<control id> <title>/<file name>`.
    pub path: String,
}

/// A control as the pack shows it: as it stood on the as-of date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackControl {
    /// The control, with the values it had on the as-of date.
    pub control: Control,
    /// Whether it was overdue on the as-of date.
    pub overdue: bool,
    /// Its evidence current on the as-of date.
    pub evidence: Vec<PackEvidence>,
    /// Its sign-offs made up to the as-of date.
    pub signoffs: Vec<Signoff>,
}

/// Everything a pack shows, taken from the workspace in one go.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackData {
    /// The project.
    pub project: Project,
    /// The day the pack shows the project as of.
    pub as_of: NaiveDate,
    /// First day of the period the activity excerpt and patch records cover.
    pub from: NaiveDate,
    /// Last day of that period.
    pub to: NaiveDate,
    /// Who generated it (the workspace user).
    pub generated_by: String,
    /// The Lockstep version that generated it.
    pub generator: String,
    /// Controls in scope on the as-of date, in board order (retired ones left out).
    pub controls: Vec<PackControl>,
    /// Each active person's state on each course on the as-of date.
    pub roster: Vec<RosterEntry>,
    /// Patch records released within the period, states as of the as-of date.
    pub patches: Vec<PatchRecord>,
    /// The project's patch deadlines.
    pub deadlines: PatchDeadlines,
    /// Sign-offs made up to the as-of date, with staleness as of now.
    pub signoffs: Vec<Signoff>,
    /// Activity-log rows of the project within the period.
    pub activity: Vec<ActivityEntry>,
}

impl PackData {
    /// Every piece of evidence the pack carries, in pack order.
    pub fn evidence(&self) -> impl Iterator<Item = (&PackControl, &PackEvidence)> {
        self.controls.iter().flat_map(|control| {
            control
                .evidence
                .iter()
                .map(move |evidence| (control, evidence))
        })
    }
}
