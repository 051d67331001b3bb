//! The documents an authorization package attaches to its system security plan: policies and
//! procedures (each for the controls it answers), the user guide, rules of behavior, the
//! contingency, configuration management and incident response plans, the separation of
//! duties matrix, the authorization boundary, network and data flow diagrams, and the FedRAMP
//! logo. Each is a vault file, as evidence is; the kind decides how the plan lists it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an attached document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttachmentKind {
    /// A policy, for the controls it answers (the `-1` controls of a family).
    Policy,
    /// A procedure, for the controls it answers.
    Procedure,
    /// The system's user guide.
    UsersGuide,
    /// The rules of behavior users accept.
    RulesOfBehavior,
    /// The information system contingency plan.
    ContingencyPlan,
    /// The configuration management plan.
    ConfigurationManagementPlan,
    /// The incident response plan.
    IncidentResponsePlan,
    /// The separation of duties matrix.
    SeparationOfDutiesMatrix,
    /// A diagram of the authorization boundary.
    AuthorizationBoundaryDiagram,
    /// A diagram of the network architecture.
    NetworkDiagram,
    /// A diagram of the data flows.
    DataFlowDiagram,
    /// FedRAMP's logo, which FedRAMP asks every plan to carry.
    FedrampLogo,
}

impl AttachmentKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [AttachmentKind; 12] = [
        AttachmentKind::Policy,
        AttachmentKind::Procedure,
        AttachmentKind::UsersGuide,
        AttachmentKind::RulesOfBehavior,
        AttachmentKind::ContingencyPlan,
        AttachmentKind::ConfigurationManagementPlan,
        AttachmentKind::IncidentResponsePlan,
        AttachmentKind::SeparationOfDutiesMatrix,
        AttachmentKind::AuthorizationBoundaryDiagram,
        AttachmentKind::NetworkDiagram,
        AttachmentKind::DataFlowDiagram,
        AttachmentKind::FedrampLogo,
    ];

    /// Its name on the command line, in the database and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Policy => "policy",
            AttachmentKind::Procedure => "procedure",
            AttachmentKind::UsersGuide => "users-guide",
            AttachmentKind::RulesOfBehavior => "rules-of-behavior",
            AttachmentKind::ContingencyPlan => "contingency-plan",
            AttachmentKind::ConfigurationManagementPlan => "configuration-management-plan",
            AttachmentKind::IncidentResponsePlan => "incident-response-plan",
            AttachmentKind::SeparationOfDutiesMatrix => "separation-of-duties-matrix",
            AttachmentKind::AuthorizationBoundaryDiagram => "authorization-boundary-diagram",
            AttachmentKind::NetworkDiagram => "network-diagram",
            AttachmentKind::DataFlowDiagram => "data-flow-diagram",
            AttachmentKind::FedrampLogo => "fedramp-logo",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            AttachmentKind::Policy => "Policy",
            AttachmentKind::Procedure => "Procedure",
            AttachmentKind::UsersGuide => "User guide",
            AttachmentKind::RulesOfBehavior => "Rules of behavior",
            AttachmentKind::ContingencyPlan => "Contingency plan",
            AttachmentKind::ConfigurationManagementPlan => "Configuration management plan",
            AttachmentKind::IncidentResponsePlan => "Incident response plan",
            AttachmentKind::SeparationOfDutiesMatrix => "Separation of duties matrix",
            AttachmentKind::AuthorizationBoundaryDiagram => "Authorization boundary diagram",
            AttachmentKind::NetworkDiagram => "Network architecture diagram",
            AttachmentKind::DataFlowDiagram => "Data flow diagram",
            AttachmentKind::FedrampLogo => "FedRAMP logo",
        }
    }

    /// Whether it answers controls (and so needs at least one), rather than the system.
    pub fn is_for_controls(self) -> bool {
        matches!(self, AttachmentKind::Policy | AttachmentKind::Procedure)
    }

    /// Whether it is a picture the plan shows (a diagram or the logo), so the plan embeds it.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            AttachmentKind::AuthorizationBoundaryDiagram
                | AttachmentKind::NetworkDiagram
                | AttachmentKind::DataFlowDiagram
                | AttachmentKind::FedrampLogo
        )
    }
}

impl std::str::FromStr for AttachmentKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        AttachmentKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = AttachmentKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "'{}' is not a kind of attachment: use {}",
                    text.trim(),
                    known.join(", ")
                )
            })
    }
}

/// One attached document, as recorded: for a policy or procedure, one row per control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Its id.
    pub id: i64,
    /// What it is.
    pub kind: AttachmentKind,
    /// The control it answers (policies and procedures), by its board id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Its title (the file's name unless one was given).
    pub title: String,
    /// The file's name when attached.
    pub file_name: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Media type.
    pub media_type: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Who attached it.
    pub added_by: String,
    /// When; shown as RFC 3339 text in UTC.
    #[serde(serialize_with = "super::stamped::serialize")]
    pub added_at: DateTime<Utc>,
    /// When it was removed, if it was.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::stamped::option"
    )]
    pub removed_at: Option<DateTime<Utc>>,
    /// Why it was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_in_any_case_and_unknown_ones_name_the_known() {
        assert_eq!(
            " Network-Diagram ".parse::<AttachmentKind>(),
            Ok(AttachmentKind::NetworkDiagram)
        );
        let refused = "diagram".parse::<AttachmentKind>().unwrap_err();
        assert!(refused.contains("use policy, procedure"), "{refused}");
        for kind in AttachmentKind::ALL {
            assert_eq!(kind.as_str().parse::<AttachmentKind>(), Ok(kind));
        }
        assert!(AttachmentKind::Policy.is_for_controls());
        assert!(!AttachmentKind::FedrampLogo.is_for_controls());
        assert!(AttachmentKind::FedrampLogo.is_image());
    }
}
