//! A message for the user and how serious it is: raised by every part of the app, kept in
//! the notification list.

use std::path::PathBuf;

/// How serious a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something worked.
    Info,
    /// Something failed.
    Error,
}

/// A message for the user that stays readable in the notification list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Local time it was raised, `HH:MM:SS`.
    pub at: String,
    /// How serious.
    pub level: Level,
    /// The message.
    pub text: String,
    /// A file the message is about, offered with "Show in folder".
    pub file: Option<PathBuf>,
}
