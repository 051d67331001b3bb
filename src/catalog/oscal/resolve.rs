//! Profile resolution: a profile and the documents it imports in, the controls it selects
//! and tailors out.
//!
//! Each import is resolved to a *source*: a catalog as written, or an imported profile
//! resolved first (the same rules, recursively). From each source the import selects ids
//! (include-all, or include-controls by id and glob pattern with or without child controls,
//! minus exclude-controls; withdrawn controls never), and the merge arranges them: `as-is`
//! keeps the source's groups and the parents of selected enhancements (kept for structure,
//! not selected), `flat` (also the default) lists the selected controls alone. A control
//! imported twice is taken from its first import. Then `modify` sets parameters and alters
//! controls. Alongside the resolved tree, each control keeps the context the board needs
//! whatever the merge: its family's title and the control it enhances.

use std::collections::HashSet;

use super::OscalError;
use super::model::*;
use super::render::render;
use super::source::Source;
use crate::model::FrameworkControl;

/// A document an import names, as the loader found it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// What identifies the document, for cycle detection and messages: a path, or a stored
    /// catalog's name.
    pub key: String,
    /// The document.
    pub document: Document,
}

/// Finds the documents a profile imports.
pub trait Loader {
    /// The key of the profile being resolved, as [`Loaded::key`] would name it.
    fn root(&self) -> String;
    /// Loads what `href` names, as written in the document whose key is `from` (relative
    /// paths are relative to it). Back-matter references are already turned into their
    /// rlink's href.
    fn load(&self, from: &str, href: &str) -> Result<Loaded, OscalError>;
}

/// A resolved profile.
#[derive(Debug, Clone)]
pub struct ResolvedBaseline {
    /// Its controls in resolved order, with the parents an as-is merge keeps.
    pub controls: Vec<FrameworkControl>,
    /// The keys of the catalogs its controls come from, in the order first imported.
    pub catalogs: Vec<String>,
    /// The resolved catalog itself: the selected controls in their groups, tailored.
    pub catalog: Catalog,
}

impl ResolvedBaseline {
    /// How many controls it selects.
    pub fn selected(&self) -> usize {
        self.controls.iter().filter(|c| c.selected).count()
    }

    /// The resolved catalog as an OSCAL 1.1.3 JSON document: what the profile `title`
    /// (version `version`) gives, identified by `uuid`, dated `last_modified` (RFC 3339).
    /// Plans point at it as the baseline they implement.
    pub fn catalog_json(
        &self,
        uuid: &str,
        title: &str,
        version: &str,
        last_modified: &str,
    ) -> Result<Vec<u8>, serde_json::Error> {
        #[derive(serde::Serialize)]
        struct Root<'a> {
            catalog: Body<'a>,
        }
        #[derive(serde::Serialize)]
        struct Body<'a> {
            uuid: &'a str,
            metadata: Meta<'a>,
            #[serde(flatten)]
            catalog: &'a Catalog,
        }
        #[derive(serde::Serialize)]
        struct Meta<'a> {
            title: String,
            #[serde(rename = "last-modified")]
            last_modified: &'a str,
            version: &'a str,
            #[serde(rename = "oscal-version")]
            oscal_version: &'a str,
        }
        let root = Root {
            catalog: Body {
                uuid,
                metadata: Meta {
                    title: format!("{title} (resolved profile catalog)"),
                    last_modified,
                    version: if version.trim().is_empty() {
                        "1"
                    } else {
                        version
                    },
                    oscal_version: "1.1.3",
                },
                catalog: &self.catalog,
            },
        };
        let mut bytes = serde_json::to_vec_pretty(&root)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// Resolves `profile` with the documents `loader` gives, and renders its controls.
pub fn resolve(profile: &Profile, loader: &dyn Loader) -> Result<ResolvedBaseline, OscalError> {
    let mut stack = vec![loader.root()];
    let mut catalogs = Vec::new();
    let source = resolve_profile(profile, loader, &mut stack, &mut catalogs)?;
    let controls = render(&source)?;
    // Controls are stored under their ids ignoring case. Parts a profile adds under an id
    // already used are kept as they are: FedRAMP's own MODERATE profile adds one twice.
    let mut repeated = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for control in &controls {
        let named = format!("control {}", control.id);
        if !seen.insert(control.id.to_ascii_lowercase()) && !repeated.contains(&named) {
            repeated.push(named);
        }
    }
    if !repeated.is_empty() {
        return Err(OscalError::ResolvedDuplicates { ids: repeated });
    }
    if !controls.iter().any(|c| c.selected) {
        return Err(OscalError::Empty);
    }
    Ok(ResolvedBaseline {
        controls,
        catalogs,
        catalog: source.catalog,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MergeMode {
    AsIs,
    Flat,
}

/// Resolves the profile on top of `stack` (its key is the last one).
fn resolve_profile(
    profile: &Profile,
    loader: &dyn Loader,
    stack: &mut Vec<String>,
    catalogs: &mut Vec<String>,
) -> Result<Source, OscalError> {
    let mode = match &profile.merge {
        Some(merge) if merge.custom.is_some() => return Err(OscalError::CustomMerge),
        Some(merge) if merge.as_is == Some(true) => MergeMode::AsIs,
        _ => MergeMode::Flat,
    };
    let key = stack.last().cloned().unwrap_or_default();
    let mut out = Source::default();
    for import in &profile.imports {
        let href = back_matter_href(profile, &import.href)?;
        let loaded = loader.load(&key, &href)?;
        if let Some(at) = stack.iter().position(|k| *k == loaded.key) {
            let mut chain = stack[at..].to_vec();
            chain.push(loaded.key);
            return Err(OscalError::Cycle { chain });
        }
        let source = match loaded.document {
            Document::Catalog(catalog) => {
                if !catalogs.contains(&loaded.key) {
                    catalogs.push(loaded.key.clone());
                }
                Source::of_catalog(*catalog)
            }
            Document::Profile(inner) => {
                stack.push(loaded.key.clone());
                let resolved = resolve_profile(&inner, loader, stack, catalogs);
                stack.pop();
                resolved?
            }
        };
        let mut chosen = select(&source, import, &loaded.key)?;
        chosen.retain(|id| !out.selected.contains(id) && !out.context.contains_key(id));
        match mode {
            MergeMode::AsIs => {
                let groups = prune_groups(&source.catalog.groups, &chosen);
                merge_groups(&mut out.catalog.groups, groups);
                out.catalog
                    .controls
                    .extend(prune_controls(&source.catalog.controls, &chosen));
            }
            MergeMode::Flat => {
                for control in super::all_controls(&source.catalog) {
                    if chosen.contains(&control.id) {
                        out.catalog.controls.push(shallow(control, Vec::new()));
                    }
                }
            }
        }
        out.catalog
            .params
            .extend(source.catalog.params.iter().cloned());
        for control in super::all_controls(&out.catalog) {
            if !out.context.contains_key(&control.id)
                && let Some(context) = source.context.get(&control.id)
            {
                out.context.insert(control.id.clone(), context.clone());
            }
        }
        out.selected.extend(chosen);
    }
    if let Some(modify) = &profile.modify {
        set_parameters(&mut out.catalog, &modify.set_parameters)?;
        alter(&mut out.catalog, &modify.alters)?;
    }
    Ok(out)
}

/// The href an import means: a `#uuid` becomes its back-matter resource's JSON rlink (or its
/// first rlink, which the loader then refuses by format).
pub(super) fn back_matter_href(profile: &Profile, href: &str) -> Result<String, OscalError> {
    let Some(uuid) = href.strip_prefix('#') else {
        return Ok(href.to_string());
    };
    let unresolved = |reason: &str| OscalError::UnresolvedImport {
        href: href.to_string(),
        reason: reason.to_string(),
    };
    let resource = profile
        .back_matter
        .as_ref()
        .and_then(|b| b.resources.iter().find(|r| r.uuid == uuid))
        .ok_or_else(|| unresolved("the profile's back-matter has no resource with that uuid"))?;
    let json = resource.rlinks.iter().find(|r| {
        r.media_type.as_deref().is_some_and(|m| m.contains("json"))
            || r.href.to_ascii_lowercase().ends_with(".json")
    });
    json.or_else(|| resource.rlinks.first())
        .map(|r| r.href.clone())
        .ok_or_else(|| unresolved("its back-matter resource has no rlink"))
}

/// The ids an import selects from its source.
fn select(source: &Source, import: &Import, name: &str) -> Result<HashSet<String>, OscalError> {
    let all = super::all_controls(&source.catalog);
    let known: HashSet<&str> = all.iter().map(|c| c.id.as_str()).collect();
    let mut missing = Vec::new();
    let mut included: HashSet<String> =
        if import.include_all.is_some() || import.include_controls.is_empty() {
            source.selected.clone()
        } else {
            let mut ids = HashSet::new();
            for selector in &import.include_controls {
                ids.extend(matched(&all, &known, selector, &mut missing));
            }
            ids
        };
    if !missing.is_empty() {
        let mut seen = HashSet::new();
        missing.retain(|id| seen.insert(id.clone()));
        return Err(OscalError::MissingControls {
            ids: missing,
            source_name: name.to_string(),
        });
    }
    let mut ignored = Vec::new();
    for selector in &import.exclude_controls {
        for id in matched(&all, &known, selector, &mut ignored) {
            included.remove(&id);
        }
    }
    let withdrawn: HashSet<&str> = all
        .iter()
        .filter(|c| c.is_withdrawn())
        .map(|c| c.id.as_str())
        .collect();
    included.retain(|id| !withdrawn.contains(id.as_str()));
    Ok(included)
}

/// The ids one selector names; ids it names that the source lacks go to `missing`.
fn matched(
    all: &[&Control],
    known: &HashSet<&str>,
    selector: &Selector,
    missing: &mut Vec<String>,
) -> HashSet<String> {
    let mut ids = HashSet::new();
    for id in &selector.with_ids {
        let id = id.trim();
        if known.contains(id) {
            ids.insert(id.to_string());
        } else {
            missing.push(id.to_string());
        }
    }
    for pattern in &selector.matching {
        for control in all {
            if glob(&pattern.pattern, &control.id) {
                ids.insert(control.id.clone());
            }
        }
    }
    let children = selector
        .with_child_controls
        .as_deref()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"));
    if children {
        fn descendants(control: &Control, ids: &mut HashSet<String>) {
            for child in &control.controls {
                ids.insert(child.id.clone());
                descendants(child, ids);
            }
        }
        for control in all {
            if ids.contains(&control.id) {
                let mut below = HashSet::new();
                descendants(control, &mut below);
                ids.extend(below);
            }
        }
    }
    ids
}

/// Whether `text` matches a glob `pattern` (`*` any run, `?` one character).
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|c| *c == '*')
}

/// A control without its child controls, given `children` instead.
fn shallow(control: &Control, children: Vec<Control>) -> Control {
    Control {
        id: control.id.clone(),
        class: control.class.clone(),
        title: control.title.clone(),
        params: control.params.clone(),
        props: control.props.clone(),
        links: control.links.clone(),
        parts: control.parts.clone(),
        controls: children,
    }
}

/// The controls that are chosen or hold chosen ones, in their nesting.
fn prune_controls(controls: &[Control], chosen: &HashSet<String>) -> Vec<Control> {
    controls
        .iter()
        .filter_map(|control| {
            let children = prune_controls(&control.controls, chosen);
            (chosen.contains(&control.id) || !children.is_empty())
                .then(|| shallow(control, children))
        })
        .collect()
}

/// The groups that hold chosen controls, with only those.
fn prune_groups(groups: &[Group], chosen: &HashSet<String>) -> Vec<Group> {
    groups
        .iter()
        .filter_map(|group| {
            let controls = prune_controls(&group.controls, chosen);
            let inner = prune_groups(&group.groups, chosen);
            (!controls.is_empty() || !inner.is_empty()).then(|| Group {
                id: group.id.clone(),
                title: group.title.clone(),
                params: group.params.clone(),
                props: group.props.clone(),
                parts: group.parts.clone(),
                groups: inner,
                controls,
            })
        })
        .collect()
}

/// Adds `new` groups to `into`, merging groups with the same id.
fn merge_groups(into: &mut Vec<Group>, new: Vec<Group>) {
    for group in new {
        let existing = group
            .id
            .as_ref()
            .and_then(|id| into.iter_mut().find(|g| g.id.as_ref() == Some(id)));
        match existing {
            Some(target) => {
                target.controls.extend(group.controls);
                merge_groups(&mut target.groups, group.groups);
            }
            None => into.push(group),
        }
    }
}

/// Every parameter of the catalog, wherever it is declared.
fn params_mut(catalog: &mut Catalog) -> Vec<&mut Parameter> {
    fn controls<'a>(list: &'a mut [Control], out: &mut Vec<&'a mut Parameter>) {
        for control in list {
            out.extend(control.params.iter_mut());
            controls(&mut control.controls, out);
        }
    }
    fn groups<'a>(list: &'a mut [Group], out: &mut Vec<&'a mut Parameter>) {
        for group in list {
            out.extend(group.params.iter_mut());
            controls(&mut group.controls, out);
            groups(&mut group.groups, out);
        }
    }
    let mut out: Vec<&mut Parameter> = catalog.params.iter_mut().collect();
    controls(&mut catalog.controls, &mut out);
    groups(&mut catalog.groups, &mut out);
    out
}

/// Applies the profile's parameter settings: label, values and select replace the
/// catalog's; props, guidelines and constraints are added to them.
fn set_parameters(catalog: &mut Catalog, settings: &[SetParameter]) -> Result<(), OscalError> {
    if settings.is_empty() {
        return Ok(());
    }
    let mut params = params_mut(catalog);
    let mut missing = Vec::new();
    for setting in settings {
        let mut found = false;
        for param in params
            .iter_mut()
            .filter(|p| p.answers_to(&setting.param_id))
        {
            found = true;
            if let Some(label) = &setting.label {
                param.label = Some(label.clone());
            }
            if !setting.values.is_empty() {
                param.values = setting.values.clone();
            }
            if let Some(select) = &setting.select {
                param.select = Some(select.clone());
            }
            param.props.extend(setting.props.iter().cloned());
            param.guidelines.extend(setting.guidelines.iter().cloned());
            param
                .constraints
                .extend(setting.constraints.iter().cloned());
        }
        if !found {
            missing.push(setting.param_id.clone());
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(OscalError::MissingParameters { ids: missing })
    }
}

/// Finds a control anywhere in the catalog.
fn control_mut<'a>(catalog: &'a mut Catalog, id: &str) -> Option<&'a mut Control> {
    fn in_controls<'a>(list: &'a mut [Control], id: &str) -> Option<&'a mut Control> {
        for control in list {
            if control.id == id {
                return Some(control);
            }
            if let Some(found) = in_controls(&mut control.controls, id) {
                return Some(found);
            }
        }
        None
    }
    fn in_groups<'a>(list: &'a mut [Group], id: &str) -> Option<&'a mut Control> {
        for group in list {
            if let Some(found) = in_controls(&mut group.controls, id) {
                return Some(found);
            }
            if let Some(found) = in_groups(&mut group.groups, id) {
                return Some(found);
            }
        }
        None
    }
    if let Some(found) = in_controls(&mut catalog.controls, id) {
        return Some(found);
    }
    in_groups(&mut catalog.groups, id)
}

/// Applies the profile's alters: removes first, then adds, in the order written.
fn alter(catalog: &mut Catalog, alters: &[Alter]) -> Result<(), OscalError> {
    let mut missing = Vec::new();
    for alter in alters {
        let Some(control) = control_mut(catalog, &alter.control_id) else {
            missing.push(alter.control_id.clone());
            continue;
        };
        for remove in &alter.removes {
            remove_from(&mut control.parts, &mut control.props, remove);
        }
        for add in &alter.adds {
            add_to(control, add)?;
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(OscalError::MissingAlterTargets { ids: missing })
    }
}

/// Takes out the parts (at any depth) and props a remove names; every criterion it gives
/// must match.
fn remove_from(parts: &mut Vec<Part>, props: &mut Vec<Property>, remove: &Remove) {
    fn given(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim)
    }
    let name = given(&remove.by_name).or(given(&remove.by_item_name));
    let (class, id, ns) = (
        given(&remove.by_class),
        given(&remove.by_id),
        given(&remove.by_ns),
    );
    if name.is_none() && class.is_none() && id.is_none() && ns.is_none() {
        return;
    }
    let part_matches = |part: &Part| {
        name.is_none_or(|n| part.name == n)
            && class.is_none_or(|c| part.class.as_deref() == Some(c))
            && id.is_none_or(|i| part.id.as_deref() == Some(i))
            && ns.is_none_or(|n| part.ns.as_deref() == Some(n))
    };
    parts.retain(|part| !part_matches(part));
    if id.is_none() {
        props.retain(|prop| {
            !(name.is_none_or(|n| prop.name == n)
                && class.is_none_or(|c| prop.class.as_deref() == Some(c))
                && ns.is_none_or(|n| prop.ns.as_deref() == Some(n)))
        });
    }
    for part in parts.iter_mut() {
        remove_from(&mut part.parts, &mut part.props, remove);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Starting,
    Ending,
    Before,
    After,
}

/// Puts an add's parts, props and params where it says. Its `by-id` may name the control
/// itself (as no `by-id` does), one of the control's parameters, or a part at any depth, as
/// the OSCAL profile resolution specification allows.
fn add_to(control: &mut Control, add: &Add) -> Result<(), OscalError> {
    let position = match add.position.as_deref().map(str::trim) {
        None | Some("ending") | Some("at-end") => Position::Ending,
        Some("starting") | Some("at-start") => Position::Starting,
        Some("before") => Position::Before,
        Some("after") => Position::After,
        Some(other) => {
            return Err(OscalError::BadPosition {
                control: control.id.clone(),
                position: other.to_string(),
            });
        }
    };
    if let Some(title) = &add.title {
        control.title = title.clone();
    }
    let by_id = add
        .by_id
        .as_deref()
        .map(str::trim)
        .filter(|id| *id != control.id);
    let Some(by_id) = by_id else {
        // The control itself: before and after have no sibling to go beside, so they read
        // as its start and its end.
        let position = match position {
            Position::Starting | Position::Before => Position::Starting,
            Position::Ending | Position::After => Position::Ending,
        };
        insert_into(&mut control.parts, &mut control.props, add, position);
        if position == Position::Starting {
            control.params.splice(0..0, add.params.iter().cloned());
        } else {
            control.params.extend(add.params.iter().cloned());
        }
        return Ok(());
    };
    if let Some(at) = control.params.iter().position(|p| p.id == by_id) {
        return add_to_param(control, at, add, position);
    }
    control.params.extend(add.params.iter().cloned());
    let done = match position {
        Position::Starting | Position::Ending => match part_mut(&mut control.parts, by_id) {
            Some(part) => {
                insert_into(&mut part.parts, &mut part.props, add, position);
                true
            }
            None => false,
        },
        Position::Before | Position::After => insert_beside(
            &mut control.parts,
            &mut control.props,
            by_id,
            add,
            position == Position::After,
        ),
    };
    if done {
        Ok(())
    } else {
        Err(OscalError::MissingPart {
            control: control.id.clone(),
            part: by_id.to_string(),
        })
    }
}

/// Adds into, or next to, the control's parameter at `at`: props go into it, params beside
/// it (before or after) or after the control's own; a parameter holds no parts.
fn add_to_param(
    control: &mut Control,
    at: usize,
    add: &Add,
    position: Position,
) -> Result<(), OscalError> {
    if !add.parts.is_empty() {
        return Err(OscalError::PartsIntoParameter {
            control: control.id.clone(),
            param: control.params[at].id.clone(),
        });
    }
    let props = &mut control.params[at].props;
    match position {
        Position::Starting => {
            props.splice(0..0, add.props.iter().cloned());
        }
        Position::Ending | Position::Before | Position::After => {
            props.extend(add.props.iter().cloned());
        }
    }
    let beside = match position {
        Position::Before => at,
        Position::After => at + 1,
        Position::Starting | Position::Ending => control.params.len(),
    };
    control
        .params
        .splice(beside..beside, add.params.iter().cloned());
    Ok(())
}

/// Adds at the start or end of a control's or part's own lists.
fn insert_into(parts: &mut Vec<Part>, props: &mut Vec<Property>, add: &Add, position: Position) {
    if position == Position::Starting {
        parts.splice(0..0, add.parts.iter().cloned());
        props.splice(0..0, add.props.iter().cloned());
    } else {
        parts.extend(add.parts.iter().cloned());
        props.extend(add.props.iter().cloned());
    }
}

/// Adds next to the part `id`: parts as its siblings, props to the element holding it.
fn insert_beside(
    parts: &mut Vec<Part>,
    props: &mut Vec<Property>,
    id: &str,
    add: &Add,
    after: bool,
) -> bool {
    if let Some(at) = parts.iter().position(|p| p.id.as_deref() == Some(id)) {
        let at = if after { at + 1 } else { at };
        parts.splice(at..at, add.parts.iter().cloned());
        props.extend(add.props.iter().cloned());
        return true;
    }
    parts
        .iter_mut()
        .any(|part| insert_beside(&mut part.parts, &mut part.props, id, add, after))
}

/// Finds a part anywhere below `parts`.
fn part_mut<'a>(parts: &'a mut [Part], id: &str) -> Option<&'a mut Part> {
    for part in parts {
        if part.id.as_deref() == Some(id) {
            return Some(part);
        }
        if let Some(found) = part_mut(&mut part.parts, id) {
            return Some(found);
        }
    }
    None
}
