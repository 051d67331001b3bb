//! A project as it stood on an as-of date, and its audit period, taken from the workspace in
//! one go: what the evidence pack shows and what the OSCAL export writes. [`collect`] reads
//! it; [`names`] gives each file its path inside the pack.

mod collect;
pub mod names;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Control, Coverage, Evidence, Project};
use crate::store::{
    ActivityEntry, AwsReport, CuecLine, PatchDeadlines, PatchRecord, Request, RosterEntry, Signoff,
};

pub use collect::{collect, collect_requests};

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

/// One of AWS's reports as the pack carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackAwsReport {
    /// The report as it stood on the as-of date.
    pub report: AwsReport,
    /// Its file's path inside the pack, under `evidence/aws/`.
    pub path: String,
    /// Its bridge letter's path inside the pack, when it has one.
    pub bridge_path: Option<String>,
}

/// A document attached to the plan as the pack carries it: a policy or procedure once per
/// control it answers, all sharing one file in the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackAttachment {
    /// The attachment as it stood on the as-of date.
    pub attachment: crate::model::Attachment,
    /// Its file's path inside the pack, under `attachments/`.
    pub path: String,
}

/// A vault file the pack carries for an AWS report: the report itself or its bridge letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsReportFile<'a> {
    /// The report's id.
    pub report_id: i64,
    /// The file's name when added.
    pub file_name: &'a str,
    /// SHA-256 of the file.
    pub sha256: &'a str,
    /// Bytes, when recorded (bridge letters are checked by hash alone).
    pub size_bytes: Option<u64>,
    /// Its path inside the pack.
    pub path: &'a str,
}

/// A file that answers a request, as the pack carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackRequestFile {
    /// Its path inside the pack.
    pub path: String,
    /// The file's name when attached.
    pub file_name: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
    /// The evidence record and its control, when the file is evidence of a control.
    pub evidence: Option<(i64, String)>,
    /// Whether the pack copies the file to `path` for the request; in a full pack, evidence
    /// of a control is already under `evidence/` and the request links there.
    pub copied: bool,
}

/// An auditor's request as the pack shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackRequest {
    /// The request, with the values it had on the as-of date.
    pub request: Request,
    /// Its folder inside the pack: `requests/<id> <short title>`.
    pub folder: String,
    /// Its response as a file in its folder (delivery packs), when it has one.
    pub response_path: Option<String>,
    /// The files that answer it.
    pub files: Vec<PackRequestFile>,
}

/// What a pack holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackKind {
    /// The whole project.
    #[default]
    Full,
    /// Only some of the auditor's requests, with their answers (a delivery).
    Requests,
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
    /// AWS's reports current on the as-of date, oldest first.
    pub aws_reports: Vec<PackAwsReport>,
    /// How those reports cover the project's audit period; `None` without a period.
    pub coverage: Option<Coverage>,
    /// The CUECs those reports list, each with the project's controls that carry it out and
    /// their status on the as-of date.
    pub cuecs: Vec<CuecLine>,
    /// What the pack holds.
    pub kind: PackKind,
    /// The auditor's requests the pack shows, in list order.
    pub requests: Vec<PackRequest>,
    /// The findings of AWS's tools imported by the as-of date, as they stood then.
    pub findings: Vec<crate::store::Finding>,
    /// The project's authorization package URI (FedRAMP's certification package overview);
    /// empty until given.
    pub package_uri: String,
    /// The project's latest activity-log row up to the as-of date: its sequence number and
    /// time (the OSCAL files' version and last-modified time).
    pub last_activity: Option<(i64, String)>,
    /// The facts about the project's system on the as-of date.
    pub system: crate::model::SystemFacts,
    /// Who held each role of the project's system on the as-of date.
    pub roles: Vec<crate::model::RoleHolder>,
    /// The users of the project's system described on the as-of date, by title.
    pub users: Vec<crate::model::SystemUser>,
    /// The values given to the project's parameters on the as-of date, by parameter id.
    pub parameters: std::collections::BTreeMap<String, String>,
    /// The documents attached to the plan on the as-of date, oldest first.
    pub attachments: Vec<PackAttachment>,
    /// The catalog the project's baseline profile resolves to (OSCAL JSON), when kept.
    pub resolved_catalog: Option<String>,
    /// The project's assets with what the inventory states of each, as they are now.
    pub assets: Vec<crate::store::Asset>,
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

    /// Every file the pack copies for a request, with the request, in pack order.
    pub fn request_files(&self) -> impl Iterator<Item = (&PackRequest, &PackRequestFile)> {
        self.requests.iter().flat_map(|request| {
            request
                .files
                .iter()
                .filter(|file| file.copied)
                .map(move |file| (request, file))
        })
    }

    /// Every attached document's file the pack carries, once each, in pack order.
    pub fn attachment_files(&self) -> impl Iterator<Item = &PackAttachment> {
        let mut seen = std::collections::HashSet::new();
        self.attachments
            .iter()
            .filter(move |a| seen.insert(a.path.as_str()))
    }

    /// Every AWS report file the pack carries (reports, then their bridge letters in turn),
    /// in pack order.
    pub fn aws_report_files(&self) -> impl Iterator<Item = AwsReportFile<'_>> {
        self.aws_reports.iter().flat_map(|item| {
            let report = &item.report;
            let main = AwsReportFile {
                report_id: report.id,
                file_name: &report.file_name,
                sha256: &report.sha256,
                size_bytes: Some(report.size_bytes),
                path: &item.path,
            };
            let bridge = report
                .bridge_letter
                .as_ref()
                .zip(item.bridge_path.as_deref())
                .map(|(letter, path)| AwsReportFile {
                    report_id: report.id,
                    file_name: &letter.file_name,
                    sha256: &letter.sha256,
                    size_bytes: None,
                    path,
                });
            std::iter::once(main).chain(bridge)
        })
    }
}
