//! The facts about a project's system (`system_facts`, one row per project): read, and given
//! or changed in one transaction with one activity row that names each fact from what to
//! what. Giving the values a project already has changes nothing and logs nothing.

use super::db::{OptionalExtension, params};
use super::write::{Change, Logged};
use super::{Result, Store};
use crate::model::{
    Action, RoleHolder, RuleError, SystemChange, SystemFact, SystemFacts, SystemRole,
};

/// The columns in [`SystemFact::ALL`] order.
const COLUMNS: [&str; 12] = [
    "fedramp_id",
    "short_name",
    "description",
    "service_model",
    "deployment_model",
    "authorization_type",
    "ial",
    "aal",
    "fal",
    "confidentiality",
    "integrity",
    "availability",
];

impl Store {
    /// The project's system facts, as far as they are given.
    pub fn system_facts(&self, project: i64) -> Result<SystemFacts> {
        self.project(project)?;
        let sql = format!(
            "SELECT {} FROM system_facts WHERE project_id = ?1",
            COLUMNS.join(", ")
        );
        let row = self
            .conn
            .query_row(&sql, [project], |row| {
                let mut values = Vec::with_capacity(COLUMNS.len());
                for (at, fact) in SystemFact::ALL.into_iter().enumerate() {
                    let value = if fact.is_number() {
                        row.get::<_, Option<i64>>(at)?.map(|n| n.to_string())
                    } else {
                        row.get::<_, Option<String>>(at)?
                    };
                    values.push((fact, value));
                }
                Ok(values)
            })
            .optional()?;
        let mut facts = SystemFacts::default();
        for (fact, value) in row.unwrap_or_default() {
            facts.set(fact, value);
        }
        Ok(facts)
    }

    /// Gives or changes facts: each `(fact, value)` with `value` as typed (an empty one
    /// clears the fact). A value outside a fact's set is refused before anything is written.
    pub fn set_system_facts(
        &mut self,
        project: i64,
        given: &[(SystemFact, String)],
    ) -> Result<SystemFacts> {
        let mut checked = Vec::with_capacity(given.len());
        for (fact, value) in given {
            let value = fact.check(value).map_err(RuleError::SystemFact)?;
            checked.push((*fact, value));
        }
        self.write(|tx| {
            let before = tx.store.system_facts(project)?;
            let mut after = before.clone();
            let mut changes = Vec::new();
            for (fact, value) in &checked {
                let from = before.get(*fact).map(str::to_string);
                if from != *value && !changes.iter().any(|c: &SystemChange| c.fact == *fact) {
                    changes.push(SystemChange {
                        fact: *fact,
                        from,
                        to: value.clone(),
                    });
                }
                after.set(*fact, value.clone());
            }
            if after == before {
                return Ok(Change::Unchanged(after));
            }
            let number = |fact: SystemFact| after.get(fact).and_then(|v| v.parse::<i64>().ok());
            let text = |fact: SystemFact| after.get(fact).map(str::to_string);
            let placeholders: Vec<String> =
                (2..=COLUMNS.len() + 1).map(|n| format!("?{n}")).collect();
            let updates: Vec<String> = COLUMNS
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            tx.execute(
                &format!(
                    "INSERT INTO system_facts (project_id, {}) VALUES (?1, {})
                     ON CONFLICT (project_id) DO UPDATE SET {}",
                    COLUMNS.join(", "),
                    placeholders.join(", "),
                    updates.join(", ")
                ),
                params![
                    project,
                    text(SystemFact::FedrampId),
                    text(SystemFact::ShortName),
                    text(SystemFact::Description),
                    text(SystemFact::ServiceModel),
                    text(SystemFact::DeploymentModel),
                    text(SystemFact::AuthorizationType),
                    number(SystemFact::Ial),
                    number(SystemFact::Aal),
                    number(SystemFact::Fal),
                    text(SystemFact::Confidentiality),
                    text(SystemFact::Integrity),
                    text(SystemFact::Availability),
                ],
            )?;
            let logged = Logged::new(Some(project), "", Action::SystemSet { changes });
            Ok(Change::Made(after, logged))
        })
    }

    /// Who holds each role of the project's system, in FedRAMP's order.
    pub fn system_roles(&self, project: i64) -> Result<Vec<RoleHolder>> {
        self.project(project)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.role, p.name, p.email FROM system_roles r
             JOIN people p ON p.id = r.person_id WHERE r.project_id = ?1",
        )?;
        let rows = stmt.query_map([project], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut holders = Vec::new();
        for row in rows {
            let (role, name, email) = row?;
            let role = role
                .parse::<SystemRole>()
                .map_err(super::StoreError::Corrupt)?;
            holders.push(RoleHolder { role, name, email });
        }
        holders.sort_by_key(|h| SystemRole::ALL.iter().position(|r| *r == h.role));
        Ok(holders)
    }

    /// Gives `role` of the project's system to the person with `email`, taking it from whoever
    /// held it. Giving it to its holder again changes and logs nothing.
    pub fn assign_role(
        &mut self,
        project: i64,
        role: SystemRole,
        email: &str,
    ) -> Result<RoleHolder> {
        let person = self.person(email)?;
        self.write(|tx| {
            let before = tx
                .store
                .system_roles(project)?
                .into_iter()
                .find(|h| h.role == role);
            let holder = RoleHolder {
                role,
                name: person.name.clone(),
                email: person.email.clone(),
            };
            if before
                .as_ref()
                .is_some_and(|b| b.email.eq_ignore_ascii_case(&person.email))
            {
                return Ok(Change::Unchanged(holder));
            }
            tx.execute(
                "INSERT INTO system_roles (project_id, role, person_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (project_id, role) DO UPDATE SET person_id = excluded.person_id",
                params![project, role.as_str(), person.key],
            )?;
            let action = Action::RoleAssign {
                role,
                from: before.map(|b| b.email),
                to: person.email.clone(),
            };
            Ok(Change::Made(
                holder,
                Logged::new(Some(project), role.as_str(), action),
            ))
        })
    }
}
