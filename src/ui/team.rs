//! The team workspace's details: the database host, whether the session is encrypted and
//! verified (in the warning colour when not), IAM authentication, and the AWS identity in
//! use with when its credentials expire, which arrives from STS while the dialog is open.

use egui::{Id, RichText};

use crate::app::{IdentityState, TeamDetails};

/// Draws the team details; returns whether the user closed them.
pub fn team_details_ui(ctx: &egui::Context, details: &TeamDetails) -> bool {
    egui::Modal::new(Id::unique("team_details"))
        .show(ctx, |ui| {
            ui.set_width(480.0_f32.min(ctx.content_rect().width() - 72.0));
            ui.heading("Team workspace");
            egui::Grid::new("team_details_grid")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Database").strong());
                    ui.label(&details.host);
                    ui.end_row();
                    ui.label(RichText::new("Connection").strong());
                    if details.verified {
                        ui.label(&details.encryption);
                    } else {
                        ui.colored_label(super::theme::WARNING, &details.encryption);
                    }
                    ui.end_row();
                    ui.label(RichText::new("IAM authentication").strong());
                    ui.label(if details.iam_auth { "yes" } else { "no" });
                    ui.end_row();
                    ui.label(RichText::new("AWS identity").strong());
                    match &details.identity {
                        IdentityState::Asking => {
                            ui.horizontal(|ui| {
                                ui.spinner();
                                ui.label("asking AWS STS…");
                            });
                        }
                        IdentityState::Known { account, who, .. } => {
                            ui.label(format!("account {account}, {who}"));
                        }
                        IdentityState::Failed(error) => {
                            ui.colored_label(super::theme::DANGER, error);
                        }
                    }
                    ui.end_row();
                    if let IdentityState::Known { expires, .. } = &details.identity {
                        ui.label(RichText::new("Credentials expire").strong());
                        ui.label(expires);
                        ui.end_row();
                    }
                });
            ui.add_space(8.0);
            ui.button("Close").on_hover_text("Esc").clicked()
        })
        .inner
}
