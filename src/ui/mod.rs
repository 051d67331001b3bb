//! Drawing only: one file per view. Views read [`AppState`] and record [`Command`]s; the
//! frame function applies the commands once drawing is done. Nothing here touches SQL or
//! the file system.

mod add_control;
mod board;
mod control_panel;
mod dialogs;
mod filter_bar;
mod notifications;
mod theme;
mod top_bar;

use std::path::PathBuf;
use std::process::ExitCode;

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::app::{App, AppState, Command, Dialog};

/// The eframe wrapper around [`App`].
pub struct LockstepWindow {
    app: App,
}

impl LockstepWindow {
    /// Wraps an app.
    pub fn new(app: App) -> Self {
        Self { app }
    }
}

impl eframe::App for LockstepWindow {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        frame_ui(&mut self.app, ui);
    }
}

/// Opens the window on the workspace.
pub fn run_window(workspace: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let dir = crate::workspace::resolve(workspace);
    let app = App::open(dir);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Lockstep")
            .with_inner_size([1360.0, 840.0])
            .with_min_inner_size([900.0, 560.0])
            .with_app_id("lockstep"),
        ..Default::default()
    };
    eframe::run_native(
        "Lockstep",
        options,
        Box::new(|cc| {
            style(&cc.egui_ctx);
            Ok(Box::new(LockstepWindow::new(app)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window ({e}); on Linux a desktop needs X11 or Wayland with OpenGL (Mesa)"))?;
    Ok(ExitCode::SUCCESS)
}

/// The house look: a light theme with a little more air than egui's default.
///
/// The proportional font has no arrows or geometric shapes, and the history lines the store
/// writes use "→"; the monospace font that egui bundles has them, so it is the last fallback
/// rather than an empty box.
pub fn style(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(proportional) = fonts.families.get_mut(&egui::FontFamily::Proportional) {
        proportional.push("Hack".to_string());
    }
    ctx.set_fonts(fonts);
    ctx.set_theme(egui::Theme::Light);
    ctx.global_style_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}

/// Draws one frame of the whole window and applies what the user asked for.
pub fn frame_ui(app: &mut App, ui: &mut egui::Ui) {
    app.sync_board();
    let mut commands = Vec::new();
    shortcuts(&ui.ctx().clone(), &mut app.state, &mut commands);
    draw(&mut app.state, ui, &mut commands);
    let had_commands = !commands.is_empty();
    for command in commands {
        app.apply(command);
    }
    if had_commands {
        app.sync_board();
        ui.ctx().request_repaint();
    }
}

fn shortcuts(ctx: &egui::Context, state: &mut AppState, commands: &mut Vec<Command>) {
    // Only a text field owns Ctrl+Z; a focused button or combo box (Tab) does not.
    let typing = ctx.text_edit_focused();
    ctx.input_mut(|input| {
        if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::N)) {
            commands.push(Command::OpenNewProject);
        }
        if input.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::F))
            && state.project.is_some()
        {
            state.focus_search = true;
        }
        if !typing && input.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Z)) {
            commands.push(Command::Undo);
        }
        if input.consume_key(Modifiers::NONE, Key::Escape) {
            if state.dialog != Dialog::None {
                commands.push(Command::CloseDialog);
            } else if state.notifications_open {
                commands.push(Command::ToggleNotifications);
            } else if state.selected.is_some() {
                commands.push(Command::SelectControl(None));
            }
        }
    });
}

fn draw(state: &mut AppState, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    top_bar::top_bar_ui(state, ui, commands);
    notifications::status_bar_ui(state, ui, commands);
    if state.open_error.is_some() {
        egui::CentralPanel::default().show(ui, |ui| notifications::open_error_ui(state, ui));
        return;
    }
    if state.project.is_some() {
        filter_bar::filter_bar_ui(state, ui);
        if state.selected.is_some() {
            control_panel::control_panel_ui(state, ui, commands);
        }
        egui::CentralPanel::default().show(ui, |ui| board::board_ui(state, ui, commands));
    } else {
        egui::CentralPanel::default().show(ui, |ui| top_bar::empty_state_ui(state, ui, commands));
    }
    dialogs::dialogs_ui(state, ui, commands);
    notifications::notification_list_ui(state, ui, commands);
}
