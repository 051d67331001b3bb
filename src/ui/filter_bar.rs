//! The filter bar above the board: text search, status, owner, family (on a framework
//! baseline), overdue only; and the project's actions on its controls.

use egui::{RichText, Ui};

use crate::app::{AppState, Command};
use crate::model::Status;

/// Width the filters and buttons beside the search field take, in points.
const SEARCH_RESERVE: f32 = 1000.0;
/// Width "N shown" and "Clear filters" add while a filter is on, in points.
const ACTIVE_FILTER_RESERVE: f32 = 150.0;
/// The search field's narrowest width, in points.
const SEARCH_MIN_WIDTH: f32 = 140.0;
/// The search field's widest width, in points.
const SEARCH_MAX_WIDTH: f32 = 300.0;

/// Draws the filter bar. It edits the filter in place: filtering is a view, not a change.
pub fn filter_bar_ui(state: &mut AppState, ui: &mut Ui, commands: &mut Vec<Command>) {
    egui::Panel::top("filter_bar").show(ui, |ui| {
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            // The search field gives up width first, so the filters and the buttons on the
            // right do not run into each other on a 1280-point window.
            let others = if state.filter.is_active() {
                SEARCH_RESERVE + ACTIVE_FILTER_RESERVE
            } else {
                SEARCH_RESERVE
            };
            let width = (ui.available_width() - others).clamp(SEARCH_MIN_WIDTH, SEARCH_MAX_WIDTH);
            let search = ui.add(
                egui::TextEdit::singleline(&mut state.filter.text)
                    .hint_text("Search id, title, owner… (Ctrl+F)")
                    .desired_width(width),
            );
            if state.focus_search {
                search.request_focus();
                state.focus_search = false;
            }
            // The control panel has its own "Status" and "Owner": these carry names of
            // their own so a screen reader tells the filters from the fields.
            ui.label("Status");
            egui::ComboBox::from_id_salt("status_filter")
                .selected_text(state.filter.status.map(Status::label).unwrap_or("All"))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut state.filter.status, None, "All");
                    for status in Status::ALL {
                        ui.selectable_value(&mut state.filter.status, Some(status), status.label());
                    }
                })
                .response
                .accessible_name("Filter by status");
            ui.label("Owner");
            let owner_text = match &state.filter.owner {
                None => "All".to_string(),
                Some(owner) if owner.is_empty() => "Unassigned".to_string(),
                Some(owner) => owner.clone(),
            };
            egui::ComboBox::from_id_salt("owner_filter")
                .selected_text(owner_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut state.filter.owner, None, "All");
                    ui.selectable_value(&mut state.filter.owner, Some(String::new()), "Unassigned");
                    for owner in &state.owners {
                        ui.selectable_value(&mut state.filter.owner, Some(owner.clone()), owner);
                    }
                })
                .response
                .accessible_name("Filter by owner");
            let on_baseline = state.project.as_ref().is_some_and(|p| p.baseline.is_some());
            if on_baseline {
                family_filter_ui(state, ui);
            }
            ui.checkbox(&mut state.filter.overdue_only, "Overdue only");
            ui.checkbox(&mut state.filter.missing_evidence, "Missing evidence")
                .on_hover_text(
                    "Controls in scope with no current evidence (not-applicable ones need none)",
                );
            ui.checkbox(&mut state.filter.evidence_expiring, "Evidence expiring")
                .on_hover_text("Controls with evidence expired or valid for 30 days or less");
            ui.checkbox(&mut state.filter.show_retired, "Show retired");
            if state.filter.is_active() {
                let shown: usize = state.board.iter().map(|c| c.shown).sum();
                ui.label(RichText::new(format!("{shown} shown")).weak());
                if ui.button("Clear filters").clicked() {
                    state.filter = crate::app::BoardFilter {
                        show_retired: state.filter.show_retired,
                        ..Default::default()
                    };
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if state.read_only {
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
            });
        });
        ui.add_space(2.0);
    });
}

/// The family filter of a baseline project: all, or one family (AC, AU, …).
fn family_filter_ui(state: &mut AppState, ui: &mut Ui) {
    ui.label("Family");
    egui::ComboBox::from_id_salt("family_filter")
        .selected_text(state.filter.family.as_deref().unwrap_or("All"))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut state.filter.family, None, "All");
            for family in &state.families {
                ui.selectable_value(&mut state.filter.family, Some(family.clone()), family);
            }
        })
        .response
        .accessible_name("Filter by family");
}
