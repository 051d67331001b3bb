//! Framework baselines: the controls of an OSCAL catalog as a resolved profile selects and
//! tailors them, and the two ways people write a control's id.
//!
//! OSCAL names a control `ac-2.1`; people, workbooks and the board write `AC-2(1)`. Both forms
//! are accepted everywhere a control id is read, and [`label_of`] and [`oscal_id_of`] turn one
//! into the other.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A resolved profile stored in the workspace, as `profile list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// The name projects use to pick it (`--baseline NAME`).
    pub name: String,
    /// The profile's title.
    pub title: String,
    /// The profile's version.
    pub version: String,
    /// The OSCAL version the profile declares.
    pub oscal_version: String,
    /// The name of the catalog its controls come from.
    pub catalog: String,
    /// SHA-256 of the profile file as imported.
    pub sha256: String,
    /// How many controls it selects.
    pub selected: usize,
    /// When it was imported; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "super::stamped::serialize")]
    pub imported_at: DateTime<Utc>,
}

/// Where a parameter's shown text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterSource {
    /// The catalog or profile gives values.
    Value,
    /// No value: the profile or catalog sets a constraint.
    Constraint,
    /// No value: a choice among listed options.
    Selection,
    /// Nothing set: the parameter's label, as an assignment to make.
    Label,
}

/// One parameter of a control, filled in as the baseline tailors it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilledParameter {
    /// OSCAL parameter id (`ac-02_odp.01`).
    pub id: String,
    /// The parameter's label, or blank.
    pub label: String,
    /// The text shown in the statement.
    pub value: String,
    /// Where that text came from.
    pub source: ParameterSource,
    /// The finer parameters this one gathers (OSCAL's `aggregates`): a value given for it
    /// is the value of each of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aggregates: Vec<String>,
}

/// A stretch of a statement that is a filled-in parameter, so the window can highlight it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterSpan {
    /// Byte offset of the first byte in [`FilledText::text`].
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// OSCAL parameter id.
    pub param: String,
}

/// Text with its parameters filled in, remembering where each filled value sits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilledText {
    /// The plain text, one line per statement item, items indented by two spaces per level.
    pub text: String,
    /// Where the filled parameters are, in order, never overlapping.
    pub params: Vec<ParameterSpan>,
}

impl FilledText {
    /// The statement part a parameter fills where it is first used, as the item labels from
    /// the outermost in, joined by dots: `h.1` for AC-2's first "time period". `None` when the
    /// text does not use the parameter or uses it outside any labelled item.
    pub fn part_of(&self, param: &str) -> Option<String> {
        let span = self.params.iter().find(|span| span.param == param)?;
        let head = self.text.get(..span.start)?;
        let mut labels = Vec::new();
        let mut within = usize::MAX;
        for line in head.rsplit('\n') {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if indent >= within {
                continue;
            }
            within = indent;
            if let Some(label) = item_label(trimmed) {
                labels.push(label);
            }
            if indent == 0 {
                break;
            }
        }
        if labels.is_empty() {
            return None;
        }
        labels.reverse();
        Some(labels.join("."))
    }
}

/// The label an item's line starts with (`a.`, `1.`, `(b)`), without its punctuation.
fn item_label(line: &str) -> Option<&str> {
    let word = line.split(' ').next()?;
    let bare = word
        .strip_suffix('.')
        .or_else(|| word.strip_prefix('(').and_then(|w| w.strip_suffix(')')))?;
    let short = (1..=4).contains(&bare.len());
    (short && bare.chars().all(|c| c.is_ascii_alphanumeric())).then_some(bare)
}

/// One control of a resolved baseline, ready to place on a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkControl {
    /// OSCAL id (`ac-2.1`).
    pub id: String,
    /// The id people read (`AC-2(1)`).
    pub label: String,
    /// The family code (`AC`).
    pub family: String,
    /// The family's title (`Access Control`).
    pub family_title: String,
    /// The control's title.
    pub title: String,
    /// The statement, parameters filled in.
    pub statement: FilledText,
    /// The guidance, parameters filled in (blank when none).
    pub guidance: String,
    /// Every parameter the statement or guidance uses, in order of first use.
    pub parameters: Vec<FilledParameter>,
    /// The label of the control this one enhances, if it is an enhancement.
    pub parent: Option<String>,
    /// False when the profile did not select it and it is kept only as a selected
    /// enhancement's parent: shown as context, not tracked.
    pub selected: bool,
    /// Position in the resolved catalog's order.
    pub position: usize,
}

/// The id people read for an OSCAL control id: `ac-2.1` → `AC-2(1)`, `si-4` → `SI-4`.
/// Ids of other shapes are returned upper-cased, unchanged otherwise.
pub fn label_of(oscal_id: &str) -> String {
    let id = oscal_id.trim();
    let mut pieces = id.split('.');
    let base = pieces.next().unwrap_or_default().to_ascii_uppercase();
    let mut label = base;
    for piece in pieces {
        label.push('(');
        label.push_str(piece);
        label.push(')');
    }
    label
}

/// The OSCAL id for a control id written either way: `AC-2(1)`, `ac-2.1`, `AC-02 (01)` and
/// `ac-2(1)` all give `ac-2.1`. Returns `None` for text that is not a control id of the
/// `XX-N` shape (letters, a dash, a number, enhancements in brackets or after dots).
pub fn oscal_id_of(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (family, rest) = compact.split_once('-')?;
    if family.is_empty() || !family.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut numbers = Vec::new();
    let mut current = String::new();
    let mut open = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => current.push(c),
            '(' if !open && !current.is_empty() => {
                numbers.push(std::mem::take(&mut current));
                open = true;
            }
            ')' if open && !current.is_empty() => {
                numbers.push(std::mem::take(&mut current));
                open = false;
            }
            '.' if !open && !current.is_empty() => numbers.push(std::mem::take(&mut current)),
            '.' if !open && current.is_empty() && !numbers.is_empty() => {}
            _ => return None,
        }
    }
    if open {
        return None;
    }
    if !current.is_empty() {
        numbers.push(current);
    }
    if numbers.is_empty() {
        return None;
    }
    let mut id = family.to_ascii_lowercase();
    for (index, number) in numbers.iter().enumerate() {
        let trimmed = number.trim_start_matches('0');
        let number = if trimmed.is_empty() { "0" } else { trimmed };
        id.push(if index == 0 { '-' } else { '.' });
        id.push_str(number);
    }
    Some(id)
}

/// One parameter of a control as a project stands with it: what the baseline shows, the
/// parameter that gathers it (OSCAL's `aggregates`), and the value the organisation gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterState {
    /// Its id (`ac-01_odp.03`).
    pub id: String,
    /// Its label, or blank.
    pub label: String,
    /// What the baseline shows for it: a value, a constraint, a choice or the label.
    pub baseline: String,
    /// Where that text came from.
    pub source: ParameterSource,
    /// The parameter of the same control that gathers this one, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gathered_by: Option<String>,
    /// The value the organisation gave, if any.
    pub value: Option<String>,
}

/// The value a plan states for a parameter, and whether the organisation gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stated<'a> {
    /// The text.
    pub text: &'a str,
    /// True when the organisation gave it (here or to the parameter that gathers it); false
    /// when it is the baseline's value or constraint.
    pub given: bool,
}

impl ParameterState {
    /// Its own value: the one given, else the baseline's value or constraint.
    fn own(&self) -> Option<Stated<'_>> {
        match (&self.value, self.source) {
            (Some(value), _) => Some(Stated {
                text: value,
                given: true,
            }),
            (None, ParameterSource::Value | ParameterSource::Constraint) => Some(Stated {
                text: &self.baseline,
                given: false,
            }),
            (None, _) => None,
        }
    }
}

/// Every parameter of a control with its state: those the text uses, then those they gather
/// that have no entry of their own, each with the value given for it in `given` (by id).
pub fn parameter_states(
    params: &[FilledParameter],
    given: &std::collections::BTreeMap<String, String>,
) -> Vec<ParameterState> {
    let gatherer = |id: &str| {
        params
            .iter()
            .find(|p| p.aggregates.iter().any(|a| a == id))
            .map(|p| p.id.clone())
    };
    let mut out: Vec<ParameterState> = params
        .iter()
        .map(|p| ParameterState {
            id: p.id.clone(),
            label: p.label.clone(),
            baseline: p.value.clone(),
            source: p.source,
            gathered_by: gatherer(&p.id),
            value: given.get(&p.id).cloned(),
        })
        .collect();
    for param in params {
        for child in &param.aggregates {
            if !out.iter().any(|s| &s.id == child) {
                out.push(ParameterState {
                    id: child.clone(),
                    label: String::new(),
                    baseline: param.value.clone(),
                    source: ParameterSource::Label,
                    gathered_by: Some(param.id.clone()),
                    value: given.get(child).cloned(),
                });
            }
        }
    }
    out
}

/// The value the plan states for `states[at]`: its own, else the one of the parameter that
/// gathers it. `None` when the organisation still has to give one.
pub fn stated_value(states: &[ParameterState], at: usize) -> Option<Stated<'_>> {
    let state = states.get(at)?;
    state.own().or_else(|| {
        let parent = state.gathered_by.as_deref()?;
        states.iter().find(|s| s.id == parent)?.own()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_named_by_the_items_it_sits_in() {
        let text = "a. Assign [personnel];\nh. Notify [personnel] within:\n  1. [period] when gone;\n  2. [period] when moved;\nPlain [free] words.";
        let at = |needle: &str, nth: usize| text.match_indices(needle).nth(nth).unwrap().0;
        let span = |param: &str, start: usize, len: usize| ParameterSpan {
            start,
            end: start + len,
            param: param.to_string(),
        };
        let filled = FilledText {
            text: text.to_string(),
            params: vec![
                span("p1", at("[personnel]", 0), 11),
                span("p2", at("[personnel]", 1), 11),
                span("t1", at("[period]", 0), 8),
                span("t2", at("[period]", 1), 8),
                span("free", at("[free]", 0), 6),
            ],
        };
        assert_eq!(filled.part_of("p1").as_deref(), Some("a"));
        assert_eq!(filled.part_of("p2").as_deref(), Some("h"));
        assert_eq!(filled.part_of("t1").as_deref(), Some("h.1"));
        assert_eq!(filled.part_of("t2").as_deref(), Some("h.2"));
        assert_eq!(filled.part_of("free"), None);
        assert_eq!(filled.part_of("unused"), None);
    }

    #[test]
    fn labels_follow_the_way_people_write_ids() {
        assert_eq!(label_of("ac-2.1"), "AC-2(1)");
        assert_eq!(label_of("si-4"), "SI-4");
        assert_eq!(label_of("pe-11.1"), "PE-11(1)");
    }

    #[test]
    fn both_forms_give_the_oscal_id() {
        for text in ["AC-2(1)", "ac-2.1", "AC-02 (01)", "ac-2(1)", " AC-2(1) "] {
            assert_eq!(oscal_id_of(text).as_deref(), Some("ac-2.1"), "{text}");
        }
        assert_eq!(oscal_id_of("SI-4").as_deref(), Some("si-4"));
        assert_eq!(oscal_id_of("ia-2.1.2").as_deref(), Some("ia-2.1.2"));
    }

    #[test]
    fn other_ids_are_not_control_ids() {
        for text in [
            "CC6.1",
            "A.5.15",
            "SRM-CUS-IAM-01",
            "AC-",
            "AC-2(",
            "-2",
            "AC-2(1",
            "",
        ] {
            assert_eq!(oscal_id_of(text), None, "{text}");
        }
    }
}
