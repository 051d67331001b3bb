//! Controls: reading a project's checklist, editing a control, adding one of the team's own.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::catalog::PlannedControl;
use crate::model::{
    Action, Column, Control, ControlChange, ControlField, ControlPatch, Origin, RuleError, Status,
    column_for_ownership, plan_changes,
};

/// What a user gives to add a control of their own, through the ownership test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewControl {
    /// Short title.
    pub title: String,
    /// What it requires.
    pub description: String,
    /// The board group; "Our own controls" when blank.
    pub area: String,
    /// "Can your team log in and adjust its security settings?"
    pub can_adjust: bool,
    /// "Does AWS also operate part of it?" (asked when the answer above is yes).
    pub aws_operates_part: Option<bool>,
}

/// The area of controls the team adds when it names none.
pub const CUSTOM_AREA: &str = "Our own controls";

/// Board order of the team's own controls: after the baseline's.
const CUSTOM_SORT_BASE: i64 = 1_000_000;

const CONTROL_COLUMNS: &str = "id, control_id, origin, area, title, description, column_name, aws_part,
     customer_part, can_adjust, nist, services, status, status_reason, owner, due, review_days, notes,
     retired, sort_key";

fn split(text: String) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn control_from_row(row: &Row<'_>) -> rusqlite::Result<Control> {
    let bad = |index: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, what.into())
    };
    let column: String = row.get(6)?;
    let status: String = row.get(12)?;
    let origin: String = row.get(2)?;
    let due: Option<String> = row.get(15)?;
    Ok(Control {
        key: row.get(0)?,
        id: row.get(1)?,
        origin: if origin == "custom" {
            Origin::Custom
        } else {
            Origin::Baseline
        },
        area: row.get(3)?,
        title: row.get(4)?,
        description: row.get(5)?,
        column: column
            .parse::<Column>()
            .map_err(|e| bad(6, e.to_string()))?,
        aws_part: row.get(7)?,
        customer_part: row.get(8)?,
        can_adjust: row.get(9)?,
        nist: split(row.get(10)?),
        services: split(row.get(11)?),
        status: status
            .parse::<Status>()
            .map_err(|e| bad(12, e.to_string()))?,
        status_reason: row.get(13)?,
        owner: row.get(14)?,
        due: due
            .map(|d| d.parse().map_err(|_| bad(15, format!("date '{d}'"))))
            .transpose()?,
        review_days: row.get(16)?,
        notes: row.get(17)?,
        retired: row.get(18)?,
        sort_key: row.get(19)?,
    })
}

/// All controls of a project, retired ones included, in board order.
pub(super) fn load_controls(conn: &Connection, project: i64) -> Result<Vec<Control>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONTROL_COLUMNS} FROM controls WHERE project_id = ?1 ORDER BY sort_key, control_id"
    ))?;
    let rows = stmt.query_map([project], control_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts a baseline control planned for a project.
pub(super) fn insert_planned(
    tx: &Connection,
    project: i64,
    plan: &PlannedControl<'_>,
) -> Result<()> {
    let t = plan.template;
    tx.prepare_cached(
        "INSERT INTO controls (project_id, control_id, origin, area, title, description, column_name,
            aws_part, customer_part, can_adjust, nist, services, sort_key)
         VALUES (?1, ?2, 'baseline', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        project,
        t.id,
        t.area,
        t.title,
        t.description,
        t.column.as_str(),
        t.aws_part.as_deref().unwrap_or(""),
        t.customer_part.as_deref().unwrap_or(""),
        t.can_adjust,
        t.nist.join(","),
        plan.services.join(","),
        i64::try_from(plan.order).unwrap_or(i64::MAX),
    ])?;
    Ok(())
}

fn column_sql(field: ControlField) -> &'static str {
    match field {
        ControlField::Column => "column_name",
        other => other.as_str(),
    }
}

impl Store {
    /// A project's controls, retired ones included, in board order.
    pub fn controls(&self, project: i64) -> Result<Vec<Control>> {
        load_controls(&self.conn, project)
    }

    /// One control of a project by its id (ignoring case).
    pub fn control(&self, project: i64, id: &str) -> Result<Control> {
        let found = self
            .conn
            .prepare_cached(&format!(
                "SELECT {CONTROL_COLUMNS} FROM controls WHERE project_id = ?1 AND control_id = ?2 COLLATE NOCASE"
            ))?
            .query_row(params![project, id.trim()], control_from_row)
            .optional()?;
        match found {
            Some(control) => Ok(control),
            None => Err(StoreError::UnknownControl {
                project: self.project(project)?.name,
                id: id.trim().to_string(),
            }),
        }
    }

    /// Edits a control: checks the rules, writes the changed fields and one activity row
    /// listing them. Returns what changed; an empty list means nothing did and nothing was
    /// written.
    pub fn update_control(
        &mut self,
        project: i64,
        id: &str,
        patch: &ControlPatch,
    ) -> Result<Vec<ControlChange>> {
        self.write(|tx| {
            // Read inside the write transaction, so the "from" values are the ones replaced.
            let control = tx.store.control(project, id)?;
            if control.retired {
                return Err(StoreError::RetiredControl(control.id));
            }
            let changes = plan_changes(|field| control.field(field), patch)?;
            if changes.is_empty() {
                return Ok(Change::Unchanged(changes));
            }
            for change in &changes {
                let sql = format!(
                    "UPDATE controls SET {} = ?1 WHERE id = ?2",
                    column_sql(change.field)
                );
                match change.field {
                    ControlField::Due => {
                        let value = (!change.to.is_empty()).then_some(change.to.as_str());
                        tx.execute(&sql, params![value, control.key])?
                    }
                    ControlField::ReviewDays => {
                        let value: Option<i64> = change.to.parse().ok();
                        tx.execute(&sql, params![value, control.key])?
                    }
                    _ => tx.execute(&sql, params![change.to, control.key])?,
                };
            }
            let action = Action::ControlUpdate {
                changes: changes.clone(),
            };
            Ok(Change::Made(
                changes,
                Logged::new(Some(project), control.id, action),
            ))
        })
    }

    /// Adds a control of the team's own; the ownership test decides its column.
    pub fn add_control(&mut self, project: i64, new: &NewControl) -> Result<Control> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(RuleError::Blank("title").into());
        }
        let column = column_for_ownership(new.can_adjust, new.aws_operates_part)?;
        let area = if new.area.trim().is_empty() {
            CUSTOM_AREA
        } else {
            new.area.trim()
        };
        let can_adjust = match (new.can_adjust, new.aws_operates_part) {
            (false, _) => "No: the team cannot log in and adjust its security settings.",
            (true, Some(true)) => {
                "Yes: the team adjusts its settings, and AWS operates part of it."
            }
            (true, _) => "Yes: the team adjusts its settings, and AWS operates none of it.",
        };
        let id = self.write(|tx| {
        let prefix = format!("USR-{}-", column.id_code());
        let taken: i64 = tx.query_row(
            "SELECT count(*) FROM controls WHERE project_id = ?1 AND control_id LIKE ?2 || '%'",
            params![project, prefix],
            |row| row.get(0),
        )?;
        let mut number = taken + 1;
        let id = loop {
            let candidate = format!("{prefix}{number:02}");
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM controls WHERE project_id = ?1 AND control_id = ?2)",
                params![project, candidate],
                |row| row.get(0),
            )?;
            if !exists {
                break candidate;
            }
            number += 1;
        };
        tx.execute(
            "INSERT INTO controls (project_id, control_id, origin, area, title, description, column_name,
                can_adjust, sort_key)
             VALUES (?1, ?2, 'custom', ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                project,
                id,
                area,
                title,
                new.description.trim(),
                column.as_str(),
                can_adjust,
                CUSTOM_SORT_BASE + number
            ],
        )?;
        let action = Action::ControlAdd {
            title: title.to_string(),
            description: new.description.trim().to_string(),
            area: area.to_string(),
            column: column.as_str().to_string(),
            can_adjust: new.can_adjust,
            aws_operates_part: new.aws_operates_part,
        };
        Ok(Change::Made(
            id.clone(),
            Logged::new(Some(project), id, action),
        ))
        })?;
        self.control(project, &id)
    }
}
