//! The text the user is typing in dialogs and the control panel, before it becomes a
//! command. Plain data: the UI edits it, the app turns it into commands.

use std::collections::BTreeSet;

use crate::model::{Control, ControlField, ControlPatch, parse_optional_date};
use crate::store::{NewControl, NewProject};

/// The new-project dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewProjectForm {
    /// Project name.
    pub name: String,
    /// Description of the scope.
    pub description: String,
    /// First day of the audit period, as typed.
    pub period_start: String,
    /// Last day of the audit period, as typed.
    pub period_end: String,
    /// Text that narrows the service checklist.
    pub service_search: String,
    /// Ticked service ids.
    pub services: BTreeSet<String>,
    /// The framework baseline to track, by name; `None` for the built-in SRM set.
    pub baseline: Option<String>,
    /// Why the last attempt was refused.
    pub error: Option<String>,
}

impl NewProjectForm {
    /// Checks the dates and builds the request; the store checks the rest.
    pub fn to_request(&self) -> Result<NewProject, String> {
        let date = |text: &str| parse_optional_date(text).map_err(|e| e.to_string());
        Ok(NewProject {
            name: self.name.clone(),
            description: self.description.clone(),
            services: self.services.iter().cloned().collect(),
            period_start: date(&self.period_start)?,
            period_end: date(&self.period_end)?,
        })
    }
}

/// The dialog that changes a project's services.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicesForm {
    /// Text that narrows the checklist.
    pub search: String,
    /// Ticked service ids.
    pub services: BTreeSet<String>,
    /// Why the last attempt was refused.
    pub error: Option<String>,
}

/// The dialog that sets a project's audit period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodForm {
    /// The first day, as typed (YYYY-MM-DD).
    pub start: String,
    /// The last day, as typed.
    pub end: String,
    /// Why the last attempt was refused.
    pub error: Option<String>,
}

impl PeriodForm {
    /// The period typed: both days, or neither to clear it.
    pub fn period(&self) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, String> {
        let day = |text: &str, what: &str| {
            text.trim()
                .parse::<chrono::NaiveDate>()
                .map_err(|_| format!("The {what} day must be a date written YYYY-MM-DD."))
        };
        match (self.start.trim().is_empty(), self.end.trim().is_empty()) {
            (true, true) => Ok(None),
            (false, false) => Ok(Some((day(&self.start, "first")?, day(&self.end, "last")?))),
            _ => {
                Err("Give both the first and the last day, or neither to clear the period.".into())
            }
        }
    }
}

/// Answers to the ownership test in the add-control dialog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Answer {
    /// Not answered yet.
    #[default]
    Unanswered,
    /// Yes.
    Yes,
    /// No.
    No,
}

impl Answer {
    /// The answer as a yes/no, if given.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Answer::Unanswered => None,
            Answer::Yes => Some(true),
            Answer::No => Some(false),
        }
    }
}

/// The add-control dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddControlForm {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Board group.
    pub area: String,
    /// "Can your team log in and adjust its security settings?"
    pub can_adjust: Answer,
    /// "Does AWS also operate part of it?"
    pub aws_operates_part: Answer,
    /// Why the last attempt was refused.
    pub error: Option<String>,
}

impl AddControlForm {
    /// Builds the request once both questions that matter are answered.
    pub fn to_request(&self) -> Result<NewControl, String> {
        let can_adjust = self
            .can_adjust
            .as_bool()
            .ok_or("answer whether your team can log in and adjust its security settings")?;
        let aws_operates_part = self.aws_operates_part.as_bool();
        if can_adjust && aws_operates_part.is_none() {
            return Err("answer whether AWS also operates part of it".to_string());
        }
        Ok(NewControl {
            title: self.title.clone(),
            description: self.description.clone(),
            area: self.area.clone(),
            can_adjust,
            aws_operates_part,
        })
    }
}

/// The first run's question of the name changes are recorded under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameForm {
    /// The name, as typed (offered from the account's full name).
    pub user_name: String,
    /// Why the last attempt was refused.
    pub error: Option<String>,
}

/// The settings dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsForm {
    /// The name recorded with every change.
    pub user_name: String,
    /// Why the last attempt was refused.
    pub error: Option<String>,
    /// The person's signing key, when they have one.
    pub key: Option<crate::sign::keys::KeyInfo>,
    /// Why the key cannot be read or made.
    pub key_error: Option<String>,
    /// The signer a new key is made for, as typed.
    pub signer: String,
}

/// What the control panel's text fields hold while the user types. Each field is saved on
/// Enter or when it loses focus; a status or column change that needs a reason waits here
/// until one is typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelDraft {
    /// The control being edited.
    pub control_id: String,
    /// Title.
    pub title: String,
    /// Owner.
    pub owner: String,
    /// Due date as typed.
    pub due: String,
    /// Review cadence in days as typed.
    pub review_days: String,
    /// Notes.
    pub notes: String,
    /// Description.
    pub description: String,
    /// What AWS does.
    pub aws_part: String,
    /// What the customer does.
    pub customer_part: String,
    /// A change waiting for its reason (status not applicable, or a column move).
    pub pending: Option<ControlPatch>,
    /// The reason being typed for it.
    pub reason: String,
    /// Collected-on for the next files attached, as typed (empty: today).
    pub collected_on: String,
    /// Valid-until for the next files attached, as typed (empty: none).
    pub valid_until: String,
    /// Description for the next files attached.
    pub evidence_description: String,
    /// The evidence whose removal is being confirmed, and the reason typed so far.
    pub removing: Option<(i64, String)>,
}

impl PanelDraft {
    /// A draft holding a control's current values.
    pub fn of(control: &Control) -> Self {
        Self {
            control_id: control.id.clone(),
            title: control.title.clone(),
            owner: control.owner.clone(),
            due: control.field(ControlField::Due),
            review_days: control.field(ControlField::ReviewDays),
            notes: control.notes.clone(),
            description: control.description.clone(),
            aws_part: control.aws_part.clone(),
            customer_part: control.customer_part.clone(),
            pending: None,
            reason: String::new(),
            collected_on: String::new(),
            valid_until: String::new(),
            evidence_description: String::new(),
            removing: None,
        }
    }

    /// The draft's text for a field the panel edits as text.
    pub fn text_mut(&mut self, field: ControlField) -> Option<&mut String> {
        match field {
            ControlField::Title => Some(&mut self.title),
            ControlField::Owner => Some(&mut self.owner),
            ControlField::Due => Some(&mut self.due),
            ControlField::ReviewDays => Some(&mut self.review_days),
            ControlField::Notes => Some(&mut self.notes),
            ControlField::Description => Some(&mut self.description),
            ControlField::AwsPart => Some(&mut self.aws_part),
            ControlField::CustomerPart => Some(&mut self.customer_part),
            ControlField::Column | ControlField::Status | ControlField::StatusReason => None,
        }
    }
}

/// The export dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportForm {
    /// The as-of date, as typed (empty: today).
    pub as_of: String,
    /// First day of the period, as typed (empty: the project's period).
    pub from: String,
    /// Last day of the period, as typed.
    pub to: String,
    /// Where the pack goes.
    pub target: Option<std::path::PathBuf>,
    /// Why the last attempt was refused.
    pub error: Option<String>,
    /// The person's signing key, when they have one; only then can the pack be signed.
    pub key: Option<crate::sign::keys::KeyInfo>,
    /// Whether to sign the pack with that key (on by default once one exists).
    pub sign: bool,
}

/// The team details dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDetails {
    /// The database's host and port.
    pub host: String,
    /// Whether the session is encrypted and how far its certificate was checked, as a
    /// sentence, or why that could not be read.
    pub encryption: String,
    /// Whether the session is encrypted with a verified certificate (shown plainly) or not
    /// (shown in the warning colour).
    pub verified: bool,
    /// Whether the login uses RDS IAM authentication.
    pub iam_auth: bool,
    /// The AWS identity in use.
    pub identity: IdentityState,
}

/// The AWS identity, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityState {
    /// Being asked of STS.
    Asking,
    /// STS answered.
    Known {
        /// The account number.
        account: String,
        /// The role assumed, else the ARN.
        who: String,
        /// When the credentials expire ("in 52 minutes"), or "long-lived keys".
        expires: String,
    },
    /// It could not be had, and why.
    Failed(String),
}
