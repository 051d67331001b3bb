//! Streaming a JSON findings export: the top-level object is walked key by key, and the
//! list of findings element by element, so only one finding is held at a time.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::common::{Builder, Convert, Outcome};
use super::detect::{describe_keys, unknown};
use super::record::{FindingFile, FindingFileError, FindingFormat};
use super::{asff, inspector, ocsf, ssm};

/// How often, in records, reading checks whether it was cancelled.
const CANCEL_EVERY: usize = 256;

/// Why reading stopped other than at a JSON error.
enum Stop {
    Cancelled,
    AssetNeeded,
    Unknown(String),
}

/// The reading of one JSON file.
struct Ctx<'a> {
    asset: Option<&'a str>,
    cancel: &'a AtomicBool,
    builder: Builder,
    format: Option<FindingFormat>,
    others: Map<String, Value>,
    stop: Option<Stop>,
}

impl Ctx<'_> {
    fn push(&mut self, record: usize, outcome: Outcome) -> Result<(), ()> {
        self.builder.push(record, outcome);
        if record.is_multiple_of(CANCEL_EVERY) && self.cancel.load(Ordering::Relaxed) {
            self.stop = Some(Stop::Cancelled);
            return Err(());
        }
        Ok(())
    }
}

/// The format and reader of the list under a top-level key.
fn list_format(key: &str) -> Option<(FindingFormat, Convert)> {
    Some(match key {
        "findings" => (FindingFormat::InspectorJson, inspector::convert as Convert),
        "Findings" => (FindingFormat::SecurityHubAsff, asff::convert),
        "Patches" => (FindingFormat::SsmInstancePatches, ssm::convert_patch),
        "ComplianceItems" => (FindingFormat::SsmComplianceItems, ssm::convert_item),
        _ => return None,
    })
}

/// Reads a JSON export whose first byte (`{` or `[`) has been seen but not consumed.
pub(crate) fn read<R: Read>(
    reader: R,
    array: bool,
    path: &Path,
    asset: Option<&str>,
    cancel: &AtomicBool,
) -> Result<FindingFile, FindingFileError> {
    let mut ctx = Ctx {
        asset: asset.map(str::trim).filter(|a| !a.is_empty()),
        cancel,
        builder: Builder::default(),
        format: None,
        others: Map::new(),
        stop: None,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    if array {
        ctx.format = Some(FindingFormat::SecurityHubOcsf);
        let seed = ListSeed {
            ctx: &mut ctx,
            convert: ocsf::convert,
            ocsf_array: true,
        };
        seed.deserialize(&mut de)
            .and_then(|()| de.end())
            .map_err(|e| failure(e, &mut ctx, path))?;
        return Ok(ctx.builder.finish(FindingFormat::SecurityHubOcsf));
    }
    TopSeed { ctx: &mut ctx }
        .deserialize(&mut de)
        .map_err(|e| failure(e, &mut ctx, path))?;
    if let Some(format) = ctx.format {
        de.end().map_err(|e| failure(e, &mut ctx, path))?;
        return Ok(ctx.builder.finish(format));
    }
    if !ctx.others.contains_key("class_uid") {
        return Err(unknown(describe_keys(ctx.others.keys()), path));
    }
    // One OCSF record, perhaps the first line of many.
    ctx.format = Some(FindingFormat::SecurityHubOcsf);
    let first = Value::Object(std::mem::take(&mut ctx.others));
    let outcome = ocsf::convert(1, first, ctx.asset);
    ctx.builder.push(1, outcome);
    let mut record = 1;
    while de.end().is_err() {
        let value = Value::deserialize(&mut de).map_err(|e| failure(e, &mut ctx, path))?;
        record += 1;
        let outcome = ocsf::convert(record, value, ctx.asset);
        if ctx.push(record, outcome).is_err() {
            return Err(FindingFileError::Cancelled);
        }
    }
    Ok(ctx.builder.finish(FindingFormat::SecurityHubOcsf))
}

/// The error a JSON failure stands for.
fn failure(error: serde_json::Error, ctx: &mut Ctx<'_>, path: &Path) -> FindingFileError {
    match ctx.stop.take() {
        Some(Stop::Cancelled) => return FindingFileError::Cancelled,
        Some(Stop::AssetNeeded) => {
            return FindingFileError::AssetNeeded {
                path: path.to_path_buf(),
            };
        }
        Some(Stop::Unknown(why)) => return unknown(why, path),
        None => {}
    }
    if ctx.cancel.load(Ordering::Relaxed) {
        return FindingFileError::Cancelled;
    }
    let message = error.to_string();
    let reason = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    if error.is_io() {
        return FindingFileError::Unreadable {
            path: path.to_path_buf(),
            reason: io::Error::new(
                error.io_error_kind().unwrap_or(io::ErrorKind::Other),
                reason,
            ),
        };
    }
    let reason = if error.is_eof() {
        "it ends before the JSON is complete, so the file was cut short".to_string()
    } else {
        reason
    };
    FindingFileError::Invalid {
        format: ctx.format.map(FindingFormat::label).unwrap_or("JSON"),
        line: error.line().max(1),
        reason,
        path: path.to_path_buf(),
    }
}

/// The top-level object: the first key naming a list of findings decides the format and
/// its list is streamed; other keys are kept (for one OCSF record) or skipped.
struct TopSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match list_format(&key) {
                Some((format, convert)) if self.ctx.format.is_none() => {
                    if format == FindingFormat::SsmInstancePatches && self.ctx.asset.is_none() {
                        self.ctx.stop = Some(Stop::AssetNeeded);
                        return Err(de::Error::custom("no asset"));
                    }
                    self.ctx.format = Some(format);
                    map.next_value_seed(ListSeed {
                        ctx: self.ctx,
                        convert,
                        ocsf_array: false,
                    })?;
                }
                _ if self.ctx.format.is_some() => {
                    map.next_value::<de::IgnoredAny>()?;
                }
                _ => {
                    let value = map.next_value::<Value>()?;
                    self.ctx.others.insert(key, value);
                }
            }
        }
        Ok(())
    }
}

/// A list of findings, read one element at a time.
struct ListSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    convert: Convert,
    ocsf_array: bool,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of findings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut record = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            record += 1;
            if self.ocsf_array && record == 1 && value.get("class_uid").is_none() {
                let why = match &value {
                    Value::Object(map) => format!(
                        "a JSON array whose first element has no class_uid (its keys are {})",
                        map.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
                    ),
                    _ => "a JSON array whose elements are not objects".to_string(),
                };
                self.ctx.stop = Some(Stop::Unknown(why));
                return Err(de::Error::custom("not OCSF"));
            }
            let outcome = (self.convert)(record, value, self.ctx.asset);
            if self.ctx.push(record, outcome).is_err() {
                return Err(de::Error::custom("cancelled"));
            }
        }
        Ok(())
    }
}
