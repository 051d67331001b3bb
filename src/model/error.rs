//! Errors raised when input breaks a domain rule.

/// A value or request that the domain rules refuse. Each message is one sentence that says
/// what is wrong and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A system fact given a value outside its set (the sentence says which are allowed).
    #[error("{0}")]
    SystemFact(String),
    /// An inventory fact outside its set (the sentence says which are allowed).
    #[error("{0}")]
    Inventory(String),
    /// A parameter value that cannot be kept (the sentence says why).
    #[error("{0}")]
    ParameterValue(String),
    /// An attachment of the wrong shape: a policy without controls, a diagram with one, a
    /// title with control characters (the sentence says which).
    #[error("{0}")]
    Attachment(String),
    /// A word outside its set (a finding source or kind, a deviation kind): what it names,
    /// the word, and the words allowed.
    #[error("unknown {0} '{1}': use {2}")]
    Unknown(&'static str, String, &'static str),
    /// A column name that is not `aws`, `shared` or `customer`.
    #[error("unknown column '{0}': use aws, shared or customer")]
    UnknownColumn(String),
    /// A status name that is not one of the four statuses.
    #[error("unknown status '{0}': use not_started, in_progress, implemented or not_applicable")]
    UnknownStatus(String),
    /// A request status word that is not one of the five.
    #[error("unknown request status '{0}': use open, in_progress, submitted, accepted or returned")]
    UnknownRequestStatus(String),
    /// A request status change that skips a step of the lifecycle.
    #[error("request {id} is {from} and cannot become {to}: {allowed}")]
    RequestStepSkipped {
        /// The request.
        id: String,
        /// Its status.
        from: &'static str,
        /// The status asked for.
        to: &'static str,
        /// What may follow, as a clause.
        allowed: String,
    },
    /// Submitting a request with nothing to show.
    #[error(
        "request {0} cannot be submitted without an answer: link or attach evidence, or write a response with --response"
    )]
    SubmitWithoutAnswer(String),
    /// Returning a request without saying why.
    #[error("returning request {0} needs the auditor's comment: add it with --comment")]
    ReturnWithoutComment(String),
    /// A service model name that is not one of the three models.
    #[error("unknown service model '{0}': use infrastructure, managed or abstracted")]
    UnknownServiceModel(String),
    /// A stored event time that is not RFC 3339 text.
    #[error("'{0}' is not a time: it should read like 2026-11-28T13:53:52Z")]
    BadTimestamp(String),
    /// A date that is not a real calendar date in `YYYY-MM-DD` form.
    #[error("'{0}' is not a date: write it as YYYY-MM-DD, for example 2027-03-01")]
    BadDate(String),
    /// A review cadence that is not a whole number of days above 0.
    #[error(
        "the review cadence must be a whole number of days, at least 1 (for example 90), not '{0}'"
    )]
    BadReviewDays(String),
    /// A review cadence beyond a hundred years.
    #[error("the review cadence {days} is too large: at most {max} days (100 years)")]
    ReviewDaysTooLarge {
        /// The cadence as given.
        days: String,
        /// The longest cadence allowed.
        max: u32,
    },
    /// A time zone that is neither `local` nor an offset from UTC.
    #[error("'{0}' is not a time zone: write local, UTC, or an offset such as +02:00")]
    BadTimeZone(String),
    /// `not_applicable` asked for without saying why.
    #[error("a control marked not_applicable needs a reason: add one with --reason")]
    ReasonRequiredForNotApplicable,
    /// A column move asked for without saying why.
    #[error("moving a control to another column needs a reason: add one with --reason")]
    ReasonRequiredForMove,
    /// A shared control needs to know whether AWS operates part of it.
    #[error(
        "your team can adjust it, so say whether AWS also operates part of it (--aws-operates-part yes|no)"
    )]
    MissingAwsPart,
    /// A CRM answer that is not Yes, Partial or No.
    #[error("'{0}' is not a CRM answer: use Yes, Partial or No")]
    UnknownCrmAnswer(String),
    /// The built-in family rules do not parse.
    #[error("the built-in family rules are malformed: {0}")]
    MalformedFamilyRules(String),
    /// A blank required text.
    #[error("the {0} cannot be blank")]
    Blank(&'static str),
    /// An audit period that ends before it starts.
    #[error("the audit period ends ({end}) before it starts ({start})")]
    PeriodReversed {
        /// First day of the period.
        start: chrono::NaiveDate,
        /// Last day of the period.
        end: chrono::NaiveDate,
    },
    /// Evidence that stops being valid before the day it is about.
    #[error(
        "valid-until ({valid_until}) is before collected-on ({collected_on}): evidence cannot expire before the day it is about"
    )]
    ValidBeforeCollected {
        /// The day the evidence is about.
        collected_on: chrono::NaiveDate,
        /// The last day it counts.
        valid_until: chrono::NaiveDate,
    },
    /// A severity that is not one of the four.
    #[error("unknown severity '{0}': use critical, high, medium or low")]
    UnknownSeverity(String),
    /// An asset kind that is not one of the six.
    #[error(
        "unknown asset kind '{0}': use instance, ami, container-image, database, application or other"
    )]
    UnknownAssetKind(String),
    /// A manager that is not customer or aws.
    #[error("unknown manager '{0}': use customer or aws")]
    UnknownManagedBy(String),
    /// A malformed email address.
    #[error("'{0}' is not an email address: write it as name@example.com")]
    BadEmail(String),
    /// A malformed month.
    #[error("'{0}' is not a month: write it as YYYY-MM, for example 2026-10")]
    BadMonth(String),
    /// A recurrence of zero or fewer days.
    #[error("a course must recur every 1 day or more, not {0}")]
    BadRecurrence(i64),
    /// A patch applied before its advisory was released.
    #[error(
        "applied-on ({applied_on}) is before released-on ({released_on}): a patch cannot be applied before it exists"
    )]
    AppliedBeforeReleased {
        /// Release date.
        released_on: chrono::NaiveDate,
        /// Application date.
        applied_on: chrono::NaiveDate,
    },
}
