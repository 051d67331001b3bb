//! The auditor's request list: a request's lifecycle as a small state machine, the kinds of
//! control reference a list names, and how a column of dates is read.
//!
//! A request moves `open` → `in_progress` → `submitted` → `accepted`, or from `submitted`
//! to `returned` with the auditor's comment and then `in_progress` again. Every other move
//! skips a step and is refused with a sentence naming the statuses that may follow. These
//! rules are pure, so the window, the command line and the import all apply the same ones.
//!
//! Request lists come from auditors' spreadsheets, where dates are written in whatever form
//! the firm uses. ISO dates are always read; `MM/DD/YYYY` and `DD.MM.YYYY` are read only
//! when the whole column proves which part is the day, because `03/04/2027` alone could be
//! either and a wrong guess moves a due date by months.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Control, RuleError, oscal_id_of};

/// Where an auditor's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Received, nobody working on it yet.
    Open,
    /// Someone is collecting the answer.
    InProgress,
    /// Handed to the auditor.
    Submitted,
    /// The auditor accepted the answer.
    Accepted,
    /// The auditor sent it back with a comment.
    Returned,
}

impl RequestStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Open,
        RequestStatus::InProgress,
        RequestStatus::Submitted,
        RequestStatus::Accepted,
        RequestStatus::Returned,
    ];

    /// The word used in the database, the JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::InProgress => "in_progress",
            RequestStatus::Submitted => "submitted",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Returned => "returned",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Open => "Open",
            RequestStatus::InProgress => "In progress",
            RequestStatus::Submitted => "Submitted",
            RequestStatus::Accepted => "Accepted",
            RequestStatus::Returned => "Returned",
        }
    }

    /// The statuses that may follow this one.
    pub fn next(self) -> &'static [RequestStatus] {
        match self {
            RequestStatus::Open => &[RequestStatus::InProgress],
            RequestStatus::InProgress => &[RequestStatus::Submitted],
            RequestStatus::Submitted => &[RequestStatus::Accepted, RequestStatus::Returned],
            RequestStatus::Accepted => &[],
            RequestStatus::Returned => &[RequestStatus::InProgress],
        }
    }

    /// Whether a request at this status can come to `later` by moves of the lifecycle: a
    /// re-imported list that still says this status was written before the team moved the
    /// request on to `later`.
    pub fn leads_to(self, later: RequestStatus) -> bool {
        let mut reached = vec![self];
        let mut index = 0;
        while let Some(status) = reached.get(index).copied() {
            for next in status.next() {
                if !reached.contains(next) {
                    reached.push(*next);
                }
            }
            index += 1;
        }
        reached.iter().skip(1).any(|status| *status == later)
    }

    /// Whether the request is out of the team's hands (submitted or accepted), so a passed
    /// due date no longer makes it overdue.
    pub fn is_answered(self) -> bool {
        matches!(self, RequestStatus::Submitted | RequestStatus::Accepted)
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestStatus {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normal = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        RequestStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == normal)
            .ok_or_else(|| RuleError::UnknownRequestStatus(s.to_string()))
    }
}

/// What a status change needs to know about the request besides its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// Evidence files linked or attached to it (current ones).
    pub files: usize,
    /// Whether it has a written response (after the change).
    pub has_response: bool,
    /// Whether the change carries a comment.
    pub has_comment: bool,
}

/// Checks a move from `from` to `to` of request `id`. Staying at the same status is no move
/// and is allowed; a move that skips a step, submitting without evidence or a response, and
/// returning without the auditor's comment are refused.
pub fn check_request_move(
    id: &str,
    from: RequestStatus,
    to: RequestStatus,
    answer: Answer,
) -> Result<(), RuleError> {
    if from == to {
        return Ok(());
    }
    if !from.next().contains(&to) {
        let allowed = match from.next() {
            [] => "accepted is final".to_string(),
            next => format!(
                "next it can be {}",
                next.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        };
        return Err(RuleError::RequestStepSkipped {
            id: id.to_string(),
            from: from.as_str(),
            to: to.as_str(),
            allowed,
        });
    }
    if to == RequestStatus::Submitted && answer.files == 0 && !answer.has_response {
        return Err(RuleError::SubmitWithoutAnswer(id.to_string()));
    }
    if to == RequestStatus::Returned && !answer.has_comment {
        return Err(RuleError::ReturnWithoutComment(id.to_string()));
    }
    Ok(())
}

/// Whether a request is overdue: its due date has passed and it is neither submitted nor
/// accepted.
pub fn request_is_overdue(status: RequestStatus, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    !status.is_answered() && due.is_some_and(|due| due < today)
}

/// What kind of id a control reference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// One of this project's control ids.
    Control,
    /// A NIST SP 800-53 id, either form (`AC-2(1)`, `ac-2.1`).
    Nist,
    /// A SOC 2 criterion (`CC6.1`, `A1.2`, `PI1.1`).
    Soc2,
    /// An ISO 27001 Annex A clause (`A.5.15`).
    Iso27001,
    /// Anything else, kept as written.
    Text,
}

/// One control reference of a request, as written, with the project's controls it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRef {
    /// As written in the list.
    pub reference: String,
    /// What kind of id it is.
    pub kind: ReferenceKind,
    /// This project's control ids it names (its own id, or controls mapped to that NIST id).
    pub controls: Vec<String>,
}

/// Splits a cell of control references on commas, semicolons and line breaks; blanks and
/// repeats (ignoring case) are dropped.
pub fn split_references(text: &str) -> Vec<String> {
    let mut refs: Vec<String> = Vec::new();
    for piece in text.split([',', ';', '\n', '\r']) {
        let piece = piece.trim();
        if !piece.is_empty() && !refs.iter().any(|r| r.eq_ignore_ascii_case(piece)) {
            refs.push(piece.to_string());
        }
    }
    refs
}

/// The kind of a reference that is not one of the project's control ids.
pub fn reference_kind(reference: &str) -> ReferenceKind {
    let text = reference.trim();
    if is_soc2(text) {
        ReferenceKind::Soc2
    } else if is_iso_annex(text) {
        ReferenceKind::Iso27001
    } else if oscal_id_of(text).is_some() {
        ReferenceKind::Nist
    } else {
        ReferenceKind::Text
    }
}

/// `CC6.1`, `A1.2`, `C1.1`, `PI1.1`, `P4.2`: a prefix, a number, a dot and a number.
fn is_soc2(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let rest = ["CC", "PI", "A", "C", "P"]
        .iter()
        .find_map(|prefix| upper.strip_prefix(prefix));
    let Some(rest) = rest else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    is_number(major) && is_number(minor)
}

/// `A.5.15`, `A.8.1`: `A.` and dotted numbers.
fn is_iso_annex(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("A.").or_else(|| text.strip_prefix("a.")) else {
        return false;
    };
    rest.split('.').all(is_number)
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.len() <= 3 && text.chars().all(|c| c.is_ascii_digit())
}

/// Finds the project's controls a list of references names, by lower-cased id and by OSCAL
/// id (of the control's own id and of the NIST ids mapped to it). Built once per read.
#[derive(Debug, Default)]
pub struct ReferenceIndex {
    by_id: std::collections::HashMap<String, String>,
    by_nist: std::collections::HashMap<String, Vec<String>>,
}

impl ReferenceIndex {
    /// The index of a project's current (not retired) controls.
    pub fn new(controls: &[Control]) -> Self {
        let mut index = ReferenceIndex::default();
        for control in controls.iter().filter(|c| !c.retired) {
            index
                .by_id
                .insert(control.id.to_lowercase(), control.id.clone());
            let nist = oscal_id_of(&control.id)
                .into_iter()
                .chain(control.nist.iter().filter_map(|id| oscal_id_of(id)));
            for oscal in nist {
                let ids = index.by_nist.entry(oscal).or_default();
                if !ids.contains(&control.id) {
                    ids.push(control.id.clone());
                }
            }
        }
        index
    }

    /// The project's control whose id this is, ignoring case.
    pub fn control(&self, id: &str) -> Option<&str> {
        self.by_id
            .get(&id.trim().to_lowercase())
            .map(String::as_str)
    }

    /// Reads one reference.
    pub fn resolve(&self, reference: &str) -> ControlRef {
        if let Some(id) = self.control(reference) {
            return ControlRef {
                reference: reference.to_string(),
                kind: ReferenceKind::Control,
                controls: vec![id.to_string()],
            };
        }
        let kind = reference_kind(reference);
        let controls = match kind {
            ReferenceKind::Nist => oscal_id_of(reference)
                .and_then(|oscal| self.by_nist.get(&oscal))
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        ControlRef {
            reference: reference.to_string(),
            kind,
            controls,
        }
    }
}

/// How the dates of one column are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFormat {
    /// `YYYY-MM-DD` only.
    Iso,
    /// `MM/DD/YYYY` (and ISO).
    MonthFirst,
    /// `DD.MM.YYYY` (and ISO).
    DayFirst,
}

impl DateFormat {
    /// How people write it.
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::MonthFirst => "MM/DD/YYYY",
            DateFormat::DayFirst => "DD.MM.YYYY",
        }
    }

    /// Reads one date in this format (ISO is always read too); `None` when it is not one.
    pub fn parse(self, text: &str) -> Option<NaiveDate> {
        let text = text.trim();
        if let Ok(day) = super::parse_date(text) {
            return Some(day);
        }
        let (separator, month_first) = match self {
            DateFormat::Iso => return None,
            DateFormat::MonthFirst => ('/', true),
            DateFormat::DayFirst => ('.', false),
        };
        let (a, b, year) = split_date(text, separator)?;
        let (month, day) = if month_first { (a, b) } else { (b, a) };
        NaiveDate::from_ymd_opt(year, month, day)
    }
}

/// `a?b?yyyy` with one- or two-digit parts and a four-digit year.
fn split_date(text: &str, separator: char) -> Option<(u32, u32, i32)> {
    let mut parts = text.split(separator);
    let (a, b, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(1..=2).contains(&a.len())
        || !(1..=2).contains(&b.len())
        || year.len() != 4
        || ![a, b, year]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, year.parse().ok()?))
}

/// Why a column's dates cannot be read safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateColumnError {
    /// Slashes and dots in one column.
    #[error(
        "the {column} column mixes dates with slashes ({slash} on line {slash_line}) and dots ({dot} on line {dot_line}); write them all as YYYY-MM-DD"
    )]
    Mixed {
        /// The column.
        column: String,
        /// A date with slashes.
        slash: String,
        /// Its line.
        slash_line: u64,
        /// A date with dots.
        dot: String,
        /// Its line.
        dot_line: u64,
    },
    /// Every date could be read with the day first or the month first.
    #[error(
        "the dates of the {column} column could be month-first or day-first ({example} on line {line} is either), so they are not guessed; write them as YYYY-MM-DD"
    )]
    Ambiguous {
        /// The column.
        column: String,
        /// A date that reads both ways.
        example: String,
        /// Its line.
        line: u64,
    },
    /// The dates put the day first with slashes or the month first with dots.
    #[error(
        "the {column} column writes {example} on line {line}, which is neither MM/DD/YYYY nor DD.MM.YYYY; write the dates as YYYY-MM-DD"
    )]
    Unusual {
        /// The column.
        column: String,
        /// The date.
        example: String,
        /// Its line.
        line: u64,
    },
}

/// Decides how a column's dates are written from all its cells (line, text). Blank cells
/// and cells that are no date of any form are left for the row to refuse.
pub fn detect_date_format(
    column: &str,
    cells: &[(u64, &str)],
) -> Result<DateFormat, DateColumnError> {
    let mut slashes = Vec::new();
    let mut dots = Vec::new();
    for &(line, text) in cells {
        let text = text.trim();
        if let Some(parts) = split_date(text, '/') {
            slashes.push((line, text, parts));
        } else if let Some(parts) = split_date(text, '.') {
            dots.push((line, text, parts));
        }
    }
    match (slashes.first(), dots.first()) {
        (None, None) => Ok(DateFormat::Iso),
        (Some(slash), Some(dot)) => Err(DateColumnError::Mixed {
            column: column.to_string(),
            slash: slash.1.to_string(),
            slash_line: slash.0,
            dot: dot.1.to_string(),
            dot_line: dot.0,
        }),
        (Some(_), None) => one_order(column, &slashes, DateFormat::MonthFirst),
        (None, Some(_)) => one_order(column, &dots, DateFormat::DayFirst),
    }
}

/// Checks that dates written `a?b?yyyy` all fit `format` and that at least one of them
/// could only be read that way.
fn one_order(
    column: &str,
    dates: &[(u64, &str, (u32, u32, i32))],
    format: DateFormat,
) -> Result<DateFormat, DateColumnError> {
    let month_first = format == DateFormat::MonthFirst;
    let mut proven = false;
    for &(line, text, (a, b, _)) in dates {
        let (month, day) = if month_first { (a, b) } else { (b, a) };
        if month > 12 {
            return Err(DateColumnError::Unusual {
                column: column.to_string(),
                example: text.to_string(),
                line,
            });
        }
        if day > 12 {
            proven = true;
        }
    }
    match dates.first() {
        Some(&(line, text, _)) if !proven => Err(DateColumnError::Ambiguous {
            column: column.to_string(),
            example: text.to_string(),
            line,
        }),
        _ => Ok(format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    fn answer(files: usize, has_response: bool, has_comment: bool) -> Answer {
        Answer {
            files,
            has_response,
            has_comment,
        }
    }

    #[test]
    fn a_status_leads_to_those_the_lifecycle_reaches_from_it() {
        use RequestStatus::*;
        assert!(Open.leads_to(Accepted));
        assert!(InProgress.leads_to(Returned));
        assert!(Returned.leads_to(Submitted));
        assert!(!Accepted.leads_to(Open));
        assert!(!Submitted.leads_to(Open));
    }

    #[test]
    fn the_lifecycle_moves_one_step_at_a_time() {
        let any = answer(1, true, true);
        for (from, to) in [
            (Open, InProgress),
            (InProgress, Submitted),
            (Submitted, Accepted),
            (Submitted, Returned),
            (Returned, InProgress),
            (Open, Open),
        ] {
            assert_eq!(
                check_request_move("R-1", from, to, any),
                Ok(()),
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn a_skipped_step_names_the_statuses_that_may_follow() {
        let error = check_request_move("R-1", Open, Submitted, answer(1, true, false)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "request R-1 is open and cannot become submitted: next it can be in_progress"
        );
        let error =
            check_request_move("R-1", Submitted, InProgress, answer(1, true, true)).unwrap_err();
        assert!(
            error.to_string().ends_with("accepted or returned"),
            "{error}"
        );
        let error =
            check_request_move("R-1", Accepted, Returned, answer(1, true, true)).unwrap_err();
        assert!(error.to_string().contains("accepted is final"), "{error}");
    }

    #[test]
    fn submitting_needs_evidence_or_a_response() {
        assert_eq!(
            check_request_move("R-1", InProgress, Submitted, answer(0, false, false)),
            Err(RuleError::SubmitWithoutAnswer("R-1".into()))
        );
        assert!(check_request_move("R-1", InProgress, Submitted, answer(0, true, false)).is_ok());
        assert!(check_request_move("R-1", InProgress, Submitted, answer(2, false, false)).is_ok());
    }

    #[test]
    fn returning_needs_the_auditors_comment() {
        assert_eq!(
            check_request_move("R-1", Submitted, Returned, answer(1, false, false)),
            Err(RuleError::ReturnWithoutComment("R-1".into()))
        );
    }

    #[test]
    fn status_words_read_back() {
        for status in RequestStatus::ALL {
            assert_eq!(status.as_str().parse::<RequestStatus>(), Ok(status));
        }
        assert_eq!("In progress".parse::<RequestStatus>(), Ok(InProgress));
        assert!("done".parse::<RequestStatus>().is_err());
    }

    #[test]
    fn overdue_stops_once_submitted() {
        let day = |t: &str| t.parse::<NaiveDate>().unwrap();
        let today = day("2027-01-10");
        assert!(request_is_overdue(Open, Some(day("2027-01-09")), today));
        assert!(request_is_overdue(Returned, Some(day("2027-01-09")), today));
        assert!(!request_is_overdue(
            Submitted,
            Some(day("2027-01-09")),
            today
        ));
        assert!(!request_is_overdue(Open, Some(today), today));
        assert!(!request_is_overdue(Open, None, today));
    }

    #[test]
    fn references_split_and_are_recognised() {
        assert_eq!(
            split_references("CC6.1; AC-2(1),\nA.5.15, cc6.1,, MFA policy"),
            ["CC6.1", "AC-2(1)", "A.5.15", "MFA policy"]
        );
        assert_eq!(reference_kind("CC6.1"), ReferenceKind::Soc2);
        assert_eq!(reference_kind("PI1.1"), ReferenceKind::Soc2);
        assert_eq!(reference_kind("A1.2"), ReferenceKind::Soc2);
        assert_eq!(reference_kind("A.5.15"), ReferenceKind::Iso27001);
        assert_eq!(reference_kind("AC-2(1)"), ReferenceKind::Nist);
        assert_eq!(reference_kind("ac-2.1"), ReferenceKind::Nist);
        assert_eq!(reference_kind("MFA policy"), ReferenceKind::Text);
    }

    fn column(cells: &[&str]) -> Result<DateFormat, DateColumnError> {
        let cells: Vec<(u64, &str)> = cells
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u64 + 2, *t))
            .collect();
        detect_date_format("due", &cells)
    }

    #[test]
    fn iso_dates_are_always_read() {
        assert_eq!(column(&["2027-01-31", "", "soon"]), Ok(DateFormat::Iso));
        assert_eq!(
            DateFormat::Iso.parse("2027-01-31"),
            "2027-01-31".parse().ok()
        );
        assert_eq!(DateFormat::Iso.parse("01/31/2027"), None);
    }

    #[test]
    fn a_column_that_proves_its_order_is_read_that_way() {
        let format = column(&["01/31/2027", "02/03/2027", "2027-03-01"]).unwrap();
        assert_eq!(format, DateFormat::MonthFirst);
        assert_eq!(format.parse("02/03/2027"), "2027-02-03".parse().ok());
        let format = column(&["31.01.2027", "2.3.2027"]).unwrap();
        assert_eq!(format, DateFormat::DayFirst);
        assert_eq!(format.parse("2.3.2027"), "2027-03-02".parse().ok());
        assert_eq!(format.parse("30.02.2027"), None);
    }

    #[test]
    fn an_ambiguous_or_mixed_column_is_refused_with_the_reason() {
        let error = column(&["01/02/2027", "03/04/2027"]).unwrap_err();
        assert!(matches!(error, DateColumnError::Ambiguous { line: 2, .. }));
        assert!(
            error.to_string().contains("01/02/2027 on line 2"),
            "{error}"
        );
        let error = column(&["31/01/2027"]).unwrap_err();
        assert!(matches!(error, DateColumnError::Unusual { .. }), "{error}");
        let error = column(&["01/31/2027", "31.01.2027"]).unwrap_err();
        assert!(matches!(error, DateColumnError::Mixed { .. }), "{error}");
    }
}
