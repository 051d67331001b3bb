//! Loading every document a profile imports before it is resolved, so the slow part (files
//! and stored catalogs read through a [`Loader`]) can run before a write transaction opens
//! and the resolution inside it reads only memory.
//!
//! [`prefetch`] walks the profile's imports as [`resolve`](super::resolve) does: each
//! href (a back-matter reference turned into its rlink), and each imported profile's own
//! imports, recursively, until a cycle. It keeps what each load gave, a document or an
//! error, and the [`Prefetched`] loader gives the same answers back. A walk stops where
//! the resolution would stop, so resolving against the prefetched documents gives the same
//! result and the same errors as resolving against the loader itself.

use std::cell::RefCell;
use std::collections::HashMap;

use super::OscalError;
use super::model::{Document, Profile};
use super::resolve::{Loaded, Loader, back_matter_href};

/// The documents a profile's resolution asks for, by the document asking and the href it
/// names, with what the loader answered.
pub struct Prefetched {
    root: String,
    loads: RefCell<HashMap<(String, String), Result<Loaded, OscalError>>>,
}

/// Loads, through `loader`, every document that resolving `profile` will ask for.
pub fn prefetch(profile: &Profile, loader: &dyn Loader) -> Prefetched {
    let prefetched = Prefetched {
        root: loader.root(),
        loads: RefCell::new(HashMap::new()),
    };
    let mut stack = vec![loader.root()];
    prefetched.walk(profile, loader, &mut stack);
    prefetched
}

impl Prefetched {
    /// Loads the imports of the profile on top of `stack`; false where a resolution would
    /// stop (an error or a cycle), so nothing after it is read.
    fn walk(&self, profile: &Profile, loader: &dyn Loader, stack: &mut Vec<String>) -> bool {
        let key = stack.last().cloned().unwrap_or_default();
        for import in &profile.imports {
            let Ok(href) = back_matter_href(profile, &import.href) else {
                return false;
            };
            let loaded = loader.load(&key, &href);
            let next = match &loaded {
                Err(_) => Next::Stop,
                Ok(loaded) if stack.contains(&loaded.key) => Next::Stop,
                Ok(Loaded {
                    key,
                    document: Document::Profile(inner),
                }) => Next::Profile(key.clone(), inner.clone()),
                Ok(_) => Next::Catalog,
            };
            self.loads.borrow_mut().insert((key.clone(), href), loaded);
            match next {
                Next::Stop => return false,
                Next::Catalog => {}
                Next::Profile(inner_key, inner) => {
                    stack.push(inner_key);
                    let went_on = self.walk(&inner, loader, stack);
                    stack.pop();
                    if !went_on {
                        return false;
                    }
                }
            }
        }
        true
    }
}

/// Where a walk goes after one import.
enum Next {
    /// The resolution stops here.
    Stop,
    /// A catalog: on to the next import.
    Catalog,
    /// A profile, by its key: its imports first.
    Profile(String, Box<Profile>),
}

impl Loader for Prefetched {
    fn root(&self) -> String {
        self.root.clone()
    }

    fn load(&self, from: &str, href: &str) -> Result<Loaded, OscalError> {
        let key = (from.to_string(), href.to_string());
        let mut loads = self.loads.borrow_mut();
        if let Some(Ok(loaded)) = loads.get(&key) {
            return Ok(loaded.clone());
        }
        // An error ends the resolution, so it is given once.
        match loads.remove(&key) {
            Some(Err(error)) => Err(error),
            Some(Ok(_)) | None => Err(OscalError::UnresolvedImport {
                href: href.to_string(),
                reason: "it was not read before the import began".to_string(),
            }),
        }
    }
}
