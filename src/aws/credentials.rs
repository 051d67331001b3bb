//! The credential chain: where Lockstep's AWS credentials come from, in the AWS CLI's
//! order, kept fresh for a window that stays open for hours.
//!
//! 1. `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, unless a
//!    profile was named explicitly (the CLI's `--profile` beats keys in the environment;
//!    `AWS_PROFILE` does not).
//! 2. The profile: the one named, else `AWS_PROFILE`, else `default`. A profile with a
//!    `role_arn` assumes that role through STS with the credentials of its
//!    `source_profile` (resolved the same way, except that a source profile with keys of
//!    its own uses those keys) or of the environment (`credential_source = Environment`).
//!    Otherwise an SSO profile exchanges the AWS CLI's cached sign-in for the role's
//!    credentials, then static keys are used, then `credential_process` is run.
//!
//! Credentials are cached and fetched again once they are within five minutes of
//! expiring. A mutex makes callers wait while one of them refreshes, so a refresh (which
//! may run a command or ask for an MFA code) happens once. The environment is taken as a
//! snapshot ([`Env`]) when the chain is made, so tests can give their own without
//! touching the process's variables.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::config::{Settings, SharedConfig};
use super::sign::Credentials;
use super::sts::{self, CallerIdentity, Failure, Sts};
use super::{AwsError, process, sso};

/// Asks the user for the current code of an MFA device: given the profile and the device's
/// serial number, the code, or `None` when the user gives none.
pub type MfaPrompt = Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// Credentials this close to expiring are fetched again.
const REFRESH_BEFORE_SECS: i64 = 5 * 60;

/// A snapshot of environment variables: the process's, or one a test makes.
#[derive(Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the names: the values include secrets.
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("Env").field("names", &names).finish()
    }
}

impl Env {
    /// The process's environment now.
    pub fn from_process() -> Self {
        Env::from_vars(std::env::vars())
    }

    /// An environment of exactly these variables.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The variable's value, when set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The home folder (`HOME`, or `USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(PathBuf::from)
    }

    /// The file named by `variable`, else `~/.aws/NAME`; a leading `~/` is the home.
    fn aws_file(&self, variable: &str, name: &str) -> Option<PathBuf> {
        match self.get(variable) {
            Some(given) => match (given.strip_prefix("~/"), self.home()) {
                (Some(rest), Some(home)) => Some(home.join(rest)),
                _ => Some(PathBuf::from(given)),
            },
            None => self.home().map(|home| home.join(".aws").join(name)),
        }
    }

    /// The keys in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`.
    fn keys(&self) -> Option<Credentials> {
        Some(Credentials {
            access_key: self.get("AWS_ACCESS_KEY_ID")?.to_string(),
            secret_key: self.get("AWS_SECRET_ACCESS_KEY")?.to_string(),
            session_token: self.get("AWS_SESSION_TOKEN").map(str::to_string),
            expires: None,
        })
    }
}

/// Where the chain's credentials come from, decided when it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// Given, as they are.
    Fixed(Credentials),
    /// The environment's keys.
    Environment,
    /// The profile.
    Profile,
}

/// AWS credentials resolved as the AWS CLI resolves them, cached and refreshed. Share it
/// behind an [`Arc`].
pub struct CredentialChain {
    env: Env,
    config: SharedConfig,
    profile: String,
    origin: Origin,
    prompt: Option<MfaPrompt>,
    agent: ureq::Agent,
    cached: Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialChain")
            .field("profile", &self.profile())
            .finish()
    }
}

impl From<Credentials> for Arc<CredentialChain> {
    fn from(credentials: Credentials) -> Self {
        CredentialChain::fixed(credentials)
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout_read(Duration::from_secs(30))
        .timeout_write(Duration::from_secs(30))
        .build()
}

/// Reads a shared file; a missing one is empty.
fn read_shared(path: Option<PathBuf>) -> Result<String, AwsError> {
    let Some(path) = path else {
        return Ok(String::new());
    };
    match crate::input::read(&path, crate::input::MAX_SMALL_BYTES) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(AwsError::Unreadable {
            path,
            reason: e.to_string(),
        }),
    }
}

/// Both keys of a profile, with its session token.
fn static_keys(settings: &Settings) -> Option<Credentials> {
    Some(Credentials {
        access_key: settings.get("aws_access_key_id")?.clone(),
        secret_key: settings.get("aws_secret_access_key")?.clone(),
        session_token: settings.get("aws_session_token").cloned(),
        expires: None,
    })
}

fn incomplete(profile: &str, problem: impl Into<String>) -> AwsError {
    AwsError::Profile {
        profile: profile.to_string(),
        problem: problem.into(),
    }
}

impl CredentialChain {
    /// A chain that always gives `credentials` (for tests and keys given directly).
    pub fn fixed(credentials: Credentials) -> Arc<Self> {
        Arc::new(CredentialChain {
            env: Env::default(),
            config: SharedConfig::default(),
            profile: String::new(),
            origin: Origin::Fixed(credentials.clone()),
            prompt: None,
            agent: agent(),
            cached: Mutex::new(Some(credentials)),
        })
    }

    /// The chain for `profile` (else `AWS_PROFILE`, else `default`) in the process's
    /// environment, with its first credentials fetched now so problems show at once.
    /// `prompt` is asked for MFA codes.
    pub fn resolve(
        profile: Option<&str>,
        prompt: Option<MfaPrompt>,
    ) -> Result<Arc<Self>, AwsError> {
        CredentialChain::resolve_in(Env::from_process(), profile, prompt)
    }

    /// As [`CredentialChain::resolve`], in the environment `env` (`HOME`, `AWS_*`).
    pub fn resolve_in(
        env: Env,
        profile: Option<&str>,
        prompt: Option<MfaPrompt>,
    ) -> Result<Arc<Self>, AwsError> {
        let config = SharedConfig::parse(
            &read_shared(env.aws_file("AWS_CONFIG_FILE", "config"))?,
            &read_shared(env.aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"))?,
        );
        let origin = if profile.is_none() && env.keys().is_some() {
            Origin::Environment
        } else {
            Origin::Profile
        };
        let profile = profile
            .or_else(|| env.get("AWS_PROFILE"))
            .unwrap_or("default")
            .to_string();
        let chain = Arc::new(CredentialChain {
            env,
            config,
            profile,
            origin,
            prompt,
            agent: agent(),
            cached: Mutex::new(None),
        });
        chain.credentials()?;
        Ok(chain)
    }

    /// The profile the credentials come from; `None` when they come from the
    /// environment's keys or were given.
    pub fn profile(&self) -> Option<&str> {
        (self.origin == Origin::Profile).then_some(self.profile.as_str())
    }

    /// The profile's settings, when the chain reads a profile at all.
    fn settings(&self) -> Option<&Settings> {
        match self.origin {
            Origin::Fixed(_) => None,
            _ => self.config.profile(&self.profile),
        }
    }

    /// The region configured: `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's `region`;
    /// `None` when nothing says.
    pub fn region(&self) -> Option<String> {
        self.env
            .get("AWS_REGION")
            .or_else(|| self.env.get("AWS_DEFAULT_REGION"))
            .or_else(|| self.settings()?.get("region").map(String::as_str))
            .map(str::to_string)
    }

    /// The endpoint configured for `service` (its service id, such as `sts`, `s3` or
    /// `sso`): `AWS_ENDPOINT_URL_<ID>`, `AWS_ENDPOINT_URL`, then the profile's
    /// `endpoint_url`; none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
    /// `ignore_configured_endpoint_urls`) is `true`.
    pub fn endpoint(&self, service: &str) -> Option<String> {
        let settings = self.settings();
        let ignore = self
            .env
            .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .or_else(|| {
                settings?
                    .get("ignore_configured_endpoint_urls")
                    .map(String::as_str)
            })
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if ignore {
            return None;
        }
        let id = service.to_ascii_uppercase().replace([' ', '-'], "_");
        self.env
            .get(&format!("AWS_ENDPOINT_URL_{id}"))
            .or_else(|| self.env.get("AWS_ENDPOINT_URL"))
            .or_else(|| settings?.get("endpoint_url").map(String::as_str))
            .map(str::to_string)
    }

    /// Credentials good for at least five more minutes, fetched again when the cached
    /// ones are not.
    pub fn credentials(&self) -> Result<Credentials, AwsError> {
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(credentials) = cached.as_ref()
            && fresh(credentials, Utc::now())
        {
            return Ok(credentials.clone());
        }
        let fetched = self.fetch()?;
        *cached = Some(fetched.clone());
        Ok(fetched)
    }

    /// Who the credentials belong to (STS GetCallerIdentity).
    pub fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let credentials = self.credentials()?;
        let xml = self
            .sts_call("GetCallerIdentity", &[], &credentials)
            .map_err(|failure| match failure {
                Failure::Refused(refusal) => AwsError::Service {
                    what: "to say who these credentials belong to".to_string(),
                    status: refusal.status,
                    code: refusal.code,
                    message: refusal.message,
                },
                Failure::Other(error) => error,
            })?;
        sts::parse_identity(&xml, credentials.expires).ok_or_else(|| AwsError::Service {
            what: "to say who these credentials belong to".to_string(),
            status: 200,
            code: "an answer without Account or Arn".to_string(),
            message: String::new(),
        })
    }

    fn fetch(&self) -> Result<Credentials, AwsError> {
        match &self.origin {
            Origin::Fixed(credentials) => Ok(credentials.clone()),
            Origin::Environment => self
                .env
                .keys()
                .ok_or_else(|| AwsError::NoCredentials(self.profile.clone())),
            Origin::Profile => self.profile_credentials(&self.profile, &mut Vec::new()),
        }
    }

    /// The settings of profile `name`.
    fn profile_settings(&self, name: &str) -> Result<&Settings, AwsError> {
        match self.config.profile(name) {
            Some(settings) => Ok(settings),
            None if name == "default" && name == self.profile => {
                Err(AwsError::NoCredentials(name.to_string()))
            }
            None => Err(AwsError::ProfileNotFound(name.to_string())),
        }
    }

    /// The credentials of profile `name`; `visited` holds the profiles on the way to it.
    fn profile_credentials(
        &self,
        name: &str,
        visited: &mut Vec<String>,
    ) -> Result<Credentials, AwsError> {
        let settings = self.profile_settings(name)?;
        visited.push(name.to_string());
        if let Some(role) = settings.get("role_arn") {
            let source = self.role_source(name, settings, visited)?;
            return self.assume_role(name, settings, role, &source);
        }
        if settings.contains_key("sso_session") || settings.contains_key("sso_start_url") {
            return self.sso_credentials(name, settings);
        }
        if let Some(keys) = static_keys(settings) {
            return Ok(keys);
        }
        if let Some(command) = settings.get("credential_process") {
            return process::run(command, name, process::TIMEOUT);
        }
        Err(AwsError::NoCredentials(name.to_string()))
    }

    /// The credentials profile `name` assumes its role with.
    fn role_source(
        &self,
        name: &str,
        settings: &Settings,
        visited: &mut Vec<String>,
    ) -> Result<Credentials, AwsError> {
        let source = settings.get("source_profile");
        let environment = settings.get("credential_source");
        match (source, environment) {
            (Some(source), None) => self.source_profile(name, source, visited),
            (None, Some(kind)) if kind.eq_ignore_ascii_case("Environment") => {
                self.env.keys().ok_or_else(|| {
                    incomplete(
                        name,
                        "takes its credentials from the environment, where AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set",
                    )
                })
            }
            (None, Some(kind)) => Err(incomplete(
                name,
                format!("has credential_source = {kind}, which Lockstep does not support: use Environment or a source_profile"),
            )),
            (Some(_), Some(_)) => Err(incomplete(
                name,
                "has both a source_profile and a credential_source: keep one",
            )),
            (None, None) => Err(incomplete(
                name,
                "has a role_arn but neither a source_profile nor a credential_source",
            )),
        }
    }

    /// The credentials of `source`, the `source_profile` of `name`: its own keys when it
    /// has them, else whatever it resolves to.
    fn source_profile(
        &self,
        name: &str,
        source: &str,
        visited: &mut Vec<String>,
    ) -> Result<Credentials, AwsError> {
        let settings = self.profile_settings(source)?;
        if let Some(at) = visited.iter().position(|v| v == source) {
            // A profile may name itself as its source when it has keys of its own.
            if source == name
                && let Some(keys) = static_keys(settings)
            {
                return Ok(keys);
            }
            let mut circle = visited[at..].to_vec();
            circle.push(source.to_string());
            return Err(AwsError::SourceLoop {
                profile: name.to_string(),
                circle,
            });
        }
        if let Some(keys) = static_keys(settings) {
            return Ok(keys);
        }
        self.profile_credentials(source, visited)
    }

    /// Sends an STS call to the configured endpoint and region.
    fn sts_call(
        &self,
        action: &str,
        params: &[(&str, String)],
        credentials: &Credentials,
    ) -> Result<String, Failure> {
        let region = self.region().unwrap_or_else(|| "us-east-1".to_string());
        let endpoint = self
            .endpoint("sts")
            .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com"));
        Sts {
            agent: &self.agent,
            endpoint: &endpoint,
            region: &region,
        }
        .call(action, params, credentials)
    }

    /// STS AssumeRole for profile `name`, with `source`'s credentials.
    fn assume_role(
        &self,
        name: &str,
        settings: &Settings,
        role: &str,
        source: &Credentials,
    ) -> Result<Credentials, AwsError> {
        let session = settings
            .get("role_session_name")
            .cloned()
            .unwrap_or_else(|| format!("lockstep-{}", Utc::now().timestamp()));
        let mut params = vec![("RoleArn", role.to_string()), ("RoleSessionName", session)];
        if let Some(id) = settings.get("external_id") {
            params.push(("ExternalId", id.clone()));
        }
        if let Some(secs) = settings.get("duration_seconds") {
            params.push(("DurationSeconds", secs.clone()));
        }
        if let Some(serial) = settings.get("mfa_serial") {
            let code = self
                .prompt
                .as_ref()
                .and_then(|ask| ask(name, serial))
                .map(|code| code.trim().to_string())
                .filter(|code| !code.is_empty())
                .ok_or_else(|| AwsError::MfaCodeMissing {
                    profile: name.to_string(),
                    serial: serial.clone(),
                })?;
            params.push(("SerialNumber", serial.clone()));
            params.push(("TokenCode", code));
        }
        let xml =
            self.sts_call("AssumeRole", &params, source)
                .map_err(|failure| match failure {
                    Failure::Refused(refusal) => AwsError::AssumeRoleDenied {
                        profile: name.to_string(),
                        role: role.to_string(),
                        code: refusal.code,
                        message: refusal.message,
                    },
                    Failure::Other(error) => error,
                })?;
        sts::parse_credentials(&xml).ok_or_else(|| {
            incomplete(
                name,
                format!("got an answer from STS for {role} without credentials"),
            )
        })
    }

    /// The role credentials of an SSO profile, from the AWS CLI's cached sign-in.
    fn sso_credentials(&self, name: &str, settings: &Settings) -> Result<Credentials, AwsError> {
        let (key, region) = match settings.get("sso_session") {
            Some(session) => {
                let section = self.config.sso_session(session).ok_or_else(|| {
                    incomplete(name, format!("names the sso_session {session}, which has no [sso-session {session}] section in ~/.aws/config"))
                })?;
                (session, section.get("sso_region"))
            }
            None => match settings.get("sso_start_url") {
                Some(url) => (url, settings.get("sso_region")),
                None => return Err(incomplete(name, "has no sso_start_url")),
            },
        };
        let region = region.ok_or_else(|| incomplete(name, "has no sso_region"))?;
        let account_id = settings
            .get("sso_account_id")
            .ok_or_else(|| incomplete(name, "has no sso_account_id"))?;
        let role_name = settings
            .get("sso_role_name")
            .ok_or_else(|| incomplete(name, "has no sso_role_name"))?;
        let home = self.env.home().unwrap_or_default();
        let token = sso::cached_token(&sso::cache_file(&home, key), name, Utc::now())?;
        let endpoint = self
            .endpoint("sso")
            .unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com"));
        sso::role_credentials(
            &self.agent,
            &sso::RoleRequest {
                profile: name,
                endpoint: &endpoint,
                token: &token,
                account_id,
                role_name,
            },
        )
    }
}

/// Whether `credentials` are good for at least five more minutes after `now`.
fn fresh(credentials: &Credentials, now: DateTime<Utc>) -> bool {
    credentials
        .expires
        .is_none_or(|expires| expires - now > chrono::Duration::seconds(REFRESH_BEFORE_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain over these file texts, with `vars` as its whole environment; nothing is
    /// fetched.
    fn chain(
        config: &str,
        credentials: &str,
        vars: &[(&str, &str)],
        profile: Option<&str>,
    ) -> CredentialChain {
        let env = Env::from_vars(vars.iter().copied());
        let origin = if profile.is_none() && env.keys().is_some() {
            Origin::Environment
        } else {
            Origin::Profile
        };
        let profile = profile
            .or_else(|| env.get("AWS_PROFILE"))
            .unwrap_or("default")
            .to_string();
        CredentialChain {
            config: SharedConfig::parse(config, credentials),
            env,
            profile,
            origin,
            prompt: None,
            agent: agent(),
            cached: Mutex::new(None),
        }
    }

    const KEYS: &str =
        "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n";
    const ENV_KEYS: [(&str, &str); 2] = [
        ("AWS_ACCESS_KEY_ID", "AKIAENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
    ];

    #[test]
    fn environment_keys_win_unless_a_profile_is_named() {
        let from_env = chain("", KEYS, &ENV_KEYS, None);
        assert_eq!(from_env.credentials().unwrap().access_key, "AKIAENV");
        assert_eq!(from_env.profile(), None);
        let named = chain("", KEYS, &ENV_KEYS, Some("default"));
        assert_eq!(named.credentials().unwrap().access_key, "AKIAFILE");
        assert_eq!(named.profile(), Some("default"));
        let mut vars = ENV_KEYS.to_vec();
        vars.push(("AWS_PROFILE", "default"));
        let by_variable = chain("", KEYS, &vars, None);
        assert_eq!(by_variable.credentials().unwrap().access_key, "AKIAENV");
    }

    #[test]
    fn a_missing_profile_and_missing_credentials_are_named() {
        let error = chain("", KEYS, &[], Some("audit"))
            .credentials()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the AWS profile 'audit' is in neither ~/.aws/config nor ~/.aws/credentials"
        );
        let error = chain("", "", &[], None).credentials().unwrap_err();
        assert!(
            matches!(error, AwsError::NoCredentials(ref p) if p == "default"),
            "{error}"
        );
        let error = chain("[profile a]\nregion = x\n", "", &[], Some("a"))
            .credentials()
            .unwrap_err();
        assert!(
            matches!(error, AwsError::NoCredentials(ref p) if p == "a"),
            "{error}"
        );
    }

    #[test]
    fn source_profile_loops_name_the_circle() {
        let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n\
                      [profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = c\n\
                      [profile c]\nrole_arn = arn:aws:iam::1:role/C\nsource_profile = b\n\
                      [profile self]\nrole_arn = arn:aws:iam::1:role/S\nsource_profile = self\n";
        let error = chain(config, "", &[], Some("a")).credentials().unwrap_err();
        assert_eq!(
            error.to_string(),
            "the source_profile of AWS profile 'c' leads back in a loop: b → c → b"
        );
        let error = chain(config, "", &[], Some("self"))
            .credentials()
            .unwrap_err();
        assert!(
            matches!(&error, AwsError::SourceLoop { circle, .. } if circle == &["self", "self"]),
            "{error}"
        );
    }

    #[test]
    fn a_role_needs_a_source_and_an_mfa_code() {
        let config = "[profile r]\nrole_arn = arn:aws:iam::1:role/R\n\
                      [profile m]\nrole_arn = arn:aws:iam::1:role/M\nsource_profile = default\nmfa_serial = arn:aws:iam::1:mfa/alice\n";
        let error = chain(config, KEYS, &[], Some("r"))
            .credentials()
            .unwrap_err();
        assert!(
            error.to_string().contains("neither a source_profile"),
            "{error}"
        );
        let error = chain(config, KEYS, &[], Some("m"))
            .credentials()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the AWS profile 'm' needs a code from the MFA device arn:aws:iam::1:mfa/alice, and none was given"
        );
    }

    #[test]
    fn endpoints_follow_the_service_variable_then_the_general_one_then_the_profile() {
        let config = "[default]\nendpoint_url = http://profile:1\nregion = eu-west-3\n";
        let vars = [
            ("AWS_ENDPOINT_URL_STS", "http://sts:2"),
            ("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc:4"),
            ("AWS_ENDPOINT_URL", "http://general:3"),
        ];
        let both = chain(config, KEYS, &vars, None);
        assert_eq!(both.endpoint("sts").as_deref(), Some("http://sts:2"));
        assert_eq!(both.endpoint("SSO-OIDC").as_deref(), Some("http://oidc:4"));
        assert_eq!(both.endpoint("s3").as_deref(), Some("http://general:3"));
        let profile_only = chain(config, KEYS, &[], None);
        assert_eq!(
            profile_only.endpoint("s3").as_deref(),
            Some("http://profile:1")
        );
        let mut ignoring = vars.to_vec();
        ignoring.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
        assert_eq!(chain(config, KEYS, &ignoring, None).endpoint("sts"), None);
    }

    #[test]
    fn the_region_comes_from_the_environment_then_the_profile() {
        let config = "[default]\nregion = eu-west-3\n";
        assert_eq!(
            chain(config, KEYS, &[], None).region().as_deref(),
            Some("eu-west-3")
        );
        let vars = [("AWS_DEFAULT_REGION", "ca-central-1")];
        assert_eq!(
            chain(config, KEYS, &vars, None).region().as_deref(),
            Some("ca-central-1")
        );
        let vars = [
            ("AWS_DEFAULT_REGION", "ca-central-1"),
            ("AWS_REGION", "sa-east-1"),
        ];
        assert_eq!(
            chain(config, KEYS, &vars, None).region().as_deref(),
            Some("sa-east-1")
        );
        assert_eq!(chain("", KEYS, &[], None).region(), None);
    }

    #[test]
    fn credentials_close_to_expiring_are_not_fresh() {
        let now = Utc::now();
        let mut credentials = Credentials {
            access_key: "a".into(),
            secret_key: "b".into(),
            session_token: None,
            expires: None,
        };
        assert!(fresh(&credentials, now));
        credentials.expires = Some(now + chrono::Duration::minutes(1));
        assert!(!fresh(&credentials, now));
        credentials.expires = Some(now + chrono::Duration::minutes(30));
        assert!(fresh(&credentials, now));
    }
}
