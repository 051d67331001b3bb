//! The Requests view: the auditor's request list as a sortable, filterable table, and a
//! detail pane for the selected request where it is answered — evidence linked or attached
//! (files dropped onto the view go to the selected request), the response written, and the
//! status moved to one of the statuses its lifecycle allows next.
//!
//! The table draws only the rows in sight (`egui_extras::TableBuilder` rows) from the order
//! the app computed when the list, the sort or the filter last changed.

use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::widgets::{command_button_ui, sort_heading_ui};
use crate::app::{Command, RequestSort, RequestsView, ViewContext, references, short};
use crate::app::{Request, RequestLink};
use crate::model::RequestStatus;

use super::theme::DANGER;
const ROW_HEIGHT: f32 = 22.0;

/// Draws the Requests view.
pub fn requests_ui(
    cx: &ViewContext<'_>,
    view: &mut RequestsView,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let selected = view
        .selected
        .as_ref()
        .and_then(|id| cx.records.requests.iter().position(|r| &r.id == id));
    if let Some(index) = selected {
        egui::Panel::right("request_detail")
            .resizable(true)
            .default_size(420.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| detail_ui(cx, view, index, ui, commands));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| table_ui(cx, view, ui, commands));
}

fn status_color(status: RequestStatus) -> Color32 {
    match status {
        RequestStatus::Open => Color32::from_rgb(120, 120, 120),
        RequestStatus::InProgress => Color32::from_rgb(200, 140, 20),
        RequestStatus::Submitted => Color32::from_rgb(40, 110, 200),
        RequestStatus::Accepted => Color32::from_rgb(40, 150, 70),
        RequestStatus::Returned => Color32::from_rgb(170, 60, 160),
    }
}

fn table_ui(
    cx: &ViewContext<'_>,
    view: &mut RequestsView,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading("Requests");
        if !cx.session.read_only {
            command_button_ui(ui, "", Command::ImportRequestList, true, commands);
        }
        let exportable = !view.rows.is_empty() && cx.shell.job.is_none();
        command_button_ui(ui, "", Command::ExportRequests, exportable, commands);
    });
    if cx.records.requests.is_empty() {
        ui.add_space(12.0);
        ui.label(
            RichText::new(
                "No requests yet. Import the auditor's request list (a CSV or XLSX file) with \
                 Import request list…, or on the command line with \
                 `lockstep request import --project NAME FILE`. Columns are matched by name: \
                 ID, Request, Control, Owner, Due and Priority; other columns are kept.",
            )
            .weak(),
        );
        return;
    }
    filter_ui(view, ui);
    counts_ui(&cx.records.requests, view, ui);
    request_table_ui(&cx.records.requests, view, ui, commands);
}

/// How many requests show of all, the overdue count (a link that shows only those) and the
/// count per status.
fn counts_ui(requests: &[Request], view: &mut RequestsView, ui: &mut Ui) {
    let counts: Vec<String> = RequestStatus::ALL
        .iter()
        .map(|s| {
            let n = requests.iter().filter(|r| r.status == *s).count();
            format!("{n} {}", s.label().to_lowercase())
        })
        .collect();
    let overdue = requests.iter().filter(|r| r.overdue).count();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        ui.label(
            RichText::new(format!("{} of {} shown ·", view.rows.len(), requests.len(),)).weak(),
        );
        let label = RichText::new(format!("{overdue} overdue"));
        if overdue == 0 {
            ui.label(label.weak());
        } else if ui
            .add(egui::Button::new(label.color(DANGER)).frame(false))
            .on_hover_text("Show only the overdue requests")
            .clicked()
        {
            view.filter.overdue = true;
        }
        ui.label(RichText::new(format!("· {}", counts.join(" · "))).weak());
    });
}

/// The table of the requests the filter lets through, in the view's order, drawing only the
/// rows in sight.
fn request_table_ui(
    requests: &[Request],
    view: &mut RequestsView,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::auto().at_least(70.0))
        // The request's text takes what the other columns leave, every frame: a resizable
        // column would keep its width when the detail pane opens and push the owner, due
        // date, status and evidence out of sight behind it.
        .column(
            Column::remainder()
                .at_least(120.0)
                .clip(true)
                .resizable(false),
        )
        .column(Column::initial(100.0).clip(true))
        .column(Column::initial(80.0).clip(true))
        .column(Column::auto().at_least(80.0))
        .column(Column::auto().at_least(60.0).clip(true))
        .column(Column::auto().at_least(80.0))
        .column(Column::auto().at_least(60.0))
        .header(ROW_HEIGHT, |mut header| {
            for (title, sort) in [
                ("ID", RequestSort::Id),
                ("Request", RequestSort::Request),
                ("Controls", RequestSort::Controls),
                ("Owner", RequestSort::Owner),
                ("Due", RequestSort::Due),
                ("Priority", RequestSort::Priority),
                ("Status", RequestSort::Status),
                ("Evidence", RequestSort::Evidence),
            ] {
                header.col(|ui| sort_heading_ui(ui, title, sort, &mut view.sort));
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, view.rows.len(), |mut row| {
                let Some(request) = view.rows.get(row.index()).and_then(|n| requests.get(*n))
                else {
                    return;
                };
                let chosen = view.selected.as_ref() == Some(&request.id);
                row.set_selected(chosen);
                request_cells_ui(request, chosen, &mut row, commands);
            });
        });
}

/// A request's cells: its id (a toggle selecting it), text, controls, owner, due date (red
/// when overdue), priority, status and evidence count.
fn request_cells_ui(
    request: &Request,
    chosen: bool,
    row: &mut egui_extras::TableRow<'_, '_>,
    commands: &mut Vec<Command>,
) {
    row.col(|ui| {
        if ui.selectable_label(chosen, &request.id).clicked() {
            commands.push(Command::SelectRequest(
                (!chosen).then(|| request.id.clone()),
            ));
        }
    });
    row.col(|ui| {
        ui.label(short(&request.request, 120))
            .on_hover_text(&request.request);
    });
    row.col(|ui| {
        ui.label(references(request));
    });
    row.col(|ui| {
        ui.label(&request.owner);
    });
    row.col(|ui| {
        let due = request.due.map(|d| d.to_string()).unwrap_or_default();
        if request.overdue {
            ui.label(RichText::new(format!("{due} overdue")).color(DANGER));
        } else {
            ui.label(due);
        }
    });
    row.col(|ui| {
        ui.label(&request.priority);
    });
    row.col(|ui| {
        ui.label(RichText::new(request.status.label()).color(status_color(request.status)));
    });
    row.col(|ui| {
        ui.label(request.evidence_count.to_string());
    });
}

fn filter_ui(view: &mut RequestsView, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let search = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(&mut view.filter.text)
                .desired_width(180.0)
                .hint_text("id, text, control, owner"),
        )
        .labelled_by(search.id);
        let label = ui.label("Status");
        egui::ComboBox::from_id_salt("request_status_filter")
            .selected_text(view.filter.status.map(|s| s.label()).unwrap_or("All"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.filter.status, None, "All");
                for s in RequestStatus::ALL {
                    ui.selectable_value(&mut view.filter.status, Some(s), s.label());
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("Owner");
        egui::ComboBox::from_id_salt("request_owner_filter")
            .selected_text(view.filter.owner.clone().unwrap_or_else(|| "All".into()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.filter.owner, None, "All");
                for owner in &view.owners {
                    ui.selectable_value(&mut view.filter.owner, Some(owner.clone()), owner);
                }
            })
            .response
            .labelled_by(label.id);
        ui.checkbox(&mut view.filter.overdue, "Overdue");
        ui.checkbox(&mut view.filter.without_evidence, "No evidence yet");
    });
}

fn detail_ui(
    cx: &ViewContext<'_>,
    view: &mut RequestsView,
    index: usize,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let Some(request) = cx.records.requests.get(index) else {
        return;
    };
    let id = request.id.clone();
    ui.horizontal(|ui| {
        ui.heading(&request.id);
        if ui.button("Close").clicked() {
            commands.push(Command::SelectRequest(None));
        }
    });
    ui.label(&request.request);
    ui.add_space(4.0);
    egui::Grid::new("request_fields")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            ui.label("Status");
            ui.label(RichText::new(request.status.label()).color(status_color(request.status)));
            ui.end_row();
            ui.label("Controls");
            ui.label(references(request));
            ui.end_row();
            if !request.control_ids.is_empty() {
                ui.label("Of this project");
                ui.label(request.control_ids.join(", "));
                ui.end_row();
            }
            ui.label("Owner");
            ui.label(&request.owner);
            ui.end_row();
            ui.label("Due");
            let due = request.due.map(|d| d.to_string()).unwrap_or_default();
            if request.overdue {
                ui.label(RichText::new(format!("{due} (overdue)")).color(DANGER));
            } else {
                ui.label(due);
            }
            ui.end_row();
            if !request.priority.is_empty() {
                ui.label("Priority");
                ui.label(&request.priority);
                ui.end_row();
            }
            for other in &request.other {
                ui.label(&other.name);
                ui.label(&other.value);
                ui.end_row();
            }
        });
    ui.separator();
    status_ui(cx, view, index, ui, commands);
    ui.separator();
    response_ui(cx, view, &id, ui, commands);
    ui.separator();
    evidence_ui(cx, index, ui, commands);
    if let Some(request) = cx.records.requests.get(index)
        && !request.comments.is_empty()
    {
        ui.separator();
        ui.label(RichText::new("Comments").strong());
        for comment in &request.comments {
            ui.label(format!(
                "{} {} ({}): {}",
                comment.at.get(..10).unwrap_or(&comment.at),
                comment.by,
                comment.status.label().to_lowercase(),
                comment.text
            ));
        }
    }
}

fn status_ui(
    cx: &ViewContext<'_>,
    view: &mut RequestsView,
    index: usize,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let Some(request) = cx.records.requests.get(index) else {
        return;
    };
    if cx.session.read_only {
        return;
    }
    let next = request.status.next();
    if next.is_empty() {
        ui.label(RichText::new("Accepted: the auditor has what they asked for.").weak());
        return;
    }
    if next.contains(&RequestStatus::Returned) {
        let label = ui.label("Auditor's comment (to return it)");
        ui.add(
            egui::TextEdit::multiline(&mut view.comment)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    }
    let comment = view.comment.trim().to_string();
    ui.horizontal_wrapped(|ui| {
        for status in next {
            let returning = *status == RequestStatus::Returned;
            let command = Command::MoveRequest {
                id: request.id.clone(),
                status: *status,
                comment: (returning || !comment.is_empty()).then(|| comment.clone()),
            };
            let enabled = !returning || !comment.is_empty();
            command_button_ui(ui, "", command, enabled, commands);
        }
    });
}

fn response_ui(
    cx: &ViewContext<'_>,
    view: &mut RequestsView,
    id: &str,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let saved = cx
        .records
        .requests
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.response.as_str())
        .unwrap_or("");
    let changed = view.response.trim() != saved;
    let label = ui.label(RichText::new("Response").strong());
    if cx.session.read_only {
        ui.label(if saved.is_empty() {
            "No response yet."
        } else {
            saved
        });
        return;
    }
    let field = ui
        .add(
            egui::TextEdit::multiline(&mut view.response)
                .desired_rows(4)
                .desired_width(f32::INFINITY)
                .hint_text("What the team answers; Ctrl+Enter saves"),
        )
        .labelled_by(label.id);
    let command = Command::SaveRequestResponse {
        id: id.to_string(),
        response: view.response.clone(),
    };
    let pressed = command.shortcut().is_some_and(|shortcut| {
        field.has_focus() && ui.input_mut(|input| input.consume_shortcut(&shortcut))
    });
    if pressed && changed {
        commands.push(command.clone());
    }
    command_button_ui(ui, "", command, changed, commands);
}

fn evidence_ui(cx: &ViewContext<'_>, index: usize, ui: &mut Ui, commands: &mut Vec<Command>) {
    let Some(request) = cx.records.requests.get(index) else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Evidence ({})", request.evidence_count)).strong());
        let idle = cx.shell.job.is_none();
        if !cx.session.read_only {
            command_button_ui(ui, "", Command::PickRequestFiles, idle, commands);
        }
    });
    ui.label(
        RichText::new("Drop files onto this view to attach them to this request.")
            .small()
            .weak(),
    );
    for evidence_id in &request.evidence {
        let line = match cx.records.evidence.iter().find(|e| e.id == *evidence_id) {
            Some(e) => format!(
                "#{} {} ({}, {})",
                e.id, e.file_name, e.control, e.collected_on
            ),
            None => format!("#{evidence_id}"),
        };
        ui.label(line);
    }
    for file in &request.files {
        ui.label(format!(
            "{} ({} bytes, {})",
            file.file_name,
            file.size_bytes,
            file.added_at.date_naive()
        ));
    }
    link_evidence_ui(cx, request, ui, commands);
}

fn link_evidence_ui(
    cx: &ViewContext<'_>,
    request: &Request,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Link evidence");
        egui::ComboBox::from_id_salt("request_link_evidence")
            .selected_text("Choose…")
            .width(220.0)
            .show_ui(ui, |ui| {
                for e in cx
                    .records
                    .evidence
                    .iter()
                    .filter(|e| !e.removed && !request.evidence.contains(&e.id))
                {
                    let text = format!("#{} {} ({})", e.id, e.file_name, e.control);
                    if ui.selectable_label(false, text).clicked() {
                        commands.push(Command::LinkRequest {
                            id: request.id.clone(),
                            link: RequestLink::Evidence(e.id),
                        });
                    }
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("Link control");
        egui::ComboBox::from_id_salt("request_link_control")
            .selected_text("Choose…")
            .width(160.0)
            .show_ui(ui, |ui| {
                for c in cx
                    .records
                    .controls
                    .iter()
                    .filter(|c| !c.retired && !request.control_ids.contains(&c.id))
                {
                    let text = format!("{} {}", c.id, c.title);
                    if ui.selectable_label(false, text).clicked() {
                        commands.push(Command::LinkRequest {
                            id: request.id.clone(),
                            link: RequestLink::Control(c.id.clone()),
                        });
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
}
