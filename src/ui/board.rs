//! The board: AWS | Shared | Customer side by side, each headed by its count and progress,
//! cards grouped by area. Only the rows in view are laid out, so a board of ten thousand
//! controls scrolls as smoothly as one of fifty.

use egui::{
    Align2, Color32, CornerRadius, FontId, Rect, RichText, Sense, Stroke, Ui, UiBuilder, vec2,
};

use super::theme::{
    AREA_ROW_HEIGHT, CARD_GAP, CARD_ROW_HEIGHT, DANGER, column_caption, column_color, status_color,
};
use super::widgets::chip_ui;
use crate::app::{AppState, BoardColumn, BoardRow, Command};
use crate::model::Control;

/// Draws the three columns.
pub fn board_ui(state: &AppState, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.columns(3, |columns| {
        for (ui, column) in columns.iter_mut().zip(&state.board) {
            column_ui(state, column, ui, commands);
        }
    });
}

fn row_height(row: &BoardRow) -> f32 {
    match row {
        BoardRow::Area { .. } => AREA_ROW_HEIGHT,
        BoardRow::Card(_) => CARD_ROW_HEIGHT,
    }
}

fn column_ui(state: &AppState, column: &BoardColumn, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(vec2(4.0, 22.0), Sense::hover());
        ui.painter()
            .rect_filled(rect, 2.0, column_color(column.column));
        ui.label(RichText::new(column.column.label()).size(18.0).strong());
        ui.label(RichText::new(column.total.to_string()).size(18.0).weak());
    });
    ui.label(RichText::new(column_caption(column.column)).weak().small());
    ui.add(
        egui::ProgressBar::new(column.progress())
            .desired_height(8.0)
            .fill(column_color(column.column)),
    );
    ui.label(
        RichText::new(format!(
            "{} of {} done ({:.0}%)",
            column.done,
            column.total,
            column.progress() * 100.0
        ))
        .small(),
    );
    ui.add_space(4.0);
    if column.rows.is_empty() {
        ui.add_space(12.0);
        let text = if column.total == 0 {
            "No controls in this column for the project's services."
        } else {
            "No control here matches the filter."
        };
        ui.label(RichText::new(text).weak().italics());
        return;
    }
    // A row's top follows from how many headings and cards come before it.
    let offset = |index: usize| {
        let areas = column.areas_before[index];
        areas as f32 * AREA_ROW_HEIGHT + (index - areas) as f32 * CARD_ROW_HEIGHT
    };
    let rows = column.rows.len();
    let total_height = offset(rows);
    egui::ScrollArea::vertical()
        .id_salt(("board_column", column.column.as_str()))
        .auto_shrink([false, false])
        .show_viewport(ui, |ui, viewport| {
            let width = ui.available_width();
            ui.set_height(total_height);
            let top = ui.min_rect().top();
            let first = count_while(rows + 1, |i| offset(i) <= viewport.min.y).saturating_sub(1);
            let last = count_while(rows + 1, |i| offset(i) < viewport.max.y).min(rows);
            for index in first.min(last)..last {
                let row = &column.rows[index];
                let rect = Rect::from_min_size(
                    egui::pos2(ui.min_rect().left(), top + offset(index)),
                    vec2(width, row_height(row)),
                );
                match row {
                    BoardRow::Area { name, count } => area_ui(ui, rect, name, *count),
                    BoardRow::Card(control) => {
                        if let Some(control) = state.controls.get(*control) {
                            card_ui(state, control, ui, rect, commands);
                        }
                    }
                }
            }
        });
}

/// How many of the indices `0..n` satisfy `holds`, which is true up to some index and false
/// after it: a binary search.
fn count_while(n: usize, holds: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, n);
    while low < high {
        let middle = low + (high - low) / 2;
        if holds(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

fn area_ui(ui: &mut Ui, rect: Rect, name: &str, count: usize) {
    let painter = ui.painter_at(rect);
    painter.text(
        rect.left_bottom() + vec2(2.0, -6.0),
        Align2::LEFT_BOTTOM,
        format!("{}  ·  {count}", name.to_uppercase()),
        FontId::proportional(11.5),
        ui.visuals().weak_text_color(),
    );
}

fn card_ui(
    state: &AppState,
    control: &Control,
    ui: &mut Ui,
    rect: Rect,
    commands: &mut Vec<Command>,
) {
    let card = Rect::from_min_max(rect.min, rect.max - vec2(0.0, CARD_GAP));
    let id = ui.scope_id().with(("card", &control.id));
    let response = ui.interact(card, id, Sense::click());
    let label = format!("{} {}", control.id, control.title);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    let selected = state.selected.as_deref() == Some(control.id.as_str());
    let visuals = ui.visuals();
    let fill = if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.extreme_bg_color
    };
    let stroke = if selected {
        Stroke::new(2.0, visuals.selection.stroke.color)
    } else {
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    ui.painter().rect(
        card,
        CornerRadius::same(6),
        fill,
        stroke,
        egui::StrokeKind::Inside,
    );
    let overdue = control.is_overdue(state.today);
    let inner = card.shrink2(vec2(10.0, 7.0));
    let mut content = ui.new_child(
        UiBuilder::new()
            .max_rect(inner)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    content.spacing_mut().item_spacing.y = 3.0;
    // The whole card is the click target: its labels must not take the click for text selection.
    content.style_mut().interaction.selectable_labels = false;
    content.horizontal(|ui| {
        ui.label(RichText::new(&control.id).monospace().small().weak());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if let Some(due) = control.due {
                let text = RichText::new(format!("due {due}")).small();
                ui.label(if overdue {
                    text.color(DANGER).strong()
                } else {
                    text.weak()
                });
            }
        });
    });
    content.add(egui::Label::new(RichText::new(&control.title).strong()).truncate());
    content.horizontal(|ui| {
        if control.retired {
            chip_ui(ui, "Retired", Color32::GRAY);
        } else {
            chip_ui(ui, control.status.label(), status_color(control.status));
        }
        if overdue {
            chip_ui(ui, "Overdue", DANGER);
        }
        if state.aws_coverage_incomplete() && crate::app::relies_on_aws_reports(control) {
            chip_ui(ui, "AWS coverage gap", DANGER);
        }
        if let Some(evidence) = state.evidence_summary.get(&control.id) {
            let files = if evidence.count == 1 {
                "1 file".to_string()
            } else {
                format!("{} files", evidence.count)
            };
            let text = RichText::new(files).small();
            if evidence.expired > 0 {
                ui.label(text.color(DANGER))
                    .on_hover_text("Some evidence has expired");
            } else if evidence.expiring > 0 {
                ui.label(text.color(super::theme::WARNING))
                    .on_hover_text("Some evidence expires within 30 days");
            } else {
                ui.label(text);
            }
        }
        if !control.owner.is_empty() {
            ui.label(RichText::new(&control.owner).small());
        }
        let services = if control.services.len() > 4 {
            format!(
                "{} +{}",
                control.services[..3].join(" "),
                control.services.len() - 3
            )
        } else {
            control.services.join(" ")
        };
        ui.add(egui::Label::new(RichText::new(services).small().weak()).truncate());
    });
    if response.clicked() {
        commands.push(Command::SelectControl(if selected {
            None
        } else {
            Some(control.id.clone())
        }));
    }
}
