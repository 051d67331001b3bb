//! Projects (audit scopes) and the controls they hold.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{
    Column, ControlField, FilledParameter, FilledText, Reason, Status, is_overdue, label_of,
};

/// An audit scope: the AWS services it uses and the period the audit covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// The name people use; unique regardless of case.
    pub name: String,
    /// What the scope covers.
    pub description: String,
    /// AWS service ids in use, sorted.
    pub services: Vec<String>,
    /// First day of the audit period.
    pub period_start: Option<NaiveDate>,
    /// Last day of the audit period.
    pub period_end: Option<NaiveDate>,
    /// When the project was created; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "super::stamped::serialize")]
    pub created_at: DateTime<Utc>,
    /// The framework baseline it tracks, by name; `None` for the built-in SRM set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// Where a control came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Instantiated from the built-in baseline for the project's services.
    Baseline,
    /// Added by the team through the ownership test.
    Custom,
}

impl Origin {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Baseline => "baseline",
            Origin::Custom => "custom",
        }
    }
}

/// One checklist item of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Database key.
    #[serde(skip)]
    pub key: i64,
    /// Stable id such as `SRM-CUS-IAM-01`, unique within the project.
    pub id: String,
    /// Where it came from.
    pub origin: Origin,
    /// The group it is shown under on the board.
    pub area: String,
    /// Short title.
    pub title: String,
    /// What the control requires.
    pub description: String,
    /// Who is responsible.
    pub column: Column,
    /// What AWS does (shared controls).
    pub aws_part: String,
    /// What the customer does (shared controls).
    pub customer_part: String,
    /// The answer to "Can we log in and adjust its security settings?".
    pub can_adjust: String,
    /// Related NIST SP 800-53 Rev 5 control ids.
    pub nist: Vec<String>,
    /// AWS service ids of the project that this control covers.
    pub services: Vec<String>,
    /// Where the work stands.
    pub status: Status,
    /// Why it has its status or column (required for not applicable and moves).
    pub status_reason: String,
    /// Who is responsible for getting it done.
    pub owner: String,
    /// When it must be done.
    pub due: Option<NaiveDate>,
    /// How often it must be reviewed, in days.
    pub review_days: Option<u32>,
    /// Free notes.
    pub notes: String,
    /// No longer in scope since the project's services changed; kept with all its history.
    pub retired: bool,
    /// Board order within its area.
    #[serde(skip)]
    pub sort_key: i64,
    /// Why it is in its column; `None` for a control of the built-in SRM set nobody moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The framework text of a control of a baseline project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<FrameworkText>,
}

/// What a baseline project's control carries from its framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FrameworkText {
    /// The family code (`AC`).
    pub family: String,
    /// The label of the control it enhances, blank when it is no enhancement.
    pub parent: String,
    /// The statement with its parameters filled in, and where each filled value sits.
    pub statement: FilledText,
    /// The guidance (blank when none).
    pub guidance: String,
    /// The filled parameters, in order of first use.
    pub parameters: Vec<FilledParameter>,
}

impl Control {
    /// The current value of an editable field, in its stored text form.
    pub fn field(&self, field: ControlField) -> String {
        match field {
            ControlField::Title => self.title.clone(),
            ControlField::Description => self.description.clone(),
            ControlField::Column => self.column.as_str().to_string(),
            ControlField::Status => self.status.as_str().to_string(),
            ControlField::StatusReason => self.status_reason.clone(),
            ControlField::Owner => self.owner.clone(),
            ControlField::Due => self.due.map(|d| d.to_string()).unwrap_or_default(),
            ControlField::ReviewDays => self.review_days.map(|d| d.to_string()).unwrap_or_default(),
            ControlField::Notes => self.notes.clone(),
            ControlField::AwsPart => self.aws_part.clone(),
            ControlField::CustomerPart => self.customer_part.clone(),
        }
    }

    /// The sentence saying why the control is in its column, shown as "Why this column".
    pub fn why(&self) -> String {
        match &self.reason {
            Some(Reason::Person) if !self.status_reason.trim().is_empty() => format!(
                "A person moved it to this column: {}",
                self.status_reason.trim()
            ),
            Some(reason) => reason.why(self.column),
            None if self.origin == Origin::Custom => {
                "The team added it; the ownership test placed it.".to_string()
            }
            None => format!(
                "The built-in SRM set places it in the {} column for this project's services.",
                self.column.label()
            ),
        }
    }

    /// The family code of the control: its framework family, or the family of the first NIST
    /// id it names.
    pub fn family(&self) -> Option<String> {
        match &self.framework {
            Some(framework) if !framework.family.is_empty() => Some(framework.family.clone()),
            _ => None,
        }
    }

    /// Whether `text` names this control: its id, ignoring case, or for a framework control
    /// its OSCAL id (`ac-2.1` for `AC-2(1)`).
    pub fn is_named_by(&self, text: &str) -> bool {
        let text = text.trim();
        if self.id.eq_ignore_ascii_case(text) {
            return true;
        }
        self.framework.is_some()
            && super::oscal_id_of(text).is_some_and(|oscal| label_of(&oscal) == self.id)
    }

    /// Whether the control is past its due date and not done on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.retired && is_overdue(self.status, self.due, today)
    }
}
