//! The report page's section on AWS's own reports: the coverage of the audit period as a
//! timeline with its gaps marked, each project service missing from a report's scope, and
//! the reports with links to their files under `evidence/aws/`, and the CUEC table.

use super::super::PackData;
use super::escape_html;
use super::markup::{date_or_dash, encode_href, status_html};
use crate::model::Coverage;

/// Appends the section.
pub(super) fn aws_reports_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"aws-reports\">\n<h2>AWS reports</h2>\n");
    out.push_str(
        "<p class=\"lead\">AWS's own third-party reports (from AWS Artifact) behind the AWS column \
         and the AWS part of shared controls, as of the pack's date.</p>\n",
    );
    match &data.coverage {
        Some(coverage) => coverage_html(out, coverage),
        None => out.push_str(
            "<p class=\"empty\">The project has no audit period, so coverage is not checked.</p>\n",
        ),
    }
    if data.aws_reports.is_empty() {
        out.push_str("<p class=\"empty\">No AWS reports.</p>\n</section>\n");
        return;
    }
    reports_table_html(out, data);
    cuecs_html(out, data);
    out.push_str("</section>\n");
}

fn cuecs_html(out: &mut String, data: &PackData) {
    out.push_str("<h3 id=\"cuecs\">CUECs</h3>\n");
    let unmapped = data.cuecs.iter().filter(|l| l.controls.is_empty()).count();
    out.push_str(&format!(
        "<p class=\"lead\">The complementary user entity controls the reports list, each with the \
         customer or shared controls that carry it out and their status as of {}: {} CUECs, {unmapped} not mapped.</p>\n",
        data.as_of,
        data.cuecs.len()
    ));
    if data.cuecs.is_empty() {
        out.push_str("<p class=\"empty\">No CUECs listed.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Id</th><th>CUEC</th><th>Criteria</th><th>Report</th>\
         <th>Controls</th></tr></thead>\n<tbody>\n",
    );
    for line in &data.cuecs {
        let controls = if line.controls.is_empty() {
            "<span class=\"bad\">Not mapped <span class=\"flag\">UNMAPPED</span></span>".to_string()
        } else {
            line.controls
                .iter()
                .map(|c| {
                    format!(
                        "<span class=\"mono\">{}</span> {}",
                        escape_html(&c.id),
                        status_html(c.status)
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>")
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{controls}</td></tr>\n",
            line.cuec.id,
            escape_html(&line.cuec.text),
            escape_html(&line.cuec.criteria),
            escape_html(&line.report_title),
        ));
    }
    out.push_str("</tbody>\n</table>\n");
}

fn reports_table_html(out: &mut String, data: &PackData) {
    out.push_str(
        "<table>\n<thead><tr><th>Id</th><th>Kind</th><th>Title</th><th>Period</th>\
         <th>Bridge letter to</th><th>Valid until</th><th>Services</th><th>Files</th></tr></thead>\n<tbody>\n",
    );
    for item in &data.aws_reports {
        let r = &item.report;
        let period = match (r.period_start, r.period_end) {
            (Some(from), Some(to)) => format!("{from} to {to}"),
            _ => "—".to_string(),
        };
        let mut files = format!(
            "<a href=\"{}\">{}</a>",
            escape_html(&encode_href(&item.path)),
            escape_html(&r.file_name)
        );
        if let (Some(letter), Some(path)) = (&r.bridge_letter, &item.bridge_path) {
            files.push_str(&format!(
                "<br><a href=\"{}\">{}</a> (bridge letter)",
                escape_html(&encode_href(path)),
                escape_html(&letter.file_name)
            ));
        }
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{period}</td><td>{}</td><td>{}</td><td>{}</td><td>{files}</td></tr>\n",
            r.id,
            r.kind.label(),
            escape_html(&r.title),
            date_or_dash(r.bridge_until),
            date_or_dash(r.valid_until),
            if r.services.is_empty() {
                "not stated".to_string()
            } else {
                escape_html(&r.services.join(", "))
            },
        ));
    }
    out.push_str("</tbody>\n</table>\n");
}

fn coverage_html(out: &mut String, coverage: &Coverage) {
    out.push_str(&format!(
        "<h3>Coverage of the audit period {}</h3>\n",
        coverage.period
    ));
    // The timeline: one bar for the audit period, covered stretches green and gaps red, each
    // placed by its share of the period's days.
    let days = coverage.period.days().max(1) as f64;
    let mut parts: Vec<(i64, String)> = Vec::new();
    for (ranges, class, word) in [
        (&coverage.covered, "covered", "covered"),
        (&coverage.gaps, "gap", "gap"),
    ] {
        for range in ranges.iter() {
            let left = (range.from - coverage.period.from).num_days() as f64 / days * 100.0;
            let width = range.days() as f64 / days * 100.0;
            parts.push((
                (range.from - coverage.period.from).num_days(),
                format!(
                    "<span class=\"{class}\" style=\"left:{left:.3}%;width:{width:.3}%\" title=\"{word}: {range}\"></span>"
                ),
            ));
        }
    }
    parts.sort_by_key(|(start, _)| *start);
    out.push_str("<div class=\"timeline\" role=\"img\" aria-label=\"coverage timeline\">");
    for (_, part) in parts {
        out.push_str(&part);
    }
    out.push_str(&format!(
        "</div>\n<p class=\"timeline-ends muted\"><span>{}</span><span>{}</span></p>\n<ul>\n",
        coverage.period.from, coverage.period.to
    ));
    for range in &coverage.covered {
        out.push_str(&format!("<li class=\"good\">Covered: {range}</li>\n"));
    }
    for gap in &coverage.gaps {
        out.push_str(&format!(
            "<li class=\"bad\">Gap: {gap} ({} days) <span class=\"flag\">GAP</span></li>\n",
            gap.days()
        ));
    }
    for missing in &coverage.missing_services {
        out.push_str(&format!(
            "<li class=\"bad\">Missing service: {} is not in the scope of AWS report {} '{}'</li>\n",
            escape_html(&missing.service),
            missing.report,
            escape_html(&missing.title)
        ));
    }
    if coverage.is_complete() {
        out.push_str("<li class=\"good\">No gaps and no missing services.</li>\n");
    }
    out.push_str("</ul>\n");
}
