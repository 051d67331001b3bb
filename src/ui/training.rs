//! The training view: people × courses coloured by state, recording a completion, adding
//! people and courses, importing HR exports, and signing off the roster.

use egui::{RichText, Ui};

use super::dashboard::training_color;
use super::widgets::{
    chosen_file_ui, date_field_ui, is_blank_or_date, labelled_field_ui, labelled_text_ui,
    pick_one_ui,
};
use crate::app::{Command, ImportKind, SignoffForm, TrainingForm, ViewContext};
use crate::model::{SignoffSubject, TrainingState};

/// Draws the training view.
pub fn training_ui(
    cx: &ViewContext<'_>,
    form: &mut TrainingForm,
    signoff: &mut SignoffForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    // A reader browses: the forms that change records are not shown.
    if !cx.session.read_only {
        egui::Panel::right("training_side")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| side_ui(cx, form, signoff, ui, commands));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| matrix_ui(cx, ui));
}

fn matrix_ui(cx: &ViewContext<'_>, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.heading("Training roster");
        ui.label(RichText::new(format!("as of {}", cx.session.today)).weak());
    });
    let counts: Vec<String> = TrainingState::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                cx.records.roster.iter().filter(|r| r.state == *s).count(),
                s.label().to_lowercase()
            )
        })
        .collect();
    ui.label(counts.join(" · "));
    if cx.records.people.is_empty() || cx.records.courses.is_empty() {
        ui.add_space(12.0);
        ui.label(
            RichText::new(
                "Add the people who have access and the courses they must take (or import your HR export), \
                 then record completions: each person's cx on each course shows here.",
            )
            .weak(),
        );
        return;
    }
    ui.add_space(6.0);
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("training_matrix")
                .striped(true)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Person").strong());
                    for course in &cx.records.courses {
                        ui.label(RichText::new(&course.name).strong())
                            .on_hover_text(format!("every {} days", course.every_days));
                    }
                    ui.end_row();
                    for person in cx.records.people.iter().filter(|p| p.active) {
                        ui.label(&person.name)
                            .on_hover_text(format!("{}\n{}", person.email, person.role));
                        for course in &cx.records.courses {
                            match cx
                                .records
                                .roster
                                .iter()
                                .find(|r| r.email == person.email && r.course == course.name)
                            {
                                Some(entry) => {
                                    let text = match entry.expires_on {
                                        Some(date) => format!("{} · {date}", entry.state.label()),
                                        None => entry.state.label().to_string(),
                                    };
                                    super::widgets::chip_ui(ui, &text, training_color(entry.state));
                                }
                                None => {
                                    ui.label("");
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });
}

fn side_ui(
    cx: &ViewContext<'_>,
    form: &mut TrainingForm,
    signoff: &mut SignoffForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    let people = cx.records.person_choices();
    let courses: Vec<(String, String)> = cx
        .records
        .courses
        .iter()
        .map(|c| (c.name.clone(), c.name.clone()))
        .collect();
    completion_form_ui(form, &people, &courses, cx.session.today, ui, commands);
    ui.separator();
    person_form_ui(form, ui, commands);
    ui.separator();
    course_form_ui(form, ui, commands);
    ui.separator();
    ui.label(RichText::new("Import from CSV").strong());
    ui.horizontal(|ui| {
        for (button, kind) in [
            ("People…", ImportKind::People),
            ("Completions…", ImportKind::Training),
        ] {
            if ui
                .button(button)
                .on_hover_text(format!("Columns: {}", kind.columns()))
                .clicked()
            {
                commands.push(Command::Import(kind));
            }
        }
    });
    ui.separator();
    ui.label(RichText::new("Roster sign-off").strong());
    super::signoffs::signoffs_ui(cx, signoff, &SignoffSubject::Training, ui, commands);
}

/// Recording a completion: person and course picked from those listed (as value and
/// label), the day (today by default) and a certificate.
fn completion_form_ui(
    form: &mut TrainingForm,
    people: &[(String, String)],
    courses: &[(String, String)],
    today: chrono::NaiveDate,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new("Record a completion").strong());
    egui::Grid::new("record_training")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            labelled_field_ui(ui, "Person", |ui, label| {
                pick_one_ui(ui, "training_person", label, 220.0, &mut form.email, people);
            });
            labelled_field_ui(ui, "Course", |ui, label| {
                pick_one_ui(
                    ui,
                    "training_course",
                    label,
                    220.0,
                    &mut form.course,
                    courses,
                );
            });
            labelled_field_ui(ui, "Completed on", |ui, label| {
                date_field_ui(
                    ui,
                    "training_completed_on",
                    "Completed on",
                    &mut form.completed_on,
                    &today.to_string(),
                    today,
                    label,
                );
            });
            labelled_field_ui(ui, "Certificate", |ui, _| {
                if chosen_file_ui(ui, form.certificate.as_ref()) {
                    commands.push(Command::PickCertificate);
                }
            });
        });
    let ready =
        !form.email.is_empty() && !form.course.is_empty() && is_blank_or_date(&form.completed_on);
    if ui
        .add_enabled(ready, egui::Button::new("Record completion"))
        .clicked()
    {
        commands.push(Command::RecordTraining);
    }
}

/// Adding a person: name, email and role.
fn person_form_ui(form: &mut TrainingForm, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.label(RichText::new("Add a person").strong());
    egui::Grid::new("add_person")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            for (label, text, hint) in [
                ("Name", &mut form.person_name, "Ana Ruiz"),
                ("Email", &mut form.person_email, "ana@example.com"),
                ("Role", &mut form.person_role, "Engineer"),
            ] {
                labelled_text_ui(ui, label, text, hint, 220.0);
            }
        });
    if ui
        .add_enabled(
            !form.person_name.trim().is_empty() && !form.person_email.trim().is_empty(),
            egui::Button::new("Add person"),
        )
        .clicked()
    {
        commands.push(Command::AddPerson);
    }
}

/// Adding a course and how often it is due again.
fn course_form_ui(form: &mut TrainingForm, ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.label(RichText::new("Add a course").strong());
    egui::Grid::new("add_course")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            labelled_text_ui(
                ui,
                "Course",
                &mut form.course_name,
                "Security awareness",
                220.0,
            );
            labelled_text_ui(ui, "Every (days)", &mut form.course_days, "365", 80.0);
        });
    if ui
        .add_enabled(
            !form.course_name.trim().is_empty() && !form.course_days.trim().is_empty(),
            egui::Button::new("Add course"),
        )
        .clicked()
    {
        commands.push(Command::AddCourse);
    }
}
