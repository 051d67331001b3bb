//! The team workspace in the window: its details (the database host, whether the session is
//! encrypted and verified, IAM authentication, and the AWS identity in use with when its
//! credentials expire), and "Push to a team workspace…" for a local one, which runs
//! `workspace push` ([`crate::team_push`]) as a background job.
//!
//! The identity is an STS call, so it is asked for on a thread of its own when the details
//! open and shown when it arrives; the window never waits on it. It uses the credentials
//! the open vault signs with, so what is shown is who the evidence is written as.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::jobs::{Job, JobKind, JobOutcome, Progress, Repaint, WorkspaceOpener, set_progress};
use super::{
    App, Command, Dialog, IdentityState, Level, PickMode, PickPurpose, PickRequest, TeamDetails,
};
use crate::aws::CallerIdentity;
use crate::store::Clock;
use crate::team_push::{PushError, PushStage, push_with};

/// An identity being asked for on its own thread.
pub(super) type PendingIdentity = Receiver<Result<CallerIdentity, String>>;

impl App {
    /// Carries out a command about team workspaces.
    pub(super) fn apply_team_command(&mut self, command: Command) {
        match command {
            Command::OpenTeamDetails => self.open_team_details(),
            Command::PushToTeam => {
                if self.store.is_none() || self.state.session.team {
                    return;
                }
                self.start_pick(
                    PickPurpose::TeamFolder,
                    PickMode::Folder,
                    PickRequest::titled("Choose the team workspace's folder to push to"),
                );
            }
            _ => unreachable!("apply sends only these commands here"),
        }
    }

    /// Opens the team details, asking STS who the vault's credentials belong to.
    fn open_team_details(&mut self) {
        let Some(store) = &self.store else { return };
        let Some(session) = store.team_session() else {
            return;
        };
        let (host, encryption, verified, iam_auth) = match session {
            Ok(session) => (
                session.host.clone(),
                session.encryption.to_string(),
                session.is_verified(),
                session.iam_auth,
            ),
            Err(error) => (String::new(), format!("{error:#}"), false, false),
        };
        let chain = self
            .vault
            .as_ref()
            .and_then(|vault| vault.remote())
            .map(|remote| remote.client().credentials().clone());
        let identity = match chain {
            None => IdentityState::Failed("the workspace has no S3 vault open".to_string()),
            Some(chain) => {
                let (sender, receiver) = mpsc::channel();
                let repaint = self.repaint.clone();
                let started = std::thread::Builder::new()
                    .name("lockstep-caller-identity".into())
                    .spawn(move || {
                        let answer = chain.caller_identity().map_err(|e| format!("{e:#}"));
                        // The window may have closed; nobody to tell then.
                        let _ = sender.send(answer);
                        repaint();
                    });
                match started {
                    Ok(_) => {
                        self.identity = Some(receiver);
                        IdentityState::Asking
                    }
                    Err(error) => IdentityState::Failed(format!("cannot ask STS: {error}")),
                }
            }
        };
        self.state.views.dialog = Dialog::Team(TeamDetails {
            host,
            encryption,
            verified,
            iam_auth,
            identity,
        });
    }

    /// Takes in the identity once STS has answered.
    pub(super) fn poll_identity(&mut self) {
        let Some(receiver) = &self.identity else {
            return;
        };
        let answer = match receiver.try_recv() {
            Ok(answer) => answer,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => {
                Err("the question to STS stopped unexpectedly".to_string())
            }
        };
        self.identity = None;
        let shown = match answer {
            Ok(identity) => IdentityState::Known {
                who: identity
                    .role()
                    .map(|role| format!("role {role}"))
                    .unwrap_or_else(|| identity.arn.clone()),
                expires: expiry(identity.expires, (self.clock)()),
                account: identity.account,
            },
            Err(error) => IdentityState::Failed(error),
        };
        if let Dialog::Team(details) = &mut self.state.views.dialog {
            details.identity = shown;
        }
    }

    /// Starts pushing this local workspace into the team workspace in `folder`.
    pub(super) fn push_to_team(&mut self, folder: PathBuf) {
        let opener = self.workspaces.clone();
        self.start_job(JobKind::PushToTeam, |dir, clock, repaint| {
            Job::push_to_team(dir, folder, clock, opener, repaint)
        });
    }

    /// Says how the push went: where it went when all checks passed, else the report.
    pub(super) fn pushed(&mut self, to: &Path, clean: bool, lines: Vec<String>) {
        if clean {
            self.notify(Level::Info, format!("Pushed to {}", to.display()));
            self.state.shell.verify_result = Some((true, lines));
        } else {
            self.notify(
                Level::Error,
                format!(
                    "The team workspace does not match this one after the push: {}",
                    lines.join("; ")
                ),
            );
            self.state.shell.verify_result = Some((false, lines));
        }
    }
}

/// When credentials expire, from `now`: "in 52 minutes", "in 3 hours", "expired", or
/// "long-lived keys" when they do not.
pub fn expiry(expires: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(expires) = expires else {
        return "long-lived keys".to_string();
    };
    let minutes = (expires - now).num_minutes();
    match minutes {
        ..=0 => "expired".to_string(),
        1 => "in 1 minute".to_string(),
        2..=119 => format!("in {minutes} minutes"),
        _ => format!("in {} hours", minutes / 60),
    }
}

impl Job {
    /// Starts pushing the local workspace in `dir` into the team workspace in `to`, which
    /// `opener` opens.
    pub fn push_to_team(
        dir: PathBuf,
        to: PathBuf,
        clock: Clock,
        opener: WorkspaceOpener,
        repaint: Repaint,
    ) -> Result<Job, String> {
        let ticker = repaint.clone();
        Job::spawn(JobKind::PushToTeam, repaint, move |progress, cancel| {
            let mut rows_done = 0;
            let mut report = |stage: PushStage<'_>| {
                push_progress(progress, stage, &mut rows_done);
                ticker();
            };
            let open = |dir: &std::path::Path, clock: Clock| {
                opener(dir, clock, &crate::workspace::SignIn::default())
            };
            match push_with(&dir, &to, clock, &open, cancel, &mut report) {
                Ok(report) => JobOutcome::Pushed {
                    to,
                    clean: report.is_clean(),
                    lines: report.lines(),
                },
                Err(PushError::Cancelled) => JobOutcome::Cancelled,
                Err(error) => JobOutcome::Failed(format!("Not pushed: {error:#}")),
            }
        })
    }
}

/// Shows a push's stage as progress: files n of N, records, then verifying.
fn push_progress(progress: &Arc<Mutex<Progress>>, stage: PushStage<'_>, rows_done: &mut u64) {
    match stage {
        PushStage::Files(total) => {
            set_progress(progress, "uploading files", 0, total as u64, "files")
        }
        PushStage::File(done, total) => set_progress(
            progress,
            "uploading files",
            done as u64,
            total as u64,
            "files",
        ),
        PushStage::Records(total) => {
            *rows_done = 0;
            set_progress(progress, "copying records", 0, total as u64, "rows");
        }
        PushStage::Table(copy) => {
            *rows_done += copy.rows as u64;
            let total = progress.lock().map(|p| p.total).unwrap_or_default();
            set_progress(progress, "copying records", *rows_done, total, "rows");
        }
        PushStage::Verifying => set_progress(progress, "verifying the team workspace", 0, 0, ""),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _, Utc};

    use super::expiry;

    #[test]
    fn expiry_says_minutes_hours_expired_or_long_lived() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap();
        assert_eq!(expiry(None, now), "long-lived keys");
        assert_eq!(
            expiry(Some(now + Duration::minutes(52)), now),
            "in 52 minutes"
        );
        assert_eq!(
            expiry(Some(now + Duration::seconds(90)), now),
            "in 1 minute"
        );
        assert_eq!(expiry(Some(now + Duration::hours(5)), now), "in 5 hours");
        assert_eq!(expiry(Some(now - Duration::minutes(3)), now), "expired");
    }
}
