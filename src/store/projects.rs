//! Projects: creating one from the baseline, and changing the services it uses.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::controls::{insert_planned, load_controls};
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::catalog::Baseline;
use crate::model::{Action, Project, RuleError};

/// What a user gives to create a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewProject {
    /// Name, unique regardless of case.
    pub name: String,
    /// What the scope covers.
    pub description: String,
    /// AWS service ids.
    pub services: Vec<String>,
    /// First day of the audit period.
    pub period_start: Option<NaiveDate>,
    /// Last day of the audit period.
    pub period_end: Option<NaiveDate>,
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Store {
    /// Creates a project and instantiates the baseline for its services.
    pub fn create_project(&mut self, new: &NewProject) -> Result<Project> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(RuleError::Blank("project name").into());
        }
        if let (Some(start), Some(end)) = (new.period_start, new.period_end)
            && end < start
        {
            return Err(RuleError::PeriodReversed { start, end }.into());
        }
        let baseline = Baseline::builtin();
        let services = baseline.resolve_services(&new.services)?;
        let key = self.write(|tx| {
        let taken: Option<String> = tx
            .query_row(
                "SELECT name FROM projects WHERE name_key = ?1",
                [name_key(name)],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(taken) = taken {
            return Err(StoreError::DuplicateProject(taken));
        }
        tx.execute(
            "INSERT INTO projects (name, name_key, description, period_start, period_end, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                name_key(name),
                new.description.trim(),
                new.period_start.map(|d| d.to_string()),
                new.period_end.map(|d| d.to_string()),
                tx.at
            ],
        )?;
        let key = tx.last_insert_rowid();
        write_services(tx, key, &services)?;
        let planned = baseline.plan(&services);
        for control in &planned {
            insert_planned(tx, key, control)?;
        }
        let action = Action::ProjectCreate {
            services: services.clone(),
            description: new.description.trim().to_string(),
            period_start: new.period_start,
            period_end: new.period_end,
            controls: planned.len(),
        };
        Ok(Change::Made(key, Logged::new(Some(key), "", action)))
        })?;
        self.project(key)
    }

    /// Changes the services a project uses: controls that now cover none of its services are
    /// retired (kept, with their status, notes and history), controls that come into scope are
    /// added, and retired ones that come back are restored as they were. The same services
    /// again change nothing and log nothing.
    pub fn set_project_services(&mut self, project: i64, services: &[String]) -> Result<Project> {
        let baseline = Baseline::builtin();
        let services = baseline.resolve_services(services)?;
        self.write(|tx| {
            let current = tx.store.project(project)?;
            let existing = load_controls(tx, project)?;
            write_services(tx, project, &services)?;
            let planned = baseline.plan(&services);
            let (mut added, mut retired, mut restored) = (Vec::new(), Vec::new(), Vec::new());
            for plan in &planned {
                match existing.iter().find(|c| c.id == plan.template.id) {
                    Some(control) => {
                        tx.execute(
                            "UPDATE controls SET services = ?1, retired = 0 WHERE id = ?2",
                            params![plan.services.join(","), control.key],
                        )?;
                        if control.retired {
                            restored.push(control.id.clone());
                        }
                    }
                    None => {
                        insert_planned(tx, project, plan)?;
                        added.push(plan.template.id.clone());
                    }
                }
            }
            for control in existing
                .iter()
                .filter(|c| c.origin == crate::model::Origin::Baseline)
            {
                if !control.retired && !planned.iter().any(|p| p.template.id == control.id) {
                    tx.execute(
                        "UPDATE controls SET retired = 1 WHERE id = ?1",
                        [control.key],
                    )?;
                    retired.push(control.id.clone());
                }
            }
            if services == current.services
                && added.is_empty()
                && retired.is_empty()
                && restored.is_empty()
            {
                // Nothing changed: the transaction is rolled back, so no row is logged.
                return Ok(Change::Unchanged(()));
            }
            let action = Action::ProjectServices {
                from: current.services.clone(),
                to: services.clone(),
                added,
                retired,
                restored,
            };
            Ok(Change::Made((), Logged::new(Some(project), "", action)))
        })?;
        self.project(project)
    }

    /// All projects, by name.
    pub fn projects(&self) -> Result<Vec<Project>> {
        let keys: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM projects ORDER BY name_key")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        keys.into_iter().map(|key| self.project(key)).collect()
    }

    /// The project with this key.
    pub fn project(&self, key: i64) -> Result<Project> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT name, description, period_start, period_end, created_at FROM projects WHERE id = ?1",
            )?
            .query_row([key], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .optional()?
            .ok_or_else(|| StoreError::UnknownProject(format!("#{key}")))?;
        let services: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT service FROM project_services WHERE project_id = ?1 ORDER BY service",
            )?
            .query_map([key], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let date = |text: Option<String>| -> Result<Option<NaiveDate>> {
            text.map(|t| {
                t.parse()
                    .map_err(|_| StoreError::Corrupt(format!("date '{t}'")))
            })
            .transpose()
        };
        Ok(Project {
            key,
            name: row.0,
            description: row.1,
            services,
            period_start: date(row.2)?,
            period_end: date(row.3)?,
            created_at: row.4,
        })
    }

    /// The project changed most recently, if any: where the window opens.
    pub fn most_recent_project(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT project_id FROM activity WHERE project_id IS NOT NULL ORDER BY seq DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The project with this name, ignoring case.
    pub fn project_by_name(&self, name: &str) -> Result<Project> {
        let key: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM projects WHERE name_key = ?1",
                [name_key(name)],
                |row| row.get(0),
            )
            .optional()?;
        match key {
            Some(key) => self.project(key),
            None => Err(StoreError::UnknownProject(name.trim().to_string())),
        }
    }
}

fn write_services(tx: &Connection, project: i64, services: &[String]) -> Result<()> {
    tx.execute(
        "DELETE FROM project_services WHERE project_id = ?1",
        [project],
    )?;
    let mut insert =
        tx.prepare_cached("INSERT INTO project_services (project_id, service) VALUES (?1, ?2)")?;
    for service in services {
        insert.execute(params![project, service])?;
    }
    Ok(())
}
