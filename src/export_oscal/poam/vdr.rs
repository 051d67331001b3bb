//! `vulnerability-detail-report.json`: FedRAMP's vulnerability detail report (rule
//! VER-RPT-VDT of the consolidated rules 2026) for a period.
//!
//! It lists the vulnerabilities with activity in the period (detected by its end, and not
//! closed before it began) that are not accepted vulnerabilities: a vulnerability with a
//! signed-off operational requirement, or one still open more than 192 days after its
//! detection (VER-TFR-MAV), is accepted and belongs in the accepted-vulnerability report
//! instead. Internet reachability and likely exploitability are a person's evaluation,
//! which the tools cannot give: a vulnerability still active at the period's end without
//! them refuses the report, naming each, rather than guessing.

use chrono::{Datelike as _, Days, NaiveDate};
use serde::Serialize;

use super::items::risk_word;
use crate::model::{DeviationKind, DeviationState, FindingKind, FindingState, stamp};
use crate::snapshot::PackData;
use crate::store::Finding;

/// The report's file name.
pub const VDR_FILE: &str = "vulnerability-detail-report.json";
/// Days after detection past which a vulnerability not fixed is an accepted one.
pub const ACCEPTED_AFTER_DAYS: u64 = 192;

/// The days a report covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportPeriod {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl ReportPeriod {
    /// The calendar month before the one `today` is in.
    pub fn last_month(today: NaiveDate) -> Self {
        let first_of_this = today.with_day0(0).unwrap_or(today);
        let to = first_of_this.pred_opt().unwrap_or(first_of_this);
        let from = to.with_day0(0).unwrap_or(to);
        ReportPeriod { from, to }
    }
}

/// A vulnerability the report needs a person's evaluation of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFacts {
    /// The finding (`F-12`).
    pub finding: String,
    /// What is missing: `internet-reachable`, `likely-exploitable`.
    pub missing: Vec<&'static str>,
}

/// Why the report was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VdrRefusal {
    /// The project has no authorization package URI yet.
    NoPackageUri,
    /// Vulnerabilities active at the period's end lack a person's evaluation.
    MissingFacts(Vec<MissingFacts>),
    /// The report could not be turned into JSON.
    Json(String),
}

impl std::fmt::Display for VdrRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VdrRefusal::NoPackageUri => f.write_str(
                "the vulnerability detail report names the authorization package, and this project has no package URI yet: give it once with --package-uri",
            ),
            VdrRefusal::MissingFacts(missing) => {
                let shown: Vec<String> = missing
                    .iter()
                    .take(5)
                    .map(|m| format!("{} ({})", m.finding, m.missing.join(", ")))
                    .collect();
                write!(
                    f,
                    "{} vulnerabilit{} still open need{} a person's evaluation before FedRAMP's report can say it: {}{}; set it with `lockstep finding set --internet-reachable yes|no --likely-exploitable yes|no`",
                    missing.len(),
                    if missing.len() == 1 { "y" } else { "ies" },
                    if missing.len() == 1 { "s" } else { "" },
                    shown.join(", "),
                    if missing.len() > shown.len() { ", …" } else { "" }
                )
            }
            VdrRefusal::Json(why) => write!(f, "cannot write the report as JSON: {why}"),
        }
    }
}

/// What a written report holds, in counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VdrCounts {
    /// Vulnerabilities listed.
    pub vulnerabilities: usize,
    /// Of those, overdue at the period's end.
    pub overdue: usize,
    /// Accepted vulnerabilities left out.
    pub accepted: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    certification_package_overview_uri: String,
    report_period: Period,
    vulnerabilities: Vec<Detail>,
}

#[derive(Serialize)]
struct Period {
    from: String,
    to: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    provider_tracking_id: String,
    detection: Detection,
    vulnerability_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_internet_reachable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_likely_exploitable: Option<bool>,
    overdue_status: Overdue,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplementary_risk_information: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_disposition: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Detection {
    detected_at: String,
    detection_source: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Overdue {
    is_overdue: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
}

/// Whether a vulnerability is an accepted one at the period's end.
fn is_accepted(finding: &Finding, active_at_end: bool, to: NaiveDate) -> bool {
    let approved_requirement = finding.deviation.as_ref().is_some_and(|d| {
        d.kind == DeviationKind::OperationalRequirement && d.state == DeviationState::Approved
    });
    let detected = finding.first_seen.date_naive();
    let too_long = detected
        .checked_add_days(Days::new(ACCEPTED_AFTER_DAYS))
        .is_some_and(|limit| to > limit);
    approved_requirement || (active_at_end && too_long)
}

/// The report's bytes and counts, or why it cannot be written.
pub fn vdr_bytes(
    data: &PackData,
    period: ReportPeriod,
) -> Result<(Vec<u8>, VdrCounts), VdrRefusal> {
    if data.package_uri.trim().is_empty() {
        return Err(VdrRefusal::NoPackageUri);
    }
    let mut details = Vec::new();
    let mut missing = Vec::new();
    let mut counts = VdrCounts {
        vulnerabilities: 0,
        overdue: 0,
        accepted: 0,
    };
    let mut findings: Vec<&Finding> = data
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Vulnerability)
        .collect();
    findings.sort_by_key(|f| f.key);
    for finding in findings {
        let detected = finding.first_seen.date_naive();
        let closed_by_end = finding.closed_on.filter(|day| *day <= period.to);
        if detected > period.to || closed_by_end.is_some_and(|day| day < period.from) {
            continue;
        }
        let false_positive = finding.state == FindingState::FalsePositive;
        let active_at_end = closed_by_end.is_none() && !false_positive;
        if is_accepted(finding, active_at_end, period.to) {
            counts.accepted += 1;
            continue;
        }
        if active_at_end {
            let mut lacking = Vec::new();
            if finding.internet_reachable.is_none() {
                lacking.push("internet-reachable");
            }
            if finding.likely_exploitable.is_none() {
                lacking.push("likely-exploitable");
            }
            if !lacking.is_empty() {
                missing.push(MissingFacts {
                    finding: finding.id.clone(),
                    missing: lacking,
                });
                continue;
            }
        }
        let overdue = active_at_end && finding.deadline.is_some_and(|d| period.to > d);
        counts.vulnerabilities += 1;
        counts.overdue += usize::from(overdue);
        details.push(detail(finding, overdue, closed_by_end));
    }
    if !missing.is_empty() {
        return Err(VdrRefusal::MissingFacts(missing));
    }
    let report = Report {
        certification_package_overview_uri: data.package_uri.trim().to_string(),
        report_period: Period {
            from: format!("{}T00:00:00Z", period.from),
            to: format!("{}T23:59:59Z", period.to),
        },
        vulnerabilities: details,
    };
    let mut bytes =
        serde_json::to_vec_pretty(&report).map_err(|e| VdrRefusal::Json(e.to_string()))?;
    bytes.push(b'\n');
    Ok((bytes, counts))
}

fn detail(finding: &Finding, overdue: bool, closed_by_end: Option<NaiveDate>) -> Detail {
    let mut description = String::new();
    if !finding.vulnerability.is_empty() && !finding.title.contains(&finding.vulnerability) {
        description.push_str(&finding.vulnerability);
        description.push_str(": ");
    }
    description.push_str(&finding.title);
    if !finding.package.is_empty() {
        description.push_str(&format!(" (package {}", finding.package));
        if !finding.fixed_in.is_empty() {
            description.push_str(&format!(", fixed in {}", finding.fixed_in));
        }
        description.push(')');
    }
    if !finding.resource.is_empty() {
        description.push_str(&format!(" on {}", finding.resource));
    }
    let mut notes: Vec<String> = Vec::new();
    notes.push(format!(
        "Severity {} ({}).",
        risk_word(finding.effective_severity),
        finding.source.label()
    ));
    if let Some(d) = &finding.deviation {
        notes.push(format!(
            "{} {}: {}",
            d.kind.label(),
            d.state.as_str(),
            d.rationale
        ));
    }
    for m in &finding.milestones {
        notes.push(format!("Planned by {}: {}", m.due, m.text));
    }
    let final_disposition = if finding.state == FindingState::FalsePositive {
        Some("False Positive")
    } else if closed_by_end.is_some() {
        Some("Fully Mitigated")
    } else {
        None
    };
    Detail {
        provider_tracking_id: format!("V-{}", finding.key),
        detection: Detection {
            detected_at: stamp(&finding.first_seen),
            detection_source: finding.source.label(),
        },
        vulnerability_description: description,
        is_internet_reachable: finding.internet_reachable,
        is_likely_exploitable: finding.likely_exploitable,
        overdue_status: Overdue {
            is_overdue: overdue,
            explanation: match (overdue, finding.deadline) {
                (true, Some(deadline)) => Some(format!(
                    "Past its deadline of {deadline} for a {} vulnerability.",
                    finding.effective_severity.label().to_lowercase()
                )),
                _ => None,
            },
        },
        supplementary_risk_information: Some(notes.join(" ")),
        final_disposition,
    }
}
