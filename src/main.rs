//! The `lockstep` binary: parses the command line; without a subcommand it opens the window.

use std::process::ExitCode;

use clap::Parser;
use lockstep::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(command) => run(cli.workspace, command),
        None => lockstep::ui::run_window(cli.workspace),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("lockstep: {error:#}");
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
