//! Hearing other people's changes: every change to a team database ends with a
//! `NOTIFY lockstep_changes` that PostgreSQL delivers when it commits (see the write path).
//! A [`ChangeWatch`] listens on a session of its own, on a thread of its own, and both
//! counts what it heard and wakes whoever draws, so an open window reloads within moments.
//! A lost connection is tried again every few seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use super::Login;
use postgres::fallible_iterator::FallibleIterator;

use crate::store::Store;

/// The channel every change is announced on.
pub const CHANNEL: &str = "lockstep_changes";

/// How long the listener waits for a notification before looking whether it should stop.
const WAIT: Duration = Duration::from_millis(500);
/// How long it waits before connecting again after losing the connection.
const RETRY: Duration = Duration::from_secs(3);

/// A listener for changes made by any session; it stops when dropped.
pub struct ChangeWatch {
    heard: Arc<AtomicU64>,
    seen: u64,
    stop: Arc<AtomicBool>,
}

impl ChangeWatch {
    /// Starts listening with `login`; `wake` is called on each change heard.
    pub fn start(login: Login, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        let heard = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counter, stopping) = (heard.clone(), stop.clone());
        // If the thread cannot start, changes are still seen at the next refresh.
        let _ = thread::Builder::new()
            .name("lockstep-listen".into())
            .spawn(move || listen(&login, &counter, &stopping, &*wake));
        ChangeWatch {
            heard,
            seen: 0,
            stop,
        }
    }

    /// Whether a change was announced since the last call.
    pub fn changed(&mut self) -> bool {
        let now = self.heard.load(Ordering::Acquire);
        let changed = now != self.seen;
        self.seen = now;
        changed
    }
}

impl Drop for ChangeWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn listen(login: &Login, heard: &AtomicU64, stop: &AtomicBool, wake: &(dyn Fn() + Send + Sync)) {
    while !stop.load(Ordering::Acquire) {
        let Ok(mut client) = login.connect() else {
            thread::sleep(RETRY);
            continue;
        };
        if client.batch_execute(&format!("LISTEN {CHANNEL}")).is_err() {
            thread::sleep(RETRY);
            continue;
        }
        while !stop.load(Ordering::Acquire) {
            let lost = {
                let mut notifications = client.notifications();
                let mut waiting = notifications.timeout_iter(WAIT);
                loop {
                    match waiting.next() {
                        Ok(Some(_)) => {
                            heard.fetch_add(1, Ordering::Release);
                            wake();
                        }
                        Ok(None) => break false,
                        Err(_) => break true,
                    }
                }
            };
            if lost || client.is_closed() {
                break;
            }
        }
    }
}

impl Store {
    /// Listens for changes other sessions make, on a team workspace; `None` on a local one.
    pub fn watch_changes(&self, wake: Arc<dyn Fn() + Send + Sync>) -> Option<ChangeWatch> {
        let login = self.conn.postgres()?.login().clone();
        Some(ChangeWatch::start(login, wake))
    }
}
