//! The evidence pack: one zip an auditor reads, and checks, without Lockstep.
//!
//! [`collect`](crate::snapshot::collect) takes a snapshot of a project as it stood on the as-of date (statuses,
//! evidence, roster) and of its audit period (patches, activity). [`report`] turns the
//! snapshot into the report, the spreadsheets and the workbook; [`write`] streams it and
//! the evidence files into a zip in a fixed order with fixed timestamps, so the same
//! workspace and the same as-of date give a byte-identical pack; [`verify`] checks a pack
//! against its manifest and `SHA256SUMS`, and [`signature`] who signed it.

pub mod report;
pub mod signature;
pub mod verify;
mod write;

pub use crate::snapshot::{
    AwsReportFile, PackAttachment, PackAwsReport, PackControl, PackData, PackEvidence, PackKind,
    PackRequest, PackRequestFile, collect, collect_requests, names,
};
pub use signature::{SignatureCheck, check_signature};
pub use verify::{VerifyOutcome, verify_pack};
pub use write::{
    ALLOWED_SIGNERS, ExportError, ExportProgress, ExportSummary, SIGNATURE, export, export_signed,
};

/// The pack format this build writes.
pub const FORMAT_VERSION: u32 = 1;
