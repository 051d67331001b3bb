//! The built-in AWS shared-responsibility baseline and the rules that turn it into a
//! project's controls.
//!
//! The baseline lives in `assets/baseline.toml`, written by this project and embedded at build
//! time, so a fresh install works offline with no set-up. A duty whose owner depends on the
//! service model (guest OS patching is the customer's on EC2 and AWS's on RDS) is written as a
//! *family* of controls with disjoint service models; a project gets one control per owner,
//! each listing the project's services it covers.

pub mod oscal;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Column, ServiceModel};

/// The embedded baseline file.
pub const BASELINE_TOML: &str = include_str!("../../assets/baseline.toml");

/// A problem with a catalog or with service ids given by a user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A service id that the catalog does not know.
    #[error("unknown AWS service '{0}': run `lockstep services` to list the known ids")]
    UnknownService(String),
    /// The baseline file does not parse.
    #[error("the built-in baseline is malformed: {0}")]
    Malformed(String),
}

/// An AWS service and how much of it AWS runs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Short lowercase id (`ec2`, `rds`, `s3`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its service model.
    pub model: ServiceModel,
}

/// A control of the baseline, before it is placed in a project.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlTemplate {
    /// Stable id such as `SRM-CUS-IAM-01`.
    pub id: String,
    /// The board group.
    pub area: String,
    /// Short title.
    pub title: String,
    /// What the control requires.
    pub description: String,
    /// Who owns it for the service models it applies to.
    pub column: Column,
    /// The answer to the ownership test.
    pub can_adjust: String,
    /// Related NIST SP 800-53 Rev 5 ids (`AC-2`, `IA-2(1)`).
    pub nist: Vec<String>,
    /// The service models it applies to; all when absent.
    #[serde(default)]
    pub models: Option<Vec<ServiceModel>>,
    /// Shared by the controls that split one duty between owners by service model.
    #[serde(default)]
    pub family: Option<String>,
    /// What AWS does (shared controls).
    #[serde(default)]
    pub aws_part: Option<String>,
    /// What the customer does (shared controls).
    #[serde(default)]
    pub customer_part: Option<String>,
}

impl ControlTemplate {
    /// Whether the control applies to services of this model.
    pub fn applies_to(&self, model: ServiceModel) -> bool {
        self.models
            .as_ref()
            .is_none_or(|models| models.contains(&model))
    }
}

/// The whole baseline: services and control templates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version of the file.
    pub version: u32,
    /// Known AWS services.
    #[serde(rename = "service")]
    pub services: Vec<Service>,
    /// Control templates, in board order.
    #[serde(rename = "control")]
    pub controls: Vec<ControlTemplate>,
}

/// A baseline control as it lands in a project: the template and the project's services it
/// covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedControl<'a> {
    /// The template.
    pub template: &'a ControlTemplate,
    /// Position in the baseline, used as board order.
    pub order: usize,
    /// Project services it covers, sorted.
    pub services: Vec<String>,
}

impl Baseline {
    /// Parses a baseline file.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        toml::from_str(text).map_err(|e| CatalogError::Malformed(e.to_string()))
    }

    /// The built-in baseline, parsed once.
    pub fn builtin() -> &'static Baseline {
        static BASELINE: OnceLock<Baseline> = OnceLock::new();
        // The embedded file is checked by the tests, so a parse failure is a build defect.
        BASELINE.get_or_init(|| Baseline::parse(BASELINE_TOML).unwrap_or_else(|e| panic!("{e}")))
    }

    /// The service with this id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// Checks service ids given by a user and returns them trimmed, lowercased, sorted and
    /// without repeats.
    pub fn resolve_services<S: AsRef<str>>(&self, ids: &[S]) -> Result<Vec<String>, CatalogError> {
        let mut out = BTreeSet::new();
        for id in ids {
            let id = id.as_ref().trim().to_ascii_lowercase();
            if id.is_empty() {
                continue;
            }
            if self.service(&id).is_none() {
                return Err(CatalogError::UnknownService(id));
            }
            out.insert(id);
        }
        Ok(out.into_iter().collect())
    }

    /// The controls a project on these services gets: each template that applies to at least
    /// one of the services, with the services it covers. Unknown ids are ignored (resolve
    /// them first).
    pub fn plan(&self, services: &[String]) -> Vec<PlannedControl<'_>> {
        self.controls
            .iter()
            .enumerate()
            .filter_map(|(order, template)| {
                let covered: Vec<String> = services
                    .iter()
                    .filter(|id| {
                        self.service(id)
                            .is_some_and(|service| template.applies_to(service.model))
                    })
                    .cloned()
                    .collect();
                (!covered.is_empty()).then_some(PlannedControl {
                    template,
                    order,
                    services: covered,
                })
            })
            .collect()
    }

    /// The areas in board order, each once.
    pub fn areas(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for control in &self.controls {
            if !seen.contains(&control.area.as_str()) {
                seen.push(control.area.as_str());
            }
        }
        seen
    }
}

/// Splits a comma-separated list of service ids as typed on the command line.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
