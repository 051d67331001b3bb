//! Notifications: the newest in a status bar at the bottom, all of them in a list the user
//! can read again; and the screen shown when the workspace cannot be opened.

use egui::{RichText, Ui};

use super::theme::DANGER;
use crate::app::{AppState, Command, Level};

/// The bottom bar: the newest notification, or the workspace path.
pub fn status_bar_ui(state: &AppState, ui: &mut Ui, commands: &mut Vec<Command>) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(
            |ui| match state.notifications.last().filter(|_| state.toast) {
                Some(note) => {
                    let text = RichText::new(&note.text);
                    match note.level {
                        Level::Error => ui.label(text.color(DANGER)),
                        Level::Info => ui.label(text),
                    };
                    if ui.small_button("Dismiss").clicked() {
                        commands.push(Command::ToggleNotifications);
                        commands.push(Command::ToggleNotifications);
                    }
                }
                None => {
                    ui.label(
                        RichText::new(format!("Workspace: {}", state.workspace.display()))
                            .weak()
                            .small(),
                    );
                }
            },
        );
    });
}

/// The list of all notifications of this session.
pub fn notification_list_ui(state: &AppState, ui: &mut Ui, commands: &mut Vec<Command>) {
    if !state.notifications_open {
        return;
    }
    let mut open = true;
    egui::Window::new("Notifications")
        .open(&mut open)
        .default_width(420.0)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 48.0))
        .show(ui.ctx(), |ui| {
            if state.notifications.is_empty() {
                ui.label(
                    RichText::new("Nothing yet: results and errors of what you do appear here.")
                        .weak(),
                );
                return;
            }
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for note in state.notifications.iter().rev() {
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

/// Shown instead of the board when the workspace cannot be opened.
pub fn open_error_ui(state: &AppState, ui: &mut Ui) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.25);
        ui.label(RichText::new("The workspace could not be opened").size(22.0).strong());
        ui.add_space(8.0);
        if let Some(error) = &state.open_error {
            ui.colored_label(DANGER, error);
        }
        ui.add_space(8.0);
        ui.label("Start Lockstep with --workspace DIR (or set LOCKSTEP_WORKSPACE) to use another folder.");
    });
}
