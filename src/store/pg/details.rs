//! What the window shows about the open session of a team workspace: the host, whether the
//! session is encrypted and how far the server's certificate was checked, and whether it
//! logged in with RDS IAM authentication. The session keeps the URL it opened with, so
//! nothing is read from the settings file again and what is shown is what is in use.

use super::{Encryption, PgError, encryption};
use crate::store::Store;

/// The open session of a team workspace, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSession {
    /// The database's host and port.
    pub host: String,
    /// Whether the session is encrypted, and what was checked of the certificate.
    pub encryption: Encryption,
    /// Whether it logged in with RDS IAM authentication tokens.
    pub iam_auth: bool,
}

impl TeamSession {
    /// Whether the session is encrypted with the server's certificate verified (against
    /// its CA at least).
    pub fn is_verified(&self) -> bool {
        self.encryption.encrypted && self.encryption.checked != super::tls::Checked::Nothing
    }
}

impl Store {
    /// Whether this is a team workspace (its records on PostgreSQL).
    pub fn is_team(&self) -> bool {
        self.conn.postgres().is_some()
    }

    /// The open session's details; `None` for a local workspace. Asks the server whether
    /// the session is encrypted (one short query).
    pub fn team_session(&self) -> Option<Result<TeamSession, PgError>> {
        let pg = self.conn.postgres()?;
        let url = pg.login().url();
        let encrypted = pg.with_client(|client| encryption(client, url));
        Some(encrypted.map(|encryption| TeamSession {
            host: url.host_shown(),
            encryption,
            iam_auth: url.iam_auth().is_some(),
        }))
    }
}
