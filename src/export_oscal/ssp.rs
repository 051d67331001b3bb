//! The OSCAL 1.1.3 system security plan: the project as a system running on AWS, with AWS
//! as a leveraged authorization and one implemented requirement per NIST control.
//!
//! Each AWS service in scope is a component whose by-components *export* what AWS
//! provides (`provided`) and what it leaves to the customer (`responsibilities`); the
//! "this system" component's by-component *inherits* the former and *satisfies* the latter,
//! each pointing at the UUID it answers, so the whole split can be followed inside the one
//! document. The requirement carries FedRAMP's `control-origination` props and links to the
//! control's evidence, listed in the back matter with its SHA-256.

use serde::Serialize;

use super::document::{
    BackMatter, Base64, Hash, InventoryItem, Link, Metadata, Property, ROLE_CONTROL_OWNER,
    ROLE_PROVIDER, Resource, ResponsibleRole, Rlink, aws_party, evidence_resources, evidence_uuid,
    metadata, person_party, profile_resource, service_component,
};
use super::{
    ImplementationState, OscalAttachment, OscalError, OscalInput, OscalService, Requirement,
    href_path, json_bytes, originations,
};
use crate::model::{AttachmentKind, Column, InventoryFact, Status, SystemFact, SystemFacts};

/// The file's root: one `system-security-plan`.
#[derive(Serialize)]
struct PlanRoot {
    #[serde(rename = "system-security-plan")]
    plan: Plan,
}

#[derive(Serialize)]
struct Plan {
    uuid: String,
    metadata: Metadata,
    #[serde(rename = "import-profile")]
    import_profile: ImportProfile,
    #[serde(rename = "system-characteristics")]
    characteristics: Characteristics,
    #[serde(rename = "system-implementation")]
    implementation: Implementation,
    #[serde(rename = "control-implementation")]
    control_implementation: PlanControlImplementation,
    #[serde(rename = "back-matter")]
    back_matter: BackMatter,
}

#[derive(Serialize)]
struct ImportProfile {
    href: String,
}

#[derive(Serialize)]
struct SystemId {
    #[serde(rename = "identifier-type")]
    identifier_type: &'static str,
    id: String,
}

#[derive(Serialize)]
struct Base {
    base: String,
    /// The level chosen for the system; Lockstep keeps the provisional one.
    selected: String,
}

#[derive(Serialize)]
struct Categorization {
    system: &'static str,
    #[serde(rename = "information-type-ids")]
    information_type_ids: Vec<&'static str>,
}

#[derive(Serialize)]
struct InformationType {
    uuid: String,
    title: String,
    description: String,
    categorizations: Vec<Categorization>,
    #[serde(rename = "confidentiality-impact")]
    confidentiality: Base,
    #[serde(rename = "integrity-impact")]
    integrity: Base,
    #[serde(rename = "availability-impact")]
    availability: Base,
}

#[derive(Serialize)]
struct SystemInformation {
    #[serde(rename = "information-types")]
    information_types: Vec<InformationType>,
}

#[derive(Serialize)]
struct ImpactLevel {
    #[serde(rename = "security-objective-confidentiality")]
    confidentiality: String,
    #[serde(rename = "security-objective-integrity")]
    integrity: String,
    #[serde(rename = "security-objective-availability")]
    availability: String,
}

#[derive(Serialize)]
struct State {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
struct Described {
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagrams: Vec<Diagram>,
}

#[derive(Serialize)]
struct Diagram {
    uuid: String,
    description: String,
    links: Vec<Link>,
    caption: String,
}

#[derive(Serialize)]
struct Characteristics {
    #[serde(rename = "system-ids")]
    system_ids: Vec<SystemId>,
    #[serde(rename = "system-name")]
    system_name: String,
    #[serde(rename = "system-name-short", skip_serializing_if = "Option::is_none")]
    system_name_short: Option<String>,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    #[serde(rename = "security-sensitivity-level")]
    sensitivity: String,
    #[serde(rename = "system-information")]
    information: SystemInformation,
    #[serde(rename = "security-impact-level")]
    impact: ImpactLevel,
    status: State,
    #[serde(rename = "authorization-boundary")]
    boundary: Described,
    #[serde(
        rename = "network-architecture",
        skip_serializing_if = "Option::is_none"
    )]
    network: Option<Described>,
    #[serde(rename = "data-flow", skip_serializing_if = "Option::is_none")]
    data_flow: Option<Described>,
    remarks: String,
}

#[derive(Serialize)]
struct LeveragedAuthorization {
    uuid: String,
    title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
    #[serde(rename = "party-uuid")]
    party_uuid: String,
    #[serde(rename = "date-authorized")]
    date_authorized: String,
    remarks: String,
}

#[derive(Serialize)]
struct User {
    uuid: String,
    title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
    description: String,
    #[serde(rename = "role-ids")]
    role_ids: Vec<String>,
    #[serde(
        rename = "authorized-privileges",
        skip_serializing_if = "Vec::is_empty"
    )]
    privileges: Vec<AuthorizedPrivilege>,
}

#[derive(Serialize)]
struct AuthorizedPrivilege {
    title: String,
    #[serde(rename = "functions-performed")]
    functions: Vec<String>,
}

/// OSCAL's `system-component`: this system or an AWS service it runs on.
#[derive(Serialize)]
struct SystemComponent {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Property>,
    status: State,
    #[serde(rename = "responsible-roles", skip_serializing_if = "Vec::is_empty")]
    responsible_roles: Vec<ResponsibleRole>,
}

#[derive(Serialize)]
struct Implementation {
    #[serde(rename = "leveraged-authorizations")]
    leveraged: Vec<LeveragedAuthorization>,
    users: Vec<User>,
    components: Vec<SystemComponent>,
    #[serde(rename = "inventory-items", skip_serializing_if = "Vec::is_empty")]
    inventory: Vec<InventoryItem>,
}

/// The plan's `control-implementation`: every requirement of the baseline.
#[derive(Serialize)]
struct PlanControlImplementation {
    description: String,
    #[serde(rename = "implemented-requirements")]
    requirements: Vec<PlanRequirement>,
}

/// An `implemented-requirement` of the plan: how each component meets one control.
#[derive(Serialize)]
struct PlanRequirement {
    uuid: String,
    #[serde(rename = "control-id")]
    control_id: String,
    props: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    #[serde(rename = "set-parameters", skip_serializing_if = "Vec::is_empty")]
    set_parameters: Vec<SetParameter>,
    #[serde(rename = "responsible-roles", skip_serializing_if = "Vec::is_empty")]
    responsible_roles: Vec<ResponsibleRole>,
    #[serde(rename = "by-components")]
    by_components: Vec<ByComponent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
struct SetParameter {
    #[serde(rename = "param-id")]
    param_id: String,
    values: Vec<String>,
}

#[derive(Serialize)]
struct Export {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    provided: Vec<Provided>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    responsibilities: Vec<Responsibility>,
}

#[derive(Serialize)]
struct Provided {
    uuid: String,
    description: String,
}

#[derive(Serialize)]
struct Responsibility {
    uuid: String,
    #[serde(rename = "provided-uuid", skip_serializing_if = "Option::is_none")]
    provided_uuid: Option<String>,
    description: String,
}

#[derive(Serialize)]
struct Inherited {
    uuid: String,
    #[serde(rename = "provided-uuid", skip_serializing_if = "Option::is_none")]
    provided_uuid: Option<String>,
    description: String,
}

#[derive(Serialize)]
struct Satisfied {
    uuid: String,
    #[serde(
        rename = "responsibility-uuid",
        skip_serializing_if = "Option::is_none"
    )]
    responsibility_uuid: Option<String>,
    description: String,
}

#[derive(Serialize)]
struct ByComponent {
    #[serde(rename = "component-uuid")]
    component_uuid: String,
    uuid: String,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    #[serde(rename = "implementation-status")]
    status: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    export: Option<Export>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inherited: Vec<Inherited>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    satisfied: Vec<Satisfied>,
    #[serde(rename = "responsible-roles", skip_serializing_if = "Vec::is_empty")]
    responsible_roles: Vec<ResponsibleRole>,
}

/// The FIPS 199 level the plan states: from the baseline's name when it names one (HIGH,
/// MODERATE, LOW), moderate otherwise, since Lockstep records no categorisation of its own.
fn impact_level(input: &OscalInput) -> (&'static str, bool) {
    let name = input.baseline.as_deref().unwrap_or_default().to_lowercase();
    if name.contains("high") {
        ("high", true)
    } else if name.contains("low") {
        ("low", true)
    } else if name.contains("moderate") {
        ("moderate", true)
    } else {
        ("moderate", false)
    }
}

/// The UUID of the "this system" component.
fn this_system(input: &OscalInput) -> String {
    input.uuid("component", "this-system")
}

/// The UUID of AWS's leveraged authorization.
fn leveraged_authorization(input: &OscalInput) -> String {
    input.uuid("leveraged-authorization", "aws")
}

fn text_or(text: String, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_string()
    } else {
        text
    }
}

/// The implemented requirement for one NIST control.
fn implemented_requirement(input: &OscalInput, req: &Requirement<'_>) -> PlanRequirement {
    let aws = AwsSide::of(input, req);
    let owners = control_owners(input, req);
    let reasons = req.not_applicable_reasons();
    let mut by_components = vec![this_system_by_component(input, req, aws.parts, &owners)];
    by_components.extend(aws.by_components);
    let links = req
        .sources
        .iter()
        .flat_map(|s| s.evidence.iter())
        .map(|e| Link {
            href: format!("#{}", evidence_uuid(input, e.id)),
            rel: Some("evidence".to_string()),
            text: Some(e.file_name.clone()),
        })
        .collect();
    PlanRequirement {
        uuid: requirement_uuid(input, req, "implemented-requirement", ""),
        control_id: req.control_id.clone(),
        props: requirement_props(input, req),
        links,
        set_parameters: set_parameters(req),
        // The team owns every requirement; who, by name, where the board says.
        responsible_roles: vec![ResponsibleRole {
            role_id: ROLE_CONTROL_OWNER,
            party_uuids: owners,
        }],
        by_components,
        remarks: Some(reasons).filter(|r| !r.is_empty()),
    }
}

/// The uuid of one part (`kind`, `extra`) of the requirement's implementation.
fn requirement_uuid(input: &OscalInput, req: &Requirement<'_>, kind: &str, extra: &str) -> String {
    input.uuid(kind, &format!("{}:{extra}", req.control_id))
}

/// The requirement's properties: its origination, the leveraged authorization when AWS has
/// a part, its implementation status and the Lockstep controls it comes from.
fn requirement_props(input: &OscalInput, req: &Requirement<'_>) -> Vec<Property> {
    let mut props: Vec<Property> = originations(req.column)
        .iter()
        .map(|o| Property::fedramp("control-origination", *o))
        .collect();
    if req.column != Column::Customer {
        props.push(Property::fedramp(
            "leveraged-authorization-uuid",
            leveraged_authorization(input),
        ));
    }
    props.extend(implementation_status(req));
    props.extend(
        req.sources
            .iter()
            .map(|s| Property::lockstep("lockstep-control", s.id.clone())),
    );
    props
}

/// The parties of the people the board names as the requirement's owners, once each.
fn control_owners(input: &OscalInput, req: &Requirement<'_>) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    for source in &req.sources {
        if let Some(person) = input.person_named(&source.owner) {
            let party = person_party(input, &person.name);
            if !owners.contains(&party) {
                owners.push(party);
            }
        }
    }
    owners
}

/// What this system inherits from AWS and what it does for its own part of a shared
/// control, stated on this system's by-component.
#[derive(Default)]
struct InheritedParts {
    inherited: Vec<Inherited>,
    satisfied: Vec<Satisfied>,
}

/// AWS's side of a requirement: one by-component per service the sources cover, exporting
/// what AWS provides and what it leaves to the customer, and what this system inherits.
#[derive(Default)]
struct AwsSide {
    by_components: Vec<ByComponent>,
    parts: InheritedParts,
}

impl AwsSide {
    fn of(input: &OscalInput, req: &Requirement<'_>) -> Self {
        let mut side = AwsSide::default();
        if req.column == Column::Customer {
            return side;
        }
        let services = services_covered(input, req);
        for service in &services {
            side.add_service(input, req, service);
        }
        if services.is_empty() {
            // No service in scope to point at: AWS's part is still inherited.
            side.parts.inherited.push(Inherited {
                uuid: requirement_uuid(input, req, "inherited", "aws"),
                provided_uuid: None,
                description: inherited_description("AWS", &aws_part(req)),
            });
            if req.column == Column::Shared {
                side.parts.satisfied.push(Satisfied {
                    uuid: requirement_uuid(input, req, "satisfied", "aws"),
                    responsibility_uuid: None,
                    description: customer_part(req),
                });
            }
        }
        side
    }

    /// One service's by-component, and what this system inherits from it.
    fn add_service(&mut self, input: &OscalInput, req: &Requirement<'_>, service: &OscalService) {
        let key = |kind: &str| requirement_uuid(input, req, kind, &service.id);
        let provided_uuid = key("provided");
        let responsibilities = if req.column == Column::Shared {
            vec![Responsibility {
                uuid: key("responsibility"),
                provided_uuid: Some(provided_uuid.clone()),
                description: customer_part(req),
            }]
        } else {
            vec![]
        };
        self.parts.inherited.push(Inherited {
            uuid: key("inherited"),
            provided_uuid: Some(provided_uuid.clone()),
            description: inherited_description(&service.name, &aws_part(req)),
        });
        if req.column == Column::Shared {
            self.parts.satisfied.push(Satisfied {
                uuid: key("satisfied"),
                responsibility_uuid: Some(key("responsibility")),
                description: customer_part(req),
            });
        }
        self.by_components.push(ByComponent {
            component_uuid: service_component(input, &service.id),
            uuid: key("by-component"),
            description: format!("{} provides: {}", service.name, aws_part(req)),
            links: vec![],
            status: State {
                state: ImplementationState::Implemented.as_str(),
                remarks: None,
            },
            export: Some(Export {
                provided: vec![Provided {
                    uuid: provided_uuid,
                    description: aws_part(req),
                }],
                responsibilities,
            }),
            inherited: vec![],
            satisfied: vec![],
            responsible_roles: vec![ResponsibleRole {
                role_id: ROLE_PROVIDER,
                party_uuids: vec![aws_party(input)],
            }],
        });
    }
}

/// What AWS does for the requirement, in words.
fn aws_part(req: &Requirement<'_>) -> String {
    text_or(req.aws_text(), "AWS operates this control.")
}

/// What the customer does for a shared requirement, in words.
fn customer_part(req: &Requirement<'_>) -> String {
    text_or(req.customer_text(), "The customer's part of this control.")
}

/// The AWS services in scope that the requirement's sources cover, in the project's order.
fn services_covered<'a>(input: &'a OscalInput, req: &'a Requirement<'_>) -> Vec<&'a OscalService> {
    let mut services: Vec<&OscalService> = Vec::new();
    for source in &req.sources {
        for service in input.services_of(source) {
            if !services.iter().any(|s| s.id == service.id) {
                services.push(service);
            }
        }
    }
    services.sort_by_key(|s| input.services.iter().position(|p| p.id == s.id));
    services
}

/// This system's side of the requirement: what it does, its documents, its state and
/// owners, and what it inherits from AWS.
fn this_system_by_component(
    input: &OscalInput,
    req: &Requirement<'_>,
    parts: InheritedParts,
    owners: &[String],
) -> ByComponent {
    let reasons = req.not_applicable_reasons();
    let description = match req.column {
        Column::Aws => format!("Inherited from AWS: {}", aws_part(req)),
        _ => text_or(req.customer_text(), "The customer operates this control."),
    };
    ByComponent {
        component_uuid: this_system(input),
        uuid: requirement_uuid(input, req, "by-component", "this-system"),
        description,
        links: document_links(input, req),
        status: State {
            state: req.state.as_str(),
            remarks: Some(reasons).filter(|r| !r.is_empty()),
        },
        export: None,
        inherited: parts.inherited,
        satisfied: parts.satisfied,
        responsible_roles: if owners.is_empty() {
            vec![]
        } else {
            vec![ResponsibleRole {
                role_id: ROLE_CONTROL_OWNER,
                party_uuids: owners.to_vec(),
            }]
        },
    }
}

/// The plan's set-parameters for a requirement: each value its controls set, once per id.
fn set_parameters(req: &Requirement<'_>) -> Vec<SetParameter> {
    let mut out: Vec<SetParameter> = Vec::new();
    for (id, text) in req.sources.iter().flat_map(|s| &s.set_values) {
        if out.iter().any(|p| &p.param_id == id) {
            continue;
        }
        out.push(SetParameter {
            param_id: id.clone(),
            values: vec![text.clone()],
        });
    }
    out
}

/// The FedRAMP asset type of an AWS service, where one of FedRAMP's names fits what it is
/// (a database, storage, DNS, a directory); `infrastructure` otherwise.
fn asset_type(service: &str) -> &'static str {
    match service {
        "rds" | "aurora" | "dynamodb" | "redshift" | "documentdb" | "neptune" | "elasticache" => {
            "database"
        }
        "s3" | "ebs" | "efs" | "glacier" => "storage-array",
        "route53" => "dns-server",
        "cognito" => "directory-server",
        _ => "infrastructure",
    }
}

/// The system's inventory: each asset with what is stated of it, its asset type first (the
/// one given, else what its kind is).
fn inventory_items(input: &OscalInput) -> Vec<InventoryItem> {
    input
        .assets
        .iter()
        .map(|asset| {
            let mut props = Vec::new();
            if let Some(kind) = asset.inventory.asset_type(asset.kind) {
                props.push(Property::core("asset-type", kind));
            }
            props.push(Property::core("asset-id", asset.name.clone()));
            props.extend(
                asset
                    .inventory
                    .given()
                    .filter(|(fact, _)| *fact != InventoryFact::AssetType)
                    .map(|(fact, value)| Property::core(fact.prop_name(), value)),
            );
            let mut description = format!("{} ({}", asset.name, asset.kind.as_str());
            if !asset.environment.is_empty() {
                description.push_str(&format!(", {}", asset.environment));
            }
            description.push_str(&format!(", patched by {})", asset.managed_by.as_str()));
            InventoryItem {
                uuid: input.uuid("inventory-item", &asset.name.to_lowercase()),
                description,
                props,
            }
        })
        .collect()
}

/// The UUID of an attached document's back-matter resource.
fn attachment_uuid(input: &OscalInput, attachment: &OscalAttachment) -> String {
    input.uuid(
        "attachment",
        &format!("{}:{}", attachment.kind.as_str(), attachment.sha256),
    )
}

/// The type FedRAMP's rules look for on a document of `kind`: the prop, its namespace, and
/// the class naming which plan it is.
fn attachment_type(kind: AttachmentKind) -> Property {
    match kind {
        AttachmentKind::Policy => Property::core("type", "policy"),
        AttachmentKind::Procedure => Property::core("type", "procedure"),
        AttachmentKind::UsersGuide => Property::core("type", "users-guide"),
        AttachmentKind::RulesOfBehavior => Property::core("type", "rules-of-behavior"),
        AttachmentKind::ContingencyPlan => {
            Property::core("type", "plan").with_class("information-system-contingency-plan")
        }
        AttachmentKind::ConfigurationManagementPlan => {
            Property::core("type", "plan").with_class("configuration-management-plan")
        }
        AttachmentKind::IncidentResponsePlan => {
            Property::core("type", "plan").with_class("incident-response-plan")
        }
        AttachmentKind::SeparationOfDutiesMatrix => {
            Property::fedramp("type", "separation-of-duties-matrix")
        }
        AttachmentKind::AuthorizationBoundaryDiagram
        | AttachmentKind::NetworkDiagram
        | AttachmentKind::DataFlowDiagram => Property::core("type", "image"),
        AttachmentKind::FedrampLogo => Property::fedramp("type", "fedramp-logo"),
    }
}

/// The back-matter resources of the attached documents, one per file and kind, each with its
/// SHA-256 and its place in the pack, and the pictures embedded.
fn attachment_resources(input: &OscalInput) -> Vec<Resource> {
    input
        .attachments
        .iter()
        .map(|attachment| {
            let mut props = vec![attachment_type(attachment.kind)];
            for control in &attachment.controls {
                props.push(Property::lockstep("control", control.clone()));
            }
            Resource {
                uuid: attachment_uuid(input, attachment),
                title: attachment.title.clone(),
                description: attachment.kind.label().to_string(),
                props,
                rlinks: vec![Rlink {
                    href: href_path(&format!("../{}", attachment.pack_path)),
                    media_type: Some(attachment.media_type.clone()).filter(|m| !m.is_empty()),
                    hashes: vec![Hash {
                        algorithm: "SHA-256",
                        value: attachment.sha256.clone(),
                    }],
                }],
                base64: attachment.embedded.as_ref().map(|value| Base64 {
                    filename: attachment.file_name.clone(),
                    media_type: attachment.media_type.clone(),
                    value: value.clone(),
                }),
            }
        })
        .collect()
}

/// The policy and procedure links of a requirement: each attached for one of its controls.
fn document_links(input: &OscalInput, req: &Requirement<'_>) -> Vec<Link> {
    input
        .attachments
        .iter()
        .filter(|a| a.kind.is_for_controls())
        .filter(|a| {
            a.controls
                .iter()
                .any(|c| req.sources.iter().any(|s| &s.id == c))
        })
        .map(|a| Link {
            href: format!("#{}", attachment_uuid(input, a)),
            rel: Some(a.kind.as_str().to_string()),
            text: Some(a.title.clone()),
        })
        .collect()
}

/// Links from the system to the documents that describe it as a whole (guides, plans, the
/// matrix, the logo); diagrams are linked from their place instead.
fn system_documents(input: &OscalInput) -> Vec<Link> {
    input
        .attachments
        .iter()
        .filter(|a| !a.kind.is_for_controls())
        .filter(|a| {
            !matches!(
                a.kind,
                AttachmentKind::AuthorizationBoundaryDiagram
                    | AttachmentKind::NetworkDiagram
                    | AttachmentKind::DataFlowDiagram
            )
        })
        .map(|a| Link {
            href: format!("#{}", attachment_uuid(input, a)),
            rel: Some("reference".to_string()),
            text: Some(a.kind.label().to_string()),
        })
        .collect()
}

/// The diagrams of `kind`, each pointing at its resource.
fn diagrams(input: &OscalInput, kind: AttachmentKind) -> Vec<Diagram> {
    input
        .attachments
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| Diagram {
            uuid: input.uuid("diagram", &format!("{}:{}", kind.as_str(), a.sha256)),
            description: format!("{}: {}", kind.label(), a.title),
            links: vec![Link {
                href: format!("#{}", attachment_uuid(input, a)),
                rel: Some("diagram".to_string()),
                text: None,
            }],
            caption: a.title.clone(),
        })
        .collect()
}

/// A part of the characteristics stated by its diagrams: present once a diagram of `kind`
/// is attached.
fn drawn(input: &OscalInput, kind: AttachmentKind, description: &str) -> Option<Described> {
    let diagrams = diagrams(input, kind);
    (!diagrams.is_empty()).then(|| Described {
        description: description.to_string(),
        diagrams,
    })
}

/// The system's users: those described with `lockstep system user add`, and for the
/// control-owner and provider roles no described user holds, a user saying only who they are
/// (FedRAMP's rules then ask for the rest, and `export-oscal` lists it as missing).
fn users(input: &OscalInput) -> Vec<User> {
    let mut out: Vec<User> = input
        .users
        .iter()
        .map(|user| User {
            uuid: input.uuid("user", &format!("described:{}", user.title.to_lowercase())),
            title: user.title.clone(),
            props: vec![
                Property::core("type", &user.user_type),
                Property::core("privilege-level", &user.privilege),
                Property::fedramp("sensitivity", &user.sensitivity),
            ],
            description: format!(
                "{}: {} user, {} in the system, holding {}.",
                user.title,
                user.user_type.replace('-', " "),
                user.privilege.replace('-', " "),
                user.roles.join(", ")
            ),
            role_ids: user.roles.clone(),
            privileges: vec![AuthorizedPrivilege {
                title: match user.privilege.as_str() {
                    "privileged" => "Privileged access",
                    "non-privileged" => "Non-privileged access",
                    _ => "No logical access",
                }
                .to_string(),
                functions: user.functions.clone(),
            }],
        })
        .collect();
    let held = |role: &str| {
        input
            .users
            .iter()
            .any(|u| u.roles.iter().any(|r| r == role))
    };
    if !held(ROLE_CONTROL_OWNER) {
        out.push(User {
            uuid: input.uuid("user", "control-owner"),
            title: "Control owner".to_string(),
            props: vec![],
            description: "A member of the team who owns and operates the system's controls."
                .to_string(),
            role_ids: vec![ROLE_CONTROL_OWNER.to_string()],
            privileges: vec![],
        });
    }
    if !held(ROLE_PROVIDER) {
        out.push(User {
            uuid: input.uuid("user", "provider"),
            title: "Provider operations (AWS)".to_string(),
            props: vec![],
            description: "AWS staff who operate the infrastructure of the AWS services in scope, \
                          under AWS's own authorization."
                .to_string(),
            role_ids: vec![ROLE_PROVIDER.to_string()],
            privileges: vec![],
        });
    }
    out
}

/// The system's ids: Lockstep's own, and the FedRAMP package id when given.
fn system_ids(input: &OscalInput) -> Vec<SystemId> {
    let mut ids = Vec::new();
    if let Some(id) = input.system.get(SystemFact::FedrampId) {
        ids.push(SystemId {
            identifier_type: "https://fedramp.gov",
            id: id.to_string(),
        });
    }
    ids.push(SystemId {
        identifier_type: "https://ietf.org/rfc/rfc4122",
        id: input.uuid("system", ""),
    });
    ids
}

/// The system's facts that FedRAMP reads as props of its characteristics.
fn characteristics_props(facts: &SystemFacts) -> Vec<Property> {
    let mut props = Vec::new();
    let mut core = |fact: SystemFact, name: &str| {
        if let Some(value) = facts.get(fact) {
            props.push(Property::core(name, value));
        }
    };
    core(SystemFact::ServiceModel, "cloud-service-model");
    core(SystemFact::DeploymentModel, "cloud-deployment-model");
    core(SystemFact::Ial, "identity-assurance-level");
    core(SystemFact::Aal, "authenticator-assurance-level");
    core(SystemFact::Fal, "federation-assurance-level");
    if let Some(kind) = facts.get(SystemFact::AuthorizationType) {
        props.push(Property::fedramp("authorization-type", kind));
    }
    props
}

/// Words an inherited description needs at least, as FedRAMP's rules ask.
const INHERITED_MIN_WORDS: usize = 32;

/// What a system inherits from AWS for a control, written out: AWS's part, and where it is
/// assessed.
fn inherited_description(provider: &str, aws_text: &str) -> String {
    let mut text = format!("Inherited from {provider}: {}", aws_text.trim());
    if text.split_whitespace().count() < INHERITED_MIN_WORDS {
        if !text.ends_with('.') {
            text.push('.');
        }
        text.push_str(&format!(
            " AWS operates this part of the control for {provider} within the AWS authorization \
             this system leverages; AWS's independent assessments, such as its SOC 2 report and \
             FedRAMP package, describe how AWS carries it out and how it was tested."
        ));
    }
    text
}

/// FedRAMP's `implementation-status` of a requirement, with remarks saying where each of the
/// team's controls behind it stands when it is not implemented, and the planned completion
/// date (the latest due date of those controls) when it is planned.
fn implementation_status(req: &Requirement<'_>) -> Vec<Property> {
    let state = req.state.as_str();
    let open: Vec<&&crate::export_oscal::OscalControl> = req
        .sources
        .iter()
        .filter(|s| !matches!(s.status, Status::Implemented | Status::NotApplicable))
        .collect();
    let mut status = Property::fedramp("implementation-status", state);
    if req.state != ImplementationState::Implemented {
        let mut lines: Vec<String> = req
            .sources
            .iter()
            .map(|s| {
                let mut line = format!("{} is {}", s.id, s.status.label().to_lowercase());
                if s.status == Status::NotApplicable && !s.status_reason.trim().is_empty() {
                    line.push_str(&format!(" ({})", s.status_reason.trim()));
                }
                if !s.owner.is_empty() && !matches!(s.status, Status::Implemented) {
                    line.push_str(&format!(", owned by {}", s.owner));
                }
                if let (Some(due), false) = (s.due, matches!(s.status, Status::Implemented)) {
                    line.push_str(&format!(", due {due}"));
                }
                line
            })
            .collect();
        lines.sort();
        status = status.with_remarks(format!("In Lockstep: {}.", lines.join("; ")));
    }
    let mut props = vec![status];
    if req.state == ImplementationState::Planned
        && let Some(due) = open.iter().filter_map(|s| s.due).max()
    {
        props.push(Property::fedramp(
            "planned-completion-date",
            due.to_string(),
        ));
    }
    props
}

/// The system security plan as pretty JSON.
pub fn ssp_bytes(
    input: &OscalInput,
    requirements: &[Requirement<'_>],
) -> Result<Vec<u8>, OscalError> {
    let profile = profile_resource(input);
    let mut resources = vec![profile.clone()];
    resources.extend(evidence_resources(input));
    resources.extend(attachment_resources(input));
    let root = PlanRoot {
        plan: Plan {
            uuid: input.uuid("system-security-plan", ""),
            metadata: metadata(input, format!("System Security Plan: {}", input.project)),
            import_profile: ImportProfile {
                href: format!("#{}", profile.uuid),
            },
            characteristics: characteristics(input),
            implementation: Implementation {
                leveraged: vec![leveraged_aws(input)],
                users: users(input),
                components: ssp_components(input),
                inventory: inventory_items(input),
            },
            control_implementation: PlanControlImplementation {
                description: format!(
                    "How '{}' meets each control: what AWS provides for the services in scope, \
                     and what the team does, as placed in AWS, Shared or Customer in Lockstep.",
                    input.project
                ),
                requirements: requirements
                    .iter()
                    .map(|req| implemented_requirement(input, req))
                    .collect(),
            },
            back_matter: BackMatter { resources },
        },
    };
    json_bytes(&root)
}

/// The system's characteristics: its ids, names, description, FIPS 199 levels, boundary,
/// network and data flow.
fn characteristics(input: &OscalInput) -> Characteristics {
    let (level, _) = impact_level(input);
    let facts = &input.system;
    // The objectives given for the system win over the baseline's level, and the system's
    // own level is their high-water mark.
    let objective = |fact: SystemFact| format!("fips-199-{}", facts.get(fact).unwrap_or(level));
    let fips = format!("fips-199-{}", facts.high_water_mark().unwrap_or(level));
    Characteristics {
        system_ids: system_ids(input),
        system_name: input.project.clone(),
        system_name_short: facts.get(SystemFact::ShortName).map(str::to_string),
        description: facts
            .get(SystemFact::Description)
            .map(str::to_string)
            .unwrap_or_else(|| {
                text_or(
                    input.description.clone(),
                    "An audit scope prepared in Lockstep.",
                )
            }),
        props: characteristics_props(facts),
        links: system_documents(input),
        sensitivity: fips.clone(),
        information: system_information(input, &objective),
        impact: ImpactLevel {
            confidentiality: objective(SystemFact::Confidentiality),
            integrity: objective(SystemFact::Integrity),
            availability: objective(SystemFact::Availability),
        },
        status: State {
            state: "operational",
            remarks: None,
        },
        boundary: Described {
            description: boundary_description(input),
            diagrams: diagrams(input, AttachmentKind::AuthorizationBoundaryDiagram),
        },
        network: drawn(
            input,
            AttachmentKind::NetworkDiagram,
            &format!(
                "The network architecture of '{}' on AWS, as the attached diagrams show.",
                input.project
            ),
        ),
        data_flow: drawn(
            input,
            AttachmentKind::DataFlowDiagram,
            &format!(
                "How data flows into, within and out of '{}', as the attached diagrams show.",
                input.project
            ),
        ),
        remarks: level_remark(input),
    }
}

/// The one information type the plan states, at the system's objectives (`objective` gives
/// each one's FIPS 199 level).
fn system_information(
    input: &OscalInput,
    objective: &dyn Fn(SystemFact) -> String,
) -> SystemInformation {
    SystemInformation {
        information_types: vec![InformationType {
            uuid: input.uuid("information-type", "system-data"),
            title: "System data".to_string(),
            description: format!("The data '{}' stores and processes on AWS.", input.project),
            categorizations: vec![Categorization {
                system: "https://doi.org/10.6028/NIST.SP.800-60v2r1",
                information_type_ids: vec!["C.3.5.8"],
            }],
            confidentiality: Base {
                base: objective(SystemFact::Confidentiality),
                selected: objective(SystemFact::Confidentiality),
            },
            integrity: Base {
                base: objective(SystemFact::Integrity),
                selected: objective(SystemFact::Integrity),
            },
            availability: Base {
                base: objective(SystemFact::Availability),
                selected: objective(SystemFact::Availability),
            },
        }],
    }
}

/// The authorization boundary in words: the system and the AWS services it runs on.
fn boundary_description(input: &OscalInput) -> String {
    let service_names: Vec<&str> = input.services.iter().map(|s| s.name.as_str()).collect();
    if service_names.is_empty() {
        format!(
            "The system '{}' as scoped in Lockstep; no AWS services are in scope yet.",
            input.project
        )
    } else {
        format!(
            "The system '{}' as scoped in Lockstep, and the AWS services it runs on: {}. AWS's side \
             of those services is covered by AWS's own authorization, leveraged by this system.",
            input.project,
            service_names.join(", ")
        )
    }
}

/// Where the plan's security levels come from: the objectives given, the baseline, or
/// nowhere (then moderate, to be reviewed).
fn level_remark(input: &OscalInput) -> String {
    let (level, from_baseline) = impact_level(input);
    let given_objectives = [
        SystemFact::Confidentiality,
        SystemFact::Integrity,
        SystemFact::Availability,
    ]
    .into_iter()
    .all(|fact| input.system.get(fact).is_some());
    if given_objectives {
        "The security objectives are those given for the system in Lockstep.".to_string()
    } else if from_baseline {
        format!("The security levels are those of the baseline the project follows ({level}).")
    } else {
        "Lockstep records no FIPS 199 categorisation for this project, so the levels state \
         moderate; review them before submitting the plan."
            .to_string()
    }
}

/// AWS's authorization, which the system leverages.
fn leveraged_aws(input: &OscalInput) -> LeveragedAuthorization {
    LeveragedAuthorization {
        uuid: leveraged_authorization(input),
        title: "Amazon Web Services".to_string(),
        props: input
            .system
            .get(SystemFact::AwsFedrampId)
            .map(|id| Property::fedramp("leveraged-system-identifier", id))
            .into_iter()
            .collect(),
        party_uuid: aws_party(input),
        date_authorized: input.created_on.clone(),
        remarks: "The date is the day the project was created in Lockstep; give the \
                  date of the AWS authorization you rely on before submitting."
            .to_string(),
    }
}

/// The plan's components: this system, then each AWS service in scope.
fn ssp_components(input: &OscalInput) -> Vec<SystemComponent> {
    let mut components = vec![SystemComponent {
        uuid: this_system(input),
        kind: "this-system",
        title: input.project.clone(),
        description: text_or(
            input.description.clone(),
            "The system this plan covers, as scoped in Lockstep.",
        ),
        props: vec![Property::core("asset-type", "other")],
        status: State {
            state: "operational",
            remarks: None,
        },
        responsible_roles: vec![],
    }];
    components.extend(
        input
            .services
            .iter()
            .map(|service| aws_service_component(input, service)),
    );
    components
}

/// An AWS service in scope as a component AWS operates, under its leveraged authorization.
fn aws_service_component(input: &OscalInput, service: &OscalService) -> SystemComponent {
    let mut props = vec![
        Property::core("asset-type", asset_type(&service.id)),
        Property::core("implementation-point", "external"),
        Property::core(
            "leveraged-authorization-uuid",
            leveraged_authorization(input),
        ),
        Property::lockstep("aws-service-id", service.id.clone()),
    ];
    if !service.model.is_empty() {
        props.push(Property::lockstep("service-model", service.model.clone()));
    }
    SystemComponent {
        uuid: service_component(input, &service.id),
        kind: "service",
        title: service.name.clone(),
        description: if service.model.is_empty() {
            format!("{}, operated by AWS.", service.name)
        } else {
            format!("{}, operated by AWS ({}).", service.name, service.model)
        },
        props,
        status: State {
            state: "operational",
            remarks: None,
        },
        responsible_roles: vec![ResponsibleRole {
            role_id: ROLE_PROVIDER,
            party_uuids: vec![aws_party(input)],
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_inherited_descriptions_are_written_out_and_long_ones_kept() {
        let short = inherited_description("Amazon EC2", "AWS patches the hypervisor.");
        assert!(
            short.split_whitespace().count() >= INHERITED_MIN_WORDS,
            "{short}"
        );
        assert!(short.starts_with("Inherited from Amazon EC2: AWS patches the hypervisor. "));
        let long_text = "word ".repeat(40);
        assert_eq!(
            inherited_description("AWS", &long_text),
            format!("Inherited from AWS: {}", long_text.trim())
        );
    }
}
