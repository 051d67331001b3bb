//! The dashboard: progress per column, training states and patch timeliness by month as
//! charts, and the list of what needs attention, each item a link to where it is fixed.
//! Each chart's legend sits below it, never over the bars; hovering a bar says its category,
//! its series and its count.

use egui::{Color32, CornerRadius, RichText, Sense, Ui, vec2};
use egui_plot::{Bar, BarChart, Plot};

use super::theme::{DANGER, WARNING, column_color, status_color};
use crate::app::{Command, Concern, Dashboard, RequestProgress, ViewContext};
use crate::model::{PatchState, RequestStatus, Status, TrainingState};

/// The colour of a training state.
pub fn training_color(state: TrainingState) -> Color32 {
    match state {
        TrainingState::Current => Color32::from_rgb(0x2e, 0x9d, 0x5b),
        TrainingState::Expiring => WARNING,
        TrainingState::Expired => DANGER,
        TrainingState::Missing => Color32::from_rgb(0x8a, 0x8f, 0x98),
    }
}

/// The colour of a patch state.
pub fn patch_color(state: PatchState) -> Color32 {
    match state {
        PatchState::OnTime => Color32::from_rgb(0x2e, 0x9d, 0x5b),
        PatchState::Late => WARNING,
        PatchState::Open => Color32::from_rgb(0x5b, 0x7d, 0xb1),
        PatchState::Overdue => DANGER,
    }
}

/// Draws the dashboard: the readiness summary first, then what needs attention, then the
/// charts.
pub fn dashboard_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let data = &cx.records.dashboard;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            readiness_ui(cx, ui, commands);
            ui.add_space(6.0);
            attention_ui(cx, ui, commands);
            ui.add_space(6.0);
            ui.separator();
            ui.columns(3, |cols| {
                progress_chart_ui(data, &mut cols[0]);
                training_chart_ui(data, &mut cols[1]);
                patch_chart_ui(data, &mut cols[2]);
            });
            requests_ui(&data.requests, ui);
        });
}

/// A chart's series: its name, its colour and one value per category.
type Series = (String, Color32, Vec<f64>);

/// The controls in scope per column, stacked by status, with each column's done count.
fn progress_chart_ui(data: &Dashboard, ui: &mut Ui) {
    ui.label(RichText::new("Progress per column").strong());
    let categories: Vec<String> = data
        .columns
        .iter()
        .map(|(c, _)| c.label().to_string())
        .collect();
    let series: Vec<Series> = Status::ALL
        .iter()
        .enumerate()
        .map(|(i, status)| {
            (
                status.label().to_string(),
                status_color(*status),
                data.columns
                    .iter()
                    .map(|(_, counts)| counts[i] as f64)
                    .collect(),
            )
        })
        .collect();
    stacked_bars_ui(ui, "dash_columns", &categories, &series);
    ui.add_space(4.0);
    for (column, counts) in &data.columns {
        let total: usize = counts.iter().sum();
        let done = counts[2] + counts[3];
        ui.horizontal(|ui| {
            swatch_ui(ui, column_color(*column));
            ui.label(format!("{}: {done} of {total} done", column.label()));
        });
    }
}

/// The training roster, one bar per state, or what to do when there is none.
fn training_chart_ui(data: &Dashboard, ui: &mut Ui) {
    ui.label(RichText::new("Training roster").strong());
    if data.training.iter().sum::<usize>() == 0 {
        ui.label(RichText::new("No people or courses yet: add them in Training.").weak());
        return;
    }
    let categories: Vec<String> = TrainingState::ALL
        .iter()
        .map(|s| s.label().to_string())
        .collect();
    let series: Vec<Series> = TrainingState::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let values = (0..4)
                .map(|j| if i == j { data.training[i] as f64 } else { 0.0 })
                .collect();
            (s.label().to_string(), training_color(*s), values)
        })
        .collect();
    stacked_bars_ui(ui, "dash_training", &categories, &series);
}

/// Patch records per release month, stacked by timeliness, or what to do when there are none.
fn patch_chart_ui(data: &Dashboard, ui: &mut Ui) {
    ui.label(RichText::new("Patch timeliness by release month").strong());
    if data.patch_months.is_empty() {
        ui.label(RichText::new("No patch records yet: record them in Patches.").weak());
        return;
    }
    let categories: Vec<String> = data.patch_months.iter().map(|(m, _)| m.clone()).collect();
    let series: Vec<Series> = PatchState::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                s.label().to_string(),
                patch_color(*s),
                data.patch_months
                    .iter()
                    .map(|(_, counts)| counts[i] as f64)
                    .collect(),
            )
        })
        .collect();
    stacked_bars_ui(ui, "dash_patches", &categories, &series);
}

/// Width of a readiness tile, in points.
const TILE_WIDTH: f32 = 150.0;

/// One tile of the summary: a big figure, what it counts, and a line under it.
fn tile_ui(ui: &mut Ui, figure: &str, what: &str, note: &str, color: Option<Color32>) {
    egui::Frame::new()
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .corner_radius(CornerRadius::same(6))
        .inner_margin(egui::Margin::symmetric(10, 6))
        .show(ui, |ui| {
            // Stacked, whatever the row the tiles sit in lays out.
            ui.vertical(|ui| {
                ui.set_width(TILE_WIDTH);
                let text = RichText::new(figure).size(22.0).strong();
                ui.label(match color {
                    Some(color) => text.color(color),
                    None => text,
                });
                ui.label(RichText::new(what).strong());
                ui.label(RichText::new(note).weak().small());
            });
        });
}

/// The first glance: percent done per column, days to the audit period's end, and the
/// counts a lead acts on.
fn readiness_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let readiness = &cx.records.dashboard.readiness;
    ui.label(RichText::new("Readiness").strong().size(16.0));
    if readiness.in_scope() == 0 {
        ui.label(
            RichText::new(
                "No controls in scope yet: choose the AWS services this project uses (AWS services… on the board) and its checklist fills in.",
            )
            .weak(),
        );
        if ui.button("Choose AWS services…").clicked() {
            commands.push(Command::OpenServices);
        }
        return;
    }
    ui.horizontal_wrapped(|ui| {
        for (column, done, total) in &readiness.columns {
            let percent = if *total == 0 {
                "—".to_string()
            } else {
                format!("{:.0}%", *done as f64 * 100.0 / *total as f64)
            };
            tile_ui(
                ui,
                &percent,
                &format!("{} done", column.label()),
                &format!("{done} of {total} controls"),
                Some(column_color(*column)),
            );
        }
        match readiness.days_left(cx.session.today) {
            None => tile_ui(
                ui,
                "—",
                "No audit period",
                "Set it: Project ▸ Audit period…",
                None,
            ),
            Some(days) if days < 0 => tile_ui(
                ui,
                &format!("{}", -days),
                "days since the period ended",
                &format!("ended {}", readiness.period_end.unwrap_or_default()),
                Some(DANGER),
            ),
            Some(days) => tile_ui(
                ui,
                &days.to_string(),
                "days to the period's end",
                &format!("ends {}", readiness.period_end.unwrap_or_default()),
                None,
            ),
        }
        let warn = |count: usize, color: Color32| (count > 0).then_some(color);
        tile_ui(
            ui,
            &readiness.overdue.to_string(),
            "Overdue",
            "controls, requests, patches",
            warn(readiness.overdue, DANGER),
        );
        tile_ui(
            ui,
            &readiness.expiring.to_string(),
            "Expiring or expired",
            "evidence and training",
            warn(readiness.expiring, WARNING),
        );
        tile_ui(
            ui,
            &readiness.unmapped_cuecs.to_string(),
            "Unmapped CUECs",
            "AWS's user controls with no control",
            warn(readiness.unmapped_cuecs, DANGER),
        );
    });
}

/// Whether a concern is something a person must act on now: its heading is red and it
/// opens folded out when short.
fn urgent(concern: Concern) -> bool {
    matches!(
        concern,
        Concern::OverdueControl
            | Concern::OverdueRequest
            | Concern::OverduePatch
            | Concern::AwsCoverage
            | Concern::UnmappedCuec
            | Concern::FailingChecks
    )
}

/// Groups unfold by themselves up to this many items.
const OPEN_UP_TO: usize = 10;

/// "Needs attention": one group per concern with its count, each item a link to where it
/// is fixed.
fn attention_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>) {
    let data = &cx.records.dashboard;
    ui.label(RichText::new("Needs attention").strong().size(16.0));
    if data.readiness.in_scope() == 0 {
        ui.label(RichText::new("Nothing to check until the project has controls.").weak());
        return;
    }
    if data.readiness.period_end.is_none() {
        ui.label(
            RichText::new(
                "This project has no audit period, so nothing is checked against one: AWS report coverage and the days left need it (Project ▸ Audit period…).",
            )
            .color(WARNING),
        );
    }
    if data.attention.is_empty() {
        ui.label(RichText::new("Nothing overdue, missing, expiring or stale.").weak());
        return;
    }
    let mut start = 0;
    while start < data.attention.len() {
        let concern = data.attention[start].concern;
        let end = start
            + data.attention[start..]
                .iter()
                .take_while(|item| item.concern == concern)
                .count();
        let items = &data.attention[start..end];
        let heading = RichText::new(format!("{} ({})", concern.label(), items.len())).strong();
        let heading = if urgent(concern) {
            heading.color(DANGER)
        } else {
            heading
        };
        egui::CollapsingHeader::new(heading)
            .id_salt(("attention", concern.label()))
            .default_open(urgent(concern) && items.len() <= OPEN_UP_TO)
            .show(ui, |ui| {
                for item in items {
                    if ui.link(&item.text).clicked() {
                        commands.push(Command::Goto(item.target.clone()));
                    }
                }
            });
        start = end;
    }
}

/// The width of a bar, as a share of the room for one category.
const BAR_WIDTH: f64 = 0.6;

/// A stacked bar chart: one bar per category, one coloured layer per series; the legend
/// (each series with its total) is laid out below the plot, and hovering a bar lists its
/// category and each series' count.
fn stacked_bars_ui(ui: &mut Ui, id: &str, categories: &[String], series: &[Series]) {
    let tallest = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, _, values)| values.get(i).copied().unwrap_or(0.0))
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    let plot = bar_plot(id, categories.to_vec(), tallest).show(ui, |plot| {
        for chart in stacked_charts(series) {
            plot.bar_chart(chart);
        }
    });
    if let Some(pointer) = plot.response.hover_pos() {
        let at = plot.transform.value_from_position(pointer);
        if let Some(text) = bar_tooltip(at.x, categories, series) {
            plot.response.on_hover_text_at_pointer(text);
        }
    }
    legend_ui(ui, id, series);
}

/// A fixed plot (no zoom, drag or scroll) from 0 to the tallest bar, its x axis naming the
/// categories.
fn bar_plot(id: &str, names: Vec<String>, tallest: f64) -> Plot<'static> {
    Plot::new(id)
        .height(190.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([false, true])
        // The counts show in a tooltip, not as crosshair coordinates.
        .show_x(false)
        .show_y(false)
        .include_y(0.0)
        .include_y(tallest.max(1.0))
        .x_axis_formatter(move |mark, _range| {
            let index = mark.value.round();
            if (mark.value - index).abs() < 1e-6 && index >= 0.0 {
                names.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
}

/// One bar chart per series, each stacked on those before it.
fn stacked_charts(series: &[Series]) -> Vec<BarChart> {
    let mut charts: Vec<BarChart> = Vec::new();
    for (name, color, values) in series {
        let bars = values
            .iter()
            .enumerate()
            .map(|(i, v)| Bar::new(i as f64, *v).width(BAR_WIDTH))
            .collect();
        // Plot's own hover label is drawn beside the bar and cut off at the edge;
        // the tooltip says the same for the whole bar.
        let mut chart = BarChart::new(name.clone(), bars)
            .color(*color)
            .allow_hover(false);
        let below: Vec<&BarChart> = charts.iter().collect();
        if !below.is_empty() {
            chart = chart.stack_on(&below);
        }
        charts.push(chart);
    }
    charts
}

/// What hovering at `x` says: the category of the bar under it and each series' count, or
/// nothing between bars.
fn bar_tooltip(x: f64, categories: &[String], series: &[Series]) -> Option<String> {
    let index = x.round();
    if (x - index).abs() > BAR_WIDTH / 2.0 || index < 0.0 {
        return None;
    }
    let mut text = categories.get(index as usize)?.clone();
    for (name, _, values) in series {
        let value = values.get(index as usize).copied().unwrap_or(0.0);
        text.push_str(&format!("\n{name}: {value}"));
    }
    Some(text)
}

/// The legend under a chart: each series with its total, two a line, so a long name never
/// runs into the next chart.
fn legend_ui(ui: &mut Ui, id: &str, series: &[Series]) {
    egui::Grid::new((id, "legend"))
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (index, (name, color, values)) in series.iter().enumerate() {
                let total: f64 = values.iter().sum();
                ui.horizontal(|ui| {
                    swatch_ui(ui, *color);
                    ui.label(format!("{name} {total}"));
                });
                if index % 2 == 1 {
                    ui.end_row();
                }
            }
        });
}

/// A small square of a series' colour, beside its word.
fn swatch_ui(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
    ui.painter().rect_filled(rect, CornerRadius::same(2), color);
}

fn request_color(status: RequestStatus) -> Color32 {
    match status {
        RequestStatus::Open => Color32::from_rgb(150, 150, 150),
        RequestStatus::InProgress => Color32::from_rgb(230, 160, 30),
        RequestStatus::Submitted => Color32::from_rgb(60, 120, 210),
        RequestStatus::Accepted => Color32::from_rgb(50, 160, 80),
        RequestStatus::Returned => Color32::from_rgb(180, 70, 170),
    }
}

/// Request progress: the counts per status now, and per day over time as stacked bars.
fn requests_ui(progress: &RequestProgress, ui: &mut Ui) {
    if progress.counts.iter().sum::<usize>() == 0 {
        return;
    }
    ui.separator();
    ui.label(RichText::new("Request progress").strong());
    let counts: Vec<String> = RequestStatus::ALL
        .iter()
        .zip(progress.counts)
        .map(|(s, n)| format!("{} {n}", s.label()))
        .collect();
    ui.label(format!("Requests: {}", counts.join(" · ")));
    let categories: Vec<String> = progress.days.iter().map(|(d, _)| d.clone()).collect();
    let series: Vec<(String, Color32, Vec<f64>)> = RequestStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                s.label().to_string(),
                request_color(*s),
                progress.days.iter().map(|(_, c)| c[i] as f64).collect(),
            )
        })
        .collect();
    stacked_bars_ui(ui, "dash_requests", &categories, &series);
}
