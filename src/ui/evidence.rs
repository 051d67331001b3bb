//! The evidence list of the selected control: what is attached, whether it is still valid,
//! and the ways to attach (the file dialog, or dropping files on the window), open and
//! remove files.

use egui::{RichText, Ui};

use super::notifications::human_bytes;
use super::theme::{DANGER, WARNING};
use super::widgets::{command_button_ui, date_field_ui};
use crate::app::{Command, PanelDraft, ViewContext, escape_name};
use crate::model::{Control, Evidence, Validity};

/// Draws the evidence section of the control panel.
pub fn evidence_ui(
    cx: &ViewContext<'_>,
    draft: &mut PanelDraft,
    control: &Control,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let current = cx
        .records
        .selected_evidence
        .iter()
        .filter(|e| !e.removed)
        .count();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Evidence ({current})")).strong());
        if cx.session.read_only {
            return;
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let busy = cx.shell.job.is_some() || cx.shell.picking.is_some();
            let enabled = !control.retired && !busy;
            command_button_ui(ui, "", Command::PickFiles, enabled, commands);
        });
    });
    if !control.retired && !cx.session.read_only {
        next_files_ui(draft, cx.session.today, ui);
    }
    if cx.records.selected_evidence.is_empty() {
        ui.label(
            RichText::new(if cx.session.read_only {
                "No evidence yet."
            } else {
                "No evidence yet. Attach the files that prove this control works: drop them here or use Attach files…"
            })
            .weak(),
        );
        return;
    }
    for evidence in cx.records.selected_evidence.iter().rev() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            evidence_card_ui(evidence, cx.session.today, draft, ui, commands);
        });
    }
}

/// What the next files attached are given: the day collected, how long they are valid, and
/// a description.
fn next_files_ui(draft: &mut PanelDraft, today: chrono::NaiveDate, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("Collected on").small());
        date_field_ui(
            ui,
            "evidence_collected_on",
            "Collected on",
            &mut draft.collected_on,
            &today.to_string(),
            today,
            label.id,
        );
        let label = ui.label(RichText::new("Valid until").small());
        date_field_ui(
            ui,
            "evidence_valid_until",
            "Valid until",
            &mut draft.valid_until,
            "no end",
            today,
            label.id,
        );
    });
    let label = ui.label(RichText::new("Description of the next files").small());
    ui.add(
        egui::TextEdit::singleline(&mut draft.evidence_description)
            .hint_text("What they show (optional)")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
}

/// One file: its name and size with Open and Remove, its dates, hash and who added it, its
/// description, why it was removed, and the reason asked for while it is being removed.
fn evidence_card_ui(
    evidence: &Evidence,
    today: chrono::NaiveDate,
    draft: &mut PanelDraft,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        // A name with a newline would break the row: it is shown escaped.
        let name = RichText::new(escape_name(&evidence.file_name)).strong();
        ui.label(if evidence.removed {
            name.strikethrough().weak()
        } else {
            name
        });
        ui.label(
            RichText::new(human_bytes(evidence.size_bytes))
                .small()
                .weak(),
        );
        if !evidence.removed {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.small_button("Remove").clicked() {
                    draft.removing = Some((evidence.id, String::new()));
                }
                if ui
                    .small_button("Open")
                    .on_hover_text("Open a copy in the default application")
                    .clicked()
                {
                    commands.push(Command::OpenEvidence(evidence.id));
                }
            });
        }
    });
    facts_ui(evidence, today, ui);
    if !evidence.description.is_empty() {
        ui.label(RichText::new(&evidence.description).small());
    }
    if evidence.removed {
        ui.label(
            RichText::new(format!(
                "Removed by {} on {}: {}",
                evidence.removed_by.as_deref().unwrap_or("?"),
                evidence
                    .removed_at
                    .map(|at| at.date_naive().to_string())
                    .unwrap_or_default(),
                evidence.removed_reason.as_deref().unwrap_or("")
            ))
            .small()
            .italics(),
        );
    }
    if let Some((id, reason)) = &mut draft.removing
        && *id == evidence.id
        && removal_ui(evidence.id, reason, ui, commands)
    {
        draft.removing = None;
    }
}

/// A file's day collected, validity (red when expired, amber when expiring), hash and who
/// added it.
fn facts_ui(evidence: &Evidence, today: chrono::NaiveDate, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("collected {}", evidence.collected_on)).small());
        if let Some(until) = evidence.valid_until {
            let text = RichText::new(format!("valid until {until}")).small();
            match evidence.validity(today) {
                Validity::Expired => ui
                    .label(text.color(DANGER).strong())
                    .on_hover_text("Expired"),
                Validity::Expiring => ui
                    .label(text.color(WARNING).strong())
                    .on_hover_text("Expires within 30 days"),
                Validity::Valid => ui.label(text),
            };
        }
        ui.label(
            RichText::new(format!("sha256 {}", short_hash(&evidence.sha256)))
                .small()
                .monospace()
                .weak(),
        )
        .on_hover_text(&evidence.sha256);
        ui.label(
            RichText::new(format!("added by {}", evidence.added_by))
                .small()
                .weak(),
        );
    });
}

/// Asks why a file is removed; Remove evidence (or Enter) records it with the reason.
/// Returns true when the user chose to keep it.
fn removal_ui(id: i64, reason: &mut String, ui: &mut Ui, commands: &mut Vec<Command>) -> bool {
    let label = ui.label(RichText::new("Why remove it? The record stays, marked removed.").small());
    let field = ui
        .add(egui::TextEdit::singleline(reason).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    let submit = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let mut keep = false;
    ui.horizontal(|ui| {
        let ready = !reason.trim().is_empty();
        if (ui
            .add_enabled(ready, egui::Button::new("Remove evidence"))
            .clicked()
            || submit)
            && ready
        {
            commands.push(Command::RemoveEvidence {
                id,
                reason: reason.trim().to_string(),
            });
        }
        keep = ui.button("Keep it").clicked();
    });
    keep
}

/// The first 12 characters of a recorded hash, enough to tell files apart; a damaged hash
/// (short, or not hex) is shown escaped as it is, never sliced.
fn short_hash(sha256: &str) -> String {
    escape_name(&sha256.chars().take(12).collect::<String>())
}
