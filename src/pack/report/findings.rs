//! The Findings section of a full pack's report: the findings of AWS's tools as of the
//! pack's date, counted by state and severity, the open ones listed with their deadlines and
//! deviations, and links to `findings.csv` and the POA&M files. Every text from the tools
//! is escaped. A project without findings has no such section, so its bytes stay as they
//! were.

use super::super::PackData;
use super::escape_html;
use crate::model::{FindingSeverity, FindingState};
use crate::store::Finding;

/// The most open findings the page lists; `findings.csv` and the POA&M hold them all.
const LISTED: usize = 500;

pub(super) fn findings_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"findings\">\n<h2>Findings</h2>\n");
    let count = |state: FindingState| data.findings.iter().filter(|f| f.state == state).count();
    let has_poam = !crate::export_oscal::poam::poam_items(data).is_empty();
    out.push_str(&format!(
        "<p class=\"lead\">Findings of Amazon Inspector, AWS Security Hub and AWS Systems Manager \
         imported by {}, as they stood then: {} open, {} late, {} false positives, {} closed. \
         All of them are in <a href=\"findings.csv\">findings.csv</a>{}.</p>\n",
        data.as_of,
        count(FindingState::Open),
        count(FindingState::Late),
        count(FindingState::FalsePositive),
        count(FindingState::Closed),
        if has_poam {
            "; the plan of action and milestones is in <a href=\"poam/poam.xlsx\">poam/poam.xlsx</a> \
             and, as OSCAL, <a href=\"poam/poam.json\">poam/poam.json</a>"
        } else {
            ""
        }
    ));
    let mut open: Vec<_> = data.findings.iter().filter(|f| f.is_open()).collect();
    if open.is_empty() {
        out.push_str("<p class=\"empty\">No open findings.</p>\n</section>\n");
        return;
    }
    open.sort_by_key(|f| (f.state != FindingState::Late, f.effective_severity, f.key));
    let by_severity: Vec<String> = FindingSeverity::ALL
        .into_iter()
        .map(|s| {
            let n = open.iter().filter(|f| f.effective_severity == s).count();
            format!("{n} {}", s.label().to_lowercase())
        })
        .collect();
    out.push_str(&format!(
        "<p>Open by severity: {}.{}</p>\n",
        by_severity.join(", "),
        if open.len() > LISTED {
            format!(" The {LISTED} most urgent are listed here.")
        } else {
            String::new()
        }
    ));
    out.push_str(
        "<table>\n<thead><tr><th>Finding</th><th>Source</th><th>Asset</th>\
         <th>Vulnerability or check</th><th>Severity</th><th>First seen</th><th>Deadline</th>\
         <th>State</th><th>Deviation</th></tr></thead>\n<tbody>\n",
    );
    for f in open.iter().take(LISTED) {
        finding_row_html(out, f);
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// One open finding as a row of the report's table.
fn finding_row_html(out: &mut String, f: &Finding) {
    let what = if f.vulnerability.is_empty() {
        &f.check
    } else {
        &f.vulnerability
    };
    let what = if what.is_empty() || f.title.contains(what.as_str()) {
        escape_html(&f.title)
    } else {
        format!("{} {}", escape_html(what), escape_html(&f.title))
    };
    let deviation = f
        .deviation
        .as_ref()
        .map(|d| format!("{} ({})", d.kind.label(), d.state.as_str()))
        .unwrap_or_default();
    out.push_str(&format!(
        "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        escape_html(&f.id),
        f.source.label(),
        escape_html(&f.resource),
        what,
        f.effective_severity.label(),
        f.first_seen.date_naive(),
        f.deadline
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".to_string()),
        f.state.label(),
        escape_html(&deviation)
    ));
}
