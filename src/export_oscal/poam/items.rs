//! The weaknesses a POA&M lists, worked out once from the pack's snapshot and read by the
//! three writers.
//!
//! One item per weakness: each vulnerability of AWS's tools with a deadline (`V-<n>`, the
//! finding's own number), each control with failing Security Hub checks (`C-<control>`, all
//! its failing checks as observations), each failing check that names no control of the
//! project (`V-<n>`), and each control past its due date and not implemented
//! (`D-<control>`). The ids come from what the weakness is, never from its place in a list,
//! so an item keeps its POAM ID from one export to the next. A vulnerability that is fixed,
//! no longer reported or an approved false positive moves to the closed items, and so does
//! a control whose checks all pass (or are no longer reported) after one failed.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::model::{
    Control, DeviationKind, DeviationState, FindingKind, FindingSeverity, FindingState, NistIndex,
    Status, nist_id,
};
use crate::snapshot::PackData;
use crate::store::{Deviation, Finding, Milestone};

/// The NIST controls a vulnerability weighs on: flaw remediation and vulnerability scanning.
const VULNERABILITY_NIST: [&str; 2] = ["RA-5", "SI-2"];

/// What kind of weakness an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A vulnerability (or a check naming no control of the project) from AWS's tools.
    Finding,
    /// A control of the project with failing Security Hub checks.
    FailingChecks,
    /// A control past its due date and not implemented.
    Overdue,
}

/// Where an item's risk stands, in OSCAL's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskStatus {
    /// Still to be dealt with.
    Open,
    /// A deviation is asked for and not yet signed off.
    DeviationRequested,
    /// A signed-off deviation (operational requirement or risk adjustment) applies.
    DeviationApproved,
    /// Fixed, no longer reported, or a signed-off false positive.
    Closed,
}

impl RiskStatus {
    /// OSCAL's token.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskStatus::Open => "open",
            RiskStatus::DeviationRequested => "deviation-requested",
            RiskStatus::DeviationApproved => "deviation-approved",
            RiskStatus::Closed => "closed",
        }
    }
}

/// One weakness of the POA&M.
#[derive(Debug, Clone)]
pub struct PoamItem<'a> {
    /// Its POAM ID, stable across exports.
    pub poam_id: String,
    /// What kind of weakness it is.
    pub kind: ItemKind,
    /// Whether it is still open (on the open sheet).
    pub open: bool,
    /// Weakness name.
    pub name: String,
    /// Weakness description.
    pub description: String,
    /// The tool (or review) that found it.
    pub detector: String,
    /// The tool's ids of the records behind it.
    pub source_ids: Vec<String>,
    /// The resources it concerns.
    pub assets: Vec<String>,
    /// The NIST SP 800-53 ids it weighs on (`AC-2(1)`).
    pub nist: Vec<String>,
    /// The project's controls it weighs on.
    pub controls: Vec<String>,
    /// Who answers for it.
    pub contact: String,
    /// What fixes it.
    pub plan: String,
    /// When it was first detected.
    pub detected: DateTime<Utc>,
    /// When it is to be fixed by.
    pub scheduled: Option<NaiveDate>,
    /// When it was closed, for a closed item.
    pub closed_on: Option<NaiveDate>,
    /// The planned steps, by due date.
    pub milestones: Vec<&'a Milestone>,
    /// The day its status was last known.
    pub status_date: NaiveDate,
    /// The severity the tool gave it, if a tool found it.
    pub original_risk: Option<FindingSeverity>,
    /// The severity an approved risk adjustment gives it.
    pub adjusted_risk: Option<FindingSeverity>,
    /// The deviation asked for, if any.
    pub deviation: Option<&'a Deviation>,
    /// Where its risk stands.
    pub risk_status: RiskStatus,
    /// The findings behind it (its observations).
    pub findings: Vec<&'a Finding>,
    /// A line about its state.
    pub comments: String,
}

/// FedRAMP's word for a risk rating: Critical, High, Moderate, Low.
pub fn risk_word(severity: FindingSeverity) -> &'static str {
    match severity {
        FindingSeverity::Critical => "Critical",
        FindingSeverity::High => "High",
        FindingSeverity::Medium => "Moderate",
        FindingSeverity::Low | FindingSeverity::Informational => "Low",
    }
}

/// Every item of the POA&M as of the snapshot's date: open ones first (most urgent first,
/// then by POAM ID), then closed ones by POAM ID.
pub fn poam_items(data: &PackData) -> Vec<PoamItem<'_>> {
    let index = NistIndex::new(data.controls.iter().map(|c| {
        (
            c.control.id.as_str(),
            c.control.nist.iter().map(String::as_str),
        )
    }));
    let owners: BTreeMap<&str, &Control> = data
        .controls
        .iter()
        .map(|c| (c.control.id.as_str(), &c.control))
        .collect();
    let fallback_contact = data.generated_by.as_str();
    let mut items = Vec::new();
    // Per control, its failing checks, and its checks that failed once and no longer do.
    let mut failing_by_control: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut fixed_by_control: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &data.findings {
        if finding.kind == FindingKind::Check {
            let failing = finding.is_failing_check();
            if !failing && !finding.has_failed {
                // A check that has only ever passed is no weakness.
                continue;
            }
            let named = check_controls(finding, &index);
            if !named.is_empty() {
                let by_control = if failing {
                    &mut failing_by_control
                } else {
                    &mut fixed_by_control
                };
                for control in named {
                    if let Some((id, _)) = owners.get_key_value(control.as_str()) {
                        by_control.entry(id).or_default().push(finding);
                    }
                }
                continue;
            }
        } else if finding.deadline.is_none() {
            // Informational: outside the deadlines and the POA&M.
            continue;
        }
        items.push(finding_item(
            finding,
            &index,
            &owners,
            fallback_contact,
            data,
        ));
    }
    for (control, fixed) in fixed_by_control {
        if !failing_by_control.contains_key(control) {
            items.push(checks_item(
                owners[control],
                fixed,
                false,
                data,
                fallback_contact,
            ));
        }
    }
    for (control, findings) in failing_by_control {
        items.push(checks_item(
            owners[control],
            findings,
            true,
            data,
            fallback_contact,
        ));
    }
    for pack_control in &data.controls {
        let control = &pack_control.control;
        if pack_control.overdue && control.status != Status::Implemented {
            items.push(overdue_item(control, data, fallback_contact));
        }
    }
    items.sort_by(|a, b| (!a.open, urgency(a), &a.poam_id).cmp(&(!b.open, urgency(b), &b.poam_id)));
    items
}

/// An item's sort weight: its effective severity, most urgent first.
fn urgency(item: &PoamItem<'_>) -> FindingSeverity {
    item.adjusted_risk
        .or(item.original_risk)
        .unwrap_or(FindingSeverity::Medium)
}

/// The project's controls a check names.
fn check_controls(finding: &Finding, index: &NistIndex) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for nist in &finding.controls {
        for control in index.named(nist) {
            if !named.contains(control) {
                named.push(control.clone());
            }
        }
    }
    named
}

/// The contact for a weakness on these controls: the first owner named, else the preparer.
fn contact_of<'c>(
    controls: impl IntoIterator<Item = &'c str>,
    owners: &BTreeMap<&str, &'c Control>,
    fallback: &str,
) -> String {
    controls
        .into_iter()
        .filter_map(|id| owners.get(id))
        .map(|c| c.owner.trim())
        .find(|owner| !owner.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

fn finding_item<'a>(
    finding: &'a Finding,
    index: &NistIndex,
    owners: &BTreeMap<&str, &Control>,
    fallback_contact: &str,
    data: &PackData,
) -> PoamItem<'a> {
    let nist: Vec<String> = if finding.kind == FindingKind::Check {
        finding.controls.clone()
    } else {
        VULNERABILITY_NIST.map(str::to_string).to_vec()
    };
    let mut controls: Vec<String> = Vec::new();
    for id in &nist {
        for control in index.named(id) {
            if !controls.contains(control) {
                controls.push(control.clone());
            }
        }
    }
    let deviation = finding.deviation.as_ref();
    let approved = |kind: DeviationKind| {
        deviation.is_some_and(|d| d.kind == kind && d.state == DeviationState::Approved)
    };
    let open = finding.state.is_open();
    let risk_status = match (finding.state, deviation) {
        (FindingState::Closed | FindingState::FalsePositive, _) => RiskStatus::Closed,
        (_, Some(d)) if d.state == DeviationState::Requested => RiskStatus::DeviationRequested,
        (_, Some(_)) => RiskStatus::DeviationApproved,
        (_, None) => RiskStatus::Open,
    };
    let closed_on = closed_on_of(finding, data);
    let plan = remediation_plan(finding);
    let name = if finding.vulnerability.is_empty() || finding.title.contains(&finding.vulnerability)
    {
        finding.title.clone()
    } else {
        format!("{} – {}", finding.vulnerability, finding.title)
    };
    PoamItem {
        poam_id: format!("V-{}", finding.key),
        kind: ItemKind::Finding,
        open,
        name,
        description: if finding.description.trim().is_empty() {
            finding.title.clone()
        } else {
            finding.description.clone()
        },
        detector: finding.source.label().to_string(),
        source_ids: vec![finding.source_id.clone()],
        assets: non_empty(&finding.resource),
        contact: contact_of(
            controls.iter().map(String::as_str),
            owners,
            fallback_contact,
        ),
        nist,
        controls,
        plan,
        detected: finding.first_seen,
        scheduled: finding.deadline,
        closed_on,
        milestones: finding.milestones.iter().collect(),
        status_date: closed_on.unwrap_or(data.as_of),
        original_risk: Some(finding.severity),
        adjusted_risk: approved(DeviationKind::RiskAdjustment)
            .then_some(finding.effective_severity),
        deviation,
        risk_status,
        findings: vec![finding],
        comments: format!(
            "{} is {}.",
            finding.id,
            finding.state.label().to_lowercase()
        ),
    }
}

/// What fixes a finding, in words.
fn remediation_plan(finding: &Finding) -> String {
    if finding.kind == FindingKind::Check {
        format!(
            "Bring the resource into line with Security Hub control {}.",
            finding.check
        )
    } else if !finding.fixed_in.is_empty() && !finding.package.is_empty() {
        format!(
            "Update {} to {} or later.",
            finding.package, finding.fixed_in
        )
    } else if !finding.vulnerability.is_empty() {
        format!("Apply the vendor's fix for {}.", finding.vulnerability)
    } else {
        "Apply the vendor's fix.".to_string()
    }
}

/// The day a finding's item closed: its closing, or the approval of its false positive.
fn closed_on_of(finding: &Finding, data: &PackData) -> Option<NaiveDate> {
    match finding.state {
        FindingState::Closed => finding.closed_on,
        FindingState::FalsePositive => finding
            .deviation
            .as_ref()
            .and_then(|d| d.approved_at)
            .map(|at| at.date_naive())
            .or(Some(data.as_of)),
        _ => None,
    }
}

fn non_empty(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        vec![]
    } else {
        vec![text.to_string()]
    }
}

/// The item of a control's failing checks (`open`), or of its checks that failed and now
/// pass or are no longer reported (closed).
fn checks_item<'a>(
    control: &Control,
    findings: Vec<&'a Finding>,
    open: bool,
    data: &PackData,
    fallback_contact: &str,
) -> PoamItem<'a> {
    let distinct = |field: fn(&Finding) -> &String| {
        let mut values: Vec<String> = Vec::new();
        for value in findings.iter().map(|f| field(f)) {
            if !value.is_empty() && !values.contains(value) {
                values.push(value.clone());
            }
        }
        values
    };
    let assets = distinct(|f| &f.resource);
    let checks = distinct(|f| &f.check);
    let source_ids = distinct(|f| &f.source_id);
    // The NIST ids the checks name are the weakness's impacted controls.
    let mut nist: Vec<String> = Vec::new();
    for id in findings.iter().flat_map(|f| f.controls.iter()) {
        if !nist.contains(id) {
            nist.push(id.clone());
        }
    }
    let worst = findings.iter().map(|f| f.effective_severity).min();
    let detected = findings
        .iter()
        .map(|f| f.first_seen)
        .min()
        .unwrap_or_else(|| start_of(data.as_of));
    let scheduled = findings.iter().filter_map(|f| f.deadline).min();
    let closed_on = if open {
        None
    } else {
        Some(
            findings
                .iter()
                .filter_map(|f| f.closed_on)
                .max()
                .unwrap_or(data.as_of),
        )
    };
    let (description, plan) = checks_text(control, findings.len(), &checks, open);
    PoamItem {
        poam_id: format!("C-{}", control.id),
        kind: ItemKind::FailingChecks,
        open,
        name: format!("{}: failing Security Hub checks", control.title),
        description,
        detector: findings
            .first()
            .map(|f| f.source.label())
            .unwrap_or("AWS Security Hub")
            .to_string(),
        source_ids,
        assets,
        nist,
        controls: vec![control.id.clone()],
        contact: owner_or(control, fallback_contact),
        plan,
        detected,
        scheduled,
        closed_on,
        milestones: findings.iter().flat_map(|f| f.milestones.iter()).collect(),
        status_date: closed_on.unwrap_or(data.as_of),
        original_risk: worst,
        adjusted_risk: None,
        deviation: None,
        risk_status: if open {
            RiskStatus::Open
        } else {
            RiskStatus::Closed
        },
        findings,
        comments: String::new(),
    }
}

/// The description and remediation plan of a control's checks item.
fn checks_text(control: &Control, count: usize, checks: &[String], open: bool) -> (String, String) {
    let description = format!(
        "{count} {}Security Hub check{} on {} ({}): {}{}",
        if open { "failing " } else { "" },
        if count == 1 { "" } else { "s" },
        control.id,
        control.title,
        checks.join(", "),
        if open {
            ""
        } else {
            "; each failed, and now passes or is no longer reported"
        }
    );
    let plan = format!(
        "Bring the resources into line with Security Hub control{} {}.",
        if checks.len() == 1 { "" } else { "s" },
        checks.join(", ")
    );
    (description, plan)
}

fn overdue_item<'a>(control: &Control, data: &PackData, fallback_contact: &str) -> PoamItem<'a> {
    let due = control.due.unwrap_or(data.as_of);
    let work = if control.customer_part.trim().is_empty() {
        control.description.trim()
    } else {
        control.customer_part.trim()
    };
    PoamItem {
        poam_id: format!("D-{}", control.id),
        kind: ItemKind::Overdue,
        open: true,
        name: format!("{}: not implemented by its due date", control.title),
        description: format!(
            "{} ({}) was due on {due} and is {}.",
            control.id,
            control.title,
            control.status.label().to_lowercase()
        ),
        detector: "Lockstep control review".to_string(),
        source_ids: vec![control.id.clone()],
        assets: vec![],
        nist: control.nist.iter().filter_map(|id| nist_id(id)).collect(),
        controls: vec![control.id.clone()],
        contact: owner_or(control, fallback_contact),
        plan: if work.is_empty() {
            format!("Implement {}.", control.id)
        } else {
            format!("Implement {}: {work}", control.id)
        },
        detected: start_of(due.checked_add_days(Days::new(1)).unwrap_or(due)),
        scheduled: Some(due),
        closed_on: None,
        milestones: vec![],
        status_date: data.as_of,
        original_risk: None,
        adjusted_risk: None,
        deviation: None,
        risk_status: RiskStatus::Open,
        findings: vec![],
        comments: format!("Status: {}.", control.status.label()),
    }
}

/// A control's owner, or `fallback` when it has none.
fn owner_or(control: &Control, fallback: &str) -> String {
    let owner = control.owner.trim();
    if owner.is_empty() { fallback } else { owner }.to_string()
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}
