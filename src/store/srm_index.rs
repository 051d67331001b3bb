//! The built-in SRM controls in scope for a project's services, found by the NIST ids they
//! name: what places a framework baseline's controls and what a CRM's answers are read
//! against.

use std::collections::{BTreeSet, HashMap};

use crate::catalog::Baseline;
use crate::model::{
    Column, CrmEntry, FamilyRules, Placement, Reason, SrmMatch, oscal_id_of, place,
};

/// The built-in SRM controls in scope for a project on `services`, each under the OSCAL id of
/// every NIST id it names, with the services it covers.
pub(super) struct SrmIndex {
    by_nist: HashMap<String, Vec<(SrmMatch, Vec<String>)>>,
}

impl SrmIndex {
    /// Builds the index for these (resolved) services.
    pub(super) fn new(services: &[String]) -> Self {
        let mut by_nist: HashMap<String, Vec<(SrmMatch, Vec<String>)>> = HashMap::new();
        for plan in Baseline::builtin().plan(services) {
            let t = plan.template;
            let found = SrmMatch {
                id: t.id.clone(),
                title: t.title.clone(),
                column: t.column,
                aws_part: match t.column {
                    Column::Aws => t.description.clone(),
                    Column::Shared => t.aws_part.clone().unwrap_or_default(),
                    Column::Customer => String::new(),
                },
                customer_part: match t.column {
                    Column::Customer => t.description.clone(),
                    Column::Shared => t.customer_part.clone().unwrap_or_default(),
                    Column::Aws => String::new(),
                },
            };
            for nist in &t.nist {
                if let Some(oscal) = oscal_id_of(nist) {
                    let list = by_nist.entry(oscal).or_default();
                    if !list.iter().any(|(m, _)| m.id == found.id) {
                        list.push((found.clone(), plan.services.clone()));
                    }
                }
            }
        }
        SrmIndex { by_nist }
    }

    /// The SRM controls in scope that name this OSCAL id.
    pub(super) fn matches(&self, oscal: &str) -> Vec<SrmMatch> {
        self.by_nist
            .get(oscal)
            .map(|list| list.iter().map(|(m, _)| m.clone()).collect())
            .unwrap_or_default()
    }

    /// The project's services those SRM controls cover, sorted.
    pub(super) fn services(&self, oscal: &str) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .by_nist
            .get(oscal)
            .into_iter()
            .flatten()
            .flat_map(|(_, services)| services)
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Places a control, given the project's CRM.
    pub(super) fn place(
        &self,
        oscal: &str,
        family: &str,
        crm: &HashMap<String, CrmEntry>,
    ) -> (Placement, Vec<String>) {
        let placement = place(
            crm.get(oscal),
            &self.matches(oscal),
            family,
            FamilyRules::builtin(),
        );
        let services = match placement.reason {
            Reason::Srm { .. } => self.services(oscal),
            _ => Vec::new(),
        };
        (placement, services)
    }
}
