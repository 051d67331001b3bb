//! The board: AWS | Shared | Customer side by side, each headed by its count and progress,
//! cards grouped by area in groups that fold; or the same controls as one sortable table.
//! Only the rows in view are laid out, so a board of ten thousand controls scrolls as
//! smoothly as one of fifty.

use egui::{
    Align2, Color32, CornerRadius, FontId, Rect, RichText, Sense, Stroke, Ui, UiBuilder, vec2,
};
use egui_extras::{Column as TableCol, TableBuilder};

use super::theme::{
    AREA_ROW_HEIGHT, CARD_GAP, CARD_ROW_HEIGHT, COMPACT_ROW_HEIGHT, DANGER, WARNING,
    column_caption, column_color, status_color,
};
use super::widgets::chip_ui;
use crate::app::ProjectCoverage;
use crate::app::{
    BoardColumn, BoardMode, BoardRow, BoardState, BoardView, Command, Density, TableColumn, View,
    ViewContext,
};
use crate::model::{Column, Control};

/// Height of a row of the table view.
const TABLE_ROW_HEIGHT: f32 = 24.0;

/// Draws the board: the coverage banner, then the three columns or the table.
pub fn board_ui(
    cx: &ViewContext<'_>,
    board: &BoardState,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    coverage_banner_ui(cx, ui, commands);
    match board.view.mode {
        BoardMode::Cards => {
            ui.columns(3, |columns| {
                for (ui, column) in columns.iter_mut().zip(&cx.records.board) {
                    column_ui(cx, board, column, ui, commands);
                }
            });
        }
        BoardMode::Table => table_ui(cx, &board.view, ui, commands),
    }
}

/// One banner when AWS's reports leave part of the audit period or a service uncovered: the
/// AWS and shared controls all rely on them, so the cards do not each repeat it.
fn coverage_banner_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let Some(ProjectCoverage::Period(coverage)) = &cx.records.coverage else {
        return;
    };
    if coverage.is_complete() {
        return;
    }
    let relying = cx
        .records
        .controls
        .iter()
        .filter(|c| crate::app::relies_on_aws_reports(c))
        .count();
    let mut what = Vec::new();
    let gap_days: i64 = coverage.gaps.iter().map(|g| g.days()).sum();
    if gap_days > 0 {
        let first = &coverage.gaps[0];
        let more = if coverage.gaps.len() > 1 {
            format!(" and {} more", coverage.gaps.len() - 1)
        } else {
            String::new()
        };
        what.push(format!(
            "leave {gap_days} days of the audit period uncovered ({first}{more})"
        ));
    }
    if !coverage.missing_services.is_empty() {
        let mut services: Vec<&str> = coverage
            .missing_services
            .iter()
            .map(|m| m.service.as_str())
            .collect();
        services.dedup();
        what.push(format!("leave out {}", services.join(", ")));
    }
    egui::Frame::new()
        .fill(WARNING.gamma_multiply(0.15))
        .stroke(Stroke::new(1.0, WARNING))
        .corner_radius(CornerRadius::same(4))
        .inner_margin(egui::Margin::symmetric(8, 4))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("AWS coverage gap").strong().color(WARNING));
                ui.label(format!(
                    "AWS's reports {}: the {relying} AWS and shared controls rely on them.",
                    what.join(" and ")
                ));
                if ui.button("Open AWS reports").clicked() {
                    commands.push(Command::ShowView(View::AwsReports));
                }
            });
        });
    ui.add_space(4.0);
}

fn card_height(density: Density) -> f32 {
    match density {
        Density::Comfortable => CARD_ROW_HEIGHT,
        Density::Compact => COMPACT_ROW_HEIGHT,
    }
}

fn row_height(row: &BoardRow, card: f32) -> f32 {
    match row {
        BoardRow::Area { .. } => AREA_ROW_HEIGHT,
        BoardRow::Card(_) => card,
    }
}

fn column_ui(
    cx: &ViewContext<'_>,
    board: &BoardState,
    column: &BoardColumn,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    column_header_ui(column, board.filter.is_active(), ui);
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
    column_rows_ui(cx, board.view.density, column, ui, commands);
}

/// A column's name and count (of those passing the filter, when one is on), its caption and
/// its progress.
fn column_header_ui(column: &BoardColumn, filtered: bool, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(vec2(4.0, 22.0), Sense::hover());
        ui.painter()
            .rect_filled(rect, 2.0, column_color(column.column));
        ui.label(RichText::new(column.column.label()).size(18.0).strong());
        let count = if filtered {
            format!("{} of {}", column.shown, column.total)
        } else {
            column.total.to_string()
        };
        ui.label(RichText::new(count).size(18.0).weak());
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
}

/// A column's group headings and cards, drawing only the rows in view.
fn column_rows_ui(
    cx: &ViewContext<'_>,
    density: Density,
    column: &BoardColumn,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let card = card_height(density);
    // A row's top follows from how many headings and cards come before it.
    let offset = |index: usize| {
        let areas = column.areas_before[index];
        areas as f32 * AREA_ROW_HEIGHT + (index - areas) as f32 * card
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
                    vec2(width, row_height(row, card)),
                );
                row_ui(cx, density, column.column, row, ui, rect, commands);
            }
        });
}

/// One row of a column: a group heading, or a card in the chosen density.
fn row_ui(
    cx: &ViewContext<'_>,
    density: Density,
    column: Column,
    row: &BoardRow,
    ui: &mut Ui,
    rect: Rect,
    commands: &mut Vec<Command>,
) {
    match row {
        BoardRow::Area { .. } => area_ui(ui, rect, column, row, commands),
        BoardRow::Card(control) => {
            let Some(control) = cx.records.controls.get(*control) else {
                return;
            };
            match density {
                Density::Comfortable => card_ui(cx, control, ui, rect, commands),
                Density::Compact => compact_card_ui(cx, control, ui, rect, commands),
            }
        }
    }
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

/// A group's heading: a button that folds or unfolds it, with its counts and progress.
fn area_ui(ui: &mut Ui, rect: Rect, column: Column, row: &BoardRow, commands: &mut Vec<Command>) {
    let BoardRow::Area {
        name,
        count,
        total,
        done,
        collapsed,
    } = row
    else {
        return;
    };
    let heading = Rect::from_min_max(rect.min + vec2(0.0, 4.0), rect.max - vec2(0.0, 2.0));
    let id = ui.scope_id().with(("area", column.as_str(), name));
    let response = ui.interact(heading, id, Sense::click());
    let arrow = if *collapsed { "▸" } else { "▾" };
    let shown = if count == total {
        count.to_string()
    } else {
        format!("{count} of {total}")
    };
    let accessible = format!(
        "{} group {name}, {shown} controls, {done} done",
        if *collapsed { "Expand" } else { "Collapse" }
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &accessible));
    let response = response.on_hover_text(if *collapsed {
        "Show this group's controls"
    } else {
        "Fold this group away"
    });
    let visuals = ui.visuals();
    let color = if response.hovered() {
        visuals.strong_text_color()
    } else {
        visuals.weak_text_color()
    };
    if response.hovered() {
        ui.painter()
            .rect_filled(heading, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let painter = ui.painter_at(heading);
    let colors = (
        visuals.widgets.noninteractive.bg_stroke.color,
        visuals.weak_text_color(),
    );
    let done_left = area_progress_ui(&painter, heading, column, (*done, *total), colors);
    let title = format!("{arrow} {}", name.to_uppercase());
    area_title_ui(&painter, heading, done_left, &title, &shown, color);
    if response.clicked() {
        commands.push(Command::ToggleArea(column, name.clone()));
    }
}

/// A group heading's progress on the right: done of total, and a thin bar in the column's
/// colour; returns where the done count starts, so the title can give way before it.
fn area_progress_ui(
    painter: &egui::Painter,
    heading: Rect,
    column: Column,
    (done, total): (usize, usize),
    (track, text): (egui::Color32, egui::Color32),
) -> f32 {
    let bar_width = 48.0;
    let bar = Rect::from_min_size(
        egui::pos2(heading.right() - bar_width - 4.0, heading.center().y - 2.0),
        vec2(bar_width, 4.0),
    );
    let progress = if total == 0 {
        0.0
    } else {
        done as f32 / total as f32
    };
    painter.rect_filled(bar, 2.0, track);
    painter.rect_filled(
        Rect::from_min_size(bar.min, vec2(bar_width * progress, 4.0)),
        2.0,
        column_color(column),
    );
    let done_text = painter.text(
        egui::pos2(bar.left() - 6.0, heading.center().y),
        Align2::RIGHT_CENTER,
        format!("{done}/{total}"),
        FontId::proportional(11.0),
        text,
    );
    done_text.left()
}

/// A group heading's name and count on the left; the name gives way (with an ellipsis)
/// before `right` so the count always shows.
fn area_title_ui(
    painter: &egui::Painter,
    heading: Rect,
    right: f32,
    title: &str,
    shown: &str,
    color: egui::Color32,
) {
    let font = FontId::proportional(11.5);
    let left = heading.left() + 2.0;
    let room = right - 6.0 - left;
    let count = painter.layout_no_wrap(format!("  ·  {shown}"), font.clone(), color);
    let mut job = egui::text::LayoutJob::simple_singleline(title.to_string(), font, color);
    job.wrap = egui::text::TextWrapping::truncate_at_width((room - count.size().x).max(24.0));
    let title = painter.layout_job(job);
    let top = heading.center().y - title.size().y / 2.0;
    let after = left + title.size().x;
    painter.galley(egui::pos2(left, top), title, color);
    painter.galley(egui::pos2(after, top), count, color);
}

/// The card's frame and click target; returns the response, the inner rect and whether it
/// is selected.
fn card_frame(
    cx: &ViewContext<'_>,
    control: &Control,
    ui: &mut Ui,
    rect: Rect,
) -> (egui::Response, Rect, bool) {
    let card = Rect::from_min_max(rect.min, rect.max - vec2(0.0, CARD_GAP));
    let id = ui.scope_id().with(("card", &control.id));
    let response = ui.interact(card, id, Sense::click());
    let label = format!("{} {}", control.id, control.title);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    let selected = cx.shell.selected.as_deref() == Some(control.id.as_str());
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
    (response, card, selected)
}

fn select_on_click(
    response: &egui::Response,
    control: &Control,
    selected: bool,
    commands: &mut Vec<Command>,
) {
    if response.clicked() {
        commands.push(Command::SelectControl(if selected {
            None
        } else {
            Some(control.id.clone())
        }));
    }
}

/// A one-line card: id, title, and status (or "Overdue") on the right.
fn compact_card_ui(
    cx: &ViewContext<'_>,
    control: &Control,
    ui: &mut Ui,
    rect: Rect,
    commands: &mut Vec<Command>,
) {
    let (response, card, selected) = card_frame(cx, control, ui, rect);
    let inner = card.shrink2(vec2(8.0, 3.0));
    let mut content = ui.new_child(
        UiBuilder::new()
            .max_rect(inner)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    content.style_mut().interaction.selectable_labels = false;
    content.spacing_mut().item_spacing.x = 6.0;
    content.label(RichText::new(&control.id).monospace().small().weak());
    content.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        status_chips_ui(cx, control, ui);
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            ui.add(egui::Label::new(RichText::new(&control.title)).truncate());
        });
    });
    select_on_click(&response, control, selected, commands);
}

/// The status chip (or "Retired"), and "Overdue" in red when it is.
fn status_chips_ui(cx: &ViewContext<'_>, control: &Control, ui: &mut Ui) {
    if control.retired {
        chip_ui(ui, "Retired", Color32::GRAY);
    } else {
        chip_ui(ui, control.status.label(), status_color(control.status));
    }
    if control.is_overdue(cx.session.today) {
        chip_ui(ui, "Overdue", DANGER);
    }
}

fn card_ui(
    cx: &ViewContext<'_>,
    control: &Control,
    ui: &mut Ui,
    rect: Rect,
    commands: &mut Vec<Command>,
) {
    let (response, card, selected) = card_frame(cx, control, ui, rect);
    let overdue = control.is_overdue(cx.session.today);
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
        status_chips_ui(cx, control, ui);
        card_evidence_ui(cx, control, ui);
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
    select_on_click(&response, control, selected, commands);
}

/// A card's evidence count, coloured when some has expired or expires soon, and its failing
/// Security Hub checks.
fn card_evidence_ui(cx: &ViewContext<'_>, control: &Control, ui: &mut Ui) {
    if let Some(evidence) = cx.records.evidence_summary.get(&control.id) {
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
    let failing = cx
        .records
        .check_results
        .get(&control.id)
        .map_or(0, |results| results.iter().filter(|r| !r.passed).count());
    if failing > 0 {
        let text = if failing == 1 {
            "1 failing check".to_string()
        } else {
            format!("{failing} failing checks")
        };
        ui.label(RichText::new(text).small().color(DANGER))
            .on_hover_text("Security Hub checks of the NIST controls this control maps to");
    }
}

/// The table view: every control the filter lets through, one line each, sorted by the
/// header the user clicked.
fn table_ui(cx: &ViewContext<'_>, view: &BoardView, ui: &mut Ui, commands: &mut Vec<Command>) {
    if cx.records.table.is_empty() {
        ui.add_space(12.0);
        let text = if cx.records.controls.iter().all(|c| c.retired) {
            "No controls in this project for its services."
        } else {
            "No control matches the filter."
        };
        ui.label(RichText::new(text).weak().italics());
        return;
    }
    TableBuilder::new(ui)
        .id_salt("board_table")
        .striped(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(TableCol::auto().at_least(90.0))
        .column(TableCol::remainder().at_least(200.0).clip(true))
        .column(TableCol::auto().at_least(80.0))
        .column(TableCol::auto().at_least(110.0))
        .column(TableCol::initial(130.0).at_least(80.0).clip(true))
        .column(TableCol::auto().at_least(90.0))
        .column(TableCol::auto().at_least(70.0))
        .header(24.0, |mut header| {
            for column in TableColumn::ALL {
                header.col(|ui| sort_header_ui(view, column, ui, commands));
            }
        })
        .body(|body| {
            body.rows(TABLE_ROW_HEIGHT, cx.records.table.len(), |mut row| {
                let Some(control) = cx.records.controls.get(cx.records.table[row.index()]) else {
                    return;
                };
                let selected = cx.shell.selected.as_deref() == Some(control.id.as_str());
                row.set_selected(selected);
                table_cells_ui(cx, control, &mut row);
                let response = row.response();
                let label = format!("{} {}", control.id, control.title);
                response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
                select_on_click(&response, control, selected, commands);
            });
        });
}

/// A column's header: a button sorting by it, with an arrow on the column sorted by.
fn sort_header_ui(view: &BoardView, column: TableColumn, ui: &mut Ui, commands: &mut Vec<Command>) {
    let arrow = match (view.sort == column, view.ascending) {
        (false, _) => "",
        (true, true) => " ^",
        (true, false) => " v",
    };
    let button = egui::Button::new(RichText::new(format!("{}{arrow}", column.label())).strong())
        .frame(false);
    if ui
        .add(button)
        .on_hover_text(format!("Sort by {}", column.label().to_lowercase()))
        .clicked()
    {
        commands.push(Command::SortBoardTable(column));
    }
}

/// A control's cells in the table: id, title, column, status, owner, due date (red when
/// overdue) and evidence count (red with expired files, amber with expiring ones).
fn table_cells_ui(
    cx: &ViewContext<'_>,
    control: &Control,
    row: &mut egui_extras::TableRow<'_, '_>,
) {
    row.col(|ui| {
        ui.label(RichText::new(&control.id).monospace());
    });
    row.col(|ui| {
        ui.add(egui::Label::new(&control.title).truncate());
    });
    row.col(|ui| {
        ui.label(RichText::new(control.column.label()).color(column_color(control.column)));
    });
    row.col(|ui| status_chips_ui(cx, control, ui));
    row.col(|ui| {
        ui.add(egui::Label::new(&control.owner).truncate());
    });
    row.col(|ui| {
        if let Some(due) = control.due {
            let text = RichText::new(due.to_string());
            ui.label(if control.is_overdue(cx.session.today) {
                text.color(DANGER)
            } else {
                text
            });
        }
    });
    row.col(|ui| {
        let evidence = cx
            .records
            .evidence_summary
            .get(&control.id)
            .copied()
            .unwrap_or_default();
        let text = RichText::new(evidence.count.to_string());
        ui.label(if evidence.expired > 0 {
            text.color(DANGER)
        } else if evidence.expiring > 0 {
            text.color(WARNING)
        } else {
            text
        });
    });
}
