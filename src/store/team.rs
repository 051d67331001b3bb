//! A team workspace's settings: `workspace.toml` in the workspace folder names the
//! PostgreSQL database that holds the records and the S3 bucket that holds the evidence.
//! Passwords and keys are never written here: the database password comes from
//! `PGPASSWORD`, `~/.pgpass` or a prompt, and S3 credentials from the usual AWS variables
//! or profile files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::pg::{DatabaseUrl, PgError};

/// The settings file inside a team workspace's folder.
pub const TEAM_FILE: &str = "workspace.toml";

/// What `workspace.toml` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSettings {
    /// The records.
    pub database: DatabaseSection,
    /// The evidence.
    pub vault: VaultSection,
    /// Where the AWS credentials come from.
    #[serde(default, skip_serializing_if = "AwsSection::is_empty")]
    pub aws: AwsSection,
}

/// `[aws]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSection {
    /// The profile of `~/.aws/config` to sign in with; `AWS_PROFILE` or the environment's
    /// keys when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl AwsSection {
    fn is_empty(&self) -> bool {
        self.profile.is_none()
    }
}

/// `[database]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    /// `postgres://USER@HOST:PORT/DATABASE`, without a password; `sslmode` and
    /// `sslrootcert` (an absolute path) ride in its query.
    pub url: String,
    /// Log in with RDS IAM authentication tokens instead of a password.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub iam_auth: bool,
    /// The database's region, for IAM authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// `[vault]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultSection {
    /// `s3://BUCKET/PREFIX`.
    pub url: String,
    /// The endpoint of an S3-compatible store; AWS's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The bucket's region.
    pub region: String,
}

/// What can be wrong with a workspace's settings file.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// The file could not be read or written.
    #[error("cannot {what} the team workspace settings ({source}): {path}")]
    File {
        /// Read or write.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("the team workspace settings are not valid ({reason}): {path}")]
    Invalid {
        /// Why.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// The database URL is refused.
    #[error(transparent)]
    Url(#[from] PgError),
}

impl TeamSettings {
    /// The settings of the workspace in `dir`, or `None` for a local workspace.
    pub fn read(dir: &Path) -> Result<Option<Self>, TeamError> {
        let path = dir.join(TEAM_FILE);
        let read = crate::input::read(&path, crate::input::MAX_SMALL_BYTES).and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
            })
        });
        let text = match read {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(TeamError::File {
                    what: "read",
                    path,
                    source,
                });
            }
        };
        let settings: TeamSettings = toml::from_str(&text).map_err(|e| TeamError::Invalid {
            reason: e.message().to_string(),
            path: path.clone(),
        })?;
        settings.database_url()?;
        Ok(Some(settings))
    }

    /// The database URL, checked, without a password.
    pub fn database_url(&self) -> Result<DatabaseUrl, PgError> {
        DatabaseUrl::parse_to_keep(&self.database.url)
    }

    /// The database URL ready to connect: with IAM authentication, the AWS credentials are
    /// resolved (and may be refused) here.
    pub fn database_login(&self) -> Result<DatabaseUrl, PgError> {
        let url = self.database_url()?;
        if !self.database.iam_auth {
            return Ok(url);
        }
        let chain = crate::aws::CredentialChain::resolve(self.aws.profile.as_deref(), None)?;
        self.database_login_with(chain)
    }

    /// The database URL ready to connect, signing any IAM authentication with `chain`.
    pub fn database_login_with(
        &self,
        chain: std::sync::Arc<crate::aws::CredentialChain>,
    ) -> Result<DatabaseUrl, PgError> {
        let url = self.database_url()?;
        if !self.database.iam_auth {
            return Ok(url);
        }
        let region = self
            .database
            .region
            .clone()
            .or_else(|| chain.region())
            .unwrap_or_else(|| self.vault.region.clone());
        url.with_iam_auth(chain, &region)
    }

    /// Writes the settings into `dir`, replacing the file whole.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, TeamError> {
        let path = dir.join(TEAM_FILE);
        let body = toml::to_string(self).map_err(|e| TeamError::Invalid {
            reason: e.to_string(),
            path: path.clone(),
        })?;
        let text = format!(
            "# Lockstep team workspace: records on PostgreSQL, evidence in S3.\n\
             # No password or key is kept here: the database password comes from PGPASSWORD,\n\
             # ~/.pgpass or a prompt, and S3 credentials from the AWS environment or profile.\n\n{body}"
        );
        crate::process::remove_stale_partials(dir, TEAM_FILE);
        let partial = dir.join(crate::process::partial_name(TEAM_FILE, std::process::id()));
        let fail = |source| TeamError::File {
            what: "write",
            path: path.clone(),
            source,
        };
        std::fs::write(&partial, text).map_err(fail)?;
        std::fs::rename(&partial, &path).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            fail(e)
        })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_refuse_a_password_or_an_unknown_key() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(TeamSettings::read(dir.path()).unwrap(), None);
        let settings = TeamSettings {
            database: DatabaseSection {
                url: "postgres://ana@db.internal:5432/audit?sslmode=verify-full&sslrootcert=/etc/rds.pem"
                    .into(),
                iam_auth: true,
                region: Some("eu-west-1".into()),
            },
            vault: VaultSection {
                url: "s3://evidence/audit-2026".into(),
                endpoint: None,
                region: "eu-west-1".into(),
            },
            aws: AwsSection {
                profile: Some("audit".into()),
            },
        };
        settings.write(dir.path()).unwrap();
        assert_eq!(TeamSettings::read(dir.path()).unwrap(), Some(settings));

        let file = dir.path().join(TEAM_FILE);
        std::fs::write(
            &file,
            "[database]\nurl = \"postgres://ana:pw@db/audit\"\n[vault]\nurl = \"s3://b/p\"\nregion = \"us-east-1\"\n",
        )
        .unwrap();
        assert!(matches!(
            TeamSettings::read(dir.path()),
            Err(TeamError::Url(PgError::PasswordInUrl))
        ));
        std::fs::write(
            &file,
            "[database]\nurl = \"postgres://db/a\"\npassword = \"x\"\n",
        )
        .unwrap();
        assert!(matches!(
            TeamSettings::read(dir.path()),
            Err(TeamError::Invalid { .. })
        ));
        std::fs::write(
            &file,
            "[database]\nurl = \"postgres://db/a?sslmode=verify_full\"\n[vault]\nurl = \"s3://b/p\"\nregion = \"us-east-1\"\n",
        )
        .unwrap();
        let error = TeamSettings::read(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("verify_full") && error.contains("verify-full"),
            "{error}"
        );
    }
}
