//! Small widgets the views share: status chips, a pick-one-of-a-list box, the row that
//! shows a chosen file with its "Choose…" button, a button drawn from a command, the
//! label-and-field rows of a form grid, a date field with its calendar, and the rule for
//! when Enter submits a dialog.

use std::path::PathBuf;

use chrono::{Datelike as _, NaiveDate};
use egui::{Color32, CornerRadius, FontId, Id, RichText, Sense, Ui, vec2};

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

/// The key under which a frame records that a date picker is open: while one is, Esc and Enter
/// belong to the picker, not to the dialog around it.
const DATE_PICKER_OPEN: &str = "lockstep_date_picker_open";

/// Whether a date picker was open when the last frame was drawn.
pub fn date_picker_open(ctx: &egui::Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(Id::unique(DATE_PICKER_OPEN)))
        .unwrap_or(false)
}

/// Forgets the last frame's open date picker; the fields drawn this frame say it again.
pub fn forget_date_picker(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove_temp::<bool>(Id::unique(DATE_PICKER_OPEN)));
}

/// What a date field did this frame.
pub struct DateField {
    /// The text field's response (it lost focus, changed, ...).
    pub edit: egui::Response,
    /// True when a date was chosen in the calendar (the text now holds it).
    pub picked: bool,
}

/// One sortable column heading of a table: its title, with an arrow on the column the table
/// is sorted by; clicking it sorts by that column, and again the other way round.
pub fn sort_heading_ui<S: Copy + PartialEq>(
    ui: &mut Ui,
    title: &str,
    column: S,
    sort: &mut (S, bool),
) {
    let (by, descending) = *sort;
    let arrow = match (by == column, descending) {
        (true, false) => " ^",
        (true, true) => " v",
        _ => "",
    };
    let button = ui
        .button(egui::RichText::new(format!("{title}{arrow}")).strong())
        .on_hover_text(format!("Sort by {}", title.to_lowercase()));
    if button.clicked() {
        *sort = (column, by == column && !descending);
    }
}

/// Whether `text` is empty or a date as `YYYY-MM-DD`.
pub fn is_blank_or_date(text: &str) -> bool {
    text.trim().is_empty() || crate::model::parse_date(text).is_ok()
}

/// One row of a two-column form grid: `label`, then the field `field_ui` draws, which is
/// given the label's id so the field can be labelled by it for screen readers.
pub fn labelled_field_ui<R>(
    ui: &mut Ui,
    label: &str,
    field_ui: impl FnOnce(&mut Ui, Id) -> R,
) -> R {
    let label = ui.label(label);
    let inner = field_ui(ui, label.id);
    ui.end_row();
    inner
}

/// One row of a two-column form grid: `label`, then a one-line text field labelled by it,
/// `width` points wide, showing `hint` while empty.
pub fn labelled_text_ui(ui: &mut Ui, label: &str, text: &mut String, hint: &str, width: f32) {
    labelled_field_ui(ui, label, |ui, label| {
        ui.add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .desired_width(width),
        )
        .labelled_by(label);
    });
}

/// A date typed as `YYYY-MM-DD` with a calendar button beside it. A text that is not a date is
/// outlined in red with a word saying so while it is typed; the calendar opens on the date
/// typed, or on `today`. `name` labels the field and its button for screen readers.
pub fn date_field_ui(
    ui: &mut Ui,
    id_salt: &str,
    name: &str,
    text: &mut String,
    hint: &str,
    today: NaiveDate,
    label: Id,
) -> DateField {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        let edit = ui
            .add(
                egui::TextEdit::singleline(text)
                    .id_salt(("date_text", id_salt))
                    .hint_text(hint)
                    .desired_width(96.0),
            )
            .labelled_by(label);
        let valid = is_blank_or_date(text);
        if !valid {
            ui.painter().rect_stroke(
                edit.rect.expand(1.0),
                CornerRadius::same(3),
                egui::Stroke::new(1.5, super::theme::DANGER),
                egui::StrokeKind::Outside,
            );
        }
        let start = crate::model::parse_date(text).unwrap_or(today);
        let mut date = to_civil(start).unwrap_or_default();
        let picker_id = ui.make_persistent_id(Some(id_salt));
        let button = ui
            .add(
                egui_extras::DatePickerButton::new(&mut date)
                    .id_salt(id_salt)
                    // The bundled fonts have no calendar glyph; Hack has the small triangle.
                    .format("▾")
                    .show_icon(false)
                    .calendar_week(false),
            )
            .on_hover_text(format!("Pick the {} from a calendar", name.to_lowercase()));
        button.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Pick {name}"))
        });
        let picker_layer = egui::LayerId::new(egui::Order::Foreground, picker_id);
        if ui.ctx().memory(|m| m.areas().is_visible(&picker_layer)) {
            ui.ctx()
                .data_mut(|d| d.insert_temp(Id::unique(DATE_PICKER_OPEN), true));
        }
        let mut picked = false;
        if button.changed()
            && let Some(chosen) = from_civil(date)
        {
            *text = chosen.format("%Y-%m-%d").to_string();
            picked = true;
        }
        if !valid {
            ui.add_space(4.0);
            ui.label(
                RichText::new("not a date (YYYY-MM-DD)")
                    .small()
                    .color(super::theme::DANGER),
            );
        }
        DateField { edit, picked }
    })
    .inner
}

fn to_civil(date: NaiveDate) -> Option<jiff::civil::Date> {
    let year = i16::try_from(date.year()).ok()?;
    let month = i8::try_from(date.month()).ok()?;
    let day = i8::try_from(date.day()).ok()?;
    jiff::civil::Date::new(year, month, day).ok()
}

fn from_civil(date: jiff::civil::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::try_from(date.month()).ok()?,
        u32::try_from(date.day()).ok()?,
    )
}

/// Decides whether Enter means "do the dialog's main action": when it was pressed with nothing
/// focused or in one of the dialog's single-line fields, not in a multi-line text, on a button
/// or a checkbox, and not while a calendar or a drop-down list is open.
pub struct EnterKey {
    pressed: bool,
    focused: Option<Id>,
    fields: Vec<Id>,
}

impl EnterKey {
    /// Reads the key and the focus as the dialog starts drawing.
    pub fn new(ui: &Ui) -> Self {
        let ctx = ui.ctx();
        let pressed = ui.input(|i| i.key_pressed(egui::Key::Enter))
            && !date_picker_open(ctx)
            && !egui::Popup::is_any_open(ctx);
        Self {
            pressed,
            focused: ui.memory(|m| m.focused()),
            fields: Vec::new(),
        }
    }

    /// Marks a single-line field in which Enter submits; returns its response.
    pub fn field(&mut self, response: egui::Response) -> egui::Response {
        self.fields.push(response.id);
        response
    }

    /// True when Enter submits the dialog this frame.
    pub fn submits(&self) -> bool {
        self.pressed
            && self
                .focused
                .is_none_or(|focused| self.fields.contains(&focused))
    }
}
