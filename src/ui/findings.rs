//! The Findings view: the findings of AWS's tools as a sortable, filterable table, and a
//! detail pane for the selected finding where a person records what the tools cannot know
//! (internet reachability, likely exploitability), asks for a deviation, signs it off and
//! plans milestones. Export files dropped onto the view are imported.
//!
//! The table draws only the rows in sight (`egui_extras::TableBuilder` rows) from the order
//! the app computed when the list, the sort or the filter last changed.

use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::theme::{DANGER, WARNING};
use super::widgets::{command_button_ui, date_field_ui, labelled_field_ui, sort_heading_ui};
use crate::app::{
    Command, Finding, FindingFacts, FindingSort, FindingsView, NewDeviation, SignoffForm,
    ViewContext, short,
};
use crate::model::{
    DeviationKind, DeviationState, FindingSeverity, FindingSource, FindingState, SignoffSubject,
    parse_date,
};

const ROW_HEIGHT: f32 = 22.0;

/// Draws the Findings view.
pub fn findings_ui(
    cx: &ViewContext<'_>,
    view: &mut FindingsView,
    signoff: &mut SignoffForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let selected = view
        .selected
        .as_ref()
        .and_then(|id| cx.records.findings.iter().position(|f| &f.id == id));
    if let Some(index) = selected {
        egui::Panel::right("finding_detail")
            .resizable(true)
            .default_size(440.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| detail_ui(cx, view, signoff, index, ui, commands));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| table_ui(cx, view, ui, commands));
}

/// The colour a severity is shown in.
pub fn severity_color(severity: FindingSeverity) -> Color32 {
    match severity {
        FindingSeverity::Critical => Color32::from_rgb(190, 30, 45),
        FindingSeverity::High => Color32::from_rgb(220, 90, 30),
        FindingSeverity::Medium => Color32::from_rgb(200, 150, 20),
        FindingSeverity::Low => Color32::from_rgb(60, 130, 190),
        FindingSeverity::Informational => Color32::from_rgb(120, 120, 120),
    }
}

fn state_text(finding: &Finding) -> RichText {
    let text = RichText::new(finding.state.label());
    match finding.state {
        FindingState::Late => text.color(DANGER).strong(),
        FindingState::Open => text,
        FindingState::FalsePositive | FindingState::Closed => text.weak(),
    }
}

fn what(finding: &Finding) -> &str {
    if finding.vulnerability.is_empty() {
        &finding.check
    } else {
        &finding.vulnerability
    }
}

fn table_ui(
    cx: &ViewContext<'_>,
    view: &mut FindingsView,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading("Findings");
        let idle = cx.shell.job.is_none();
        if !cx.session.read_only {
            command_button_ui(ui, "", Command::ImportFindings, idle, commands);
        }
        command_button_ui(ui, "", Command::ExportPoam, idle, commands);
    });
    if cx.records.findings.is_empty() {
        ui.add_space(12.0);
        ui.label(
            RichText::new(
                "No findings yet. Import what AWS's tools export — Amazon Inspector (JSON or CSV \
                 report), Security Hub (ASFF from get-findings, or OCSF) or Systems Manager \
                 (list-compliance-items) — with Import findings…, by dropping the files here, \
                 or on the command line with `lockstep findings import --project NAME FILE`. \
                 Import newer exports the same way: findings are matched by their ids.",
            )
            .weak(),
        );
        return;
    }
    filter_ui(view, ui);
    summary_ui(cx, view, ui);
    rows_ui(cx, view, ui, commands);
}

/// The line under the filters: how many are shown, open, late and awaiting sign-off.
fn summary_ui(cx: &ViewContext<'_>, view: &FindingsView, ui: &mut Ui) {
    let counts = view.counts;
    let (open, late, requested) = (counts.open, counts.late, counts.awaiting_signoff);
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        ui.label(
            RichText::new(format!(
                "{} of {} shown · {open} open ·",
                view.rows.len(),
                cx.records.findings.len(),
            ))
            .weak(),
        );
        let label = RichText::new(format!("{late} late"));
        if late == 0 {
            ui.label(label.weak());
        } else {
            ui.label(label.color(DANGER));
        }
        ui.label(RichText::new(format!("· {requested} deviations awaiting sign-off")).weak());
    });
}

/// The table: sortable headings and the rows in sight.
fn rows_ui(
    cx: &ViewContext<'_>,
    view: &mut FindingsView,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let findings = &cx.records.findings;
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::auto().at_least(60.0))
        .column(Column::initial(110.0).clip(true))
        .column(Column::initial(150.0).clip(true))
        .column(
            Column::remainder()
                .at_least(140.0)
                .clip(true)
                .resizable(false),
        )
        .column(Column::auto().at_least(80.0))
        .column(Column::auto().at_least(84.0))
        .column(Column::auto().at_least(84.0))
        .column(Column::auto().at_least(70.0))
        .column(Column::initial(120.0).clip(true))
        .header(ROW_HEIGHT, |mut header| {
            for (title, sort) in [
                ("ID", FindingSort::Id),
                ("Source", FindingSort::Source),
                ("Asset", FindingSort::Asset),
                ("Vulnerability or check", FindingSort::Vulnerability),
                ("Severity", FindingSort::Severity),
                ("First seen", FindingSort::FirstSeen),
                ("Deadline", FindingSort::Deadline),
                ("State", FindingSort::State),
                ("Deviation", FindingSort::Deviation),
            ] {
                header.col(|ui| sort_heading_ui(ui, title, sort, &mut view.sort));
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, view.rows.len(), |mut row| {
                let Some(finding) = view.rows.get(row.index()).and_then(|n| findings.get(*n))
                else {
                    return;
                };
                let chosen = view.selected.as_ref() == Some(&finding.id);
                row_ui(&mut row, finding, chosen, commands);
            });
        });
}

/// One finding's row.
fn row_ui(
    row: &mut egui_extras::TableRow<'_, '_>,
    finding: &Finding,
    chosen: bool,
    commands: &mut Vec<Command>,
) {
    row.set_selected(chosen);
    row.col(|ui| {
        if ui.selectable_label(chosen, &finding.id).clicked() {
            commands.push(Command::SelectFinding(
                (!chosen).then(|| finding.id.clone()),
            ));
        }
    });
    row.col(|ui| {
        ui.label(finding.source.label());
    });
    row.col(|ui| {
        ui.label(short(&finding.resource, 60))
            .on_hover_text(&finding.resource);
    });
    row.col(|ui| {
        let id = what(finding);
        let text = if id.is_empty() || finding.title.contains(id) {
            short(&finding.title, 100)
        } else {
            format!("{id} – {}", short(&finding.title, 100))
        };
        ui.label(text).on_hover_text(&finding.title);
    });
    row.col(|ui| {
        ui.label(
            RichText::new(finding.effective_severity.label())
                .color(severity_color(finding.effective_severity)),
        );
    });
    row.col(|ui| {
        ui.label(finding.first_seen.date_naive().to_string());
    });
    row.col(|ui| {
        ui.label(finding.deadline.map(|d| d.to_string()).unwrap_or_default());
    });
    row.col(|ui| {
        ui.label(state_text(finding));
    });
    row.col(|ui| {
        if let Some(d) = &finding.deviation {
            let text = format!("{} ({})", d.kind.label(), d.state.as_str());
            match d.state {
                DeviationState::Requested => ui.label(RichText::new(text).color(WARNING)),
                DeviationState::Approved => ui.label(text),
            };
        }
    });
}

fn filter_ui(view: &mut FindingsView, ui: &mut Ui) {
    let filter = &mut view.filter;
    ui.horizontal_wrapped(|ui| {
        let search = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(&mut filter.text)
                .desired_width(180.0)
                .hint_text("id, asset, CVE, check, title"),
        )
        .labelled_by(search.id);
        let label = ui.label("Severity");
        egui::ComboBox::from_id_salt("finding_severity_filter")
            .selected_text(filter.severity.map(|s| s.label()).unwrap_or("All"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.severity, None, "All");
                for s in FindingSeverity::ALL {
                    ui.selectable_value(&mut filter.severity, Some(s), s.label());
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("Source");
        egui::ComboBox::from_id_salt("finding_source_filter")
            .selected_text(filter.source.map(|s| s.label()).unwrap_or("All"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.source, None, "All");
                for s in FindingSource::ALL {
                    ui.selectable_value(&mut filter.source, Some(s), s.label());
                }
            })
            .response
            .labelled_by(label.id);
        ui.checkbox(&mut filter.open_only, "Open only");
    });
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not evaluated",
    }
}

fn detail_ui(
    cx: &ViewContext<'_>,
    view: &mut FindingsView,
    signoff: &mut SignoffForm,
    index: usize,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let Some(finding) = cx.records.findings.get(index) else {
        return;
    };
    let id = finding.id.clone();
    ui.horizontal(|ui| {
        ui.heading(&finding.id);
        if ui.button("Close").clicked() {
            commands.push(Command::SelectFinding(None));
        }
    });
    ui.label(RichText::new(&finding.title).strong());
    if !finding.description.trim().is_empty() {
        ui.label(short(&finding.description, 600));
    }
    ui.add_space(4.0);
    egui::Grid::new("finding_fields")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| fields_ui(finding, ui));
    ui.separator();
    facts_ui(cx, &id, ui, commands);
    ui.separator();
    deviation_ui(cx, view, signoff, &id, ui, commands);
    ui.separator();
    milestones_ui(cx, view, &id, ui, commands);
}

fn fields_ui(finding: &Finding, ui: &mut Ui) {
    let mut row = |label: &str, value: RichText| {
        ui.label(label);
        ui.label(value);
        ui.end_row();
    };
    row("State", state_text(finding));
    row("Source", RichText::new(finding.source.label()));
    row("Source id", RichText::new(short(&finding.source_id, 80)));
    if !finding.account.is_empty() {
        row("Account", RichText::new(&finding.account));
    }
    row("Asset", RichText::new(&finding.resource));
    if !finding.vulnerability.is_empty() {
        row("Vulnerability", RichText::new(&finding.vulnerability));
    }
    if !finding.package.is_empty() {
        let fixed = if finding.fixed_in.is_empty() {
            String::new()
        } else {
            format!(", fixed in {}", finding.fixed_in)
        };
        row(
            "Package",
            RichText::new(format!("{}{fixed}", finding.package)),
        );
    }
    if !finding.check.is_empty() {
        row("Check", RichText::new(&finding.check));
    }
    if !finding.controls.is_empty() {
        row("NIST controls", RichText::new(finding.controls.join(", ")));
    }
    let severity = if finding.effective_severity == finding.severity {
        finding.severity.label().to_string()
    } else {
        format!(
            "{} (adjusted from {})",
            finding.effective_severity.label(),
            finding.severity.label()
        )
    };
    row(
        "Severity",
        RichText::new(severity).color(severity_color(finding.effective_severity)),
    );
    row(
        "First seen",
        RichText::new(finding.first_seen.date_naive().to_string()),
    );
    row(
        "Last seen",
        RichText::new(finding.last_seen.date_naive().to_string()),
    );
    let deadline = match (finding.deadline, finding.state) {
        (Some(d), FindingState::Late) => RichText::new(format!("{d} (late)")).color(DANGER),
        (Some(d), _) => RichText::new(d.to_string()),
        (None, _) => RichText::new("None (informational or passed)").weak(),
    };
    row("Deadline", deadline);
    if let (Some(day), Some(reason)) = (finding.closed_on, finding.closed_reason) {
        row(
            "Closed",
            RichText::new(format!("{day}, {}", reason.as_str().replace('-', " "))),
        );
    }
}

/// What the tools cannot know, for FedRAMP's vulnerability detail report.
fn facts_ui(cx: &ViewContext<'_>, id: &str, ui: &mut Ui, commands: &mut Vec<Command>) {
    let Some(finding) = cx.records.findings.iter().find(|f| f.id == id) else {
        return;
    };
    ui.label(RichText::new("Evaluation").strong());
    ui.label(
        RichText::new("FedRAMP's vulnerability report needs a person's word on these.").weak(),
    );
    let choices = [None, Some(true), Some(false)];
    egui::Grid::new("finding_facts")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (label, current, make) in [
                (
                    "Internet-reachable",
                    finding.internet_reachable,
                    (|v| FindingFacts {
                        internet_reachable: Some(v),
                        ..FindingFacts::default()
                    }) as fn(Option<bool>) -> FindingFacts,
                ),
                ("Likely exploitable", finding.likely_exploitable, |v| {
                    FindingFacts {
                        likely_exploitable: Some(v),
                        ..FindingFacts::default()
                    }
                }),
            ] {
                labelled_field_ui(ui, label, |ui, label_id| {
                    let mut chosen = current;
                    egui::ComboBox::from_id_salt(("finding_fact", label))
                        .selected_text(yes_no(current))
                        .show_ui(ui, |ui| {
                            for choice in choices {
                                ui.selectable_value(&mut chosen, choice, yes_no(choice));
                            }
                        })
                        .response
                        .labelled_by(label_id);
                    if chosen != current && !cx.session.read_only {
                        commands.push(Command::SetFindingFacts {
                            id: id.to_string(),
                            facts: make(chosen),
                        });
                    }
                });
            }
        });
}

fn deviation_ui(
    cx: &ViewContext<'_>,
    view: &mut FindingsView,
    signoff: &mut SignoffForm,
    id: &str,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new("Deviation").strong());
    let existing = cx
        .records
        .findings
        .iter()
        .find(|f| f.id == id)
        .and_then(|f| f.deviation.clone());
    if let Some(d) = &existing {
        let state_word = match d.state {
            DeviationState::Requested => {
                RichText::new("asked for, awaiting sign-off").color(WARNING)
            }
            DeviationState::Approved => RichText::new(format!(
                "approved by {}",
                d.approved_by.clone().unwrap_or_default()
            )),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(d.kind.label()).strong());
            ui.label(state_word);
        });
        if let Some(adjusted) = d.adjusted_severity {
            ui.label(format!("Adjusted severity: {}", adjusted.label()));
        }
        ui.label(RichText::new(format!("“{}”", d.rationale)).italics());
        ui.label(
            RichText::new(format!(
                "Asked by {} on {}",
                d.requested_by,
                d.requested_at.date_naive()
            ))
            .small()
            .weak(),
        );
        super::signoffs::signoffs_ui(
            cx,
            signoff,
            &SignoffSubject::Finding(id.to_string()),
            ui,
            commands,
        );
    } else {
        ui.label(RichText::new("None asked for.").weak());
    }
    if !cx.session.read_only {
        deviation_form_ui(view, id, existing.is_some(), ui, commands);
    }
}

/// The form that asks for a deviation.
fn deviation_form_ui(
    view: &mut FindingsView,
    id: &str,
    again: bool,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let draft = &mut view.deviation;
    egui::CollapsingHeader::new(if again {
        "Ask for another deviation"
    } else {
        "Ask for a deviation"
    })
    .id_salt(("deviation_form", id))
    .show(ui, |ui| {
        egui::Grid::new(("deviation_grid", id))
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                labelled_field_ui(ui, "Kind", |ui, label| {
                    egui::ComboBox::from_id_salt(("deviation_kind", id))
                        .selected_text(draft.kind.label())
                        .show_ui(ui, |ui| {
                            for kind in DeviationKind::ALL {
                                ui.selectable_value(&mut draft.kind, kind, kind.label());
                            }
                        })
                        .response
                        .labelled_by(label);
                });
                if draft.kind == DeviationKind::RiskAdjustment {
                    labelled_field_ui(ui, "Adjusted severity", |ui, label| {
                        egui::ComboBox::from_id_salt(("deviation_severity", id))
                            .selected_text(draft.adjusted.label())
                            .show_ui(ui, |ui| {
                                for s in FindingSeverity::ALL {
                                    ui.selectable_value(&mut draft.adjusted, s, s.label());
                                }
                            })
                            .response
                            .labelled_by(label);
                    });
                }
                labelled_field_ui(ui, "Rationale", |ui, label| {
                    ui.add(
                        egui::TextEdit::multiline(&mut draft.rationale)
                            .desired_rows(3)
                            .desired_width(260.0)
                            .hint_text("Why, in words an assessor accepts"),
                    )
                    .labelled_by(label);
                });
            });
        let ready = !draft.rationale.trim().is_empty();
        let command = Command::RequestDeviation {
            id: id.to_string(),
            deviation: NewDeviation {
                kind: draft.kind,
                rationale: draft.rationale.clone(),
                adjusted_severity: (draft.kind == DeviationKind::RiskAdjustment)
                    .then_some(draft.adjusted),
                evidence: None,
            },
        };
        command_button_ui(ui, "", command, ready, commands);
    });
}

fn milestones_ui(
    cx: &ViewContext<'_>,
    view: &mut FindingsView,
    id: &str,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new("Milestones").strong());
    let milestones = cx
        .records
        .findings
        .iter()
        .find(|f| f.id == id)
        .map(|f| f.milestones.clone())
        .unwrap_or_default();
    if milestones.is_empty() {
        ui.label(RichText::new("None planned.").weak());
    }
    for m in &milestones {
        let late = m.due < cx.session.today;
        let due = RichText::new(m.due.to_string());
        ui.horizontal_wrapped(|ui| {
            ui.label(if late {
                due.color(DANGER)
            } else {
                due.strong()
            });
            ui.label(&m.text);
            ui.label(RichText::new(format!("({})", m.recorded_by)).small().weak());
        });
    }
    if cx.session.read_only {
        return;
    }
    let today = cx.session.today;
    let draft = &mut view.milestone;
    egui::CollapsingHeader::new("Plan a milestone")
        .id_salt(("milestone_form", id))
        .show(ui, |ui| {
            egui::Grid::new(("milestone_grid", id))
                .num_columns(2)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    labelled_field_ui(ui, "Due", |ui, label| {
                        date_field_ui(
                            ui,
                            "milestone_due",
                            "Due date",
                            &mut draft.due,
                            "YYYY-MM-DD",
                            today,
                            label,
                        );
                    });
                    labelled_field_ui(ui, "Step", |ui, label| {
                        ui.add(
                            egui::TextEdit::singleline(&mut draft.text)
                                .desired_width(260.0)
                                .hint_text("Upgrade openssl on the web tier"),
                        )
                        .labelled_by(label);
                    });
                });
            let due = parse_date(&draft.due).ok();
            let ready = due.is_some() && !draft.text.trim().is_empty();
            let command = Command::AddFindingMilestone {
                id: id.to_string(),
                due: due.unwrap_or(today),
                text: draft.text.clone(),
            };
            command_button_ui(ui, "", command, ready, commands);
        });
}
