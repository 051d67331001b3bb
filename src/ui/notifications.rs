//! Notifications: the newest in a status bar at the bottom, all of them in a list the user
//! can read again; and the screen shown when the workspace cannot be opened.

use egui::{RichText, Ui};

use super::theme::DANGER;
use crate::app::{Command, Level, SignInForm, ViewContext};

/// The bottom bar: the newest notification, or the workspace path.
pub fn status_bar_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some((kind, progress, cancelling)) = &cx.shell.job {
                ui.spinner();
                ui.label(RichText::new(kind.label()).strong());
                let text = match progress.unit {
                    // Work of unknown length shows only what it is doing.
                    _ if progress.total == 0 => progress.stage.clone(),
                    "bytes" => format!(
                        "{}  {} of {}",
                        progress.stage,
                        human_bytes(progress.done),
                        human_bytes(progress.total)
                    ),
                    unit => format!(
                        "{}  {} of {} {unit}",
                        progress.stage, progress.done, progress.total
                    ),
                };
                if progress.total > 0 {
                    ui.add(
                        egui::ProgressBar::new(progress.fraction())
                            .desired_width(260.0)
                            .show_percentage(),
                    );
                }
                ui.label(RichText::new(text).small());
                if *cancelling {
                    ui.label(RichText::new("cancelling…").weak());
                } else if kind.can_cancel() && ui.button("Cancel").clicked() {
                    commands.push(Command::CancelJob);
                }
                ui.separator();
            }
            if cx.shell.picking.is_some() {
                ui.spinner();
                ui.label(RichText::new("Waiting for the file dialog…").weak());
                ui.separator();
            }
            match cx.shell.notifications.last().filter(|_| cx.shell.toast) {
                Some(note) => {
                    let text = RichText::new(&note.text);
                    match note.level {
                        Level::Error => ui.label(text.color(DANGER)),
                        Level::Info => ui.label(text),
                    };
                    if let Some(file) = &note.file
                        && ui.small_button("Show in folder").clicked()
                    {
                        commands.push(Command::ShowInFolder(file.clone()));
                    }
                    if ui.small_button("Dismiss").clicked() {
                        commands.push(Command::DismissToast);
                    }
                }
                None if cx.shell.job.is_none() => {
                    ui.label(
                        RichText::new(format!("Workspace: {}", cx.session.workspace.display()))
                            .weak()
                            .small(),
                    );
                    if cx.session.read_only {
                        ui.label(
                            RichText::new(
                                "Read only: your login may browse this team workspace; changes are refused",
                            )
                            .small()
                            .strong()
                            .color(super::theme::DANGER),
                        );
                    }
                }
                None => {}
            }
        });
    });
}

/// Bytes as people read them: 1.2 MB, 3.4 GB.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The report of the last "Verify workspace".
pub fn verify_result_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let Some((clean, lines)) = &cx.shell.verify_result else {
        return;
    };
    let mut open = true;
    egui::Window::new("Verification")
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ui.ctx(), |ui| {
            if *clean {
                ui.label(RichText::new("Everything is intact.").strong());
            } else {
                ui.label(RichText::new("Problems found").strong().color(DANGER));
            }
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(ui, |ui| {
                    for line in lines {
                        ui.label(line);
                    }
                });
            if ui.button("Close report").clicked() {
                commands.push(Command::DismissVerifyResult);
            }
        });
    if !open {
        commands.push(Command::DismissVerifyResult);
    }
}

/// The list of all notifications of this session.
pub fn notification_list_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    if !cx.shell.notifications_open {
        return;
    }
    let mut open = true;
    egui::Window::new("Notifications")
        .open(&mut open)
        .default_width(420.0)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 48.0))
        .show(ui.ctx(), |ui| {
            if cx.shell.notifications.is_empty() {
                ui.label(
                    RichText::new("Nothing yet: results and errors of what you do appear here.")
                        .weak(),
                );
                return;
            }
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for note in cx.shell.notifications.iter().rev() {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(&note.at).small().weak());
                            let text = RichText::new(&note.text);
                            match note.level {
                                Level::Error => ui.label(text.color(DANGER)),
                                Level::Info => ui.label(text),
                            };
                        });
                    }
                });
            if ui.button("Clear all").clicked() {
                commands.push(Command::ClearNotifications);
            }
        });
    if !open {
        commands.push(Command::ToggleNotifications);
    }
}

/// Shown instead of the board when the workspace cannot be opened; when a password or an
/// MFA code would open it, a field to type it and "Sign in".
pub fn open_error_ui(
    cx: &ViewContext<'_>,
    sign_in: Option<&mut SignInForm>,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.25);
        ui.label(RichText::new("The workspace could not be opened").size(22.0).strong());
        ui.add_space(8.0);
        if let Some(error) = &cx.session.open_error {
            ui.colored_label(DANGER, error);
        }
        ui.add_space(8.0);
        if let Some(form) = sign_in {
            sign_in_ui(form, ui, commands);
            ui.add_space(8.0);
        }
        ui.label("Start Lockstep with --workspace DIR (or set LOCKSTEP_WORKSPACE) to use another folder.");
    });
}

/// The one field a team workspace still needs, with "Sign in" (Enter signs in too).
fn sign_in_ui(form: &mut SignInForm, ui: &mut Ui, commands: &mut Vec<Command>) {
    use crate::workspace::SignInNeed;
    let (label, hint) = match &form.need {
        SignInNeed::Password(url) => (format!("Password for {url}"), "database password"),
        SignInNeed::MfaCode { profile, serial } => (
            format!("MFA code for AWS profile {profile} ({serial})"),
            "6-digit code",
        ),
    };
    ui.label(label);
    let field = ui.add(
        egui::TextEdit::singleline(&mut form.value)
            .password(matches!(form.need, SignInNeed::Password(_)))
            .hint_text(hint)
            .desired_width(260.0),
    );
    if std::mem::take(&mut form.focus) {
        field.request_focus();
    }
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let ready = !form.value.trim().is_empty();
    if ui
        .add_enabled(ready, egui::Button::new("Sign in"))
        .clicked()
        || (entered && ready)
    {
        commands.push(Command::SignIn);
    }
}
