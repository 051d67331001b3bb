//! The `lockstep` binary: parses the command line; without a subcommand it opens the window.
//! Each command's end, and its error with the whole chain, also goes to the workspace's log
//! (see [`lockstep::log`]).

use std::process::ExitCode;

use clap::error::ErrorKind;
use lockstep::cli::{parse_from, run, shown};

fn main() -> ExitCode {
    let (cli, name) = match parse_from(std::env::args_os()) {
        Ok(parsed) => parsed,
        Err(error) => return usage_error(&error),
    };
    let name = if name.is_empty() {
        "window".to_string()
    } else {
        name
    };
    let outcome = match cli.command {
        Some(command) => run(cli.workspace, command, &name),
        None => lockstep::ui::run_window(cli.workspace),
    };
    // The log is only written once the workspace opened; before that these go nowhere.
    match outcome {
        Ok(code) => {
            tracing::info!(command = %name, "command finished");
            code
        }
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            tracing::error!(command = %name, "command failed: {error:#}");
            // A name with a line break must not split the one sentence over lines.
            eprintln!("lockstep: {}", shown(&format!("{error:#}")));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Help and version go to stdout as clap writes them; a usage mistake becomes one sentence
/// on stderr and exit 2, like every other bad input.
fn usage_error(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed stdout while printing help is not worth reporting.
            let _ = error.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(2)
        }
        _ => {
            let text = error.to_string();
            let words: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|line| {
                    !line.starts_with("Usage:") && !line.starts_with("For more information")
                })
                .filter(|line| !line.is_empty() && !line.starts_with("tip:"))
                .collect();
            let sentence = words.join(" ");
            let sentence = sentence.trim_start_matches("error: ");
            eprintln!("lockstep: {sentence} (see `lockstep --help`)");
            ExitCode::from(2)
        }
    }
}
