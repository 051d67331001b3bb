//! The command line: one file per subcommand, each calling the same store functions as
//! the window.
//!
//! Exit status: 0 on success, 1 when a check found problems, 2 on bad input or an I/O
//! error, with one clear sentence on stderr. Every line a command prints goes through
//! [`outln!`]: a reader that closed the pipe early (`lockstep control list … | head -1`) ends
//! the command quietly with exit 0, as ripgrep does, instead of a panic.

/// Prints a line on stdout through [`write_line`].
macro_rules! outln {
    () => {
        $crate::cli::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}

pub use crate::text::shown;

mod asset;
mod attachment;
mod aws_report;
mod catalog;
mod control;
mod course;
mod crm;
mod cuec;
mod damage;
mod evidence;
mod export;
mod export_oscal;
mod findings;
mod key;
mod log;
mod numbers;
mod param;
mod patch;
mod person;
mod poam;
mod profile;
mod project;
mod request;
mod role;
mod services;
mod settings;
mod signoff;
mod system;
mod training;
mod vault;
mod verify;
mod verify_pack;
mod workspace;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::store::DB_FILE;
use crate::workspace::{WORKSPACE_ENV, Workspace, resolve};

/// Audit preparation for AWS workloads: shared-responsibility checklists, evidence and sign-offs.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version, about, long_about = None)]
pub struct Cli {
    /// The workspace folder (database and evidence vault); created on first use.
    #[arg(long, global = true, env = WORKSPACE_ENV, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// What to do; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the known AWS services and their service model.
    Services(services::ServicesArgs),
    /// Create, list and change projects (audit scopes).
    #[command(subcommand)]
    Project(project::ProjectCommand),
    /// List, change and add controls.
    #[command(subcommand)]
    Control(control::ControlCommand),
    /// Attach, list and remove evidence files.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCommand),
    /// Look after the evidence vault.
    #[command(subcommand)]
    Vault(vault::VaultCommand),
    /// Add, import and list people (staff).
    #[command(subcommand)]
    Person(person::PersonCommand),
    /// Add and list training courses.
    #[command(subcommand)]
    Course(course::CourseCommand),
    /// Record and import training completions, and show the roster's state.
    #[command(subcommand)]
    Training(training::TrainingCommand),
    /// Add and list the assets a project patches.
    #[command(subcommand)]
    Asset(asset::AssetCommand),
    /// Record and import patch attestations, set deadlines, and show where patches stand.
    #[command(subcommand)]
    Patch(patch::PatchCommand),
    /// Import findings exports of Amazon Inspector, Security Hub and Systems Manager, and
    /// list a project's findings.
    #[command(subcommand)]
    Findings(findings::FindingsCommand),
    /// Show a finding, ask for a deviation, or plan a milestone.
    #[command(subcommand)]
    Finding(findings::FindingCommand),
    /// Sign off a control, the training roster or a monthly patch cycle, and list sign-offs.
    #[command(subcommand)]
    Signoff(signoff::SignoffCommand),
    /// Add, list and remove AWS's own reports, and show how they cover a project's audit
    /// period.
    #[command(subcommand)]
    AwsReport(aws_report::AwsReportCommand),
    /// Import the CUECs an AWS report lists, map them to controls, and show a project's CUEC
    /// table.
    #[command(subcommand)]
    Cuec(cuec::CuecCommand),
    /// Import the auditor's request list, answer each request and move it through its
    /// lifecycle.
    #[command(subcommand)]
    Request(request::RequestCommand),
    /// Import and list OSCAL catalogs (such as NIST SP 800-53).
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Import and list OSCAL profiles (baselines such as NIST SP 800-53 MODERATE).
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Import a provider's Customer Responsibility Matrix for a baseline project.
    #[command(subcommand)]
    Crm(crm::CrmCommand),
    /// Give and show the facts about a project's system that an authorization package states
    /// (FedRAMP id, service and deployment model, assurance levels, security objectives).
    #[command(subcommand)]
    System(system::SystemCommand),
    /// Give and list the roles of a project's system: system owner, authorizing official,
    /// ISSO and points of contact.
    #[command(subcommand)]
    Role(role::RoleCommand),
    /// Attach the documents a project's plan lists (policies, procedures, plans, guides,
    /// diagrams), list and remove them.
    #[command(subcommand)]
    Attachment(attachment::AttachmentCommand),
    /// Give and list the values of the parameters a project's baseline leaves open.
    #[command(subcommand)]
    Param(param::ParamCommand),
    /// Write a project's evidence pack: a zip an auditor reads and checks without Lockstep.
    Export(export::ExportArgs),
    /// Write a project's responsibility matrix as an OSCAL system security plan, an OSCAL
    /// component definition and the FedRAMP CIS/CRM workbook.
    ExportOscal(export_oscal::ExportOscalArgs),
    /// Write a project's plan of action and milestones (OSCAL POA&M and FedRAMP's
    /// workbook) and FedRAMP's vulnerability detail report for a period.
    Poam(poam::PoamArgs),
    /// Make and show your signing key for evidence packs (kept in your config folder).
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Show a project's activity log.
    Log(log::LogArgs),
    /// Show and change the workspace's settings: your name in the log and its time zone.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Check the workspace: re-walk the activity log's hash chain and re-hash every
    /// evidence file.
    Verify,
    /// Check an evidence pack against its manifest and SHA256SUMS, without a workspace.
    VerifyPack(verify_pack::VerifyPackArgs),
    /// Share a workspace with the team: records on PostgreSQL, evidence in S3.
    #[command(subcommand)]
    Workspace(workspace::WorkspaceCommand),
}

/// The outcome of a subcommand that ran to its end.
pub type Outcome = anyhow::Result<ExitCode>;

/// The command line as parsed from `args`, with the name of the subcommand it runs as the
/// log names it: the words typed (`control set`), never the values; blank for the window.
pub fn parse_from<I, T>(args: I) -> Result<(Cli, String), clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = <Cli as clap::CommandFactory>::command().try_get_matches_from(args)?;
    let mut words = Vec::new();
    let mut at = &matches;
    while let Some((word, sub)) = at.subcommand() {
        words.push(word.to_string());
        at = sub;
    }
    let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)?;
    Ok((cli, words.join(" ")))
}

/// Runs a subcommand against the workspace, `name` being how the log names it (see
/// [`parse_from`]).
pub fn run(workspace: Option<PathBuf>, command: Command, name: &str) -> Outcome {
    if let Command::Services(args) = &command {
        return services::run(args);
    }
    if let Command::VerifyPack(args) = &command {
        return verify_pack::run(args);
    }
    if let Command::Key(cmd) = command {
        return key::run(cmd);
    }
    let dir = resolve(workspace);
    if let Command::Workspace(cmd) = command {
        return workspace::run(&dir, cmd);
    }
    run_in(&dir, command, name).map_err(|error| damage::explain(error, &dir.join(DB_FILE)))
}

/// Runs a subcommand that needs the workspace in `dir`.
fn run_in(dir: &Path, command: Command, name: &str) -> Outcome {
    let mut workspace = Workspace::open(dir)?;
    // The log lives in the workspace, so it starts once the workspace is known to be good.
    if let Err(error) = crate::log::init(dir) {
        eprintln!("lockstep: warning: {}", shown(&format!("{error:#}")));
    }
    tracing::info!(command = %name, "command started");
    match command {
        Command::Services(_) => unreachable!("handled above"),
        Command::VerifyPack(_) => unreachable!("handled above"),
        Command::Key(_) => unreachable!("handled above"),
        Command::Workspace(_) => unreachable!("handled above"),
        Command::Project(cmd) => project::run(&mut workspace.store, cmd),
        Command::Control(cmd) => control::run(&mut workspace.store, cmd),
        Command::Evidence(cmd) => evidence::run(&mut workspace, cmd),
        Command::Attachment(cmd) => attachment::run(&mut workspace, cmd),
        Command::Vault(cmd) => vault::run(&mut workspace, cmd),
        Command::Person(cmd) => person::run(&mut workspace.store, cmd),
        Command::Course(cmd) => course::run(&mut workspace.store, cmd),
        Command::Training(cmd) => training::run(&mut workspace, cmd),
        Command::Asset(cmd) => asset::run(&mut workspace.store, cmd),
        Command::Patch(cmd) => patch::run(&mut workspace, cmd),
        Command::Findings(cmd) => findings::run(&mut workspace, cmd),
        Command::Finding(cmd) => findings::run_one(&mut workspace, cmd),
        Command::Signoff(cmd) => signoff::run(&mut workspace.store, cmd),
        Command::AwsReport(cmd) => aws_report::run(&mut workspace, cmd),
        Command::Cuec(cmd) => cuec::run(&mut workspace.store, cmd),
        Command::Request(cmd) => request::run(&mut workspace, cmd),
        Command::Catalog(cmd) => catalog::run(&mut workspace.store, cmd),
        Command::Profile(cmd) => profile::run(&mut workspace.store, cmd),
        Command::Crm(cmd) => crm::run(&mut workspace.store, cmd),
        Command::System(cmd) => system::run(&mut workspace.store, cmd),
        Command::Role(cmd) => role::run(&mut workspace.store, cmd),
        Command::Param(cmd) => param::run(&mut workspace.store, cmd),
        Command::Export(args) => export::run(&workspace, &args),
        Command::ExportOscal(args) => export_oscal::run(&workspace, &args),
        Command::Poam(args) => poam::run(&mut workspace, &args),
        Command::Log(args) => log::run(&workspace.store, &args),
        Command::Settings(cmd) => settings::run(&mut workspace.store, cmd),
        Command::Verify => verify::run(&workspace),
    }
}

/// Prints a value as pretty JSON on stdout.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // As an I/O error, a reader that closed the pipe early is recognised as no failure.
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// Prints rows as aligned columns; the last column is not padded.
///
/// Each cell is shown through [`shown`], so a name holding a line break, a tab or a
/// direction override cannot break the table or disguise what it says.
pub(crate) fn print_table(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| shown(cell).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = std::io::stdout().lock();
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i == last {
                    cell.to_string()
                } else {
                    format!("{cell:<width$}", width = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// Says on stderr why one of several files was refused, while the others go on.
pub(crate) fn file_refused(error: &dyn std::fmt::Display) {
    eprintln!("lockstep: refused: {}", shown(&format!("{error:#}")));
}

/// How a command that took several files ends: exit 2 with a count when any was refused.
pub(crate) fn files_outcome(refused: usize, total: usize) -> ExitCode {
    if refused == 0 {
        return ExitCode::SUCCESS;
    }
    eprintln!("lockstep: {refused} of {total} files refused");
    ExitCode::from(2)
}

/// Parses a yes/no answer.
pub(crate) fn parse_yes_no(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(format!("'{text}' is not an answer: use yes or no")),
    }
}

/// Parses a `YYYY-MM-DD` date argument.
pub(crate) fn parse_date_arg(text: &str) -> Result<chrono::NaiveDate, String> {
    crate::model::parse_date(text).map_err(|e| e.to_string())
}

/// Writes one line on stdout. A closed pipe ends the process with exit 0, since whoever
/// read the output has all they wanted; any other failure to print ends it with exit 2 and
/// one sentence on stderr.
pub(crate) fn write_line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        drop(out);
        eprintln!("lockstep: cannot write the output ({error})");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::parse_from;

    #[test]
    fn a_command_is_named_by_the_words_typed_never_the_values() {
        let name = |args: &[&str]| parse_from(args.iter().copied()).unwrap().1;
        assert_eq!(
            name(&[
                "lockstep",
                "control",
                "set",
                "--project",
                "P",
                "AC-1",
                "--notes",
                "x y"
            ]),
            "control set"
        );
        assert_eq!(
            name(&["lockstep", "--workspace", "w", "verify-pack", "pack.zip"]),
            "verify-pack"
        );
        assert_eq!(
            name(&["lockstep", "settings", "set-user-name", "Dana (Ops)"]),
            "settings set-user-name"
        );
        assert_eq!(name(&["lockstep"]), "");
        assert!(parse_from(["lockstep", "no-such-command"]).is_err());
    }
}
