//! OSCAL catalogs and profiles: reading them, resolving a profile into the controls it
//! selects and tailors, and rendering each control for the board.
//!
//! Reading ([`read_document`], [`parse_document`]) turns one JSON file into a [`Document`],
//! refusing what is not OSCAL JSON with one sentence: XML and YAML editions, files over
//! [`MAX_FILE_BYTES`], invalid JSON (with line and column), and other OSCAL models.
//!
//! Resolution ([`resolve`]) is a pure function of the profile and a [`Loader`] that hands it
//! the documents its imports name, so it is tested without a database or files. It follows
//! the OSCAL profile resolution specification: imports (chains of profiles resolve first,
//! circles are refused and named), include/exclude by id, pattern and child controls, `as-is`
//! and `flat` merges, and `modify` (set-parameters, alters). Rendering turns each
//! resolved control into a [`crate::model::FrameworkControl`] with its parameters filled in.

mod model;
mod prefetch;
mod render;
mod resolve;
mod source;
#[cfg(test)]
mod tests;

use std::io::Read as _;
use std::path::Path;

pub use model::*;
pub use prefetch::{Prefetched, prefetch};
pub use resolve::{Loaded, Loader, ResolvedBaseline, resolve};

/// The largest file read: the full NIST SP 800-53 catalog is 10 MB, so 64 MB leaves room
/// for any real catalog while refusing a mistaken 500 MB file before reading it.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// How many ids an error names before it gives only the count.
const IDS_SHOWN: usize = 5;

/// What can be wrong with an OSCAL file or a profile's resolution. Each message is one
/// sentence; file names come last.
#[derive(Debug, thiserror::Error)]
pub enum OscalError {
    /// The file cannot be read.
    #[error("cannot read {file}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than Lockstep reads.
    #[error(
        "the file is {size_mb} MB, over the {limit_mb} MB Lockstep reads for an OSCAL document: {file}",
        size_mb = size_bytes / (1024 * 1024),
        limit_mb = MAX_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size_bytes: u64,
    },
    /// OSCAL XML or YAML.
    #[error(
        "this looks like OSCAL {format}; Lockstep reads only OSCAL JSON, so use the document's JSON edition: {file}"
    )]
    NotJson {
        /// `XML` or `YAML`.
        format: &'static str,
        /// The file.
        file: String,
    },
    /// The file is not valid JSON.
    #[error("the file is not valid JSON (line {line}, column {column}: {reason}): {file}")]
    InvalidJson {
        /// Where.
        line: usize,
        /// Where on the line.
        column: usize,
        /// What the parser said.
        reason: String,
        /// The file.
        file: String,
    },
    /// JSON, but not an OSCAL catalog or profile.
    #[error(
        "this JSON file is not an OSCAL {expected} (it has no top-level \"{expected}\" object): {file}"
    )]
    NotOscal {
        /// What was expected.
        expected: &'static str,
        /// The file.
        file: String,
    },
    /// Another OSCAL model than the one expected.
    #[error("this is an OSCAL {found}, not a {expected}{hint}: {file}")]
    WrongKind {
        /// What was expected.
        expected: &'static str,
        /// What it is.
        found: &'static str,
        /// What to do instead.
        hint: &'static str,
        /// The file.
        file: String,
    },
    /// An OSCAL document whose shape is wrong.
    #[error("the OSCAL {kind} is malformed (line {line}, column {column}: {reason}): {file}")]
    Malformed {
        /// Catalog or profile.
        kind: &'static str,
        /// Where.
        line: usize,
        /// Where on the line.
        column: usize,
        /// What is wrong.
        reason: String,
        /// The file.
        file: String,
    },
    /// An import that names nothing Lockstep can find.
    #[error("the profile imports '{href}', which cannot be resolved: {reason}")]
    UnresolvedImport {
        /// The href as written (or as its back-matter resource gives it).
        href: String,
        /// Why.
        reason: String,
    },
    /// Profiles importing each other in a circle.
    #[error("the profiles import each other in a circle: {}", chain.join(" → "))]
    Cycle {
        /// Each document of the circle, the first again at the end.
        chain: Vec<String>,
    },
    /// A profile naming controls its source lacks.
    #[error("the profile names {} control{} that {source_name} lacks: {}", ids.len(), plural(ids.len()), listed(ids))]
    MissingControls {
        /// The ids.
        ids: Vec<String>,
        /// The imported document.
        source_name: String,
    },
    /// A profile setting parameters no selected control has.
    #[error("the profile sets {} parameter{} that no selected control has: {}", ids.len(), plural(ids.len()), listed(ids))]
    MissingParameters {
        /// The parameter ids.
        ids: Vec<String>,
    },
    /// A profile altering controls it does not select.
    #[error("the profile alters {} control{} it does not select: {}", ids.len(), plural(ids.len()), listed(ids))]
    MissingAlterTargets {
        /// The control ids.
        ids: Vec<String>,
    },
    /// An alter naming a part the control lacks.
    #[error(
        "the profile adds to '{part}' of control {control}, which has no such part or parameter"
    )]
    MissingPart {
        /// The control.
        control: String,
        /// The part id.
        part: String,
    },
    /// An add putting parts into a parameter, which holds none.
    #[error(
        "the profile adds parts into parameter {param} of control {control}; a parameter holds no parts"
    )]
    PartsIntoParameter {
        /// The control.
        control: String,
        /// The parameter.
        param: String,
    },
    /// An add position outside the four OSCAL names.
    #[error(
        "the profile adds to control {control} at '{position}': use starting, ending, before or after"
    )]
    BadPosition {
        /// The control.
        control: String,
        /// The position written.
        position: String,
    },
    /// A custom merge.
    #[error("the profile asks for a custom merge, which Lockstep does not read: use as-is or flat")]
    CustomMerge,
    /// A profile that selects nothing.
    #[error("the profile selects no controls")]
    Empty,
    /// A catalog giving two controls, parts, parameters or groups the same id.
    #[error("the catalog repeats {} id{} that must be unique: {}: {file}", ids.len(), plural(ids.len()), listed(ids))]
    DuplicateIds {
        /// Each repeated id, with its kind (`control ac-1`).
        ids: Vec<String>,
        /// The file.
        file: String,
    },
    /// Resolution that gives two controls the same id (ignoring case, as they are stored),
    /// as from a catalog stored before ids were checked.
    #[error("the resolved profile repeats {} id{} that must be unique: {}", ids.len(), plural(ids.len()), listed(ids))]
    ResolvedDuplicates {
        /// Each repeated id, with its kind (`control ac-1`).
        ids: Vec<String>,
    },
    /// Parameters whose filled-in text grows past what anyone can read.
    #[error(
        "control {control}'s text grows past {limit_kb} KB once its parameters are filled in (parameters insert each other too many times); the catalog or profile is refused",
        limit_kb = MAX_RENDERED_BYTES / 1024
    )]
    TooMuchText {
        /// The control whose text was being filled in.
        control: String,
    },
}

/// The most text one control may render to, statement, guidance and parameters together.
pub const MAX_RENDERED_BYTES: usize = 512 * 1024;

/// The ids a catalog gives more than once, each with its kind, in document order.
pub fn duplicate_ids(catalog: &Catalog) -> Vec<String> {
    use std::collections::HashSet;
    #[derive(Default)]
    struct Seen<'a> {
        ids: HashSet<(&'static str, &'a str)>,
        repeated: Vec<String>,
    }
    impl<'a> Seen<'a> {
        fn id(&mut self, kind: &'static str, id: &'a str) {
            if !self.ids.insert((kind, id)) {
                let named = format!("{kind} {id}");
                if !self.repeated.contains(&named) {
                    self.repeated.push(named);
                }
            }
        }
        fn params(&mut self, params: &'a [Parameter]) {
            for param in params {
                self.id("parameter", &param.id);
            }
        }
        fn parts(&mut self, parts: &'a [Part]) {
            for part in parts {
                if let Some(id) = &part.id {
                    self.id("part", id);
                }
                self.parts(&part.parts);
            }
        }
        fn controls(&mut self, controls: &'a [Control]) {
            for control in controls {
                self.id("control", &control.id);
                self.params(&control.params);
                self.parts(&control.parts);
                self.controls(&control.controls);
            }
        }
        fn groups(&mut self, groups: &'a [Group]) {
            for group in groups {
                if let Some(id) = &group.id {
                    self.id("group", id);
                }
                self.params(&group.params);
                self.parts(&group.parts);
                self.controls(&group.controls);
                self.groups(&group.groups);
            }
        }
    }
    let mut seen = Seen::default();
    seen.params(&catalog.params);
    seen.controls(&catalog.controls);
    seen.groups(&catalog.groups);
    seen.repeated
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// The first few ids, and how many more.
fn listed(ids: &[String]) -> String {
    let mut text = ids
        .iter()
        .take(IDS_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > IDS_SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - IDS_SHOWN));
    }
    text
}

/// The top level of an OSCAL JSON file: one model's object.
#[derive(serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
struct TopLevel {
    #[serde(default)]
    catalog: Option<Box<Catalog>>,
    #[serde(default)]
    profile: Option<Box<Profile>>,
    #[serde(default)]
    system_security_plan: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    component_definition: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    assessment_plan: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    assessment_results: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    plan_of_action_and_milestones: Option<serde::de::IgnoredAny>,
}

/// Reads an OSCAL JSON file, refusing one over [`MAX_FILE_BYTES`] before reading it.
/// Returns its bytes (for hashing and storing) and the document.
pub fn read_document(
    path: &Path,
    expected: &'static str,
) -> Result<(Vec<u8>, Document), OscalError> {
    let file = path.display().to_string();
    let read_error = |source| OscalError::Read {
        file: file.clone(),
        source,
    };
    let handle = crate::input::open(path).map_err(read_error)?;
    let size_bytes = handle.metadata().map_err(read_error)?.len();
    if size_bytes > MAX_FILE_BYTES {
        return Err(OscalError::TooLarge { file, size_bytes });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size_bytes).unwrap_or(0));
    // The limit is checked again while reading: the file may grow after its size was read.
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(OscalError::TooLarge {
            file,
            size_bytes: bytes.len() as u64,
        });
    }
    let document = parse_document(&bytes, &file, expected)?;
    Ok((bytes, document))
}

/// Reads an OSCAL JSON catalog (see [`read_document`]).
pub fn read_catalog(path: &Path) -> Result<(Vec<u8>, Catalog), OscalError> {
    match read_document(path, "catalog")? {
        (bytes, Document::Catalog(catalog)) => Ok((bytes, *catalog)),
        (_, Document::Profile(_)) => Err(wrong_kind(
            "catalog",
            "profile",
            &path.display().to_string(),
        )),
    }
}

/// Reads an OSCAL JSON profile (see [`read_document`]).
pub fn read_profile(path: &Path) -> Result<(Vec<u8>, Profile), OscalError> {
    match read_document(path, "profile")? {
        (bytes, Document::Profile(profile)) => Ok((bytes, *profile)),
        (_, Document::Catalog(_)) => Err(wrong_kind(
            "profile",
            "catalog",
            &path.display().to_string(),
        )),
    }
}

/// The error for an OSCAL document of another kind than expected.
fn wrong_kind(expected: &'static str, found: &'static str, file: &str) -> OscalError {
    let hint = match found {
        "profile" => "; import it with `lockstep profile import`",
        "catalog" => "; import it with `lockstep catalog import`",
        _ => "",
    };
    OscalError::WrongKind {
        expected,
        found,
        hint,
        file: file.to_string(),
    }
}

/// Parses an OSCAL JSON document; `expected` (`catalog` or `profile`) shapes the message
/// when it is neither. `file` names it in messages.
pub fn parse_document(
    bytes: &[u8],
    file: &str,
    expected: &'static str,
) -> Result<Document, OscalError> {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    check_json_format(text, file)?;
    let top: TopLevel = serde_json::from_slice(text).map_err(|error| {
        use serde_json::error::Category;
        match error.classify() {
            Category::Data => OscalError::Malformed {
                kind: expected,
                line: error.line(),
                column: error.column(),
                reason: data_reason(&error),
                file: file.to_string(),
            },
            _ => OscalError::InvalidJson {
                line: error.line(),
                column: error.column(),
                reason: data_reason(&error),
                file: file.to_string(),
            },
        }
    })?;
    let wrong = |found: &'static str| wrong_kind(expected, found, file);
    let other = other_kind(&top);
    let document = match (top.catalog, top.profile) {
        (Some(catalog), _) => {
            let ids = duplicate_ids(&catalog);
            if !ids.is_empty() {
                return Err(OscalError::DuplicateIds {
                    ids,
                    file: file.to_string(),
                });
            }
            Document::Catalog(catalog)
        }
        (None, Some(profile)) => Document::Profile(profile),
        (None, None) => {
            return Err(match other {
                Some(found) => wrong(found),
                None => OscalError::NotOscal {
                    expected,
                    file: file.to_string(),
                },
            });
        }
    };
    match (&document, expected) {
        (Document::Catalog(_), "profile") => Err(wrong("catalog")),
        (Document::Profile(_), "catalog") => Err(wrong("profile")),
        _ => Ok(document),
    }
}

/// Refuses a file that is XML or YAML, by its name or its first character.
fn check_json_format(text: &[u8], file: &str) -> Result<(), OscalError> {
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let lower = file.to_ascii_lowercase();
    if first == Some(b'<') || lower.ends_with(".xml") {
        return Err(OscalError::NotJson {
            format: "XML",
            file: file.to_string(),
        });
    }
    let json_start = matches!(
        first,
        Some(b'{' | b'[' | b'"' | b'0'..=b'9' | b'-' | b't' | b'f' | b'n')
    );
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || (first.is_some() && !json_start) {
        return Err(OscalError::NotJson {
            format: "YAML",
            file: file.to_string(),
        });
    }
    Ok(())
}

/// The kind of OSCAL document other than a catalog or profile the file holds, if any.
fn other_kind(top: &TopLevel) -> Option<&'static str> {
    if top.system_security_plan.is_some() {
        Some("system security plan")
    } else if top.component_definition.is_some() {
        Some("component definition")
    } else if top.assessment_plan.is_some() {
        Some("assessment plan")
    } else if top.assessment_results.is_some() {
        Some("assessment results")
    } else if top.plan_of_action_and_milestones.is_some() {
        Some("plan of action and milestones")
    } else {
        None
    }
}

/// serde_json's message without its trailing " at line L column C".
fn data_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Every control of a catalog, enhancements included, depth first in document order.
pub fn all_controls(catalog: &Catalog) -> Vec<&Control> {
    fn controls<'a>(list: &'a [Control], out: &mut Vec<&'a Control>) {
        for control in list {
            out.push(control);
            controls(&control.controls, out);
        }
    }
    fn groups<'a>(list: &'a [Group], out: &mut Vec<&'a Control>) {
        for group in list {
            controls(&group.controls, out);
            groups(&group.groups, out);
        }
    }
    let mut out = Vec::new();
    controls(&catalog.controls, &mut out);
    groups(&catalog.groups, &mut out);
    out
}
