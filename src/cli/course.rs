//! `lockstep course`: the courses people must complete, and how often.

use std::process::ExitCode;

use clap::Subcommand;

use super::{Outcome, numbers, print_json, print_table};
use crate::store::Store;

/// The `course` subcommands.
#[derive(Debug, Subcommand)]
pub enum CourseCommand {
    /// Add a course that must be completed again every N days.
    Add {
        /// The course's name (unique, ignoring case).
        name: String,
        /// Days a completion stays valid (365 for a yearly course).
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = numbers::course_days)]
        every_days: i64,
    },
    /// List the courses.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(store: &mut Store, command: CourseCommand) -> Outcome {
    match command {
        CourseCommand::Add { name, every_days } => {
            let course = store.add_course(&name, every_days)?;
            outln!(
                "added course '{}', to be completed every {} days",
                course.name,
                course.every_days
            );
        }
        CourseCommand::List { json } => {
            let courses = store.courses()?;
            if json {
                print_json(&courses)?;
            } else if courses.is_empty() {
                outln!("no courses yet: add one with `lockstep course add NAME --every-days 365`");
            } else {
                let rows: Vec<Vec<String>> = courses
                    .iter()
                    .map(|c| vec![c.every_days.to_string(), c.name.clone()])
                    .collect();
                print_table(&["EVERY DAYS", "COURSE"], &rows)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
