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
use super::{OscalError, OscalInput, OscalService, Requirement, json_bytes, originations};
use crate::model::Column;

/// The file's root: one `component-definition`.
#[derive(Serialize)]
struct DefinitionRoot {
    #[serde(rename = "component-definition")]
    definition: Definition,
}

/// OSCAL's `component-definition` assembly.
#[derive(Serialize)]
struct Definition {
    uuid: String,
    metadata: Metadata,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<DefinedComponent>,
    #[serde(rename = "back-matter")]
    back_matter: BackMatter,
}

/// OSCAL's `defined-component`: an AWS service and the controls it takes part in.
#[derive(Serialize)]
struct DefinedComponent {
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
    control_implementations: Vec<DefinitionControlImplementation>,
}

/// A defined component's `control-implementation`, measured against a `source` profile.
#[derive(Serialize)]
struct DefinitionControlImplementation {
    uuid: String,
    source: String,
    description: String,
    #[serde(rename = "implemented-requirements")]
    requirements: Vec<DefinitionRequirement>,
}

/// An `implemented-requirement` of a component definition: who is responsible, in words
/// and roles, with one statement.
#[derive(Serialize)]
struct DefinitionRequirement {
    uuid: String,
    #[serde(rename = "control-id")]
    control_id: String,
    description: String,
    props: Vec<Property>,
    #[serde(rename = "responsible-roles")]
    responsible_roles: Vec<ResponsibleRole>,
    statements: Vec<DefinitionStatement>,
}

/// A `statement` of a component definition's implemented requirement.
#[derive(Serialize)]
struct DefinitionStatement {
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
        .map(|service| defined_component(input, requirements, service, &profile.uuid))
        .collect();
    let root = DefinitionRoot {
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

/// The uuid of one part (`kind`, `extra`) of a service's component.
fn definition_uuid(input: &OscalInput, service: &OscalService, kind: &str, extra: &str) -> String {
    input.uuid(
        kind,
        &format!("component-definition:{}:{extra}", service.id),
    )
}

/// One AWS service as a component: who is responsible for each control it covers, measured
/// against the profile (`profile_uuid`).
fn defined_component(
    input: &OscalInput,
    requirements: &[Requirement<'_>],
    service: &OscalService,
    profile_uuid: &str,
) -> DefinedComponent {
    let covered = covered_requirements(input, requirements, service);
    let mut props = vec![Property::lockstep("aws-service-id", service.id.clone())];
    if !service.model.is_empty() {
        props.push(Property::lockstep("service-model", service.model.clone()));
    }
    DefinedComponent {
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
            vec![DefinitionControlImplementation {
                uuid: definition_uuid(input, service, "control-implementation", ""),
                source: format!("#{profile_uuid}"),
                description: format!(
                    "The responsibility split for {} in '{}'.",
                    service.name, input.project
                ),
                requirements: covered,
            }]
        },
    }
}

/// The requirements whose controls the service covers, each with its one statement of who
/// is responsible.
fn covered_requirements(
    input: &OscalInput,
    requirements: &[Requirement<'_>],
    service: &OscalService,
) -> Vec<DefinitionRequirement> {
    requirements
        .iter()
        .filter(|req| {
            req.sources
                .iter()
                .any(|s| input.services_of(s).iter().any(|x| x.id == service.id))
        })
        .map(|req| DefinitionRequirement {
            uuid: definition_uuid(input, service, "implemented-requirement", &req.control_id),
            control_id: req.control_id.clone(),
            description: split_text(req),
            props: props(req),
            responsible_roles: roles(input, req.column),
            statements: vec![DefinitionStatement {
                statement_id: format!("{}_smt", req.control_id),
                uuid: definition_uuid(input, service, "statement", &req.control_id),
                description: split_text(req),
                props: vec![Property::lockstep("responsibility", req.column.as_str())],
                responsible_roles: roles(input, req.column),
            }],
        })
        .collect()
}
