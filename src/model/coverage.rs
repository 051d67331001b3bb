//! AWS's own reports (SOC 2, SOC 1, ISO 27001, PCI AOC, FedRAMP) and how far they cover a
//! project's audit period.
//!
//! An auditor relies on AWS's third-party reports for the AWS column: each report covers a
//! period, and a bridge letter vouches for the months after it. Coverage is the union of
//! those date ranges clipped to the audit period; what is left of the audit period are the
//! gaps. Overlapping reports are allowed and simply count once. A report also names the
//! services in its scope; a project service missing from that list is a finding too. All of
//! it is pure date arithmetic, so it lives here and is tested without a database.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of report AWS published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportKind {
    /// SOC 2 Type II.
    #[serde(rename = "soc2-type2")]
    Soc2Type2,
    /// SOC 1 Type II.
    #[serde(rename = "soc1-type2")]
    Soc1Type2,
    /// ISO/IEC 27001 certificate.
    #[serde(rename = "iso27001")]
    Iso27001,
    /// PCI DSS attestation of compliance.
    #[serde(rename = "pci-aoc")]
    PciAoc,
    /// FedRAMP authorization.
    #[serde(rename = "fedramp")]
    Fedramp,
    /// Anything else from AWS Artifact.
    #[serde(rename = "other")]
    Other,
}

impl ReportKind {
    /// Every kind, in the order menus show them.
    pub const ALL: [ReportKind; 6] = [
        ReportKind::Soc2Type2,
        ReportKind::Soc1Type2,
        ReportKind::Iso27001,
        ReportKind::PciAoc,
        ReportKind::Fedramp,
        ReportKind::Other,
    ];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Soc2Type2 => "soc2-type2",
            ReportKind::Soc1Type2 => "soc1-type2",
            ReportKind::Iso27001 => "iso27001",
            ReportKind::PciAoc => "pci-aoc",
            ReportKind::Fedramp => "fedramp",
            ReportKind::Other => "other",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Soc2Type2 => "SOC 2 Type II",
            ReportKind::Soc1Type2 => "SOC 1 Type II",
            ReportKind::Iso27001 => "ISO 27001",
            ReportKind::PciAoc => "PCI DSS AOC",
            ReportKind::Fedramp => "FedRAMP",
            ReportKind::Other => "Other",
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = ReportError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        ReportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| ReportError::UnknownKind(text.to_string()))
    }
}

/// What the rules refuse about a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A kind that is not one of the six.
    #[error(
        "unknown report kind '{0}': use soc2-type2, soc1-type2, iso27001, pci-aoc, fedramp or other"
    )]
    UnknownKind(String),
    /// A report period that ends before it starts.
    #[error("the report period ends ({end}) before it starts ({start})")]
    PeriodReversed {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// Only one end of a period.
    #[error("a report period needs both --period-start and --period-end")]
    HalfPeriod,
    /// A bridge letter for a report without a period to extend.
    #[error(
        "a bridge letter extends a report's period, so the report needs --period-start and --period-end"
    )]
    BridgeWithoutPeriod,
    /// A bridge letter without the day it runs to, or a day without the letter.
    #[error(
        "a bridge letter needs both the file (--bridge-letter) and the day it runs to (--bridge-until)"
    )]
    HalfBridge,
    /// A bridge letter that ends before its report does.
    #[error(
        "the bridge letter runs to {until}, which is not after the report period's end ({end})"
    )]
    BridgeBeforeEnd {
        /// The report period's last day.
        end: NaiveDate,
        /// The bridge letter's last day.
        until: NaiveDate,
    },
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DateRange {
    /// Days in the range.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

/// Checks a report's period and bridge letter dates before anything is stored.
pub fn check_report_dates(
    period: (Option<NaiveDate>, Option<NaiveDate>),
    bridge_until: Option<NaiveDate>,
) -> Result<Option<DateRange>, ReportError> {
    let range = match period {
        (Some(start), Some(end)) if end < start => {
            return Err(ReportError::PeriodReversed { start, end });
        }
        (Some(from), Some(to)) => Some(DateRange { from, to }),
        (None, None) => None,
        _ => return Err(ReportError::HalfPeriod),
    };
    if let Some(until) = bridge_until {
        let Some(range) = range else {
            return Err(ReportError::BridgeWithoutPeriod);
        };
        if until <= range.to {
            return Err(ReportError::BridgeBeforeEnd {
                end: range.to,
                until,
            });
        }
    }
    Ok(range)
}

/// What coverage needs to know of one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpan {
    /// The report's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The period it reports on.
    pub period: Option<DateRange>,
    /// The last day its bridge letter vouches for.
    pub bridge_until: Option<NaiveDate>,
    /// Services in its scope; empty when the report was recorded without a list.
    pub services: Vec<String>,
}

impl ReportSpan {
    /// The days the report and its bridge letter vouch for, when it has a sane period.
    pub fn span(&self) -> Option<DateRange> {
        let period = self.period.filter(|p| p.from <= p.to)?;
        let to = match self.bridge_until {
            Some(until) if until > period.to => until,
            _ => period.to,
        };
        Some(DateRange {
            from: period.from,
            to,
        })
    }

    /// The days of `period` the report and its bridge letter vouch for, when they reach
    /// into it.
    pub fn part_of(&self, period: DateRange) -> Option<DateRange> {
        self.span().and_then(|span| clip(span, period))
    }
}

/// A project service that a report's scope leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingService {
    /// The service id.
    pub service: String,
    /// The report's id.
    pub report: i64,
    /// The report's title.
    pub title: String,
}

/// How AWS's reports cover one audit period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The audit period.
    pub period: DateRange,
    /// The parts of it that reports and bridge letters cover, in order.
    pub covered: Vec<DateRange>,
    /// The parts nothing covers, in order.
    pub gaps: Vec<DateRange>,
    /// Project services missing from a report's scope.
    pub missing_services: Vec<MissingService>,
}

impl Coverage {
    /// Whether an auditor would find nothing to ask about.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty() && self.missing_services.is_empty()
    }
}

/// Computes coverage of `period` by `reports`, and the project `services` that a relevant
/// report's scope lacks. A report is relevant when it covers part of the audit period or has
/// no period (a certificate); a report recorded without a service list is not checked.
pub fn coverage(period: DateRange, reports: &[ReportSpan], services: &[String]) -> Coverage {
    let mut spans: Vec<DateRange> = reports
        .iter()
        .filter_map(ReportSpan::span)
        .filter_map(|span| clip(span, period))
        .collect();
    spans.sort_by_key(|span| span.from);
    let mut covered: Vec<DateRange> = Vec::new();
    for span in spans {
        match covered.last_mut() {
            // Touching ranges (one ends the day before the next starts) join.
            Some(last) if span.from <= last.to.succ_opt().unwrap_or(last.to) => {
                last.to = last.to.max(span.to);
            }
            _ => covered.push(span),
        }
    }
    let mut gaps = Vec::new();
    let mut next = Some(period.from);
    for range in &covered {
        if let Some(from) = next
            && from < range.from
            && let Some(to) = range.from.pred_opt()
        {
            gaps.push(DateRange { from, to });
        }
        next = range.to.succ_opt();
    }
    if let Some(from) = next
        && from <= period.to
    {
        gaps.push(DateRange {
            from,
            to: period.to,
        });
    }
    let mut missing_services = Vec::new();
    for report in reports {
        let relevant = match report.span() {
            Some(span) => clip(span, period).is_some(),
            None => report.period.is_none(),
        };
        if !relevant || report.services.is_empty() {
            continue;
        }
        for service in services {
            if !report
                .services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(service))
            {
                missing_services.push(MissingService {
                    service: service.clone(),
                    report: report.id,
                    title: report.title.clone(),
                });
            }
        }
    }
    Coverage {
        period,
        covered,
        gaps,
        missing_services,
    }
}

fn clip(span: DateRange, period: DateRange) -> Option<DateRange> {
    let from = span.from.max(period.from);
    let to = span.to.min(period.to);
    (from <= to).then_some(DateRange { from, to })
}

/// Splits a typed service list (`ec2, s3 rds`) into lowercase ids, sorted, once each.
pub fn parse_services(text: &str) -> Vec<String> {
    let mut services: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    services.sort();
    services.dedup();
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn range(from: &str, to: &str) -> DateRange {
        DateRange {
            from: day(from),
            to: day(to),
        }
    }

    fn report(id: i64, from: &str, to: &str, bridge: Option<&str>) -> ReportSpan {
        ReportSpan {
            id,
            title: format!("report {id}"),
            period: Some(range(from, to)),
            bridge_until: bridge.map(day),
            services: Vec::new(),
        }
    }

    fn year() -> DateRange {
        range("2027-01-01", "2027-12-31")
    }

    #[test]
    fn overlapping_reports_cover_their_union() {
        let reports = [
            report(1, "2026-10-01", "2027-06-30", None),
            report(2, "2027-04-01", "2027-09-30", None),
        ];
        let c = coverage(year(), &reports, &[]);
        assert_eq!(c.covered, vec![range("2027-01-01", "2027-09-30")]);
        assert_eq!(c.gaps, vec![range("2027-10-01", "2027-12-31")]);
    }

    #[test]
    fn a_report_covers_the_part_of_the_period_its_dates_and_bridge_reach() {
        let half = report(1, "2026-10-01", "2027-06-30", None);
        assert_eq!(
            half.part_of(year()),
            Some(range("2027-01-01", "2027-06-30"))
        );
        let bridged = report(2, "2026-10-01", "2027-09-30", Some("2027-12-31"));
        assert_eq!(bridged.part_of(year()), Some(year()));
        let before = report(3, "2025-01-01", "2025-12-31", None);
        assert_eq!(before.part_of(year()), None);
    }

    #[test]
    fn touching_ranges_leave_no_gap() {
        let reports = [
            report(2, "2027-07-01", "2027-12-31", None),
            report(1, "2027-01-01", "2027-06-30", None),
        ];
        let c = coverage(year(), &reports, &[]);
        assert_eq!(c.covered, vec![year()]);
        assert!(c.gaps.is_empty());
        assert!(c.is_complete());
    }

    #[test]
    fn a_gap_between_reports_is_its_own_range() {
        let reports = [
            report(1, "2027-01-01", "2027-03-31", None),
            report(2, "2027-05-01", "2027-12-31", None),
        ];
        let c = coverage(year(), &reports, &[]);
        assert_eq!(c.gaps, vec![range("2027-04-01", "2027-04-30")]);
    }

    #[test]
    fn a_bridge_letter_extends_its_report() {
        let reports = [report(1, "2026-10-01", "2027-09-30", Some("2027-12-31"))];
        let c = coverage(year(), &reports, &[]);
        assert_eq!(c.covered, vec![year()]);
        assert!(c.gaps.is_empty());
    }

    #[test]
    fn a_report_without_a_period_covers_nothing() {
        let mut certificate = report(1, "2027-01-01", "2027-12-31", None);
        certificate.period = None;
        let c = coverage(year(), &[certificate], &[]);
        assert!(c.covered.is_empty());
        assert_eq!(c.gaps, vec![year()]);
    }

    #[test]
    fn no_reports_leave_the_whole_period_a_gap() {
        let c = coverage(year(), &[], &[]);
        assert_eq!(c.gaps, vec![year()]);
        assert_eq!(c.gaps[0].days(), 365);
    }

    #[test]
    fn a_period_ending_before_it_starts_is_refused_and_covers_nothing() {
        assert_eq!(
            check_report_dates((Some(day("2027-06-30")), Some(day("2027-01-01"))), None),
            Err(ReportError::PeriodReversed {
                start: day("2027-06-30"),
                end: day("2027-01-01")
            })
        );
        let reversed = report(1, "2027-06-30", "2027-01-01", None);
        assert!(coverage(year(), &[reversed], &[]).covered.is_empty());
    }

    #[test]
    fn a_bridge_letter_needs_a_period_that_ends_before_it() {
        assert_eq!(
            check_report_dates((None, None), Some(day("2027-12-31"))),
            Err(ReportError::BridgeWithoutPeriod)
        );
        assert!(matches!(
            check_report_dates(
                (Some(day("2027-01-01")), Some(day("2027-06-30"))),
                Some(day("2027-06-30"))
            ),
            Err(ReportError::BridgeBeforeEnd { .. })
        ));
        assert_eq!(
            check_report_dates((Some(day("2027-01-01")), None), None),
            Err(ReportError::HalfPeriod)
        );
    }

    #[test]
    fn services_missing_from_a_relevant_report_are_named() {
        let mut soc = report(1, "2027-01-01", "2027-12-31", None);
        soc.services = vec!["ec2".into(), "s3".into()];
        let mut old = report(2, "2020-01-01", "2020-12-31", None);
        old.services = vec!["ec2".into()];
        let unlisted = report(3, "2027-01-01", "2027-12-31", None);
        let services = vec!["ec2".to_string(), "rds".to_string(), "s3".to_string()];
        let c = coverage(year(), &[soc, old, unlisted], &services);
        assert_eq!(
            c.missing_services,
            vec![MissingService {
                service: "rds".into(),
                report: 1,
                title: "report 1".into()
            }]
        );
        assert!(!c.is_complete());
    }

    #[test]
    fn kinds_read_back_from_their_names_and_unknown_ones_are_refused() {
        for kind in ReportKind::ALL {
            assert_eq!(kind.as_str().parse::<ReportKind>(), Ok(kind));
        }
        assert!(matches!(
            "soc3".parse::<ReportKind>(),
            Err(ReportError::UnknownKind(_))
        ));
        assert_eq!(parse_services("S3, ec2  rds,,s3"), vec!["ec2", "rds", "s3"]);
    }
}
