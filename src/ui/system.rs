//! The System view: what FedRAMP's plan still needs of the project's system, item by item,
//! and beside it the forms that give each — the system's facts, its roles and users, the
//! documents to attach and the values of the parameters the baseline leaves open.

use egui::{RichText, Ui};

use super::theme;
use super::widgets::pick_one_ui;
use crate::app::{Command, SystemForm, ViewContext};
use crate::model::{
    AttachmentKind, SystemFact, SystemRole, SystemUser, USER_PRIVILEGES, USER_ROLES,
    USER_SENSITIVITIES, USER_TYPES,
};

/// Draws the System view.
pub fn system_ui(
    cx: &ViewContext<'_>,
    form: &mut SystemForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading("System");
            needs_ui(cx, ui);
            let editable = !cx.session.read_only;
            ui.add_space(8.0);
            section(ui, "Facts", cx.records.system.facts.missing().len(), |ui| {
                facts_ui(cx, form, ui, commands, editable)
            });
            let unheld = SystemRole::ALL
                .iter()
                .filter(|r| !cx.records.system.roles.iter().any(|h| h.role == **r))
                .count();
            section(ui, "Roles", unheld, |ui| {
                roles_ui(cx, ui, commands, editable)
            });
            let uncovered = ["control-owner", "provider"]
                .iter()
                .filter(|role| {
                    !cx.records
                        .system
                        .users
                        .iter()
                        .any(|u| u.roles.iter().any(|r| r == *role))
                })
                .count();
            section(ui, "Users", uncovered, |ui| {
                users_ui(cx, form, ui, commands, editable)
            });
            section(ui, "Documents", missing_documents(cx), |ui| {
                documents_ui(cx, ui, commands, editable)
            });
            section(
                ui,
                "Parameters",
                cx.records.system.open_parameters.len(),
                |ui| parameters_ui(cx, form, ui, commands, editable),
            );
        });
}

/// A collapsible section whose header says how many of its items are still needed.
fn section(ui: &mut Ui, title: &str, needed: usize, body: impl FnOnce(&mut Ui)) {
    let header = if needed == 0 {
        RichText::new(format!("{title} · complete")).strong()
    } else {
        RichText::new(format!("{title} · {needed} needed"))
            .strong()
            .color(theme::WARNING)
    };
    egui::CollapsingHeader::new(header)
        .id_salt(title)
        .default_open(needed > 0)
        .show(ui, body);
}

/// The checklist: what the plan still leaves out, or that nothing is missing.
fn needs_ui(cx: &ViewContext<'_>, ui: &mut Ui) {
    let needs = &cx.records.system.missing;
    if needs.is_empty() {
        ui.label(
            RichText::new(
                "The plan states everything FedRAMP asks of the system that Lockstep collects.",
            )
            .color(theme::status_color(crate::model::Status::Implemented)),
        );
        return;
    }
    ui.label(format!(
        "FedRAMP's plan still needs {} item{} of this system; give each in the sections below.",
        needs.len(),
        if needs.len() == 1 { "" } else { "s" }
    ));
    egui::CollapsingHeader::new("Still needed")
        .id_salt("system_needs")
        .default_open(needs.len() <= 8)
        .show(ui, |ui| {
            for need in needs {
                ui.label(format!("• {}", need.what))
                    .on_hover_text(&need.how);
            }
        });
}

fn facts_ui(
    cx: &ViewContext<'_>,
    form: &mut SystemForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
    editable: bool,
) {
    egui::Grid::new("system_facts")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for fact in SystemFact::ALL {
                let label = ui.label(fact.label());
                let stored = cx.records.system.facts.get(fact).unwrap_or("").to_string();
                let typed = form
                    .facts
                    .get(&fact)
                    .cloned()
                    .unwrap_or_else(|| stored.clone());
                let mut value = typed.clone();
                if !editable {
                    ui.label(if stored.is_empty() {
                        "(not given)"
                    } else {
                        &stored
                    });
                } else if let Some(allowed) = fact.allowed() {
                    let options: Vec<(String, String)> =
                        std::iter::once((String::new(), "(not given)".to_string()))
                            .chain(allowed.iter().map(|v| (v.to_string(), v.to_string())))
                            .collect();
                    pick_one_ui(
                        ui,
                        &format!("fact_{}", fact.as_str()),
                        label.id,
                        220.0,
                        &mut value,
                        &options,
                    );
                } else if fact == SystemFact::Description {
                    ui.add(
                        egui::TextEdit::multiline(&mut value)
                            .desired_width(420.0)
                            .desired_rows(3),
                    )
                    .labelled_by(label.id);
                } else {
                    ui.add(egui::TextEdit::singleline(&mut value).desired_width(220.0))
                        .labelled_by(label.id);
                }
                if value != typed {
                    if value == stored {
                        form.facts.remove(&fact);
                    } else {
                        form.facts.insert(fact, value);
                    }
                }
                ui.end_row();
            }
        });
    if editable {
        let changed = !form.facts.is_empty();
        if ui
            .add_enabled(changed, egui::Button::new("Save facts"))
            .clicked()
        {
            commands.push(Command::SaveSystemFacts);
        }
    }
}

fn roles_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>, editable: bool) {
    if cx.records.people.is_empty() {
        ui.label(
            RichText::new("Add the people who hold these roles in the Training view first.").weak(),
        );
    }
    let people = cx.records.person_choices();
    egui::Grid::new("system_roles")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for role in SystemRole::ALL {
                let label = ui.label(role.title());
                let held = cx
                    .records
                    .system
                    .roles
                    .iter()
                    .find(|h| h.role == role)
                    .map(|h| h.email.clone())
                    .unwrap_or_default();
                if editable {
                    let mut chosen = held.clone();
                    pick_one_ui(
                        ui,
                        &format!("role_{}", role.as_str()),
                        label.id,
                        260.0,
                        &mut chosen,
                        &people,
                    );
                    if chosen != held && !chosen.is_empty() {
                        commands.push(Command::AssignSystemRole(role, chosen));
                    }
                } else {
                    ui.label(if held.is_empty() {
                        "(not assigned)"
                    } else {
                        &held
                    });
                }
                ui.end_row();
            }
        });
}

fn users_ui(
    cx: &ViewContext<'_>,
    form: &mut SystemForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
    editable: bool,
) {
    user_list_ui(&cx.records.system.users, ui, commands, editable);
    if !editable {
        return;
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Describe a user").strong());
    egui::Grid::new("system_user_form")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| user_form_ui(form, ui));
    if ui.button("Save user").clicked() {
        commands.push(Command::SaveSystemUser);
    }
}

/// The system's kinds of users, each with a Remove button when the page is editable, or
/// what to describe when there are none.
fn user_list_ui(users: &[SystemUser], ui: &mut Ui, commands: &mut Vec<Command>, editable: bool) {
    if users.is_empty() {
        ui.label(
            RichText::new(
                "Describe the kinds of people who use the system: who owns the controls, who \
                 operates it for AWS, who uses it.",
            )
            .weak(),
        );
    }
    egui::Grid::new("system_users")
        .num_columns(3)
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for user in users {
                ui.label(RichText::new(&user.title).strong());
                ui.label(format!(
                    "{} · {} · {} · {}\n{}",
                    user.roles.join(", "),
                    user.user_type,
                    user.privilege,
                    user.sensitivity,
                    user.functions.join("; ")
                ));
                if editable
                    && ui
                        .button("Remove")
                        .on_hover_text(format!("Remove the user {}", user.title))
                        .clicked()
                {
                    commands.push(Command::RemoveSystemUser(user.title.clone()));
                }
                ui.end_row();
            }
        });
}

/// The fields describing a user: title, roles, type, privilege, sensitivity and functions.
fn user_form_ui(form: &mut SystemForm, ui: &mut Ui) {
    let label = ui.label("Title");
    ui.add(egui::TextEdit::singleline(&mut form.user_title).desired_width(260.0))
        .labelled_by(label.id);
    ui.end_row();
    ui.label("Roles");
    ui.horizontal_wrapped(|ui| {
        for role in USER_ROLES {
            let mut on = form.user_roles.contains(role);
            if ui.checkbox(&mut on, role).changed() {
                if on {
                    form.user_roles.insert(role.to_string());
                } else {
                    form.user_roles.remove(role);
                }
            }
        }
    });
    ui.end_row();
    for (name, values, field) in [
        ("Type", &USER_TYPES[..], &mut form.user_type),
        ("Privilege", &USER_PRIVILEGES[..], &mut form.user_privilege),
        (
            "Sensitivity",
            &USER_SENSITIVITIES[..],
            &mut form.user_sensitivity,
        ),
    ] {
        let label = ui.label(name);
        let options: Vec<(String, String)> = values
            .iter()
            .map(|v| (v.to_string(), v.to_string()))
            .collect();
        pick_one_ui(
            ui,
            &format!("user_{name}"),
            label.id,
            220.0,
            field,
            &options,
        );
        ui.end_row();
    }
    let label = ui.label("Functions (one per line)");
    ui.add(
        egui::TextEdit::multiline(&mut form.user_functions)
            .desired_width(360.0)
            .desired_rows(2),
    )
    .labelled_by(label.id);
    ui.end_row();
}

/// How many documents FedRAMP asks for that are not attached.
fn missing_documents(cx: &ViewContext<'_>) -> usize {
    let attached = |kind: AttachmentKind, control: Option<&str>| {
        cx.records
            .system
            .attachments
            .iter()
            .any(|a| a.kind == kind && a.control.as_deref() == control)
    };
    let system = AttachmentKind::ALL
        .iter()
        .filter(|k| !k.is_for_controls() && !attached(**k, None))
        .count();
    let controls = cx
        .records
        .system
        .first_controls
        .iter()
        .map(|id| {
            [AttachmentKind::Policy, AttachmentKind::Procedure]
                .iter()
                .filter(|k| !attached(**k, Some(id)))
                .count()
        })
        .sum::<usize>();
    system + controls
}

fn documents_ui(cx: &ViewContext<'_>, ui: &mut Ui, commands: &mut Vec<Command>, editable: bool) {
    let busy = cx.shell.job.is_some() || cx.shell.picking.is_some();
    let titles = |kind: AttachmentKind, control: Option<&str>| -> Vec<String> {
        cx.records
            .system
            .attachments
            .iter()
            .filter(|a| a.kind == kind && a.control.as_deref() == control)
            .map(|a| a.title.clone())
            .collect()
    };
    let mut row = |ui: &mut Ui, what: String, kind: AttachmentKind, control: Option<&str>| {
        ui.label(&what);
        let have = titles(kind, control);
        if have.is_empty() {
            ui.label(RichText::new("not attached").color(theme::WARNING));
        } else {
            ui.label(have.join(", "));
        }
        if editable
            && ui
                .add_enabled(!busy, egui::Button::new("Attach…"))
                .on_hover_text(format!("Attach the {}", what.to_lowercase()))
                .clicked()
        {
            commands.push(Command::PickDocument(kind, control.map(str::to_string)));
        }
        ui.end_row();
    };
    egui::Grid::new("system_documents")
        .num_columns(3)
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for kind in AttachmentKind::ALL
                .into_iter()
                .filter(|k| !k.is_for_controls())
            {
                row(ui, kind.label().to_string(), kind, None);
            }
            for id in &cx.records.system.first_controls {
                for kind in [AttachmentKind::Policy, AttachmentKind::Procedure] {
                    row(ui, format!("{} for {id}", kind.label()), kind, Some(id));
                }
            }
        });
}

fn parameters_ui(
    cx: &ViewContext<'_>,
    form: &mut SystemForm,
    ui: &mut Ui,
    commands: &mut Vec<Command>,
    editable: bool,
) {
    let open = &cx.records.system.open_parameters;
    if open.is_empty() {
        ui.label("Every parameter of the project's controls has a value.");
        return;
    }
    ui.label(
        RichText::new(
            "Each value the organisation defines for its controls, as the plan's set-parameters \
             cx them.",
        )
        .weak(),
    );
    let row_height = ui.spacing().interact_size.y + 6.0;
    egui::ScrollArea::vertical()
        .id_salt("open_parameters")
        .max_height(360.0)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, open.len(), |ui, rows| {
            for param in &open[rows] {
                ui.horizontal(|ui| {
                    let name = format!("{} {}", param.control, param.state.id);
                    let label = ui
                        .allocate_ui_with_layout(
                            egui::vec2(200.0, row_height - 6.0),
                            egui::Layout::left_to_right(egui::Align::Center),
                            |ui| ui.add(egui::Label::new(&name).truncate()),
                        )
                        .inner
                        .on_hover_text(&param.state.baseline);
                    let value = form.parameters.entry(param.state.id.clone()).or_default();
                    if editable {
                        let edit = ui
                            .add(
                                egui::TextEdit::singleline(value)
                                    .hint_text(&param.state.baseline)
                                    .desired_width(380.0),
                            )
                            .labelled_by(label.id);
                        let entered =
                            edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        if ui.button("Save").clicked() || entered {
                            commands.push(Command::SaveParameter(param.state.id.clone()));
                        }
                    } else {
                        ui.label(&param.state.baseline);
                    }
                });
            }
        });
}
