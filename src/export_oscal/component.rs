//! The OSCAL 1.1.3 component definition: one component per AWS service of the project,
//! each with the controls it takes part in and, for each, who does what.
//!
//! The split is given twice, for tools that read either: responsible roles (`provider` for
//! AWS, `customer` for the team) on the requirement and its statement, and props (FedRAMP's
//! `control-origination`, and Lockstep's `responsibility`: `aws`, `shared` or `customer`).

use serde::Serialize;

use super::document::{
    BackMatter, Metadata, Property, ROLE_CUSTOMER, ROLE_PROVIDER, ResponsibleRole, aws_party,
    metadata, profile_resource, service_component,
};
use super::{OscalError, OscalInput, Requirement, json_bytes, originations};
use crate::model::Column;

#[derive(Serialize)]
struct Root {
    #[serde(rename = "component-definition")]
    definition: Definition,
}

#[derive(Serialize)]
struct Definition {
    uuid: String,
    metadata: Metadata,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    #[serde(rename = "back-matter")]
    back_matter: BackMatter,
}

#[derive(Serialize)]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    description: String,
    props: Vec<Property>,
    #[serde(rename = "responsible-roles")]
    responsible_roles: Vec<ResponsibleRole>,
    #[serde(
        rename = "control-implementations",
        skip_serializing_if = "Vec::is_empty"
    )]
    control_implementations: Vec<ControlImplementation>,
}

#[derive(Serialize)]
struct ControlImplementation {
    uuid: String,
    source: String,
    description: String,
    #[serde(rename = "implemented-requirements")]
    requirements: Vec<ImplementedRequirement>,
}

#[derive(Serialize)]
struct ImplementedRequirement {
    uuid: String,
    #[serde(rename = "control-id")]
    control_id: String,
    description: String,
    props: Vec<Property>,
    #[serde(rename = "responsible-roles")]
    responsible_roles: Vec<ResponsibleRole>,
    statements: Vec<Statement>,
}

#[derive(Serialize)]
struct Statement {
    #[serde(rename = "statement-id")]
    statement_id: String,
    uuid: String,
    description: String,
    props: Vec<Property>,
    #[serde(rename = "responsible-roles")]
    responsible_roles: Vec<ResponsibleRole>,
}

/// Who does what, in words, for one requirement.
fn split_text(req: &Requirement<'_>) -> String {
    let aws = req.aws_text();
    let customer = req.customer_text();
    match req.column {
        Column::Aws => format!("AWS: {}", if aws.is_empty() { "operates it" } else { &aws }),
        Column::Customer => format!(
            "Customer: {}",
            if customer.is_empty() {
                "operates it"
            } else {
                &customer
            }
        ),
        Column::Shared => format!(
            "AWS: {}\nCustomer: {}",
            if aws.is_empty() { "its part" } else { &aws },
            if customer.is_empty() {
                "its part"
            } else {
                &customer
            }
        ),
    }
}

fn roles(input: &OscalInput, column: Column) -> Vec<ResponsibleRole> {
    let provider = ResponsibleRole {
        role_id: ROLE_PROVIDER,
        party_uuids: vec![aws_party(input)],
    };
    let customer = ResponsibleRole {
        role_id: ROLE_CUSTOMER,
        party_uuids: vec![],
    };
    match column {
        Column::Aws => vec![provider],
        Column::Shared => vec![provider, customer],
        Column::Customer => vec![customer],
    }
}

fn props(req: &Requirement<'_>) -> Vec<Property> {
    let mut props: Vec<Property> = originations(req.column)
        .iter()
        .map(|o| Property::fedramp("control-origination", *o))
        .collect();
    props.push(Property::lockstep("responsibility", req.column.as_str()));
    props.push(Property::lockstep(
        "implementation-status",
        req.state.as_str(),
    ));
    props
}

/// The component definition as pretty JSON.
pub fn component_bytes(
    input: &OscalInput,
    requirements: &[Requirement<'_>],
) -> Result<Vec<u8>, OscalError> {
    let profile = profile_resource(input);
    let components = input
        .services
        .iter()
        .map(|service| {
            let key = |kind: &str, extra: &str| {
                input.uuid(
                    kind,
                    &format!("component-definition:{}:{extra}", service.id),
                )
            };
            let covered: Vec<ImplementedRequirement> = requirements
                .iter()
                .filter(|req| {
                    req.sources
                        .iter()
                        .any(|s| input.services_of(s).iter().any(|x| x.id == service.id))
                })
                .map(|req| ImplementedRequirement {
                    uuid: key("implemented-requirement", &req.control_id),
                    control_id: req.control_id.clone(),
                    description: split_text(req),
                    props: props(req),
                    responsible_roles: roles(input, req.column),
                    statements: vec![Statement {
                        statement_id: format!("{}_smt", req.control_id),
                        uuid: key("statement", &req.control_id),
                        description: split_text(req),
                        props: vec![Property::lockstep("responsibility", req.column.as_str())],
                        responsible_roles: roles(input, req.column),
                    }],
                })
                .collect();
            let mut props = vec![Property::lockstep("aws-service-id", service.id.clone())];
            if !service.model.is_empty() {
                props.push(Property::lockstep("service-model", service.model.clone()));
            }
            Component {
                uuid: service_component(input, &service.id),
                kind: "service",
                title: service.name.clone(),
                description: format!(
                    "{} as '{}' uses it: which controls AWS operates, which the team does, \
                     and which they share.",
                    service.name, input.project
                ),
                props,
                responsible_roles: vec![ResponsibleRole {
                    role_id: ROLE_PROVIDER,
                    party_uuids: vec![aws_party(input)],
                }],
                control_implementations: if covered.is_empty() {
                    vec![]
                } else {
                    vec![ControlImplementation {
                        uuid: key("control-implementation", ""),
                        source: format!("#{}", profile.uuid),
                        description: format!(
                            "The responsibility split for {} in '{}'.",
                            service.name, input.project
                        ),
                        requirements: covered,
                    }]
                },
            }
        })
        .collect();
    let root = Root {
        definition: Definition {
            uuid: input.uuid("component-definition", ""),
            metadata: metadata(
                input,
                format!("AWS services of {}: responsibility split", input.project),
            ),
            components,
            back_matter: BackMatter {
                resources: vec![profile],
            },
        },
    };
    json_bytes(&root)
}
