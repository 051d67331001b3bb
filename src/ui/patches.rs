//! The patches view: assets, patch records against their deadlines (sortable and
//! filterable), recording a patch, importing a patch tool's export, and signing off a month.

use egui::{RichText, Ui};

use super::dashboard::patch_color;
use super::widgets::{
    chosen_file_ui, date_field_ui, is_blank_or_date, labelled_field_ui, labelled_text_ui,
    pick_one_ui,
};
use crate::app::{
    Asset, Command, ImportKind, PatchForm, PatchRecord, PatchSort, SignoffForm, ViewContext,
};
use crate::model::{AssetKind, ManagedBy, PatchState, Severity, SignoffSubject};

/// Draws the patches view.
pub fn patches_ui(
    cx: &ViewContext<'_>,
    form: &mut PatchForm,
    signoff: &mut SignoffForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    // A reader browses: the forms that change records are not shown.
    if !cx.session.read_only {
        egui::Panel::right("patches_side")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| side_ui(cx, form, signoff, ui, commands));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| table_ui(cx, form, ui));
}

fn sorted<'a>(cx: &ViewContext<'a>, form: &PatchForm) -> Vec<&'a PatchRecord> {
    let mut rows: Vec<&PatchRecord> = cx
        .records
        .patches
        .iter()
        .filter(|p| form.state_filter.is_none_or(|s| p.state == s))
        .collect();
    let (by, descending) = form.sort;
    rows.sort_by(|a, b| {
        let order = match by {
            PatchSort::Asset => a.asset.to_lowercase().cmp(&b.asset.to_lowercase()),
            PatchSort::Severity => a.severity.cmp(&b.severity),
            PatchSort::Released => a.released_on.cmp(&b.released_on),
            PatchSort::Deadline => a.deadline.cmp(&b.deadline),
            PatchSort::State => a.state.as_str().cmp(b.state.as_str()),
        };
        if descending { order.reverse() } else { order }
    });
    rows
}

fn table_ui(cx: &ViewContext<'_>, form: &mut PatchForm, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.heading("Patches");
        ui.label(RichText::new(format!("as of {}", cx.session.today)).weak());
    });
    let counts: Vec<String> = PatchState::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                cx.records.patches.iter().filter(|p| p.state == *s).count(),
                s.label().to_lowercase()
            )
        })
        .collect();
    ui.label(counts.join(" · "));
    let d = &cx.records.deadlines;
    ui.label(
        RichText::new(format!(
            "Deadlines after release: critical {} days, high {}, medium {}, low {}",
            d.critical, d.high, d.medium, d.low
        ))
        .small()
        .weak(),
    );
    state_filter_ui(form, ui);
    if cx.records.patches.is_empty() {
        ui.add_space(12.0);
        ui.label(
            RichText::new(
                "No patch records yet. Add the assets you patch, then record each advisory applied (or import your \
                 patch tool's CSV export): deadlines, days-to-patch and lateness show here.",
            )
            .weak(),
        );
        return;
    }
    let rows: Vec<PatchRecord> = sorted(cx, form).into_iter().cloned().collect();
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("patch_table")
                .striped(true)
                .spacing([14.0, 6.0])
                .show(ui, |ui| {
                    header_row_ui(form, ui);
                    for record in &rows {
                        record_row_ui(record, ui);
                    }
                });
        });
}

/// The filter by patch state.
fn state_filter_ui(form: &mut PatchForm, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let label = ui.label("Show");
        egui::ComboBox::from_id_salt("patch_state_filter")
            .selected_text(
                form.state_filter
                    .map(PatchState::label)
                    .unwrap_or("All states"),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut form.state_filter, None, "All states");
                for s in PatchState::ALL {
                    ui.selectable_value(&mut form.state_filter, Some(s), s.label());
                }
            })
            .response
            .labelled_by(label.id);
    });
}

/// The table's headings; those that sort are buttons, clicked again to reverse, with an
/// arrow on the one sorted by.
fn header_row_ui(form: &mut PatchForm, ui: &mut Ui) {
    for (title, sort) in [
        ("Asset", Some(PatchSort::Asset)),
        ("Advisory", None),
        ("Severity", Some(PatchSort::Severity)),
        ("Released", Some(PatchSort::Released)),
        ("Deadline", Some(PatchSort::Deadline)),
        ("Applied", None),
        ("Days", None),
        ("State", Some(PatchSort::State)),
    ] {
        let Some(sort) = sort else {
            ui.label(RichText::new(title).strong());
            continue;
        };
        let marker = if form.sort.0 == sort {
            if form.sort.1 { " ▼" } else { " ▲" }
        } else {
            ""
        };
        if ui
            .button(RichText::new(format!("{title}{marker}")).strong())
            .clicked()
        {
            form.sort = (sort, form.sort.0 == sort && !form.sort.1);
        }
    }
    ui.end_row();
}

/// One patch record's row.
fn record_row_ui(record: &PatchRecord, ui: &mut Ui) {
    ui.label(&record.asset);
    ui.label(RichText::new(&record.advisory).monospace());
    ui.label(record.severity.label());
    ui.label(record.released_on.to_string());
    ui.label(record.deadline.to_string());
    ui.label(
        record
            .applied_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
    );
    ui.label(
        record
            .days_to_patch
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    super::widgets::chip_ui(ui, record.state.label(), patch_color(record.state));
    ui.end_row();
}

fn side_ui(
    cx: &ViewContext<'_>,
    form: &mut PatchForm,
    signoff: &mut SignoffForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let assets: Vec<(String, String)> = cx
        .records
        .assets
        .iter()
        .map(|a| (a.name.clone(), a.name.clone()))
        .collect();
    patch_form_ui(form, &assets, cx.session.today, ui, commands);
    ui.separator();
    asset_form_ui(form, ui, commands);
    asset_list_ui(&cx.records.assets, ui);
    ui.separator();
    if ui
        .button("Import patch records…")
        .on_hover_text(format!("CSV columns: {}", ImportKind::Patches.columns()))
        .clicked()
    {
        commands.push(Command::Import(ImportKind::Patches));
    }
    ui.separator();
    ui.label(RichText::new("Monthly patch cycle sign-off").strong());
    let mut months: Vec<String> = cx
        .records
        .patches
        .iter()
        .map(|p| p.released_on.format("%Y-%m").to_string())
        .collect();
    months.sort();
    months.dedup();
    months.reverse();
    if form.month.is_empty() {
        form.month = months
            .first()
            .cloned()
            .unwrap_or_else(|| cx.session.today.format("%Y-%m").to_string());
    }
    let label = ui.label("Month");
    egui::ComboBox::from_id_salt("signoff_month")
        .selected_text(form.month.clone())
        .show_ui(ui, |ui| {
            for month in &months {
                ui.selectable_value(&mut form.month, month.clone(), month);
            }
        })
        .response
        .labelled_by(label.id);
    let month = form.month.clone();
    super::signoffs::signoffs_ui(
        cx,
        signoff,
        &SignoffSubject::PatchCycle(month),
        ui,
        commands,
    );
}

/// Recording a patch: the asset (picked from those listed, as value and label), advisory,
/// severity, release and apply days, and evidence.
fn patch_form_ui(
    form: &mut PatchForm,
    assets: &[(String, String)],
    today: chrono::NaiveDate,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new("Record a patch").strong());
    egui::Grid::new("record_patch")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            labelled_field_ui(ui, "Asset", |ui, label| {
                pick_one_ui(ui, "patch_asset", label, 200.0, &mut form.asset, assets);
            });
            labelled_text_ui(
                ui,
                "Advisory",
                &mut form.advisory,
                "CVE-2026-1234, ALAS-…, KB…",
                200.0,
            );
            labelled_field_ui(ui, "Severity", |ui, label| {
                egui::ComboBox::from_id_salt("patch_severity")
                    .selected_text(form.severity.label())
                    .show_ui(ui, |ui| {
                        for s in Severity::ALL {
                            ui.selectable_value(&mut form.severity, s, s.label());
                        }
                    })
                    .response
                    .labelled_by(label);
            });
            for (name, id, value, hint) in [
                (
                    "Released on",
                    "patch_released_on",
                    &mut form.released_on,
                    "YYYY-MM-DD",
                ),
                (
                    "Applied on",
                    "patch_applied_on",
                    &mut form.applied_on,
                    "still open",
                ),
            ] {
                labelled_field_ui(ui, name, |ui, label| {
                    date_field_ui(ui, id, name, value, hint, today, label);
                });
            }
            labelled_field_ui(ui, "Evidence", |ui, _| {
                if chosen_file_ui(ui, form.evidence.as_ref()) {
                    commands.push(Command::PickPatchEvidence);
                }
            });
        });
    let ready = !form.asset.is_empty()
        && !form.advisory.trim().is_empty()
        && !form.released_on.trim().is_empty()
        && is_blank_or_date(&form.released_on)
        && is_blank_or_date(&form.applied_on);
    if ui
        .add_enabled(ready, egui::Button::new("Record patch"))
        .clicked()
    {
        commands.push(Command::RecordPatch);
    }
}

/// Adding an asset: name, kind, environment and who patches it.
fn asset_form_ui(form: &mut PatchForm, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.label(RichText::new("Add an asset").strong());
    egui::Grid::new("add_asset")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            labelled_text_ui(
                ui,
                "Asset name",
                &mut form.asset_name,
                "web-1, payments-ami",
                200.0,
            );
            labelled_field_ui(ui, "Kind", |ui, label| {
                egui::ComboBox::from_id_salt("asset_kind")
                    .selected_text(form.asset_kind.as_str())
                    .show_ui(ui, |ui| {
                        for kind in AssetKind::ALL {
                            ui.selectable_value(&mut form.asset_kind, kind, kind.as_str());
                        }
                    })
                    .response
                    .labelled_by(label);
            });
            labelled_text_ui(
                ui,
                "Environment",
                &mut form.asset_environment,
                "prod",
                200.0,
            );
            labelled_field_ui(ui, "Patched by", |ui, _| {
                ui.horizontal(|ui| {
                    ui.radio_value(&mut form.asset_managed_by, ManagedBy::Customer, "Us");
                    ui.radio_value(&mut form.asset_managed_by, ManagedBy::Aws, "AWS");
                });
            });
        });
    if ui
        .add_enabled(
            !form.asset_name.trim().is_empty(),
            egui::Button::new("Add asset"),
        )
        .clicked()
    {
        commands.push(Command::AddAsset);
    }
}

/// The assets listed, one small line each.
fn asset_list_ui(assets: &[Asset], ui: &mut Ui) {
    if assets.is_empty() {
        return;
    }
    ui.label(RichText::new("Assets").small().strong());
    for asset in assets {
        ui.label(
            RichText::new(format!(
                "{} · {} · {} · patched by {} · {} open",
                asset.name,
                asset.kind.as_str(),
                if asset.environment.is_empty() {
                    "-"
                } else {
                    &asset.environment
                },
                if asset.managed_by == ManagedBy::Aws {
                    "AWS"
                } else {
                    "us"
                },
                asset.unapplied
            ))
            .small(),
        );
    }
}
