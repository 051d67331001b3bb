//! Controls: the three columns, the four statuses, the service models, and the rules for
//! changing a control.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{RuleError, parse_optional_date};

/// Who is responsible for a control: the three columns of the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    /// Inherited: AWS operates it entirely (security *of* the cloud).
    Aws,
    /// AWS does one part and the customer another.
    Shared,
    /// The customer operates it entirely (security *in* the cloud).
    Customer,
}

impl Column {
    /// All columns, in board order.
    pub const ALL: [Column; 3] = [Column::Aws, Column::Shared, Column::Customer];

    /// The machine name used in the database, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Column::Aws => "aws",
            Column::Shared => "shared",
            Column::Customer => "customer",
        }
    }

    /// The heading shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Column::Aws => "AWS",
            Column::Shared => "Shared",
            Column::Customer => "Customer",
        }
    }

    /// The column's code inside control ids (`SRM-CUS-IAM-01`).
    pub fn id_code(self) -> &'static str {
        match self {
            Column::Aws => "AWS",
            Column::Shared => "SHR",
            Column::Customer => "CUS",
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Column {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aws" => Ok(Column::Aws),
            "shared" => Ok(Column::Shared),
            "customer" => Ok(Column::Customer),
            _ => Err(RuleError::UnknownColumn(s.to_string())),
        }
    }
}

/// Where a control stands in the audit preparation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nobody has worked on it yet.
    NotStarted,
    /// Work has begun.
    InProgress,
    /// Done, and ready to show evidence for.
    Implemented,
    /// Does not apply to this scope; always carries a reason.
    NotApplicable,
}

impl Status {
    /// All statuses, in the order a control moves through them.
    pub const ALL: [Status; 4] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Implemented,
        Status::NotApplicable,
    ];

    /// The machine name used in the database, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Implemented => "implemented",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "Not started",
            Status::InProgress => "In progress",
            Status::Implemented => "Implemented",
            Status::NotApplicable => "Not applicable",
        }
    }

    /// Whether the control counts as done for progress (implemented or not applicable).
    pub fn is_done(self) -> bool {
        matches!(self, Status::Implemented | Status::NotApplicable)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normal = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == normal)
            .ok_or_else(|| RuleError::UnknownStatus(s.to_string()))
    }
}

/// How much of a service AWS runs, which decides who owns the duties above the hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceModel {
    /// EC2, EBS, VPC…: the customer runs the guest OS and everything above it.
    Infrastructure,
    /// RDS, EMR, Fargate…: AWS runs the OS and platform; the customer owns access, network
    /// rules, data and configuration.
    Managed,
    /// S3, DynamoDB, Lambda…: AWS runs everything up to the API; the customer owns data, IAM
    /// and the encryption and access settings.
    Abstracted,
}

impl ServiceModel {
    /// All models, from most to least customer-operated.
    pub const ALL: [ServiceModel; 3] = [
        ServiceModel::Infrastructure,
        ServiceModel::Managed,
        ServiceModel::Abstracted,
    ];

    /// The machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceModel::Infrastructure => "infrastructure",
            ServiceModel::Managed => "managed",
            ServiceModel::Abstracted => "abstracted",
        }
    }

    /// The heading shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ServiceModel::Infrastructure => "Infrastructure services",
            ServiceModel::Managed => "Managed and container services",
            ServiceModel::Abstracted => "Abstracted services",
        }
    }
}

impl fmt::Display for ServiceModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServiceModel {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceModel::ALL
            .into_iter()
            .find(|model| model.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| RuleError::UnknownServiceModel(s.to_string()))
    }
}

/// The ownership test for a control a user adds: "Can your team log in and adjust its
/// security settings?" No: it is AWS's. Yes: it is shared when AWS also operates part of it,
/// and the customer's otherwise.
pub fn column_for_ownership(
    can_adjust: bool,
    aws_operates_part: Option<bool>,
) -> Result<Column, RuleError> {
    match (can_adjust, aws_operates_part) {
        (false, _) => Ok(Column::Aws),
        (true, Some(true)) => Ok(Column::Shared),
        (true, Some(false)) => Ok(Column::Customer),
        (true, None) => Err(RuleError::MissingAwsPart),
    }
}

/// Whether a control with this status and due date is overdue on `today`: the due date has
/// passed and the control is neither implemented nor not applicable.
pub fn is_overdue(status: Status, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    !status.is_done() && due.is_some_and(|due| due < today)
}

/// The longest review cadence: a hundred years.
pub const MAX_REVIEW_DAYS: u32 = 36_525;

/// A field of a control that a user can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlField {
    /// The short title.
    Title,
    /// What the control requires.
    Description,
    /// The column (needs a reason to change).
    Column,
    /// The status (`not_applicable` needs a reason).
    Status,
    /// Why the control has its status (the not-applicable reason).
    StatusReason,
    /// The person responsible.
    Owner,
    /// The due date, `YYYY-MM-DD` or empty.
    Due,
    /// Review cadence in days, or empty.
    ReviewDays,
    /// Free notes.
    Notes,
    /// What AWS does (shared controls).
    AwsPart,
    /// What the customer does (shared controls).
    CustomerPart,
}

impl ControlField {
    /// The machine name, used in the activity log.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlField::Title => "title",
            ControlField::Description => "description",
            ControlField::Column => "column",
            ControlField::Status => "status",
            ControlField::StatusReason => "status_reason",
            ControlField::Owner => "owner",
            ControlField::Due => "due",
            ControlField::ReviewDays => "review_days",
            ControlField::Notes => "notes",
            ControlField::AwsPart => "aws_part",
            ControlField::CustomerPart => "customer_part",
        }
    }

    /// The field's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            ControlField::Title => "title",
            ControlField::Description => "description",
            ControlField::Column => "column",
            ControlField::Status => "status",
            ControlField::StatusReason => "reason",
            ControlField::Owner => "owner",
            ControlField::Due => "due date",
            ControlField::ReviewDays => "review cadence",
            ControlField::Notes => "notes",
            ControlField::AwsPart => "AWS part",
            ControlField::CustomerPart => "customer part",
        }
    }
}

/// A new value for one editable field of a control, in the field's own type. Text a person
/// typed becomes one of these once, where it is typed ([`ControlEdit::parse`]); the rules
/// then check the typed value ([`plan_changes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlEdit {
    /// The short title (not blank).
    Title(String),
    /// What the control requires.
    Description(String),
    /// The column (needs a reason to change).
    Column(Column),
    /// The status (`not_applicable` needs a reason).
    Status(Status),
    /// Why the control has its status (the not-applicable reason).
    StatusReason(String),
    /// The person responsible; empty for nobody.
    Owner(String),
    /// The due date, or none.
    Due(Option<NaiveDate>),
    /// Review cadence in days (1 to [`MAX_REVIEW_DAYS`]), or none.
    ReviewDays(Option<u32>),
    /// Free notes.
    Notes(String),
    /// What AWS does (shared controls).
    AwsPart(String),
    /// What the customer does (shared controls).
    CustomerPart(String),
}

impl ControlEdit {
    /// The field this edit sets.
    pub fn field(&self) -> ControlField {
        match self {
            ControlEdit::Title(_) => ControlField::Title,
            ControlEdit::Description(_) => ControlField::Description,
            ControlEdit::Column(_) => ControlField::Column,
            ControlEdit::Status(_) => ControlField::Status,
            ControlEdit::StatusReason(_) => ControlField::StatusReason,
            ControlEdit::Owner(_) => ControlField::Owner,
            ControlEdit::Due(_) => ControlField::Due,
            ControlEdit::ReviewDays(_) => ControlField::ReviewDays,
            ControlEdit::Notes(_) => ControlField::Notes,
            ControlEdit::AwsPart(_) => ControlField::AwsPart,
            ControlEdit::CustomerPart(_) => ControlField::CustomerPart,
        }
    }

    /// Reads text typed for a field (on the command line, in the window, or kept in the
    /// activity log for undo): dates are `YYYY-MM-DD` and an empty date or cadence clears it.
    pub fn parse(field: ControlField, text: &str) -> Result<Self, RuleError> {
        Ok(match field {
            ControlField::Title => ControlEdit::Title(text.to_string()),
            ControlField::Description => ControlEdit::Description(text.to_string()),
            ControlField::Column => ControlEdit::Column(text.parse()?),
            ControlField::Status => ControlEdit::Status(text.parse()?),
            ControlField::StatusReason => ControlEdit::StatusReason(text.to_string()),
            ControlField::Owner => ControlEdit::Owner(text.to_string()),
            ControlField::Due => ControlEdit::Due(parse_optional_date(text)?),
            ControlField::ReviewDays => ControlEdit::ReviewDays(parse_review_days(text)?),
            ControlField::Notes => ControlEdit::Notes(text.to_string()),
            ControlField::AwsPart => ControlEdit::AwsPart(text.to_string()),
            ControlField::CustomerPart => ControlEdit::CustomerPart(text.to_string()),
        })
    }

    /// The value in its stored text form, as [`Control::field`](super::Control::field) gives
    /// it and the activity log records it.
    pub fn text(&self) -> String {
        match self {
            ControlEdit::Title(text)
            | ControlEdit::Description(text)
            | ControlEdit::StatusReason(text)
            | ControlEdit::Owner(text)
            | ControlEdit::Notes(text)
            | ControlEdit::AwsPart(text)
            | ControlEdit::CustomerPart(text) => text.clone(),
            ControlEdit::Column(column) => column.as_str().to_string(),
            ControlEdit::Status(status) => status.as_str().to_string(),
            ControlEdit::Due(due) => due.map(|d| d.to_string()).unwrap_or_default(),
            ControlEdit::ReviewDays(days) => days.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// Checks the value against the field's rules and returns it in its stored form: a title
    /// and an owner lose surrounding spaces, a title cannot be blank, a cadence is 1 to
    /// [`MAX_REVIEW_DAYS`] days.
    fn checked(self) -> Result<Self, RuleError> {
        match self {
            ControlEdit::Title(title) => {
                let title = title.trim();
                if title.is_empty() {
                    return Err(RuleError::Blank("title"));
                }
                Ok(ControlEdit::Title(title.to_string()))
            }
            ControlEdit::Owner(owner) => Ok(ControlEdit::Owner(owner.trim().to_string())),
            ControlEdit::ReviewDays(Some(0)) => Err(RuleError::BadReviewDays("0".to_string())),
            ControlEdit::ReviewDays(Some(days)) if days > MAX_REVIEW_DAYS => {
                Err(RuleError::ReviewDaysTooLarge {
                    days: days.to_string(),
                    max: MAX_REVIEW_DAYS,
                })
            }
            other => Ok(other),
        }
    }
}

/// A review cadence as typed: empty for none, else a whole number of days from 1 to
/// [`MAX_REVIEW_DAYS`].
fn parse_review_days(value: &str) -> Result<Option<u32>, RuleError> {
    let text = value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RuleError::BadReviewDays(value.to_string()));
    }
    match text.parse::<u32>() {
        Ok(0) => Err(RuleError::BadReviewDays(value.to_string())),
        Ok(days) if days <= MAX_REVIEW_DAYS => Ok(Some(days)),
        // All digits, so anything that does not fit is too large.
        _ => Err(RuleError::ReviewDaysTooLarge {
            days: text.to_string(),
            max: MAX_REVIEW_DAYS,
        }),
    }
}

/// A requested edit of one control: new values for some fields, and the reason when the
/// rules need one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlPatch {
    /// The new values, in the order given; a later value for a field replaces an earlier one.
    pub edits: Vec<ControlEdit>,
    /// Why: required for `not_applicable` and for a column move.
    pub reason: Option<String>,
}

impl ControlPatch {
    /// A patch setting one field.
    pub fn one(edit: ControlEdit) -> Self {
        Self {
            edits: vec![edit],
            reason: None,
        }
    }

    /// Adds a field to the patch.
    pub fn with(mut self, edit: ControlEdit) -> Self {
        self.edits.push(edit);
        self
    }

    /// Sets the reason.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Whether the patch asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// One field that an edit changed, from what to what: a line of the activity log, and what
/// undo needs to put it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlChange {
    /// Which field.
    pub field: ControlField,
    /// The value before.
    pub from: String,
    /// The value after.
    pub to: String,
}

/// Works out what a patch changes on a control whose current values `current` returns (in
/// their stored text form), applying the rules: a status of `not_applicable` needs a reason,
/// and so does a column move. The reason is recorded as the control's status reason. Fields
/// whose value does not change are left out, so an empty result means nothing to do. Each
/// edit comes with its line for the activity log.
pub fn plan_edits(
    current: impl Fn(ControlField) -> String,
    patch: &ControlPatch,
) -> Result<Vec<(ControlEdit, ControlChange)>, RuleError> {
    let reason = patch
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let mut next: Vec<ControlEdit> = Vec::new();
    let set = |next: &mut Vec<ControlEdit>, edit: ControlEdit| {
        if let Some(slot) = next.iter_mut().find(|e| e.field() == edit.field()) {
            *slot = edit;
        } else {
            next.push(edit);
        }
    };
    for edit in &patch.edits {
        set(&mut next, edit.clone().checked()?);
    }
    let new_value = |field: ControlField, next: &[ControlEdit]| {
        next.iter()
            .find(|e| e.field() == field)
            .map(ControlEdit::text)
            .unwrap_or_else(|| current(field))
    };
    let status_changes = new_value(ControlField::Status, &next) != current(ControlField::Status);
    let column_changes = new_value(ControlField::Column, &next) != current(ControlField::Column);
    if status_changes
        && new_value(ControlField::Status, &next) == Status::NotApplicable.as_str()
        && reason.is_none()
        && new_value(ControlField::StatusReason, &next)
            .trim()
            .is_empty()
    {
        return Err(RuleError::ReasonRequiredForNotApplicable);
    }
    if column_changes && reason.is_none() {
        return Err(RuleError::ReasonRequiredForMove);
    }
    if let Some(reason) = reason
        && (status_changes || column_changes)
    {
        next.retain(|e| e.field() != ControlField::StatusReason);
        next.push(ControlEdit::StatusReason(reason.to_string()));
    }
    Ok(next
        .into_iter()
        .filter_map(|edit| {
            let field = edit.field();
            let from = current(field);
            let to = edit.text();
            (from != to).then_some((edit, ControlChange { field, from, to }))
        })
        .collect())
}

/// What a patch changes, as [`plan_edits`] works it out, without the typed values.
pub fn plan_changes(
    current: impl Fn(ControlField) -> String,
    patch: &ControlPatch,
) -> Result<Vec<ControlChange>, RuleError> {
    Ok(plan_edits(current, patch)?
        .into_iter()
        .map(|(_, change)| change)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current(field: ControlField) -> String {
        match field {
            ControlField::Status => "not_started".into(),
            ControlField::Column => "customer".into(),
            ControlField::Owner => "ana".into(),
            _ => String::new(),
        }
    }

    #[test]
    fn ownership_test_sorts_controls_into_columns() {
        assert_eq!(column_for_ownership(false, None), Ok(Column::Aws));
        assert_eq!(column_for_ownership(false, Some(true)), Ok(Column::Aws));
        assert_eq!(column_for_ownership(true, Some(true)), Ok(Column::Shared));
        assert_eq!(
            column_for_ownership(true, Some(false)),
            Ok(Column::Customer)
        );
        assert_eq!(
            column_for_ownership(true, None),
            Err(RuleError::MissingAwsPart)
        );
    }

    #[test]
    fn names_round_trip() {
        for column in Column::ALL {
            assert_eq!(column.as_str().parse::<Column>(), Ok(column));
        }
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        for model in ServiceModel::ALL {
            assert_eq!(model.as_str().parse::<ServiceModel>(), Ok(model));
        }
        assert_eq!("In Progress".parse::<Status>(), Ok(Status::InProgress));
        assert!("done".parse::<Status>().is_err());
        assert!("vendor".parse::<Column>().is_err());
    }

    #[test]
    fn not_applicable_needs_a_reason() {
        let patch = ControlPatch::one(ControlEdit::Status(Status::NotApplicable));
        assert_eq!(
            plan_changes(current, &patch),
            Err(RuleError::ReasonRequiredForNotApplicable)
        );
        let patch = patch.because("No EC2 in scope");
        let changes = plan_changes(current, &patch).unwrap();
        assert!(changes.contains(&ControlChange {
            field: ControlField::StatusReason,
            from: String::new(),
            to: "No EC2 in scope".into(),
        }));
    }

    #[test]
    fn moving_column_needs_a_reason() {
        let patch = ControlPatch::one(ControlEdit::Column(Column::Shared));
        assert_eq!(
            plan_changes(current, &patch),
            Err(RuleError::ReasonRequiredForMove)
        );
        assert!(plan_changes(current, &patch.because("AWS runs the hosts")).is_ok());
        // Naming the column it already sits in is no move.
        let same = ControlPatch::one(ControlEdit::Column(Column::Customer));
        assert_eq!(plan_changes(current, &same), Ok(vec![]));
    }

    #[test]
    fn unchanged_fields_are_left_out_and_bad_values_refused() {
        let due = NaiveDate::from_ymd_opt(2027, 1, 15);
        let patch =
            ControlPatch::one(ControlEdit::Owner(" ana ".into())).with(ControlEdit::Due(due));
        let changes = plan_changes(current, &patch).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, ControlField::Due);
        assert_eq!(changes[0].to, "2027-01-15");
        let refused = |edit: ControlEdit| plan_changes(current, &ControlPatch::one(edit)).is_err();
        assert!(refused(ControlEdit::Title("  ".into())));
        assert!(refused(ControlEdit::ReviewDays(Some(0))));
        assert!(refused(ControlEdit::ReviewDays(Some(MAX_REVIEW_DAYS + 1))));
        assert!(!refused(ControlEdit::ReviewDays(Some(MAX_REVIEW_DAYS))));
    }

    #[test]
    fn typed_text_is_read_once_and_bad_text_refused() {
        let parse = ControlEdit::parse;
        assert_eq!(
            parse(ControlField::Status, "In Progress"),
            Ok(ControlEdit::Status(Status::InProgress))
        );
        assert_eq!(parse(ControlField::Due, " "), Ok(ControlEdit::Due(None)));
        assert_eq!(
            parse(ControlField::ReviewDays, "90"),
            Ok(ControlEdit::ReviewDays(Some(90)))
        );
        assert_eq!(
            parse(ControlField::ReviewDays, ""),
            Ok(ControlEdit::ReviewDays(None))
        );
        assert!(parse(ControlField::Due, "2027-02-30").is_err());
        assert!(parse(ControlField::Status, "done").is_err());
        assert!(parse(ControlField::Column, "vendor").is_err());
        assert!(parse(ControlField::ReviewDays, "0").is_err());
        let huge = parse(ControlField::ReviewDays, "99999999999999999999").unwrap_err();
        assert!(huge.to_string().contains("too large"), "{huge}");
        let negative = parse(ControlField::ReviewDays, "-5").unwrap_err();
        assert!(negative.to_string().contains("whole number"), "{negative}");
    }

    #[test]
    fn an_edit_reads_back_from_its_own_text() {
        let edits = [
            ControlEdit::Title("Rotate keys".into()),
            ControlEdit::Column(Column::Shared),
            ControlEdit::Status(Status::NotApplicable),
            ControlEdit::Due(NaiveDate::from_ymd_opt(2027, 3, 1)),
            ControlEdit::Due(None),
            ControlEdit::ReviewDays(Some(365)),
            ControlEdit::ReviewDays(None),
            ControlEdit::Owner(String::new()),
        ];
        for edit in edits {
            assert_eq!(ControlEdit::parse(edit.field(), &edit.text()), Ok(edit));
        }
    }

    #[test]
    fn overdue_means_past_due_and_not_done() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let yesterday = today.pred_opt();
        assert!(is_overdue(Status::InProgress, yesterday, today));
        assert!(!is_overdue(Status::InProgress, Some(today), today));
        assert!(!is_overdue(Status::Implemented, yesterday, today));
        assert!(!is_overdue(Status::NotApplicable, yesterday, today));
        assert!(!is_overdue(Status::NotStarted, None, today));
    }
}
