//! The filter bar above the board: text search, status, owner, family (on a framework
//! baseline), overdue only; and the project's actions on its controls.

use egui::{RichText, Ui};

use crate::app::{BoardMode, BoardState, Command, Density, ViewContext};
use crate::model::Status;

/// The search field's width, in points.
const SEARCH_WIDTH: f32 = 180.0;
/// Room for the view switch and the actions on the right before their first frame is
/// measured, in points.
const RIGHT_GUESS: f32 = 380.0;

/// Draws the filter bar. It edits the filter in place: filtering is a view, not a change.
///
/// The filters run left to right and wrap onto a second line rather than run under the
/// view switch and the actions on the right, whose width is measured each frame.
pub fn filter_bar_ui(
    cx: &ViewContext<'_>,
    board: &mut BoardState,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    egui::Panel::top("filter_bar").show(ui, |ui| {
        ui.add_space(2.0);
        let right_id = ui.scope_id().with("filter_bar_right");
        ui.horizontal_top(|ui| {
            let right = ui
                .data(|d| d.get_temp::<f32>(right_id))
                .unwrap_or(RIGHT_GUESS);
            let spacing = ui.spacing().item_spacing.x;
            let left = (ui.available_width() - right - 2.0 * spacing).max(SEARCH_WIDTH);
            ui.allocate_ui_with_layout(
                egui::vec2(left, 0.0),
                egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true),
                |ui| filters_ui(cx, board, ui),
            );
            let size = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
            let width = ui
                .allocate_ui_with_layout(
                    size,
                    egui::Layout::right_to_left(egui::Align::Center),
                    |ui| {
                        actions_ui(cx, ui, commands);
                        view_switch_ui(board, ui, commands);
                        ui.min_rect().width()
                    },
                )
                .inner;
            ui.data_mut(|d| d.insert_temp(right_id, width));
        });
        ui.add_space(2.0);
    });
}

/// The filters, and while one is on the count shown and "Clear filters".
fn filters_ui(cx: &ViewContext<'_>, board: &mut BoardState, ui: &mut Ui) {
    let search = ui.add(
        egui::TextEdit::singleline(&mut board.filter.text)
            .hint_text("Search id, title, owner… (Ctrl+F)")
            .desired_width(SEARCH_WIDTH),
    );
    if board.focus_search {
        search.request_focus();
        board.focus_search = false;
    }
    // The control panel has its own "Status" and "Owner": these carry names of their own so
    // a screen reader tells the filters from the fields.
    ui.label("Status");
    egui::ComboBox::from_id_salt("status_filter")
        .selected_text(board.filter.status.map(Status::label).unwrap_or("All"))
        .width(96.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut board.filter.status, None, "All");
            for status in Status::ALL {
                ui.selectable_value(&mut board.filter.status, Some(status), status.label());
            }
        })
        .response
        .accessible_name("Filter by status");
    ui.label("Owner");
    let owner_text = match &board.filter.owner {
        None => "All".to_string(),
        Some(owner) if owner.is_empty() => "Unassigned".to_string(),
        Some(owner) => owner.clone(),
    };
    egui::ComboBox::from_id_salt("owner_filter")
        .selected_text(owner_text)
        .width(96.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut board.filter.owner, None, "All");
            ui.selectable_value(&mut board.filter.owner, Some(String::new()), "Unassigned");
            for owner in &cx.records.owners {
                ui.selectable_value(&mut board.filter.owner, Some(owner.clone()), owner);
            }
        })
        .response
        .accessible_name("Filter by owner");
    let on_baseline = cx
        .records
        .project
        .as_ref()
        .is_some_and(|p| p.baseline.is_some());
    if on_baseline {
        family_filter_ui(cx, board, ui);
    }
    ui.checkbox(&mut board.filter.overdue_only, "Overdue only");
    more_filters_ui(board, ui);
    if board.filter.is_active() {
        let shown: usize = cx.records.board.iter().map(|c| c.shown).sum();
        ui.add(
            egui::Label::new(RichText::new(format!("{shown} shown")).weak())
                .wrap_mode(egui::TextWrapMode::Extend),
        );
        if ui.button("Clear filters").clicked() {
            board.filter = crate::app::BoardFilter {
                show_retired: board.filter.show_retired,
                ..Default::default()
            };
        }
    }
}

/// The filters used less often, in a menu whose button counts those that are on.
fn more_filters_ui(board: &mut BoardState, ui: &mut Ui) {
    let filter = &board.filter;
    let on = [
        filter.missing_evidence,
        filter.evidence_expiring,
        filter.show_retired,
    ]
    .into_iter()
    .filter(|on| *on)
    .count();
    let label = if on == 0 {
        "More filters".to_string()
    } else {
        format!("More filters ({on})")
    };
    ui.menu_button(label, |ui| {
        ui.checkbox(&mut board.filter.missing_evidence, "Missing evidence")
            .on_hover_text(
                "Controls in scope with no current evidence (not-applicable ones need none)",
            );
        ui.checkbox(&mut board.filter.evidence_expiring, "Evidence expiring")
            .on_hover_text("Controls with evidence expired or valid for 30 days or less");
        ui.checkbox(&mut board.filter.show_retired, "Show retired");
    });
}

/// The project's actions on its controls, right to left.
fn actions_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    if cx.session.read_only {
        // A reader browses: nothing here would be allowed.
        return;
    }
    if ui
        .button("+ Add control")
        .on_hover_text("Add a control of your own: the ownership test places it")
        .clicked()
    {
        commands.push(Command::OpenAddControl);
    }
    if ui
        .button("AWS services…")
        .on_hover_text("Change the AWS services this project uses")
        .clicked()
    {
        commands.push(Command::OpenServices);
    }
}

/// Cards or table, and the cards' density and folding, right to left.
fn view_switch_ui(board: &mut BoardState, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.add_space(8.0);
    ui.menu_button("View", |ui| {
        let view = &mut board.view;
        ui.label(RichText::new("Cards").weak().small());
        ui.radio_value(&mut view.density, Density::Comfortable, "Comfortable");
        ui.radio_value(&mut view.density, Density::Compact, "Compact (one line)");
        ui.separator();
        for fold in [true, false] {
            let command = Command::FoldAllAreas(fold);
            if ui.button(command.label()).clicked() {
                commands.push(command);
                ui.close();
            }
        }
    });
    for (mode, label) in [(BoardMode::Table, "Table"), (BoardMode::Cards, "Cards")] {
        if ui
            .selectable_label(board.view.mode == mode, label)
            .clicked()
        {
            board.view.mode = mode;
        }
    }
}

/// The family filter of a baseline project: all, or one family (AC, AU, …).
fn family_filter_ui(cx: &ViewContext<'_>, board: &mut BoardState, ui: &mut Ui) {
    ui.label("Family");
    egui::ComboBox::from_id_salt("family_filter")
        .selected_text(board.filter.family.as_deref().unwrap_or("All"))
        .width(72.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut board.filter.family, None, "All");
            for family in &cx.records.families {
                ui.selectable_value(&mut board.filter.family, Some(family.clone()), family);
            }
        })
        .response
        .accessible_name("Filter by family");
}
