//! Small widgets the views share: status chips, a pick-one-of-a-list box, the row that
//! shows a chosen file with its "Choose…" button, and a button drawn from a command.

use std::path::PathBuf;

use egui::{Color32, CornerRadius, FontId, RichText, Sense, Ui, vec2};

use crate::app::Command;

/// A small coloured label with its word: colour is never the only signal.
pub fn chip_ui(ui: &mut Ui, text: &str, color: Color32) {
    let galley =
        ui.painter()
            .layout_no_wrap(text.to_string(), FontId::proportional(11.5), Color32::WHITE);
    let size = galley.size() + vec2(12.0, 4.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    // The word is painted, not laid out as a label: say it to screen readers too.
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text));
    ui.painter().rect_filled(rect, CornerRadius::same(8), color);
    ui.painter()
        .galley(rect.center() - galley.size() / 2.0, galley, Color32::WHITE);
}

/// A combo box choosing one value from `options` (value, text shown); "Choose…" until one is
/// chosen. Labelled by `label` for screen readers.
pub fn pick_one_ui(
    ui: &mut Ui,
    id: &str,
    label: egui::Id,
    width: f32,
    selected: &mut String,
    options: &[(String, String)],
) {
    let shown = options
        .iter()
        .find(|(value, _)| value == selected)
        .map(|(_, text)| text.clone())
        .unwrap_or_else(|| "Choose…".to_string());
    egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .width(width)
        .show_ui(ui, |ui| {
            for (value, text) in options {
                ui.selectable_value(selected, value.clone(), text);
            }
        })
        .response
        .labelled_by(label);
}

/// The name of the chosen file (or "none") and a "Choose…" button; true when it was clicked.
pub fn chosen_file_ui(ui: &mut Ui, file: Option<&PathBuf>) -> bool {
    ui.horizontal(|ui| {
        let name = file
            .and_then(|p| p.file_name())
            .map(|n| crate::app::escape_name(&n.to_string_lossy()))
            .unwrap_or_else(|| "none".to_string());
        ui.label(RichText::new(name).small());
        ui.small_button("Choose…").clicked()
    })
    .inner
}

/// A button showing the command's label (after `prefix`), with its tooltip and shortcut on
/// hover; records the command when clicked.
pub fn command_button_ui(
    ui: &mut Ui,
    prefix: &str,
    command: Command,
    enabled: bool,
    commands: &mut Vec<Command>,
) {
    let response = ui.add_enabled(
        enabled,
        egui::Button::new(format!("{prefix}{}", command.label())),
    );
    let response = match hover_text(ui.ctx(), &command) {
        Some(text) => response.on_hover_text(text),
        None => response,
    };
    if response.clicked() {
        commands.push(command);
    }
}

/// The command's tooltip with its shortcut, such as "Undo the last edit (Ctrl+Z)".
pub fn hover_text(ctx: &egui::Context, command: &Command) -> Option<String> {
    let keys = command.shortcut().map(|s| ctx.format_shortcut(&s));
    match (command.tooltip(), keys) {
        (Some(tip), Some(keys)) => Some(format!("{tip} ({keys})")),
        (Some(tip), None) => Some(tip.to_string()),
        (None, Some(keys)) => Some(keys),
        (None, None) => None,
    }
}
