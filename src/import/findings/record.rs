//! The typed rows every findings format turns into, and what can make a file unusable.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::model::{FindingKind, FindingSeverity, FindingSource};

/// The export formats Lockstep reads findings from, recognised by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingFormat {
    /// `aws inspector2 list-findings` output or an Inspector findings report in JSON.
    InspectorJson,
    /// Inspector's findings report in CSV.
    InspectorCsv,
    /// Security Hub `get-findings` output in the AWS Security Finding Format.
    SecurityHubAsff,
    /// Security Hub findings in OCSF, as an array or one JSON object per line.
    SecurityHubOcsf,
    /// Systems Manager `describe-instance-patches` output (one instance, named by `--asset`).
    SsmInstancePatches,
    /// Systems Manager `list-compliance-items` output.
    SsmComplianceItems,
}

impl FindingFormat {
    /// All formats, in the order a refusal lists them.
    pub const ALL: [FindingFormat; 6] = [
        FindingFormat::InspectorJson,
        FindingFormat::InspectorCsv,
        FindingFormat::SecurityHubAsff,
        FindingFormat::SecurityHubOcsf,
        FindingFormat::SsmInstancePatches,
        FindingFormat::SsmComplianceItems,
    ];

    /// How people name the format.
    pub fn label(self) -> &'static str {
        match self {
            FindingFormat::InspectorJson => "Amazon Inspector findings (JSON)",
            FindingFormat::InspectorCsv => "Amazon Inspector findings report (CSV)",
            FindingFormat::SecurityHubAsff => "Security Hub findings (ASFF JSON)",
            FindingFormat::SecurityHubOcsf => "Security Hub findings (OCSF JSON)",
            FindingFormat::SsmInstancePatches => "Systems Manager describe-instance-patches (JSON)",
            FindingFormat::SsmComplianceItems => "Systems Manager list-compliance-items (JSON)",
        }
    }

    /// The tool whose findings the format holds.
    pub fn source(self) -> FindingSource {
        match self {
            FindingFormat::InspectorJson | FindingFormat::InspectorCsv => FindingSource::Inspector,
            FindingFormat::SecurityHubAsff | FindingFormat::SecurityHubOcsf => {
                FindingSource::SecurityHub
            }
            FindingFormat::SsmInstancePatches | FindingFormat::SsmComplianceItems => {
                FindingSource::SystemsManager
            }
        }
    }
}

/// One finding as a file states it, checked and typed, before the workspace is consulted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRecord {
    /// Its position in the file, from 1 (for `record N: reason`).
    pub record: usize,
    /// The tool's own id of the finding (an ARN, an ASFF `Id`, an OCSF `finding_info.uid`;
    /// for Systems Manager the instance and the patch), unique within its source.
    pub source_id: String,
    /// The AWS account the finding belongs to; may be empty when the file does not say.
    pub account: String,
    /// A vulnerability or a check.
    pub kind: FindingKind,
    /// The tool's title.
    pub title: String,
    /// The tool's description; may be empty.
    pub description: String,
    /// Its severity in Lockstep's five levels.
    pub severity: FindingSeverity,
    /// The affected resource: an instance id, an image or function ARN, an account.
    pub resource: String,
    /// The resource's type as the tool writes it (`AWS_EC2_INSTANCE`, `AwsEc2Instance`…).
    pub resource_type: String,
    /// For vulnerabilities: the CVE, KB or vendor advisory id; empty for checks.
    pub vulnerability: String,
    /// For vulnerabilities: the affected package(s), `name version`, joined by `, `.
    pub package: String,
    /// For vulnerabilities: the version(s) that fix it, joined by `, `; may be empty.
    pub fixed_in: String,
    /// Whether the tool says a fix is available (`YES`/`PARTIAL` are true); none if unsaid.
    pub fix_available: Option<bool>,
    /// For checks: the check's id (`IAM.1`, `EC2.19`…); empty for vulnerabilities.
    pub check: String,
    /// For checks: whether it passed; none for vulnerabilities.
    pub passed: Option<bool>,
    /// The NIST SP 800-53 controls the finding names, as [`crate::model::nist_id`] writes
    /// them, sorted, without repeats.
    pub controls: Vec<String>,
    /// When the tool first detected it; none when the file does not say (Systems Manager's
    /// patch lists), and then the import's date counts.
    pub first_seen: Option<DateTime<Utc>>,
    /// When the tool last saw it or last updated it; none when the file does not say.
    pub last_seen: Option<DateTime<Utc>>,
    /// When the tool says it was fixed (closed, resolved, archived, installed); none while
    /// the tool reports it active.
    pub fixed_at: Option<DateTime<Utc>>,
}

/// A record of a file that cannot be imported, and why; the others still are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordProblem {
    /// Its position in the file, from 1.
    pub record: usize,
    /// One sentence.
    pub reason: String,
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record {}: {}", self.record, self.reason)
    }
}

/// A findings file read whole: its format, its good records and the refused ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingFile {
    /// What the file is.
    pub format: FindingFormat,
    /// The records that can be imported, in file order.
    pub records: Vec<FindingRecord>,
    /// The records that cannot, in file order.
    pub problems: Vec<RecordProblem>,
    /// The AWS accounts the file covers (from its records; empty when it names none).
    pub accounts: BTreeSet<String>,
    /// The newest date the file states (of any record's times): the day it was exported,
    /// as near as the file tells.
    pub newest: Option<NaiveDate>,
}

/// What makes a findings file unusable as a whole. Each message is one sentence ending in
/// the path.
#[derive(Debug, thiserror::Error)]
pub enum FindingFileError {
    /// The file cannot be read.
    #[error("cannot read this file ({reason}): {path}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// The content is none of the formats.
    #[error(
        "this file is not a findings export Lockstep reads ({why}); it can read {formats}: {path}"
    )]
    UnknownFormat {
        /// What was found instead.
        why: String,
        /// The formats, joined.
        formats: String,
        /// The file.
        path: PathBuf,
    },
    /// The file is one of the formats but breaks off or is not valid where it says.
    #[error("this {format} file is not valid at line {line}: {reason}: {path}")]
    Invalid {
        /// The format it started as.
        format: &'static str,
        /// The line (from 1) where it stops making sense.
        line: usize,
        /// Why.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// A Systems Manager patch list without the instance it describes.
    #[error(
        "a describe-instance-patches file does not name its instance: give it with --asset ID: {path}"
    )]
    AssetNeeded {
        /// The file.
        path: PathBuf,
    },
    /// The file changed while it was imported (it was read twice: parsed, then kept).
    #[error("this file changed while it was imported; nothing was stored, import it again: {path}")]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// Reading was cancelled.
    #[error("cancelled")]
    Cancelled,
}
