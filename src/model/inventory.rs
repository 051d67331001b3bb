//! What an authorization package's inventory states of each asset: its FedRAMP asset type,
//! whether it is virtual and public, how it is scanned, and for software its name, version and
//! function. Each fact is optional until someone gives it; the values with a fixed set are
//! FedRAMP's own words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::AssetKind;

/// One inventory fact of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InventoryFact {
    /// FedRAMP's asset type (`operating-system`, `database`, …).
    AssetType,
    /// Whether it is a virtual machine or service: yes or no.
    Virtual,
    /// Whether it is reachable from the internet: yes or no.
    Public,
    /// How it is scanned: infrastructure, database, web or other.
    ScanType,
    /// Whether scans log in to it: yes or no.
    AuthenticatedScan,
    /// Whether it is scanned at all: yes or no.
    Scanned,
    /// The baseline configuration it is built to (`CIS Amazon Linux 2023 Level 1`).
    BaselineConfiguration,
    /// Who makes it.
    Vendor,
    /// Its model or instance type.
    Model,
    /// The software it runs.
    Software,
    /// That software's version.
    SoftwareVersion,
    /// What it does in the system.
    Function,
    /// Its IPv4 address.
    Ipv4,
    /// Its IPv6 address.
    Ipv6,
}

const YES_NO: &[&str] = &["yes", "no"];

impl InventoryFact {
    /// Every fact, in the order forms show them.
    pub const ALL: [InventoryFact; 14] = [
        InventoryFact::AssetType,
        InventoryFact::Virtual,
        InventoryFact::Public,
        InventoryFact::ScanType,
        InventoryFact::AuthenticatedScan,
        InventoryFact::Scanned,
        InventoryFact::BaselineConfiguration,
        InventoryFact::Vendor,
        InventoryFact::Model,
        InventoryFact::Software,
        InventoryFact::SoftwareVersion,
        InventoryFact::Function,
        InventoryFact::Ipv4,
        InventoryFact::Ipv6,
    ];

    /// Its name on the command line and in JSON (`scan-type`).
    pub fn as_str(self) -> &'static str {
        match self {
            InventoryFact::AssetType => "asset-type",
            InventoryFact::Virtual => "virtual",
            InventoryFact::Public => "public",
            InventoryFact::ScanType => "scan-type",
            InventoryFact::AuthenticatedScan => "authenticated-scan",
            InventoryFact::Scanned => "scanned",
            InventoryFact::BaselineConfiguration => "baseline-configuration",
            InventoryFact::Vendor => "vendor",
            InventoryFact::Model => "model",
            InventoryFact::Software => "software",
            InventoryFact::SoftwareVersion => "software-version",
            InventoryFact::Function => "function",
            InventoryFact::Ipv4 => "ipv4",
            InventoryFact::Ipv6 => "ipv6",
        }
    }

    /// The name of the prop an OSCAL inventory item states it with.
    pub fn prop_name(self) -> &'static str {
        match self {
            InventoryFact::AssetType => "asset-type",
            InventoryFact::Virtual => "virtual",
            InventoryFact::Public => "public",
            InventoryFact::ScanType => "scan-type",
            InventoryFact::AuthenticatedScan => "allows-authenticated-scan",
            InventoryFact::Scanned => "is-scanned",
            InventoryFact::BaselineConfiguration => "baseline-configuration-name",
            InventoryFact::Vendor => "vendor-name",
            InventoryFact::Model => "hardware-model",
            InventoryFact::Software => "software-name",
            InventoryFact::SoftwareVersion => "software-version",
            InventoryFact::Function => "function",
            InventoryFact::Ipv4 => "ipv4-address",
            InventoryFact::Ipv6 => "ipv6-address",
        }
    }

    /// The values it may take, when it has a fixed set.
    pub fn allowed(self) -> Option<&'static [&'static str]> {
        match self {
            InventoryFact::AssetType => Some(&[
                "operating-system",
                "database",
                "web-server",
                "dns-server",
                "email-server",
                "directory-server",
                "pbx",
                "firewall",
                "router",
                "switch",
                "storage-array",
            ]),
            InventoryFact::Virtual
            | InventoryFact::Public
            | InventoryFact::AuthenticatedScan
            | InventoryFact::Scanned => Some(YES_NO),
            InventoryFact::ScanType => Some(&["infrastructure", "database", "web", "other"]),
            _ => None,
        }
    }

    /// `value` as stored: trimmed, lower case for a fixed set; empty clears the fact. `Err`
    /// says what the fact may be.
    pub fn check(self, value: &str) -> Result<Option<String>, String> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        if value.chars().any(char::is_control) || value.len() > 1024 {
            return Err(format!(
                "the {} must be one line of at most 1,024 bytes",
                self.as_str()
            ));
        }
        match self.allowed() {
            None => Ok(Some(value.to_string())),
            Some(allowed) => {
                let lower = value.to_ascii_lowercase();
                if allowed.contains(&lower.as_str()) {
                    Ok(Some(lower))
                } else {
                    Err(format!(
                        "'{value}' is not a {}: use {}",
                        self.as_str(),
                        allowed.join(", ")
                    ))
                }
            }
        }
    }
}

/// An asset's inventory facts as far as they are given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InventoryFacts {
    values: BTreeMap<InventoryFact, String>,
}

impl InventoryFacts {
    /// The fact's value, when given.
    pub fn get(&self, fact: InventoryFact) -> Option<&str> {
        self.values.get(&fact).map(String::as_str)
    }

    /// Sets (or with `None` clears) a fact.
    pub fn set(&mut self, fact: InventoryFact, value: Option<String>) {
        match value {
            Some(value) => {
                self.values.insert(fact, value);
            }
            None => {
                self.values.remove(&fact);
            }
        }
    }

    /// Each fact given, in form order.
    pub fn given(&self) -> impl Iterator<Item = (InventoryFact, &str)> {
        self.values
            .iter()
            .map(|(fact, value)| (*fact, value.as_str()))
    }

    /// The asset type: the one given, else what an asset of `kind` is.
    pub fn asset_type(&self, kind: AssetKind) -> Option<&str> {
        self.get(InventoryFact::AssetType).or(match kind {
            AssetKind::Instance | AssetKind::Ami | AssetKind::ContainerImage => {
                Some("operating-system")
            }
            AssetKind::Database => Some("database"),
            AssetKind::Application | AssetKind::Other => None,
        })
    }

    /// The facts FedRAMP's inventory still needs of an asset of `kind`: its type, whether it
    /// is virtual and public, its scan type, and for a database its software, version and
    /// function.
    pub fn missing(&self, kind: AssetKind) -> Vec<InventoryFact> {
        let mut needed = vec![
            InventoryFact::Virtual,
            InventoryFact::Public,
            InventoryFact::ScanType,
        ];
        match self.asset_type(kind) {
            None => needed.insert(0, InventoryFact::AssetType),
            Some("database") => needed.extend([
                InventoryFact::Software,
                InventoryFact::SoftwareVersion,
                InventoryFact::Function,
            ]),
            Some(_) => {}
        }
        needed.retain(|fact| self.get(*fact).is_none());
        needed
    }
}

/// One inventory fact changed, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryChange {
    /// The fact.
    pub fact: InventoryFact,
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
    fn the_facts_needed_follow_the_asset_type() {
        let mut facts = InventoryFacts::default();
        assert_eq!(
            facts.missing(AssetKind::Instance),
            [
                InventoryFact::Virtual,
                InventoryFact::Public,
                InventoryFact::ScanType
            ]
        );
        assert_eq!(
            facts.missing(AssetKind::Application)[0],
            InventoryFact::AssetType
        );
        assert_eq!(facts.missing(AssetKind::Database).len(), 6);
        facts.set(InventoryFact::AssetType, Some("web-server".into()));
        facts.set(InventoryFact::Virtual, Some("yes".into()));
        assert_eq!(facts.missing(AssetKind::Database).len(), 2);
        assert_eq!(
            InventoryFact::Public.check(" YES "),
            Ok(Some("yes".to_string()))
        );
        assert!(
            InventoryFact::ScanType
                .check("deep")
                .unwrap_err()
                .contains("use infrastructure")
        );
        assert!(InventoryFact::Vendor.check("a\nb").is_err());
        assert_eq!(InventoryFact::Vendor.check(" "), Ok(None));
    }
}
