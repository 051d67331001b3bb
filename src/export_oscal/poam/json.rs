//! `poam.json`: an OSCAL 1.1.3 plan of action and milestones with FedRAMP's props.
//!
//! Each item becomes a poam-item (with FedRAMP's `POAM-ID`), one risk (its status, the
//! `impacted-control-id`s, the initial and adjusted risk, the deadline, the deviation and
//! the milestones as tasks of the planned remediation) and one observation per record of
//! AWS's tools behind it. The tools are components and the resources inventory items of
//! the local definitions. Every UUID is a version 5 UUID of the project and a stable name,
//! and the times come from the records, so the same workspace gives the same bytes.

use chrono::NaiveDate;
use serde::Serialize;

use super::items::{ItemKind, PoamItem, risk_word};
use crate::export_oscal::document::{InventoryItem, Metadata, Property, metadata};
use crate::export_oscal::{OscalError, OscalInput};
use crate::model::{DeviationKind, DeviationState, FindingSource, oscal_id_of, stamp};
use crate::store::Finding;

const FEDRAMP_SYSTEM: &str = "https://fedramp.gov";

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "plan-of-action-and-milestones")]
    poam: Poam<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Poam<'a> {
    uuid: String,
    metadata: Metadata,
    system_id: SystemId,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_definitions: Option<LocalDefinitions>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    risks: Vec<Risk>,
    poam_items: Vec<Item>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SystemId {
    identifier_type: &'static str,
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LocalDefinitions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inventory_items: Vec<InventoryItem>,
}

#[derive(Serialize)]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    description: String,
    status: State,
}

#[derive(Serialize)]
struct State {
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation<'a> {
    uuid: String,
    title: &'a str,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
    methods: [&'static str; 1],
    types: [&'static str; 1],
    origins: [Origin; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<Subject>,
    collected: String,
}

#[derive(Serialize)]
struct Origin {
    actors: Vec<Actor>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Actor {
    #[serde(rename = "type")]
    kind: &'static str,
    actor_uuid: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Subject {
    subject_uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Risk {
    uuid: String,
    title: String,
    description: String,
    statement: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    characterizations: Vec<Characterization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remediations: Vec<Remediation>,
}

#[derive(Serialize)]
struct Characterization {
    origin: Origin,
    facets: Vec<Facet>,
}

#[derive(Serialize)]
struct Facet {
    name: &'static str,
    system: &'static str,
    value: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
}

#[derive(Serialize)]
struct Remediation {
    uuid: String,
    lifecycle: &'static str,
    title: &'static str,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tasks: Vec<Task>,
}

#[derive(Serialize)]
struct Task {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    timing: Timing,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Timing {
    on_date: OnDate,
}

#[derive(Serialize)]
struct OnDate {
    date: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Item {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
    related_risks: [RelatedRisk; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedRisk {
    risk_uuid: String,
}

fn day_stamp(day: NaiveDate) -> String {
    format!("{day}T00:00:00Z")
}

/// Text as one line OSCAL accepts as a prop's value: whitespace and control characters
/// become single spaces, none leading or trailing; `otherwise` when nothing is left.
pub(crate) fn one_line(text: &str, otherwise: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        otherwise.to_string()
    } else {
        words.join(" ")
    }
}

/// Text OSCAL accepts where it asks for a non-empty string.
fn text_or(text: &str, otherwise: &str) -> String {
    if text.trim().is_empty() {
        otherwise.to_string()
    } else {
        text.to_string()
    }
}

fn tool_uuid(input: &OscalInput, source: FindingSource) -> String {
    input.uuid("poam-tool", source.as_str())
}

fn asset_uuid(input: &OscalInput, resource: &str) -> String {
    input.uuid("poam-asset", resource)
}

fn observation_uuid(input: &OscalInput, finding: &Finding) -> String {
    input.uuid("poam-observation", &finding.key.to_string())
}

/// The document's bytes, pretty JSON with a final newline.
pub fn poam_bytes(input: &OscalInput, items: &[PoamItem<'_>]) -> Result<Vec<u8>, OscalError> {
    let mut meta = metadata(
        input,
        format!("Plan of Action and Milestones: {}", input.project),
    );
    meta.props.push(Property::core("marking", "CUI"));
    let mut observations = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut sources = std::collections::BTreeSet::new();
    let mut assets = std::collections::BTreeSet::new();
    for item in items {
        for finding in &item.findings {
            sources.insert(finding.source);
            if !finding.resource.is_empty() {
                assets.insert(finding.resource.as_str());
            }
            if seen.insert(finding.key) {
                observations.push(observation(input, finding));
            }
        }
    }
    let local_definitions = (!sources.is_empty() || !assets.is_empty()).then(|| LocalDefinitions {
        components: sources
            .iter()
            .map(|source| Component {
                uuid: tool_uuid(input, *source),
                kind: "software",
                title: source.label(),
                description: format!(
                    "{}, whose exported findings Lockstep imported.",
                    source.label()
                ),
                status: State {
                    state: "operational",
                },
            })
            .collect(),
        inventory_items: assets
            .iter()
            .map(|resource| InventoryItem {
                uuid: asset_uuid(input, resource),
                description: format!("AWS resource {resource}"),
                props: vec![Property::core("asset-id", one_line(resource, "unnamed"))],
            })
            .collect(),
    });
    let document = Document {
        poam: Poam {
            uuid: input.uuid("poam", "document"),
            metadata: meta,
            system_id: SystemId {
                identifier_type: "http://ietf.org/rfc/rfc4122",
                id: input.uuid("system", "id"),
            },
            local_definitions,
            observations,
            risks: items.iter().map(|item| risk(input, item)).collect(),
            poam_items: items.iter().map(|item| poam_item(input, item)).collect(),
        },
    };
    crate::export_oscal::json_bytes(&document)
}

fn observation<'a>(input: &OscalInput, finding: &'a Finding) -> Observation<'a> {
    let mut props = vec![Property::lockstep("finding", finding.id.clone())];
    if !finding.check.trim().is_empty() {
        props.push(Property::lockstep("check", one_line(&finding.check, "")));
    }
    Observation {
        uuid: observation_uuid(input, finding),
        title: &finding.title,
        description: text_or(&finding.description, &finding.title),
        props,
        methods: ["TEST"],
        types: ["finding"],
        origins: [Origin {
            actors: vec![Actor {
                kind: "tool",
                actor_uuid: tool_uuid(input, finding.source),
                props: vec![],
            }],
        }],
        subjects: if finding.resource.is_empty() {
            vec![]
        } else {
            vec![Subject {
                subject_uuid: asset_uuid(input, &finding.resource),
                kind: "inventory-item",
            }]
        },
        collected: stamp(&finding.last_seen),
    }
}

fn risk(input: &OscalInput, item: &PoamItem<'_>) -> Risk {
    let mut props: Vec<Property> = item
        .nist
        .iter()
        .filter_map(|id| oscal_id_of(id))
        .map(|id| Property::fedramp("impacted-control-id", id))
        .collect();
    if let Some(deviation) = item.deviation {
        let name = match deviation.kind {
            DeviationKind::FalsePositive => "false-positive",
            DeviationKind::OperationalRequirement => "operational-requirement",
            DeviationKind::RiskAdjustment => "risk-adjustment",
        };
        let value = match deviation.state {
            DeviationState::Requested => "pending",
            DeviationState::Approved => "approved",
        };
        props.push(Property::fedramp(name, value));
    }
    let characterizations = characterizations(input, item);
    let tasks = item
        .milestones
        .iter()
        .enumerate()
        .map(|(n, m)| Task {
            uuid: input.uuid("poam-milestone", &format!("{}:{n}", item.poam_id)),
            kind: "milestone",
            title: text_or(&m.text, "Milestone"),
            timing: Timing {
                on_date: OnDate {
                    date: day_stamp(m.due),
                },
            },
        })
        .collect();
    Risk {
        uuid: input.uuid("poam-risk", &item.poam_id),
        title: text_or(&item.name, &item.poam_id),
        description: text_or(&item.description, &item.name),
        statement: match item.kind {
            ItemKind::Overdue => item.description.clone(),
            _ => text_or(&item.description, "No risk statement given by the tool."),
        },
        props,
        status: item.risk_status.as_str(),
        characterizations,
        deadline: item.scheduled.map(day_stamp),
        remediations: vec![Remediation {
            uuid: input.uuid("poam-remediation", &item.poam_id),
            lifecycle: "planned",
            title: "Remediation plan",
            description: item.plan.clone(),
            tasks,
        }],
    }
}

/// How the tool rated the risk, and how an approved risk adjustment rates it now.
fn characterizations(input: &OscalInput, item: &PoamItem<'_>) -> Vec<Characterization> {
    let mut characterizations = Vec::new();
    if let Some(original) = item.original_risk {
        let tool = item.findings.first().map(|f| f.source);
        let mut facets = vec![Facet {
            name: "risk",
            system: FEDRAMP_SYSTEM,
            value: risk_word(original).to_lowercase(),
            props: vec![Property::core("state", "initial")],
        }];
        if let Some(adjusted) = item.adjusted_risk {
            let mut state = Property::core("state", "adjusted");
            if let Some(d) = item.deviation {
                state = state.with_remarks(d.rationale.clone());
            }
            facets.push(Facet {
                name: "risk",
                system: FEDRAMP_SYSTEM,
                value: risk_word(adjusted).to_lowercase(),
                props: vec![state],
            });
        }
        for finding in &item.findings {
            if finding.vulnerability.starts_with("CVE-") {
                facets.push(Facet {
                    name: "cve-id",
                    system: "http://cve.mitre.org",
                    value: one_line(&finding.vulnerability, "CVE"),
                    props: vec![],
                });
            }
        }
        characterizations.push(Characterization {
            origin: Origin {
                actors: vec![Actor {
                    kind: "tool",
                    actor_uuid: tool.map_or_else(
                        || input.uuid("poam-tool", "lockstep"),
                        |t| tool_uuid(input, t),
                    ),
                    props: vec![],
                }],
            },
            facets,
        });
    }
    characterizations
}

fn poam_item(input: &OscalInput, item: &PoamItem<'_>) -> Item {
    let mut seen = std::collections::BTreeSet::new();
    Item {
        uuid: input.uuid("poam-item", &item.poam_id),
        title: text_or(&item.name, &item.poam_id),
        description: text_or(&item.description, &item.name),
        props: vec![Property::fedramp("POAM-ID", one_line(&item.poam_id, "V-0"))],
        related_observations: item
            .findings
            .iter()
            .filter(|f| seen.insert(f.key))
            .map(|f| RelatedObservation {
                observation_uuid: observation_uuid(input, f),
            })
            .collect(),
        related_risks: [RelatedRisk {
            risk_uuid: input.uuid("poam-risk", &item.poam_id),
        }],
    }
}
