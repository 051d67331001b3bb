//! The dialogs: new project, the project's AWS services, settings, and adding a control.

use std::collections::BTreeSet;

use egui::{Id, RichText, Ui};

use crate::app::{AppState, Command, Dialog};
use crate::catalog::Service;
use crate::model::ServiceModel;

/// Draws whichever dialog is open.
pub fn dialogs_ui(state: &mut AppState, ui: &mut Ui, commands: &mut Vec<Command>) {
    let ctx = ui.ctx().clone();
    let services = state.services.clone();
    let closed = match &mut state.dialog {
        Dialog::None => false,
        Dialog::NewProject(form) => egui::Modal::new(Id::unique("new_project"))
            .show(&ctx, |ui| {
                ui.set_width(620.0);
                ui.heading("New project");
                ui.label(RichText::new("A project is one audit scope: the AWS services it uses decide its checklist.").weak());
                ui.add_space(6.0);
                let mut submit = false;
                egui::Grid::new("new_project_fields").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
                    let label = ui.label("Name");
                    let name = ui
                        .add(egui::TextEdit::singleline(&mut form.name).hint_text("Payments platform — SOC 2, 2027").desired_width(420.0))
                        .labelled_by(label.id);
                    if ui.memory(|m| m.focused().is_none()) {
                        name.request_focus();
                    }
                    submit |= name.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    ui.end_row();
                    let label = ui.label("Description");
                    ui.add(egui::TextEdit::multiline(&mut form.description).desired_rows(2).desired_width(420.0))
                        .labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("Audit period");
                    ui.horizontal(|ui| {
                        ui.add(egui::TextEdit::singleline(&mut form.period_start).hint_text("YYYY-MM-DD").desired_width(110.0))
                            .labelled_by(label.id);
                        let end = ui.label("to");
                        ui.add(egui::TextEdit::singleline(&mut form.period_end).hint_text("YYYY-MM-DD").desired_width(110.0))
                            .labelled_by(end.id);
                    });
                    ui.end_row();
                });
                ui.add_space(6.0);
                ui.label(RichText::new("AWS services in use").strong());
                service_checklist_ui(ui, "new_project_services", &services, &mut form.service_search, &mut form.services);
                if let Some(error) = &form.error {
                    ui.colored_label(super::theme::DANGER, error);
                }
                ui.separator();
                let mut close = false;
                ui.horizontal(|ui| {
                    let ready = !form.name.trim().is_empty();
                    let create = ui
                        .add_enabled(ready, egui::Button::new(format!("Create project ({} services)", form.services.len())))
                        .clicked();
                    if (create || submit) && ready {
                        match form.to_request() {
                            Ok(request) => commands.push(Command::CreateProject(request)),
                            Err(error) => form.error = Some(error),
                        }
                    }
                    close = ui.button("Cancel").clicked();
                });
                close
            })
            .inner,
        Dialog::Services(form) => egui::Modal::new(Id::unique("project_services"))
            .show(&ctx, |ui| {
                ui.set_width(620.0);
                ui.heading("AWS services of this project");
                ui.label(
                    RichText::new(
                        "Controls for services you add come into scope; controls that cover none of the remaining \
                         services are retired, keeping their status, notes and history.",
                    )
                    .weak(),
                );
                service_checklist_ui(ui, "project_services_list", &services, &mut form.search, &mut form.services);
                if let Some(error) = &form.error {
                    ui.colored_label(super::theme::DANGER, error);
                }
                ui.separator();
                let mut close = false;
                ui.horizontal(|ui| {
                    if ui.button("Save services").clicked() {
                        commands.push(Command::SetServices(form.services.iter().cloned().collect()));
                    }
                    close = ui.button("Cancel").clicked();
                });
                close
            })
            .inner,
        Dialog::Settings(form) => egui::Modal::new(Id::unique("settings"))
            .show(&ctx, |ui| {
                ui.set_width(460.0);
                ui.heading("Settings");
                let label = ui.label("Your name, recorded with every change you make");
                let field = ui
                    .add(egui::TextEdit::singleline(&mut form.user_name).desired_width(f32::INFINITY))
                    .labelled_by(label.id);
                let submit = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.label(RichText::new(format!("Workspace: {}", state.workspace.display())).weak().small());
                if let Some(error) = &form.error {
                    ui.colored_label(super::theme::DANGER, error);
                }
                ui.separator();
                signing_key_ui(ui, form, commands);
                ui.separator();
                let mut close = false;
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() || submit {
                        commands.push(Command::SetUserName(form.user_name.clone()));
                    }
                    close = ui.button("Cancel").clicked();
                });
                close
            })
            .inner,
        Dialog::AddControl(form) => super::add_control::add_control_ui(&ctx, form, commands),
        Dialog::Export(form) => egui::Modal::new(Id::unique("export_pack"))
            .show(&ctx, |ui| {
                ui.set_width(520.0);
                ui.heading("Export evidence pack");
                ui.label(
                    RichText::new(
                        "One zip for the auditor: a report to read in any browser, spreadsheets, the evidence files, \
                         and checksums anyone can verify with `sha256sum -c SHA256SUMS`.",
                    )
                    .weak(),
                );
                ui.add_space(6.0);
                egui::Grid::new("export_fields").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
                    let label = ui.label("As of");
                    ui.add(egui::TextEdit::singleline(&mut form.as_of).hint_text("YYYY-MM-DD").desired_width(120.0))
                        .labelled_by(label.id)
                        .on_hover_text("Statuses, evidence and the roster as they stood on this day");
                    ui.end_row();
                    let label = ui.label("Period");
                    ui.horizontal(|ui| {
                        ui.add(egui::TextEdit::singleline(&mut form.from).hint_text("project's").desired_width(110.0))
                            .labelled_by(label.id);
                        let to = ui.label("to");
                        ui.add(egui::TextEdit::singleline(&mut form.to).hint_text("period").desired_width(110.0))
                            .labelled_by(to.id);
                    });
                    ui.end_row();
                    ui.label("Save as");
                    ui.horizontal(|ui| {
                        let name = form
                            .target
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| "not chosen".to_string());
                        ui.label(RichText::new(name).small());
                        if ui.button("Choose…").clicked() {
                            commands.push(Command::PickExportTarget);
                        }
                    });
                    ui.end_row();
                });
                match &form.key {
                    Some(key) => {
                        ui.checkbox(&mut form.sign, "Sign with my key").on_hover_text(format!(
                            "Adds SHA256SUMS.sig and allowed_signers, signed by {} ({}), so the auditor can check who made the pack",
                            key.signer, key.fingerprint
                        ));
                    }
                    None => {
                        ui.label(
                            RichText::new("To sign packs, create your signing key in Settings.").weak().small(),
                        );
                    }
                }
                if let Some(error) = &form.error {
                    ui.colored_label(super::theme::DANGER, error);
                }
                ui.separator();
                let mut close = false;
                ui.horizontal(|ui| {
                    if ui.add_enabled(form.target.is_some(), egui::Button::new("Export")).clicked() {
                        commands.push(Command::StartExport);
                    }
                    close = ui.button("Cancel").clicked();
                });
                close
            })
            .inner,
    };
    if closed {
        commands.push(Command::CloseDialog);
    }
}

/// The Settings section for the person's signing key: its fingerprint and public line to
/// send to auditors, or a way to make one.
fn signing_key_ui(ui: &mut Ui, form: &mut crate::app::SettingsForm, commands: &mut Vec<Command>) {
    ui.strong("Signing key for evidence packs");
    match &form.key {
        Some(key) => {
            ui.label(format!("Signer: {}", key.signer));
            ui.label(format!("Fingerprint: {}", key.fingerprint));
            ui.label(
                RichText::new(
                    "Send auditors this line ahead of time for their allowed_signers file:",
                )
                .weak(),
            );
            ui.add(
                egui::TextEdit::multiline(&mut key.allowed_signers.as_str())
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .font(egui::TextStyle::Monospace),
            );
            ui.horizontal(|ui| {
                if ui.button("Copy line").clicked() {
                    ui.ctx().copy_text(key.allowed_signers.clone());
                }
                if ui.button("Copy public key").clicked() {
                    ui.ctx().copy_text(key.public_line.clone());
                }
            });
        }
        None => {
            ui.label(
                RichText::new(
                    "Signed packs let the auditor check who made them. Name yourself as auditors know you, \
                     such as your e-mail address.",
                )
                .weak(),
            );
            ui.horizontal(|ui| {
                let label = ui.label("Signer");
                ui.add(
                    egui::TextEdit::singleline(&mut form.signer)
                        .hint_text("you@example.com")
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
                let create = Command::CreateSigningKey(form.signer.clone());
                let enabled = !form.signer.trim().is_empty();
                if ui
                    .add_enabled(enabled, egui::Button::new(create.label()))
                    .on_hover_text(create.tooltip().unwrap_or_default())
                    .clicked()
                {
                    commands.push(create);
                }
            });
        }
    }
    if let Some(error) = &form.key_error {
        ui.colored_label(super::theme::DANGER, error);
    }
}

/// The searchable checklist of AWS services, grouped by service model.
pub fn service_checklist_ui(
    ui: &mut Ui,
    id: &str,
    services: &[Service],
    search: &mut String,
    selected: &mut BTreeSet<String>,
) {
    ui.horizontal(|ui| {
        let label = ui.label("Find");
        ui.add(
            egui::TextEdit::singleline(search)
                .hint_text("ec2, database, queue…")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        ui.label(RichText::new(format!("{} selected", selected.len())).weak());
        if !selected.is_empty() && ui.small_button("Clear").clicked() {
            selected.clear();
        }
    });
    let needle = search.trim().to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(300.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for model in ServiceModel::ALL {
                let matching: Vec<&Service> = services
                    .iter()
                    .filter(|s| s.model == model)
                    .filter(|s| {
                        needle.is_empty()
                            || s.id.contains(&needle)
                            || s.name.to_lowercase().contains(&needle)
                    })
                    .collect();
                if matching.is_empty() {
                    continue;
                }
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    ui.label(RichText::new(model.label()).strong());
                    let all = matching.iter().all(|s| selected.contains(&s.id));
                    if ui.small_button(if all { "none" } else { "all" }).clicked() {
                        for service in &matching {
                            if all {
                                selected.remove(&service.id);
                            } else {
                                selected.insert(service.id.clone());
                            }
                        }
                    }
                });
                ui.columns(3, |columns| {
                    for (index, service) in matching.iter().enumerate() {
                        let ui = &mut columns[index % 3];
                        let mut ticked = selected.contains(&service.id);
                        if ui
                            .checkbox(&mut ticked, &service.name)
                            .on_hover_text(format!("id: {}", service.id))
                            .changed()
                        {
                            if ticked {
                                selected.insert(service.id.clone());
                            } else {
                                selected.remove(&service.id);
                            }
                        }
                    }
                });
            }
        });
}
