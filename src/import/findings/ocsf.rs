//! Security Hub's findings in OCSF: Vulnerability Findings (class 2002) and Compliance
//! Findings (class 2003).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::common::{
    Outcome, blank, from_epoch_seconds, nist_controls, required_id, set_packages, severity,
    shape_problem, text, time_field,
};
use super::record::FindingRecord;
use crate::model::{FindingKind, FindingSeverity};

#[derive(Deserialize)]
struct Finding {
    class_uid: Option<Value>,
    finding_info: Option<Info>,
    cloud: Option<Cloud>,
    severity: Option<String>,
    severity_id: Option<i64>,
    status: Option<String>,
    status_id: Option<i64>,
    resources: Option<Vec<Resource>>,
    vulnerabilities: Option<Vec<Vulnerability>>,
    compliance: Option<Compliance>,
}

#[derive(Deserialize)]
struct Info {
    uid: Option<String>,
    title: Option<String>,
    desc: Option<String>,
    first_seen_time_dt: Option<Value>,
    first_seen_time: Option<f64>,
    last_seen_time_dt: Option<Value>,
    last_seen_time: Option<f64>,
    modified_time_dt: Option<Value>,
    modified_time: Option<f64>,
}

#[derive(Deserialize)]
struct Cloud {
    account: Option<Account>,
}

#[derive(Deserialize)]
struct Account {
    uid: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    uid: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Vulnerability {
    cve: Option<Cve>,
    title: Option<String>,
    affected_packages: Option<Vec<Package>>,
    fix_available: Option<bool>,
}

#[derive(Deserialize)]
struct Cve {
    uid: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    fixed_in_version: Option<String>,
}

#[derive(Deserialize)]
struct Compliance {
    control: Option<String>,
    status: Option<String>,
    status_id: Option<i64>,
    requirements: Option<Vec<String>>,
}

/// One OCSF record.
pub(crate) fn convert(record: usize, value: Value, _asset: Option<&str>) -> Outcome {
    if !value.is_object() {
        return Outcome::Problem("the record is not a JSON object".to_string());
    }
    match serde_json::from_value::<Finding>(value) {
        Ok(finding) => from_finding(record, finding).into(),
        Err(error) => Outcome::Problem(shape_problem(&error)),
    }
}

/// OCSF's `severity_id`.
fn severity_of_id(id: i64) -> FindingSeverity {
    match id {
        2 => FindingSeverity::Low,
        3 => FindingSeverity::Medium,
        4 => FindingSeverity::High,
        5 | 6 => FindingSeverity::Critical,
        _ => FindingSeverity::Informational,
    }
}

/// A `*_dt` text time, or else the epoch milliseconds beside it.
fn time(
    field: &str,
    text_time: &Option<Value>,
    millis: Option<f64>,
) -> Result<Option<DateTime<Utc>>, String> {
    match time_field(field, text_time)? {
        Some(time) => Ok(Some(time)),
        None => match millis.and_then(|ms| from_epoch_seconds(ms / 1000.0)) {
            Some(time) if !super::common::plausible(&time) => Err(format!(
                "{field} (epoch milliseconds) is outside the years {} to {}",
                super::common::PLAUSIBLE_YEARS.start(),
                super::common::PLAUSIBLE_YEARS.end()
            )),
            time => Ok(time),
        },
    }
}

/// Fills a vulnerability's id (its CVE, or else its title), packages and fix.
fn fill_vulnerability(out: &mut FindingRecord, vulns: &[Vulnerability]) {
    out.vulnerability = vulns
        .first()
        .map(|v| {
            let cve = text(&v.cve.as_ref().and_then(|c| c.uid.clone()));
            if cve.is_empty() { text(&v.title) } else { cve }
        })
        .unwrap_or_default();
    let packages: Vec<[&Option<String>; 3]> = vulns
        .iter()
        .flat_map(|v| v.affected_packages.iter().flatten())
        .map(|p| [&p.name, &p.version, &p.fixed_in_version])
        .collect();
    set_packages(out, &packages);
    out.fix_available = if vulns.iter().any(|v| v.fix_available == Some(true)) {
        Some(true)
    } else if vulns.iter().any(|v| v.fix_available == Some(false)) {
        Some(false)
    } else {
        None
    };
}

/// Fills a compliance check's control id, result and NIST controls.
fn fill_check(out: &mut FindingRecord, compliance: Option<&Compliance>) -> Result<(), String> {
    let compliance =
        compliance.ok_or_else(|| "the compliance finding has no compliance object".to_string())?;
    let passed = match (&compliance.status, compliance.status_id) {
        (Some(word), _) if !word.trim().is_empty() => {
            match word.trim().to_ascii_lowercase().as_str() {
                "pass" | "passed" => true,
                "fail" | "failed" | "warning" => false,
                other => return Err(format!("unknown compliance status '{other}'")),
            }
        }
        (_, Some(1)) => true,
        (_, Some(2 | 3)) => false,
        _ => return Err("the compliance check has no status".to_string()),
    };
    out.check = text(&compliance.control);
    if out.check.is_empty() {
        return Err("the compliance check has no control id".to_string());
    }
    out.passed = Some(passed);
    out.controls = nist_controls(compliance.requirements.iter().flatten().map(String::as_str));
    Ok(())
}

fn from_finding(record: usize, f: Finding) -> Result<FindingRecord, String> {
    let class = match &f.class_uid {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let kind = match class {
        Some(2002) => FindingKind::Vulnerability,
        Some(2003) => FindingKind::Check,
        Some(other) => {
            return Err(format!(
                "OCSF class {other} is neither a vulnerability (2002) nor a compliance (2003) finding"
            ));
        }
        None => return Err("the record has no OCSF class_uid".to_string()),
    };
    let info = f
        .finding_info
        .as_ref()
        .ok_or_else(|| "the finding has no id".to_string())?;
    let source_id = required_id(&info.uid)?;
    let severity = match (&f.severity, f.severity_id) {
        (Some(word), _) if !word.trim().is_empty() => severity(Some(word))?,
        (_, Some(id)) => severity_of_id(id),
        _ => return Err("the finding has no severity".to_string()),
    };
    let resource = f
        .resources
        .as_ref()
        .and_then(|r| r.first())
        .filter(|r| !text(&r.uid).is_empty())
        .ok_or_else(|| "the finding names no resource".to_string())?;
    let first_seen = time(
        "finding_info.first_seen_time_dt",
        &info.first_seen_time_dt,
        info.first_seen_time,
    )?;
    let last_seen = time(
        "finding_info.last_seen_time_dt",
        &info.last_seen_time_dt,
        info.last_seen_time,
    )?;
    let modified = time(
        "finding_info.modified_time_dt",
        &info.modified_time_dt,
        info.modified_time,
    )?;
    let resolved = match (&f.status, f.status_id) {
        (Some(word), _) if !word.trim().is_empty() => word.trim().eq_ignore_ascii_case("Resolved"),
        (_, Some(id)) => id == 4,
        _ => false,
    };
    let mut out = blank(record, kind, severity);
    match kind {
        FindingKind::Vulnerability => {
            fill_vulnerability(&mut out, f.vulnerabilities.as_deref().unwrap_or(&[]));
        }
        FindingKind::Check => fill_check(&mut out, f.compliance.as_ref())?,
    }
    out.source_id = source_id;
    out.account = text(&f.cloud.and_then(|c| c.account).and_then(|a| a.uid));
    out.title = text(&info.title);
    out.description = text(&info.desc);
    out.resource = text(&resource.uid);
    out.resource_type = text(&resource.kind);
    out.first_seen = first_seen;
    out.last_seen = last_seen.or(modified);
    if resolved {
        out.fixed_at = modified.or(last_seen);
    }
    Ok(out)
}
