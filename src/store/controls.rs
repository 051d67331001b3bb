//! Controls: reading a project's checklist, editing a control, adding one of the team's own.

use super::db::{Connection, OptionalExtension, Row, params};

use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::catalog::PlannedControl;
use crate::model::{
    Action, Column, Control, ControlChange, ControlEdit, ControlField, ControlPatch,
    FilledParameter, FilledText, FrameworkControl, FrameworkText, Origin, ParameterSource,
    ParameterSpan, Placement, Reason, RuleError, Status, column_for_ownership, label_of,
    oscal_id_of, plan_edits,
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
     retired, sort_key, family, parent, statement, statement_params, guidance, parameters, placement";

fn split(text: String) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn control_from_row(row: &Row<'_>) -> super::db::Result<Control> {
    let bad = |index: usize, what: String| {
        super::db::Error::FromSqlConversionFailure(index, super::db::Type::Text, what.into())
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
        reason: reason_from_text(&row.get::<_, String>(26)?).map_err(|e| bad(26, e))?,
        framework: framework_from_row(row)?,
    })
}

/// The stored form of a placement reason: JSON, as in [`Reason`]'s serde shape.
pub(super) fn reason_text(reason: &Reason) -> String {
    serde_json::to_string(reason).unwrap_or_default()
}

fn reason_from_text(text: &str) -> std::result::Result<Option<Reason>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| format!("placement '{text}': {e}"))
}

fn source_name(source: ParameterSource) -> &'static str {
    match source {
        ParameterSource::Value => "value",
        ParameterSource::Constraint => "constraint",
        ParameterSource::Selection => "selection",
        ParameterSource::Label => "label",
    }
}

fn spans_json(spans: &[ParameterSpan]) -> String {
    let list: Vec<serde_json::Value> = spans
        .iter()
        .map(|s| serde_json::json!([s.start, s.end, s.param]))
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn parameters_json(parameters: &[FilledParameter]) -> String {
    let list: Vec<serde_json::Value> = parameters
        .iter()
        .map(|p| {
            let mut entry = serde_json::json!({
                "id": p.id, "label": p.label, "value": p.value, "source": source_name(p.source)
            });
            if !p.aggregates.is_empty() {
                entry["aggregates"] = serde_json::json!(p.aggregates);
            }
            entry
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The parameter spans of a statement, from their stored JSON (`[[start, end, param], …]`).
/// A span that does not fall on the text's characters is left out rather than highlighting
/// the wrong stretch.
fn spans_from_json(spans: &serde_json::Value, statement: &str) -> Vec<ParameterSpan> {
    let Some(list) = spans.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|span| {
            let start = usize::try_from(span.get(0)?.as_u64()?).ok()?;
            let end = usize::try_from(span.get(1)?.as_u64()?).ok()?;
            (start <= end && statement.get(start..end).is_some()).then(|| ParameterSpan {
                start,
                end,
                param: span
                    .get(2)
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_string(),
            })
        })
        .collect()
}

/// One filled parameter from its stored JSON object.
fn parameter_from_json(p: &serde_json::Value) -> FilledParameter {
    let text = |key: &str| {
        p.get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    FilledParameter {
        id: text("id"),
        label: text("label"),
        value: text("value"),
        source: match text("source").as_str() {
            "value" => ParameterSource::Value,
            "constraint" => ParameterSource::Constraint,
            "selection" => ParameterSource::Selection,
            _ => ParameterSource::Label,
        },
        aggregates: p
            .get("aggregates")
            .and_then(|a| a.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn framework_from_row(row: &Row<'_>) -> super::db::Result<Option<FrameworkText>> {
    let family: String = row.get(20)?;
    if family.is_empty() {
        return Ok(None);
    }
    let bad = |index: usize, what: &str| {
        super::db::Error::FromSqlConversionFailure(
            index,
            super::db::Type::Text,
            format!("malformed {what}").into(),
        )
    };
    let statement: String = row.get(22)?;
    let spans: serde_json::Value =
        serde_json::from_str(&row.get::<_, String>(23)?).map_err(|_| bad(23, "spans"))?;
    let params = spans_from_json(&spans, &statement);
    let parameters: serde_json::Value =
        serde_json::from_str(&row.get::<_, String>(25)?).map_err(|_| bad(25, "parameters"))?;
    let parameters = parameters
        .as_array()
        .map(|list| list.iter().map(parameter_from_json).collect())
        .unwrap_or_default();
    Ok(Some(FrameworkText {
        family,
        parent: row.get(21)?,
        statement: FilledText {
            text: statement,
            params,
        },
        guidance: row.get(24)?,
        parameters,
    }))
}

/// All controls of a project, retired ones included, in board order.
pub(super) fn load_controls(conn: &Connection, project: i64) -> Result<Vec<Control>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONTROL_COLUMNS} FROM controls WHERE project_id = ?1 AND tracked = 1
         ORDER BY sort_key, control_id"
    ))?;
    let rows = stmt.query_map([project], control_from_row)?;
    Ok(rows.collect::<super::db::Result<_>>()?)
}

/// The parents a baseline project keeps only as context for its selected enhancements.
pub(super) fn load_context(conn: &Connection, project: i64) -> Result<Vec<Control>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONTROL_COLUMNS} FROM controls WHERE project_id = ?1 AND tracked = 0
         ORDER BY sort_key, control_id"
    ))?;
    let rows = stmt.query_map([project], control_from_row)?;
    Ok(rows.collect::<super::db::Result<_>>()?)
}

/// A control by its exact id, tracked or kept as context, retired or not.
pub(super) fn find_any(conn: &Connection, project: i64, id: &str) -> Result<Option<Control>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CONTROL_COLUMNS} FROM controls WHERE project_id = ?1 AND control_id = ?2"
        ))?
        .query_row(params![project, id], control_from_row)
        .optional()?)
}

/// Inserts or refreshes a framework control of a baseline project, placed as given. An
/// existing row keeps its status, owner, dates, notes and history; its text, column and
/// reason are replaced, and it is brought back if it was retired.
pub(super) fn upsert_framework(
    tx: &Connection,
    project: i64,
    control: &FrameworkControl,
    placement: &Placement,
    services: &[String],
) -> Result<()> {
    let nist = control.label.clone();
    tx.prepare_cached(
        "INSERT INTO controls (project_id, control_id, origin, area, title, description, column_name,
            aws_part, customer_part, nist, services, sort_key, family, parent, statement,
            statement_params, guidance, parameters, placement, tracked)
         VALUES (?1, ?2, 'baseline', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?5, ?14, ?15,
            ?16, ?17, ?18)
         ON CONFLICT (project_id, control_id) DO UPDATE SET
            area = excluded.area, title = excluded.title, description = excluded.description,
            column_name = excluded.column_name, aws_part = excluded.aws_part,
            customer_part = excluded.customer_part, nist = excluded.nist,
            services = excluded.services, sort_key = excluded.sort_key,
            family = excluded.family, parent = excluded.parent, statement = excluded.statement,
            statement_params = excluded.statement_params, guidance = excluded.guidance,
            parameters = excluded.parameters, placement = excluded.placement,
            tracked = excluded.tracked, retired = 0",
    )?
    .execute(params![
        project,
        control.label,
        if control.family_title.is_empty() {
            control.family.clone()
        } else {
            format!("{} ({})", control.family_title, control.family)
        },
        control.title,
        control.statement.text,
        placement.column.as_str(),
        placement.aws_part,
        placement.customer_part,
        nist,
        services.join(","),
        i64::try_from(control.position).unwrap_or(i64::MAX),
        control.family,
        control.parent.clone().unwrap_or_default(),
        spans_json(&control.statement.params),
        control.guidance,
        parameters_json(&control.parameters),
        reason_text(&placement.reason),
        control.selected,
    ])?;
    Ok(())
}

/// Moves a control to the column a placement gives, with its parts and reason.
pub(super) fn write_placement(
    tx: &Connection,
    key: i64,
    placement: &Placement,
    services: &[String],
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE controls SET column_name = ?1, aws_part = ?2, customer_part = ?3, placement = ?4,
            services = ?5
         WHERE id = ?6",
    )?
    .execute(params![
        placement.column.as_str(),
        placement.aws_part,
        placement.customer_part,
        reason_text(&placement.reason),
        services.join(","),
        key
    ])?;
    Ok(())
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

/// Writes one checked edit to a control's row. A move by hand is a person's word, so it also
/// records the person as the placement's reason (a change of services then leaves it).
fn write_edit(tx: &Connection, key: i64, edit: &ControlEdit) -> Result<()> {
    let sql = format!(
        "UPDATE controls SET {} = ?1 WHERE id = ?2",
        column_sql(edit.field())
    );
    match edit {
        ControlEdit::Due(due) => tx.execute(&sql, params![due.map(|d| d.to_string()), key])?,
        ControlEdit::ReviewDays(days) => tx.execute(&sql, params![days.map(i64::from), key])?,
        other => tx.execute(&sql, params![other.text(), key])?,
    };
    if let ControlEdit::Column(_) = edit {
        tx.execute(
            "UPDATE controls SET placement = ?1 WHERE id = ?2",
            params![reason_text(&Reason::Person), key],
        )?;
    }
    Ok(())
}

impl Store {
    /// A project's controls, retired ones included, in board order.
    pub fn controls(&self, project: i64) -> Result<Vec<Control>> {
        load_controls(&self.conn, project)
    }

    /// The parents a baseline project keeps only as context for its selected enhancements,
    /// in catalog order.
    pub fn context_controls(&self, project: i64) -> Result<Vec<Control>> {
        load_context(&self.conn, project)
    }

    /// One control of a project by its id (ignoring case); a framework control also by its
    /// OSCAL id (`ac-2.1` for `AC-2(1)`).
    pub fn control(&self, project: i64, id: &str) -> Result<Control> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CONTROL_COLUMNS} FROM controls
             WHERE project_id = ?1 AND control_id = ?2 COLLATE NOCASE AND tracked = 1"
        ))?;
        let mut found = stmt
            .query_row(params![project, id.trim()], control_from_row)
            .optional()?;
        if found.is_none()
            && let Some(oscal) = oscal_id_of(id)
        {
            found = stmt
                .query_row(params![project, label_of(&oscal)], control_from_row)
                .optional()?;
        }
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
        self.update_control_since(project, id, patch, None)
    }

    /// Edits a control as [`Store::update_control`] does, unless someone changed it after
    /// `loaded` (the activity log's last row when the editor read it): then the edit is
    /// refused with who changed it and when, and nothing is written. The window passes the
    /// log position of what it shows, so an edit never silently overwrites another's.
    pub fn update_control_since(
        &mut self,
        project: i64,
        id: &str,
        patch: &ControlPatch,
        loaded: Option<i64>,
    ) -> Result<Vec<ControlChange>> {
        self.write(|tx| {
            // Read inside the write transaction, so the "from" values are the ones replaced.
            let control = tx.store.control(project, id)?;
            if let Some(loaded) = loaded {
                let later: Option<(String, String)> = tx
                    .query_row(
                        "SELECT actor, at FROM activity
                         WHERE project_id = ?1 AND subject = ?2 AND seq > ?3
                         ORDER BY seq DESC LIMIT 1",
                        params![project, control.id, loaded],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                if let Some((actor, at)) = later {
                    return Err(StoreError::ChangedMeanwhile {
                        id: control.id,
                        actor,
                        at,
                    });
                }
            }
            if control.retired {
                return Err(StoreError::RetiredControl(control.id));
            }
            let planned = plan_edits(|field| control.field(field), patch)?;
            if planned.is_empty() {
                return Ok(Change::Unchanged(Vec::new()));
            }
            let mut changes = Vec::with_capacity(planned.len());
            for (edit, change) in planned {
                write_edit(tx, control.key, &edit)?;
                changes.push(change);
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
                "SELECT count(*) FROM controls
                 WHERE project_id = ?1 AND upper(substr(control_id, 1, length(?2))) = ?2",
                params![project, prefix],
                |row| row.get(0),
            )?;
            let mut number = taken + 1;
            let id = loop {
                let candidate = format!("{prefix}{number:02}");
                let exists: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM controls WHERE project_id = ?1 AND control_id
                     = ?2)",
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
