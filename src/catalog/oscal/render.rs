//! Rendering resolved controls for people: statements with their items on their own lines,
//! parameters filled in, guidance, and the context the board shows.
//!
//! A parameter reads as the profile or catalog sets it: its values; else its constraints;
//! else its choices (`[Selection (one or more): a; b]`); else what is to be assigned
//! (`[Assignment: label]`). Each filled value in a statement is remembered as a span so the
//! window can highlight it.

use std::collections::HashMap;

use super::model::*;
use super::source::Source;
use super::{MAX_RENDERED_BYTES, OscalError};
use crate::model::{
    FilledParameter, FilledText, FrameworkControl, ParameterSource, ParameterSpan, label_of,
};

/// How deep choices that insert other parameters are followed.
const MAX_NESTING: usize = 4;
/// The most text a whole resolution may produce, counting text built and then dropped.
const MAX_TOTAL_WORK_BYTES: usize = 64 * 1024 * 1024;

/// The resolved controls in order, each rendered. A control whose parameters insert each
/// other into more than [`MAX_RENDERED_BYTES`] of text, or a resolution producing more than
/// [`MAX_TOTAL_WORK_BYTES`] in all, is refused: breadth multiplies as much as depth.
pub(super) fn render(source: &Source) -> Result<Vec<FrameworkControl>, OscalError> {
    let mut params: HashMap<&str, &Parameter> = HashMap::new();
    let mut ordered = Vec::new();
    collect(&source.catalog, &mut params, &mut ordered);
    let mut total_work = 0;
    let mut out = Vec::with_capacity(ordered.len());
    for (position, control) in ordered.into_iter().enumerate() {
        let budget = MAX_RENDERED_BYTES.min(MAX_TOTAL_WORK_BYTES.saturating_sub(total_work));
        let (rendered, work) = render_control(source, &params, control, position, budget);
        total_work += work;
        out.push(rendered.ok_or_else(|| OscalError::TooMuchText {
            control: label_of(&control.id),
        })?);
    }
    Ok(out)
}

/// The controls in document order, and every parameter by its ids.
fn collect<'a>(
    catalog: &'a Catalog,
    params: &mut HashMap<&'a str, &'a Parameter>,
    ordered: &mut Vec<&'a Control>,
) {
    fn add_params<'a>(list: &'a [Parameter], params: &mut HashMap<&'a str, &'a Parameter>) {
        for param in list {
            params.insert(param.id.as_str(), param);
            for prop in param.props.iter().filter(|p| p.name == "alt-identifier") {
                params.entry(prop.value.as_str()).or_insert(param);
            }
        }
    }
    fn controls<'a>(
        list: &'a [Control],
        params: &mut HashMap<&'a str, &'a Parameter>,
        ordered: &mut Vec<&'a Control>,
    ) {
        for control in list {
            add_params(&control.params, params);
            ordered.push(control);
            controls(&control.controls, params, ordered);
        }
    }
    fn groups<'a>(
        list: &'a [Group],
        params: &mut HashMap<&'a str, &'a Parameter>,
        ordered: &mut Vec<&'a Control>,
    ) {
        for group in list {
            add_params(&group.params, params);
            controls(&group.controls, params, ordered);
            groups(&group.groups, params, ordered);
        }
    }
    add_params(&catalog.params, params);
    controls(&catalog.controls, params, ordered);
    groups(&catalog.groups, params, ordered);
}

fn render_control(
    source: &Source,
    params: &HashMap<&str, &Parameter>,
    control: &Control,
    position: usize,
    budget: usize,
) -> (Option<FrameworkControl>, usize) {
    let context = source.context.get(&control.id).cloned().unwrap_or_default();
    let mut filler = Filler {
        params,
        used: Vec::new(),
        work: 0,
        budget,
    };
    let mut statement = FilledText::default();
    if let Some(part) = control.parts.iter().find(|p| p.name == "statement") {
        statement_lines(part, 0, &mut filler, &mut statement, true);
    }
    let mut guidance = FilledText::default();
    for part in control.parts.iter().filter(|p| p.name == "guidance") {
        guidance_text(part, &mut filler, &mut guidance);
    }
    // The control's own parameters the text does not show (those inside a choice the
    // baseline's constraint stands in for) are still its parameters, to be given values.
    for param in &control.params {
        if !filler.over_budget() && !filler.used.iter().any(|p| p.id == param.id) {
            filler.value(&param.id, 0);
        }
    }
    if filler.over_budget() {
        return (None, filler.work);
    }
    let family = control
        .id
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let work = filler.work;
    let rendered = FrameworkControl {
        label: label_of(&control.id),
        id: control.id.clone(),
        family,
        family_title: context.family_title,
        title: control.title.clone(),
        statement,
        guidance: guidance.text,
        parameters: filler.used,
        parent: context.parent.as_deref().map(label_of),
        selected: source.selected.contains(&control.id) && !control.is_withdrawn(),
        position,
    };
    (Some(rendered), work)
}

/// Appends a statement part: its prose, then each item on its own line, indented two
/// spaces per level below the first.
fn statement_lines(
    part: &Part,
    depth: usize,
    filler: &mut Filler<'_>,
    out: &mut FilledText,
    top: bool,
) {
    let prose = part.prose.as_deref().unwrap_or("").trim();
    let label = item_label(part);
    if !prose.is_empty() || !label.is_empty() {
        if !out.text.is_empty() {
            out.text.push('\n');
        }
        if !top {
            out.text.push_str(&"  ".repeat(depth));
        }
        if !label.is_empty() {
            out.text.push_str(label);
            if !prose.is_empty() {
                out.text.push(' ');
            }
        }
        filler.fill(prose, out, true);
    }
    let depth = if top { 0 } else { depth + 1 };
    for child in &part.parts {
        statement_lines(child, depth, filler, out, false);
    }
}

/// The label an item shows (`a.`), preferring the one without a class.
fn item_label(part: &Part) -> &str {
    let labels = || part.props.iter().filter(|p| p.name == "label");
    labels()
        .find(|p| p.class.is_none())
        .or_else(|| labels().next())
        .map(|p| p.value.trim())
        .unwrap_or("")
}

/// Appends guidance prose, paragraph by paragraph.
fn guidance_text(part: &Part, filler: &mut Filler<'_>, out: &mut FilledText) {
    let prose = part.prose.as_deref().unwrap_or("").trim();
    if !prose.is_empty() {
        if !out.text.is_empty() {
            out.text.push_str("\n\n");
        }
        filler.fill(prose, out, false);
    }
    for child in &part.parts {
        guidance_text(child, filler, out);
    }
}

/// Fills parameters into prose, remembering which were used in order of first use.
struct Filler<'a> {
    params: &'a HashMap<&'a str, &'a Parameter>,
    used: Vec<FilledParameter>,
    /// Bytes of text built so far, including text built inside choices.
    work: usize,
    /// The most `work` may reach before filling stops.
    budget: usize,
}

impl Filler<'_> {
    /// Counts `bytes` of text built; whether the budget still holds.
    fn spend(&mut self, bytes: usize) -> bool {
        // Every insert costs at least a byte, so a text of empty inserts is bounded too.
        self.work = self.work.saturating_add(bytes.max(1));
        !self.over_budget()
    }

    fn over_budget(&self) -> bool {
        self.work > self.budget
    }

    /// Appends `prose` to `out` with each `{{ insert: param, ID }}` filled; with `spans`,
    /// remembers where each filled value sits.
    fn fill(&mut self, prose: &str, out: &mut FilledText, spans: bool) {
        let mut rest = prose;
        while let Some(open) = rest.find("{{") {
            out.text.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                out.text.push_str(&rest[open..]);
                return;
            };
            let inside = &after[..close];
            rest = &after[close + 2..];
            match param_of(inside) {
                Some(id) => {
                    let value = self.value(id, 0);
                    if !self.spend(value.len()) {
                        return;
                    }
                    let start = out.text.len();
                    out.text.push_str(&value);
                    if spans {
                        out.params.push(ParameterSpan {
                            start,
                            end: out.text.len(),
                            param: self.canonical(id),
                        });
                    }
                }
                None => {
                    out.text.push_str("{{");
                    out.text.push_str(inside);
                    out.text.push_str("}}");
                }
            }
        }
        out.text.push_str(rest);
    }

    /// The parameter's own id for an id or alt-identifier.
    fn canonical(&self, id: &str) -> String {
        self.params
            .get(id)
            .map(|p| p.id.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The text a parameter shows, recording it as used.
    fn value(&mut self, id: &str, depth: usize) -> String {
        let param = self.params.get(id).copied();
        let (text, source) = match param {
            Some(param) => self.shown(param, depth),
            None => (format!("[Assignment: {id}]"), ParameterSource::Label),
        };
        let canonical = self.canonical(id);
        if !self.used.iter().any(|p| p.id == canonical) {
            self.used.push(FilledParameter {
                id: canonical,
                label: param.and_then(|p| p.label.clone()).unwrap_or_default(),
                value: text.clone(),
                source,
                aggregates: param
                    .map(|p| {
                        p.props
                            .iter()
                            .filter(|prop| prop.name == "aggregates")
                            .map(|prop| prop.value.trim().to_string())
                            .filter(|v| !v.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        text
    }

    fn shown(&mut self, param: &Parameter, depth: usize) -> (String, ParameterSource) {
        let values: Vec<&str> = param
            .values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if !values.is_empty() {
            return (values.join(", "), ParameterSource::Value);
        }
        let constraints: Vec<&str> = param
            .constraints
            .iter()
            .filter_map(|c| c.description.as_deref().map(str::trim))
            .filter(|d| !d.is_empty())
            .collect();
        if !constraints.is_empty() {
            return (constraints.join("; "), ParameterSource::Constraint);
        }
        if let Some(select) = &param.select {
            let choices: Vec<String> = select
                .choice
                .iter()
                .map(|choice| self.plain(choice, depth + 1))
                .collect();
            let how = match select.how_many.as_deref().map(str::trim) {
                Some("one-or-more") => "Selection (one or more)",
                _ => "Selection",
            };
            return (
                format!("[{how}: {}]", choices.join("; ")),
                ParameterSource::Selection,
            );
        }
        let label = param
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .unwrap_or(&param.id);
        (format!("[Assignment: {label}]"), ParameterSource::Label)
    }

    /// A choice's text with its own inserts filled, without spans.
    fn plain(&mut self, text: &str, depth: usize) -> String {
        if depth > MAX_NESTING || self.over_budget() {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                out.push_str(&rest[open..]);
                return out;
            };
            let inside = &after[..close];
            rest = &after[close + 2..];
            match param_of(inside) {
                Some(id) => {
                    let value = self.value(id, depth);
                    if !self.spend(value.len()) {
                        return String::new();
                    }
                    out.push_str(&value);
                }
                None => {
                    out.push_str("{{");
                    out.push_str(inside);
                    out.push_str("}}");
                }
            }
        }
        out.push_str(rest);
        out.trim().to_string()
    }
}

/// The parameter id of an insert's inside (` insert: param, ac-1_prm_1 `).
fn param_of(inside: &str) -> Option<&str> {
    let (kind, rest) = inside.split_once(':')?;
    if kind.trim() != "insert" {
        return None;
    }
    let (what, id) = rest.split_once(',')?;
    (what.trim() == "param")
        .then(|| id.trim())
        .filter(|id| !id.is_empty())
}
