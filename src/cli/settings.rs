//! `lockstep settings`: the workspace's settings — the name recorded as the actor of every
//! change, and the time zone its days are counted in (what "today", "overdue" and "expired"
//! mean).

use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::{Outcome, print_json, print_table};
use crate::model::Zone;
use crate::store::Store;

/// The `settings` subcommands.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the user name, the time zone and the day it is there.
    Show {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set the time zone the workspace counts its days in: local (the computer's), UTC,
    /// or an offset such as +02:00.
    SetTimeZone {
        /// local, UTC, or an offset from UTC such as +02:00 or -05:30.
        #[arg(value_parser = parse_zone, allow_hyphen_values = true)]
        zone: Zone,
    },
    /// Set the name recorded as the actor of later changes (default: the computer's user).
    SetUserName {
        /// The name, as auditors should read it in the activity log.
        name: String,
    },
}

/// The settings as `settings show --json` prints them.
#[derive(Debug, Serialize)]
struct Settings {
    /// The name recorded as the actor of changes.
    user_name: String,
    /// `local`, or an offset from UTC such as `+02:00`.
    time_zone: String,
    /// Today in that time zone.
    today: chrono::NaiveDate,
}

fn parse_zone(text: &str) -> Result<Zone, String> {
    text.parse()
        .map_err(|e: crate::model::RuleError| e.to_string())
}

pub(super) fn run(store: &mut Store, command: SettingsCommand) -> Outcome {
    match command {
        SettingsCommand::Show { json } => {
            let settings = Settings {
                user_name: store.user_name()?,
                time_zone: store.zone().to_string(),
                today: store.today(),
            };
            if json {
                print_json(&settings)?;
            } else {
                print_table(
                    &["SETTING", "VALUE"],
                    &[
                        vec!["user name".to_string(), settings.user_name],
                        vec!["time zone".to_string(), settings.time_zone],
                        vec!["today".to_string(), settings.today.to_string()],
                    ],
                )?;
            }
        }
        SettingsCommand::SetTimeZone { zone } => {
            store.set_time_zone(zone)?;
            outln!(
                "time zone: {}; today there is {}",
                store.zone(),
                store.today()
            );
        }
        SettingsCommand::SetUserName { name } => {
            store.set_user_name(&name)?;
            outln!("user name: {}", super::shown(&store.user_name()?));
        }
    }
    Ok(ExitCode::SUCCESS)
}
