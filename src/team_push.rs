//! `lockstep workspace push`: moves a local workspace into a team workspace — every record
//! into its PostgreSQL database and every evidence file into its S3 bucket — and proves the
//! copy whole.
//!
//! The order makes an interruption harmless. Everything is read from the local workspace in
//! one snapshot first ([`Store::push_source`]), so the files uploaded are exactly those the
//! copied records name. The files go first: the vault is content-addressed, so a file already
//! in the bucket (from an earlier, interrupted push, or uploaded by a member) is not sent
//! again, and an upload that dies leaves at most an object no record names. The records go
//! after, in one transaction ([`Store::push_records`]), so a record never names a file the
//! bucket lacks and the team never sees half a workspace. Run again, the push skips what is
//! there and finishes the rest.
//!
//! Then it verifies, reading everything back from the team side: each table holds as many
//! rows as the local one, the team chain is intact with the local chain's length and head,
//! and every file re-hashes correctly in the bucket.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::store::push_records::{PushError as RecordsError, PushSource, TableCopy, TableCount};
use crate::store::team::TeamSettings;
use crate::store::{ChainReport, Clock, DB_FILE, Store, StoreError};
use crate::vault::{BlobCheck, Vault, VaultError};
use crate::workspace::{Workspace, WorkspaceError, open_vault};

/// What stops a push before it verifies.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The source is a team workspace.
    #[error("the workspace to push from is a team workspace already; push from a local one: {0}")]
    SourceIsTeam(PathBuf),
    /// No local workspace is there.
    #[error("there is no local workspace to push from here: {0}")]
    NoSource(PathBuf),
    /// The target is not a team workspace.
    #[error(
        "the folder to push to is not a team workspace; set it up first with `lockstep workspace connect`: {0}"
    )]
    NotTeam(PathBuf),
    /// Files the current records use are missing from the local vault.
    #[error(
        "{count} files that this workspace's records use are missing from its vault (the first is {first}); run `lockstep verify`, nothing was pushed"
    )]
    MissingFiles {
        /// How many.
        count: usize,
        /// The first hash.
        first: String,
    },
    /// A local vault file no longer hashes to its name.
    #[error(
        "the local vault file {expected} hashes to {actual} now; run `lockstep verify`, no records were pushed"
    )]
    AlteredFile {
        /// The file's name.
        expected: String,
        /// What it hashes to.
        actual: String,
    },
    /// The push was cancelled.
    #[error("the push was cancelled before its records were copied; run it again to finish")]
    Cancelled,
    /// The records could not be copied.
    #[error(transparent)]
    Records(#[from] RecordsError),
    /// A workspace could not be opened.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// A vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a push is, for progress lines.
#[derive(Debug)]
pub enum PushStage<'a> {
    /// Uploading files: how many the records name.
    Files(usize),
    /// One file is done (uploaded or found there): done so far, of all.
    File(usize, usize),
    /// Copying the records: rows in all.
    Records(usize),
    /// One table is written.
    Table(&'a TableCopy),
    /// Reading everything back.
    Verifying,
}

/// What a push did and what its verification found.
#[derive(Debug, Clone)]
pub struct PushReport {
    /// Each table's copy.
    pub tables: Vec<TableCopy>,
    /// Rows on each side afterwards.
    pub counts: Vec<TableCount>,
    /// Files sent to the bucket.
    pub uploaded: usize,
    /// Files the bucket had already.
    pub already_there: usize,
    /// Files of removed records that the local vault had purged before, so there was
    /// nothing to send; their records are copied as they are.
    pub purged_before: usize,
    /// The team chain's walk.
    pub chain: ChainReport,
    /// Rows in the local chain.
    pub local_chain_rows: i64,
    /// Whether the team chain's head record is the local one's.
    pub head_matches: bool,
    /// Files re-hashed in the bucket.
    pub files_checked: usize,
    /// Files that did not re-hash correctly, with what was found.
    pub file_problems: Vec<(String, BlobCheck)>,
}

impl PushReport {
    /// Tables whose row counts differ.
    pub fn count_problems(&self) -> Vec<&TableCount> {
        self.counts.iter().filter(|c| c.local != c.team).collect()
    }

    /// Whether the chain came across whole.
    pub fn chain_matches(&self) -> bool {
        self.chain.first_break.is_none()
            && self.chain.rows == self.local_chain_rows
            && self.head_matches
    }

    /// Whether every check passed.
    pub fn is_clean(&self) -> bool {
        self.count_problems().is_empty() && self.chain_matches() && self.file_problems.is_empty()
    }

    /// The summary, a line each.
    pub fn lines(&self) -> Vec<String> {
        let inserted: usize = self.tables.iter().map(|t| t.inserted).sum();
        let updated: usize = self.tables.iter().map(|t| t.updated).sum();
        let rows: usize = self.tables.iter().map(|t| t.rows).sum();
        let touched = self
            .tables
            .iter()
            .filter(|t| t.inserted + t.updated > 0)
            .count();
        let mut lines = vec![format!(
            "records: {inserted} rows copied{} in {touched} of {} tables, {} already there",
            if updated > 0 {
                format!(" and {updated} brought up to date")
            } else {
                String::new()
            },
            self.tables.len(),
            rows - inserted - updated,
        )];
        for table in self.tables.iter().filter(|t| t.inserted + t.updated > 0) {
            let mut line = format!("  {}: {} copied", table.table, table.inserted);
            if table.updated > 0 {
                line.push_str(&format!(", {} updated", table.updated));
            }
            lines.push(line);
        }
        lines.push(format!(
            "files: {} uploaded, {} already there",
            self.uploaded, self.already_there
        ));
        if self.purged_before > 0 {
            lines.push(format!(
                "note: {} files of removed records were purged from this workspace's vault before, so there was nothing to upload for them",
                self.purged_before
            ));
        }
        for count in self.count_problems() {
            lines.push(format!(
                "table {} has {} rows here but {} in the team database",
                count.table, count.local, count.team
            ));
        }
        match &self.chain.first_break {
            Some((seq, why)) => lines.push(format!("chain BROKEN at row {seq}: {why}")),
            None if !self.chain_matches() => lines.push(format!(
                "chain intact but not this workspace's: {} rows there, {} here{}",
                self.chain.rows,
                self.local_chain_rows,
                if self.head_matches {
                    ""
                } else {
                    ", and its head differs"
                }
            )),
            None => lines.push(format!("chain intact: {} rows", self.chain.rows)),
        }
        for (sha, check) in &self.file_problems {
            let what = match check {
                BlobCheck::Intact => "intact".to_string(),
                BlobCheck::Missing => "missing".to_string(),
                BlobCheck::Altered { actual } => format!("altered (now {actual})"),
                BlobCheck::Unreadable(why) => format!("unreadable ({why})"),
                BlobCheck::NotASha256 => "not a SHA-256".to_string(),
            };
            lines.push(format!("file {sha} in the bucket: {what}"));
        }
        if self.file_problems.is_empty() {
            lines.push(format!("all {} files intact", self.files_checked));
        }
        lines
    }
}

/// Pushes the local workspace in `source` into the team workspace in `team` (see the
/// module). Refusals and failures before the records are committed are errors; what the
/// verification finds is in the report.
pub fn push(
    source: &Path,
    team: &Path,
    clock: Clock,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(PushStage<'_>),
) -> Result<PushReport, PushError> {
    let open_team = |dir: &Path, clock: Clock| -> Result<Workspace, WorkspaceError> {
        Ok(Workspace {
            store: Store::open_with_clock(dir, clock)?,
            vault: open_vault(dir)?,
        })
    };
    push_with(source, team, clock, &open_team, cancel, progress)
}

/// Pushes as [`push`] does, opening the team workspace with `open_team` (the window opens
/// it as it opens any workspace).
pub fn push_with(
    source: &Path,
    team: &Path,
    clock: Clock,
    open_team: &dyn Fn(&Path, Clock) -> Result<Workspace, WorkspaceError>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(PushStage<'_>),
) -> Result<PushReport, PushError> {
    check_folders(source, team)?;
    let local = Workspace::open_with_clock(source, clock.clone())?;
    let Workspace {
        store: mut team_store,
        vault: team_vault,
    } = open_team(team, clock)?;

    let records = local.store.push_source()?;
    // A read-only login is refused before any file reaches the bucket.
    team_store.check_writable()?;
    team_store.check_push_target(&records)?;

    // Files first: every file a record names that this workspace still has.
    let files = files_to_push(&local.vault, &records)?;
    let sent = upload_files(&local.vault, &team_vault, &files.present, cancel, progress)?;
    if cancel.load(Ordering::Relaxed) {
        return Err(PushError::Cancelled);
    }

    // Records after: one transaction.
    progress(PushStage::Records(records.row_count()));
    let tables = team_store.push_records(&records, &mut |copy| {
        progress(PushStage::Table(copy));
    })?;

    progress(PushStage::Verifying);
    let counts = team_store.push_counts(&records)?;
    let (chain, head) =
        team_store.read(|store| Ok((store.verify_chain()?, store.activity_head()?)))?;
    Ok(PushReport {
        tables,
        counts,
        uploaded: sent.uploaded,
        already_there: sent.already_there,
        purged_before: files.purged_before,
        chain,
        local_chain_rows: records.chain_rows,
        head_matches: head == records.head,
        files_checked: files.present.len(),
        file_problems: file_problems(&team_vault, &files.present),
    })
}

/// Refuses a push from anything but a local workspace, or to anything but a team one.
fn check_folders(source: &Path, team: &Path) -> Result<(), PushError> {
    if TeamSettings::read(source)
        .map_err(StoreError::from)?
        .is_some()
    {
        return Err(PushError::SourceIsTeam(source.to_path_buf()));
    }
    if !source.join(DB_FILE).is_file() {
        return Err(PushError::NoSource(source.to_path_buf()));
    }
    if !team.is_dir()
        || TeamSettings::read(team)
            .map_err(StoreError::from)?
            .is_none()
    {
        return Err(PushError::NotTeam(team.to_path_buf()));
    }
    Ok(())
}

/// The files a push sends, out of every file the records name.
struct FilesToPush {
    /// The files the local vault has.
    present: BTreeSet<String>,
    /// Files only removed records name, purged from the local vault before.
    purged_before: usize,
}

/// Sorts the files the records name into those the local vault has and those purged with
/// their removed records; a file a current record uses and the vault lacks refuses the push.
fn files_to_push(local: &Vault, records: &PushSource) -> Result<FilesToPush, PushError> {
    let mut present = BTreeSet::new();
    let mut missing = Vec::new();
    let mut purged_before = 0;
    for sha in &records.recorded {
        if local.contains(sha)? {
            present.insert(sha.clone());
        } else if records.current.contains(sha) {
            missing.push(sha.clone());
        } else {
            purged_before += 1;
        }
    }
    if let Some(first) = missing.first() {
        return Err(PushError::MissingFiles {
            count: missing.len(),
            first: first.clone(),
        });
    }
    Ok(FilesToPush {
        present,
        purged_before,
    })
}

/// What sending the files did.
struct FilesSent {
    /// Files sent to the bucket.
    uploaded: usize,
    /// Files the bucket had already.
    already_there: usize,
}

/// Sends each of `present` that the team vault lacks, re-hashing it on the way.
fn upload_files(
    local: &Vault,
    team: &Vault,
    present: &BTreeSet<String>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(PushStage<'_>),
) -> Result<FilesSent, PushError> {
    progress(PushStage::Files(present.len()));
    let (mut uploaded, mut already_there) = (0, 0);
    for (done, sha) in present.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(PushError::Cancelled);
        }
        if team.contains(sha)? {
            already_there += 1;
        } else {
            upload_file(local, team, sha, cancel)?;
            uploaded += 1;
        }
        progress(PushStage::File(done + 1, present.len()));
    }
    Ok(FilesSent {
        uploaded,
        already_there,
    })
}

/// Sends one local vault file to the team vault, refusing it when it no longer hashes to
/// its name.
fn upload_file(
    local: &Vault,
    team: &Vault,
    sha: &str,
    cancel: &AtomicBool,
) -> Result<(), PushError> {
    let path = local.blob_path(sha)?;
    let staged = team.stage(&path, cancel, &mut |_| {})?;
    if staged.sha256 != sha {
        let actual = staged.sha256.clone();
        // An object under the wrong name is one no record names; `vault purge` removes it
        // once no lock keeps it.
        team.discard(staged);
        return Err(PushError::AlteredFile {
            expected: sha.to_string(),
            actual,
        });
    }
    team.commit(staged)?;
    Ok(())
}

/// The pushed files that do not re-hash correctly in the team vault, with what was found.
fn file_problems(team: &Vault, present: &BTreeSet<String>) -> Vec<(String, BlobCheck)> {
    let mut problems = Vec::new();
    for sha in present {
        match team.check(sha) {
            BlobCheck::Intact => {}
            other => problems.push((sha.clone(), other)),
        }
    }
    problems
}
