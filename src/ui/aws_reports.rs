//! The AWS reports view: the project's coverage line (a period timeline with its gaps), the
//! workspace's reports with a way to remove one or import its CUECs, the project's CUEC table
//! with the controls that carry each out, and the form that adds a report.

use egui::{Color32, RichText, Ui};

use super::theme::{DANGER, WARNING};
use super::widgets::{chip_ui, date_field_ui, is_blank_or_date};
use crate::app::{AwsReport, AwsReportForm, CuecControl, CuecLine, MappedBy, ProjectCoverage};
use crate::app::{Command, ReportCover, ViewContext, covering_reports, report_cover};
use crate::model::{Coverage, ReportKind};

const COVERED: Color32 = Color32::from_rgb(0x2e, 0x8b, 0x57);

/// Draws the AWS reports view.
pub fn aws_reports_ui(
    cx: &ViewContext<'_>,
    form: &mut AwsReportForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    // A reader browses: the forms that change records are not shown.
    if !cx.session.read_only {
        egui::Panel::right("aws_reports_side")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| add_form_ui(cx, form, ui, commands));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                coverage_ui(cx, ui);
                ui.separator();
                reports_ui(cx, form, ui, commands);
                ui.separator();
                cuecs_ui(cx, ui, commands);
            });
    });
}

/// In a control's panel: the AWS reports that back its AWS side, and whether they leave
/// part of the audit period or a service uncovered.
pub fn backing_reports_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let reports = covering_reports(&cx.records.aws_reports, cx.records.coverage.as_ref());
    ui.label(RichText::new("AWS's reports behind it").strong());
    if reports.is_empty() {
        ui.label(RichText::new("None for this audit period yet.").color(DANGER));
    }
    for report in reports {
        ui.label(format!("{} — {}", report.kind.label(), report.title));
    }
    if cx.aws_coverage_incomplete() {
        ui.colored_label(
            DANGER,
            "AWS's reports leave a gap in the audit period or a service out of scope.",
        );
    }
    if ui.link("Open AWS reports").clicked() {
        commands.push(Command::ShowView(crate::app::View::AwsReports));
    }
}

fn coverage_ui(cx: &ViewContext<'_>, ui: &mut Ui) {
    ui.heading("Coverage of the audit period");
    match &cx.records.coverage {
        None => {}
        Some(ProjectCoverage::NoPeriod) => {
            ui.label(
                RichText::new(
                    "This project has no audit period, so there is no coverage to check.",
                )
                .weak(),
            );
        }
        Some(ProjectCoverage::Period(coverage)) => {
            ui.label(format!("Audit period {}", coverage.period));
            timeline_ui(ui, coverage);
            for range in &coverage.covered {
                ui.label(format!("Covered: {range}"));
            }
            for gap in &coverage.gaps {
                ui.label(RichText::new(format!("Gap: {gap} ({} days)", gap.days())).color(DANGER));
            }
            for missing in &coverage.missing_services {
                ui.label(
                    RichText::new(format!(
                        "Missing service: {} is not in the scope of '{}'",
                        missing.service, missing.title
                    ))
                    .color(DANGER),
                );
            }
            if coverage.is_complete() {
                ui.label(RichText::new("No gaps and no missing services.").color(COVERED));
            }
        }
    }
}

/// A bar for the audit period: covered stretches green, gaps red.
fn timeline_ui(ui: &mut Ui, coverage: &Coverage) {
    let width = ui.available_width().min(640.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
    let days = coverage.period.days().max(1) as f32;
    let x = |date: chrono::NaiveDate, end: bool| {
        let offset = (date - coverage.period.from).num_days() as f32 + if end { 1.0 } else { 0.0 };
        rect.left() + rect.width() * (offset / days)
    };
    let painter = ui.painter();
    for (ranges, color) in [(&coverage.covered, COVERED), (&coverage.gaps, DANGER)] {
        for range in ranges {
            let part = egui::Rect::from_x_y_ranges(
                x(range.from, false)..=x(range.to, true),
                rect.y_range(),
            );
            painter.rect_filled(part, 2.0, color);
        }
    }
}

fn reports_ui(
    cx: &ViewContext<'_>,
    form: &mut AwsReportForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.heading("AWS reports");
    if cx.records.aws_reports.is_empty() {
        ui.label(
            RichText::new(
                "No AWS reports yet. Download AWS's SOC 2, SOC 1, ISO 27001, PCI or FedRAMP reports from \
                 AWS Artifact and add them here: they back every AWS-column control of every project.",
            )
            .weak(),
        );
        return;
    }
    if !cx.session.read_only {
        ui.horizontal(|ui| {
            let label = ui.label("Reason for removing");
            ui.add(
                egui::TextEdit::singleline(&mut form.remove_reason)
                    .hint_text("superseded by the next report")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        });
    }
    let reason = form.remove_reason.trim().to_string();
    let actions = !cx.session.read_only;
    let gap = 14.0;
    let main_width =
        (ui.available_width() - ID_WIDTH - REPORT_ACTIONS_WIDTH - 2.0 * gap).max(TEXT_MIN_WIDTH);
    let widths = [ID_WIDTH, main_width, REPORT_ACTIONS_WIDTH];
    for (n, report) in cx.records.aws_reports.iter().enumerate() {
        let cover = report_cover(report, cx.records.coverage.as_ref());
        let stripe = (n % 2 == 0).then(|| ui.visuals().faint_bg_color);
        row_ui(ui, &widths, gap, stripe, |ui, column| match column {
            0 => {
                ui.label(report.id.to_string());
            }
            1 => report_summary_ui(ui, report, cover),
            _ if actions && !report.removed => report_actions_ui(ui, report, &reason, commands),
            _ => {}
        });
    }
}

/// A report's title, kind and how much of the audit period it covers, then its dates and
/// services.
fn report_summary_ui(ui: &mut Ui, report: &AwsReport, cover: ReportCover) {
    ui.horizontal_wrapped(|ui| {
        let title = RichText::new(&report.title).strong();
        ui.label(if report.removed {
            title.strikethrough().weak()
        } else {
            title
        })
        .on_hover_text(format!("{}\n{}", report.file_name, report.sha256));
        ui.label(RichText::new(report.kind.label()).weak());
        if report.removed {
            chip_ui(ui, "Removed", Color32::GRAY);
            return;
        }
        match cover {
            ReportCover::Whole => chip_ui(ui, "Covers this audit", COVERED),
            // Said with its dates: a report that stops mid-period must not read as covering
            // the audit next to the gap it leaves.
            ReportCover::Part(part) => {
                chip_ui(ui, &format!("Covers {part} of this audit"), WARNING);
            }
            ReportCover::Nothing => {}
        }
    });
    let period = match (report.period_start, report.period_end) {
        (Some(from), Some(to)) => format!("Period {from} to {to}"),
        _ => report
            .valid_until
            .map(|d| format!("Valid until {d}"))
            .unwrap_or_else(|| "No period".into()),
    };
    let bridge = report
        .bridge_until
        .map(|d| format!("bridge letter to {d}"))
        .unwrap_or_else(|| "no bridge letter".into());
    let services = if report.services.is_empty() {
        "services not stated".to_string()
    } else {
        format!("services {}", report.services.join(", "))
    };
    ui.add(
        egui::Label::new(RichText::new(format!("{period} · {bridge} · {services}")).weak()).wrap(),
    );
}

/// A report's buttons: import its CUECs, remove it (once a reason is typed).
fn report_actions_ui(ui: &mut Ui, report: &AwsReport, reason: &str, commands: &mut Vec<Command>) {
    if ui.button(Command::ImportCuecs(report.id).label()).clicked() {
        commands.push(Command::ImportCuecs(report.id));
    }
    let button = ui
        .add_enabled(!reason.is_empty(), egui::Button::new("Remove report"))
        .on_disabled_hover_text("Type the reason for removing it first");
    if button.clicked() {
        commands.push(Command::RemoveAwsReport {
            id: report.id,
            reason: reason.to_string(),
        });
    }
}

/// Width of the id column of the reports and CUEC tables.
const ID_WIDTH: f32 = 28.0;
/// Width of a report's column of buttons.
const REPORT_ACTIONS_WIDTH: f32 = 130.0;
/// Width of the CUEC table's column of controls: chips and "Map to…" wrap inside it.
const CUEC_CONTROLS_WIDTH: f32 = 290.0;
/// The narrowest a report's or a CUEC's text gets, however narrow the window.
const TEXT_MIN_WIDTH: f32 = 240.0;

/// The CUEC table. Rows are laid out by hand rather than in a grid, so that the text takes
/// the width the id and controls columns leave, each row is as tall as its text, and its
/// controls sit at the top of the row beside the text's first line.
fn cuecs_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.heading("CUECs");
    ui.label(
        RichText::new(
            "The complementary user entity controls AWS's reports list: what you must do for AWS's controls to \
             hold. Each needs a customer or shared control that carries it out.",
        )
        .weak(),
    );
    if cx.records.cuecs.is_empty() {
        ui.label(
            RichText::new("No CUECs yet: import a report's list with \"Import CUECs…\".").weak(),
        );
        return;
    }
    let candidates: Vec<&crate::model::Control> = cx
        .records
        .controls
        .iter()
        .filter(|c| !c.retired && c.column != crate::model::Column::Aws)
        .collect();
    let gap = 14.0;
    let text_width =
        (ui.available_width() - ID_WIDTH - CUEC_CONTROLS_WIDTH - 2.0 * gap).max(TEXT_MIN_WIDTH);
    let widths = [ID_WIDTH, text_width, CUEC_CONTROLS_WIDTH];
    row_ui(ui, &widths, gap, None, |ui, column| {
        let title = ["Id", "CUEC", "Controls"][column];
        ui.label(RichText::new(title).strong());
    });
    for (n, line) in cx.records.cuecs.iter().enumerate() {
        let stripe = (n % 2 == 0).then(|| ui.visuals().faint_bg_color);
        row_ui(ui, &widths, gap, stripe, |ui, column| match column {
            0 => {
                ui.label(line.cuec.id.to_string());
            }
            1 => {
                ui.add(egui::Label::new(&line.cuec.text).wrap());
                let source = if line.cuec.criteria.is_empty() {
                    line.report_title.clone()
                } else {
                    format!("{} · {}", line.report_title, line.cuec.criteria)
                };
                ui.label(RichText::new(source).small().weak());
            }
            _ => cuec_controls_ui(ui, line, &candidates, cx.session.read_only, commands),
        });
    }
}

/// One row of the reports or CUEC table: each column in its own top-aligned strip of
/// `widths`, the row striped with `stripe` behind them once their height is known.
fn row_ui(
    ui: &mut Ui,
    widths: &[f32],
    gap: f32,
    stripe: Option<Color32>,
    mut cell_ui: impl FnMut(&mut Ui, usize),
) {
    let background = ui.painter().add(egui::Shape::Noop);
    let row = ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = gap;
        for (column, &width) in widths.iter().enumerate() {
            ui.allocate_ui_with_layout(
                egui::vec2(width, 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_width(width);
                    ui.spacing_mut().item_spacing.x = 8.0;
                    cell_ui(ui, column);
                },
            );
        }
    });
    if let Some(color) = stripe {
        let rect = row.response.rect.expand2(egui::vec2(4.0, 3.0));
        ui.painter()
            .set(background, egui::Shape::rect_filled(rect, 2.0, color));
    }
    ui.add_space(4.0);
}

/// A CUEC's controls as chips, one a line (click one to open the control; "×" unmaps a
/// control mapped by hand), or "Unmapped", then the box that maps another.
fn cuec_controls_ui(
    ui: &mut Ui,
    line: &CuecLine,
    candidates: &[&crate::model::Control],
    read_only: bool,
    commands: &mut Vec<Command>,
) {
    ui.spacing_mut().item_spacing = egui::vec2(6.0, 4.0);
    for control in &line.controls {
        let unmappable = !read_only && control.mapped_by == MappedBy::Hand;
        control_chip_ui(ui, line.cuec.id, control, unmappable, commands);
    }
    ui.horizontal(|ui| {
        if line.controls.is_empty() {
            chip_ui(ui, "Unmapped", DANGER);
        }
        if read_only {
            return;
        }
        egui::ComboBox::from_id_salt(("cuec_map", line.cuec.id))
            .selected_text("Map to…")
            .width(150.0)
            .show_ui(ui, |ui| {
                ui.set_min_width(320.0);
                for control in candidates {
                    if line.controls.iter().any(|c| c.id == control.id) {
                        continue;
                    }
                    if ui
                        .selectable_label(false, format!("{} {}", control.id, control.title))
                        .clicked()
                    {
                        commands.push(Command::MapCuec {
                            cuec: line.cuec.id,
                            control: control.id.clone(),
                            mapped: true,
                        });
                    }
                }
            })
            .response
            .accessible_name(format!("Map CUEC {}", line.cuec.id));
    });
}

/// A mapped control as a small rounded frame: its id (click to open it on the board), its
/// status in words, and "×" to unmap it when `unmappable`.
fn control_chip_ui(
    ui: &mut Ui,
    cuec: i64,
    control: &CuecControl,
    unmappable: bool,
    commands: &mut Vec<Command>,
) {
    let color = super::theme::status_color(control.status);
    egui::Frame::new()
        .fill(ui.visuals().extreme_bg_color)
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(8)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            // One line: the chip is never split across lines.
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 4.0;
                let open = ui
                    .add(egui::Button::new(&control.id).frame(false))
                    .on_hover_text(format!("{}: open it on the board", control.title));
                if open.clicked() {
                    commands.push(Command::Goto(crate::app::Target::Control(
                        control.id.clone(),
                    )));
                }
                ui.label(RichText::new(control.status.label()).small().color(color));
                if unmappable {
                    let unmap = Command::MapCuec {
                        cuec,
                        control: control.id.clone(),
                        mapped: false,
                    };
                    let button = ui
                        .add(egui::Button::new("×").frame(false))
                        .on_hover_text(format!("Unmap {}", control.id))
                        .accessible_name(format!("{} {}", unmap.label(), control.id));
                    if button.clicked() {
                        commands.push(unmap);
                    }
                }
            });
        });
}

fn add_form_ui(
    cx: &ViewContext<'_>,
    form: &mut AwsReportForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let today = cx.session.today;
    ui.label(RichText::new("Add an AWS report").strong());
    egui::Grid::new("add_aws_report")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            report_fields_ui(form, today, ui);
            ui.label("Report file");
            if file_choice_ui(ui, form.file.as_ref(), "Choose report…") {
                commands.push(Command::PickAwsReportFile);
            }
            ui.end_row();
            ui.label("Bridge letter");
            if file_choice_ui(ui, form.bridge_letter.as_ref(), "Choose bridge letter…") {
                commands.push(Command::PickBridgeLetter);
            }
            ui.end_row();
        });
    let dates_ok = [
        &form.period_start,
        &form.period_end,
        &form.valid_until,
        &form.bridge_until,
    ]
    .iter()
    .all(|text| is_blank_or_date(text));
    let ready = form.file.is_some() && !form.title.trim().is_empty() && dates_ok;
    if ui
        .add_enabled(ready, egui::Button::new(Command::AddAwsReport.label()))
        .clicked()
    {
        commands.push(Command::AddAwsReport);
    }
}

/// The report's kind, title, dates and services, one labelled row each.
fn report_fields_ui(form: &mut AwsReportForm, today: chrono::NaiveDate, ui: &mut Ui) {
    let label = ui.label("Kind");
    egui::ComboBox::from_id_salt("aws_report_kind")
        .selected_text(form.kind.label())
        .show_ui(ui, |ui| {
            for kind in ReportKind::ALL {
                ui.selectable_value(&mut form.kind, kind, kind.label());
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Title");
    ui.add(
        egui::TextEdit::singleline(&mut form.title)
            .hint_text("AWS SOC 2 Type II, 2026–27")
            .desired_width(200.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    let dates = [
        (
            "aws_period_start",
            "Period start",
            &mut form.period_start,
            "YYYY-MM-DD",
        ),
        (
            "aws_period_end",
            "Period end",
            &mut form.period_end,
            "YYYY-MM-DD",
        ),
        (
            "aws_valid_until",
            "Valid until",
            &mut form.valid_until,
            "certificates",
        ),
    ];
    for (id, name, value, hint) in dates {
        let label = ui.label(name);
        date_field_ui(ui, id, name, value, hint, today, label.id);
        ui.end_row();
    }
    let label = ui.label("Services");
    ui.add(
        egui::TextEdit::singleline(&mut form.services)
            .hint_text("ec2, s3, rds")
            .desired_width(200.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Bridge letter until");
    let name = "Bridge letter until";
    date_field_ui(
        ui,
        "aws_bridge_until",
        name,
        &mut form.bridge_until,
        "YYYY-MM-DD",
        today,
        label.id,
    );
    ui.end_row();
}

fn file_choice_ui(ui: &mut Ui, file: Option<&std::path::PathBuf>, button: &str) -> bool {
    ui.horizontal(|ui| {
        let name = file
            .and_then(|p| p.file_name())
            .map(|n| crate::app::escape_name(&n.to_string_lossy()))
            .unwrap_or_else(|| "none".to_string());
        ui.label(RichText::new(name).small());
        ui.small_button(button).clicked()
    })
    .inner
}
