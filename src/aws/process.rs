//! `credential_process`: a profile's command that prints credentials as JSON, as the AWS
//! CLI runs it.
//!
//! The command runs through the shell (`sh -c` on Unix, `cmd /C` on Windows) with no
//! input. Its standard output is read as `{"Version": 1, "AccessKeyId", "SecretAccessKey",
//! "SessionToken", "Expiration"}`; a command that does not finish in time is killed. No
//! message ever repeats what it printed, since that holds the secret.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::AwsError;
use super::sign::Credentials;

/// How long a command may take before it is killed.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);
/// The most of its output that is read.
const MAX_OUTPUT_BYTES: u64 = 1024 * 1024;

/// The error for `profile`'s command.
fn failed(profile: &str, problem: impl Into<String>) -> AwsError {
    AwsError::Process {
        profile: profile.to_string(),
        problem: problem.into(),
    }
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut shell = Command::new("cmd");
        shell.arg("/C").arg(command);
        shell
    } else {
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(command);
        shell
    }
}

/// Runs `command`, the `credential_process` of `profile`, waiting at most `timeout`.
pub(crate) fn run(
    command: &str,
    profile: &str,
    timeout: Duration,
) -> Result<Credentials, AwsError> {
    let mut child = shell(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(profile, format!("could not be started: {e}")))?;
    // Both pipes are drained on their own threads so a chatty command cannot block on a
    // full pipe; the outputs arrive over channels so a grandchild that keeps a pipe open
    // cannot hold this thread.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(
                    profile,
                    format!(
                        "gave no answer within {} seconds and was stopped",
                        timeout.as_secs_f32()
                    ),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(failed(profile, format!("could not be waited for: {e}"))),
        }
    };
    let grace = Duration::from_secs(2);
    let out = stdout.recv_timeout(grace).unwrap_or_default();
    if !status.success() {
        let err = stderr.recv_timeout(grace).unwrap_or_default();
        let text = String::from_utf8_lossy(&err);
        let first = text.lines().map(str::trim).find(|l| !l.is_empty());
        let code = status
            .code()
            .map_or_else(|| "a signal".to_string(), |c| format!("exit status {c}"));
        return Err(failed(
            profile,
            match first {
                Some(line) => format!("failed with {code}: {line}"),
                None => format!("failed with {code}"),
            },
        ));
    }
    parse(&out, profile)
}

/// A thread reading `pipe` to its end (or the output limit), handing the bytes over.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    if let Some(pipe) = pipe {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.take(MAX_OUTPUT_BYTES).read_to_end(&mut bytes);
            let _ = send.send(bytes);
        });
    }
    receive
}

/// The credentials in a command's output.
pub(crate) fn parse(output: &[u8], profile: &str) -> Result<Credentials, AwsError> {
    let json: serde_json::Value = serde_json::from_slice(output).map_err(|_| {
        failed(
            profile,
            "printed something that is not the JSON credentials the AWS CLI defines",
        )
    })?;
    match json.get("Version").and_then(serde_json::Value::as_i64) {
        Some(1) => {}
        Some(other) => {
            return Err(failed(
                profile,
                format!("printed credentials of Version {other}, where only Version 1 exists"),
            ));
        }
        None => {
            return Err(failed(
                profile,
                "printed credentials without \"Version\": 1",
            ));
        }
    }
    let text = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (Some(access_key), Some(secret_key)) = (text("AccessKeyId"), text("SecretAccessKey"))
    else {
        return Err(failed(
            profile,
            "printed no AccessKeyId or no SecretAccessKey",
        ));
    };
    let expires = match text("Expiration") {
        Some(when) => Some(
            DateTime::parse_from_rfc3339(&when)
                .map_err(|_| {
                    failed(
                        profile,
                        "printed an Expiration that is not an RFC 3339 time",
                    )
                })?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(Credentials {
        access_key,
        secret_key,
        session_token: text("SessionToken"),
        expires,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A script in a temp folder that prints `body` and exits with `status`.
    fn script(dir: &tempfile::TempDir, body: &str) -> String {
        let path = dir.path().join("creds.sh");
        std::fs::write(&path, body).unwrap();
        format!("sh '{}'", path.display())
    }

    #[test]
    fn a_command_printing_version_1_gives_its_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let command = script(
            &dir,
            r#"echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s3cr3t", "SessionToken": "tok", "Expiration": "2030-01-02T03:04:05Z"}'"#,
        );
        let got = run(&command, "proc", TIMEOUT).unwrap();
        assert_eq!(got.access_key, "AKIAPROC");
        assert_eq!(got.secret_key, "s3cr3t");
        assert_eq!(got.session_token.as_deref(), Some("tok"));
        assert_eq!(
            got.expires.unwrap().to_rfc3339(),
            "2030-01-02T03:04:05+00:00"
        );
    }

    #[test]
    fn output_that_is_not_json_is_refused_without_repeating_it() {
        let dir = tempfile::tempdir().unwrap();
        let command = script(&dir, "echo 'AccessKeyId=AKIA SecretAccessKey=hunter2'");
        let error = run(&command, "proc", TIMEOUT).unwrap_err().to_string();
        assert!(error.contains("profile 'proc'"), "{error}");
        assert!(error.contains("not the JSON"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn another_version_is_refused() {
        let error = parse(
            br#"{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"}"#,
            "proc",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("Version 2"), "{error}");
    }

    #[test]
    fn a_failing_command_says_its_status_and_first_error_line() {
        let dir = tempfile::tempdir().unwrap();
        let command = script(
            &dir,
            "echo '{\"Version\":1}'\necho 'token expired' >&2\necho 'more' >&2\nexit 3\n",
        );
        let error = run(&command, "proc", TIMEOUT).unwrap_err().to_string();
        assert_eq!(
            error,
            "the credential_process of AWS profile 'proc' failed with exit status 3: token expired"
        );
    }

    #[test]
    fn a_command_that_hangs_is_stopped_at_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let command = script(&dir, "sleep 30\n");
        let started = Instant::now();
        let error = run(&command, "proc", Duration::from_millis(300))
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            error.contains("gave no answer within 0.3 seconds"),
            "{error}"
        );
    }
}
