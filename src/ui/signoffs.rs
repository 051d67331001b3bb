//! A subject's sign-offs and the form to sign it off, shared by the control panel, the
//! training view and the patches view.

use egui::{RichText, Ui};

use super::theme::{DANGER, WARNING};
use crate::app::{Command, Signoff, SignoffForm, ViewContext};
use crate::model::SignoffSubject;

/// Draws the sign-offs of one subject, newest first, and the form to sign it off.
pub fn signoffs_ui(
    cx: &ViewContext<'_>,
    form: &mut SignoffForm,
    subject: &SignoffSubject,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    signoff_list_ui(&cx.records.signoffs, subject, ui);
    if !cx.session.read_only {
        signoff_form_ui(form, subject, ui, commands);
    }
}

/// The subject's sign-offs, newest first, each valid, stale or superseded.
fn signoff_list_ui(signoffs: &[Signoff], subject: &SignoffSubject, ui: &mut Ui) {
    let mine: Vec<_> = signoffs
        .iter()
        .filter(|s| s.subject_kind == subject.kind() && s.subject_key == subject.key())
        .collect();
    if mine.is_empty() {
        ui.label(RichText::new("Not signed off yet.").weak());
    }
    for signoff in mine.iter().rev() {
        ui.horizontal_wrapped(|ui| {
            let (word, color) = match (signoff.superseded, signoff.stale) {
                (true, _) => ("superseded", ui.visuals().weak_text_color()),
                (false, true) => ("STALE: changed since", DANGER),
                (false, false) => (
                    "valid",
                    super::theme::status_color(crate::model::Status::Implemented),
                ),
            };
            ui.label(RichText::new(word).small().strong().color(color));
            ui.label(
                RichText::new(format!("{} ({})", signoff.by, signoff.role))
                    .small()
                    .strong(),
            );
            ui.label(
                RichText::new(signoff.signed_at.date_naive().to_string())
                    .small()
                    .weak(),
            );
            ui.label(
                RichText::new(format!("“{}”", signoff.statement))
                    .small()
                    .italics(),
            );
        });
    }
}

/// The folded form to sign the subject off: name, role and statement, all needed.
fn signoff_form_ui(
    form: &mut SignoffForm,
    subject: &SignoffSubject,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    egui::CollapsingHeader::new(RichText::new("Sign off").strong())
        .id_salt(("sign_off", subject.kind(), subject.key().to_string()))
        .show(ui, |ui| {
            egui::Grid::new(("signoff_form", subject.kind(), subject.key().to_string()))
                .num_columns(2)
                .show(ui, |ui| signoff_fields_ui(form, ui));
            let ready = !form.by.trim().is_empty()
                && !form.role.trim().is_empty()
                && !form.statement.trim().is_empty();
            let button = ui
                .add_enabled(
                    ready,
                    egui::Button::new(format!("Sign off {}", subject.describe())),
                )
                .on_disabled_hover_text("A name, a role and a statement are needed");
            if button.clicked() {
                commands.push(Command::SignOff(form.request(subject.clone())));
            }
            ui.label(
                RichText::new(
                    "A sign-off is never edited: it records what it covered, and shows as stale if that changes.",
                )
                .small()
                .color(WARNING),
            );
        });
}

/// The form's three fields, each labelled for screen readers.
fn signoff_fields_ui(form: &mut SignoffForm, ui: &mut Ui) {
    let label = ui.label("Signed by");
    ui.add(
        egui::TextEdit::singleline(&mut form.by)
            .hint_text("Full name")
            .desired_width(220.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Role");
    ui.add(
        egui::TextEdit::singleline(&mut form.role)
            .hint_text("CISO, engineering manager…")
            .desired_width(220.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Statement");
    ui.add(
        egui::TextEdit::multiline(&mut form.statement)
            .hint_text("What you confirm, in your words")
            .desired_rows(2)
            .desired_width(220.0),
    )
    .labelled_by(label.id);
    ui.end_row();
}
