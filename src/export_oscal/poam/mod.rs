//! The plan of action and milestones: the project's open weaknesses with their plans and
//! dates, as an OSCAL 1.1.3 POA&M with FedRAMP's props ([`json`]), FedRAMP's POA&M workbook
//! ([`xlsx`]) and FedRAMP's vulnerability detail report ([`vdr`]).
//!
//! All three are built from the evidence pack's snapshot ([`PackData`]): `lockstep poam`
//! takes it as of today, and the pack carries the same files, built from its own as-of
//! snapshot, under `poam/`. [`items`] works out the weaknesses once for the writers.

pub mod items;
mod json;
pub mod vdr;
pub mod xlsx;

pub use items::{ItemKind, PoamItem, RiskStatus, poam_items, risk_word};
pub use vdr::{MissingFacts, ReportPeriod, VDR_FILE, VdrCounts, VdrRefusal};

use super::{OscalError, OscalInput};
use crate::snapshot::PackData;
use crate::store::{Result as StoreResult, Store};

/// The OSCAL POA&M's file name.
pub const POAM_FILE: &str = "poam.json";
/// The workbook's file name.
pub const POAM_XLSX_FILE: &str = "poam.xlsx";
/// The evidence pack's folder for the three files.
pub const PACK_FOLDER: &str = "poam";

/// What a POA&M export made.
#[derive(Debug)]
pub struct PoamExport {
    /// The files, by name, in the order they are written.
    pub files: Vec<(&'static str, Vec<u8>)>,
    /// Open items.
    pub open: usize,
    /// Closed items.
    pub closed: usize,
    /// The vulnerability detail report's counts, or why it was not written.
    pub report: Result<VdrCounts, VdrRefusal>,
}

/// Takes the snapshot a POA&M export reads: the project as of today.
pub fn read_snapshot(store: &Store, project: i64) -> StoreResult<PackData> {
    let today = store.today();
    store.read(|store| crate::snapshot::collect(store, project, today, None))
}

/// The POA&M files for a snapshot, with the vulnerability detail report for `period` when
/// it can be written. A project without any weakness, open or closed, has nothing to list.
pub fn documents(data: &PackData, period: ReportPeriod) -> Result<PoamExport, OscalError> {
    let items = poam_items(data);
    if items.is_empty() {
        return Err(OscalError::NoWeakness(data.project.name.clone()));
    }
    let input = OscalInput::from_pack(data);
    let mut files = vec![
        (POAM_FILE, json::poam_bytes(&input, &items)?),
        (POAM_XLSX_FILE, xlsx::poam_xlsx_bytes(&input, &items)?),
    ];
    let report = vdr::vdr_bytes(data, period).map(|(bytes, counts)| {
        files.push((VDR_FILE, bytes));
        counts
    });
    let open = items.iter().filter(|i| i.open).count();
    Ok(PoamExport {
        files,
        open,
        closed: items.len() - open,
        report,
    })
}

/// The files the evidence pack carries under `poam/`: none when the project has no
/// weakness; the report covers the pack's period up to its as-of date, when it can be
/// written.
pub fn pack_files(data: &PackData) -> Result<Vec<(String, Vec<u8>)>, OscalError> {
    if poam_items(data).is_empty() {
        return Ok(vec![]);
    }
    let period = ReportPeriod {
        from: data.from.min(data.as_of),
        to: data.to.min(data.as_of),
    };
    Ok(documents(data, period)?
        .files
        .into_iter()
        .map(|(name, bytes)| (format!("{PACK_FOLDER}/{name}"), bytes))
        .collect())
}
