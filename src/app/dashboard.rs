//! What the dashboard shows, computed from the state the window already holds: counts for
//! its charts and the list of what needs attention, each item pointing at where it is fixed.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::board::EvidenceSummary;
use super::requests::short;
use crate::model::{Column, Control, PatchState, Status, TrainingState};
use crate::store::Request;

/// Where an attention item is fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A control on the board: select it.
    Control(String),
    /// The training view.
    Training,
    /// The patches view.
    Patches,
    /// The AWS reports view.
    AwsReports,
    /// A request in the Requests view: select it.
    Request(String),
}

/// Why an item needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Concern {
    /// A control past its due date.
    OverdueControl,
    /// A request of the auditor's list past its due date and not yet submitted.
    OverdueRequest,
    /// A patch past its deadline and not applied.
    OverduePatch,
    /// Training expired, missing, or expiring within 30 days.
    Training,
    /// A sign-off whose subject changed since.
    StaleSignoff,
    /// A gap in AWS's reports' coverage of the audit period, or a service out of a
    /// report's scope.
    AwsCoverage,
    /// A CUEC of AWS's reports that no control of the project carries out.
    UnmappedCuec,
    /// A control in scope with no current evidence.
    MissingEvidence,
    /// A control whose NIST controls a failing Security Hub check names.
    FailingChecks,
}

impl Concern {
    /// The list heading.
    pub fn label(self) -> &'static str {
        match self {
            Concern::OverdueControl => "Overdue controls",
            Concern::OverdueRequest => "Overdue requests",
            Concern::OverduePatch => "Overdue patches",
            Concern::Training => "Training expired, missing or expiring",
            Concern::AwsCoverage => "AWS report coverage",
            Concern::UnmappedCuec => "CUECs not mapped to a control",
            Concern::MissingEvidence => "Missing evidence",
            Concern::StaleSignoff => "Stale sign-offs",
            Concern::FailingChecks => "Failing Security Hub checks",
        }
    }
}

/// One thing that needs attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionItem {
    /// Why.
    pub concern: Concern,
    /// What, in one line.
    pub text: String,
    /// Where it is fixed.
    pub target: Target,
}

/// A training roster line, as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    /// The person.
    pub name: String,
    /// The course.
    pub course: String,
    /// Their state.
    pub state: TrainingState,
    /// When it expires (or expired).
    pub expires_on: Option<NaiveDate>,
}

/// A patch line, as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchLine {
    /// The asset.
    pub asset: String,
    /// The advisory.
    pub advisory: String,
    /// Release date.
    pub released_on: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
    /// State.
    pub state: PatchState,
}

/// A sign-off line, as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffLine {
    /// What it covers, as people read it.
    pub subject: String,
    /// The control it covers, if a control.
    pub control: Option<String>,
    /// Whether it covers the roster.
    pub training: bool,
    /// Who signed.
    pub by: String,
}

/// The first glance: how far each column is, how long is left, and the counts a lead acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Per column: controls done (implemented or not applicable) and in scope.
    pub columns: Vec<(Column, usize, usize)>,
    /// The audit period's last day, when the project has one.
    pub period_end: Option<NaiveDate>,
    /// Controls, requests and patches past their dates.
    pub overdue: usize,
    /// Controls with evidence expired or expiring within 30 days, and training expired or
    /// expiring.
    pub expiring: usize,
    /// CUECs of AWS's reports that no control carries out.
    pub unmapped_cuecs: usize,
}

impl Readiness {
    /// Controls in scope, all columns.
    pub fn in_scope(&self) -> usize {
        self.columns.iter().map(|(_, _, total)| total).sum()
    }

    /// Days from `today` to the audit period's end: negative once it has passed.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        self.period_end.map(|end| (end - today).num_days())
    }

    /// Reads the counts off the dashboard's attention list, the evidence and the roster.
    pub fn read(
        dashboard: &Dashboard,
        controls: &[Control],
        evidence: &std::collections::HashMap<String, EvidenceSummary>,
        roster: &[RosterLine],
        period_end: Option<NaiveDate>,
    ) -> Readiness {
        let count = |concerns: &[Concern]| {
            dashboard
                .attention
                .iter()
                .filter(|item| concerns.contains(&item.concern))
                .count()
        };
        let expiring_evidence = controls
            .iter()
            .filter(|c| !c.retired)
            .filter(|c| {
                evidence
                    .get(&c.id)
                    .is_some_and(|e| e.expiring + e.expired > 0)
            })
            .count();
        let expiring_training = roster
            .iter()
            .filter(|l| matches!(l.state, TrainingState::Expiring | TrainingState::Expired))
            .count();
        Readiness {
            columns: dashboard
                .columns
                .iter()
                .map(|(column, counts)| (*column, counts[2] + counts[3], counts.iter().sum()))
                .collect(),
            period_end,
            overdue: count(&[
                Concern::OverdueControl,
                Concern::OverdueRequest,
                Concern::OverduePatch,
            ]),
            expiring: expiring_evidence + expiring_training,
            unmapped_cuecs: count(&[Concern::UnmappedCuec]),
        }
    }
}

/// Everything the dashboard draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dashboard {
    /// The readiness summary shown first.
    pub readiness: Readiness,
    /// Per column, the count of controls in scope per status (in `Status::ALL` order).
    pub columns: Vec<(Column, [usize; 4])>,
    /// Count of roster entries per state (in `TrainingState::ALL` order).
    pub training: [usize; 4],
    /// Per release month (`YYYY-MM`, oldest first), patch records per state (in
    /// `PatchState::ALL` order).
    pub patch_months: Vec<(String, [usize; 4])>,
    /// What needs attention, most urgent first.
    pub attention: Vec<AttentionItem>,
    /// The auditor's request list: counts per status now and over time.
    pub requests: super::RequestProgress,
}

/// The overdue requests, for "Needs attention".
pub fn request_attention(requests: &[Request]) -> Vec<AttentionItem> {
    requests
        .iter()
        .filter(|r| r.overdue)
        .map(|r| AttentionItem {
            concern: Concern::OverdueRequest,
            text: format!(
                "{} {} (due {}{})",
                r.id,
                short(&r.request, 60),
                r.due.map(|d| d.to_string()).unwrap_or_default(),
                if r.owner.is_empty() {
                    String::new()
                } else {
                    format!(", {}", r.owner)
                }
            ),
            target: Target::Request(r.id.clone()),
        })
        .collect()
}

/// One item per control in scope with failing Security Hub checks, most failing first.
pub fn check_attention(
    controls: &[Control],
    results: &std::collections::HashMap<String, Vec<crate::store::CheckResult>>,
) -> Vec<AttentionItem> {
    let mut items: Vec<(usize, AttentionItem)> = controls
        .iter()
        .filter(|c| !c.retired)
        .filter_map(|control| {
            let failing = results
                .get(&control.id)?
                .iter()
                .filter(|r| !r.passed)
                .count();
            (failing > 0).then(|| {
                let checks = if failing == 1 { "check" } else { "checks" };
                (
                    failing,
                    AttentionItem {
                        concern: Concern::FailingChecks,
                        text: format!(
                            "{} {} — {failing} failing {checks}",
                            control.id, control.title
                        ),
                        target: Target::Control(control.id.clone()),
                    },
                )
            })
        })
        .collect();
    items.sort_by_key(|(failing, _)| std::cmp::Reverse(*failing));
    items.into_iter().map(|(_, item)| item).collect()
}

/// Computes the dashboard.
pub fn dashboard(
    controls: &[Control],
    evidence: &std::collections::HashMap<String, EvidenceSummary>,
    roster: &[RosterLine],
    patches: &[PatchLine],
    stale_signoffs: &[SignoffLine],
    today: NaiveDate,
) -> Dashboard {
    let in_scope: Vec<&Control> = controls.iter().filter(|c| !c.retired).collect();
    let mut attention = Vec::new();
    attention.extend(overdue_controls(&in_scope, today));
    attention.extend(overdue_patches(patches));
    attention.extend(training_gaps(roster));
    attention.extend(controls_without_evidence(&in_scope, evidence));
    attention.extend(stale_signoffs.iter().map(stale_signoff));
    attention.sort_by_key(|item| item.concern);
    Dashboard {
        columns: column_counts(&in_scope),
        training: training_counts(roster),
        patch_months: patch_months(patches),
        attention,
        requests: Default::default(),
        readiness: Readiness::default(),
    }
}

/// Per column, the controls in scope counted per status (in `Status::ALL` order).
fn column_counts(in_scope: &[&Control]) -> Vec<(Column, [usize; 4])> {
    Column::ALL
        .into_iter()
        .map(|column| {
            let mut counts = [0; 4];
            for control in in_scope.iter().filter(|c| c.column == column) {
                if let Some(slot) = Status::ALL.iter().position(|s| *s == control.status) {
                    counts[slot] += 1;
                }
            }
            (column, counts)
        })
        .collect()
}

/// Roster entries counted per state (in `TrainingState::ALL` order).
fn training_counts(roster: &[RosterLine]) -> [usize; 4] {
    let mut training = [0; 4];
    for line in roster {
        if let Some(slot) = TrainingState::ALL.iter().position(|s| *s == line.state) {
            training[slot] += 1;
        }
    }
    training
}

/// Per release month (`YYYY-MM`, oldest first), patch records counted per state.
fn patch_months(patches: &[PatchLine]) -> Vec<(String, [usize; 4])> {
    let mut months: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for patch in patches {
        let counts = months
            .entry(patch.released_on.format("%Y-%m").to_string())
            .or_default();
        if let Some(slot) = PatchState::ALL.iter().position(|s| *s == patch.state) {
            counts[slot] += 1;
        }
    }
    months.into_iter().collect()
}

/// Controls in scope past their due date, with their owner.
fn overdue_controls<'a>(
    in_scope: &'a [&Control],
    today: NaiveDate,
) -> impl Iterator<Item = AttentionItem> + 'a {
    in_scope
        .iter()
        .filter(move |c| c.is_overdue(today))
        .map(|control| AttentionItem {
            concern: Concern::OverdueControl,
            text: format!(
                "{} {} — due {}{}",
                control.id,
                control.title,
                control.due.map(|d| d.to_string()).unwrap_or_default(),
                if control.owner.is_empty() {
                    String::new()
                } else {
                    format!(", {}", control.owner)
                }
            ),
            target: Target::Control(control.id.clone()),
        })
}

/// Patches past their deadline.
fn overdue_patches(patches: &[PatchLine]) -> impl Iterator<Item = AttentionItem> + '_ {
    patches
        .iter()
        .filter(|p| p.state == PatchState::Overdue)
        .map(|patch| AttentionItem {
            concern: Concern::OverduePatch,
            text: format!(
                "{} on {} — deadline {}",
                patch.advisory, patch.asset, patch.deadline
            ),
            target: Target::Patches,
        })
}

/// Training never completed, expired or expiring.
fn training_gaps(roster: &[RosterLine]) -> impl Iterator<Item = AttentionItem> + '_ {
    roster
        .iter()
        .filter(|l| l.state != TrainingState::Current)
        .map(|line| AttentionItem {
            concern: Concern::Training,
            text: match (line.state, line.expires_on) {
                (TrainingState::Missing, _) => {
                    format!("{} — {} never completed", line.name, line.course)
                }
                (TrainingState::Expired, Some(date)) => {
                    format!("{} — {} expired {date}", line.name, line.course)
                }
                (_, Some(date)) => format!("{} — {} expires {date}", line.name, line.course),
                (_, None) => format!("{} — {}", line.name, line.course),
            },
            target: Target::Training,
        })
}

/// Applicable controls in scope with no evidence.
fn controls_without_evidence<'a>(
    in_scope: &'a [&Control],
    evidence: &'a std::collections::HashMap<String, EvidenceSummary>,
) -> impl Iterator<Item = AttentionItem> + 'a {
    in_scope
        .iter()
        .filter(|c| {
            c.status != Status::NotApplicable && evidence.get(&c.id).is_none_or(|e| e.count == 0)
        })
        .map(|control| AttentionItem {
            concern: Concern::MissingEvidence,
            text: format!("{} {}", control.id, control.title),
            target: Target::Control(control.id.clone()),
        })
}

/// A sign-off whose subject changed after it was signed, pointing where it is signed again.
fn stale_signoff(signoff: &SignoffLine) -> AttentionItem {
    AttentionItem {
        concern: Concern::StaleSignoff,
        text: format!(
            "{} — signed by {}, changed since",
            signoff.subject, signoff.by
        ),
        target: match (&signoff.control, signoff.training) {
            (Some(id), _) => Target::Control(id.clone()),
            (None, true) => Target::Training,
            (None, false) => Target::Patches,
        },
    }
}
