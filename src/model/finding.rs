//! Findings from AWS's own tools: vulnerabilities that Amazon Inspector, Security Hub or
//! Systems Manager report on a resource, and Security Hub's checks of an account against
//! NIST SP 800-53. The words each tool uses for severity and state, the deadline a finding
//! has, and FedRAMP's deviations from it.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{RuleError, Severity, patch_deadline};

/// The AWS tool a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSource {
    /// Amazon Inspector (v2): package vulnerabilities on instances, images and functions.
    Inspector,
    /// AWS Security Hub: security checks (and vulnerabilities it aggregates), in ASFF or OCSF.
    SecurityHub,
    /// AWS Systems Manager Patch Manager: missing patches on managed instances.
    SystemsManager,
}

impl FindingSource {
    /// All sources.
    pub const ALL: [FindingSource; 3] = [
        FindingSource::Inspector,
        FindingSource::SecurityHub,
        FindingSource::SystemsManager,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingSource::Inspector => "inspector",
            FindingSource::SecurityHub => "security-hub",
            FindingSource::SystemsManager => "systems-manager",
        }
    }

    /// The tool's name as AWS writes it.
    pub fn label(self) -> &'static str {
        match self {
            FindingSource::Inspector => "Amazon Inspector",
            FindingSource::SecurityHub => "AWS Security Hub",
            FindingSource::SystemsManager => "AWS Systems Manager",
        }
    }
}

impl fmt::Display for FindingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingSource {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingSource::ALL
            .into_iter()
            .find(|source| source.as_str() == s)
            .ok_or_else(|| {
                RuleError::Unknown(
                    "finding source",
                    s.to_string(),
                    "inspector, security-hub or systems-manager",
                )
            })
    }
}

/// What a finding says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A vulnerable package or a missing patch on a resource.
    Vulnerability,
    /// A security check of an account or resource, passed or failed.
    Check,
}

impl FindingKind {
    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Vulnerability => "vulnerability",
            FindingKind::Check => "check",
        }
    }
}

impl FromStr for FindingKind {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "vulnerability" => Ok(FindingKind::Vulnerability),
            "check" => Ok(FindingKind::Check),
            _ => Err(RuleError::Unknown(
                "finding kind",
                s.to_string(),
                "vulnerability or check",
            )),
        }
    }
}

/// A finding's severity: the four of a patch record, and informational findings, which are
/// kept but have no deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSeverity {
    /// Fix first.
    Critical,
    /// Fix soon.
    High,
    /// Fix in the normal cycle.
    Medium,
    /// Fix when convenient.
    Low,
    /// Worth knowing; no deadline.
    Informational,
}

impl FindingSeverity {
    /// All severities, most urgent first.
    pub const ALL: [FindingSeverity; 5] = [
        FindingSeverity::Critical,
        FindingSeverity::High,
        FindingSeverity::Medium,
        FindingSeverity::Low,
        FindingSeverity::Informational,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingSeverity::Critical => "critical",
            FindingSeverity::High => "high",
            FindingSeverity::Medium => "medium",
            FindingSeverity::Low => "low",
            FindingSeverity::Informational => "informational",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            FindingSeverity::Critical => "Critical",
            FindingSeverity::High => "High",
            FindingSeverity::Medium => "Medium",
            FindingSeverity::Low => "Low",
            FindingSeverity::Informational => "Informational",
        }
    }

    /// The patch severity, which has a deadline; none for informational findings.
    pub fn patch_severity(self) -> Option<Severity> {
        match self {
            FindingSeverity::Critical => Some(Severity::Critical),
            FindingSeverity::High => Some(Severity::High),
            FindingSeverity::Medium => Some(Severity::Medium),
            FindingSeverity::Low => Some(Severity::Low),
            FindingSeverity::Informational => None,
        }
    }

    /// Reads the severity word of any of AWS's tools, in any case: Inspector's
    /// `CRITICAL`…`INFORMATIONAL` and `UNTRIAGED` (not yet rated: informational until it
    /// is), Security Hub's labels, OCSF's `Fatal`/`Other`/`Unknown`, and Systems Manager's
    /// `Important`, `Moderate` and `Unspecified`. Anything else is refused.
    pub fn from_aws(word: &str) -> Result<Self, RuleError> {
        let word = word.trim();
        Ok(match word.to_ascii_lowercase().as_str() {
            "critical" | "fatal" => FindingSeverity::Critical,
            "high" | "important" => FindingSeverity::High,
            "medium" | "moderate" => FindingSeverity::Medium,
            "low" => FindingSeverity::Low,
            "informational" | "info" | "untriaged" | "unspecified" | "unknown" | "other"
            | "none" => FindingSeverity::Informational,
            _ => return Err(RuleError::UnknownSeverity(word.to_string())),
        })
    }
}

impl fmt::Display for FindingSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingSeverity {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingSeverity::ALL
            .into_iter()
            .find(|severity| severity.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| RuleError::UnknownSeverity(s.to_string()))
    }
}

/// Why a finding is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClosedReason {
    /// The tool says it is fixed (closed, resolved, installed, passed).
    Fixed,
    /// A complete export of its source no longer lists it.
    NoLongerReported,
}

impl ClosedReason {
    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedReason::Fixed => "fixed",
            ClosedReason::NoLongerReported => "no-longer-reported",
        }
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ClosedReason::Fixed => "Fixed",
            ClosedReason::NoLongerReported => "No longer reported",
        }
    }
}

impl FromStr for ClosedReason {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fixed" => Ok(ClosedReason::Fixed),
            "no-longer-reported" => Ok(ClosedReason::NoLongerReported),
            _ => Err(RuleError::Unknown(
                "closed reason",
                s.to_string(),
                "fixed or no-longer-reported",
            )),
        }
    }
}

/// FedRAMP's kinds of deviation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationKind {
    /// The finding is not a weakness of the system.
    FalsePositive,
    /// The weakness stays because the system needs it to operate.
    OperationalRequirement,
    /// Mitigations lower the weakness's risk, and with it its deadline.
    RiskAdjustment,
}

impl DeviationKind {
    /// All kinds.
    pub const ALL: [DeviationKind; 3] = [
        DeviationKind::FalsePositive,
        DeviationKind::OperationalRequirement,
        DeviationKind::RiskAdjustment,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviationKind::FalsePositive => "false-positive",
            DeviationKind::OperationalRequirement => "operational-requirement",
            DeviationKind::RiskAdjustment => "risk-adjustment",
        }
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            DeviationKind::FalsePositive => "False positive",
            DeviationKind::OperationalRequirement => "Operational requirement",
            DeviationKind::RiskAdjustment => "Risk adjustment",
        }
    }
}

impl fmt::Display for DeviationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeviationKind {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeviationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s.trim())
            .ok_or_else(|| {
                RuleError::Unknown(
                    "deviation kind",
                    s.to_string(),
                    "false-positive, operational-requirement or risk-adjustment",
                )
            })
    }
}

/// Where a finding stands on a date, for the open list and the POA&M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingState {
    /// Open, and its deadline (if any) has not passed.
    Open,
    /// Open, and past its deadline.
    Late,
    /// Open, but a signed-off false positive: off the open list.
    FalsePositive,
    /// Fixed or no longer reported.
    Closed,
}

impl FindingState {
    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Open => "open",
            FindingState::Late => "late",
            FindingState::FalsePositive => "false-positive",
            FindingState::Closed => "closed",
        }
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            FindingState::Open => "Open",
            FindingState::Late => "Late",
            FindingState::FalsePositive => "False positive",
            FindingState::Closed => "Closed",
        }
    }

    /// Whether it is a weakness still to be dealt with.
    pub fn is_open(self) -> bool {
        matches!(self, FindingState::Open | FindingState::Late)
    }
}

impl fmt::Display for FindingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a deviation request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationState {
    /// Asked for, not yet signed off (or its sign-off went stale when the finding changed).
    Requested,
    /// Signed off by a named person for the finding as it now stands.
    Approved,
}

impl DeviationState {
    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviationState::Requested => "requested",
            DeviationState::Approved => "approved",
        }
    }
}

/// The deadline of a finding first detected on `first_seen` with a severity and `days`
/// to fix it; informational findings have none.
pub fn finding_deadline(first_seen: NaiveDate, days: Option<u32>) -> Option<NaiveDate> {
    days.map(|days| patch_deadline(first_seen, days))
}

/// The state of a finding on a date: closed when closed by then, a false positive when an
/// approved false-positive deviation takes it off the list, late when its deadline passed.
pub fn finding_state(
    closed_on: Option<NaiveDate>,
    approved_false_positive: bool,
    deadline: Option<NaiveDate>,
    as_of: NaiveDate,
) -> FindingState {
    if closed_on.is_some_and(|closed| closed <= as_of) {
        return FindingState::Closed;
    }
    if approved_false_positive {
        return FindingState::FalsePositive;
    }
    match deadline {
        Some(deadline) if as_of > deadline => FindingState::Late,
        _ => FindingState::Open,
    }
}

/// A NIST SP 800-53 control id as Lockstep compares them: upper case, no spaces, the
/// enhancement in parentheses (`ac-2.1`, `AC-2 (1)` and `NIST.800-53.r5 AC-2(1)` are all
/// `AC-2(1)`). None when the text names no control.
pub fn nist_id(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text
        .strip_prefix("NIST.800-53.r5")
        .or_else(|| text.strip_prefix("NIST.800-53.r4"))
        .unwrap_or(text)
        .trim();
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let (family, rest) = compact.split_once('-')?;
    if family.len() != 2 || !family.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let (base, enhancement) = match rest.split_once(['(', '.']) {
        Some((base, tail)) => (base, Some(tail.trim_end_matches(')'))),
        None => (rest, None),
    };
    if base.is_empty() || !base.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let base = base.trim_start_matches('0');
    match enhancement {
        Some(number) if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) => Some(
            format!("{family}-{base}({})", number.trim_start_matches('0')),
        ),
        Some(_) => None,
        None => Some(format!("{family}-{base}")),
    }
}

/// The base control of an enhancement (`AC-2(1)` → `AC-2`); none for a base control.
pub fn nist_base(id: &str) -> Option<&str> {
    id.split_once('(').map(|(base, _)| base)
}

/// Whether `text` is an absolute URI with an authority (`https://host/path`): a scheme of
/// letters, digits, `+`, `-` and `.` starting with a letter, then `://` and at least one
/// more character, all printable ASCII without spaces or the characters RFC 3986 excludes.
pub fn is_absolute_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && rest.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// Which of a project's controls each NIST SP 800-53 id names, for placing what AWS's
/// tools report about a NIST control on the board.
#[derive(Debug, Clone, Default)]
pub struct NistIndex {
    by_nist: std::collections::HashMap<String, Vec<String>>,
}

impl NistIndex {
    /// The index of controls given as (board id, the NIST ids it names, in any spelling
    /// [`nist_id`] reads), in board order.
    pub fn new<'a, I, N>(controls: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, N)>,
        N: IntoIterator<Item = &'a str>,
    {
        let mut by_nist: std::collections::HashMap<String, Vec<String>> = Default::default();
        for (control, nist) in controls {
            for id in nist.into_iter().filter_map(nist_id) {
                let list = by_nist.entry(id).or_default();
                if !list.iter().any(|c| c == control) {
                    list.push(control.to_string());
                }
            }
        }
        NistIndex { by_nist }
    }

    /// The controls a NIST id (as [`nist_id`] writes it) names: those mapped to it, or,
    /// when none is, those mapped to its base control (a built-in control mapped to `AC-2`
    /// answers for `AC-2(1)`).
    pub fn named(&self, nist: &str) -> &[String] {
        if let Some(found) = self.by_nist.get(nist) {
            return found;
        }
        nist_base(nist)
            .and_then(|base| self.by_nist.get(base))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_uris_with_an_authority_pass() {
        for good in [
            "https://fedramp.example.gov/p/F1",
            "s3://bucket/key",
            "http://h",
        ] {
            assert!(is_absolute_uri(good), "{good}");
        }
        for bad in [
            "",
            "not a uri",
            "https://",
            "https://exa mple",
            "1http://h",
            "x\ny://z",
            "h://a\"b",
        ] {
            assert!(!is_absolute_uri(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_nist_id_names_its_controls_or_those_of_its_base() {
        let index = NistIndex::new([
            ("SRM-CUS-IAM-01", vec!["AC-2", "ia-2.1"]),
            ("SRM-CUS-LOG-01", vec!["AU-2"]),
        ]);
        assert_eq!(index.named("AC-2"), ["SRM-CUS-IAM-01"]);
        assert_eq!(index.named("AC-2(1)"), ["SRM-CUS-IAM-01"]);
        assert_eq!(index.named("IA-2(1)"), ["SRM-CUS-IAM-01"]);
        assert!(index.named("IA-2").is_empty());
        assert!(index.named("SC-7").is_empty());
    }

    #[test]
    fn severity_words_of_every_tool_map_to_five_levels() {
        for (word, expected) in [
            ("CRITICAL", FindingSeverity::Critical),
            ("Fatal", FindingSeverity::Critical),
            ("Important", FindingSeverity::High),
            ("HIGH", FindingSeverity::High),
            ("Moderate", FindingSeverity::Medium),
            ("low", FindingSeverity::Low),
            ("UNTRIAGED", FindingSeverity::Informational),
            ("Unspecified", FindingSeverity::Informational),
            ("INFORMATIONAL", FindingSeverity::Informational),
        ] {
            assert_eq!(FindingSeverity::from_aws(word), Ok(expected), "{word}");
        }
        assert!(FindingSeverity::from_aws("SEVERE").is_err());
        assert_eq!(FindingSeverity::Informational.patch_severity(), None);
    }

    #[test]
    fn nist_ids_read_the_way_each_tool_writes_them() {
        for (text, expected) in [
            ("NIST.800-53.r5 AC-2(1)", Some("AC-2(1)")),
            ("ac-2.1", Some("AC-2(1)")),
            ("AC-2 (1)", Some("AC-2(1)")),
            ("SI-02", Some("SI-2")),
            ("CM-7", Some("CM-7")),
            ("CIS AWS 1.4", None),
            ("PCI DSS 8.2", None),
            ("AC-", None),
        ] {
            assert_eq!(nist_id(text).as_deref(), expected, "{text}");
        }
        assert_eq!(nist_base("AC-2(1)"), Some("AC-2"));
        assert_eq!(nist_base("AC-2"), None);
    }

    #[test]
    fn a_finding_is_late_after_its_deadline_and_closed_once_fixed() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let deadline = finding_deadline(day(1), Some(15));
        assert_eq!(deadline, Some(day(16)));
        assert_eq!(
            finding_state(None, false, deadline, day(16)),
            FindingState::Open
        );
        assert_eq!(
            finding_state(None, false, deadline, day(17)),
            FindingState::Late
        );
        assert_eq!(
            finding_state(Some(day(20)), false, deadline, day(25)),
            FindingState::Closed
        );
        assert_eq!(
            finding_state(Some(day(20)), false, deadline, day(18)),
            FindingState::Late,
            "as of a date before it closed, it was still open"
        );
        assert_eq!(
            finding_state(None, true, deadline, day(25)),
            FindingState::FalsePositive
        );
        assert_eq!(
            finding_state(None, false, None, day(31)),
            FindingState::Open
        );
    }
}
