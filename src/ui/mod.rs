//! Drawing only: one file per view. Each view is given a read-only [`ViewContext`] (the
//! session, the window's chrome and the records) and `&mut` its own state from [`Views`]
//! (its form, filter or sort), and records [`Command`]s; the frame function applies the
//! commands once drawing is done. No view sees the whole [`AppState`] or changes what
//! another view owns. Nothing here touches SQL or the file system.

mod add_control;
mod aws_reports;
mod board;
mod control_panel;
mod dashboard;
mod dialogs;
mod evidence;
mod filter_bar;
mod findings;
mod notifications;
mod patches;
mod requests;
mod signoffs;
mod system;
mod team;
mod theme;
mod top_bar;
mod training;
mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::{App, AppState, Command, View, ViewContext, Views};

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
    let mut app = App::open(dir.clone());
    app.ask_for_name_on_first_run();
    // The log lives in the workspace: it starts only once the workspace opened.
    if app.state.session.open_error.is_none()
        && let Err(error) = crate::log::init(&dir)
    {
        app.notify(crate::app::Level::Error, format!("{error:#}"));
    }
    tracing::info!("window opened");
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
            let ctx = cc.egui_ctx.clone();
            app.set_repaint(std::sync::Arc::new(move || ctx.request_repaint()));
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
    app.sync_today();
    app.poll_jobs();
    app.sync_board();
    app.sync_requests();
    app.sync_findings();
    let mut commands = Vec::new();
    shortcuts(&ui.ctx().clone(), &mut commands);
    widgets::forget_date_picker(ui.ctx());
    dropped_files(ui.ctx(), &app.state, &mut commands);
    draw(&mut app.state, ui, &mut commands);
    let had_commands = !commands.is_empty();
    for command in commands {
        app.apply(command);
    }
    if had_commands {
        app.sync_board();
        app.sync_requests();
        app.sync_findings();
        ui.ctx().request_repaint();
    }
    if app.is_busy() {
        // Progress arrives from another thread; keep drawing it while the job runs.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
}

/// Files dropped onto the window are attached to the selected control; while files hover
/// over the window, a veil says where they will go.
fn dropped_files(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let (hovering, dropped) = ctx.input(|input| {
        (
            !input.raw.hovered_files.is_empty(),
            input
                .raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .filter(|path| !path.as_os_str().is_empty())
                .collect::<Vec<_>>(),
        )
    });
    let on_requests = state.shell.view == View::Requests;
    let on_findings = state.shell.view == View::Findings && state.records.project.is_some();
    if !dropped.is_empty() {
        commands.push(if on_findings {
            Command::ImportFindingsFiles(dropped)
        } else if on_requests {
            Command::AttachRequestFiles(dropped)
        } else {
            Command::AttachFiles(dropped)
        });
    }
    if hovering {
        let text = match (on_requests, &state.views.requests.selected) {
            _ if on_findings => {
                "Drop to import these findings exports into the project".to_string()
            }
            (true, Some(id)) => format!("Drop to attach to request {id}"),
            (true, None) => {
                "Select a request first: dropped files are attached to the selected request"
                    .to_string()
            }
            (false, _) => match state.selected_control() {
                Some(control) => format!("Drop to attach to {} {}", control.id, control.title),
                None => {
                    "Select a control first: dropped files are attached to the selected control"
                        .to_string()
                }
            },
        };
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop_veil"),
        ));
        let screen = ctx.content_rect();
        painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(150));
        painter.text(
            screen.center(),
            egui::Align2::CENTER_CENTER,
            text,
            egui::FontId::proportional(22.0),
            egui::Color32::WHITE,
        );
    }
}

/// Turns each command's keyboard shortcut into the command.
/// While a calendar is open, Esc closes the calendar rather than the dialog under it.
fn shortcuts(ctx: &egui::Context, commands: &mut Vec<Command>) {
    let typing = ctx.text_edit_focused();
    let picking_date = widgets::date_picker_open(ctx);
    ctx.input_mut(|input| {
        for command in Command::with_shortcuts() {
            if let Some(shortcut) = command.shortcut()
                && (!typing || command.works_while_typing())
                && !(picking_date && command == Command::Back)
                && input.consume_shortcut(&shortcut)
            {
                commands.push(command);
            }
        }
    });
}

/// Draws every part of the window: each view reads the context and edits only its own
/// state.
fn draw(state: &mut AppState, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
    let (cx, views) = state.split();
    let cx = &cx;
    top_bar::top_bar_ui(cx, ui, commands);
    notifications::status_bar_ui(cx, ui, commands);
    if cx.session.open_error.is_some() {
        egui::CentralPanel::default().show(ui, |ui| {
            notifications::open_error_ui(cx, views.sign_in.as_mut(), ui, commands);
        });
        return;
    }
    if cx.records.project.is_some() {
        view_ui(cx, views, ui, commands);
    } else {
        egui::CentralPanel::default().show(ui, |ui| top_bar::empty_state_ui(cx, ui, commands));
    }
    dialogs::dialogs_ui(cx, &mut views.dialog, ui, commands);
    notifications::verify_result_ui(cx, ui, commands);
    notifications::notification_list_ui(cx, ui, commands);
}

/// The view chosen in the top bar, given its own state (and the sign-off form, for views
/// that sign things off).
fn view_ui(
    cx: &ViewContext<'_>,
    views: &mut Views,
    ui: &mut egui::Ui,
    commands: &mut Vec<Command>,
) {
    let signoff = &mut views.signoff;
    match cx.shell.view {
        View::Dashboard => {
            egui::CentralPanel::default().show(ui, |ui| dashboard::dashboard_ui(cx, ui, commands));
        }
        View::Training => training::training_ui(cx, &mut views.training, signoff, ui, commands),
        View::Patches => patches::patches_ui(cx, &mut views.patches, signoff, ui, commands),
        View::AwsReports => aws_reports::aws_reports_ui(cx, &mut views.aws_reports, ui, commands),
        View::Requests => requests::requests_ui(cx, &mut views.requests, ui, commands),
        View::Findings => findings::findings_ui(cx, &mut views.findings, signoff, ui, commands),
        View::System => {
            egui::CentralPanel::default().show(ui, |ui| {
                system::system_ui(cx, &mut views.system, ui, commands)
            });
        }
        View::Board => {
            filter_bar::filter_bar_ui(cx, &mut views.board, ui, commands);
            if cx.shell.selected.is_some() {
                control_panel::control_panel_ui(cx, &mut views.panel, signoff, ui, commands);
            }
            egui::CentralPanel::default()
                .show(ui, |ui| board::board_ui(cx, &views.board, ui, commands));
        }
    }
}
