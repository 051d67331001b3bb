//! Projects: creating one on the built-in SRM set or on a framework baseline, changing the
//! services it uses, and moving it to another baseline.
//!
//! A project on a framework baseline holds the baseline's selected controls, each placed by
//! [`crate::model::place`]: the project's CRM, then the built-in SRM controls in scope for its
//! services, then a family rule, then Customer. When the services change, only controls whose
//! column was derived that way are placed again; a person's move and a CRM's word stay.

use std::collections::{BTreeSet, HashMap};

use super::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;

use super::controls::{
    insert_planned, load_context, load_controls, upsert_framework, write_placement,
};
use super::crm::load_crm;
use super::srm_index::SrmIndex;
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::catalog::Baseline;
use crate::model::{
    Action, Control, FrameworkControl, Placement, Project, Reason, RuleError, SrmMatch,
    oscal_id_of, parse_stamp,
};

/// The placement a control keeps when a person moved it.
fn kept(control: &Control) -> Placement {
    Placement {
        column: control.column,
        aws_part: control.aws_part.clone(),
        customer_part: control.customer_part.clone(),
        reason: Reason::Person,
    }
}

/// Writes a baseline's controls into a project: each inserted or refreshed and placed, a
/// person's placement kept. Returns how many it tracks.
fn write_framework_controls(
    tx: &Connection,
    project: i64,
    controls: &[FrameworkControl],
    services: &[String],
    existing: &[Control],
) -> Result<usize> {
    let index = SrmIndex::new(services);
    let crm = load_crm(tx, project)?;
    let by_id: HashMap<&str, &Control> = existing.iter().map(|c| (c.id.as_str(), c)).collect();
    for control in controls {
        let (mut placement, mut covered) = index.place(&control.id, &control.family, &crm);
        if let Some(old) = by_id.get(control.label.as_str())
            && old.reason == Some(Reason::Person)
        {
            placement = kept(old);
            covered = old.services.clone();
        }
        upsert_framework(tx, project, control, &placement, &covered)?;
    }
    Ok(controls.iter().filter(|c| c.selected).count())
}

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
    /// Creates a project and instantiates the built-in SRM set for its services.
    pub fn create_project(&mut self, new: &NewProject) -> Result<Project> {
        self.create(new, None)
    }

    /// Creates a project on a framework baseline: `controls` are the baseline's controls as
    /// resolved (parents kept for structure have `selected` false), each placed for the
    /// project's services.
    pub fn create_project_on_baseline(
        &mut self,
        new: &NewProject,
        baseline: &str,
        controls: &[FrameworkControl],
    ) -> Result<Project> {
        self.create(new, Some((baseline, controls)))
    }

    fn create(
        &mut self,
        new: &NewProject,
        framework: Option<(&str, &[FrameworkControl])>,
    ) -> Result<Project> {
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
            "INSERT INTO projects (name, name_key, description, period_start, period_end, created_at,
                baseline)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                name,
                name_key(name),
                new.description.trim(),
                new.period_start.map(|d| d.to_string()),
                new.period_end.map(|d| d.to_string()),
                tx.at,
                framework.map(|(name, _)| name),
            ],
        )?;
        let key = tx.last_insert_rowid()?;
        write_services(tx, key, &services)?;
        let count = match framework {
            Some((_, controls)) => write_framework_controls(tx, key, controls, &services, &[])?,
            None => {
                let planned = baseline.plan(&services);
                for control in &planned {
                    insert_planned(tx, key, control)?;
                }
                planned.len()
            }
        };
        let action = Action::ProjectCreate {
            services: services.clone(),
            description: new.description.trim().to_string(),
            period_start: new.period_start,
            period_end: new.period_end,
            controls: count,
            baseline: framework.map(|(name, _)| name.to_string()),
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
            if current.baseline.is_some() {
                let replaced = replace_derived(tx, project, &services, &existing)?;
                if services == current.services && replaced.is_empty() {
                    return Ok(Change::Unchanged(()));
                }
                let action = Action::ProjectServices {
                    from: current.services.clone(),
                    to: services.clone(),
                    added: Vec::new(),
                    retired: Vec::new(),
                    restored: Vec::new(),
                    replaced,
                };
                return Ok(Change::Made((), Logged::new(Some(project), "", action)));
            }
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
                replaced: Vec::new(),
            };
            Ok(Change::Made((), Logged::new(Some(project), "", action)))
        })?;
        self.project(project)
    }

    /// Moves a project to a framework baseline (`Some((name, controls))`) or back to the
    /// built-in SRM set (`None`). Controls of the new set that the project had keep their
    /// status, owner, notes and history; controls it no longer tracks are retired, never
    /// deleted, so their evidence and sign-offs stay. The same baseline again changes nothing.
    pub fn set_project_baseline(
        &mut self,
        project: i64,
        framework: Option<(&str, &[FrameworkControl])>,
    ) -> Result<Project> {
        self.write(|tx| {
            let current = tx.store.project(project)?;
            let to = framework.map(|(name, _)| name.to_string());
            if current.baseline.as_deref().map(str::to_lowercase)
                == to.as_deref().map(str::to_lowercase)
            {
                return Ok(Change::Unchanged(()));
            }
            let mut existing = load_controls(tx, project)?;
            existing.extend(load_context(tx, project)?);
            let (count, keep): (usize, BTreeSet<String>) = match framework {
                Some((_, controls)) => (
                    write_framework_controls(tx, project, controls, &current.services, &existing)?,
                    controls.iter().map(|c| c.label.clone()).collect(),
                ),
                None => {
                    let planned = Baseline::builtin().plan(&current.services);
                    for plan in &planned {
                        match existing.iter().find(|c| c.id == plan.template.id) {
                            Some(control) => {
                                tx.execute(
                                    "UPDATE controls SET services = ?1, retired = 0 WHERE id = ?2",
                                    params![plan.services.join(","), control.key],
                                )?;
                            }
                            None => insert_planned(tx, project, plan)?,
                        }
                    }
                    (
                        planned.len(),
                        planned.iter().map(|p| p.template.id.clone()).collect(),
                    )
                }
            };
            let mut retired = 0;
            for control in existing.iter().filter(|c| {
                c.origin == crate::model::Origin::Baseline && !c.retired && !keep.contains(&c.id)
            }) {
                tx.execute(
                    "UPDATE controls SET retired = 1 WHERE id = ?1",
                    [control.key],
                )?;
                retired += 1;
            }
            tx.execute(
                "UPDATE projects SET baseline = ?1 WHERE id = ?2",
                params![to, project],
            )?;
            let action = Action::ProjectBaseline {
                from: current.baseline.clone(),
                to,
                controls: count,
                retired,
            };
            Ok(Change::Made((), Logged::new(Some(project), "", action)))
        })?;
        self.project(project)
    }

    /// Sets a project's audit period (both days), or clears it (`None`): one activity row.
    pub fn set_project_period(
        &mut self,
        project: i64,
        period: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Project> {
        if let Some((start, end)) = period
            && end < start
        {
            return Err(RuleError::PeriodReversed { start, end }.into());
        }
        self.write(|tx| {
            let current = tx.store.project(project)?;
            let from = current.period_start.zip(current.period_end);
            if from == period {
                return Ok(Change::Unchanged(()));
            }
            tx.execute(
                "UPDATE projects SET period_start = ?1, period_end = ?2 WHERE id = ?3",
                params![
                    period.map(|(start, _)| start.to_string()),
                    period.map(|(_, end)| end.to_string()),
                    project
                ],
            )?;
            let action = Action::ProjectPeriod { from, to: period };
            Ok(Change::Made((), Logged::new(Some(project), "", action)))
        })?;
        self.project(project)
    }

    /// The built-in SRM controls in scope for the project's services that name this control's
    /// NIST id (for an SRM control: that share a NIST id with it), with their columns.
    pub fn related_srm(&self, project: &Project, control: &Control) -> Vec<SrmMatch> {
        let index = SrmIndex::new(&project.services);
        if control.framework.is_some() {
            return oscal_id_of(&control.id)
                .map(|oscal| index.matches(&oscal))
                .unwrap_or_default();
        }
        let mut out: Vec<SrmMatch> = Vec::new();
        for oscal in control.nist.iter().filter_map(|n| oscal_id_of(n)) {
            for found in index.matches(&oscal) {
                if found.id != control.id && !out.iter().any(|m| m.id == found.id) {
                    out.push(found);
                }
            }
        }
        out
    }

    /// The control an enhancement enhances, tracked or kept as context, if the project has it.
    pub fn parent_control(&self, project: i64, control: &Control) -> Result<Option<Control>> {
        let Some(parent) = control
            .framework
            .as_ref()
            .map(|f| f.parent.as_str())
            .filter(|p| !p.is_empty())
        else {
            return Ok(None);
        };
        super::controls::find_any(&self.conn, project, parent)
    }

    /// All projects, by name.
    pub fn projects(&self) -> Result<Vec<Project>> {
        let keys: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM projects ORDER BY name_key")?
            .query_map([], |row| row.get(0))?
            .collect::<super::db::Result<_>>()?;
        keys.into_iter().map(|key| self.project(key)).collect()
    }

    /// The project with this key.
    pub fn project(&self, key: i64) -> Result<Project> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT name, description, period_start, period_end, created_at, baseline
                 FROM projects WHERE id = ?1",
            )?
            .query_row([key], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
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
            .collect::<super::db::Result<_>>()?;
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
            created_at: parse_stamp(&row.4)
                .map_err(|e| StoreError::Corrupt(format!("project created: {e}")))?,
            baseline: row.5,
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

/// Places again the controls of a baseline project whose column was derived (SRM, family
/// rule, default), for these services. Returns the ids whose column or parts changed.
pub(super) fn replace_derived(
    tx: &Connection,
    project: i64,
    services: &[String],
    existing: &[Control],
) -> Result<Vec<String>> {
    let index = SrmIndex::new(services);
    let crm = load_crm(tx, project)?;
    let mut replaced = Vec::new();
    for control in existing {
        let (Some(framework), Some(reason)) = (&control.framework, &control.reason) else {
            continue;
        };
        if !reason.is_derived() {
            continue;
        }
        let Some(oscal) = oscal_id_of(&control.id) else {
            continue;
        };
        let (placement, covered) = index.place(&oscal, &framework.family, &crm);
        if placement.column != control.column
            || placement.aws_part != control.aws_part
            || placement.customer_part != control.customer_part
            || Some(&placement.reason) != control.reason.as_ref()
        {
            write_placement(tx, control.key, &placement, &covered)?;
            replaced.push(control.id.clone());
        } else if covered != control.services {
            write_placement(tx, control.key, &placement, &covered)?;
        }
    }
    Ok(replaced)
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
