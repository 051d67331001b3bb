//! Placing a framework control in a column, with the reason why.
//!
//! One pure rule decides where a control of a NIST or FedRAMP baseline goes on a project's
//! board, and says why, so the control panel, `control show` and the OSCAL export all give the
//! same answer. In order:
//! 1. the project's imported CRM entry for the control (the provider's own word);
//! 2. the built-in SRM controls that name the control's NIST id and are in scope for the
//!    project's services: all AWS → AWS, all customer → Customer, a mix → Shared;
//! 3. a family rule from `assets/family_rules.toml` (physical protection is AWS's, …);
//! 4. otherwise Customer: on AWS, whatever AWS is not shown to carry is the customer's.
//!
//! The caller gathers the CRM entry and the SRM matches; nothing here reads a file at run time
//! (the family rules are embedded at build time) or a database.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Column, RuleError};

/// The embedded family rules.
pub const FAMILY_RULES_TOML: &str = include_str!("../../assets/family_rules.toml");

/// A CRM's answer to "Can Be Inherited from CSP".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrmAnswer {
    /// Fully inherited: AWS's.
    Yes,
    /// Partly inherited: shared.
    Partial,
    /// Not inherited: the customer's.
    No,
}

impl CrmAnswer {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CrmAnswer::Yes => "yes",
            CrmAnswer::Partial => "partial",
            CrmAnswer::No => "no",
        }
    }

    /// The word a CRM workbook uses.
    pub fn label(self) -> &'static str {
        match self {
            CrmAnswer::Yes => "Yes",
            CrmAnswer::Partial => "Partial",
            CrmAnswer::No => "No",
        }
    }

    /// The column it places a control in.
    pub fn column(self) -> Column {
        match self {
            CrmAnswer::Yes => Column::Aws,
            CrmAnswer::Partial => Column::Shared,
            CrmAnswer::No => Column::Customer,
        }
    }
}

impl FromStr for CrmAnswer {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" => Ok(CrmAnswer::Yes),
            "partial" => Ok(CrmAnswer::Partial),
            "no" => Ok(CrmAnswer::No),
            _ => Err(RuleError::UnknownCrmAnswer(s.trim().to_string())),
        }
    }
}

impl fmt::Display for CrmAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One row of a project's imported CRM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrmEntry {
    /// OSCAL id of the control (`ac-2.1`).
    pub control: String,
    /// Can it be inherited from the provider?
    pub answer: CrmAnswer,
    /// "Specific Inheritance and Customer Agency/CSP Responsibilities".
    pub text: String,
}

/// A built-in SRM control in scope for the project's services that names a NIST id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SrmMatch {
    /// Its id (`SRM-AWS-PE-01`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its column for the project's services.
    pub column: Column,
    /// What AWS does under it (its description when it is AWS's).
    pub aws_part: String,
    /// What the customer does under it (its description when it is the customer's).
    pub customer_part: String,
}

/// Why a control is in its column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The project's imported CRM says so.
    Crm {
        /// The CRM's answer.
        answer: CrmAnswer,
    },
    /// Built-in SRM controls for the project's services say so.
    Srm {
        /// Their ids.
        ids: Vec<String>,
    },
    /// A family rule says so.
    Family {
        /// The family code (`PE`).
        family: String,
    },
    /// Nothing else placed it.
    Default,
    /// A person moved it, with a reason.
    Person,
}

impl Reason {
    /// Whether the column was derived from the project's services and the rules, so a change of
    /// services may move it; a person's or a CRM's placement stays.
    pub fn is_derived(&self) -> bool {
        matches!(
            self,
            Reason::Srm { .. } | Reason::Family { .. } | Reason::Default
        )
    }

    /// A short name: `crm`, `srm`, `family`, `default` or `person`.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::Crm { .. } => "crm",
            Reason::Srm { .. } => "srm",
            Reason::Family { .. } => "family",
            Reason::Default => "default",
            Reason::Person => "person",
        }
    }

    /// The sentence shown as "Why this column" for a control in `column`.
    pub fn why(&self, column: Column) -> String {
        match self {
            Reason::Crm { answer } => match answer {
                CrmAnswer::Yes => "The provider's CRM says it can be inherited from AWS (Yes)."
                    .to_string(),
                CrmAnswer::Partial => {
                    "The provider's CRM says it is partly inherited from AWS (Partial); the customer does the rest."
                        .to_string()
                }
                CrmAnswer::No => {
                    "The provider's CRM says it cannot be inherited from AWS (No).".to_string()
                }
            },
            Reason::Srm { ids } => {
                let owners = match column {
                    Column::Aws => "all AWS's",
                    Column::Customer => "all the customer's",
                    Column::Shared => "split between AWS and the customer",
                };
                let named = if ids.len() == 1 {
                    format!("The built-in SRM control {} names it and is", ids.join(""))
                } else {
                    format!("The built-in SRM controls {} name it and are", ids.join(", "))
                };
                format!("{named} {owners} for this project's services.")
            }
            Reason::Family { family } => {
                match FamilyRules::builtin().rule(family) {
                    Some(rule) => format!("Family rule for {family}: {}.", rule.why),
                    None => format!("Family rule for {family}."),
                }
            }
            Reason::Default => "No CRM entry, built-in SRM control or family rule places it, so it is the customer's: on AWS, what AWS is not shown to carry is the customer's."
                .to_string(),
            Reason::Person => "A person moved it to this column.".to_string(),
        }
    }
}

/// Where a control goes, with what each side does and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// The column.
    pub column: Column,
    /// What AWS does (blank when nothing is said).
    pub aws_part: String,
    /// What the customer does (blank when nothing is said).
    pub customer_part: String,
    /// Why.
    pub reason: Reason,
}

/// A rule for a whole control family.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyRule {
    /// The family code (`PE`).
    pub family: String,
    /// The column its controls go to.
    pub column: Column,
    /// Why, as a clause.
    pub why: String,
    /// What AWS does (shared rules).
    #[serde(default)]
    pub aws_part: String,
    /// What the customer does (shared rules).
    #[serde(default)]
    pub customer_part: String,
}

/// The family rules file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyRules {
    /// Format version.
    pub version: u32,
    /// The rules.
    #[serde(rename = "rule")]
    pub rules: Vec<FamilyRule>,
}

impl FamilyRules {
    /// Parses a family rules file.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        toml::from_str(text).map_err(|e| RuleError::MalformedFamilyRules(e.to_string()))
    }

    /// The built-in rules, parsed once.
    pub fn builtin() -> &'static FamilyRules {
        static RULES: OnceLock<FamilyRules> = OnceLock::new();
        // The embedded file is checked by the tests, so a parse failure is a build defect.
        RULES
            .get_or_init(|| FamilyRules::parse(FAMILY_RULES_TOML).unwrap_or_else(|e| panic!("{e}")))
    }

    /// The rule for a family code, ignoring case.
    pub fn rule(&self, family: &str) -> Option<&FamilyRule> {
        self.rules
            .iter()
            .find(|rule| rule.family.eq_ignore_ascii_case(family.trim()))
    }
}

fn joined<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
        if !seen.contains(&part) {
            seen.push(part);
        }
    }
    seen.join("\n")
}

/// Places one control of family `family`, given the project's CRM entry for it and the SRM
/// controls in scope that name it.
pub fn place(
    crm: Option<&CrmEntry>,
    srm: &[SrmMatch],
    family: &str,
    rules: &FamilyRules,
) -> Placement {
    if let Some(entry) = crm {
        let text = entry.text.trim().to_string();
        let (aws_part, customer_part) = match entry.answer {
            CrmAnswer::Yes => (text, String::new()),
            CrmAnswer::Partial | CrmAnswer::No => (String::new(), text),
        };
        return Placement {
            column: entry.answer.column(),
            aws_part,
            customer_part,
            reason: Reason::Crm {
                answer: entry.answer,
            },
        };
    }
    if !srm.is_empty() {
        let column = if srm.iter().all(|m| m.column == Column::Aws) {
            Column::Aws
        } else if srm.iter().all(|m| m.column == Column::Customer) {
            Column::Customer
        } else {
            Column::Shared
        };
        return Placement {
            column,
            aws_part: joined(srm.iter().map(|m| m.aws_part.as_str())),
            customer_part: joined(srm.iter().map(|m| m.customer_part.as_str())),
            reason: Reason::Srm {
                ids: srm.iter().map(|m| m.id.clone()).collect(),
            },
        };
    }
    if let Some(rule) = rules.rule(family) {
        return Placement {
            column: rule.column,
            aws_part: rule.aws_part.trim().to_string(),
            customer_part: rule.customer_part.trim().to_string(),
            reason: Reason::Family {
                family: rule.family.clone(),
            },
        };
    }
    Placement {
        column: Column::Customer,
        aws_part: String::new(),
        customer_part: String::new(),
        reason: Reason::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srm(id: &str, column: Column) -> SrmMatch {
        SrmMatch {
            id: id.to_string(),
            title: format!("{id} title"),
            column,
            aws_part: if column == Column::Customer {
                String::new()
            } else {
                format!("AWS under {id}")
            },
            customer_part: if column == Column::Aws {
                String::new()
            } else {
                format!("customer under {id}")
            },
        }
    }

    fn crm(answer: CrmAnswer) -> CrmEntry {
        CrmEntry {
            control: "ac-2".to_string(),
            answer,
            text: "Customer manages accounts.".to_string(),
        }
    }

    #[test]
    fn the_builtin_family_rules_parse_and_cover_physical_protection() {
        let rules = FamilyRules::builtin();
        assert_eq!(rules.rule("pe").map(|r| r.column), Some(Column::Aws));
        for rule in &rules.rules {
            assert!(!rule.why.trim().is_empty(), "{}", rule.family);
            if rule.column == Column::Shared {
                assert!(!rule.aws_part.is_empty() && !rule.customer_part.is_empty());
            }
        }
    }

    #[test]
    fn a_crm_entry_wins_over_srm_and_family() {
        let rules = FamilyRules::builtin();
        let aws = [srm("SRM-AWS-PE-01", Column::Aws)];
        for (answer, column) in [
            (CrmAnswer::Yes, Column::Aws),
            (CrmAnswer::Partial, Column::Shared),
            (CrmAnswer::No, Column::Customer),
        ] {
            let placed = place(Some(&crm(answer)), &aws, "PE", rules);
            assert_eq!(placed.column, column);
            assert_eq!(placed.reason, Reason::Crm { answer });
        }
        let partial = place(Some(&crm(CrmAnswer::Partial)), &aws, "PE", rules);
        assert_eq!(partial.customer_part, "Customer manages accounts.");
    }

    #[test]
    fn srm_controls_decide_by_their_columns() {
        let rules = FamilyRules::builtin();
        let all_aws = [
            srm("SRM-AWS-PE-01", Column::Aws),
            srm("SRM-AWS-GLB-02", Column::Aws),
        ];
        let placed = place(None, &all_aws, "MA", rules);
        assert_eq!(placed.column, Column::Aws);
        assert_eq!(
            placed.aws_part,
            "AWS under SRM-AWS-PE-01\nAWS under SRM-AWS-GLB-02"
        );
        assert_eq!(
            placed.reason,
            Reason::Srm {
                ids: vec!["SRM-AWS-PE-01".into(), "SRM-AWS-GLB-02".into()]
            }
        );
        let customer = place(
            None,
            &[srm("SRM-CUS-IAM-01", Column::Customer)],
            "AC",
            rules,
        );
        assert_eq!(customer.column, Column::Customer);
        assert_eq!(customer.customer_part, "customer under SRM-CUS-IAM-01");
        let mixed = place(
            None,
            &[
                srm("SRM-AWS-INF-04", Column::Aws),
                srm("SRM-CUS-HOST-02", Column::Customer),
            ],
            "SI",
            rules,
        );
        assert_eq!(mixed.column, Column::Shared);
        assert_eq!(mixed.aws_part, "AWS under SRM-AWS-INF-04");
        assert_eq!(mixed.customer_part, "customer under SRM-CUS-HOST-02");
        let one_shared = place(None, &[srm("SRM-SHR-PM-01", Column::Shared)], "SI", rules);
        assert_eq!(one_shared.column, Column::Shared);
    }

    #[test]
    fn a_family_rule_applies_when_no_srm_control_names_the_id() {
        let placed = place(None, &[], "pe", FamilyRules::builtin());
        assert_eq!(placed.column, Column::Aws);
        assert_eq!(
            placed.reason,
            Reason::Family {
                family: "PE".into()
            }
        );
        assert!(
            placed
                .reason
                .why(placed.column)
                .contains("Family rule for PE")
        );
        let shared = place(None, &[], "MA", FamilyRules::builtin());
        assert_eq!(shared.column, Column::Shared);
        assert!(!shared.aws_part.is_empty());
    }

    #[test]
    fn anything_else_is_the_customers() {
        let placed = place(None, &[], "AC", FamilyRules::builtin());
        assert_eq!(placed.column, Column::Customer);
        assert_eq!(placed.reason, Reason::Default);
    }

    #[test]
    fn only_derived_reasons_follow_the_services() {
        assert!(Reason::Default.is_derived());
        assert!(Reason::Srm { ids: vec![] }.is_derived());
        assert!(
            Reason::Family {
                family: "PE".into()
            }
            .is_derived()
        );
        assert!(!Reason::Person.is_derived());
        assert!(
            !Reason::Crm {
                answer: CrmAnswer::Yes
            }
            .is_derived()
        );
    }

    #[test]
    fn a_change_of_services_moves_a_derived_placement() {
        let rules = FamilyRules::builtin();
        // With EC2 the customer patches; with RDS only, AWS does.
        let on_ec2 = place(
            None,
            &[srm("SRM-CUS-HOST-01", Column::Customer)],
            "SI",
            rules,
        );
        let on_rds = place(None, &[srm("SRM-AWS-INF-04", Column::Aws)], "SI", rules);
        assert_eq!(on_ec2.column, Column::Customer);
        assert_eq!(on_rds.column, Column::Aws);
        let on_none = place(None, &[], "SI", rules);
        assert_eq!(on_none.reason, Reason::Default);
    }

    #[test]
    fn answers_read_in_any_case_and_unknown_ones_are_refused() {
        assert_eq!(" YES ".parse::<CrmAnswer>().ok(), Some(CrmAnswer::Yes));
        assert_eq!(
            "partial".parse::<CrmAnswer>().ok(),
            Some(CrmAnswer::Partial)
        );
        assert!("Maybe".parse::<CrmAnswer>().is_err());
    }

    #[test]
    fn reasons_round_trip_as_json() {
        let reason = Reason::Srm {
            ids: vec!["SRM-AWS-PE-01".into()],
        };
        let text = serde_json::to_string(&reason).unwrap();
        assert_eq!(text, r#"{"kind":"srm","ids":["SRM-AWS-PE-01"]}"#);
        assert_eq!(serde_json::from_str::<Reason>(&text).unwrap(), reason);
    }
}
