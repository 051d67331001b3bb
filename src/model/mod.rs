//! Plain domain types and the rules of the shared-responsibility model.
//!
//! Nothing here does I/O or knows about SQLite or egui: these are the words the rest of
//! Lockstep speaks (columns, statuses, service models) and the rules that decide with them
//! (the ownership test, when a status change is allowed, when a control is overdue). Keeping
//! them pure means every rule is tested in isolation and shared by the window and the CLI.

mod action;
mod attachment;
mod attestation;
mod control;
mod coverage;
mod dates;
mod error;
mod evidence;
mod finding;
mod framework;
mod inventory;
mod patch;
mod placement;
mod project;
mod request;
mod system;

pub use action::{
    Action, AwsReportDetail, CatalogImportDetail, DeadlineChange, ImportedFile, LoggedAction,
    PatchDetail, ProfileImportDetail, PurgedFile, RequestChange, RequestChanges, short_hash,
};
pub use attachment::{Attachment, AttachmentKind};
pub use attestation::{
    AssetKind, ManagedBy, NewPerson, PatchState, Severity, SignoffSubject, TrainingState,
    check_email, check_patch_dates, days_to_patch, parse_month, patch_deadline, patch_state,
    training_expires_on, training_state,
};
pub use control::{
    Column, ControlChange, ControlEdit, ControlField, ControlPatch, MAX_REVIEW_DAYS, ServiceModel,
    Status, column_for_ownership, is_overdue, plan_changes, plan_edits,
};
pub use coverage::{
    Coverage, DateRange, MissingService, ReportError, ReportKind, ReportSpan, check_report_dates,
    coverage, parse_services,
};
pub use dates::{Zone, parse_date, parse_optional_date, parse_stamp, stamp, stamped};
pub use error::RuleError;
pub use evidence::{
    EXPIRING_WITHIN_DAYS, Evidence, Validity, check_evidence_dates, media_type_for, validity,
};
pub use finding::{
    ClosedReason, DeviationKind, DeviationState, FindingKind, FindingSeverity, FindingSource,
    FindingState, NistIndex, finding_deadline, finding_state, is_absolute_uri, nist_base, nist_id,
};
pub use framework::{
    BaselineSummary, FilledParameter, FilledText, FrameworkControl, ParameterSource, ParameterSpan,
    ParameterState, Stated, label_of, oscal_id_of, parameter_states, stated_value,
};
pub use inventory::{InventoryChange, InventoryFact, InventoryFacts};
pub use patch::{JudgedPatch, PatchDeadlines};
pub use placement::{
    CrmAnswer, CrmEntry, FAMILY_RULES_TOML, FamilyRule, FamilyRules, Placement, Reason, SrmMatch,
    place,
};
pub use project::{Control, FrameworkText, Origin, Project};
pub use request::{
    Answer, ControlRef, DateColumnError, DateFormat, ReferenceIndex, ReferenceKind, RequestStatus,
    check_request_move, detect_date_format, reference_kind, request_is_overdue, split_references,
};
pub use system::{
    MAX_PARAMETER_VALUE, RoleHolder, SystemChange, SystemFact, SystemFacts, SystemRole, SystemUser,
    USER_PRIVILEGES, USER_ROLES, USER_SENSITIVITIES, USER_TYPES, checked_parameter_value,
};

/// Lowercase hex of bytes (how SHA-256 digests are written everywhere in Lockstep).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}
