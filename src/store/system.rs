//! The facts about a project's system (`system_facts`, one row per project): read, and given
//! or changed in one transaction with one activity row that names each fact from what to
//! what. Giving the values a project already has changes nothing and logs nothing.

use super::db::{OptionalExtension, params};
use super::write::{Change, Logged};
use super::{Result, Store};
use std::collections::BTreeMap;

use crate::model::{
    Action, ParameterState, RoleHolder, RuleError, SystemChange, SystemFact, SystemFacts,
    SystemRole, SystemUser, checked_parameter_value, parameter_states, stated_value,
};

/// The columns in [`SystemFact::ALL`] order.
const COLUMNS: [&str; 13] = [
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
    "aws_fedramp_id",
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
                    text(SystemFact::AwsFedrampId),
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

/// One parameter of a project's controls, as `param list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProjectParameter {
    /// The control it belongs to (`AC-1`).
    pub control: String,
    /// The parameter and the value given for it.
    #[serde(flatten)]
    pub state: ParameterState,
    /// True when nothing gives it a value yet: none given, none in the baseline, and none
    /// given to the parameter that gathers it.
    pub missing: bool,
}

impl Store {
    /// The users of the project's system, by title.
    pub fn system_users(&self, project: i64) -> Result<Vec<SystemUser>> {
        self.project(project)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT title, roles, user_type, privilege, sensitivity, functions
             FROM system_users WHERE project_id = ?1 ORDER BY title COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([project], |row| {
            let split = |text: String, by: char| -> Vec<String> {
                text.split(by)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            Ok(SystemUser {
                title: row.get(0)?,
                roles: split(row.get(1)?, ','),
                user_type: row.get(2)?,
                privilege: row.get(3)?,
                sensitivity: row.get(4)?,
                functions: split(row.get(5)?, '\n'),
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// Describes a user of the project's system, replacing the one of the same title (ignoring
    /// case). Describing it as it is changes and logs nothing.
    pub fn set_system_user(&mut self, project: i64, user: &SystemUser) -> Result<SystemUser> {
        self.write(|tx| {
            let before = tx
                .store
                .system_users(project)?
                .into_iter()
                .find(|u| u.title.eq_ignore_ascii_case(&user.title));
            if before.as_ref() == Some(user) {
                return Ok(Change::Unchanged(user.clone()));
            }
            tx.execute(
                "DELETE FROM system_users WHERE project_id = ?1 AND lower(title) = lower(?2)",
                params![project, user.title],
            )?;
            tx.execute(
                "INSERT INTO system_users
                     (project_id, title, roles, user_type, privilege, sensitivity, functions)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    project,
                    user.title,
                    user.roles.join(","),
                    user.user_type,
                    user.privilege,
                    user.sensitivity,
                    user.functions.join("\n"),
                ],
            )?;
            let action = Action::SystemUserSet {
                from: before,
                to: Some(user.clone()),
            };
            Ok(Change::Made(
                user.clone(),
                Logged::new(Some(project), &user.title, action),
            ))
        })
    }

    /// Removes the user of the project's system with `title` (ignoring case).
    pub fn remove_system_user(&mut self, project: i64, title: &str) -> Result<SystemUser> {
        self.write(|tx| {
            let Some(before) = tx
                .store
                .system_users(project)?
                .into_iter()
                .find(|u| u.title.eq_ignore_ascii_case(title.trim()))
            else {
                return Err(super::StoreError::UnknownSystemUser(
                    title.trim().to_string(),
                ));
            };
            tx.execute(
                "DELETE FROM system_users WHERE project_id = ?1 AND lower(title) = lower(?2)",
                params![project, before.title],
            )?;
            let action = Action::SystemUserSet {
                from: Some(before.clone()),
                to: None,
            };
            let subject = before.title.clone();
            Ok(Change::Made(
                before,
                Logged::new(Some(project), &subject, action),
            ))
        })
    }

    /// The values given to the project's parameters, by id.
    pub fn parameter_values(&self, project: i64) -> Result<BTreeMap<String, String>> {
        self.project(project)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT param_id, value FROM parameter_values WHERE project_id = ?1")?;
        let rows = stmt.query_map([project], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<BTreeMap<_, _>, _>>()?)
    }

    /// Every parameter of the project's current controls (and each one a parameter gathers),
    /// in board order, with the value given for it.
    pub fn project_parameters(&self, project: i64) -> Result<Vec<ProjectParameter>> {
        let values = self.parameter_values(project)?;
        let mut out: Vec<ProjectParameter> = Vec::new();
        for control in self.controls(project)?.into_iter().filter(|c| !c.retired) {
            let Some(framework) = &control.framework else {
                continue;
            };
            let states = parameter_states(&framework.parameters, &values);
            for at in 0..states.len() {
                let missing = stated_value(&states, at).is_none();
                out.push(ProjectParameter {
                    control: control.id.clone(),
                    state: states[at].clone(),
                    missing,
                });
            }
        }
        Ok(out)
    }

    /// Gives (or with an empty `value` clears) the value of one of the project's parameters.
    /// Giving the value it has changes and logs nothing.
    pub fn set_parameter(
        &mut self,
        project: i64,
        param: &str,
        value: &str,
    ) -> Result<ProjectParameter> {
        let value = checked_parameter_value(value).map_err(RuleError::ParameterValue)?;
        let name = self.project(project)?.name;
        let wanted = param.trim().to_ascii_lowercase();
        self.write(|tx| {
            let Some(mut found) = tx
                .store
                .project_parameters(project)?
                .into_iter()
                .find(|p| p.state.id.eq_ignore_ascii_case(&wanted))
            else {
                return Err(super::StoreError::UnknownParameter {
                    project: name.clone(),
                    param: param.trim().to_string(),
                });
            };
            let before = found.state.value.clone();
            found.state.value = value.clone();
            if before == value {
                return Ok(Change::Unchanged(found));
            }
            match &value {
                Some(text) => tx.execute(
                    "INSERT INTO parameter_values (project_id, param_id, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (project_id, param_id) DO UPDATE SET value = excluded.value",
                    params![project, found.state.id, text],
                )?,
                None => tx.execute(
                    "DELETE FROM parameter_values WHERE project_id = ?1 AND param_id = ?2",
                    params![project, found.state.id],
                )?,
            };
            let action = Action::ParameterSet {
                param: found.state.id.clone(),
                from: before,
                to: value.clone(),
            };
            let subject = found.control.clone();
            Ok(Change::Made(
                found,
                Logged::new(Some(project), &subject, action),
            ))
        })
    }
}
