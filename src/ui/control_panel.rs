//! The control panel on the right: every field of the selected control, editable; a shared
//! control's two parts as "AWS does" and "You do"; why it is in its column; for a control of a
//! framework baseline its statement with the filled parameter values highlighted, its guidance
//! folded, the control it enhances and the built-in SRM controls related to it; its NIST
//! references; its history.
//!
//! Choices (status, column, cadence) are saved as soon as they are made; text is saved on
//! Enter or when the field loses focus. Each save is one command and one activity row.

use egui::collapsing_header::CollapsingState;
use egui::text::{LayoutJob, TextFormat};
use egui::{RichText, Ui};

use super::theme::{DANGER, column_color, status_color};
use super::widgets::chip_ui;
use crate::app::{ActivityEntry, Command, PanelDraft, SignoffForm, ViewContext};
use crate::model::{
    Column, Control, ControlEdit, ControlField, ControlPatch, FrameworkText, Status,
};

const CADENCES: [(Option<u32>, &str); 6] = [
    (None, "No review cadence"),
    (Some(30), "Every 30 days"),
    (Some(90), "Every quarter (90 days)"),
    (Some(180), "Every 6 months (180 days)"),
    (Some(365), "Every year (365 days)"),
    (Some(730), "Every 2 years (730 days)"),
];

/// Draws the panel for the selected control.
pub fn control_panel_ui(
    cx: &ViewContext<'_>,
    draft: &mut PanelDraft,
    signoff: &mut SignoffForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let Some(control) = cx.selected_control() else {
        return;
    };
    egui::Panel::right("control_panel")
        .resizable(true)
        .default_size(420.0)
        .min_size(320.0)
        .show(ui, |ui| {
            // A scrollbar of its own, beside the content rather than over its buttons.
            ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
            let mut scroll = egui::ScrollArea::vertical()
                .id_salt("control_panel_scroll")
                .auto_shrink([false, false]);
            let shown = ui.scope_id().with("control_panel_shown");
            if ui.data(|d| d.get_temp::<String>(shown)).as_deref() != Some(control.id.as_str()) {
                // Each control opens at its top, with its id and status in view.
                scroll = scroll.vertical_scroll_offset(0.0);
                ui.data_mut(|d| d.insert_temp(shown, control.id.clone()));
            }
            scroll.show(ui, |ui| {
                panel_body_ui(cx, draft, signoff, control, ui, commands);
            });
        });
}

fn panel_body_ui(
    cx: &ViewContext<'_>,
    draft: &mut PanelDraft,
    signoff: &mut SignoffForm,
    control: &Control,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.add_space(6.0);
    heading_ui(control, ui, commands);
    let editable = !control.retired && !cx.session.read_only;
    ui.add_enabled_ui(editable, |ui| {
        fields_ui(cx, draft, control, ui, commands);
        if let Some(framework) = &control.framework {
            ui.separator();
            framework_ui(ui, control, framework, cx.records.parent.as_ref());
        }
        ui.separator();
        why_ui(ui, control);
        ui.separator();
        let checks = cx.records.check_results.get(&control.id);
        if let Some(results) = checks.filter(|results| !results.is_empty()) {
            checks_ui(ui, control, results);
            ui.separator();
        }
        parts_ui(ui, draft, control, commands);
        text_field_ui(
            ui,
            draft,
            control,
            ControlField::Notes,
            "Notes",
            true,
            commands,
        );
    });
    if !cx.records.related.is_empty() || control.framework.is_some() {
        ui.separator();
        related_ui(ui, cx);
    }
    if crate::app::relies_on_aws_reports(control) {
        ui.separator();
        super::aws_reports::backing_reports_ui(cx, ui, commands);
    }
    ui.separator();
    super::evidence::evidence_ui(cx, draft, control, ui, commands);
    ui.separator();
    ui.label(RichText::new("Sign-offs").strong());
    let subject = crate::model::SignoffSubject::Control(control.id.clone());
    super::signoffs::signoffs_ui(cx, signoff, &subject, ui, commands);
    ui.separator();
    facts_ui(control, ui);
    ui.separator();
    history_ui(&cx.records.history, ui);
}

/// The control's id, column and status, Close, its area, and why a retired one is retired.
fn heading_ui(control: &Control, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(&control.id).monospace().strong());
        chip_ui(ui, control.column.label(), column_color(control.column));
        if !control.retired {
            chip_ui(ui, control.status.label(), status_color(control.status));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .button("Close")
                .on_hover_text("Close the panel (Esc)")
                .clicked()
            {
                commands.push(Command::SelectControl(None));
            }
        });
    });
    ui.label(RichText::new(&control.area).weak().small());
    if control.retired {
        ui.colored_label(
            DANGER,
            "Retired: the project no longer uses the services this control covers. Add them back under \
             \"AWS services…\" to work on it again; its status, notes and history are kept.",
        );
    }
}

/// The title, status, column, owner, due date and cadence; overdue; the reason asked for or
/// given for the status.
fn fields_ui(
    cx: &ViewContext<'_>,
    draft: &mut PanelDraft,
    control: &Control,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let today = cx.session.today;
    text_field_ui(
        ui,
        draft,
        control,
        ControlField::Title,
        "Title",
        false,
        commands,
    );
    egui::Grid::new("control_fields")
        .num_columns(2)
        .spacing([10.0, 8.0])
        .show(ui, |ui| {
            status_row_ui(ui, draft, control, commands);
            column_row_ui(ui, draft, control);
            let owner = ui.label("Owner");
            single_line_ui(
                ui,
                draft,
                control,
                ControlField::Owner,
                owner.id,
                "Who does it",
                commands,
            );
            ui.end_row();
            let due = ui.label("Due");
            due_row_ui(ui, draft, control, due.id, today, commands);
            ui.end_row();
            cadence_row_ui(ui, control, commands);
        });
    if control.is_overdue(today) {
        ui.colored_label(
            DANGER,
            format!(
                "Overdue: it was due on {}.",
                control.due.map(|d| d.to_string()).unwrap_or_default()
            ),
        );
    }
    if let Some(pending) = draft.pending.clone() {
        reason_prompt_ui(ui, draft, control, pending, commands);
    } else if !control.status_reason.is_empty() {
        ui.label(RichText::new(format!("Reason: {}", control.status_reason)).italics());
    }
}

/// What AWS does and what the customer does, as the control's column splits it.
fn parts_ui(ui: &mut Ui, draft: &mut PanelDraft, control: &Control, commands: &mut Vec<Command>) {
    let mut field = |ui: &mut Ui, field, label| {
        text_field_ui(ui, draft, control, field, label, true, commands);
    };
    match (control.framework.is_some(), control.column) {
        (_, Column::Shared) => {
            field(ui, ControlField::AwsPart, "AWS does");
            field(ui, ControlField::CustomerPart, "You do");
            if control.framework.is_none() {
                field(ui, ControlField::Description, "About this control");
            }
        }
        (true, Column::Aws) => field(ui, ControlField::AwsPart, "AWS does"),
        (true, Column::Customer) => field(ui, ControlField::CustomerPart, "You do"),
        (false, Column::Aws) => {
            field(ui, ControlField::Description, "AWS does");
            ui.label(
                RichText::new("You do: keep AWS's own attestation (SOC 2, ISO 27001, PCI AOC from AWS Artifact) as evidence.")
                    .weak(),
            );
        }
        (false, Column::Customer) => field(ui, ControlField::Description, "You do"),
    }
}

/// Whether the customer can adjust it, the services it covers and its NIST references.
fn facts_ui(control: &Control, ui: &mut Ui) {
    ui.label(
        RichText::new("Can we log in and adjust its security settings?")
            .small()
            .strong(),
    );
    ui.label(if control.can_adjust.is_empty() {
        "Not recorded."
    } else {
        &control.can_adjust
    });
    if !control.services.is_empty() {
        ui.label(RichText::new("Covers").small().strong());
        ui.label(control.services.join(", "));
    }
    if !control.nist.is_empty() {
        ui.label(RichText::new("NIST SP 800-53 Rev 5").small().strong());
        ui.label(control.nist.join(", "));
    }
}

/// The control's activity, newest first.
fn history_ui(history: &[ActivityEntry], ui: &mut Ui) {
    ui.label(RichText::new("History").strong());
    if history.is_empty() {
        ui.label(
            RichText::new("No changes yet: edits appear here with who made them and when.").weak(),
        );
    }
    for entry in history {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(entry.at.replace('T', " ").trim_end_matches('Z'))
                    .small()
                    .weak(),
            );
            ui.label(RichText::new(&entry.actor).small().strong());
            ui.label(RichText::new(&entry.summary).small());
        });
    }
}

fn status_row_ui(
    ui: &mut Ui,
    draft: &mut PanelDraft,
    control: &Control,
    commands: &mut Vec<Command>,
) {
    let label = ui.label("Status");
    let mut chosen = control.status;
    egui::ComboBox::from_id_salt("panel_status")
        .selected_text(control.status.label())
        .width(200.0)
        .show_ui(ui, |ui| {
            for status in Status::ALL {
                ui.selectable_value(&mut chosen, status, status.label());
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    if chosen != control.status {
        let patch = ControlPatch::one(ControlEdit::Status(chosen));
        if chosen == Status::NotApplicable {
            draft.pending = Some(patch);
            draft.reason.clear();
        } else {
            draft.pending = None;
            commands.push(Command::EditControl {
                id: control.id.clone(),
                patch,
            });
        }
    }
}

/// A column move waits in the draft for its reason; nothing is sent until it is given.
fn column_row_ui(ui: &mut Ui, draft: &mut PanelDraft, control: &Control) {
    let label = ui.label("Column");
    let mut chosen = control.column;
    egui::ComboBox::from_id_salt("panel_column")
        .selected_text(control.column.label())
        .width(200.0)
        .show_ui(ui, |ui| {
            for column in Column::ALL {
                ui.selectable_value(&mut chosen, column, column.label());
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    if chosen != control.column {
        draft.pending = Some(ControlPatch::one(ControlEdit::Column(chosen)));
        draft.reason.clear();
    }
}

fn cadence_row_ui(ui: &mut Ui, control: &Control, commands: &mut Vec<Command>) {
    let label = ui.label("Review");
    let current = control.review_days;
    let current_text = CADENCES
        .iter()
        .find(|(days, _)| *days == current)
        .map(|(_, text)| text.to_string())
        .unwrap_or_else(|| format!("Every {} days", control.field(ControlField::ReviewDays)));
    let mut chosen = current;
    egui::ComboBox::from_id_salt("panel_cadence")
        .selected_text(current_text)
        .width(200.0)
        .show_ui(ui, |ui| {
            for (days, text) in CADENCES {
                ui.selectable_value(&mut chosen, days, text);
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    if chosen != current {
        commands.push(Command::EditControl {
            id: control.id.clone(),
            patch: ControlPatch::one(ControlEdit::ReviewDays(chosen)),
        });
    }
}

fn reason_prompt_ui(
    ui: &mut Ui,
    draft: &mut PanelDraft,
    control: &Control,
    pending: ControlPatch,
    commands: &mut Vec<Command>,
) {
    let what = match pending.edits.first() {
        Some(ControlEdit::Column(to)) => format!("Why move it to {}?", to.label()),
        _ => "Why does it not apply?".to_string(),
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        let label = ui.label(RichText::new(what).strong());
        let field = ui.add(
            egui::TextEdit::singleline(&mut draft.reason)
                .hint_text("A reason is required and kept in the history")
                .desired_width(f32::INFINITY),
        );
        let field = field.labelled_by(label.id);
        if !field.has_focus() && draft.reason.is_empty() {
            field.request_focus();
        }
        let submit = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let ready = !draft.reason.trim().is_empty();
            let save = ui.add_enabled(ready, egui::Button::new("Save")).clicked();
            if (save || submit) && ready {
                commands.push(Command::EditControl {
                    id: control.id.clone(),
                    patch: pending.clone().because(draft.reason.trim()),
                });
                draft.pending = None;
            }
            if ui.button("Cancel").clicked() {
                draft.pending = None;
            }
        });
    });
}

fn single_line_ui(
    ui: &mut Ui,
    draft: &mut PanelDraft,
    control: &Control,
    field: ControlField,
    label: egui::Id,
    hint: &str,
    commands: &mut Vec<Command>,
) {
    let Some(text) = draft.text_mut(field) else {
        return;
    };
    let response = ui
        .add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .desired_width(200.0),
        )
        .labelled_by(label);
    if response.lost_focus() && *text != control.field(field) {
        commands.push(Command::EditControlText {
            id: control.id.clone(),
            field,
            text: text.clone(),
        });
    }
}

/// The due date: typed or picked from the calendar; saved when the field loses focus or a day
/// is picked.
fn due_row_ui(
    ui: &mut Ui,
    draft: &mut PanelDraft,
    control: &Control,
    label: egui::Id,
    today: chrono::NaiveDate,
    commands: &mut Vec<Command>,
) {
    let Some(text) = draft.text_mut(ControlField::Due) else {
        return;
    };
    let field =
        super::widgets::date_field_ui(ui, "control_due", "Due", text, "YYYY-MM-DD", today, label);
    if (field.edit.lost_focus() || field.picked) && *text != control.field(ControlField::Due) {
        commands.push(Command::EditControlText {
            id: control.id.clone(),
            field: ControlField::Due,
            text: text.clone(),
        });
    }
}

fn text_field_ui(
    ui: &mut Ui,
    draft: &mut PanelDraft,
    control: &Control,
    field: ControlField,
    label: &str,
    multiline: bool,
    commands: &mut Vec<Command>,
) {
    let Some(text) = draft.text_mut(field) else {
        return;
    };
    if multiline && control.field(field).is_empty() {
        // An empty narrative folds to its heading, so the statement and evidence sit higher.
        let id = ui.make_persistent_id(("narrative", field, &control.id));
        let folding = CollapsingState::load_with_default_open(ui.ctx(), id, !text.is_empty());
        let mut heading = None;
        let header = folding.show_header(ui, |ui| {
            let title = egui::Label::new(RichText::new(label).small().strong());
            heading = Some(ui.add(title.sense(egui::Sense::click())));
        });
        let named_by = heading.as_ref().map_or(id, |heading| heading.id);
        header.body(|ui| edit_ui(ui, text, control, field, multiline, named_by, commands));
        if heading.is_some_and(|heading| heading.clicked()) {
            // The heading opens and closes it, as the arrow does.
            let mut folding = CollapsingState::load_with_default_open(ui.ctx(), id, false);
            folding.toggle(ui);
            folding.store(ui.ctx());
        }
        return;
    }
    let heading = ui.label(RichText::new(label).small().strong());
    edit_ui(ui, text, control, field, multiline, heading.id, commands);
}

/// The text edit of one field, sending the change when it loses focus.
fn edit_ui(
    ui: &mut Ui,
    text: &mut String,
    control: &Control,
    field: ControlField,
    multiline: bool,
    heading: egui::Id,
    commands: &mut Vec<Command>,
) {
    let edit = if multiline {
        egui::TextEdit::multiline(text).desired_rows(2)
    } else {
        egui::TextEdit::singleline(text).font(egui::TextStyle::Heading)
    };
    let response = ui
        .add(edit.desired_width(f32::INFINITY))
        .labelled_by(heading);
    if response.lost_focus() && *text != control.field(field) {
        commands.push(Command::EditControlText {
            id: control.id.clone(),
            field,
            text: text.clone(),
        });
    }
}

/// "Why this column": the placement's reason in one sentence.
fn why_ui(ui: &mut Ui, control: &Control) {
    ui.label(RichText::new("Why this column").strong());
    ui.label(control.why());
}

/// The statement as laid out text, each filled parameter value on a highlighted background.
pub fn statement_job(ui: &Ui, framework: &FrameworkText) -> LayoutJob {
    let text = &framework.statement.text;
    let style = ui.style();
    let font = egui::TextStyle::Body.resolve(style);
    let plain = TextFormat {
        font_id: font.clone(),
        color: style.visuals.text_color(),
        ..Default::default()
    };
    let highlighted = TextFormat {
        font_id: font,
        color: style.visuals.strong_text_color(),
        background: style.visuals.selection.bg_fill.gamma_multiply(0.6),
        ..Default::default()
    };
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    let mut at = 0;
    for span in &framework.statement.params {
        // Spans are checked against the text when read; one that does not fit is skipped.
        let (Some(before), Some(value)) =
            (text.get(at..span.start), text.get(span.start..span.end))
        else {
            continue;
        };
        job.append(before, 0.0, plain.clone());
        job.append(value, 0.0, highlighted.clone());
        at = span.end;
    }
    job.append(text.get(at..).unwrap_or(""), 0.0, plain);
    job
}

/// The Security Hub checks of the NIST controls this control maps to: failing ones first,
/// open while any fails.
fn checks_ui(ui: &mut Ui, control: &Control, results: &[crate::app::CheckResult]) {
    let failing = results.iter().filter(|r| !r.passed).count();
    let heading = if failing > 0 {
        format!("Checks ({failing} failing of {})", results.len())
    } else {
        format!("Checks ({} passing)", results.len())
    };
    egui::CollapsingHeader::new(heading)
        .id_salt(("checks", &control.id))
        .default_open(failing > 0)
        .show(ui, |ui| {
            for result in results {
                ui.horizontal_wrapped(|ui| {
                    if result.passed {
                        ui.label(RichText::new("Passed").small().weak());
                    } else {
                        ui.label(RichText::new("Failing").small().color(DANGER).strong());
                    }
                    ui.label(RichText::new(&result.check).monospace().small());
                    ui.label(&result.title);
                    ui.label(
                        RichText::new(format!(
                            "{} · {} · {}",
                            result.resource,
                            result.severity.label(),
                            result.finding
                        ))
                        .small()
                        .weak(),
                    );
                });
            }
        });
}

/// The framework text: the statement, the parameters, the guidance folded, and the control it
/// enhances as context.
fn framework_ui(
    ui: &mut Ui,
    control: &Control,
    framework: &FrameworkText,
    parent: Option<&Control>,
) {
    ui.label(RichText::new("Statement").strong());
    let job = statement_job(ui, framework);
    ui.label(job);
    if !framework.parameters.is_empty() {
        egui::CollapsingHeader::new(format!("Parameters ({})", framework.parameters.len()))
            .id_salt(("parameters", &control.id))
            .show(ui, |ui| {
                for parameter in &framework.parameters {
                    ui.horizontal_wrapped(|ui| {
                        let name = if parameter.label.is_empty() {
                            &parameter.id
                        } else {
                            &parameter.label
                        };
                        // The part it fills tells apart parameters with the same label.
                        let name = match framework.statement.part_of(&parameter.id) {
                            Some(part) => format!("({part}) {name}:"),
                            None => format!("{name}:"),
                        };
                        ui.label(RichText::new(name).weak());
                        ui.label(&parameter.value);
                    });
                }
            });
    }
    if !framework.guidance.is_empty() {
        egui::CollapsingHeader::new("Guidance")
            .id_salt(("guidance", &control.id))
            .default_open(false)
            .show(ui, |ui| {
                ui.label(&framework.guidance);
            });
    }
    if let Some(parent) = parent {
        egui::CollapsingHeader::new(format!("Enhances {} {}", parent.id, parent.title))
            .id_salt(("parent", &control.id))
            .default_open(false)
            .show(ui, |ui| match &parent.framework {
                Some(parent_text) => {
                    let job = statement_job(ui, parent_text);
                    ui.label(job);
                }
                None => {
                    ui.label(&parent.description);
                }
            });
    }
}

/// The built-in SRM controls that name this control's NIST id, with their columns.
fn related_ui(ui: &mut Ui, cx: &ViewContext<'_>) {
    ui.label(RichText::new("Related SRM controls").strong());
    if cx.records.related.is_empty() {
        ui.label(RichText::new("None for this project's services.").weak());
    }
    for related in &cx.records.related {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&related.id).monospace());
            chip_ui(ui, related.column.label(), column_color(related.column));
            ui.label(&related.title);
        });
    }
}
