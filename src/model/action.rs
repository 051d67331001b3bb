//! What an activity-log row says happened: one variant per kind of change, each with a typed
//! detail.
//!
//! The log stores a row's action as its name (`control.update`) and its detail as JSON; this
//! enum is the one place both are defined, so the store writes them, the log's one-line
//! summary reads them, the pack's as-of replay undoes them and the window shows them, all
//! from the same type. Field names match what earlier versions wrote, so old rows read back
//! into the same variants; a row this version cannot read keeps its raw name and detail.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    AttachmentKind, ControlChange, InventoryChange, Severity, SystemChange, SystemRole, SystemUser,
};

/// One kind of change, with what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", content = "detail")]
pub enum Action {
    /// A project was created on the baseline.
    #[serde(rename = "project.create")]
    ProjectCreate {
        /// The services it uses.
        services: Vec<String>,
        /// Its description.
        #[serde(default)]
        description: String,
        /// The audit period's first day.
        #[serde(default)]
        period_start: Option<NaiveDate>,
        /// The audit period's last day.
        #[serde(default)]
        period_end: Option<NaiveDate>,
        /// How many controls it started with.
        controls: usize,
        /// The framework baseline it tracks; absent for the built-in SRM set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        baseline: Option<String>,
    },
    /// A project was moved to another framework baseline, or back to the built-in SRM set.
    #[serde(rename = "project.baseline")]
    ProjectBaseline {
        /// The baseline before (`None`: the built-in SRM set).
        from: Option<String>,
        /// The baseline after.
        to: Option<String>,
        /// How many controls it tracks now.
        controls: usize,
        /// How many controls with work on them were kept as retired.
        retired: usize,
    },
    /// A project's audit period was set, changed or cleared.
    #[serde(rename = "project.period")]
    ProjectPeriod {
        /// The period before (first and last day), if it had one.
        from: Option<(NaiveDate, NaiveDate)>,
        /// The period after, if it has one.
        to: Option<(NaiveDate, NaiveDate)>,
    },
    /// A provider's Customer Responsibility Matrix was imported for a project, replacing the
    /// one before.
    #[serde(rename = "crm.import")]
    CrmImport {
        /// The controls whose column it set.
        placed: Vec<String>,
        /// The file and its counts.
        #[serde(flatten)]
        import: ImportedFile,
    },
    /// Facts about a project's system were given or changed.
    #[serde(rename = "system.set")]
    SystemSet {
        /// Each fact, from what to what.
        changes: Vec<SystemChange>,
    },
    /// A role of a project's system was given to a person (by email), perhaps from another.
    #[serde(rename = "system.role")]
    RoleAssign {
        /// The role.
        role: SystemRole,
        /// Who held it before, if anyone.
        #[serde(default)]
        from: Option<String>,
        /// Who holds it now.
        to: String,
    },
    /// A user of a project's system was described, changed or removed.
    #[serde(rename = "system.user")]
    SystemUserSet {
        /// The user as it was, if it was there.
        #[serde(default)]
        from: Option<SystemUser>,
        /// The user as it is now, if it is still there.
        #[serde(default)]
        to: Option<SystemUser>,
    },
    /// The value of a parameter the baseline leaves open was given, changed or cleared.
    #[serde(rename = "parameter.set")]
    ParameterSet {
        /// The parameter's id (`ac-01_odp.03`).
        param: String,
        /// Its value before, if any.
        #[serde(default)]
        from: Option<String>,
        /// Its value now, if any.
        #[serde(default)]
        to: Option<String>,
    },
    /// Inventory facts of an asset were given or changed.
    #[serde(rename = "asset.inventory")]
    AssetInventory {
        /// The asset's name.
        asset: String,
        /// Each fact, from what to what.
        changes: Vec<InventoryChange>,
    },
    /// A document was attached to a project's plan (for a policy or procedure, once per
    /// control it answers).
    #[serde(rename = "attachment.add")]
    AttachmentAdd {
        /// What it is.
        kind: AttachmentKind,
        /// Its title.
        title: String,
        /// The file's name.
        file_name: String,
        /// The file's SHA-256.
        sha256: String,
        /// The controls it answers, if any.
        #[serde(default)]
        controls: Vec<String>,
        /// The attachment rows made.
        ids: Vec<i64>,
    },
    /// An attached document was removed (tombstoned).
    #[serde(rename = "attachment.remove")]
    AttachmentRemove {
        /// The attachment row.
        id: i64,
        /// What it was.
        kind: AttachmentKind,
        /// The file's name.
        file_name: String,
        /// Why.
        reason: String,
    },
    /// A project's services changed, and its controls with them.
    #[serde(rename = "project.services")]
    ProjectServices {
        /// Services before.
        from: Vec<String>,
        /// Services after.
        to: Vec<String>,
        /// Controls added.
        #[serde(default)]
        added: Vec<String>,
        /// Controls retired.
        #[serde(default)]
        retired: Vec<String>,
        /// Controls brought back.
        #[serde(default)]
        restored: Vec<String>,
        /// Controls of a baseline project whose derived column changed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaced: Vec<String>,
    },
    /// A control of the team's own was added.
    #[serde(rename = "control.add")]
    ControlAdd {
        /// Its title.
        title: String,
        /// What it requires.
        #[serde(default)]
        description: String,
        /// Its board group.
        #[serde(default)]
        area: String,
        /// The column the ownership test gave.
        column: String,
        /// "Can the team log in and adjust its security settings?"
        can_adjust: bool,
        /// "Does AWS also operate part of it?"
        #[serde(default)]
        aws_operates_part: Option<bool>,
    },
    /// Fields of a control changed.
    #[serde(rename = "control.update")]
    ControlUpdate {
        /// Each field, from what to what, in the order applied.
        changes: Vec<ControlChange>,
    },
    /// A file was attached to a control.
    #[serde(rename = "evidence.add")]
    EvidenceAdd {
        /// The evidence record.
        evidence_id: i64,
        /// The file's name.
        file_name: String,
        /// Its SHA-256.
        sha256: String,
        /// Its size.
        size_bytes: u64,
        /// The day it is about.
        collected_on: NaiveDate,
        /// The last day it counts.
        #[serde(default)]
        valid_until: Option<NaiveDate>,
    },
    /// Evidence was removed (a tombstone: the record stays).
    #[serde(rename = "evidence.remove")]
    EvidenceRemove {
        /// The evidence record.
        evidence_id: i64,
        /// The file's name.
        file_name: String,
        /// Its SHA-256.
        sha256: String,
        /// Why.
        reason: String,
    },
    /// Files no record uses were deleted from the vault.
    #[serde(rename = "vault.purge")]
    VaultPurge {
        /// Each file deleted.
        files: Vec<PurgedFile>,
        /// Bytes freed.
        bytes: u64,
    },
    /// An asset was added to a project.
    #[serde(rename = "asset.add")]
    AssetAdd {
        /// Its name.
        name: String,
        /// What kind of thing it is.
        kind: String,
        /// Where it runs.
        #[serde(default)]
        environment: String,
        /// Who patches it.
        managed_by: String,
    },
    /// A patch attestation was recorded.
    #[serde(rename = "patch.record")]
    PatchRecord(PatchDetail),
    /// An open patch record was given its application.
    #[serde(rename = "patch.apply")]
    PatchApply(PatchDetail),
    /// A patch tool's export was imported.
    #[serde(rename = "patch.import")]
    PatchImport {
        /// Records added.
        #[serde(default)]
        added: u64,
        /// Open records applied.
        #[serde(default)]
        applied: u64,
        /// The file and its counts.
        #[serde(flatten)]
        import: ImportedFile,
    },
    /// A project's patch deadlines changed.
    #[serde(rename = "patch.deadlines")]
    PatchDeadlines {
        /// Each severity changed.
        changes: Vec<DeadlineChange>,
    },
    /// A person was added.
    #[serde(rename = "person.add")]
    PersonAdd {
        /// Their name.
        name: String,
        /// Their email.
        email: String,
        /// Their role.
        #[serde(default)]
        role: String,
    },
    /// A person was put on or taken off the training roster.
    #[serde(rename = "person.active")]
    PersonActive {
        /// Their email.
        email: String,
        /// Their name.
        #[serde(default)]
        name: String,
        /// On the roster now.
        active: bool,
    },
    /// People were imported.
    #[serde(rename = "person.import")]
    PersonImport {
        /// The emails added.
        #[serde(default)]
        emails: Vec<String>,
        /// The file and its counts.
        #[serde(flatten)]
        import: ImportedFile,
    },
    /// A course was added.
    #[serde(rename = "course.add")]
    CourseAdd {
        /// Its name.
        name: String,
        /// How often it must be retaken.
        every_days: u32,
    },
    /// A training completion was recorded.
    #[serde(rename = "training.record")]
    TrainingRecord {
        /// The person's email.
        email: String,
        /// The person's name.
        #[serde(default)]
        name: String,
        /// The course.
        course: String,
        /// When it was completed.
        completed_on: NaiveDate,
        /// When it expires.
        expires_on: NaiveDate,
        /// The certificate's SHA-256.
        #[serde(default)]
        certificate_sha256: Option<String>,
        /// The certificate's file name.
        #[serde(default)]
        certificate_name: Option<String>,
    },
    /// Training completions were imported.
    #[serde(rename = "training.import")]
    TrainingImport {
        /// Each completion: email, course, completed on.
        #[serde(default)]
        records: Vec<(String, String, NaiveDate)>,
        /// The file and its counts.
        #[serde(flatten)]
        import: ImportedFile,
    },
    /// A findings export of one of AWS's tools was imported.
    #[serde(rename = "findings.import")]
    FindingsImport {
        /// The tool (`inspector`, `security-hub`, `systems-manager`).
        source: String,
        /// The file's name.
        file_name: String,
        /// Its SHA-256.
        file_sha256: String,
        /// Whether the file was declared complete for its source and accounts.
        snapshot: bool,
        /// Findings seen for the first time.
        new: u64,
        /// Findings that changed.
        updated: u64,
        /// Findings closed (fixed, or no longer reported by a complete export).
        closed: u64,
        /// Closed findings reported again.
        reopened: u64,
        /// Records of the file refused.
        refused: u64,
    },
    /// A deviation was requested for a finding.
    #[serde(rename = "finding.deviate")]
    FindingDeviate {
        /// What kind.
        kind: String,
        /// Why.
        rationale: String,
        /// The severity it asks for (risk adjustments).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adjusted_severity: Option<String>,
        /// The evidence file's SHA-256.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence_sha256: Option<String>,
    },
    /// A milestone was planned for a finding.
    #[serde(rename = "finding.milestone")]
    FindingMilestone {
        /// When it is due.
        due: NaiveDate,
        /// What it is.
        text: String,
    },
    /// What a person says about a finding that its tool cannot know changed.
    #[serde(rename = "finding.set")]
    FindingSet {
        /// Each fact, from what to what (`internet_reachable`, `likely_exploitable`).
        changes: Vec<(String, Option<bool>, Option<bool>)>,
    },
    /// A project's authorization package URI was set.
    #[serde(rename = "project.package_uri")]
    ProjectPackageUri {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A sign-off was given.
    #[serde(rename = "signoff.add")]
    SignoffAdd {
        /// The sign-off record.
        signoff_id: i64,
        /// What was signed off (`control SRM-…`, `training`, `patch-cycle 2027-01`).
        subject: String,
        /// Who signed.
        by: String,
        /// Their role.
        #[serde(default)]
        role: String,
        /// What they stated.
        statement: String,
        /// The fingerprint of what was signed.
        fingerprint: String,
    },
    /// One of AWS's own reports was added to the workspace.
    #[serde(rename = "aws_report.add")]
    AwsReportAdd(Box<AwsReportDetail>),
    /// One of AWS's reports was removed (a tombstone: the record and file stay).
    #[serde(rename = "aws_report.remove")]
    AwsReportRemove {
        /// The report record.
        report_id: i64,
        /// Its title.
        title: String,
        /// Why.
        reason: String,
    },
    /// The CUECs an AWS report lists were imported.
    #[serde(rename = "cuec.import")]
    CuecImport {
        /// The report they belong to.
        report_id: i64,
        /// The file and its counts.
        #[serde(flatten)]
        import: ImportedFile,
    },
    /// A CUEC was mapped to a project's control by hand, or unmapped.
    #[serde(rename = "cuec.map")]
    CuecMap {
        /// The CUEC.
        cuec_id: i64,
        /// The control's id.
        control: String,
        /// Mapped (true) or unmapped (false).
        mapped: bool,
    },
    /// An auditor's request list was imported: requests added and updated by id.
    #[serde(rename = "request.import")]
    RequestImport {
        /// The file and its counts.
        #[serde(flatten)]
        import: ImportedFile,
        /// Requests added.
        #[serde(default)]
        added: u64,
        /// Requests whose wording, owner, due date or other columns changed.
        #[serde(default)]
        updated: u64,
        /// What changed in each updated request.
        #[serde(default)]
        changes: Vec<RequestChanges>,
    },
    /// Fields or the status of one request changed, or a comment was added.
    #[serde(rename = "request.update")]
    RequestUpdate {
        /// Each field, from what to what.
        #[serde(default)]
        changes: Vec<RequestChange>,
        /// The comment that came with the change.
        #[serde(default)]
        comment: Option<String>,
    },
    /// A request was linked to evidence of the project or to controls.
    #[serde(rename = "request.link")]
    RequestLink {
        /// Evidence ids linked.
        #[serde(default)]
        evidence: Vec<i64>,
        /// Control ids linked.
        #[serde(default)]
        controls: Vec<String>,
    },
    /// A file was attached to a request: as evidence of each control it names, or as a
    /// file of the request alone when it names none.
    #[serde(rename = "request.attach")]
    RequestAttach {
        /// The file's name.
        file_name: String,
        /// Its SHA-256.
        sha256: String,
        /// Its size.
        size_bytes: u64,
        /// The evidence records made, one per control.
        #[serde(default)]
        evidence: Vec<i64>,
        /// The request-file record made when the request names no control.
        #[serde(default)]
        file_id: Option<i64>,
    },
    /// An OSCAL catalog was imported into the workspace.
    #[serde(rename = "catalog.import")]
    CatalogImport(Box<CatalogImportDetail>),
    /// An OSCAL profile was imported and resolved into a baseline.
    #[serde(rename = "profile.import")]
    ProfileImport(Box<ProfileImportDetail>),
    /// The name recorded with changes changed.
    #[serde(rename = "settings.user_name")]
    UserName {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// The time zone days are counted in changed.
    #[serde(rename = "settings.time_zone")]
    TimeZone {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
}

/// What an imported catalog records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogImportDetail {
    /// Its name (the file name without `.json`).
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// The file's name.
    pub file_name: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// How many controls it holds.
    pub controls: usize,
    /// Whether it replaced an earlier import of the same name.
    #[serde(default)]
    pub replaced: bool,
}

/// What an imported profile records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileImportDetail {
    /// Its name (the file name without `.json`).
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// The catalog its controls come from.
    pub catalog: String,
    /// The file's name.
    pub file_name: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// How many controls it selects.
    pub selected: usize,
    /// Whether it replaced an earlier import of the same name.
    #[serde(default)]
    pub replaced: bool,
}

/// What an added AWS report records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsReportDetail {
    /// The report record.
    pub report_id: i64,
    /// Its kind (`soc2-type2`, …).
    pub kind: String,
    /// Its title.
    pub title: String,
    /// The file's name.
    pub file_name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The period's first day.
    #[serde(default)]
    pub period_start: Option<NaiveDate>,
    /// The period's last day.
    #[serde(default)]
    pub period_end: Option<NaiveDate>,
    /// The last day it counts.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// Services in its scope.
    #[serde(default)]
    pub services: Vec<String>,
    /// The bridge letter's SHA-256.
    #[serde(default)]
    pub bridge_sha256: Option<String>,
    /// The last day the bridge letter vouches for.
    #[serde(default)]
    pub bridge_until: Option<NaiveDate>,
}

/// One field of a request, from what to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestChange {
    /// The field (`request`, `controls`, `owner`, `due`, `priority`, `status`, `response`,
    /// or another column's name).
    pub field: String,
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
}

/// What an import changed in one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestChanges {
    /// The request's id.
    pub request: String,
    /// Each field, from what to what.
    pub changes: Vec<RequestChange>,
}

/// A file deleted by a purge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgedFile {
    /// Its SHA-256.
    pub sha256: String,
    /// Its size.
    pub size_bytes: u64,
}

/// What a patch record says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchDetail {
    /// The advisory (CVE, ALAS, KB…).
    pub advisory: String,
    /// Its severity.
    pub severity: Severity,
    /// When the fix was released.
    pub released_on: NaiveDate,
    /// When it was applied, if it was.
    #[serde(default)]
    pub applied_on: Option<NaiveDate>,
    /// The evidence file's SHA-256.
    #[serde(default)]
    pub evidence_sha256: Option<String>,
    /// The evidence file's name.
    #[serde(default)]
    pub evidence_name: Option<String>,
}

/// One severity's patch deadline, from and to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineChange {
    /// The severity.
    pub severity: Severity,
    /// Days before.
    pub from: u32,
    /// Days after.
    pub to: u32,
}

/// The file an import read and what came of its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFile {
    /// The file's name.
    #[serde(default)]
    pub file_name: String,
    /// Its SHA-256.
    #[serde(default)]
    pub file_sha256: String,
    /// Data rows read.
    #[serde(default)]
    pub rows: u64,
    /// Rows stored.
    #[serde(default)]
    pub imported: u64,
    /// Rows refused.
    #[serde(default)]
    pub refused: u64,
}

/// What a row of the activity log says happened, as read back: a kind of change this
/// version knows, with its typed detail, or the stored name of one it cannot read (written by
/// a later version, or altered by hand), so that the row is still shown and `verify` names it.
// Nearly every row is `Known`, so boxing the action would only add an allocation per row.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum LoggedAction {
    /// A change this version reads.
    Known(Action),
    /// A change this version cannot read: its stored name.
    Other(String),
}

impl LoggedAction {
    /// Reads a stored row's action name and detail.
    pub fn read(name: &str, detail: &serde_json::Value) -> Self {
        match Action::from_stored(name, detail) {
            Some(action) => LoggedAction::Known(action),
            None => LoggedAction::Other(name.to_string()),
        }
    }

    /// The action's stored name (`control.update`).
    pub fn name(&self) -> String {
        match self {
            LoggedAction::Known(action) => action.name(),
            LoggedAction::Other(name) => name.clone(),
        }
    }

    /// One line for people: the change's summary, or its stored name when this version
    /// cannot read it.
    pub fn summary(&self) -> String {
        match self {
            LoggedAction::Known(action) => action.summary(),
            LoggedAction::Other(name) => name.clone(),
        }
    }

    /// The change, when this version reads it.
    pub fn known(&self) -> Option<&Action> {
        match self {
            LoggedAction::Known(action) => Some(action),
            LoggedAction::Other(_) => None,
        }
    }
}

/// A logged action is shown (in JSON) by its stored name, as the log stores it.
impl Serialize for LoggedAction {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl Action {
    /// The action's stored name (`control.update`).
    pub fn name(&self) -> String {
        self.to_stored().0
    }

    /// The action's stored name and its detail as JSON.
    pub fn to_stored(&self) -> (String, serde_json::Value) {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        let name = value
            .get("action")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let detail = value
            .get_mut("detail")
            .map(serde_json::Value::take)
            .unwrap_or_default();
        (name, detail)
    }

    /// Reads a stored row back, or `None` when this version does not know its shape.
    pub fn from_stored(name: &str, detail: &serde_json::Value) -> Option<Action> {
        serde_json::from_value(serde_json::json!({ "action": name, "detail": detail })).ok()
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        match self {
            Action::ProjectCreate { .. }
            | Action::ProjectPeriod { .. }
            | Action::ProjectBaseline { .. }
            | Action::ProjectServices { .. }
            | Action::UserName { .. }
            | Action::TimeZone { .. } => self.project_summary(),
            Action::SystemSet { .. }
            | Action::RoleAssign { .. }
            | Action::SystemUserSet { .. }
            | Action::ParameterSet { .. }
            | Action::AssetInventory { .. }
            | Action::AssetAdd { .. } => self.system_summary(),
            Action::ControlAdd { .. } | Action::ControlUpdate { .. } | Action::CrmImport { .. } => {
                self.control_summary()
            }
            Action::AttachmentAdd { .. }
            | Action::AttachmentRemove { .. }
            | Action::EvidenceAdd { .. }
            | Action::EvidenceRemove { .. }
            | Action::VaultPurge { .. } => self.evidence_summary(),
            Action::PatchRecord(_)
            | Action::PatchApply(_)
            | Action::PatchImport { .. }
            | Action::PatchDeadlines { .. }
            | Action::SignoffAdd { .. } => self.attestation_summary(),
            Action::FindingsImport { .. }
            | Action::FindingDeviate { .. }
            | Action::FindingMilestone { .. }
            | Action::FindingSet { .. }
            | Action::ProjectPackageUri { .. } => self.finding_summary(),
            Action::PersonAdd { .. }
            | Action::PersonActive { .. }
            | Action::PersonImport { .. }
            | Action::TrainingImport { .. }
            | Action::CourseAdd { .. }
            | Action::TrainingRecord { .. } => self.training_summary(),
            Action::AwsReportAdd(_)
            | Action::AwsReportRemove { .. }
            | Action::CuecImport { .. }
            | Action::CuecMap { .. } => self.aws_report_summary(),
            Action::RequestImport { .. }
            | Action::RequestUpdate { .. }
            | Action::RequestLink { .. }
            | Action::RequestAttach { .. } => self.request_summary(),
            Action::CatalogImport(_) | Action::ProfileImport(_) => self.framework_summary(),
        }
    }

    /// The line for a change to the project itself (its creation, period, baseline or
    /// services) or to the user name and time zone changes are recorded with.
    fn project_summary(&self) -> String {
        match self {
            Action::ProjectCreate {
                services,
                controls,
                baseline: None,
                ..
            } => format!(
                "created the project with {controls} controls for {}",
                list_or(services, "no services")
            ),
            Action::ProjectCreate {
                services,
                controls,
                baseline: Some(baseline),
                ..
            } => format!(
                "created the project on baseline {baseline} with {controls} controls for {}",
                list_or(services, "no services")
            ),
            Action::ProjectPeriod { from, to } => {
                let period = |p: &Option<(NaiveDate, NaiveDate)>| match p {
                    Some((start, end)) => format!("{start} to {end}"),
                    None => "none".to_string(),
                };
                format!("audit period {} → {}", period(from), period(to))
            }
            Action::ProjectBaseline {
                from,
                to,
                controls,
                retired,
            } => {
                let name = |b: &Option<String>| {
                    b.clone()
                        .unwrap_or_else(|| "the built-in SRM set".to_string())
                };
                let mut line = format!(
                    "baseline {} → {} ({controls} controls",
                    name(from),
                    name(to)
                );
                if *retired > 0 {
                    line.push_str(&format!(", {retired} with work kept as retired"));
                }
                line.push(')');
                line
            }
            Action::ProjectServices {
                from,
                to,
                added,
                retired,
                restored,
                replaced,
            } => {
                let mut parts = vec![format!(
                    "services {} → {}",
                    list_or(from, "none"),
                    list_or(to, "none")
                )];
                for (items, word) in [
                    (added, "added"),
                    (retired, "retired"),
                    (restored, "restored"),
                    (replaced, "re-placed"),
                ] {
                    if !items.is_empty() {
                        parts.push(format!("{word} {}", items.join(", ")));
                    }
                }
                parts.join("; ")
            }
            Action::UserName { from, to } => format!("user name {from} → {to}"),
            Action::TimeZone { from, to } => format!("time zone {from} → {to}"),

            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a change to the project's system: its facts, roles, users, parameters or
    /// assets.
    fn system_summary(&self) -> String {
        match self {
            Action::SystemSet { changes } => changes
                .iter()
                .map(|change| {
                    format!(
                        "{}: {} → {}",
                        change.fact.as_str(),
                        or_empty(shorten(change.from.as_deref().unwrap_or(""))),
                        or_empty(shorten(change.to.as_deref().unwrap_or("")))
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            Action::RoleAssign { role, from, to } => match from {
                Some(from) => format!("gave role {} to {to} (from {from})", role.as_str()),
                None => format!("gave role {} to {to}", role.as_str()),
            },
            Action::SystemUserSet { from, to } => match (from, to) {
                (None, Some(user)) => format!("described system user {}", user.title),
                (Some(_), Some(user)) => format!("changed system user {}", user.title),
                (Some(user), None) => format!("removed system user {}", user.title),
                (None, None) => "no change to the system's users".to_string(),
            },
            Action::ParameterSet { param, from, to } => format!(
                "parameter {param}: {} → {}",
                or_empty(shorten(from.as_deref().unwrap_or(""))),
                or_empty(shorten(to.as_deref().unwrap_or("")))
            ),
            Action::AssetInventory { asset, changes } => format!(
                "inventory of {asset}: {}",
                changes
                    .iter()
                    .map(|c| format!(
                        "{}: {} → {}",
                        c.fact.as_str(),
                        or_empty(shorten(c.from.as_deref().unwrap_or(""))),
                        or_empty(shorten(c.to.as_deref().unwrap_or("")))
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Action::AssetAdd {
                name,
                kind,
                environment,
                managed_by,
            } => {
                let environment = if environment.is_empty() {
                    String::new()
                } else {
                    format!(", {environment}")
                };
                format!("added asset {name} ({kind}, managed by {managed_by}{environment})")
            }
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a change to controls: a control added or changed, or a CRM imported.
    fn control_summary(&self) -> String {
        match self {
            Action::ControlAdd { title, column, .. } => {
                format!("added control '{title}' in {column}")
            }
            Action::ControlUpdate { changes } => changes
                .iter()
                .map(|change| {
                    format!(
                        "{}: {} → {}",
                        change.field.as_str(),
                        or_empty(shorten(&change.from)),
                        or_empty(shorten(&change.to))
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            Action::CrmImport { placed, import } => format!(
                "imported a CRM of {} rows from {}, placing {} controls",
                import.imported,
                import.file_name,
                placed.len()
            ),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a change to evidence and attached documents, or to the vault.
    fn evidence_summary(&self) -> String {
        match self {
            Action::AttachmentAdd {
                kind,
                file_name,
                controls,
                ..
            } => {
                if controls.is_empty() {
                    format!("attached {} {file_name}", kind.as_str())
                } else {
                    format!(
                        "attached {} {file_name} for {}",
                        kind.as_str(),
                        controls.join(", ")
                    )
                }
            }
            Action::AttachmentRemove {
                id,
                kind,
                file_name,
                reason,
            } => format!(
                "removed {} {file_name} (attachment {id}): {}",
                kind.as_str(),
                shorten(reason)
            ),
            Action::EvidenceAdd {
                file_name,
                size_bytes,
                sha256,
                ..
            } => format!(
                "attached {file_name} ({size_bytes} bytes, sha256 {})",
                short_hash(sha256)
            ),
            Action::EvidenceRemove {
                file_name, reason, ..
            } => format!("removed evidence {file_name}: {reason}"),
            Action::VaultPurge { files, bytes } => format!(
                "purged {} unused files ({bytes} bytes) from the vault",
                files.len()
            ),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a findings import or a change to one finding.
    fn finding_summary(&self) -> String {
        match self {
            Action::FindingsImport {
                file_name,
                new,
                updated,
                closed,
                reopened,
                refused,
                snapshot,
                ..
            } => format!(
                "imported findings from {file_name}{}: {new} new, {updated} updated, {closed} closed, {reopened} reopened, {refused} refused",
                if *snapshot { " (complete export)" } else { "" }
            ),
            Action::FindingDeviate {
                kind,
                rationale,
                adjusted_severity,
                ..
            } => format!(
                "asked for a {kind} deviation{}: {}",
                adjusted_severity
                    .as_ref()
                    .map(|s| format!(" to {s}"))
                    .unwrap_or_default(),
                shorten(rationale)
            ),
            Action::FindingMilestone { due, text } => {
                format!("planned a milestone due {due}: {}", shorten(text))
            }
            Action::FindingSet { changes } => changes
                .iter()
                .map(|(fact, _, to)| {
                    let to = match to {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "not said",
                    };
                    format!("{fact} {to}")
                })
                .collect::<Vec<_>>()
                .join("; "),
            Action::ProjectPackageUri { to, .. } => format!("package URI set to {to}"),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a patch attestation, a patch import or deadline change, or a sign-off.
    fn attestation_summary(&self) -> String {
        match self {
            Action::PatchRecord(patch) => format!(
                "recorded {} ({}, released {}, {})",
                patch.advisory,
                patch.severity.as_str(),
                patch.released_on,
                patch
                    .applied_on
                    .map(|day| format!("applied {day}"))
                    .unwrap_or_else(|| "open".to_string())
            ),
            Action::PatchApply(patch) => match patch.applied_on {
                Some(day) => format!("applied {} on {day}", patch.advisory),
                None => format!("applied {}", patch.advisory),
            },
            Action::PatchImport {
                applied, import, ..
            } => format!(
                "imported {} of {} rows from {} ({applied} applied open records, {} refused)",
                import.imported, import.rows, import.file_name, import.refused
            ),
            Action::PatchDeadlines { changes } => format!(
                "patch deadlines {}",
                changes
                    .iter()
                    .map(|c| format!("{} {} → {} days", c.severity.as_str(), c.from, c.to))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Action::SignoffAdd {
                subject,
                by,
                role,
                statement,
                ..
            } => format!(
                "{subject} signed off by {by} ({role}): {}",
                shorten(statement)
            ),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a change to the training roster, its courses or its completions.
    fn training_summary(&self) -> String {
        match self {
            Action::PersonAdd { name, email, .. } => format!("added {name} <{email}>"),
            Action::PersonActive { email, active, .. } => format!(
                "{email} {} the training roster",
                if *active { "put back on" } else { "taken off" }
            ),
            Action::PersonImport { import, .. } => import_summary(import, "people"),
            Action::TrainingImport { import, .. } => import_summary(import, "training records"),
            Action::CourseAdd { name, every_days } => {
                format!("added course '{name}', every {every_days} days")
            }
            Action::TrainingRecord {
                email,
                course,
                completed_on,
                expires_on,
                certificate_name,
                ..
            } => format!(
                "recorded {course} completed by {email} on {completed_on}, expires {expires_on}{}",
                certificate_name
                    .as_deref()
                    .map(|name| format!(", certificate {name}"))
                    .unwrap_or_default()
            ),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a change to AWS's reports and their CUECs.
    fn aws_report_summary(&self) -> String {
        match self {
            Action::AwsReportAdd(detail) => format!(
                "added AWS report {} '{}' ({})",
                detail.report_id, detail.title, detail.kind
            ),
            Action::AwsReportRemove {
                report_id,
                title,
                reason,
            } => format!("removed AWS report {report_id} '{title}': {reason}"),
            Action::CuecImport { report_id, import } => format!(
                "imported {} CUECs of AWS report {report_id} from {}",
                import.imported, import.file_name
            ),
            Action::CuecMap {
                cuec_id,
                control,
                mapped: true,
            } => format!("mapped CUEC {cuec_id} to {control}"),
            Action::CuecMap {
                cuec_id,
                control,
                mapped: false,
            } => format!("unmapped CUEC {cuec_id} from {control}"),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for a change to an auditor's requests.
    fn request_summary(&self) -> String {
        match self {
            Action::RequestImport {
                import,
                added,
                updated,
                ..
            } => format!(
                "imported {} of {} requests from {} ({added} added, {updated} updated, {} refused)",
                import.imported, import.rows, import.file_name, import.refused
            ),
            Action::RequestUpdate { changes, comment } => {
                let mut parts: Vec<String> = changes
                    .iter()
                    .map(|change| {
                        format!(
                            "{}: {} → {}",
                            change.field,
                            or_empty(shorten(&change.from)),
                            or_empty(shorten(&change.to))
                        )
                    })
                    .collect();
                if let Some(comment) = comment {
                    parts.push(format!("comment: {}", shorten(comment)));
                }
                parts.join("; ")
            }
            Action::RequestLink { evidence, controls } => {
                let mut parts = Vec::new();
                if !evidence.is_empty() {
                    let ids: Vec<String> = evidence.iter().map(i64::to_string).collect();
                    parts.push(format!("evidence {}", ids.join(", ")));
                }
                if !controls.is_empty() {
                    parts.push(format!("controls {}", controls.join(", ")));
                }
                format!("linked {}", list_or(&parts, "nothing"))
            }
            Action::RequestAttach {
                file_name,
                size_bytes,
                sha256,
                ..
            } => format!(
                "attached {file_name} ({size_bytes} bytes, sha256 {}) to the request",
                short_hash(sha256)
            ),
            _ => unreachable!("summary sends only these actions here"),
        }
    }

    /// The line for an OSCAL catalog or profile imported.
    fn framework_summary(&self) -> String {
        match self {
            Action::CatalogImport(detail) => format!(
                "{} catalog {} '{}' version {} ({} controls, sha256 {})",
                if detail.replaced {
                    "re-imported"
                } else {
                    "imported"
                },
                detail.name,
                detail.title,
                or_empty(detail.version.clone()),
                detail.controls,
                short_hash(&detail.sha256)
            ),
            Action::ProfileImport(detail) => format!(
                "{} profile {} '{}' on {} ({} controls selected, sha256 {})",
                if detail.replaced {
                    "re-imported"
                } else {
                    "imported"
                },
                detail.name,
                detail.title,
                detail.catalog,
                detail.selected,
                short_hash(&detail.sha256)
            ),
            _ => unreachable!("summary sends only these actions here"),
        }
    }
}

fn import_summary(import: &ImportedFile, what: &str) -> String {
    format!(
        "imported {} {what} of {} rows from {} ({} refused)",
        import.imported, import.rows, import.file_name, import.refused
    )
}

fn list_or(items: &[String], fallback: &str) -> String {
    if items.is_empty() {
        fallback.to_string()
    } else {
        items.join(", ")
    }
}

fn or_empty(text: String) -> String {
    if text.is_empty() {
        "(empty)".to_string()
    } else {
        text
    }
}

/// The first 12 characters of a hash, whatever the text holds.
pub fn short_hash(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

/// The first line of a text, cut at 60 characters, with `…` when anything was left out.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > MAX_CHARS || text.lines().count() > 1 {
        format!("{}…", line.chars().take(MAX_CHARS).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ControlField;

    #[test]
    fn a_logged_action_reads_back_by_its_stored_name_and_keeps_an_unknown_one() {
        let action = Action::ControlUpdate {
            changes: vec![ControlChange {
                field: ControlField::Owner,
                from: String::new(),
                to: "ana".into(),
            }],
        };
        let (name, detail) = action.to_stored();
        assert_eq!(name, "control.update");
        let read = LoggedAction::read(&name, &detail);
        assert_eq!(read, LoggedAction::Known(action.clone()));
        assert_eq!(read.name(), "control.update");
        assert_eq!(read.summary(), action.summary());
        assert_eq!(serde_json::to_value(&read).unwrap(), "control.update");

        let foreign = LoggedAction::read("ledger.close", &serde_json::json!({"x": 1}));
        assert_eq!(foreign, LoggedAction::Other("ledger.close".into()));
        assert_eq!(foreign.summary(), "ledger.close");
        assert_eq!(foreign.known(), None);
        // A known name whose detail no longer reads is kept by name, not dropped.
        let altered = LoggedAction::read("control.update", &serde_json::json!("not json"));
        assert_eq!(altered.name(), "control.update");
        assert_eq!(altered.known(), None);
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_action_round_trips_through_its_stored_form() {
        let action = Action::ControlUpdate {
            changes: vec![ControlChange {
                field: ControlField::Status,
                from: "not_started".into(),
                to: "implemented".into(),
            }],
        };
        let (name, detail) = action.to_stored();
        assert_eq!(name, "control.update");
        assert_eq!(Action::from_stored(&name, &detail), Some(action));
    }

    #[test]
    fn rows_written_by_earlier_versions_read_back() {
        let detail = serde_json::json!({
            "added": 2, "applied": 1, "file_name": "patches.csv", "file_sha256": "ab",
            "rows": 4, "imported": 3, "refused": 1
        });
        let action = Action::from_stored("patch.import", &detail).unwrap();
        assert_eq!(
            action.summary(),
            "imported 3 of 4 rows from patches.csv (1 applied open records, 1 refused)"
        );
        let detail = serde_json::json!({
            "evidence_id": 1, "file_name": "a.pdf", "sha256": "ab", "size_bytes": 3,
            "collected_on": "2026-11-28", "valid_until": null
        });
        let action = Action::from_stored("evidence.add", &detail).unwrap();
        assert_eq!(action.summary(), "attached a.pdf (3 bytes, sha256 ab)");
    }

    #[test]
    fn an_unknown_or_malformed_row_is_none() {
        assert_eq!(
            Action::from_stored("project.teleport", &serde_json::json!({})),
            None
        );
        assert_eq!(
            Action::from_stored("control.update", &serde_json::json!({"changes": 3})),
            None
        );
    }

    #[test]
    fn summaries_say_what_changed() {
        let action = Action::PatchRecord(PatchDetail {
            advisory: "CVE-2026-1".into(),
            severity: Severity::Critical,
            released_on: day("2026-11-01"),
            applied_on: None,
            evidence_sha256: None,
            evidence_name: None,
        });
        assert_eq!(
            action.summary(),
            "recorded CVE-2026-1 (critical, released 2026-11-01, open)"
        );
        let action = Action::SignoffAdd {
            signoff_id: 1,
            subject: "training".into(),
            by: "Ana".into(),
            role: "CISO".into(),
            statement: "All current.\nSecond line".into(),
            fingerprint: "ff".into(),
        };
        assert_eq!(
            action.summary(),
            "training signed off by Ana (CISO): All current.…"
        );
    }
}
