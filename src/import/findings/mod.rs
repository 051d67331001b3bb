//! Findings exports of Amazon Inspector, Security Hub and Systems Manager, read into typed
//! records with per-record problems and no database access.

mod record;

pub use record::{FindingFile, FindingFileError, FindingFormat, FindingRecord, RecordProblem};
