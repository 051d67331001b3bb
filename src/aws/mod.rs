//! AWS access as the AWS CLI sets it up: credentials from the environment or a profile
//! (static keys, `credential_process`, an assumed role, IAM Identity Center), SigV4
//! signing and presigned URLs, and RDS IAM auth tokens.
//!
//! This is a low layer: it knows nothing of the vault, the workspace or the interface, so
//! anything that talks to AWS (the S3 vault today) can share one [`CredentialChain`]. It
//! talks to STS and the SSO portal itself, with `ureq`, rather than through the AWS SDK,
//! which would bring an async runtime and hundreds of crates for three small calls.

pub mod config;
pub mod credentials;
mod process;
pub mod rds;
pub mod sign;
pub mod sso;
mod sts;
pub mod xml;

use std::path::PathBuf;

pub use credentials::{CredentialChain, Env, MfaPrompt};
pub use sign::Credentials;
pub use sts::CallerIdentity;

/// What can go wrong getting AWS credentials or asking STS.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// A profile asked for is in neither shared file.
    #[error("the AWS profile '{0}' is in neither ~/.aws/config nor ~/.aws/credentials")]
    ProfileNotFound(String),
    /// Following `source_profile` comes back to a profile already on the way.
    #[error("the source_profile of AWS profile '{profile}' leads back in a loop: {}", circle.join(" → "))]
    SourceLoop {
        /// The profile whose source was being resolved.
        profile: String,
        /// The profiles in the circle, the first repeated at the end.
        circle: Vec<String>,
    },
    /// Nothing gave credentials.
    #[error(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the AWS profile '{0}' keys, a role, SSO or a credential_process"
    )]
    NoCredentials(String),
    /// A profile's settings are incomplete or contradict each other.
    #[error("the AWS profile '{profile}' {problem}")]
    Profile {
        /// The profile.
        profile: String,
        /// What is wrong, as the end of the sentence.
        problem: String,
    },
    /// The profile's `credential_process` failed.
    #[error("the credential_process of AWS profile '{profile}' {problem}")]
    Process {
        /// The profile.
        profile: String,
        /// What happened, as the end of the sentence.
        problem: String,
    },
    /// STS would not let the profile assume its role.
    #[error("STS refused AWS profile '{profile}' the role {role}: {code}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    AssumeRoleDenied {
        /// The profile.
        profile: String,
        /// The role's ARN.
        role: String,
        /// STS's error code, such as `AccessDenied`.
        code: String,
        /// STS's message.
        message: String,
    },
    /// The profile's role needs an MFA code and none was given.
    #[error(
        "the AWS profile '{profile}' needs a code from the MFA device {serial}, and none was given"
    )]
    MfaCodeMissing {
        /// The profile.
        profile: String,
        /// The MFA device's serial number or ARN.
        serial: String,
    },
    /// The cached SSO sign-in is missing or past its time.
    #[error(
        "the SSO sign-in for profile {profile} has expired: run `aws sso login --profile {profile}`"
    )]
    SsoExpired {
        /// The profile.
        profile: String,
    },
    /// An AWS service answered with an error.
    #[error("AWS refused {what}: {code} ({status}){}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Service {
        /// What was being asked.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The service's error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// An endpoint could not be reached, or the connection broke.
    #[error("cannot reach the AWS endpoint {endpoint}: {reason}")]
    Unreachable {
        /// Where.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// A shared config file exists but cannot be read.
    #[error("cannot read the AWS settings file ({reason}): {}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}
