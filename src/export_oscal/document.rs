//! The OSCAL assemblies both JSON documents share: metadata with roles and parties,
//! properties, links, responsible roles and back-matter resources.
//!
//! Typed structs rather than free JSON keep the keys in the order the OSCAL schemas list
//! them, whatever features `serde_json` is built with, so the bytes stay stable. Empty
//! lists are left out, since OSCAL forbids empty arrays.

use serde::Serialize;

use super::{FEDRAMP_NS, LOCKSTEP_NS, OSCAL_VERSION, OscalInput, href_path};
use crate::model::SystemRole;

/// The role AWS plays: the provider of the services.
pub const ROLE_PROVIDER: &str = "provider";
/// The role of the people who own the system's controls.
pub const ROLE_CONTROL_OWNER: &str = "control-owner";
/// The role of whoever prepared the document.
pub const ROLE_PREPARED_BY: &str = "prepared-by";
/// The role of the customer: the team running the system on AWS.
pub const ROLE_CUSTOMER: &str = "customer";

/// An inventory item: a resource of the system, described and named by its props.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryItem {
    pub uuid: String,
    pub description: String,
    pub props: Vec<Property>,
}

/// A name-value pair.
#[derive(Debug, Clone, Serialize)]
pub struct Property {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ns: Option<&'static str>,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

impl Property {
    /// A core OSCAL property.
    pub fn core(name: &str, value: impl Into<String>) -> Self {
        Property {
            name: name.to_string(),
            ns: None,
            value: value.into(),
            class: None,
            remarks: None,
        }
    }

    /// A FedRAMP extension property.
    pub fn fedramp(name: &str, value: impl Into<String>) -> Self {
        Property {
            name: name.to_string(),
            ns: Some(FEDRAMP_NS),
            value: value.into(),
            class: None,
            remarks: None,
        }
    }

    /// The property with a class.
    pub fn with_class(mut self, class: &'static str) -> Self {
        self.class = Some(class);
        self
    }

    /// The property with remarks.
    pub fn with_remarks(mut self, remarks: String) -> Self {
        self.remarks = Some(remarks);
        self
    }

    /// A Lockstep property.
    pub fn lockstep(name: &str, value: impl Into<String>) -> Self {
        Property {
            name: name.to_string(),
            ns: Some(LOCKSTEP_NS),
            value: value.into(),
            class: None,
            remarks: None,
        }
    }
}

/// A link to a resource or a back-matter entry.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A role.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub id: &'static str,
    pub title: &'static str,
}

/// A person or organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Party {
    pub uuid: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(rename = "email-addresses", skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<String>,
}

/// Which parties play a role for the document as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct ResponsibleParty {
    #[serde(rename = "role-id")]
    pub role_id: &'static str,
    #[serde(rename = "party-uuids")]
    pub party_uuids: Vec<String>,
}

/// Which role, and optionally which parties, are responsible for something.
#[derive(Debug, Clone, Serialize)]
pub struct ResponsibleRole {
    #[serde(rename = "role-id")]
    pub role_id: &'static str,
    #[serde(rename = "party-uuids", skip_serializing_if = "Vec::is_empty")]
    pub party_uuids: Vec<String>,
}

/// The document's metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    pub title: String,
    #[serde(rename = "last-modified")]
    pub last_modified: String,
    pub version: String,
    #[serde(rename = "oscal-version")]
    pub oscal_version: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    pub roles: Vec<Role>,
    pub parties: Vec<Party>,
    #[serde(rename = "responsible-parties", skip_serializing_if = "Vec::is_empty")]
    pub responsible_parties: Vec<ResponsibleParty>,
}

/// A hash of a resource's content.
#[derive(Debug, Clone, Serialize)]
pub struct Hash {
    pub algorithm: &'static str,
    pub value: String,
}

/// A link from a resource to its content.
#[derive(Debug, Clone, Serialize)]
pub struct Rlink {
    pub href: String,
    #[serde(rename = "media-type", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
}

/// A back-matter resource.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub uuid: String,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rlinks: Vec<Rlink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base64: Option<Base64>,
}

/// A resource's content, embedded.
#[derive(Debug, Clone, Serialize)]
pub struct Base64 {
    pub filename: String,
    #[serde(rename = "media-type")]
    pub media_type: String,
    pub value: String,
}

/// The back matter.
#[derive(Debug, Clone, Serialize)]
pub struct BackMatter {
    pub resources: Vec<Resource>,
}

/// The party UUID of AWS.
pub fn aws_party(input: &OscalInput) -> String {
    input.uuid("party", "aws")
}

/// The party UUID of the organisation operating the system (the customer).
pub fn customer_party(input: &OscalInput) -> String {
    input.uuid("party", "customer")
}

/// The party UUID of a person, by name.
pub fn person_party(input: &OscalInput, name: &str) -> String {
    input.uuid("party", &format!("person:{}", name.to_lowercase()))
}

/// Metadata for a document of the input: the roles, AWS and the people as parties, and
/// the preparer as the `prepared-by` party.
pub fn metadata(input: &OscalInput, title: String) -> Metadata {
    Metadata {
        title,
        last_modified: input.last_modified.clone(),
        version: input.version.clone(),
        oscal_version: OSCAL_VERSION,
        props: vec![],
        roles: roles(),
        parties: parties(input),
        responsible_parties: responsible_parties(input),
    }
}

/// The parties: AWS, the people named, the holders of the system's roles not among them,
/// and the customer.
fn parties(input: &OscalInput) -> Vec<Party> {
    let mut parties = vec![Party {
        uuid: aws_party(input),
        kind: "organization",
        name: "Amazon Web Services".to_string(),
        email_addresses: vec![],
    }];
    parties.extend(input.people.iter().map(|p| Party {
        uuid: person_party(input, &p.name),
        kind: "person",
        name: p.name.clone(),
        email_addresses: if p.email.contains('@') {
            vec![p.email.clone()]
        } else {
            vec![]
        },
    }));
    // People who hold a role of the system are parties too, when not already listed.
    for holder in &input.roles {
        let uuid = person_party(input, &holder.name);
        if !parties.iter().any(|p| p.uuid == uuid) {
            parties.push(Party {
                uuid,
                kind: "person",
                name: holder.name.clone(),
                email_addresses: vec![holder.email.clone()],
            });
        }
    }
    // The customer is the organisation that runs the system, a party of its own.
    parties.push(Party {
        uuid: customer_party(input),
        kind: "organization",
        name: format!("The organisation operating '{}'", input.project),
        email_addresses: vec![],
    });
    parties
}

/// Who holds each role: AWS the provider's, the preparer, the control owners, the customer
/// and the holders of the system's roles.
fn responsible_parties(input: &OscalInput) -> Vec<ResponsibleParty> {
    let mut responsible_parties = vec![ResponsibleParty {
        role_id: ROLE_PROVIDER,
        party_uuids: vec![aws_party(input)],
    }];
    if let Some(preparer) = input.person_named(&input.prepared_by) {
        responsible_parties.push(ResponsibleParty {
            role_id: ROLE_PREPARED_BY,
            party_uuids: vec![person_party(input, &preparer.name)],
        });
    }
    // The people who own controls on the board hold the control-owner role.
    let mut owners: Vec<String> = Vec::new();
    for control in &input.controls {
        if let Some(person) = input.person_named(&control.owner) {
            let party = person_party(input, &person.name);
            if !owners.contains(&party) {
                owners.push(party);
            }
        }
    }
    if !owners.is_empty() {
        responsible_parties.push(ResponsibleParty {
            role_id: ROLE_CONTROL_OWNER,
            party_uuids: owners,
        });
    }
    responsible_parties.push(ResponsibleParty {
        role_id: ROLE_CUSTOMER,
        party_uuids: vec![customer_party(input)],
    });
    for role in SystemRole::ALL {
        if let Some(holder) = input.roles.iter().find(|h| h.role == role) {
            responsible_parties.push(ResponsibleParty {
                role_id: role.as_str(),
                party_uuids: vec![person_party(input, &holder.name)],
            });
        }
    }
    responsible_parties
}

/// The roles the documents use, and those FedRAMP requires of a plan.
fn roles() -> Vec<Role> {
    let mut roles = vec![
        Role {
            id: ROLE_PREPARED_BY,
            title: "Prepared By",
        },
        Role {
            id: ROLE_PROVIDER,
            title: "Provider (Amazon Web Services)",
        },
        Role {
            id: ROLE_CUSTOMER,
            title: "Customer (the team running the system on AWS)",
        },
        Role {
            id: ROLE_CONTROL_OWNER,
            title: "Control Owner",
        },
    ];
    // The roles FedRAMP requires of a plan, held or not: an unheld one is what is missing.
    roles.extend(SystemRole::ALL.into_iter().map(|role| Role {
        id: role.as_str(),
        title: role.title(),
    }));
    roles
}

/// The back-matter resource naming the baseline the project follows, which
/// `import-profile` points to.
pub fn profile_resource(input: &OscalInput) -> Resource {
    match &input.baseline {
        Some(name) => Resource {
            uuid: input.uuid("profile", name),
            title: name.clone(),
            description: format!(
                "The OSCAL profile '{name}' imported into Lockstep, which this plan's controls come from."
            ),
            props: vec![Property::lockstep("baseline", name.clone())],
            rlinks: match &input.resolved_catalog {
                // The catalog the profile resolves to, written beside the plan.
                Some(catalog) => vec![Rlink {
                    href: href_path(super::RESOLVED_CATALOG_FILE),
                    media_type: Some("application/oscal.catalog+json".to_string()),
                    hashes: vec![Hash {
                        algorithm: "SHA-256",
                        value: {
                            use sha2::Digest as _;
                            format!("{:x}", sha2::Sha256::digest(catalog.as_bytes()))
                        },
                    }],
                }],
                None => vec![Rlink {
                    href: href_path(&format!("{name}.json")),
                    media_type: Some("application/oscal.profile+json".to_string()),
                    hashes: vec![],
                }],
            },
            base64: None,
        },
        None => Resource {
            uuid: input.uuid("profile", "builtin"),
            title: "Lockstep built-in AWS shared-responsibility baseline".to_string(),
            description: "Lockstep's built-in controls of the AWS Shared Responsibility Model, each \
                placed in AWS, Shared or Customer for the project's services and mapped to NIST SP \
                800-53 Rev 5 control ids; each implemented requirement of this plan is one of those \
                ids, met by the built-in controls that name it."
                .to_string(),
            props: vec![Property::lockstep("baseline", "builtin-srm")],
            rlinks: vec![],
            base64: None,
        },
    }
}

/// The back-matter resources of the evidence files, one per file, with their SHA-256; the
/// link points to the file's place in the evidence pack, relative to the pack's `oscal/`
/// folder.
pub fn evidence_resources(input: &OscalInput) -> Vec<Resource> {
    input
        .controls
        .iter()
        .flat_map(|c| c.evidence.iter().map(move |e| (c, e)))
        .map(|(control, e)| Resource {
            uuid: evidence_uuid(input, e.id),
            title: e.file_name.clone(),
            description: e.description.clone(),
            props: vec![Property::lockstep("control", control.id.clone())],
            rlinks: vec![Rlink {
                href: href_path(&format!("../{}", e.pack_path)),
                media_type: Some(e.media_type.clone()).filter(|m| !m.is_empty()),
                hashes: vec![Hash {
                    algorithm: "SHA-256",
                    value: e.sha256.clone(),
                }],
            }],
            base64: None,
        })
        .collect()
}

/// The UUID of an evidence file's back-matter resource.
pub fn evidence_uuid(input: &OscalInput, evidence_id: i64) -> String {
    input.uuid("evidence", &evidence_id.to_string())
}

/// The UUID of an AWS service's component.
pub fn service_component(input: &OscalInput, service_id: &str) -> String {
    input.uuid("component", service_id)
}
