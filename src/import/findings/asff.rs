//! Security Hub's findings in the AWS Security Finding Format (`get-findings`).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::common::{
    Outcome, blank, nist_controls, required_id, set_packages, severity, shape_problem, text,
    text_time_field,
};
use super::record::FindingRecord;
use crate::model::{FindingKind, FindingSeverity};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Finding {
    id: Option<String>,
    aws_account_id: Option<String>,
    generator_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    severity: Option<Severity>,
    first_observed_at: Option<String>,
    last_observed_at: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    resources: Option<Vec<Resource>>,
    compliance: Option<Compliance>,
    workflow: Option<Workflow>,
    record_state: Option<String>,
    vulnerabilities: Option<Vec<Vulnerability>>,
    product_fields: Option<HashMap<String, Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Severity {
    label: Option<String>,
    normalized: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    id: Option<String>,
    #[serde(rename = "Type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Compliance {
    status: Option<String>,
    security_control_id: Option<String>,
    related_requirements: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Workflow {
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vulnerability {
    id: Option<String>,
    vulnerable_packages: Option<Vec<Package>>,
    fix_available: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Package {
    name: Option<String>,
    version: Option<String>,
    fixed_in_version: Option<String>,
}

/// One element of `Findings`.
pub(crate) fn convert(record: usize, value: Value, _asset: Option<&str>) -> Outcome {
    match serde_json::from_value::<Finding>(value) {
        Ok(finding) => from_finding(record, finding).into(),
        Err(error) => Outcome::Problem(shape_problem(&error)),
    }
}

/// Security Hub's normalized severity (0–100), for findings written before labels.
fn normalized(score: f64) -> FindingSeverity {
    match score {
        s if s >= 90.0 => FindingSeverity::Critical,
        s if s >= 70.0 => FindingSeverity::High,
        s if s >= 40.0 => FindingSeverity::Medium,
        s if s >= 1.0 => FindingSeverity::Low,
        _ => FindingSeverity::Informational,
    }
}

/// The finding's severity: its label, or else its normalized score.
fn finding_severity(f: &Finding) -> Result<FindingSeverity, String> {
    match &f.severity {
        Some(Severity {
            label: Some(label), ..
        }) if !label.trim().is_empty() => severity(Some(label)),
        Some(Severity {
            normalized: Some(score),
            ..
        }) => Ok(normalized(*score)),
        _ => Err("the finding has no severity".to_string()),
    }
}

/// A compliance check's record: passed or not, its control id, and the NIST controls its
/// related requirements name.
fn compliance_record(
    record: usize,
    f: &Finding,
    compliance: &Compliance,
    severity: FindingSeverity,
) -> Result<FindingRecord, String> {
    let status = text(&compliance.status).to_ascii_uppercase();
    let passed = match status.as_str() {
        "PASSED" => true,
        "FAILED" | "WARNING" => false,
        "NOT_AVAILABLE" => {
            return Err("compliance status NOT_AVAILABLE: the check could not run".to_string());
        }
        "" => return Err("the compliance check has no status".to_string()),
        other => return Err(format!("unknown compliance status '{other}'")),
    };
    let control_id = text(
        &f.product_fields
            .as_ref()
            .and_then(|p| match p.get("ControlId") {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            }),
    );
    let generator_tail = text(&f.generator_id)
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let check = [
        text(&compliance.security_control_id),
        control_id,
        generator_tail,
    ]
    .into_iter()
    .find(|c| !c.is_empty())
    .ok_or_else(|| "the compliance check has no control id".to_string())?;
    let mut out = blank(record, FindingKind::Check, severity);
    out.check = check;
    out.passed = Some(passed);
    out.controls = nist_controls(
        compliance
            .related_requirements
            .iter()
            .flatten()
            .map(String::as_str),
    );
    Ok(out)
}

/// A vulnerability's record: its id, the packages it is in, and whether a fix exists.
fn vulnerability_record(
    record: usize,
    vulns: &[Vulnerability],
    severity: FindingSeverity,
) -> FindingRecord {
    let mut out = blank(record, FindingKind::Vulnerability, severity);
    out.vulnerability = vulns
        .iter()
        .map(|v| text(&v.id))
        .find(|id| !id.is_empty())
        .unwrap_or_default();
    let packages: Vec<[&Option<String>; 3]> = vulns
        .iter()
        .flat_map(|v| v.vulnerable_packages.iter().flatten())
        .map(|p| [&p.name, &p.version, &p.fixed_in_version])
        .collect();
    set_packages(&mut out, &packages);
    let fixes: Vec<String> = vulns
        .iter()
        .map(|v| text(&v.fix_available).to_ascii_uppercase())
        .collect();
    out.fix_available = if fixes.iter().any(|f| f == "YES" || f == "PARTIAL") {
        Some(true)
    } else if fixes.iter().any(|f| f == "NO") {
        Some(false)
    } else {
        None
    };
    out
}

fn from_finding(record: usize, f: Finding) -> Result<FindingRecord, String> {
    let source_id = required_id(&f.id)?;
    let severity = finding_severity(&f)?;
    let resource = f
        .resources
        .as_ref()
        .and_then(|r| r.first())
        .filter(|r| !text(&r.id).is_empty())
        .ok_or_else(|| "the finding names no resource".to_string())?;
    let first_observed = text_time_field("FirstObservedAt", &f.first_observed_at)?;
    let created = text_time_field("CreatedAt", &f.created_at)?;
    let last_observed = text_time_field("LastObservedAt", &f.last_observed_at)?;
    let updated = text_time_field("UpdatedAt", &f.updated_at)?;
    let closed = f
        .record_state
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("ARCHIVED"))
        || f.workflow
            .as_ref()
            .and_then(|w| w.status.as_deref())
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("RESOLVED"));
    let mut out = if let Some(compliance) = &f.compliance {
        compliance_record(record, &f, compliance, severity)?
    } else if let Some(vulns) = f.vulnerabilities.as_ref().filter(|v| !v.is_empty()) {
        vulnerability_record(record, vulns, severity)
    } else {
        return Err(
            "the finding is neither a vulnerability nor a compliance check, so it is not imported"
                .to_string(),
        );
    };
    out.source_id = source_id;
    out.account = text(&f.aws_account_id);
    out.title = text(&f.title);
    out.description = text(&f.description);
    out.resource = text(&resource.id);
    out.resource_type = text(&resource.kind);
    out.first_seen = first_observed.or(created);
    out.last_seen = last_observed.or(updated);
    if closed {
        out.fixed_at = updated.or(out.last_seen);
    }
    Ok(out)
}
