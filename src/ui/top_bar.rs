//! The top bar (project picker, New project, services, Settings, notifications) and the
//! first-run empty state.

use egui::{RichText, Ui};

use super::widgets::{command_button_ui, hover_text};
use crate::app::{Command, View, ViewContext};

/// Draws the top bar.
pub fn top_bar_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new("Lockstep").strong().size(18.0));
            ui.separator();
            if !cx.records.projects.is_empty() {
                project_picker_ui(cx, ui, commands);
            }
            // With no project yet, the empty state's big button is the one way in.
            if cx.session.open_error.is_none()
                && !cx.records.projects.is_empty()
                && !cx.session.read_only
            {
                command_button_ui(ui, "+ ", Command::OpenNewProject, true, commands);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if cx.session.open_error.is_none() {
                    command_button_ui(ui, "", Command::OpenSettings, true, commands);
                    ui.menu_button("Project", |ui| project_menu_ui(cx, ui, commands));
                    ui.menu_button("Workspace", |ui| workspace_menu_ui(cx, ui, commands));
                    let idle = cx.shell.job.is_none();
                    command_button_ui(ui, "", Command::VerifyWorkspace, idle, commands);
                }
                notifications_and_undo_ui(cx, ui, commands);
                signed_in_ui(&cx.session.user_name, ui);
            });
        });
        // The views on their own row, so they never run under the buttons on the right.
        if cx.records.project.is_some() {
            view_tabs_ui(cx.shell.view, ui, commands);
        }
        ui.add_space(2.0);
    });
}

/// The project picker, labelled for screen readers.
fn project_picker_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let current = cx
        .records
        .project
        .as_ref()
        .map(|p| p.name.as_str())
        .unwrap_or("Choose a project");
    let picker = ui.label("Project");
    egui::ComboBox::from_id_salt("project_picker")
        .selected_text(current)
        .width(240.0)
        .show_ui(ui, |ui| {
            for project in &cx.records.projects {
                let chosen = cx
                    .records
                    .project
                    .as_ref()
                    .is_some_and(|p| p.key == project.key);
                if ui.selectable_label(chosen, &project.name).clicked() && !chosen {
                    commands.push(Command::SelectProject(project.key));
                }
            }
        })
        .response
        .labelled_by(picker.id);
}

/// The Project menu: the period, the pack, frameworks and OSCAL; closes once an item is
/// chosen.
fn project_menu_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let before = commands.len();
    let idle = cx.shell.job.is_none();
    let exportable = cx.records.project.is_some() && idle;
    let editable = cx.records.project.is_some() && !cx.session.read_only;
    command_button_ui(ui, "", Command::OpenPeriod, editable, commands);
    ui.separator();
    command_button_ui(ui, "", Command::OpenExport, exportable, commands);
    command_button_ui(ui, "", Command::VerifyPack, idle, commands);
    ui.separator();
    let writable = idle && !cx.session.read_only;
    command_button_ui(ui, "", Command::ImportFramework, writable, commands);
    ui.separator();
    command_button_ui(ui, "", Command::ExportOscal, exportable, commands);
    command_button_ui(ui, "", Command::ExportPoam, exportable, commands);
    if cx
        .records
        .project
        .as_ref()
        .is_some_and(|p| p.baseline.is_some())
    {
        command_button_ui(ui, "", Command::ImportCrm, exportable, commands);
    }
    if commands.len() > before {
        ui.close();
    }
}

/// The Workspace menu: a team workspace's details, or pushing a local one to a team.
fn workspace_menu_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let before = commands.len();
    if cx.session.team {
        command_button_ui(ui, "", Command::OpenTeamDetails, true, commands);
    } else {
        let writable = cx.shell.job.is_none() && cx.shell.picking.is_none();
        command_button_ui(ui, "", Command::PushToTeam, writable, commands);
    }
    if commands.len() > before {
        ui.close();
    }
}

/// The notifications toggle with the unread count, and Undo when there is something to undo.
fn notifications_and_undo_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let unread = cx.shell.notifications.len();
    let label = if unread == 0 {
        "Notifications".to_string()
    } else {
        format!("Notifications ({unread})")
    };
    if ui
        .selectable_label(cx.shell.notifications_open, label)
        .clicked()
    {
        commands.push(Command::ToggleNotifications);
    }
    if let Some(undo) = &cx.shell.undo_label {
        let keys = Command::Undo
            .shortcut()
            .map(|s| ui.ctx().format_shortcut(&s))
            .unwrap_or_default();
        if ui
            .button(Command::Undo.label())
            .on_hover_text(format!("{undo} ({keys})"))
            .clicked()
        {
            commands.push(Command::Undo);
        }
    }
}

/// Who is signed in: on a narrow window the name alone, and none when even that would run
/// into the views (Settings shows the name either way). Hovering lists the shortcuts.
fn signed_in_ui(user_name: &str, ui: &mut Ui) {
    let help = shortcut_help(ui.ctx());
    let room = ui.available_width();
    let signed_in = format!("Signed in as {user_name}");
    let needed = |text: &str| 8.0 * text.chars().count() as f32 + 8.0;
    let text = if room > needed(&signed_in) {
        Some(signed_in)
    } else if room > needed(user_name) {
        Some(user_name.to_string())
    } else {
        None
    };
    if let Some(text) = text {
        ui.label(RichText::new(text).weak()).on_hover_text(help);
    }
}

/// The views, one tab each.
fn view_tabs_ui(current: View, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        for view in View::ALL {
            if ui.selectable_label(current == view, view.label()).clicked() && current != view {
                commands.push(Command::ShowView(view));
            }
        }
    });
}

fn shortcut_help(ctx: &egui::Context) -> String {
    let mut text =
        String::from("Changes are recorded under this name (change it in Settings).\n\nKeyboard:");
    for command in Command::with_shortcuts() {
        if let Some(shortcut) = command.shortcut() {
            let keys = ctx.format_shortcut(&shortcut);
            let what = command.tooltip().unwrap_or(command.label());
            text.push_str(&format!("\n  {keys}  {what}"));
        }
    }
    text
}

/// The first-run state: what Lockstep is for, and the way in.
pub fn empty_state_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.25);
        ui.label(RichText::new("Get ready for your AWS security audit").size(24.0).strong());
        ui.add_space(8.0);
        ui.label(
            RichText::new(
                "Lockstep turns the AWS services you use into a checklist split between what AWS secures, \
                 what you share, and what is yours, so you can track each control and its evidence to sign-off.",
            )
            .size(15.0),
        );
        ui.add_space(16.0);
        let new_project = Command::OpenNewProject;
        let button = egui::Button::new(RichText::new(format!("+ {}", new_project.label())).size(16.0))
            .min_size(egui::vec2(160.0, 36.0));
        let mut response = ui.add(button);
        if let Some(text) = hover_text(ui.ctx(), &new_project) {
            response = response.on_hover_text(text);
        }
        if response.clicked() {
            commands.push(new_project);
        }
        ui.add_space(12.0);
        ui.label(
            RichText::new(format!("Workspace: {}", cx.session.workspace.display()))
                .weak()
                .small(),
        );
    });
}
