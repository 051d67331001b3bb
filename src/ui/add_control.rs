//! The add-control dialog: the ownership test decides the column. Enter adds the control once
//! the test is answered; Esc cancels.

use egui::{Id, RichText, Ui};

use super::widgets::EnterKey;
use crate::app::{AddControlForm, Answer, Command};
use crate::model::column_for_ownership;

/// Draws the dialog; returns true when the user closed it.
pub fn add_control_ui(
    ctx: &egui::Context,
    form: &mut AddControlForm,
    commands: &mut Vec<Command>,
) -> bool {
    egui::Modal::new(Id::unique("add_control"))
        .show(ctx, |ui| {
            ui.set_width(520.0);
            let mut enter = EnterKey::new(ui);
            ui.heading("Add a control");
            text_fields_ui(ui, form, &mut enter);
            ui.add_space(6.0);
            ownership_ui(ui, form);
            if let Some(error) = &form.error {
                ui.colored_label(super::theme::DANGER, error);
            }
            ui.separator();
            let mut close = false;
            ui.horizontal(|ui| {
                let ready = !form.title.trim().is_empty() && form.to_request().is_ok();
                let add = ui
                    .add_enabled(ready, egui::Button::new("Add control"))
                    .on_hover_text("Enter")
                    .clicked();
                if (add || enter.submits()) && ready {
                    match form.to_request() {
                        Ok(request) => commands.push(Command::AddControl(request)),
                        Err(error) => form.error = Some(error),
                    }
                }
                close = ui.button("Cancel").on_hover_text("Esc").clicked();
            });
            close
        })
        .inner
}

/// The title (focused when the dialog opens), description and area fields; Enter in the
/// one-line ones submits.
fn text_fields_ui(ui: &mut Ui, form: &mut AddControlForm, enter: &mut EnterKey) {
    let label = ui.label("Title");
    let title = enter.field(
        ui.add(
            egui::TextEdit::singleline(&mut form.title)
                .hint_text("Quarterly access review")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id),
    );
    if ui.memory(|m| m.focused().is_none()) && form.title.is_empty() {
        title.request_focus();
    }
    let label = ui.label("Description");
    ui.add(
        egui::TextEdit::multiline(&mut form.description)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let label = ui.label("Area (optional)");
    enter.field(
        ui.add(
            egui::TextEdit::singleline(&mut form.area)
                .hint_text("Our own controls")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id),
    );
}

/// The ownership test, the second question only once the first is yes, and the column its
/// answers give.
fn ownership_ui(ui: &mut Ui, form: &mut AddControlForm) {
    answer_ui(
        ui,
        "Can your team log in and adjust its security settings?",
        &mut form.can_adjust,
    );
    if form.can_adjust == Answer::Yes {
        answer_ui(
            ui,
            "Does AWS also operate part of it?",
            &mut form.aws_operates_part,
        );
    }
    if let Some(can_adjust) = form.can_adjust.as_bool()
        && let Ok(column) = column_for_ownership(can_adjust, form.aws_operates_part.as_bool())
    {
        ui.label(RichText::new(format!("It goes in the {} column.", column.label())).strong());
    }
}

fn answer_ui(ui: &mut Ui, question: &str, answer: &mut Answer) {
    ui.label(question);
    ui.horizontal(|ui| {
        ui.radio_value(answer, Answer::Yes, "Yes");
        ui.radio_value(answer, Answer::No, "No");
    });
}
