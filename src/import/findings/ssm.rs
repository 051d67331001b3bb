//! Systems Manager's patch state: `describe-instance-patches` (one instance, named by the
//! caller) and `list-compliance-items`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::common::{Outcome, blank, required_id, severity, shape_problem, text, time_field};
use super::record::FindingRecord;
use crate::model::{FindingKind, FindingSeverity};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Patch {
    title: Option<String>,
    #[serde(rename = "KBId")]
    kb_id: Option<String>,
    classification: Option<String>,
    severity: Option<String>,
    state: Option<String>,
    installed_time: Option<Value>,
    #[serde(rename = "CVEIds")]
    cve_ids: Option<String>,
}

/// Systems Manager leaves many patches unrated: a blank severity is informational.
fn ssm_severity(word: &Option<String>) -> Result<FindingSeverity, String> {
    match text(word).as_str() {
        "" => Ok(FindingSeverity::Informational),
        word => severity(Some(word)),
    }
}

/// One element of `Patches`, of the instance `asset`.
pub(crate) fn convert_patch(record: usize, value: Value, asset: Option<&str>) -> Outcome {
    let patch = match serde_json::from_value::<Patch>(value) {
        Ok(patch) => patch,
        Err(error) => return Outcome::Problem(shape_problem(&error)),
    };
    let state = text(&patch.state);
    if state.eq_ignore_ascii_case("NotApplicable") {
        return Outcome::Skip;
    }
    from_patch(record, patch, &state, asset.unwrap_or("")).into()
}

fn from_patch(record: usize, p: Patch, state: &str, asset: &str) -> Result<FindingRecord, String> {
    let kb = required_id(&p.kb_id)?;
    let severity = ssm_severity(&p.severity)?;
    let installed = time_field("InstalledTime", &p.installed_time)?.filter(|t| t.timestamp() > 0);
    let mut out = blank(record, FindingKind::Vulnerability, severity);
    match state.to_ascii_lowercase().as_str() {
        "installed" | "installedother" | "installedpendingreboot" => {
            out.fixed_at = Some(
                installed
                    .ok_or_else(|| format!("the patch is {state}, but without InstalledTime"))?,
            );
        }
        "missing" | "failed" | "installedrejected" => {}
        "" => return Err("the patch has no State".to_string()),
        other => return Err(format!("unknown patch state '{other}'")),
    }
    out.source_id = format!("{asset}/{kb}");
    out.title = text(&p.title);
    let cves = text(&p.cve_ids);
    out.description = match (out.title.as_str(), cves.as_str()) {
        (title, "") => title.to_string(),
        ("", cves) => format!("({cves})"),
        (title, cves) => format!("{title} ({cves})"),
    };
    let classification = text(&p.classification);
    if !classification.is_empty() && !out.description.is_empty() {
        out.description = format!("{}; {classification}", out.description);
    }
    out.vulnerability = kb;
    out.resource = asset.to_string();
    out.resource_type = if asset.starts_with("mi-") {
        "ManagedInstance".to_string()
    } else {
        "AwsEc2Instance".to_string()
    };
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Item {
    compliance_type: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<String>,
    id: Option<String>,
    title: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    execution_summary: Option<Execution>,
    details: Option<HashMap<String, Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Execution {
    execution_time: Option<Value>,
}

/// One element of `ComplianceItems`.
pub(crate) fn convert_item(record: usize, value: Value, _asset: Option<&str>) -> Outcome {
    let item = match serde_json::from_value::<Item>(value) {
        Ok(item) => item,
        Err(error) => return Outcome::Problem(shape_problem(&error)),
    };
    let detail = |key: &str| match item.details.as_ref().and_then(|d| d.get(key)) {
        Some(Value::String(s)) => Some(s.trim().to_string()),
        _ => None,
    };
    if detail("PatchState").is_some_and(|s| s.eq_ignore_ascii_case("NotApplicable")) {
        return Outcome::Skip;
    }
    from_item(record, &item).into()
}

fn from_item(record: usize, item: &Item) -> Result<FindingRecord, String> {
    let id = required_id(&item.id)?;
    let resource = text(&item.resource_id);
    if resource.is_empty() {
        return Err("the finding names no resource".to_string());
    }
    let severity = ssm_severity(&item.severity)?;
    let compliant = match text(&item.status).to_ascii_uppercase().as_str() {
        "COMPLIANT" => true,
        "NON_COMPLIANT" => false,
        "" => return Err("the compliance item has no Status".to_string()),
        other => return Err(format!("unknown compliance status '{other}'")),
    };
    let executed = time_field(
        "ExecutionSummary.ExecutionTime",
        &item
            .execution_summary
            .as_ref()
            .and_then(|e| e.execution_time.clone()),
    )?;
    let installed = time_field(
        "Details.InstalledTime",
        &item
            .details
            .as_ref()
            .and_then(|d| d.get("InstalledTime").cloned()),
    )?;
    let compliance_type = text(&item.compliance_type);
    let patch = compliance_type.eq_ignore_ascii_case("Patch");
    let mut out = blank(
        record,
        if patch {
            FindingKind::Vulnerability
        } else {
            FindingKind::Check
        },
        severity,
    );
    if patch {
        out.vulnerability = id.clone();
    } else {
        out.check = id.clone();
        out.passed = Some(compliant);
    }
    out.source_id = format!("{resource}/{compliance_type}/{id}");
    out.title = text(&item.title);
    out.resource = resource;
    out.resource_type = text(&item.resource_type);
    out.last_seen = executed;
    if compliant {
        out.fixed_at = installed.or(executed);
    }
    Ok(out)
}
