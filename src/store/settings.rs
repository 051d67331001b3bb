//! Workspace settings: the user's name recorded as the actor of every change.

use super::db::{OptionalExtension, params};
use super::write::{Change, Logged};
use super::{Result, Store};
use crate::model::{Action, RuleError, Zone};

const USER_NAME: &str = "user_name";
const TIME_ZONE: &str = "time_zone";

/// The OS user's name, the default actor.
pub fn os_user_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|key| std::env::var(key).ok())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty())
        .or_else(login_of_current_uid)
        .unwrap_or_else(|| "unknown".to_string())
}

/// The name to offer a person choosing how their changes are recorded: their full name where
/// the system has one, else their login; blank for the administrator's account, whose name
/// says nothing about who is working.
pub fn suggested_user_name() -> String {
    let login = os_user_name();
    match os_full_name() {
        Some(full) if !full.eq_ignore_ascii_case(&login) => full,
        _ if login == "root" || login == "unknown" => String::new(),
        _ => login,
    }
}

/// The login name of this process's user from the system's user list, for sessions (such as
/// services and containers) that set no user variables. Linux only; elsewhere none.
fn login_of_current_uid() -> Option<String> {
    let entry = passwd_entry_of_current_uid()?;
    entry.split(':').next().map(str::to_string)
}

/// The person's full name as the system's user list gives it (the first part of the GECOS
/// field, "Ada Lovelace" in `ada:x:1000:1000:Ada Lovelace,,,:/home/ada:/bin/bash`), when it
/// has one. Linux only; elsewhere none.
pub fn os_full_name() -> Option<String> {
    let entry = passwd_entry_of_current_uid()?;
    full_name_of(&entry)
}

/// The full name of a user list line, when its GECOS field holds one.
fn full_name_of(entry: &str) -> Option<String> {
    let gecos = entry.split(':').nth(4)?;
    let name = gecos.split(',').next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// This process's user's line of `/etc/passwd`.
fn passwd_entry_of_current_uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let users = std::fs::read_to_string("/etc/passwd").ok()?;
    users
        .lines()
        .find(|line| line.split(':').nth(2) == Some(uid.as_str()))
        .map(str::to_string)
}

impl Store {
    /// The time zone setting as stored: the computer's when none is set or it does not read.
    pub(super) fn stored_zone(&self) -> Result<Zone> {
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [TIME_ZONE],
                |row| row.get(0),
            )
            .optional()?;
        Ok(stored
            .and_then(|text| text.parse().ok())
            .unwrap_or_default())
    }

    /// Changes the time zone the workspace counts its days in.
    pub fn set_time_zone(&mut self, zone: Zone) -> Result<()> {
        self.write(|tx| {
            let before = tx.store.stored_zone()?;
            if before == zone {
                return Ok(Change::Unchanged(()));
            }
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![TIME_ZONE, zone.to_string()],
            )?;
            let action = Action::TimeZone {
                from: before.to_string(),
                to: zone.to_string(),
            };
            Ok(Change::Made((), Logged::new(None, "", action)))
        })?;
        self.zone = zone;
        Ok(())
    }

    /// The name recorded as the actor of changes: the setting, or the OS user name. In a
    /// team workspace each person logs in to the database as themselves, so there the
    /// setting is kept per login and the login name is the default.
    pub fn user_name(&self) -> Result<String> {
        let (key, login) = self.user_name_key()?;
        let stored: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(stored.or(login).unwrap_or_else(os_user_name))
    }

    /// Whether this user has chosen the name their changes are recorded under (the window
    /// asks on its first run when not).
    pub fn user_name_chosen(&self) -> Result<bool> {
        let (key, _) = self.user_name_key()?;
        let stored: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(stored.is_some())
    }

    /// The settings key of this user's name, and in a team workspace the database login.
    fn user_name_key(&self) -> Result<(String, Option<String>)> {
        if self.conn.postgres().is_none() {
            return Ok((USER_NAME.to_string(), None));
        }
        let login: String = self
            .conn
            .query_row("SELECT session_user", [], |row| row.get(0))?;
        Ok((format!("{USER_NAME}:{login}"), Some(login)))
    }

    /// Changes the name recorded as the actor of later changes.
    pub fn set_user_name(&mut self, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(RuleError::Blank("user name").into());
        }
        self.write(|tx| {
            let before = tx.actor.clone();
            if before == name {
                return Ok(Change::Unchanged(()));
            }
            let (key, _) = tx.store.user_name_key()?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, name],
            )?;
            let mut logged = Logged::new(
                None,
                "",
                Action::UserName {
                    from: before,
                    to: name.to_string(),
                },
            );
            // The row is the new name's first: it is recorded as theirs.
            logged.actor = Some(name.to_string());
            Ok(Change::Made((), logged))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::full_name_of;

    #[test]
    fn the_full_name_is_the_first_part_of_the_gecos_field() {
        assert_eq!(
            full_name_of("ada:x:1000:1000:Ada Lovelace,,,:/home/ada:/bin/bash").as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(
            full_name_of("root:x:0:0:root:/root:/bin/bash").as_deref(),
            Some("root")
        );
        assert_eq!(
            full_name_of("svc:x:998:998::/var/svc:/usr/sbin/nologin"),
            None
        );
        assert_eq!(
            full_name_of("svc:x:998:998: ,,,:/var/svc:/usr/sbin/nologin"),
            None
        );
        assert_eq!(full_name_of("short:x:1"), None);
    }
}
