//! Handing the responsibility matrix back: an OSCAL 1.1.3 system security plan
//! ([`ssp`]), a component definition for the project's AWS services ([`component`]) and the
//! FedRAMP CIS/CRM workbook ([`crm`]).
//!
//! The writers work on an [`OscalInput`], a small snapshot of what they need, built in one
//! place ([`OscalInput::from_pack`]) from the evidence pack's snapshot. `lockstep
//! export-oscal` takes that snapshot as of today; the evidence pack carries the same three
//! files, built from its own as-of snapshot, under `oscal/`.
//!
//! # Requirements
//!
//! OSCAL keys everything by NIST SP 800-53 control id. A framework control is its own
//! requirement. The built-in SRM set is mapped onto NIST ids instead: each NIST id that one
//! or more of the project's SRM controls name becomes one implemented requirement, built
//! from those controls (see [`requirements`]): AWS's parts become what AWS provides, the
//! customer's parts what the system does, the column is AWS when all of them are AWS's,
//! Customer when all are the customer's and Shared otherwise, and the status combines theirs.
//! Controls naming no NIST id have no place in an OSCAL plan and are left out.
//!
//! # Stability
//!
//! Nothing reads the clock: every UUID is a version 5 UUID of a stable name (project name,
//! kind, control or evidence id), the last-modified time is the time of the project's
//! latest activity, and the workbook's creation time is that time's day. The same workspace
//! therefore gives byte-identical files.

pub mod component;
pub mod crm;
mod document;
pub mod poam;
pub mod ssp;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use uuid::Uuid;

use crate::catalog::Baseline;
use crate::model::{Column, Status, label_of, oscal_id_of, stamp};
use crate::process::{Claim, partial_name, remove_stale_partials};
use crate::snapshot::{PackControl, PackData};
use crate::store::{Result as StoreResult, Store};
use document::{ROLE_CONTROL_OWNER, ROLE_PROVIDER};

/// The OSCAL version the documents follow.
pub const OSCAL_VERSION: &str = "1.1.3";
/// FedRAMP's namespace for its OSCAL extensions (`control-origination`).
pub const FEDRAMP_NS: &str = "https://fedramp.gov/ns/oscal";
/// Lockstep's namespace for its own props (the SRM controls behind a requirement).
pub const LOCKSTEP_NS: &str = "urn:lockstep:oscal";
/// The file names an export writes, in the order it writes them.
pub const FILE_NAMES: [&str; 3] = [SSP_FILE, COMPONENT_FILE, CRM_FILE];
/// The system security plan's file name.
pub const SSP_FILE: &str = "ssp.json";
/// The component definition's file name.
pub const COMPONENT_FILE: &str = "component-definition.json";
/// The CIS/CRM workbook's file name.
pub const CRM_FILE: &str = "crm.xlsx";
/// The catalog the project's baseline profile resolves to, written beside the plan.
pub const RESOLVED_CATALOG_FILE: &str = "resolved-profile-catalog.json";
/// The folder of the evidence pack that carries the three files.
pub const PACK_FOLDER: &str = "oscal";

/// What can stop an OSCAL export. Messages are one sentence and name the path last.
#[derive(Debug, thiserror::Error)]
pub enum OscalError {
    /// The output path exists and is not a folder.
    #[error("the output must be a folder, but a file is in the way: {0}")]
    NotAFolder(PathBuf),
    /// Writing failed.
    #[error("cannot write the OSCAL files: {reason}: {path}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// A document could not be turned into JSON.
    #[error("cannot write the OSCAL documents as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The workbook could not be built.
    #[error("cannot build the CIS/CRM workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    /// No control of the project names a NIST control, so a plan would be empty.
    #[error(
        "project '{0}' has no control that names a NIST SP 800-53 control, so there is nothing to export"
    )]
    NothingToExport(String),
    /// The project has no weakness, open or closed, for a POA&M to list.
    #[error(
        "project '{0}' has no weakness to list: no vulnerability or failing check from AWS's tools and no control past its due date"
    )]
    NoWeakness(String),
}

/// How far a control (or requirement) is implemented, in OSCAL's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImplementationState {
    /// Done.
    Implemented,
    /// Begun, not done.
    Partial,
    /// Not begun yet.
    Planned,
    /// Met another way (never derived by Lockstep, but a column of the CIS sheet).
    Alternative,
    /// Does not apply to this system.
    NotApplicable,
}

impl ImplementationState {
    /// All states, in the CIS sheet's column order.
    pub const ALL: [ImplementationState; 5] = [
        ImplementationState::Implemented,
        ImplementationState::Partial,
        ImplementationState::Planned,
        ImplementationState::Alternative,
        ImplementationState::NotApplicable,
    ];

    /// OSCAL's token for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            ImplementationState::Implemented => "implemented",
            ImplementationState::Partial => "partial",
            ImplementationState::Planned => "planned",
            ImplementationState::Alternative => "alternative",
            ImplementationState::NotApplicable => "not-applicable",
        }
    }

    /// The CIS sheet's column heading for the state.
    pub fn cis_heading(self) -> &'static str {
        match self {
            ImplementationState::Implemented => "Implemented",
            ImplementationState::Partial => "Partially Implemented",
            ImplementationState::Planned => "Planned",
            ImplementationState::Alternative => "Alternative Implementation",
            ImplementationState::NotApplicable => "Not Applicable",
        }
    }

    /// The state of one control: implemented → implemented, in progress → partial, not
    /// started → planned, not applicable → not-applicable.
    pub fn of(status: Status) -> Self {
        match status {
            Status::Implemented => ImplementationState::Implemented,
            Status::InProgress => ImplementationState::Partial,
            Status::NotStarted => ImplementationState::Planned,
            Status::NotApplicable => ImplementationState::NotApplicable,
        }
    }

    /// The state of a requirement met by several controls: not applicable when all of them
    /// are; otherwise, of those that apply, implemented when all are, planned when none is
    /// begun, and partial in between.
    pub fn combine(states: impl IntoIterator<Item = ImplementationState>) -> Self {
        let applying: Vec<_> = states
            .into_iter()
            .filter(|s| *s != ImplementationState::NotApplicable)
            .collect();
        if applying.is_empty() {
            ImplementationState::NotApplicable
        } else if applying
            .iter()
            .all(|s| *s == ImplementationState::Implemented)
        {
            ImplementationState::Implemented
        } else if applying.iter().all(|s| *s == ImplementationState::Planned) {
            ImplementationState::Planned
        } else {
            ImplementationState::Partial
        }
    }
}

/// FedRAMP's `control-origination` values for a column: AWS → `inherited`; Customer →
/// `sp-system` (the system's own, system-specific duty); Shared → both, since FedRAMP
/// writes a hybrid origination as several props.
pub fn originations(column: Column) -> &'static [&'static str] {
    match column {
        Column::Aws => &["inherited"],
        Column::Shared => &["sp-system", "inherited"],
        Column::Customer => &["sp-system"],
    }
}

/// A piece of evidence as the OSCAL files cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OscalEvidence {
    /// Evidence id, unique in the workspace.
    pub id: i64,
    /// The file's name.
    pub file_name: String,
    /// What it shows.
    pub description: String,
    /// Its media type.
    pub media_type: String,
    /// SHA-256 of its content.
    pub sha256: String,
    /// Its path inside the evidence pack.
    pub pack_path: String,
}

/// A document attached to the plan, as the OSCAL files cite it: one per file and kind, with
/// the controls it answers (for a policy or procedure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OscalAttachment {
    /// What it is.
    pub kind: crate::model::AttachmentKind,
    /// Its title.
    pub title: String,
    /// The file's name.
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// SHA-256 of its content.
    pub sha256: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Its path inside the evidence pack.
    pub pack_path: String,
    /// The controls it answers, by board id.
    pub controls: Vec<String>,
    /// Its content in base64, when the plan embeds it ([`OscalInput::embed_attachments`]).
    pub embedded: Option<String>,
}

/// The largest document the plan embeds, in bytes; a larger one is linked only.
pub const MAX_EMBEDDED_BYTES: u64 = 4 * 1024 * 1024;
/// The most the plan embeds in all, in bytes (before base64).
pub const MAX_EMBEDDED_TOTAL: u64 = 32 * 1024 * 1024;

/// A control of the project as the OSCAL files need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OscalControl {
    /// Its id on the board (`SRM-CUS-IAM-01`, or `AC-2(1)` for a framework control).
    pub id: String,
    /// Short title.
    pub title: String,
    /// What it requires.
    pub description: String,
    /// Its column.
    pub column: Column,
    /// What AWS does.
    pub aws_part: String,
    /// What the customer does.
    pub customer_part: String,
    /// Where the work stands.
    pub status: Status,
    /// Why it has its status (the not-applicable reason).
    pub status_reason: String,
    /// Who owns it.
    pub owner: String,
    /// The NIST SP 800-53 ids it meets, in OSCAL form (`ac-2.1`). For a framework control,
    /// its own id.
    pub nist: Vec<String>,
    /// Project services it covers; empty means all of them.
    pub services: Vec<String>,
    /// Its current evidence.
    pub evidence: Vec<OscalEvidence>,
    /// The day it is due, when one is set.
    pub due: Option<chrono::NaiveDate>,
    /// For a framework control, the values the plan sets for parameters the baseline gives
    /// no value: the organisation's value where one is given (`lockstep param set`), else the
    /// baseline's constraint text; a parameter another gathers takes the gatherer's value
    /// unless given its own.
    pub set_values: Vec<(String, String)>,
    /// For a framework control, the parameters left without any value to set: no value
    /// given, and the baseline states neither a value nor a constraint.
    pub open_parameters: Vec<String>,
}

impl OscalControl {
    /// What AWS does for this control, in words: its AWS part, or its description for a
    /// control wholly AWS's.
    pub fn aws_text(&self) -> &str {
        match self.column {
            Column::Customer => "",
            Column::Aws if self.aws_part.trim().is_empty() => &self.description,
            _ => &self.aws_part,
        }
    }

    /// What the customer does for this control, in words: its customer part, or its
    /// description when that is empty and the control is not wholly AWS's.
    pub fn customer_text(&self) -> &str {
        match self.column {
            Column::Aws => "",
            _ if self.customer_part.trim().is_empty() => &self.description,
            _ => &self.customer_part,
        }
    }
}

/// An AWS service in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OscalService {
    /// Its id (`ec2`).
    pub id: String,
    /// Its name (`Amazon EC2`).
    pub name: String,
    /// Its service model, as people read it.
    pub model: String,
}

/// A person named in the plan: a control owner, the preparer, someone on the roster.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OscalPerson {
    /// Name as recorded.
    pub name: String,
    /// Email, when known.
    pub email: String,
}

/// Everything the three writers read: one project as of one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OscalInput {
    /// The project's name.
    pub project: String,
    /// What the scope covers.
    pub description: String,
    /// The baseline the project follows; `None` for the built-in SRM set.
    pub baseline: Option<String>,
    /// AWS services in scope, in the project's order.
    pub services: Vec<OscalService>,
    /// The controls in board order.
    pub controls: Vec<OscalControl>,
    /// People to name as parties, sorted, without repeats.
    pub people: Vec<OscalPerson>,
    /// Who prepared the export (the workspace user).
    pub prepared_by: String,
    /// The time of the project's latest change (RFC 3339, UTC), used as last-modified.
    pub last_modified: String,
    /// The document version: the sequence number of that change in the activity log.
    pub version: String,
    /// The day the project was created, used where OSCAL needs a date Lockstep lacks.
    pub created_on: String,
    /// The facts about the system given with `lockstep system set`.
    pub system: crate::model::SystemFacts,
    /// Who holds the system's roles (`lockstep role assign`).
    pub roles: Vec<crate::model::RoleHolder>,
    /// The users of the system described (`lockstep system user add`).
    pub users: Vec<crate::model::SystemUser>,
    /// The documents attached to the plan (`lockstep attachment add`).
    pub attachments: Vec<OscalAttachment>,
    /// The catalog the baseline's profile resolves to (OSCAL JSON), when the workspace keeps
    /// it.
    pub resolved_catalog: Option<String>,
    /// The project's assets, with what the inventory states of each.
    pub assets: Vec<crate::store::Asset>,
}

/// Markdown text with its backslash escapes (`\*`) taken out, as its XML form reads.
fn unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(next) if c == '\\' && next.is_ascii_punctuation() => {}
            _ => out.push(c),
        }
    }
    out
}

/// The values the plan sets for a control's parameters (see [`OscalControl::set_values`]),
/// and the parameters left without one. A baseline constraint of several paragraphs is left
/// out, since FedRAMP's validation cannot compare one (it stops on PS-3's); a value the
/// organisation gives is always written.
fn parameter_values(
    control: &crate::model::Control,
    given: &BTreeMap<String, String>,
) -> (Vec<(String, String)>, Vec<String>) {
    use crate::model::{ParameterSource, parameter_states, stated_value};
    let Some(framework) = &control.framework else {
        return (Vec::new(), Vec::new());
    };
    let states = parameter_states(&framework.parameters, given);
    let mut set = Vec::new();
    let mut open = Vec::new();
    for (at, state) in states.iter().enumerate() {
        match stated_value(&states, at) {
            None => open.push(state.id.clone()),
            // The baseline's own value is in the resolved catalog already.
            Some(stated) if !stated.given && state.source == ParameterSource::Value => {}
            Some(stated) if stated.given => set.push((state.id.clone(), stated.text.to_string())),
            Some(stated) if !stated.text.contains('\n') => {
                set.push((state.id.clone(), unescaped(stated.text)))
            }
            Some(_) => {}
        }
    }
    (set, open)
}

/// The pack's attachments, one per file and kind, in the order first attached.
fn attachments(data: &PackData) -> Vec<OscalAttachment> {
    let mut out: Vec<OscalAttachment> = Vec::new();
    for item in &data.attachments {
        let a = &item.attachment;
        let index = match out
            .iter()
            .position(|o| o.kind == a.kind && o.sha256 == a.sha256)
        {
            Some(index) => index,
            None => {
                out.push(OscalAttachment {
                    kind: a.kind,
                    title: a.title.clone(),
                    file_name: a.file_name.clone(),
                    media_type: a.media_type.clone(),
                    sha256: a.sha256.clone(),
                    size_bytes: a.size_bytes,
                    pack_path: item.path.clone(),
                    controls: Vec::new(),
                    embedded: None,
                });
                out.len() - 1
            }
        };
        if let Some(control) = &a.control
            && !out[index].controls.contains(control)
        {
            out[index].controls.push(control.clone());
        }
    }
    out
}

impl OscalInput {
    /// Embeds the attached documents in the plan from the vault, as FedRAMP asks: each of at
    /// most [`MAX_EMBEDDED_BYTES`], pictures first, up to [`MAX_EMBEDDED_TOTAL`] in all. A
    /// document past those, or one the vault cannot give back whole and unaltered, is linked
    /// (with its hash) only.
    pub fn embed_attachments(&mut self, vault: &crate::vault::Vault) {
        use base64::Engine as _;
        use sha2::{Digest, Sha256};
        use std::io::Read as _;
        let mut order: Vec<usize> = (0..self.attachments.len()).collect();
        order.sort_by_key(|&at| !self.attachments[at].kind.is_image());
        let mut total = 0;
        for at in order {
            let attachment = &mut self.attachments[at];
            if attachment.size_bytes > MAX_EMBEDDED_BYTES
                || total + attachment.size_bytes > MAX_EMBEDDED_TOTAL
            {
                continue;
            }
            let Ok(reader) = vault.open_blob(&attachment.sha256) else {
                continue;
            };
            let mut bytes = Vec::new();
            if reader
                .take(MAX_EMBEDDED_BYTES + 1)
                .read_to_end(&mut bytes)
                .is_err()
            {
                continue;
            }
            let digest = format!("{:x}", Sha256::digest(&bytes));
            if digest == attachment.sha256 {
                total += attachment.size_bytes;
                attachment.embedded =
                    Some(base64::engine::general_purpose::STANDARD.encode(&bytes));
            }
        }
    }

    /// Builds the input from a pack's snapshot: the controls, evidence and people as of its
    /// as-of date, and the time of the project's latest change up to that date.
    pub fn from_pack(data: &PackData) -> Self {
        let services = oscal_services(&data.project.services);
        let controls: Vec<OscalControl> = data
            .controls
            .iter()
            .map(|pc| OscalControl::from_pack(pc, &data.parameters))
            .collect();
        let people = people(data, &controls);
        let (version, last_modified) = match &data.last_activity {
            Some((seq, at)) => (seq.to_string(), at.clone()),
            None => ("0".to_string(), stamp(&data.project.created_at)),
        };
        OscalInput {
            system: data.system.clone(),
            roles: data.roles.clone(),
            users: data.users.clone(),
            attachments: attachments(data),
            resolved_catalog: data.resolved_catalog.clone(),
            assets: data.assets.clone(),
            project: data.project.name.clone(),
            description: data.project.description.clone(),
            baseline: data.project.baseline.clone(),
            services,
            controls,
            people,
            prepared_by: data.generated_by.trim().to_string(),
            last_modified,
            version,
            created_on: data.project.created_at.date_naive().to_string(),
        }
    }

    /// Reads the input for `project` from the workspace, as of today, in one snapshot.
    pub fn read(store: &Store, project: i64) -> StoreResult<Self> {
        let today = store.today();
        store.read(|store| {
            let data = crate::snapshot::collect(store, project, today, None)?;
            Ok(OscalInput::from_pack(&data))
        })
    }

    /// A UUID v5 for a thing of this project: the same project, kind and key always give
    /// the same UUID.
    pub fn uuid(&self, kind: &str, key: &str) -> String {
        let name = format!("lockstep:oscal:{}:{kind}:{key}", self.project);
        Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
    }

    /// The party a control owner's text names: a person by name or email.
    pub fn person_named(&self, text: &str) -> Option<&OscalPerson> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        self.people
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(text) || p.email.eq_ignore_ascii_case(text))
    }

    /// The services a control covers: its own list, or all of the project's when it names
    /// none.
    pub fn services_of<'a>(&'a self, control: &'a OscalControl) -> Vec<&'a OscalService> {
        self.services
            .iter()
            .filter(|s| control.services.is_empty() || control.services.contains(&s.id))
            .collect()
    }
}

/// The AWS services in scope (by id), named as the built-in baseline names them.
fn oscal_services(services: &[String]) -> Vec<OscalService> {
    let builtin = Baseline::builtin();
    services
        .iter()
        .map(|id| match builtin.service(id) {
            Some(service) => OscalService {
                id: id.clone(),
                name: service.name.clone(),
                model: service.model.label().to_string(),
            },
            None => OscalService {
                id: id.clone(),
                name: id.clone(),
                model: String::new(),
            },
        })
        .collect()
}

/// The people the plan names: the roster, then control owners and the preparer not on it
/// (by name only), once each.
fn people(data: &PackData, controls: &[OscalControl]) -> Vec<OscalPerson> {
    let mut people: BTreeMap<String, OscalPerson> = BTreeMap::new();
    for entry in &data.roster {
        people
            .entry(entry.name.trim().to_lowercase())
            .or_insert_with(|| OscalPerson {
                name: entry.name.trim().to_string(),
                email: entry.email.trim().to_string(),
            });
    }
    let named = controls
        .iter()
        .map(|c| c.owner.as_str())
        .chain([data.generated_by.trim()]);
    for name in named.filter(|n| !n.is_empty()) {
        let known = people
            .values()
            .any(|p| p.email.eq_ignore_ascii_case(name) || p.name.eq_ignore_ascii_case(name));
        if !known {
            people.insert(
                name.to_lowercase(),
                OscalPerson {
                    name: name.to_string(),
                    email: String::new(),
                },
            );
        }
    }
    people.into_values().collect()
}

impl OscalControl {
    /// A control of the pack as the OSCAL export states it.
    fn from_pack(pc: &PackControl, parameters: &BTreeMap<String, String>) -> Self {
        let c = &pc.control;
        // A framework control is keyed by its own id (`AC-2(1)`); SRM and the
        // team's own controls (`SRM-…`, `USR-…`) by the NIST ids they name.
        let nist = if c.nist.is_empty() {
            oscal_id_of(&c.id).into_iter().collect()
        } else {
            c.nist.iter().filter_map(|n| oscal_id_of(n)).collect()
        };
        let (set_values, open_parameters) = parameter_values(c, parameters);
        OscalControl {
            id: c.id.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            column: c.column,
            aws_part: c.aws_part.clone(),
            customer_part: c.customer_part.clone(),
            status: c.status,
            status_reason: c.status_reason.clone(),
            owner: c.owner.trim().to_string(),
            nist,
            due: c.due,
            set_values,
            open_parameters,
            services: c.services.clone(),
            evidence: pc
                .evidence
                .iter()
                .map(|e| OscalEvidence {
                    id: e.evidence.id,
                    file_name: e.evidence.file_name.clone(),
                    description: e.evidence.description.clone(),
                    media_type: e.evidence.media_type.clone(),
                    sha256: e.evidence.sha256.clone(),
                    pack_path: e.path.clone(),
                })
                .collect(),
        }
    }
}

/// One implemented requirement: a NIST control id and the project's controls that meet it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement<'a> {
    /// OSCAL control id (`ac-2.1`).
    pub control_id: String,
    /// The id people read (`AC-2(1)`).
    pub label: String,
    /// The project's controls behind it, in board order.
    pub sources: Vec<&'a OscalControl>,
    /// Its column: AWS when all sources are AWS's, Customer when all are the customer's,
    /// Shared otherwise.
    pub column: Column,
    /// Its combined implementation state.
    pub state: ImplementationState,
}

impl Requirement<'_> {
    /// What AWS provides, in words: each source's AWS text, named by the source when there
    /// are several.
    pub fn aws_text(&self) -> String {
        self.joined(OscalControl::aws_text)
    }

    /// What the customer does, in words, likewise.
    pub fn customer_text(&self) -> String {
        self.joined(OscalControl::customer_text)
    }

    /// Why sources do not apply, when some do not.
    pub fn not_applicable_reasons(&self) -> String {
        self.sources
            .iter()
            .filter(|s| s.status == Status::NotApplicable && !s.status_reason.trim().is_empty())
            .map(|s| format!("{}: {}", s.id, s.status_reason.trim()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn joined(&self, text: fn(&OscalControl) -> &str) -> String {
        let parts: Vec<(&str, &str)> = self
            .sources
            .iter()
            .map(|s| (s.id.as_str(), text(s).trim()))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        match parts.as_slice() {
            [] => String::new(),
            [(_, only)] => only.to_string(),
            many => many
                .iter()
                .map(|(id, t)| format!("{id}: {t}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// The sort key of an OSCAL control id: family, then each number, so `ac-2` < `ac-2.1` <
/// `ac-10`.
fn id_order(id: &str) -> (String, Vec<u64>, String) {
    let (family, rest) = id.split_once('-').unwrap_or((id, ""));
    let numbers = rest
        .split('.')
        .map(|n| n.parse::<u64>().unwrap_or(u64::MAX))
        .collect();
    (family.to_string(), numbers, id.to_string())
}

/// The implemented requirements of the input, in NIST order: one per NIST id its controls
/// name, each built from the controls that name it.
pub fn requirements(input: &OscalInput) -> Vec<Requirement<'_>> {
    let mut by_id: BTreeMap<(String, Vec<u64>, String), Vec<&OscalControl>> = BTreeMap::new();
    for control in &input.controls {
        for id in &control.nist {
            let sources = by_id.entry(id_order(id)).or_default();
            if !sources.iter().any(|s| s.id == control.id) {
                sources.push(control);
            }
        }
    }
    by_id
        .into_iter()
        .map(|((_, _, control_id), sources)| {
            let column = if sources.iter().all(|s| s.column == Column::Aws) {
                Column::Aws
            } else if sources.iter().all(|s| s.column == Column::Customer) {
                Column::Customer
            } else {
                Column::Shared
            };
            let state = ImplementationState::combine(
                sources.iter().map(|s| ImplementationState::of(s.status)),
            );
            Requirement {
                label: label_of(&control_id),
                control_id,
                sources,
                column,
                state,
            }
        })
        .collect()
}

/// Something a FedRAMP plan states that the workspace does not know yet, and how to give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// What is missing, in words.
    pub what: String,
    /// The command that gives it.
    pub how: String,
}

/// What the plan leaves out because the workspace does not know it: the system's facts,
/// roles, users, parameter values and attached documents not given, and the planned controls
/// without a due date (FedRAMP asks for each one's planned completion date). Nothing is
/// invented in their place.
pub fn missing(input: &OscalInput, requirements: &[Requirement<'_>]) -> Vec<Missing> {
    let project = input.project.as_str();
    let mut out = missing_facts(input, project);
    missing_roles(input, project, &mut out);
    missing_users(input, project, &mut out);
    missing_parameters(requirements, project, &mut out);
    missing_inventory(input, project, &mut out);
    if let (Some(baseline), None) = (&input.baseline, &input.resolved_catalog) {
        out.push(Missing {
            what: format!(
                "the catalog the profile '{baseline}' resolves to, kept since Lockstep keeps it at import"
            ),
            how: format!("lockstep profile import FILE (the profile '{baseline}' again)"),
        });
    }
    missing_attachments(input, requirements, project, &mut out);
    missing_due_dates(requirements, project, &mut out);
    out
}

/// The system's facts not given.
fn missing_facts(input: &OscalInput, project: &str) -> Vec<Missing> {
    use crate::model::SystemFact;
    input
        .system
        .missing()
        .into_iter()
        .map(|fact| Missing {
            what: match fact {
                SystemFact::Confidentiality | SystemFact::Integrity | SystemFact::Availability => {
                    format!("the system's {} objective", fact.as_str())
                }
                _ => format!("the system's {}", in_sentence(fact.label())),
            },
            how: format!(
                "lockstep system set --project '{project}' --{} {}",
                fact.as_str(),
                match fact.allowed() {
                    Some(values) => values.join("|"),
                    None if fact == SystemFact::Description => "TEXT".to_string(),
                    None => "VALUE".to_string(),
                }
            ),
        })
        .collect()
}

/// The system's roles nobody holds.
fn missing_roles(input: &OscalInput, project: &str, out: &mut Vec<Missing>) {
    use crate::model::SystemRole;
    for role in SystemRole::ALL {
        if !input.roles.iter().any(|h| h.role == role) {
            out.push(Missing {
                what: format!("who is the {}", role.title()),
                how: format!(
                    "lockstep role assign --project '{project}' {} --person EMAIL",
                    role.as_str()
                ),
            });
        }
    }
}

/// The system users FedRAMP asks for: one holding each of the control owner's and the
/// provider's roles.
fn missing_users(input: &OscalInput, project: &str, out: &mut Vec<Missing>) {
    for role in [ROLE_CONTROL_OWNER, ROLE_PROVIDER] {
        if !input
            .users
            .iter()
            .any(|u| u.roles.iter().any(|r| r == role))
        {
            out.push(Missing {
                what: format!(
                    "a system user holding the {role} role, with its type, privilege, sensitivity and functions"
                ),
                how: format!(
                    "lockstep system user add --project '{project}' TITLE --role {role} --type internal|external|general-public --privilege privileged|non-privileged|no-logical-access --sensitivity high-risk|severe|moderate|limited|not-applicable --function TEXT"
                ),
            });
        }
    }
}

/// Values of the parameters the baseline leaves open.
fn missing_parameters(requirements: &[Requirement<'_>], project: &str, out: &mut Vec<Missing>) {
    let open: Vec<&str> = requirements
        .iter()
        .flat_map(|r| r.sources.iter())
        .flat_map(|s| s.open_parameters.iter().map(String::as_str))
        .collect();
    if !open.is_empty() {
        let shown: Vec<&str> = open.iter().take(5).copied().collect();
        let more = if open.len() > shown.len() {
            format!(" and {} more", open.len() - shown.len())
        } else {
            String::new()
        };
        out.push(Missing {
            what: format!(
                "values for {} parameter{} the baseline leaves open ({}{more})",
                open.len(),
                if open.len() == 1 { "" } else { "s" },
                shown.join(", ")
            ),
            how: format!(
                "lockstep param list --project '{project}' --missing, then lockstep param set --project '{project}' ID VALUE"
            ),
        });
    }
}

/// The inventory, or the inventory facts its assets lack.
fn missing_inventory(input: &OscalInput, project: &str, out: &mut Vec<Missing>) {
    if input.assets.is_empty() {
        out.push(Missing {
            what: "the system's inventory: each instance, image, database and application it runs"
                .to_string(),
            how: format!(
                "lockstep asset add --project '{project}' NAME --kind instance|ami|container-image|database|application|other --managed-by customer|aws"
            ),
        });
    }
    let lacking: Vec<String> = input
        .assets
        .iter()
        .filter_map(|asset| {
            let missing = asset.inventory.missing(asset.kind);
            (!missing.is_empty()).then(|| {
                let facts: Vec<&str> = missing.iter().map(|f| f.as_str()).collect();
                format!("{}: {}", asset.name, facts.join(", "))
            })
        })
        .collect();
    if !lacking.is_empty() {
        let shown: Vec<&str> = lacking.iter().take(3).map(String::as_str).collect();
        let more = if lacking.len() > shown.len() {
            format!("; and {} more", lacking.len() - shown.len())
        } else {
            String::new()
        };
        out.push(Missing {
            what: format!(
                "inventory facts of {} asset{} ({}{more})",
                lacking.len(),
                if lacking.len() == 1 { "" } else { "s" },
                shown.join("; ")
            ),
            how: format!(
                "lockstep asset set --project '{project}' NAME --virtual yes|no --public yes|no --scan-type infrastructure|database|web|other"
            ),
        });
    }
}

/// The plan's documents not attached: for controls, a policy and a procedure per family's
/// first control; otherwise one of each kind.
fn missing_attachments(
    input: &OscalInput,
    requirements: &[Requirement<'_>],
    project: &str,
    out: &mut Vec<Missing>,
) {
    for kind in crate::model::AttachmentKind::ALL {
        if kind.is_for_controls() {
            // FedRAMP asks for a policy and a procedure for each family's first control.
            let lacking: Vec<&str> = requirements
                .iter()
                .filter(|r| r.control_id.ends_with("-1") && !r.control_id.contains('.'))
                .filter(|r| {
                    !input.attachments.iter().any(|a| {
                        a.kind == kind
                            && a.controls
                                .iter()
                                .any(|c| r.sources.iter().any(|s| &s.id == c))
                    })
                })
                .map(|r| r.label.as_str())
                .collect();
            if !lacking.is_empty() {
                let shown: Vec<&str> = lacking.iter().take(5).copied().collect();
                let more = if lacking.len() > shown.len() {
                    format!(" and {} more", lacking.len() - shown.len())
                } else {
                    String::new()
                };
                out.push(Missing {
                    what: format!(
                        "a {} document for {} control{} ({}{more})",
                        kind.as_str(),
                        lacking.len(),
                        if lacking.len() == 1 { "" } else { "s" },
                        shown.join(", ")
                    ),
                    how: format!(
                        "lockstep attachment add --project '{project}' --kind {} --control {} FILE",
                        kind.as_str(),
                        lacking[0]
                    ),
                });
            }
        } else if !input.attachments.iter().any(|a| a.kind == kind) {
            out.push(Missing {
                what: format!("the {}", kind.label().to_lowercase()),
                how: format!(
                    "lockstep attachment add --project '{project}' --kind {} FILE",
                    kind.as_str()
                ),
            });
        }
    }
}

/// Due dates of planned controls, FedRAMP's planned completion dates.
fn missing_due_dates(requirements: &[Requirement<'_>], project: &str, out: &mut Vec<Missing>) {
    let undated: Vec<&str> = requirements
        .iter()
        .filter(|r| r.state == ImplementationState::Planned)
        .filter(|r| {
            r.sources
                .iter()
                .filter(|s| !matches!(s.status, Status::Implemented | Status::NotApplicable))
                .all(|s| s.due.is_none())
        })
        .map(|r| r.label.as_str())
        .collect::<Vec<_>>();
    if !undated.is_empty() {
        let shown: Vec<&str> = undated.iter().take(5).copied().collect();
        let more = if undated.len() > shown.len() {
            format!(" and {} more", undated.len() - shown.len())
        } else {
            String::new()
        };
        out.push(Missing {
            what: format!(
                "a due date for {} planned control{} ({}{more}), FedRAMP's planned completion date",
                undated.len(),
                if undated.len() == 1 { "" } else { "s" },
                shown.join(", ")
            ),
            how: format!("lockstep control set --project '{project}' ID --due YYYY-MM-DD"),
        });
    }
}

/// A label as it reads inside a sentence: its first letter in lower case, unless its first
/// word is a name written with more capitals (FedRAMP).
fn in_sentence(label: &str) -> String {
    let first = label.split_whitespace().next().unwrap_or_default();
    if first.chars().skip(1).any(char::is_uppercase) {
        return label.to_string();
    }
    let mut chars = label.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The files for the input, as (file name, bytes): the three of [`FILE_NAMES`] in order, and
/// for a project on a framework baseline the catalog its profile resolves to, which the
/// plan's `import-profile` points at.
pub fn documents(input: &OscalInput) -> Result<Vec<(&'static str, Vec<u8>)>, OscalError> {
    let requirements = requirements(input);
    if requirements.is_empty() {
        return Err(OscalError::NothingToExport(input.project.clone()));
    }
    let mut files = vec![
        (SSP_FILE, ssp::ssp_bytes(input, &requirements)?),
        (
            COMPONENT_FILE,
            component::component_bytes(input, &requirements)?,
        ),
        (CRM_FILE, crm::crm_bytes(input, &requirements)?),
    ];
    if let Some(catalog) = &input.resolved_catalog {
        files.push((RESOLVED_CATALOG_FILE, catalog.as_bytes().to_vec()));
    }
    Ok(files)
}

/// The three files as the evidence pack carries them: under `oscal/`. A project with no
/// control naming a NIST control gets none, since an OSCAL plan needs at least one.
pub fn pack_files(
    data: &PackData,
    vault: &crate::vault::Vault,
) -> Result<Vec<(String, Vec<u8>)>, OscalError> {
    let mut input = OscalInput::from_pack(data);
    input.embed_attachments(vault);
    if requirements(&input).is_empty() {
        return Ok(vec![]);
    }
    Ok(documents(&input)?
        .into_iter()
        .map(|(name, bytes)| (format!("{PACK_FOLDER}/{name}"), bytes))
        .collect())
}

/// Pretty JSON with a final newline.
pub(crate) fn json_bytes(value: &impl Serialize) -> Result<Vec<u8>, OscalError> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes `files` into `dir`, creating it when missing. Each file is first written and
/// synced under a hidden temporary name, and only when all are written are they renamed
/// into place; a failure removes the temporary files, so no partial file is left behind.
/// Returns the paths written.
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<Vec<PathBuf>, OscalError> {
    if dir.exists() && !dir.is_dir() {
        return Err(OscalError::NotAFolder(dir.to_path_buf()));
    }
    let write_error = |path: &Path, error: std::io::Error| OscalError::Write {
        path: path.to_path_buf(),
        reason: error.to_string(),
    };
    fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut claims = Vec::new();
    let outcome = (|| {
        for (name, bytes) in files {
            // What a killed export left of this file goes first.
            remove_stale_partials(dir, name);
            let temp = dir.join(partial_name(name, std::process::id()));
            claims.push(Claim::take(&temp).ok_or_else(|| OscalError::Write {
                path: dir.join(name),
                reason: "another export in this window is writing it now".to_string(),
            })?);
            let target = dir.join(name);
            staged.push((temp.clone(), target));
            let mut file = File::create(&temp).map_err(|e| write_error(&temp, e))?;
            file.write_all(bytes).map_err(|e| write_error(&temp, e))?;
            file.sync_all().map_err(|e| write_error(&temp, e))?;
        }
        let mut written = Vec::new();
        for (temp, target) in &staged {
            fs::rename(temp, target).map_err(|e| write_error(target, e))?;
            written.push(target.clone());
        }
        Ok(written)
    })();
    if outcome.is_err() {
        for (temp, _) in &staged {
            // Only temporary files are removed; losing a removal leaves a hidden file.
            let _ = fs::remove_file(temp);
        }
    }
    outcome
}

/// Percent-encodes a relative path for an href, keeping `/` and unreserved characters.
pub(crate) fn href_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_are_taken_out_of_parameter_values() {
        assert_eq!(
            unescaped("\\*See Additional Requirements"),
            "*See Additional Requirements"
        );
        assert_eq!(unescaped("at least annually"), "at least annually");
        assert_eq!(unescaped("a \\\\ b \\n"), "a \\ b \\n");
    }

    #[test]
    fn a_requirement_is_not_applicable_only_when_every_source_is() {
        use ImplementationState::*;
        assert_eq!(ImplementationState::combine([NotApplicable]), NotApplicable);
        assert_eq!(
            ImplementationState::combine([Implemented, NotApplicable]),
            Implemented
        );
        assert_eq!(ImplementationState::combine([Planned, Planned]), Planned);
        assert_eq!(
            ImplementationState::combine([Planned, Implemented]),
            Partial
        );
    }

    #[test]
    fn control_ids_sort_by_family_then_number() {
        let mut ids = vec!["ac-10", "ac-2.1", "ac-2", "at-1"];
        ids.sort_by_key(|id| id_order(id));
        assert_eq!(ids, ["ac-2", "ac-2.1", "ac-10", "at-1"]);
    }

    #[test]
    fn hrefs_escape_spaces_but_keep_slashes() {
        assert_eq!(
            href_path("../evidence/aws/SRM-AWS-PE-01 Data/report.pdf"),
            "../evidence/aws/SRM-AWS-PE-01%20Data/report.pdf"
        );
    }
}
