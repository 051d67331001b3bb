//! Amazon Inspector's findings: `list-findings` JSON and the findings report in CSV.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;
use serde_json::Value;

use super::common::{
    Builder, Outcome, blank, join_distinct, name_version, real_version, required_id, severity,
    shape_problem, text, text_time_field, time_field,
};
use super::detect::unknown;
use super::record::{FindingFile, FindingFileError, FindingFormat, FindingRecord};
use crate::model::FindingKind;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Finding {
    finding_arn: Option<String>,
    aws_account_id: Option<String>,
    severity: Option<String>,
    status: Option<String>,
    fix_available: Option<String>,
    first_observed_at: Option<Value>,
    last_observed_at: Option<Value>,
    updated_at: Option<Value>,
    title: Option<String>,
    description: Option<String>,
    package_vulnerability_details: Option<Details>,
    resources: Option<Vec<Resource>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    vulnerability_id: Option<String>,
    vulnerable_packages: Option<Vec<Package>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    name: Option<String>,
    version: Option<String>,
    release: Option<String>,
    fixed_in_version: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `YES`/`PARTIAL` are a fix, `NO` is none; anything else unsaid.
fn fix_available(word: &str) -> Option<bool> {
    match word.trim().to_ascii_uppercase().as_str() {
        "YES" | "PARTIAL" => Some(true),
        "NO" => Some(false),
        _ => None,
    }
}

/// One element of `findings`.
pub(crate) fn convert(record: usize, value: Value, _asset: Option<&str>) -> Outcome {
    match serde_json::from_value::<Finding>(value) {
        Ok(finding) => from_json(record, finding).into(),
        Err(error) => Outcome::Problem(shape_problem(&error)),
    }
}

fn from_json(record: usize, f: Finding) -> Result<FindingRecord, String> {
    let source_id = required_id(&f.finding_arn)?;
    let severity = severity(f.severity.as_deref())?;
    let resource = f
        .resources
        .as_ref()
        .and_then(|r| r.first())
        .filter(|r| !text(&r.id).is_empty())
        .ok_or_else(|| "the finding names no resource".to_string())?;
    let first_seen = time_field("firstObservedAt", &f.first_observed_at)?;
    let last_observed = time_field("lastObservedAt", &f.last_observed_at)?;
    let updated = time_field("updatedAt", &f.updated_at)?;
    let mut out = blank(record, FindingKind::Vulnerability, severity);
    out.source_id = source_id;
    out.account = text(&f.aws_account_id);
    out.title = text(&f.title);
    out.description = text(&f.description);
    out.resource = text(&resource.id);
    out.resource_type = text(&resource.kind);
    out.fix_available = f.fix_available.as_deref().and_then(fix_available);
    if let Some(details) = &f.package_vulnerability_details {
        out.vulnerability = text(&details.vulnerability_id);
        let packages = details.vulnerable_packages.as_deref().unwrap_or(&[]);
        out.package = join_distinct(packages.iter().map(|p| {
            let version = match (text(&p.version), text(&p.release)) {
                (version, release) if release.is_empty() => version,
                (version, release) => format!("{version}-{release}"),
            };
            name_version(&text(&p.name), &version)
        }));
        out.fixed_in = join_distinct(
            packages
                .iter()
                .filter_map(|p| p.fixed_in_version.as_deref().and_then(real_version)),
        );
    }
    out.first_seen = first_seen;
    out.last_seen = last_observed.or(updated);
    if f.status
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("CLOSED"))
    {
        out.fixed_at = updated.or(last_observed);
    }
    Ok(out)
}

/// The columns a CSV must have to be Inspector's report.
const REQUIRED: [&str; 4] = ["AWS Account Id", "Severity", "Finding ARN", "Title"];

/// The columns read from the report.
#[derive(Default)]
struct Columns {
    arn: usize,
    account: usize,
    severity: usize,
    title: usize,
    fix: Option<usize>,
    description: Option<usize>,
    first_seen: Option<usize>,
    last_seen: Option<usize>,
    updated: Option<usize>,
    resource: Option<usize>,
    resource_type: Option<usize>,
    status: Option<usize>,
    vulnerability: Option<usize>,
    packages: Option<usize>,
    installed: Option<usize>,
    fixed_in: Option<usize>,
}

/// Reads Inspector's CSV report, recognised by its header.
pub(crate) fn read_csv<R: Read>(
    reader: R,
    path: &Path,
    cancel: &AtomicBool,
) -> Result<FindingFile, FindingFileError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut rows = csv.records();
    let header = match rows.next() {
        None => return Err(unknown("an empty file", path)),
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(csv_error(error, path, cancel, false)),
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |column: &str| names.iter().position(|n| *n == column.to_lowercase());
    let missing: Vec<&str> = REQUIRED.into_iter().filter(|c| find(c).is_none()).collect();
    if !missing.is_empty() {
        let why = if names.len() < 2 {
            "text that is neither JSON nor a CSV file with a header row".to_string()
        } else {
            format!("a CSV file whose header lacks {}", missing.join(", "))
        };
        return Err(unknown(why, path));
    }
    let columns = Columns {
        arn: find("Finding ARN").unwrap_or_default(),
        account: find("AWS Account Id").unwrap_or_default(),
        severity: find("Severity").unwrap_or_default(),
        title: find("Title").unwrap_or_default(),
        fix: find("Fix Available"),
        description: find("Description"),
        first_seen: find("First Seen"),
        last_seen: find("Last Seen"),
        updated: find("Last Updated"),
        resource: find("Resource ID"),
        resource_type: find("Resource Type"),
        status: find("Status"),
        vulnerability: find("Vulnerability Id"),
        packages: find("Affected Packages"),
        installed: find("Package Installed Version"),
        fixed_in: find("Fixed in Version"),
    };
    let mut builder = Builder::default();
    let mut record = 0;
    for row in rows {
        let row = row.map_err(|error| csv_error(error, path, cancel, true))?;
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        record += 1;
        builder.push(record, from_row(record, &columns, &row).into());
        if record % 256 == 0 && cancel.load(Ordering::Relaxed) {
            return Err(FindingFileError::Cancelled);
        }
    }
    Ok(builder.finish(FindingFormat::InspectorCsv))
}

fn csv_error(
    error: csv::Error,
    path: &Path,
    cancel: &AtomicBool,
    started: bool,
) -> FindingFileError {
    if cancel.load(Ordering::Relaxed) {
        return FindingFileError::Cancelled;
    }
    let line = error
        .position()
        .map(|p| usize::try_from(p.line()).unwrap_or(usize::MAX))
        .unwrap_or(1);
    match error.into_kind() {
        csv::ErrorKind::Io(reason) => FindingFileError::Unreadable {
            path: path.to_path_buf(),
            reason,
        },
        csv::ErrorKind::Utf8 { .. } if !started => unknown("text that is not UTF-8", path),
        csv::ErrorKind::Utf8 { .. } => FindingFileError::Invalid {
            format: FindingFormat::InspectorCsv.label(),
            line,
            reason: "it is not UTF-8 text from here on; export the report again".to_string(),
            path: path.to_path_buf(),
        },
        other => FindingFileError::Invalid {
            format: FindingFormat::InspectorCsv.label(),
            line,
            reason: format!("{other:?}"),
            path: path.to_path_buf(),
        },
    }
}

fn from_row(record: usize, c: &Columns, row: &csv::StringRecord) -> Result<FindingRecord, String> {
    let cell = |index: Option<usize>| index.and_then(|i| row.get(i)).unwrap_or("").trim();
    let id = cell(Some(c.arn)).to_string();
    if id.is_empty() {
        return Err("the finding has no id".to_string());
    }
    let severity = severity(Some(cell(Some(c.severity))))?;
    let resource = cell(c.resource);
    if resource.is_empty() {
        return Err("the finding names no resource".to_string());
    }
    let time =
        |name: &str, index: Option<usize>| text_time_field(name, &Some(cell(index).to_string()));
    let first_seen = time("First Seen", c.first_seen)?;
    let last_seen = time("Last Seen", c.last_seen)?;
    let updated = time("Last Updated", c.updated)?;
    let mut out = blank(record, FindingKind::Vulnerability, severity);
    out.source_id = id;
    out.account = cell(Some(c.account)).to_string();
    out.title = cell(Some(c.title)).to_string();
    out.description = cell(c.description).to_string();
    out.resource = resource.to_string();
    out.resource_type = cell(c.resource_type).to_string();
    out.vulnerability = cell(c.vulnerability).to_string();
    out.fix_available = fix_available(cell(c.fix));
    let names: Vec<&str> = split_list(cell(c.packages));
    let versions: Vec<&str> = split_list(cell(c.installed));
    out.package = if names.len() == versions.len() {
        join_distinct(names.iter().zip(&versions).map(|(n, v)| name_version(n, v)))
    } else {
        name_version(&names.join(", "), &versions.join(", "))
    };
    out.fixed_in = join_distinct(
        split_list(cell(c.fixed_in))
            .into_iter()
            .filter_map(real_version),
    );
    out.first_seen = first_seen;
    out.last_seen = last_seen.or(updated);
    if cell(c.status).eq_ignore_ascii_case("closed") {
        out.fixed_at = updated.or(last_seen);
    }
    Ok(out)
}

/// The values of a cell that lists several, separated by commas or new lines.
fn split_list(cell: &str) -> Vec<&str> {
    cell.split([',', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}
