//! The dialogs: new project, the project's AWS services, settings, exporting a pack, and
//! adding a control. Each sizes to its content up to the window; a list that must scroll
//! shows its scroll bar and says how many entries are below. Enter does the main action,
//! Esc cancels (through [`Command::Back`]).

use std::collections::BTreeSet;

use egui::{Id, RichText, Ui};

use super::widgets::{EnterKey, date_field_ui, is_blank_or_date};
use crate::app::Service;
use crate::app::{
    Command, Dialog, ExportForm, NameForm, NewProjectForm, PeriodForm, ServicesForm, SettingsForm,
    ViewContext,
};
use crate::model::{BaselineSummary, ServiceModel};

/// Room kept between a dialog and the window's edges, in points.
const WINDOW_MARGIN: f32 = 24.0;
/// Height kept below the service list for the error line and the buttons, in points.
const FOOTER_HEIGHT: f32 = 84.0;
/// The least height the service list gets however small the window.
const LIST_MIN_HEIGHT: f32 = 140.0;

/// The width a dialog gets: `wanted`, or less on a narrow window.
fn dialog_width(ctx: &egui::Context, wanted: f32) -> f32 {
    wanted.min(ctx.content_rect().width() - 2.0 * WINDOW_MARGIN - 24.0)
}

/// A modal for a dialog that may be as tall as the window: held a margin below the window's top
/// rather than centred, so its place does not move while its list finds its height.
fn tall_modal(id: Id) -> egui::Modal {
    let area = egui::Modal::default_area(id)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, WINDOW_MARGIN));
    egui::Modal::new(id).area(area)
}

/// The height left for a list starting at the cursor, so that the dialog still fits.
fn list_height(ui: &Ui, dialog_top: f32) -> f32 {
    let above = ui.cursor().top() - dialog_top;
    let window = ui.ctx().content_rect().height();
    (window - 2.0 * WINDOW_MARGIN - above - FOOTER_HEIGHT).max(LIST_MIN_HEIGHT)
}

/// Draws whichever dialog is open.
pub fn dialogs_ui(
    cx: &ViewContext<'_>,
    dialog: &mut Dialog,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let ctx = ui.ctx().clone();
    let services = &cx.session.services;
    let today = cx.session.today;
    let importing = cx.shell.job.is_some();
    let closed = match dialog {
        Dialog::None => false,
        Dialog::NewProject(form) => new_project_ui(
            &ctx,
            form,
            services,
            &cx.records.baselines,
            today,
            importing,
            commands,
        ),
        Dialog::Services(form) => services_ui(&ctx, form, services, commands),
        Dialog::Period(form) => period_ui(&ctx, form, today, commands),
        Dialog::Settings(form) => settings_ui(&ctx, form, &cx.session.workspace, commands),
        Dialog::Name(form) => name_ui(&ctx, form, &cx.session.user_name, commands),
        Dialog::AddControl(form) => super::add_control::add_control_ui(&ctx, form, commands),
        Dialog::Export(form) => export_ui(&ctx, form, today, commands),
        Dialog::Team(details) => super::team::team_details_ui(&ctx, details),
    };
    if closed {
        commands.push(Command::CloseDialog);
    }
}

/// The new-project dialog: name, description, audit period, baseline and the AWS services.
/// Returns true when the user closed it.
fn new_project_ui(
    ctx: &egui::Context,
    form: &mut NewProjectForm,
    services: &[Service],
    baselines: &[BaselineSummary],
    today: chrono::NaiveDate,
    importing: bool,
    commands: &mut Vec<Command>,
) -> bool {
    tall_modal(Id::unique("new_project"))
        .show(ctx, |ui| {
            let top = ui.min_rect().top();
            ui.set_width(dialog_width(ctx, 860.0));
            let mut enter = EnterKey::new(ui);
            ui.heading("New project");
            ui.label(
                RichText::new(
                    "A project is one audit scope: the AWS services it uses decide its checklist.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            egui::Grid::new("new_project_fields")
                .num_columns(2)
                .spacing([10.0, 8.0])
                .show(ui, |ui| {
                    project_fields_ui(ui, form, today, &mut enter);
                    let label = ui.label("Baseline");
                    baseline_choice_ui(
                        ui,
                        baselines,
                        &mut form.baseline,
                        label.id,
                        importing,
                        commands,
                    );
                    ui.end_row();
                });
            ui.add_space(6.0);
            ui.label(RichText::new("AWS services in use").strong());
            let search = service_checklist_ui(
                ui,
                top,
                "new_project_services",
                services,
                &mut form.service_search,
                &mut form.services,
            );
            enter.field(search);
            error_line_ui(ui, form.error.as_ref());
            let dates_ok =
                is_blank_or_date(&form.period_start) && is_blank_or_date(&form.period_end);
            let named = !form.name.trim().is_empty();
            let ready = named && dates_ok && !form.services.is_empty();
            let action = format!("Create project ({} services)", form.services.len());
            let refusal = create_refusal(named, dates_ok, form.services.len());
            let (create, close) = buttons_ui(ui, action, ready, refusal, enter.submits(), "Cancel");
            if create {
                match form.to_request() {
                    Ok(request) => {
                        commands.push(Command::CreateProject(request, form.baseline.clone()))
                    }
                    Err(error) => form.error = Some(error),
                }
            }
            close
        })
        .inner
}

/// The new project's name (focused when the dialog opens), description and audit period, as
/// rows of the dialog's grid.
fn project_fields_ui(
    ui: &mut Ui,
    form: &mut NewProjectForm,
    today: chrono::NaiveDate,
    enter: &mut EnterKey,
) {
    let label = ui.label("Name");
    let name = enter.field(
        ui.add(
            egui::TextEdit::singleline(&mut form.name)
                .hint_text("Payments platform — SOC 2, 2027")
                .desired_width(420.0),
        )
        .labelled_by(label.id),
    );
    if ui.memory(|m| m.focused().is_none())
        && !ui.ctx().input(|i| i.key_pressed(egui::Key::Enter))
        && form.name.is_empty()
    {
        name.request_focus();
    }
    ui.end_row();
    let label = ui.label("Description");
    ui.add(
        egui::TextEdit::multiline(&mut form.description)
            .desired_rows(2)
            .desired_width(420.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Audit period");
    ui.horizontal(|ui| {
        let start = DateField::new(
            "period_start",
            "Audit period start",
            &mut form.period_start,
            "YYYY-MM-DD",
        );
        let end = DateField::new(
            "period_end",
            "Audit period end",
            &mut form.period_end,
            "YYYY-MM-DD",
        );
        date_pair_ui(ui, [start, end], today, label.id, enter);
    });
    ui.end_row();
}

/// One of two date fields side by side: its widget id, its name for screen readers, its
/// text and the hint shown while it is empty.
struct DateField<'a> {
    id: &'a str,
    name: &'a str,
    value: &'a mut String,
    hint: &'a str,
}

impl<'a> DateField<'a> {
    fn new(id: &'a str, name: &'a str, value: &'a mut String, hint: &'a str) -> Self {
        Self {
            id,
            name,
            value,
            hint,
        }
    }
}

/// Two dates as "START to END", the first labelled by `label`; Enter in either submits the
/// dialog.
fn date_pair_ui(
    ui: &mut Ui,
    fields: [DateField<'_>; 2],
    today: chrono::NaiveDate,
    label: Id,
    enter: &mut EnterKey,
) {
    let [start, end] = fields;
    let start = date_field_ui(
        ui,
        start.id,
        start.name,
        start.value,
        start.hint,
        today,
        label,
    );
    enter.field(start.edit);
    let to = ui.label("to");
    let end = date_field_ui(ui, end.id, end.name, end.value, end.hint, today, to.id);
    enter.field(end.edit);
}

/// A dialog's error line, when it has one.
fn error_line_ui(ui: &mut Ui, error: Option<&String>) {
    if let Some(error) = error {
        ui.colored_label(super::theme::DANGER, error);
    }
}

/// A dialog's last row, under a rule: its main button (Enter) and the button that closes it
/// (Esc). While the dialog is not `ready` the main button is greyed and `refusal` says why.
/// Returns whether the main action was asked for (a click, or Enter in one of the dialog's
/// fields, while ready) and whether the dialog was closed.
fn buttons_ui(
    ui: &mut Ui,
    action: impl Into<egui::WidgetText>,
    ready: bool,
    refusal: &str,
    enter: bool,
    cancel: &str,
) -> (bool, bool) {
    ui.separator();
    ui.horizontal(|ui| {
        let button = ui
            .add_enabled(ready, egui::Button::new(action))
            .on_hover_text("Enter");
        let button = if refusal.is_empty() {
            button
        } else {
            button.on_disabled_hover_text(refusal)
        };
        let act = (button.clicked() || enter) && ready;
        let close = ui.button(cancel).on_hover_text("Esc").clicked();
        if !ready && !refusal.is_empty() {
            ui.label(RichText::new(refusal).weak());
        }
        (act, close)
    })
    .inner
}

/// The dialog choosing the project's AWS services. Returns true when the user closed it.
fn services_ui(
    ctx: &egui::Context,
    form: &mut ServicesForm,
    services: &[Service],
    commands: &mut Vec<Command>,
) -> bool {
    tall_modal(Id::unique("project_services"))
        .show(ctx, |ui| {
            let top = ui.min_rect().top();
            ui.set_width(dialog_width(ctx, 860.0));
            let mut enter = EnterKey::new(ui);
            ui.heading("AWS services of this project");
            ui.label(
                RichText::new(
                    "Controls for services you add come into scope; controls that cover none of \
                     the remaining services are retired, keeping their status, notes and history.",
                )
                .weak(),
            );
            let search = service_checklist_ui(
                ui,
                top,
                "project_services_list",
                services,
                &mut form.search,
                &mut form.services,
            );
            enter.field(search);
            error_line_ui(ui, form.error.as_ref());
            let (save, close) =
                buttons_ui(ui, "Save services", true, "", enter.submits(), "Cancel");
            if save {
                commands.push(Command::SetServices(
                    form.services.iter().cloned().collect(),
                ));
            }
            close
        })
        .inner
}

/// The dialog setting or clearing the audit period. Returns true when the user closed it.
fn period_ui(
    ctx: &egui::Context,
    form: &mut PeriodForm,
    today: chrono::NaiveDate,
    commands: &mut Vec<Command>,
) -> bool {
    egui::Modal::new(Id::unique("project_period"))
        .show(ctx, |ui| {
            ui.set_width(dialog_width(ctx, 480.0));
            let mut enter = EnterKey::new(ui);
            ui.heading("Audit period");
            ui.label(
                RichText::new(
                    "The dates the audit looks at: AWS's reports must cover them, and the \
                     dashboard counts down to the last day. Leave both empty to clear it.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("From");
                let start = DateField::new(
                    "period_dialog_start",
                    "Audit period start",
                    &mut form.start,
                    "YYYY-MM-DD",
                );
                let end = DateField::new(
                    "period_dialog_end",
                    "Audit period end",
                    &mut form.end,
                    "YYYY-MM-DD",
                );
                date_pair_ui(ui, [start, end], today, label.id, &mut enter);
            });
            error_line_ui(ui, form.error.as_ref());
            let (save, close) = buttons_ui(ui, "Save period", true, "", enter.submits(), "Cancel");
            if save {
                match form.period() {
                    Ok(period) => commands.push(Command::SetPeriod(period)),
                    Err(error) => form.error = Some(error),
                }
            }
            close
        })
        .inner
}

/// Settings: your name, the log folder and your signing key. Returns true when the user closed it.
fn settings_ui(
    ctx: &egui::Context,
    form: &mut SettingsForm,
    workspace: &std::path::Path,
    commands: &mut Vec<Command>,
) -> bool {
    egui::Modal::new(Id::unique("settings"))
        .show(ctx, |ui| {
            ui.set_width(dialog_width(ctx, 520.0));
            let mut enter = EnterKey::new(ui);
            ui.heading("Settings");
            let label = ui.label("Your name, recorded with every change you make");
            enter.field(
                ui.add(
                    egui::TextEdit::singleline(&mut form.user_name).desired_width(f32::INFINITY),
                )
                .labelled_by(label.id),
            );
            let submit = enter.submits();
            ui.label(
                RichText::new(format!("Workspace: {}", workspace.display()))
                    .weak()
                    .small(),
            );
            ui.add_space(6.0);
            ui.label(RichText::new("Log").strong());
            ui.horizontal(|ui| {
                let folder = crate::log::log_dir(workspace);
                ui.label(RichText::new(folder.display().to_string()).small());
                super::widgets::command_button_ui(ui, "", Command::OpenLogFolder, true, commands);
            });
            ui.label(
                RichText::new(
                    "Commands, background jobs and errors, without evidence or field contents: \
                     attach it to a support request.",
                )
                .weak()
                .small(),
            );
            error_line_ui(ui, form.error.as_ref());
            ui.separator();
            signing_key_ui(ui, form, commands);
            let (save, close) = buttons_ui(ui, "Save", true, "", submit, "Cancel");
            if save {
                commands.push(Command::SetUserName(form.user_name.clone()));
            }
            close
        })
        .inner
}

/// The first-run question: how the activity log should name you. Returns true when the user
/// closed it.
fn name_ui(
    ctx: &egui::Context,
    form: &mut NameForm,
    user_name: &str,
    commands: &mut Vec<Command>,
) -> bool {
    egui::Modal::new(Id::unique("first_run_name"))
        .show(ctx, |ui| {
            ui.set_width(dialog_width(ctx, 520.0));
            let mut enter = EnterKey::new(ui);
            ui.heading("Welcome to Lockstep");
            ui.label(
                "Lockstep records who made each change, sign-off and export, and auditors read \
                 that name in the activity log. How should it name you?",
            );
            ui.add_space(6.0);
            let label = ui.label("Your name");
            let field = enter.field(
                ui.add(
                    egui::TextEdit::singleline(&mut form.user_name)
                        .hint_text("Ada Lovelace")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id),
            );
            if ui.memory(|m| m.focused().is_none()) {
                field.request_focus();
            }
            error_line_ui(ui, form.error.as_ref());
            ui.label(
                RichText::new(format!(
                    "Until you answer, changes are recorded as {}. You can change it later in \
                     Settings.",
                    user_name
                ))
                .weak()
                .small(),
            );
            let ready = !form.user_name.trim().is_empty();
            let (save, close) = buttons_ui(ui, "Continue", ready, "", enter.submits(), "Later");
            if save {
                commands.push(Command::SetUserName(form.user_name.clone()));
            }
            close
        })
        .inner
}

/// The export dialog: as-of day, period, target file and signing. Returns true when the user
/// closed it.
fn export_ui(
    ctx: &egui::Context,
    form: &mut ExportForm,
    today: chrono::NaiveDate,
    commands: &mut Vec<Command>,
) -> bool {
    egui::Modal::new(Id::unique("export_pack"))
        .show(ctx, |ui| {
            ui.set_width(dialog_width(ctx, 560.0));
            let mut enter = EnterKey::new(ui);
            ui.heading("Export evidence pack");
            ui.label(
                RichText::new(
                    "One zip for the auditor: a report to read in any browser, spreadsheets, the \
                     evidence files, and checksums anyone can verify with `sha256sum -c \
                     SHA256SUMS`.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            egui::Grid::new("export_fields")
                .num_columns(2)
                .spacing([10.0, 8.0])
                .show(ui, |ui| {
                    export_fields_ui(ui, form, today, &mut enter, commands)
                });
            signing_choice_ui(ui, form);
            error_line_ui(ui, form.error.as_ref());
            let dates_ok = [&form.as_of, &form.from, &form.to]
                .iter()
                .all(|t| is_blank_or_date(t));
            let ready = form.target.is_some() && dates_ok;
            let (export, close) = buttons_ui(ui, "Export", ready, "", enter.submits(), "Cancel");
            if export {
                commands.push(Command::StartExport);
            }
            close
        })
        .inner
}

/// The export's as-of day, period and target file, as rows of the dialog's grid.
fn export_fields_ui(
    ui: &mut Ui,
    form: &mut ExportForm,
    today: chrono::NaiveDate,
    enter: &mut EnterKey,
    commands: &mut Vec<Command>,
) {
    let label = ui
        .label("As of")
        .on_hover_text("Statuses, evidence and the roster as they stood on this day");
    let as_of = date_field_ui(
        ui,
        "export_as_of",
        "As of",
        &mut form.as_of,
        &today.to_string(),
        today,
        label.id,
    );
    enter.field(as_of.edit);
    ui.end_row();
    let label = ui.label("Period");
    ui.horizontal(|ui| {
        let start = DateField::new("export_from", "Period start", &mut form.from, "project's");
        let end = DateField::new("export_to", "Period end", &mut form.to, "period");
        date_pair_ui(ui, [start, end], today, label.id, enter);
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
}

/// Whether to sign the pack, when the person has a signing key; where to make one when not.
fn signing_choice_ui(ui: &mut Ui, form: &mut ExportForm) {
    match &form.key {
        Some(key) => {
            ui.checkbox(&mut form.sign, format!("Sign as {}", key.signer))
                .on_hover_text(
                    "Adds SHA256SUMS.sig and allowed_signers, so the auditor can check who made \
                     the pack",
                );
            ui.label(
                RichText::new(format!("Key {}", key.fingerprint))
                    .weak()
                    .small(),
            );
        }
        None => {
            ui.label(
                RichText::new("To sign packs, create your signing key in Settings.")
                    .weak()
                    .small(),
            );
        }
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
                    "Signed packs let the auditor check who made them. Name yourself as auditors \
                     know you, such as your e-mail address.",
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

/// The searchable checklist of AWS services, grouped by service model, as tall as the window
/// allows below the dialog's top at `dialog_top`. When it must scroll, its scroll bar stays
/// visible and a line says how many services are below. Returns the search field's response.
pub fn service_checklist_ui(
    ui: &mut Ui,
    dialog_top: f32,
    id: &str,
    services: &[Service],
    search: &mut String,
    selected: &mut BTreeSet<String>,
) -> egui::Response {
    let search_field = checklist_search_ui(ui, search, selected);
    let needle = search.trim().to_lowercase();
    let max_height = list_height(ui, dialog_top);
    let per_row = if ui.available_width() >= 700.0 { 4 } else { 3 };
    let mut rows: Vec<egui::Rect> = Vec::new();
    // The cells keep their width whether the scroll bar shows or not, so the list does not
    // reflow when it appears.
    let scroll = egui::style::ScrollStyle::solid();
    let list_width =
        ui.available_width() - scroll.bar_width - scroll.bar_inner_margin - scroll.bar_outer_margin;
    // Row by row, so that Tab moves through the services in reading order; each cell has the
    // same width so the columns line up.
    let cell_width = (list_width - 8.0 * per_row as f32) / per_row as f32;
    let output = ui
        .scope(|ui| {
            ui.spacing_mut().scroll = scroll;
            egui::ScrollArea::vertical()
                .id_salt(id)
                .max_height(max_height)
                .auto_shrink([false, true])
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::VisibleWhenNeeded)
                .show(ui, |ui| {
                    for model in ServiceModel::ALL {
                        let matching: Vec<&Service> = services
                            .iter()
                            .filter(|s| s.model == model && service_matches(s, &needle))
                            .collect();
                        if matching.is_empty() {
                            continue;
                        }
                        ui.add_space(4.0);
                        model_heading_ui(ui, model, &matching, selected);
                        for row in matching.chunks(per_row) {
                            ui.horizontal(|ui| {
                                for service in row {
                                    let cell = service_cell_ui(ui, service, cell_width, selected);
                                    rows.push(cell);
                                }
                            });
                        }
                    }
                })
        })
        .inner;
    let visible_bottom = output.inner_rect.bottom();
    let below = rows
        .iter()
        .filter(|r| r.center().y > visible_bottom)
        .count();
    if below > 0 {
        let noun = if below == 1 { "service" } else { "services" };
        ui.label(RichText::new(format!("{below} more {noun} below: scroll the list")).weak());
    }
    search_field
}

/// The checklist's search field, how many are ticked, and Clear. Returns the field.
fn checklist_search_ui(
    ui: &mut Ui,
    search: &mut String,
    selected: &mut BTreeSet<String>,
) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label("Find");
        let field = ui
            .add(
                egui::TextEdit::singleline(search)
                    .hint_text("ec2, database, queue…")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        ui.label(RichText::new(format!("{} selected", selected.len())).weak());
        if !selected.is_empty() && ui.small_button("Clear").clicked() {
            selected.clear();
        }
        field
    })
    .inner
}

/// Whether a service's id or name holds the lower-case search text.
fn service_matches(service: &Service, needle: &str) -> bool {
    needle.is_empty() || service.id.contains(needle) || service.name.to_lowercase().contains(needle)
}

/// A service model's heading, with "all" (or "none", once all are ticked) for its services
/// shown.
fn model_heading_ui(
    ui: &mut Ui,
    model: ServiceModel,
    matching: &[&Service],
    selected: &mut BTreeSet<String>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(model.label()).strong());
        let all = matching.iter().all(|s| selected.contains(&s.id));
        if ui.small_button(if all { "none" } else { "all" }).clicked() {
            for service in matching {
                if all {
                    selected.remove(&service.id);
                } else {
                    selected.insert(service.id.clone());
                }
            }
        }
    });
}

/// One service's tick box in a cell `width` wide. Returns the box's place.
fn service_cell_ui(
    ui: &mut Ui,
    service: &Service,
    width: f32,
    selected: &mut BTreeSet<String>,
) -> egui::Rect {
    let size = egui::vec2(width, ui.spacing().interact_size.y);
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(size, layout, |ui| {
        ui.set_width(width);
        // A long name is cut short rather than pushing the next column out of line; the
        // tooltip has it whole.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        let mut ticked = selected.contains(&service.id);
        let response = ui
            .checkbox(&mut ticked, &service.name)
            .on_hover_text(format!("{} (id: {})", service.name, service.id));
        if response.changed() {
            if ticked {
                selected.insert(service.id.clone());
            } else {
                selected.remove(&service.id);
            }
        }
        response.rect
    })
    .inner
}

/// Why "Create project" is not offered yet, in one sentence.
fn create_refusal(named: bool, dates_ok: bool, services: usize) -> &'static str {
    if !named {
        "Name the project to create it."
    } else if !dates_ok {
        "Write the audit period's dates as YYYY-MM-DD, or leave them blank."
    } else if services == 0 {
        "Choose the AWS services the project uses: they decide which controls are AWS's, shared or \
         yours."
    } else {
        ""
    }
}

/// How a baseline is named in the choice: its title, with its size.
fn baseline_text(baseline: &crate::model::BaselineSummary) -> String {
    let title = if baseline.title.trim().is_empty() {
        &baseline.name
    } else {
        &baseline.title
    };
    format!("{title} ({} controls)", baseline.selected)
}

/// The text the baseline choice shows for the built-in SRM set.
pub const BUILTIN_BASELINE: &str = "Built-in AWS SRM set";

/// The New project dialog's baseline choice: the built-in SRM set (the default) or one of the
/// framework baselines imported into the workspace.
fn baseline_choice_ui(
    ui: &mut Ui,
    baselines: &[crate::model::BaselineSummary],
    chosen: &mut Option<String>,
    label: egui::Id,
    importing: bool,
    commands: &mut Vec<Command>,
) {
    let shown = match chosen {
        Some(name) => baselines
            .iter()
            .find(|b| &b.name == name)
            .map(baseline_text)
            .unwrap_or_else(|| name.clone()),
        None => BUILTIN_BASELINE.to_string(),
    };
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            egui::ComboBox::from_id_salt("new_project_baseline")
                .selected_text(shown)
                .width(420.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(chosen, None, BUILTIN_BASELINE);
                    for baseline in baselines {
                        ui.selectable_value(
                            chosen,
                            Some(baseline.name.clone()),
                            baseline_text(baseline),
                        )
                        .on_hover_text(format!("{} (from {}.json)", baseline.title, baseline.name));
                    }
                })
                .response
                .labelled_by(label);
            super::widgets::command_button_ui(
                ui,
                "",
                Command::ImportFramework,
                !importing,
                commands,
            );
        });
        if baselines.is_empty() {
            ui.label(
                RichText::new(
                    "Track a NIST or FedRAMP baseline instead: import its OSCAL catalog and \
                     profile files together.",
                )
                .weak()
                .small(),
            );
        }
    });
}
