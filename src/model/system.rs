//! The facts about a project's system that an authorization package states and no other
//! record holds: its FedRAMP id, short name and description, its cloud service and deployment
//! model, the authorization it seeks, its identity, authenticator and federation assurance
//! levels (NIST SP 800-63), and its security objectives for confidentiality, integrity and
//! availability (FIPS 199).
//!
//! Each fact is optional until someone gives it; the values that have a fixed set are the
//! words FedRAMP's own value lists use, so the plan Lockstep writes passes FedRAMP's checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One fact about the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemFact {
    /// The FedRAMP package id (`F1234567890`).
    FedrampId,
    /// The short name.
    ShortName,
    /// What the system is and does.
    Description,
    /// `saas`, `paas`, `iaas` or `other`.
    ServiceModel,
    /// `public-cloud`, `government-only-cloud`, `hybrid-cloud`, `private-cloud` or `other`.
    DeploymentModel,
    /// `fedramp-jab`, `fedramp-agency` or `fedramp-li-saas`.
    AuthorizationType,
    /// Identity assurance level, 1 to 3.
    Ial,
    /// Authenticator assurance level, 1 to 3.
    Aal,
    /// Federation assurance level, 1 to 3.
    Fal,
    /// The confidentiality objective: low, moderate or high.
    Confidentiality,
    /// The integrity objective.
    Integrity,
    /// The availability objective.
    Availability,
    /// The FedRAMP package id of the AWS authorization the system leverages.
    AwsFedrampId,
}

const LEVELS: &[&str] = &["low", "moderate", "high"];
const ASSURANCE: &[&str] = &["1", "2", "3"];

impl SystemFact {
    /// Every fact, in the order forms and lists show them.
    pub const ALL: [SystemFact; 13] = [
        SystemFact::FedrampId,
        SystemFact::ShortName,
        SystemFact::Description,
        SystemFact::ServiceModel,
        SystemFact::DeploymentModel,
        SystemFact::AuthorizationType,
        SystemFact::Ial,
        SystemFact::Aal,
        SystemFact::Fal,
        SystemFact::Confidentiality,
        SystemFact::Integrity,
        SystemFact::Availability,
        SystemFact::AwsFedrampId,
    ];

    /// Its name on the command line and in JSON (`fedramp-id`).
    pub fn as_str(self) -> &'static str {
        match self {
            SystemFact::FedrampId => "fedramp-id",
            SystemFact::ShortName => "short-name",
            SystemFact::Description => "description",
            SystemFact::ServiceModel => "service-model",
            SystemFact::DeploymentModel => "deployment-model",
            SystemFact::AuthorizationType => "authorization-type",
            SystemFact::Ial => "ial",
            SystemFact::Aal => "aal",
            SystemFact::Fal => "fal",
            SystemFact::Confidentiality => "confidentiality",
            SystemFact::Integrity => "integrity",
            SystemFact::Availability => "availability",
            SystemFact::AwsFedrampId => "aws-fedramp-id",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            SystemFact::FedrampId => "FedRAMP id",
            SystemFact::ShortName => "Short name",
            SystemFact::Description => "Description",
            SystemFact::ServiceModel => "Cloud service model",
            SystemFact::DeploymentModel => "Deployment model",
            SystemFact::AuthorizationType => "Authorization type",
            SystemFact::Ial => "Identity assurance level (IAL)",
            SystemFact::Aal => "Authenticator assurance level (AAL)",
            SystemFact::Fal => "Federation assurance level (FAL)",
            SystemFact::Confidentiality => "Confidentiality",
            SystemFact::Integrity => "Integrity",
            SystemFact::Availability => "Availability",
            SystemFact::AwsFedrampId => "FedRAMP id of the AWS authorization leveraged",
        }
    }

    /// The values it may take, when it has a fixed set.
    pub fn allowed(self) -> Option<&'static [&'static str]> {
        match self {
            SystemFact::FedrampId
            | SystemFact::ShortName
            | SystemFact::Description
            | SystemFact::AwsFedrampId => None,
            SystemFact::ServiceModel => Some(&["saas", "paas", "iaas", "other"]),
            SystemFact::DeploymentModel => Some(&[
                "public-cloud",
                "government-only-cloud",
                "hybrid-cloud",
                "private-cloud",
                "other",
            ]),
            SystemFact::AuthorizationType => {
                Some(&["fedramp-jab", "fedramp-agency", "fedramp-li-saas"])
            }
            SystemFact::Ial | SystemFact::Aal | SystemFact::Fal => Some(ASSURANCE),
            SystemFact::Confidentiality | SystemFact::Integrity | SystemFact::Availability => {
                Some(LEVELS)
            }
        }
    }

    /// Whether it is kept as a number (the assurance levels).
    pub fn is_number(self) -> bool {
        matches!(self, SystemFact::Ial | SystemFact::Aal | SystemFact::Fal)
    }

    /// `value` as stored: trimmed, and in lower case for a fixed set. An empty value clears
    /// the fact. `Err` says what the fact may be.
    pub fn check(self, value: &str) -> Result<Option<String>, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        match self.allowed() {
            None if value.chars().any(|c| c.is_control() && c != '\n') => Err(format!(
                "the {} holds a control character",
                self.label().to_lowercase()
            )),
            None => Ok(Some(value.to_string())),
            Some(allowed) => {
                let lower = value.to_ascii_lowercase();
                if allowed.contains(&lower.as_str()) {
                    Ok(Some(lower))
                } else {
                    Err(format!(
                        "'{value}' is not a {}: use {}",
                        self.label().to_lowercase(),
                        allowed.join(", ")
                    ))
                }
            }
        }
    }
}

/// A system's facts as far as they are known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SystemFacts {
    values: BTreeMap<SystemFact, String>,
}

impl SystemFacts {
    /// The fact's value, when given.
    pub fn get(&self, fact: SystemFact) -> Option<&str> {
        self.values.get(&fact).map(String::as_str)
    }

    /// Sets (or with `None` clears) a fact.
    pub fn set(&mut self, fact: SystemFact, value: Option<String>) {
        match value {
            Some(value) => {
                self.values.insert(fact, value);
            }
            None => {
                self.values.remove(&fact);
            }
        }
    }

    /// The facts not given yet, in form order.
    pub fn missing(&self) -> Vec<SystemFact> {
        SystemFact::ALL
            .into_iter()
            .filter(|fact| !self.values.contains_key(fact))
            .collect()
    }

    /// The highest of the three security objectives given, as FIPS 199 takes the system's
    /// level (the high-water mark).
    pub fn high_water_mark(&self) -> Option<&'static str> {
        [
            SystemFact::Confidentiality,
            SystemFact::Integrity,
            SystemFact::Availability,
        ]
        .into_iter()
        .filter_map(|fact| self.get(fact))
        .filter_map(|level| LEVELS.iter().position(|l| *l == level))
        .max()
        .map(|at| LEVELS[at])
    }
}

/// A role an authorization package names for the system, held by one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemRole {
    /// The system owner.
    SystemOwner,
    /// The authorizing official.
    AuthorizingOfficial,
    /// The authorizing official's point of contact.
    AuthorizingOfficialPoc,
    /// The information system security officer (ISSO).
    InformationSystemSecurityOfficer,
    /// The system's management point of contact.
    SystemPocManagement,
    /// The system's technical point of contact.
    SystemPocTechnical,
    /// Another point of contact for the system.
    SystemPocOther,
}

impl SystemRole {
    /// Every role, in the order FedRAMP's template lists them.
    pub const ALL: [SystemRole; 7] = [
        SystemRole::SystemOwner,
        SystemRole::AuthorizingOfficial,
        SystemRole::AuthorizingOfficialPoc,
        SystemRole::InformationSystemSecurityOfficer,
        SystemRole::SystemPocManagement,
        SystemRole::SystemPocTechnical,
        SystemRole::SystemPocOther,
    ];

    /// Its id, as FedRAMP's OSCAL names it and the command line takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SystemRole::SystemOwner => "system-owner",
            SystemRole::AuthorizingOfficial => "authorizing-official",
            SystemRole::AuthorizingOfficialPoc => "authorizing-official-poc",
            SystemRole::InformationSystemSecurityOfficer => "information-system-security-officer",
            SystemRole::SystemPocManagement => "system-poc-management",
            SystemRole::SystemPocTechnical => "system-poc-technical",
            SystemRole::SystemPocOther => "system-poc-other",
        }
    }

    /// Its title for people.
    pub fn title(self) -> &'static str {
        match self {
            SystemRole::SystemOwner => "System Owner",
            SystemRole::AuthorizingOfficial => "Authorizing Official",
            SystemRole::AuthorizingOfficialPoc => "Authorizing Official's Point of Contact",
            SystemRole::InformationSystemSecurityOfficer => {
                "Information System Security Officer (ISSO)"
            }
            SystemRole::SystemPocManagement => "System Management Point of Contact",
            SystemRole::SystemPocTechnical => "System Technical Point of Contact",
            SystemRole::SystemPocOther => "System Point of Contact (other)",
        }
    }
}

impl std::str::FromStr for SystemRole {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        SystemRole::ALL
            .into_iter()
            .find(|role| role.as_str() == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = SystemRole::ALL.iter().map(|r| r.as_str()).collect();
                format!(
                    "'{}' is not a system role: use {}",
                    text.trim(),
                    known.join(", ")
                )
            })
    }
}

/// A role of the system and the person who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleHolder {
    /// The role.
    pub role: SystemRole,
    /// The person's name.
    pub name: String,
    /// The person's email.
    pub email: String,
}

/// The roles a system user may hold: the team that owns the controls, AWS's operators of
/// the services in scope, and the roles of the system ([`SystemRole`]).
pub const USER_ROLES: [&str; 9] = [
    "control-owner",
    "provider",
    "system-owner",
    "authorizing-official",
    "authorizing-official-poc",
    "information-system-security-officer",
    "system-poc-management",
    "system-poc-technical",
    "system-poc-other",
];

/// Whether a user is the organisation's, someone else's, or the public (FedRAMP's words).
pub const USER_TYPES: [&str; 3] = ["internal", "external", "general-public"];
/// A user's privilege level in the system.
pub const USER_PRIVILEGES: [&str; 3] = ["privileged", "non-privileged", "no-logical-access"];
/// The sensitivity of a user's position.
pub const USER_SENSITIVITIES: [&str; 5] = [
    "high-risk",
    "severe",
    "moderate",
    "limited",
    "not-applicable",
];

/// One kind of person who uses the system, as an authorization package lists them: "System
/// administrator", with the roles it holds, its type, privilege and sensitivity, and the
/// functions it performs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUser {
    /// What the user is called (unique in the project, ignoring case).
    pub title: String,
    /// The roles it holds ([`USER_ROLES`]).
    pub roles: Vec<String>,
    /// internal, external or general-public.
    #[serde(rename = "type")]
    pub user_type: String,
    /// privileged, non-privileged or no-logical-access.
    pub privilege: String,
    /// high-risk, severe, moderate, limited or not-applicable.
    pub sensitivity: String,
    /// What it does in the system, one function each.
    pub functions: Vec<String>,
}

impl SystemUser {
    /// A user from what was typed: the title and functions trimmed, the roles and levels
    /// checked against their sets (in any case). `Err` is a sentence saying what to change.
    pub fn checked(
        title: &str,
        roles: &[String],
        user_type: &str,
        privilege: &str,
        sensitivity: &str,
        functions: &[String],
    ) -> Result<Self, String> {
        let title = title.trim();
        if title.is_empty() {
            return Err("a system user needs a title, such as \"System administrator\"".into());
        }
        if title.chars().any(char::is_control) {
            return Err("the user's title holds a control character".into());
        }
        let pick = |value: &str, allowed: &[&str], what: &str| -> Result<String, String> {
            let lower = value.trim().to_ascii_lowercase();
            if allowed.contains(&lower.as_str()) {
                Ok(lower)
            } else {
                Err(format!(
                    "'{}' is not a {what}: use {}",
                    value.trim(),
                    allowed.join(", ")
                ))
            }
        };
        let mut checked_roles: Vec<String> = Vec::new();
        for role in roles.iter().flat_map(|r| r.split(',')) {
            if role.trim().is_empty() {
                continue;
            }
            let role = pick(role, &USER_ROLES, "role a user can hold")?;
            if !checked_roles.contains(&role) {
                checked_roles.push(role);
            }
        }
        if checked_roles.is_empty() {
            return Err(format!(
                "say which roles the user holds with --role: {}",
                USER_ROLES.join(", ")
            ));
        }
        let functions: Vec<String> = functions
            .iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        if functions.is_empty() {
            return Err(
                "say what the user does with --function, such as \"Creates and removes accounts\""
                    .into(),
            );
        }
        if functions.iter().any(|f| f.chars().any(char::is_control)) {
            return Err("a function holds a control character".into());
        }
        Ok(SystemUser {
            title: title.to_string(),
            roles: checked_roles,
            user_type: pick(user_type, &USER_TYPES, "user type")?,
            privilege: pick(privilege, &USER_PRIVILEGES, "privilege level")?,
            sensitivity: pick(sensitivity, &USER_SENSITIVITIES, "sensitivity level")?,
            functions,
        })
    }
}

/// The most a parameter value may hold, in bytes.
pub const MAX_PARAMETER_VALUE: usize = 4096;

/// A parameter value as stored: trimmed; an empty one clears the value. `Err` says why the
/// value cannot be kept.
pub fn checked_parameter_value(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > MAX_PARAMETER_VALUE {
        return Err(format!(
            "the value is {} bytes; a parameter value holds at most {MAX_PARAMETER_VALUE}",
            value.len()
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err("the value holds a control character".into());
    }
    Ok(Some(value.to_string()))
}

/// One fact changed, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemChange {
    /// The fact.
    pub fact: SystemFact,
    /// Its value before, if any.
    #[serde(default)]
    pub from: Option<String>,
    /// Its value after, if any.
    #[serde(default)]
    pub to: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_values_are_checked_in_any_case_and_free_text_is_trimmed() {
        assert_eq!(
            SystemFact::ServiceModel.check(" SaaS "),
            Ok(Some("saas".to_string()))
        );
        assert!(
            SystemFact::ServiceModel
                .check("cloud")
                .unwrap_err()
                .contains("use saas, paas, iaas, other")
        );
        assert_eq!(SystemFact::Ial.check("2"), Ok(Some("2".to_string())));
        assert!(SystemFact::Aal.check("4").is_err());
        assert_eq!(SystemFact::ShortName.check("  "), Ok(None));
        assert!(SystemFact::FedrampId.check("F1\u{7}").is_err());
    }

    #[test]
    fn the_high_water_mark_is_the_highest_objective_given() {
        let mut facts = SystemFacts::default();
        assert_eq!(facts.high_water_mark(), None);
        facts.set(SystemFact::Confidentiality, Some("moderate".into()));
        facts.set(SystemFact::Availability, Some("low".into()));
        assert_eq!(facts.high_water_mark(), Some("moderate"));
        facts.set(SystemFact::Integrity, Some("high".into()));
        assert_eq!(facts.high_water_mark(), Some("high"));
        assert_eq!(facts.missing().len(), 10);
    }

    #[test]
    fn a_user_is_checked_against_fedramps_values() {
        let user = SystemUser::checked(
            " Administrator ",
            &["control-owner, Provider".to_string()],
            "Internal",
            "privileged",
            "moderate",
            &["Creates accounts".to_string(), " ".to_string()],
        )
        .unwrap();
        assert_eq!(user.title, "Administrator");
        assert_eq!(user.roles, ["control-owner", "provider"]);
        assert_eq!(user.user_type, "internal");
        assert_eq!(user.functions, ["Creates accounts"]);
        let refused = |roles: &[&str], kind: &str, functions: &[&str]| {
            let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
            let functions: Vec<String> = functions.iter().map(|f| f.to_string()).collect();
            SystemUser::checked("A", &roles, kind, "privileged", "moderate", &functions)
                .unwrap_err()
        };
        assert!(refused(&["owner"], "internal", &["x"]).contains("use control-owner"));
        assert!(refused(&[], "internal", &["x"]).contains("--role"));
        assert!(refused(&["provider"], "staff", &["x"]).contains("not a user type"));
        assert!(refused(&["provider"], "internal", &[]).contains("--function"));
    }

    #[test]
    fn parameter_values_are_trimmed_bounded_and_plain() {
        assert_eq!(
            checked_parameter_value(" at least annually "),
            Ok(Some("at least annually".into()))
        );
        assert_eq!(checked_parameter_value(""), Ok(None));
        assert!(checked_parameter_value("a\u{1b}[31mb").is_err());
        assert!(checked_parameter_value(&"x".repeat(5000)).is_err());
    }
}
