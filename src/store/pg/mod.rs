//! The records of a team workspace on PostgreSQL: connecting, with the password from where
//! PostgreSQL's own tools look for it, and the schema's migrations, tracked in the database.
//!
//! The client is the `postgres` crate, the synchronous face of `tokio-postgres`: the store
//! is synchronous throughout (one change, one transaction), the crate is maintained with the
//! async one it wraps, speaks the protocol natively (no libpq to install), and gives
//! `LISTEN`/`NOTIFY` notifications without a runtime of our own.
//!
//! A password never comes from the workspace's settings file. It is taken from the URL given
//! on the command line, else `PGPASSWORD`, else the password file (`PGPASSFILE`, else
//! `~/.pgpass`, read only when no one else may read it, as libpq does), else whoever
//! connects is asked.

pub mod chain;
pub mod details;
pub mod migrate;
pub mod roles;
pub mod tls;
pub mod watch;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use tls::{Checked, SslMode, TlsSettings};

/// What can go wrong reaching the team database.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The URL is not a PostgreSQL connection URL.
    #[error(
        "'{url}' is not a PostgreSQL URL ({reason}); write it as postgres://USER@HOST:PORT/DATABASE"
    )]
    BadUrl {
        /// What was given, without any password.
        url: String,
        /// Why.
        reason: String,
    },
    /// The TLS settings are wrong, or the server's certificate is refused.
    #[error("{0}")]
    Tls(String),
    /// A password was written into a URL that is to be saved.
    #[error(
        "leave the password out of the database URL: Lockstep never stores it, and reads it from PGPASSWORD or ~/.pgpass, or asks"
    )]
    PasswordInUrl,
    /// The server wants a password and none was found or given.
    #[error(
        "the team database at {0} needs a password: put it in ~/.pgpass (host:port:database:user:password, mode 600) or PGPASSWORD, or run the command in a terminal to be asked"
    )]
    NoPassword(String),
    /// The server could not be reached, refused the login, or failed a statement.
    #[error("the team database {what}: {reason}")]
    Database {
        /// What was being done.
        what: String,
        /// The server's or the connection's message.
        reason: String,
    },
    /// The AWS credentials for IAM authentication could not be had.
    #[error(transparent)]
    Aws(#[from] crate::aws::AwsError),
    /// The database's schema is older than this Lockstep's, and this login may not upgrade it.
    #[error(
        "the team database has schema version {found} and this Lockstep needs {known}, which your login may not install: ask the database's owner to run `lockstep workspace connect` (then `lockstep workspace init-roles`) once"
    )]
    NeedsUpgrade {
        /// In the database.
        found: i64,
        /// Needed here.
        known: i64,
    },
    /// A migration recorded as applied to the database was applied from a text other than
    /// the one this build ships under its name.
    #[error(
        "the team database's schema step {0} was applied from a different text than this Lockstep ships; open it with the Lockstep that set it up"
    )]
    ChangedMigration(String),
    /// The database was set up by a newer Lockstep.
    #[error(
        "the team database has schema version {found}, newer than this Lockstep knows ({known}); update Lockstep"
    )]
    TooNew {
        /// In the database.
        found: i64,
        /// Known here.
        known: i64,
    },
}

impl PgError {
    /// Wraps a client error with what was being done.
    pub fn database(what: &str, error: postgres::Error) -> Self {
        let reason = match error.as_db_error() {
            Some(db) => db.message().to_string(),
            None => full_message(&error),
        };
        PgError::Database {
            what: what.to_string(),
            reason,
        }
    }
}

/// A database URL as the settings file keeps it: parsed, and without a password.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    url: String,
    config: Config,
    tls: TlsSettings,
    iam: Option<Arc<IamAuth>>,
}

/// A login that worked: the settings (password included) and the TLS it used, for a second
/// session of the same login.
#[derive(Clone)]
pub struct Login {
    config: Config,
    tls: Option<MakeRustlsConnect>,
    iam: Option<Arc<IamAuth>>,
    url: DatabaseUrl,
}

impl Login {
    /// The URL this login came from (its TLS settings and IAM authentication included).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Opens another session (with a fresh token under RDS IAM authentication).
    pub fn connect(&self) -> Result<Client, PgError> {
        let mut config = self.config.clone();
        if let Some(iam) = &self.iam {
            config.password(iam.token()?);
        }
        self.session(&config)
            .map_err(|e| PgError::database("could not be reached", e))
    }

    fn session(&self, config: &Config) -> Result<Client, postgres::Error> {
        match &self.tls {
            Some(tls) => config.connect(tls.clone()),
            None => config.connect(NoTls),
        }
    }
}

/// RDS IAM authentication: each connection's password is a token signed with the AWS
/// credentials in use, valid 15 minutes, so no database password exists.
pub struct IamAuth {
    /// Where the AWS credentials come from.
    pub chain: Arc<crate::aws::CredentialChain>,
    /// The database's region.
    pub region: String,
    host: String,
    port: u16,
    user: String,
}

impl std::fmt::Debug for IamAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamAuth")
            .field("region", &self.region)
            .field("profile", &self.chain.profile())
            .finish()
    }
}

impl IamAuth {
    /// A fresh token.
    pub fn token(&self) -> Result<String, PgError> {
        let credentials = self.chain.credentials()?;
        Ok(crate::aws::rds::auth_token(
            &credentials,
            &self.host,
            self.port,
            &self.user,
            &self.region,
            crate::store::system_clock()(),
        ))
    }
}

/// Whether a session is encrypted, and how far the server's certificate was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encryption {
    /// TLS is in use.
    pub encrypted: bool,
    /// What was checked of the certificate (nothing when not encrypted).
    pub checked: Checked,
}

impl std::fmt::Display for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match (self.encrypted, self.checked) {
            (false, _) => "not encrypted",
            (true, Checked::Nothing) => "encrypted (TLS), certificate not verified",
            (true, Checked::Ca) => "encrypted (TLS), certificate verified against its CA",
            (true, Checked::Full) => "encrypted (TLS), certificate and host name verified",
        })
    }
}

impl DatabaseUrl {
    /// Reads a `postgres://` URL that may carry a password (given on the command line).
    pub fn parse(url: &str) -> Result<Self, PgError> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(PgError::BadUrl {
                url: redacted(url),
                reason: "it must start with postgres://".into(),
            });
        }
        let (rest, mode, root) = split_tls_params(url);
        let tls = TlsSettings::from_values(mode.as_deref(), root.as_deref())?;
        let mut config = Config::from_str(&rest).map_err(|e| PgError::BadUrl {
            url: redacted(url),
            reason: hide_secrets(&e.to_string(), &passwords_in(url)),
        })?;
        config.ssl_mode(match tls.mode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        if config.get_hosts().is_empty() {
            return Err(PgError::BadUrl {
                url: redacted(url),
                reason: "it names no host".into(),
            });
        }
        Ok(DatabaseUrl {
            url: url.to_string(),
            config,
            tls,
            iam: None,
        })
    }

    /// The same URL logging in with RDS IAM authentication: TLS is needed (RDS refuses a
    /// token in plain text), so `disable` is refused.
    pub fn with_iam_auth(
        mut self,
        chain: Arc<crate::aws::CredentialChain>,
        region: &str,
    ) -> Result<Self, PgError> {
        if self.tls.mode == SslMode::Disable {
            return Err(PgError::Tls(
                "IAM authentication sends a signed token as the password, so it needs TLS: drop sslmode=disable (verify-full with the RDS CA bundle is best)".into(),
            ));
        }
        self.iam = Some(Arc::new(IamAuth {
            chain,
            region: region.to_string(),
            host: self.host(),
            port: self.port(),
            user: self.user(),
        }));
        Ok(self)
    }

    /// The IAM authentication in use, if any.
    pub fn iam_auth(&self) -> Option<&IamAuth> {
        self.iam.as_deref()
    }

    /// The TLS settings the URL gives.
    pub fn tls(&self) -> &TlsSettings {
        &self.tls
    }

    /// The URL to keep in a workspace's settings: as given, with a relative `sslrootcert`
    /// made absolute against `base`.
    pub fn to_keep(&self, base: &Path) -> String {
        let tls::RootCert::File(path) = &self.tls.root else {
            return self.url.clone();
        };
        if path.is_absolute() {
            return self.url.clone();
        }
        let (rest, mode, _) = split_tls_params(&self.url);
        let absolute = base.join(path);
        let mut out = rest;
        let mut sep = if out.contains('?') { '&' } else { '?' };
        if let Some(mode) = mode {
            out.push_str(&format!("{sep}sslmode={}", query_encoded(&mode)));
            sep = '&';
        }
        out.push_str(&format!(
            "{sep}sslrootcert={}",
            query_encoded(&absolute.display().to_string())
        ));
        out
    }

    /// The host the URL names, for messages and the window.
    pub fn host_shown(&self) -> String {
        format!("{}:{}", self.host(), self.port())
    }

    /// Reads a URL that is to be saved: one with a password is refused.
    pub fn parse_to_keep(url: &str) -> Result<Self, PgError> {
        let parsed = Self::parse(url)?;
        if parsed.config.get_password().is_some() {
            return Err(PgError::PasswordInUrl);
        }
        Ok(parsed)
    }

    /// The URL, without any password.
    pub fn shown(&self) -> String {
        redacted(&self.url)
    }

    /// The user the connection logs in as: the URL's, else `PGUSER`, else the system user.
    pub fn user(&self) -> String {
        self.config
            .get_user()
            .map(str::to_string)
            .or_else(|| std::env::var("PGUSER").ok().filter(|u| !u.is_empty()))
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "postgres".to_string())
    }

    /// The host name, as certificates are checked against it.
    pub fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            #[cfg(unix)]
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_string(),
        }
    }

    fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    fn dbname(&self) -> String {
        self.config
            .get_dbname()
            .map(str::to_string)
            .unwrap_or_else(|| self.user())
    }

    /// Connects, finding the password as the module says; `ask` is called last, with the
    /// URL to show, and may give none.
    pub fn connect(&self, ask: &dyn Fn(&str) -> Option<String>) -> Result<Client, PgError> {
        Ok(self.connect_with_config(ask)?.0)
    }

    /// Connects as [`DatabaseUrl::connect`] does, and also returns the settings that
    /// worked (with the password found), for a second session of the same login.
    pub fn connect_with_config(
        &self,
        ask: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(Client, Login), PgError> {
        let tls = self.tls.connector()?;
        let mut config = self.config.clone();
        config.user(&self.user());
        config.application_name("lockstep");
        if let Some(iam) = &self.iam {
            config.password(iam.token()?);
        } else if config.get_password().is_none() {
            let found = std::env::var("PGPASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .or_else(|| {
                    password_file().and_then(|file| {
                        let bytes =
                            crate::input::read(&file, crate::input::MAX_SMALL_BYTES).ok()?;
                        let text = String::from_utf8(bytes).ok()?;
                        pgpass_lookup(
                            &text,
                            &self.host(),
                            self.port(),
                            &self.dbname(),
                            &self.user(),
                        )
                    })
                });
            if let Some(password) = found {
                config.password(password);
            }
        }
        let mut login = Login {
            config,
            tls,
            iam: self.iam.clone(),
            url: self.clone(),
        };
        match login.session(&login.config) {
            Ok(client) => Ok((client, login)),
            Err(error) if login.config.get_password().is_none() && needs_password(&error) => {
                let Some(password) = ask(&self.shown()) else {
                    return Err(PgError::NoPassword(self.shown()));
                };
                login.config.password(password);
                let client = login
                    .session(&login.config)
                    .map_err(|e| self.refused("refused the login", e))?;
                Ok((client, login))
            }
            Err(error) => Err(self.refused("could not be reached", error)),
        }
    }

    /// The error for a failed connection: a refused certificate in one sentence naming the
    /// setting to change, else the server's or the client's message.
    fn refused(&self, what: &str, error: postgres::Error) -> PgError {
        let message = full_message(&error);
        match tls::handshake_reason(&message, &self.tls, &self.host()) {
            Some(reason) => PgError::Tls(format!(
                "the team database at {} was refused: {reason}",
                self.host_shown()
            )),
            None => PgError::database(&format!("at {} {what}", self.shown()), error),
        }
    }
}

/// Whether `client`'s session is encrypted, as the server says, with what `url` checks.
pub fn encryption(client: &mut Client, url: &DatabaseUrl) -> Result<Encryption, PgError> {
    let row = client
        .query_opt(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .map_err(|e| PgError::database("could not say whether it is encrypted", e))?;
    let encrypted = row.map(|r| r.get::<_, bool>(0)).unwrap_or(false);
    Ok(Encryption {
        encrypted,
        checked: if encrypted {
            url.tls.checked()
        } else {
            Checked::Nothing
        },
    })
}

/// The URL without its `sslmode` and `sslrootcert` parameters (which the client library
/// does not know all of), and their values, percent-decoded.
fn split_tls_params(url: &str) -> (String, Option<String>, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None, None);
    };
    let (mut mode, mut root) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match percent_decoded(key).as_str() {
            "sslmode" => mode = Some(percent_decoded(value)),
            "sslrootcert" => root = Some(percent_decoded(value)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, mode, root)
}

/// `text` percent-encoded for a query value.
fn query_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

/// Asks for the database password on the terminal, without echoing it; none when this
/// process has no terminal to ask on (the window started from a desktop, a script).
pub fn ask_on_terminal(shown: &str) -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password(format!("Password for {shown}: "))
        .ok()
        .filter(|p| !p.is_empty())
}

/// Whether a failed connection asked for a password it did not get.
fn needs_password(error: &postgres::Error) -> bool {
    let text = full_message(error);
    text.contains("password missing") || text.contains("password authentication failed")
}

/// An error's message with those of its causes, as the client nests them.
fn full_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `url` with every password replaced by `***`: the one in `USER:PASSWORD@`, a `password=`
/// query parameter, and the `password=` of the keyword form (`host=… password=…`). Whatever
/// else the text holds, each password found in it is hidden wherever it appears.
fn redacted(url: &str) -> String {
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{user}:***@{host}"),
                    None => authority.to_string(),
                },
                None => authority.to_string(),
            };
            let tail = match tail.split_once('?') {
                Some((path, query)) => {
                    let pairs: Vec<String> = query
                        .split('&')
                        .map(|pair| match pair.split_once('=') {
                            Some((key, _)) if is_password_key(key) => format!("{key}=***"),
                            _ => pair.to_string(),
                        })
                        .collect();
                    format!("{path}?{}", pairs.join("&"))
                }
                None => tail.to_string(),
            };
            format!("{scheme}://{authority}{tail}")
        }
        None => redacted_keywords(url),
    };
    hide_secrets(&shown, &passwords_in(url))
}

fn is_password_key(key: &str) -> bool {
    let key = percent_decoded(key);
    key.trim().eq_ignore_ascii_case("password")
}

/// The keyword form with each `password=` value replaced, quoted or not.
fn redacted_keywords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_password_keyword(rest) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let eq = from.find('=').unwrap_or(from.len());
        out.push_str(from[..eq].trim_end());
        out.push_str("=***");
        let value = from[(eq + 1).min(from.len())..].trim_start();
        rest = &value[keyword_value_len(value)..];
    }
    out.push_str(rest);
    out
}

/// Where a `password` keyword (followed by `=`) starts in `text`.
fn find_password_keyword(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("password") {
        let at = from + found;
        let starts_word = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
        let after = lower[at + "password".len()..].trim_start();
        if starts_word && after.starts_with('=') {
            return Some(at);
        }
        from = at + "password".len();
    }
    None
}

/// The length of a keyword value at the start of `value`: single-quoted with `\'`
/// escapes, or up to the next blank.
fn keyword_value_len(value: &str) -> usize {
    if let Some(body) = value.strip_prefix('\'') {
        let mut escaped = false;
        for (at, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '\'' => return at + 2,
                _ => {}
            }
        }
        return value.len();
    }
    value.find(char::is_whitespace).unwrap_or(value.len())
}

/// Every password `text` gives, as written and percent-decoded, in any of the three places.
fn passwords_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((_, rest)) = text.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            found.push(password.to_string());
        }
        if let Some((_, query)) = tail.split_once('?') {
            for pair in query.split('&') {
                if let Some((key, value)) = pair.split_once('=')
                    && is_password_key(key)
                {
                    found.push(value.to_string());
                }
            }
        }
    } else {
        let mut rest = text;
        while let Some(at) = find_password_keyword(rest) {
            let from = &rest[at..];
            let eq = from.find('=').unwrap_or(from.len());
            let value = from[(eq + 1).min(from.len())..].trim_start();
            let len = keyword_value_len(value);
            found.push(value[..len].trim_matches('\'').to_string());
            rest = &value[len..];
        }
    }
    let decoded: Vec<String> = found.iter().map(|p| percent_decoded(p)).collect();
    found.extend(decoded);
    found.retain(|p| !p.is_empty());
    found.sort_by_key(|p| std::cmp::Reverse(p.len()));
    found.dedup();
    found
}

/// `text` with each of `secrets` replaced by `***`.
fn hide_secrets(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        out = out.replace(secret.as_str(), "***");
    }
    out
}

/// `%XX` sequences decoded, others kept.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[at], bytes.get(at + 1), bytes.get(at + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                at += 3;
            }
            (b, ..) => {
                out.push(b);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password file to read, when it exists and only its owner may read it.
fn password_file() -> Option<PathBuf> {
    let path = std::env::var("PGPASSFILE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var("HOME")
                .ok()
                .map(|home| Path::new(&home).join(".pgpass"))
        })?;
    let meta = std::fs::metadata(&path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "{} is readable by others, so it is ignored (chmod 600 it)",
                path.display()
            );
            return None;
        }
    }
    meta.is_file().then_some(path)
}

/// The password for this connection in a `.pgpass` text: the first line whose fields
/// (`host:port:database:user:password`, `*` matching anything, `\:` and `\\` escaped) match.
pub fn pgpass_lookup(
    text: &str,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let port = port.to_string();
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .find_map(|line| {
            let fields = split_pgpass(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            let matches = |field: &String, value: &str| field == "*" || field == value;
            (matches(h, host) && matches(p, &port) && matches(d, dbname) && matches(u, user))
                .then(|| password.clone())
        })
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(field) = fields.last_mut()
                {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_found_by_host_port_database_and_user_with_wildcards_and_escapes() {
        let text = "# team\n\
                    db.internal:5432:audit:ana:first\n\
                    *:5432:*:ben:pa\\:ss\\\\word\n\
                    *:*:*:*:fallback\n";
        let find = |host, port, db, user| pgpass_lookup(text, host, port, db, user);
        assert_eq!(
            find("db.internal", 5432, "audit", "ana").as_deref(),
            Some("first")
        );
        assert_eq!(
            find("other", 5432, "x", "ben").as_deref(),
            Some("pa:ss\\word")
        );
        assert_eq!(
            find("db.internal", 5433, "audit", "ana").as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:1:d:u\n", "h", 1, "d", "u"), None);
    }

    #[test]
    fn urls_are_checked_and_passwords_kept_out_of_what_is_saved_and_shown() {
        let given = DatabaseUrl::parse("postgres://ana:s3cret@db.internal:6432/audit").unwrap();
        assert_eq!(given.shown(), "postgres://ana:***@db.internal:6432/audit");
        assert_eq!((given.host().as_str(), given.port()), ("db.internal", 6432));
        assert_eq!(given.dbname(), "audit");
        assert!(matches!(
            DatabaseUrl::parse_to_keep("postgres://ana:s3cret@db/audit"),
            Err(PgError::PasswordInUrl)
        ));
        let kept = DatabaseUrl::parse_to_keep("postgres://ana@db.internal/audit").unwrap();
        assert_eq!(kept.shown(), "postgres://ana@db.internal/audit");
        for bad in ["mysql://db/x", "postgres://", "db.internal:5432"] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_form_of_password_is_hidden_in_what_is_shown() {
        for (given, shown) in [
            (
                "postgres://ana:s3cr%40t@db/audit?sslmode=bogus",
                "postgres://ana:***@db/audit?sslmode=bogus",
            ),
            (
                "postgres://ana@db/audit?password=s3cret&sslmode=bogus",
                "postgres://ana@db/audit?password=***&sslmode=bogus",
            ),
            (
                "postgres://ana@db/audit?sslmode=bogus&Password=s3cret",
                "postgres://ana@db/audit?sslmode=bogus&Password=***",
            ),
            (
                "host=db user=ana password=s3cret sslmode=bogus",
                "host=db user=ana password=*** sslmode=bogus",
            ),
            (
                "host=db password = 'se cr\\'et' dbname=audit",
                "host=db password=*** dbname=audit",
            ),
        ] {
            assert_eq!(redacted(given), shown, "{given}");
            let error = DatabaseUrl::parse(given)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(
                !error.contains("s3cr") && !error.contains("cr\\'et"),
                "{error}"
            );
        }
    }
}
